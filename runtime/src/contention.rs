//! Contention: which accounts serialized a run of transactions, and what
//! that cost — computed after the fact from what a run records anyway:
//! each committed transaction's lock set, its worker, and when it started
//! and ended, in committed order (a batch's entries, or a block).
//!
//! For one slot (or one batch), [`profile_slot`] finds:
//! - for each transaction, the conflicting earlier transaction whose lock
//!   it waited for ([`Wait`]): of the earlier transactions that write an
//!   account it uses, or use an account it writes, the one that ended last
//!   (it could not start before that one released its lock);
//! - the run's critical path: the longest chain of conflicting
//!   transactions, by their execution time — no number of workers makes
//!   the run shorter than this chain;
//! - for each account some transaction conflicted on, the chain it forces
//!   on its own ([`AccountContention::chain_ns`]: its writers one after
//!   another, the readers between two writers side by side), how many
//!   transactions touched it and how long they waited for it.
//!
//! The parallelism an account costs is its chain against the wall time: an
//! account every transaction writes forces a chain as long as the run (the
//! loss is total), an account nobody conflicts on is not ranked at all.
//! [`ContentionReport`] adds slots together for a slot range or a bench.
//!
//! Never: feed anything back into execution. This reads timings, which
//! differ from run to run; results never do, and nothing here may touch
//! them. Only the serial order (committed order) is used to decide who
//! conflicted with whom, so the conflicts found are the same on every run.

use crate::pipeline::BatchOutput;
use crate::pubkey_hash::PubkeyMap;
use lanes_sdk::message::v0::LoadedAddresses;
use lanes_sdk::message::VersionedMessage;
use lanes_sdk::Pubkey;

/// One committed transaction as the profiler needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimedTransaction {
    pub worker: u32,
    /// Nanoseconds since the run began.
    pub started_ns: u64,
    pub ended_ns: u64,
    /// The accounts it write-locked and read-locked.
    pub writable: Vec<Pubkey>,
    pub readonly: Vec<Pubkey>,
}

impl TimedTransaction {
    /// `message`'s lock set (its lookups resolved to `loaded`), run on
    /// `worker` from `started_ns` to `ended_ns`.
    pub fn new(
        message: &VersionedMessage,
        loaded: &LoadedAddresses,
        worker: u32,
        started_ns: u64,
        ended_ns: u64,
    ) -> Self {
        let keys = message.static_account_keys().iter().chain(&loaded.writable).chain(&loaded.readonly);
        let (mut writable, mut readonly) = (Vec::new(), Vec::new());
        for (index, key) in keys.enumerate() {
            if message.is_writable_with(index, loaded) {
                writable.push(*key);
            } else {
                readonly.push(*key);
            }
        }
        TimedTransaction { worker, started_ns, ended_ns, writable, readonly }
    }

    fn duration_ns(&self) -> u64 {
        self.ended_ns.saturating_sub(self.started_ns)
    }
}

/// What a transaction waited for: the lock on `account`, held by the
/// transaction at index `behind` (earlier in committed order), from the
/// start of the run for `ns` (until that one ended, or until it started
/// itself if that came first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    pub account: Pubkey,
    pub behind: usize,
    pub ns: u64,
}

/// One account's part in the contention of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountContention {
    pub account: Pubkey,
    /// Transactions that locked it, and how.
    pub transactions: u64,
    pub write_locked: u64,
    pub read_locked: u64,
    /// Accesses that conflicted with an earlier one (a write after any
    /// access, a read after a write).
    pub conflicts: u64,
    /// Time transactions spent waiting for its lock ([`Wait::ns`] of each
    /// wait charged to it).
    pub wait_ns: u64,
    /// The chain it forces: its writers' execution times end to end, with
    /// the longest reader of each run of readers between writers.
    pub chain_ns: u64,
}

impl AccountContention {
    /// The share of `wall_ns` this account's chain takes: 1.0 means the run
    /// could not have been shorter with any number of workers.
    pub fn lost_parallelism(&self, wall_ns: u64) -> f64 {
        if wall_ns == 0 {
            return 0.0;
        }
        (self.chain_ns as f64 / wall_ns as f64).min(1.0)
    }

