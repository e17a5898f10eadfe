//! Solana's JSON-RPC over HTTP: `POST /` with one request or a batch, and
//! `GET /health`. Method names, parameters, results and error codes are
//! Solana's (see docs/rpc.md for what is supported and every deviation).
//!
//! Never: panic on a request, answer a u64 as a float, or lose a request's
//! `id` (echoed with its JSON type). A request that cannot be parsed gets
//! -32700, an unknown method -32601, bad parameters -32602 with Solana's
//! messages.

use super::Node;
use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use lanes_runtime::bank::{TransactionOutcome, SLOTS_PER_EPOCH};
use lanes_sdk::hash::Hash;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::message::Message;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, Account, Pubkey, Signature};
use serde_json::{json, Value};
use std::str::FromStr;
use std::sync::Arc;

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

/// Serve RPC on `listener` until `stop` fires, on a runtime of its own.
pub(super) fn spawn(
    node: Arc<Node>,
    listener: std::net::TcpListener,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    std::thread::Builder::new().name("lanes-rpc".into()).spawn(move || {
        runtime.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                tracing::error!("the RPC listener could not join the runtime");
                return;
            };
            let app = Router::new()
                .route("/", post(handle))
                .route("/health", get(|| async { "ok" }))
                .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST_BYTES))
                .with_state(node);
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stop.await;
            });
            if let Err(e) = served.await {
                tracing::error!("RPC stopped: {e}");
            }
        });
    })
}

async fn handle(axum::extract::State(node): axum::extract::State<Arc<Node>>, body: Bytes) -> impl IntoResponse {
    let response = match serde_json::from_slice::<Value>(&body) {
        Err(_) => error_response(Value::Null, -32700, "Parse error", None),
        Ok(Value::Array(requests)) if requests.is_empty() => {
            error_response(Value::Null, -32600, "Invalid request", None)
        }
        Ok(Value::Array(requests)) => {
            let node = node.clone();
            let answers = tokio::task::spawn_blocking(move || {
                requests.into_iter().map(|request| answer(&node, request)).collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            Value::Array(answers)
        }
        Ok(request) => {
            let node = node.clone();
            tokio::task::spawn_blocking(move || answer(&node, request))
                .await
                .unwrap_or_else(|_| error_response(Value::Null, -32603, "Internal error", None))
        }
    };
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], response.to_string())
}

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

fn error_response(id: Value, code: i64, message: &str, data: Option<Value>) -> Value {
    let mut error = json!({ "code": code, "message": message });
    if let Some(data) = data {
        error["data"] = data;
    }
    json!({ "jsonrpc": "2.0", "error": error, "id": id })
}

