//! # The memory-mapped account store
//!
//! [`MmapAccountStore`] keeps accounts in append-only files mapped with
//! memmap2, indexes the newest record of each pubkey in memory, and makes a
//! slot durable at [`AccountStore::commit_slot`]: after a crash it reopens
//! at the last committed slot exactly. docs/store.md is the specification
//! (byte layouts, the order of writes and syncs, the recovery procedure and
//! the assumptions about the disk); this is its implementation.
//!
//! ```no_run
//! use lanes_runtime::store::AccountStore;
//! use lanes_runtime::store::mmap::{MmapAccountStore, StoreConfig};
//! use lanes_sdk::{Account, Pubkey};
//!
//! let store = MmapAccountStore::open("/tmp/ledger/accounts", StoreConfig::default())?;
//! let key = Pubkey::new_unique_from_u64(1);
//! store.store(7, &[(key, Account::new(10, 165, &Pubkey::default()))])?;
//! store.commit_slot(7)?; // durable from here on
//! assert_eq!(store.get(&key).map(|a| a.lamports), Some(10));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Modules: [`format`] (bytes on disk), `index` (pubkey → record),
//! `raw` (every `unsafe` block), `backend` (files and mappings, behind a
//! trait), [`sim`] (a simulated disk for crash tests), `recovery` (open),
//! `compaction` (rewriting files whose live share fell).
//!
//! Owns: the files under its directory (it holds an exclusive lock on
//! them), the index, the write lanes, the commit protocol.
//!
//! Concurrency: `store` calls from several threads append at once, each to
//! its own lane (a file with a single writer); a batch becomes readable as a
//! whole once written, then the index is pointed at it. `get` takes one
//! index shard's read lock and reads in place. A commit snapshots each
//! file's readable length (whole batches), syncs, and writes the commit
//! record; it does not stop the writers. The file table is copied on write,
//! one copy per reader shard, so readers never write a shared cache line.
//!
//! Invariants:
//! * committed bytes are never modified: appends go past every file's
//!   committed length, compaction writes new files;
//! * a commit record (the manifest) is written only after every byte it
//!   covers is durable, and names exactly the files and lengths that make up
//!   the committed state; a record is part of the state iff it lies below
//!   its file's length in the newest valid commit record;
//! * the index points every pubkey at its record with the highest sequence
//!   number; sequence numbers grow with every record stored;
//! * after any failed sync or manifest write the store is poisoned: it
//!   refuses writes and commits until reopened, since what is durable is then
//!   unknown.
//!
//! Must never: panic on bytes read from disk (damage is an error naming the
//! file and offset), commit a store that has not returned, include a
//! compaction's copies in the state before they are durable, or delete a
//! file while the newest commit record still names it.

mod backend;
mod compaction;
mod error;
pub mod format;
mod index;
mod raw;
mod recovery;
pub mod sim;

pub use compaction::CompactionReport;
pub use error::MmapStoreError;
pub use recovery::RecoveryReport;
pub use sim::{SimBackend, Tear};

use crate::store::{AccountStore, StoreError};
use backend::{Backend, DataFile, FsBackend, MetaFile};
use crossbeam_utils::CachePadded;
use format::{
    data_file_name, parse_head, record_account, record_size_of, verify_record, write_record, FileHeader, LedgerId,
    Manifest, RecordHead, FILE_HEADER_LEN, MANIFEST_SLOT_LEN, MAX_DATA_LEN, MAX_FILE_LEN, MAX_MANIFEST_FILES,
    RECORD_HEADER_LEN,
};
use index::{Index, Loc, Resolved, Upsert};
use lanes_sdk::{Account, Pubkey};
use parking_lot::{Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard};
use raw::Appender;
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How the store lays out and maintains its files.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Size of each data file (bytes reserved on disk when it is created).
    /// A batch larger than this gets a file of its own size.
    pub file_capacity: usize,
    /// Files appended to at once: concurrent `store` calls take different
    /// lanes and never wait for each other.
    pub lanes: usize,
    /// Run the write-back and compaction threads.
    pub background: bool,
    /// The write-back thread syncs a file once this many bytes of it are
    /// unsynced, so that a commit has little left to write.
    pub flush_bytes: usize,
    /// Rewrite a full, committed file once the share of its bytes that are
    /// newest versions falls below this.
    pub compact_below: f64,
    /// The ledger the store belongs to: set on creation (random if `None`),
    /// checked on open.
    pub ledger_id: Option<LedgerId>,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            file_capacity: 64 << 20,
            lanes: crate::available_cores().clamp(1, 16),
            background: true,
            flush_bytes: 16 << 20,
            compact_below: 0.5,
            ledger_id: None,
        }
    }
}

