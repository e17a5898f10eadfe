//! The one entry point for a batch of transactions:
//!
//! ```text
//! transactions ──► ingest::sanitize (all cores) ──► ingest::sigverify (all cores)
//!              ──► schedule::execute_parallel (locks, workers, commit)
//!              ──► one outcome per input transaction, and the committed order
//! ```
//!
//! [`execute_batch`] is what the in-process benchmark and the validator's
//! banking stage call for each batch of a slot. It never finishes the slot:
//! the caller makes the slot durable ([`Bank::commit_slot`]) and moves to the
//! next ([`Bank::advance_slot`]) at its own boundaries.

use crate::bank::{Bank, TransactionOutcome};
use crate::ingest::sanitize::{sanitize_all, SanitizedTransaction};
use crate::ingest::sigverify::verify_all;
use crate::schedule::{execute_parallel, Entry, SchedulerConfig, SchedulerError, StageTimings};
use lanes_sdk::transaction::{Transaction, VersionedTransaction};
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::Signature;
use std::time::Instant;

/// How a batch is run.
#[derive(Debug, Clone)]
pub struct BatchConfig {
    /// The worker pool and scheduler.
    pub scheduler: SchedulerConfig,
    /// Check every signature (strict ed25519) before scheduling. Off only
    /// for transactions whose signatures were already checked.
    pub verify_signatures: bool,
    /// Threads that sanitize and verify (all cores by default).
    pub ingest_threads: usize,
}

impl BatchConfig {
    /// `threads` workers, signatures verified, ingest on every core.
    pub fn with_threads(threads: usize) -> Self {
        BatchConfig {
            scheduler: SchedulerConfig::with_threads(threads),
            verify_signatures: true,
            ingest_threads: crate::available_cores(),
        }
    }
}

/// Where a batch's time went.
#[derive(Debug, Clone, Default)]
pub struct BatchTimings {
    pub sanitize_ns: u64,
    pub sigverify_ns: u64,
    /// Scheduling, execution and commit (the scheduler's and workers' view).
    pub schedule: StageTimings,
}

/// What a batch produced.
#[derive(Debug)]
pub struct BatchOutput {
    /// One outcome per input transaction, in input order: refused at
    /// sanitizing, at the signature check or by the bank's checks (not
    /// committed), or executed and committed.
    pub outcomes: Vec<TransactionOutcome>,
    /// The committed order, as runs of input indices per worker: replaying
    /// them one after another gives the same state.
    pub entries: Vec<Entry>,
    pub timings: BatchTimings,
}

impl BatchOutput {
    /// The input indices in committed order.
    pub fn committed_order(&self) -> impl Iterator<Item = usize> + '_ {
        self.entries.iter().flat_map(|e| e.transactions.iter().copied())
    }
}

/// Sanitize, verify, schedule, execute and commit `transactions` on `bank`.
/// `Err` only for a fault of this node (a store that cannot write, a worker
/// that died); anything wrong with a transaction is its outcome.
/// Transactions may be legacy ([`lanes_sdk::transaction::Transaction`]) or
/// of any version ([`VersionedTransaction`]); a v0 message's lookups are
/// resolved against `bank`'s tables as of its current slot.
pub fn execute_batch<T>(bank: &Bank, transactions: Vec<T>, config: &BatchConfig) -> Result<BatchOutput, SchedulerError>
where
    T: Into<VersionedTransaction> + Default + Send + HasSignature,
{
    let total = transactions.len();
    let signatures: Vec<_> = transactions.iter().map(|tx| tx.first_signature().copied().unwrap_or_default()).collect();
    let mut refused: Vec<(usize, TransactionError)> = Vec::new();

    let started = Instant::now();
    let batch = sanitize_all(transactions, config.ingest_threads, bank);
    refused.extend(batch.refused);
    // Input index of each sanitized transaction (only while some were refused).
    let mut input_index: Option<Vec<usize>> = (!refused.is_empty()).then(|| passed_indices(total, &refused));
    let mut sanitized: Vec<SanitizedTransaction> = batch.transactions;
    let sanitize_ns = started.elapsed().as_nanos() as u64;

    let started = Instant::now();
    if config.verify_signatures {
        let verified = verify_all(&sanitized, config.ingest_threads);
        if verified.iter().any(|ok| !ok) {
            let indices = input_index.take().unwrap_or_else(|| (0..sanitized.len()).collect());
            let mut kept_indices = Vec::with_capacity(indices.len());
            let mut kept = Vec::with_capacity(sanitized.len());
            for ((tx, ok), index) in sanitized.into_iter().zip(verified).zip(indices) {
                if ok {
                    kept.push(tx);
                    kept_indices.push(index);
                } else {
                    refused.push((index, TransactionError::SignatureFailure));
                }
            }
            sanitized = kept;
            input_index = Some(kept_indices);
        }
    }
    let sigverify_ns = started.elapsed().as_nanos() as u64;

    let output = execute_parallel(bank, &sanitized, &config.scheduler)?;
    let timings = BatchTimings { sanitize_ns, sigverify_ns, schedule: output.timings };
    let Some(input_index) = input_index else {
        // Nothing refused before scheduling: the indices are the input's.
        return Ok(BatchOutput { outcomes: output.outcomes, entries: output.entries, timings });
    };
    let mut outcomes: Vec<Option<TransactionOutcome>> = (0..total).map(|_| None).collect();
    for (index, err) in refused {
        outcomes[index] = Some(TransactionOutcome::refused(signatures[index], err));
    }
    for (outcome, &index) in output.outcomes.into_iter().zip(&input_index) {
        outcomes[index] = Some(outcome);
    }
    let entries = output
        .entries
        .into_iter()
        .map(|entry| Entry {
            transactions: entry.transactions.iter().map(|&i| input_index[i]).collect(),
            thread: entry.thread,
            times: entry.times,
        })
        .collect();
    let outcomes = outcomes
        .into_iter()
        .enumerate()
        .map(|(index, outcome)| outcome.ok_or(SchedulerError::MissingOutcome { transaction: index }));
    Ok(BatchOutput { outcomes: outcomes.collect::<Result<_, _>>()?, entries, timings })
}

/// A transaction's id before it is sanitized: its first signature, if any.
pub trait HasSignature {
    fn first_signature(&self) -> Option<&Signature>;
}

impl HasSignature for Transaction {
    fn first_signature(&self) -> Option<&Signature> {
        self.signature()
    }
}

impl HasSignature for VersionedTransaction {
    fn first_signature(&self) -> Option<&Signature> {
        self.signature()
    }
}

/// The input indices in `0..total` that are not among `refused` (sorted).
fn passed_indices(total: usize, refused: &[(usize, TransactionError)]) -> Vec<usize> {
    let mut refused = refused.iter().map(|(index, _)| *index).peekable();
    (0..total)
        .filter(|index| {
            if refused.peek() == Some(index) {
                refused.next();
                false
            } else {
                true
            }
        })
        .collect()
}
