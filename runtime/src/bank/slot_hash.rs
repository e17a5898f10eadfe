//! The slot's hash: which accounts the slot wrote ([`SlotDelta`]) and, when
//! the slot is finished, SHA-256 over the slot number and each written
//! account's key and [`account_hash`], in key order. Workers only append
//! keys on the hot path; sorting and hashing happen once, at the slot's end.

use super::Bank;
use crossbeam_utils::CachePadded;
use lanes_sdk::hash::{hashv, Hash};
use lanes_sdk::{Account, Pubkey};
use parking_lot::Mutex;

/// Shards of the per-slot set of written accounts.
const DELTA_SHARDS: usize = 32;
/// Shard length (32 MiB of keys) from which repeated keys are dropped: a
/// slot that rewrites the same accounts for long keeps memory bounded.
const COMPACT_DELTA_AT: usize = 1 << 20;
/// Finished slots whose hashes are kept (Solana's `SlotHashes` holds 512).
pub const MAX_SLOT_HASHES: usize = 512;

/// The hash of one account's state, as the slot hash covers it (zero for a
/// deleted account).
pub fn account_hash(key: &Pubkey, account: &Account) -> Hash {
    if account.lamports == 0 {
        return Hash::default();
    }
    hashv(&[
        &account.lamports.to_le_bytes(),
        &account.owner.0,
        &[account.executable as u8],
        &(account.data.len() as u64).to_le_bytes(),
        &account.data,
        &key.0,
    ])
}

/// Accounts written in the current slot, as appended: a key may repeat.
/// One shard per worker (by index), so workers append without sharing a
/// lock or hashing.
pub(super) struct SlotDelta {
    shards: Vec<CachePadded<Mutex<DeltaShard>>>,
}

/// Keys one group of threads wrote in the current slot.
#[derive(Default)]
struct DeltaShard {
    keys: Vec<Pubkey>,
    /// Length after the last compaction (sort and dedup).
    compacted_len: usize,
}

impl Default for SlotDelta {
    fn default() -> Self {
        SlotDelta { shards: (0..DELTA_SHARDS).map(|_| CachePadded::new(Mutex::new(DeltaShard::default()))).collect() }
    }
}

impl SlotDelta {
    /// Note that worker `worker_index` wrote `keys` in this slot.
    pub fn mark_written<'k>(&self, worker_index: usize, keys: impl IntoIterator<Item = &'k Pubkey>) {
        let mut shard = self.shards[worker_index % DELTA_SHARDS].lock();
        shard.keys.extend(keys);
        if shard.keys.len() >= COMPACT_DELTA_AT.max(4 * shard.compacted_len) {
            // Amortized: the next compaction waits for the length to grow
            // fourfold past what this one keeps.
            shard.keys.sort_unstable();
            shard.keys.dedup();
            shard.compacted_len = shard.keys.len();
        }
    }

    /// Every key written in this slot, sorted, once each.
    fn keys(&self) -> Vec<Pubkey> {
        let mut keys: Vec<Pubkey> = self.shards.iter().flat_map(|shard| shard.lock().keys.clone()).collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Forget every key (the slot is finished).
    fn clear(&self) {
        for shard in &self.shards {
            *shard.lock() = DeltaShard::default();
        }
    }
}

impl Bank {
    /// The hash of the accounts changed so far in this slot: SHA-256 over the
    /// slot number and (key, [`account_hash`] of its current state) of each
    /// written account, in key order.
    pub fn slot_delta_hash(&self) -> Hash {
        self.slot_written_accounts_and_hash().1
    }

    /// Each account written so far in this slot, in key order, as it is now
    /// (a deleted one with zero lamports): what the slot changed.
    pub fn slot_written_accounts(&self) -> Vec<(Pubkey, Account)> {
        self.slot_written_accounts_and_hash().0
    }

    /// [`Bank::slot_written_accounts`] and [`Bank::slot_delta_hash`] from
    /// one read of the written accounts.
    pub fn slot_written_accounts_and_hash(&self) -> (Vec<(Pubkey, Account)>, Hash) {
        let written: Vec<(Pubkey, Account)> =
            self.slot_delta.keys().into_iter().map(|key| (key, self.store.get(&key).unwrap_or_default())).collect();
        let hashes: Vec<Hash> = written.iter().map(|(key, account)| account_hash(key, account)).collect();
        let slot = self.slot.to_le_bytes();
        let mut parts: Vec<&[u8]> = Vec::with_capacity(written.len() * 2 + 1);
        parts.push(&slot);
        for ((key, _), hash) in written.iter().zip(&hashes) {
            parts.push(&key.0);
            parts.push(&hash.0);
        }
        let hash = hashv(&parts);
        (written, hash)
    }

    /// Hashes of the newest finished slots (at most [`MAX_SLOT_HASHES`]), oldest first.
    pub fn slot_hashes(&self) -> Vec<(u64, Hash)> {
        self.slot_hashes.lock().iter().copied().collect()
    }

    /// Finish the current slot (recording its hash) and move to the next,
    /// with a new blockhash. Returns the finished slot's hash.
    pub fn advance_slot(&mut self) -> Hash {
        self.warp_to_slot(self.slot + 1)
    }

    /// Finish the current slot and jump to `slot` (later than now) with one
    /// new blockhash. Returns the finished slot's hash.
    pub fn warp_to_slot(&mut self, slot: u64) -> Hash {
        let hash = self.slot_delta_hash();
        let mut hashes = self.slot_hashes.lock();
        hashes.push_back((self.slot, hash));
        if hashes.len() > MAX_SLOT_HASHES {
            hashes.pop_front();
        }
        drop(hashes);
        self.slot_delta.clear();
        self.lookup_tables.clear();
        self.slot = slot.max(self.slot + 1);
        self.register_blockhash();
        hash
    }
}
