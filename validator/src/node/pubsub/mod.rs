//! Solana's PubSub over WebSocket (`accountSubscribe`, `signatureSubscribe`,
//! `logsSubscribe`, `programSubscribe`, `slotSubscribe`, `rootSubscribe` and
//! their `*Unsubscribe`), on a port of its own (by default the RPC port + 1,
//! where Solana's clients look for it). Requests, answers and notifications
//! have Agave's shapes; docs/rpc.md lists the methods and every deviation.
//!
//! Every notification comes from the frozen blocks the banking thread
//! publishes on [`Node::blocks`]: a block carries its transactions with
//! their outcomes and the accounts it left written, which is all a
//! subscription needs. On one node a block is processed, confirmed and
//! finalized at once (it is durable before it is published), so a
//! notification goes out when its block arrives, whatever the commitment.
//!
//! One thread runs its own small tokio runtime (current-thread): the
//! listener, one task per connection and the task that turns blocks into
//! notifications. It is apart from RPC's runtime so that encoding a burst of
//! notifications never delays an HTTP request, nor the other way round.
//!
//! Each connection has a bounded outgoing queue ([`MAX_QUEUED_MESSAGES`],
//! [`MAX_QUEUED_BYTES`]). A client that does not read fills it, and is then
//! dropped (and counted, [`PubSubCounters::dropped_slow`]); nobody waits for
//! it — not the banking thread (the block channel never blocks its sender),
//! not the other connections.
//!
//! Never: poll the bank for changes, block on a client, close a connection
//! for a keepalive (a JSON-RPC `ping` notification or a WebSocket ping), let
//! a notification overtake the answer to the request that subscribed it, or
//! panic on anything a client sends.

use super::block::Block;
use super::rpc::{account_json, invalid_params, program_accounts_filter, transaction_error_json, RpcError};
use super::Node;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use lanes_runtime::bank::program_accounts::{AccountFilter, MAX_FILTERS};
use lanes_sdk::{Account, Pubkey, Signature};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::future::IntoFuture;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::Notify;

/// Open connections at most; one more is refused (HTTP 503) before the upgrade.
pub const MAX_CONNECTIONS: usize = 1_000;
/// Live subscriptions one connection may hold.
pub const MAX_SUBSCRIPTIONS_PER_CONNECTION: usize = 1_000;
/// Messages waiting for one client at most before it is dropped.
pub const MAX_QUEUED_MESSAGES: usize = 10_000;
/// Bytes waiting for one client at most before it is dropped (a single
/// message larger than this still goes out when nothing else waits).
pub const MAX_QUEUED_BYTES: usize = 64 << 20;
/// Largest message a client may send (a batch of subscriptions fits).
pub const MAX_REQUEST_BYTES: usize = 64 << 10;
/// What Solana shows for base58 data over 128 bytes in a notification.
const BS58_TOO_LARGE: &str = "error: data too large for bs58 encoding";

/// What PubSub has seen since the node started.
#[derive(Debug, Default)]
pub struct PubSubCounters {
    /// Connections open now.
    pub connections: AtomicUsize,
    /// Connections refused because [`MAX_CONNECTIONS`] were open.
    pub refused: AtomicU64,
    /// Connections dropped because their client did not read.
    pub dropped_slow: AtomicU64,
    /// Blocks the notifier missed because it fell behind the banking thread.
    pub lagged_blocks: AtomicU64,
    /// Notifications queued for clients.
    pub notifications: AtomicU64,
}

