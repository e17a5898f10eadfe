//! `lanes-bench`: Lanes' load tester.
//!
//! `lanes-bench in-process --workload token --accounts 10000 --transactions 200000 --threads 1 [--json]`
//! runs pre-signed transactions through the bank in this process and
//! reports throughput and where the time went.
//!
//! `lanes-bench ledger --slots 20 --transactions-per-slot 50000` times the
//! ledger's appends alone (see `lanes_validator::ledger_bench`).
//!
//! `lanes-bench sigverify-limit [--transactions 100000]` measures strict
//! ed25519 verification on one core and all (see
//! `lanes_validator::sigverify_bench`): the end-to-end ceiling.
//!
//! `lanes-bench store --accounts 1000000 [--dir PATH] [--json]` measures the
//! memory-mapped account store alone (see `lanes_validator::store_bench`).
//!
//! `lanes-bench adversarial [--transactions 100] [--json]` measures host time
//! per compute unit of hostile transactions beside the bundled workloads
//! (see `lanes_validator::adversarial`).
//!
//! `lanes-bench remote --url http://127.0.0.1:8899 --workload transfer|token
//! --accounts 1000 --duration 20 [--tps N] [--via udp|rpc] [--json]` loads a
//! running node and measures what landed (see `lanes_validator::remote_bench`).

use clap::{Parser, Subcommand};
use lanes_validator::adversarial::{run_adversarial, AdversarialConfig};
use lanes_validator::bench::{run_in_process, InProcessConfig, InProcessReport};
use std::process::ExitCode;

