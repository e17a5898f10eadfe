//! The HTTP side of JSON-RPC: the server on its own runtime, `POST /` with
//! one request or a batch (answered off the async threads), `GET /health`,
//! and the JSON-RPC envelope around [`dispatch`]'s result.
//!
//! Never: panic on a request, or lose a request's `id` (echoed with its
//! JSON type). A request that cannot be parsed gets -32700, one that is not
//! JSON-RPC 2.0 -32600, params that are not an array -32602.

use super::{dispatch, dispatch_serialized, Node, MAX_REQUEST_BYTES};
use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;

/// Serve RPC on `listener` until `stop` fires, on a runtime of its own.
pub(in crate::node) fn spawn(
    node: Arc<Node>,
    listener: std::net::TcpListener,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("lanes-rpc-io")
        .enable_all()
        .build()?;
    std::thread::Builder::new().name("lanes-rpc".into()).spawn(move || {
        runtime.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                tracing::error!("the RPC listener could not join the runtime");
                return;
            };
            let app = Router::new()
                .route("/", post(handle))
                .route("/health", get(|| async { "ok" }))
                .merge(crate::node::explorer::routes())
                .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST_BYTES))
                .with_state(node);
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stop.await;
            });
            if let Err(e) = served.await {
                tracing::error!("RPC stopped: {e}");
            }
        });
    })
}

async fn handle(axum::extract::State(node): axum::extract::State<Arc<Node>>, body: Bytes) -> impl IntoResponse {
    let response = match serde_json::from_slice::<Value>(&body) {
        Err(_) => error_response(Value::Null, -32700, "Parse error", None).to_string(),
        Ok(Value::Array(requests)) if requests.is_empty() => {
            error_response(Value::Null, -32600, "Invalid request", None).to_string()
        }
        Ok(Value::Array(requests)) if requests.iter().all(answered_inline) => batch(&node, requests),
        Ok(Value::Array(requests)) => {
            let node = node.clone();
            tokio::task::spawn_blocking(move || batch(&node, requests))
                .await
                .unwrap_or_else(|_| error_response(Value::Null, -32603, "Internal error", None).to_string())
        }
        Ok(request) if answered_inline(&request) => answer(&node, request),
        Ok(request) => {
            let node = node.clone();
            tokio::task::spawn_blocking(move || answer(&node, request))
                .await
                .unwrap_or_else(|_| error_response(Value::Null, -32603, "Internal error", None).to_string())
        }
    };
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], response)
}

/// A batch's answers, as one JSON array.
fn batch(node: &Node, requests: Vec<Value>) -> String {
    let answers: Vec<String> = requests.into_iter().map(|request| answer(node, request)).collect();
    format!("[{}]", answers.join(","))
}

/// Methods answered on the async worker itself: a few reads of memory or
/// of the account store, bounded and never waiting on a disk or a scan.
/// Everything else (scans, simulation, signature checks, the ledger) runs
/// on the blocking pool, so it cannot hold up other connections — at the
/// price of a hand-off between threads, which under full load costs more
/// than the reads listed here.
const INLINE_METHODS: &[&str] = &[
    "getAccountInfo",
    "getBalance",
    "getSlot",
    "getBlockHeight",
    "getEpochInfo",
    "getLatestBlockhash",
    "isBlockhashValid",
    "getHealth",
    "getVersion",
    "getIdentity",
    "getGenesisHash",
    "getTransactionCount",
    "getMinimumBalanceForRentExemption",
];

fn answered_inline(request: &Value) -> bool {
    request.get("method").and_then(Value::as_str).is_some_and(|method| INLINE_METHODS.contains(&method))
}

fn error_response(id: Value, code: i64, message: &str, data: Option<Value>) -> Value {
    let mut error = json!({ "code": code, "message": message });
    if let Some(data) = data {
        error["data"] = data;
    }
    json!({ "jsonrpc": "2.0", "error": error, "id": id })
}

/// One request to one response object, serialized. A method that writes
/// its own JSON (a large answer, built without a `Value` tree) is spliced
/// into the envelope as it is.
fn answer(node: &Node, request: Value) -> String {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let (Some(method), true) =
        (request.get("method").and_then(Value::as_str), request.get("jsonrpc").and_then(Value::as_str) == Some("2.0"))
    else {
        return error_response(id, -32600, "Invalid request", None).to_string();
    };
    let params = match request.get("params") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(params)) => params.clone(),
        Some(_) => return error_response(id, -32602, "Invalid params: expected an array", None).to_string(),
    };
    if let Some(serialized) = dispatch_serialized(node, method, &params) {
        return match serialized {
            // Keys in the order `json!` writes them (sorted): id, jsonrpc, result.
            Ok(result) => format!(r#"{{"id":{id},"jsonrpc":"2.0","result":{result}}}"#),
            Err(e) => error_response(id, e.code, &e.message, e.data).to_string(),
        };
    }
    match dispatch(node, method, &params) {
        Ok(result) => json!({ "jsonrpc": "2.0", "result": result, "id": id }).to_string(),
        Err(e) => error_response(id, e.code, &e.message, e.data).to_string(),
    }
}
