//! `lanesGetProgramStats`: what the explorer's program page shows — the
//! program's deployments and, over the newest durable slots, how often it
//! was called and the compute units each call used, read from the ledger's
//! structured log lines (an `invoke` is a call, at any depth; the
//! `consumed` line after it is that call's compute units, its own CPIs
//! included; builtins log none).
//!
//! Never: scan without a bound. At most [`MAX_SLOTS`] slots and
//! [`MAX_SCANNED_TRANSACTIONS`] transactions an answer, newest first; what
//! was left out is said (`truncated`, `range.first`).

use super::decode::decode;
use crate::node::ledger::{StoredLogLine, TransactionRecord};
use crate::node::rpc::{invalid_params, RpcError};
use crate::node::Node;
use lanes_sdk::loader::{self, LoaderInstruction};
use lanes_sdk::Pubkey;
use serde_json::{json, Value};
use std::str::FromStr;

/// Slots scanned when the request names no `slots`.
pub const DEFAULT_SLOTS: u64 = 150;
/// Most slots one answer scans.
pub const MAX_SLOTS: u64 = 5_000;
/// Most transactions one answer reads; older slots are left out past it.
pub const MAX_SCANNED_TRANSACTIONS: usize = 200_000;
/// Calls listed one by one (the newest).
pub const RECENT_CALLS: usize = 50;

#[derive(Default)]
struct SlotStats {
    slot: u64,
    calls: u64,
    compute_units: u64,
    failed: u64,
}

/// `lanesGetProgramStats [programId, {slots}]`.
pub(super) fn program_stats(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let text = params.first().and_then(Value::as_str).ok_or_else(|| invalid_params("Invalid params"))?;
    let program = Pubkey::from_str(text).map_err(|_| invalid_params("Invalid param: Invalid"))?;
    let slots = match params.get(1).and_then(|c| c.get("slots")) {
        None | Some(Value::Null) => DEFAULT_SLOTS,
        Some(n) => match n.as_u64() {
            Some(n) if (1..=MAX_SLOTS).contains(&n) => n,
            _ => return Err(invalid_params(format!("Invalid param: slots must be 1 to {MAX_SLOTS}"))),
        },
    };
    let account = node.bank.read().get_account(&program);
    let frozen = node.frozen_slot();
    let first = frozen.saturating_sub(slots - 1);
    let records = node.ledger.slots_in(first, frozen, slots as usize)?;

    let mut per_slot = Vec::new();
    let mut recent_calls = Vec::new();
    let mut deployments = Vec::new();
    let mut scanned = 0usize;
    let mut truncated = false;
    let mut scanned_from = frozen.saturating_add(1);
    for record in records.iter().rev() {
        if record.transaction_count > 0 {
            if scanned + record.transaction_count as usize > MAX_SCANNED_TRANSACTIONS {
                truncated = true;
                break;
            }
            scanned += record.transaction_count as usize;
            let transactions = node.ledger.block_transactions(record.slot)?;
            let mut stats = SlotStats { slot: record.slot, ..SlotStats::default() };
            for tx in transactions.iter().rev() {
                scan_transaction(&program, record.slot, tx, &mut stats, &mut recent_calls, &mut deployments);
            }
            if stats.calls > 0 {
                per_slot.push(stats);
            }
        }
        scanned_from = record.slot;
    }
    per_slot.reverse();

    // The deployment the program's header names, when the window missed it.
    let header = account.as_ref().and_then(decode).filter(|(p, kind, _)| *p == "loader" && *kind == "program");
    if let Some((_, _, fields)) = &header {
        let deployed = fields["deployedSlot"].as_u64().unwrap_or(0);
        if !deployments.iter().any(|d: &Value| d["slot"] == deployed) {
            let mut found = Vec::new();
            if deployed > 0 && deployed <= frozen {
                for tx in node.ledger.block_transactions(deployed)? {
                    loader_instructions(&program, deployed, &tx, &mut found);
                }
            }
            if found.is_empty() {
                let kind = if deployed == 0 { "genesis" } else { "deploy" };
                found.push(json!({ "slot": deployed, "signature": null, "instruction": kind }));
            }
            deployments.extend(found);
        }
    }
    deployments.sort_by_key(|d| std::cmp::Reverse(d["slot"].as_u64().unwrap_or(0)));

    let calls: u64 = per_slot.iter().map(|s| s.calls).sum();
    let compute_units: u64 = per_slot.iter().map(|s| s.compute_units).sum();
    let failed: u64 = per_slot.iter().map(|s| s.failed).sum();
    Ok(json!({
        "program": program.to_string(),
        "account": account.as_ref().map(|a| json!({
            "lamports": a.lamports,
            "owner": a.owner.to_string(),
            "executable": a.executable,
            "space": a.data.len(),
            "loader": header.as_ref().map(|(_, _, fields)| fields.clone()),
        })),
        "range": { "first": scanned_from.min(frozen), "last": frozen },
        "truncated": truncated,
        "scannedTransactions": scanned,
        "calls": calls,
        "computeUnits": compute_units,
        "failedTransactions": failed,
        "slots": per_slot.iter().map(|s| json!({
            "slot": s.slot,
            "calls": s.calls,
            "computeUnits": s.compute_units,
            "failedTransactions": s.failed,
        })).collect::<Vec<_>>(),
        "recentCalls": recent_calls,
        "deployments": deployments,
    }))
}

