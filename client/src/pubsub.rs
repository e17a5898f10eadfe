//! Solana's PubSub over a blocking WebSocket: one connection per
//! [`Subscription`], which yields typed notifications (`logsSubscribe`,
//! `signatureSubscribe`, `slotSubscribe`) as an iterator, each wait bounded;
//! and [`SignatureSubscriptions`], many signatures followed on one
//! connection.
//!
//! Never: wait without a bound (connecting, the handshake, the
//! subscription's answer and every notification have a timeout), take a
//! notification of another subscription for this one, or panic on what
//! the server sends.

use crate::error::{strings, ClientError, RpcError, TransactionFailure};
use crate::http::host_port;
use crate::types::{invalid, parse_signature, short, CommitmentLevel};
use lanes_sdk::{Pubkey, Signature};
use serde_json::{json, Value};
use std::io::ErrorKind;
use std::marker::PhantomData;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

/// How often a blocked read wakes to check its deadline.
const READ_TICK: Duration = Duration::from_millis(100);

/// Which transactions' logs `logsSubscribe` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogsFilter {
    /// Every committed transaction.
    All,
    /// Transactions naming this address among their accounts.
    Mentions(Pubkey),
}

/// A `logsNotification`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogsNotification {
    pub slot: u64,
    pub signature: Signature,
    pub err: Option<TransactionFailure>,
    pub logs: Vec<String>,
}

/// A `signatureNotification`: the transaction landed (`err` if it failed).
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureNotification {
    pub slot: u64,
    pub err: Option<TransactionFailure>,
}

/// A `slotNotification`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotNotification {
    pub slot: u64,
    pub parent: u64,
    pub root: u64,
}

/// A notification kind: its method name and how its `result` reads.
pub trait Notification: Sized {
    /// `logsNotification`, …
    const METHOD: &'static str;
    /// `logsUnsubscribe`, …
    const UNSUBSCRIBE: &'static str;
    /// `Ok(None)`: a notification to skip (e.g. `receivedSignature`).
    fn parse(result: &Value) -> Result<Option<Self>, ClientError>;
    /// Whether the server ends the subscription after this one.
    fn is_last(&self) -> bool {
        false
    }
}

fn context_slot(result: &Value) -> u64 {
    result.get("context").and_then(|c| c.get("slot")).and_then(Value::as_u64).unwrap_or(0)
}

impl Notification for LogsNotification {
    const METHOD: &'static str = "logsNotification";
    const UNSUBSCRIBE: &'static str = "logsUnsubscribe";

    fn parse(result: &Value) -> Result<Option<Self>, ClientError> {
        let value = result.get("value").ok_or_else(|| invalid(format!("no value in {}", short(result))))?;
        Ok(Some(LogsNotification {
            slot: context_slot(result),
            signature: parse_signature(value.get("signature").and_then(Value::as_str).unwrap_or(""))?,
            err: value.get("err").and_then(TransactionFailure::from_json),
            logs: strings(value.get("logs")),
        }))
    }
}

impl Notification for SignatureNotification {
    const METHOD: &'static str = "signatureNotification";
    const UNSUBSCRIBE: &'static str = "signatureUnsubscribe";

    fn parse(result: &Value) -> Result<Option<Self>, ClientError> {
        match result.get("value") {
            // `"receivedSignature"`: only with enableReceivedNotification.
            Some(Value::String(_)) => Ok(None),
            Some(value) if value.is_object() => Ok(Some(SignatureNotification {
                slot: context_slot(result),
                err: value.get("err").and_then(TransactionFailure::from_json),
            })),
            _ => Err(invalid(format!("no value in {}", short(result)))),
        }
    }

    fn is_last(&self) -> bool {
        true
    }
}

impl Notification for SlotNotification {
    const METHOD: &'static str = "slotNotification";
    const UNSUBSCRIBE: &'static str = "slotUnsubscribe";

