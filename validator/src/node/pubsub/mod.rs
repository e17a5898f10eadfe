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

mod connection;
mod notify;
mod registry;
mod requests;

use super::Node;
use axum::Router;
use connection::upgrade;
use notify::publish_blocks;
use parking_lot::Mutex;
use registry::Registry;
use std::future::IntoFuture;
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::sync::Arc;

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