    fn merge(&mut self, other: &AccountContention) {
        self.transactions += other.transactions;
        self.write_locked += other.write_locked;
        self.read_locked += other.read_locked;
        self.conflicts += other.conflicts;
        self.wait_ns += other.wait_ns;
        self.chain_ns += other.chain_ns;
    }
}

/// The profile of one slot or batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlotProfile {
    pub transactions: usize,
    /// Workers that ran a transaction (highest worker index + 1).
    pub workers: u32,
    /// First start to last end.
    pub wall_ns: u64,
    /// Execution time summed over transactions.
    pub busy_ns: u64,
    /// Per transaction, in committed order: what it waited for, if anything.
    pub waits: Vec<Option<Wait>>,
    /// The longest chain of conflicting transactions (indices, in order)
    /// and its length in execution time.
    pub critical_path: Vec<usize>,
    pub critical_path_ns: u64,
    /// Accounts with at least one conflict, ranked: longest chain first.
    pub accounts: Vec<AccountContention>,
}

impl SlotProfile {
    /// Busy worker time over wall time (1.0: as if on one worker).
    pub fn parallelism(&self) -> f64 {
        if self.wall_ns == 0 {
            return 0.0;
        }
        self.busy_ns as f64 / self.wall_ns as f64
    }
}

/// Per account, while scanning a slot in committed order.
#[derive(Default)]
struct AccountScan {
    stats: AccountContention,
    last_writer: Option<usize>,
    readers_since_write: Vec<usize>,
    /// The longest reader since the last writer.
    reader_run_ns: u64,
}

/// Profile one slot's (or batch's) committed transactions, in committed order.
pub fn profile_slot(transactions: &[TimedTransaction]) -> SlotProfile {
    let origin = transactions.iter().map(|t| t.started_ns).min().unwrap_or(0);
    let end = transactions.iter().map(|t| t.ended_ns).max().unwrap_or(0);
    let mut scans: PubkeyMap<AccountScan> = PubkeyMap::default();
    let mut waits = Vec::with_capacity(transactions.len());
    // Longest conflict chain ending at each transaction, and its predecessor on it.
    let mut chain_end_ns = vec![0u64; transactions.len()];
    let mut chain_previous: Vec<Option<usize>> = vec![None; transactions.len()];
    let mut conflicting: Vec<(usize, Pubkey)> = Vec::new();
    for (index, tx) in transactions.iter().enumerate() {
        conflicting.clear();
        let duration = tx.duration_ns();
        for key in &tx.writable {
            let scan = scans.entry(*key).or_default();
            let before = conflicting.len();
            conflicting.extend(scan.last_writer.iter().chain(&scan.readers_since_write).map(|&p| (p, *key)));
            scan.stats.account = *key;
            scan.stats.transactions += 1;
            scan.stats.write_locked += 1;
            scan.stats.conflicts += u64::from(conflicting.len() > before);
            scan.stats.chain_ns += std::mem::take(&mut scan.reader_run_ns) + duration;
            scan.readers_since_write.clear();
            scan.last_writer = Some(index);
        }
        for key in &tx.readonly {
            let scan = scans.entry(*key).or_default();
            if let Some(writer) = scan.last_writer {
                conflicting.push((writer, *key));
                scan.stats.conflicts += 1;
            }
            scan.stats.account = *key;
            scan.stats.transactions += 1;
            scan.stats.read_locked += 1;
            scan.reader_run_ns = scan.reader_run_ns.max(duration);
            scan.readers_since_write.push(index);
        }
        // The lock it waited for: the conflicting transaction that ended last.
        let wait = conflicting.iter().max_by_key(|(p, _)| (transactions[*p].ended_ns, std::cmp::Reverse(*p))).map(
            |&(behind, account)| Wait {
                account,
                behind,
                ns: transactions[behind].ended_ns.min(tx.started_ns).saturating_sub(origin),
            },
        );
        if let Some(wait) = &wait {
            if let Some(scan) = scans.get_mut(&wait.account) {
                scan.stats.wait_ns += wait.ns;
            }
        }
        waits.push(wait);
        let previous = conflicting.iter().map(|(p, _)| *p).max_by_key(|p| (chain_end_ns[*p], std::cmp::Reverse(*p)));
        chain_end_ns[index] = previous.map_or(0, |p| chain_end_ns[p]) + duration;
        chain_previous[index] = previous;
    }
    let mut critical_path = Vec::new();
    let mut at = (0..transactions.len()).max_by_key(|i| (chain_end_ns[*i], std::cmp::Reverse(*i)));
    let critical_path_ns = at.map_or(0, |i| chain_end_ns[i]);
    while let Some(i) = at {
        critical_path.push(i);
        at = chain_previous[i];
    }
    critical_path.reverse();
    let accounts = rank(scans.into_values().map(|mut scan| {
        scan.stats.chain_ns += scan.reader_run_ns;
        scan.stats
    }));
    SlotProfile {
        transactions: transactions.len(),
        workers: transactions.iter().map(|t| t.worker + 1).max().unwrap_or(0),
        wall_ns: end.saturating_sub(origin),
        busy_ns: transactions.iter().map(TimedTransaction::duration_ns).sum(),
        waits,
        critical_path,
        critical_path_ns,
        accounts,
    }
}

