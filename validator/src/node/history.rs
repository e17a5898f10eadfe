//! The RPC methods served from the ledger: `getTransaction`,
//! `getSignaturesForAddress`, `getBlock`, `getBlocks`, `getBlocksWithLimit`,
//! and the history half of `getSignatureStatuses`. Shapes are Solana's
//! `json`, `jsonParsed` (system instructions parsed, others partially
//! decoded, as Agave does for programs it has no parser for), `base64` and
//! `base58` encodings.
//!
//! Versions as Agave answers them: a v0 transaction is shown only to a
//! client that said it reads v0 (`maxSupportedTransactionVersion`: 0),
//! -32015 otherwise; with the parameter every transaction carries
//! `version` (`"legacy"` or `0`), without it none does. A v0 transaction's
//! loaded addresses come from its record — what its lookups resolved to
//! when it ran — never from the tables as they are now.
//!
//! Never: answer from a slot that is not durable (history is `confirmed`
//! or `finalized`, which on one node are the same), or panic on a record
//! (a corrupt one is an internal error, -32603).

use super::ledger::{LedgerError, SlotRecord, TransactionRecord};
use super::rpc::{invalid_params, RpcError};
use super::Node;
use base64::Engine as _;
use lanes_sdk::hash::Hash;
use lanes_sdk::message::v0::{LoadedAddresses, MessageAddressTableLookup};
use lanes_sdk::message::{TransactionVersion, VersionedMessage};
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::{Pubkey, Signature};
use serde_json::{json, Value};
use std::str::FromStr;

/// Most signatures one `getSignaturesForAddress` returns (Solana's).
pub const MAX_SIGNATURES_FOR_ADDRESS: usize = 1_000;
/// Widest slot range `getBlocks` and `getBlocksWithLimit` cover (Solana's).
pub const MAX_GET_BLOCKS_RANGE: u64 = 500_000;

impl From<LedgerError> for RpcError {
    fn from(e: LedgerError) -> Self {
        RpcError { code: -32603, message: format!("Internal error: {e}"), data: None }
    }
}

/// The ledger-backed method `method`, or `None` if it is not one.
pub(super) fn dispatch(node: &Node, method: &str, params: &[Value]) -> Option<Result<Value, RpcError>> {
    Some(match method {
        "getTransaction" => get_transaction(node, params),
        "getSignaturesForAddress" => get_signatures_for_address(node, params),
        "getBlock" => get_block(node, params),
        "getBlocks" => get_blocks(node, params, false),
        "getBlocksWithLimit" => get_blocks(node, params, true),
        _ => return None,
    })
}

fn config(params: &[Value], index: usize) -> Option<&Value> {
    params.get(index).filter(|v| v.is_object())
}

/// The second parameter of `getTransaction` and `getBlock`: a config
/// object, or (an old form) the encoding alone.
fn config_or_encoding(params: &[Value]) -> Option<Value> {
    match params.get(1) {
        Some(Value::String(encoding)) => Some(json!({ "encoding": encoding })),
        _ => config(params, 1).cloned(),
    }
}

/// History is durable: `processed` is refused as Solana refuses it.
fn check_commitment(config: Option<&Value>) -> Result<(), RpcError> {
    match config.and_then(|c| c.get("commitment")).and_then(Value::as_str) {
        Some("processed") => Err(invalid_params("Method does not support commitment below `confirmed`")),
        _ => Ok(()),
    }
}

/// `maxSupportedTransactionVersion`: the newest message version the client
/// reads, `None` when not given (such a client reads legacy only).
fn max_supported_version(config: Option<&Value>) -> Result<Option<u8>, RpcError> {
    match config.and_then(|c| c.get("maxSupportedTransactionVersion")) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value.as_u64().and_then(|v| u8::try_from(v).ok()).map(Some).ok_or_else(|| {
            invalid_params(format!(
                "Invalid param: maxSupportedTransactionVersion must be a version number, not {value}"
            ))
        }),
    }
}

