//! [`ClientError`]: every way a call to a node can fail, typed, with
//! Solana's JSON-RPC error code, message and data (the simulation's logs)
//! kept as the node sent them; [`TransactionFailure`]: a transaction's
//! `err` as Solana's RPC shows it.
//!
//! Never: lose what the server said (the code, message and data stay), or
//! render an error on more than one line (the CLI prints them as they are).

use serde_json::Value;
use std::fmt;

/// What a call to a node can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The URL is not one this client speaks (only `http://` and `ws://`).
    #[error("invalid URL {url}: {why}")]
    InvalidUrl { url: String, why: String },
    /// No connection could be made (refused, unresolvable, reset).
    #[error("cannot reach {url}: {why} (is lanes-validator running?)")]
    Unreachable { url: String, why: String },
    /// A bounded wait ran out: connecting, a request, a confirmation.
    #[error("timed out after {seconds:.1} s: {what}")]
    Timeout { what: String, seconds: f64 },
    /// The server answered with an HTTP status other than 200 and no JSON-RPC error.
    #[error("HTTP {status} from {url}: {body}")]
    Http { url: String, status: u16, body: String },
    /// The node answered with a JSON-RPC error.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The node answered something this client cannot read.
    #[error("unexpected answer from the node: {0}")]
    InvalidResponse(String),
    /// The transaction landed and failed.
    #[error("transaction {signature} failed: {err}")]
    TransactionFailed { signature: String, err: TransactionFailure, logs: Vec<String> },
    /// The transaction's blockhash expired before it landed.
    #[error("transaction {signature} did not land before its blockhash expired")]
    BlockhashExpired { signature: String },
    /// A keypair the message needs is missing, or one given is not a signer.
    #[error("signing: {0}")]
    Signer(#[from] lanes_sdk::client::SignerError),
    /// A transaction that cannot be put in Solana's wire format.
    #[error("cannot encode the transaction: {0}")]
    Encode(String),
    /// A program file this client refuses to deploy.
    #[error("{0}")]
    InvalidProgram(String),
    /// A deploy or upgrade that cannot go ahead (authority, immutability, account kind).
    #[error("{0}")]
    Deploy(String),
    /// The WebSocket failed or the subscription was refused or closed.
    #[error("PubSub: {0}")]
    PubSub(String),
}

impl ClientError {
    /// The logs the node gave with this error: a failed preflight's
    /// simulation logs, or a landed transaction's.
    pub fn logs(&self) -> Vec<String> {
        match self {
            ClientError::Rpc(e) => e.logs(),
            ClientError::TransactionFailed { logs, .. } => logs.clone(),
            _ => Vec::new(),
        }
    }

    /// The transaction error, when the node ran (or simulated) the
    /// transaction and it failed.
    pub fn transaction_failure(&self) -> Option<TransactionFailure> {
        match self {
            ClientError::Rpc(e) => e.simulation_error(),
            ClientError::TransactionFailed { err, .. } => Some(err.clone()),
            _ => None,
        }
    }
}

/// A JSON-RPC error object as the node sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// Solana's codes: -32002 preflight failure, -32003 signature
    /// verification, -32005 node busy, -32602 bad parameters, …
    pub code: i64,
    pub message: String,
    /// For -32002: the simulation (`{err, logs, unitsConsumed, …}`).
    pub data: Option<Value>,
}

/// Solana's code for a failed preflight simulation.
pub const PREFLIGHT_FAILURE: i64 = -32002;
/// Solana's code for a transaction whose signatures do not verify.
pub const SIGNATURE_VERIFICATION_FAILURE: i64 = -32003;
/// Lanes' code for a full transaction queue (Solana's "node is behind").
pub const NODE_BUSY: i64 = -32005;

