//! The parallel engine: a priority-ordered, thread-aware lock scheduler
//! dispatching transactions to a pool of workers that execute and commit
//! them, so that transactions that do not conflict run at the same time and
//! the result equals running the committed order one by one.
//!
//! ## How it schedules (and why)
//!
//! Pending transactions wait in a priority queue (fee per compute unit, then
//! arrival). Each pass takes them in that order and asks the
//! [`ThreadAwareAccountLocks`] which worker could run each one *now*:
//!
//! * if it touches nothing locked, any worker (the least loaded is chosen);
//! * if it conflicts only with work queued on one worker, that worker — it is
//!   queued behind that work, and runs after it in order (this is what keeps
//!   chains of conflicting transactions on one worker instead of waiting);
//! * if it conflicts with work on two workers, or with the accounts of a
//!   transaction already waiting in this pass, it is *blocked*: it stays
//!   pending, and its accounts are reserved for the rest of the pass, so that
//!   no lower-priority transaction can jump ahead of it on them. The accounts
//!   then drain and it runs: a hot account makes steady progress, nothing
//!   starves, and conflicting transactions of equal priority run in arrival
//!   order.
//!
//! This is Agave's greedy scheduler with thread-aware locks, plus the
//! reservation rule that gives prio-graph's guarantee (no transaction is
//! overtaken on its accounts by a lower-priority one) without building the
//! graph: the graph's cost is per edge, ours per account touched.
//!
//! ## Why the result is serial
//!
//! A worker executes its queue in order and commits each transaction to the
//! store before reporting the batch done; locks are released only when the
//! scheduler reads that report. A transaction that conflicts with another
//! on a different worker cannot be scheduled until that report is read, so
//! the order in which batches are reported (the *entries*) is a serial order
//! consistent with every read and write. [`ParallelOutput::entries`] records
//! it; replaying the entries on one thread gives the same state.
//!
//! The scheduler is the only owner of the lock table, and never
//! busy-waits: when nothing can be scheduled it sleeps until a worker rings
//! (workers queue their reports without waking it, and ring when their own
//! queue is about to run dry, or at once while a transaction waits for
//! locks held on two workers: see [`Doorbell`]).
//!
//! It runs on a thread of its own while the machine has a core to spare
//! ([`SchedulerPlacement::Dedicated`]); otherwise on worker 0's thread
//! ([`SchedulerPlacement::Inline`]), where it executes worker 0's queue a
//! slice at a time between passes and reports each slice exactly as a
//! worker reports a batch, so the serial-order argument above is unchanged.

pub mod account_locks;

use crate::bank::{Bank, BankError, TransactionOutcome};
use crate::execution::invoke_context::ExecuteTimings;
use crate::ingest::sanitize::SanitizedTransaction;
use crate::schedule::account_locks::{KeySet, ThreadAwareAccountLocks, ThreadSet};
use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

/// How many blocked transactions in a row end a scheduling pass.
const MAX_BLOCKED_IN_A_ROW: usize = 256;

/// Settings of the parallel engine.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// Worker threads executing transactions.
    pub threads: usize,
    /// Transactions handed to a worker in one message.
    pub batch_size: usize,
    /// Most transactions queued on one worker at once.
    pub max_queued_per_thread: usize,
    /// Most pending transactions one scheduling pass looks at.
    pub lookahead: usize,
    /// Where the scheduler runs: on its own thread beside the workers, or
    /// on worker 0's thread, executing that worker's queue between passes.
    pub placement: SchedulerPlacement,
}

/// Where the scheduler runs (see [`SchedulerConfig::placement`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchedulerPlacement {
    /// A thread of its own: best while the machine has a core to spare.
    Dedicated,
    /// On worker 0's thread: `threads` threads in all. On a machine with no
    /// spare core a separate scheduler thread would take its CPU from the
    /// workers anyway, and wake-ups between three threads on two cores
    /// leave cores idle.
    Inline,
}