/// Agave's -32015 for a transaction of `version` shown to a client that
/// did not say it reads it.
fn unsupported_version(version: u8) -> RpcError {
    RpcError {
        code: -32015,
        message: format!(
            "Transaction version ({version}) is not supported by the requesting client. Please try the request \
             again with the following configuration parameter: \"maxSupportedTransactionVersion\": {version}"
        ),
        data: None,
    }
}

/// The `version` field of a transaction of `version` (Agave's
/// `validate_version`): none for a legacy one to a client that gave no
/// maximum; `"legacy"` or the number when it gave one; -32015 for a
/// version above the client's maximum (or any but legacy without one).
fn version_field(max: Option<u8>, version: TransactionVersion) -> Result<Option<Value>, RpcError> {
    let number = match version {
        TransactionVersion::Legacy => return Ok(max.map(|_| json!("legacy"))),
        TransactionVersion::V0 => 0u8,
    };
    match max {
        Some(max) if number <= max => Ok(Some(json!(number))),
        _ => Err(unsupported_version(number)),
    }
}

fn encoding(config: Option<&Value>) -> Result<&str, RpcError> {
    match config.and_then(|c| c.get("encoding")).and_then(Value::as_str).unwrap_or("json") {
        "json" => Ok("json"),
        "jsonParsed" => Ok("jsonParsed"),
        "base64" => Ok("base64"),
        "base58" => Ok("base58"),
        other => Err(invalid_params(format!("Invalid param: unsupported encoding {other}"))),
    }
}

fn get_transaction(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let text = params.first().and_then(Value::as_str).ok_or_else(|| invalid_params("Invalid params"))?;
    let signature = Signature::from_str(text).map_err(|_| invalid_params("Invalid param: Invalid"))?;
    let config = config_or_encoding(params);
    let config = config.as_ref();
    check_commitment(config)?;
    let encoding = encoding(config)?;
    let max_version = max_supported_version(config)?;
    let Some((slot, record)) = node.ledger.transaction(&signature)? else {
        return Ok(Value::Null);
    };
    if slot > node.frozen_slot() {
        return Ok(Value::Null);
    }
    let tx = decoded(&record)?;
    let version = version_field(max_version, tx.version())?;
    let block_time = node.ledger.slot(slot)?.map(|s| s.block_time);
    let mut value = json!({
        "slot": slot,
        "transaction": transaction_json(&record, &tx, encoding),
        "meta": meta_json(&record, MetaDetail::Full { parsed: encoding == "jsonParsed", rewards: true }),
        "blockTime": block_time,
    });
    if let Some(version) = version {
        value["version"] = version;
    }
    Ok(value)
}

fn decoded(record: &TransactionRecord) -> Result<VersionedTransaction, RpcError> {
    record.transaction().ok_or_else(|| RpcError {
        code: -32603,
        message: "Internal error: a recorded transaction does not decode".into(),
        data: None,
    })
}

/// The transaction in `encoding`: Solana's `UiTransaction` for `json`
/// (`UiRawMessage`) and `jsonParsed` (`UiParsedMessage`), `[data,
/// encoding]` for the binary ones. A v0 message carries its
/// `addressTableLookups`; a legacy one has no such key, as Agave's.
fn transaction_json(record: &TransactionRecord, tx: &VersionedTransaction, encoding: &str) -> Value {
    match encoding {
        "base64" => return json!([base64::engine::general_purpose::STANDARD.encode(&record.wire), "base64"]),
        "base58" => return json!([bs58::encode(&record.wire).into_string(), "base58"]),
        "jsonParsed" => return parsed_transaction_json(tx, &record.loaded_addresses),
        _ => {}
    }
    let message = &tx.message;
    let instructions: Vec<Value> = message
        .instructions()
        .iter()
        .map(|ix| {
            json!({
                "programIdIndex": ix.program_id_index,
                "accounts": ix.accounts,
                "data": bs58::encode(&ix.data).into_string(),
                "stackHeight": null,
            })
        })
        .collect();
    let header = message.header();
    let mut raw = json!({
        "accountKeys": message.static_account_keys().iter().map(ToString::to_string).collect::<Vec<_>>(),
        "header": {
            "numRequiredSignatures": header.num_required_signatures,
            "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
            "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
        },
        "recentBlockhash": message.recent_blockhash().to_string(),
        "instructions": instructions,
    });
    if let Some(lookups) = message.address_table_lookups() {
        raw["addressTableLookups"] = lookups_json(lookups);
    }
    json!({
        "signatures": tx.signatures.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "message": raw,
    })
}

