//! The ledger's unit tests: round trips, partitions and chunks, the
//! format check, pruning.

use super::*;
use crate::node::block::BlockTransaction;
use lanes_runtime::bank::TransactionOutcome;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::system_instruction;
use lanes_sdk::transaction::Transaction;

fn executed(payer: &Keypair, to: &Pubkey, lamports: u64, worker: u32) -> BlockTransaction {
    let transaction = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&payer.pubkey(), to, lamports)],
        Some(&payer.pubkey()),
        &[payer],
        Hash([3; 32]),
    );
    let outcome = TransactionOutcome {
        signature: transaction.signatures[0],
        result: Ok(()),
        committed: true,
        logs: Vec::new(),
        compute_units_consumed: 150,
        return_data: None,
        fee: 5_000,
        pre_balances: vec![10, 0, 1],
        post_balances: vec![5, 5, 1],
        inner_instructions: Vec::new(),
        loaded_addresses: Default::default(),
        account_changes: Vec::new(),
    };
    BlockTransaction {
        transaction: transaction.into(),
        outcome,
        worker,
        started_ns: 1_000 * u64::from(worker),
        ended_ns: 9_000,
    }
}

fn block(slot: u64, transactions: Vec<BlockTransaction>) -> Block {
    Block {
        slot,
        parent_slot: slot.saturating_sub(1),
        blockhash: Hash([slot as u8; 32]),
        previous_blockhash: Hash([slot.saturating_sub(1) as u8; 32]),
        state_hash: Hash([7; 32]),
        block_time: 1_700_000_000 + slot as i64,
        written_accounts: if slot == 0 {
            vec![(Pubkey::new_unique_from_u64(1), Account::new(42, 3, &Pubkey::new_unique_from_u64(2)))]
        } else {
            Vec::new()
        },
        total_transactions: transactions.len() as u64,
        total_fees: 0,
        controls: Vec::new(),
        transactions,
    }
}