impl RpcError {
    /// Read a JSON-RPC `error` object; anything malformed is kept as text.
    pub fn from_json(error: &Value) -> RpcError {
        RpcError {
            code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
            message: error
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| error.to_string()),
            data: error.get("data").filter(|d| !d.is_null()).cloned(),
        }
    }

    /// `data.logs`, when the node sent them (a failed preflight).
    pub fn logs(&self) -> Vec<String> {
        strings(self.data.as_ref().and_then(|d| d.get("logs")))
    }

    /// `data.err` of a failed preflight.
    pub fn simulation_error(&self) -> Option<TransactionFailure> {
        TransactionFailure::from_json(self.data.as_ref()?.get("err")?)
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RPC error {}: {}", self.code, self.message)
    }
}

impl std::error::Error for RpcError {}

/// A transaction's `err`, as Solana's RPC shows it: a name
/// (`"BlockhashNotFound"`), or an object such as
/// `{"InstructionError":[0,{"Custom":1}]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionFailure(pub Value);

impl TransactionFailure {
    /// `None` for JSON `null` (no error).
    pub fn from_json(err: &Value) -> Option<TransactionFailure> {
        (!err.is_null()).then(|| TransactionFailure(err.clone()))
    }

    /// The failed instruction's index and its error, for an `InstructionError`.
    pub fn instruction_error(&self) -> Option<(u64, &Value)> {
        let pair = self.0.get("InstructionError")?.as_array()?;
        Some((pair.first()?.as_u64()?, pair.get(1)?))
    }

    /// The program's custom error code, for `InstructionError(_, Custom(n))`.
    pub fn custom_code(&self) -> Option<u32> {
        let (_, inner) = self.instruction_error()?;
        inner.get("Custom")?.as_u64().and_then(|c| u32::try_from(c).ok())
    }
}

impl fmt::Display for TransactionFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((index, inner)) = self.instruction_error() {
            return match (inner.get("Custom").and_then(Value::as_u64), inner.as_str()) {
                (Some(code), _) => write!(f, "Error processing Instruction {index}: custom program error: {code:#x}"),
                (None, Some(name)) => write!(f, "Error processing Instruction {index}: {name}"),
                _ => write!(f, "Error processing Instruction {index}: {inner}"),
            };
        }
        match self.to_sdk() {
            Some(known) => write!(f, "{known}"),
            None => match self.0.as_str() {
                Some(name) => f.write_str(name),
                None => write!(f, "{}", self.0),
            },
        }
    }
}

impl TransactionFailure {
    /// The transaction-level error as `lanes_sdk` names it (Solana's
    /// messages), when it is one of those (`InstructionError` is not
    /// converted: its inner error is kept as the node wrote it).
    pub fn to_sdk(&self) -> Option<lanes_sdk::transaction_error::TransactionError> {
        use lanes_sdk::transaction_error::TransactionError::*;
        if let Some(index) = self.0.get("InsufficientFundsForRent").and_then(|v| v.get("account_index")) {
            return Some(InsufficientFundsForRent { account_index: u8::try_from(index.as_u64()?).ok()? });
        }
        if let Some(index) = self.0.get("DuplicateInstruction") {
            return Some(DuplicateInstruction(u8::try_from(index.as_u64()?).ok()?));
        }
        Some(match self.0.as_str()? {
            "AccountInUse" => AccountInUse,
            "AccountLoadedTwice" => AccountLoadedTwice,
            "AccountNotFound" => AccountNotFound,
            "ProgramAccountNotFound" => ProgramAccountNotFound,
            "InsufficientFundsForFee" => InsufficientFundsForFee,
            "InvalidAccountForFee" => InvalidAccountForFee,
            "AlreadyProcessed" => AlreadyProcessed,
            "BlockhashNotFound" => BlockhashNotFound,
            "CallChainTooDeep" => CallChainTooDeep,
            "MissingSignatureForFee" => MissingSignatureForFee,
            "InvalidAccountIndex" => InvalidAccountIndex,
            "SignatureFailure" => SignatureFailure,
            "InvalidProgramForExecution" => InvalidProgramForExecution,
            "SanitizeFailure" => SanitizeFailure,
            "UnsupportedVersion" => UnsupportedVersion,
            "TooManyAccountLocks" => TooManyAccountLocks,
            "InvalidComputeBudget" => InvalidComputeBudget,
            "MaxLoadedAccountsDataSizeExceeded" => MaxLoadedAccountsDataSizeExceeded,
            "InvalidLoadedAccountsDataSizeLimit" => InvalidLoadedAccountsDataSizeLimit,
            "AddressLookupTableNotFound" => AddressLookupTableNotFound,
            "InvalidAddressLookupTableOwner" => InvalidAddressLookupTableOwner,
            "InvalidAddressLookupTableData" => InvalidAddressLookupTableData,
            "InvalidAddressLookupTableIndex" => InvalidAddressLookupTableIndex,
            _ => return None,
        })
    }
}

