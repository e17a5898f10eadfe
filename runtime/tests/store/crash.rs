//! Crash tests in the style of redb's: run a small workload on the
//! simulated disk, crash it at its Nth write or sync — for every N — and
//! reopen what a power cut would have left (only synced bytes, everything
//! written, or a random mix of torn pages). Each reopen must hold exactly
//! the model's state at the last acknowledged commit, or at the commit that
//! was in flight when the crash hit; then the recovered store must go on
//! working.

use crate::common::*;
use lanes_runtime::store::mmap::{MmapAccountStore, SimBackend, StoreConfig, Tear};
use lanes_runtime::store::{AccountStore, PreparedCommit};
use lanes_sdk::{Account, Pubkey};

/// One step of a workload.
#[derive(Clone)]
enum Step {
    Store(u64, Vec<(Pubkey, Account)>),
    Commit(u64),
    Compact,
    /// The first half of a commit ([`AccountStore::prepare_commit_slot`]).
    Prepare(u64),
    /// The second half of the prepared commit.
    Finish,
}

/// A workload: `slots` slots of a few small batches over `keys` keys, with
/// deletions, and compactions every few slots. Files of `capacity` bytes so
/// that rollovers and compactions happen within a few dozen records.
fn workload(seed: u64, slots: u64, keys: u64) -> Vec<Step> {
    workload_with(seed, slots, keys, 5)
}

/// As [`workload`], deleting one write in `delete_one_in`.
fn workload_with(seed: u64, slots: u64, keys: u64, delete_one_in: u64) -> Vec<Step> {
    let mut rng = Rng(seed);
    let mut steps = Vec::new();
    for slot in 1..=slots {
        for _ in 0..1 + rng.below(4) {
            let batch: Vec<_> = (0..1 + rng.below(3))
                .map(|_| {
                    let k = rng.below(keys);
                    let lamports = if rng.below(delete_one_in) == 0 { 0 } else { 1 + rng.below(1_000_000) };
                    (key(k), account(lamports, rng.below(300) as usize, rng.next()))
                })
                .collect();
            steps.push(Step::Store(slot, batch));
        }
        steps.push(Step::Commit(slot));
        if slot % 3 == 0 {
            steps.push(Step::Compact);
        }
    }
    steps
}

/// As [`workload_with`], committing as the validator's pipeline does: slot
/// N's commit prepared, slot N+1 stored, a compaction, N's commit
/// finished, another compaction, N+1 prepared.
fn pipelined_workload(seed: u64, slots: u64, keys: u64, delete_one_in: u64) -> Vec<Step> {
    let mut steps = Vec::new();
    for step in workload_with(seed, slots, keys, delete_one_in) {
        match step {
            Step::Commit(slot) => {
                if slot > 1 {
                    steps.push(Step::Compact);
                    steps.push(Step::Finish);
                    steps.push(Step::Compact);
                }
                steps.push(Step::Prepare(slot));
            }
            Step::Compact => {}
            other => steps.push(other),
        }
    }
    steps.push(Step::Finish);
    steps
}

fn config() -> StoreConfig {
    StoreConfig { compact_below: 0.7, ..deterministic_config(2048) }
}

/// Run `steps` until the first error. Returns the model at the last
/// acknowledged commit (with its slot), and the model the in-flight commit
/// would have made, if the run stopped inside a commit.
#[allow(clippy::type_complexity)]
fn run(
    store: &MmapAccountStore,
    steps: &[Step],
    start: (Model, Option<u64>),
) -> ((Model, Option<u64>), Option<(Model, u64)>) {
    let (mut live, mut acked) = (start.0.clone(), start);
    let mut pending: Option<(Box<dyn PreparedCommit>, Model, u64)> = None;
    for step in steps {
        match step {
            Step::Prepare(slot) => match store.prepare_commit_slot(*slot) {
                Ok(prepared) => pending = Some((prepared, live.clone(), *slot)),
                Err(_) => return (acked, Some((live, *slot))),
            },
            Step::Finish => {
                let (prepared, model, slot) = pending.take().expect("a Finish follows a Prepare");
                if prepared.finish().is_err() {
                    return (acked, Some((model, slot)));
                }
                acked = (model, Some(slot));
            }
            Step::Store(slot, batch) => {
                if store.store(*slot, batch).is_err() {
                    return (acked, None);
                }
                apply(&mut live, batch);
            }
            Step::Commit(slot) => {
                if store.commit_slot(*slot).is_err() {
                    return (acked, Some((live, *slot)));
                }
                acked = (live.clone(), Some(*slot));
            }
            Step::Compact => {
                if store.compact().is_err() {
                    return (acked, None);
                }
            }
        }
    }
    (acked, None)
}

