//! The node's memory of what recent transactions did to their accounts:
//! each write-locked account's state (lamports, owner, executable, data)
//! before and after, for the newest `--account-history` durable
//! transactions — what the explorer's transaction view and
//! `lanesProfileTransaction` show for a landed signature. The ledger keeps
//! balances only; this is the rest, in memory.
//!
//! Filled by the ledger stage as each slot becomes durable, from the
//! outcomes the bank produced with `BankConfig::record_account_changes`.
//!
//! Never: grow past its bounds (transactions and bytes: the oldest go
//! first), or claim to know a transaction it has forgotten (the answer is
//! then "not kept", never a guess). It does not survive a restart.

use super::block::Block;
use lanes_runtime::bank::AccountChange;
use lanes_sdk::Signature;
use std::collections::{HashMap, VecDeque};

/// `--account-history` by default: transactions whose account changes are kept.
pub const DEFAULT_ACCOUNT_HISTORY: usize = 100_000;
/// Most bytes of account data kept, whatever the count.
pub const MAX_ACCOUNT_HISTORY_BYTES: usize = 256 * 1024 * 1024;
/// Bytes counted for one account change besides its data.
const CHANGE_OVERHEAD_BYTES: usize = 2 * 96;

/// Recent transactions' account changes, by signature, oldest evicted first.
#[derive(Debug, Default)]
pub struct AccountHistory {
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    order: VecDeque<Signature>,
    changes: HashMap<Signature, Vec<AccountChange>>,
}

impl AccountHistory {
    /// Keeps at most `capacity` transactions (0: none) and `max_bytes`.
    pub fn new(capacity: usize, max_bytes: usize) -> Self {
        AccountHistory { capacity, max_bytes, ..Default::default() }
    }

    /// Whether anything is kept at all.
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// Take the account changes out of `block`'s transactions and keep them.
    pub fn record_block(&mut self, block: &mut Block) {
        for tx in &mut block.transactions {
            let changes = std::mem::take(&mut tx.outcome.account_changes);
            if let (true, Some(signature)) = (self.enabled(), tx.transaction.signatures.first()) {
                self.record(*signature, changes);
            }
        }
    }

    fn record(&mut self, signature: Signature, changes: Vec<AccountChange>) {
        if changes.is_empty() {
            return;
        }
        self.bytes += size_of_changes(&changes);
        if let Some(previous) = self.changes.insert(signature, changes) {
            // A signature lands once; should it come again, the newer record wins.
            self.bytes -= size_of_changes(&previous);
        } else {
            self.order.push_back(signature);
        }
        while self.order.len() > self.capacity || (self.bytes > self.max_bytes && self.order.len() > 1) {
            let Some(oldest) = self.order.pop_front() else { break };
            if let Some(gone) = self.changes.remove(&oldest) {
                self.bytes -= size_of_changes(&gone);
            }
        }
    }

    /// What `signature` did to its write-locked accounts, if still kept.
    pub fn get(&self, signature: &Signature) -> Option<&[AccountChange]> {
        self.changes.get(signature).map(Vec::as_slice)
    }

    /// Transactions kept now.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

fn size_of_changes(changes: &[AccountChange]) -> usize {
    changes.iter().map(|c| c.before.data.len() + c.after.data.len() + CHANGE_OVERHEAD_BYTES).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_sdk::{Account, Pubkey};

    fn change(data_len: usize) -> Vec<AccountChange> {
        let account = Account::new(1, data_len, &Pubkey::default());
        vec![AccountChange { key: Pubkey::new_unique_from_u64(1), before: account.clone(), after: account }]
    }

    #[test]
    fn the_oldest_go_first_by_count_and_by_bytes() {
        let mut history = AccountHistory::new(3, usize::MAX);
        for n in 0..5u8 {
            history.record(Signature([n; 64]), change(10));
        }
        assert_eq!(history.len(), 3);
        assert!(history.get(&Signature([1; 64])).is_none());
        assert!(history.get(&Signature([4; 64])).is_some());

        let one = size_of_changes(&change(100));
        let mut history = AccountHistory::new(100, 2 * one);
        for n in 0..4u8 {
            history.record(Signature([n; 64]), change(100));
        }
        assert_eq!(history.len(), 2);
        assert!(history.bytes <= 2 * one);
        // One record larger than the whole bound is still kept, alone.
        history.record(Signature([9; 64]), change(10_000));
        assert_eq!(history.len(), 1);
        assert!(history.get(&Signature([9; 64])).is_some());

        let mut off = AccountHistory::new(0, usize::MAX);
        off.record(Signature([1; 64]), change(1));
        assert!(off.is_empty());
    }
}