/// A batch's committed transactions in committed order, with their
/// workers and timings; `messages` are the batch's input messages, in
/// input order.
pub fn committed_timeline(output: &BatchOutput, messages: &[VersionedMessage]) -> Vec<TimedTransaction> {
    let mut timeline = Vec::with_capacity(output.outcomes.len());
    for entry in &output.entries {
        for (position, &index) in entry.transactions.iter().enumerate() {
            let (Some(message), Some(outcome)) = (messages.get(index), output.outcomes.get(index)) else {
                continue;
            };
            let (started_ns, ended_ns) = entry.times.get(position).copied().unwrap_or_default();
            timeline.push(TimedTransaction::new(
                message,
                &outcome.loaded_addresses,
                entry.thread as u32,
                started_ns,
                ended_ns,
            ));
        }
    }
    timeline
}

/// Accounts with a conflict, longest chain first (then most waiting, then by key).
fn rank(accounts: impl Iterator<Item = AccountContention>) -> Vec<AccountContention> {
    let mut ranked: Vec<AccountContention> = accounts.filter(|a| a.conflicts > 0).collect();
    ranked.sort_by(|a, b| {
        b.chain_ns.cmp(&a.chain_ns).then(b.wait_ns.cmp(&a.wait_ns)).then(a.account.as_ref().cmp(b.account.as_ref()))
    });
    ranked
}

/// Contention over several slots (a slot range, or a bench's batches).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContentionReport {
    pub slots: u64,
    pub transactions: u64,
    /// Wall and busy time summed over the slots.
    pub wall_ns: u64,
    pub busy_ns: u64,
    /// The slots' critical paths, summed.
    pub critical_path_ns: u64,
    accounts: PubkeyMap<AccountContention>,
}

impl ContentionReport {
    pub fn add(&mut self, slot: &SlotProfile) {
        self.slots += 1;
        self.transactions += slot.transactions as u64;
        self.wall_ns += slot.wall_ns;
        self.busy_ns += slot.busy_ns;
        self.critical_path_ns += slot.critical_path_ns;
        for account in &slot.accounts {
            self.accounts
                .entry(account.account)
                .or_insert_with(|| AccountContention { account: account.account, ..Default::default() })
                .merge(account);
        }
    }

    /// Busy worker time over wall time across the slots.
    pub fn parallelism(&self) -> f64 {
        if self.wall_ns == 0 {
            return 0.0;
        }
        self.busy_ns as f64 / self.wall_ns as f64
    }

