//! The explorer: a self-contained web page the validator serves on its RPC
//! port (`GET /` and `/explorer/...`), built on the node's own JSON-RPC and
//! PubSub. Every file it needs is embedded in the binary (`assets/`,
//! hand-written HTML, CSS and JavaScript, no library).
//!
//! Its Lanes methods (`lanesDecodeAccount`, `lanesGetProgramStats`) are
//! answered here through [`dispatch`], chained after RPC's own.
//!
//! Never: fetch anything from the network, or slow the banking thread
//! (it reads what RPC reads, and nothing more).

mod decode;
mod program;

use super::rpc::RpcError;
use super::Node;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;

const INDEX_HTML: &str = include_str!("assets/index.html");
const EXPLORER_JS: &str = include_str!("assets/explorer.js");
const EXPLORER_CSS: &str = include_str!("assets/explorer.css");
const FAVICON_SVG: &str = include_str!("assets/favicon.svg");

/// The explorer's routes, merged into the RPC server's (`POST /` stays
/// JSON-RPC).
pub(in crate::node) fn routes() -> Router<Arc<Node>> {
    Router::new()
        .route("/", get(index))
        .route("/explorer", get(index))
        .route("/explorer/", get(index))
        .route("/explorer/explorer.js", get(|| asset("text/javascript; charset=utf-8", EXPLORER_JS)))
        .route("/explorer/explorer.css", get(|| asset("text/css; charset=utf-8", EXPLORER_CSS)))
        .route("/explorer/favicon.svg", get(|| asset("image/svg+xml", FAVICON_SVG)))
        .route("/favicon.ico", get(|| asset("image/svg+xml", FAVICON_SVG)))
        .route("/explorer/config.json", get(config))
}

async fn index() -> impl IntoResponse {
    asset("text/html; charset=utf-8", INDEX_HTML).await
}

async fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    // `no-cache`: revalidated each load, so a rebuilt node never serves a
    // stale page from the browser's cache.
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body)
}

/// What the page cannot know from its own URL: where PubSub listens (the
/// page swaps an unspecified bind address for the host it was loaded from).
async fn config(State(node): State<Arc<Node>>) -> impl IntoResponse {
    let pubsub = node.pubsub_addr;
    let body = json!({
        "pubsub": {
            "address": pubsub.to_string(),
            "host": if pubsub.ip().is_unspecified() { Value::Null } else { json!(pubsub.ip().to_string()) },
            "port": pubsub.port(),
        },
        "rpc": node.rpc_addr.to_string(),
        "identity": node.identity.pubkey().to_string(),
        "genesisHash": node.genesis_hash.to_string(),
        "version": env!("CARGO_PKG_VERSION"),
        "programs": {
            "token": lanes_token::ID.to_string(),
            "amm": lanes_amm::ID.to_string(),
            "lending": lanes_lending::ID.to_string(),
            "loader": lanes_sdk::loader::ID.to_string(),
            "system": lanes_sdk::system_program::ID.to_string(),
        },
    });
    ([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-cache")], body.to_string())
}

/// The explorer's Lanes method `method`, or `None` when it is not one.
pub(in crate::node) fn dispatch(node: &Node, method: &str, params: &[Value]) -> Option<Result<Value, RpcError>> {
    Some(match method {
        "lanesDecodeAccount" => decode::decode_account(node, params),
        "lanesGetProgramStats" => program::program_stats(node, params),
        _ => return None,
    })
}