/// One request to one response object.
fn answer(node: &Node, request: Value) -> Value {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let (Some(method), true) =
        (request.get("method").and_then(Value::as_str), request.get("jsonrpc").and_then(Value::as_str) == Some("2.0"))
    else {
        return error_response(id, -32600, "Invalid request", None);
    };
    let params = match request.get("params") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(params)) => params.clone(),
        Some(_) => return error_response(id, -32602, "Invalid params: expected an array", None),
    };
    match dispatch(node, method, &params) {
        Ok(result) => json!({ "jsonrpc": "2.0", "result": result, "id": id }),
        Err(e) => error_response(id, e.code, &e.message, e.data),
    }
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
            "rpc": node.rpc_addr.to_string(),
            "pubsub": node.pubsub_addr.to_string(),
            "version": SOLANA_API_VERSION,
            "featureSet": 0,
            "shredVersion": 0,
        }])),
        // The deterministic clock: 400 ms a slot from genesis, whatever --slot-ms is.
        "getBlockTime" => {
            let slot = params.first().and_then(Value::as_u64).ok_or_else(|| invalid_params("Invalid params"))?;
            if slot > node.frozen_slot() {
                return Err(RpcError {
                    code: -32004,
                    message: format!("Block not available for slot {slot}"),
                    data: None,
                });
            }
            let bank = node.bank.read();
            let genesis = bank.config().genesis_unix_timestamp;
            Ok(json!(genesis + (slot as i64).saturating_mul(lanes_runtime::bank::MS_PER_SLOT) / 1000))
        }
        "getFirstAvailableBlock" | "minimumLedgerSlot" => Ok(json!(0)),
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
            "queueDropped": node.dropped.load(std::sync::atomic::Ordering::Relaxed),
            "deduplicated": node.deduplicated.load(std::sync::atomic::Ordering::Relaxed),
            "tpuReceived": node.tpu.received.load(std::sync::atomic::Ordering::Relaxed),
            "tpuGarbage": node.tpu.garbage.load(std::sync::atomic::Ordering::Relaxed),
            "tpuQueued": node.tpu.queued.load(std::sync::atomic::Ordering::Relaxed),
        })),
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
        "getFeeForMessage" => {
            let text = params.first().and_then(Value::as_str).ok_or_else(|| invalid_params("Invalid params"))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| invalid_params("Invalid param: invalid base64"))?;
            let message = Message::deserialize(&bytes).map_err(|e| invalid_params(format!("Invalid param: {e}")))?;
            let bank = node.bank.read();
            let fee = if bank.is_blockhash_valid(&message.recent_blockhash) {
                lanes_runtime::execution::compute_budget::ComputeBudget::from_message(&message)
                    .ok()
                    .map(|budget| lanes_runtime::execution::compute_budget::transaction_fee(&message, &budget))
            } else {
                None
            };
            Ok(context(bank.slot(), json!(fee)))
        }
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
            if !node.submit(tx) {
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
            let statuses = node.statuses.lock();
            let mut values = Vec::with_capacity(signatures.len());
            for signature in signatures {
                let signature = signature
                    .as_str()
                    .and_then(|s| Signature::from_str(s).ok())
                    .ok_or_else(|| invalid_params("Invalid param: Invalid"))?;
                values.push(match statuses.get(&signature) {
                    None => super::history::historical_status(node, &signature, search_history)?,
                    Some(recorded) => {
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
                    }
                });
            }
            Ok(context(frozen, Value::Array(values)))
        }
        "getProgramAccounts" => get_program_accounts(node, params),
        _ => super::history::dispatch(node, method, params)
            .unwrap_or_else(|| Err(RpcError { code: -32601, message: "Method not found".into(), data: None })),
    }
}

/// An account as Solana's RPC shows it, in the requested encoding.
pub(super) fn account_json(account: &Account, config: Option<&Value>) -> Result<Value, RpcError> {
    let encoding = config.and_then(|c| c.get("encoding")).and_then(Value::as_str).unwrap_or("binary");
    let mut data: &[u8] = &account.data;
    if let Some(slice) = config.and_then(|c| c.get("dataSlice")) {
        let offset = slice.get("offset").and_then(Value::as_u64).unwrap_or(0) as usize;
        let length = slice.get("length").and_then(Value::as_u64).unwrap_or(0) as usize;
        let start = offset.min(data.len());
        data = &data[start..start.saturating_add(length).min(data.len())];
    }
    let data = match encoding {
        "base64" | "jsonParsed" => json!([base64::engine::general_purpose::STANDARD.encode(data), "base64"]),
        "base64+zstd" => {
            let compressed = zstd::bulk::compress(data, 0).map_err(|e| RpcError {
                code: -32603,
                message: format!("Internal error: zstd: {e}"),
                data: None,
            })?;
            json!([base64::engine::general_purpose::STANDARD.encode(compressed), "base64+zstd"])
        }
        "base58" | "binary" => {
            if data.len() > 128 {
                return Err(invalid_params(
                    "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.",
                ));
            }
            let text = bs58::encode(data).into_string();
            if encoding == "binary" {
                json!(text)
            } else {
                json!([text, "base58"])
            }
        }
        other => return Err(invalid_params(format!("Invalid param: unsupported encoding {other}"))),
    };
    Ok(json!({
        "data": data,
        "executable": account.executable,
        "lamports": account.lamports,
        "owner": account.owner.to_string(),
        "rentEpoch": u64::MAX,
        "space": account.data.len(),
    }))
}

/// The transaction in `params[0]`, in the config's encoding (base58 by default).
fn decode_transaction(params: &[Value], config: Option<&Value>) -> Result<Transaction, RpcError> {
    let text = params.first().and_then(Value::as_str).ok_or_else(|| invalid_params("Invalid params"))?;
    let encoding = config.and_then(|c| c.get("encoding")).and_then(Value::as_str).unwrap_or("base58");
    let bytes = match encoding {
        "base58" => bs58::decode(text).into_vec().map_err(|_| invalid_params("invalid base58 encoding"))?,
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| invalid_params("invalid base64 encoding"))?,
        other => return Err(invalid_params(format!("Invalid param: unsupported encoding {other}"))),
    };
    if bytes.len() > lanes_sdk::message::PACKET_DATA_SIZE {
        return Err(invalid_params(format!(
            "base64 encoded solana_transaction::versioned::VersionedTransaction too large: {} bytes (max: encoded/raw {}/{})",
            text.len(),
            lanes_sdk::message::PACKET_DATA_SIZE * 4 / 3 + 4,
            lanes_sdk::message::PACKET_DATA_SIZE
        )));
    }
    Transaction::from_wire(&bytes).map_err(|e| invalid_params(format!("failed to deserialize transaction: {e}")))
}