/// Numbers describing the store now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreStats {
    pub files: usize,
    /// Bytes of all data files (their reserved size).
    pub file_bytes: u64,
    /// Bytes written in them.
    pub used_bytes: u64,
    /// Bytes of records that are the newest of their key.
    pub live_bytes: u64,
    /// Live accounts (tombstones excluded).
    pub accounts: usize,
    /// Index entries (tombstones included).
    pub index_entries: usize,
    /// Bytes the index tables take.
    pub index_bytes: usize,
    pub committed_slot: Option<u64>,
    pub compaction: CompactionReport,
}

/// A zero-copy view of a stored account: its data is read from the map.
/// Holds its file open; the bytes never change.
pub struct AccountRef {
    file: Arc<FileEntry>,
    offset: usize,
    head: RecordHead,
}

impl AccountRef {
    pub fn lamports(&self) -> u64 {
        self.head.lamports
    }

    pub fn owner(&self) -> Pubkey {
        let b = self.file.data.region().bytes(self.offset + 64, 32);
        Pubkey(b.and_then(|b| b.try_into().ok()).unwrap_or_default())
    }

    pub fn executable(&self) -> bool {
        self.head.executable
    }

    /// The slot that wrote this version.
    pub fn slot(&self) -> u64 {
        self.head.slot
    }

    /// The account data, straight from the mapped file.
    pub fn data(&self) -> &[u8] {
        self.file.data.region().bytes(self.offset + RECORD_HEADER_LEN, self.head.data_len).unwrap_or(&[])
    }

    /// An owned copy.
    pub fn to_account(&self) -> Account {
        Account {
            lamports: self.lamports(),
            data: self.data().to_vec(),
            owner: self.owner(),
            executable: self.executable(),
        }
    }
}

// File states.
const LANE: u8 = 0;
const SEALED: u8 = 1;
/// A compaction output not yet named by a commit record.
const PENDING: u8 = 2;
/// Removed from the commit record by a compaction; about to be deleted.
const RETIRED: u8 = 3;

pub(crate) struct FileEntry {
    id: u64,
    slot: u32,
    name: String,
    path: PathBuf,
    data: Box<dyn DataFile>,
    /// Bytes of records that are their key's newest.
    live_bytes: AtomicU64,
    /// Durable prefix; held while syncing.
    synced: Mutex<usize>,
    /// Length named by the newest commit record (0: not named).
    committed_len: AtomicUsize,
    state: AtomicU8,
}

impl FileEntry {
    fn readable(&self) -> usize {
        self.data.region().readable()
    }

    fn state(&self) -> u8 {
        self.state.load(Ordering::Acquire)
    }
}

#[derive(Default, Clone)]
struct FileTable {
    slots: Vec<Option<Arc<FileEntry>>>,
    free: Vec<u32>,
}

impl FileTable {
    fn get(&self, slot: u32) -> Option<&Arc<FileEntry>> {
        self.slots.get(slot as usize).and_then(Option::as_ref)
    }

    fn iter(&self) -> impl Iterator<Item = &Arc<FileEntry>> {
        self.slots.iter().flatten()
    }

    fn insert(&mut self, make: impl FnOnce(u32) -> FileEntry) -> Option<Arc<FileEntry>> {
        let slot = match self.free.pop() {
            Some(s) => s,
            None if self.slots.len() <= Loc::MAX_FILE as usize => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
            None => return None,
        };
        let entry = Arc::new(make(slot));
        self.slots[slot as usize] = Some(entry.clone());
        Some(entry)
    }

    fn remove(&mut self, slot: u32) {
        if let Some(s) = self.slots.get_mut(slot as usize) {
            if s.take().is_some() {
                self.free.push(slot);
            }
        }
    }
}

/// The open files, copy-on-write, with one copy per reader shard: readers
/// on different threads take different locks and never write a shared
/// cache line; an update (a file created or deleted: rare) builds a new
/// table and installs it in every shard under that shard's write lock, so
/// once it returns no reader holds an older table.
struct Files {
    shards: Box<[CachePadded<RwLock<Arc<FileTable>>>]>,
    updating: Mutex<()>,
}