/// Serve PubSub on `listener` until `stop` fires, on a runtime of its own.
/// The node's block stream is joined before this returns, so no block
/// frozen after the call is missed.
pub(super) fn spawn(
    node: Arc<Node>,
    listener: std::net::TcpListener,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let blocks = node.blocks.subscribe();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    std::thread::Builder::new().name("lanes-pubsub".into()).spawn(move || {
        runtime.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                tracing::error!("the PubSub listener could not join the runtime");
                return;
            };
            let server =
                Arc::new(Server { node, registry: Mutex::new(Registry::default()), next_connection: 0.into() });
            tokio::spawn(publish_blocks(server.clone(), blocks));
            let app = Router::new().fallback(upgrade).with_state(server);
            tokio::select! {
                served = axum::serve(listener, app).into_future() => {
                    if let Err(e) = served {
                        tracing::error!("PubSub stopped: {e}");
                    }
                }
                _ = stop => {}
            }
        });
        // Dropping the runtime ends every connection's task: sockets close.
        drop(runtime);
    })
}

struct Server {
    node: Arc<Node>,
    registry: Mutex<Registry>,
    next_connection: AtomicU64,
}

// ---------------------------------------------------------------------------
// Connections

/// Releases a connection's place in [`MAX_CONNECTIONS`] when dropped.
struct ConnectionSlot(Arc<Server>);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.0.node.pubsub.connections.fetch_sub(1, Relaxed);
    }
}

/// Any path: the WebSocket upgrade (Solana's clients connect to `/`).
async fn upgrade(State(server): State<Arc<Server>>, ws: WebSocketUpgrade) -> Response {
    let counters = &server.node.pubsub;
    if counters.connections.fetch_add(1, Relaxed) >= MAX_CONNECTIONS {
        counters.connections.fetch_sub(1, Relaxed);
        counters.refused.fetch_add(1, Relaxed);
        return (StatusCode::SERVICE_UNAVAILABLE, "too many PubSub connections").into_response();
    }
    let slot = ConnectionSlot(server.clone());
    ws.max_message_size(MAX_REQUEST_BYTES).max_frame_size(MAX_REQUEST_BYTES).on_upgrade(move |socket| async move {
        serve_connection(&server, socket).await;
        drop(slot);
    })
}

async fn serve_connection(server: &Server, socket: WebSocket) {
    let connection = server.next_connection.fetch_add(1, Relaxed);
    let outbox = Arc::new(Outbox::default());
    let (sink, stream) = socket.split();
    // Whichever ends first ends the connection: the client closed or broke
    // it, writing failed, or the client fell too far behind. Dropping the
    // other halves closes the socket even if a write is stuck.
    let overflowed = tokio::select! {
        () = read_requests(server, connection, &outbox, stream) => false,
        () = write_messages(&outbox, sink) => false,
        () = outbox.overflow.notified() => true,
    };
    server.registry.lock().remove_connection(connection);
    outbox.close();
    if overflowed {
        let dropped = server.node.pubsub.dropped_slow.fetch_add(1, Relaxed) + 1;
        tracing::warn!("PubSub dropped a connection that did not read its notifications ({dropped} so far)");
    }
}

async fn read_requests(server: &Server, connection: u64, outbox: &Arc<Outbox>, mut stream: SplitStream<WebSocket>) {
    while let Some(Ok(message)) = stream.next().await {
        let answer = match &message {
            Message::Text(text) => {
                outbox.hold();
                server.handle(connection, outbox, text.as_str())
            }
            Message::Binary(bytes) => {
                outbox.hold();
                match std::str::from_utf8(bytes) {
                    Ok(text) => server.handle(connection, outbox, text),
                    Err(_) => Some(error_response(Value::Null, -32700, "Parse error").to_string()),
                }
            }
            // tungstenite answers pings itself; a close is answered too and
            // ends the stream.
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) => continue,
        };
        outbox.release(answer);
    }
}

async fn write_messages(outbox: &Outbox, mut sink: SplitSink<WebSocket, Message>) {
    loop {
        match outbox.pop() {
            Some(message) => {
                if sink.feed(Message::Text(message.into())).await.is_err() {
                    return;
                }
            }
            None => {
                if sink.flush().await.is_err() {
                    return;
                }
                outbox.ready.notified().await;
            }
        }
    }
}

