//! Refusals before anything runs: duplicate keys, too many accounts,
//! malformed messages, missing or non-executable programs.

use super::funded;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, system_program, Account, AccountMeta, Instruction, Pubkey};

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