impl Files {
    fn new(table: FileTable) -> Files {
        let table = Arc::new(table);
        let n = crate::available_cores().clamp(2, 16);
        Files {
            shards: (0..n).map(|_| CachePadded::new(RwLock::new(table.clone()))).collect(),
            updating: Mutex::new(()),
        }
    }

    /// The table, through this thread's shard. Never take a second one (or
    /// update) while holding it: a waiting update would block it.
    fn read(&self) -> RwLockReadGuard<'_, Arc<FileTable>> {
        self.shards[thread_hint() % self.shards.len()].read()
    }

    fn update<R>(&self, change: impl FnOnce(&mut FileTable) -> R) -> R {
        let _one = self.updating.lock();
        let mut table = FileTable::clone(&self.shards[0].read());
        let result = change(&mut table);
        let table = Arc::new(table);
        for shard in self.shards.iter() {
            *shard.write() = table.clone();
        }
        result
    }
}

#[derive(Default)]
struct Lane {
    current: Option<(Arc<FileEntry>, Appender)>,
}

/// What the newest commit record says, and the manifest file to write the next.
struct CommitState {
    meta: Box<dyn MetaFile>,
    generation: u64,
    slot: Option<u64>,
    next_seq: u64,
    members: Vec<(u64, u64)>,
}

#[derive(Default)]
struct CompactionCounters {
    runs: AtomicU64,
    files: AtomicU64,
    records: AtomicU64,
    bytes_copied: AtomicU64,
    bytes_freed: AtomicU64,
    tombstones_dropped: AtomicU64,
    nanos: AtomicU64,
    last_error: Mutex<Option<String>>,
}

pub(crate) struct Inner {
    backend: Box<dyn Backend>,
    config: StoreConfig,
    ledger: LedgerId,
    index: Index,
    files: Files,
    lanes: Box<[Mutex<Lane>]>,
    commit: Mutex<CommitState>,
    /// One compaction at a time.
    compacting: Mutex<()>,
    /// Copies compaction made of records whose key has a newer record not
    /// yet committed (the copy may be the key's newest committed version):
    /// counted live in their file until the next commit, so the file is not
    /// chosen again at once and the copy made again and again.
    stale_copies: Mutex<Vec<(Arc<FileEntry>, u64)>>,
    next_seq: AtomicU64,
    next_file_id: AtomicU64,
    /// Committed slot + 1 (0: none).
    committed: AtomicU64,
    /// Highest slot ever stored + 1 (0: none): each store raises it before
    /// its bytes can be seen, so a commit that sees the bytes sees the slot.
    max_stored_slot: AtomicU64,
    poisoned: AtomicBool,
    poison_reason: Mutex<Option<String>>,
    shutdown: Mutex<bool>,
    wake: Condvar,
    compaction: CompactionCounters,
    recovery: Mutex<RecoveryReport>,
    _lock: Box<dyn std::any::Any + Send + Sync>,
}

thread_local! {
    static THREAD_HINT: Cell<usize> = const { Cell::new(usize::MAX) };
}
static NEXT_THREAD_HINT: AtomicUsize = AtomicUsize::new(0);

/// A small number for this thread (0, 1, 2, … in order of first use): which
/// lane and which file-table shard it tries first.
fn thread_hint() -> usize {
    THREAD_HINT.with(|h| {
        if h.get() == usize::MAX {
            h.set(NEXT_THREAD_HINT.fetch_add(1, Ordering::Relaxed));
        }
        h.get()
    })
}

/// A random 64-bit value (per-process keys; no security relies on it).
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    h.write_u32(std::process::id());
    h.finish()
}

/// The record at `off` in `file`, which must end at or before `end`, with
/// its checksum checked if `verify`.
fn read_record(file: &FileEntry, off: usize, end: usize, verify: bool) -> Result<(RecordHead, &[u8]), MmapStoreError> {
    let path = &file.path;
    let at = off as u64;
    if end.saturating_sub(off) < RECORD_HEADER_LEN {
        return Err(MmapStoreError::corrupt(path, at, format!("record header cut short by the committed end {end}")));
    }
    let region = file.data.region();
    let unreadable = || MmapStoreError::corrupt(path, at, "record lies past the mapped bytes");
    let head = parse_head(region.bytes(off, RECORD_HEADER_LEN).ok_or_else(unreadable)?)
        .map_err(|d| MmapStoreError::defect(path, at, d))?;
    let size = head.size();
    if size > end - off {
        return Err(MmapStoreError::corrupt(
            path,
            at,
            format!("record of {size} bytes runs past the committed end {end}"),
        ));
    }
    let record = region.bytes(off, size).ok_or_else(unreadable)?;
    if verify {
        verify_record(record, &head).map_err(|d| MmapStoreError::defect(path, at, d))?;
    }
    Ok((head, record))
}

