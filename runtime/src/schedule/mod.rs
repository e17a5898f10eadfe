//! The parallel engine: a priority-ordered, thread-aware lock scheduler
//! dispatching transactions to a pool of workers that execute and commit
//! them, so that transactions that do not conflict run at the same time and
//! the result equals running the committed order one by one.
//!
//! ## How it schedules (and why)
//!
//! Pending transactions wait in a priority queue (fee per compute unit, then
//! arrival). Each pass takes them in that order and asks the
//! [`account_locks::ThreadAwareAccountLocks`] which worker could run each one *now*:
//!
//! * if it touches nothing locked, any worker (the least loaded is chosen);
//! * if it conflicts only with work queued on one worker, that worker — it is
//!   queued behind that work, and runs after it in order (this is what keeps
//!   chains of conflicting transactions on one worker instead of waiting);
//!   unless the chain is short (a few queued transactions) and that worker
//!   is far ahead of the least loaded: then it waits for the chain to drain,
//!   so that its accounts can move to a less loaded worker (a hot account's
//!   long chain never moves);
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
//! locks held on two workers: see `doorbell.rs`).
//!
//! It runs on a thread of its own while the machine has a core to spare
//! ([`SchedulerPlacement::Dedicated`]); otherwise on worker 0's thread
//! ([`SchedulerPlacement::Inline`]), where it executes worker 0's queue a
//! slice at a time between passes and reports each slice exactly as a
//! worker reports a batch, so the serial-order argument above is unchanged.

pub mod account_locks;
mod config;
mod controller;
mod doorbell;
mod error;
mod messages;
mod outcome_slots;
mod policy;
mod workers;

pub use config::{SchedulerConfig, SchedulerPlacement};
pub use controller::execute_parallel;
pub use error::SchedulerError;

use crate::bank::TransactionOutcome;
use crate::transaction_context::ExecuteTimings;

/// A run of transactions one worker executed, in its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Indices into the input, in execution order.
    pub transactions: Vec<usize>,
    /// The worker that ran them.
    pub thread: usize,
    /// When each started and ended, in nanoseconds since the run began
    /// (one per transaction; empty where no clock was kept).
    pub times: Vec<(u64, u64)>,
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