    fn parse(result: &Value) -> Result<Option<Self>, ClientError> {
        let field = |name| result.get(name).and_then(Value::as_u64);
        match (field("slot"), field("parent"), field("root")) {
            (Some(slot), parent, root) => {
                Ok(Some(SlotNotification { slot, parent: parent.unwrap_or(0), root: root.unwrap_or(0) }))
            }
            _ => Err(invalid(format!("no slot in {}", short(result)))),
        }
    }
}

/// One subscription on a connection of its own. As an iterator it yields
/// each notification, `Err(Timeout)` when none came within its timeout
/// (the subscription stays usable), and ends after the server closes it
/// or, for `signatureSubscribe`, after the one notification.
pub struct Subscription<T: Notification> {
    socket: WebSocket<TcpStream>,
    id: u64,
    timeout: Duration,
    finished: bool,
    _kind: PhantomData<T>,
}

impl<T: Notification> Subscription<T> {
    /// The server's id for this subscription.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// How long the iterator waits for each notification.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// The next notification, waiting at most `timeout`.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<T, ClientError> {
        if self.finished {
            return Err(ClientError::PubSub("the subscription has ended".into()));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let message = match read_json(&mut self.socket, deadline, timeout) {
                Err(e @ ClientError::PubSub(_)) => {
                    self.finished = true;
                    return Err(e);
                }
                other => other?,
            };
            if message.get("method").and_then(Value::as_str) != Some(T::METHOD) {
                continue;
            }
            let params = message.get("params").unwrap_or(&Value::Null);
            if params.get("subscription").and_then(Value::as_u64) != Some(self.id) {
                continue;
            }
            if let Some(notification) = T::parse(params.get("result").unwrap_or(&Value::Null))? {
                self.finished = notification.is_last();
                return Ok(notification);
            }
        }
    }
}

impl<T: Notification> Iterator for Subscription<T> {
    type Item = Result<T, ClientError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        Some(self.recv_timeout(self.timeout))
    }
}

impl<T: Notification> Drop for Subscription<T> {
    fn drop(&mut self) {
        // Best effort, bounded by the socket's write timeout: the server
        // drops the subscription with the connection anyway.
        if !self.finished {
            let request = json!({ "jsonrpc": "2.0", "id": 2, "method": T::UNSUBSCRIBE, "params": [self.id] });
            let _ = self.socket.send(Message::text(request.to_string()));
        }
        let _ = self.socket.close(None);
        let _ = self.socket.flush();
    }
}

/// The next JSON message (text or binary frame), by `deadline`.
fn read_json(socket: &mut WebSocket<TcpStream>, deadline: Instant, timeout: Duration) -> Result<Value, ClientError> {
    loop {
        match socket.read() {
            Ok(Message::Text(text)) => {
                return serde_json::from_str(text.as_str())
                    .map_err(|e| invalid(format!("PubSub message not JSON ({e})")))
            }
            Ok(Message::Binary(bytes)) => {
                return serde_json::from_slice(&bytes).map_err(|e| invalid(format!("PubSub message not JSON ({e})")))
            }
            Ok(Message::Close(_)) => return Err(ClientError::PubSub("the node closed the connection".into())),
            Ok(_) => {} // ping (answered by tungstenite), pong, raw frame
            Err(tungstenite::Error::Io(e)) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                return Err(ClientError::PubSub("the connection is closed".into()))
            }
            Err(e) => return Err(ClientError::PubSub(e.to_string())),
        }
        if Instant::now() >= deadline {
            return Err(ClientError::Timeout {
                what: "waiting for a PubSub notification".into(),
                seconds: timeout.as_secs_f64(),
            });
        }
    }
}

/// A WebSocket to `ws_url`, its reads waking every [`READ_TICK`].
fn connect(ws_url: &str, timeout: Duration) -> Result<WebSocket<TcpStream>, ClientError> {
    let unreachable = |why: String| ClientError::Unreachable { url: ws_url.to_string(), why };
    let address = host_port(ws_url)?;
    let socket_addr = address
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .next()
        .ok_or_else(|| unreachable("no address".into()))?;
    let stream = TcpStream::connect_timeout(&socket_addr, timeout).map_err(|e| unreachable(e.to_string()))?;
    let setup = |s: &TcpStream| -> std::io::Result<()> {
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(timeout))?;
        s.set_write_timeout(Some(timeout))
    };
    setup(&stream).map_err(|e| unreachable(e.to_string()))?;
    let (socket, _) =
        tungstenite::client(ws_url, stream).map_err(|e| ClientError::PubSub(format!("WebSocket handshake: {e}")))?;
    socket.get_ref().set_read_timeout(Some(READ_TICK)).map_err(|e| unreachable(e.to_string()))?;
    Ok(socket)
}

