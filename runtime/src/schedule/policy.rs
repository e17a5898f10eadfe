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

/// A chain of at most this many queued transactions on an account is short
/// enough to drain and move (see `Scheduler::short_chain_moves`).
const SHORT_CHAIN: u32 = 8;

/// How far ahead of the least loaded worker (in queued transactions) a
/// worker must be before its short chains wait to move.
const CHAIN_MOVES_AHEAD: usize = 64;

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

    /// Whether a transaction that could only be queued on `thread`, behind
    /// a chain of `chain` transactions holding its accounts, should wait
    /// for that chain to drain instead, so that its accounts can move to a
    /// less loaded worker. Chains stay where they start: without this, a
    /// worker that runs slower (inline, it also schedules) keeps its share
    /// of, say, a hundred AMM pools for the whole run, while the pending
    /// window fills with their work and the other worker starves. Only a
    /// short chain moves — it drains in a few transactions — and only from
    /// a worker far ahead of the least loaded one: a hot account's long
    /// chain stays put, as moving it would stall it at every move
    /// (docs/decisions.md, session 14, "Swaps").
    fn short_chain_moves(&self, allowed: ThreadSet, chain: u32, thread: usize) -> bool {
        if self.threads < 2 || chain == 0 || chain > SHORT_CHAIN || allowed.only_member() != Some(thread) {
            return false;
        }
        let least = (0..self.threads).filter(|&t| t != thread).map(|t| self.queued[t]).min().unwrap_or(0);
        self.queued[thread] > least + CHAIN_MOVES_AHEAD
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
            let (allowed, chain) = self.locks.schedulable_threads_and_chain(tx.writable_keys(), tx.readonly_keys());
            let thread = self.least_loaded_with_room(allowed).filter(|&t| !self.short_chain_moves(allowed, chain, t));
            let Some(thread) = thread else {
                // Conflicts on two workers, its worker is full, or its short
                // chain should move: wait, and keep lower-priority work off
                // its accounts meanwhile.
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

#[cfg(test)]
mod tests {
    use super::super::messages::Executed;
    use super::*;
    use crate::bank::BankConfig;
    use crate::ingest::sanitize::NoLookupTables;
    use crate::store::InMemoryAccountStore;
    use crate::vm::{Executor, ExecutorConfig};
    use lanes_sdk::transaction::Transaction;
    use lanes_sdk::{AccountMeta, Hash, Instruction, Pubkey};
    use std::sync::Arc;

    const HOT: u64 = 9_999;

    /// A transaction paid by `payer` writing `accounts` (keys from small integers).
    fn writing(payer: u64, accounts: &[u64]) -> SanitizedTransaction {
        let metas = accounts.iter().map(|a| AccountMeta::new(Pubkey::new_unique_from_u64(*a), false)).collect();
        let ix = Instruction::new_with_bytes(Pubkey::new_unique_from_u64(1), &[], metas);
        let tx = Transaction::new_with_payer(&[ix], &Pubkey::new_unique_from_u64(payer), &Hash::default());
        SanitizedTransaction::try_new(tx, &NoLookupTables).unwrap()
    }

    /// Report everything placed on `thread` as run and committed.
    fn drain(scheduler: &mut Scheduler, bank: &Bank, thread: usize) {
        let transactions = std::mem::take(&mut scheduler.batches[thread]);
        let ran = Executed { committed: true, fee: 0, started_ns: 0, ended_ns: 0 };
        let results = transactions.iter().map(|_| Ok(ran)).collect();
        scheduler.complete(bank, BatchReport { thread, transactions, results }, &mut Vec::new()).unwrap();
    }

    #[test]
    fn a_short_chain_on_a_worker_far_ahead_waits_to_move_and_a_hot_chain_stays() {
        let bank = Bank::new(
            Arc::new(InMemoryAccountStore::new()),
            Executor::new(ExecutorConfig::default()).unwrap(),
            BankConfig::default(),
        );
        // 0..20 write the hot account (and one of their own): a chain of 20 on
        // worker 0. 20..200 write accounts of their own. Then, after worker 1
        // has drained: 200 writes account 10_000 (tx 0's, a chain of one on
        // worker 0), 201 the hot account, 202 account 10_000 again.
        let mut transactions: Vec<SanitizedTransaction> = (0..200)
            .map(|i| if i < 20 { writing(1_000 + i, &[HOT, 10_000 + i]) } else { writing(1_000 + i, &[10_000 + i]) })
            .collect();
        transactions.extend([writing(3_000, &[10_000]), writing(3_001, &[HOT]), writing(3_002, &[10_000])]);
        let mut config = SchedulerConfig::with_threads(2);
        config.placement = SchedulerPlacement::Dedicated;
        let mut scheduler = Scheduler::new(2, &config, &transactions);

        scheduler.pending.extend((0..200).map(|i| (0, Reverse(i))));
        scheduler.schedule_pass();
        assert_eq!(scheduler.queued, [100, 100], "free transactions go to the least loaded worker");
        assert!(scheduler.batches[0].contains(&0) && scheduler.batches[0].contains(&19), "the hot chain is on 0");
        drain(&mut scheduler, &bank, 1);

        scheduler.pending.extend((200..203).map(|i| (0, Reverse(i))));
        scheduler.schedule_pass();
        assert_eq!(scheduler.queued, [101, 0], "only the hot account's chain grew");
        assert_eq!(scheduler.batches[0].last(), Some(&201));
        assert_eq!(scheduler.pending.len(), 2, "200 waits for its chain to drain, 202 behind it");

        // Worker 0 runs all but the hot transaction: account 10_000 is free,
        // and worker 1 is the least loaded.
        let still_queued = scheduler.batches[0].pop();
        drain(&mut scheduler, &bank, 0);
        scheduler.batches[0].extend(still_queued);
        scheduler.schedule_pass();
        assert_eq!(scheduler.batches[1], [200, 202], "account 10_000 moved to the idle worker, in order");
        assert!(scheduler.pending.is_empty());
    }
}
