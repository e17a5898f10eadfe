//! A real process is killed with SIGKILL while it commits slots (with
//! background write-back and compaction running); each reopen must hold
//! every slot the child reported committed, and nothing else: exactly the
//! model's state at the reported slot, or at the next one if the kill came
//! after the commit but before the report.
//!
//! The child is this test binary, started with `LANES_STORE_KILL_CHILD` set
//! to the store's directory and told to run only [`child_entry`].
//! Bounded by default (a few rounds); `LANES_SOAK=1` runs many more.

use crate::common::*;
use lanes_runtime::store::mmap::{MmapAccountStore, StoreConfig};
use lanes_runtime::store::AccountStore;
use lanes_sdk::{Account, Pubkey};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "LANES_STORE_KILL_CHILD";
const KEYS: u64 = 600;
const THREADS: u64 = 2;

fn config() -> StoreConfig {
    StoreConfig {
        file_capacity: 128 << 10,
        writers: 2,
        flush_bytes: 32 << 10,
        compact_below: 0.6,
        ..StoreConfig::default()
    }
}

/// What writer thread `t` stores in `slot`, batch by batch. Threads own
/// disjoint keys, so the final state does not depend on their interleaving.
fn slot_batches(slot: u64, t: u64) -> Vec<Vec<(Pubkey, Account)>> {
    let mut rng = Rng(slot.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ t);
    (0..20)
        .map(|_| {
            (0..1 + rng.below(3))
                .map(|_| {
                    let k = rng.below(KEYS / THREADS) * THREADS + t;
                    let lamports = if rng.below(8) == 0 { 0 } else { slot * 1000 + rng.below(1000) + 1 };
                    (key(k), account(lamports, rng.below(400) as usize, rng.next()))
                })
                .collect()
        })
        .collect()
}

/// The model, advanced slot by slot.
struct Replay {
    slot: u64,
    state: Model,
}

impl Replay {
    fn at(&mut self, slot: u64) -> &Model {
        assert!(slot >= self.slot, "the store went back from slot {} to {slot}", self.slot);
        while self.slot < slot {
            self.slot += 1;
            for t in 0..THREADS {
                for batch in slot_batches(self.slot, t) {
                    apply(&mut self.state, &batch);
                }
            }
        }
        &self.state
    }
}

/// The child: open, continue after the committed slot, report each commit.
#[test]
fn child_entry() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = MmapAccountStore::open(&dir, config()).expect("child open");
    let mut out = std::io::stdout().lock();
    let mut slot = store.committed_slot().unwrap_or(0);
    loop {
        slot += 1;
        std::thread::scope(|s| {
            for t in 0..THREADS {
                let store = &store;
                s.spawn(move || {
                    for batch in slot_batches(slot, t) {
                        store.store(slot, &batch).expect("child store");
                    }
                });
            }
        });
        store.commit_slot(slot).expect("child commit");
        writeln!(out, "committed {slot}").and_then(|()| out.flush()).expect("report");
        if slot.is_multiple_of(10) {
            writeln!(out, "compacted {}", store.stats().compaction.files).and_then(|()| out.flush()).expect("report");
        }
    }
}

#[test]
fn killed_child_keeps_every_reported_slot() {
    let rounds = if soak() { 150 } else { 6 };
    let dir = TempDir::new("kill");
    let exe = std::env::current_exe().unwrap();
    let mut replay = Replay { slot: 0, state: Model::new() };
    let mut verified = 0u64;
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let mut rng = Rng(seed);
    let mut total_compactions = 0;
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args(["kill::child_entry", "--exact", "--nocapture", "--test-threads", "1"])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut compacted = 0u64;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("committed ").and_then(|n| n.parse::<u64>().ok()) {
                    let _ = tx.send(n);
                } else if let Some(n) = line.strip_prefix("compacted ").and_then(|n| n.parse::<u64>().ok()) {
                    compacted = compacted.max(n);
                }
            }
            compacted
        });
        // Wait for the first report (the child has opened), then kill at a
        // random moment.
        let first = rx.recv_timeout(Duration::from_secs(60)).expect("the child reports a commit");
        let delay = Duration::from_millis(20 + rng.below(400));
        let until = Instant::now() + delay;
        let mut reported = first;
        while let Ok(n) = rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
            reported = n;
            if Instant::now() >= until {
                break;
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("round {round}: the child died on its own ({status}); see its stderr above");
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        total_compactions += reader.join().unwrap();
        while let Ok(n) = rx.try_recv() {
            reported = n;
        }
        assert!(reported > verified, "round {round}: the child reported nothing new");

        let store = MmapAccountStore::open(dir.path(), config())
            .unwrap_or_else(|e| panic!("round {round} (seed {seed}): reopen after SIGKILL failed: {e}"));
        let slot = store.committed_slot().expect("a committed slot");
        assert!(
            slot == reported || slot == reported + 1,
            "round {round} (seed {seed}): reopened at slot {slot}, the child reported {reported}"
        );
        let expected = sorted(replay.at(slot));
        let found = store.accounts();
        if found != expected {
            let found: Model = found.into_iter().collect();
            let expected_map: Model = expected.iter().cloned().collect();
            let differing: Vec<String> = found
                .keys()
                .chain(expected_map.keys())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .filter(|k| found.get(k) != expected_map.get(k))
                .take(5)
                .map(|k| {
                    let show = |a: Option<&Account>| a.map(|a| (a.lamports, a.data.len()));
                    format!("{k}: store {:?}, model {:?}", show(found.get(k)), show(expected_map.get(k)))
                })
                .collect();
            panic!("round {round} (seed {seed}): state at slot {slot} differs from the model: {differing:?}");
        }
        assert_eq!(store.len(), expected.len());
        verified = slot;
    }
    // The kills landed while compaction was running, not only around it.
    assert!(total_compactions > 0, "no compaction ran in the child");
}