    /// The accounts with a conflict, ranked (longest chain first), at most `limit`.
    pub fn ranked(&self, limit: usize) -> Vec<AccountContention> {
        let mut ranked = rank(self.accounts.values().cloned());
        ranked.truncate(limit);
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> Pubkey {
        Pubkey::new_unique_from_u64(n)
    }

    fn tx(worker: u32, started_ns: u64, ended_ns: u64, writable: &[u64], readonly: &[u64]) -> TimedTransaction {
        TimedTransaction {
            worker,
            started_ns,
            ended_ns,
            writable: writable.iter().map(|n| key(*n)).collect(),
            readonly: readonly.iter().map(|n| key(*n)).collect(),
        }
    }

    #[test]
    fn one_hot_account_ranks_first_and_takes_all_the_parallelism() {
        // 100 transfers from distinct payers into one account, serialized
        // on one worker, 10 µs each; worker 1 sat idle.
        let txs: Vec<_> = (0..100u64).map(|i| tx(0, i * 10_000, (i + 1) * 10_000, &[1000 + i, 1], &[7])).collect();
        let profile = profile_slot(&txs);
        assert_eq!(profile.wall_ns, 1_000_000);
        assert_eq!(profile.busy_ns, 1_000_000);
        assert_eq!(profile.critical_path_ns, 1_000_000);
        assert_eq!(profile.critical_path, (0..100).collect::<Vec<_>>());
        assert_eq!(profile.accounts.len(), 1, "the payers and the read-only program never conflict");
        let hot = &profile.accounts[0];
        assert_eq!(hot.account, key(1));
        assert_eq!((hot.transactions, hot.write_locked, hot.read_locked, hot.conflicts), (100, 100, 0, 99));
        assert_eq!(hot.chain_ns, 1_000_000);
        assert!((hot.lost_parallelism(profile.wall_ns) - 1.0).abs() < 1e-9);
        // Each waited for the one before, from the start of the slot.
        assert_eq!(profile.waits[0], None);
        assert_eq!(profile.waits[5], Some(Wait { account: key(1), behind: 4, ns: 50_000 }));
        assert_eq!(hot.wait_ns, (1..100u64).map(|i| i * 10_000).sum::<u64>());
    }

    #[test]
    fn nothing_conflicting_ranks_nothing() {
        let txs: Vec<_> = (0..100u64)
            .map(|i| tx((i % 2) as u32, (i / 2) * 10_000, (i / 2 + 1) * 10_000, &[i, 500 + i], &[9_000, 9_001]))
            .collect();
        let profile = profile_slot(&txs);
        assert!(profile.accounts.is_empty());
        assert!(profile.waits.iter().all(Option::is_none));
        assert_eq!(profile.workers, 2);
        assert!((profile.parallelism() - 2.0).abs() < 1e-9);
        assert_eq!(profile.critical_path.len(), 1, "no chain longer than one transaction");
        let mut report = ContentionReport::default();
        report.add(&profile);
        assert!(report.ranked(10).is_empty());
    }

    #[test]
    fn readers_share_and_a_writer_waits_for_the_last_of_them() {
        // w0 writes A; r1, r2 read A side by side; w3 writes A after both.
        let txs = vec![
            tx(0, 0, 10, &[1], &[]),
            tx(0, 10, 40, &[11], &[1]),
            tx(1, 10, 30, &[12], &[1]),
            tx(1, 40, 45, &[1], &[]),
        ];
        let profile = profile_slot(&txs);
        assert_eq!(profile.waits[1], Some(Wait { account: key(1), behind: 0, ns: 10 }));
        assert_eq!(profile.waits[2], Some(Wait { account: key(1), behind: 0, ns: 10 }));
        assert_eq!(profile.waits[3], Some(Wait { account: key(1), behind: 1, ns: 40 }), "the reader that ended last");
        let a = &profile.accounts[0];
        assert_eq!((a.write_locked, a.read_locked, a.conflicts), (2, 2, 3));
        assert_eq!(a.chain_ns, 10 + 30 + 5, "writer, the longer reader, writer");
        assert_eq!(profile.critical_path, vec![0, 1, 3]);
        assert_eq!(profile.critical_path_ns, 45);
    }

    #[test]
    fn a_report_adds_slots_and_ranks_the_longer_chain_first() {
        let hot = |account: u64, n: u64, ns: u64| -> Vec<TimedTransaction> {
            (0..n).map(|i| tx(0, i * ns, (i + 1) * ns, &[account, 100 + i], &[])).collect()
        };
        let mut report = ContentionReport::default();
        report.add(&profile_slot(&hot(1, 10, 100)));
        report.add(&profile_slot(&hot(2, 10, 300)));
        report.add(&profile_slot(&hot(1, 10, 100)));
        let ranked = report.ranked(10);
        assert_eq!(ranked.iter().map(|a| a.account).collect::<Vec<_>>(), vec![key(2), key(1)]);
        assert_eq!(ranked[1].transactions, 20);
        assert_eq!(ranked[1].chain_ns, 2_000);
        assert_eq!((report.slots, report.transactions, report.wall_ns), (3, 30, 5_000));
        assert_eq!(report.ranked(1).len(), 1);
    }
}
