//! The `lanes` CLI: drive a Lanes node (or any Solana node) from the shell,
//! in the style of Solana's CLI and with Solana's JSON keypair files.
//! This module holds the command line (clap), the settings in force, the
//! output modes and the error type; the commands live in [`wallet`]
//! (keys, SOL, accounts, transactions, blocks, logs), [`program`] (WASM
//! programs through the loader), [`token`] (the bundled token program) and
//! [`controls`] (a local node's state and time controls), all over
//! [`lanes_client`].
//!
//! Never: panic on anything a user types or a node answers (every failure
//! is one line on stderr and exit status 1); print anything on stdout in
//! `--output json` but JSON; overwrite a keypair file without `--force`.

pub mod config;
pub mod contract;
pub mod controls;
pub mod program;
pub mod token;
pub mod wallet;

use clap::{Parser, Subcommand, ValueEnum};
use lanes_client::{ClientError, RpcClient};
use lanes_sdk::client::Keypair;
use lanes_sdk::{Pubkey, Signature};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// `lanes`: the command line.
#[derive(Debug, Parser)]
#[command(name = "lanes", version, about = "Drive a Lanes node from the shell, in the style of Solana's CLI")]
pub struct Cli {
    /// The node's JSON-RPC URL, or `localhost` (`l`) for http://127.0.0.1:8899.
    #[arg(short = 'u', long = "url", global = true, value_name = "URL")]
    pub url: Option<String>,
    /// The wallet: a Solana JSON keypair file (default: the config's
    /// keypair_path, else ~/.config/solana/id.json).
    #[arg(short = 'k', long = "keypair", global = true, value_name = "FILE")]
    pub keypair: Option<PathBuf>,
    /// A config file (Solana's config.yml keys: json_rpc_url, websocket_url,
    /// keypair_path, commitment); default ~/.config/lanes/cli/config.yml.
    #[arg(short = 'C', long = "config", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The node's PubSub URL (default: ws:// on the RPC port + 1).
    #[arg(long = "ws", global = true, value_name = "URL")]
    pub ws_url: Option<String>,
    /// Human output, or JSON for scripts.
    #[arg(long = "output", global = true, value_enum, default_value_t = OutputFormat::Display)]
    pub output: OutputFormat,
    /// How long each request to the node may take, in seconds.
    #[arg(long = "timeout", global = true, default_value_t = 30)]
    pub timeout: u64,
    #[command(subcommand)]
    pub command: Command,
}

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Display,
    Json,
    JsonCompact,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make or read keypair files.
    #[command(subcommand)]
    Keygen(KeygenCommand),
    /// The wallet's address.
    Address,
    /// SOL held by an address (default: the wallet).
    Balance {
        address: Option<String>,
        /// In lamports.
        #[arg(long)]
        lamports: bool,
    },
    /// Ask the node's faucet for SOL.
    Airdrop {
        /// SOL, e.g. 1.5.
        amount: String,
        /// Who receives it (default: the wallet).
        address: Option<String>,
    },
    /// Send SOL from the wallet.
    Transfer {
        /// The recipient's address (or a keypair file).
        to: String,
        /// SOL, e.g. 0.25, or ALL.
        amount: String,
    },
    /// An account: balance, owner, data (base64), decoded for the bundled
    /// token program's mints and token accounts and for programs.
    Account { address: String },
    /// Deploy, upgrade, show and close WASM programs.
    #[command(subcommand)]
    Program(ProgramCommand),
    /// A transaction's status (and with -v its logs).
    Confirm {
        signature: String,
        #[arg(short = 'v', long)]
        verbose: bool,
    },
    /// The node's current slot.
    Slot,
    /// A block: its hashes, time and transactions.
    Block { slot: u64 },
    /// Stream transaction logs over the node's WebSocket until Ctrl-C.
    Logs {
        /// Only transactions naming this address.
        address: Option<String>,
        /// Stop after this many transactions.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// The bundled token program: mints, accounts, balances.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Show or change Lanes' config file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// A new contract crate that builds and tests outside the Lanes repository.
    Init {
        /// The crate's name (its folder, under --dir).
        name: String,
        /// Where to make the crate's folder (default: here).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// The Lanes checkout to build against (default: LANES_PATH, or the
        /// checkout this binary was built from).
        #[arg(long)]
        lanes: Option<PathBuf>,
    },
    /// Build the contract crate here (or --dir) to target/deploy/NAME.wasm.
    Build {
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Build the contract, then run its tests (`cargo test`; arguments after -- go to it).
    Test {
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        #[arg(last = true)]
        cargo_args: Vec<String>,
    },
    /// Program keypairs of a contract crate.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// A local node's state and time controls (set-account, warp, pause, …).
    #[command(flatten)]
    Control(controls::ControlCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Write the address of target/deploy/NAME-keypair.json into declare_id! (made if missing).
    Sync {
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeygenCommand {
    /// A new random keypair, written as a Solana JSON keypair file.
    New {
        /// Where (default: ~/.config/solana/id.json, Solana's wallet).
        #[arg(short = 'o', long)]
        outfile: Option<PathBuf>,
        /// Overwrite an existing file.
        #[arg(short = 'f', long)]
        force: bool,
    },
    /// The address of a keypair file (default: the wallet).
    Pubkey { keypair: Option<PathBuf> },
}

#[derive(Debug, Subcommand)]
pub enum ProgramCommand {
    /// Deploy a WASM program (or upgrade it, when it exists and the wallet is its authority).
    Deploy {
        /// The program's .wasm file.
        path: PathBuf,
        /// The program's keypair file (a new program id if none), or the
        /// address of a program to upgrade.
        #[arg(long, value_name = "KEYPAIR")]
        program_id: Option<String>,
    },
    /// A program's authority, deploy slot, size and balance.
    Show { program_id: String },
    /// Close a program: it can no longer be invoked; its SOL goes back.
    Close {
        program_id: String,
        /// Who receives its SOL (default: the wallet).
        #[arg(long)]
        recipient: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// The settings in force.
    Get,
    /// Write settings to Lanes' config file (or --config FILE).
    Set {
        /// The default node (or `localhost`).
        #[arg(long = "url", short = 'u')]
        url: Option<String>,
        /// The default wallet.
        #[arg(long = "keypair", short = 'k')]
        keypair: Option<PathBuf>,
    },
}

/// A failure, said in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(pub String);

impl CliError {
    pub fn new(message: impl Into<String>) -> CliError {
        CliError(message.into())
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<ClientError> for CliError {
    fn from(e: ClientError) -> CliError {
        CliError(describe(&e))
    }
}

/// A client error in one line, with the program's last log line when the
/// node ran the transaction (the reason a program gives is usually there).
pub fn describe(e: &ClientError) -> String {
    let text = match e.transaction_failure() {
        Some(failure) => match e {
            ClientError::TransactionFailed { signature, .. } => format!("transaction {signature} failed: {failure}"),
            _ => format!("transaction simulation failed: {failure}"),
        },
        None => e.to_string(),
    };
    let logs = e.logs();
    let reason = logs.iter().rev().find(|l| l.starts_with("Program log: ")).or_else(|| logs.last());
    let line = match reason {
        Some(log) => format!("{text} (log: {log})"),
        None => text,
    };
    line.replace('\n', " ")
}

/// An account's data read as what it holds: its kind and its fields, each
/// with a label for people and a key for JSON.
pub struct Decoded {
    pub kind: &'static str,
    pub fields: Vec<(&'static str, &'static str, Value)>,
}

impl Decoded {
    /// `Label: value` lines, indented by `indent`.
    pub fn text(&self, indent: &str) -> String {
        self.fields
            .iter()
            .map(|(label, _, value)| {
                let value = match value {
                    Value::String(text) => text.clone(),
                    Value::Null => "none".to_string(),
                    other => other.to_string(),
                };
                format!("{indent}{label}: {value}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `{key: value}`.
    pub fn json(&self) -> serde_json::Map<String, Value> {
        self.fields.iter().map(|(_, key, value)| (key.to_string(), value.clone())).collect()
    }
}

/// What a command prints: text for people, JSON for scripts.
pub struct Output {
    pub text: String,
    pub json: Value,
}

impl Output {
    pub fn new(text: impl Into<String>, json: Value) -> Output {
        Output { text: text.into(), json }
    }
}

/// The context every command gets: settings, the output mode, and a
/// client made on first use.
pub struct Context {
    pub settings: config::Settings,
    pub output: OutputFormat,
    pub timeout: Duration,
}

impl Context {
    pub fn client(&self) -> Result<RpcClient, CliError> {
        let mut client = RpcClient::new(&self.settings.url)?.with_timeout(self.timeout)?;
        if let Some(ws) = &self.settings.ws_url {
            client = client.with_websocket_url(ws);
        }
        if let Some(commitment) = &self.settings.commitment {
            client = client.with_commitment(commitment.parse().map_err(CliError::new)?);
        }
        Ok(client)
    }

    /// The wallet's path, whether or not it exists.
    pub fn keypair_path(&self) -> Result<PathBuf, CliError> {
        self.settings
            .keypair_path
            .clone()
            .ok_or_else(|| CliError::new("no keypair: HOME is not set and no --keypair was given"))
    }

    /// The wallet.
    pub fn keypair(&self) -> Result<Keypair, CliError> {
        let path = self.keypair_path()?;
        read_keypair(&path).map_err(|e| match path.exists() {
            false => CliError::new(format!(
                "no keypair at {}: create one with `lanes keygen new`, or pass --keypair FILE",
                path.display()
            )),
            true => e,
        })
    }

    pub fn json(&self) -> bool {
        self.output != OutputFormat::Display
    }
}

pub fn read_keypair(path: &Path) -> Result<Keypair, CliError> {
    Keypair::read_file(path).map_err(|e| CliError::new(format!("cannot read keypair {}: {e}", path.display())))
}

/// An address given as base58, or as a keypair file holding it.
pub fn parse_address(text: &str) -> Result<Pubkey, CliError> {
    if let Ok(key) = Pubkey::from_str(text) {
        return Ok(key);
    }
    let path = Path::new(text);
    if path.is_file() {
        return read_keypair(path).map(|k| k.pubkey());
    }
    Err(CliError::new(format!("invalid address {text}: not a base58 public key or a keypair file")))
}

pub fn parse_signature(text: &str) -> Result<Signature, CliError> {
    Signature::from_str(text).map_err(|_| CliError::new(format!("invalid signature {text}: not 64 bytes of base58")))
}

/// `amount` (a decimal like `1.5`) in units of 10^-decimals: exact, or an error.
pub fn parse_amount(amount: &str, decimals: u8) -> Result<u64, CliError> {
    let invalid =
        || CliError::new(format!("invalid amount {amount}: expected a number with at most {decimals} decimals"));
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    if (whole.is_empty() && fraction.is_empty())
        || fraction.len() > decimals as usize
        || !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit())
    {
        return Err(invalid());
    }
    let scale = 10u64.checked_pow(decimals as u32).ok_or_else(invalid)?;
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| invalid())? };
    let padded = format!("{fraction:0<width$}", width = decimals as usize);
    let fraction: u64 = if padded.is_empty() { 0 } else { padded.parse().map_err(|_| invalid())? };
    whole.checked_mul(scale).and_then(|w| w.checked_add(fraction)).ok_or_else(invalid)
}

/// `units` of 10^-decimals as a decimal without trailing zeros.
pub fn format_amount(units: u64, decimals: u8) -> String {
    let scale = 10u128.pow(decimals as u32);
    let (whole, fraction) = (units as u128 / scale, units as u128 % scale);
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:0width$}", width = decimals as usize);
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// Lamports as SOL.
pub fn sol(lamports: u64) -> String {
    format_amount(lamports, 9)
}

/// Lamports in SOL from a user's text.
pub fn parse_sol(amount: &str) -> Result<u64, CliError> {
    parse_amount(amount, 9)
}

/// The fee of a transaction with `signatures` signatures (Lanes: 5,000 lamports each).
pub fn fee(signatures: u64) -> u64 {
    signatures * 5_000
}

/// Fail with a clear line when `payer` cannot pay `needed` lamports.
pub fn ensure_funds(client: &RpcClient, payer: &Pubkey, needed: u64, what: &str) -> Result<u64, CliError> {
    let balance = client.get_balance(payer)?;
    if balance < needed {
        return Err(CliError::new(format!(
            "insufficient funds: {payer} has {} SOL, {what} needs {} SOL (fees included)",
            sol(balance),
            sol(needed)
        )));
    }
    Ok(balance)
}

/// Parse the command line, run it, print; the process's exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let settings = config::Settings::resolve(
        cli.url.as_deref(),
        cli.ws_url.as_deref(),
        cli.keypair.as_deref(),
        cli.config.as_deref(),
        matches!(cli.command, Command::Config(ConfigCommand::Set { .. })),
    )?;
    let context = Context { settings, output: cli.output, timeout: Duration::from_secs(cli.timeout.max(1)) };
    let output = match cli.command {
        Command::Keygen(command) => wallet::keygen(&context, command)?,
        Command::Address => wallet::address(&context)?,
        Command::Balance { address, lamports } => wallet::balance(&context, address.as_deref(), lamports)?,
        Command::Airdrop { amount, address } => wallet::airdrop(&context, &amount, address.as_deref())?,
        Command::Transfer { to, amount } => wallet::transfer(&context, &to, &amount)?,
        Command::Account { address } => wallet::account(&context, &address)?,
        Command::Program(command) => program::run(&context, command)?,
        Command::Confirm { signature, verbose } => wallet::confirm(&context, &signature, verbose)?,
        Command::Slot => wallet::slot(&context)?,
        Command::Block { slot } => wallet::block(&context, slot)?,
        Command::Logs { address, limit } => return wallet::logs(&context, address.as_deref(), limit),
        Command::Token(command) => token::run(&context, command)?,
        Command::Config(command) => wallet::config(&context, command, cli.config.as_deref())?,
        Command::Init { name, dir, lanes } => contract::init(&context, &name, dir.as_deref(), lanes.as_deref())?,
        Command::Build { dir } => contract::build(&dir)?,
        Command::Test { dir, cargo_args } => {
            let code = contract::test(&dir, &cargo_args)?;
            if code != 0 {
                return Err(CliError::new(format!("cargo test failed (exit status {code})")));
            }
            return Ok(());
        }
        Command::Keys(KeysCommand::Sync { dir }) => contract::keys_sync(&dir)?,
        Command::Control(command) => controls::run(&context, command)?,
    };
    print(&context, &output);
    Ok(())
}

pub fn print(context: &Context, output: &Output) {
    match context.output {
        OutputFormat::Display => println!("{}", output.text),
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&output.json).unwrap_or_default()),
        OutputFormat::JsonCompact => println!("{}", output.json),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_sdk::LAMPORTS_PER_SOL;

    #[test]
    fn amounts_parse_exactly_or_not_at_all() {
        assert_eq!(parse_sol("1").unwrap(), LAMPORTS_PER_SOL);
        assert_eq!(parse_sol("1.5").unwrap(), 1_500_000_000);
        assert_eq!(parse_sol(".000000001").unwrap(), 1);
        assert_eq!(parse_amount("12.34", 2).unwrap(), 1234);
        assert_eq!(parse_amount("7", 0).unwrap(), 7);
        for bad in ["", ".", "1.0000000001", "-1", "1e3", "abc", "1.2.3", "99999999999999999999"] {
            assert!(parse_sol(bad).is_err(), "{bad}");
        }
        assert_eq!(sol(1_500_000_000), "1.5");
        assert_eq!(sol(0), "0");
        assert_eq!(sol(1), "0.000000001");
        assert_eq!(format_amount(u64::MAX, 0), u64::MAX.to_string());
        assert_eq!(format_amount(1234, 2), "12.34");
    }

    #[test]
    fn addresses_and_signatures_are_checked() {
        assert!(parse_address("11111111111111111111111111111111").is_ok());
        let err = parse_address("not-an-address").unwrap_err().to_string();
        assert!(err.starts_with("invalid address not-an-address"), "{err}");
        assert!(parse_signature("xyz").is_err());
    }
}
