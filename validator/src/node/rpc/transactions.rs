//! Transactions in: `sendTransaction` (preflight unless skipped) and
//! `simulateTransaction`, the wire decoding both share (a legacy or a v0
//! message), and a transaction error as Solana's RPC serializes it (as
//! banking, replay, genesis, PubSub and `getSignatureStatuses` show it too).
//!
//! Both sanitize what they decode against the bank first, as Agave does: a
//! malformed message, or a v0 lookup that does not resolve (a missing or
//! deactivated table, an index past its addresses), is -32602 `invalid
//! transaction: …`, preflight or not.
//!
//! Never: verify a skipped-preflight transaction's signatures twice (the
//! slot's batch does), or let a simulation change the bank.

use super::accounts::account_json;
use super::{check_min_context_slot, config_param, context, invalid_params, Node, RpcError, BLOCKHASH_VALID_SLOTS};
use base64::Engine as _;
use lanes_runtime::bank::{Bank, TransactionOutcome};
use lanes_runtime::ingest::sanitize::SanitizedTransaction;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::message::v0::LoadedAddresses;
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::Pubkey;
use serde_json::{json, Value};
use std::str::FromStr;

/// The transaction in `params[0]`, in the config's encoding (base58 by
/// default): a legacy or a v0 message; any other version is refused.
pub(super) fn decode_transaction(params: &[Value], config: Option<&Value>) -> Result<VersionedTransaction, RpcError> {
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
    VersionedTransaction::from_wire(&bytes).map_err(|e| {
        invalid_params(format!("failed to deserialize solana_transaction::versioned::VersionedTransaction: {e}"))
    })
}

/// `tx` sanitized against `bank` as of its current slot (a v0 message's
/// lookups resolved), or Agave's -32602 `invalid transaction: …`.
pub(super) fn sanitize(bank: &Bank, tx: &VersionedTransaction) -> Result<SanitizedTransaction, RpcError> {
    SanitizedTransaction::try_new(tx, bank).map_err(|e| invalid_params(format!("invalid transaction: {e}")))
}

pub(super) fn send_transaction(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
    let config = config_param(params, 1);
    let tx = decode_transaction(params, config)?;
    let skip_preflight = config.and_then(|c| c.get("skipPreflight")).and_then(Value::as_bool).unwrap_or(false);
    let signature = {
        let bank = node.bank.read();
        let signature = *sanitize(&bank, &tx)?.signature();
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
            let outcome = match bank.check_age_and_status(&tx) {
                Err(err) => TransactionOutcome::refused(signature, err),
                Ok(()) => bank.simulate_transaction(&tx, false),
            };
            if let Err(err) = &outcome.result {
                return Err(RpcError {
                    code: -32002,
                    message: format!("Transaction simulation failed: {err}"),
                    data: Some(simulation_json(&outcome, Value::Null, Value::Null, None)),
                });
            }
        }
        signature
    };
    if !node.submit(tx) {
        return Err(RpcError { code: -32005, message: "Node is busy: transaction dropped".into(), data: None });
    }
    Ok(json!(signature.to_string()))
}

/// Most accounts one `simulateTransaction` may ask to see afterwards.
pub const MAX_SIMULATION_ACCOUNTS: usize = 256;

/// `replaceRecentBlockhash`: with `replace`, give `tx` the bank's newest
/// blockhash and answer Solana's `replacementBlockhash`; else `null`.
pub(super) fn replace_blockhash(bank: &Bank, tx: &mut VersionedTransaction, replace: bool) -> Value {
    if !replace {
        return Value::Null;
    }
    let blockhash = bank.latest_blockhash();
    tx.message.set_recent_blockhash(blockhash);
    json!({ "blockhash": blockhash.to_string(), "lastValidBlockHeight": bank.slot() + BLOCKHASH_VALID_SLOTS })
}

/// `simulateTransaction`: `sigVerify`, `replaceRecentBlockhash` (the two
/// exclude each other), `accounts` ({addresses, encoding}: each as the
/// transaction would leave it). A blockhash that is not recent, or a
/// signature already processed, is the result's `err` unless replaced.
pub(super) fn simulate_transaction(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
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
    let replacement = replace_blockhash(&bank, &mut tx, replace);
    let sanitized = sanitize(&bank, &tx)?;
    let signature = *sanitized.signature();
    let loaded = sanitized.loaded_addresses().clone();
    let (outcome, written) = match bank.check_age_and_status(&tx) {
        Err(err) if !replace => (TransactionOutcome::refused(signature, err), Vec::new()),
        _ => bank.simulate_transaction_with_accounts(tx, verify),
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
    Ok(context(slot, simulation_json(&outcome, accounts, replacement, Some(&loaded))))
}

/// A simulation as Agave answers it. `loaded`: what the transaction's
/// lookups resolved to (`loadedAddresses`, as Agave's newer answers carry
/// it: empty lists for a legacy message), `None` in a preflight failure's
/// data (null there, as Agave's).
fn simulation_json(
    outcome: &TransactionOutcome,
    accounts: Value,
    replacement_blockhash: Value,
    loaded: Option<&LoadedAddresses>,
) -> Value {
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
        "loadedAddresses": loaded.map(loaded_addresses_json),
    })
}

/// Solana's `UiLoadedAddresses`: `{writable: [base58…], readonly: [base58…]}`.
pub(in crate::node) fn loaded_addresses_json(loaded: &LoadedAddresses) -> Value {
    let list = |keys: &[Pubkey]| keys.iter().map(ToString::to_string).collect::<Vec<_>>();
    json!({ "writable": list(&loaded.writable), "readonly": list(&loaded.readonly) })
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
