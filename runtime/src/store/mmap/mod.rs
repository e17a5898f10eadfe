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
//! This file is the facade ([`MmapAccountStore`]); the parts: `config`
//! (settings, stats, in-place reads), `files` (the open files and their
//! table), `inner` (shared state, the read path), `write` (appending a
//! batch), `commit` (durability and the background threads), `recovery`
//! (open), `compaction` (rewriting files whose live share fell),
//! [`format`](mod@format) (bytes on disk), `index` (pubkey → record), `raw` (every
//! `unsafe` block), `backend` (files and mappings, behind a trait), [`sim`]
//! (a simulated disk for crash tests).
//!
//! Owns: the files under its directory (it holds an exclusive lock on
//! them), the index, the writers, the commit protocol.
//!
//! Concurrency: `store` calls from several threads append at once, each to
//! its own writer (a file with a single writer); a batch becomes readable as a
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
mod commit;
mod compaction;
mod config;
mod error;
mod files;
pub mod format;
mod index;
mod inner;
mod raw;
mod recovery;
pub mod sim;
mod write;

pub use compaction::CompactionReport;
pub use config::{AccountRef, StoreConfig, StoreStats};
pub use error::MmapStoreError;
pub use recovery::RecoveryReport;
pub use sim::{SimBackend, Tear};

use crate::store::{AccountStore, AccountView, StoreError};
use backend::{Backend, FsBackend, MetaFile};
use files::{read_record, thread_hint, FileEntry, FileTable, Files, PENDING, RETIRED, SEALED, WRITING};
use format::{
    data_file_name, parse_head, record_account, record_size_of, write_record, FileHeader, LedgerId, Manifest,
    RecordHead, FILE_HEADER_LEN, MANIFEST_SLOT_LEN, MAX_DATA_LEN, MAX_FILE_LEN, MAX_MANIFEST_FILES, RECORD_HEADER_LEN,
};
use index::{Index, Loc, Resolved, Upsert};
use inner::{random_u64, CommitState, CompactionCounters, Inner, Writer};
use lanes_sdk::{Account, Pubkey};
use parking_lot::{Condvar, Mutex, MutexGuard};
use raw::Appender;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

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

    fn scan_owned_by(&self, owner: &Pubkey, visit: &mut dyn FnMut(&Pubkey, AccountView<'_>) -> bool) {
        self.inner.scan_owned_by(owner, visit)
    }

    fn commit_slot(&self, slot: u64) -> Result<(), StoreError> {
        Ok(self.inner.commit(slot)?)
    }

    fn prepare_commit_slot(&self, slot: u64) -> Result<Box<dyn super::PreparedCommit>, StoreError> {
        let prepared = self.inner.prepare_commit(slot)?;
        Ok(Box::new(MmapPreparedCommit { inner: self.inner.clone(), prepared: Some(prepared) }))
    }

    fn committed_slot(&self) -> Option<u64> {
        self.inner.committed_slot()
    }
}

/// A commit record decided and not yet written; dropped unfinished, it
/// lets compaction run again and writes nothing.
struct MmapPreparedCommit {
    inner: Arc<Inner>,
    prepared: Option<commit::PreparedCommit>,
}

impl super::PreparedCommit for MmapPreparedCommit {
    fn finish(mut self: Box<Self>) -> Result<(), StoreError> {
        match self.prepared.take() {
            Some(prepared) => Ok(self.inner.finish_commit(prepared)?),
            None => Ok(()),
        }
    }
}

