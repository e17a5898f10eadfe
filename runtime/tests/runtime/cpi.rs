//! Cross-program invocation: privileges, PDA signing, depth, reentrancy,
//! and changes flowing both ways between caller and callee.

use crate::common::*;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, system_program, Account, AccountMeta, Pubkey};
use lanes_test_program::TestInstruction;

const OTHER: Pubkey = Pubkey::new_from_array([0x42; 32]);

fn setup_two() -> (lanes_runtime::harness::Harness, lanes_sdk::client::Keypair) {
    let (mut h, payer) = setup();
    h.add_program(OTHER, lanes_program_artifacts::TEST_PROGRAM).unwrap();
    (h, payer)
}

fn borsh(ix: &TestInstruction) -> Vec<u8> {
    borsh::to_vec(ix).unwrap()
}

#[test]
fn signer_privilege_passes_through_to_the_system_program() {
    let (mut h, payer) = setup();
    let to = Pubkey::new_unique_from_u64(1);
    let amount = lanes_sdk::rent::minimum_balance(0) + 1_234;
    let transfer = system_instruction::transfer(&payer.pubkey(), &to, amount);
    let accounts = [
        AccountMeta::new(payer.pubkey(), true),
        AccountMeta::new(to, false),
        AccountMeta::new_readonly(system_program::ID, false),
    ];
    let call = call(system_program::ID, &transfer.accounts, transfer.data.clone(), vec![]);
    let meta = send(&mut h, &payer, &[ix(call, accounts.to_vec())], &[]).unwrap();
    assert_eq!(h.get_balance(&to), amount);

    // The call is listed as Solana's innerInstructions list it: under
    // top-level instruction 0, the system program at depth 2, with the
    // transfer's accounts (as indexes into the transaction's keys) and data.
    let tx = h.transaction(
        &[ix(
            crate::common::call(system_program::ID, &transfer.accounts, transfer.data.clone(), vec![]),
            accounts.to_vec(),
        )],
        &payer,
        &[],
    );
    let keys = &tx.message.account_keys;
    let index_of = |key: &Pubkey| keys.iter().position(|k| k == key).unwrap() as u8;
    assert_eq!(meta.inner_instructions.len(), 1, "{:?}", meta.inner_instructions);
    let group = &meta.inner_instructions[0];
    assert_eq!(group.index, 0);
    assert_eq!(group.instructions.len(), 1);
    let inner = &group.instructions[0];
    assert_eq!(inner.program_id_index, index_of(&system_program::ID));
    assert_eq!(inner.accounts, vec![index_of(&payer.pubkey()), index_of(&to)]);
    assert_eq!(inner.data, transfer.data);
    assert_eq!(inner.stack_height, 2);
}

#[test]
fn signer_escalation_is_refused() {
    let (mut h, payer) = setup();
    let victim = Pubkey::new_unique_from_u64(2);
    h.airdrop(&victim, 1_000);
    let theft = system_instruction::transfer(&victim, &payer.pubkey(), 1_000);
    let accounts = vec![
        AccountMeta::new(victim, false),
        AccountMeta::new(payer.pubkey(), true),
        AccountMeta::new_readonly(system_program::ID, false),
    ];
    let failed = send(
        &mut h,
        &payer,
        &[ix(call(system_program::ID, &theft.accounts, theft.data.clone(), vec![]), accounts)],
        &[],
    )
    .unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::PrivilegeEscalation));
    assert!(failed.meta.logs.iter().any(|l| l.contains("signer privilege escalated")));
    assert_eq!(h.get_balance(&victim), 1_000);
}

#[test]
fn writable_escalation_is_refused() {
    let (mut h, payer) = setup_two();
    let data = owned_account(&mut h, 10, 4);
    // Read-only for the caller, writable in the call.
    let inner = borsh(&TestInstruction::Noop);
    let failed = send(
        &mut h,
        &payer,
        &[ix(
            call(OTHER, &[AccountMeta::new(data, false)], inner, vec![]),
            vec![AccountMeta::new_readonly(data, false), AccountMeta::new_readonly(OTHER, false)],
        )],
        &[],
    )
    .unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::PrivilegeEscalation));
}

#[test]
fn accounts_outside_the_callers_set_are_refused() {
    let (mut h, payer) = setup_two();
    let stranger = owned_account(&mut h, 10, 4);
    let inner = borsh(&TestInstruction::Noop);
    let failed = send(
        &mut h,
        &payer,
        &[ix(
            call(OTHER, &[AccountMeta::new_readonly(stranger, false)], inner, vec![]),
            vec![AccountMeta::new_readonly(OTHER, false)],
        )],
        &[],
    )
    .unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::MissingAccount));
}

