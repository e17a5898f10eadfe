//! `lanes-bench adversarial`: what a transaction costs the host per compute
//! unit, for the bundled workloads and for transactions shaped to cost the
//! node as much as possible per unit they pay (issue 13): fresh instances,
//! pages touched and reset, bulk memory, cross-program calls, loaded
//! account data, logs. Every figure is wall time on one worker thread
//! through the runtime's batch entry point (sanitize, schedule, execute,
//! commit; signatures not verified) divided by the compute units the
//! transactions consumed. The figure of merit is each hostile case's ns per
//! unit against the median of the bundled workloads'.
//!
//! Deploys are reported apart: what compiling a module costs in
//! milliseconds against the units its deploy is charged, for the bundled
//! programs and for modules at the deploy limits.
//!
//! This module only measures: it never asserts a speed.

use crate::bench::{fund, install_program, new_bank, BenchError, InProcessConfig, SchedulerChoice, WorkloadKind};
use lanes_runtime::bank::Bank;
use lanes_runtime::pipeline::{execute_batch, BatchConfig};
use lanes_runtime::vm::module_limits::MAX_CONTROL_DEPTH;
use lanes_runtime::vm::{Executor, ExecutorConfig};
use lanes_sdk::client::Keypair;
use lanes_sdk::compute_budget::{set_compute_unit_limit, set_compute_unit_price, MAX_COMPUTE_UNIT_LIMIT};
use lanes_sdk::transaction::{Transaction, VersionedTransaction};
use lanes_sdk::{Account, AccountMeta, Instruction, Pubkey, LAMPORTS_PER_SOL};
use lanes_test_program::{CallSpec, TestInstruction};
use std::time::Instant;

/// `lanes-bench adversarial`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub struct AdversarialConfig {
    /// Transactions per hostile case (each packs up to 64 instructions).
    #[arg(long, default_value_t = 100)]
    pub transactions: usize,
    /// Transactions per bundled workload.
    #[arg(long, default_value_t = 20_000)]
    pub bundled_transactions: usize,
    /// Skip the deploy (compile) measurements, which take a minute.
    #[arg(long)]
    pub skip_deploys: bool,
}

/// One measured case.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseReport {
    pub case: String,
    /// `bundled`, `hostile` or `deploy`.
    pub kind: &'static str,
    pub transactions: usize,
    pub failed: usize,
    pub units_per_transaction: f64,
    pub micros_per_transaction: f64,
    pub ns_per_unit: f64,
    /// `ns_per_unit` over the median of the bundled workloads'.
    pub times_bundled_median: f64,
}

/// Programs written for the hostile cases (WAT), at fixed addresses.
const FRESH: Pubkey = Pubkey([0xA1; 32]);
const TOUCH_PAGES: Pubkey = Pubkey([0xA2; 32]);
const FILL: Pubkey = Pubkey([0xA3; 32]);
const NOOP: Pubkey = Pubkey([0xA4; 32]);
/// The most linear memory an instance may have: 64 pages of 64 KiB.
const MAX_PAGES: u32 = 64;

fn hostile_programs() -> Vec<(Pubkey, String)> {
    let memory_bytes = MAX_PAGES * 65_536;
    vec![
        // A start function makes its instances impossible to reset: every
        // invocation instantiates, copying 64 KiB of data into 4 MiB.
        (
            FRESH,
            format!(
                r#"(module (memory (export "memory") {MAX_PAGES}) (data (i32.const 1024) "{}")
                   (start $init) (func $init)
                   (func (export "entrypoint") (result i64) i64.const 0))"#,
                "\\55".repeat(65_536)
            ),
        ),
        // One store in every page: each a page fault, and a page to reset.
        (
            TOUCH_PAGES,
            format!(
                r#"(module (memory (export "memory") {MAX_PAGES})
                   (func (export "entrypoint") (result i64) (local i32)
                     loop local.get 0 i32.const 1 i32.store
                          local.get 0 i32.const 4096 i32.add local.tee 0
                          i32.const {memory_bytes} i32.lt_u br_if 0 end
                     i64.const 0))"#
            ),
        ),
        // One operator that writes 16 KiB (bulk memory is metered by the
        // byte: the whole 4 MiB is more than a transaction may pay).
        (
            FILL,
            format!(
                r#"(module (memory (export "memory") {MAX_PAGES})
                   (func (export "entrypoint") (result i64)
                     i32.const 0 i32.const 85 i32.const 16384 memory.fill i64.const 0))"#
            ),
        ),
        (NOOP, r#"(module (memory (export "memory") 1) (func (export "entrypoint") (result i64) i64.const 0))"#.into()),
    ]
}

