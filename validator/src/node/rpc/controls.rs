//! Lanes' state and time controls over JSON-RPC: `lanesSetAccount`,
//! `lanesSetTokenBalance`, `lanesWarpToSlot`, `lanesSetClock`,
//! `lanesPauseSlots`, `lanesResumeSlots`, `lanesProduceSlot`,
//! `lanesSetBlockProduction`, and the read-only `lanesProfileTransaction`.
//! Each request is checked here (-32602 with a clear message), handed to
//! the banking thread ([`crate::node::controls`]) and waited for, bounded:
//! a state control answers with the slot that applied it once that slot is
//! durable. All are refused with [`CONTROLS_DISABLED`] when the node runs
//! with `--no-controls`. docs/rpc.md lists parameters, results and errors.
//!
//! Never: change the bank outside the banking thread's slot boundary, or
//! change state the ledger does not record (a replay must see it too);
//! panic on a request; wait without a bound.

use super::transactions::{decode_transaction, replace_blockhash, sanitize, transaction_error_json};
use super::{config_param, invalid_params, RpcError};
use crate::node::controls::{
    apply_account_update, token_mint, Applied, BlockProduction, ControlError, ControlOp, ControlReply, ControlRequest,
};
use crate::node::ledger::TransactionRecord;
use crate::node::Node;
use base64::Engine as _;
use lanes_client::AccountUpdate;
use lanes_runtime::bank::program_accounts::{AccountFilter, ProgramAccountsQuery};
use lanes_runtime::bank::{AccountChange, TransactionOutcome};
use lanes_runtime::transaction_context::LogLine;
use lanes_sdk::abi::MAX_PERMITTED_DATA_LENGTH;
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::{Account, Pubkey, Signature};
use lanes_token::state::{offsets, TokenAccount};
use serde_json::{json, Value};
use std::str::FromStr;
use std::time::Duration;

/// The error code of a control refused because the node runs with
/// `--no-controls` (in JSON-RPC's range for a server's own errors, clear of
/// Solana's -32001..-32019).
pub const CONTROLS_DISABLED: i64 = -32090;
/// The error code of a control the banking thread did not answer within
/// [`CONTROL_TIMEOUT`] (it may still be applied: look before retrying).
pub const CONTROL_TIMED_OUT: i64 = -32091;
/// How long a control waits for the banking thread (and, for a state
/// control, for its slot to be durable).
pub const CONTROL_TIMEOUT: Duration = Duration::from_secs(20);
/// The furthest slot a warp may go to: 2^53, what every JSON client reads
/// exactly (and far from where the clock's arithmetic would overflow).
pub const MAX_WARP_SLOT: u64 = 1 << 53;
/// Unix times a clock may be set to: ±2^53 s, what every JSON client
/// reads exactly (and far from the bank's saturation).
pub const MAX_UNIX_TIMESTAMP: i64 = 1 << 53;

const METHODS: &[&str] = &[
    "lanesSetAccount",
    "lanesSetTokenBalance",
    "lanesWarpToSlot",
    "lanesSetClock",
    "lanesPauseSlots",
    "lanesResumeSlots",
    "lanesProduceSlot",
    "lanesSetBlockProduction",
    "lanesProfileTransaction",
];

/// The control `method`'s answer, or `None` when `method` is not a control.
pub(super) fn dispatch(node: &Node, method: &str, params: &[Value]) -> Option<Result<Value, RpcError>> {
    if !METHODS.contains(&method) {
        return None;
    }
    if !node.controls_enabled {
        return Some(Err(RpcError {
            code: CONTROLS_DISABLED,
            message: format!("{method} is disabled: this node runs with --no-controls"),
            data: None,
        }));
    }
    Some(match method {
        "lanesSetAccount" => set_account(node, params),
        "lanesSetTokenBalance" => set_token_balance(node, params),
        "lanesWarpToSlot" => {
            let slot =
                params.first().and_then(Value::as_u64).ok_or_else(|| invalid_params("Invalid params: expected [slot]"));
            slot.and_then(|slot| {
                let current = node.bank.read().slot();
                if slot > MAX_WARP_SLOT {
                    return Err(invalid_params(format!("slot {slot} is past the furthest a warp goes, 2^53")));
                }
                if slot <= current {
                    return Err(invalid_params(format!(
                        "slot {slot} is not after the current slot {current}: a warp only goes forward"
                    )));
                }
                control(node, ControlOp::WarpTo { slot })
            })
        }
        "lanesSetClock" => match params.first().and_then(Value::as_i64) {
            Some(t) if (-MAX_UNIX_TIMESTAMP..=MAX_UNIX_TIMESTAMP).contains(&t) => {
                control(node, ControlOp::SetClock { unix_timestamp: t })
            }
            Some(t) => Err(invalid_params(format!("unix timestamp {t} is out of range (±2^53 seconds)"))),
            None => Err(invalid_params("Invalid params: expected [unixTimestamp] (an integer, seconds)")),
        },
        "lanesPauseSlots" => control(node, ControlOp::Pause),
        "lanesResumeSlots" => control(node, ControlOp::Resume),
        "lanesProduceSlot" => control(node, ControlOp::ProduceSlot),
        "lanesSetBlockProduction" => match params.first().and_then(Value::as_str) {
            Some("interval") => control(node, ControlOp::SetBlockProduction(BlockProduction::Interval)),
            Some("onArrival") => control(node, ControlOp::SetBlockProduction(BlockProduction::OnArrival)),
            _ => Err(invalid_params("Invalid params: expected [\"interval\" | \"onArrival\"]")),
        },
        _ => profile_transaction(node, params),
    })
}