#[test]
fn pda_signs_with_the_right_seeds_only() {
    let (mut h, payer) = setup();
    let (pda, bump) = Pubkey::find_program_address(&[b"treasury"], &PROGRAM);
    h.airdrop(&pda, 5_000_000);
    let to = Pubkey::new_unique_from_u64(3);
    let transfer = system_instruction::transfer(&pda, &to, 2_000_000);
    let accounts = vec![
        AccountMeta::new(pda, false),
        AccountMeta::new(to, false),
        AccountMeta::new_readonly(system_program::ID, false),
    ];
    let good = call(
        system_program::ID,
        &transfer.accounts,
        transfer.data.clone(),
        vec![vec![b"treasury".to_vec(), vec![bump]]],
    );
    send(&mut h, &payer, &[ix(good, accounts.clone())], &[]).unwrap();
    assert_eq!((h.get_balance(&pda), h.get_balance(&to)), (3_000_000, 2_000_000));
    let bad = call(
        system_program::ID,
        &transfer.accounts,
        transfer.data.clone(),
        vec![vec![b"treasurx".to_vec(), vec![bump]]],
    );
    let failed = send(&mut h, &payer, &[ix(bad, accounts)], &[]).unwrap_err();
    assert!(
        matches!(
            failed.err,
            TransactionError::InstructionError(
                0,
                InstructionError::PrivilegeEscalation | InstructionError::InvalidSeeds
            )
        ),
        "{failed}"
    );
}

#[test]
fn depth_is_limited() {
    let (mut h, payer) = setup();
    let program = vec![AccountMeta::new_readonly(PROGRAM, false)];
    send(&mut h, &payer, &[ix(TestInstruction::Recurse { depth: 4 }, program.clone())], &[]).unwrap();
    let failed = send(&mut h, &payer, &[ix(TestInstruction::Recurse { depth: 5 }, program)], &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::CallDepth));
}

#[test]
fn reentrancy_is_refused_but_self_recursion_is_allowed() {
    let (mut h, payer) = setup_two();
    let back = borsh(&call(PROGRAM, &[], borsh(&TestInstruction::Noop), vec![]));
    let a_to_b_to_a = call(OTHER, &[AccountMeta::new_readonly(PROGRAM, false)], back, vec![]);
    let failed = send(
        &mut h,
        &payer,
        &[ix(a_to_b_to_a, vec![AccountMeta::new_readonly(OTHER, false), AccountMeta::new_readonly(PROGRAM, false)])],
        &[],
    )
    .unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::ReentrancyNotAllowed));
}

#[test]
fn callee_failure_fails_the_caller() {
    let (mut h, payer) = setup_two();
    let inner = borsh(&TestInstruction::ReturnError(7));
    let failed = send(
        &mut h,
        &payer,
        &[ix(call(OTHER, &[], inner, vec![]), vec![AccountMeta::new_readonly(OTHER, false)])],
        &[],
    )
    .unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::Custom(7)));
}

#[test]
fn return_data_and_changes_flow_back_to_the_caller() {
    let (mut h, payer) = setup_two();
    let inner = borsh(&TestInstruction::SetReturnData(vec![1, 2, 3]));
    let meta = send(
        &mut h,
        &payer,
        &[ix(call(OTHER, &[], inner, vec![]), vec![AccountMeta::new_readonly(OTHER, false)])],
        &[],
    )
    .unwrap();
    // The caller re-set the callee's data as its own.
    assert_eq!(meta.return_data, Some((PROGRAM, vec![1, 2, 3])));

    // The callee (OTHER) writes an account it owns; the caller then sees and keeps it.
    let theirs = Pubkey::new_unique_from_u64(11);
    h.set_account(theirs, Account::new(10, 4, &OTHER));
    let write = borsh(&TestInstruction::WriteData { index: 0, offset: 1, value: 5 });
    send(
        &mut h,
        &payer,
        &[ix(
            call(OTHER, &[AccountMeta::new(theirs, false)], write, vec![]),
            vec![AccountMeta::new(theirs, false), AccountMeta::new_readonly(OTHER, false)],
        )],
        &[],
    )
    .unwrap();
    assert_eq!(h.get_account(&theirs).unwrap().data, vec![0, 5, 0, 0]);
}

#[test]
fn callee_debits_its_own_account_into_the_callers() {
    let (mut h, payer) = setup_two();
    let theirs = Pubkey::new_unique_from_u64(12);
    h.set_account(theirs, Account::new(10, 4, &OTHER));
    // The callee (OTHER) owns `theirs` and may debit it into the caller's
    // account (rent-exempt: one short of it could not be credited).
    let mine = owned_account(&mut h, 1_000_000, 0);
    let inner = borsh(&TestInstruction::MoveLamports { from: 0, to: 1, amount: 10 });
    let outer_call = call(OTHER, &[AccountMeta::new(theirs, false), AccountMeta::new(mine, false)], inner, vec![]);
    send(
        &mut h,
        &payer,
        &[ix(
            outer_call,
            vec![
                AccountMeta::new(theirs, false),
                AccountMeta::new(mine, false),
                AccountMeta::new_readonly(OTHER, false),
            ],
        )],
        &[],
    )
    .unwrap();
    assert_eq!((h.get_balance(&theirs), h.get_balance(&mine)), (0, 1_000_010));
}
