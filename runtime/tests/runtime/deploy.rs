//! Deploy as a consensus rule: the limits a module must meet before it is
//! compiled, the price of compiling it, refusals remembered by code hash,
//! and compiled code that becomes the node's only when its deploy commits.

use crate::common::{call, ix, PROGRAM};
use lanes_runtime::bank::BankConfig;
use lanes_runtime::execution::compute_budget::{loaded_accounts_data_cost, BUILTIN_INSTRUCTION_COST};
use lanes_runtime::harness::Harness;
use lanes_runtime::vm::module_limits::MAX_CONTROL_DEPTH;
use lanes_runtime::vm::{Executor, ExecutorConfig};
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{loader, system_instruction, AccountMeta, Instruction, Pubkey, LAMPORTS_PER_SOL};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

/// A program returning `code`, plus `extra` functions (distinct code for
/// distinct `code`).
fn program(code: i64, extra: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module (memory (export "memory") 1) (func (export "entrypoint") (result i64) i64.const {code}) {extra})"#
    ))
    .unwrap()
}

/// A harness on an executor of its own, so its cache and counters are this
/// test's alone.
fn isolated(config: ExecutorConfig) -> (Harness, Arc<Executor>, Keypair) {
    let executor = Executor::new(config).unwrap();
    let mut h = Harness::with_executor(BankConfig::default(), executor.clone());
    let payer = Keypair::new();
    h.airdrop(&payer.pubkey(), 100 * LAMPORTS_PER_SOL);
    (h, executor, payer)
}

/// The two instructions that deploy `buffer` as `program`.
fn deploy_instructions(payer: &Keypair, program: &Keypair, buffer: &Keypair) -> Vec<Instruction> {
    vec![
        system_instruction::create_account(&payer.pubkey(), &program.pubkey(), 1_000_000_000, 0, &loader::ID),
        loader::deploy(&program.pubkey(), &buffer.pubkey(), &payer.pubkey()),
    ]
}

fn buffer_with(h: &mut Harness, payer: &Keypair, code: &[u8]) -> Keypair {
    let buffer = Keypair::new();
    h.write_buffer(payer, &buffer, code).unwrap();
    buffer
}

fn invoke(program: &Pubkey) -> Instruction {
    Instruction::new_with_bytes(*program, &[], vec![])
}

#[test]
fn a_deploy_is_charged_its_compile_price() {
    let (mut h, executor, payer) = isolated(ExecutorConfig::default());
    let code = lanes_program_artifacts::TEST_PROGRAM;
    let price = executor.deploy_price(code).unwrap();
    assert!(price > 2 * code.len() as u64, "bytes and functions are both priced: {price}");
    let buffer = buffer_with(&mut h, &payer, code);
    let program = Keypair::new();
    let meta = h.send(&deploy_instructions(&payer, &program, &buffer), &payer, &[&program]).unwrap();
    let builtins = 2 * BUILTIN_INSTRUCTION_COST;
    // The buffer is loaded and copied: its header and the code.
    let buffer_len = (loader::STATE_HEADER_LEN + code.len()) as u64;
    let loading = loaded_accounts_data_cost(buffer_len, buffer_len);
    assert_eq!(meta.compute_units_consumed, loading + builtins + price);

    // With a compute limit below the price, nothing is compiled.
    let compiled = executor.stats().compiled.load(Relaxed);
    let other = program_with_functions(40);
    let buffer = buffer_with(&mut h, &payer, &other);
    let program = Keypair::new();
    let mut instructions = vec![lanes_sdk::compute_budget::set_compute_unit_limit(1_000)];
    instructions.extend(deploy_instructions(&payer, &program, &buffer));
    let failed = h.send(&instructions, &payer, &[&program]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(2, InstructionError::ComputationalBudgetExceeded));
    assert_eq!(executor.stats().compiled.load(Relaxed), compiled);
}

fn program_with_functions(n: usize) -> Vec<u8> {
    program(0, &"(func (result i32) i32.const 7)".repeat(n))
}

#[test]
fn a_module_past_a_deploy_limit_is_refused_without_compiling() {
    let (mut h, executor, payer) = isolated(ExecutorConfig::default());
    let nested = format!("(func {}{})", "block ".repeat(MAX_CONTROL_DEPTH + 1), "end ".repeat(MAX_CONTROL_DEPTH + 1));
    let buffer = buffer_with(&mut h, &payer, &program(0, &nested));
    let program = Keypair::new();
    let failed = h.send(&deploy_instructions(&payer, &program, &buffer), &payer, &[&program]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(1, InstructionError::InvalidAccountData));
    let logs = failed.meta.logs.join("\n");
    assert!(logs.contains("deploy limit") && logs.contains("nests"), "{logs}");
    assert_eq!(executor.stats().compiled.load(Relaxed), 0);
    assert!(h.get_account(&program.pubkey()).is_none());
}

#[test]
fn a_refused_module_is_remembered_and_refused_again_alike() {
    let (mut h, executor, payer) = isolated(ExecutorConfig::default());
    // Valid WASM the loader refuses after compiling it: no entry point.
    let code = wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "main")))"#).unwrap();
    let mut attempts = Vec::new();
    for _ in 0..3 {
        let buffer = buffer_with(&mut h, &payer, &code);
        let program = Keypair::new();
        let failed = h.send(&deploy_instructions(&payer, &program, &buffer), &payer, &[&program]).unwrap_err();
        attempts.push((failed.err, failed.meta.logs, failed.meta.compute_units_consumed));
    }
    assert!(attempts[0].1.join("\n").contains("entrypoint"), "{:?}", attempts[0].1);
    assert_eq!(attempts[0], attempts[1], "a remembered refusal reads and costs the same");
    assert_eq!(attempts[1], attempts[2]);
    assert_eq!(executor.stats().compiled.load(Relaxed), 1, "compiled once, refused three times");
    assert_eq!(executor.stats().refused_from_memory.load(Relaxed), 2);
}

