//! What the node answers, as typed values: blockhashes, signature
//! statuses, simulations, transactions (legacy or v0) with their meta and
//! version, blocks, accounts; and the readers that turn Solana's JSON
//! shapes into them.
//!
//! Never: panic on an answer (a missing or mistyped field is
//! [`ClientError::InvalidResponse`] naming it), or guess a value the node
//! did not send.

use crate::error::{strings, ClientError, TransactionFailure};
use base64::Engine as _;
use lanes_sdk::message::v0::LoadedAddresses;
use lanes_sdk::message::TransactionVersion;
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::{Account, Hash, Pubkey, Signature};
use serde_json::{json, Value};
use std::str::FromStr;

/// How settled a transaction or a read must be (Solana's commitment levels).
/// On one Lanes node, confirmed and finalized are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CommitmentLevel {
    Processed,
    Confirmed,
    Finalized,
}

impl CommitmentLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            CommitmentLevel::Processed => "processed",
            CommitmentLevel::Confirmed => "confirmed",
            CommitmentLevel::Finalized => "finalized",
        }
    }
}

impl FromStr for CommitmentLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "processed" => Ok(CommitmentLevel::Processed),
            "confirmed" => Ok(CommitmentLevel::Confirmed),
            "finalized" => Ok(CommitmentLevel::Finalized),
            other => Err(format!("unknown commitment {other} (processed, confirmed or finalized)")),
        }
    }
}

/// `getLatestBlockhash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatestBlockhash {
    pub blockhash: Hash,
    /// The last block height at which a transaction with this blockhash can land.
    pub last_valid_block_height: u64,
}

/// One entry of `getSignatureStatuses`.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureStatus {
    pub slot: u64,
    pub confirmations: Option<u64>,
    /// `None`: it succeeded.
    pub err: Option<TransactionFailure>,
    pub confirmation_status: Option<CommitmentLevel>,
}

impl SignatureStatus {
    /// Whether it has reached `commitment`.
    pub fn satisfies(&self, commitment: CommitmentLevel) -> bool {
        self.confirmation_status.is_some_and(|status| status >= commitment)
    }
}

/// `simulateTransaction`'s value (and a failed preflight's `data`).
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationResult {
    pub err: Option<TransactionFailure>,
    pub logs: Vec<String>,
    pub units_consumed: Option<u64>,
    /// The program that set return data, and the bytes.
    pub return_data: Option<(Pubkey, Vec<u8>)>,
}

/// A transaction's `meta`, as `getTransaction` and `getBlock` show it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransactionMeta {
    pub err: Option<TransactionFailure>,
    pub fee: u64,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    pub logs: Vec<String>,
    pub compute_units_consumed: Option<u64>,
    /// `loadedAddresses`: what a v0 transaction's lookups resolved to when
    /// it ran (empty lists for a legacy one); `None` if the node sent none.
    pub loaded_addresses: Option<LoadedAddresses>,
}

/// `getTransaction`: a landed transaction, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmedTransaction {
    pub slot: u64,
    pub block_time: Option<i64>,
    /// As it was sent: a legacy or a v0 message.
    pub transaction: VersionedTransaction,
    pub meta: Option<TransactionMeta>,
    /// `version` as the node reported it (`"legacy"` or `0`; it agrees
    /// with the transaction's own); `None` if the node sent none.
    pub version: Option<TransactionVersion>,
}

impl ConfirmedTransaction {
    /// Every account the transaction named, in the order its instructions'
    /// account indexes count them: the message's own keys, then what its
    /// lookups loaded (writable, then read-only) as the meta reports it.
    pub fn account_keys(&self) -> Vec<Pubkey> {
        account_keys(&self.transaction, self.meta.as_ref())
    }
}

/// One transaction of a [`Block`].
#[derive(Debug, Clone, PartialEq)]
pub struct BlockTransaction {
    /// As it was sent: a legacy or a v0 message.
    pub transaction: VersionedTransaction,
    pub meta: Option<TransactionMeta>,
    /// `version` as the node reported it; `None` if it sent none.
    pub version: Option<TransactionVersion>,
}

impl BlockTransaction {
    /// As [`ConfirmedTransaction::account_keys`].
    pub fn account_keys(&self) -> Vec<Pubkey> {
        account_keys(&self.transaction, self.meta.as_ref())
    }
}

