//! Transaction-level checks: signatures, blockhashes, replay, structure,
//! fees, the system and compute-budget programs.

use crate::common::*;
use lanes_runtime::harness::Harness;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::message::Message;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{
    compute_budget, system_instruction, system_program, Account, AccountMeta, Instruction, Pubkey, Signature,
};
use lanes_test_program::TestInstruction;

fn funded() -> (Harness, Keypair) {
    let mut h = Harness::new();
    let payer = Keypair::new();
    h.airdrop(&payer.pubkey(), 1_000_000_000);
    (h, payer)
}

#[test]
fn transfer_charges_fee_and_moves_lamports() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let meta = h.send(&[system_instruction::transfer(&payer.pubkey(), &to, 1_000)], &payer, &[]).unwrap();
    assert_eq!(meta.fee, 5_000);
    assert_eq!(h.get_balance(&to), 1_000);
    assert_eq!(h.get_balance(&payer.pubkey()), 1_000_000_000 - 1_000 - 5_000);
    assert_eq!(h.bank().collected_fees(), 5_000);
}

#[test]
fn wrong_or_missing_signatures_are_refused_without_fee() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let mut tx = h.transaction(&[system_instruction::transfer(&payer.pubkey(), &to, 10)], &payer, &[]);
    tx.signatures[0].0[0] ^= 1;
    assert_eq!(h.send_transaction(tx.clone()).unwrap_err().err, TransactionError::SignatureFailure);
    // Signed by someone else entirely.
    let mallory = Keypair::new();
    let mut forged = tx.clone();
    forged.signatures[0] = mallory.sign_message(&forged.message_data());
    assert_eq!(h.send_transaction(forged).unwrap_err().err, TransactionError::SignatureFailure);
    // No signature at all.
    let mut unsigned = tx.clone();
    unsigned.signatures.clear();
    assert_eq!(h.send_transaction(unsigned).unwrap_err().err, TransactionError::SanitizeFailure);
    assert_eq!(h.get_balance(&payer.pubkey()), 1_000_000_000, "refused transactions pay nothing");
}

#[test]
fn a_second_signer_is_required() {
    let (mut h, payer) = funded();
    let other = Keypair::new();
    h.airdrop(&other.pubkey(), 500);
    // `other` must sign to move its lamports; build the message, sign only with payer.
    let ix = system_instruction::transfer(&other.pubkey(), &payer.pubkey(), 100);
    let mut tx =
        Transaction::new_unsigned(Message::new_with_blockhash(&[ix], Some(&payer.pubkey()), &h.latest_blockhash()));
    tx.try_partial_sign(&[&payer]).unwrap();
    assert_eq!(h.send_transaction(tx).unwrap_err().err, TransactionError::SignatureFailure);
}

#[test]
fn stale_unknown_blockhash_and_replay() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let ix = system_instruction::transfer(&payer.pubkey(), &to, 10);
    let tx = h.transaction(std::slice::from_ref(&ix), &payer, &[]);
    h.send_transaction(tx.clone()).unwrap();
    assert_eq!(h.send_transaction(tx.clone()).unwrap_err().err, TransactionError::AlreadyProcessed);
    let unknown =
        Transaction::new_signed_with_payer(std::slice::from_ref(&ix), Some(&payer.pubkey()), &[&payer], Hash([9; 32]));
    assert_eq!(h.send_transaction(unknown).unwrap_err().err, TransactionError::BlockhashNotFound);
    // After 150 newer blockhashes the old one expires.
    for _ in 0..150 {
        h.expire_blockhash();
    }
    let stale = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&payer.pubkey(), &to, 11)],
        Some(&payer.pubkey()),
        &[&payer],
        tx.message.recent_blockhash,
    );
    assert_eq!(h.send_transaction(stale).unwrap_err().err, TransactionError::BlockhashNotFound);
    assert_eq!(h.get_balance(&to), 10);
}

