//! Hostile and careless programs: each must fail cleanly, change nothing but
//! the fee, and never disturb the host.

use crate::common::*;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{compute_budget, system_program, Account, AccountMeta};
use lanes_test_program::TestInstruction;

fn instruction_error(err: &TransactionError) -> &InstructionError {
    match err {
        TransactionError::InstructionError(0, e) => e,
        other => panic!("expected an error in instruction 0, got {other:?}"),
    }
}

#[test]
fn infinite_loop_stops_at_the_compute_limit_and_charges_the_fee() {
    let (mut h, payer) = setup();
    let target = owned_account(&mut h, 10, 8);
    let before = h.get_balance(&payer.pubkey());
    let failed = send(
        &mut h,
        &payer,
        &[
            compute_budget::set_compute_unit_limit(50_000),
            ix(TestInstruction::WriteData { index: 0, offset: 0, value: 1 }, vec![AccountMeta::new(target, false)]),
            ix(TestInstruction::LoopForever, vec![]),
        ],
        &[],
    )
    .unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(2, InstructionError::ComputationalBudgetExceeded));
    assert_eq!(failed.meta.compute_units_consumed, 50_000);
    assert_eq!(h.get_balance(&payer.pubkey()), before - 5_000, "fee charged");
    assert_eq!(h.get_account(&target).unwrap().data, vec![0; 8], "the earlier instruction's write was rolled back");
}

#[test]
fn unbounded_allocation_aborts_at_the_memory_limit() {
    let (mut h, payer) = setup();
    let failed = send(&mut h, &payer, &[ix(TestInstruction::AllocateForever, vec![])], &[]).unwrap_err();
    assert_eq!(instruction_error(&failed.err), &InstructionError::ProgramFailedToComplete, "{failed}");
    assert!(failed.meta.logs.iter().any(|l| l.contains("memory allocation")), "{:?}", failed.meta.logs);
}

#[test]
fn refused_memory_grow_returns_minus_one() {
    let (mut h, payer) = setup();
    // 4 MiB is 64 pages: asking for 100 more must be refused, not trap.
    let failed = send(&mut h, &payer, &[ix(TestInstruction::GrowMemory { pages: 100 }, vec![])], &[]).unwrap_err();
    assert_eq!(instruction_error(&failed.err), &InstructionError::Custom(1));
    send(&mut h, &payer, &[ix(TestInstruction::GrowMemory { pages: 1 }, vec![])], &[]).unwrap();
}

#[test]
fn deep_native_recursion_traps_cleanly() {
    let (mut h, payer) = setup();
    let failed = send(
        &mut h,
        &payer,
        &[compute_budget::set_compute_unit_limit(1_400_000), ix(TestInstruction::StackOverflow, vec![])],
        &[],
    )
    .unwrap_err();
    assert!(
        matches!(
            failed.err,
            TransactionError::InstructionError(
                1,
                InstructionError::ProgramFailedToComplete | InstructionError::ComputationalBudgetExceeded
            )
        ),
        "{failed}"
    );
}

#[test]
fn writing_an_account_it_does_not_own_fails() {
    let (mut h, payer) = setup();
    let foreign = lanes_sdk::Pubkey::new_unique_from_u64(77);
    h.set_account(foreign, Account::new(10, 8, &system_program::ID));
    let failed = send(
        &mut h,
        &payer,
        &[ix(TestInstruction::WriteData { index: 0, offset: 0, value: 9 }, vec![AccountMeta::new(foreign, false)])],
        &[],
    )
    .unwrap_err();
    assert_eq!(instruction_error(&failed.err), &InstructionError::ExternalAccountDataModified);
    assert_eq!(h.get_account(&foreign).unwrap().data, vec![0; 8]);
}

#[test]
fn writing_a_read_only_account_fails_even_when_owned() {
    let (mut h, payer) = setup();
    let mine = owned_account(&mut h, 10, 8);
    let failed = send(
        &mut h,
        &payer,
        &[ix(
            TestInstruction::WriteData { index: 0, offset: 0, value: 9 },
            vec![AccountMeta::new_readonly(mine, false)],
        )],
        &[],
    )
    .unwrap_err();
    assert_eq!(instruction_error(&failed.err), &InstructionError::ReadonlyDataModified);
    assert_eq!(h.get_account(&mine).unwrap().data, vec![0; 8]);
}

#[test]
fn minting_lamports_is_unbalanced() {
    let (mut h, payer) = setup();
    let mine = owned_account(&mut h, 10, 0);
    let failed = send(
        &mut h,
        &payer,
        &[ix(TestInstruction::MintLamports { index: 0, amount: 1_000 }, vec![AccountMeta::new(mine, false)])],
        &[],
    )
    .unwrap_err();
    assert_eq!(instruction_error(&failed.err), &InstructionError::UnbalancedInstruction);
    assert_eq!(h.get_balance(&mine), 10);
}

#[test]
fn debiting_a_foreign_account_fails_but_crediting_it_works() {
    let (mut h, payer) = setup();
    // Both rent-exempt, so that the one credited may stay as it is.
    let mine = owned_account(&mut h, 1_000_000, 0);
    let wallet = lanes_sdk::Pubkey::new_unique_from_u64(5);
    h.airdrop(&wallet, 1_000_000);
    let steal = ix(
        TestInstruction::MoveLamports { from: 1, to: 0, amount: 10 },
        vec![AccountMeta::new(mine, false), AccountMeta::new(wallet, false)],
    );
    let failed = send(&mut h, &payer, &[steal], &[]).unwrap_err();
    assert_eq!(instruction_error(&failed.err), &InstructionError::ExternalAccountLamportSpend);
    let give = ix(
        TestInstruction::MoveLamports { from: 0, to: 1, amount: 10 },
        vec![AccountMeta::new(mine, false), AccountMeta::new(wallet, false)],
    );
    send(&mut h, &payer, &[give], &[]).unwrap();
    assert_eq!((h.get_balance(&mine), h.get_balance(&wallet)), (999_990, 1_000_010));
}

