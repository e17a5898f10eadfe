//! The system program: create, assign, allocate (with seeds), transfers
//! (its nonce instructions are in `nonce`).

use super::funded;
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::message::Message;
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, Pubkey};

#[test]
fn system_program_create_assign_allocate_and_seeds() {
    let (mut h, payer) = funded();
    let new = Keypair::new();
    let owner = Pubkey::new_unique_from_u64(3);
    let lamports = minimum_balance(16);
    h.send(
        &[system_instruction::create_account(&payer.pubkey(), &new.pubkey(), lamports, 16, &owner)],
        &payer,
        &[&new],
    )
    .unwrap();
    let created = h.get_account(&new.pubkey()).unwrap();
    assert_eq!((created.lamports, created.data.len(), created.owner), (lamports, 16, owner));
    // Creating it again fails: already in use.
    h.expire_blockhash();
    let again = h
        .send(
            &[system_instruction::create_account(&payer.pubkey(), &new.pubkey(), lamports, 16, &owner)],
            &payer,
            &[&new],
        )
        .unwrap_err();
    assert_eq!(again.err, TransactionError::InstructionError(0, InstructionError::Custom(0)));
    // Without the new account's signature.
    let unsigned = Pubkey::new_unique_from_u64(4);
    let mut tx = Transaction::new_unsigned(Message::new_with_blockhash(
        &[system_instruction::create_account(&payer.pubkey(), &unsigned, 1, 0, &owner)],
        Some(&payer.pubkey()),
        &h.latest_blockhash(),
    ));
    tx.try_partial_sign(&[&payer]).unwrap();
    assert_eq!(h.send_transaction(tx).unwrap_err().err, TransactionError::SignatureFailure);

    // With seed.
    let seeded = Pubkey::create_with_seed(&payer.pubkey(), "vault-1", &owner).unwrap();
    h.send(
        &[system_instruction::create_account_with_seed(
            &payer.pubkey(),
            &seeded,
            &payer.pubkey(),
            "vault-1",
            minimum_balance(3),
            3,
            &owner,
        )],
        &payer,
        &[],
    )
    .unwrap();
    assert_eq!(h.get_account(&seeded).unwrap().owner, owner);
    let wrong = Pubkey::new_unique_from_u64(8);
    let failed = h
        .send(
            &[system_instruction::create_account_with_seed(
                &payer.pubkey(),
                &wrong,
                &payer.pubkey(),
                "vault-2",
                7,
                3,
                &owner,
            )],
            &payer,
            &[],
        )
        .unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::Custom(5)));

    // Allocate + assign on a fresh wallet.
    let wallet = Keypair::new();
    h.airdrop(&wallet.pubkey(), minimum_balance(32));
    h.send(
        &[system_instruction::allocate(&wallet.pubkey(), 32), system_instruction::assign(&wallet.pubkey(), &owner)],
        &payer,
        &[&wallet],
    )
    .unwrap();
    let account = h.get_account(&wallet.pubkey()).unwrap();
    assert_eq!((account.data.len(), account.owner), (32, owner));
    // A system transfer from an account the system program no longer owns fails.
    let failed =
        h.send(&[system_instruction::transfer(&wallet.pubkey(), &payer.pubkey(), 1)], &payer, &[&wallet]).unwrap_err();
    assert!(matches!(failed.err, TransactionError::InstructionError(0, _)), "{failed}");
}

#[test]
fn transfer_to_a_read_only_account_fails() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let mut ix = system_instruction::transfer(&payer.pubkey(), &to, 10);
    ix.accounts[1].is_writable = false;
    let failed = h.send(&[ix], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::ReadonlyLamportChange));
}