impl Inner {
    fn path(&self, name: &str) -> PathBuf {
        self.backend.path(name)
    }

    fn poison(&self, why: String) {
        let mut reason = self.poison_reason.lock();
        if reason.is_none() {
            *reason = Some(why);
        }
        self.poisoned.store(true, Ordering::Release);
    }

    fn check_usable(&self) -> Result<(), MmapStoreError> {
        if self.poisoned.load(Ordering::Acquire) {
            return Err(MmapStoreError::Poisoned(self.poison_reason.lock().clone().unwrap_or_default()));
        }
        Ok(())
    }

    fn committed_slot(&self) -> Option<u64> {
        self.committed.load(Ordering::Acquire).checked_sub(1)
    }

    /// The fixed part of the record at `loc`; damage poisons the store.
    fn head_at(&self, files: &FileTable, loc: Loc) -> Option<(Arc<FileEntry>, RecordHead)> {
        let Some(file) = files.get(loc.file()) else {
            self.poison(format!("index names file slot {} which is not open", loc.file()));
            return None;
        };
        let parsed = match file.data.region().bytes(loc.offset(), RECORD_HEADER_LEN) {
            Some(bytes) => {
                parse_head(bytes).map_err(|d| MmapStoreError::defect(&file.path, loc.offset() as u64, d).to_string())
            }
            None => Err(format!(
                "{}, offset {}: indexed record lies past the written end",
                file.path.display(),
                loc.offset()
            )),
        };
        match parsed {
            Ok(head) => Some((file.clone(), head)),
            Err(why) => {
                self.poison(why);
                None
            }
        }
    }

    fn resolve(&self, files: &FileTable, loc: Loc) -> Option<Resolved> {
        self.head_at(files, loc).map(|(_, h)| Resolved { key: h.key, seq: h.seq, size: h.size() })
    }

    /// Bookkeeping after the index took a record of `size` bytes whose
    /// bytes were already counted in its file's live bytes.
    fn account_upsert(&self, files: &FileTable, file: &FileEntry, size: usize, outcome: Upsert) {
        match outcome {
            Upsert::Inserted => {}
            Upsert::Replaced { old, old_size } => {
                if let Some(f) = files.get(old.file()) {
                    f.live_bytes.fetch_sub(old_size as u64, Ordering::Relaxed);
                }
            }
            Upsert::Stale => {
                file.live_bytes.fetch_sub(size as u64, Ordering::Relaxed);
            }
        }
    }

    fn is_live(&self, files: &FileTable, key: &Pubkey) -> bool {
        self.index.get(key, &|l| self.resolve(files, l)).is_some_and(|l| !l.tomb())
    }

    /// Create a data file of `capacity` bytes in `state` and open it.
    fn create_file(&self, capacity: usize, state: u8) -> Result<Arc<FileEntry>, MmapStoreError> {
        if capacity as u64 > MAX_FILE_LEN {
            return Err(MmapStoreError::Rejected(format!(
                "a data file of {capacity} bytes exceeds the maximum {MAX_FILE_LEN}"
            )));
        }
        let id = self.next_file_id.fetch_add(1, Ordering::AcqRel);
        let name = data_file_name(id);
        let path = self.path(&name);
        let header = FileHeader { ledger: self.ledger, file_id: id, capacity: capacity as u64 }.encode();
        let data =
            self.backend.create_data(&name, capacity, &header).map_err(|e| MmapStoreError::io(&path, "create", e))?;
        let entry = self.files.update(|table| {
            table.insert(|slot| FileEntry {
                id,
                slot,
                name: name.clone(),
                path: path.clone(),
                data,
                live_bytes: AtomicU64::new(0),
                synced: Mutex::new(FILE_HEADER_LEN),
                committed_len: AtomicUsize::new(0),
                state: AtomicU8::new(state),
            })
        });
        match entry {
            Some(e) => Ok(e),
            None => {
                let _ = self.backend.remove(&name);
                Err(MmapStoreError::Rejected(format!("more than {} open data files", Loc::MAX_FILE)))
            }
        }
    }