impl SchedulerPlacement {
    /// Dedicated while `threads` workers leave a core free, else inline.
    pub fn for_machine(threads: usize) -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        if threads < cores {
            SchedulerPlacement::Dedicated
        } else {
            SchedulerPlacement::Inline
        }
    }
}

impl SchedulerConfig {
    /// Defaults for `threads` workers, the scheduler placed for this machine.
    pub fn with_threads(threads: usize) -> Self {
        SchedulerConfig {
            threads,
            batch_size: 64,
            max_queued_per_thread: 256,
            lookahead: 4096,
            placement: SchedulerPlacement::for_machine(threads),
        }
    }
}

/// Transactions admitted (checked against the status cache and queued by
/// priority) between two scheduling passes: admitting a whole lookahead at
/// once took 1-2 ms while the status cache grew, and the workers' queues ran
/// dry meanwhile.
const ADMIT_AT_ONCE: usize = 512;

/// Transactions the inline scheduler executes from its own queue before it
/// looks at completions and schedules again.
const INLINE_SLICE: usize = 16;

/// A run of transactions one worker executed, in its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Indices into the input, in execution order.
    pub transactions: Vec<usize>,
    /// The worker that ran them.
    pub thread: usize,
}

/// Where the scheduler's and workers' time went, in nanoseconds.
#[derive(Debug, Clone, Default)]
pub struct StageTimings {
    /// The scheduler: queueing, lock checks, dispatch, completion handling
    /// (inline, its own executions are not counted here).
    pub schedule_ns: u64,
    /// The scheduler thread waiting for completions.
    pub scheduler_idle_ns: u64,
    /// Per worker: time spent executing and committing.
    pub worker_busy_ns: Vec<u64>,
    /// Everything the workers' executions recorded.
    pub execution: ExecuteTimings,
}

/// What a parallel run produced.
#[derive(Debug)]
pub struct ParallelOutput {
    /// One outcome per input transaction, in input order.
    pub outcomes: Vec<TransactionOutcome>,
    /// The committed order: replaying these entries' transactions one after
    /// another gives the same state.
    pub entries: Vec<Entry>,
    pub timings: StageTimings,
}

impl ParallelOutput {
    /// The input indices in committed order.
    pub fn committed_order(&self) -> impl Iterator<Item = usize> + '_ {
        self.entries.iter().flat_map(|e| e.transactions.iter().copied())
    }
}

struct Work {
    transactions: Vec<usize>,
}

/// One outcome per input transaction, written by the thread that ran it.
///
/// Workers put outcomes straight into their place: an outcome is ~190
/// bytes, and sending each through the completion channel and moving it
/// again on the scheduler's thread was a good part of the scheduler's time
/// (it also wrote nothing up front: zeroing tens of megabytes of slots was
/// ~9 ms of page faults before the first transaction ran).
struct OutcomeSlots {
    slots: Box<[std::cell::UnsafeCell<std::mem::MaybeUninit<TransactionOutcome>>]>,
    /// Set by the one write a slot gets; read when the run is over.
    filled: Box<[std::sync::atomic::AtomicBool]>,
}

// SAFETY: a slot is written only by the `set` that flipped its `filled`
// flag (so by one thread, once) and read only through `into_vec` or
// `drop`, which own the slots (every writer has finished by then); an
// outcome may cross threads that way because it is `Send` (checked below).
unsafe impl Sync for OutcomeSlots {}
const _: () = {
    const fn outcomes_may_cross_threads<T: Send>() {}
    outcomes_may_cross_threads::<TransactionOutcome>();
};

impl OutcomeSlots {
    fn new(len: usize) -> Self {
        use std::sync::atomic::AtomicBool;
        OutcomeSlots {
            slots: (0..len).map(|_| std::cell::UnsafeCell::new(std::mem::MaybeUninit::uninit())).collect(),
            filled: (0..len).map(|_| AtomicBool::new(false)).collect(),
        }
    }

