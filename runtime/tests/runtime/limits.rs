//! Limits one transaction meets, as Solana's: the instruction trace (64
//! instructions, top-level and cross-program calls together) and where a
//! cross-program call may go.

use crate::common::*;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{AccountMeta, Instruction};
use lanes_test_program::TestInstruction;

fn noop() -> Instruction {
    ix(TestInstruction::Noop, vec![])
}

fn trace_exceeded_at(index: u8) -> TransactionError {
    TransactionError::InstructionError(index, InstructionError::MaxInstructionTraceLengthExceeded)
}

#[test]
fn sixty_four_instructions_run_and_the_sixty_fifth_is_refused_at_its_own_index() {
    let (mut h, payer) = setup();
    send(&mut h, &payer, &vec![noop(); 64], &[]).unwrap();
    let failed = send(&mut h, &payer, &vec![noop(); 65], &[]).unwrap_err();
    assert_eq!(failed.err, trace_exceeded_at(64));
    // Far more instructions than the trace allows: still reported exactly
    // (an index kept in a byte once said 300 was 44).
    let failed = send(&mut h, &payer, &vec![noop(); 300], &[]).unwrap_err();
    assert_eq!(failed.err, trace_exceeded_at(64));
}

#[test]
fn cross_program_calls_count_toward_the_trace() {
    let (mut h, payer) = setup();
    let data = borsh::to_vec(&TestInstruction::Noop).unwrap();
    let calling = ix(call(PROGRAM, &[], data, vec![]), vec![AccountMeta::new_readonly(PROGRAM, false)]);
    // 62 + (1 call and the instruction it starts) = 64.
    let mut ixs = vec![noop(); 62];
    ixs.push(calling.clone());
    send(&mut h, &payer, &ixs, &[]).unwrap();
    // 63 + 2 = 65: the call is the one too many, in instruction 63.
    let mut ixs = vec![noop(); 63];
    ixs.push(calling);
    let failed = send(&mut h, &payer, &ixs, &[]).unwrap_err();
    assert_eq!(failed.err, trace_exceeded_at(63));
}

#[test]
fn a_cross_program_call_reaches_only_programs_passed_to_the_caller() {
    let (mut h, payer) = setup();
    let data = borsh::to_vec(&TestInstruction::Noop).unwrap();
    // The test program is in the transaction (it is the one invoked), but
    // not among the caller's accounts.
    let unpassed = ix(call(PROGRAM, &[], data.clone(), vec![]), vec![]);
    let failed = send(&mut h, &payer, &[unpassed], &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::MissingAccount));
    assert!(failed.meta.logs.iter().any(|line| line.contains("Unknown program")), "{:?}", failed.meta.logs);
    let passed = ix(call(PROGRAM, &[], data, vec![]), vec![AccountMeta::new_readonly(PROGRAM, false)]);
    send(&mut h, &payer, &[passed], &[]).unwrap();
}
