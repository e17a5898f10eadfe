//! PubSub's requests: one WebSocket message (a request or a batch) to its
//! answer, and the methods — `*Subscribe` and `*Unsubscribe` with Agave's
//! parameters and messages, and `getVersion`.
//!
//! Never: panic on anything a client sends, or answer a notification (a
//! request without an `id`, which is how web3.js and kit send their `ping`
//! keepalive).

use super::connection::Outbox;
use super::registry::Kind;
use super::Server;
use crate::node::rpc::{account_json, invalid_params, program_accounts_filter, RpcError};
use lanes_runtime::bank::program_accounts::MAX_FILTERS;
use lanes_sdk::{Account, Pubkey, Signature};
use serde_json::{json, Value};
use std::str::FromStr;
use std::sync::Arc;

impl Server {
    /// One WebSocket message to its answer (none for notifications).
    pub(super) fn handle(&self, connection: u64, outbox: &Arc<Outbox>, text: &str) -> Option<String> {
        let answer = match serde_json::from_str::<Value>(text) {
            Err(_) => error_response(Value::Null, -32700, "Parse error"),
            Ok(Value::Array(requests)) if requests.is_empty() => error_response(Value::Null, -32600, "Invalid request"),
            Ok(Value::Array(requests)) => {
                let answers: Vec<Value> =
                    requests.into_iter().filter_map(|request| self.answer(connection, outbox, request)).collect();
                if answers.is_empty() {
                    return None;
                }
                Value::Array(answers)
            }
            Ok(request) => self.answer(connection, outbox, request)?,
        };
        Some(answer.to_string())
    }