    /// Store the outcome of transaction `index`. `false` (and the outcome
    /// dropped) if it already had one: the scheduler ran it twice.
    fn set(&self, index: usize, outcome: TransactionOutcome) -> bool {
        if self.filled[index].swap(true, std::sync::atomic::Ordering::AcqRel) {
            return false;
        }
        // SAFETY: this call flipped the flag, so no other write to this slot
        // happens, and nothing reads it before the run is over.
        unsafe { (*self.slots[index].get()).write(outcome) };
        true
    }

    /// Every outcome in input order, or the first index that has none.
    fn into_vec(mut self) -> Result<Vec<TransactionOutcome>, usize> {
        if let Some(missing) = self.filled.iter().position(|filled| !filled.load(std::sync::atomic::Ordering::Acquire))
        {
            return Err(missing);
        }
        self.filled = Box::new([]); // the outcomes move out below: nothing left to drop
        let slots = std::mem::take(&mut self.slots);
        let len = slots.len();
        let ptr = Box::into_raw(slots).cast::<TransactionOutcome>();
        // SAFETY: every slot holds an outcome (checked above), and
        // `UnsafeCell<MaybeUninit<T>>` has the layout of `T`: the boxed
        // slice's allocation is a valid `Vec<T>` of `len` elements and
        // capacity.
        Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
    }
}

impl Drop for OutcomeSlots {
    fn drop(&mut self) {
        for (slot, filled) in self.slots.iter_mut().zip(self.filled.iter()) {
            if filled.load(std::sync::atomic::Ordering::Acquire) {
                // SAFETY: the flag says the slot holds an outcome.
                unsafe { slot.get_mut().assume_init_drop() };
            }
        }
    }
}

/// What a worker tells the scheduler about a transaction it ran (its
/// outcome is already in the [`OutcomeSlots`]).
#[derive(Debug, Clone, Copy)]
struct Ran {
    committed: bool,
    fee: u64,
}

struct Done {
    thread: usize,
    transactions: Vec<usize>,
    results: Vec<Result<Ran, String>>,
}

/// How workers wake a sleeping scheduler.
///
/// A report sent while the scheduler sleeps on the report channel wakes it,
/// and a wake-up across cores costs the sender a system call and the
/// receiver a context switch (~15 µs a batch on the 2-vCPU machine: 6 % of
/// a one-worker run). So the scheduler sleeps on this bell instead, and a
/// worker that has queued a report rings only when the scheduler is needed
/// soon: its own queue holds at most one more batch, or the scheduler has
/// said a transaction waits for locks (`prompt`). Every worker with work
/// eventually finishes its last batch and rings, so a sleeping scheduler
/// always wakes while work is outstanding.
#[derive(Default)]
struct Doorbell {
    prompt: std::sync::atomic::AtomicBool,
}

impl Doorbell {
    /// A worker with `queued` batches still waiting in its channel has just
    /// queued a report: ring on `ring` if the scheduler is needed soon.
    fn reported(&self, ring: &Sender<()>, queued: usize) {
        if queued <= 1 || self.prompt.load(std::sync::atomic::Ordering::Relaxed) {
            // Full means a ring is already pending: the scheduler will look.
            let _ = ring.try_send(());
        }
    }

    /// Whether reports should ring at once (written only when it changes:
    /// every worker reads it after every batch).
    fn set_prompt(&self, prompt: bool) {
        use std::sync::atomic::Ordering::Relaxed;
        if self.prompt.load(Relaxed) != prompt {
            self.prompt.store(prompt, Relaxed);
        }
    }
}