impl Drop for MmapPreparedCommit {
    fn drop(&mut self) {
        if let Some(prepared) = self.prepared.take() {
            self.inner.abandon_commit(prepared);
        }
    }
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<MmapAccountStore>();
    assert_send_sync::<AccountRef>();
};

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> StoreConfig {
        StoreConfig {
            file_capacity: 16 << 10,
            writers: 2,
            background: false,
            compact_below: 0.9,
            ledger_id: Some([3; 16]),
            ..StoreConfig::default()
        }
    }

    fn owned_by(store: &MmapAccountStore, owner: &Pubkey) -> Vec<(Pubkey, Account)> {
        let mut seen = Vec::new();
        store.scan_owned_by(owner, &mut |key, view| {
            assert_eq!(view.owner, *owner);
            seen.push((*key, view.to_account()));
            true
        });
        seen.sort_by_key(|(key, _)| *key);
        seen
    }

    /// Over many files, after overwrites, reassignments, deletions and a
    /// compaction that moved records: the newest live version of each key,
    /// as `accounts()` (the whole index) has it; a stop is obeyed.
    #[test]
    fn scan_owned_by_sees_the_newest_live_versions() {
        let store = MmapAccountStore::open_sim(&SimBackend::new(), config()).unwrap();
        let (program, other) = (Pubkey::new_unique_from_u64(9000), Pubkey::new_unique_from_u64(9001));
        let keys: Vec<Pubkey> = (0..400).map(Pubkey::new_unique_from_u64).collect();
        let version = |i: usize, lamports: u64, owner: &Pubkey| {
            let mut account = Account::new(lamports, 20 + i % 50, owner);
            account.data.iter_mut().for_each(|b| *b = lamports as u8);
            (keys[i], account)
        };
        for chunk in (0..400).collect::<Vec<_>>().chunks(40) {
            let batch: Vec<_> =
                chunk.iter().map(|&i| version(i, 1, if i % 3 == 0 { &other } else { &program })).collect();
            store.store(0, &batch).unwrap();
        }
        store.commit_slot(0).unwrap();
        // Slot 1 rewrites most keys (so the first files are mostly dead),
        // reassigns two ways and deletes one.
        let rewrite: Vec<_> = (5..400).filter(|i| i % 3 != 0).map(|i| version(i, 2, &program)).collect();
        store.store(1, &rewrite).unwrap();
        store.store(1, &[version(1, 77, &program), version(2, 5, &other), version(3, 6, &program)]).unwrap();
        store.store(1, &[version(4, 0, &program)]).unwrap();
        store.commit_slot(1).unwrap();
        let report = store.compact().unwrap().expect("the slot-0 files qualify");
        assert!(report.records_copied > 0, "{report:?}");
        store.store(2, &[version(7, 9, &program)]).unwrap(); // newest, not yet committed

        let seen = owned_by(&store, &program);
        let expected: Vec<_> = store.accounts().into_iter().filter(|(_, a)| a.owner == program).collect();
        assert_eq!(seen, expected);
        assert_eq!(seen.len(), 400 * 2 / 3 - 2 + 1, "2 and 4 left the program, 3 joined");
        let find = |i: usize| seen.iter().find(|(k, _)| *k == keys[i]).map(|(_, a)| a.clone());
        assert_eq!(find(1), Some(version(1, 77, &program).1));
        assert_eq!(find(7), Some(version(7, 9, &program).1), "stored, not yet committed: as `get` reads it");
        assert_eq!((find(2), find(4)), (None, None));
        assert_eq!(owned_by(&store, &other).len(), 400 / 3 + 1 - 1 + 1, "0, 3, 6, … less 3, plus 2");

        let mut visits = 0;
        store.scan_owned_by(&program, &mut |_, _| {
            visits += 1;
            visits < 10
        });
        assert_eq!(visits, 10);
        store.scan_owned_by(&Pubkey::new_unique_from_u64(9002), &mut |_, _| panic!("nothing is owned by it"));
        assert_eq!(store.poisoned(), None);
    }

    /// Scans beside a writer that keeps storing, committing and compacting
    /// (files created and deleted under the scan): each scan sees every
    /// key once, in a version that was stored, and never poisons the store.
    #[test]
    fn scans_run_beside_writes_and_compaction() {
        let store = Arc::new(MmapAccountStore::open_sim(&SimBackend::new(), config()).unwrap());
        let program = Pubkey::new_unique_from_u64(9000);
        let keys: Vec<Pubkey> = (0..200).map(Pubkey::new_unique_from_u64).collect();
        let version = move |key: &Pubkey, round: u64| {
            let mut account = Account::new(round + 1, 64, &program);
            account.data[..8].copy_from_slice(&round.to_le_bytes());
            account.data[8..40].copy_from_slice(&key.0);
            (*key, account)
        };
        store.store(0, &keys.iter().map(|k| version(k, 0)).collect::<Vec<_>>()).unwrap();
        store.commit_slot(0).unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let writer = {
            let (store, keys, done) = (store.clone(), keys.clone(), done.clone());
            std::thread::spawn(move || {
                for round in 1..60u64 {
                    for chunk in keys.chunks(25) {
                        store.store(round, &chunk.iter().map(|k| version(k, round)).collect::<Vec<_>>()).unwrap();
                    }
                    store.commit_slot(round).unwrap();
                    store.compact().unwrap();
                }
                done.store(true, Ordering::Release);
            })
        };
        let mut scans = 0;
        while !done.load(Ordering::Acquire) || scans < 3 {
            let mut seen = std::collections::HashSet::new();
            store.scan_owned_by(&program, &mut |key, view| {
                assert!(seen.insert(*key), "{key} seen twice");
                let round = u64::from_le_bytes(view.data[..8].try_into().unwrap());
                assert_eq!((view.lamports, &view.data[8..40]), (round + 1, &key.0[..]), "a version that was stored");
                true
            });
            assert_eq!(seen.len(), keys.len());
            scans += 1;
        }
        writer.join().unwrap();
        assert_eq!(store.poisoned(), None);
        assert!(store.stats().compaction.files > 0, "compaction ran under the scans");
    }
}
