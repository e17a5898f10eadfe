//! Accounts as Solana's RPC shows them: [`account_json`] in every encoding
//! (also PubSub's), and `getProgramAccounts` with its filters, checked as
//! Agave checks them (also `programSubscribe`'s).
//!
//! Never: answer with part of a scan as if it were all (over the bounds it
//! is -32012), or hold the bank's lock through a scan.

use super::{check_min_context_slot, config_param, context, invalid_params, pubkey_param, slot_for, Node, RpcError};
use base64::Engine as _;
use lanes_sdk::Account;
use serde_json::{json, Value};

/// An account as Solana's RPC shows it, in the requested encoding.
pub(in crate::node) fn account_json(account: &Account, config: Option<&Value>) -> Result<Value, RpcError> {
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
pub(super) fn get_program_accounts(node: &Node, params: &[Value]) -> Result<Value, RpcError> {
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
pub(in crate::node) fn program_accounts_filter(
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