/// jemalloc, as in the node (validator/Cargo.toml says why): the numbers
/// this tool reports are the node's engine's.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
// A later flag overrides an earlier one, so scripts/run.sh can pass its
// defaults and still take the user's.
#[command(name = "lanes-bench", version, about = "Load-test Lanes", args_override_self = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run transactions through the runtime in this process (no network).
    InProcess {
        #[command(flatten)]
        config: InProcessConfig,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Host time per compute unit: hostile transactions and deploys beside
    /// the bundled workloads.
    Adversarial {
        #[command(flatten)]
        config: AdversarialConfig,
        /// Print one JSON object per case instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The validator's own targets on the real binary: start to healthy
    /// RPC and to the first finalized transaction (fresh and warm ledger),
    /// idle CPU and memory, getAccountInfo latency at rest.
    Node {
        /// The lanes-validator binary (default: beside this one).
        #[arg(long)]
        validator: Option<std::path::PathBuf>,
        /// Directory for the scratch ledger (removed afterwards).
        #[arg(long, default_value = ".")]
        dir: std::path::PathBuf,
        /// Seconds to watch the idle node.
        #[arg(long, default_value_t = 10)]
        idle_seconds: u64,
        /// getAccountInfo requests to time.
        #[arg(long, default_value_t = 5_000)]
        requests: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Load a running node over its UDP port or JSON-RPC batches and measure
    /// what landed: TPS, confirmation latency, dropped and failed.
    Remote {
        #[command(flatten)]
        config: lanes_validator::remote_bench::RemoteConfig,
        /// Print one JSON object instead of the summary.
        #[arg(long)]
        json: bool,
    },
    /// Append slots of token transfers to a scratch ledger and time each
    /// append (the ledger's cost as it grows).
    Ledger {
        /// Slots to append.
        #[arg(long, default_value_t = 20)]
        slots: u64,
        /// Transactions in each slot.
        #[arg(long, default_value_t = 50_000)]
        transactions_per_slot: usize,
        /// Distinct token owners the transfers pick from.
        #[arg(long, default_value_t = 10_000)]
        accounts: usize,
        /// Prune to at least this many transactions after each append, as
        /// `lanes-validator --limit-ledger-size` does.
        #[arg(long)]
        limit: Option<u64>,
        /// Directory on the disk to measure (a scratch ledger is made under it and removed).
        #[arg(long, default_value = ".")]
        dir: std::path::PathBuf,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// This machine's strict ed25519 verification rate, one core and all:
    /// the ceiling for end-to-end throughput.
    SigverifyLimit {
        /// Signed transactions to verify (one signature each).
        #[arg(long, default_value_t = 100_000)]
        transactions: usize,
        /// Rounds; the best is reported.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write, reopen and read the memory-mapped account store on its own.
    Store {
        /// Token-sized accounts to create (then update as many times).
        #[arg(long, default_value_t = 1_000_000)]
        accounts: usize,
        /// Directory on the disk to measure (a scratch store is made under it and removed).
        #[arg(long, default_value = ".")]
        dir: std::path::PathBuf,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn print_text(r: &InProcessReport) {
    println!("workload      {:?}", r.workload);
    println!("threads       {} (scheduler {})", r.threads, r.scheduler);
    println!("accounts      {}", r.accounts);
    println!("transactions  {} ({} committed, {} failed)", r.transactions, r.committed, r.failed);
    println!("sigverify     {}", if r.sigverify { "on" } else { "off" });
    if let Some(h) = r.hot_accounts {
        println!("hot accounts  {h}");
    }
    if let Some(p) = r.pools {
        println!("pools         {p}");
    }
    println!("store         {}", r.store);
    println!("setup         {:.2} s (not timed)", r.setup_seconds);
    println!("elapsed       {:.3} s", r.seconds);
    println!("TPS           {:.0}", r.tps);
    let per_tx = |s: f64| s * 1e6 / r.transactions.max(1) as f64;
    let s = &r.stages;
    println!("entries       {}", r.entries);
    println!("scheduler     {:.3} s busy", s.schedule);
    println!("workers busy  {}", s.worker_busy.iter().map(|b| format!("{b:.3} s")).collect::<Vec<_>>().join(", "));
    println!("time per transaction (µs, summed over workers):");
    for (name, secs) in [
        ("sanitize", s.sanitize),
        ("sigverify", s.sigverify),
        ("account load", s.account_load),
        ("instantiate", s.instantiate),
        ("execute (wasm)", s.execute),
        ("serialize i/o", s.serialize),
        ("commit", s.commit),
        ("slot commit", s.slot_commit),
        ("other bank", s.other),
    ] {
        println!("  {name:<15} {:>8.2}", per_tx(secs));
    }
    println!(
        "wasm invocations {} ({} on a fresh instance; {} page scans reset the others)",
        s.wasm_invocations, s.fresh_instances, s.reset_scans
    );
    let k = &r.kernel;
    println!(
        "kernel        {:.3} s user, {:.3} s system; {} minor faults ({:.2} a transaction); {} blocked, {} preempted switches",
        k.user_seconds,
        k.system_seconds,
        k.minor_faults,
        k.minor_faults as f64 / r.transactions.max(1) as f64,
        k.voluntary_switches,
        k.involuntary_switches
    );
    if let Some(c) = &r.contention {
        println!(
            "contention    parallelism {:.2} (busy {:.3} s / wall {:.3} s); critical path {:.3} s over {} transactions",
            c.parallelism,
            c.busy_ns as f64 / 1e9,
            c.wall_ns as f64 / 1e9,
            c.critical_path_ns as f64 / 1e9,
            c.critical_path_transactions
        );
        if c.accounts.is_empty() {
            println!("  no account serialized the run");
        }
        for a in &c.accounts {
            println!(
                "  {:<44} lost {:>5.1} %  chain {:.3} s  {} txs ({} write)  mean wait {:.3} ms",
                a.account,
                a.lost_parallelism * 100.0,
                a.chain_ns as f64 / 1e9,
                a.transactions,
                a.write_locked,
                a.wait_ns as f64 / a.transactions.max(1) as f64 / 1e6
            );
        }
    }
}

/// Print a subcommand's report — one JSON object with `--json`, else its
/// text — or its error, prefixed with the subcommand.
fn report<R: serde::Serialize + std::fmt::Display, E: std::fmt::Display>(
    command: &str,
    result: Result<R, E>,
    json: bool,
) -> ExitCode {
    match result {
        Ok(report) if json => {
            println!("{}", serde_json::to_string(&report).expect("report serializes"));
            ExitCode::SUCCESS
        }
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lanes-bench {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::InProcess { config, json } => match run_in_process(&config) {
            Ok(report) => {
                if json {
                    println!("{}", serde_json::to_string(&report).expect("report serializes"));
                } else {
                    print_text(&report);
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lanes-bench: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Adversarial { config, json } => match run_adversarial(&config) {
            Ok(reports) => {
                if !json {
                    println!(
                        "{:<40} {:>8} {:>6} {:>12} {:>12} {:>9} {:>9}",
                        "case", "kind", "txs", "units/tx", "µs/tx", "ns/unit", "×median"
                    );
                }
                for r in &reports {
                    if json {
                        println!("{}", serde_json::to_string(r).expect("report serializes"));
                    } else {
                        println!(
                            "{:<40} {:>8} {:>6} {:>12.0} {:>12.1} {:>9.2} {:>9.1}",
                            r.case,
                            r.kind,
                            r.transactions,
                            r.units_per_transaction,
                            r.micros_per_transaction,
                            r.ns_per_unit,
                            r.times_bundled_median
                        );
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lanes-bench adversarial: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Node { validator, dir, idle_seconds, requests, json } => {
            let validator = validator.unwrap_or_else(|| {
                std::env::current_exe()
                    .map(|exe| exe.with_file_name("lanes-validator"))
                    .unwrap_or_else(|_| "lanes-validator".into())
            });
            report("node", lanes_validator::node_bench::run_node_bench(&validator, &dir, idle_seconds, requests), json)
        }
        Command::Remote { config, json } => report("remote", lanes_validator::remote_bench::run_remote(&config), json),
        Command::Ledger { slots, transactions_per_slot, accounts, limit, dir, json } => report(
            "ledger",
            lanes_validator::ledger_bench::run_ledger_bench(slots, transactions_per_slot, accounts, limit, &dir),
            json,
        ),
        Command::SigverifyLimit { transactions, rounds, json } => {
            report("sigverify-limit", lanes_validator::sigverify_bench::run_sigverify_limit(transactions, rounds), json)
        }
        Command::Store { accounts, dir, json } => {
            report("store", lanes_validator::store_bench::run_store_bench(accounts, &dir), json)
        }
    }
}
