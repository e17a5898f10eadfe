//! The explorer: a self-contained web page the validator serves on its RPC
//! port (`GET /` and `/explorer/...`), built on the node's own JSON-RPC and
//! PubSub. Every file it needs is embedded in the binary.
//!
//! Never: fetch anything from the network, or slow the banking thread
//! (it reads what RPC reads, and nothing more).

use super::Node;
use axum::Router;
use std::sync::Arc;

/// The explorer's routes, merged into the RPC server's.
pub(in crate::node) fn routes() -> Router<Arc<Node>> {
    Router::new()
}
