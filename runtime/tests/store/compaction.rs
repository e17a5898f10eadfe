//! Compaction: it gives back the space of old versions and closed accounts,
//! drops tombstones once nothing older remains, keeps the state identical
//! (before and after a reopen), runs in the background while slots are
//! written and committed, and never pulls bytes from under a reader.

use crate::common::*;
use lanes_runtime::store::mmap::{MmapAccountStore, StoreConfig};
use lanes_runtime::store::AccountStore;
use lanes_sdk::{Account, Pubkey};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Store `updates` in `slot`, commit it, and follow in `model`.
fn store_and_commit(store: &MmapAccountStore, model: &mut Model, slot: u64, updates: &[(Pubkey, Account)]) {
    store.store(slot, updates).unwrap();
    apply(model, updates);
    store.commit_slot(slot).unwrap();
}

/// Compact until nothing qualifies; how many runs that took (fewer than `limit`).
fn compact_until_done(store: &MmapAccountStore, limit: usize) -> usize {
    let mut runs = 0;
    while store.compact().unwrap().is_some() {
        runs += 1;
        assert!(runs < limit, "compaction does not converge: {:?}", store.stats());
    }
    runs
}

#[test]
fn compaction_reclaims_old_versions_and_closed_accounts() {
    let dir = TempDir::new("compact");
    let config = StoreConfig { compact_below: 0.5, ..deterministic_config(16 << 10) };
    let store = MmapAccountStore::open(dir.path(), config.clone()).unwrap();
    let mut model = Model::new();
    let mut slot = 0;
    // 100 accounts, each rewritten 20 times; then half of them closed; then
    // fresh writes so that the files holding the tombstones fill and seal.
    for round in 0..20u64 {
        slot += 1;
        let updates: Vec<_> = (0..100).map(|i| (key(i), account(round * 1000 + i + 1, 120, round + i))).collect();
        store.store(slot, &updates).unwrap();
        apply(&mut model, &updates);
        store.commit_slot(slot).unwrap();
    }
    slot += 1;
    let closes: Vec<_> = (0..50).map(|i| (key(i * 2), Account::default())).collect();
    store.store(slot, &closes).unwrap();
    apply(&mut model, &closes);
    store.commit_slot(slot).unwrap();
    for round in 0..6u64 {
        slot += 1;
        let updates: Vec<_> = (1..50).map(|i| (key(i * 2 + 1), account(round + 7, 120, round * i))).collect();
        store.store(slot, &updates).unwrap();
        apply(&mut model, &updates);
        store.commit_slot(slot).unwrap();
    }
    let before = store.stats();
    compact_until_done(&store, 100);
    let after = store.stats();
    assert!(after.used_bytes * 3 < before.used_bytes, "before {before:?}\nafter {after:?}");
    assert!(after.files < before.files);
    assert!(after.compaction.tombstones_dropped > 0, "{after:?}");
    assert!(after.index_entries < before.index_entries, "dropped tombstones leave the index");
    assert_eq!(store.accounts(), sorted(&model));
    assert_eq!(store.len(), model.len());
    // No compaction output is lost or resurrects anything on reopen.
    drop(store);
    let store = MmapAccountStore::open(dir.path(), config).unwrap();
    assert_eq!(store.accounts(), sorted(&model));
    assert_eq!(store.stats().index_entries, after.index_entries);
}

#[test]
fn a_reader_keeps_its_bytes_while_the_file_is_compacted_away() {
    let dir = TempDir::new("reader");
    let store = MmapAccountStore::open(dir.path(), StoreConfig { compact_below: 0.9, ..deterministic_config(8 << 10) })
        .unwrap();
    let a = account(5, 3000, 3);
    store.store(1, &[(key(1), a.clone())]).unwrap();
    for i in 0..10 {
        store.store(1, &[(key(2), account(i + 1, 3000, i))]).unwrap();
    }
    store.commit_slot(1).unwrap();
    let view = store.get_ref(&key(1)).unwrap();
    compact_until_done(&store, 20);
    assert!(store.stats().compaction.files > 0);
    assert_eq!(view.to_account(), a);
    assert_eq!(store.get(&key(1)), Some(a));
}

