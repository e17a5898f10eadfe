//! [`Block`]: what one slot did, as the banking thread hands it to the
//! ledger and to subscribers once the slot is frozen — its blockhash and
//! state hash, every committed transaction (legacy or v0) in committed order
//! with its outcome (a v0 message's loaded addresses among it, as resolved
//! when it ran) and the worker that ran it, and the accounts it left written.
//!
//! Never: hold a refused transaction (it never happened), or change after
//! it is built (it is shared, read-only, between the ledger and PubSub).

use super::ledger::ControlRecord;
use lanes_runtime::bank::TransactionOutcome;
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::{Account, Pubkey};

/// The deterministic clock's time of `slot` before any `lanesSetClock`:
/// genesis plus 400 ms a slot, whatever the node's real slot length is (a
/// replay sees the same time). A block's time is its bank's clock, which a
/// clock control moves (and the ledger records).
pub fn block_time(genesis_unix_timestamp: i64, slot: u64) -> i64 {
    genesis_unix_timestamp + (slot as i64).saturating_mul(lanes_runtime::bank::MS_PER_SLOT) / 1000
}

/// One committed transaction of a block.
#[derive(Debug, Clone)]
pub struct BlockTransaction {
    pub transaction: VersionedTransaction,
    /// What it did, with `loaded_addresses`: what its lookups resolved to
    /// in this slot (tables change later; this is the record).
    pub outcome: TransactionOutcome,
    /// The worker thread that executed it.
    pub worker: u32,
    /// When it started and ended on that worker, in nanoseconds since the
    /// slot's batch began executing.
    pub started_ns: u64,
    pub ended_ns: u64,
}

impl BlockTransaction {
    /// Every account key in index order: static, then (v0) loaded
    /// writable, then loaded read-only.
    pub fn account_keys(&self) -> impl Iterator<Item = &Pubkey> + '_ {
        let loaded = &self.outcome.loaded_addresses;
        self.transaction.message.static_account_keys().iter().chain(&loaded.writable).chain(&loaded.readonly)
    }
}

/// A frozen slot.
#[derive(Debug, Clone)]
pub struct Block {
    pub slot: u64,
    /// The slot before it: the one before, unless a warp skipped slots.
    pub parent_slot: u64,
    /// The blockhash transactions of this slot were offered as the newest.
    pub blockhash: Hash,
    pub previous_blockhash: Hash,
    /// The slot's state hash: the accounts it wrote (the bank's slot hash).
    pub state_hash: Hash,
    pub block_time: i64,
    /// Committed transactions, in committed order.
    pub transactions: Vec<BlockTransaction>,
    /// Each account the slot wrote, as the slot left it (zero lamports:
    /// deleted), in key order.
    pub written_accounts: Vec<(Pubkey, Account)>,
    /// The state controls this slot applied, in order (account and clock
    /// controls at its start, a warp at its end): recorded in the ledger
    /// with it, applied again by a replay.
    pub controls: Vec<ControlRecord>,
    /// Transactions committed since genesis, this slot's included.
    pub total_transactions: u64,
    /// Fees collected since genesis, this slot's included.
    pub total_fees: u64,
}