/// Crash `steps` at every operation, reopen under each tear mode, check,
/// continue with `after`, reopen again and check.
fn crash_everywhere(seed: u64, steps: &[Step], after: &[Step]) -> u64 {
    let clean = SimBackend::new();
    {
        let store = MmapAccountStore::open_sim(&clean, config()).unwrap();
        let ((model, slot), inflight) = run(&store, steps, (Model::new(), None));
        assert!(inflight.is_none());
        assert_eq!(store.accounts(), sorted(&model));
        assert_eq!(store.committed_slot(), slot);
    }
    let total = clean.ops();
    let mut reopens = 0;
    for n in 1..=total {
        let sim = SimBackend::new();
        sim.set_crash_at(Some(n));
        let (acked, inflight) = {
            let Ok(store) = MmapAccountStore::open_sim(&sim, config()) else {
                // Crashed while creating the store: nothing was acknowledged.
                for tear in [Tear::Synced, Tear::Everything, Tear::Random(seed ^ n)] {
                    let image = sim.crash_image(tear);
                    let store = MmapAccountStore::open_sim(&image, config())
                        .unwrap_or_else(|e| panic!("seed {seed} crash at op {n} ({tear:?}) during creation: {e}"));
                    assert!(store.accounts().is_empty());
                }
                continue;
            };
            run(&store, steps, (Model::new(), None))
        };
        assert!(sim.crashed(), "seed {seed}: op {n} of {total} never came");
        let log = sim.op_log();
        for tear in [Tear::Synced, Tear::Everything, Tear::Random(seed.wrapping_mul(1_000_003) ^ n)] {
            let image = sim.crash_image(tear);
            let store = MmapAccountStore::open_sim(&image, config()).unwrap_or_else(|e| {
                panic!("seed {seed}, crash at op {n} ({:?}), {tear:?}: reopen failed: {e}", log.last())
            });
            reopens += 1;
            let got = store.accounts();
            let slot = store.committed_slot();
            let (model, at) = if slot == acked.1 {
                (&acked.0, acked.1)
            } else {
                match &inflight {
                    Some((m, s)) if slot == Some(*s) => (m, Some(*s)),
                    _ => panic!(
                        "seed {seed}, crash at op {n} ({:?}), {tear:?}: reopened at slot {slot:?}, acknowledged {:?}, in flight {:?}",
                        log.last(),
                        acked.1,
                        inflight.as_ref().map(|i| i.1)
                    ),
                }
            };
            assert!(
                got == sorted(model),
                "seed {seed}, crash at op {n} ({:?}), {tear:?}: state differs from the model at slot {at:?}: {}",
                log.last(),
                diff(&got, model)
            );
            assert_eq!(store.len(), model.len());
            // The recovered store goes on: more slots, a reopen, the same state.
            let start = (model.clone(), at);
            let after: Vec<Step> = after
                .iter()
                .map(|s| match s {
                    Step::Store(slot, b) => Step::Store(slot + at.unwrap_or(0), b.clone()),
                    Step::Commit(slot) => Step::Commit(slot + at.unwrap_or(0)),
                    Step::Compact => Step::Compact,
                    Step::Prepare(slot) => Step::Prepare(slot + at.unwrap_or(0)),
                    Step::Finish => Step::Finish,
                })
                .collect();
            let ((model2, slot2), inflight2) = run(&store, &after, start);
            assert!(inflight2.is_none(), "seed {seed}, op {n}, {tear:?}: {:?}", store.poisoned());
            drop(store);
            let store = MmapAccountStore::open_sim(&image, config()).unwrap();
            assert_eq!(store.committed_slot(), slot2);
            assert!(store.accounts() == sorted(&model2), "seed {seed}, op {n}, {tear:?}: continuation differs");
        }
    }
    reopens
}

/// The first difference between a store's accounts and a model, for messages.
fn diff(got: &[(Pubkey, Account)], model: &Model) -> String {
    let got: Model = got.iter().cloned().collect();
    for k in got.keys().chain(model.keys()) {
        let (a, b) = (got.get(k), model.get(k));
        if a != b {
            return format!("key {k}: store has {:?}, model has {:?}", a.map(|a| a.lamports), b.map(|b| b.lamports));
        }
    }
    "no difference".into()
}

#[test]
fn crash_at_every_write_and_sync() {
    let seeds = if soak() { 0..64 } else { 0..3 };
    for seed in seeds {
        let steps = workload(seed, 10, 12);
        let after = workload(seed + 1000, 3, 12);
        let reopens = crash_everywhere(seed, &steps, &after);
        assert!(reopens > 100, "seed {seed}: only {reopens} crash points");
    }
}

/// Few keys, many deletions: files fill with dead versions and tombstones,
/// so many crash points fall inside compactions, some of which drop
/// tombstones.
#[test]
fn crash_during_compaction() {
    let seeds = if soak() { 100..132 } else { 100..102 };
    for seed in seeds {
        let steps = workload_with(seed, 14, 6, 3);
        let after = workload(seed + 1000, 2, 6);
        crash_everywhere(seed, &steps, &after);
    }
}

/// Commits in two halves with the next slot's stores between them: every
/// crash recovers exactly the last finished slot (the next slot's stores
/// never leak into it), or the one being finished.
#[test]
fn crash_with_pipelined_commits() {
    let seeds = if soak() { 200..232 } else { 200..202 };
    for seed in seeds {
        let steps = pipelined_workload(seed, 12, 8, 4);
        let after = pipelined_workload(seed + 1000, 3, 8, 4);
        let reopens = crash_everywhere(seed, &steps, &after);
        assert!(reopens > 100, "seed {seed}: only {reopens} crash points");
    }
}

/// The pipelined workload's compactions run between the halves of a
/// commit too, so the crash points above fall inside them.
#[test]
fn the_pipelined_workload_compacts_between_the_halves() {
    let sim = SimBackend::new();
    let store = MmapAccountStore::open_sim(&sim, config()).unwrap();
    run(&store, &pipelined_workload(200, 12, 8, 4), (Model::new(), None));
    assert!(store.stats().compaction.files > 0, "{:?}", store.stats().compaction);
}

/// The crash points above do fall inside compactions, and compactions drop
/// tombstones: the workload exercises what it claims to.
#[test]
fn the_crash_workloads_compact() {
    let sim = SimBackend::new();
    let store = MmapAccountStore::open_sim(&sim, config()).unwrap();
    run(&store, &workload_with(100, 14, 6, 3), (Model::new(), None));
    let c = store.stats().compaction;
    assert!(c.files > 3 && c.records_copied > 0 && c.tombstones_dropped > 0, "{c:?}");
}