/// Solana's `UiAddressTableLookup`s.
fn lookups_json(lookups: &[MessageAddressTableLookup]) -> Value {
    lookups
        .iter()
        .map(|lookup| {
            json!({
                "accountKey": lookup.account_key.to_string(),
                "writableIndexes": lookup.writable_indexes,
                "readonlyIndexes": lookup.readonly_indexes,
            })
        })
        .collect()
}

/// A stored error (Solana's JSON, as text) as JSON again.
pub(super) fn stored_err(err: Option<&str>) -> Option<Value> {
    err.map(|e| serde_json::from_str::<Value>(e).unwrap_or_else(|_| json!(e)))
}

/// Solana's `status` beside `err`: `{"Ok": null}` or `{"Err": err}`.
pub(super) fn status_json(err: Option<&Value>) -> Value {
    match err {
        None => json!({ "Ok": null }),
        Some(e) => json!({ "Err": e }),
    }
}

/// A message's keys as `jsonParsed` and `accounts` details show them
/// (Agave's `parse_legacy_message_accounts` / `parse_v0_message_accounts`):
/// static keys (`source: "transaction"`), then a v0 message's loaded ones,
/// writable then read-only (`source: "lookupTable"`), each with whether it
/// signs and whether it is write-locked.
fn account_keys_json(tx: &VersionedTransaction, loaded: &LoadedAddresses) -> Vec<Value> {
    let key = |pubkey: &Pubkey, signer: bool, writable: bool, source: &str| json!({ "pubkey": pubkey.to_string(), "signer": signer, "writable": writable, "source": source });
    match &tx.message {
        VersionedMessage::Legacy(message) => message
            .account_keys
            .iter()
            .enumerate()
            .map(|(i, pubkey)| key(pubkey, message.is_signer(i), message.is_writable(i), "transaction"))
            .collect(),
        VersionedMessage::V0(message) => message
            .account_keys_with(loaded)
            .enumerate()
            .map(|(i, pubkey)| {
                let source = if i < message.account_keys.len() { "transaction" } else { "lookupTable" };
                key(pubkey, message.is_signer(i), message.is_writable_with(i, loaded), source)
            })
            .collect(),
    }
}

/// The `jsonParsed` transaction: account keys with their flags and source,
/// system instructions parsed, every other instruction partially decoded
/// (instruction accounts named through the loaded keys too), and a v0
/// message's lookups.
fn parsed_transaction_json(tx: &VersionedTransaction, loaded: &LoadedAddresses) -> Value {
    let message = &tx.message;
    let all_keys: Vec<Pubkey> =
        message.static_account_keys().iter().chain(&loaded.writable).chain(&loaded.readonly).copied().collect();
    let key = |index: &u8| all_keys.get(*index as usize).map(ToString::to_string).unwrap_or_default();
    let instructions: Vec<Value> = message
        .instructions()
        .iter()
        .map(|ix| {
            let program = all_keys.get(ix.program_id_index as usize).copied().unwrap_or_default();
            let accounts: Vec<String> = ix.accounts.iter().map(key).collect();
            match (program == lanes_sdk::system_program::ID).then(|| parse_system(&ix.data, &accounts)).flatten() {
                Some(parsed) => json!({
                    "program": "system",
                    "programId": program.to_string(),
                    "parsed": parsed,
                    "stackHeight": null,
                }),
                None => json!({
                    "programId": program.to_string(),
                    "accounts": accounts,
                    "data": bs58::encode(&ix.data).into_string(),
                    "stackHeight": null,
                }),
            }
        })
        .collect();
    let mut parsed = json!({
        "accountKeys": account_keys_json(tx, loaded),
        "recentBlockhash": message.recent_blockhash().to_string(),
        "instructions": instructions,
    });
    if let Some(lookups) = message.address_table_lookups() {
        parsed["addressTableLookups"] = lookups_json(lookups);
    }
    json!({
        "signatures": tx.signatures.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "message": parsed,
    })
}

