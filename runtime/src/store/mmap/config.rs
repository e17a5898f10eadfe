//! What a caller sets ([`StoreConfig`]) and reads ([`StoreStats`],
//! [`AccountRef`]: an account read in place) of the memory-mapped store.

use super::files::FileEntry;
use super::format::{LedgerId, RecordHead, RECORD_HEADER_LEN};
use super::CompactionReport;
use lanes_sdk::{Account, Pubkey};
use std::sync::Arc;

/// How the store lays out and maintains its files.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Size of each data file (bytes reserved on disk when it is created).
    /// A batch larger than this gets a file of its own size.
    pub file_capacity: usize,
    /// Files appended to at once: concurrent `store` calls take different
    /// writers and never wait for each other.
    pub writers: usize,
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
            writers: crate::available_cores().clamp(1, 16),
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
    pub(super) file: Arc<FileEntry>,
    pub(super) offset: usize,
    pub(super) head: RecordHead,
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
