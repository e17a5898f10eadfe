//! Lanes' parallelism methods: `lanesGetSlotLanes` (which worker ran each
//! transaction of a slot, when, and what it waited on) and
//! `lanesGetContention` (the accounts that serialized a slot range, ranked),
//! both computed from the ledger's record by [`lanes_runtime::contention`]
//! (the ledger keeps each transaction's worker and timing).
//!
//! Never: hold the bank's lock while computing (they read the ledger only),
//! or answer for a slot that is not yet frozen.

use super::{invalid_params, RpcError};
use crate::node::history::{block_not_available, missing_block, stored_err};
use crate::node::ledger::TransactionRecord;
use crate::node::Node;
use lanes_runtime::contention::{profile_slot, AccountContention, ContentionReport, SlotProfile, TimedTransaction};
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::{compute_budget, Pubkey, Signature};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::str::FromStr;

/// Slots `lanesGetContention` covers by default (the newest ones).
pub const DEFAULT_CONTENTION_SLOTS: u64 = 150;
/// Widest slot range one `lanesGetContention` covers.
pub const MAX_CONTENTION_SLOTS: u64 = 5_000;
/// Accounts `lanesGetContention` ranks by default, and at most.
pub const DEFAULT_CONTENTION_ACCOUNTS: usize = 20;
pub const MAX_CONTENTION_ACCOUNTS: usize = 1_000;
/// Accounts `lanesGetSlotLanes` ranks by default (`contention`).
pub const DEFAULT_SLOT_CONTENTION_ACCOUNTS: usize = 10;
/// Signatures of the critical path `lanesGetSlotLanes` lists, at most.
pub const MAX_CRITICAL_PATH_SIGNATURES: usize = 64;

/// The method's answer, or `None` when `method` is not one of these.
pub(super) fn dispatch(node: &Node, method: &str, params: &[Value]) -> Option<Result<Value, RpcError>> {
    Some(match method {
        // Served serialized by the server (`slot_lanes_json`); here for completeness.
        "lanesGetSlotLanes" => slot_lanes_json(node, params).and_then(|text| {
            serde_json::from_str(&text).map_err(|e| RpcError {
                code: -32603,
                message: format!("Internal error: {e}"),
                data: None,
            })
        }),
        "lanesGetContention" => get_contention(node, params),
        _ => return None,
    })
}

/// A recorded transaction, decoded, with what the profiler needs.
struct ProfiledRecord {
    transaction: VersionedTransaction,
    timed: TimedTransaction,
}

fn profiled(slot: u64, record: &TransactionRecord) -> Result<ProfiledRecord, RpcError> {
    let transaction = record.transaction().ok_or_else(|| RpcError {
        code: -32603,
        message: format!("Internal error: a transaction of slot {slot} in the ledger does not decode"),
        data: None,
    })?;
    let timed = TimedTransaction::new(
        &transaction.message,
        &record.loaded_addresses,
        record.worker,
        record.started_ns,
        record.ended_ns,
    );
    Ok(ProfiledRecord { transaction, timed })
}

/// A frozen slot's recorded transactions, profiled.
fn profile_recorded(
    node: &Node,
    slot: u64,
) -> Result<(Vec<TransactionRecord>, Vec<ProfiledRecord>, SlotProfile), RpcError> {
    let records = node.ledger.block_transactions(slot)?;
    let profiled = records.iter().map(|r| profiled(slot, r)).collect::<Result<Vec<_>, _>>()?;
    let timed: Vec<TimedTransaction> = profiled.iter().map(|p| p.timed.clone()).collect();
    let profile = profile_slot(&timed);
    Ok((records, profiled, profile))
}

/// The program a transaction is "about": its first instruction's program
/// other than the compute budget's.
fn main_program(transaction: &VersionedTransaction) -> Option<Pubkey> {
    let keys = transaction.message.static_account_keys();
    let instructions = transaction.message.instructions();
    let program =
        |ix: &lanes_sdk::instruction::CompiledInstruction| keys.get(usize::from(ix.program_id_index)).copied();
    instructions
        .iter()
        .filter_map(program)
        .find(|p| *p != compute_budget::ID)
        .or_else(|| instructions.first().and_then(program))
}

/// `lanesGetSlotLanes(slot)`: see docs/rpc.md.
/// Base58 names, each key and signature encoded once an answer: a slot
/// names the same accounts many times, and encoding was most of an
/// answer's cost.
#[derive(Default)]
struct Names(HashMap<Pubkey, String>);

impl Names {
    fn add(&mut self, key: &Pubkey) {
        self.0.entry(*key).or_insert_with(|| key.to_string());
    }

    fn of(&self, key: &Pubkey) -> &str {
        self.0.get(key).map_or("", String::as_str)
    }
}

