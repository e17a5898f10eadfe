//! The `lanes` commands for keys, SOL, accounts, transactions, blocks and
//! logs: `keygen`, `address`, `balance`, `airdrop`, `transfer`,
//! `account`, `confirm`, `slot`, `block`, `logs`, `config`.
//!
//! Never: send a transfer the wallet cannot pay (checked first, so the
//! error says so plainly), overwrite a keypair without `--force`, or
//! stream logs without a way to stop (`--limit`, Ctrl-C).

use super::config::{self, ConfigFile};
use super::{
    ensure_funds, fee, parse_address, parse_signature, parse_sol, read_keypair, sol, CliError, ConfigCommand, Context,
    KeygenCommand, Output,
};
use base64::Engine as _;
use lanes_client::{ClientError, LogsFilter, LogsNotification};
use lanes_sdk::client::Keypair;
use lanes_sdk::message::TransactionVersion;
use lanes_sdk::{system_instruction, Account, Pubkey};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Duration;

/// Most bytes of account data the human output shows.
const SHOWN_DATA: usize = 512;

pub fn keygen(context: &Context, command: KeygenCommand) -> Result<Output, CliError> {
    match command {
        KeygenCommand::New { outfile, force } => {
            let path = match outfile {
                Some(path) => path,
                None => config::solana_default_keypair()?,
            };
            if path.exists() && !force {
                return Err(CliError::new(format!("refusing to overwrite {} (use --force)", path.display())));
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| CliError::new(format!("cannot create {}: {e}", dir.display())))?;
            }
            let keypair = Keypair::new();
            keypair.write_file(&path).map_err(|e| CliError::new(format!("cannot write {}: {e}", path.display())))?;
            Ok(Output::new(
                format!("Wrote new keypair to {}\npubkey: {}", path.display(), keypair.pubkey()),
                json!({ "pubkey": keypair.pubkey().to_string(), "outfile": path.display().to_string() }),
            ))
        }
        KeygenCommand::Pubkey { keypair } => {
            let keypair = match keypair {
                Some(path) => read_keypair(&path)?,
                None => context.keypair()?,
            };
            Ok(Output::new(keypair.pubkey().to_string(), json!({ "pubkey": keypair.pubkey().to_string() })))
        }
    }
}

pub fn address(context: &Context) -> Result<Output, CliError> {
    let key = context.keypair()?.pubkey();
    Ok(Output::new(key.to_string(), json!({ "address": key.to_string() })))
}

/// The address given, else the wallet's.
fn address_or_wallet(context: &Context, address: Option<&str>) -> Result<lanes_sdk::Pubkey, CliError> {
    match address {
        Some(text) => parse_address(text),
        None => Ok(context.keypair()?.pubkey()),
    }
}

pub fn balance(context: &Context, address: Option<&str>, in_lamports: bool) -> Result<Output, CliError> {
    let key = address_or_wallet(context, address)?;
    let lamports = context.client()?.get_balance(&key)?;
    let text = if in_lamports { format!("{lamports} lamports") } else { format!("{} SOL", sol(lamports)) };
    Ok(Output::new(text, json!({ "address": key.to_string(), "lamports": lamports, "sol": sol(lamports) })))
}

pub fn airdrop(context: &Context, amount: &str, address: Option<&str>) -> Result<Output, CliError> {
    let lamports = parse_sol(amount)?;
    let key = address_or_wallet(context, address)?;
    let client = context.client()?;
    let signature = client.airdrop_and_confirm(&key, lamports)?;
    let balance = client.get_balance(&key)?;
    Ok(Output::new(
        format!("Requesting airdrop of {} SOL\n\nSignature: {signature}\n\n{} SOL", sol(lamports), sol(balance)),
        json!({ "signature": signature.to_string(), "address": key.to_string(), "lamports": lamports,
                "balance": balance }),
    ))
}