#[test]
fn blocks_round_trip_and_the_indexes_run_newest_first() {
    let dir = std::env::temp_dir().join(format!("lanes-ledger-unit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ledger = Ledger::open(&dir.join("ledger.redb")).unwrap();
    let render = |e: &lanes_sdk::transaction_error::TransactionError| format!("{e:?}");
    let (alice, bob) = (Keypair::new(), Pubkey::new_unique_from_u64(9));
    ledger.append_durable(&block(0, Vec::new()), render).unwrap();
    let (first, second, third) =
        (executed(&alice, &bob, 1, 0), executed(&alice, &bob, 2, 1), executed(&alice, &bob, 3, 0));
    let signatures = [first.outcome.signature, second.outcome.signature, third.outcome.signature];
    ledger.append(&block(1, vec![first, second]), render).unwrap();
    ledger.append(&block(2, Vec::new()), render).unwrap();
    ledger.append(&block(3, vec![third]), render).unwrap();

    assert_eq!(ledger.last_slot().unwrap().unwrap().slot, 3);
    assert_eq!(ledger.slots_in(1, 2, 10).unwrap().iter().map(|s| s.slot).collect::<Vec<_>>(), [1, 2]);
    let (slot, record) = ledger.transaction(&signatures[1]).unwrap().unwrap();
    assert_eq!((slot, record.worker, record.started_ns, record.ended_ns), (1, 1, 1_000, 9_000));
    assert_eq!((record.fee, record.compute_units, record.post_balances.clone()), (5_000, 150, vec![5, 5, 1]));
    assert!(record.transaction().is_some());
    assert_eq!(ledger.block_transactions(1).unwrap().len(), 2);

    let newest_first = ledger.signatures_for_address(&bob, None, None, 10).unwrap();
    let order: Vec<Signature> = newest_first.iter().map(|e| e.signature).collect();
    assert_eq!(order, [signatures[2], signatures[1], signatures[0]]);
    let before = ledger.signatures_for_address(&bob, Some(&signatures[2]), None, 10).unwrap();
    assert_eq!(before.iter().map(|e| e.signature).collect::<Vec<_>>(), [signatures[1], signatures[0]]);
    let until = ledger.signatures_for_address(&bob, None, Some(&signatures[0]), 10).unwrap();
    assert_eq!(until.len(), 2);
    assert_eq!(ledger.signatures_for_address(&bob, None, None, 1).unwrap().len(), 1);
    let genesis = ledger.genesis_accounts().unwrap();
    assert_eq!(genesis, vec![(Pubkey::new_unique_from_u64(1), Account::new(42, 3, &Pubkey::new_unique_from_u64(2)))]);

    // Reopened, everything is still there.
    drop(ledger);
    let ledger = Ledger::open_existing(&dir.join("ledger.redb")).unwrap();
    assert_eq!(ledger.slot_count().unwrap(), 4);
    assert_eq!(ledger.transaction(&signatures[2]).unwrap().unwrap().0, 3);
    let _ = std::fs::remove_dir_all(&dir);
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lanes-ledger-unit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn lookups_cross_partitions_and_chunks_and_check_the_whole_signature() {
    let dir = scratch("partitions");
    let mut ledger = Ledger::open(&dir.join("ledger.redb")).unwrap();
    ledger.partition_transactions = 3;
    let render = |e: &lanes_sdk::transaction_error::TransactionError| format!("{e:?}");
    let (alice, bob) = (Keypair::new(), Pubkey::new_unique_from_u64(9));
    // Slots of 2, 0, 1, 70 (two chunks), 2 and 1 transactions: several
    // partitions, a slot larger than a partition, an empty slot.
    let mut all = Vec::new();
    let mut lamports = 0;
    for (slot, count) in [(1u64, 2usize), (2, 0), (3, 1), (4, 70), (5, 2), (6, 1)] {
        let transactions: Vec<BlockTransaction> = (0..count)
            .map(|i| {
                lamports += 1;
                executed(&alice, &bob, lamports, i as u32 % 2)
            })
            .collect();
        for (index, t) in transactions.iter().enumerate() {
            all.push((t.outcome.signature, slot, index));
        }
        ledger.append(&block(slot, transactions), render).unwrap();
    }
    for (signature, slot, index) in &all {
        let (found_slot, record) = ledger.transaction(signature).unwrap().unwrap();
        assert_eq!((found_slot, record.signature()), (*slot, Some(*signature)));
        assert_eq!(ledger.block_transactions(*slot).unwrap()[*index].signature(), Some(*signature));
    }
    assert_eq!(ledger.block_transactions(4).unwrap().len(), 70);
    // The same first half of a signature is not the signature.
    let mut impostor = all[5].0;
    impostor.0[63] ^= 1;
    assert!(ledger.transaction(&impostor).unwrap().is_none());
    assert!(ledger.transaction(&Signature([7; 64])).unwrap().is_none());

    let newest_first: Vec<Signature> = all.iter().rev().map(|(s, _, _)| *s).collect();
    let listed = |before: Option<&Signature>, until: Option<&Signature>, limit| -> Vec<Signature> {
        ledger.signatures_for_address(&bob, before, until, limit).unwrap().iter().map(|e| e.signature).collect()
    };
    assert_eq!(listed(None, None, 1_000), newest_first);
    assert_eq!(listed(None, None, 10), newest_first[..10]);
    for at in [0, 1, 2, 3, 40, 72, 74, 75] {
        assert_eq!(listed(Some(&newest_first[at]), None, 1_000), newest_first[at + 1..], "before #{at}");
        assert_eq!(listed(None, Some(&newest_first[at]), 1_000), newest_first[..at], "until #{at}");
    }
    assert_eq!(listed(Some(&newest_first[3]), Some(&newest_first[9]), 1_000), newest_first[4..9]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_ledger_of_the_first_format_is_refused_not_rewritten() {
    let dir = scratch("format");
    let path = dir.join("ledger.redb");
    {
        let db = Database::create(&path).unwrap();
        let write = db.begin_write().unwrap();
        write.open_table(SLOTS).unwrap().insert(0, [1u8, 2, 3].as_slice()).unwrap();
        write.commit().unwrap();
    }
    let refused = |r: Result<Ledger, LedgerError>| match r {
        Err(LedgerError::Format { found: 1 }) => {}
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("an old ledger was opened"),
    };
    refused(Ledger::open(&path));
    refused(Ledger::open_existing(&path));
    let db = Database::open(&path).unwrap();
    assert!(db.begin_read().unwrap().open_table(META).is_err(), "nothing was written to it");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pruning_drops_the_oldest_partitions_and_keeps_the_recent_slots() {
    let dir = scratch("prune");
    let mut ledger = Ledger::open(&dir.join("ledger.redb")).unwrap();
    ledger.partition_transactions = 3;
    let render = |e: &lanes_sdk::transaction_error::TransactionError| format!("{e:?}");
    let (alice, bob) = (Keypair::new(), Pubkey::new_unique_from_u64(9));
    let mut lamports = 0;
    let mut signatures = Vec::new();
    ledger.append_durable(&block(0, Vec::new()), render).unwrap();
    // Partitions start at slots 1 (slots 1, 2), 3 (3, 4), 5 (5, 6) and
    // 500; two transactions a slot; empty slots in between.
    for slot in 1..=500u64 {
        let count = if slot <= 6 || slot == 500 { 2 } else { 0 };
        let transactions: Vec<BlockTransaction> = (0..count)
            .map(|_| {
                lamports += 1;
                executed(&alice, &bob, lamports, 0)
            })
            .collect();
        signatures.extend(transactions.iter().map(|t| (slot, t.outcome.signature)));
        ledger.append(&block(slot, transactions), render).unwrap();
    }
    assert_eq!(ledger.prune(1_000).unwrap(), None, "nothing to drop under the limit");
    // Keep 3: the partitions of slots 1 and 3 go (what remains, 6, is
    // still ≥ 3); the one of slot 5 would leave 2 < 3 and stays.
    assert_eq!(ledger.prune(3).unwrap(), Some(5));
    assert_eq!(ledger.first_slot().unwrap(), Some(5));
    assert!(ledger.slot(4).unwrap().is_none() && ledger.slot(5).unwrap().is_some());
    for (slot, signature) in &signatures {
        let found = ledger.transaction(signature).unwrap().map(|(slot, _)| slot);
        assert_eq!(found, (*slot >= 5).then_some(*slot), "slot {slot}");
    }
    let listed: Vec<u64> =
        ledger.signatures_for_address(&bob, None, None, 100).unwrap().iter().map(|e| e.slot).collect();
    assert_eq!(listed, [500, 500, 6, 6, 5, 5]);
    // Slot 5's partition stays while fewer than MIN_KEPT_SLOTS slots
    // would remain after it; then it goes, and the newest always stays.
    assert_eq!(ledger.prune(0).unwrap(), None);
    for slot in 501..=500 + MIN_KEPT_SLOTS {
        ledger.append(&block(slot, Vec::new()), render).unwrap();
    }
    assert_eq!(ledger.prune(0).unwrap(), Some(500));
    assert_eq!(ledger.signatures_for_address(&bob, None, None, 100).unwrap().len(), 2);
    assert_eq!(ledger.prune(0).unwrap(), None);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A v0 transfer from `payer` to the first address of a lookup table,
/// which resolved to `to` when it ran.
fn executed_v0(payer: &Keypair, table: &Pubkey, to: &Pubkey, readonly: &Pubkey) -> BlockTransaction {
    use lanes_sdk::message::v0::{LoadedAddresses, Message as V0Message, MessageAddressTableLookup};
    use lanes_sdk::message::{MessageHeader, VersionedMessage};
    use lanes_sdk::transaction::VersionedTransaction;
    let data = system_instruction::transfer(&payer.pubkey(), to, 1).data;
    let message = V0Message {
        header: MessageHeader {
            num_required_signatures: 1,
            num_readonly_signed_accounts: 0,
            num_readonly_unsigned_accounts: 1,
        },
        account_keys: vec![payer.pubkey(), lanes_sdk::system_program::ID],
        recent_blockhash: Hash([3; 32]),
        instructions: vec![lanes_sdk::instruction::CompiledInstruction {
            program_id_index: 1,
            accounts: vec![0, 2],
            data,
        }],
        address_table_lookups: vec![MessageAddressTableLookup {
            account_key: *table,
            writable_indexes: vec![0],
            readonly_indexes: vec![1],
        }],
    };
    let transaction = VersionedTransaction::try_new(VersionedMessage::V0(message), &[payer]).unwrap();
    let mut executed = executed(payer, to, 1, 0);
    executed.outcome.signature = transaction.signatures[0];
    executed.outcome.pre_balances = vec![10, 1, 0, 0];
    executed.outcome.post_balances = vec![4, 1, 1, 0];
    executed.outcome.loaded_addresses = LoadedAddresses { writable: vec![*to], readonly: vec![*readonly] };
    executed.transaction = transaction;
    executed
}

#[test]
fn a_v0_record_keeps_its_loaded_addresses_and_a_legacy_one_keeps_format_3s_bytes() {
    let dir = scratch("v0");
    let ledger = Ledger::open(&dir.join("ledger.redb")).unwrap();
    let render = |e: &lanes_sdk::transaction_error::TransactionError| format!("{e:?}");
    let alice = Keypair::new();
    let (table, to, readonly, bob) =
        (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
    let v0 = executed_v0(&alice, &table, &to, &readonly);
    let legacy = executed(&alice, &bob, 2, 1);
    let (v0_signature, legacy_signature) = (v0.outcome.signature, legacy.outcome.signature);
    ledger.append(&block(1, vec![v0, legacy]), render).unwrap();

    let (_, record) = ledger.transaction(&v0_signature).unwrap().unwrap();
    assert_eq!(record.loaded_addresses.writable, vec![to]);
    assert_eq!(record.loaded_addresses.readonly, vec![readonly]);
    let tx = record.transaction().unwrap();
    assert_eq!(tx.version(), lanes_sdk::message::TransactionVersion::V0);
    assert_eq!(record.account_keys(&tx), vec![alice.pubkey(), lanes_sdk::system_program::ID, to, readonly]);
    // Found by every address it named, the loaded ones too (as Agave indexes them).
    for address in [to, readonly, alice.pubkey()] {
        let found = ledger.signatures_for_address(&address, None, None, 10).unwrap();
        assert!(found.iter().any(|e| e.signature == v0_signature), "{address}");
    }
    assert!(
        ledger.signatures_for_address(&table, None, None, 10).unwrap().is_empty(),
        "the table is not an account of it"
    );

    // A legacy record is stored exactly as format 3 stored it.
    let (_, record) = ledger.transaction(&legacy_signature).unwrap().unwrap();
    assert!(record.loaded_addresses.is_empty());
    let mut chunk = RecordChunk::default();
    chunk.push(&record).unwrap();
    let stored = chunk.encode();
    assert_eq!(chunk_record(1, &stored, 0).unwrap(), borsh::to_vec(&record).unwrap().as_slice());
    // Bytes after a record that are not loaded addresses are a corrupt record, not a panic.
    let mut bytes = borsh::to_vec(&record).unwrap();
    bytes.push(9);
    assert!(matches!(TransactionRecord::decode(1, &bytes), Err(LedgerError::Corrupt(..))));
    let mut bytes = borsh::to_vec(&record).unwrap();
    bytes.extend_from_slice(&[0; 8]);
    assert!(
        matches!(TransactionRecord::decode(1, &bytes), Err(LedgerError::Corrupt(..))),
        "empty lists are never written"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_format_3_ledger_is_read_and_marked_format_5() {
    let dir = scratch("format3");
    let path = dir.join("ledger.redb");
    {
        let db = Database::create(&path).unwrap();
        let write = db.begin_write().unwrap();
        write.open_table(META).unwrap().insert("format", 3).unwrap();
        write.commit().unwrap();
    }
    Ledger::open_existing(&path).unwrap();
    drop(Ledger::open(&path).unwrap());
    let db = Database::open(&path).unwrap();
    let format = db.begin_read().unwrap().open_table(META).unwrap().get("format").unwrap().map(|v| v.value());
    assert_eq!(format, Some(FORMAT));
    drop(db);
    let write_other = |found: u32| {
        let db = Database::open(&path).unwrap();
        let write = db.begin_write().unwrap();
        write.open_table(META).unwrap().insert("format", found).unwrap();
        write.commit().unwrap();
    };
    write_other(2);
    assert!(matches!(Ledger::open_existing(&path), Err(LedgerError::Format { found: 2 })));
    write_other(FORMAT + 1);
    assert!(matches!(Ledger::open(&path), Err(LedgerError::Format { found }) if found == FORMAT + 1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_format_4_ledger_reads_without_controls_and_controls_round_trip_beside_a_warp() {
    let dir = scratch("controls");
    let path = dir.join("ledger.redb");
    let render = |e: &lanes_sdk::transaction_error::TransactionError| format!("{e:?}");
    {
        // A format 4 ledger: no `controls` table.
        let db = Database::create(&path).unwrap();
        let write = db.begin_write().unwrap();
        write.open_table(META).unwrap().insert("format", 4).unwrap();
        write.open_table(SLOTS).unwrap();
        write.commit().unwrap();
    }
    {
        let old = Ledger::open_existing(&path).unwrap();
        assert_eq!(old.controls(0).unwrap(), Vec::new());
    }
    let ledger = Ledger::open(&path).unwrap();
    ledger.append_durable(&block(0, Vec::new()), render).unwrap();
    let controls = vec![
        ControlRecord::set_account(
            &Pubkey::new_unique_from_u64(5),
            &Account::new(7, 2, &Pubkey::new_unique_from_u64(6)),
        ),
        ControlRecord::SetClock { unix_timestamp: -12 },
        ControlRecord::WarpTo { slot: 40 },
    ];
    ledger.append(&Block { controls: controls.clone(), ..block(1, Vec::new()) }, render).unwrap();
    ledger.append(&Block { parent_slot: 1, ..block(40, Vec::new()) }, render).unwrap();
    assert_eq!(ledger.controls(1).unwrap(), controls);
    assert_eq!(ledger.controls(40).unwrap(), Vec::new());
    assert_eq!(ledger.slot(20).unwrap(), None, "a skipped slot has no record");
    let recent: Vec<u64> = ledger.recent_slots(40, 2).unwrap().iter().map(|r| r.slot).collect();
    assert_eq!(recent, [1, 40], "the newest recorded slots, across the warp's gap");
    let recent: Vec<u64> = ledger.recent_slots(39, 150).unwrap().iter().map(|r| r.slot).collect();
    assert_eq!(recent, [0, 1]);
    let _ = std::fs::remove_dir_all(&dir);
}
