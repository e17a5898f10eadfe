//! A worker: executes and commits the batches the scheduler sends it, in
//! order, puts each outcome in its slot, and reports each batch (ringing the
//! [`Doorbell`] when the scheduler is needed). A worker commits a batch
//! before it reports it.

use super::doorbell::Doorbell;
use super::error::SchedulerError;
use super::messages::{BatchReport, Executed, WorkBatch};
use super::outcome_slots::OutcomeSlots;
use crate::bank::{Bank, Worker};
use crate::ingest::sanitize::SanitizedTransaction;
use crate::transaction_context::ExecuteTimings;
use crossbeam_channel::{Receiver, Sender};
use std::time::Instant;

#[allow(clippy::too_many_arguments)]
pub(super) fn worker_loop(
    thread: usize,
    bank: &Bank,
    transactions: &[SanitizedTransaction],
    outcomes: &OutcomeSlots,
    work: Receiver<WorkBatch>,
    done: Sender<BatchReport>,
    (ring, doorbell): (Sender<()>, &Doorbell),
    epoch: Instant,
) -> (u64, ExecuteTimings) {
    let mut timings = ExecuteTimings::default();
    let mut busy_ns = 0u64;
    let mut worker = bank.take_worker(thread).map_err(|e| e.to_string());
    for WorkBatch { transactions: batch } in work.iter() {
        let started = Instant::now();
        let results: Vec<Result<Executed, SchedulerError>> = batch
            .iter()
            .map(|&index| execute_one(thread, bank, &mut worker, transactions, outcomes, index, &mut timings, epoch))
            .collect();
        busy_ns += started.elapsed().as_nanos() as u64;
        if done.send(BatchReport { thread, transactions: batch, results }).is_err() {
            break;
        }
        doorbell.reported(&ring, work.len());
    }
    if let Ok(worker) = worker {
        bank.return_worker(worker);
    }
    (busy_ns, timings)
}

/// Execute and commit one transaction on this thread, and put its outcome
/// in its slot. `epoch` is when the run began (what its times count from).
#[allow(clippy::too_many_arguments)]
pub(super) fn execute_one(
    thread: usize,
    bank: &Bank,
    worker: &mut Result<Worker, String>,
    transactions: &[SanitizedTransaction],
    outcomes: &OutcomeSlots,
    index: usize,
    timings: &mut ExecuteTimings,
    epoch: Instant,
) -> Result<Executed, SchedulerError> {
    let tx_started = Instant::now();
    // Execution never panics on outside input; if it ever does, the
    // scheduler must hear of it rather than wait forever.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match worker {
        Ok(worker) => {
            bank.execute_and_commit_uncounted(worker, &transactions[index], timings).map_err(SchedulerError::from)
        }
        Err(reason) => Err(SchedulerError::NoExecutor { thread, reason: reason.clone() }),
    }))
    .unwrap_or(Err(SchedulerError::WorkerPanicked { thread, transaction: index }));
    let started_ns = tx_started.saturating_duration_since(epoch).as_nanos() as u64;
    let ended_ns = epoch.elapsed().as_nanos() as u64;
    let ran = outcome.and_then(|outcome| {
        let ran = Executed { committed: outcome.committed, fee: outcome.fee, started_ns, ended_ns };
        if outcomes.set(index, outcome) {
            Ok(ran)
        } else {
            Err(SchedulerError::ExecutedTwice { transaction: index })
        }
    });
    timings.total_ns += tx_started.elapsed().as_nanos() as u64;
    ran
}