pub fn transfer(context: &Context, to: &str, amount: &str) -> Result<Output, CliError> {
    let to = parse_address(to)?;
    let payer = context.keypair()?;
    let client = context.client()?;
    let lamports = if amount.eq_ignore_ascii_case("all") {
        client.get_balance(&payer.pubkey())?.saturating_sub(fee(1))
    } else {
        parse_sol(amount)?
    };
    ensure_funds(
        &client,
        &payer.pubkey(),
        lamports.saturating_add(fee(1)),
        &format!("a transfer of {} SOL", sol(lamports)),
    )?;
    let signature =
        client.send_instructions(&[system_instruction::transfer(&payer.pubkey(), &to, lamports)], &payer, &[])?;
    Ok(Output::new(
        format!("Signature: {signature}"),
        json!({ "signature": signature.to_string(), "from": payer.pubkey().to_string(), "to": to.to_string(),
                "lamports": lamports }),
    ))
}

/// An account as Solana's `solana account --output json` writes it (which
/// `lanes-validator --account` reads back).
fn account_json(address: &lanes_sdk::Pubkey, account: &Account) -> Value {
    json!({
        "pubkey": address.to_string(),
        "account": {
            "lamports": account.lamports,
            "data": [base64::engine::general_purpose::STANDARD.encode(&account.data), "base64"],
            "owner": account.owner.to_string(),
            "executable": account.executable,
            "rentEpoch": u64::MAX,
            "space": account.data.len(),
        }
    })
}

pub fn account(context: &Context, address: &str) -> Result<Output, CliError> {
    let key = parse_address(address)?;
    let client = context.client()?;
    let account = client.get_account(&key)?.ok_or_else(|| CliError::new(format!("account {key} not found")))?;
    let mut text = format!(
        "Public Key: {key}\nBalance: {} SOL\nOwner: {}\nExecutable: {}\nLength: {} (0x{:x}) bytes",
        sol(account.lamports),
        account.owner,
        account.executable,
        account.data.len(),
        account.data.len()
    );
    let mut json = account_json(&key, &account);
    if let Some(decoded) = super::token::decode(&client, &account).or_else(|| super::program::decode(&account)) {
        let _ = write!(text, "\n{}:", decoded.kind);
        if !decoded.fields.is_empty() {
            let _ = write!(text, "\n{}", decoded.text("  "));
        }
        json["parsed"] = json!({ "type": decoded.kind, "info": decoded.json() });
    }
    if !account.data.is_empty() {
        let shown = &account.data[..account.data.len().min(SHOWN_DATA)];
        let more = if shown.len() < account.data.len() { " (the first 512 bytes; --output json has all)" } else { "" };
        let _ = write!(text, "\nData (base64){more}: {}", base64::engine::general_purpose::STANDARD.encode(shown));
    }
    Ok(Output::new(text, json))
}

