//! One result on every node: what a transaction is charged, and so whether
//! it succeeds, never depends on the worker's history. The same transactions
//! on a warm executor (reset instances reused) and on a cold one (a fresh
//! instance for every invocation) give the same outcomes, byte for byte.

use crate::common::{call, ix, PROGRAM};
use lanes_runtime::bank::{Bank, BankConfig, TransactionOutcome};
use lanes_runtime::execution::builtins::loader::immutable_program_account;
use lanes_runtime::execution::compute_budget::loaded_accounts_data_cost;
use lanes_runtime::store::InMemoryAccountStore;
use lanes_runtime::vm::{instance_reuse_supported, Executor, ExecutorConfig};
use lanes_sdk::client::Keypair;
use lanes_sdk::loader::STATE_HEADER_LEN;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{compute_budget, system_program, Account, AccountMeta, Instruction, Pubkey};
use std::sync::Arc;

/// A program whose instances start with 96 KiB of data segment: copying it
/// into a fresh instance is real work, reusing a reset instance skips it.
pub const BIG_DATA: Pubkey = Pubkey([0xB1; 32]);

pub fn big_data_program() -> Vec<u8> {
    let data = "\\5a".repeat(96 * 1024);
    wat::parse_str(format!(
        r#"(module
            (memory (export "memory") 2)
            (data (i32.const 0) "{data}")
            (func (export "entrypoint") (result i64)
                (if (i32.ne (i32.load8_u (i32.const 4096)) (i32.const 0x5a)) (then (return (i64.const 7))))
                (i64.const 0)))"#
    ))
    .unwrap()
}

/// A bank over its own executor, cold (`fresh`: a new instance for every
/// invocation) or warm, with the test and big-data programs and a payer.
fn bank(fresh: bool, payer: &Keypair) -> Bank {
    let executor =
        Executor::new(ExecutorConfig { fresh_instance_per_invocation: fresh, ..ExecutorConfig::default() }).unwrap();
    let bank = Bank::new(Arc::new(InMemoryAccountStore::new()), executor, BankConfig::default());
    for (id, code) in [(PROGRAM, lanes_program_artifacts::TEST_PROGRAM.to_vec()), (BIG_DATA, big_data_program())] {
        bank.executor().compile(&code).unwrap();
        bank.set_account(id, immutable_program_account(&code, 0)).unwrap();
    }
    bank.set_account(payer.pubkey(), Account::new(1_000_000_000, 0, &system_program::ID)).unwrap();
    bank
}

/// The same transactions on a warm and a cold bank: their outcomes.
fn on_warm_and_cold(
    tight_limits: [u32; 5],
    build: impl Fn(u64) -> Vec<Instruction>,
) -> (Vec<TransactionOutcome>, Vec<TransactionOutcome>) {
    let payer = Keypair::from_seed(&[0xB2; 32]);
    let run = |fresh: bool| {
        let bank = bank(fresh, &payer);
        // Nine roomy invocations leave the warm executor holding reset
        // instances; then tight compute limits, where a fresh instance's
        // data copy would not fit.
        let limits = [200_000; 9].into_iter().chain(tight_limits);
        limits
            .enumerate()
            .map(|(nonce, limit)| {
                let mut ixs = vec![compute_budget::set_compute_unit_limit(limit)];
                ixs.extend(build(nonce as u64));
                let tx =
                    Transaction::new_signed_with_payer(&ixs, Some(&payer.pubkey()), &[&payer], bank.latest_blockhash());
                bank.process_transaction(&tx).unwrap()
            })
            .collect::<Vec<_>>()
    };
    let (warm, cold) = (run(false), run(true));
    let summary = |outcomes: &[TransactionOutcome]| -> Vec<_> {
        outcomes.iter().map(|o| (o.result.clone(), o.compute_units_consumed)).collect()
    };
    assert_eq!(summary(&warm), summary(&cold), "warm and cold executors disagree");
    assert_eq!(warm, cold);
    (warm, cold)
}

#[test]
fn an_instance_costs_the_same_fresh_or_reused() {
    let (warm, _) = on_warm_and_cold([2_000, 1_500, 1_210, 1_150, 2_000], |nonce| {
        vec![Instruction::new_with_bytes(BIG_DATA, &nonce.to_le_bytes(), vec![])]
    });
    // Loading the program (its 96 KiB of data and the rest of its code, at 8
    // units per 32 KiB, and its 96-byte header copied, at 8 bytes a unit: 44)
    // + 150 (the compute-budget instruction) + the start cost (100 + 96 KiB
    // of data at 250 bytes a unit + 128 KiB of memory at 256 bytes a unit:
    // 1,006) + 7 = 1,207: 1,210 fits, 1,150 does not, fresh or reused.
    let loading =
        loaded_accounts_data_cost((STATE_HEADER_LEN + big_data_program().len()) as u64, STATE_HEADER_LEN as u64);
    assert_eq!(loading, 44);
    let tight: Vec<_> = warm[9..].iter().map(|o| (o.result.is_ok(), o.compute_units_consumed)).collect();
    assert_eq!(tight, [(true, 1_207), (true, 1_207), (true, 1_207), (false, 1_150), (true, 1_207)]);
    if instance_reuse_supported() {
        // (Without reuse both banks are cold, and the test shows nothing.)
        assert!(warm.iter().take(9).all(|o| o.result.is_ok()));
    }
}

#[test]
fn an_instance_started_by_a_cross_program_call_costs_the_same_fresh_or_reused() {
    let (warm, _) = on_warm_and_cold([12_000, 9_000, 7_000, 6_000, 5_000], |nonce| {
        vec![ix(
            call(BIG_DATA, &[], nonce.to_le_bytes().to_vec(), vec![]),
            vec![AccountMeta::new_readonly(BIG_DATA, false)],
        )]
    });
    assert!(warm.iter().take(9).all(|o| o.result.is_ok()), "{:?}", warm[0]);
    assert!(warm[9..].iter().any(|o| o.result.is_ok()), "some tight limits fit: {:?}", warm[9]);
}
