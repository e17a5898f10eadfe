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
use lanes_runtime::pubkey_hash::PubkeyMap;
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::{compute_budget, Pubkey, Signature};
use serde::Serialize;
use serde_json::{json, Value};
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

/// The method's answer, or `None` when `method` is not one of these
/// (`lanesGetSlotLanes` writes its own JSON: [`slot_lanes_json`], through
/// the server's `dispatch_serialized`).
pub(super) fn dispatch(node: &Node, method: &str, params: &[Value]) -> Option<Result<Value, RpcError>> {
    match method {
        "lanesGetContention" => Some(get_contention(node, params)),
        _ => None,
    }
}

/// A frozen slot's recorded transactions: the records, each decoded, and
/// each as the profiler sees it (index for index), with the slot's profile.
#[derive(Default)]
struct RecordedSlot {
    records: Vec<TransactionRecord>,
    transactions: Vec<VersionedTransaction>,
    timed: Vec<TimedTransaction>,
    profile: SlotProfile,
}

fn profile_recorded(node: &Node, slot: u64) -> Result<RecordedSlot, RpcError> {
    let records = node.ledger.block_transactions(slot)?;
    let mut transactions = Vec::with_capacity(records.len());
    let mut timed = Vec::with_capacity(records.len());
    for record in &records {
        let transaction = record.transaction().ok_or_else(|| RpcError {
            code: -32603,
            message: format!("Internal error: a transaction of slot {slot} in the ledger does not decode"),
            data: None,
        })?;
        timed.push(TimedTransaction::new(
            &transaction.message,
            &record.loaded_addresses,
            record.worker,
            record.started_ns,
            record.ended_ns,
        ));
        transactions.push(transaction);
    }
    let profile = profile_slot(&timed);
    Ok(RecordedSlot { records, transactions, timed, profile })
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

/// The accounts a `lanesGetSlotLanes` answer names, each once, in the
/// order first named: transactions refer to them by index. A slot names the
/// same accounts many times, and their base58 text was most of an answer's
/// size and cost.
#[derive(Default)]
struct AccountTable {
    index: PubkeyMap<u32>,
    keys: Vec<Pubkey>,
}

impl AccountTable {
    fn add(&mut self, key: &Pubkey) -> u32 {
        let next = self.keys.len() as u32;
        let index = *self.index.entry(*key).or_insert(next);
        if index == next {
            self.keys.push(*key);
        }
        index
    }

    fn of(&self, key: &Pubkey) -> u32 {
        self.index[key]
    }

    fn names(&self) -> Vec<String> {
        self.keys.iter().map(Pubkey::to_string).collect()
    }
}

/// Keys serialized as their indices in the answer's [`AccountTable`].
struct AccountIndices<'a>(&'a [Pubkey], &'a AccountTable);

impl Serialize for AccountIndices<'_> {
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
    program: Option<u32>,
    compute_units: u64,
    fee: u64,
    err: Option<Value>,
    writable: AccountIndices<'a>,
    readonly: AccountIndices<'a>,
    waited_on: Option<WaitedOn<'a>>,
}

#[derive(Serialize)]
struct WaitedOn<'a> {
    account: u32,
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
    accounts: Vec<String>,
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
    let RecordedSlot { records, transactions, timed, profile } =
        if record.transaction_count > 0 { profile_recorded(node, slot)? } else { Default::default() };
    let signatures: Vec<Signature> =
        transactions.iter().map(|t| t.signatures.first().copied().unwrap_or_default()).collect();
    // What the answer names: the listed transactions, those they waited on,
    // and the critical path's.
    let listed: Vec<usize> = (0..records.len()).filter(|&i| only.is_none_or(|s| s == signatures[i])).collect();
    // Base58 of the signatures the answer names, by transaction.
    let mut named_signatures: Vec<Option<String>> = vec![None; records.len()];
    let mut accounts = AccountTable::default();
    let critical: Vec<usize> = profile.critical_path.iter().take(MAX_CRITICAL_PATH_SIGNATURES).copied().collect();
    let programs: Vec<Option<Pubkey>> = listed.iter().map(|&i| main_program(&transactions[i])).collect();
    for (&i, program) in listed.iter().zip(&programs) {
        for key in timed[i].writable.iter().chain(&timed[i].readonly).chain(program) {
            accounts.add(key);
        }
        if let Some(wait) = &profile.waits[i] {
            accounts.add(&wait.account);
            named_signatures[wait.behind].get_or_insert_with(|| signatures[wait.behind].to_string());
        }
        named_signatures[i].get_or_insert_with(|| signatures[i].to_string());
    }
    for &i in &critical {
        named_signatures[i].get_or_insert_with(|| signatures[i].to_string());
    }
    let signature_name = |i: usize| named_signatures[i].as_deref().unwrap_or("");
    let transactions: Vec<Lane<'_>> = listed
        .iter()
        .zip(&programs)
        .map(|(&i, program)| {
            let (record, t) = (&records[i], &timed[i]);
            Lane {
                signature: signature_name(i),
                worker: t.worker,
                start_ns: t.started_ns,
                end_ns: t.ended_ns,
                program: program.as_ref().map(|k| accounts.of(k)),
                compute_units: record.compute_units,
                fee: record.fee,
                err: stored_err(record.err.as_deref()),
                writable: AccountIndices(&t.writable, &accounts),
                readonly: AccountIndices(&t.readonly, &accounts),
                waited_on: profile.waits[i].map(|w| WaitedOn {
                    account: accounts.of(&w.account),
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
        accounts: accounts.names(),
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
            let profile = profile_recorded(node, record.slot)?.profile;
            report.add(&profile);
        }
    }
    let mut answer = contention_report_json(&report, limit);
    answer["startSlot"] = json!(start);
    answer["endSlot"] = json!(end);
    Ok(answer)
}
