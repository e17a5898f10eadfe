//! What became of recent transactions, by signature, for
//! `getSignatureStatuses` (and, later, the ledger's index): the slot, the
//! result, the fee, the logs, the compute units. Kept for the last
//! [`STATUS_SLOTS`] slots, as long as their blockhashes can be valid.

use lanes_runtime::bank::TransactionOutcome;
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
    pub fee: u64,
    pub logs: Vec<String>,
    pub compute_units: u64,
}

#[derive(Default)]
pub(crate) struct StatusLog {
    by_signature: HashMap<Signature, RecordedTransaction>,
    /// Signatures per slot, oldest first, to forget them in order.
    slots: VecDeque<(u64, Vec<Signature>)>,
}

impl StatusLog {
    /// Record what `slot` committed (refused transactions are not recorded:
    /// they never happened).
    pub fn record_slot(&mut self, slot: u64, outcomes: &[TransactionOutcome]) {
        let mut signatures = Vec::with_capacity(outcomes.len());
        for outcome in outcomes.iter().filter(|o| o.committed) {
            signatures.push(outcome.signature);
            self.by_signature.insert(
                outcome.signature,
                RecordedTransaction {
                    slot,
                    result: outcome.result.clone(),
                    fee: outcome.fee,
                    logs: outcome.log_messages(),
                    compute_units: outcome.compute_units_consumed,
                },
            );
        }
        self.slots.push_back((slot, signatures));
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