#[test]
fn simulated_and_failed_deploys_leave_no_compiled_code() {
    let (mut h, executor, payer) = isolated(ExecutorConfig::default());
    let code = program(3, "");
    let buffer = buffer_with(&mut h, &payer, &code);
    let program = Keypair::new();
    let deploy = deploy_instructions(&payer, &program, &buffer);

    let simulated = h.simulate_transaction(h.transaction(&deploy, &payer, &[&program])).unwrap();
    assert!(simulated.compute_units_consumed > 0);
    assert_eq!(executor.cache_usage().0, 0, "a simulated deploy keeps nothing");

    // Deployed, then a later instruction fails: the deploy is undone.
    let mut failing = deploy.clone();
    failing.push(system_instruction::transfer(&payer.pubkey(), &Pubkey::new_unique_from_u64(5), u64::MAX));
    let failed = h.send(&failing, &payer, &[&program]).unwrap_err();
    assert!(matches!(failed.err, TransactionError::InstructionError(2, _)), "{:?}", failed.err);
    assert_eq!(executor.cache_usage().0, 0, "a failed deploy keeps nothing");
    assert!(h.get_account(&program.pubkey()).is_none());

    // Committed, it is kept and runs.
    h.send(&deploy, &payer, &[&program]).unwrap();
    assert_eq!(executor.cache_usage().0, 1);
    let compiled = executor.stats().compiled.load(Relaxed);
    let failed = h.send(&[invoke(&program.pubkey())], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::Custom(3)));
    assert_eq!(executor.stats().compiled.load(Relaxed), compiled, "run from the admitted compile");
}

#[test]
fn a_program_runs_from_the_transaction_after_its_deploy() {
    let (mut h, _executor, payer) = isolated(ExecutorConfig::default());
    h.add_program(PROGRAM, lanes_program_artifacts::TEST_PROGRAM).unwrap();
    let buffer = buffer_with(&mut h, &payer, &program(0, ""));
    let program = Keypair::new();
    let deploy = deploy_instructions(&payer, &program, &buffer);

    // Called directly in the deploying transaction, it is not a program yet.
    let mut deploy_and_run = deploy.clone();
    deploy_and_run.push(invoke(&program.pubkey()));
    let failed = h.send(&deploy_and_run, &payer, &[&program]).unwrap_err();
    assert_eq!(failed.err, TransactionError::ProgramAccountNotFound);

    // Called through another program, its uncommitted code does not run.
    let mut deploy_and_call = deploy.clone();
    let passed = [AccountMeta::new_readonly(program.pubkey(), false)];
    deploy_and_call.push(ix(call(program.pubkey(), &[], vec![], vec![]), passed.to_vec()));
    let failed = h.send(&deploy_and_call, &payer, &[&program]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(2, InstructionError::UnsupportedProgramId));
    assert!(failed.meta.logs.join("\n").contains("invoke it from a later one"), "{:?}", failed.meta.logs);

    h.send(&deploy, &payer, &[&program]).unwrap();
    h.send(&[invoke(&program.pubkey())], &payer, &[]).unwrap();
    h.send(&[ix(call(program.pubkey(), &[], vec![], vec![]), passed.to_vec())], &payer, &[]).unwrap();
}

#[test]
fn the_compiled_program_cache_stays_within_its_budget() {
    // Room for about three of these programs.
    let probe = Executor::new(ExecutorConfig::default()).unwrap();
    let one = probe.compile(&program(0, "")).unwrap();
    drop(one);
    let per_program = probe.cache_usage().1;
    let budget = 3 * per_program + per_program / 2;
    let (mut h, executor, payer) =
        isolated(ExecutorConfig { program_cache_bytes: Some(budget), ..ExecutorConfig::default() });

    let mut programs = Vec::new();
    for code in 10..20 {
        let buffer = buffer_with(&mut h, &payer, &program(code, ""));
        let program = Keypair::new();
        h.send(&deploy_instructions(&payer, &program, &buffer), &payer, &[&program]).unwrap();
        programs.push((program.pubkey(), code));
        let (count, bytes) = executor.cache_usage();
        assert!(bytes <= budget && count <= 3, "{count} programs, {bytes} bytes, budget {budget}");
    }
    // Evicted programs compile again from their accounts and run the same.
    for (program, code) in &programs {
        let failed = h.send(&[invoke(program)], &payer, &[]).unwrap_err();
        assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::Custom(*code as u32)));
        assert!(executor.cache_usage().1 <= budget);
    }
}

#[test]
fn only_committed_code_is_written_to_the_artifact_directory() {
    let dir = std::env::temp_dir().join(format!("lanes-deploy-artifacts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (mut h, _executor, payer) =
        isolated(ExecutorConfig { artifact_dir: Some(dir.clone()), ..ExecutorConfig::default() });
    let artifacts = || {
        std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|e| e == "cwasm"))
            .count()
    };

    let refused = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    let buffer = buffer_with(&mut h, &payer, &refused);
    let refused_program = Keypair::new();
    h.send(&deploy_instructions(&payer, &refused_program, &buffer), &payer, &[&refused_program]).unwrap_err();

    let good = program(4, "");
    let buffer = buffer_with(&mut h, &payer, &good);
    let program = Keypair::new();
    let deploy = deploy_instructions(&payer, &program, &buffer);
    h.simulate_transaction(h.transaction(&deploy, &payer, &[&program])).unwrap();
    assert_eq!(artifacts(), 0, "nothing refused or simulated reaches the disk");

    h.send(&deploy, &payer, &[&program]).unwrap();
    assert_eq!(artifacts(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