/// Run every case and report them in order: bundled, hostile, deploys.
pub fn run_adversarial(config: &AdversarialConfig) -> Result<Vec<CaseReport>, BenchError> {
    let mut reports = Vec::new();
    for kind in [WorkloadKind::Transfer, WorkloadKind::Token, WorkloadKind::Swap, WorkloadKind::Lend] {
        reports.push(bundled_case(kind, config.bundled_transactions)?);
    }
    let hostile: Vec<(&str, usize, HostileShape)> = vec![
        // As many calls as the instruction trace and the compute limit allow.
        ("fresh-instance x16", config.transactions, HostileShape::TopLevel(FRESH, 16)),
        ("touch-every-page x45", config.transactions, HostileShape::TopLevel(TOUCH_PAGES, 45)),
        ("memory-fill-16KiB x40", config.transactions, HostileShape::TopLevel(FILL, 40)),
        ("cpi-noop x61", config.transactions, HostileShape::Cpi(NOOP, 61)),
        ("cpi-fresh-instance x16", config.transactions, HostileShape::Cpi(FRESH, 16)),
        ("load-and-store-9MiB", config.transactions.div_ceil(10), HostileShape::LoadedData),
        ("input-3MiB", config.transactions, HostileShape::BigInput),
        ("log-flood", config.transactions, HostileShape::Logs),
        ("system-transfers x62", config.transactions, HostileShape::SystemTransfers(62)),
    ];
    for (name, transactions, shape) in hostile {
        reports.push(hostile_case(name, transactions, shape)?);
    }
    if !config.skip_deploys {
        reports.extend(deploy_cases()?);
    }
    let mut bundled: Vec<f64> = reports.iter().filter(|r| r.kind == "bundled").map(|r| r.ns_per_unit).collect();
    bundled.sort_by(f64::total_cmp);
    let median = if bundled.len().is_multiple_of(2) {
        (bundled[bundled.len() / 2 - 1] + bundled[bundled.len() / 2]) / 2.0
    } else {
        bundled[bundled.len() / 2]
    };
    for report in &mut reports {
        report.times_bundled_median = report.ns_per_unit / median;
    }
    Ok(reports)
}

fn bundled_case(kind: WorkloadKind, transactions: usize) -> Result<CaseReport, BenchError> {
    let config = InProcessConfig {
        workload: kind,
        accounts: 1_000,
        transactions,
        threads: 1,
        hot_accounts: None,
        pools: 100,
        sigverify: false,
        ledger: None,
        scheduler: SchedulerChoice::Auto,
        fresh_instances: false,
        programs: None,
        v0: false,
        contention: false,
        record_account_changes: false,
        shuffle_accounts: false,
    };
    let mut bank = new_bank(false)?;
    let blockhash = bank.latest_blockhash();
    let txs = crate::workloads::workload(kind).prepare(&mut bank, &config, blockhash)?;
    let name = format!("{kind:?}").to_lowercase();
    measure(&bank, &name, "bundled", txs)
}

/// How a hostile transaction is built.
#[derive(Clone, Copy)]
enum HostileShape {
    /// Top-level instructions of one program, this many.
    TopLevel(Pubkey, usize),
    /// One instruction of the test program calling the program this many times.
    Cpi(Pubkey, u16),
    /// Three writable 3 MiB accounts, loaded and stored but given to no
    /// program (they ride on the compute-budget instruction, which reads
    /// none of its accounts).
    LoadedData,
    /// Three writable 1 MiB accounts passed into the test program.
    BigInput,
    /// As many log lines as one instruction may write.
    Logs,
    /// System-program transfers of one lamport to one wallet, this many
    /// (the builtin's own cost, the fixed per-transaction work shared).
    SystemTransfers(usize),
}