/// Hand `op` to the banking thread and wait (bounded) for its answer.
fn control(node: &Node, op: ControlOp) -> Result<Value, RpcError> {
    let (reply, answer) = crossbeam_channel::bounded::<ControlReply>(1);
    if !node.submit_control(ControlRequest { op, reply }) {
        return Err(RpcError {
            code: -32005,
            message: "Node is busy: the control queue is full, or the node is stopping".into(),
            data: None,
        });
    }
    match answer.recv_timeout(CONTROL_TIMEOUT) {
        Ok(Ok(applied)) => Ok(applied_json(&applied)),
        Ok(Err(ControlError::Invalid(message))) => Err(invalid_params(message)),
        Ok(Err(ControlError::Failed(message))) => {
            Err(RpcError { code: -32603, message: format!("Internal error: {message}"), data: None })
        }
        Err(_) => Err(RpcError {
            code: CONTROL_TIMED_OUT,
            message: format!(
                "the banking thread did not answer within {} s; the control may still be applied",
                CONTROL_TIMEOUT.as_secs()
            ),
            data: None,
        }),
    }
}

fn applied_json(applied: &Applied) -> Value {
    match applied {
        Applied::Slot(slot) => json!({ "slot": slot }),
        Applied::Warp { from, to } => json!({ "slot": to, "warpedFrom": from }),
        Applied::TokenBalance { slot, token_account, created } => {
            json!({ "slot": slot, "tokenAccount": token_account.to_string(), "created": created })
        }
        Applied::Production { slot, paused, mode } => {
            json!({ "slot": slot, "paused": paused, "blockProduction": mode.rpc_name() })
        }
    }
}

fn key_param(params: &[Value], index: usize, what: &str) -> Result<Pubkey, RpcError> {
    let text = params
        .get(index)
        .and_then(Value::as_str)
        .ok_or_else(|| invalid_params(format!("Invalid params: expected {what} (base58)")))?;
    Pubkey::from_str(text)
        .map_err(|_| invalid_params(format!("Invalid param: {what} {text} is not a base58 public key")))
}

/// `lanesSetAccount [address, {lamports?, owner?, data?, executable?}]`.
fn set_account(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let key = key_param(params, 0, "address")?;
    let fields = config_param(params, 1)
        .ok_or_else(|| invalid_params("Invalid params: expected [address, {lamports, owner, data, executable}]"))?;
    let known = ["lamports", "owner", "data", "executable"];
    if let Some(unknown) = fields.as_object().into_iter().flat_map(|o| o.keys()).find(|k| !known.contains(&k.as_str()))
    {
        return Err(invalid_params(format!(
            "Invalid param: unknown field {unknown} (lamports, owner, data, executable)"
        )));
    }
    let field = |name: &str| fields.get(name).filter(|v| !v.is_null());
    let lamports = match field("lamports") {
        None => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| invalid_params("Invalid param: lamports must be a u64"))?),
    };
    let owner = match field("owner") {
        None => None,
        Some(v) => {
            let text = v.as_str().ok_or_else(|| invalid_params("Invalid param: owner must be a base58 string"))?;
            Some(
                Pubkey::from_str(text)
                    .map_err(|_| invalid_params(format!("Invalid param: owner {text} is not a base58 public key")))?,
            )
        }
    };
    let data = match field("data") {
        None => None,
        Some(v) => {
            // A base64 string, or Solana's [text, "base64"].
            let text = match v {
                Value::String(text) => Some(text.as_str()),
                Value::Array(parts) if parts.get(1).and_then(Value::as_str) == Some("base64") => parts[0].as_str(),
                _ => None,
            }
            .ok_or_else(|| invalid_params("Invalid param: data must be a base64 string"))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| invalid_params(format!("Invalid param: data is not base64: {e}")))?;
            if bytes.len() > MAX_PERMITTED_DATA_LENGTH {
                return Err(invalid_params(format!(
                    "Invalid param: data of {} bytes is over the {MAX_PERMITTED_DATA_LENGTH} an account may hold",
                    bytes.len()
                )));
            }
            Some(bytes)
        }
    };
    let executable = match field("executable") {
        None => None,
        Some(v) => Some(v.as_bool().ok_or_else(|| invalid_params("Invalid param: executable must be true or false"))?),
    };
    let patch = AccountUpdate { lamports, owner, data, executable };
    // Checked now against the account as it is (and again when applied).
    apply_account_update(&patch, node.bank.read().get_account(&key)).map_err(invalid_params)?;
    control(node, ControlOp::SetAccount { key, patch })
}