pub fn confirm(context: &Context, signature: &str, verbose: bool) -> Result<Output, CliError> {
    let signature = parse_signature(signature)?;
    let client = context.client()?;
    let status = client.get_signature_status_with_history(&signature)?;
    let (mut text, mut json) = match &status {
        None => ("Not found".to_string(), json!({ "signature": signature.to_string(), "confirmationStatus": null })),
        Some(status) => {
            let level = status.confirmation_status.map(|c| c.as_str()).unwrap_or("processed");
            let text = match &status.err {
                Some(err) => format!("Transaction failed: {err}"),
                None => capitalized(level),
            };
            (
                text,
                json!({ "signature": signature.to_string(), "slot": status.slot, "confirmationStatus": level,
                        "err": status.err.as_ref().map(|e| e.0.clone()) }),
            )
        }
    };
    if verbose && status.is_some() {
        if let Some(tx) = client.get_transaction(&signature)? {
            let keys = tx.account_keys();
            let meta = tx.meta.unwrap_or_default();
            let version = tx.transaction.version();
            let _ = write!(text, "\n\nSlot: {}\nVersion: {version}\nFee: {} SOL", tx.slot, sol(meta.fee));
            if let Some(units) = meta.compute_units_consumed {
                let _ = write!(text, "\nCompute Units Consumed: {units}");
            }
            // The message's own keys, then (v0) what its lookups loaded.
            let loaded = meta.loaded_addresses.clone().unwrap_or_default();
            let statics = tx.transaction.message.static_account_keys().len();
            let _ = write!(text, "\nAccounts:");
            for (i, key) in keys.iter().enumerate() {
                let from_table = match i.checked_sub(statics) {
                    None => "",
                    Some(j) if j < loaded.writable.len() => " (from a lookup table, writable)",
                    Some(_) => " (from a lookup table, read-only)",
                };
                let _ = write!(text, "\n  {key}{from_table}");
            }
            let _ = write!(text, "\nLog Messages:");
            for line in &meta.logs {
                let _ = write!(text, "\n  {line}");
            }
            json["version"] = version_json(version);
            json["fee"] = json!(meta.fee);
            json["computeUnitsConsumed"] = json!(meta.compute_units_consumed);
            json["accounts"] = json!(keys.iter().map(ToString::to_string).collect::<Vec<_>>());
            let list = |keys: &[Pubkey]| keys.iter().map(ToString::to_string).collect::<Vec<_>>();
            json["loadedAddresses"] = json!({ "writable": list(&loaded.writable), "readonly": list(&loaded.readonly) });
            json["logs"] = json!(meta.logs);
        }
    }
    Ok(Output::new(text, json))
}