    fn pick_lane(&self) -> MutexGuard<'_, Lane> {
        let n = self.lanes.len();
        let hint = thread_hint();
        for i in 0..n {
            if let Some(lane) = self.lanes[(hint + i) % n].try_lock() {
                return lane;
            }
        }
        self.lanes[hint % n].lock()
    }

    /// Make sure `lane` can take `total` more bytes, starting a new file if not.
    fn ensure_room(&self, lane: &mut Lane, total: usize) -> Result<(), MmapStoreError> {
        if lane.current.as_ref().is_some_and(|(_, app)| app.room() >= total) {
            return Ok(());
        }
        let capacity = self.config.file_capacity.max(FILE_HEADER_LEN + total);
        let entry = self.create_file(capacity, LANE)?;
        let Some(app) = entry.data.region().appender() else {
            return Err(MmapStoreError::Rejected("internal: a new file already had a writer".into()));
        };
        if let Some((old, _)) = lane.current.replace((entry, app)) {
            old.state.store(SEALED, Ordering::Release);
        }
        Ok(())
    }

    fn store_batch(&self, slot: u64, updates: &[(Pubkey, Account)]) -> Result<(), MmapStoreError> {
        self.check_usable()?;
        if let Some(committed) = self.committed_slot() {
            if slot < committed {
                return Err(MmapStoreError::Rejected(format!(
                    "store at slot {slot} after slot {committed} was committed"
                )));
            }
        }
        if let Some((key, a)) = updates.iter().find(|(_, a)| a.data.len() > MAX_DATA_LEN) {
            return Err(MmapStoreError::Rejected(format!(
                "account {key} has {} bytes of data (at most {MAX_DATA_LEN})",
                a.data.len()
            )));
        }
        // Sizes of the records to write; 0 = nothing to write (the deletion
        // of an account that does not exist needs no tombstone).
        let mut sizes = Vec::with_capacity(updates.len());
        {
            let files = updates.iter().any(|(_, a)| a.lamports == 0).then(|| self.files.read());
            for (i, (key, account)) in updates.iter().enumerate() {
                let needed = account.lamports != 0
                    || files.as_ref().is_some_and(|f| self.is_live(f, key))
                    || updates[..i].iter().any(|(k, _)| k == key);
                sizes.push(if needed { record_size_of(account) } else { 0 });
            }
        }
        let total: usize = sizes.iter().sum();
        if total == 0 {
            return Ok(());
        }
        // Announce the slot before any byte of it can be seen (see `commit`).
        let mark = slot.saturating_add(1);
        if self.max_stored_slot.load(Ordering::Acquire) < mark {
            self.max_stored_slot.fetch_max(mark, Ordering::AcqRel);
        }
        let records = sizes.iter().filter(|&&s| s > 0).count() as u64;
        let first_seq = self.next_seq.fetch_add(records, Ordering::AcqRel);
        let (file, offset) = {
            let mut lane = self.pick_lane();
            self.ensure_room(&mut lane, total)?;
            let Some((file, app)) = lane.current.as_mut() else {
                return Err(MmapStoreError::Rejected("internal: lane without a file".into()));
            };
            self.backend.before_append().map_err(|e| MmapStoreError::io(&file.path, "append", e))?;
            let appended = app.append(total, |buf| {
                let (mut at, mut seq) = (0, first_seq);
                for ((key, account), &size) in updates.iter().zip(&sizes) {
                    if size > 0 {
                        write_record(&mut buf[at..at + size], seq, slot, key, account);
                        at += size;
                        seq += 1;
                    }
                }
            });
            match appended {
                Some(offset) => (file.clone(), offset),
                None => return Err(MmapStoreError::Rejected("internal: no room after ensure_room".into())),
            }
        };
        // Counted before the index can point at them, so that the file's
        // live bytes never fall below what the index points at (stale
        // records are taken back below).
        file.live_bytes.fetch_add(total as u64, Ordering::Relaxed);
        let files = self.files.read();
        let resolve = |l: Loc| self.resolve(&files, l);
        let (mut at, mut seq) = (offset, first_seq);
        for ((key, account), &size) in updates.iter().zip(&sizes) {
            if size == 0 {
                continue;
            }
            let tomb = account.lamports == 0;
            let outcome = self.index.upsert(key, Loc::new(file.slot, at, tomb), seq, &resolve);
            self.account_upsert(&files, &file, size, outcome);
            at += size;
            seq += 1;
        }
        Ok(())
    }

    fn locate(&self, files: &FileTable, key: &Pubkey) -> Option<(Arc<FileEntry>, usize, RecordHead)> {
        let loc = self.index.get(key, &|l| self.resolve(files, l))?;
        if loc.tomb() {
            return None;
        }
        let (file, head) = self.head_at(files, loc)?;
        Some((file, loc.offset(), head))
    }

    /// The account at `key`, its data cut to `max_data(head)` bytes.
    fn read_account(&self, key: &Pubkey, max_data: impl FnOnce(&RecordHead) -> usize) -> Option<Account> {
        let files = self.files.read();
        let (file, offset, head) = self.locate(&files, key)?;
        let max_data = max_data(&head);
        let len = RECORD_HEADER_LEN + head.data_len.min(max_data);
        match file.data.region().bytes(offset, len) {
            Some(bytes) => Some(record_account(bytes, &head, max_data)),
            None => {
                self.poison(format!("{}, offset {offset}: record data lies past the written end", file.path.display()));
                None
            }
        }
    }

    fn get_ref(&self, key: &Pubkey) -> Option<AccountRef> {
        let files = self.files.read();
        let (file, offset, head) = self.locate(&files, key)?;
        if file.data.region().bytes(offset, RECORD_HEADER_LEN + head.data_len).is_none() {
            self.poison(format!("{}, offset {offset}: record data lies past the written end", file.path.display()));
            return None;
        }
        Some(AccountRef { file, offset, head })
    }

    /// Make `file` durable up to `upto`; a failure poisons the store.
    fn sync_file(&self, file: &FileEntry, upto: usize) -> Result<(), MmapStoreError> {
        let mut synced = file.synced.lock();
        if *synced >= upto {
            return Ok(());
        }
        if let Err(e) = file.data.sync(*synced, upto) {
            let err = MmapStoreError::io(&file.path, "sync", e);
            self.poison(err.to_string());
            return Err(err);
        }
        *synced = upto;
        Ok(())
    }

    /// Write `m` to both manifest slots, each followed by a sync; a failure
    /// poisons the store.
    fn write_manifest(&self, cs: &mut CommitState, m: &Manifest) -> Result<(), MmapStoreError> {
        if m.files.len() > MAX_MANIFEST_FILES {
            return Err(MmapStoreError::Rejected(format!(
                "{} data files exceed the manifest's {MAX_MANIFEST_FILES}",
                m.files.len()
            )));
        }
        let bytes = m.encode();
        for slot in [0, MANIFEST_SLOT_LEN as u64] {
            if let Err(e) = cs.meta.write_at(slot, &bytes).and_then(|()| cs.meta.sync()) {
                let err = MmapStoreError::io(&self.path(recovery::MANIFEST), "write commit record", e);
                self.poison(err.to_string());
                return Err(err);
            }
        }
        cs.generation = m.generation;
        Ok(())
    }

    fn commit(&self, slot: u64) -> Result<(), MmapStoreError> {
        let mut cs = self.commit.lock();
        self.check_usable()?;
        if let Some(last) = cs.slot {
            if slot < last {
                return Err(MmapStoreError::Rejected(format!("commit of slot {slot} after slot {last} was committed")));
            }
        }
        // Each file's readable prefix holds whole batches of stores: every
        // store that returned before this call, maybe some that run beside it.
        let snapshot: Vec<(Arc<FileEntry>, usize)> = self
            .files
            .read()
            .iter()
            .filter(|f| matches!(f.state(), LANE | SEALED))
            .map(|f| (f.clone(), f.readable()))
            .collect();
        // A store raises `max_stored_slot` before its bytes become readable,
        // so a batch of a later slot in the snapshot shows here.
        let stored = self.max_stored_slot.load(Ordering::Acquire);
        if stored > slot.saturating_add(1) {
            return Err(MmapStoreError::Rejected(format!(
                "commit of slot {slot} after writes of slot {} were stored: they would be committed as slot {slot}",
                stored - 1
            )));
        }
        // Read after the snapshot: above every sequence number in it.
        let next_seq = self.next_seq.load(Ordering::Acquire);
        for (file, len) in &snapshot {
            self.sync_file(file, *len)?;
        }
        let mut members: Vec<(u64, u64)> = snapshot.iter().map(|(f, len)| (f.id, *len as u64)).collect();
        members.sort_unstable();
        let manifest = Manifest {
            ledger: self.ledger,
            generation: cs.generation.saturating_add(1),
            slot: Some(slot),
            next_seq,
            next_file_id: self.next_file_id.load(Ordering::Acquire),
            files: members,
        };
        self.write_manifest(&mut cs, &manifest)?;
        for (file, len) in &snapshot {
            file.committed_len.store(*len, Ordering::Release);
        }
        cs.members = manifest.files;
        cs.slot = Some(slot);
        cs.next_seq = next_seq;
        self.committed.store(slot.saturating_add(1), Ordering::Release);
        for (file, size) in std::mem::take(&mut *self.stale_copies.lock()) {
            file.live_bytes.fetch_sub(size, Ordering::Relaxed);
        }
        Ok(())
    }

    fn stats(&self) -> StoreStats {
        let files = self.files.read();
        let mut s = StoreStats {
            accounts: self.index.live(),
            index_entries: self.index.len(),
            index_bytes: self.index.memory_bytes(),
            committed_slot: self.committed_slot(),
            compaction: self.compaction_report(),
            ..StoreStats::default()
        };
        for f in files.iter() {
            s.files += 1;
            s.file_bytes += f.data.region().len() as u64;
            s.used_bytes += f.readable() as u64;
            s.live_bytes += f.live_bytes.load(Ordering::Relaxed);
        }
        s
    }

    /// Every live account, sorted by key.
    fn accounts(&self) -> Vec<(Pubkey, Account)> {
        let files = self.files.read();
        let mut locs = Vec::new();
        self.index.for_each(|l| {
            if !l.tomb() {
                locs.push(l)
            }
        });
        let mut out: Vec<(Pubkey, Account)> = locs
            .into_iter()
            .filter_map(|loc| {
                let (file, head) = self.head_at(&files, loc)?;
                let bytes = file.data.region().bytes(loc.offset(), RECORD_HEADER_LEN + head.data_len)?;
                Some((Pubkey(head.key), record_account(bytes, &head, usize::MAX)))
            })
            .collect();
        out.sort_by_key(|a| a.0);
        out
    }

    /// Wait up to `timeout` for shutdown; true if it was asked for.
    fn wait_shutdown(&self, timeout: Duration) -> bool {
        let mut down = self.shutdown.lock();
        if !*down {
            self.wake.wait_for(&mut down, timeout);
        }
        *down
    }

    /// Background write-back: sync files with many unsynced bytes, and
    /// sealed files entirely, so commits find little left to write.
    fn flush_loop(&self) {
        while !self.wait_shutdown(Duration::from_millis(10)) {
            if self.poisoned.load(Ordering::Acquire) {
                continue;
            }
            let files: Vec<Arc<FileEntry>> =
                self.files.read().iter().filter(|f| matches!(f.state(), LANE | SEALED)).cloned().collect();
            for f in files {
                let readable = f.readable();
                let synced = *f.synced.lock();
                if readable.saturating_sub(synced) >= self.config.flush_bytes
                    || (f.state() == SEALED && readable > synced)
                {
                    // A failure poisons the store; the next commit reports it.
                    let _ = self.sync_file(&f, readable);
                }
            }
        }
    }

    fn compact_loop(&self) {
        while !self.wait_shutdown(Duration::from_millis(50)) {
            loop {
                match self.compact_once() {
                    Ok(Some(_)) if !*self.shutdown.lock() => continue,
                    Ok(_) => break,
                    Err(e) => {
                        *self.compaction.last_error.lock() = Some(e.to_string());
                        break;
                    }
                }
            }
        }
    }
}