/// A subscription's id from the answer to its request.
fn subscription_id(answer: &Value) -> Result<u64, ClientError> {
    if let Some(error) = answer.get("error").filter(|e| !e.is_null()) {
        return Err(ClientError::Rpc(RpcError::from_json(error)));
    }
    answer
        .get("result")
        .and_then(Value::as_u64)
        .ok_or_else(|| invalid(format!("a subscription id that is not a number: {}", short(answer))))
}

/// Connect to `ws_url`, send `method` with `params`, and read its answer: the subscription.
pub fn subscribe<T: Notification>(
    ws_url: &str,
    method: &str,
    params: Value,
    timeout: Duration,
) -> Result<Subscription<T>, ClientError> {
    let mut socket = connect(ws_url, timeout)?;
    let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    socket.send(Message::text(request.to_string())).map_err(|e| ClientError::PubSub(e.to_string()))?;
    // A subscription's notifications never come before the answer with its id.
    let deadline = Instant::now() + timeout;
    let id = loop {
        let answer = read_json(&mut socket, deadline, timeout)?;
        if answer.get("id").and_then(Value::as_u64) == Some(1) {
            break subscription_id(&answer)?;
        }
    };
    Ok(Subscription { socket, id, timeout, finished: false, _kind: PhantomData })
}

/// Many `signatureSubscribe`s on one connection, for following a sample
/// of transactions (as `lanes-bench remote` does): subscribe them all at
/// once, then take each one's notification, tagged with the caller's key,
/// as it comes. A server may cap subscriptions per connection (Lanes:
/// 1,000); open more connections for more.
pub struct SignatureSubscriptions<K> {
    socket: WebSocket<TcpStream>,
    /// Subscription id → the caller's key, until its notification.
    open: std::collections::HashMap<u64, K>,
    /// Notifications read while subscribing, before their ids were known.
    early: Vec<Value>,
}

impl<K: Copy> SignatureSubscriptions<K> {
    /// Connect to `ws_url` and subscribe every `(key, signature)` at
    /// `commitment`: the requests in one burst, then their answers.
    pub fn subscribe(
        ws_url: &str,
        signatures: &[(K, Signature)],
        commitment: CommitmentLevel,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        let mut socket = connect(ws_url, timeout)?;
        for (i, (_, signature)) in signatures.iter().enumerate() {
            let params = json!([signature.to_string(), { "commitment": commitment.as_str() }]);
            let request = json!({ "jsonrpc": "2.0", "id": i, "method": "signatureSubscribe", "params": params });
            socket.write(Message::text(request.to_string())).map_err(|e| ClientError::PubSub(e.to_string()))?;
        }
        socket.flush().map_err(|e| ClientError::PubSub(e.to_string()))?;
        let mut open = std::collections::HashMap::with_capacity(signatures.len());
        let mut early = Vec::new();
        let deadline = Instant::now() + timeout;
        while open.len() < signatures.len() {
            let message = read_json(&mut socket, deadline, timeout)?;
            let Some(i) = message.get("id").and_then(Value::as_u64) else {
                early.push(message);
                continue;
            };
            let (key, _) = signatures
                .get(i as usize)
                .ok_or_else(|| invalid(format!("an answer to no request: {}", short(&message))))?;
            open.insert(subscription_id(&message)?, *key);
        }
        Ok(SignatureSubscriptions { socket, open, early })
    }

    /// Subscriptions still waiting for their notification.
    pub fn pending(&self) -> usize {
        self.open.len()
    }