#[test]
fn duplicate_keys_and_too_many_accounts() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let mut tx = h.transaction(&[system_instruction::transfer(&payer.pubkey(), &to, 10)], &payer, &[]);
    tx.message.account_keys[1] = tx.message.account_keys[0];
    tx.signatures[0] = payer.sign_message(&tx.message_data());
    assert_eq!(h.send_transaction(tx).unwrap_err().err, TransactionError::AccountLoadedTwice);

    let metas: Vec<AccountMeta> =
        (0..130).map(|i| AccountMeta::new_readonly(Pubkey::new_unique_from_u64(i + 10), false)).collect();
    let big = Instruction::new_with_bytes(system_program::ID, &[], metas);
    let tx = h.transaction(&[big], &payer, &[]);
    assert_eq!(h.send_transaction(tx).unwrap_err().err, TransactionError::TooManyAccountLocks);
}

#[test]
fn malformed_messages_are_refused() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let mut tx = h.transaction(&[system_instruction::transfer(&payer.pubkey(), &to, 10)], &payer, &[]);
    tx.message.instructions[0].accounts.push(200);
    assert_eq!(h.send_transaction(tx.clone()).unwrap_err().err, TransactionError::SanitizeFailure);
    tx.message.instructions[0].accounts.pop();
    tx.message.instructions[0].program_id_index = 0;
    assert_eq!(h.send_transaction(tx).unwrap_err().err, TransactionError::SanitizeFailure);
}

#[test]
fn fee_payer_must_exist_be_a_wallet_and_afford_the_fee() {
    let mut h = Harness::new();
    let ghost = Keypair::new();
    let to = Pubkey::new_unique_from_u64(1);
    let ix = system_instruction::transfer(&ghost.pubkey(), &to, 1);
    assert_eq!(h.send(std::slice::from_ref(&ix), &ghost, &[]).unwrap_err().err, TransactionError::AccountNotFound);
    h.airdrop(&ghost.pubkey(), 4_999);
    assert_eq!(
        h.send(std::slice::from_ref(&ix), &ghost, &[]).unwrap_err().err,
        TransactionError::InsufficientFundsForFee
    );
    h.set_account(ghost.pubkey(), Account::new(1_000_000, 0, &PROGRAM));
    assert_eq!(h.send(&[ix], &ghost, &[]).unwrap_err().err, TransactionError::InvalidAccountForFee);
}

#[test]
fn failed_transaction_pays_fee_and_changes_nothing_else() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let before = h.snapshot();
    let failed = h
        .send(
            &[
                system_instruction::transfer(&payer.pubkey(), &to, 10),
                system_instruction::transfer(&payer.pubkey(), &to, 10_000_000_000),
            ],
            &payer,
            &[],
        )
        .unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(1, InstructionError::Custom(1)));
    let after = h.snapshot();
    assert_eq!(after.len(), before.len(), "the recipient was not created");
    assert_eq!(h.get_balance(&payer.pubkey()), 1_000_000_000 - 5_000);
}

#[test]
fn priority_fee_and_compute_limit() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let meta = h
        .send(
            &[
                compute_budget::set_compute_unit_limit(10_000),
                compute_budget::set_compute_unit_price(2_000_000),
                system_instruction::transfer(&payer.pubkey(), &to, 10),
            ],
            &payer,
            &[],
        )
        .unwrap();
    assert_eq!(meta.fee, 5_000 + 20_000);
    let failed = h
        .send(&[compute_budget::set_compute_unit_limit(1), compute_budget::set_compute_unit_limit(2)], &payer, &[])
        .unwrap_err();
    assert_eq!(failed.err, TransactionError::DuplicateInstruction(1));
}

