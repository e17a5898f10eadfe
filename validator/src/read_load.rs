//! RPC reads beside a write load (`lanes-bench remote --readers N`): N
//! threads, each on its own keep-alive connection, reading the accounts the
//! write load is changing — `getAccountInfo` of one account after another,
//! and every [`PROGRAM_ACCOUNTS_EVERY`]th read a `getProgramAccounts` of
//! the token program filtered to one owner (a scan of every account the
//! program owns, the heaviest read a client commonly sends) — at a total
//! rate or as fast as they go, timing each.
//!
//! What it answers: how much a given read load costs the landed write
//! throughput (run the same write load with and without readers), and how
//! fast reads are answered under that load.
//!
//! Never: write anything, or outlive the [`ReadLoad`] (its threads stop
//! when it is stopped or dropped).

use crate::remote_bench::percentile;
use crate::rpc_client::RpcClient;
use lanes_sdk::Pubkey;
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One read in this many is a `getProgramAccounts` (when a program is given).
pub const PROGRAM_ACCOUNTS_EVERY: u64 = 50;

/// What the readers did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReadReport {
    pub readers: usize,
    /// The total rate asked for, if any.
    pub target_reads_per_second: Option<u64>,
    pub get_account_info: u64,
    pub get_program_accounts: u64,
    /// Reads answered with an error or not answered.
    pub errors: u64,
    pub seconds: f64,
    pub reads_per_second: f64,
    /// Latency of `getAccountInfo`, and of `getProgramAccounts`.
    pub account_p50_us: Option<f64>,
    pub account_p99_us: Option<f64>,
    pub program_accounts_p50_us: Option<f64>,
    pub program_accounts_p99_us: Option<f64>,
}

impl std::fmt::Display for ReadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let us = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0} µs"));
        writeln!(
            f,
            "reads         {} getAccountInfo + {} getProgramAccounts by {} readers, {:.0}/s{} ({} errors)",
            self.get_account_info,
            self.get_program_accounts,
            self.readers,
            self.reads_per_second,
            self.target_reads_per_second.map_or(String::new(), |t| format!(" (asked {t}/s)")),
            self.errors
        )?;
        writeln!(
            f,
            "read latency  getAccountInfo p50 {} p99 {}; getProgramAccounts p50 {} p99 {}",
            us(self.account_p50_us),
            us(self.account_p99_us),
            us(self.program_accounts_p50_us),
            us(self.program_accounts_p99_us)
        )
    }
}

/// What the readers read.
#[derive(Debug, Clone)]
pub struct ReadTargets {
    /// Accounts for `getAccountInfo`, in turn.
    pub accounts: Vec<Pubkey>,
    /// A program and owners: `getProgramAccounts` of the program, filtered
    /// by a memcmp of one owner at `owner_offset` (and the data size).
    pub program: Option<ProgramTargets>,
}

#[derive(Debug, Clone)]
pub struct ProgramTargets {
    pub program: Pubkey,
    pub owners: Vec<Pubkey>,
    pub owner_offset: usize,
    pub data_size: usize,
}

#[derive(Default)]
struct Tally {
    account_us: Vec<f64>,
    program_us: Vec<f64>,
    errors: u64,
}

/// Readers running; [`ReadLoad::stop`] ends them and reports.
pub struct ReadLoad {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    tally: Arc<Mutex<Tally>>,
    started: Instant,
    readers: usize,
    rate: Option<u64>,
}

