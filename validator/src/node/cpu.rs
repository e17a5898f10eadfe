//! Where the node's CPU goes, by stage: `lanesGetStageCpu`, `lanes-bench
//! remote`'s report, and later the explorer's dashboard.
//!
//! | stage | whose CPU |
//! |---|---|
//! | `receive` | the UDP port's thread (`lanes-tpu`) |
//! | `verify` | the threads that sanitize and verify signatures (they charge themselves: `lanes_runtime::cpu`) |
//! | `schedule` | the banking thread (`lanes-banking`): deduplication, the scheduler, freezing and hashing the slot — less its part of `commit` |
//! | `execute` | the scheduler's workers (they charge themselves) |
//! | `commit` | preparing and finishing each slot's store commit, and the store's flush and compaction threads |
//! | `ledger` | the ledger thread (`lanes-ledger`) less its part of `commit` |
//! | `rpc` | JSON-RPC's threads (`lanes-rpc`, `lanes-rpc-io`) |
//! | `pubsub` | the WebSocket server's thread (`lanes-pubsub`) |
//! | `other` | the rest of the process: startup, the status line, threads that have ended unnamed |
//!
//! Long-lived threads are read from `/proc/self/task/*/stat` by name (in
//! clock ticks, 10 ms on Linux) when asked; nothing here runs on the hot
//! path but two clock reads around each commit half.
//!
//! Never: fail the caller where `/proc` cannot be read (the stages it
//! cannot see read 0 and the rest lands in `other`).

use lanes_runtime::cpu::{charged_ns, BatchStage};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// CPU the node's own code charges to `commit` from threads whose total
/// is read by name (so it can be taken out of theirs).
#[derive(Debug, Default)]
pub struct CommitCpu {
    /// Preparing store commits, on the banking thread.
    pub on_banking_ns: AtomicU64,
    /// Finishing store commits, on the ledger thread.
    pub on_ledger_ns: AtomicU64,
}

/// CPU seconds since the node started, by stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StageCpu {
    pub receive: f64,
    pub verify: f64,
    pub schedule: f64,
    pub execute: f64,
    pub commit: f64,
    pub ledger: f64,
    pub rpc: f64,
    pub pubsub: f64,
    pub other: f64,
    /// The whole process (every stage and `other`).
    pub total: f64,
}

impl StageCpu {
    /// The stages as (name, seconds), in pipeline order, `other` and `total` last.
    pub fn stages(&self) -> [(&'static str, f64); 10] {
        [
            ("receive", self.receive),
            ("verify", self.verify),
            ("schedule", self.schedule),
            ("execute", self.execute),
            ("commit", self.commit),
            ("ledger", self.ledger),
            ("rpc", self.rpc),
            ("pubsub", self.pubsub),
            ("other", self.other),
            ("total", self.total),
        ]
    }

    /// What was spent between `earlier` and this reading.
    pub fn since(&self, earlier: &StageCpu) -> StageCpu {
        let d = |now: f64, then: f64| (now - then).max(0.0);
        StageCpu {
            receive: d(self.receive, earlier.receive),
            verify: d(self.verify, earlier.verify),
            schedule: d(self.schedule, earlier.schedule),
            execute: d(self.execute, earlier.execute),
            commit: d(self.commit, earlier.commit),
            ledger: d(self.ledger, earlier.ledger),
            rpc: d(self.rpc, earlier.rpc),
            pubsub: d(self.pubsub, earlier.pubsub),
            other: d(self.other, earlier.other),
            total: d(self.total, earlier.total),
        }
    }
}

/// Read the stages now.
pub fn stage_cpu(commit: &CommitCpu) -> StageCpu {
    let ticks = ticks_per_second();
    let seconds = |ticks_used: u64| ticks_used as f64 / ticks;
    let mut named = Named::default();
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            if let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) {
                if let Some((name, used)) = parse_stat(&stat) {
                    named.add(&name, used);
                }
            }
        }
    }
    let ns = |n: u64| n as f64 / 1e9;
    let on_banking = ns(commit.on_banking_ns.load(Relaxed));
    let on_ledger = ns(commit.on_ledger_ns.load(Relaxed));
    let mut cpu = StageCpu {
        receive: seconds(named.receive),
        verify: ns(charged_ns(BatchStage::Verify)),
        schedule: (seconds(named.banking) - on_banking).max(0.0),
        execute: ns(charged_ns(BatchStage::Execute)),
        commit: seconds(named.store) + on_banking + on_ledger,
        ledger: (seconds(named.ledger) - on_ledger).max(0.0),
        rpc: seconds(named.rpc),
        pubsub: seconds(named.pubsub),
        other: 0.0,
        total: process_cpu_seconds().unwrap_or(0.0),
    };
    let attributed =
        cpu.receive + cpu.verify + cpu.schedule + cpu.execute + cpu.commit + cpu.ledger + cpu.rpc + cpu.pubsub;
    cpu.other = (cpu.total - attributed).max(0.0);
    cpu
}