/// Keys serialized as their base58 names, without a list of their own.
struct KeyNames<'a>(&'a [Pubkey], &'a Names);

impl Serialize for KeyNames<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|k| self.1.of(k)))
    }
}

/// One transaction of `lanesGetSlotLanes`' answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Lane<'a> {
    signature: &'a str,
    worker: u32,
    start_ns: u64,
    end_ns: u64,
    program: Option<&'a str>,
    compute_units: u64,
    fee: u64,
    err: Option<Value>,
    writable: KeyNames<'a>,
    readonly: KeyNames<'a>,
    waited_on: Option<WaitedOn<'a>>,
}

#[derive(Serialize)]
struct WaitedOn<'a> {
    account: &'a str,
    signature: &'a str,
    ns: u64,
}

#[derive(Serialize)]
struct CriticalPath<'a> {
    ns: u64,
    transactions: usize,
    signatures: Vec<&'a str>,
}

/// `lanesGetSlotLanes`' answer, in the order docs/rpc.md lists it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SlotLanes<'a> {
    slot: u64,
    block_time: i64,
    workers: u32,
    wall_ns: u64,
    busy_ns: u64,
    parallelism: f64,
    critical_path: CriticalPath<'a>,
    contention: Vec<Value>,
    transactions: Vec<Lane<'a>>,
}

/// `lanesGetSlotLanes(slot, {signature?, contention?})`, serialized: see
/// docs/rpc.md. It writes its JSON directly (no `Value` tree): a slot of
/// tens of thousands of transactions is the largest answer the node gives,
/// and the explorer asks for it while the node is under load.
pub(super) fn slot_lanes_json(node: &Node, params: &[Value]) -> Result<String, RpcError> {
    let slot =
        params.first().and_then(Value::as_u64).ok_or_else(|| invalid_params("Invalid params: expected a slot"))?;
    let config = match params.get(1) {
        None | Some(Value::Null) => None,
        Some(config @ Value::Object(_)) => Some(config),
        Some(_) => return Err(invalid_params("Invalid params: expected a config object")),
    };
    let only = match config.and_then(|c| c.get("signature")) {
        None | Some(Value::Null) => None,
        Some(text) => Some(
            text.as_str()
                .and_then(|t| Signature::from_str(t).ok())
                .ok_or_else(|| invalid_params("Invalid param: signature"))?,
        ),
    };
    let contention_limit =
        match config.and_then(|c| c.get("contention")) {
            None | Some(Value::Null) => DEFAULT_SLOT_CONTENTION_ACCOUNTS,
            Some(limit) => limit.as_u64().filter(|l| *l as usize <= MAX_CONTENTION_ACCOUNTS).ok_or_else(|| {
                invalid_params(format!("Invalid param: contention must be 0..={MAX_CONTENTION_ACCOUNTS}"))
            })? as usize,
        };
    if slot > node.frozen_slot() {
        return Err(block_not_available(slot));
    }
    let Some(record) = node.ledger.slot(slot)? else {
        return Err(missing_block(node, slot)?);
    };
    let (records, profiled, profile) =
        if record.transaction_count > 0 { profile_recorded(node, slot)? } else { Default::default() };
    let signatures: Vec<Signature> =
        profiled.iter().map(|p| p.transaction.signatures.first().copied().unwrap_or_default()).collect();
    // What the answer names: the listed transactions, those they waited on,
    // and the critical path's.
    let listed: Vec<usize> = (0..records.len()).filter(|&i| only.is_none_or(|s| s == signatures[i])).collect();
    let mut named_signatures: HashMap<usize, String> = HashMap::new();
    let mut names = Names::default();
    let critical: Vec<usize> = profile.critical_path.iter().take(MAX_CRITICAL_PATH_SIGNATURES).copied().collect();
    for &i in &listed {
        let p = &profiled[i];
        p.timed.writable.iter().chain(&p.timed.readonly).for_each(|k| names.add(k));
        if let Some(program) = main_program(&p.transaction) {
            names.add(&program);
        }
        if let Some(wait) = &profile.waits[i] {
            names.add(&wait.account);
            named_signatures.entry(wait.behind).or_insert_with(|| signatures[wait.behind].to_string());
        }
        named_signatures.entry(i).or_insert_with(|| signatures[i].to_string());
    }
    for &i in &critical {
        named_signatures.entry(i).or_insert_with(|| signatures[i].to_string());
    }
    let programs: Vec<Option<Pubkey>> = listed.iter().map(|&i| main_program(&profiled[i].transaction)).collect();
    let signature_name = |i: usize| named_signatures.get(&i).map_or("", String::as_str);
    let transactions: Vec<Lane<'_>> = listed
        .iter()
        .zip(&programs)
        .map(|(&i, program)| {
            let (record, p) = (&records[i], &profiled[i]);
            Lane {
                signature: signature_name(i),
                worker: p.timed.worker,
                start_ns: p.timed.started_ns,
                end_ns: p.timed.ended_ns,
                program: program.as_ref().map(|k| names.of(k)),
                compute_units: record.compute_units,
                fee: record.fee,
                err: stored_err(record.err.as_deref()),
                writable: KeyNames(&p.timed.writable, &names),
                readonly: KeyNames(&p.timed.readonly, &names),
                waited_on: profile.waits[i].map(|w| WaitedOn {
                    account: names.of(&w.account),
                    signature: signature_name(w.behind),
                    ns: w.ns,
                }),
            }
        })
        .collect();
    let answer = SlotLanes {
        slot,
        block_time: record.block_time,
        workers: profile.workers,
        wall_ns: profile.wall_ns,
        busy_ns: profile.busy_ns,
        parallelism: profile.parallelism(),
        critical_path: CriticalPath {
            ns: profile.critical_path_ns,
            transactions: profile.critical_path.len(),
            signatures: critical.iter().map(|&i| signature_name(i)).collect(),
        },
        contention: profile
            .accounts
            .iter()
            .take(contention_limit)
            .map(|a| account_contention_json(a, profile.wall_ns))
            .collect(),
        transactions,
    };
    serde_json::to_string(&answer).map_err(|e| RpcError {
        code: -32603,
        message: format!("Internal error: {e}"),
        data: None,
    })
}