fn account_keys(transaction: &VersionedTransaction, meta: Option<&TransactionMeta>) -> Vec<Pubkey> {
    let mut keys = transaction.message.static_account_keys().to_vec();
    if let Some(loaded) = meta.and_then(|m| m.loaded_addresses.as_ref()) {
        keys.extend_from_slice(&loaded.writable);
        keys.extend_from_slice(&loaded.readonly);
    }
    keys
}

/// `getBlock` (full details, base64).
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub slot: u64,
    pub blockhash: Hash,
    pub previous_blockhash: Hash,
    pub parent_slot: u64,
    pub block_time: Option<i64>,
    pub block_height: Option<u64>,
    pub transactions: Vec<BlockTransaction>,
}

/// A `getProgramAccounts` filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountFilter {
    /// Accounts with exactly this many bytes of data.
    DataSize(u64),
    /// Accounts whose data holds `bytes` at `offset`.
    Memcmp { offset: usize, bytes: Vec<u8> },
}

impl AccountFilter {
    pub(crate) fn to_json(&self) -> Value {
        match self {
            AccountFilter::DataSize(size) => json!({ "dataSize": size }),
            AccountFilter::Memcmp { offset, bytes } => json!({ "memcmp": {
                "offset": offset,
                "bytes": base64::engine::general_purpose::STANDARD.encode(bytes),
                "encoding": "base64",
            } }),
        }
    }
}

pub(crate) fn invalid(what: impl std::fmt::Display) -> ClientError {
    ClientError::InvalidResponse(what.to_string())
}

pub(crate) fn u64_field(value: &Value, name: &str) -> Result<u64, ClientError> {
    value.get(name).and_then(Value::as_u64).ok_or_else(|| invalid(format!("no number `{name}` in {}", short(value))))
}

pub(crate) fn str_field<'a>(value: &'a Value, name: &str) -> Result<&'a str, ClientError> {
    value.get(name).and_then(Value::as_str).ok_or_else(|| invalid(format!("no string `{name}` in {}", short(value))))
}

/// At most 200 characters of a value, for error messages.
pub(crate) fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

pub(crate) fn parse_pubkey(text: &str) -> Result<Pubkey, ClientError> {
    Pubkey::from_str(text).map_err(|_| invalid(format!("not an address: {text}")))
}

pub(crate) fn parse_hash(text: &str) -> Result<Hash, ClientError> {
    Hash::from_str(text).map_err(|_| invalid(format!("not a hash: {text}")))
}

pub(crate) fn parse_signature(text: &str) -> Result<Signature, ClientError> {
    Signature::from_str(text).map_err(|_| invalid(format!("not a signature: {text}")))
}

pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, ClientError> {
    base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| invalid(format!("bad base64 ({e})")))
}

/// The `value` of a context-wrapped result (`{context, value}`).
pub(crate) fn value_of(result: Value) -> Result<Value, ClientError> {
    match result {
        Value::Object(mut map) if map.contains_key("value") => Ok(map.remove("value").unwrap_or(Value::Null)),
        other => Err(invalid(format!("no `value` in {}", short(&other)))),
    }
}

/// An account as `getAccountInfo` shows it with `encoding: base64`.
pub(crate) fn parse_account(value: &Value) -> Result<Account, ClientError> {
    let data = match value.get("data") {
        Some(Value::Array(pair)) if pair.get(1).and_then(Value::as_str) == Some("base64") => {
            base64_decode(pair.first().and_then(Value::as_str).unwrap_or(""))?
        }
        other => return Err(invalid(format!("account data not in base64: {}", short(other.unwrap_or(&Value::Null))))),
    };
    Ok(Account {
        lamports: u64_field(value, "lamports")?,
        data,
        owner: parse_pubkey(str_field(value, "owner")?)?,
        executable: value.get("executable").and_then(Value::as_bool).unwrap_or(false),
    })
}

pub(crate) fn parse_status(value: &Value) -> Result<Option<SignatureStatus>, ClientError> {
    if value.is_null() {
        return Ok(None);
    }
    let confirmation_status = match value.get("confirmationStatus").and_then(Value::as_str) {
        Some(text) => Some(text.parse::<CommitmentLevel>().map_err(invalid)?),
        None => None,
    };
    Ok(Some(SignatureStatus {
        slot: u64_field(value, "slot")?,
        confirmations: value.get("confirmations").and_then(Value::as_u64),
        err: value.get("err").and_then(TransactionFailure::from_json),
        confirmation_status,
    }))
}