    /// One request to its response; `None` for a notification (no `id`),
    /// which is how web3.js and kit send their `ping` keepalive.
    fn answer(&self, connection: u64, outbox: &Arc<Outbox>, request: Value) -> Option<Value> {
        let Value::Object(request) = request else {
            return Some(error_response(Value::Null, -32600, "Invalid request"));
        };
        let id = request.get("id")?.clone();
        let (Some(method), true) = (
            request.get("method").and_then(Value::as_str),
            request.get("jsonrpc").and_then(Value::as_str) == Some("2.0"),
        ) else {
            return Some(error_response(id, -32600, "Invalid request"));
        };
        let params = match request.get("params") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(params)) => params.as_slice(),
            Some(_) => return Some(error_response(id, -32602, "Invalid params: expected an array")),
        };
        Some(match self.dispatch(connection, outbox, method, params) {
            Ok(result) => json!({ "jsonrpc": "2.0", "result": result, "id": id }),
            Err(e) => {
                let mut response = error_response(id, e.code, &e.message);
                if let Some(data) = e.data {
                    response["error"]["data"] = data;
                }
                response
            }
        })
    }

    fn dispatch(
        &self,
        connection: u64,
        outbox: &Arc<Outbox>,
        method: &str,
        params: &[Value],
    ) -> Result<Value, RpcError> {
        let subscribe = |kind: Kind| self.registry.lock().insert(connection, outbox, kind);
        match method {
            "accountSubscribe" => {
                let pubkey = parse_param::<Pubkey>(params, 0, "pubkey")?;
                let config = config_param(params, 1)?;
                check_encoding(config)?;
                Ok(json!(subscribe(Kind::Account { pubkey, config: config.cloned() })?))
            }
            "programSubscribe" => {
                let program = parse_param::<Pubkey>(params, 0, "pubkey")?;
                let config = config_param(params, 1)?;
                check_encoding(config)?;
                let filters = match config.and_then(|c| c.get("filters")) {
                    None | Some(Value::Null) => &[][..],
                    Some(Value::Array(filters)) => filters.as_slice(),
                    Some(_) => {
                        return Err(invalid_params("Invalid params: invalid type: expected a sequence of filters"))
                    }
                };
                if filters.len() > MAX_FILTERS {
                    return Err(invalid_params(format!("Too many filters provided; max {MAX_FILTERS}")));
                }
                let filters = filters.iter().map(program_accounts_filter).collect::<Result<Vec<_>, _>>()?;
                Ok(json!(subscribe(Kind::Program { program, filters, config: config.cloned() })?))
            }
            "signatureSubscribe" => {
                let signature = parse_param::<Signature>(params, 0, "signature")?;
                let config = config_param(params, 1)?;
                let received =
                    config.and_then(|c| c.get("enableReceivedNotification")).and_then(Value::as_bool).unwrap_or(false);
                let id = subscribe(Kind::Signature { signature, received })?;
                // Subscribed first, then looked up: a block frozen in
                // between is caught by one or the other, and only one of
                // them removes the subscription, so it is notified once.
                self.notify_if_executed(id, &signature);
                Ok(json!(id))
            }
            "logsSubscribe" => {
                let mentions = match params.first() {
                    Some(Value::String(filter)) if filter == "all" || filter == "allWithVotes" => None,
                    Some(Value::Object(filter)) if filter.len() == 1 && filter.contains_key("mentions") => {
                        let keys = filter["mentions"]
                            .as_array()
                            .ok_or_else(|| invalid_params("Invalid params: invalid type: expected a sequence"))?;
                        if keys.len() != 1 {
                            return Err(invalid_params("Invalid Request: Only 1 address supported"));
                        }
                        let key = keys[0].as_str().and_then(|k| Pubkey::from_str(k).ok());
                        Some(key.ok_or_else(|| invalid_params("Invalid Request: Invalid mentions provided"))?)
                    }
                    Some(Value::String(other)) => {
                        return Err(invalid_params(format!(
                        "Invalid params: unknown variant `{other}`, expected one of `all`, `allWithVotes`, `mentions`"
                    )))
                    }
                    _ => {
                        return Err(invalid_params(
                            "Invalid params: expected `all`, `allWithVotes` or `{\"mentions\": [address]}`",
                        ))
                    }
                };
                config_param(params, 1)?;
                Ok(json!(subscribe(Kind::Logs { mentions })?))
            }
            "slotSubscribe" => Ok(json!(subscribe(Kind::Slot)?)),
            "rootSubscribe" => Ok(json!(subscribe(Kind::Root)?)),
            "slotsUpdatesSubscribe" => Ok(json!(subscribe(Kind::SlotsUpdates)?)),
            "accountUnsubscribe"
            | "programUnsubscribe"
            | "signatureUnsubscribe"
            | "logsUnsubscribe"
            | "slotUnsubscribe"
            | "rootUnsubscribe"
            | "slotsUpdatesUnsubscribe" => {
                let id = params
                    .first()
                    .and_then(Value::as_u64)
                    .ok_or_else(|| invalid_params("Invalid params: invalid type: expected a subscription id (u64)"))?;
                if self.registry.lock().unsubscribe(connection, id) {
                    Ok(json!(true))
                } else {
                    Err(invalid_params("Invalid subscription id."))
                }
            }
            "getVersion" => Ok(json!({
                "solana-core": crate::node::rpc::SOLANA_API_VERSION,
                "feature-set": 0u32,
                "lanes": env!("CARGO_PKG_VERSION"),
            })),
            _ => Err(RpcError { code: -32601, message: "Method not found".into(), data: None }),
        }
    }
}

pub(super) fn error_response(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "error": { "code": code, "message": message }, "id": id })
}

/// `params[index]`, a base58 string of a `T`, with Agave's messages.
fn parse_param<T: FromStr>(params: &[Value], index: usize, thing: &str) -> Result<T, RpcError> {
    let text = match params.get(index) {
        Some(Value::String(text)) => text,
        Some(_) => return Err(invalid_params("Invalid params: invalid type: expected a string")),
        None => return Err(invalid_params(format!("Invalid params: missing the {thing}"))),
    };
    text.parse::<T>().map_err(|_| invalid_params(format!("Invalid Request: Invalid {thing} provided")))
}

/// The optional config object at `params[index]`; anything else but
/// `null` is refused.
fn config_param(params: &[Value], index: usize) -> Result<Option<&Value>, RpcError> {
    match params.get(index) {
        None | Some(Value::Null) => Ok(None),
        Some(config @ Value::Object(_)) => Ok(Some(config)),
        Some(_) => Err(invalid_params("Invalid params: invalid type: expected a config object")),
    }
}

/// The encoding is checked when subscribing, not at every notification:
/// an encoding `getAccountInfo` refuses is refused here too.
fn check_encoding(config: Option<&Value>) -> Result<(), RpcError> {
    account_json(&Account::default(), config).map(drop)
}
