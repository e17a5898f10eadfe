//! Workloads for `lanes-bench`: accounts are set up through real
//! transactions, then every measured transaction is built and signed before
//! the clock starts.

use lanes_runtime::bank::{Bank, BankConfig};
use lanes_runtime::execution::builtins::loader::immutable_program_account;
use lanes_runtime::pipeline::{execute_batch, BatchConfig};
use lanes_runtime::schedule::SchedulerPlacement;
use lanes_runtime::store::{AccountStore, InMemoryAccountStore};
use lanes_runtime::transaction_context::ExecuteTimings;
use lanes_runtime::vm::{Executor, ExecutorConfig};

use lanes_sdk::transaction::Transaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_program, Account, Pubkey};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which transactions to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkloadKind {
    /// System-program lamport transfers between wallets.
    Transfer,
    /// Token transfers through the WASM token program.
    Token,
    /// AMM swaps (one batched token CPI each) across `--pools` pools.
    Swap,
    /// Lending-market deposits, borrows, repays and withdrawals.
    Lend,
    /// Token transfers, swaps and lending operations interleaved.
    Mixed,
}

/// What `lanes-bench in-process` runs: its flags, parsed by clap.
#[derive(Debug, Clone, clap::Args)]
pub struct InProcessConfig {
    #[arg(long, value_enum, default_value = "token")]
    pub workload: WorkloadKind,
    /// Funded accounts (token accounts for `token`).
    #[arg(long, default_value_t = 10_000)]
    pub accounts: usize,
    /// Measured transactions.
    #[arg(long, default_value_t = 200_000)]
    pub transactions: usize,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Every transaction writes one of this many shared accounts (1: all conflict).
    #[arg(long)]
    pub hot_accounts: Option<usize>,
    /// Pools for `--workload swap` (1: one hot pool).
    #[arg(long, default_value_t = 100)]
    pub pools: usize,
    /// Verify signatures inside the timed window.
    #[arg(long)]
    pub sigverify: bool,
    /// Persist accounts to a memory-mapped store in this new, empty
    /// directory (synced at the end of the run) instead of memory.
    #[arg(long)]
    pub ledger: Option<std::path::PathBuf>,
    /// Where the scheduler runs: on its own thread, or inline on the first
    /// worker's; `auto` takes its own thread only while the workers leave a
    /// core free.
    #[arg(long, value_enum, default_value = "auto")]
    pub scheduler: SchedulerChoice,
    /// Give every WASM invocation a fresh instance instead of reusing a
    /// reset one (to measure what reuse saves; results are the same).
    #[arg(long)]
    pub fresh_instances: bool,
    /// Run the token, AMM and lending programs from `lanes_token.wasm`,
    /// `lanes_amm.wasm` and `lanes_lending.wasm` in this directory instead
    /// of the bundled builds (to compare build settings).
    #[arg(long, value_name = "DIR")]
    pub programs: Option<std::path::PathBuf>,
    /// Send the token transfers as v0 transactions that load both token
    /// accounts from address lookup tables (made by real lookup table
    /// transactions during setup): what resolving lookups costs.
    #[arg(long)]
    pub v0: bool,
    /// After the run, rank the accounts that serialized it (computed from
    /// the committed order and the workers' timings, outside the timed
    /// window): `lanes_runtime::contention`.
    #[arg(long)]
    pub contention: bool,
    /// Copy each transaction's write-locked accounts before and after into
    /// its outcome, as the validator does for `--account-history` (to
    /// measure what that costs).
    #[arg(long)]
    pub record_account_changes: bool,
    /// `transfer` and `token`: use the accounts in a shuffled order, so
    /// transaction k and k+1 touch accounts created far apart, as real
    /// traffic does. By default transaction k uses account k: one worker
    /// walking the batch in order reads neighbouring accounts (created one
    /// after the other, so near in memory), which two workers taking turns
    /// each see half of (docs/decisions.md, session 16).
    #[arg(long)]
    pub shuffle_accounts: bool,
}

/// `--scheduler`: where the scheduler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchedulerChoice {
    /// Its own thread while the workers leave a core free, else inline.
    Auto,
    Dedicated,
    Inline,
}

impl SchedulerChoice {
    /// The placement asked for; `None` for what suits this machine
    /// ([`SchedulerPlacement::for_machine`]).
    pub fn placement(self) -> Option<SchedulerPlacement> {
        match self {
            SchedulerChoice::Auto => None,
            SchedulerChoice::Dedicated => Some(SchedulerPlacement::Dedicated),
            SchedulerChoice::Inline => Some(SchedulerPlacement::Inline),
        }
    }
}