pub(crate) fn parse_simulation(value: &Value) -> SimulationResult {
    let return_data = value.get("returnData").and_then(|data| {
        let program = Pubkey::from_str(data.get("programId")?.as_str()?).ok()?;
        let bytes = data.get("data")?.as_array()?.first()?.as_str()?;
        Some((program, base64::engine::general_purpose::STANDARD.decode(bytes).ok()?))
    });
    SimulationResult {
        err: value.get("err").and_then(TransactionFailure::from_json),
        logs: strings(value.get("logs")),
        units_consumed: value.get("unitsConsumed").and_then(Value::as_u64),
        return_data,
    }
}

fn u64_list(value: Option<&Value>) -> Vec<u64> {
    value.and_then(Value::as_array).map(|list| list.iter().filter_map(Value::as_u64).collect()).unwrap_or_default()
}

/// A meta object (anything else: `None`). Lenient where a field is only
/// shown; `loadedAddresses`, which instruction indexes count on, is read
/// exactly or refused.
pub(crate) fn parse_meta(value: &Value) -> Result<Option<TransactionMeta>, ClientError> {
    if !value.is_object() {
        return Ok(None);
    }
    Ok(Some(TransactionMeta {
        err: value.get("err").and_then(TransactionFailure::from_json),
        fee: value.get("fee").and_then(Value::as_u64).unwrap_or(0),
        pre_balances: u64_list(value.get("preBalances")),
        post_balances: u64_list(value.get("postBalances")),
        logs: strings(value.get("logMessages")),
        compute_units_consumed: value.get("computeUnitsConsumed").and_then(Value::as_u64),
        loaded_addresses: match value.get("loadedAddresses") {
            None | Some(Value::Null) => None,
            Some(loaded) => Some(parse_loaded_addresses(loaded)?),
        },
    }))
}

/// Solana's `UiLoadedAddresses`: `{writable: [base58…], readonly: [base58…]}`.
fn parse_loaded_addresses(value: &Value) -> Result<LoadedAddresses, ClientError> {
    let list = |name: &str| -> Result<Vec<Pubkey>, ClientError> {
        let keys = value
            .get(name)
            .and_then(Value::as_array)
            .ok_or_else(|| invalid(format!("no list `{name}` in loadedAddresses {}", short(value))))?;
        keys.iter().map(|key| parse_pubkey(key.as_str().unwrap_or(""))).collect()
    };
    Ok(LoadedAddresses { writable: list("writable")?, readonly: list("readonly")? })
}

/// A `["<base64>", "base64"]` transaction, legacy or v0.
pub(crate) fn parse_base64_transaction(value: Option<&Value>) -> Result<VersionedTransaction, ClientError> {
    let text = value
        .and_then(Value::as_array)
        .and_then(|pair| pair.first())
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("transaction not in base64"))?;
    VersionedTransaction::from_wire(&base64_decode(text)?)
        .map_err(|e| invalid(format!("a transaction that does not decode ({e})")))
}

/// The `version` field beside a transaction: `"legacy"`, `0`, or absent;
/// when present it must be the transaction's own.
fn parse_version(value: &Value, transaction: &VersionedTransaction) -> Result<Option<TransactionVersion>, ClientError> {
    let version = match value.get("version") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) if text == "legacy" => TransactionVersion::Legacy,
        Some(number) if number.as_u64() == Some(0) => TransactionVersion::V0,
        Some(other) => return Err(invalid(format!("an unknown transaction version: {}", short(other)))),
    };
    if version != transaction.version() {
        return Err(invalid(format!("version {version} reported for a {} transaction", transaction.version())));
    }
    Ok(Some(version))
}

pub(crate) fn parse_confirmed_transaction(value: &Value) -> Result<ConfirmedTransaction, ClientError> {
    let transaction = parse_base64_transaction(value.get("transaction"))?;
    Ok(ConfirmedTransaction {
        slot: u64_field(value, "slot")?,
        block_time: value.get("blockTime").and_then(Value::as_i64),
        version: parse_version(value, &transaction)?,
        meta: parse_meta(value.get("meta").unwrap_or(&Value::Null))?,
        transaction,
    })
}