/// The memory-mapped account store. See the module documentation.
pub struct MmapAccountStore {
    inner: Arc<Inner>,
    workers: Vec<JoinHandle<()>>,
}

impl MmapAccountStore {
    /// Open (recovering) or create the store in `dir`.
    pub fn open(dir: impl AsRef<Path>, config: StoreConfig) -> Result<MmapAccountStore, MmapStoreError> {
        let dir = dir.as_ref();
        let backend = FsBackend::new(dir).map_err(|e| MmapStoreError::io(dir, "create directory", e))?;
        Self::open_backend(Box::new(backend), config)
    }

    /// Open (recovering) or create a store on a simulated disk.
    pub fn open_sim(sim: &SimBackend, config: StoreConfig) -> Result<MmapAccountStore, MmapStoreError> {
        Self::open_backend(Box::new(sim.clone()), config)
    }

    fn open_backend(backend: Box<dyn Backend>, config: StoreConfig) -> Result<MmapAccountStore, MmapStoreError> {
        let inner = Arc::new(recovery::open(backend, config)?);
        let mut workers = Vec::new();
        if inner.config.background {
            let spawn = |name: &str, f: fn(&Inner)| {
                let inner = inner.clone();
                std::thread::Builder::new().name(name.into()).spawn(move || f(&inner))
            };
            for (name, f) in
                [("lanes-store-flush", Inner::flush_loop as fn(&Inner)), ("lanes-store-compact", Inner::compact_loop)]
            {
                match spawn(name, f) {
                    Ok(handle) => workers.push(handle),
                    Err(e) => {
                        let store = MmapAccountStore { inner, workers };
                        drop(store);
                        return Err(MmapStoreError::io(Path::new(name), "spawn thread", e));
                    }
                }
            }
        }
        Ok(MmapAccountStore { inner, workers })
    }

