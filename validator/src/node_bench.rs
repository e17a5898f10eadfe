//! `lanes-bench node`: the validator's own targets, measured on the real
//! binary — time from start to a healthy RPC (fresh ledger and warm), to
//! the first transaction finalized, the idle node's CPU and resident
//! memory, and `getAccountInfo` latency at rest over a keep-alive
//! connection.
//!
//! Never: bind anything but loopback, or leave the validator or its
//! temporary ledger behind (both are removed on every path out).

use crate::rpc_client::RpcClient as Client;
use serde::Serialize;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What `lanes-bench node` measured.
#[derive(Debug, Clone, Serialize)]
pub struct NodeReport {
    /// Spawn to the first `getHealth` answering `ok`, on a new ledger.
    pub fresh_start_to_healthy_ms: f64,
    /// Spawn to an airdrop requested at once being finalized, new ledger.
    pub fresh_start_to_first_finalized_ms: f64,
    /// The same two on the ledger just made (a restart).
    pub warm_start_to_healthy_ms: f64,
    pub warm_start_to_first_finalized_ms: f64,
    /// Share of one core the idle node used over `idle_seconds`.
    pub idle_cpu_percent: f64,
    pub idle_seconds: f64,
    /// Resident memory of the idle node.
    pub idle_rss_mb: f64,
    /// `getAccountInfo` of a program account, one keep-alive connection.
    pub get_account_info_requests: usize,
    pub get_account_info_p50_us: f64,
    pub get_account_info_p99_us: f64,
    pub get_account_info_max_us: f64,
}