/// What happened.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InProcessReport {
    pub workload: WorkloadKind,
    pub threads: usize,
    pub accounts: usize,
    pub transactions: usize,
    pub committed: u64,
    pub failed: u64,
    pub seconds: f64,
    pub tps: f64,
    pub sigverify: bool,
    pub hot_accounts: Option<usize>,
    /// Where accounts were kept: "memory" or "mmap".
    pub store: &'static str,
    /// Where the scheduler ran: "dedicated" (its own thread) or "inline"
    /// (on worker 0's thread).
    pub scheduler: &'static str,
    /// Pools (swap workload only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pools: Option<usize>,
    pub setup_seconds: f64,
    /// Compute units a committed transaction consumed, on average.
    pub units_per_transaction: f64,
    /// `--programs`, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub programs: Option<String>,
    /// Whether the transactions were v0, loading accounts from lookup tables.
    pub v0: bool,
    /// `--shuffle-accounts`: accounts used in a shuffled order.
    pub shuffle_accounts: bool,
    /// Batches recorded in the committed order.
    pub entries: usize,
    /// What the kernel counted for this process during the measured run:
    /// CPU time, page faults, context switches (issue 18's evidence).
    pub kernel: KernelCounters,
    /// Seconds spent in each stage during the measured run.
    pub stages: Stages,
    /// `--contention`: the run's parallelism and the accounts that
    /// serialized it, ranked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contention: Option<ContentionSummary>,
}

/// Accounts `--contention` lists.
pub const CONTENTION_ACCOUNTS_LISTED: usize = 10;

/// What `--contention` found (see docs/load-testing.md, "Reading the
/// contention profile").
#[derive(Debug, Clone, serde::Serialize)]
pub struct ContentionSummary {
    /// Busy worker time over wall time.
    pub parallelism: f64,
    pub wall_ns: u64,
    pub busy_ns: u64,
    /// The longest chain of conflicting transactions, in execution time.
    pub critical_path_ns: u64,
    pub critical_path_transactions: usize,
    /// Accounts with a conflict, longest chain first.
    pub accounts: Vec<ContendedAccount>,
}

/// One ranked account (also read from `lanesGetContention`'s answer).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub struct ContendedAccount {
    pub account: String,
    pub transactions: u64,
    pub write_locked: u64,
    pub read_locked: u64,
    pub wait_ns: u64,
    pub chain_ns: u64,
    /// Its chain over the run's wall time (1.0: no number of workers helps).
    pub lost_parallelism: f64,
}

impl ContentionSummary {
    pub fn of(profile: &lanes_runtime::contention::SlotProfile) -> Self {
        ContentionSummary {
            parallelism: profile.parallelism(),
            wall_ns: profile.wall_ns,
            busy_ns: profile.busy_ns,
            critical_path_ns: profile.critical_path_ns,
            critical_path_transactions: profile.critical_path.len(),
            accounts: profile
                .accounts
                .iter()
                .take(CONTENTION_ACCOUNTS_LISTED)
                .map(|a| ContendedAccount {
                    account: a.account.to_string(),
                    transactions: a.transactions,
                    write_locked: a.write_locked,
                    read_locked: a.read_locked,
                    wait_ns: a.wait_ns,
                    chain_ns: a.chain_ns,
                    lost_parallelism: a.lost_parallelism(profile.wall_ns),
                })
                .collect(),
        }
    }
}

/// What the kernel counted for the process during a measured run.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct KernelCounters {
    pub user_seconds: f64,
    pub system_seconds: f64,
    pub minor_faults: u64,
    pub major_faults: u64,
    /// A thread blocked (a lock, a wait).
    pub voluntary_switches: u64,
    /// A thread was preempted.
    pub involuntary_switches: u64,
}

impl From<lanes_runtime::cpu::ProcessCounters> for KernelCounters {
    fn from(c: lanes_runtime::cpu::ProcessCounters) -> Self {
        KernelCounters {
            user_seconds: c.user_ns as f64 / 1e9,
            system_seconds: c.system_ns as f64 / 1e9,
            minor_faults: c.minor_faults,
            major_faults: c.major_faults,
            voluntary_switches: c.voluntary_switches,
            involuntary_switches: c.involuntary_switches,
        }
    }
}