/// `lanesSetTokenBalance [owner, mint, amount, {tokenAccount?}]`.
fn set_token_balance(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let owner = key_param(params, 0, "owner")?;
    let mint = key_param(params, 1, "mint")?;
    let amount = match params.get(2) {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(text)) => text.parse::<u64>().ok(),
        _ => None,
    }
    .ok_or_else(|| {
        invalid_params("Invalid param: amount must be a u64 (a number or a decimal string, in the mint's base units)")
    })?;
    let given = match config_param(params, 3).and_then(|c| c.get("tokenAccount")).filter(|v| !v.is_null()) {
        None => None,
        Some(v) => {
            let text =
                v.as_str().ok_or_else(|| invalid_params("Invalid param: tokenAccount must be a base58 string"))?;
            Some(Pubkey::from_str(text).map_err(|_| {
                invalid_params(format!("Invalid param: tokenAccount {text} is not a base58 public key"))
            })?)
        }
    };
    let store = {
        let bank = node.bank.read();
        token_mint(&bank, &mint).map_err(invalid_params)?;
        bank.store().clone()
    };
    let token_account = match given {
        Some(key) => Some(key),
        None => {
            // The owner's account of the mint, if it has one (the first by address).
            let query = ProgramAccountsQuery {
                filters: vec![
                    AccountFilter::DataSize(TokenAccount::LEN as u64),
                    AccountFilter::Memcmp { offset: offsets::ACCOUNT_MINT, bytes: mint.0.to_vec() },
                    AccountFilter::Memcmp { offset: offsets::ACCOUNT_OWNER, bytes: owner.0.to_vec() },
                ],
                data_slice: Some((0, 0)),
                max_accounts: 10_000,
                ..Default::default()
            };
            let found = query.run(store.as_ref(), &lanes_token::ID).map_err(|e| RpcError {
                code: -32012,
                message: format!("scanning for the owner's token account: {e}"),
                data: None,
            })?;
            found.first().map(|a| a.pubkey)
        }
    };
    control(node, ControlOp::SetTokenBalance { owner, mint, amount, token_account })
}

/// One instruction or cross-program call in a profile.
struct CallNode {
    program: Pubkey,
    depth: usize,
    units: Option<u64>,
    result: Option<String>,
    logs: Vec<String>,
    calls: Vec<CallNode>,
}

impl CallNode {
    fn json(&self) -> Value {
        let children: u64 = self.calls.iter().filter_map(|c| c.units).sum();
        json!({
            "programId": self.program.to_string(),
            "depth": self.depth,
            "computeUnits": self.units,
            "ownComputeUnits": self.units.map(|u| u.saturating_sub(children)),
            "result": self.result,
            "logs": self.logs,
            "calls": self.calls.iter().map(CallNode::json).collect::<Vec<_>>(),
        })
    }
}