    /// Store `updates` as written in `slot` (durable at the next commit).
    pub fn store_accounts(&self, slot: u64, updates: &[(Pubkey, Account)]) -> Result<(), MmapStoreError> {
        self.inner.store_batch(slot, updates)
    }

    /// Make everything stored so far durable as the state of `slot`.
    pub fn commit(&self, slot: u64) -> Result<(), MmapStoreError> {
        self.inner.commit(slot)
    }

    /// The newest version of `key`, read in place from the map.
    pub fn get_ref(&self, key: &Pubkey) -> Option<AccountRef> {
        self.inner.get_ref(key)
    }

    /// The last committed slot.
    pub fn committed_slot(&self) -> Option<u64> {
        self.inner.committed_slot()
    }

    /// Rewrite the files whose live share fell below the threshold, once;
    /// `None` if none qualified. (The background thread calls this too.)
    pub fn compact(&self) -> Result<Option<CompactionReport>, MmapStoreError> {
        self.inner.compact_once()
    }

    /// Every live account, sorted by key (tests and tools; O(accounts)).
    pub fn accounts(&self) -> Vec<(Pubkey, Account)> {
        self.inner.accounts()
    }

    pub fn stats(&self) -> StoreStats {
        self.inner.stats()
    }

    /// What the last open found and how long it took.
    pub fn recovery_report(&self) -> RecoveryReport {
        self.inner.recovery.lock().clone()
    }

