//! `lanes set-account | set-token-balance | warp | set-clock | pause |
//! resume | produce-slot | block-production | profile`: a local node's
//! state and time controls (Lanes' own RPC methods, docs/rpc.md) from the
//! shell, over [`lanes_client::controls`]. A node run with `--no-controls`
//! refuses them; the error says so.
//!
//! Never: send a control the command line did not spell out (every value
//! is parsed first, and a bad one is one line on stderr).

use super::{format_amount, parse_address, parse_amount, parse_signature, CliError, Context, Output};
use base64::Engine as _;
use clap::Subcommand;
use lanes_client::AccountUpdate;
use lanes_sdk::transaction::VersionedTransaction;
use lanes_token::state::{Mint, Pack};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ControlCommand {
    /// Set an account's lamports, owner, data or executable flag (the rest keep their values).
    SetAccount {
        address: String,
        #[arg(long)]
        lamports: Option<u64>,
        /// The owner program's address.
        #[arg(long)]
        owner: Option<String>,
        /// The data, base64.
        #[arg(long, conflicts_with = "data_file")]
        data: Option<String>,
        /// The data, read from a file.
        #[arg(long, value_name = "FILE")]
        data_file: Option<PathBuf>,
        #[arg(long)]
        executable: Option<bool>,
    },
    /// Give OWNER a balance of AMOUNT (in the mint's decimals) of the bundled
    /// token program's MINT, making its token account if it has none.
    SetTokenBalance { owner: String, mint: String, amount: String },
    /// Jump forward to SLOT (the slots between are skipped).
    Warp { slot: u64 },
    /// Set the clock's unix time (seconds); it advances with the slots from there.
    SetClock { unix_timestamp: i64 },
    /// Stop making slots (transactions stay queued).
    Pause,
    /// Make slots again.
    Resume,
    /// Make one slot now, paused or not.
    ProduceSlot,
    /// Make slots every --slot-ms (interval) or as soon as a transaction arrives (on-arrival).
    BlockProduction {
        #[arg(value_parser = ["interval", "on-arrival"])]
        mode: String,
    },
    /// Compute units per instruction and per cross-program call, and each
    /// account before and after: for a landed SIGNATURE, or a base64
    /// transaction simulated (nothing committed).
    Profile {
        /// A transaction signature, or a base64 wire transaction.
        transaction: String,
    },
}

