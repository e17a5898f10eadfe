//! [`RpcClient`]: the typed JSON-RPC methods a program needs to drive a
//! node — reads, airdrops, sending, confirming, simulating, history — and
//! the PubSub subscriptions reached through it.
//!
//! Never: wait without a bound (each request has the client's timeout;
//! confirming has its own and polls), report a transaction landed before
//! the node says it reached the commitment asked for, or panic on an
//! answer.

use crate::error::{ClientError, TransactionFailure};
use crate::http::{expand_moniker, websocket_url, Http};
use crate::pubsub::{self, LogsFilter, LogsNotification, SignatureNotification, SlotNotification, Subscription};
use crate::types::*;
use base64::Engine as _;
use lanes_sdk::client::Keypair;
use lanes_sdk::message::WireError;
use lanes_sdk::transaction::{Transaction, VersionedTransaction};
use lanes_sdk::{system_instruction, system_program, Account, Hash, Instruction, Pubkey, Signature};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long one request may take unless [`RpcClient::with_timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long [`RpcClient::send_and_confirm`] waits for a transaction.
pub const DEFAULT_CONFIRM_TIMEOUT: Duration = Duration::from_secs(60);
/// Most signatures one `getSignatureStatuses` takes.
pub const MAX_STATUSES_PER_CALL: usize = 256;

/// A signed transaction the client sends: a legacy [`Transaction`], or a
/// [`VersionedTransaction`] (legacy or v0).
pub trait SendableTransaction {
    /// Solana's wire format.
    fn to_wire(&self) -> Result<Vec<u8>, WireError>;
    /// The blockhash whose expiry ends its chance to land; `None` for a
    /// durable-nonce transaction (its first instruction advances a nonce,
    /// and its blockhash field is that nonce, which never expires by age).
    fn expiring_blockhash(&self) -> Option<&Hash>;
}

impl SendableTransaction for Transaction {
    fn to_wire(&self) -> Result<Vec<u8>, WireError> {
        Transaction::to_wire(self)
    }

    fn expiring_blockhash(&self) -> Option<&Hash> {
        let message = &self.message;
        let uses_nonce = message.instructions.first().is_some_and(|ix| {
            message.account_keys.get(usize::from(ix.program_id_index)) == Some(&system_program::ID)
                && system_instruction::is_advance_nonce_instruction_data(&ix.data)
        });
        (!uses_nonce).then_some(&message.recent_blockhash)
    }
}

impl SendableTransaction for VersionedTransaction {
    fn to_wire(&self) -> Result<Vec<u8>, WireError> {
        VersionedTransaction::to_wire(self)
    }

    fn expiring_blockhash(&self) -> Option<&Hash> {
        (!self.uses_durable_nonce()).then(|| self.message.recent_blockhash())
    }
}

/// A blocking client for one node's JSON-RPC (and its PubSub beside it).
///
/// Cheap to share across threads by reference: requests go over a pool
/// of keep-alive connections.
pub struct RpcClient {
    http: Http,
    ws_url: String,
    timeout: Duration,
    commitment: CommitmentLevel,
    confirm_timeout: Duration,
}

impl RpcClient {
    /// A client for `url` (`http://HOST:PORT`, or `localhost`), confirming
    /// at `confirmed`, with [`DEFAULT_TIMEOUT`] per request. Nothing is
    /// sent until the first call.
    pub fn new(url: &str) -> Result<RpcClient, ClientError> {
        let url = expand_moniker(url);
        Ok(RpcClient {
            ws_url: websocket_url(&url)?,
            http: Http::new(&url, DEFAULT_TIMEOUT)?,
            timeout: DEFAULT_TIMEOUT,
            commitment: CommitmentLevel::Confirmed,
            confirm_timeout: DEFAULT_CONFIRM_TIMEOUT,
        })
    }

    /// Bound every request (connect, send, read) by `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Result<RpcClient, ClientError> {
        self.http = Http::new(self.http.url(), timeout)?;
        self.timeout = timeout;
        Ok(self)
    }

    /// The commitment reads ask for and confirmations wait for.
    pub fn with_commitment(mut self, commitment: CommitmentLevel) -> RpcClient {
        self.commitment = commitment;
        self
    }

    /// How long [`RpcClient::send_and_confirm`] waits.
    pub fn with_confirm_timeout(mut self, timeout: Duration) -> RpcClient {
        self.confirm_timeout = timeout;
        self
    }

    /// Where PubSub lives, if not on the RPC port + 1.
    pub fn with_websocket_url(mut self, ws_url: &str) -> RpcClient {
        self.ws_url = ws_url.to_string();
        self
    }

    pub fn url(&self) -> &str {
        self.http.url()
    }

    pub fn websocket_url(&self) -> &str {
        &self.ws_url
    }

    pub fn commitment(&self) -> CommitmentLevel {
        self.commitment
    }

    /// Any JSON-RPC method: its `result`.
    pub fn call(&self, method: &str, params: Value) -> Result<Value, ClientError> {
        self.http.call(method, params)
    }

    fn commitment_config(&self) -> Value {
        json!({ "commitment": self.commitment.as_str() })
    }

    /// `getHealth`: `Ok` when the node answers `"ok"`.
    pub fn get_health(&self) -> Result<(), ClientError> {
        match self.call("getHealth", json!([]))? {
            Value::String(ok) if ok == "ok" => Ok(()),
            other => Err(invalid(format!("unhealthy: {}", short(&other)))),
        }
    }

    /// `getVersion`, as the node sends it.
    pub fn get_version(&self) -> Result<Value, ClientError> {
        self.call("getVersion", json!([]))
    }

    /// `getBalance` in lamports.
    pub fn get_balance(&self, address: &Pubkey) -> Result<u64, ClientError> {
        let value = value_of(self.call("getBalance", json!([address.to_string(), self.commitment_config()]))?)?;
        value.as_u64().ok_or_else(|| invalid(format!("a balance that is not a number: {}", short(&value))))
    }

    /// `getAccountInfo` (base64), decoded; `None` when there is no such account.
    pub fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, ClientError> {
        let config = json!({ "encoding": "base64", "commitment": self.commitment.as_str() });
        let value = value_of(self.call("getAccountInfo", json!([address.to_string(), config]))?)?;
        if value.is_null() {
            return Ok(None);
        }
        parse_account(&value).map(Some)
    }

    /// `getProgramAccounts` (base64) with up to four filters, sorted by address.
    pub fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ClientError> {
        let filters: Vec<Value> = filters.iter().map(AccountFilter::to_json).collect();
        let config = json!({ "encoding": "base64", "commitment": self.commitment.as_str(), "filters": filters });
        let result = self.call("getProgramAccounts", json!([program.to_string(), config]))?;
        // `withContext` was not asked for, but a server may wrap it anyway.
        let list = match result {
            Value::Array(list) => list,
            Value::Object(_) => match value_of(result)? {
                Value::Array(list) => list,
                other => return Err(invalid(format!("not a list of accounts: {}", short(&other)))),
            },
            other => return Err(invalid(format!("not a list of accounts: {}", short(&other)))),
        };
        list.iter()
            .map(|entry| {
                let account = entry.get("account").ok_or_else(|| invalid("an entry without an account"))?;
                Ok((parse_pubkey(str_field(entry, "pubkey")?)?, parse_account(account)?))
            })
            .collect()
    }

    /// `getLatestBlockhash`.
    pub fn get_latest_blockhash(&self) -> Result<LatestBlockhash, ClientError> {
        let value = value_of(self.call("getLatestBlockhash", json!([self.commitment_config()]))?)?;
        Ok(LatestBlockhash {
            blockhash: parse_hash(str_field(&value, "blockhash")?)?,
            last_valid_block_height: u64_field(&value, "lastValidBlockHeight")?,
        })
    }

    /// `isBlockhashValid`.
    pub fn is_blockhash_valid(&self, blockhash: &Hash) -> Result<bool, ClientError> {
        let value = value_of(self.call("isBlockhashValid", json!([blockhash.to_string(), self.commitment_config()]))?)?;
        value.as_bool().ok_or_else(|| invalid(format!("not a boolean: {}", short(&value))))
    }

    /// `getMinimumBalanceForRentExemption`.
    pub fn get_minimum_balance_for_rent_exemption(&self, data_len: usize) -> Result<u64, ClientError> {
        let value = self.call("getMinimumBalanceForRentExemption", json!([data_len]))?;
        value.as_u64().ok_or_else(|| invalid(format!("not a number: {}", short(&value))))
    }

    /// `getSlot` at the client's commitment.
    pub fn get_slot(&self) -> Result<u64, ClientError> {
        let value = self.call("getSlot", json!([self.commitment_config()]))?;
        value.as_u64().ok_or_else(|| invalid(format!("a slot that is not a number: {}", short(&value))))
    }

    /// `getBlockHeight` at the client's commitment.
    pub fn get_block_height(&self) -> Result<u64, ClientError> {
        let value = self.call("getBlockHeight", json!([self.commitment_config()]))?;
        value.as_u64().ok_or_else(|| invalid(format!("a height that is not a number: {}", short(&value))))
    }

    /// `requestAirdrop`: the faucet's transaction's signature (not yet confirmed).
    pub fn request_airdrop(&self, to: &Pubkey, lamports: u64) -> Result<Signature, ClientError> {
        let value = self.call("requestAirdrop", json!([to.to_string(), lamports, self.commitment_config()]))?;
        parse_signature(value.as_str().unwrap_or(""))
    }

    /// [`RpcClient::request_airdrop`], then wait until it lands.
    pub fn airdrop_and_confirm(&self, to: &Pubkey, lamports: u64) -> Result<Signature, ClientError> {
        let signature = self.request_airdrop(to, lamports)?;
        self.confirm_landed(&signature, None)?;
        Ok(signature)
    }

    /// `sendTransaction` (base64) with preflight: the node simulates it
    /// first and refuses it (-32002, with the logs) if it would fail.
    pub fn send_transaction(&self, transaction: &impl SendableTransaction) -> Result<Signature, ClientError> {
        self.send_transaction_with_config(transaction, false)
    }

    /// `sendTransaction` (base64), with or without preflight.
    pub fn send_transaction_with_config(
        &self,
        transaction: &impl SendableTransaction,
        skip_preflight: bool,
    ) -> Result<Signature, ClientError> {
        let value = self.call("sendTransaction", send_params(transaction, skip_preflight, self.commitment)?)?;
        parse_signature(value.as_str().unwrap_or(""))
    }

    /// `simulateTransaction` (base64, signatures not checked).
    pub fn simulate_transaction(
        &self,
        transaction: &impl SendableTransaction,
    ) -> Result<SimulationResult, ClientError> {
        let config = json!({ "encoding": "base64", "commitment": self.commitment.as_str() });
        let value = value_of(self.call("simulateTransaction", json!([wire_base64(transaction)?, config]))?)?;
        Ok(parse_simulation(&value))
    }

    /// `getSignatureStatuses` for any number of signatures (in calls of
    /// [`MAX_STATUSES_PER_CALL`]); `None` where the node knows none.
    pub fn get_signature_statuses(
        &self,
        signatures: &[Signature],
    ) -> Result<Vec<Option<SignatureStatus>>, ClientError> {
        let mut statuses = Vec::with_capacity(signatures.len());
        for chunk in signatures.chunks(MAX_STATUSES_PER_CALL) {
            let list: Vec<String> = chunk.iter().map(Signature::to_string).collect();
            let value = value_of(self.call("getSignatureStatuses", json!([list]))?)?;
            let values = value.as_array().ok_or_else(|| invalid("statuses that are not a list"))?;
            if values.len() != chunk.len() {
                return Err(invalid(format!("{} statuses for {} signatures", values.len(), chunk.len())));
            }
            for value in values {
                statuses.push(parse_status(value)?);
            }
        }
        Ok(statuses)
    }

    /// `getSignatureStatuses` with `searchTransactionHistory` (one signature).
    pub fn get_signature_status_with_history(
        &self,
        signature: &Signature,
    ) -> Result<Option<SignatureStatus>, ClientError> {
        let params = json!([[signature.to_string()], { "searchTransactionHistory": true }]);
        let value = value_of(self.call("getSignatureStatuses", params)?)?;
        parse_status(value.get(0).unwrap_or(&Value::Null))
    }

    /// Poll until `signature` reaches `commitment` (its status, which may
    /// carry an error: it landed and failed), or [`ClientError::Timeout`].
    pub fn confirm(
        &self,
        signature: &Signature,
        commitment: CommitmentLevel,
        timeout: Duration,
    ) -> Result<SignatureStatus, ClientError> {
        self.wait_for(signature, commitment, timeout, None)
    }

    fn wait_for(
        &self,
        signature: &Signature,
        commitment: CommitmentLevel,
        timeout: Duration,
        blockhash: Option<&Hash>,
    ) -> Result<SignatureStatus, ClientError> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(10);
        let mut next_blockhash_check = start + Duration::from_secs(2);
        loop {
            if let Some(status) = self.get_signature_statuses(std::slice::from_ref(signature))?.pop().flatten() {
                if status.satisfies(commitment) {
                    return Ok(status);
                }
            } else if let Some(blockhash) = blockhash.filter(|_| Instant::now() >= next_blockhash_check) {
                // Not seen yet: once its blockhash has expired it never will be.
                next_blockhash_check = Instant::now() + Duration::from_secs(2);
                if !self.is_blockhash_valid(blockhash)? {
                    // One last look: it may have landed just before.
                    if self.get_signature_statuses(std::slice::from_ref(signature))?.pop().flatten().is_none() {
                        return Err(ClientError::BlockhashExpired { signature: signature.to_string() });
                    }
                }
            }
            if start.elapsed() >= timeout {
                return Err(ClientError::Timeout {
                    what: format!("waiting for {signature} to be {}", commitment.as_str()),
                    seconds: timeout.as_secs_f64(),
                });
            }
            std::thread::sleep(pause.min(timeout.saturating_sub(start.elapsed())));
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    /// Wait for `signature` at the client's commitment; a failure is
    /// [`ClientError::TransactionFailed`] with the transaction's logs.
    pub(crate) fn confirm_landed(&self, signature: &Signature, blockhash: Option<&Hash>) -> Result<(), ClientError> {
        let status = self.wait_for(signature, self.commitment, self.confirm_timeout, blockhash)?;
        match status.err {
            None => Ok(()),
            Some(err) => Err(self.failed(signature, err)),
        }
    }

    /// A landed failure, with its logs when the node has them.
    pub(crate) fn failed(&self, signature: &Signature, err: TransactionFailure) -> ClientError {
        let logs = self
            .get_transaction(signature)
            .ok()
            .flatten()
            .and_then(|tx| tx.meta)
            .map(|meta| meta.logs)
            .unwrap_or_default();
        ClientError::TransactionFailed { signature: signature.to_string(), err, logs }
    }

    /// Send with preflight and wait until it lands at the client's
    /// commitment (or its blockhash expires, or the confirm timeout; a
    /// durable-nonce transaction waits for the timeout alone).
    pub fn send_and_confirm(&self, transaction: &impl SendableTransaction) -> Result<Signature, ClientError> {
        let signature = self.send_transaction(transaction)?;
        self.confirm_landed(&signature, transaction.expiring_blockhash())?;
        Ok(signature)
    }

    /// Build a transaction of `instructions` paid by `payer`, signed by it
    /// and `signers` at the latest blockhash, send and confirm it.
    pub fn send_instructions(
        &self,
        instructions: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
    ) -> Result<Signature, ClientError> {
        let blockhash = self.get_latest_blockhash()?.blockhash;
        let transaction = sign(instructions, payer, signers, blockhash)?;
        self.send_and_confirm(&transaction)
    }

    /// `getTransaction` (base64, legacy or v0: it says it reads version 0)
    /// at `confirmed`; `None` when the node has none.
    pub fn get_transaction(&self, signature: &Signature) -> Result<Option<ConfirmedTransaction>, ClientError> {
        let config = json!({ "encoding": "base64", "commitment": "confirmed", "maxSupportedTransactionVersion": 0 });
        let value = self.call("getTransaction", json!([signature.to_string(), config]))?;
        if value.is_null() {
            return Ok(None);
        }
        parse_confirmed_transaction(&value).map(Some)
    }

    /// `getBlock` with every transaction (base64, legacy or v0) and its meta.
    pub fn get_block(&self, slot: u64) -> Result<Block, ClientError> {
        let config = json!({ "encoding": "base64", "transactionDetails": "full", "rewards": false,
                             "commitment": "confirmed", "maxSupportedTransactionVersion": 0 });
        let value = self.call("getBlock", json!([slot, config]))?;
        if value.is_null() {
            return Err(invalid(format!("no block for slot {slot}")));
        }
        parse_block(slot, &value)
    }

    /// `logsSubscribe` on this node's PubSub.
    pub fn logs_subscribe(&self, filter: LogsFilter) -> Result<Subscription<LogsNotification>, ClientError> {
        pubsub::logs_subscribe(&self.ws_url, filter, self.commitment, self.timeout)
    }

    /// `signatureSubscribe` on this node's PubSub: one notification when it lands.
    pub fn signature_subscribe(
        &self,
        signature: &Signature,
    ) -> Result<Subscription<SignatureNotification>, ClientError> {
        pubsub::signature_subscribe(&self.ws_url, signature, self.commitment, self.timeout)
    }

    /// `slotSubscribe` on this node's PubSub.
    pub fn slot_subscribe(&self) -> Result<Subscription<SlotNotification>, ClientError> {
        pubsub::slot_subscribe(&self.ws_url, self.timeout)
    }

    pub(crate) fn http(&self) -> &Http {
        &self.http
    }
}

