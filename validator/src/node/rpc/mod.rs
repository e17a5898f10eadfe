//! Solana's JSON-RPC over HTTP: `POST /` with one request or a batch, and
//! `GET /health`. Method names, parameters, results and error codes are
//! Solana's (see docs/rpc.md for what is supported and every deviation).
//!
//! Never: panic on a request, answer a u64 as a float, or lose a request's
//! `id` (echoed with its JSON type). A request that cannot be parsed gets
//! -32700, an unknown method -32601, bad parameters -32602 with Solana's
//! messages.

mod accounts;
mod controls;
pub mod parallelism;
mod server;
mod transactions;

pub(super) use accounts::{account_json, program_accounts_filter};
pub use accounts::{MAX_PROGRAM_ACCOUNTS, MAX_PROGRAM_ACCOUNTS_DATA_BYTES};
pub(super) use server::spawn;
pub(super) use transactions::loaded_addresses_json;
pub use transactions::{transaction_error_json, MAX_SIMULATION_ACCOUNTS};

use super::Node;
use accounts::get_program_accounts;
use base64::Engine as _;
use lanes_runtime::bank::SLOTS_PER_EPOCH;
use lanes_runtime::execution::compute_budget::{transaction_fee, ComputeBudget};
use lanes_runtime::ingest::sanitize::AddressLoader as _;
use lanes_sdk::hash::Hash;
use lanes_sdk::message::VersionedMessage;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{system_instruction, Pubkey, Signature};
use serde_json::{json, Value};
use std::str::FromStr;
use transactions::{send_transaction, simulate_transaction};

/// The Solana API level whose method shapes this node follows (what
/// `getVersion` reports as `solana-core`; Lanes' own version is beside it).
pub const SOLANA_API_VERSION: &str = "2.2.0";
/// Largest request body accepted.
pub const MAX_REQUEST_BYTES: usize = 10 * 1024 * 1024;
/// Blocks a blockhash stays valid for (Solana's).
pub const BLOCKHASH_VALID_SLOTS: u64 = 150;
/// Most signatures one `getSignatureStatuses` may ask about.
pub const MAX_SIGNATURE_STATUSES: usize = 256;
/// Most keys one `getMultipleAccounts` may ask about.
pub const MAX_MULTIPLE_ACCOUNTS: usize = 100;
/// Most leaders one `getSlotLeaders` may ask for (Solana's).
pub const MAX_SLOT_LEADERS: u64 = 5_000;

/// A JSON-RPC error: code, message and optional data.
#[derive(Debug)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

pub(super) fn invalid_params(message: impl Into<String>) -> RpcError {
    RpcError { code: -32602, message: message.into(), data: None }
}

/// Which slot a request's commitment reads at.
fn slot_for(node: &Node, config: Option<&Value>) -> u64 {
    match config.and_then(|c| c.get("commitment")).and_then(Value::as_str) {
        Some("processed") => node.bank.read().slot(),
        _ => node.frozen_slot(),
    }
}

fn context(slot: u64, value: Value) -> Value {
    json!({ "context": { "slot": slot, "apiVersion": SOLANA_API_VERSION }, "value": value })
}

/// `minContextSlot` above `slot` is -32016.
fn check_min_context_slot(config: Option<&Value>, slot: u64) -> Result<(), RpcError> {
    match config.and_then(|c| c.get("minContextSlot")).and_then(Value::as_u64) {
        Some(min) if min > slot => Err(RpcError {
            code: -32016,
            message: "Minimum context slot has not been reached".into(),
            data: Some(json!({ "contextSlot": slot })),
        }),
        _ => Ok(()),
    }
}

fn pubkey_param(params: &[Value], index: usize) -> Result<Pubkey, RpcError> {
    let text = params.get(index).and_then(Value::as_str).ok_or_else(|| invalid_params("Invalid params"))?;
    Pubkey::from_str(text).map_err(|_| invalid_params("Invalid param: Invalid"))
}

fn config_param(params: &[Value], index: usize) -> Option<&Value> {
    params.get(index).filter(|v| v.is_object())
}

