//! The counter contract, compiled to WASM, run through the Lanes harness.

use borsh::BorshDeserialize;
use lanes_example_counter::{increment, initialize, Counter, ID};
use lanes_runtime::harness::Harness;
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, LAMPORTS_PER_SOL};

/// A harness with the counter deployed, a funded payer, and an initialized counter.
fn setup() -> (Harness, Keypair, Keypair) {
    let mut h = Harness::new();
    h.add_program(ID, lanes_program_artifacts::COUNTER_EXAMPLE).unwrap();
    let payer = Keypair::new();
    h.airdrop(&payer.pubkey(), 10 * LAMPORTS_PER_SOL);
    let counter = Keypair::new();
    h.send(
        &[
            system_instruction::create_account(
                &payer.pubkey(),
                &counter.pubkey(),
                lanes_sdk::rent::minimum_balance(Counter::LEN),
                Counter::LEN as u64,
                &ID,
            ),
            initialize(&counter.pubkey(), &payer.pubkey()),
        ],
        &payer,
        &[&counter],
    )
    .unwrap();
    (h, payer, counter)
}

fn read(h: &Harness, counter: &Keypair) -> Counter {
    Counter::try_from_slice(&h.get_account(&counter.pubkey()).unwrap().data).unwrap()
}

#[test]
fn increments_with_its_authority() {
    let (mut h, payer, counter) = setup();
    let meta = h.send(&[increment(&counter.pubkey(), &payer.pubkey(), 3)], &payer, &[]).unwrap();
    assert!(meta.logs.iter().any(|l| l == "Program log: count is now 3"), "{:?}", meta.logs);
    h.send(&[increment(&counter.pubkey(), &payer.pubkey(), 4)], &payer, &[]).unwrap();
    assert_eq!(read(&h, &counter), Counter { authority: payer.pubkey(), count: 7 });
}

#[test]
fn refuses_another_authority_and_a_second_initialize() {
    let (mut h, _payer, counter) = setup();
    let mallory = Keypair::new();
    h.airdrop(&mallory.pubkey(), LAMPORTS_PER_SOL);
    let failed = h.send(&[increment(&counter.pubkey(), &mallory.pubkey(), 1)], &mallory, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::Custom(1)));
    let failed = h.send(&[initialize(&counter.pubkey(), &mallory.pubkey())], &mallory, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::Custom(0)));
    assert_eq!(read(&h, &counter).count, 0);
}

#[test]
fn overflow_is_an_error_not_a_wrap() {
    let (mut h, payer, counter) = setup();
    h.send(&[increment(&counter.pubkey(), &payer.pubkey(), u64::MAX)], &payer, &[]).unwrap();
    let failed = h.send(&[increment(&counter.pubkey(), &payer.pubkey(), 1)], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::Custom(2)));
}