/// A system instruction as Agave's parser shows it (`{type, info}`), for
/// the instructions a client reads back most and the durable nonce ones;
/// `None` for the others (and for too few accounts).
fn parse_system(data: &[u8], accounts: &[String]) -> Option<Value> {
    let tag = u32::from_le_bytes(data.get(..4)?.try_into().ok()?);
    let u64_at = |at: usize| data.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes);
    let key_at =
        |at: usize| data.get(at..at + 32).and_then(|b| <[u8; 32]>::try_from(b).ok()).map(|k| Pubkey(k).to_string());
    let account = |i: usize| accounts.get(i).cloned();
    let (kind, info) = match (tag, data.len()) {
        (0, 52) => (
            "createAccount",
            json!({ "source": account(0)?, "newAccount": account(1)?, "lamports": u64_at(4)?,
                    "space": u64_at(12)?, "owner": key_at(20)? }),
        ),
        (1, 36) => ("assign", json!({ "account": account(0)?, "owner": key_at(4)? })),
        (2, 12) => ("transfer", json!({ "source": account(0)?, "destination": account(1)?, "lamports": u64_at(4)? })),
        (4, 4) => (
            "advanceNonce",
            json!({ "nonceAccount": account(0)?, "recentBlockhashesSysvar": account(1)?,
                    "nonceAuthority": account(2)? }),
        ),
        (5, 12) => (
            "withdrawFromNonce",
            json!({ "nonceAccount": account(0)?, "destination": account(1)?, "recentBlockhashesSysvar": account(2)?,
                    "rentSysvar": account(3)?, "nonceAuthority": account(4)?, "lamports": u64_at(4)? }),
        ),
        (6, 36) => (
            "initializeNonce",
            json!({ "nonceAccount": account(0)?, "recentBlockhashesSysvar": account(1)?,
                    "rentSysvar": account(2)?, "nonceAuthority": key_at(4)? }),
        ),
        (7, 36) => (
            "authorizeNonce",
            json!({ "nonceAccount": account(0)?, "nonceAuthority": account(1)?, "newAuthorized": key_at(4)? }),
        ),
        (8, 12) => ("allocate", json!({ "account": account(0)?, "space": u64_at(4)? })),
        (12, 4) => ("upgradeNonce", json!({ "nonceAccount": account(0)? })),
        _ => return None,
    };
    Some(json!({ "type": kind, "info": info }))
}

/// How much of a transaction's meta a response carries, as Agave decides it.
#[derive(Clone, Copy)]
enum MetaDetail {
    /// `getTransaction` and `getBlock` with full details. `parsed`
    /// (jsonParsed): no `loadedAddresses` (the parsed account keys carry
    /// them). `rewards: false` (getBlock only): `rewards` is null.
    Full { parsed: bool, rewards: bool },
    /// `getBlock` with `transactionDetails: "accounts"`: balances and
    /// status only, `rewards` only when asked for.
    Accounts { rewards: bool },
}

/// Solana's `UiTransactionStatusMeta` (no inner-instruction or token
/// balance recording yet: those lists are empty).
fn meta_json(record: &TransactionRecord, detail: MetaDetail) -> Value {
    let err = stored_err(record.err.as_deref());
    let status = status_json(err.as_ref());
    let mut meta = json!({
        "err": err,
        "status": status,
        "fee": record.fee,
        "preBalances": record.pre_balances,
        "postBalances": record.post_balances,
        "preTokenBalances": [],
        "postTokenBalances": [],
    });
    match detail {
        MetaDetail::Accounts { rewards } => {
            if rewards {
                meta["rewards"] = json!([]);
            }
            return meta;
        }
        MetaDetail::Full { parsed, rewards } => {
            meta["rewards"] = if rewards { json!([]) } else { Value::Null };
            if !parsed {
                meta["loadedAddresses"] = super::rpc::loaded_addresses_json(&record.loaded_addresses);
            }
        }
    }
    meta["innerInstructions"] = json!([]);
    meta["logMessages"] = json!(record.log_messages());
    meta["computeUnitsConsumed"] = json!(record.compute_units);
    if let Some((program, data)) = &record.return_data {
        meta["returnData"] = json!({
            "programId": Pubkey(*program).to_string(),
            "data": [base64::engine::general_purpose::STANDARD.encode(data), "base64"],
        });
    }
    meta
}