/// This process's CPU seconds so far, every thread, ended ones included.
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_stat(&stat).map(|(_, ticks)| ticks as f64 / ticks_per_second())
}

/// Clock ticks of the long-lived threads, by name.
#[derive(Default)]
struct Named {
    receive: u64,
    banking: u64,
    ledger: u64,
    store: u64,
    rpc: u64,
    pubsub: u64,
}

impl Named {
    fn add(&mut self, name: &str, ticks: u64) {
        // Names are cut to 15 bytes by the kernel.
        let slot = match name {
            "lanes-tpu" => &mut self.receive,
            "lanes-banking" => &mut self.banking,
            "lanes-ledger" => &mut self.ledger,
            n if n.starts_with("lanes-store-") => &mut self.store,
            n if n.starts_with("lanes-rpc") => &mut self.rpc,
            n if n.starts_with("lanes-pubsub") => &mut self.pubsub,
            // Batch threads (`lanes-verify`, `lanes-sanitize`, `lanes-worker-N`)
            // charge themselves when they end; the rest is `other`.
            _ => return,
        };
        *slot += ticks;
    }
}

/// `(name, utime + stime)` from a `/proc/…/stat` line; the name may hold
/// spaces and parentheses, so the fields are read after its last `)`.
fn parse_stat(stat: &str) -> Option<(String, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_string();
    let fields: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    // Fields 14 and 15 of stat(5); the first after the name is field 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf reads a constant of the system; no memory is passed.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_parse_with_awkward_names() {
        let line = "4242 (lanes (odd) name) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0 1 0 100 0 0";
        assert_eq!(parse_stat(line), Some(("lanes (odd) name".into(), 175)));
        assert_eq!(parse_stat("garbage"), None);
        assert_eq!(parse_stat("1 (x) S 1"), None);
    }

    #[test]
    fn a_named_thread_is_read_by_its_stage() {
        let (spun, spun_rx) = std::sync::mpsc::channel();
        let (release, release_rx) = std::sync::mpsc::channel::<()>();
        let spinner = std::thread::Builder::new()
            .name("lanes-rpc-test".into())
            .spawn(move || {
                // Until this thread has had 80 ms of CPU, however busy the machine.
                let started = lanes_runtime::cpu::thread_cpu_ns();
                let mut x = 0u64;
                while lanes_runtime::cpu::thread_cpu_ns() - started < 80_000_000 {
                    x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                }
                spun.send(()).unwrap();
                let _ = release_rx.recv();
            })
            .unwrap();
        spun_rx.recv().unwrap();
        let cpu = stage_cpu(&CommitCpu::default());
        release.send(()).unwrap();
        spinner.join().unwrap();
        // The 80 ms spun, in 10 ms ticks.
        assert!(cpu.rpc >= 0.06, "{cpu:?}");
        assert!(cpu.total >= cpu.rpc, "{cpu:?}");
    }
}