/// Run `transactions` (already sanitized and signature-verified) on `bank`
/// with a pool of `config.threads` workers. Blockhash and duplicate checks
/// happen here, in the scheduler, before a transaction is locked.
pub fn execute_parallel(
    bank: &Bank,
    transactions: &[SanitizedTransaction],
    config: &SchedulerConfig,
) -> Result<ParallelOutput, BankError> {
    let threads = config.threads.clamp(1, crate::schedule::account_locks::MAX_THREADS);
    let outcome_slots = OutcomeSlots::new(transactions.len());
    let outcomes = &outcome_slots;
    let mut timings = StageTimings { worker_busy_ns: vec![0; threads], ..StageTimings::default() };
    let mut entries = Vec::new();
    let mut store_error: Option<String> = None;

    let inline = config.placement == SchedulerPlacement::Inline;
    let doorbell = &Doorbell::default();
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = unbounded::<Done>();
        let (ring_tx, ring_rx) = bounded::<()>(1);
        let mut work_txs: Vec<Sender<Work>> = Vec::with_capacity(threads);
        let mut workers = Vec::with_capacity(threads);
        // Inline, worker 0 is this thread: its channel is never read.
        let first_spawned = usize::from(inline);
        for thread in 0..threads {
            if thread < first_spawned {
                work_txs.push(bounded::<Work>(1).0);
                continue;
            }
            let (work_tx, work_rx) =
                bounded::<Work>(config.max_queued_per_thread.max(1).div_ceil(config.batch_size.max(1)) + 2);
            work_txs.push(work_tx);
            let done_tx = done_tx.clone();
            let ring_tx = ring_tx.clone();
            workers.push(
                std::thread::Builder::new()
                    .name(format!("lanes-worker-{thread}"))
                    .stack_size(8 * 1024 * 1024)
                    .spawn_scoped(scope, move || {
                        worker_loop(thread, bank, transactions, outcomes, work_rx, done_tx, (ring_tx, doorbell))
                    })
                    .expect("spawning a worker thread"),
            );
        }
        drop((done_tx, ring_tx));

        let mut scheduler = Scheduler::new(threads, config, transactions);
        let mut own = inline.then(|| OwnWorker {
            executor: bank.worker_executor(0).map_err(|e| e.to_string()),
            queue: std::collections::VecDeque::new(),
            timings: ExecuteTimings::default(),
            busy_ns: 0,
        });
        let reports = Reports { done: done_rx, ring: ring_rx, doorbell };
        let result = scheduler.run(bank, &work_txs, &reports, own.as_mut(), outcomes, &mut entries, &mut timings);
        if let Some(own) = own {
            timings.worker_busy_ns[0] = own.busy_ns;
            timings.execution.accumulate(&own.timings);
        }
        drop(work_txs);
        for worker in workers {
            match worker.join() {
                Ok((thread, busy, execution)) => {
                    timings.worker_busy_ns[thread] = busy;
                    timings.execution.accumulate(&execution);
                }
                Err(_) => {
                    store_error.get_or_insert_with(|| "a worker thread panicked".into());
                }
            }
        }
        if let Err(e) = result {
            store_error.get_or_insert(e);
        }
    });
    if let Some(e) = store_error {
        return Err(BankError::Store(crate::store::StoreError::Corrupt(e)));
    }
    bank.add_timings(&timings.execution);
    let outcomes = outcome_slots.into_vec().map_err(|missing| {
        BankError::Store(crate::store::StoreError::Corrupt(format!("transaction {missing} got no outcome")))
    })?;
    Ok(ParallelOutput { outcomes, entries, timings })
}

fn worker_loop(
    thread: usize,
    bank: &Bank,
    transactions: &[SanitizedTransaction],
    outcomes: &OutcomeSlots,
    work: Receiver<Work>,
    done: Sender<Done>,
    (ring, doorbell): (Sender<()>, &Doorbell),
) -> (usize, u64, ExecuteTimings) {
    let mut timings = ExecuteTimings::default();
    let mut busy_ns = 0u64;
    let executor = bank.worker_executor(thread).map_err(|e| e.to_string());
    for Work { transactions: batch } in work.iter() {
        let started = Instant::now();
        let results: Vec<Result<Ran, String>> = batch
            .iter()
            .map(|&index| execute_one(thread, bank, &executor, transactions, outcomes, index, &mut timings))
            .collect();
        busy_ns += started.elapsed().as_nanos() as u64;
        if done.send(Done { thread, transactions: batch, results }).is_err() {
            break;
        }
        doorbell.reported(&ring, work.len());
    }
    (thread, busy_ns, timings)
}

