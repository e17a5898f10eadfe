//! `lanes-validator`: a local single-node Lanes chain that Solana's clients
//! talk to over JSON-RPC (see docs/validator.md).
//!
//! With no flags it opens (or creates) `test-ledger/`, deploys the bundled
//! token, AMM and lending programs at genesis, funds a faucet, prints where
//! everything is, and serves RPC on 127.0.0.1:8899 until Ctrl-C, after
//! which the next start resumes from the last durable slot.
//!
//! `lanes-validator verify-ledger --ledger DIR` replays a ledger from
//! genesis on one thread and checks every slot's blockhash and state hash.

use clap::Parser;
use lanes_sdk::client::Keypair;
use lanes_sdk::Pubkey;
use lanes_validator::node::controls::BlockProduction;
use lanes_validator::node::genesis::bundled_programs;
use lanes_validator::node::{NodeConfig, RunningNode};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

/// jemalloc: workers free what other threads allocated, and glibc's
/// arenas serialize that (validator/Cargo.toml, docs/decisions.md).
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// `--limit-ledger-size` by default: ~4 GB of history, about two minutes
/// of a full load test, far more than a day of development.
const DEFAULT_LEDGER_LIMIT: u64 = 2_000_000;

#[derive(Parser)]
#[command(name = "lanes-validator", version, about = "Run a local Lanes chain with Solana's JSON-RPC")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Ledger directory (accounts, keypairs, compiled programs).
    #[arg(long, default_value = "test-ledger")]
    ledger: PathBuf,
    /// Wipe the ledger and start from genesis (the default resumes).
    #[arg(long)]
    reset: bool,
    /// Address RPC listens on.
    #[arg(long, default_value = "127.0.0.1")]
    bind_address: IpAddr,
    /// JSON-RPC over HTTP (0: any free port).
    #[arg(long, default_value_t = 8899)]
    rpc_port: u16,
    /// PubSub over WebSocket (default: the RPC port + 1, where Solana's
    /// clients look; 0: any free port).
    #[arg(long)]
    pubsub_port: Option<u16>,
    /// UDP transaction port, one wire transaction per datagram (default:
    /// the RPC port + 2; 0: any free port).
    #[arg(long)]
    tpu_port: Option<u16>,
    /// Slot length in milliseconds.
    #[arg(long, default_value_t = 400)]
    slot_ms: u64,
    /// Worker threads executing transactions (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// SOL the faucet holds at genesis.
    #[arg(long, default_value_t = 500_000_000)]
    faucet_sol: u64,
    /// Transactions of history the ledger keeps at the least (about 2.1 KB
    /// each on disk); older history is pruned 262,144 transactions at a
    /// time. 0 keeps everything (needed for verify-ledger).
    #[arg(long, value_name = "TRANSACTIONS", default_value_t = DEFAULT_LEDGER_LIMIT)]
    limit_ledger_size: u64,
    /// Deploy a program at genesis: ADDRESS (a public key or a keypair
    /// file) and a .wasm file. Repeatable; ignored for an existing ledger.
    #[arg(long, num_args = 2, value_names = ["ADDRESS_OR_KEYPAIR", "PROGRAM.wasm"], action = clap::ArgAction::Append)]
    program: Vec<String>,
    /// Set an account at genesis from the JSON `solana account --output
    /// json` writes. Repeatable; ignored for an existing ledger.
    #[arg(long, num_args = 2, value_names = ["ADDRESS", "ACCOUNT.json"], action = clap::ArgAction::Append)]
    account: Vec<String>,
    /// Keep, in memory, every write-locked account's state before and after
    /// for this many of the newest transactions (the explorer's
    /// transaction view, `lanesProfileTransaction`); at most 256 MiB of
    /// account data. 0 keeps none and copies nothing.
    #[arg(long, value_name = "TRANSACTIONS", default_value_t = lanes_validator::node::account_history::DEFAULT_ACCOUNT_HISTORY)]
    account_history: usize,
    /// Print only the startup block.
    #[arg(long)]
    quiet: bool,
    /// Log every slot that received transactions (and every fault) to
    /// stderr instead of the status line.
    #[arg(long)]
    log: bool,
    /// Refuse the state and time controls (lanesSetAccount, lanesWarpToSlot,
    /// lanesPauseSlots, … and `lanes` commands that use them).
    #[arg(long)]
    no_controls: bool,
    /// When slots are made: every --slot-ms, or as soon as a transaction
    /// arrives (and every --slot-ms when none does).
    #[arg(long, value_enum, default_value_t = BlockProductionArg::Interval)]
    block_production: BlockProductionArg,
}

/// `--block-production`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum BlockProductionArg {
    Interval,
    OnArrival,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Replay a ledger from genesis on one thread, checking every slot's
    /// blockhash, state hash and every transaction's result.
    VerifyLedger {
        /// Ledger directory.
        #[arg(long, default_value = "test-ledger")]
        ledger: PathBuf,
    },
}