fn send_transaction(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let config = config_param(params, 1);
    let tx = decode_transaction(params, config)?;
    let signature = tx.signature().copied().ok_or_else(|| invalid_params("transaction has no signature"))?;
    let skip_preflight = config.and_then(|c| c.get("skipPreflight")).and_then(Value::as_bool).unwrap_or(false);
    // As Agave: signatures are checked here only with preflight; skipped,
    // the slot's batch checks them (on every core) and refuses a bad one,
    // so a load that skips preflight pays for one verification, not two.
    if !skip_preflight {
        if !tx.verify() {
            return Err(RpcError {
                code: -32003,
                message: "Transaction signature verification failure".into(),
                data: None,
            });
        }
        let bank = node.bank.read();
        let outcome = match bank.check_age_and_status(&tx) {
            Err(err) => TransactionOutcome::refused(signature, err),
            Ok(()) => bank.simulate_transaction(&tx, false),
        };
        if let Err(err) = &outcome.result {
            return Err(RpcError {
                code: -32002,
                message: format!("Transaction simulation failed: {err}"),
                data: Some(simulation_json(&outcome, Value::Null, Value::Null)),
            });
        }
    }
    if !node.submit(tx) {
        return Err(RpcError { code: -32005, message: "Node is busy: transaction dropped".into(), data: None });
    }
    Ok(json!(signature.to_string()))
}

/// Most accounts one `simulateTransaction` may ask to see afterwards.
pub const MAX_SIMULATION_ACCOUNTS: usize = 256;

/// `simulateTransaction`: `sigVerify`, `replaceRecentBlockhash` (the two
/// exclude each other), `accounts` ({addresses, encoding}: each as the
/// transaction would leave it). A blockhash that is not recent, or a
/// signature already processed, is the result's `err` unless replaced.
fn simulate_transaction(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let config = config_param(params, 1);
    let mut tx = decode_transaction(params, config)?;
    let flag = |name: &str| config.and_then(|c| c.get(name)).and_then(Value::as_bool).unwrap_or(false);
    let (verify, replace) = (flag("sigVerify"), flag("replaceRecentBlockhash"));
    if verify && replace {
        return Err(invalid_params("sigVerify may not be used with replaceRecentBlockhash"));
    }
    let addresses = match config.and_then(|c| c.get("accounts")) {
        None | Some(Value::Null) => None,
        Some(accounts) => {
            let list =
                accounts.get("addresses").and_then(Value::as_array).ok_or_else(|| invalid_params("Invalid params"))?;
            if list.len() > MAX_SIMULATION_ACCOUNTS {
                return Err(invalid_params(format!("Too many accounts provided; max {MAX_SIMULATION_ACCOUNTS}")));
            }
            let keys: Result<Vec<Pubkey>, RpcError> = list
                .iter()
                .map(|k| {
                    k.as_str()
                        .and_then(|k| Pubkey::from_str(k).ok())
                        .ok_or_else(|| invalid_params("Invalid param: Invalid"))
                })
                .collect();
            Some((keys?, accounts))
        }
    };
    let bank = node.bank.read();
    let slot = bank.slot();
    check_min_context_slot(config, slot)?;
    let replacement = if replace {
        tx.message.recent_blockhash = bank.latest_blockhash();
        json!({ "blockhash": tx.message.recent_blockhash.to_string(), "lastValidBlockHeight": slot + BLOCKHASH_VALID_SLOTS })
    } else {
        Value::Null
    };
    let signature = tx.signature().copied().unwrap_or_default();
    let (outcome, written) = match bank.check_age_and_status(&tx) {
        Err(err) if !replace => (TransactionOutcome::refused(signature, err), Vec::new()),
        _ => bank.simulate_transaction_with_accounts(&tx, verify),
    };
    let accounts = match addresses {
        None => Value::Null,
        Some((keys, accounts_config)) => {
            let mut values = Vec::with_capacity(keys.len());
            for key in &keys {
                let account = match written.iter().find(|(k, _)| k == key) {
                    Some((_, account)) => Some(account.clone()),
                    None => bank.get_account(key),
                };
                values.push(match account.filter(|a| a.lamports > 0) {
                    Some(account) => account_json(&account, Some(accounts_config))?,
                    None => Value::Null,
                });
            }
            Value::Array(values)
        }
    };
    Ok(context(slot, simulation_json(&outcome, accounts, replacement)))
}