fn hostile_case(name: &str, transactions: usize, shape: HostileShape) -> Result<CaseReport, BenchError> {
    let bank = new_bank(false)?;
    install_program(&bank, lanes_test_program::ID, lanes_program_artifacts::TEST_PROGRAM)?;
    for (id, wat) in hostile_programs() {
        let wasm = wat::parse_str(&wat).map_err(|e| BenchError(format!("hostile program: {e}")))?;
        install_program(&bank, id, &wasm)?;
    }
    let payer = Keypair::new();
    fund(&bank, &payer.pubkey(), 1_000_000 * LAMPORTS_PER_SOL)?;
    let big = |count: usize, len: usize| -> Result<Vec<AccountMeta>, BenchError> {
        (0..count)
            .map(|i| {
                let key = Pubkey::new_unique_from_u64(0xB16 + i as u64);
                let account = Account::new(lanes_sdk::rent::minimum_balance(len), len, &lanes_test_program::ID);
                bank.set_account(key, account).map_err(|e| BenchError(e.to_string()))?;
                Ok(AccountMeta::new(key, false))
            })
            .collect()
    };
    let test_ix = |instruction: &TestInstruction, accounts: Vec<AccountMeta>| {
        Instruction::new_with_borsh(lanes_test_program::ID, instruction, accounts)
    };
    let body: Vec<Instruction> = match shape {
        HostileShape::TopLevel(program, times) => vec![Instruction::new_with_bytes(program, &[], vec![]); times],
        HostileShape::Cpi(program, times) => {
            let call = CallSpec { program_id: program, accounts: vec![], data: vec![], seeds: vec![] };
            let repeated = TestInstruction::InvokeRepeatedly { call, times };
            vec![test_ix(&repeated, vec![AccountMeta::new_readonly(program, false)])]
        }
        HostileShape::LoadedData => vec![],
        HostileShape::BigInput => vec![test_ix(&TestInstruction::Noop, big(3, 1024 * 1024)?)],
        HostileShape::SystemTransfers(times) => {
            let to = Pubkey::new_unique_from_u64(0x7047);
            fund(&bank, &to, LAMPORTS_PER_SOL)?;
            vec![lanes_sdk::system_instruction::transfer(&payer.pubkey(), &to, 1); times]
        }
        HostileShape::Logs => {
            let flood = TestInstruction::LogRepeat { text: "x".repeat(100), times: 6_000 };
            vec![test_ix(&flood, vec![])]
        }
    };
    let riders = match shape {
        HostileShape::LoadedData => big(3, 3 * 1024 * 1024)?,
        _ => vec![],
    };
    let blockhash = bank.latest_blockhash();
    let txs: Vec<Transaction> = (0..transactions)
        .map(|nonce| {
            let mut price = set_compute_unit_price(nonce as u64);
            price.accounts = riders.clone();
            let mut ixs = vec![set_compute_unit_limit(MAX_COMPUTE_UNIT_LIMIT), price];
            ixs.extend(body.iter().cloned());
            Transaction::new_signed_with_payer(&ixs, Some(&payer.pubkey()), &[&payer], blockhash)
        })
        .collect();
    measure(&bank, name, "hostile", txs)
}