/// The tree of invocations the structured log lines describe: each
/// `invoke [depth]` opens a call under the one open at depth − 1, its
/// `consumed` line gives its units (a builtin logs none: `null`), its
/// `success` or `failed` line closes it; other lines are its logs.
fn call_tree(logs: &[LogLine]) -> Vec<CallNode> {
    let mut roots: Vec<CallNode> = Vec::new();
    // The open calls, outermost first.
    let mut open: Vec<CallNode> = Vec::new();
    fn close(open: &mut Vec<CallNode>, roots: &mut Vec<CallNode>) {
        if let Some(done) = open.pop() {
            match open.last_mut() {
                Some(parent) => parent.calls.push(done),
                None => roots.push(done),
            }
        }
    }
    for line in logs {
        match line {
            LogLine::Invoke { program, depth } => {
                while open.len() >= (*depth).max(1) {
                    close(&mut open, &mut roots);
                }
                open.push(CallNode {
                    program: *program,
                    depth: *depth,
                    units: None,
                    result: None,
                    logs: Vec::new(),
                    calls: Vec::new(),
                });
            }
            LogLine::Consumed { program, consumed, .. } => {
                if let Some(call) = open.last_mut().filter(|c| c.program == *program) {
                    call.units = Some(*consumed);
                }
            }
            LogLine::Success { program } => {
                if let Some(call) = open.last_mut().filter(|c| c.program == *program) {
                    call.result = Some("success".into());
                }
                close(&mut open, &mut roots);
            }
            LogLine::Text(text) => {
                let failed = open
                    .last()
                    .map(|c| format!("Program {} failed", c.program))
                    .is_some_and(|prefix| text.starts_with(&prefix));
                match open.last_mut() {
                    Some(call) if failed => {
                        call.result = Some(text.split_once(": ").map_or("failed", |(_, why)| why).to_string());
                        close(&mut open, &mut roots);
                    }
                    Some(call) => call.logs.push(text.clone()),
                    None => {}
                }
            }
        }
    }
    while !open.is_empty() {
        close(&mut open, &mut roots);
    }
    roots
}

/// An account's state in a profile: data as base64 (a program's code left out).
fn account_state(account: Option<&Account>) -> Value {
    match account.filter(|a| a.lamports > 0) {
        None => Value::Null,
        Some(account) => json!({
            "lamports": account.lamports,
            "owner": account.owner.to_string(),
            "executable": account.executable,
            "dataLength": account.data.len(),
            "data": if account.executable { Value::Null } else { json!(base64::engine::general_purpose::STANDARD.encode(&account.data)) },
        }),
    }
}

/// `lanesProfileTransaction [base64 transaction | signature, {sigVerify?, replaceRecentBlockhash?}]`.
fn profile_transaction(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let text = params
        .first()
        .and_then(Value::as_str)
        .ok_or_else(|| invalid_params("Invalid params: expected [base64 transaction | transaction signature]"))?;
    match Signature::from_str(text) {
        Ok(signature) => profile_landed(node, &signature),
        Err(_) => profile_simulated(node, params),
    }
}

fn profile_simulated(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let config = config_param(params, 1);
    let encoding = json!({ "encoding": "base64" });
    let mut tx: VersionedTransaction = decode_transaction(params, Some(&encoding))?;
    let flag = |name: &str| config.and_then(|c| c.get(name)).and_then(Value::as_bool).unwrap_or(false);
    let (verify, replace) = (flag("sigVerify"), flag("replaceRecentBlockhash"));
    if verify && replace {
        return Err(invalid_params("sigVerify may not be used with replaceRecentBlockhash"));
    }
    let bank = node.bank.read();
    let slot = bank.slot();
    let replacement = replace_blockhash(&bank, &mut tx, replace);
    let sanitized = sanitize(&bank, &tx)?;
    let loaded = sanitized.loaded_addresses().clone();
    let keys: Vec<Pubkey> =
        tx.message.static_account_keys().iter().chain(&loaded.writable).chain(&loaded.readonly).copied().collect();
    let before: Vec<Option<Account>> = keys.iter().map(|key| bank.get_account(key)).collect();
    let signature = *sanitized.signature();
    let (outcome, written) = match bank.check_age_and_status(&tx) {
        Err(err) if !replace => (TransactionOutcome::refused(signature, err), Vec::new()),
        _ => bank.simulate_transaction_with_accounts(tx.clone(), verify),
    };
    let accounts: Vec<Value> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let after = written.iter().find(|(k, _)| k == key).map(|(_, a)| a).or(before[i].as_ref());
            json!({
                "pubkey": key.to_string(),
                "signer": tx.message.is_signer(i),
                "writable": sanitized.is_writable(i),
                "before": account_state(before[i].as_ref()),
                "after": account_state(after),
            })
        })
        .collect();
    Ok(json!({
        "source": "simulation",
        "slot": slot,
        "signature": signature.to_string(),
        "err": outcome.result.as_ref().err().map(transaction_error_json),
        "fee": outcome.fee,
        "computeUnits": outcome.compute_units_consumed,
        "instructions": call_tree(&outcome.logs).iter().map(CallNode::json).collect::<Vec<_>>(),
        "accounts": accounts,
        "dataRecorded": true,
        "logs": outcome.log_messages(),
        "replacementBlockhash": replacement,
    }))
}