pub fn run(context: &Context, command: ControlCommand) -> Result<Output, CliError> {
    let client = context.client()?;
    match command {
        ControlCommand::SetAccount { address, lamports, owner, data, data_file, executable } => {
            let address = parse_address(&address)?;
            let owner = owner.as_deref().map(parse_address).transpose()?;
            let data = match (data, data_file) {
                (Some(text), _) => Some(
                    base64::engine::general_purpose::STANDARD
                        .decode(text.trim())
                        .map_err(|e| CliError::new(format!("--data is not base64: {e}")))?,
                ),
                (None, Some(path)) => Some(
                    std::fs::read(&path).map_err(|e| CliError::new(format!("cannot read {}: {e}", path.display())))?,
                ),
                (None, None) => None,
            };
            if lamports.is_none() && owner.is_none() && data.is_none() && executable.is_none() {
                return Err(CliError::new(
                    "nothing to set: give --lamports, --owner, --data (or --data-file) or --executable",
                ));
            }
            let slot = client.lanes_set_account(&address, &AccountUpdate { lamports, owner, data, executable })?;
            Ok(Output::new(
                format!("Account {address} set in slot {slot}"),
                json!({ "address": address.to_string(), "slot": slot }),
            ))
        }
        ControlCommand::SetTokenBalance { owner, mint, amount } => {
            let owner = parse_address(&owner)?;
            let mint = parse_address(&mint)?;
            let account = client.get_account(&mint)?.ok_or_else(|| CliError::new(format!("mint {mint} not found")))?;
            let decimals = (account.owner == lanes_token::ID)
                .then(|| Mint::unpack(&account.data).ok())
                .flatten()
                .ok_or_else(|| CliError::new(format!("{mint} is not a mint of the token program")))?
                .decimals;
            let units = parse_amount(&amount, decimals)?;
            let set = client.lanes_set_token_balance(&owner, &mint, units)?;
            let shown = format_amount(units, decimals);
            let made = if set.created { " (made for it)" } else { "" };
            Ok(Output::new(
                format!("{owner} holds {shown} of {mint} in {}{made}, set in slot {}", set.token_account, set.slot),
                json!({ "owner": owner.to_string(), "mint": mint.to_string(), "amount": shown, "units": units,
                        "tokenAccount": set.token_account.to_string(), "created": set.created, "slot": set.slot }),
            ))
        }
        ControlCommand::Warp { slot } => {
            let now = client.lanes_warp_to_slot(slot)?;
            Ok(Output::new(format!("Warped to slot {now}"), json!({ "slot": now })))
        }
        ControlCommand::SetClock { unix_timestamp } => {
            let slot = client.lanes_set_clock(unix_timestamp)?;
            Ok(Output::new(
                format!("Clock set to {unix_timestamp} from slot {slot}"),
                json!({ "unixTimestamp": unix_timestamp, "slot": slot }),
            ))
        }
        ControlCommand::Pause | ControlCommand::Resume | ControlCommand::BlockProduction { .. } => {
            let production = match command {
                ControlCommand::Pause => client.lanes_pause_slots()?,
                ControlCommand::Resume => client.lanes_resume_slots()?,
                ControlCommand::BlockProduction { mode } => {
                    client.lanes_set_block_production(if mode == "on-arrival" { "onArrival" } else { "interval" })?
                }
                _ => unreachable!("matched above"),
            };
            let state = if production.paused { "paused" } else { "producing" };
            Ok(Output::new(
                format!("Slots {state} ({}) at slot {}", production.block_production, production.slot),
                json!({ "slot": production.slot, "paused": production.paused,
                        "blockProduction": production.block_production }),
            ))
        }
        ControlCommand::ProduceSlot => {
            let slot = client.lanes_produce_slot()?;
            Ok(Output::new(format!("Produced slot {slot}"), json!({ "slot": slot })))
        }
        ControlCommand::Profile { transaction } => {
            let profile = match parse_signature(&transaction) {
                Ok(signature) => client.lanes_profile_signature(&signature)?,
                Err(_) => {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(transaction.trim())
                        .map_err(|_| CliError::new("not a signature, nor a base64 transaction".to_string()))?;
                    let tx = VersionedTransaction::from_wire(&bytes)
                        .map_err(|e| CliError::new(format!("not a transaction: {e}")))?;
                    client.lanes_profile_transaction(&tx, false)?
                }
            };
            Ok(Output::new(profile_text(&profile), profile))
        }
    }
}

/// A profile for people: the call tree with its units, then the accounts.
fn profile_text(profile: &Value) -> String {
    let mut text = String::new();
    let source = profile["source"].as_str().unwrap_or("?");
    let _ = writeln!(
        text,
        "Transaction {} ({source}, slot {}): {} compute units, fee {}, {}",
        profile["signature"].as_str().unwrap_or("?"),
        profile["slot"],
        profile["computeUnits"],
        profile["fee"],
        if profile["err"].is_null() { "ok".to_string() } else { format!("failed: {}", profile["err"]) }
    );
    fn call(text: &mut String, node: &Value, indent: usize) {
        let units = match node["computeUnits"].as_u64() {
            Some(units) => format!("{units} units ({} own)", node["ownComputeUnits"]),
            None => "builtin".to_string(),
        };
        let _ = writeln!(
            text,
            "{:indent$}{} {units} {}",
            "",
            node["programId"].as_str().unwrap_or("?"),
            node["result"].as_str().unwrap_or(""),
            indent = indent
        );
        for child in node["calls"].as_array().into_iter().flatten() {
            call(text, child, indent + 2);
        }
    }
    for (i, instruction) in profile["instructions"].as_array().into_iter().flatten().enumerate() {
        let _ = write!(text, "#{i} ");
        call(&mut text, instruction, 0);
    }
    let _ = writeln!(text, "Accounts (lamports before → after):");
    for account in profile["accounts"].as_array().into_iter().flatten() {
        let lamports = |state: &Value| match state {
            Value::Null => "none".to_string(),
            state => state["lamports"].to_string(),
        };
        let changed = profile["dataRecorded"].as_bool() == Some(true)
            && account["before"].get("data") != account["after"].get("data");
        let _ = writeln!(
            text,
            "  {}{}{}: {} → {}{}",
            account["pubkey"].as_str().unwrap_or("?"),
            if account["signer"] == true { " signer" } else { "" },
            if account["writable"] == true { " writable" } else { "" },
            lamports(&account["before"]),
            lamports(&account["after"]),
            if changed { " (data changed)" } else { "" }
        );
    }
    if let Some(note) = profile["note"].as_str() {
        let _ = write!(text, "Note: {note}");
    }
    text.trim_end().to_string()
}