/// One connection's bounded outgoing queue.
#[derive(Default)]
struct Outbox {
    state: Mutex<OutboxState>,
    /// Something was queued (the writer waits on it).
    ready: Notify,
    /// The queue overflowed: drop the connection.
    overflow: Notify,
}

#[derive(Default)]
struct OutboxState {
    queue: VecDeque<String>,
    /// While a request is handled, what it notifies waits here, behind its
    /// answer (web3.js drops a notification for an id it was not told yet).
    held: Option<Vec<String>>,
    /// Messages and bytes in `queue` and `held`.
    messages: usize,
    bytes: usize,
    closed: bool,
}

impl OutboxState {
    /// Count `len` more bytes in, or `false` if they do not fit.
    fn admit(&mut self, len: usize) -> bool {
        if self.messages >= MAX_QUEUED_MESSAGES || (self.bytes > 0 && self.bytes.saturating_add(len) > MAX_QUEUED_BYTES)
        {
            return false;
        }
        self.messages += 1;
        self.bytes += len;
        true
    }
}

impl Outbox {
    /// Queue `message`; `false` if the connection is gone or overflowed now.
    fn push(&self, message: String) -> bool {
        let mut state = self.state.lock();
        if state.closed {
            return false;
        }
        if !state.admit(message.len()) {
            drop(state);
            self.overflowed();
            return false;
        }
        match &mut state.held {
            Some(held) => held.push(message),
            None => {
                state.queue.push_back(message);
                drop(state);
                self.ready.notify_one();
            }
        }
        true
    }

    /// From now until [`Outbox::release`], notifications wait.
    fn hold(&self) {
        self.state.lock().held.get_or_insert_with(Vec::new);
    }

    /// Queue `answer`, then what was held behind it.
    fn release(&self, answer: Option<String>) {
        let mut state = self.state.lock();
        let held = state.held.take().unwrap_or_default();
        if state.closed {
            return;
        }
        if let Some(answer) = answer {
            if !state.admit(answer.len()) {
                drop(state);
                self.overflowed();
                return;
            }
            state.queue.push_back(answer);
        }
        state.queue.extend(held);
        drop(state);
        self.ready.notify_one();
    }

    fn pop(&self) -> Option<String> {
        let mut state = self.state.lock();
        let message = state.queue.pop_front()?;
        state.messages -= 1;
        state.bytes -= message.len();
        Some(message)
    }

    fn overflowed(&self) {
        self.close();
        self.overflow.notify_one();
    }

    fn close(&self) {
        let mut state = self.state.lock();
        state.closed = true;
        state.queue = VecDeque::new();
        state.held = None;
        state.messages = 0;
        state.bytes = 0;
    }
}

// ---------------------------------------------------------------------------
// Subscriptions

enum Kind {
    /// `config`: the request's (encoding, dataSlice), for `account_json`.
    Account {
        pubkey: Pubkey,
        config: Option<Value>,
    },
    Program {
        program: Pubkey,
        filters: Vec<AccountFilter>,
        config: Option<Value>,
    },
    Signature {
        signature: Signature,
        received: bool,
    },
    /// `None`: every transaction.
    Logs {
        mentions: Option<Pubkey>,
    },
    Slot,
    Root,
    /// `slotsUpdatesSubscribe`: each slot created, frozen, confirmed, rooted.
    SlotsUpdates,
}

struct Subscription {
    connection: u64,
    outbox: Arc<Outbox>,
    kind: Kind,
}

/// Every live subscription, indexed the way blocks look them up. Ids are
/// unique per server, handed out in order from 0 (as Agave's).
#[derive(Default)]
struct Registry {
    next_id: u64,
    subscriptions: HashMap<u64, Subscription>,
    by_connection: HashMap<u64, BTreeSet<u64>>,
    accounts: HashMap<Pubkey, BTreeSet<u64>>,
    programs: HashMap<Pubkey, BTreeSet<u64>>,
    signatures: HashMap<Signature, BTreeSet<u64>>,
    logs_mentioning: HashMap<Pubkey, BTreeSet<u64>>,
    logs_all: BTreeSet<u64>,
    slots: BTreeSet<u64>,
    roots: BTreeSet<u64>,
    slots_updates: BTreeSet<u64>,
}

