//! [`Block`]: what one slot did, as the banking thread hands it to the
//! ledger and to subscribers once the slot is frozen — its blockhash and
//! state hash, every committed transaction in committed order with its
//! outcome and the worker that ran it, and the accounts it left written.
//!
//! Never: hold a refused transaction (it never happened), or change after
//! it is built (it is shared, read-only, between the ledger and PubSub).

use lanes_runtime::bank::TransactionOutcome;
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{Account, Pubkey};

/// The deterministic clock's time of `slot`: genesis plus 400 ms a slot,
/// whatever the node's real slot length is (a replay sees the same time).
pub fn block_time(genesis_unix_timestamp: i64, slot: u64) -> i64 {
    genesis_unix_timestamp + (slot as i64).saturating_mul(lanes_runtime::bank::MS_PER_SLOT) / 1000
}

/// One committed transaction of a block.
#[derive(Debug, Clone)]
pub struct BlockTransaction {
    pub transaction: Transaction,
    pub outcome: TransactionOutcome,
    /// The worker thread that executed it.
    pub worker: u32,
    /// When it started and ended on that worker, in nanoseconds since the
    /// slot's batch began executing.
    pub started_ns: u64,
    pub ended_ns: u64,
}

/// A frozen slot.
#[derive(Debug, Clone)]
pub struct Block {
    pub slot: u64,
    /// The slot before it (a single node skips none).
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
    /// Transactions committed since genesis, this slot's included.
    pub total_transactions: u64,
    /// Fees collected since genesis, this slot's included.
    pub total_fees: u64,
}