fn signature_param(config: Option<&Value>, name: &str) -> Result<Option<Signature>, RpcError> {
    match config.and_then(|c| c.get(name)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            Signature::from_str(text).map(Some).map_err(|_| invalid_params("Invalid param: Invalid"))
        }
        Some(_) => Err(invalid_params(format!("Invalid param: {name} must be a signature string"))),
    }
}

fn get_signatures_for_address(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let text = params.first().and_then(Value::as_str).ok_or_else(|| invalid_params("Invalid params"))?;
    let address = Pubkey::from_str(text).map_err(|_| invalid_params("Invalid param: Invalid"))?;
    let config = config(params, 1);
    check_commitment(config)?;
    let limit = match config.and_then(|c| c.get("limit")) {
        None | Some(Value::Null) => MAX_SIGNATURES_FOR_ADDRESS,
        Some(limit) => match limit.as_u64() {
            Some(n @ 1..=1_000) => n as usize,
            _ => return Err(invalid_params(format!("Invalid limit; max {MAX_SIGNATURES_FOR_ADDRESS}"))),
        },
    };
    let before = signature_param(config, "before")?;
    let until = signature_param(config, "until")?;
    let frozen = node.frozen_slot();
    let found = node.ledger.signatures_for_address(&address, before.as_ref(), until.as_ref(), limit)?;
    let mut out = Vec::with_capacity(found.len());
    let mut block_times: std::collections::HashMap<u64, Option<i64>> = Default::default();
    for entry in found.into_iter().filter(|e| e.slot <= frozen) {
        let block_time = match block_times.get(&entry.slot) {
            Some(time) => *time,
            None => {
                let time = node.ledger.slot(entry.slot)?.map(|s| s.block_time);
                block_times.insert(entry.slot, time);
                time
            }
        };
        let err = stored_err(entry.err.as_deref());
        out.push(json!({
            "signature": entry.signature.to_string(),
            "slot": entry.slot,
            "err": err,
            "memo": null,
            "blockTime": block_time,
            "confirmationStatus": "finalized",
        }));
    }
    Ok(Value::Array(out))
}

pub(super) fn block_not_available(slot: u64) -> RpcError {
    RpcError { code: -32004, message: format!("Block not available for slot {slot}"), data: None }
}

/// The error for a durable slot the ledger has no block of: a slot a warp
/// skipped (`lanesWarpToSlot`) is Agave's -32007 for a skipped slot; one
/// pruned away (or before it) -32004.
pub(super) fn missing_block(node: &Node, slot: u64) -> Result<RpcError, RpcError> {
    let first = node.ledger.first_slot()?.unwrap_or(0);
    Ok(if slot >= first && slot <= node.frozen_slot() {
        RpcError {
            code: -32007,
            message: format!("Slot {slot} was skipped, or missing due to ledger jump to recent snapshot"),
            data: None,
        }
    } else {
        block_not_available(slot)
    })
}

