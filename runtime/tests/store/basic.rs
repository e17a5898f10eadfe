//! What the store promises in normal operation: reads see the newest
//! write, deletions, commits survive a reopen and uncommitted writes do not,
//! the slot order is enforced, concurrent writers, large accounts, the lock,
//! the ledger check, and the bank running on top of it.

use crate::common::*;
use lanes_runtime::bank::{Bank, BankConfig};
use lanes_runtime::store::mmap::{MmapAccountStore, MmapStoreError, StoreConfig};
use lanes_runtime::store::AccountStore;
use lanes_runtime::vm::{Executor, ExecutorConfig};
use lanes_sdk::client::Keypair;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{system_instruction, system_program, Account, Pubkey};
use std::sync::Arc;

#[test]
fn stores_reads_and_deletes() {
    let dir = TempDir::new("basic");
    let store = MmapAccountStore::open(dir.path(), deterministic_config(1 << 16)).unwrap();
    assert!(store.is_empty());
    let a = account(10, 165, 1);
    let b = account(20, 0, 2);
    store.store(1, &[(key(1), a.clone()), (key(2), b.clone())]).unwrap();
    assert_eq!(store.get(&key(1)), Some(a.clone()));
    assert_eq!(store.get(&key(2)), Some(b));
    assert_eq!(store.get(&key(3)), None);
    assert_eq!(store.len(), 2);
    assert_eq!(store.get_prefix(&key(1), 4).unwrap().data, a.data[..4].to_vec());

    // Zero-copy view.
    let r = store.get_ref(&key(1)).unwrap();
    assert_eq!(
        (r.lamports(), r.data(), r.owner(), r.executable(), r.slot()),
        (10, &a.data[..], a.owner, a.executable, 1)
    );

    // A newer version, then a deletion.
    let a2 = account(11, 100, 9);
    store.store(1, &[(key(1), a2.clone())]).unwrap();
    assert_eq!(store.get(&key(1)), Some(a2));
    assert_eq!(r.to_account(), a, "an older view keeps its bytes");
    store.store(2, &[(key(1), Account::default())]).unwrap();
    assert_eq!(store.get(&key(1)), None);
    assert_eq!(store.len(), 1);

    // Regression: a batch that creates and deletes one key used to skip the
    // tombstone (the key was not live when the batch was planned), leaving
    // the created account in place.
    store.store(2, &[(key(5), account(3, 3, 3)), (key(5), Account::default())]).unwrap();
    assert_eq!(store.get(&key(5)), None);

    // Deleting what does not exist writes nothing.
    let used = store.stats().used_bytes;
    store.store(2, &[(key(77), Account::default())]).unwrap();
    assert_eq!(store.stats().used_bytes, used);
}

#[test]
fn committed_state_survives_reopen_and_uncommitted_does_not() {
    let dir = TempDir::new("reopen");
    let mut model = Model::new();
    {
        let store = MmapAccountStore::open(dir.path(), deterministic_config(1 << 14)).unwrap();
        assert!(store.recovery_report().created);
        for slot in 1..=5u64 {
            let updates: Vec<_> =
                (0..40).map(|i| (key(i % 23), account(slot * 100 + i, (i * 7 % 200) as usize, i))).collect();
            store.store(slot, &updates).unwrap();
            apply(&mut model, &updates);
            store.store(slot, &[(key(slot), Account::default())]).unwrap();
            apply(&mut model, &[(key(slot), Account::default())]);
            store.commit_slot(slot).unwrap();
        }
        // Written but never committed.
        store.store(6, &[(key(1), account(5, 5, 5)), (key(500), account(5, 5, 5))]).unwrap();
        assert_eq!(store.get(&key(500)).map(|a| a.lamports), Some(5));
    }
    let store = MmapAccountStore::open(dir.path(), deterministic_config(1 << 14)).unwrap();
    let report = store.recovery_report();
    assert!(!report.created);
    assert_eq!(report.committed_slot, Some(5));
    assert_eq!(store.committed_slot(), Some(5));
    assert_eq!(store.accounts(), sorted(&model));
    assert_eq!(store.len(), model.len());
    // And it goes on from there.
    store.store(6, &[(key(900), account(1, 1, 1))]).unwrap();
    store.commit_slot(6).unwrap();
    drop(store);
    let store = MmapAccountStore::open(dir.path(), deterministic_config(1 << 14)).unwrap();
    model.insert(key(900), account(1, 1, 1));
    assert_eq!(store.accounts(), sorted(&model));
}

#[test]
fn slot_order_is_enforced() {
    let dir = TempDir::new("order");
    let store = MmapAccountStore::open(dir.path(), deterministic_config(1 << 16)).unwrap();
    store.store(5, &[(key(1), account(1, 1, 1))]).unwrap();
    let early = store.commit(4).unwrap_err();
    assert!(matches!(early, MmapStoreError::Rejected(_)), "{early}");
    assert!(early.to_string().contains("slot 5"), "{early}");
    store.commit(5).unwrap();
    assert!(matches!(store.store_accounts(4, &[(key(2), account(1, 1, 1))]), Err(MmapStoreError::Rejected(_))));
    assert!(matches!(store.commit(3), Err(MmapStoreError::Rejected(_))));
    // The same slot again is fine (e.g. genesis in several commits).
    store.store(5, &[(key(2), account(1, 1, 1))]).unwrap();
    store.commit(5).unwrap();
    let too_big = Account { lamports: 1, data: vec![0; 10 * 1024 * 1024 + 1], ..Account::default() };
    assert!(matches!(store.store_accounts(6, &[(key(3), too_big)]), Err(MmapStoreError::Rejected(_))));
}