/// One ranked account as JSON.
pub fn account_contention_json(account: &AccountContention, wall_ns: u64) -> Value {
    json!({
        "account": account.account.to_string(),
        "transactions": account.transactions,
        "writeLocked": account.write_locked,
        "readLocked": account.read_locked,
        "conflicts": account.conflicts,
        "waitNs": account.wait_ns,
        "meanWaitNs": account.wait_ns.checked_div(account.transactions).unwrap_or(0),
        "chainNs": account.chain_ns,
        "lostParallelism": account.lost_parallelism(wall_ns),
    })
}

/// A report's figures and its `limit` top accounts as JSON.
pub fn contention_report_json(report: &ContentionReport, limit: usize) -> Value {
    json!({
        "slots": report.slots,
        "transactions": report.transactions,
        "wallNs": report.wall_ns,
        "busyNs": report.busy_ns,
        "parallelism": report.parallelism(),
        "criticalPathNs": report.critical_path_ns,
        "accounts": report.ranked(limit).iter().map(|a| account_contention_json(a, report.wall_ns)).collect::<Vec<_>>(),
    })
}

/// `lanesGetContention({startSlot?, endSlot?, limit?})`: see docs/rpc.md.
fn get_contention(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let config = match params.first() {
        None | Some(Value::Null) => None,
        Some(config @ Value::Object(_)) => Some(config),
        Some(_) => return Err(invalid_params("Invalid params: expected a config object")),
    };
    let field = |name: &str| -> Result<Option<u64>, RpcError> {
        match config.and_then(|c| c.get(name)) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => {
                v.as_u64().map(Some).ok_or_else(|| invalid_params(format!("Invalid param: {name} must be a u64")))
            }
        }
    };
    let frozen = node.frozen_slot();
    let end = field("endSlot")?.unwrap_or(frozen).min(frozen);
    let start = field("startSlot")?.unwrap_or_else(|| end.saturating_sub(DEFAULT_CONTENTION_SLOTS - 1));
    if start > end {
        return Err(invalid_params(format!("Invalid param: startSlot {start} is after endSlot {end}")));
    }
    if end - start >= MAX_CONTENTION_SLOTS {
        return Err(invalid_params(format!(
            "Invalid param: slot range {start}..={end} is wider than {MAX_CONTENTION_SLOTS} slots"
        )));
    }
    let limit = field("limit")?.map_or(DEFAULT_CONTENTION_ACCOUNTS, |l| l as usize);
    if limit == 0 || limit > MAX_CONTENTION_ACCOUNTS {
        return Err(invalid_params(format!("Invalid param: limit must be 1..={MAX_CONTENTION_ACCOUNTS}")));
    }
    let mut report = ContentionReport::default();
    for record in node.ledger.slots_in(start, end, MAX_CONTENTION_SLOTS as usize)? {
        if record.transaction_count > 0 {
            let (_, _, profile) = profile_recorded(node, record.slot)?;
            report.add(&profile);
        }
    }
    let mut answer = contention_report_json(&report, limit);
    answer["startSlot"] = json!(start);
    answer["endSlot"] = json!(end);
    Ok(answer)
}
