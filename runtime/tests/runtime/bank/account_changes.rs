//! `BankConfig::record_account_changes`: each committed transaction's
//! write-locked accounts before and after, in its outcome (what the node's
//! explorer shows) — and nothing when it is off.

use crate::common::{ix, owned_account, PROGRAM};
use lanes_runtime::bank::{AccountChange, BankConfig};
use lanes_runtime::harness::Harness;
use lanes_sdk::client::Keypair;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{AccountMeta, LAMPORTS_PER_SOL};
use lanes_test_program::TestInstruction;

fn harness(record: bool) -> (Harness, Keypair) {
    let mut h = Harness::with_config(BankConfig { record_account_changes: record, ..BankConfig::default() });
    h.add_program(PROGRAM, lanes_program_artifacts::TEST_PROGRAM).expect("test program deploys");
    let payer = Keypair::new();
    h.airdrop(&payer.pubkey(), LAMPORTS_PER_SOL);
    (h, payer)
}

#[test]
fn a_transaction_reports_each_written_account_before_and_after() {
    let (mut h, payer) = harness(true);
    let data = owned_account(&mut h, LAMPORTS_PER_SOL, 8);
    let read_only = owned_account(&mut h, LAMPORTS_PER_SOL, 8);
    let before = h.get_account(&data).unwrap();
    let payer_before = h.get_account(&payer.pubkey()).unwrap();
    let write = ix(
        TestInstruction::WriteData { index: 0, offset: 2, value: 7 },
        vec![AccountMeta::new(data, false), AccountMeta::new_readonly(read_only, false)],
    );
    let tx = Transaction::new_signed_with_payer(&[write], Some(&payer.pubkey()), &[&payer], h.latest_blockhash());
    let outcome = h.bank().process_transaction(&tx).unwrap();
    assert_eq!(outcome.result, Ok(()));
    let keys: Vec<_> = outcome.account_changes.iter().map(|c| c.key).collect();
    assert_eq!(keys, vec![payer.pubkey(), data], "write-locked accounts only, in key order");
    let AccountChange { before: payer_was, after: payer_is, .. } = &outcome.account_changes[0];
    assert_eq!(payer_was, &payer_before, "the payer before its fee");
    assert_eq!(payer_is.lamports, payer_before.lamports - outcome.fee);
    let change = &outcome.account_changes[1];
    assert_eq!(change.before, before);
    let mut expected = before.data.clone();
    expected[2] = 7;
    assert_eq!(change.after.data, expected);
    assert_eq!(h.get_account(&data).unwrap(), change.after, "what was committed");

    // A failing transaction: only its fee moved.
    let fail = ix(TestInstruction::ReturnError(3), vec![AccountMeta::new(data, false)]);
    let tx = Transaction::new_signed_with_payer(&[fail], Some(&payer.pubkey()), &[&payer], h.latest_blockhash());
    let outcome = h.bank().process_transaction(&tx).unwrap();
    assert!(outcome.result.is_err());
    assert_eq!(outcome.account_changes[1].before, outcome.account_changes[1].after);
    let payer_change = &outcome.account_changes[0];
    assert_eq!(payer_change.before.lamports - payer_change.after.lamports, outcome.fee);
}

#[test]
fn nothing_is_copied_unless_asked() {
    let (mut h, payer) = harness(false);
    let data = owned_account(&mut h, LAMPORTS_PER_SOL, 8);
    let write = ix(TestInstruction::WriteData { index: 0, offset: 0, value: 1 }, vec![AccountMeta::new(data, false)]);
    let tx = Transaction::new_signed_with_payer(&[write], Some(&payer.pubkey()), &[&payer], h.latest_blockhash());
    let outcome = h.bank().process_transaction(&tx).unwrap();
    assert_eq!(outcome.result, Ok(()));
    assert!(outcome.account_changes.is_empty());
}