/// Run `txs` on one worker after a warm-up of a tenth of them (compiles,
/// instance pools), and report the rest.
fn measure<T>(bank: &Bank, name: &str, kind: &'static str, mut txs: Vec<T>) -> Result<CaseReport, BenchError>
where
    T: Into<VersionedTransaction> + Default + Send,
{
    let mut config = BatchConfig::with_threads(1);
    config.verify_signatures = false;
    let warm_up: Vec<T> = txs.drain(..txs.len() / 10).collect();
    execute_batch(bank, warm_up, &config).map_err(|e| BenchError(e.to_string()))?;
    let transactions = txs.len();
    let started = Instant::now();
    let output = execute_batch(bank, txs, &config).map_err(|e| BenchError(e.to_string()))?;
    let seconds = started.elapsed().as_secs_f64();
    let units: u64 = output.outcomes.iter().map(|o| o.compute_units_consumed).sum();
    let failed = output.outcomes.iter().filter(|o| o.result.is_err()).count();
    if let Some(outcome) = output.outcomes.iter().find(|o| o.result.is_err()) {
        eprintln!("{name}: {failed} failed, first: {:?}", outcome.result);
    }
    Ok(report(name, kind, transactions, failed, units, seconds))
}

fn report(case: &str, kind: &'static str, transactions: usize, failed: usize, units: u64, seconds: f64) -> CaseReport {
    let per = |x: f64| x / transactions.max(1) as f64;
    CaseReport {
        case: case.to_string(),
        kind,
        transactions,
        failed,
        units_per_transaction: per(units as f64),
        micros_per_transaction: per(seconds * 1e6),
        ns_per_unit: seconds * 1e9 / units.max(1) as f64,
        times_bundled_median: 0.0,
    }
}

/// Modules that cost Cranelift the most for their size, built at the
/// deploy limits, and the bundled programs: compile time against price.
fn deploy_cases() -> Result<Vec<CaseReport>, BenchError> {
    let entry = r#"(memory (export "memory") 1) (func (export "entrypoint") (result i64) i64.const 0)"#;
    // `copies` of `function` after the entry point.
    let module = |function: &str, copies: usize| format!("(module {entry} {})", function.repeat(copies));
    let nested_loops = |locals: usize, depth: usize| {
        let mut body = String::new();
        for i in 0..depth {
            body += &format!("loop local.get {} i32.eqz br_if 0 ", i % locals);
        }
        for i in 0..locals {
            body += &format!("local.get {i} i32.const 1 i32.add local.set {i} ");
        }
        body += &"end ".repeat(depth);
        format!("(func (local {}) {body})", "i32 ".repeat(locals))
    };
    let branchy_blocks = |depth: usize| {
        let mut body = "block ".repeat(depth);
        for i in 0..depth {
            body += &format!("local.get 0 br_if {i} ");
        }
        body += &"end ".repeat(depth);
        format!("(func (local i32) {body})")
    };
    let nested_ifs = |depth: usize| {
        let mut body = String::new();
        for i in 0..depth {
            body += &format!("local.get 0 if local.get 0 br_if {i} ");
        }
        body += &"else end ".repeat(depth);
        format!("(func (local i32) {body})")
    };
    let flat = format!("(func (result i64) i64.const 1 {} )", "i64.const 3 i64.add ".repeat(1_000));
    // Each as large as a deploy may be: the most functions, or as many
    // copies as 512 KiB or a transaction's 1.4M units allow.
    let shapes: Vec<(String, String)> = vec![
        ("tiny functions x10000".into(), module("(func (result i32) i32.const 1)", 9_999)),
        ("locals 256 x loops 128".into(), module(&nested_loops(256, 128), 34)),
        ("locals 1024 x loops 64".into(), module(&nested_loops(1_024, 64), 16)),
        (format!("blocks {MAX_CONTROL_DEPTH} branching out"), module(&branchy_blocks(MAX_CONTROL_DEPTH), 270)),
        (format!("ifs {MAX_CONTROL_DEPTH} branching out"), module(&nested_ifs(MAX_CONTROL_DEPTH), 190)),
        ("flat arithmetic".into(), module(&flat, 170)),
    ];
    let mut reports = Vec::new();
    for (name, code) in lanes_program_artifacts::ALL.iter().map(|(n, c)| (n.to_string(), c.to_vec())) {
        reports.push(deploy_case(&format!("deploy {name}"), &code)?);
    }
    for (name, wat) in shapes {
        let code = wat::parse_str(&wat).map_err(|e| BenchError(format!("{name}: {e}")))?;
        reports.push(deploy_case(&format!("deploy {name} ({} KiB)", code.len() / 1024), &code)?);
    }
    Ok(reports)
}

fn deploy_case(name: &str, code: &[u8]) -> Result<CaseReport, BenchError> {
    let executor = Executor::new(ExecutorConfig::default()).map_err(|e| BenchError(e.to_string()))?;
    let units = executor.deploy_price(code).map_err(|e| BenchError(format!("{name}: {e}")))?;
    let started = Instant::now();
    let compiled = executor.compile(code);
    let seconds = started.elapsed().as_secs_f64();
    let failed = usize::from(compiled.is_err());
    if let Err(e) = compiled {
        eprintln!("{name}: refused: {e}");
    }
    Ok(report(name, "deploy", 1, failed, units, seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every case still runs to completion: a hostile shape that starts
    /// failing (a limit moved, a cost changed) measures something else.
    #[test]
    fn every_case_runs_without_failures() {
        let config = AdversarialConfig { transactions: 10, bundled_transactions: 50, skip_deploys: true };
        let reports = run_adversarial(&config).unwrap();
        assert_eq!(reports.len(), 13);
        for report in &reports {
            assert_eq!(report.failed, 0, "{report:?}");
            assert!(report.units_per_transaction > 0.0 && report.ns_per_unit > 0.0, "{report:?}");
        }
        let token = deploy_case("token", lanes_program_artifacts::TOKEN).unwrap();
        assert_eq!(token.failed, 0);
        assert_eq!(
            token.units_per_transaction as u64,
            Executor::new(ExecutorConfig::default()).unwrap().deploy_price(lanes_program_artifacts::TOKEN).unwrap()
        );
    }
}