/// Seconds per stage. Worker stages are summed over workers, so with
/// several threads they can add up to more than the elapsed time.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stages {
    /// Structural checks and lock sets (scheduler thread, before dispatch).
    pub sanitize: f64,
    /// Signature verification on all cores (wall time).
    pub sigverify: f64,
    /// The scheduler thread's own work (excluding waiting for workers).
    pub schedule: f64,
    /// Each worker's time executing and committing.
    pub worker_busy: Vec<f64>,
    /// Making the slot durable at the end (the memory-mapped store's sync).
    pub slot_commit: f64,
    pub account_load: f64,
    pub instantiate: f64,
    pub execute: f64,
    pub serialize: f64,
    pub commit: f64,
    /// Checks, fees, builtins, bookkeeping: the rest of the workers' time.
    pub other: f64,
    pub wasm_invocations: u64,
    /// Invocations that needed a new instance; the rest reused a reset one.
    pub fresh_instances: u64,
    /// Page scans that reset used instances (each covers a batch).
    pub reset_scans: u64,
}

impl Stages {
    fn from_timings(t: &ExecuteTimings) -> Self {
        let s = |ns: u64| ns as f64 / 1e9;
        let known = t.sigverify_ns + t.load_ns + t.instantiate_ns + t.execute_ns + t.serialize_ns + t.commit_ns;
        Stages {
            sanitize: 0.0,
            schedule: 0.0,
            slot_commit: 0.0,
            worker_busy: Vec::new(),
            sigverify: s(t.sigverify_ns),
            account_load: s(t.load_ns),
            instantiate: s(t.instantiate_ns),
            execute: s(t.execute_ns),
            serialize: s(t.serialize_ns),
            commit: s(t.commit_ns),
            other: s(t.total_ns.saturating_sub(known)),
            wasm_invocations: t.wasm_invocations,
            fresh_instances: t.fresh_instances,
            reset_scans: t.reset_scans,
        }
    }
}

/// Why the bench could not run.
#[derive(Debug)]
pub struct BenchError(pub String);

impl std::fmt::Display for BenchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BenchError {}

fn err(msg: impl Into<String>) -> BenchError {
    BenchError(msg.into())
}

/// A bank over an in-memory store with the bundled programs installed.
pub fn new_bank(verify_signatures: bool) -> Result<Bank, BenchError> {
    new_bank_with_store(verify_signatures, Arc::new(InMemoryAccountStore::new()), ExecutorConfig::default())
}

/// A bank over `store`, executing with `executor`, with the bundled programs installed.
pub fn new_bank_with_store(
    verify_signatures: bool,
    store: Arc<dyn AccountStore>,
    executor: ExecutorConfig,
) -> Result<Bank, BenchError> {
    let executor = Executor::new(executor).map_err(|e| err(e.to_string()))?;
    let bank = Bank::new(store, executor, BankConfig { verify_signatures, ..BankConfig::default() });
    install_program(&bank, lanes_token::ID, lanes_program_artifacts::TOKEN)?;
    Ok(bank)
}

/// Put a compiled, immutable program at `id` (genesis-style).
pub fn install_program(bank: &Bank, id: Pubkey, wasm: &[u8]) -> Result<(), BenchError> {
    bank.executor().compile(wasm).map_err(|e| err(format!("bundled program rejected: {e}")))?;
    bank.set_account(id, immutable_program_account(wasm, 0)).map_err(|e| err(e.to_string()))
}

pub(crate) fn fund(bank: &Bank, key: &Pubkey, lamports: u64) -> Result<(), BenchError> {
    bank.set_account(*key, Account::new(lamports, 0, &system_program::ID)).map_err(|e| err(e.to_string()))
}

pub(crate) fn run_setup(bank: &mut Bank, tx: Transaction) -> Result<(), BenchError> {
    let outcome = bank.process_transaction(&tx).map_err(|e| err(e.to_string()))?;
    outcome
        .result
        .clone()
        .map_err(|e| err(format!("setup transaction failed: {e}; logs: {:?}", outcome.log_messages())))
}

/// Sign `count` transactions (legacy or v0) on all cores, in index order.
pub(crate) fn sign_all<F, T>(count: usize, build: F) -> Vec<T>
where
    F: Fn(usize) -> T + Sync,
    T: Send,
{
    let threads = lanes_runtime::available_cores().max(1);
    let chunk = count.div_ceil(threads).max(1);
    let build = &build;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..count)
            .step_by(chunk)
            .map(|start| scope.spawn(move || (start..(start + chunk).min(count)).map(build).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("signing thread panicked")).collect()
    })
}