/// Why a landed transaction's profile has balances only.
const NOT_KEPT: &str = "the node no longer keeps this transaction's account data (it keeps the newest \
    --account-history transactions' in memory, not across a restart; 0 keeps none): the ledger records each \
    account's lamports before and after, not its owner or data; profile the transaction unsent (base64) for those";

fn profile_landed(node: &Node, signature: &Signature) -> Result<Value, RpcError> {
    let Some((slot, record)) = node.ledger.transaction(signature)? else {
        return Err(invalid_params(format!("transaction {signature} is not in the ledger (not landed, or pruned)")));
    };
    if slot > node.frozen_slot() {
        return Err(invalid_params(format!("transaction {signature} is not durable yet (slot {slot})")));
    }
    let tx = record.transaction().ok_or_else(|| RpcError {
        code: -32603,
        message: format!("Internal error: slot {slot}: a record does not decode"),
        data: None,
    })?;
    let history = node.account_history.lock();
    Ok(landed_json(slot, &record, &tx, history.get(signature)))
}

/// A landed transaction's profile; `changes`: its write-locked accounts
/// before and after, if the node still keeps them (`--account-history`).
fn landed_json(
    slot: u64,
    record: &TransactionRecord,
    tx: &VersionedTransaction,
    changes: Option<&[AccountChange]>,
) -> Value {
    let keys = record.account_keys(tx);
    let accounts: Vec<Value> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            // Kept: the whole state of each write-locked account; the
            // read-only ones did not change, and only their balance is recorded.
            let (before, after) = match changes.and_then(|c| c.iter().find(|c| c.key == *key)) {
                Some(change) => (account_state(Some(&change.before)), account_state(Some(&change.after))),
                None => (
                    json!({ "lamports": record.pre_balances.get(i) }),
                    json!({ "lamports": record.post_balances.get(i) }),
                ),
            };
            json!({
                "pubkey": key.to_string(),
                "signer": tx.message.is_signer(i),
                "writable": tx.message.is_writable_with(i, &record.loaded_addresses),
                "before": before,
                "after": after,
            })
        })
        .collect();
    let logs: Vec<LogLine> = record.logs.iter().map(LogLine::from).collect();
    json!({
        "source": "ledger",
        "slot": slot,
        "signature": record.signature().map(|s| s.to_string()),
        // Stored as Solana's JSON, as text.
        "err": record.err.as_deref().map(|e| serde_json::from_str::<Value>(e).unwrap_or_else(|_| json!(e))),
        "fee": record.fee,
        "computeUnits": record.compute_units,
        "worker": record.worker,
        "instructions": call_tree(&logs).iter().map(CallNode::json).collect::<Vec<_>>(),
        "accounts": accounts,
        "dataRecorded": changes.is_some(),
        "note": if changes.is_some() { Value::Null } else { json!(NOT_KEPT) },
        "logs": record.log_messages(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_tree_nests_cpis_and_counts_own_units() {
        let (a, b, c) =
            (Pubkey::new_unique_from_u64(1), Pubkey::new_unique_from_u64(2), Pubkey::new_unique_from_u64(3));
        let logs = vec![
            LogLine::Invoke { program: a, depth: 1 },
            LogLine::Text("Program log: hello".into()),
            LogLine::Invoke { program: b, depth: 2 },
            LogLine::Consumed { program: b, consumed: 300, limit: 1000 },
            LogLine::Success { program: b },
            LogLine::Consumed { program: a, consumed: 1000, limit: 200_000 },
            LogLine::Success { program: a },
            LogLine::Invoke { program: c, depth: 1 },
            LogLine::Text(format!("Program {c} failed: custom program error: 0x1")),
        ];
        let tree: Vec<Value> = call_tree(&logs).iter().map(CallNode::json).collect();
        assert_eq!(tree.len(), 2);
        assert_eq!(tree[0]["computeUnits"], 1000);
        assert_eq!(tree[0]["ownComputeUnits"], 700);
        assert_eq!(tree[0]["logs"], json!(["Program log: hello"]));
        assert_eq!(tree[0]["calls"][0]["programId"], b.to_string());
        assert_eq!(tree[0]["calls"][0]["depth"], 2);
        assert_eq!(tree[1]["computeUnits"], Value::Null);
        assert_eq!(tree[1]["result"], "custom program error: 0x1");
        // Lines out of any order never panic.
        let odd =
            vec![LogLine::Success { program: a }, LogLine::Invoke { program: a, depth: 7 }, LogLine::Text("x".into())];
        assert_eq!(call_tree(&odd).len(), 1);
    }
}
