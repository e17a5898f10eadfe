//! Limits one transaction meets, as Solana's: the instruction trace (64
//! instructions, top-level and cross-program calls together) and where a
//! cross-program call may go, and the account data it may load (64 MiB,
//! charged 8 units per 32 KiB, plus 1 per 8 bytes it copies).

use crate::common::*;
use lanes_runtime::harness::Harness;
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::message::Message;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{AccountMeta, Instruction, Pubkey};
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

/// What loading `extra_bytes` of account data beside the test program costs
/// (its code counts as loaded; only its header is copied).
fn load_cost(extra_bytes: u64) -> u64 {
    let header = lanes_sdk::loader::STATE_HEADER_LEN as u64;
    let program = header + lanes_program_artifacts::TEST_PROGRAM.len() as u64;
    lanes_runtime::execution::compute_budget::loaded_accounts_data_cost(program + extra_bytes, header + extra_bytes)
}

/// `instructions` with `extra` read-only accounts in the message that no
/// instruction uses: loaded, and nothing else.
fn with_unused_accounts(h: &Harness, payer: &Keypair, instructions: &[Instruction], extra: &[Pubkey]) -> Transaction {
    let mut message = Message::new(instructions, Some(&payer.pubkey()));
    message.account_keys.extend_from_slice(extra);
    message.header.num_readonly_unsigned_accounts += extra.len() as u8;
    let mut tx = Transaction::new_unsigned(message);
    tx.sign(&[payer], h.latest_blockhash());
    tx
}

#[test]
fn loaded_account_data_is_charged_eight_units_per_32_kib() {
    let (mut h, payer) = setup();
    let bare = send(&mut h, &payer, &[noop()], &[]).unwrap().compute_units_consumed;
    let big = owned_account(&mut h, 1_000_000_000, 1024 * 1024);
    let tx = with_unused_accounts(&h, &payer, &[noop()], &[big]);
    let loaded = h.send_transaction(tx).unwrap().compute_units_consumed;
    assert_eq!(loaded - bare, load_cost(1024 * 1024) - load_cost(0));
    assert_eq!(
        load_cost(1024 * 1024) - load_cost(0),
        256 + 131_072,
        "1 MiB: 32 pages of 8 units, copied at 8 bytes a unit"
    );
}

#[test]
fn loading_more_than_the_compute_limit_pays_for_fails_with_the_fee_charged() {
    let (mut h, payer) = setup();
    let big: Vec<_> = (0..7).map(|_| owned_account(&mut h, 1_000_000_000, 10 * 1024 * 1024)).collect();
    let full_budget = lanes_sdk::compute_budget::set_compute_unit_limit(1_400_000);
    let before = h.get_balance(&payer.pubkey());
    let tx = with_unused_accounts(&h, &payer, &[full_budget.clone(), noop()], &big);
    let failed = h.send_transaction(tx).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::ComputationalBudgetExceeded));
    assert_eq!(h.get_balance(&payer.pubkey()), before - failed.meta.fee, "the fee is charged");
    // One fits in the whole budget, and pays for copying its 10 MiB.
    let meta = h.send_transaction(with_unused_accounts(&h, &payer, &[full_budget, noop()], &big[..1])).unwrap();
    assert!(meta.compute_units_consumed > load_cost(10 * 1024 * 1024));
}

#[test]
fn a_transaction_may_lower_its_loaded_data_limit() {
    let (mut h, payer) = setup();
    let account = owned_account(&mut h, 1_000_000_000, 64 * 1024);
    let with_account = ix(TestInstruction::Noop, vec![AccountMeta::new(account, false)]);
    let limit = |bytes| lanes_sdk::compute_budget::set_loaded_accounts_data_size_limit(bytes);
    let program_len = (lanes_sdk::loader::STATE_HEADER_LEN + lanes_program_artifacts::TEST_PROGRAM.len()) as u32;
    let failed = send(&mut h, &payer, &[limit(program_len + 1024), with_account.clone()], &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::MaxLoadedAccountsDataSizeExceeded);
    send(&mut h, &payer, &[limit(program_len + 64 * 1024), with_account.clone()], &[]).unwrap();
    let refused = send(&mut h, &payer, &[limit(0), with_account], &[]).unwrap_err();
    assert_eq!(refused.err, TransactionError::InvalidLoadedAccountsDataSizeLimit);
    assert_eq!(refused.meta.fee, 0, "refused before any fee");
}

#[test]
fn account_data_passed_to_a_program_is_charged_for_its_copies() {
    let (mut h, payer) = setup();
    let small = owned_account(&mut h, lanes_sdk::rent::minimum_balance(0), 0);
    let large = owned_account(&mut h, lanes_sdk::rent::minimum_balance(65_536), 65_536);
    let noop_on = |key| ix(TestInstruction::Noop, vec![AccountMeta::new(key, false)]);
    let bare = send(&mut h, &payer, &[noop_on(small)], &[]).unwrap().compute_units_consumed;
    let loaded = send(&mut h, &payer, &[noop_on(large)], &[]).unwrap().compute_units_consumed;
    // Copied at loading (1 unit per 8 bytes) and into and out of the
    // program (1 per 16), beyond what the input's bytes cost (1 per 250).
    let copies = 65_536 / 8 + 65_536 / 16;
    assert!(loaded - bare >= copies + 65_536 / 250, "{bare} → {loaded}");
    assert!(loaded - bare <= copies + 65_536 / 250 + 16, "{bare} → {loaded}");
}
