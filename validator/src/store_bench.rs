//! `lanes-bench store`: the memory-mapped account store under load, on its
//! own (no execution): how fast it commits token-sized account writes with
//! one commit per slot, how fast it reopens, how fast it reads, how much
//! memory its index takes, and what background compaction costs meanwhile.
//!
//! Phases, each timed on its own:
//! 1. *create*: `accounts` accounts of 165 bytes (an SPL token account's
//!    size), written by [`WRITER_THREADS`] threads in batches of three (a
//!    transfer's writable accounts), [`WRITES_PER_SLOT`] writes per slot,
//!    every slot committed;
//! 2. *update*: as many writes again to random existing accounts, so files
//!    fill with old versions and background compaction rewrites them;
//! 3. *reopen*: close, drop the files from the page cache, reopen (cold),
//!    then close and reopen again (warm);
//! 4. *read*: random reads of existing accounts from two threads, with a
//!    sampled latency distribution.
//!
//! The store lives in a fresh directory under the one given, removed at the
//! end. This module must never reach into the store's internals: it uses
//! its public API only.

use crate::bench::BenchError;
use lanes_runtime::store::mmap::{self, MmapAccountStore, StoreConfig};
use lanes_sdk::{Account, Pubkey};
use std::path::Path;
use std::time::Instant;

/// Bytes of account data per write (an SPL token account).
pub const TOKEN_ACCOUNT_LEN: usize = 165;
/// Account writes per committed slot.
pub const WRITES_PER_SLOT: usize = 100_000;
/// Threads appending at once.
pub const WRITER_THREADS: usize = 2;
/// Accounts per `store` call (a transfer writes payer, source, destination).
pub const BATCH: usize = 3;

fn err(e: impl std::fmt::Display) -> BenchError {
    BenchError(e.to_string())
}

/// A latency distribution, in nanoseconds.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Latency {
    pub samples: usize,
    pub p50_ns: u64,
    pub p99_ns: u64,
    pub p999_ns: u64,
    pub max_ns: u64,
}

impl Latency {
    fn of(mut ns: Vec<u64>) -> Latency {
        ns.sort_unstable();
        let at = |q: f64| ns.get(((ns.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0);
        Latency {
            samples: ns.len(),
            p50_ns: at(0.5),
            p99_ns: at(0.99),
            p999_ns: at(0.999),
            max_ns: ns.last().copied().unwrap_or(0),
        }
    }
}

/// One write phase.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct WritePhase {
    pub writes: u64,
    pub slots: u64,
    pub seconds: f64,
    /// Writes per second, commits included.
    pub writes_per_sec: f64,
    /// Time spent in `commit_slot` (syncs and the commit record).
    pub commit_seconds: f64,
    pub commit_ms_max: f64,
}

/// What background compaction did during the update phase.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CompactionCost {
    pub runs: u64,
    pub files_rewritten: u64,
    pub records_copied: u64,
    pub bytes_copied: u64,
    pub bytes_freed: u64,
    /// Wall time inside compaction (its own thread, beside the writers).
    pub seconds: f64,
    /// `seconds` over the update phase's duration: the share of one core
    /// compaction took meanwhile.
    pub share_of_update_phase: f64,
}

/// The benchmark's results.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct StoreBenchReport {
    pub accounts: usize,
    pub account_data_bytes: usize,
    pub writer_threads: usize,
    pub writes_per_slot: usize,
    /// All writes of both phases over their total time, commits included.
    pub writes_per_sec: f64,
    pub create: WritePhase,
    pub update: WritePhase,
    pub compaction: CompactionCost,
    /// Opening after dropping the files from the page cache.
    pub recover_seconds: f64,
    /// Opening with the files in the page cache.
    pub recover_warm_seconds: f64,
    pub recovered_records: u64,
    pub recovered_bytes: u64,
    pub index_bytes_per_account: f64,
    /// `get` (an owned copy) from two threads.
    pub reads_per_sec: f64,
    pub read_latency: Latency,
    /// `get_ref` (zero-copy) from two threads.
    pub zero_copy_reads_per_sec: f64,
    pub files: usize,
    pub disk_bytes: u64,
}