fn simulation_json(outcome: &TransactionOutcome, accounts: Value, replacement_blockhash: Value) -> Value {
    let return_data = outcome.return_data.as_ref().map(|(program, data)| {
        json!({ "programId": program.to_string(), "data": [base64::engine::general_purpose::STANDARD.encode(data), "base64"] })
    });
    json!({
        "err": outcome.result.as_ref().err().map(transaction_error_json),
        "logs": outcome.log_messages(),
        "accounts": accounts,
        "unitsConsumed": outcome.compute_units_consumed,
        "returnData": return_data,
        "innerInstructions": null,
        "replacementBlockhash": replacement_blockhash,
    })
}

/// A transaction error as Solana's RPC serializes it: a unit variant is its
/// name; `{"InstructionError":[index,{"Custom":n}]}` and the like otherwise.
pub fn transaction_error_json(err: &TransactionError) -> Value {
    match err {
        TransactionError::InstructionError(index, inner) => {
            let inner = match inner {
                InstructionError::Custom(code) => json!({ "Custom": code }),
                other => json!(format!("{other:?}")),
            };
            json!({ "InstructionError": [index, inner] })
        }
        TransactionError::DuplicateInstruction(index) => json!({ "DuplicateInstruction": index }),
        TransactionError::InsufficientFundsForRent { account_index } => {
            json!({ "InsufficientFundsForRent": { "account_index": account_index } })
        }
        other => json!(format!("{other:?}")),
    }
}

/// Most accounts one `getProgramAccounts` answers with: when more match, the
/// request fails with -32012 (Solana's scan error) rather than answer with a
/// part as if it were all; filters or a narrower program narrow it.
pub const MAX_PROGRAM_ACCOUNTS: usize = 50_000;
/// Most bytes of account data (after `dataSlice`) one `getProgramAccounts`
/// answers with, likewise -32012 beyond: `dataSlice` of length 0 lists keys.
pub const MAX_PROGRAM_ACCOUNTS_DATA_BYTES: usize = 64 << 20;

/// `getProgramAccounts`: `[programId, config?]`, config `commitment`,
/// `minContextSlot`, `withContext`, `encoding`, `dataSlice` and `filters`
/// (at most 4: `{"dataSize": n}`, `{"memcmp": {"offset", "bytes",
/// "encoding"}}`), as Agave's `get_program_accounts`: each match is
/// `{pubkey, account}`, sorted by key (Solana's `sortResults` default).
/// Like every read here it sees the newest committed state; `commitment`
/// picks the context slot. The scan reads the store without the bank's lock,
/// so a long scan never holds up the slot loop.
fn get_program_accounts(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    use lanes_runtime::bank::program_accounts::{ProgramAccountsQuery, MAX_FILTERS};
    let program = pubkey_param(params, 0)?;
    let config = config_param(params, 1);
    let filters = match config.and_then(|c| c.get("filters")) {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(filters)) => filters.as_slice(),
        Some(_) => return Err(invalid_params("Invalid params: invalid type: expected a sequence of filters")),
    };
    if filters.len() > MAX_FILTERS {
        return Err(invalid_params(format!("Too many filters provided; max {MAX_FILTERS}")));
    }
    let filters = filters.iter().map(program_accounts_filter).collect::<Result<Vec<_>, _>>()?;
    // The encoding is checked even when nothing matches.
    account_json(&Account::default(), config)?;
    let with_context = config.and_then(|c| c.get("withContext")).and_then(Value::as_bool).unwrap_or(false);
    let slot = slot_for(node, config);
    check_min_context_slot(config, slot)?;
    // As `account_json` reads it: the query cuts the data as it copies.
    let data_slice = config.and_then(|c| c.get("dataSlice")).map(|slice| {
        let field = |name| slice.get(name).and_then(Value::as_u64).unwrap_or(0) as usize;
        (field("offset"), field("length"))
    });
    let query = ProgramAccountsQuery {
        filters,
        data_slice,
        max_accounts: MAX_PROGRAM_ACCOUNTS,
        max_data_bytes: MAX_PROGRAM_ACCOUNTS_DATA_BYTES,
    };
    let store = node.bank.read().store().clone();
    let found = query.run(store.as_ref(), &program).map_err(|e| RpcError {
        code: -32012,
        message: format!("Scan aborted: {e}; narrow the query with filters or dataSlice"),
        data: None,
    })?;
    // Each account is encoded already cut, so without the slice; its
    // `space` is the whole data's length.
    let unsliced = config.map(|c| {
        let mut c = c.clone();
        if let Some(c) = c.as_object_mut() {
            c.remove("dataSlice");
        }
        c
    });
    let mut values = Vec::with_capacity(found.len());
    for item in &found {
        let mut account = account_json(&item.account, unsliced.as_ref())?;
        account["space"] = json!(item.data_len);
        values.push(json!({ "pubkey": item.pubkey.to_string(), "account": account }));
    }
    let value = Value::Array(values);
    Ok(if with_context { context(slot, value) } else { value })
}