/// Set up, then run the measured transactions through the runtime's batch
/// entry point (`pipeline::execute_batch`: sanitize, optionally verify,
/// schedule, execute, commit) and make the slot durable.
pub fn run_in_process(config: &InProcessConfig) -> Result<InProcessReport, BenchError> {
    if config.threads == 0 || config.threads > 64 {
        return Err(err("--threads must be between 1 and 64"));
    }
    if config.accounts < 2 {
        return Err(err("--accounts must be at least 2"));
    }
    if config.hot_accounts == Some(0) {
        return Err(err("--hot-accounts must be at least 1"));
    }
    let setup_started = Instant::now();
    let executor_config =
        ExecutorConfig { fresh_instance_per_invocation: config.fresh_instances, ..ExecutorConfig::default() };
    let mut bank = match &config.ledger {
        None => new_bank_with_store(false, Arc::new(InMemoryAccountStore::new()), executor_config.clone())?,
        Some(dir) => {
            if dir.exists() && std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
                return Err(err(format!("--ledger {} must be a new or empty directory", dir.display())));
            }
            std::fs::create_dir_all(dir).map_err(|e| err(format!("{}: {e}", dir.display())))?;
            let store = lanes_runtime::store::mmap::MmapAccountStore::open(dir, Default::default())
                .map_err(|e| err(format!("opening the store in {}: {e}", dir.display())))?;
            new_bank_with_store(false, Arc::new(store), executor_config.clone())?
        }
    };
    if let Some(dir) = &config.programs {
        // Installed before the workload's setup, which keeps programs already there.
        for (id, file) in
            [(lanes_token::ID, "lanes_token"), (lanes_amm::ID, "lanes_amm"), (lanes_lending::ID, "lanes_lending")]
        {
            let path = dir.join(format!("{file}.wasm"));
            let wasm = std::fs::read(&path).map_err(|e| err(format!("--programs: {}: {e}", path.display())))?;
            install_program(&bank, id, &wasm)?;
        }
    }
    bank.set_record_account_changes(config.record_account_changes);
    let blockhash = bank.latest_blockhash();
    if config.v0 && config.workload != WorkloadKind::Token {
        return Err(err("--v0 applies to the token workload"));
    }
    if config.shuffle_accounts && !matches!(config.workload, WorkloadKind::Transfer | WorkloadKind::Token) {
        return Err(err("--shuffle-accounts applies to the transfer and token workloads"));
    }
    if config.hot_accounts.is_some() && !matches!(config.workload, WorkloadKind::Transfer | WorkloadKind::Token) {
        return Err(err("--hot-accounts applies to the transfer and token workloads; use --pools 1 for a hot pool"));
    }
    let transactions = crate::workloads::workload(config.workload).prepare(&mut bank, config, blockhash)?;
    let setup_seconds = setup_started.elapsed().as_secs_f64();

    // Kept outside the timed window, only when asked for.
    let messages: Vec<_> =
        if config.contention { transactions.iter().map(|tx| tx.message.clone()).collect() } else { Vec::new() };
    bank.reset_timings();
    let counters_before = lanes_runtime::cpu::ProcessCounters::now();
    let started = Instant::now();
    let mut batch_config = BatchConfig::with_threads(config.threads);
    batch_config.verify_signatures = config.sigverify;
    batch_config.ingest_threads = config.threads.max(available_cores());
    if let Some(placement) = config.scheduler.placement() {
        batch_config.scheduler.placement = placement;
    }
    let output = execute_batch(&bank, transactions, &batch_config).map_err(|e| err(e.to_string()))?;
    let commit_started = Instant::now();
    bank.commit_slot().map_err(|e| err(e.to_string()))?;
    let slot_commit_seconds = commit_started.elapsed().as_secs_f64();
    let elapsed: Duration = started.elapsed();
    let kernel = KernelCounters::from(lanes_runtime::cpu::ProcessCounters::now().since(&counters_before));

    if let Some((index, outcome)) =
        output.outcomes.iter().enumerate().find(|(_, o)| o.result == Err(TransactionError::SanitizeFailure))
    {
        return Err(err(format!("prepared transaction {index} did not sanitize: {:?}", outcome.result)));
    }
    let mut committed = 0u64;
    let mut units = 0u64;
    let mut failed = 0u64;
    let mut first_failure: Option<String> = None;
    for outcome in &output.outcomes {
        match &outcome.result {
            Ok(()) => {
                committed += 1;
                units += outcome.compute_units_consumed;
            }
            Err(e) => {
                failed += 1;
                if first_failure.is_none() {
                    first_failure = Some(format!("{e}: {:?}", outcome.log_messages()));
                }
            }
        }
    }
    if let Some(why) = first_failure {
        eprintln!("warning: {failed} transactions failed; the first: {why}");
    }
    let seconds = elapsed.as_secs_f64();
    let t = &output.timings.schedule;
    let mut stages = Stages::from_timings(&t.execution);
    stages.sigverify = output.timings.sigverify_ns as f64 / 1e9;
    stages.sanitize = output.timings.sanitize_ns as f64 / 1e9;
    stages.schedule = t.schedule_ns as f64 / 1e9;
    stages.worker_busy = t.worker_busy_ns.iter().map(|ns| *ns as f64 / 1e9).collect();
    stages.slot_commit = slot_commit_seconds;
    let contention = config.contention.then(|| {
        let timeline = lanes_runtime::contention::committed_timeline(&output, &messages);
        ContentionSummary::of(&lanes_runtime::contention::profile_slot(&timeline))
    });
    Ok(InProcessReport {
        workload: config.workload,
        threads: config.threads,
        accounts: config.accounts,
        transactions: config.transactions,
        committed,
        failed,
        seconds,
        tps: committed as f64 / seconds,
        sigverify: config.sigverify,
        hot_accounts: config.hot_accounts,
        pools: (config.workload == WorkloadKind::Swap).then_some(config.pools),
        store: if config.ledger.is_some() { "mmap" } else { "memory" },
        scheduler: match batch_config.scheduler.placement {
            SchedulerPlacement::Dedicated => "dedicated",
            SchedulerPlacement::Inline => "inline",
        },
        setup_seconds,
        units_per_transaction: units as f64 / committed.max(1) as f64,
        programs: config.programs.as_ref().map(|dir| dir.display().to_string()),
        v0: config.v0,
        shuffle_accounts: config.shuffle_accounts,
        entries: output.entries.len(),
        kernel,
        stages,
        contention,
    })
}