impl ReadLoad {
    /// Start `readers` threads against the node at `address` (host:port),
    /// together at most `rate` reads a second if given. Each connects
    /// before this returns, so a node that is not there is an error here.
    pub fn start(address: &str, readers: usize, rate: Option<u64>, targets: ReadTargets) -> Result<ReadLoad, String> {
        if targets.accounts.is_empty() {
            return Err("no accounts to read".into());
        }
        let stop = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Mutex::new(Tally::default()));
        let targets = Arc::new(targets);
        let issued = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let mut threads = Vec::new();
        for me in 0..readers {
            let client = match RpcClient::connect(address) {
                Ok(client) => client,
                Err(e) => {
                    stop.store(true, Relaxed);
                    threads.into_iter().for_each(|t: JoinHandle<()>| drop(t.join()));
                    return Err(format!("reader {me}: {e}"));
                }
            };
            let shared = (stop.clone(), tally.clone(), targets.clone(), issued.clone());
            let spawned = std::thread::Builder::new().name(format!("lanes-bench-reader-{me}")).spawn(move || {
                let (stop, tally, targets, issued) = shared;
                read(client, &stop, &tally, &targets, &issued, rate, started)
            });
            match spawned {
                Ok(handle) => threads.push(handle),
                Err(e) => {
                    stop.store(true, Relaxed);
                    threads.into_iter().for_each(|t| drop(t.join()));
                    return Err(format!("reader thread: {e}"));
                }
            }
        }
        Ok(ReadLoad { stop, threads, tally, started, readers, rate })
    }

    /// Stop the readers and report what they did.
    pub fn stop(mut self) -> ReadReport {
        self.stop.store(true, Relaxed);
        for thread in std::mem::take(&mut self.threads) {
            let _ = thread.join();
        }
        let seconds = self.started.elapsed().as_secs_f64();
        let mut tally = std::mem::take(&mut *self.tally.lock());
        tally.account_us.sort_by(f64::total_cmp);
        tally.program_us.sort_by(f64::total_cmp);
        let reads = (tally.account_us.len() + tally.program_us.len()) as f64;
        ReadReport {
            readers: self.readers,
            target_reads_per_second: self.rate,
            get_account_info: tally.account_us.len() as u64,
            get_program_accounts: tally.program_us.len() as u64,
            errors: tally.errors,
            seconds,
            reads_per_second: reads / seconds.max(1e-9),
            account_p50_us: percentile(&tally.account_us, 0.50),
            account_p99_us: percentile(&tally.account_us, 0.99),
            program_accounts_p50_us: percentile(&tally.program_us, 0.50),
            program_accounts_p99_us: percentile(&tally.program_us, 0.99),
        }
    }
}

impl Drop for ReadLoad {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
        for thread in std::mem::take(&mut self.threads) {
            let _ = thread.join();
        }
    }
}

/// One reader: take the next read number, wait for its turn when paced,
/// send it, time it. Keeps its own latencies and adds them at the end.
fn read(
    mut client: RpcClient,
    stop: &AtomicBool,
    tally: &Mutex<Tally>,
    targets: &ReadTargets,
    issued: &AtomicU64,
    rate: Option<u64>,
    started: Instant,
) {
    let mut mine = Tally::default();
    while !stop.load(Relaxed) {
        let n = issued.fetch_add(1, Relaxed);
        if let Some(rate) = rate.filter(|&r| r > 0) {
            let due = started + Duration::from_secs_f64(n as f64 / rate as f64);
            // Short sleeps, so a stop is seen within 50 ms.
            while !stop.load(Relaxed) && Instant::now() < due {
                std::thread::sleep(due.saturating_duration_since(Instant::now()).min(Duration::from_millis(50)));
            }
            if stop.load(Relaxed) {
                break;
            }
        }
        let program = targets.program.as_ref().filter(|_| n % PROGRAM_ACCOUNTS_EVERY == PROGRAM_ACCOUNTS_EVERY - 1);
        let (method, params) = match program {
            Some(p) => {
                let owner = p.owners[(n / PROGRAM_ACCOUNTS_EVERY) as usize % p.owners.len().max(1)];
                let filters = json!([
                    { "dataSize": p.data_size },
                    { "memcmp": { "offset": p.owner_offset, "bytes": owner.to_string() } },
                ]);
                ("getProgramAccounts", json!([p.program.to_string(), { "encoding": "base64", "filters": filters }]))
            }
            None => {
                let account = targets.accounts[n as usize % targets.accounts.len()];
                ("getAccountInfo", json!([account.to_string(), { "encoding": "base64" }]))
            }
        };
        let sent = Instant::now();
        let answered = client.call(method, params);
        let micros = sent.elapsed().as_secs_f64() * 1e6;
        match answered {
            Ok(_) if program.is_some() => mine.program_us.push(micros),
            Ok(_) => mine.account_us.push(micros),
            Err(_) => {
                mine.errors += 1;
                // A dropped connection: reconnect, or stop reading.
                match RpcClient::connect(client.address()) {
                    Ok(fresh) => client = fresh,
                    Err(_) => break,
                }
            }
        }
    }
    let mut tally = tally.lock();
    tally.account_us.append(&mut mine.account_us);
    tally.program_us.append(&mut mine.program_us);
    tally.errors += mine.errors;
}