/// One filter of `getProgramAccounts`, checked as Agave's
/// `RpcFilterType::verify` checks it (and with its -32602 messages): a
/// `memcmp` pattern of at most 128 bytes, given as base58 (the default, at
/// most 175 characters), base64 (at most 172) or an array of bytes.
pub(super) fn program_accounts_filter(
    filter: &Value,
) -> Result<lanes_runtime::bank::program_accounts::AccountFilter, RpcError> {
    use lanes_runtime::bank::program_accounts::{AccountFilter, MAX_MEMCMP_BYTES};
    const MAX_BASE58_CHARS: usize = 175;
    const MAX_BASE64_CHARS: usize = 172;
    let too_large = || invalid_params("Invalid param: DataTooLarge");
    let Some((kind, body)) = filter.as_object().filter(|f| f.len() == 1).and_then(|f| f.iter().next()) else {
        return Err(invalid_params("Invalid params: a filter is one of `dataSize`, `memcmp`"));
    };
    match kind.as_str() {
        "dataSize" => {
            let size = body.as_u64().ok_or_else(|| invalid_params("Invalid params: invalid type: expected u64"))?;
            Ok(AccountFilter::DataSize(size))
        }
        "memcmp" => {
            let offset = body
                .get("offset")
                .ok_or_else(|| invalid_params("Invalid params: missing field `offset`"))?
                .as_u64()
                .and_then(|offset| usize::try_from(offset).ok())
                .ok_or_else(|| invalid_params("Invalid params: invalid type: expected usize"))?;
            let encoding = body.get("encoding").and_then(Value::as_str);
            let bytes = match (body.get("bytes"), encoding) {
                (Some(Value::String(text)), None | Some("base58" | "binary")) => {
                    if text.len() > MAX_BASE58_CHARS {
                        return Err(too_large());
                    }
                    bs58::decode(text)
                        .into_vec()
                        .map_err(|e| invalid_params(format!("Invalid param: Base58DecodeError({e:?})")))?
                }
                (Some(Value::String(text)), Some("base64")) => {
                    if text.len() > MAX_BASE64_CHARS {
                        return Err(too_large());
                    }
                    base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .map_err(|e| invalid_params(format!("Invalid param: Base64DecodeError({e:?})")))?
                }
                (Some(Value::String(_)), Some(other)) => {
                    return Err(invalid_params(format!(
                        "Invalid params: unknown variant `{other}`, expected one of `base58`, `base64`"
                    )))
                }
                (Some(Value::Array(raw)), _) => {
                    if raw.len() > MAX_MEMCMP_BYTES {
                        return Err(too_large());
                    }
                    raw.iter()
                        .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                        .collect::<Option<Vec<u8>>>()
                        .ok_or_else(|| invalid_params("Invalid params: invalid type: expected u8"))?
                }
                (None, _) => return Err(invalid_params("Invalid params: missing field `bytes`")),
                (Some(_), _) => return Err(invalid_params("Invalid params: invalid type: expected a string")),
            };
            if bytes.len() > MAX_MEMCMP_BYTES {
                return Err(too_large());
            }
            Ok(AccountFilter::Memcmp { offset, bytes })
        }
        other => Err(invalid_params(format!(
            "Invalid params: unknown variant `{other}`, expected one of `dataSize`, `memcmp`"
        ))),
    }
}