fn available_cores() -> usize {
    lanes_runtime::available_cores()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfers(threads: usize, accounts: usize, transactions: usize, hot_accounts: Option<usize>) -> InProcessConfig {
        InProcessConfig {
            workload: WorkloadKind::Transfer,
            accounts,
            transactions,
            threads,
            hot_accounts,
            pools: 1,
            sigverify: false,
            ledger: None,
            scheduler: SchedulerChoice::Auto,
            fresh_instances: false,
            programs: None,
            v0: false,
            contention: true,
            record_account_changes: false,
            shuffle_accounts: false,
        }
    }

    #[test]
    fn contention_ranks_one_hot_account_first_and_nothing_when_nothing_conflicts() {
        let hot = run_in_process(&transfers(2, 200, 2_000, Some(1))).unwrap();
        let profile = hot.contention.as_ref().unwrap();
        let first = &profile.accounts[0];
        assert_eq!(first.account, Pubkey::new_unique_from_u64(1_000_000).to_string(), "the hot account");
        assert_eq!(first.write_locked, hot.committed, "every transfer wrote it");
        assert_eq!(profile.critical_path_transactions as u64, hot.committed, "one chain through all of them");
        // Every transfer wrote it, so its chain is all the work done, end to
        // end: the critical path and the whole busy time (how that compares
        // with the wall time depends on the machine's load, not on the code).
        assert_eq!(first.chain_ns, profile.critical_path_ns);
        assert_eq!(first.chain_ns, profile.busy_ns);
        assert!(first.lost_parallelism > 0.0 && first.lost_parallelism <= 1.0);
        assert!(profile.accounts.iter().skip(1).all(|a| a.chain_ns < first.chain_ns));

        // Each transfer moves lamports between two accounts no other touches.
        let disjoint = run_in_process(&transfers(2, 1_000, 400, None)).unwrap();
        let profile = disjoint.contention.as_ref().unwrap();
        assert_eq!(disjoint.committed, 400);
        assert!(profile.accounts.is_empty(), "nothing ranked: {:?}", profile.accounts);
        assert_eq!(profile.critical_path_transactions, 1);
    }
}