#[test]
fn reassigning_needs_zeroed_data_and_ownership() {
    let (mut h, payer) = setup();
    let mine = owned_account(&mut h, 10, 4);
    let other_owner = lanes_sdk::Pubkey::new_unique_from_u64(6);
    send(
        &mut h,
        &payer,
        &[ix(TestInstruction::Assign { index: 0, owner: other_owner }, vec![AccountMeta::new(mine, false)])],
        &[],
    )
    .unwrap();
    assert_eq!(h.get_account(&mine).unwrap().owner, other_owner);
    // Now it is not ours: taking it back fails.
    let failed = send(
        &mut h,
        &payer,
        &[ix(TestInstruction::Assign { index: 0, owner: PROGRAM }, vec![AccountMeta::new(mine, false)])],
        &[],
    )
    .unwrap_err();
    assert_eq!(instruction_error(&failed.err), &InstructionError::ModifiedProgramId);
    // Non-zero data cannot be handed over.
    let dirty = owned_account(&mut h, 10, 4);
    let failed = send(
        &mut h,
        &payer,
        &[
            ix(TestInstruction::WriteData { index: 0, offset: 0, value: 1 }, vec![AccountMeta::new(dirty, false)]),
            ix(TestInstruction::Assign { index: 0, owner: other_owner }, vec![AccountMeta::new(dirty, false)]),
        ],
        &[],
    )
    .unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(1, InstructionError::ModifiedProgramId));
}

#[test]
fn resize_within_and_beyond_the_growth_limit() {
    let (mut h, payer) = setup();
    let mine = owned_account(&mut h, lanes_sdk::rent::minimum_balance(40 * 1024), 4);
    send(
        &mut h,
        &payer,
        &[ix(TestInstruction::Resize { index: 0, len: 4 + 10 * 1024 }, vec![AccountMeta::new(mine, false)])],
        &[],
    )
    .unwrap();
    assert_eq!(h.get_account(&mine).unwrap().data.len(), 4 + 10 * 1024);
    let failed = send(
        &mut h,
        &payer,
        &[ix(TestInstruction::Resize { index: 0, len: 40 * 1024 }, vec![AccountMeta::new(mine, false)])],
        &[],
    )
    .unwrap_err();
    assert_eq!(instruction_error(&failed.err), &InstructionError::InvalidRealloc);
    send(&mut h, &payer, &[ix(TestInstruction::Resize { index: 0, len: 2 }, vec![AccountMeta::new(mine, false)])], &[])
        .unwrap();
    assert_eq!(h.get_account(&mine).unwrap().data, vec![0, 0]);
}

#[test]
fn panics_and_error_codes_are_reported() {
    let (mut h, payer) = setup();
    let failed = send(&mut h, &payer, &[ix(TestInstruction::Panic, vec![])], &[]).unwrap_err();
    assert_eq!(instruction_error(&failed.err), &InstructionError::ProgramFailedToComplete);
    assert!(failed.meta.logs.iter().any(|l| l.contains("panicked on purpose")), "{:?}", failed.meta.logs);
    let failed = send(&mut h, &payer, &[ix(TestInstruction::ReturnError(42), vec![])], &[]).unwrap_err();
    assert_eq!(instruction_error(&failed.err), &InstructionError::Custom(42));
    let failed =
        send(&mut h, &payer, &[lanes_sdk::Instruction::new_with_bytes(PROGRAM, &[200, 1], vec![])], &[]).unwrap_err();
    assert_eq!(instruction_error(&failed.err), &InstructionError::InvalidInstructionData);
}

#[test]
fn host_functions_return_data_sha256_pda_clock() {
    let (mut h, payer) = setup();
    let meta = send(&mut h, &payer, &[ix(TestInstruction::Sha256 { data: b"abc".to_vec() }, vec![])], &[]).unwrap();
    assert_eq!(meta.return_data, Some((PROGRAM, lanes_sdk::hash::hash(b"abc").0.to_vec())));
    let meta =
        send(&mut h, &payer, &[ix(TestInstruction::FindPda { seeds: vec![b"vault".to_vec()] }, vec![])], &[]).unwrap();
    let (pda, bump) = lanes_sdk::Pubkey::find_program_address(&[b"vault"], &PROGRAM);
    let mut expected = pda.0.to_vec();
    expected.push(bump);
    assert_eq!(meta.return_data.unwrap().1, expected);
    h.warp_to_slot(42);
    let meta = send(&mut h, &payer, &[ix(TestInstruction::Clock, vec![])], &[]).unwrap();
    assert_eq!(meta.return_data.unwrap().1, 42u64.to_le_bytes().to_vec());
}

#[test]
fn logs_are_truncated_not_unbounded() {
    let (mut h, payer) = setup();
    let meta =
        send(&mut h, &payer, &[ix(TestInstruction::LogRepeat { text: "x".repeat(500), times: 40 }, vec![])], &[])
            .unwrap();
    assert_eq!(meta.logs.last().map(String::as_str), Some("Log truncated"));
    assert!(meta.logs.iter().map(String::len).sum::<usize>() <= 10_000 + 20);
}