/// A transaction of `instructions` paid by `payer`, signed by it and
/// `signers` (a signer given twice, or the payer again, is fine).
pub fn sign(
    instructions: &[Instruction],
    payer: &Keypair,
    signers: &[&Keypair],
    blockhash: Hash,
) -> Result<Transaction, ClientError> {
    let mut all: Vec<&Keypair> = vec![payer];
    for signer in signers {
        if !all.iter().any(|k| k.pubkey() == signer.pubkey()) {
            all.push(signer);
        }
    }
    let mut transaction = Transaction::new_with_payer(instructions, &payer.pubkey(), &blockhash);
    transaction.try_sign(&all, blockhash)?;
    Ok(transaction)
}

pub(crate) fn wire_base64(transaction: &impl SendableTransaction) -> Result<String, ClientError> {
    let wire = transaction.to_wire().map_err(|e| ClientError::Encode(e.to_string()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(wire))
}

pub(crate) fn send_params(
    transaction: &impl SendableTransaction,
    skip_preflight: bool,
    commitment: CommitmentLevel,
) -> Result<Value, ClientError> {
    Ok(json!([wire_base64(transaction)?, { "encoding": "base64", "skipPreflight": skip_preflight,
                                           "preflightCommitment": commitment.as_str() }]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::RpcError;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    /// A one-connection-per-answer HTTP server on loopback that gives each
    /// request the next canned `(status, body)`; its URL.
    fn canned_server(answers: Vec<(u16, &'static str)>) -> String {
        canned_server_seeing(answers.into_iter().map(|(status, body)| (status, body.to_string())).collect()).0
    }

    /// [`canned_server`], which also hands over each request body it read.
    fn canned_server_seeing(answers: Vec<(u16, String)>) -> (String, std::sync::mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (seen, requests) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for (status, body) in answers {
                let Ok((stream, _)) = listener.accept() else { return };
                stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut reader = BufReader::new(stream);
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut request = vec![0; length];
                let _ = reader.read_exact(&mut request);
                let _ = seen.send(String::from_utf8_lossy(&request).into_owned());
                let mut stream = reader.into_inner();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (url, requests)
    }

    #[test]
    fn an_unreachable_node_is_a_clear_error_not_a_hang() {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let client = RpcClient::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let err = client.get_slot().unwrap_err();
        assert!(matches!(err, ClientError::Unreachable { .. }), "{err}");
        assert!(err.to_string().contains("is lanes-validator running?"), "{err}");
        assert!(matches!(RpcClient::new("https://x:1"), Err(ClientError::InvalidUrl { .. })));
    }

    #[test]
    fn whatever_a_server_answers_is_a_typed_error_never_a_panic() {
        let url = canned_server(vec![
            (200, "not json"),
            (500, "boom"),
            (200, r#"{"jsonrpc":"2.0","id":1,"result":"seven"}"#),
            (200, r#"{"jsonrpc":"2.0","id":1,"result":{"context":{"slot":1},"value":{"lamports":1}}}"#),
            (200, r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}"#),
            (200, r#"{"jsonrpc":"2.0","id":1,"result":{"context":{"slot":1},"value":[null, 5]}}"#),
            (200, r#"{"jsonrpc":"2.0","id":1,"result":null}"#),
        ]);
        let client = RpcClient::new(&url).unwrap().with_timeout(Duration::from_secs(5)).unwrap();
        assert!(matches!(client.get_slot(), Err(ClientError::InvalidResponse(_))));
        assert!(matches!(client.get_slot(), Err(ClientError::Http { status: 500, .. })));
        assert!(matches!(client.get_slot(), Err(ClientError::InvalidResponse(_))));
        assert!(matches!(client.get_account(&Pubkey::default()), Err(ClientError::InvalidResponse(_))));
        assert!(matches!(client.get_slot(), Err(ClientError::Rpc(RpcError { code: -32601, .. }))));
        let statuses = client.get_signature_statuses(&[Signature::default(), Signature::default()]);
        assert!(matches!(statuses, Err(ClientError::InvalidResponse(_))), "{statuses:?}");
        assert_eq!(client.get_transaction(&Signature::default()).unwrap(), None);
    }

    #[test]
    fn get_transaction_and_get_block_read_a_v0_transaction_back() {
        use crate::types::tests::{v0_transfer, wire64};
        use lanes_sdk::message::TransactionVersion;
        let to = Pubkey::new_unique_from_u64(42);
        let (tx, payer) = v0_transfer(to);
        let meta = json!({ "err": null, "fee": 5000, "preBalances": [9, 1, 0], "postBalances": [4, 1, 5],
                           "logMessages": ["Program 11111111111111111111111111111111 success"],
                           "computeUnitsConsumed": 150,
                           "loadedAddresses": { "writable": [to.to_string()], "readonly": [] } });
        let transaction = json!({ "slot": 9, "blockTime": 1, "version": 0, "meta": meta,
                                  "transaction": [wire64(&tx), "base64"] });
        let block = json!({ "blockhash": Hash::default().to_string(), "previousBlockhash": Hash::default().to_string(),
                            "parentSlot": 8, "blockTime": 1, "blockHeight": 9, "transactions": [
                                { "transaction": [wire64(&tx), "base64"], "version": 0, "meta": meta } ] });
        let (url, requests) = canned_server_seeing(vec![
            (200, json!({ "jsonrpc": "2.0", "id": 1, "result": transaction }).to_string()),
            (200, json!({ "jsonrpc": "2.0", "id": 1, "result": block }).to_string()),
        ]);
        let client = RpcClient::new(&url).unwrap().with_timeout(Duration::from_secs(5)).unwrap();

        let got = client.get_transaction(tx.signature().unwrap()).unwrap().expect("the canned transaction");
        assert_eq!((got.slot, got.version), (9, Some(TransactionVersion::V0)));
        assert_eq!(got.transaction, tx);
        assert_eq!(got.account_keys(), vec![payer, lanes_sdk::system_program::ID, to]);
        let got_meta = got.meta.unwrap();
        assert_eq!(got_meta.loaded_addresses.unwrap().writable, vec![to]);
        assert_eq!(got_meta.post_balances[2], 5, "the loaded account's balance");
        let block = client.get_block(9).unwrap();
        assert_eq!(block.transactions.len(), 1);
        assert_eq!(block.transactions[0].transaction, tx);
        assert_eq!(block.transactions[0].version, Some(TransactionVersion::V0));

        // Both asked as a client that reads v0, in base64.
        for method in ["getTransaction", "getBlock"] {
            let request: Value = serde_json::from_str(&requests.recv_timeout(Duration::from_secs(5)).unwrap()).unwrap();
            assert_eq!(request["method"], json!(method));
            assert_eq!(request["params"][1]["maxSupportedTransactionVersion"], json!(0), "{request}");
            assert_eq!(request["params"][1]["encoding"], json!("base64"), "{request}");
        }
    }

    #[test]
    fn a_durable_nonce_transaction_has_no_expiring_blockhash() {
        let payer = Keypair::new();
        let nonce = Pubkey::new_unique_from_u64(43);
        let value = Hash::new_from_array([3; 32]);
        let advance = system_instruction::advance_nonce_account(&nonce, &payer.pubkey());
        let transfer = system_instruction::transfer(&payer.pubkey(), &nonce, 1);
        let on_nonce = sign(&[advance, transfer.clone()], &payer, &[], value).unwrap();
        assert_eq!(SendableTransaction::expiring_blockhash(&on_nonce), None);
        assert_eq!(VersionedTransaction::from(&on_nonce).expiring_blockhash(), None);
        let plain = sign(&[transfer], &payer, &[], value).unwrap();
        assert_eq!(SendableTransaction::expiring_blockhash(&plain), Some(&value));
        assert_eq!(VersionedTransaction::from(&plain).expiring_blockhash(), Some(&value));
        assert_eq!(SendableTransaction::to_wire(&plain).unwrap(), plain.to_wire().unwrap());
    }
}
