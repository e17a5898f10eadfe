//! The scheduler's loop ([`execute_parallel`]): it spawns the workers,
//! admits transactions (blockhash and status-cache checks), runs scheduling
//! passes, sends batches, reads reports and sleeps on the [`Doorbell`];
//! placed inline, it also runs worker 0's queue a slice at a time.

use super::config::{SchedulerConfig, SchedulerPlacement};
use super::doorbell::Doorbell;
use super::error::SchedulerError;
use super::messages::{BatchReport, WorkBatch};
use super::outcome_slots::OutcomeSlots;
use super::policy::Scheduler;
use super::workers::{execute_one, worker_loop};
use super::{Entry, ParallelOutput, StageTimings};
use crate::bank::{Bank, TransactionOutcome, Worker};
use crate::cpu::{BatchStage, Charge};
use crate::ingest::sanitize::SanitizedTransaction;
use crate::transaction_context::ExecuteTimings;
use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use std::cmp::Reverse;
use std::time::Instant;

/// Transactions admitted (checked against the status cache and queued by
/// priority) between two scheduling passes: small enough that the workers'
/// queues are refilled while the status cache grows, large enough that the
/// checks take each lock once per slice.
const ADMIT_AT_ONCE: usize = 512;

/// Transactions the inline scheduler executes from its own queue before it
/// looks at completions and schedules again.
const INLINE_SLICE: usize = 16;

/// Run `transactions` (already sanitized and signature-verified) on `bank`
/// with a pool of `config.threads` workers. Blockhash and duplicate checks
/// happen here, in the scheduler, before a transaction is locked.
pub fn execute_parallel(
    bank: &Bank,
    transactions: &[SanitizedTransaction],
    config: &SchedulerConfig,
) -> Result<ParallelOutput, SchedulerError> {
    let threads = config.threads.clamp(1, super::account_locks::MAX_THREADS);
    let outcome_slots = OutcomeSlots::new(transactions.len());
    let outcomes = &outcome_slots;
    let mut timings = StageTimings { worker_busy_ns: vec![0; threads], ..StageTimings::default() };
    let mut entries = Vec::new();
    let mut failure: Option<SchedulerError> = None;

    let inline = config.placement == SchedulerPlacement::Inline;
    let doorbell = &Doorbell::default();
    // What every transaction's start and end time count from.
    let epoch = Instant::now();
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = unbounded::<BatchReport>();
        let (ring_tx, ring_rx) = bounded::<()>(1);
        let mut work_txs: Vec<Sender<WorkBatch>> = Vec::with_capacity(threads);
        let mut workers = Vec::with_capacity(threads);
        // Inline, worker 0 is this thread: its channel is never read.
        let first_spawned = usize::from(inline);
        for thread in 0..threads {
            if thread < first_spawned {
                work_txs.push(bounded::<WorkBatch>(1).0);
                continue;
            }
            let (work_tx, work_rx) =
                bounded::<WorkBatch>(config.max_queued_per_thread.max(1).div_ceil(config.batch_size.max(1)) + 2);
            work_txs.push(work_tx);
            let done_tx = done_tx.clone();
            let ring_tx = ring_tx.clone();
            workers.push(
                std::thread::Builder::new()
                    .name(format!("lanes-worker-{thread}"))
                    .stack_size(8 * 1024 * 1024)
                    .spawn_scoped(scope, move || {
                        let _charge = Charge::new(BatchStage::Execute);
                        worker_loop(thread, bank, transactions, outcomes, work_rx, done_tx, (ring_tx, doorbell), epoch)
                    })
                    .expect("spawning a worker thread"),
            );
        }
        drop((done_tx, ring_tx));

        let mut scheduler = Scheduler::new(threads, config, transactions);
        let mut own = inline.then(|| InlineWorker {
            worker: bank.take_worker(0).map_err(|e| e.to_string()),
            queue: std::collections::VecDeque::new(),
            timings: ExecuteTimings::default(),
            busy_ns: 0,
            epoch,
        });
        let reports = Reports { done: done_rx, ring: ring_rx, doorbell };
        let result = scheduler.run(bank, &work_txs, &reports, own.as_mut(), outcomes, &mut entries, &mut timings);
        if let Some(own) = own {
            if let Ok(worker) = own.worker {
                bank.return_worker(worker);
            }
            timings.worker_busy_ns[0] = own.busy_ns;
            timings.execution.accumulate(&own.timings);
        }
        drop(work_txs);
        for (thread, worker) in (first_spawned..threads).zip(workers) {
            match worker.join() {
                Ok((busy, execution)) => {
                    timings.worker_busy_ns[thread] = busy;
                    timings.execution.accumulate(&execution);
                }
                Err(_) => {
                    failure.get_or_insert(SchedulerError::WorkerThreadPanicked { thread });
                }
            }
        }
        if let Err(e) = result {
            failure.get_or_insert(e);
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    bank.add_timings(&timings.execution);
    let outcomes =
        outcome_slots.into_vec().map_err(|missing| SchedulerError::MissingOutcome { transaction: missing })?;
    Ok(ParallelOutput { outcomes, entries, timings })
}

/// What the scheduler reads workers' reports from.
struct Reports<'a> {
    done: Receiver<BatchReport>,
    /// The [`Doorbell`]'s other end: the scheduler sleeps here. Every
    /// worker holds a sender; all gone means every worker stopped.
    ring: Receiver<()>,
    doorbell: &'a Doorbell,
}