pub(crate) fn parse_block(slot: u64, value: &Value) -> Result<Block, ClientError> {
    let transactions = match value.get("transactions").and_then(Value::as_array) {
        Some(list) => list
            .iter()
            .map(|entry| {
                let transaction = parse_base64_transaction(entry.get("transaction"))?;
                Ok(BlockTransaction {
                    version: parse_version(entry, &transaction)?,
                    meta: parse_meta(entry.get("meta").unwrap_or(&Value::Null))?,
                    transaction,
                })
            })
            .collect::<Result<Vec<_>, ClientError>>()?,
        None => Vec::new(),
    };
    Ok(Block {
        slot,
        blockhash: parse_hash(str_field(value, "blockhash")?)?,
        previous_blockhash: parse_hash(str_field(value, "previousBlockhash")?)?,
        parent_slot: u64_field(value, "parentSlot")?,
        block_time: value.get("blockTime").and_then(Value::as_i64),
        block_height: value.get("blockHeight").and_then(Value::as_u64),
        transactions,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn account_decodes_from_base64_and_refuses_other_shapes() {
        let owner = Pubkey::new_unique_from_u64(3);
        let value = json!({ "lamports": 7, "owner": owner.to_string(), "executable": true,
                            "data": ["AQID", "base64"], "rentEpoch": u64::MAX, "space": 3 });
        let account = parse_account(&value).unwrap();
        assert_eq!(account, Account { lamports: 7, data: vec![1, 2, 3], owner, executable: true });
        for bad in [
            json!({ "lamports": 7, "owner": owner.to_string(), "data": "AQID" }),
            json!({ "lamports": 7, "owner": owner.to_string(), "data": ["!!", "base64"] }),
            json!({ "lamports": "7", "owner": owner.to_string(), "data": ["", "base64"] }),
            json!({ "lamports": 7, "owner": "not a key", "data": ["", "base64"] }),
            json!(null),
        ] {
            assert!(matches!(parse_account(&bad), Err(ClientError::InvalidResponse(_))), "{bad}");
        }
    }

    #[test]
    fn statuses_read_commitment_and_errors() {
        assert_eq!(parse_status(&Value::Null).unwrap(), None);
        let ok = parse_status(&json!({ "slot": 4, "confirmations": null, "err": null,
                                       "status": { "Ok": null }, "confirmationStatus": "finalized" }))
        .unwrap()
        .unwrap();
        assert!(ok.err.is_none() && ok.satisfies(CommitmentLevel::Confirmed));
        let failed = parse_status(&json!({ "slot": 5, "confirmations": 0, "confirmationStatus": "processed",
                                           "err": { "InstructionError": [0, { "Custom": 1 }] } }))
        .unwrap()
        .unwrap();
        assert_eq!(failed.err.as_ref().unwrap().custom_code(), Some(1));
        assert!(!failed.satisfies(CommitmentLevel::Confirmed) && failed.satisfies(CommitmentLevel::Processed));
        assert!(parse_status(&json!({ "slot": 1, "confirmationStatus": "rooted" })).is_err());
        assert!(parse_status(&json!({ "confirmationStatus": "finalized" })).is_err());
    }

    #[test]
    fn simulation_and_meta_read_what_is_there() {
        let program = Pubkey::new_unique_from_u64(9);
        let sim = parse_simulation(&json!({ "err": null, "logs": ["a", 5, "b"], "unitsConsumed": 150,
                                            "returnData": { "programId": program.to_string(), "data": ["AQ==", "base64"] } }));
        assert_eq!(sim.logs, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(sim.units_consumed, Some(150));
        assert_eq!(sim.return_data, Some((program, vec![1])));
        let empty = parse_simulation(&json!("garbage"));
        assert!(empty.err.is_none() && empty.logs.is_empty() && empty.return_data.is_none());
        assert_eq!(parse_meta(&Value::Null).unwrap(), None);
        let meta = parse_meta(&json!({ "err": "AccountNotFound", "fee": 5000, "preBalances": [1, 2],
                                       "postBalances": [0], "logMessages": ["x"] }))
        .unwrap()
        .unwrap();
        assert_eq!((meta.fee, meta.pre_balances.len(), meta.logs.len()), (5000, 2, 1));
        assert_eq!(meta.loaded_addresses, None);
        assert_eq!(meta.err.unwrap().to_string(), "Attempt to debit an account but found no record of a prior credit.");
        // loadedAddresses is read exactly: instruction indexes count on it.
        let key = Pubkey::new_unique_from_u64(4);
        let meta = parse_meta(&json!({ "loadedAddresses": { "writable": [key.to_string()], "readonly": [] } }))
            .unwrap()
            .unwrap();
        assert_eq!(meta.loaded_addresses, Some(LoadedAddresses { writable: vec![key], readonly: vec![] }));
        for bad in [json!({ "writable": ["not a key"], "readonly": [] }), json!({ "writable": [] }), json!(3)] {
            let answer = parse_meta(&json!({ "loadedAddresses": bad }));
            assert!(matches!(answer, Err(ClientError::InvalidResponse(_))), "{bad}: {answer:?}");
        }
    }

    /// A signed v0 transfer to `to`, which it loads (writable) from a lookup table.
    pub(crate) fn v0_transfer(to: Pubkey) -> (VersionedTransaction, Pubkey) {
        use lanes_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
        let payer = lanes_sdk::client::Keypair::new();
        let table = AddressLookupTableAccount { key: Pubkey::new_unique_from_u64(40), addresses: vec![to] };
        let transfer = lanes_sdk::system_instruction::transfer(&payer.pubkey(), &to, 5);
        let message = v0::Message::try_compile(&payer.pubkey(), &[transfer], &[table], Hash::default()).unwrap();
        assert_eq!(message.address_table_lookups.len(), 1, "the recipient comes from the table");
        (VersionedTransaction::try_new(VersionedMessage::V0(message), &[&payer]).unwrap(), payer.pubkey())
    }

    pub(crate) fn wire64(tx: &VersionedTransaction) -> String {
        base64::engine::general_purpose::STANDARD.encode(tx.to_wire().unwrap())
    }

    #[test]
    fn a_v0_transaction_reads_back_with_its_version_and_loaded_addresses() {
        let to = Pubkey::new_unique_from_u64(41);
        let (tx, payer) = v0_transfer(to);
        let meta = json!({ "err": null, "fee": 5000, "preBalances": [9, 1, 0], "postBalances": [4, 1, 5],
                           "logMessages": [], "loadedAddresses": { "writable": [to.to_string()], "readonly": [] } });
        let answer = json!({ "slot": 7, "blockTime": null, "version": 0, "meta": meta,
                            "transaction": [wire64(&tx), "base64"] });
        let got = parse_confirmed_transaction(&answer).unwrap();
        assert_eq!(got.transaction, tx);
        assert_eq!(got.version, Some(TransactionVersion::V0));
        assert_eq!(got.account_keys(), vec![payer, lanes_sdk::system_program::ID, to], "static, then loaded");
        assert_eq!(got.meta.unwrap().loaded_addresses.unwrap().writable, vec![to]);

        // A block holding it beside a legacy one.
        let legacy = VersionedTransaction::from(lanes_sdk::transaction::Transaction::new_with_payer(
            &[lanes_sdk::system_instruction::transfer(&payer, &to, 1)],
            &payer,
            &Hash::default(),
        ));
        let block = json!({ "blockhash": Hash::default().to_string(), "previousBlockhash": Hash::default().to_string(),
                            "parentSlot": 6, "blockTime": null, "blockHeight": 7, "transactions": [
                                { "transaction": [wire64(&legacy), "base64"], "version": "legacy", "meta": null },
                                { "transaction": [wire64(&tx), "base64"], "version": 0, "meta": answer["meta"] },
                            ] });
        let block = parse_block(7, &block).unwrap();
        assert_eq!(block.transactions[0].version, Some(TransactionVersion::Legacy));
        assert_eq!(block.transactions[0].account_keys(), vec![payer, to, lanes_sdk::system_program::ID]);
        assert_eq!(block.transactions[1].version, Some(TransactionVersion::V0));
        assert_eq!(block.transactions[1].account_keys()[2], to);

        // No version field: none reported; one that is not the transaction's own, or unknown: refused.
        let mut unversioned = answer.clone();
        unversioned.as_object_mut().unwrap().remove("version");
        assert_eq!(parse_confirmed_transaction(&unversioned).unwrap().version, None);
        for (version, transaction) in
            [(json!("legacy"), wire64(&tx)), (json!(0), wire64(&legacy)), (json!(1), wire64(&tx))]
        {
            let mut wrong = answer.clone();
            wrong["version"] = version.clone();
            wrong["transaction"] = json!([transaction, "base64"]);
            let parsed = parse_confirmed_transaction(&wrong);
            assert!(matches!(parsed, Err(ClientError::InvalidResponse(_))), "{version}: {parsed:?}");
        }
    }

    #[test]
    fn context_values_and_filters() {
        assert_eq!(value_of(json!({ "context": { "slot": 1 }, "value": 3 })).unwrap(), json!(3));
        assert!(value_of(json!(3)).is_err());
        assert_eq!(AccountFilter::DataSize(76).to_json(), json!({ "dataSize": 76 }));
        assert_eq!(
            AccountFilter::Memcmp { offset: 32, bytes: vec![1, 2, 3] }.to_json(),
            json!({ "memcmp": { "offset": 32, "bytes": "AQID", "encoding": "base64" } })
        );
        assert!(short(&json!("x".repeat(500))).chars().count() <= 201);
    }
}