#[test]
fn simulation_changes_nothing() {
    let (h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let tx = h.transaction(&[system_instruction::transfer(&payer.pubkey(), &to, 10)], &payer, &[]);
    let before = h.snapshot();
    let meta = h.simulate_transaction(&tx).unwrap();
    assert_eq!(meta.fee, 5_000);
    assert_eq!(h.snapshot(), before);
}

#[test]
fn system_program_create_assign_allocate_and_seeds() {
    let (mut h, payer) = funded();
    let new = Keypair::new();
    let owner = Pubkey::new_unique_from_u64(3);
    h.send(&[system_instruction::create_account(&payer.pubkey(), &new.pubkey(), 500, 16, &owner)], &payer, &[&new])
        .unwrap();
    let created = h.get_account(&new.pubkey()).unwrap();
    assert_eq!((created.lamports, created.data.len(), created.owner), (500, 16, owner));
    // Creating it again fails: already in use.
    h.expire_blockhash();
    let again = h
        .send(&[system_instruction::create_account(&payer.pubkey(), &new.pubkey(), 500, 16, &owner)], &payer, &[&new])
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
            7,
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
    h.airdrop(&wallet.pubkey(), 100);
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

#[test]
fn missing_and_non_executable_programs() {
    let (mut h, payer) = funded();
    let missing = Instruction::new_with_bytes(Pubkey::new_unique_from_u64(99), &[], vec![]);
    let failed = h.send(&[missing], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::ProgramAccountNotFound);
    assert_eq!(failed.meta.fee, 5_000);
    let data_account = Pubkey::new_unique_from_u64(98);
    h.set_account(data_account, Account::new(5, 4, &system_program::ID));
    let not_program = Instruction::new_with_bytes(data_account, &[], vec![]);
    h.expire_blockhash();
    assert_eq!(h.send(&[not_program], &payer, &[]).unwrap_err().err, TransactionError::InvalidProgramForExecution);
}

#[test]
fn unsupported_nonce_instructions_are_refused() {
    let (mut h, payer) = funded();
    let ix =
        Instruction::new_with_bytes(system_program::ID, &[4, 0, 0, 0], vec![AccountMeta::new(payer.pubkey(), true)]);
    let failed = h.send(&[ix], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::InvalidInstructionData));
    assert!(failed.meta.logs.iter().any(|l| l.contains("not supported")));
}

#[test]
fn signatures_are_distinct_per_transaction() {
    let (mut h, payer) = setup();
    let a = h.send(&[ix(TestInstruction::Noop, vec![])], &payer, &[]).unwrap();
    let b = h.send(&[ix(TestInstruction::Log("x".into()), vec![])], &payer, &[]).unwrap();
    assert_ne!(a.signature, b.signature);
    assert_ne!(a.signature, Signature::default());
}

#[test]
fn admission_of_a_batch_checks_blockhashes_and_duplicates_per_transaction() {
    use lanes_runtime::bank::{Bank, BankConfig};
    use lanes_runtime::harness::shared_executor;
    use lanes_runtime::ingest::sanitize::SanitizedTransaction;
    use lanes_runtime::store::InMemoryAccountStore;
    use lanes_sdk::system_instruction;
    use std::sync::Arc;

    let bank = Bank::new(Arc::new(InMemoryAccountStore::new()), shared_executor(), BankConfig::default());
    let older = bank.latest_blockhash();
    bank.register_blockhash();
    let newer = bank.latest_blockhash();
    let payer = Keypair::new();
    let tx = |lamports: u64, blockhash: Hash| {
        let ix = system_instruction::transfer(&payer.pubkey(), &Keypair::new().pubkey(), lamports);
        let tx = Transaction::new_signed_with_payer(&[ix], Some(&payer.pubkey()), &[&payer], blockhash);
        SanitizedTransaction::try_new(tx).unwrap()
    };
    let a = tx(1, older);
    let batch = [a.clone(), tx(2, older), a.clone(), tx(3, Hash::new_from_array([7; 32])), tx(4, newer), tx(5, older)];
    let mut out = Vec::new();
    bank.check_and_reserve_batch(&batch, &mut out);
    assert_eq!(
        out,
        vec![
            Ok(()),
            Ok(()),
            Err(TransactionError::AlreadyProcessed),
            Err(TransactionError::BlockhashNotFound),
            Ok(()),
            Ok(()),
        ]
    );
    // Reserved: the same transactions again are all duplicates (or still unknown).
    out.clear();
    bank.check_and_reserve_batch(&batch[..2], &mut out);
    assert_eq!(out, vec![Err(TransactionError::AlreadyProcessed); 2]);
}
