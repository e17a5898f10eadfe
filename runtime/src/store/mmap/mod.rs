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

use crate::store::{AccountStore, StoreError};
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