/// A transaction's version as Solana's RPC writes it: `"legacy"` or `0`.
fn version_json(version: TransactionVersion) -> Value {
    match version {
        TransactionVersion::Legacy => json!("legacy"),
        TransactionVersion::V0 => json!(0),
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

pub fn slot(context: &Context) -> Result<Output, CliError> {
    let slot = context.client()?.get_slot()?;
    Ok(Output::new(slot.to_string(), json!({ "slot": slot })))
}

pub fn block(context: &Context, slot: u64) -> Result<Output, CliError> {
    let block = context.client()?.get_block(slot)?;
    let mut text = format!(
        "Slot: {}\nParent Slot: {}\nBlockhash: {}\nPrevious Blockhash: {}\nBlock Time: {}\nTransactions: {}",
        block.slot,
        block.parent_slot,
        block.blockhash,
        block.previous_blockhash,
        block.block_time.map(|t| t.to_string()).unwrap_or_else(|| "unknown".into()),
        block.transactions.len()
    );
    let mut transactions = Vec::new();
    for entry in &block.transactions {
        let signature = entry.transaction.signature().map(|s| s.to_string()).unwrap_or_default();
        let err = entry.meta.as_ref().and_then(|m| m.err.clone());
        let fee = entry.meta.as_ref().map(|m| m.fee).unwrap_or(0);
        let status = err.as_ref().map(|e| format!("Error: {e}")).unwrap_or_else(|| "Ok".into());
        let _ = write!(text, "\n  {signature}  {status}  fee {} SOL", sol(fee));
        let version = version_json(entry.transaction.version());
        transactions.push(json!({ "signature": signature, "err": err.map(|e| e.0), "fee": fee, "version": version }));
    }
    Ok(Output::new(
        text,
        json!({ "slot": block.slot, "parentSlot": block.parent_slot, "blockhash": block.blockhash.to_string(),
                "previousBlockhash": block.previous_blockhash.to_string(), "blockTime": block.block_time,
                "blockHeight": block.block_height, "transactions": transactions }),
    ))
}

/// Stream `logsSubscribe` to stdout: until Ctrl-C, or `limit` transactions.
pub fn logs(context: &Context, address: Option<&str>, limit: Option<usize>) -> Result<(), CliError> {
    let filter = match address {
        Some(text) => LogsFilter::Mentions(parse_address(text)?),
        None => LogsFilter::All,
    };
    let client = context.client()?;
    let mut subscription = client.logs_subscribe(filter)?;
    let mut stdout = std::io::stdout().lock();
    if !context.json() {
        let mentioning = address.map(|a| format!(" mentioning {a}")).unwrap_or_default();
        let _ = writeln!(
            stdout,
            "Streaming transaction logs{mentioning}. {} commitment",
            capitalized(client.commitment().as_str())
        );
    }
    let _ = stdout.flush();
    let mut seen = 0;
    while limit.is_none_or(|limit| seen < limit) {
        let notification = match subscription.recv_timeout(Duration::from_secs(3600)) {
            Ok(notification) => notification,
            Err(ClientError::Timeout { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        seen += 1;
        let written = if context.json() {
            writeln!(stdout, "{}", logs_json(&notification))
        } else {
            writeln!(stdout, "{}", logs_text(&notification))
        };
        // A closed stdout (`lanes logs | head`) ends the stream quietly.
        if written.and_then(|()| stdout.flush()).is_err() {
            break;
        }
    }
    Ok(())
}

fn logs_text(n: &LogsNotification) -> String {
    let status = n.err.as_ref().map(|e| format!("Error: {e}")).unwrap_or_else(|| "Ok".into());
    let mut text = format!(
        "Transaction executed in slot {}:\n  Signature: {}\n  Status: {status}\n  Log Messages:",
        n.slot, n.signature
    );
    for line in &n.logs {
        let _ = write!(text, "\n    {line}");
    }
    text
}

fn logs_json(n: &LogsNotification) -> Value {
    json!({ "slot": n.slot, "signature": n.signature.to_string(), "err": n.err.as_ref().map(|e| e.0.clone()),
            "logs": n.logs })
}

pub fn config(
    context: &Context,
    command: ConfigCommand,
    config_flag: Option<&std::path::Path>,
) -> Result<Output, CliError> {
    let settings = &context.settings;
    match command {
        ConfigCommand::Get => {
            let path = settings.config_path.as_ref().map(|p| p.display().to_string());
            let keypair = settings.keypair_path.as_ref().map(|p| p.display().to_string());
            Ok(Output::new(
                format!(
                    "Config File: {}\nRPC URL: {}\nWebSocket URL: {}\nKeypair Path: {}\nCommitment: {}",
                    path.as_deref().unwrap_or("(none)"),
                    settings.url,
                    settings
                        .ws_url
                        .clone()
                        .unwrap_or_else(|| lanes_client::websocket_url(&settings.url).unwrap_or_default()),
                    keypair.as_deref().unwrap_or("(none)"),
                    settings.commitment.as_deref().unwrap_or("confirmed"),
                ),
                json!({ "configFile": path, "jsonRpcUrl": settings.url, "websocketUrl": settings.ws_url,
                        "keypairPath": keypair, "commitment": settings.commitment }),
            ))
        }
        ConfigCommand::Set { url, keypair } => {
            let path = match config_flag {
                Some(path) => path.to_path_buf(),
                None => config::lanes_config_path()?,
            };
            let mut file = if path.exists() { ConfigFile::read(&path)? } else { ConfigFile::default() };
            if let Some(url) = url {
                let url = lanes_client::expand_moniker(&url);
                lanes_client::http::check_http_url(&url)?;
                file.json_rpc_url = Some(url);
            }
            if let Some(keypair) = keypair {
                file.keypair_path = Some(std::path::absolute(&keypair).unwrap_or(keypair).display().to_string());
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| CliError::new(format!("cannot create {}: {e}", dir.display())))?;
            }
            std::fs::write(&path, file.to_yaml())
                .map_err(|e| CliError::new(format!("cannot write {}: {e}", path.display())))?;
            Ok(Output::new(
                format!("Config File: {}\n{}", path.display(), file.to_yaml().trim_start_matches("---\n").trim_end()),
                json!({ "configFile": path.display().to_string(), "jsonRpcUrl": file.json_rpc_url,
                        "keypairPath": file.keypair_path }),
            ))
        }
    }
}