fn unindex<K: std::hash::Hash + Eq>(index: &mut HashMap<K, BTreeSet<u64>>, key: &K, id: u64) {
    if let Some(ids) = index.get_mut(key) {
        ids.remove(&id);
        if ids.is_empty() {
            index.remove(key);
        }
    }
}

impl Registry {
    fn insert(&mut self, connection: u64, outbox: &Arc<Outbox>, kind: Kind) -> Result<u64, RpcError> {
        let owned = self.by_connection.entry(connection).or_default();
        if owned.len() >= MAX_SUBSCRIPTIONS_PER_CONNECTION {
            return Err(RpcError {
                code: -32603,
                message: format!(
                    "Internal Error: Subscription refused. Connection subscription limit reached ({MAX_SUBSCRIPTIONS_PER_CONNECTION})"
                ),
                data: None,
            });
        }
        let id = self.next_id;
        self.next_id += 1;
        owned.insert(id);
        match &kind {
            Kind::Account { pubkey, .. } => self.accounts.entry(*pubkey).or_default().insert(id),
            Kind::Program { program, .. } => self.programs.entry(*program).or_default().insert(id),
            Kind::Signature { signature, .. } => self.signatures.entry(*signature).or_default().insert(id),
            Kind::Logs { mentions: Some(key) } => self.logs_mentioning.entry(*key).or_default().insert(id),
            Kind::Logs { mentions: None } => self.logs_all.insert(id),
            Kind::Slot => self.slots.insert(id),
            Kind::Root => self.roots.insert(id),
            Kind::SlotsUpdates => self.slots_updates.insert(id),
        };
        self.subscriptions.insert(id, Subscription { connection, outbox: outbox.clone(), kind });
        Ok(id)
    }

    fn remove(&mut self, id: u64) -> Option<Subscription> {
        let subscription = self.subscriptions.remove(&id)?;
        unindex(&mut self.by_connection, &subscription.connection, id);
        match &subscription.kind {
            Kind::Account { pubkey, .. } => unindex(&mut self.accounts, pubkey, id),
            Kind::Program { program, .. } => unindex(&mut self.programs, program, id),
            Kind::Signature { signature, .. } => unindex(&mut self.signatures, signature, id),
            Kind::Logs { mentions: Some(key) } => unindex(&mut self.logs_mentioning, key, id),
            Kind::Logs { mentions: None } => {
                self.logs_all.remove(&id);
            }
            Kind::Slot => {
                self.slots.remove(&id);
            }
            Kind::Root => {
                self.roots.remove(&id);
            }
            Kind::SlotsUpdates => {
                self.slots_updates.remove(&id);
            }
        }
        Some(subscription)
    }

    /// `connection`'s subscription `id`, removed; `false` if it has none such.
    fn unsubscribe(&mut self, connection: u64, id: u64) -> bool {
        let owned = self.by_connection.get(&connection).is_some_and(|ids| ids.contains(&id));
        owned && self.remove(id).is_some()
    }

    fn remove_connection(&mut self, connection: u64) {
        for id in self.by_connection.remove(&connection).unwrap_or_default() {
            self.remove(id);
        }
    }
}

fn notification(method: &str, subscription: u64, result: Value) -> String {
    json!({ "jsonrpc": "2.0", "method": method, "params": { "result": result, "subscription": subscription } })
        .to_string()
}

/// Notifications carry the slot alone as their context (no `apiVersion`).
fn with_context(slot: u64, value: Value) -> Value {
    json!({ "context": { "slot": slot }, "value": value })
}

/// A signature's final notification: `{err}` (`null` on success).
fn signature_result(slot: u64, result: &Result<(), lanes_sdk::transaction_error::TransactionError>) -> Value {
    with_context(slot, json!({ "err": result.as_ref().err().map(transaction_error_json) }))
}