#[test]
fn concurrent_writers_append_at_once() {
    let dir = TempDir::new("concurrent");
    let config = StoreConfig { file_capacity: 1 << 16, writers: 4, ..StoreConfig::default() };
    let store = Arc::new(MmapAccountStore::open(dir.path(), config.clone()).unwrap());
    let threads = 4u64;
    let mut model = Model::new();
    for slot in 1..=3u64 {
        std::thread::scope(|s| {
            for t in 0..threads {
                let store = store.clone();
                s.spawn(move || {
                    for i in 0..500u64 {
                        let k = (i % 97) * threads + t;
                        let acc = account(if i % 11 == 0 { 0 } else { slot * 1000 + i }, (i % 180) as usize, k + i);
                        store.store(slot, &[(key(k), acc)]).unwrap();
                    }
                });
            }
        });
        for t in 0..threads {
            for i in 0..500u64 {
                let k = (i % 97) * threads + t;
                let acc = account(if i % 11 == 0 { 0 } else { slot * 1000 + i }, (i % 180) as usize, k + i);
                apply(&mut model, &[(key(k), acc)]);
            }
        }
        store.commit_slot(slot).unwrap();
        assert_eq!(store.accounts(), sorted(&model));
    }
    drop(store);
    let store = MmapAccountStore::open(dir.path(), config).unwrap();
    assert_eq!(store.accounts(), sorted(&model));
}

#[test]
fn large_accounts_get_a_file_of_their_own() {
    let dir = TempDir::new("large");
    let config = deterministic_config(1 << 16);
    let big = account(3, 10 * 1024 * 1024, 4);
    {
        let store = MmapAccountStore::open(dir.path(), config.clone()).unwrap();
        store.store(1, &[(key(1), account(1, 10, 1)), (key(2), big.clone())]).unwrap();
        store.commit_slot(1).unwrap();
    }
    let store = MmapAccountStore::open(dir.path(), config).unwrap();
    assert_eq!(store.get(&key(2)), Some(big));
    assert_eq!(store.get_prefix(&key(2), 8).unwrap().data.len(), 8);
}

#[test]
fn a_store_is_opened_once() {
    let dir = TempDir::new("lock");
    let _first = MmapAccountStore::open(dir.path(), deterministic_config(1 << 16)).unwrap();
    let second = MmapAccountStore::open(dir.path(), deterministic_config(1 << 16)).err().unwrap();
    assert!(matches!(second, MmapStoreError::Locked { .. }), "{second}");
    assert!(second.to_string().contains("LOCK"), "{second}");
}

#[test]
fn the_ledger_id_is_checked() {
    let dir = TempDir::new("ledger");
    let config = StoreConfig { ledger_id: Some([7; 16]), ..deterministic_config(1 << 16) };
    drop(MmapAccountStore::open(dir.path(), config).unwrap());
    let other = StoreConfig { ledger_id: Some([8; 16]), ..deterministic_config(1 << 16) };
    let err = MmapAccountStore::open(dir.path(), other).err().unwrap();
    assert!(matches!(err, MmapStoreError::WrongLedger { .. }), "{err}");
    assert!(err.to_string().contains("MANIFEST"), "{err}");
    assert_eq!(MmapAccountStore::open(dir.path(), deterministic_config(1 << 16)).unwrap().ledger_id(), [7; 16]);
}

/// The bank commits to the store like to the in-memory one; its state
/// survives a reopen once the slot is committed.
#[test]
fn the_bank_runs_on_the_mmap_store() {
    let dir = TempDir::new("bank");
    let payer = Keypair::new();
    let to = Pubkey::new_unique_from_u64(42);
    {
        let store: Arc<dyn AccountStore> =
            Arc::new(MmapAccountStore::open(dir.path(), StoreConfig::default()).unwrap());
        let executor = Executor::new(ExecutorConfig::default()).unwrap();
        let bank = Bank::new(store.clone(), executor, BankConfig::default());
        bank.set_account(payer.pubkey(), Account::new(1_000_000_000, 0, &system_program::ID)).unwrap();
        let tx = Transaction::new_signed_with_payer(
            &[system_instruction::transfer(&payer.pubkey(), &to, lanes_sdk::rent::minimum_balance(0))],
            Some(&payer.pubkey()),
            &[&payer],
            bank.latest_blockhash(),
        );
        let outcome = bank.process_transaction(&tx).unwrap();
        assert_eq!(outcome.result, Ok(()), "{:?}", outcome.logs);
        store.commit_slot(bank.slot()).unwrap();
    }
    let store = MmapAccountStore::open(dir.path(), StoreConfig::default()).unwrap();
    assert_eq!(store.get(&to).map(|a| a.lamports), Some(lanes_sdk::rent::minimum_balance(0)));
    assert_eq!(
        store.get(&payer.pubkey()).map(|a| a.lamports),
        Some(1_000_000_000 - lanes_sdk::rent::minimum_balance(0) - 5_000)
    );
}
