//! The scheduling policy, without threads: which pending transaction goes
//! to which worker now ([`Scheduler::schedule_pass`]), and what a report of
//! a finished batch releases ([`Scheduler::complete`]). See the module
//! documentation of [`super`] for the rules and why they give a serial
//! order.

use super::account_locks::{KeySet, ThreadAwareAccountLocks, ThreadSet};
use super::config::{SchedulerConfig, SchedulerPlacement};
use super::error::SchedulerError;
use super::messages::BatchReport;
use super::Entry;
use crate::bank::Bank;
use crate::ingest::sanitize::SanitizedTransaction;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// How many blocked transactions in a row end a scheduling pass.
const MAX_BLOCKED_IN_A_ROW: usize = 256;

/// The scheduler's state: the lock table, the pending queue and what each
/// worker has queued. It decides; [`super::controller`] moves the work.
pub(super) struct Scheduler<'a> {
    pub transactions: &'a [SanitizedTransaction],
    pub config: SchedulerConfig,
    pub threads: usize,
    locks: ThreadAwareAccountLocks,
    /// (priority, earliest arrival first)
    pub pending: BinaryHeap<(u64, Reverse<usize>)>,
    /// Transactions queued on (or running on) each worker.
    pub queued: Vec<usize>,
    /// Placed by the last pass, not yet sent, per worker.
    pub batches: Vec<Vec<usize>>,
    /// Transactions placed and not yet reported.
    pub in_flight: usize,
    scratch: PassScratch,
}

/// What a scheduling pass builds and drops, kept for the next pass.
#[derive(Default)]
struct PassScratch {
    /// Examined and left pending.
    blocked: Vec<(u64, Reverse<usize>)>,
    /// Accounts the blocked transactions reserve for the rest of the pass.
    reserved_write: KeySet,
    reserved_read: KeySet,
}

impl<'a> Scheduler<'a> {
    pub fn new(threads: usize, config: &SchedulerConfig, transactions: &'a [SanitizedTransaction]) -> Self {
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
            scratch: PassScratch::default(),
        }
    }

    pub fn complete(&mut self, bank: &Bank, done: BatchReport, entries: &mut Vec<Entry>) -> Result<(), SchedulerError> {
        let mut committed = Vec::with_capacity(done.transactions.len());
        let mut times = Vec::with_capacity(done.transactions.len());
        let mut fees = 0u64;
        for (&index, ran) in done.transactions.iter().zip(done.results) {
            let tx = &self.transactions[index];
            self.locks.unlock(done.thread, tx.writable_keys(), tx.readonly_keys());
            let ran = ran?;
            if ran.committed {
                committed.push(index);
                times.push((ran.started_ns, ran.ended_ns));
                fees += ran.fee;
            }
        }
        self.queued[done.thread] -= done.transactions.len();
        self.in_flight -= done.transactions.len();
        bank.record_committed(committed.len() as u64, fees);
        if !committed.is_empty() {
            entries.push(Entry { transactions: committed, thread: done.thread, times });
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
    pub fn a_worker_runs_dry(&self) -> bool {
        self.queued[1..].iter().any(|q| *q <= self.config.batch_size)
    }

    pub fn has_room(&self, thread: usize) -> bool {
        self.queued[thread] < self.config.max_queued_per_thread
    }

    /// Place what can be placed now; `true` if a transaction was left
    /// waiting for locks held on two workers (not just for room in a
    /// worker's queue).
    pub fn schedule_pass(&mut self) -> bool {
        // Reused from pass to pass: a pass that blocks many transactions
        // would otherwise grow (and rehash) fresh sets every time.
        let mut scratch = std::mem::take(&mut self.scratch);
        let PassScratch { blocked, reserved_write, reserved_read } = &mut scratch;
        reserved_write.clear();
        reserved_read.clear();
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
        self.pending.extend(blocked.drain(..));
        self.scratch = scratch;
        waits_for_locks
    }
}

impl Scheduler<'_> {
    /// Whether every lock has been released (true once all work is done).
    pub fn holds_no_locks(&self) -> bool {
        self.locks.is_empty()
    }
}