/// A JSON array of strings (anything else is skipped).
pub(crate) fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn preflight_error_keeps_code_message_and_logs() {
        let error = RpcError::from_json(&json!({
            "code": -32002,
            "message": "Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1",
            "data": { "err": { "InstructionError": [0, { "Custom": 1 }] }, "logs": ["Program 111 invoke [1]", "fail"] }
        }));
        assert_eq!(error.code, PREFLIGHT_FAILURE);
        assert_eq!(error.logs(), vec!["Program 111 invoke [1]".to_string(), "fail".to_string()]);
        let failure = error.simulation_error().unwrap();
        assert_eq!(failure.custom_code(), Some(1));
        assert_eq!(failure.to_string(), "Error processing Instruction 0: custom program error: 0x1");
        let client = ClientError::Rpc(error);
        assert_eq!(client.logs().len(), 2);
        assert!(client.to_string().starts_with("RPC error -32002: Transaction simulation failed"));
    }

    #[test]
    fn malformed_error_objects_never_panic() {
        for weird in [json!(null), json!("text"), json!({ "code": "x" }), json!({ "data": [1] }), json!(7)] {
            let error = RpcError::from_json(&weird);
            assert!(error.logs().is_empty());
            assert!(error.simulation_error().is_none());
            let _ = error.to_string();
        }
    }

    #[test]
    fn transaction_failures_render_as_solana_names_them() {
        assert_eq!(TransactionFailure::from_json(&json!(null)), None);
        let name = TransactionFailure::from_json(&json!("BlockhashNotFound")).unwrap();
        assert_eq!(name.to_string(), "Blockhash not found");
        assert_eq!(TransactionFailure(json!("SomethingNew")).to_string(), "SomethingNew");
        assert_eq!(name.custom_code(), None);
        let named = TransactionFailure(json!({ "InstructionError": [2, "InvalidAccountData"] }));
        assert_eq!(named.to_string(), "Error processing Instruction 2: InvalidAccountData");
        let rent = TransactionFailure(json!({ "InsufficientFundsForRent": { "account_index": 1 } }));
        assert_eq!(rent.to_string(), "Transaction results in an account (1) with insufficient funds for rent");
        let odd = TransactionFailure(json!({ "InsufficientFundsForRent": { "account_index": 999 } }));
        assert_eq!(odd.to_string(), r#"{"InsufficientFundsForRent":{"account_index":999}}"#);
    }

    #[test]
    fn lookup_table_failures_read_as_solana_names_them() {
        use lanes_sdk::transaction_error::TransactionError;
        for (name, expected) in [
            ("AddressLookupTableNotFound", TransactionError::AddressLookupTableNotFound),
            ("InvalidAddressLookupTableOwner", TransactionError::InvalidAddressLookupTableOwner),
            ("InvalidAddressLookupTableData", TransactionError::InvalidAddressLookupTableData),
            ("InvalidAddressLookupTableIndex", TransactionError::InvalidAddressLookupTableIndex),
        ] {
            let failure = TransactionFailure(json!(name));
            assert_eq!(failure.to_sdk(), Some(expected.clone()), "{name}");
            assert_eq!(failure.to_string(), expected.to_string());
        }
        assert_eq!(
            TransactionFailure(json!("AddressLookupTableNotFound")).to_string(),
            "Transaction loads an address table account that doesn't exist"
        );
    }
}
