//! `lanes program deploy|show|close`: WASM programs through Lanes' loader,
//! by way of [`lanes_client`]'s deploy (a buffer, its chunks written by
//! many transactions in flight at once, then `Deploy` or `Upgrade`), with
//! a progress bar on a terminal.
//!
//! Never: read the wallet or touch the node before the program file is
//! known to be WASM; draw a progress bar anywhere but a terminal's stderr.

use super::{ensure_funds, fee, parse_address, read_keypair, sol, CliError, Context, Decoded, Output, ProgramCommand};
use indicatif::{ProgressBar, ProgressStyle};
use lanes_sdk::client::Keypair;
use lanes_sdk::loader::{self, LoaderState, STATE_HEADER_LEN, WRITE_CHUNK_LEN};
use lanes_sdk::{Account, Pubkey};
use serde_json::{json, Value};
use std::path::Path;

pub fn run(context: &Context, command: ProgramCommand) -> Result<Output, CliError> {
    match command {
        ProgramCommand::Deploy { path, program_id } => deploy(context, &path, program_id.as_deref()),
        ProgramCommand::Show { program_id } => show(context, &parse_address(&program_id)?),
        ProgramCommand::Close { program_id, recipient } => {
            let program_id = parse_address(&program_id)?;
            let authority = context.keypair()?;
            let recipient = match recipient {
                Some(text) => parse_address(&text)?,
                None => authority.pubkey(),
            };
            let client = context.client()?;
            let (lamports, signature) = client.close_program(&authority, &program_id, &recipient)?;
            Ok(Output::new(
                format!("Closed Program Id {program_id}, {} SOL reclaimed\n\nSignature: {signature}", sol(lamports)),
                json!({ "programId": program_id.to_string(), "lamports": lamports,
                        "signature": signature.to_string() }),
            ))
        }
    }
}

/// The program to deploy to: a keypair file (new or existing program), or
/// the address of an existing one (upgrade only).
enum Target {
    Keypair(Keypair),
    Address(Pubkey),
}

fn deploy(context: &Context, path: &Path, program_id: Option<&str>) -> Result<Output, CliError> {
    let code = std::fs::read(path).map_err(|e| CliError::new(format!("cannot read {}: {e}", path.display())))?;
    lanes_client::check_wasm(&code).map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
    let target = match program_id {
        None => Target::Keypair(Keypair::new()),
        Some(text) if Path::new(text).is_file() => Target::Keypair(read_keypair(Path::new(text))?),
        Some(text) => Target::Address(parse_address(text)?),
    };
    let payer = context.keypair()?;
    let client = context.client()?;
    let id = match &target {
        Target::Keypair(k) => k.pubkey(),
        Target::Address(a) => *a,
    };
    // Funds for the buffer, the program account (new programs) and every
    // transaction's fee: checked before anything is spent.
    let upgrade = client.check_upgradable(&id, &payer.pubkey())?;
    let rent = client.get_minimum_balance_for_rent_exemption(STATE_HEADER_LEN + code.len())?;
    let writes = code.len().div_ceil(WRITE_CHUNK_LEN) as u64;
    let needed = rent * if upgrade { 1 } else { 2 } + fee(2) * 2 + fee(1) * writes;
    ensure_funds(&client, &payer.pubkey(), needed, &format!("deploying {} bytes", code.len()))?;

    let bar = ProgressBar::new(writes);
    if !context.json() {
        bar.set_style(
            ProgressStyle::with_template("{spinner} writing {msg} [{bar:30}] {pos}/{len} transactions")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(format!("{} bytes", code.len()));
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let deployed = match &target {
        Target::Keypair(program) => client.deploy_program(&payer, program, &code, &mut progress),
        Target::Address(id) => client.upgrade_program(&payer, id, &code, &mut progress),
    };
    bar.finish_and_clear();
    let deployed = deployed?;
    Ok(Output::new(
        format!("Program Id: {}\n\nSignature: {}", deployed.program_id, deployed.signature),
        json!({ "programId": deployed.program_id.to_string(), "signature": deployed.signature.to_string(),
                "upgraded": deployed.upgraded, "bytes": code.len() }),
    ))
}

fn show(context: &Context, program_id: &Pubkey) -> Result<Output, CliError> {
    let client = context.client()?;
    let account =
        client.get_account(program_id)?.ok_or_else(|| CliError::new(format!("program {program_id} not found")))?;
    let Some(decoded) = decode(&account) else {
        return Err(CliError::new(format!("{program_id} is not a program: an account owned by {}", account.owner)));
    };
    let mut text = format!("Program Id: {program_id}\nOwner: {}\nKind: {}", account.owner, decoded.kind);
    if !decoded.fields.is_empty() {
        text.push('\n');
        text.push_str(&decoded.text(""));
    }
    text.push_str(&format!("\nBalance: {} SOL", sol(account.lamports)));
    let mut json = json!({ "programId": program_id.to_string(), "owner": account.owner.to_string(),
                           "kind": decoded.kind, "lamports": account.lamports });
    if let Some(map) = json.as_object_mut() {
        map.extend(decoded.json());
    }
    Ok(Output::new(text, json))
}

/// A loader account's state, for `program show` and `account`.
pub fn decode(account: &Account) -> Option<Decoded> {
    if account.owner != loader::ID {
        return None;
    }
    Some(match LoaderState::read(&account.data)? {
        LoaderState::Program { authority, code_hash, deployed_slot, code_len } => Decoded {
            kind: "Program",
            fields: vec![
                ("Authority", "authority", authority.map(|a| json!(a.to_string())).unwrap_or(Value::Null)),
                ("Last Deployed In Slot", "lastDeployedSlot", json!(deployed_slot)),
                ("Code Hash", "codeHash", json!(code_hash.to_string())),
                ("Data Length", "dataLen", json!(code_len)),
            ],
        },
        LoaderState::Buffer { authority } => Decoded {
            kind: "Buffer",
            fields: vec![
                ("Authority", "authority", json!(authority.to_string())),
                ("Data Length", "dataLen", json!(account.data.len().saturating_sub(STATE_HEADER_LEN))),
            ],
        },
        LoaderState::Closed => Decoded { kind: "Closed program", fields: Vec::new() },
        LoaderState::Uninitialized => Decoded { kind: "Uninitialized loader account", fields: Vec::new() },
    })
}