/// `getFeeForMessage`: a base64 message, legacy or v0. As Agave, a v0
/// message's lookups must resolve (-32602 otherwise); the fee is `null`
/// for a blockhash that is not recent.
fn get_fee_for_message(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let text = params.first().and_then(Value::as_str).ok_or_else(|| invalid_params("Invalid params"))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| invalid_params("Invalid param: invalid base64"))?;
    let message = VersionedMessage::deserialize(&bytes).map_err(|e| invalid_params(format!("Invalid param: {e}")))?;
    let invalid_message = |e: &dyn std::fmt::Display| invalid_params(format!("invalid transaction message: {e}"));
    message.sanitize().map_err(|e| invalid_message(&e))?;
    let bank = node.bank.read();
    if let Some(lookups) = message.address_table_lookups().filter(|l| !l.is_empty()) {
        bank.load_addresses(lookups).map_err(|e| invalid_message(&e))?;
    }
    let fee = if bank.is_blockhash_valid(message.recent_blockhash()) {
        ComputeBudget::from_instructions(message.instructions(), message.static_account_keys())
            .ok()
            .map(|budget| transaction_fee(message.header(), &budget))
    } else {
        None
    };
    Ok(context(bank.slot(), json!(fee)))
}

/// Methods that serialize their own answer (large ones: no `Value` tree),
/// or `None` for every other method ([`dispatch`]'s).
fn dispatch_serialized(node: &Node, method: &str, params: &[Value]) -> Option<Result<String, RpcError>> {
    match method {
        "lanesGetSlotLanes" => Some(parallelism::slot_lanes_json(node, params)),
        _ => None,
    }
}