fn verify_ledger(ledger: &std::path::Path) -> ExitCode {
    match lanes_validator::node::replay::verify_ledger(ledger) {
        Ok(report) => {
            println!(
                "Ledger verified: {} slots (0..={}), {} transactions replayed in {:.2} s: every blockhash, result and state hash matches",
                report.slots, report.last_slot, report.transactions, report.seconds
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lanes-validator verify-ledger: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `[ADDRESS, PATH, ADDRESS, PATH, …]` as pairs; an address may be a
/// public key or a keypair file (its public key).
fn address_pairs(values: &[String]) -> Result<Vec<(Pubkey, PathBuf)>, String> {
    values
        .chunks(2)
        .map(|pair| {
            let [address, path] = pair else { return Err("an address needs a file after it".to_string()) };
            let key = match Pubkey::from_str(address) {
                Ok(key) => key,
                Err(_) => Keypair::read_file(std::path::Path::new(address))
                    .map_err(|e| format!("{address} is neither a public key nor a keypair file: {e}"))?
                    .pubkey(),
            };
            Ok((key, PathBuf::from(path)))
        })
        .collect()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Faults always reach stderr; `--log` adds a line per busy slot.
    let level = if cli.log { tracing::Level::INFO } else { tracing::Level::WARN };
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(colour)
        .init();
    if let Some(Command::VerifyLedger { ledger }) = &cli.command {
        return verify_ledger(ledger);
    }
    if cli.slot_ms == 0 {
        eprintln!("lanes-validator: --slot-ms must be at least 1");
        return ExitCode::FAILURE;
    }
    let (genesis_programs, genesis_accounts) = match (address_pairs(&cli.program), address_pairs(&cli.account)) {
        (Ok(programs), Ok(accounts)) => (programs, accounts),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("lanes-validator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ledger_exists = cli.ledger.join("ledger.redb").exists() && !cli.reset;
    if ledger_exists && !(genesis_programs.is_empty() && genesis_accounts.is_empty()) {
        println!("Warning: the ledger exists, so --program and --account are ignored (use --reset to apply them)");
    }
    let config = NodeConfig {
        ledger: cli.ledger.clone(),
        reset: cli.reset,
        bind_address: cli.bind_address,
        rpc_port: cli.rpc_port,
        pubsub_port: cli.pubsub_port,
        tpu_port: cli.tpu_port,
        slot: Duration::from_millis(cli.slot_ms),
        threads: cli.threads.unwrap_or_else(lanes_runtime::available_cores),
        faucet_sol: cli.faucet_sol,
        ledger_limit: cli.limit_ledger_size,
        genesis_programs,
        genesis_accounts,
        no_controls: cli.no_controls,
        block_production: match cli.block_production {
            BlockProductionArg::Interval => BlockProduction::Interval,
            BlockProductionArg::OnArrival => BlockProduction::OnArrival,
        },
        account_history: cli.account_history,
    };
    let running = match RunningNode::start(&config) {
        Ok(running) => running,
        Err(e) => {
            eprintln!("lanes-validator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let node = &running.node;
    println!("Ledger location: {}", cli.ledger.display());
    println!("Identity: {}", node.identity.pubkey());
    println!("Faucet: {} ({}/faucet.json)", node.faucet.pubkey(), cli.ledger.display());
    println!("Genesis Hash: {}", node.genesis_hash);
    println!("Version: {}", env!("CARGO_PKG_VERSION"));
    for (id, name, _) in bundled_programs() {
        println!("Program {name}: {id}");
    }
    println!("JSON RPC URL: http://{}", running.rpc_addr);
    println!("WebSocket PubSub URL: ws://{}", running.pubsub_addr);
    println!("TPU address: {}", running.tpu_addr);
    println!("Explorer: http://{}/", running.rpc_addr);
    if !running.created {
        println!("Resumed the ledger ({} slots replayed onto the account store)", running.replayed_slots);
    }
    // Printed last: tests and scripts wait for this line.
    println!("Ready at slot {}", node.bank.read().slot());
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let signals = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let Ok(signals) = signals else {
        eprintln!("lanes-validator: could not set up signal handling");
        return ExitCode::FAILURE;
    };
    std::thread::spawn(move || {
        signals.block_on(async {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
            }
        });
        let _ = stop_tx.send(());
    });
    // The status line would interleave with the log.
    let quiet = cli.quiet || cli.log;
    let mut last = (std::time::Instant::now(), node.bank.read().transaction_count());
    loop {
        match stop_rx.recv_timeout(Duration::from_secs(1)) {
            Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if !quiet {
                    let (processed, transactions) = {
                        let bank = node.bank.read();
                        (bank.slot(), bank.transaction_count())
                    };
                    let now = std::time::Instant::now();
                    let tps = transactions.saturating_sub(last.1) as f64 / now.duration_since(last.0).as_secs_f64();
                    last = (now, transactions);
                    let durable = node.frozen_slot();
                    eprint!(
                        "\rprocessed {processed} · confirmed {durable} · finalized {durable} · transactions {transactions} · {tps:.0} TPS · pending {}    ",
                        node.pending()
                    );
                }
            }
        }
    }
    if !quiet {
        eprintln!();
    }
    println!("Shutting down: finishing the slot in progress");
    running.shutdown();
    ExitCode::SUCCESS
}
