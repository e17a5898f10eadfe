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
use crate::ingest::sanitize::{sanitize_all, Refused, SanitizedTransaction};
use crate::ingest::sigverify::verify_all;
use crate::schedule::{execute_parallel, Entry, SchedulerConfig, SchedulerError, StageTimings};
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::transaction_error::TransactionError;
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
    T: Into<VersionedTransaction> + Default + Send,
{
    let total = transactions.len();
    let started = Instant::now();
    let batch = sanitize_all(transactions, config.ingest_threads, bank);
    let mut refused: Vec<Refused> = batch.refused;
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
                    let signature = *tx.signature();
                    refused.push(Refused { index, signature, error: TransactionError::SignatureFailure });
                }
            }
            sanitized = kept;
            input_index = Some(kept_indices);
        }
    }
    let sigverify_ns = started.elapsed().as_nanos() as u64;

    let output = execute_parallel(bank, &sanitized, &config.scheduler)?;
    drop_in_parallel(sanitized, config.ingest_threads);
    let timings = BatchTimings { sanitize_ns, sigverify_ns, schedule: output.timings };
    let Some(input_index) = input_index else {
        // Nothing refused before scheduling: the indices are the input's.
        return Ok(BatchOutput { outcomes: output.outcomes, entries: output.entries, timings });
    };
    let mut outcomes: Vec<Option<TransactionOutcome>> = (0..total).map(|_| None).collect();
    for Refused { index, signature, error } in refused {
        outcomes[index] = Some(TransactionOutcome::refused(signature, error));
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

/// Free a batch's transactions on `threads` threads, each its own part.
///
/// A transaction owns several small allocations; freeing a hundred thousand
/// of them takes tens of milliseconds, and on one thread that is time every
/// other core sits idle at the end of the batch (docs/decisions.md, "Freeing
/// a batch").
fn drop_in_parallel<T: Send>(mut items: Vec<T>, threads: usize) {
    /// The vector's elements, for the threads that drop them.
    struct Elements<T>(*mut T);
    // SAFETY: each thread drops a disjoint range of the elements, which are `Send`.
    unsafe impl<T: Send> Send for Elements<T> {}
    /// Fewer than this many per thread are freed on the calling thread alone.
    const MIN_PART: usize = 4096;

    let len = items.len();
    let threads = threads.min(len / MIN_PART).max(1);
    if threads == 1 {
        return drop(items);
    }
    let part = len.div_ceil(threads);
    let elements = items.as_mut_ptr();
    // SAFETY: the vector forgets its elements before any is dropped, so each
    // is dropped exactly once, below, by the one thread given its range; the
    // vector then frees only its buffer. (Were a drop to panic, the rest of
    // its range would leak, which is safe.)
    unsafe { items.set_len(0) };
    std::thread::scope(|scope| {
        for start in (0..len).step_by(part) {
            let range = Elements(elements);
            let count = part.min(len - start);
            std::thread::Builder::new()
                .name("lanes-free".into())
                .spawn_scoped(scope, move || {
                    let range = range;
                    // SAFETY: `start..start + count` lies within the `len`
                    // initialized elements, and no other thread touches it.
                    unsafe { std::ptr::drop_in_place(std::ptr::slice_from_raw_parts_mut(range.0.add(start), count)) }
                })
                .expect("spawning a thread to free transactions");
        }
    });
}

/// The input indices in `0..total` that are not among `refused` (sorted).
fn passed_indices(total: usize, refused: &[Refused]) -> Vec<usize> {
    let mut refused = refused.iter().map(|refused| refused.index).peekable();
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    use std::sync::Arc;

    /// Counts its drops, and owns an allocation like a transaction does.
    struct Counted(Arc<AtomicUsize>, #[allow(dead_code)] Vec<u8>);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Relaxed);
        }
    }

    #[test]
    fn drop_in_parallel_drops_every_element_once() {
        for (len, threads) in [(0, 4), (10, 4), (4096 * 2, 2), (10_001, 3), (50_000, 8), (9_000, 1)] {
            let drops = Arc::new(AtomicUsize::new(0));
            let items: Vec<Counted> = (0..len).map(|i| Counted(drops.clone(), vec![0; i % 7])).collect();
            drop_in_parallel(items, threads);
            assert_eq!(drops.load(Relaxed), len, "{len} elements on {threads} threads");
        }
    }
}