/// `account` as a notification shows it in `config`'s encoding; base58 data
/// over 128 bytes is Solana's error string rather than a refusal.
fn account_value(account: &Account, config: Option<&Value>) -> Value {
    if let Ok(value) = account_json(account, config) {
        return value;
    }
    let bare =
        Account { lamports: account.lamports, data: Vec::new(), owner: account.owner, executable: account.executable };
    let mut value = account_json(&bare, None).unwrap_or(Value::Null);
    let legacy = config.and_then(|c| c.get("encoding")).and_then(Value::as_str).is_none_or(|e| e == "binary");
    value["data"] = if legacy { json!(BS58_TOO_LARGE) } else { json!([BS58_TOO_LARGE, "base58"]) };
    value["space"] = json!(account.data.len());
    value
}

impl Server {
    fn push(&self, subscription: &Subscription, message: String) {
        if subscription.outbox.push(message) {
            self.node.pubsub.notifications.fetch_add(1, Relaxed);
        }
    }

    /// Every notification `block` makes: slots, then its transactions in
    /// committed order (signatures, logs), then the accounts it wrote, then
    /// the root.
    fn publish(&self, block: &Block) {
        let mut registry = self.registry.lock();
        let registry = &mut *registry;
        let slot = block.slot;
        for id in &registry.slots {
            if let Some(subscription) = registry.subscriptions.get(id) {
                let info = json!({ "parent": block.parent_slot, "root": slot, "slot": slot });
                self.push(subscription, notification("slotNotification", *id, info));
            }
        }
        if !registry.slots_updates.is_empty() {
            let timestamp =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
            let failed = block.transactions.iter().filter(|t| t.outcome.result.is_err()).count() as u64;
            let total = block.transactions.len() as u64;
            // One node: a slot is created, frozen, confirmed and rooted at once.
            let updates = [
                json!({ "type": "createdBank", "slot": slot, "parent": block.parent_slot, "timestamp": timestamp }),
                json!({ "type": "frozen", "slot": slot, "timestamp": timestamp, "stats": {
                    "numTransactionEntries": u64::from(total > 0),
                    "numSuccessfulTransactions": total - failed,
                    "numFailedTransactions": failed,
                    "maxTransactionsPerEntry": total,
                } }),
                json!({ "type": "optimisticConfirmation", "slot": slot, "timestamp": timestamp }),
                json!({ "type": "root", "slot": slot, "timestamp": timestamp }),
            ];
            for id in &registry.slots_updates {
                if let Some(subscription) = registry.subscriptions.get(id) {
                    for update in &updates {
                        self.push(subscription, notification("slotsUpdatesNotification", *id, update.clone()));
                    }
                }
            }
        }
        let by_transaction =
            !(registry.signatures.is_empty() && registry.logs_all.is_empty() && registry.logs_mentioning.is_empty());
        for executed in block.transactions.iter().filter(|_| by_transaction) {
            let outcome = &executed.outcome;
            for id in registry.signatures.get(&outcome.signature).cloned().unwrap_or_default() {
                let Some(subscription) = registry.remove(id) else { continue };
                if let Kind::Signature { received: true, .. } = subscription.kind {
                    let received = with_context(slot, json!("receivedSignature"));
                    self.push(&subscription, notification("signatureNotification", id, received));
                }
                let result = signature_result(slot, &outcome.result);
                self.push(&subscription, notification("signatureNotification", id, result));
            }
            let mut logs_to: BTreeSet<u64> = registry.logs_all.clone();
            for key in &executed.transaction.message.account_keys {
                if let Some(ids) = registry.logs_mentioning.get(key) {
                    logs_to.extend(ids);
                }
            }
            if logs_to.is_empty() {
                continue;
            }
            let logs = with_context(
                slot,
                json!({
                    "signature": outcome.signature.to_string(),
                    "err": outcome.result.as_ref().err().map(transaction_error_json),
                    "logs": outcome.log_messages(),
                }),
            );
            for id in logs_to {
                if let Some(subscription) = registry.subscriptions.get(&id) {
                    self.push(subscription, notification("logsNotification", id, logs.clone()));
                }
            }
        }
        let deleted = Account::default();
        let by_account = !(registry.accounts.is_empty() && registry.programs.is_empty());
        for (key, account) in block.written_accounts.iter().filter(|_| by_account) {
            if let Some(ids) = registry.accounts.get(key) {
                // An account left with no lamports is gone: Solana shows the
                // empty default account.
                let shown = if account.lamports == 0 { &deleted } else { account };
                for id in ids {
                    let Some(subscription) = registry.subscriptions.get(id) else { continue };
                    let Kind::Account { config, .. } = &subscription.kind else { continue };
                    let value = with_context(slot, account_value(shown, config.as_ref()));
                    self.push(subscription, notification("accountNotification", *id, value));
                }
            }
            if let Some(ids) = registry.programs.get(&account.owner) {
                for id in ids {
                    let Some(subscription) = registry.subscriptions.get(id) else { continue };
                    let Kind::Program { filters, config, .. } = &subscription.kind else { continue };
                    if filters.iter().all(|filter| filter.matches(&account.data)) {
                        let keyed =
                            json!({ "pubkey": key.to_string(), "account": account_value(account, config.as_ref()) });
                        self.push(subscription, notification("programNotification", *id, with_context(slot, keyed)));
                    }
                }
            }
        }
        for id in &registry.roots {
            if let Some(subscription) = registry.subscriptions.get(id) {
                self.push(subscription, notification("rootNotification", *id, json!(slot)));
            }
        }
    }