    /// The ledger this store belongs to.
    pub fn ledger_id(&self) -> LedgerId {
        self.inner.ledger
    }

    /// Why the store stopped accepting writes, if it did.
    pub fn poisoned(&self) -> Option<String> {
        self.inner.poison_reason.lock().clone()
    }
}

/// Ask the OS to drop the cached pages of the store files in `dir` (which
/// must not be open), so that the next open reads them from disk: how the
/// benchmark measures a cold open. Dirty pages stay cached.
pub fn evict_page_cache(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() {
            raw::drop_cached_pages(&std::fs::File::open(&path)?)?;
        }
    }
    Ok(())
}

impl Drop for MmapAccountStore {
    fn drop(&mut self) {
        *self.inner.shutdown.lock() = true;
        self.inner.wake.notify_all();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

impl AccountStore for MmapAccountStore {
    fn get(&self, key: &Pubkey) -> Option<Account> {
        self.inner.read_account(key, |_| usize::MAX)
    }

    fn get_prefix(&self, key: &Pubkey, max_data: usize) -> Option<Account> {
        self.inner.read_account(key, |_| max_data)
    }

    fn get_executable_prefix(&self, key: &Pubkey, max_executable_data: usize) -> Option<Account> {
        self.inner.read_account(key, |head| if head.executable { max_executable_data } else { usize::MAX })
    }

    fn store(&self, slot: u64, updates: &[(Pubkey, Account)]) -> Result<(), StoreError> {
        Ok(self.inner.store_batch(slot, updates)?)
    }

    fn len(&self) -> usize {
        self.inner.index.live()
    }

    fn commit_slot(&self, slot: u64) -> Result<(), StoreError> {
        Ok(self.inner.commit(slot)?)
    }

    fn committed_slot(&self) -> Option<u64> {
        self.inner.committed_slot()
    }
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<MmapAccountStore>();
    assert_send_sync::<AccountRef>();
};
