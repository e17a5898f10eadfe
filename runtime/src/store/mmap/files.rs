//! The store's open files: each [`FileEntry`] (its mapping, live bytes,
//! durable and committed lengths, state), the copy-on-write [`FileTable`]
//! of them behind per-reader-shard locks ([`Files`]), and reading one record
//! back with its checks.

use super::backend::DataFile;
use super::format::{parse_head, verify_record, RecordHead, RECORD_HEADER_LEN};
use super::index::Loc;
use super::MmapStoreError;
use crossbeam_utils::CachePadded;
use parking_lot::{Mutex, RwLock, RwLockReadGuard};
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;

// File states.
pub(super) const WRITING: u8 = 0;
pub(super) const SEALED: u8 = 1;
/// A compaction output not yet named by a commit record.
pub(super) const PENDING: u8 = 2;
/// Removed from the commit record by a compaction; about to be deleted.
pub(super) const RETIRED: u8 = 3;

pub(crate) struct FileEntry {
    pub(super) id: u64,
    pub(super) slot: u32,
    pub(super) name: String,
    pub(super) path: PathBuf,
    pub(super) data: Box<dyn DataFile>,
    /// Bytes of records that are their key's newest.
    pub(super) live_bytes: AtomicU64,
    /// Durable prefix; held while syncing.
    pub(super) synced: Mutex<usize>,
    /// Length named by the newest commit record (0: not named).
    pub(super) committed_len: AtomicUsize,
    pub(super) state: AtomicU8,
}

impl FileEntry {
    /// A file in table slot `slot`, durable up to `synced` bytes and named
    /// by the newest commit record up to `committed_len` (0: not named).
    pub(super) fn new(
        (id, slot): (u64, u32),
        (name, path): (String, PathBuf),
        data: Box<dyn DataFile>,
        (synced, committed_len): (usize, usize),
        state: u8,
    ) -> FileEntry {
        FileEntry {
            id,
            slot,
            name,
            path,
            data,
            live_bytes: AtomicU64::new(0),
            synced: Mutex::new(synced),
            committed_len: AtomicUsize::new(committed_len),
            state: AtomicU8::new(state),
        }
    }

    pub(super) fn readable(&self) -> usize {
        self.data.region().readable()
    }

    pub(super) fn state(&self) -> u8 {
        self.state.load(Ordering::Acquire)
    }
}

#[derive(Default, Clone)]
pub(super) struct FileTable {
    pub(super) slots: Vec<Option<Arc<FileEntry>>>,
    pub(super) free: Vec<u32>,
}

impl FileTable {
    pub(super) fn get(&self, slot: u32) -> Option<&Arc<FileEntry>> {
        self.slots.get(slot as usize).and_then(Option::as_ref)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Arc<FileEntry>> {
        self.slots.iter().flatten()
    }

    pub(super) fn insert(&mut self, make: impl FnOnce(u32) -> FileEntry) -> Option<Arc<FileEntry>> {
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

    pub(super) fn remove(&mut self, slot: u32) {
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
pub(super) struct Files {
    pub(super) shards: Box<[CachePadded<RwLock<Arc<FileTable>>>]>,
    pub(super) updating: Mutex<()>,
}

impl Files {
    pub(super) fn new(table: FileTable) -> Files {
        let table = Arc::new(table);
        let n = crate::available_cores().clamp(2, 16);
        Files {
            shards: (0..n).map(|_| CachePadded::new(RwLock::new(table.clone()))).collect(),
            updating: Mutex::new(()),
        }
    }

    /// The table, through this thread's shard. Never take a second one (or
    /// update) while holding it: a waiting update would block it.
    pub(super) fn read(&self) -> RwLockReadGuard<'_, Arc<FileTable>> {
        self.shards[thread_hint() % self.shards.len()].read()
    }

    pub(super) fn update<R>(&self, change: impl FnOnce(&mut FileTable) -> R) -> R {
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

thread_local! {
    static THREAD_HINT: Cell<usize> = const { Cell::new(usize::MAX) };
}
static NEXT_THREAD_HINT: AtomicUsize = AtomicUsize::new(0);

/// A small number for this thread (0, 1, 2, … in order of first use): which
/// writer and which file-table shard it tries first.
pub(super) fn thread_hint() -> usize {
    THREAD_HINT.with(|h| {
        if h.get() == usize::MAX {
            h.set(NEXT_THREAD_HINT.fetch_add(1, Ordering::Relaxed));
        }
        h.get()
    })
}

/// The record at `off` in `file`, which must end at or before `end`, with
/// its checksum checked if `verify`.
pub(super) fn read_record(
    file: &FileEntry,
    off: usize,
    end: usize,
    verify: bool,
) -> Result<(RecordHead, &[u8]), MmapStoreError> {
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
