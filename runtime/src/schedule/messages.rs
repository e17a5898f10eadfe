//! What the scheduler and its workers send each other: a [`WorkBatch`] of
//! transactions to run in order, and a [`BatchReport`] once they are
//! committed. Outcomes themselves go straight into the
//! [`super::outcome_slots::OutcomeSlots`], not through the channels.

use super::error::SchedulerError;

/// Transactions one worker runs, in this order.
pub(super) struct WorkBatch {
    /// Indices into the run's input.
    pub transactions: Vec<usize>,
}

/// What a worker tells the scheduler about a transaction it ran (its
/// outcome is already in the [`super::outcome_slots::OutcomeSlots`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Executed {
    pub committed: bool,
    pub fee: u64,
    /// When it started and ended, in nanoseconds since the run began.
    pub started_ns: u64,
    pub ended_ns: u64,
}

/// A worker's report of a batch it ran and committed.
pub(super) struct BatchReport {
    /// The worker that ran the batch.
    pub thread: usize,
    /// Indices into the run's input, in the order they ran.
    pub transactions: Vec<usize>,
    /// One per transaction; an error ends the run.
    pub results: Vec<Result<Executed, SchedulerError>>,
}