/// A validator started for measuring; killed and its ledger removed on drop.
struct Spawned {
    child: Child,
    address: String,
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(validator: &Path, ledger: &Path) -> Result<(Spawned, Instant), String> {
    let started = Instant::now();
    let mut child = Command::new(validator)
        .args(["--ledger", &ledger.display().to_string(), "--rpc-port", "0", "--quiet"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", validator.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut address = None;
    for line in lines.by_ref() {
        let line = line.map_err(|e| e.to_string())?;
        if let Some(url) = line.strip_prefix("JSON RPC URL: http://") {
            address = Some(url.to_string());
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    let address = address.ok_or("the validator printed no RPC URL")?;
    Ok((Spawned { child, address }, started))
}

/// Poll `getHealth` until `ok` (bounded); when it was.
fn wait_healthy(address: &str, deadline: Instant) -> Result<Instant, String> {
    loop {
        if let Ok(mut client) = Client::connect(address) {
            if client.call("getHealth", json!([])).ok() == Some(json!("ok")) {
                return Ok(Instant::now());
            }
        }
        if Instant::now() > deadline {
            return Err("the validator never became healthy".into());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Request an airdrop and poll until it is finalized; when it was.
fn first_finalized(address: &str, deadline: Instant) -> Result<Instant, String> {
    let mut client = Client::connect(address)?;
    let key = lanes_sdk::client::Keypair::new().pubkey().to_string();
    let signature = client.call("requestAirdrop", json!([key, 1_000_000_000u64]))?;
    loop {
        let status = client.call("getSignatureStatuses", json!([[signature]]))?;
        if status["value"][0]["confirmationStatus"] == "finalized" {
            return Ok(Instant::now());
        }
        if Instant::now() > deadline {
            return Err("the first airdrop was never finalized".into());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Ticks of CPU (user + system) the process has used.
fn cpu_ticks(pid: u32) -> Result<u64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?;
    // Fields after the parenthesized command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map(|(_, rest)| rest).ok_or("unreadable /proc stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).ok_or("unreadable /proc stat");
    Ok(field(11)? + field(12)?)
}

fn rss_mb(pid: u32) -> Result<f64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or("no VmRSS")?;
    Ok(kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Measure `validator` (the `lanes-validator` binary) on a scratch ledger under `dir`.
pub fn run_node_bench(validator: &Path, dir: &Path, idle_seconds: u64, requests: usize) -> Result<NodeReport, String> {
    let ledger: PathBuf = dir.join(format!("lanes-node-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&ledger);
    let result = measure(validator, &ledger, idle_seconds, requests);
    let _ = std::fs::remove_dir_all(&ledger);
    result
}

fn measure(validator: &Path, ledger: &Path, idle_seconds: u64, requests: usize) -> Result<NodeReport, String> {
    let ms = |from: Instant, to: Instant| to.duration_since(from).as_secs_f64() * 1e3;
    let (fresh, started) = spawn(validator, ledger)?;
    let healthy = wait_healthy(&fresh.address, started + Duration::from_secs(60))?;
    let finalized = first_finalized(&fresh.address, started + Duration::from_secs(60))?;
    let (fresh_healthy, fresh_finalized) = (ms(started, healthy), ms(started, finalized));
    drop(fresh);

    let (node, started) = spawn(validator, ledger)?;
    let healthy = wait_healthy(&node.address, started + Duration::from_secs(60))?;
    let finalized = first_finalized(&node.address, started + Duration::from_secs(60))?;
    let (warm_healthy, warm_finalized) = (ms(started, healthy), ms(started, finalized));

    // Idle: nothing sent for a while, then its CPU over the window.
    std::thread::sleep(Duration::from_secs(2));
    let pid = node.child.id();
    // SAFETY: sysconf reads a constant of the system; it has no preconditions.
    let ticks_per_second = unsafe { libc_sysconf_clk_tck() };
    let before = cpu_ticks(pid)?;
    let window = Instant::now();
    std::thread::sleep(Duration::from_secs(idle_seconds));
    let used = cpu_ticks(pid)?.saturating_sub(before) as f64 / ticks_per_second;
    let idle_cpu_percent = used / window.elapsed().as_secs_f64() * 100.0;
    let idle_rss_mb = rss_mb(pid)?;

    let mut client = Client::connect(&node.address)?;
    let token = lanes_token::ID.to_string();
    for _ in 0..100 {
        client.call("getAccountInfo", json!([token, { "encoding": "base64" }]))?;
    }
    let mut latencies = Vec::with_capacity(requests);
    for _ in 0..requests {
        let sent = Instant::now();
        client.call("getAccountInfo", json!([token, { "encoding": "base64" }]))?;
        latencies.push(sent.elapsed().as_secs_f64() * 1e6);
    }
    latencies.sort_by(f64::total_cmp);
    Ok(NodeReport {
        fresh_start_to_healthy_ms: fresh_healthy,
        fresh_start_to_first_finalized_ms: fresh_finalized,
        warm_start_to_healthy_ms: warm_healthy,
        warm_start_to_first_finalized_ms: warm_finalized,
        idle_cpu_percent,
        idle_seconds: idle_seconds as f64,
        idle_rss_mb,
        get_account_info_requests: requests,
        get_account_info_p50_us: percentile(&latencies, 0.50),
        get_account_info_p99_us: percentile(&latencies, 0.99),
        get_account_info_max_us: latencies.last().copied().unwrap_or(0.0),
    })
}

/// Clock ticks per second (`sysconf(_SC_CLK_TCK)`), which /proc's CPU times count.
unsafe fn libc_sysconf_clk_tck() -> f64 {
    extern "C" {
        fn sysconf(name: i32) -> i64;
    }
    // _SC_CLK_TCK is 2 on Linux.
    let ticks = sysconf(2);
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

impl std::fmt::Display for NodeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "start → healthy RPC     fresh {:.0} ms, warm {:.0} ms",
            self.fresh_start_to_healthy_ms, self.warm_start_to_healthy_ms
        )?;
        writeln!(
            f,
            "start → first finalized fresh {:.0} ms, warm {:.0} ms",
            self.fresh_start_to_first_finalized_ms, self.warm_start_to_first_finalized_ms
        )?;
        writeln!(
            f,
            "idle                    {:.2} % of a core over {:.0} s, {:.0} MB resident",
            self.idle_cpu_percent, self.idle_seconds, self.idle_rss_mb
        )?;
        writeln!(
            f,
            "getAccountInfo at rest  p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs ({} requests, one keep-alive connection)",
            self.get_account_info_p50_us,
            self.get_account_info_p99_us,
            self.get_account_info_max_us,
            self.get_account_info_requests
        )
    }
}