impl std::fmt::Display for StoreBenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mb = |b: u64| b as f64 / (1 << 20) as f64;
        writeln!(
            f,
            "accounts           {} x {} bytes, {} writer threads, {} writes per slot",
            self.accounts, self.account_data_bytes, self.writer_threads, self.writes_per_slot
        )?;
        for (name, p) in [("create", &self.create), ("update", &self.update)] {
            writeln!(
                f,
                "{name:<18} {:>10.0} writes/s ({} writes, {} slots, {:.2} s; commits {:.2} s, slowest {:.1} ms)",
                p.writes_per_sec, p.writes, p.slots, p.seconds, p.commit_seconds, p.commit_ms_max
            )?;
        }
        writeln!(f, "writes/s overall   {:>10.0}", self.writes_per_sec)?;
        let c = &self.compaction;
        writeln!(
            f,
            "compaction         {} runs, {} files, {:.1} MiB copied, {:.1} MiB freed, {:.2} s ({:.0}% of the update phase)",
            c.runs,
            c.files_rewritten,
            mb(c.bytes_copied),
            mb(c.bytes_freed),
            c.seconds,
            c.share_of_update_phase * 100.0
        )?;
        writeln!(
            f,
            "recover            {:.2} s cold, {:.2} s warm ({} records, {:.0} MiB)",
            self.recover_seconds,
            self.recover_warm_seconds,
            self.recovered_records,
            mb(self.recovered_bytes)
        )?;
        writeln!(f, "index              {:.1} bytes per account", self.index_bytes_per_account)?;
        let l = &self.read_latency;
        writeln!(
            f,
            "reads/s            {:>10.0} (get), {:.0} (get_ref); latency p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns",
            self.reads_per_sec, self.zero_copy_reads_per_sec, l.p50_ns, l.p99_ns, l.p999_ns, l.max_ns
        )?;
        writeln!(f, "files              {} ({:.0} MiB reserved)", self.files, mb(self.disk_bytes))
    }
}

/// A random-looking key for account `i` (like an ed25519 public key).
fn bench_key(i: u64) -> Pubkey {
    let mut out = [0u8; 32];
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5EED;
    for chunk in out.chunks_mut(8) {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    Pubkey(out)
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A token account's worth of bytes: mint, owner, amount, the rest.
fn token_account(amount: u64) -> Account {
    let mut data = vec![7u8; TOKEN_ACCOUNT_LEN];
    data[64..72].copy_from_slice(&amount.to_le_bytes());
    Account { lamports: 2_039_280, data, owner: Pubkey::new_unique_from_u64(0x70_6b6e), executable: false }
}

/// Write the accounts `index(j)` for `j` in `0..count` in slot `slot`, in
/// batches, reusing one batch buffer (no allocation per write).
fn write_share(
    store: &MmapAccountStore,
    slot: u64,
    count: usize,
    index: impl Fn(usize) -> u64,
) -> Result<(), BenchError> {
    let mut batch: Vec<(Pubkey, Account)> = (0..BATCH).map(|_| (Pubkey::default(), token_account(0))).collect();
    let mut j = 0;
    while j < count {
        let n = BATCH.min(count - j);
        for (b, (key, account)) in batch.iter_mut().take(n).enumerate() {
            let i = index(j + b);
            *key = bench_key(i);
            account.data[64..72].copy_from_slice(&(slot ^ i).to_le_bytes());
        }
        store.store_accounts(slot, &batch[..n]).map_err(err)?;
        j += n;
    }
    Ok(())
}

/// Run `slots` slots; in each, thread `t` writes `share(slot, t)` = (count,
/// index function); then the slot is committed.
fn write_phase<F, I>(
    store: &MmapAccountStore,
    first_slot: u64,
    writes: usize,
    pick: F,
) -> Result<WritePhase, BenchError>
where
    F: Fn(u64, usize, usize) -> I + Sync,
    I: Fn(usize) -> u64,
{
    let slots = writes.div_ceil(WRITES_PER_SLOT);
    let mut phase = WritePhase { writes: writes as u64, slots: slots as u64, ..WritePhase::default() };
    let started = Instant::now();
    for s in 0..slots {
        let slot = first_slot + s as u64;
        let in_slot = WRITES_PER_SLOT.min(writes - s * WRITES_PER_SLOT);
        let base = s * WRITES_PER_SLOT;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..WRITER_THREADS)
                .map(|t| {
                    let count = in_slot / WRITER_THREADS + usize::from(t < in_slot % WRITER_THREADS);
                    let pick = &pick;
                    scope.spawn(move || write_share(store, slot, count, pick(slot, base, t)))
                })
                .collect();
            handles.into_iter().try_for_each(|h| h.join().map_err(|_| err("a writer thread panicked"))?)
        })?;
        let commit_started = Instant::now();
        store.commit(slot).map_err(err)?;
        let commit = commit_started.elapsed().as_secs_f64();
        phase.commit_seconds += commit;
        phase.commit_ms_max = phase.commit_ms_max.max(commit * 1e3);
    }
    phase.seconds = started.elapsed().as_secs_f64();
    phase.writes_per_sec = writes as f64 / phase.seconds;
    Ok(phase)
}