fn get_block(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let slot = params.first().and_then(Value::as_u64).ok_or_else(|| invalid_params("Invalid params"))?;
    let config = config_or_encoding(params);
    let config = config.as_ref();
    check_commitment(config)?;
    let encoding = encoding(config)?;
    let details = config.and_then(|c| c.get("transactionDetails")).and_then(Value::as_str).unwrap_or("full");
    if !matches!(details, "full" | "signatures" | "none" | "accounts") {
        return Err(invalid_params(format!("Invalid param: unknown transactionDetails {details}")));
    }
    let rewards = config.and_then(|c| c.get("rewards")).and_then(Value::as_bool).unwrap_or(true);
    let max_version = max_supported_version(config)?;
    if slot > node.frozen_slot() {
        return Err(block_not_available(slot));
    }
    let Some(record) = node.ledger.slot(slot)? else {
        return Err(missing_block(node, slot)?);
    };
    let mut block = block_header(&record);
    if details != "none" {
        let transactions =
            if record.transaction_count > 0 { node.ledger.block_transactions(slot)? } else { Vec::new() };
        match details {
            "signatures" => {
                let signatures: Result<Vec<Value>, RpcError> = transactions
                    .iter()
                    .map(|tx| Ok(json!(decoded(tx)?.signatures.first().copied().unwrap_or_default().to_string())))
                    .collect();
                block["signatures"] = Value::Array(signatures?);
            }
            "accounts" => {
                let mut list = Vec::with_capacity(transactions.len());
                for record in &transactions {
                    let tx = decoded(record)?;
                    let version = version_field(max_version, tx.version())?;
                    let keys = account_keys_json(&tx, &record.loaded_addresses);
                    let mut item = json!({
                        "transaction": {
                            "signatures": tx.signatures.iter().map(ToString::to_string).collect::<Vec<_>>(),
                            "accountKeys": keys,
                        },
                        "meta": meta_json(record, MetaDetail::Accounts { rewards }),
                    });
                    if let Some(version) = version {
                        item["version"] = version;
                    }
                    list.push(item);
                }
                block["transactions"] = Value::Array(list);
            }
            _ => {
                let mut list = Vec::with_capacity(transactions.len());
                for record in &transactions {
                    let tx = decoded(record)?;
                    let version = version_field(max_version, tx.version())?;
                    let mut item = json!({
                        "transaction": transaction_json(record, &tx, encoding),
                        "meta": meta_json(record, MetaDetail::Full { parsed: encoding == "jsonParsed", rewards }),
                    });
                    if let Some(version) = version {
                        item["version"] = version;
                    }
                    list.push(item);
                }
                block["transactions"] = Value::Array(list);
            }
        }
    }
    if rewards {
        block["rewards"] = json!([]);
    }
    Ok(block)
}

fn block_header(record: &SlotRecord) -> Value {
    json!({
        "blockhash": Hash(record.blockhash).to_string(),
        "previousBlockhash": Hash(record.previous_blockhash).to_string(),
        "parentSlot": record.parent_slot,
        "blockTime": record.block_time,
        "blockHeight": record.slot,
    })
}

/// `getBlocks(start, end?)` or, with `with_limit`, `getBlocksWithLimit(start, limit)`.
fn get_blocks(node: &Node, params: &[Value], with_limit: bool) -> Result<Value, RpcError> {
    let start = params.first().and_then(Value::as_u64).ok_or_else(|| invalid_params("Invalid params"))?;
    let frozen = node.frozen_slot();
    let (end, config_index) = if with_limit {
        let limit = params.get(1).and_then(Value::as_u64).ok_or_else(|| invalid_params("Invalid params"))?;
        if limit > MAX_GET_BLOCKS_RANGE {
            return Err(invalid_params(format!("Limit too large; max {MAX_GET_BLOCKS_RANGE}")));
        }
        if limit == 0 {
            return Ok(json!([]));
        }
        (start.saturating_add(limit - 1), 2)
    } else {
        match params.get(1) {
            Some(Value::Number(n)) => {
                let end = n.as_u64().ok_or_else(|| invalid_params("Invalid params"))?;
                if end.saturating_sub(start) > MAX_GET_BLOCKS_RANGE {
                    return Err(invalid_params(format!("Slot range too large; max {MAX_GET_BLOCKS_RANGE}")));
                }
                (end, 2)
            }
            _ => {
                if frozen.saturating_sub(start) > MAX_GET_BLOCKS_RANGE {
                    return Err(invalid_params(format!("Slot range too large; max {MAX_GET_BLOCKS_RANGE}")));
                }
                (frozen, 1)
            }
        }
    };
    check_commitment(config(params, config_index))?;
    let end = end.min(frozen);
    let slots = node.ledger.slots_in(start, end, MAX_GET_BLOCKS_RANGE as usize + 1)?;
    Ok(Value::Array(slots.iter().map(|s| json!(s.slot)).collect()))
}

