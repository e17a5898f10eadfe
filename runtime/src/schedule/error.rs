//! [`SchedulerError`]: why a parallel run could not finish. Each is a fault
//! of this node (a store that cannot write, a worker that died), never of a
//! transaction: a transaction's own failure is its outcome.

use crate::bank::BankError;

/// Why [`super::execute_parallel`] stopped before every transaction had an outcome.
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    /// Committing a transaction failed (the store could not write).
    #[error(transparent)]
    Bank(#[from] BankError),
    /// A worker could not get an engine of its own.
    #[error("worker {thread} has no executor: {reason}")]
    NoExecutor { thread: usize, reason: String },
    /// Executing a transaction panicked (a bug: execution never panics on
    /// outside input).
    #[error("worker {thread} panicked executing transaction {transaction}")]
    WorkerPanicked { thread: usize, transaction: usize },
    /// A worker thread ended by a panic outside any transaction.
    #[error("worker thread {thread} panicked")]
    WorkerThreadPanicked { thread: usize },
    /// A worker stopped taking work while the scheduler had some for it.
    #[error("worker {thread} stopped taking work")]
    WorkerStopped { thread: usize },
    /// Every worker stopped while transactions were still in flight.
    #[error("every worker stopped with work outstanding")]
    AllWorkersStopped,
    /// The scheduler handed one transaction out twice (a scheduler bug).
    #[error("transaction {transaction} was executed twice")]
    ExecutedTwice { transaction: usize },
    /// A transaction ended the run without an outcome (a scheduler bug).
    #[error("transaction {transaction} got no outcome")]
    MissingOutcome { transaction: usize },
}