/// Count `program`'s calls in one transaction (newest first into `recent`).
fn scan_transaction(
    program: &Pubkey,
    slot: u64,
    tx: &TransactionRecord,
    stats: &mut SlotStats,
    recent: &mut Vec<Value>,
    deployments: &mut Vec<Value>,
) {
    let mut calls = Vec::new();
    let mut loader_called = false;
    for line in &tx.logs {
        match line {
            StoredLogLine::Invoke { program: p, depth } if p == &program.0 => calls.push((*depth, None)),
            StoredLogLine::Invoke { program: p, depth: 1 } if p == &loader::ID.0 => loader_called = true,
            StoredLogLine::Consumed { program: p, consumed, .. } if p == &program.0 => {
                // The innermost open call of this program is the one that ends.
                if let Some(call) = calls.iter_mut().rev().find(|(_, units)| units.is_none()) {
                    call.1 = Some(*consumed);
                }
            }
            _ => {}
        }
    }
    if loader_called {
        loader_instructions(program, slot, tx, deployments);
    }
    if calls.is_empty() {
        return;
    }
    stats.calls += calls.len() as u64;
    stats.compute_units += calls.iter().filter_map(|(_, units)| *units).sum::<u64>();
    if tx.err.is_some() {
        stats.failed += 1;
    }
    if recent.len() < RECENT_CALLS {
        let signature = tx.signature().map(|s| s.to_string());
        for (depth, units) in calls.into_iter().take(RECENT_CALLS - recent.len()) {
            recent.push(json!({
                "signature": signature,
                "slot": slot,
                "depth": depth,
                "computeUnits": units,
                "ok": tx.err.is_none(),
            }));
        }
    }
}

/// The loader's instructions in `tx` that name `program` as their first
/// account (deploy, upgrade, authority changes, close), if `tx` succeeded.
fn loader_instructions(program: &Pubkey, slot: u64, tx: &TransactionRecord, out: &mut Vec<Value>) {
    if tx.err.is_some() {
        return;
    }
    let Some(decoded) = tx.transaction() else { return };
    let keys = tx.account_keys(&decoded);
    for ix in decoded.message.instructions() {
        if keys.get(ix.program_id_index as usize) != Some(&loader::ID) {
            continue;
        }
        if ix.accounts.first().and_then(|&i| keys.get(i as usize)) != Some(program) {
            continue;
        }
        let kind = match borsh::from_slice::<LoaderInstruction>(&ix.data) {
            Ok(LoaderInstruction::Deploy) => "deploy",
            Ok(LoaderInstruction::Upgrade) => "upgrade",
            Ok(LoaderInstruction::SetAuthority { .. }) => "setAuthority",
            Ok(LoaderInstruction::Close) => "close",
            _ => continue,
        };
        out.push(json!({
            "slot": slot,
            "signature": tx.signature().map(|s| s.to_string()),
            "instruction": kind,
        }));
    }
}