fn dispatch(node: &Node, method: &str, params: &[Value]) -> Result<Value, RpcError> {
    match method {
        "getHealth" => Ok(json!("ok")),
        "getVersion" => Ok(json!({
            "solana-core": SOLANA_API_VERSION,
            "feature-set": 0u32,
            "lanes": env!("CARGO_PKG_VERSION"),
        })),
        "getIdentity" => Ok(json!({ "identity": node.identity.pubkey().to_string() })),
        "getGenesisHash" => Ok(json!(node.genesis_hash.to_string())),
        "getSlot" | "getBlockHeight" => {
            let config = config_param(params, 0);
            let slot = slot_for(node, config);
            check_min_context_slot(config, slot)?;
            Ok(json!(slot))
        }
        "getTransactionCount" => Ok(json!(node.bank.read().transaction_count())),
        "getEpochSchedule" => Ok(json!({
            "slotsPerEpoch": SLOTS_PER_EPOCH,
            "leaderScheduleSlotOffset": SLOTS_PER_EPOCH,
            "warmup": false,
            "firstNormalEpoch": 0,
            "firstNormalSlot": 0,
        })),
        // One node: it leads every slot, and it is the whole cluster.
        "getSlotLeaders" => {
            let limit = params.get(1).and_then(Value::as_u64).ok_or_else(|| invalid_params("Invalid params"))?;
            if limit > MAX_SLOT_LEADERS {
                return Err(invalid_params(format!("Invalid limit; max {MAX_SLOT_LEADERS}")));
            }
            let identity = node.identity.pubkey().to_string();
            Ok(Value::Array(vec![json!(identity); limit as usize]))
        }
        "getSlotLeader" => Ok(json!(node.identity.pubkey().to_string())),
        // No stake, no votes: one node that leads every slot of every epoch.
        "getVoteAccounts" => Ok(json!({ "current": [], "delinquent": [] })),
        "getLeaderSchedule" => {
            let slot = match params.first() {
                Some(Value::Number(n)) => n.as_u64().ok_or_else(|| invalid_params("Invalid params"))?,
                _ => slot_for(node, config_param(params, 0).or_else(|| config_param(params, 1))),
            };
            if slot / SLOTS_PER_EPOCH > node.bank.read().slot() / SLOTS_PER_EPOCH + 1 {
                return Ok(Value::Null);
            }
            let identity = node.identity.pubkey().to_string();
            let wanted = config_param(params, 0).or_else(|| config_param(params, 1)).and_then(|c| c.get("identity"));
            if wanted.is_some_and(|w| w.as_str() != Some(identity.as_str())) {
                return Ok(json!({}));
            }
            let indexes: Vec<u64> = (0..SLOTS_PER_EPOCH).collect();
            Ok(json!({ identity: indexes }))
        }
        "getBlockProduction" => {
            let frozen = node.frozen_slot();
            let identity = node.identity.pubkey().to_string();
            let slots = frozen + 1;
            Ok(context(
                frozen,
                json!({ "byIdentity": { identity: [slots, slots] }, "range": { "firstSlot": 0, "lastSlot": frozen } }),
            ))
        }
        // Lanes has no priority fees: every recent slot's minimum is 0.
        "getRecentPrioritizationFees" => {
            let frozen = node.frozen_slot();
            let first = frozen.saturating_sub(149);
            Ok(Value::Array((first..=frozen).map(|slot| json!({ "slot": slot, "prioritizationFee": 0 })).collect()))
        }
        "getInflationGovernor" => Ok(json!({
            "initial": 0.0, "terminal": 0.0, "taper": 0.0, "foundation": 0.0, "foundationTerm": 0.0,
        })),
        "getInflationRate" => {
            let epoch = node.bank.read().slot() / SLOTS_PER_EPOCH;
            Ok(json!({ "total": 0.0, "validator": 0.0, "foundation": 0.0, "epoch": epoch }))
        }
        "getStakeMinimumDelegation" => Ok(context(node.frozen_slot(), json!(1))),
        "getMaxRetransmitSlot" | "getMaxShredInsertSlot" => Ok(json!(node.frozen_slot())),
        "getClusterNodes" => Ok(json!([{
            "pubkey": node.identity.pubkey().to_string(),
            "gossip": null,
            "tpu": node.tpu_addr.to_string(),
            "tpuQuic": null,
            "tpuForwards": null,
            "tpuForwardsQuic": null,
            "tpuVote": null,
            "tvu": null,
            "serveRepair": null,
            "rpc": node.rpc_addr.to_string(),
            "pubsub": node.pubsub_addr.to_string(),
            "version": SOLANA_API_VERSION,
            "featureSet": 0,
            "shredVersion": 0,
        }])),
        // The block's recorded time: the deterministic clock (400 ms a slot
        // from genesis, whatever --slot-ms is), moved by any lanesSetClock.
        "getBlockTime" => {
            let slot = params.first().and_then(Value::as_u64).ok_or_else(|| invalid_params("Invalid params"))?;
            if slot > node.frozen_slot() {
                return Err(RpcError {
                    code: -32004,
                    message: format!("Block not available for slot {slot}"),
                    data: None,
                });
            }
            match node.ledger.slot(slot)? {
                Some(record) => Ok(json!(record.block_time)),
                None => Err(super::history::missing_block(node, slot)?),
            }
        }
        // The oldest slot the ledger still holds (after pruning).
        "getFirstAvailableBlock" | "minimumLedgerSlot" => Ok(json!(node.ledger.first_slot()?.unwrap_or(0))),
        "getRecentPerformanceSamples" => {
            let limit = match params.first() {
                None | Some(Value::Null) => super::performance::MAX_SAMPLES,
                Some(limit) => match limit.as_u64() {
                    Some(n) if n <= super::performance::MAX_SAMPLES as u64 => n as usize,
                    _ => return Err(invalid_params(format!("Invalid limit; max {}", super::performance::MAX_SAMPLES))),
                },
            };
            let samples = node.performance.lock().recent(limit);
            Ok(Value::Array(
                samples
                    .iter()
                    .map(|s| {
                        json!({
                            "slot": s.slot,
                            "numSlots": s.num_slots,
                            "numTransactions": s.num_transactions,
                            "numNonVoteTransactions": s.num_transactions,
                            "samplePeriodSecs": s.sample_period_secs,
                        })
                    })
                    .collect(),
            ))
        }
        // Fees are burned: the supply is genesis's lamports less every fee.
        "getSupply" => {
            let config = config_param(params, 0);
            let slot = slot_for(node, config);
            let total = node.genesis_lamports.saturating_sub(node.bank.read().collected_fees());
            let value = json!({
                "total": total,
                "circulating": total,
                "nonCirculating": 0,
                "nonCirculatingAccounts": [],
            });
            Ok(context(slot, value))
        }
        // Lanes' own: what the node's ingest has seen since start.
        "lanesGetNodeStats" => Ok(json!({
            "slot": node.bank.read().slot(),
            "finalizedSlot": node.frozen_slot(),
            "transactionCount": node.bank.read().transaction_count(),
            "failedTransactionCount": node.failed_transactions.load(std::sync::atomic::Ordering::Relaxed),
            "pending": node.pending(),
            "queueDropped": node.dropped.load(std::sync::atomic::Ordering::Relaxed),
            "deduplicated": node.deduplicated.load(std::sync::atomic::Ordering::Relaxed),
            "tpuReceived": node.tpu.received.load(std::sync::atomic::Ordering::Relaxed),
            "tpuGarbage": node.tpu.garbage.load(std::sync::atomic::Ordering::Relaxed),
            "tpuQueued": node.tpu.queued.load(std::sync::atomic::Ordering::Relaxed),
        })),
        // Lanes' own: CPU seconds since start, by stage (node/cpu.rs).
        "lanesGetStageCpu" => serde_json::to_value(super::cpu::stage_cpu(&node.commit_cpu)).map_err(|e| RpcError {
            code: -32603,
            message: format!("Internal error: {e}"),
            data: None,
        }),
        "getEpochInfo" => {
            let slot = slot_for(node, config_param(params, 0));
            let slots_in_epoch = SLOTS_PER_EPOCH;
            Ok(json!({
                "absoluteSlot": slot,
                "blockHeight": slot,
                "epoch": slot / slots_in_epoch,
                "slotIndex": slot % slots_in_epoch,
                "slotsInEpoch": slots_in_epoch,
                "transactionCount": node.bank.read().transaction_count(),
            }))
        }
        "getLatestBlockhash" => {
            let config = config_param(params, 0);
            let bank = node.bank.read();
            let slot = bank.slot();
            check_min_context_slot(config, slot)?;
            let value = json!({
                "blockhash": bank.latest_blockhash().to_string(),
                "lastValidBlockHeight": slot + BLOCKHASH_VALID_SLOTS,
            });
            Ok(context(slot, value))
        }
        "isBlockhashValid" => {
            let text = params.first().and_then(Value::as_str).ok_or_else(|| invalid_params("Invalid params"))?;
            let hash = Hash::from_str(text).map_err(|_| invalid_params("Invalid param: Invalid hash"))?;
            let bank = node.bank.read();
            Ok(context(bank.slot(), json!(bank.is_blockhash_valid(&hash))))
        }
        "getBalance" => {
            let key = pubkey_param(params, 0)?;
            let config = config_param(params, 1);
            let slot = slot_for(node, config);
            check_min_context_slot(config, slot)?;
            let lamports = node.bank.read().get_account(&key).map(|a| a.lamports).unwrap_or(0);
            Ok(context(slot, json!(lamports)))
        }
        "getAccountInfo" => {
            let key = pubkey_param(params, 0)?;
            let config = config_param(params, 1);
            let slot = slot_for(node, config);
            check_min_context_slot(config, slot)?;
            let account = node.bank.read().get_account(&key);
            let value = match account {
                Some(account) => account_json(&account, config)?,
                None => Value::Null,
            };
            Ok(context(slot, value))
        }
        "getMultipleAccounts" => {
            let keys = params.first().and_then(Value::as_array).ok_or_else(|| invalid_params("Invalid params"))?;
            if keys.len() > MAX_MULTIPLE_ACCOUNTS {
                return Err(invalid_params(format!("Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}")));
            }
            let config = config_param(params, 1);
            let slot = slot_for(node, config);
            check_min_context_slot(config, slot)?;
            let bank = node.bank.read();
            let mut values = Vec::with_capacity(keys.len());
            for key in keys {
                let key = key
                    .as_str()
                    .and_then(|k| Pubkey::from_str(k).ok())
                    .ok_or_else(|| invalid_params("Invalid param: Invalid"))?;
                values.push(match bank.get_account(&key) {
                    Some(account) => account_json(&account, config)?,
                    None => Value::Null,
                });
            }
            Ok(context(slot, Value::Array(values)))
        }
        "getMinimumBalanceForRentExemption" => {
            let len = params.first().and_then(Value::as_u64).ok_or_else(|| invalid_params("Invalid params"))?;
            Ok(json!(lanes_sdk::rent::minimum_balance(len as usize)))
        }
        "getFeeForMessage" => get_fee_for_message(node, params),
        "requestAirdrop" => {
            let key = pubkey_param(params, 0)?;
            let lamports = params.get(1).and_then(Value::as_u64).ok_or_else(|| invalid_params("Invalid params"))?;
            let blockhash = node.bank.read().latest_blockhash();
            let transfer = system_instruction::transfer(&node.faucet.pubkey(), &key, lamports);
            let tx = Transaction::new_signed_with_payer(
                &[transfer],
                Some(&node.faucet.pubkey()),
                &[&node.faucet],
                blockhash,
            );
            let signature = tx.signature().copied().unwrap_or_default();
            if !node.submit(tx.into()) {
                return Err(RpcError { code: -32005, message: "Node is busy: airdrop dropped".into(), data: None });
            }
            Ok(json!(signature.to_string()))
        }
        "sendTransaction" => send_transaction(node, params),
        "simulateTransaction" => simulate_transaction(node, params),
        "getSignatureStatuses" => {
            let signatures =
                params.first().and_then(Value::as_array).ok_or_else(|| invalid_params("Invalid params"))?;
            if signatures.len() > MAX_SIGNATURE_STATUSES {
                return Err(invalid_params(format!("Too many inputs provided; max {MAX_SIGNATURE_STATUSES}")));
            }
            let search_history = config_param(params, 1)
                .and_then(|c| c.get("searchTransactionHistory"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let frozen = node.frozen_slot();
            let signatures = signatures
                .iter()
                .map(|s| s.as_str().and_then(|s| Signature::from_str(s).ok()))
                .collect::<Option<Vec<Signature>>>()
                .ok_or_else(|| invalid_params("Invalid param: Invalid"))?;
            // The recent statuses are read under their lock, the ledger
            // after it is released: the banking thread records every slot
            // under the same lock, and must not wait for history lookups.
            let recent: Vec<Option<Value>> = {
                let statuses = node.statuses.lock();
                signatures
                    .iter()
                    .map(|signature| {
                        statuses.get(signature).map(|recorded| {
                            let err = recorded.result.as_ref().err().map(transaction_error_json);
                            let status = super::history::status_json(err.as_ref());
                            let durable = recorded.slot <= frozen;
                            json!({
                                "slot": recorded.slot,
                                "confirmations": if durable { Value::Null } else { json!(0) },
                                "err": err,
                                "status": status,
                                "confirmationStatus": if durable { "finalized" } else { "processed" },
                            })
                        })
                    })
                    .collect()
            };
            let mut values = Vec::with_capacity(signatures.len());
            for (signature, recent) in signatures.iter().zip(recent) {
                values.push(match recent {
                    Some(value) => value,
                    None => super::history::historical_status(node, signature, search_history)?,
                });
            }
            Ok(context(frozen, Value::Array(values)))
        }
        "getProgramAccounts" => get_program_accounts(node, params),
        _ => super::history::dispatch(node, method, params)
            .or_else(|| controls::dispatch(node, method, params))
            .or_else(|| parallelism::dispatch(node, method, params))
            .or_else(|| super::explorer::dispatch(node, method, params))
            .unwrap_or_else(|| Err(RpcError { code: -32601, message: "Method not found".into(), data: None })),
    }
}
