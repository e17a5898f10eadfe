//! What became of recent transactions, by signature, for
//! `getSignatureStatuses` without a trip to the ledger: the slot and the
//! result, recorded when the slot is executed and frozen (`processed`;
//! `confirmed` once the node's frozen slot reaches it, forgotten if it
//! never becomes durable). Kept for the last [`STATUS_SLOTS`] slots, as
//! long as their blockhashes can be valid.

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

    /// Forget what `slot` executed (a slot that never became durable).
    pub fn forget_slot(&mut self, slot: u64) {
        if let Some(position) = self.slots.iter().position(|(s, _)| *s == slot) {
            if let Some((_, signatures)) = self.slots.remove(position) {
                for signature in signatures {
                    if self.by_signature.get(&signature).is_some_and(|r| r.slot == slot) {
                        self.by_signature.remove(&signature);
                    }
                }
            }
        }
    }

    pub fn get(&self, signature: &Signature) -> Option<&RecordedTransaction> {
        self.by_signature.get(signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(slots: &[(u64, &[u8])]) -> StatusLog {
        let mut log = StatusLog::default();
        for (slot, bytes) in slots {
            let signatures: Vec<Signature> = bytes.iter().map(|b| Signature([*b; 64])).collect();
            for signature in &signatures {
                log.by_signature.insert(*signature, RecordedTransaction { slot: *slot, result: Ok(()) });
            }
            log.slots.push_back((*slot, signatures));
        }
        log
    }

    #[test]
    fn a_slot_that_never_became_durable_is_forgotten_and_only_it() {
        let mut log = log_of(&[(5, &[1, 2]), (6, &[3]), (7, &[4])]);
        log.forget_slot(6);
        assert!(log.get(&Signature([3; 64])).is_none());
        for kept in [1, 2, 4] {
            assert!(log.get(&Signature([kept; 64])).is_some(), "{kept}");
        }
        assert_eq!(log.slots.iter().map(|(s, _)| *s).collect::<Vec<_>>(), vec![5, 7]);
        // A slot it never held: nothing changes.
        log.forget_slot(9);
        assert_eq!(log.slots.len(), 2);
    }
}