/// Execute and commit one transaction on this thread, and put its outcome
/// in its slot.
fn execute_one(
    thread: usize,
    bank: &Bank,
    executor: &Result<std::sync::Arc<crate::vm::Executor>, String>,
    transactions: &[SanitizedTransaction],
    outcomes: &OutcomeSlots,
    index: usize,
    timings: &mut ExecuteTimings,
) -> Result<Ran, String> {
    let tx_started = Instant::now();
    // Execution never panics on outside input; if it ever does, the
    // scheduler must hear of it rather than wait forever.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match executor {
        Ok(executor) => bank.execute_and_store(executor, &transactions[index], timings).map_err(|e| e.to_string()),
        Err(e) => Err(format!("worker {thread} has no executor: {e}")),
    }))
    .unwrap_or_else(|_| Err(format!("worker {thread} panicked executing transaction {index}")));
    let ran = outcome.and_then(|outcome| {
        let ran = Ran { committed: outcome.committed, fee: outcome.fee };
        if outcomes.set(index, outcome) {
            Ok(ran)
        } else {
            Err(format!("transaction {index} was executed twice"))
        }
    });
    timings.total_ns += tx_started.elapsed().as_nanos() as u64;
    ran
}

/// What the scheduler reads workers' reports from.
struct Reports<'a> {
    done: Receiver<Done>,
    /// The [`Doorbell`]'s other end: the scheduler sleeps here. Every
    /// worker holds a sender; all gone means every worker stopped.
    ring: Receiver<()>,
    doorbell: &'a Doorbell,
}

/// Worker 0 when the scheduler runs inline: its queue, in order.
struct OwnWorker {
    executor: Result<std::sync::Arc<crate::vm::Executor>, String>,
    queue: std::collections::VecDeque<usize>,
    timings: ExecuteTimings,
    busy_ns: u64,
}

struct Scheduler<'a> {
    transactions: &'a [SanitizedTransaction],
    config: SchedulerConfig,
    threads: usize,
    locks: ThreadAwareAccountLocks,
    /// (priority, earliest arrival first)
    pending: BinaryHeap<(u64, Reverse<usize>)>,
    queued: Vec<usize>,
    batches: Vec<Vec<usize>>,
    in_flight: usize,
}

