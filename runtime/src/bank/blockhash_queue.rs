//! [`BlockhashQueue`]: the recent blockhashes a transaction may reference,
//! newest last, each valid for [`MAX_BLOCKHASH_AGE`] slots.

use lanes_sdk::hash::{hashv, Hash};
use parking_lot::{RwLock, RwLockReadGuard};
use std::collections::VecDeque;

/// A blockhash is accepted for this many slots after it was made.
pub const MAX_BLOCKHASH_AGE: usize = 150;

/// The recent blockhashes, newest last; never empty.
pub(super) struct BlockhashQueue {
    hashes: RwLock<VecDeque<Hash>>,
}

impl BlockhashQueue {
    /// A queue holding only `genesis`.
    pub fn new(genesis: Hash) -> Self {
        BlockhashQueue { hashes: RwLock::new(VecDeque::from([genesis])) }
    }

    /// The newest blockhash: what new transactions should reference.
    pub fn latest(&self) -> Hash {
        *self.hashes.read().back().expect("the queue always holds the genesis hash or newer")
    }

    /// The valid blockhashes, held still while the guard lives (a blockhash
    /// checked through it stays valid until the guard is dropped).
    pub fn valid(&self) -> RwLockReadGuard<'_, VecDeque<Hash>> {
        self.hashes.read()
    }

    /// Replace the queue with `hashes` (oldest first; the newest
    /// [`MAX_BLOCKHASH_AGE`] kept). Nothing if `hashes` is empty.
    pub fn restore(&self, hashes: &[Hash]) {
        if hashes.is_empty() {
            return;
        }
        let keep = &hashes[hashes.len().saturating_sub(MAX_BLOCKHASH_AGE)..];
        *self.hashes.write() = keep.iter().copied().collect();
    }

    /// Make a new blockhash for `slot` (derived from the previous one) and
    /// return those that expired.
    pub fn register(&self, slot: u64) -> Vec<Hash> {
        let mut queue = self.hashes.write();
        let latest = *queue.back().expect("never empty");
        let next = hashv(&[&latest.0, &slot.to_le_bytes(), &(queue.len() as u64).to_le_bytes()]);
        queue.push_back(next);
        let expired = queue.len().saturating_sub(MAX_BLOCKHASH_AGE);
        queue.drain(..expired).collect()
    }
}