/// Worker 0 when the scheduler runs inline: its queue, in order.
struct InlineWorker {
    /// This thread's worker state, or why it has none (each transaction
    /// then fails the run with [`SchedulerError::NoExecutor`]).
    worker: Result<Worker, String>,
    queue: std::collections::VecDeque<usize>,
    timings: ExecuteTimings,
    busy_ns: u64,
    /// When the run began (what transaction times count from).
    epoch: Instant,
}

impl Scheduler<'_> {
    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        bank: &Bank,
        work: &[Sender<WorkBatch>],
        reports: &Reports,
        mut own: Option<&mut InlineWorker>,
        outcomes: &OutcomeSlots,
        entries: &mut Vec<Entry>,
        timings: &mut StageTimings,
    ) -> Result<(), SchedulerError> {
        let started = Instant::now();
        let mut admitted = 0usize;
        let mut checks = Vec::with_capacity(self.config.lookahead);
        let mut idle_ns = 0u64;
        let mut own_ns = 0u64;
        // Whether a pass could place anything new: after completions (locks
        // released), admissions, or when a queue runs low. Inline, passing
        // after every own slice re-examined the same blocked transactions
        // each time and starved the other workers.
        let mut worth_a_pass = true;
        let done = &reports.done;
        loop {
            while let Ok(batch) = done.try_recv() {
                self.complete(bank, batch, entries)?;
                worth_a_pass = true;
            }
            // Admission, a slice at a time (so workers start at once, and are
            // refilled between slices): the blockhash and duplicate checks,
            // then into the priority queue.
            if admitted < self.transactions.len() && self.pending.len() < self.config.lookahead {
                worth_a_pass = true;
                let end = (admitted + ADMIT_AT_ONCE.min(self.config.lookahead)).min(self.transactions.len());
                checks.clear();
                bank.check_and_reserve_batch(&self.transactions[admitted..end], &mut checks);
                for (index, check) in (admitted..end).zip(checks.drain(..)) {
                    let tx = &self.transactions[index];
                    match check {
                        Ok(()) => self.pending.push((tx.priority(), Reverse(index))),
                        Err(err) => {
                            outcomes.set(index, TransactionOutcome::refused(*tx.signature(), err));
                        }
                    }
                }
                admitted = end;
            }
            let own_runs_low = own.as_deref().is_some_and(|own| own.queue.len() <= self.config.batch_size);
            if worth_a_pass || own_runs_low || self.in_flight == 0 {
                let waits_for_locks = self.schedule_pass();
                reports.doorbell.set_prompt(waits_for_locks);
                self.flush(work, own.as_deref_mut())?;
                worth_a_pass = false;
            }
            if self.pending.is_empty() && self.in_flight == 0 && admitted == self.transactions.len() {
                break;
            }
            if self.in_flight == 0 {
                // Nothing running, so no lock is held: the next pass will
                // schedule the first pending transaction, or admit more.
                continue;
            }
            if let Some(own) = own.as_deref_mut().filter(|own| !own.queue.is_empty()) {
                // Inline: run a slice of worker 0's queue (cut short when a
                // worker about to run dry has reported, so it is refilled in
                // time), then report the slice like any worker would, and
                // schedule again.
                let ran = Instant::now();
                let mut slice = Vec::with_capacity(INLINE_SLICE);
                let mut results = Vec::with_capacity(INLINE_SLICE);
                while let Some(index) = own.queue.pop_front() {
                    results.push(execute_one(
                        0,
                        bank,
                        &mut own.worker,
                        self.transactions,
                        outcomes,
                        index,
                        &mut own.timings,
                        own.epoch,
                    ));
                    slice.push(index);
                    if slice.len() == INLINE_SLICE || (!done.is_empty() && self.a_worker_runs_dry()) {
                        break;
                    }
                }
                let ran_ns = ran.elapsed().as_nanos() as u64;
                own.busy_ns += ran_ns;
                own_ns += ran_ns;
                self.complete(bank, BatchReport { thread: 0, transactions: slice, results }, entries)?;
                continue;
            }
            // Nothing more can be scheduled until some work completes, or a
            // worker is about to run dry: sleep until one rings.
            if done.is_empty() {
                let waited = Instant::now();
                let rang = reports.ring.recv();
                idle_ns += waited.elapsed().as_nanos() as u64;
                if rang.is_err() && done.is_empty() {
                    return Err(SchedulerError::AllWorkersStopped);
                }
            }
        }
        debug_assert!(self.holds_no_locks(), "every lock is released when all work is done");
        timings.scheduler_idle_ns = idle_ns;
        timings.schedule_ns = (started.elapsed().as_nanos() as u64).saturating_sub(idle_ns + own_ns);
        Ok(())
    }

    fn flush(&mut self, work: &[Sender<WorkBatch>], mut own: Option<&mut InlineWorker>) -> Result<(), SchedulerError> {
        for (thread, batch) in self.batches.iter_mut().enumerate() {
            if thread == 0 {
                if let Some(own) = own.as_deref_mut() {
                    own.queue.extend(batch.drain(..));
                    continue;
                }
            }
            while !batch.is_empty() {
                let take = batch.len().min(self.config.batch_size.max(1));
                let rest = batch.split_off(take);
                let send = std::mem::replace(batch, rest);
                work[thread]
                    .send(WorkBatch { transactions: send })
                    .map_err(|_| SchedulerError::WorkerStopped { thread })?;
            }
        }
        Ok(())
    }
}