    /// After blocks were missed: every signature subscription whose
    /// transaction the node has executed since is notified from the
    /// statuses (accounts and logs of the missed blocks are lost).
    fn recover_signatures(&self) {
        let pending: Vec<(u64, Signature)> = {
            let registry = self.registry.lock();
            registry.signatures.iter().flat_map(|(signature, ids)| ids.iter().map(|id| (*id, *signature))).collect()
        };
        for (id, signature) in pending {
            self.notify_if_executed(id, &signature);
        }
    }

    /// If `signature` is among the node's recent statuses, notify its
    /// subscription `id` now and remove it — unless a block did first.
    fn notify_if_executed(&self, id: u64, signature: &Signature) {
        let Some(recorded) = self.node.statuses.lock().get(signature).cloned() else {
            return;
        };
        let Some(subscription) = self.registry.lock().remove(id) else {
            return;
        };
        let result = signature_result(recorded.slot, &recorded.result);
        self.push(&subscription, notification("signatureNotification", id, result));
    }

    // -----------------------------------------------------------------------
    // Requests

    /// One WebSocket message to its answer (none for notifications).
    fn handle(&self, connection: u64, outbox: &Arc<Outbox>, text: &str) -> Option<String> {
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
                "solana-core": super::rpc::SOLANA_API_VERSION,
                "feature-set": 0u32,
                "lanes": env!("CARGO_PKG_VERSION"),
            })),
            _ => Err(RpcError { code: -32601, message: "Method not found".into(), data: None }),
        }
    }
}

fn error_response(id: Value, code: i64, message: &str) -> Value {
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

/// Relay the node's frozen blocks into notifications until the node goes.
async fn publish_blocks(server: Arc<Server>, mut blocks: tokio::sync::broadcast::Receiver<Arc<Block>>) {
    loop {
        match blocks.recv().await {
            Ok(block) => server.publish(&block),
            Err(RecvError::Lagged(missed)) => {
                server.node.pubsub.lagged_blocks.fetch_add(missed, Relaxed);
                tracing::warn!("PubSub fell behind and missed {missed} blocks' notifications");
                server.recover_signatures();
            }
            Err(RecvError::Closed) => return,
        }
    }
}