/// Two writers store and the main thread commits slots for a while with
/// small files and the background threads on: compaction runs during the
/// writes, and the state (live and reopened) is the model's.
#[test]
fn background_compaction_while_slots_are_committed() {
    let dir = TempDir::new("background");
    let config = StoreConfig {
        file_capacity: 64 << 10,
        writers: 2,
        flush_bytes: 16 << 10,
        compact_below: 0.6,
        ..StoreConfig::default()
    };
    let store = Arc::new(MmapAccountStore::open(dir.path(), config.clone()).unwrap());
    let mut model = Model::new();
    let slots = if soak() { 3000 } else { 300 };
    let stop = AtomicBool::new(false);
    // Readers hammer the store meanwhile; every read must be a version that
    // was written (never garbage).
    /// Stops the reader even if a writer panics (else the scope never ends).
    struct StopOnDrop<'a>(&'a AtomicBool);
    impl Drop for StopOnDrop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    std::thread::scope(|s| {
        let _stop_reader = StopOnDrop(&stop);
        let reader = s.spawn(|| {
            let mut reads = 0u64;
            while !stop.load(Ordering::Relaxed) {
                for k in 0..200 {
                    if let Some(a) = store.get(&key(k)) {
                        assert_eq!(a.data.len() as u64 % 7, a.lamports % 7, "a torn read of key {k}");
                        reads += 1;
                    }
                }
            }
            reads
        });
        for slot in 1..=slots {
            let batches: Vec<Vec<_>> = (0..2u64)
                .map(|t| {
                    let mut rng = Rng(slot * 2 + t);
                    (0..30)
                        .map(|_| {
                            let k = rng.below(100) * 2 + t;
                            let lamports = if rng.below(10) == 0 { 0 } else { 7 * rng.below(1000) + rng.below(7) + 1 };
                            (key(k), account(lamports, (lamports % 7 + 7 * rng.below(40)) as usize, rng.next()))
                        })
                        .collect()
                })
                .collect();
            std::thread::scope(|w| {
                for batch in &batches {
                    let store = &store;
                    w.spawn(move || {
                        for u in batch.chunks(2) {
                            store.store(slot, u).unwrap();
                        }
                    });
                }
            });
            for batch in &batches {
                apply(&mut model, batch);
            }
            store.commit_slot(slot).unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    });
    let stats = store.stats();
    assert!(stats.compaction.files > 0, "{stats:?}");
    assert_eq!(store.accounts(), sorted(&model));
    let store = Arc::into_inner(store).unwrap();
    drop(store);
    let store = MmapAccountStore::open(dir.path(), config).unwrap();
    assert_eq!(store.accounts(), sorted(&model));
}

/// A key's newest committed record sits in a file being compacted while the
/// slot in flight has already stored a newer, uncommitted version: the
/// compaction's commit must keep the committed one, or a crash before the
/// next commit loses the key (found by the SIGKILL test, ~1 run in 25).
#[test]
fn compaction_keeps_a_committed_record_overwritten_by_the_slot_in_flight() {
    let dir = TempDir::new("in-flight");
    let config = StoreConfig { compact_below: 0.9, ..deterministic_config(8 << 10) };
    let store = MmapAccountStore::open(dir.path(), config.clone()).unwrap();
    let mut model = Model::new();
    // Slot 1: the subjects (keys 0..4) among fillers; slot 2 rewrites the
    // fillers, so slot 1's files are mostly dead and become victims.
    let first: Vec<_> = (0..60).map(|i| (key(i), account(1000 + i, 200, i))).collect();
    store_and_commit(&store, &mut model, 1, &first);
    let second: Vec<_> = (4..60).map(|i| (key(i), account(2000 + i, 200, i + 1))).collect();
    store_and_commit(&store, &mut model, 2, &second);
    // Slot 3, never committed: new versions of the subjects.
    let in_flight: Vec<_> = (0..4).map(|i| (key(i), account(3000 + i, 200, i + 2))).collect();
    store.store(3, &in_flight).unwrap();
    assert!(compact_until_done(&store, 100) > 0, "slot 1's files were compacted");
    // A crash now: slot 3 is gone, slot 2's state must be whole.
    drop(store);
    let store = MmapAccountStore::open(dir.path(), config).unwrap();
    assert_eq!(store.committed_slot(), Some(2));
    assert_eq!(store.accounts(), sorted(&model));
}

/// The tombstone case of the test above: a key closed in a committed slot
/// (its tombstone in a file being compacted, an older live version in a
/// file that stays) and written again by the slot in flight. Dropping the
/// tombstone with its file would bring the older version back after a crash.
#[test]
fn compaction_keeps_a_committed_tombstone_overwritten_by_the_slot_in_flight() {
    let dir = TempDir::new("in-flight-tomb");
    let config = StoreConfig { compact_below: 0.9, ..deterministic_config(8 << 10) };
    let store = MmapAccountStore::open(dir.path(), config.clone()).unwrap();
    let mut model = Model::new();
    // Slot 1: the subjects (keys 0..4) among keepers that are never rewritten,
    // so their files stay mostly live and are not compacted.
    let first: Vec<_> = (0..60).map(|i| (key(i), account(1000 + i, 200, i))).collect();
    store_and_commit(&store, &mut model, 1, &first);
    // Slot 2: the subjects closed, among fillers that slot 3 rewrites.
    let mut second: Vec<_> = (0..4).map(|i| (key(i), Account::default())).collect();
    second.extend((100..160).map(|i| (key(i), account(2000 + i, 200, i))));
    store_and_commit(&store, &mut model, 2, &second);
    let third: Vec<_> = (100..160).map(|i| (key(i), account(3000 + i, 200, i + 1))).collect();
    store_and_commit(&store, &mut model, 3, &third);
    // Slot 4, never committed: the subjects opened again.
    let in_flight: Vec<_> = (0..4).map(|i| (key(i), account(4000 + i, 200, i + 2))).collect();
    store.store(4, &in_flight).unwrap();
    assert!(compact_until_done(&store, 100) > 0, "slot 2's files were compacted");
    drop(store);
    let store = MmapAccountStore::open(dir.path(), config).unwrap();
    assert_eq!(store.committed_slot(), Some(3));
    assert_eq!(store.accounts(), sorted(&model));
}