    /// The next notification of one of these subscriptions, with its key;
    /// `Ok(None)` if none came within `timeout`.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<Option<(K, SignatureNotification)>, ClientError> {
        let deadline = Instant::now() + timeout;
        loop {
            let message = match self.early.pop() {
                Some(message) => message,
                None => match read_json(&mut self.socket, deadline, timeout) {
                    Ok(message) => message,
                    Err(ClientError::Timeout { .. }) => return Ok(None),
                    Err(e) => return Err(e),
                },
            };
            if message.get("method").and_then(Value::as_str) != Some(SignatureNotification::METHOD) {
                continue;
            }
            let params = message.get("params").unwrap_or(&Value::Null);
            let Some(id) = params.get("subscription").and_then(Value::as_u64) else { continue };
            let Some(notification) = SignatureNotification::parse(params.get("result").unwrap_or(&Value::Null))? else {
                continue;
            };
            if let Some(key) = self.open.remove(&id) {
                return Ok(Some((key, notification)));
            }
        }
    }
}

impl<K> Drop for SignatureSubscriptions<K> {
    fn drop(&mut self) {
        // The server drops the subscriptions with the connection.
        let _ = self.socket.close(None);
        let _ = self.socket.flush();
    }
}

/// `logsSubscribe`.
pub fn logs_subscribe(
    ws_url: &str,
    filter: LogsFilter,
    commitment: CommitmentLevel,
    timeout: Duration,
) -> Result<Subscription<LogsNotification>, ClientError> {
    let filter = match filter {
        LogsFilter::All => json!("all"),
        LogsFilter::Mentions(address) => json!({ "mentions": [address.to_string()] }),
    };
    subscribe(ws_url, "logsSubscribe", json!([filter, { "commitment": commitment.as_str() }]), timeout)
}

/// `signatureSubscribe`: one notification, when the transaction lands.
pub fn signature_subscribe(
    ws_url: &str,
    signature: &Signature,
    commitment: CommitmentLevel,
    timeout: Duration,
) -> Result<Subscription<SignatureNotification>, ClientError> {
    let params = json!([signature.to_string(), { "commitment": commitment.as_str() }]);
    subscribe(ws_url, "signatureSubscribe", params, timeout)
}

/// `slotSubscribe`.
pub fn slot_subscribe(ws_url: &str, timeout: Duration) -> Result<Subscription<SlotNotification>, ClientError> {
    subscribe(ws_url, "slotSubscribe", json!([]), timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_parse_and_refuse_garbage() {
        let signature = Signature([7; 64]);
        let logs = LogsNotification::parse(&json!({ "context": { "slot": 9 },
            "value": { "signature": signature.to_string(), "err": null, "logs": ["Program log: hi"] } }))
        .unwrap()
        .unwrap();
        assert_eq!((logs.slot, logs.signature, logs.err, logs.logs.len()), (9, signature, None, 1));
        assert!(LogsNotification::parse(&json!({ "value": { "signature": "nope" } })).is_err());
        assert!(LogsNotification::parse(&json!(5)).is_err());

        let landed = SignatureNotification::parse(&json!({ "context": { "slot": 3 },
            "value": { "err": { "InstructionError": [0, { "Custom": 2 }] } } }))
        .unwrap()
        .unwrap();
        assert_eq!(landed.err.unwrap().custom_code(), Some(2));
        assert!(SignatureNotification::parse(&json!({ "value": "receivedSignature" })).unwrap().is_none());
        assert!(SignatureNotification::parse(&json!({})).is_err());

        let slot = SlotNotification::parse(&json!({ "slot": 5, "parent": 4, "root": 5 })).unwrap().unwrap();
        assert_eq!(slot, SlotNotification { slot: 5, parent: 4, root: 5 });
        assert!(SlotNotification::parse(&json!({ "parent": 4 })).is_err());
    }

    #[test]
    fn subscribing_to_nothing_listening_is_unreachable_not_a_hang() {
        // A port just freed: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let started = Instant::now();
        let err = slot_subscribe(&format!("ws://127.0.0.1:{port}/"), Duration::from_secs(2)).err().unwrap();
        assert!(matches!(err, ClientError::Unreachable { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}