/// Random reads of existing accounts from two threads; every read must hit.
fn read_phase(
    store: &MmapAccountStore,
    accounts: usize,
    reads: usize,
    zero_copy: bool,
) -> Result<(f64, Latency), BenchError> {
    let started = Instant::now();
    let samples = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2u64)
            .map(|t| {
                scope.spawn(move || {
                    let mut samples = Vec::with_capacity(reads / 32 + 1);
                    let mut misses = 0usize;
                    let mut checksum = 0u64;
                    for j in 0..reads / 2 {
                        let i = mix(t << 40 | j as u64) % accounts as u64;
                        let key = bench_key(i);
                        let sample = j % 16 == 0;
                        let t0 = sample.then(Instant::now);
                        let len = if zero_copy {
                            store.get_ref(&key).map(|r| {
                                checksum = checksum.wrapping_add(u64::from(r.data()[64]));
                                r.data().len()
                            })
                        } else {
                            lanes_runtime::store::AccountStore::get(store, &key).map(|a| a.data.len())
                        };
                        if let Some(t0) = t0 {
                            samples.push(t0.elapsed().as_nanos() as u64);
                        }
                        if len != Some(TOKEN_ACCOUNT_LEN) {
                            misses += 1;
                        }
                    }
                    std::hint::black_box(checksum);
                    (samples, misses)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect::<Vec<_>>()
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut all = Vec::new();
    for s in samples {
        let (samples, misses) = s.map_err(|_| err("a reader thread panicked"))?;
        if misses > 0 {
            return Err(err(format!("{misses} reads missed an account that was written")));
        }
        all.extend(samples);
    }
    Ok((reads as f64 / seconds, Latency::of(all)))
}

/// Run the benchmark with `accounts` accounts in a fresh directory under `dir`.
pub fn run_store_bench(accounts: usize, dir: &Path) -> Result<StoreBenchReport, BenchError> {
    if accounts < 1000 {
        return Err(err("--accounts must be at least 1000"));
    }
    let store_dir = dir.join(format!("lanes-store-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&store_dir);
    let result = run_in(accounts, &store_dir);
    if std::env::var("KEEP_TMP").is_err() {
        let _ = std::fs::remove_dir_all(&store_dir);
    }
    result
}

fn run_in(accounts: usize, store_dir: &Path) -> Result<StoreBenchReport, BenchError> {
    let config = StoreConfig { writers: WRITER_THREADS, ..StoreConfig::default() };
    let mut report = StoreBenchReport {
        accounts,
        account_data_bytes: TOKEN_ACCOUNT_LEN,
        writer_threads: WRITER_THREADS,
        writes_per_slot: WRITES_PER_SLOT,
        ..StoreBenchReport::default()
    };
    let store = MmapAccountStore::open(store_dir, config.clone()).map_err(err)?;

    // 1. Create every account once; thread t takes every other index.
    report.create = write_phase(&store, 1, accounts, |_, base, t| move |j| (base + j * WRITER_THREADS + t) as u64)?;
    let created = lanes_runtime::store::AccountStore::len(&store);
    if created != accounts {
        return Err(err(format!("created {created} accounts, expected {accounts}")));
    }

    // 2. Update random accounts while compaction runs.
    let before = store.stats().compaction;
    let first = report.create.slots + 1;
    report.update = write_phase(&store, first, accounts, |slot, base, t| {
        move |j| mix(slot << 32 ^ (t as u64) << 28 ^ (base + j) as u64) % accounts as u64
    })?;
    let after = store.stats();
    report.compaction = CompactionCost {
        runs: after.compaction.runs - before.runs,
        files_rewritten: after.compaction.files - before.files,
        records_copied: after.compaction.records_copied - before.records_copied,
        bytes_copied: after.compaction.bytes_copied - before.bytes_copied,
        bytes_freed: after.compaction.bytes_freed - before.bytes_freed,
        seconds: after.compaction.seconds - before.seconds,
        share_of_update_phase: (after.compaction.seconds - before.seconds) / report.update.seconds,
    };
    let total_writes = (report.create.writes + report.update.writes) as f64;
    report.writes_per_sec = total_writes / (report.create.seconds + report.update.seconds);
    drop(store);

    // 3. Reopen cold, then warm.
    mmap::evict_page_cache(store_dir).map_err(err)?;
    let started = Instant::now();
    let store = MmapAccountStore::open(store_dir, config.clone()).map_err(err)?;
    report.recover_seconds = started.elapsed().as_secs_f64();
    let recovery = store.recovery_report();
    report.recovered_records = recovery.records;
    report.recovered_bytes = recovery.bytes;
    drop(store);
    let started = Instant::now();
    let store = MmapAccountStore::open(store_dir, config).map_err(err)?;
    report.recover_warm_seconds = started.elapsed().as_secs_f64();
    let stats = store.stats();
    if stats.accounts != accounts {
        return Err(err(format!("reopened with {} accounts, expected {accounts}", stats.accounts)));
    }
    report.index_bytes_per_account = stats.index_bytes as f64 / accounts as f64;
    report.files = stats.files;
    report.disk_bytes = stats.file_bytes;

    // 4. Reads.
    let reads = accounts.clamp(200_000, 2_000_000);
    let (rps, latency) = read_phase(&store, accounts, reads, false)?;
    report.reads_per_sec = rps;
    report.read_latency = latency;
    report.zero_copy_reads_per_sec = read_phase(&store, accounts, reads, true)?.0;
    Ok(report)
}
