//! The store's error type: every failure names the file (and, for damaged
//! bytes, the offset) it concerns.
//!
//! Owns: [`MmapStoreError`] and its conversion to the account-store
//! boundary's [`StoreError`]. Must never lose the file or offset on the way.

use super::format::{ledger_hex, Defect, LedgerId, FORMAT_VERSION};
use crate::store::StoreError;
use std::io;
use std::path::{Path, PathBuf};

/// Why the memory-mapped store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum MmapStoreError {
    /// A system call failed.
    #[error("{path}: {what}: {source}")]
    Io {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: io::Error,
    },
    /// Bytes on disk are damaged or inconsistent.
    #[error("{path}, offset {offset}: {reason}")]
    Corrupt { path: PathBuf, offset: u64, reason: String },
    /// A file of another format version.
    #[error("{path}: on-disk format version {found} is not supported (this build reads version {})", FORMAT_VERSION)]
    Version { path: PathBuf, found: u32 },
    /// A file of another ledger (or a store opened with the wrong ledger id).
    #[error("{path} belongs to ledger {}, not to ledger {}", ledger_hex(found), ledger_hex(expected))]
    WrongLedger { path: PathBuf, found: LedgerId, expected: LedgerId },
    /// Another handle (in this or another process) has the store open.
    #[error("{path}: the account store is already open elsewhere")]
    Locked { path: PathBuf },
    /// The call breaks the store's contract (slot order, sizes).
    #[error("account store: {0}")]
    Rejected(String),
    /// An earlier I/O failure left the in-memory state unknown to be durable:
    /// the store refuses writes until it is reopened.
    #[error("account store stopped after an earlier failure; reopen it to recover the last committed slot: {0}")]
    Poisoned(String),
}

impl MmapStoreError {
    pub(crate) fn io(path: &Path, what: &'static str, source: io::Error) -> Self {
        MmapStoreError::Io { path: path.to_path_buf(), what, source }
    }

    pub(crate) fn corrupt(path: &Path, offset: u64, reason: impl Into<String>) -> Self {
        MmapStoreError::Corrupt { path: path.to_path_buf(), offset, reason: reason.into() }
    }

    /// A decoding defect of the structure starting at `base` in `path`.
    pub(crate) fn defect(path: &Path, base: u64, defect: Defect) -> Self {
        match defect {
            Defect::Version { found } => MmapStoreError::Version { path: path.to_path_buf(), found },
            Defect::Bad { at, what } => MmapStoreError::corrupt(path, base + at as u64, what),
        }
    }

    /// Whether the error is a full disk (nothing was changed).
    pub fn is_disk_full(&self) -> bool {
        matches!(self, MmapStoreError::Io { source, .. } if source.raw_os_error() == Some(28) || source.kind() == io::ErrorKind::StorageFull)
    }
}

impl From<MmapStoreError> for StoreError {
    fn from(e: MmapStoreError) -> StoreError {
        let message = e.to_string();
        match e {
            MmapStoreError::Io { source, .. } => StoreError::Io(io::Error::new(source.kind(), message)),
            MmapStoreError::Corrupt { .. } | MmapStoreError::Version { .. } | MmapStoreError::WrongLedger { .. } => {
                StoreError::Corrupt(message)
            }
            MmapStoreError::Locked { .. } => StoreError::Io(io::Error::new(io::ErrorKind::WouldBlock, message)),
            MmapStoreError::Rejected(_) => StoreError::Io(io::Error::new(io::ErrorKind::InvalidInput, message)),
            MmapStoreError::Poisoned(_) => StoreError::Io(io::Error::other(message)),
        }
    }
}