impl<'a> Scheduler<'a> {
    fn new(threads: usize, config: &SchedulerConfig, transactions: &'a [SanitizedTransaction]) -> Self {
        // Zero in any of these would leave nothing schedulable and the loop spinning.
        let config = SchedulerConfig {
            threads,
            batch_size: config.batch_size.max(1),
            max_queued_per_thread: config.max_queued_per_thread.max(1),
            lookahead: config.lookahead.max(1),
            placement: config.placement,
        };
        Scheduler {
            transactions,
            config,
            threads,
            locks: ThreadAwareAccountLocks::new(threads),
            pending: BinaryHeap::with_capacity(transactions.len()),
            queued: vec![0; threads],
            batches: vec![Vec::new(); threads],
            in_flight: 0,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        bank: &Bank,
        work: &[Sender<Work>],
        reports: &Reports,
        mut own: Option<&mut OwnWorker>,
        outcomes: &OutcomeSlots,
        entries: &mut Vec<Entry>,
        timings: &mut StageTimings,
    ) -> Result<(), String> {
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
                        &own.executor,
                        self.transactions,
                        outcomes,
                        index,
                        &mut own.timings,
                    ));
                    slice.push(index);
                    if slice.len() == INLINE_SLICE || (!done.is_empty() && self.a_worker_runs_dry()) {
                        break;
                    }
                }
                let ran_ns = ran.elapsed().as_nanos() as u64;
                own.busy_ns += ran_ns;
                own_ns += ran_ns;
                self.complete(bank, Done { thread: 0, transactions: slice, results }, entries)?;
                continue;
            }
            // Nothing more can be scheduled until some work completes, or a
            // worker is about to run dry: sleep until one rings.
            if done.is_empty() {
                let waited = Instant::now();
                let rang = reports.ring.recv();
                idle_ns += waited.elapsed().as_nanos() as u64;
                if rang.is_err() && done.is_empty() {
                    return Err("every worker stopped with work outstanding".to_string());
                }
            }
        }
        debug_assert!(self.locks.is_empty(), "every lock is released when all work is done");
        timings.scheduler_idle_ns = idle_ns;
        timings.schedule_ns = (started.elapsed().as_nanos() as u64).saturating_sub(idle_ns + own_ns);
        Ok(())
    }

    fn complete(&mut self, bank: &Bank, done: Done, entries: &mut Vec<Entry>) -> Result<(), String> {
        let mut committed = Vec::with_capacity(done.transactions.len());
        let mut fees = 0u64;
        for (&index, ran) in done.transactions.iter().zip(done.results) {
            let tx = &self.transactions[index];
            self.locks.unlock(done.thread, tx.writable_keys(), tx.readonly_keys());
            let ran = ran?;
            if ran.committed {
                committed.push(index);
                fees += ran.fee;
            }
        }
        self.queued[done.thread] -= done.transactions.len();
        self.in_flight -= done.transactions.len();
        bank.record_committed(committed.len() as u64, fees);
        if !committed.is_empty() {
            entries.push(Entry { transactions: committed, thread: done.thread });
        }
        Ok(())
    }

    /// Of the `allowed` workers with room, the one with the shortest queue.
    /// Inline, where worker 0 is also the scheduler, ties go to the other
    /// workers (so a hot account's chain, which starts on an idle worker and
    /// stays where it started, leaves the scheduler free).
    fn least_loaded_with_room(&self, allowed: ThreadSet) -> Option<usize> {
        let inline = self.config.placement == SchedulerPlacement::Inline;
        let mut best: Option<(usize, usize)> = None; // (rank, thread)
        for thread in allowed.iter().take_while(|t| *t < self.threads) {
            if !self.has_room(thread) {
                continue;
            }
            // Queue length first; inline, worker 0 loses ties.
            let rank = self.queued[thread] * 2 + usize::from(inline && thread == 0);
            if best.is_none_or(|(best_rank, _)| rank < best_rank) {
                best = Some((rank, thread));
            }
        }
        best.map(|(_, thread)| thread)
    }

    /// Whether a spawned worker has at most one batch left to run.
    fn a_worker_runs_dry(&self) -> bool {
        self.queued[1..].iter().any(|q| *q <= self.config.batch_size)
    }

    fn has_room(&self, thread: usize) -> bool {
        self.queued[thread] < self.config.max_queued_per_thread
    }

    /// Place what can be placed now; `true` if a transaction was left
    /// waiting for locks held on two workers (not just for room in a
    /// worker's queue).
    fn schedule_pass(&mut self) -> bool {
        let mut blocked: Vec<(u64, Reverse<usize>)> = Vec::new();
        let mut reserved_write = KeySet::default();
        let mut reserved_read = KeySet::default();
        let mut examined = 0;
        let mut blocked_in_a_row = 0;
        let mut waits_for_locks = false;
        while examined < self.config.lookahead {
            if (0..self.threads).all(|t| !self.has_room(t)) {
                break;
            }
            // A long run of blocked transactions means the queue is one
            // conflict chain (a hot account): stop looking, and let the next
            // completion start a fresh pass, instead of re-examining
            // thousands of transactions per completed batch.
            if blocked_in_a_row >= MAX_BLOCKED_IN_A_ROW {
                break;
            }
            let Some(item) = self.pending.pop() else { break };
            examined += 1;
            blocked_in_a_row += 1;
            let tx = &self.transactions[item.1 .0];
            let behind_reserved = tx.writable_keys().any(|k| reserved_write.contains(k) || reserved_read.contains(k))
                || tx.readonly_keys().any(|k| reserved_write.contains(k));
            if behind_reserved {
                // Waiting behind an earlier transaction: it reserves its own
                // accounts too, so nothing later overtakes it either.
                reserved_write.extend(tx.writable_keys().copied());
                reserved_read.extend(tx.readonly_keys().copied());
                blocked.push(item);
                continue;
            }
            let allowed = self.locks.schedulable_threads(tx.writable_keys(), tx.readonly_keys());
            let Some(thread) = self.least_loaded_with_room(allowed) else {
                // Conflicts on two workers, or its worker is full: wait, and
                // keep lower-priority work off its accounts meanwhile.
                waits_for_locks |= allowed.is_empty();
                reserved_write.extend(tx.writable_keys().copied());
                reserved_read.extend(tx.readonly_keys().copied());
                blocked.push(item);
                continue;
            };
            self.locks.lock(thread, tx.writable_keys(), tx.readonly_keys());
            blocked_in_a_row = 0;
            self.batches[thread].push(item.1 .0);
            self.queued[thread] += 1;
            self.in_flight += 1;
        }
        self.pending.extend(blocked);
        waits_for_locks
    }

    fn flush(&mut self, work: &[Sender<Work>], mut own: Option<&mut OwnWorker>) -> Result<(), String> {
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
                work[thread].send(Work { transactions: send }).map_err(|_| format!("worker {thread} stopped"))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_sdk::transaction_error::TransactionError;
    use lanes_sdk::Signature;

    fn outcome(n: u8) -> TransactionOutcome {
        TransactionOutcome::refused(Signature([n; 64]), TransactionError::AlreadyProcessed)
    }

    #[test]
    fn a_worker_rings_when_its_queue_runs_low_or_a_transaction_waits_for_locks() {
        let doorbell = Doorbell::default();
        let (ring, rung) = bounded::<()>(1);
        doorbell.reported(&ring, 3);
        assert!(rung.try_recv().is_err(), "three batches still queued: no need to wake the scheduler");
        doorbell.reported(&ring, 1);
        assert!(rung.try_recv().is_ok(), "one batch left: the scheduler must refill it");
        doorbell.reported(&ring, 0);
        doorbell.reported(&ring, 0);
        assert!(rung.try_recv().is_ok() && rung.try_recv().is_err(), "rings while one is pending add nothing");
        doorbell.set_prompt(true);
        doorbell.reported(&ring, 3);
        assert!(rung.try_recv().is_ok(), "a transaction waits for locks: report at once");
        doorbell.set_prompt(false);
        doorbell.reported(&ring, 3);
        assert!(rung.try_recv().is_err());
    }

    #[test]
    fn outcome_slots_give_every_outcome_in_input_order_or_name_a_missing_one() {
        let slots = OutcomeSlots::new(3);
        assert!(slots.set(2, outcome(2)));
        assert!(slots.set(0, outcome(0)));
        assert!(!slots.set(0, outcome(9)), "a second outcome is refused");
        let incomplete = OutcomeSlots::new(3);
        incomplete.set(0, outcome(0));
        assert_eq!(incomplete.into_vec().unwrap_err(), 1); // the one filled is dropped with it
        slots.set(1, outcome(1));
        let all = slots.into_vec().unwrap();
        assert_eq!(all.iter().map(|o| o.signature.0[0]).collect::<Vec<_>>(), [0, 1, 2]);
        assert!(OutcomeSlots::new(0).into_vec().unwrap().is_empty());
    }
}
