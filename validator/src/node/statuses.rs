//! What became of recent transactions, by signature, for
//! `getSignatureStatuses` without a trip to the ledger: the slot and the
//! result. Kept for the last
//! [`STATUS_SLOTS`] slots, as long as their blockhashes can be valid.

use super::block::Block;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::Signature;
use std::collections::{HashMap, VecDeque};

/// Slots whose statuses are kept (a blockhash lives 150 slots).
pub const STATUS_SLOTS: usize = 300;

/// One executed transaction.
#[derive(Debug, Clone)]
pub struct RecordedTransaction {
    pub slot: u64,
    pub result: Result<(), TransactionError>,
}

#[derive(Default)]
pub(crate) struct StatusLog {
    by_signature: HashMap<Signature, RecordedTransaction>,
    /// Signatures per slot, oldest first, to forget them in order.
    slots: VecDeque<(u64, Vec<Signature>)>,
}

impl StatusLog {
    /// Record what `block` committed.
    pub fn record_block(&mut self, block: &Block) {
        let mut signatures = Vec::with_capacity(block.transactions.len());
        for executed in &block.transactions {
            let outcome = &executed.outcome;
            signatures.push(outcome.signature);
            self.by_signature
                .insert(outcome.signature, RecordedTransaction { slot: block.slot, result: outcome.result.clone() });
        }
        self.slots.push_back((block.slot, signatures));
        while self.slots.len() > STATUS_SLOTS {
            if let Some((_, old)) = self.slots.pop_front() {
                for signature in old {
                    self.by_signature.remove(&signature);
                }
            }
        }
    }

    pub fn get(&self, signature: &Signature) -> Option<&RecordedTransaction> {
        self.by_signature.get(signature)
    }
}
