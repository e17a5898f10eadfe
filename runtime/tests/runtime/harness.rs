//! The harness's test controls, as a contract author uses them (issue 16):
//! checks switched off, the clock set, simulation's post-accounts, a
//! program from a file, unique keys.

use crate::common::{ix, setup, PROGRAM};
use lanes_runtime::harness::Harness;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::signature::Signature;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, Pubkey, LAMPORTS_PER_SOL};
use lanes_test_program::TestInstruction;

/// Lamports a transfer moves: above the rent-exempt minimum of a new account.
const A: u64 = LAMPORTS_PER_SOL / 100;

fn transfer(h: &Harness, payer: &Keypair, to: &Pubkey, lamports: u64) -> Transaction {
    h.transaction(&[system_instruction::transfer(&payer.pubkey(), to, lamports)], payer, &[])
}

#[test]
fn checks_switch_off_one_by_one() {
    let payer = Keypair::new();
    let to = Pubkey::new_unique();

    // A signature that does not verify: refused, unless sigverify is off.
    let mut h = Harness::new();
    h.airdrop(&payer.pubkey(), LAMPORTS_PER_SOL);
    let mut forged = transfer(&h, &payer, &to, A);
    forged.signatures[0] = Signature([7; 64]);
    assert_eq!(h.send_transaction(forged.clone()).unwrap_err().err, TransactionError::SignatureFailure);
    let mut h = Harness::new().with_sigverify(false);
    h.airdrop(&payer.pubkey(), LAMPORTS_PER_SOL);
    let mut forged = transfer(&h, &payer, &to, A);
    forged.signatures[0] = Signature([7; 64]);
    h.send_transaction(forged).unwrap();
    assert_eq!(h.get_balance(&to), A);

    // A blockhash the bank never made.
    let unknown = |h: &Harness| {
        let mut tx = transfer(h, &payer, &to, 2 * A);
        tx.message.recent_blockhash = Hash([9; 32]);
        tx.signatures = vec![payer.sign_message(&tx.message_data())];
        tx
    };
    let mut h = Harness::new();
    h.airdrop(&payer.pubkey(), LAMPORTS_PER_SOL);
    assert_eq!(h.send_transaction(unknown(&h)).unwrap_err().err, TransactionError::BlockhashNotFound);
    let mut h = Harness::new().with_blockhash_check(false);
    h.airdrop(&payer.pubkey(), LAMPORTS_PER_SOL);
    h.send_transaction(unknown(&h)).unwrap();
    assert_eq!(h.get_balance(&to), 2 * A);

    // The same transaction twice.
    let mut h = Harness::new();
    h.airdrop(&payer.pubkey(), LAMPORTS_PER_SOL);
    let tx = transfer(&h, &payer, &to, 3 * A);
    h.send_transaction(tx.clone()).unwrap();
    assert_eq!(h.send_transaction(tx).unwrap_err().err, TransactionError::AlreadyProcessed);
    let mut h = Harness::new().with_transaction_history(false);
    h.airdrop(&payer.pubkey(), LAMPORTS_PER_SOL);
    let tx = transfer(&h, &payer, &to, 3 * A);
    h.send_transaction(tx.clone()).unwrap();
    h.send_transaction(tx).unwrap();
    assert_eq!(h.get_balance(&to), 6 * A);
}

#[test]
fn the_clock_reads_what_the_test_sets() {
    let (mut h, payer) = setup();
    h.set_unix_timestamp(2_000_000_000);
    assert_eq!(h.clock().unix_timestamp, 2_000_000_000);
    let slot = h.slot();
    h.warp_to_slot(slot + 10);
    // It advances with the slots from there: 400 ms each.
    assert_eq!(h.clock().unix_timestamp, 2_000_000_004);
    // Programs read the same clock.
    let meta = h.send(&[ix(TestInstruction::Clock, vec![])], &payer, &[]).unwrap();
    let (_, data) = meta.return_data.expect("the test program returns the clock's slot");
    assert_eq!(data, (slot + 10).to_le_bytes());
    // Off chain there is no bank: Clock::get is an error, not a build failure.
    assert!(lanes_sdk::clock::Clock::get().is_err());
}

#[test]
fn simulation_shows_the_accounts_it_would_write() {
    let (h, payer) = setup();
    let to = Pubkey::new_unique();
    let simulated = h.simulate_transaction(transfer(&h, &payer, &to, 5 * A)).unwrap();
    let written: std::collections::HashMap<_, _> = simulated.post_accounts.iter().cloned().collect();
    assert_eq!(written[&to].lamports, 5 * A);
    assert_eq!(written[&payer.pubkey()].lamports, h.get_balance(&payer.pubkey()) - 5 * A - simulated.fee);
    // Nothing committed.
    assert_eq!(h.get_balance(&to), 0);
    assert!(simulated.compute_units_consumed > 0, "the meta is there too");
    assert!(simulated.inner_instructions.is_empty(), "a top-level transfer calls nothing");
}

#[test]
fn a_program_loads_from_its_wasm_file() {
    let dir = std::env::temp_dir().join(format!("lanes-harness-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("test_program.wasm");
    std::fs::write(&path, lanes_program_artifacts::TEST_PROGRAM).unwrap();
    let mut h = Harness::new();
    h.add_program_from_file(PROGRAM, &path).unwrap();
    let payer = Keypair::new();
    h.airdrop(&payer.pubkey(), LAMPORTS_PER_SOL);
    h.send(&[ix(TestInstruction::Clock, vec![])], &payer, &[]).unwrap();
    let missing = h.add_program_from_file(Pubkey::new_unique(), dir.join("missing.wasm")).unwrap_err();
    assert!(missing.to_string().contains("missing.wasm"), "{missing}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unique_keys_are_unique() {
    let keys: std::collections::HashSet<Pubkey> = (0..1_000).map(|_| Pubkey::new_unique()).collect();
    assert_eq!(keys.len(), 1_000);
}
