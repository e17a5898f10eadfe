//! PubSub's connections: the WebSocket upgrade (at most
//! [`MAX_CONNECTIONS`] open; one more is refused with HTTP 503), one task
//! per connection reading requests and writing what its [`Outbox`] holds.
//!
//! Each connection has a bounded outgoing queue ([`MAX_QUEUED_MESSAGES`],
//! [`MAX_QUEUED_BYTES`]). A client that does not read fills it, and is then
//! dropped (and counted); nobody waits for it. While a request is handled,
//! the notifications it causes wait behind its answer.
//!
//! Never: block on a client, close a connection for a keepalive (a
//! WebSocket ping is answered by tungstenite), or let a notification
//! overtake the answer to the request that subscribed it.

use super::requests::error_response;
use super::{Server, MAX_CONNECTIONS, MAX_QUEUED_BYTES, MAX_QUEUED_MESSAGES, MAX_REQUEST_BYTES};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use tokio::sync::Notify;

/// Releases a connection's place in [`MAX_CONNECTIONS`] when dropped.
struct ConnectionSlot(Arc<Server>);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.0.node.pubsub.connections.fetch_sub(1, Relaxed);
    }
}

/// Any path: the WebSocket upgrade (Solana's clients connect to `/`).
pub(super) async fn upgrade(State(server): State<Arc<Server>>, ws: WebSocketUpgrade) -> Response {
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
pub(super) struct Outbox {
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
    pub(super) fn push(&self, message: String) -> bool {
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