/// `getSignatureStatuses` for a signature the in-memory statuses do not
/// hold (older, or from before a restart): the ledger's record of it if it
/// is recent or `search_history` (`searchTransactionHistory`) is set.
pub(super) fn historical_status(node: &Node, signature: &Signature, search_history: bool) -> Result<Value, RpcError> {
    let Some((slot, record)) = node.ledger.transaction(signature)? else {
        return Ok(Value::Null);
    };
    let frozen = node.frozen_slot();
    let recent = slot + super::statuses::STATUS_SLOTS as u64 >= frozen;
    if slot > frozen || !(recent || search_history) {
        return Ok(Value::Null);
    }
    let err = stored_err(record.err.as_deref());
    let status = status_json(err.as_ref());
    Ok(json!({
        "slot": slot,
        "confirmations": null,
        "err": err,
        "status": status,
        "confirmationStatus": "finalized",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_sdk::transaction::Transaction;
    use lanes_sdk::{system_instruction, sysvar};

    #[test]
    fn nonce_instructions_parse_as_agave_parses_them() {
        let (payer, nonce, authority, to) =
            (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
        let next = Pubkey::new_unique();
        let mut instructions = system_instruction::create_nonce_account(&payer, &nonce, &authority, 1_500_000);
        instructions.extend([
            system_instruction::advance_nonce_account(&nonce, &authority),
            system_instruction::withdraw_nonce_account(&nonce, &authority, &to, 7),
            system_instruction::authorize_nonce_account(&nonce, &authority, &next),
            system_instruction::upgrade_nonce_account(&nonce),
        ]);
        let tx = Transaction::new_with_payer(&instructions, &payer, &Hash::default());
        let parsed = parsed_transaction_json(&VersionedTransaction::from(tx), &LoadedAddresses::default());
        let parsed: Vec<Value> = parsed["message"]["instructions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ix| {
                assert_eq!(ix["program"], json!("system"), "{ix}");
                ix["parsed"].clone()
            })
            .collect();
        let (nonce, authority, to, next) = (nonce.to_string(), authority.to_string(), to.to_string(), next.to_string());
        let (recent, rent) = (sysvar::recent_blockhashes::ID.to_string(), sysvar::rent::ID.to_string());
        assert_eq!(parsed[0]["type"], json!("createAccount"));
        assert_eq!(
            parsed[1],
            json!({ "type": "initializeNonce", "info": { "nonceAccount": nonce, "recentBlockhashesSysvar": recent,
                                                          "rentSysvar": rent, "nonceAuthority": authority } })
        );
        assert_eq!(
            parsed[2],
            json!({ "type": "advanceNonce", "info": { "nonceAccount": nonce, "recentBlockhashesSysvar": recent,
                                                       "nonceAuthority": authority } })
        );
        assert_eq!(
            parsed[3],
            json!({ "type": "withdrawFromNonce", "info": { "nonceAccount": nonce, "destination": to,
                    "recentBlockhashesSysvar": recent, "rentSysvar": rent, "nonceAuthority": authority, "lamports": 7 } })
        );
        assert_eq!(
            parsed[4],
            json!({ "type": "authorizeNonce", "info": { "nonceAccount": nonce, "nonceAuthority": authority,
                                                         "newAuthorized": next } })
        );
        assert_eq!(parsed[5], json!({ "type": "upgradeNonce", "info": { "nonceAccount": nonce } }));
    }

    #[test]
    fn a_nonce_instruction_short_of_accounts_or_bytes_is_only_partly_decoded() {
        let accounts = vec![Pubkey::new_unique().to_string(); 2];
        assert_eq!(parse_system(&[4, 0, 0, 0], &accounts), None, "advance names three accounts");
        assert_eq!(parse_system(&[4, 0, 0, 0, 0], &vec![String::new(); 3]), None, "a trailing byte");
        assert_eq!(parse_system(&[5, 0, 0, 0, 1], &vec![String::new(); 5]), None, "a short amount");
        assert_eq!(parse_system(&[], &accounts), None);
    }
}
