//! The JSON-RPC transport: one `ureq` agent (pooled keep-alive HTTP/1.1
//! connections, plain http only) posting JSON-RPC 2.0 requests and
//! batches; and the URL rules (`localhost` monikers, the PubSub URL next
//! to an RPC URL).
//!
//! Never: wait without a bound (every request has the agent's timeout),
//! read a body over [`MAX_BODY`], go through a proxy the environment
//! names (a local node is reached directly), or panic on what a server
//! answers.

use crate::error::{ClientError, RpcError};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The largest response body read: a `getProgramAccounts` answer may hold
/// 64 MiB of account data (the node's bound), base64 makes it 4/3 of that.
pub const MAX_BODY: u64 = 128 << 20;

/// The RPC URL `localhost` stands for (Solana's CLI default for `-u localhost`).
pub const LOCALHOST_URL: &str = "http://127.0.0.1:8899";

/// Solana's CLI monikers a Lanes user may give for the local node
/// (`localhost`, `l`), else the URL as given.
pub fn expand_moniker(url: &str) -> String {
    match url {
        "localhost" | "l" => LOCALHOST_URL.to_string(),
        other => other.to_string(),
    }
}

/// `(scheme, host, port, path)` of an `http://` or `ws://` URL.
fn split_url(url: &str) -> Result<(&str, &str, Option<u16>, &str), ClientError> {
    let invalid = |why: &str| ClientError::InvalidUrl { url: url.to_string(), why: why.to_string() };
    let (scheme, rest) = url.split_once("://").ok_or_else(|| invalid("expected http://HOST:PORT"))?;
    if !matches!(scheme, "http" | "ws") {
        return Err(invalid(&format!("only http:// (and ws://) are supported, not {scheme}://")));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(invalid("no host"));
    }
    // `[::1]:8899` or `host:8899` or `host`.
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => {
            (host, Some(port.parse::<u16>().map_err(|_| invalid(&format!("bad port {port}")))?))
        }
        _ => (authority, None),
    };
    Ok((scheme, host, port, path))
}

/// Check an RPC URL (after [`expand_moniker`]): `http://HOST[:PORT][/PATH]`.
pub fn check_http_url(url: &str) -> Result<(), ClientError> {
    match split_url(url)? {
        ("http", ..) => Ok(()),
        _ => Err(ClientError::InvalidUrl { url: url.to_string(), why: "expected http://HOST:PORT".into() }),
    }
}

/// The PubSub URL beside an RPC URL, where Solana's clients look for it:
/// `ws://` on the RPC port + 1 (the same port when none is given).
pub fn websocket_url(rpc_url: &str) -> Result<String, ClientError> {
    let (scheme, host, port, _) = split_url(rpc_url)?;
    if scheme == "ws" {
        return Ok(rpc_url.to_string());
    }
    Ok(match port {
        Some(port) => format!("ws://{host}:{}/", port.checked_add(1).unwrap_or(port)),
        None => format!("ws://{host}/"),
    })
}

/// `HOST:PORT` of a `ws://` or `http://` URL (port 80 when none is given).
pub(crate) fn host_port(url: &str) -> Result<String, ClientError> {
    let (_, host, port, _) = split_url(url)?;
    Ok(format!("{host}:{}", port.unwrap_or(80)))
}

/// One node's JSON-RPC endpoint: pooled connections, bounded requests.
pub(crate) struct Http {
    agent: ureq::Agent,
    url: String,
    timeout: Duration,
    next_id: AtomicU64,
}

impl Http {
    pub(crate) fn new(url: &str, timeout: Duration) -> Result<Http, ClientError> {
        check_http_url(url)?;
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .proxy(None)
            .no_delay(true)
            .build();
        Ok(Http {
            agent: ureq::Agent::new_with_config(config),
            url: url.to_string(),
            timeout,
            next_id: AtomicU64::new(1),
        })
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// POST `body`; the parsed JSON answer.
    fn post(&self, body: String) -> Result<Value, ClientError> {
        let response = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .send(body.as_bytes())
            .map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .into_with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| self.transport_error(e))?;
        match (status, serde_json::from_slice::<Value>(&bytes)) {
            (200, Ok(value)) => Ok(value),
            // A JSON-RPC error says more than the status it came with.
            (_, Ok(value)) if value.get("error").is_some() => Ok(value),
            (200, Err(e)) => Err(ClientError::InvalidResponse(format!("not JSON ({e})"))),
            _ => Err(ClientError::Http {
                url: self.url.clone(),
                status,
                body: String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).trim().to_string(),
            }),
        }
    }

    fn transport_error(&self, e: ureq::Error) -> ClientError {
        let seconds = self.timeout.as_secs_f64();
        match e {
            ureq::Error::Timeout(what) => ClientError::Timeout { what: format!("{} ({what})", self.url), seconds },
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                ClientError::Timeout { what: self.url.clone(), seconds }
            }
            ureq::Error::Io(io) => ClientError::Unreachable { url: self.url.clone(), why: io.to_string() },
            ureq::Error::HostNotFound => {
                ClientError::Unreachable { url: self.url.clone(), why: "host not found".into() }
            }
            ureq::Error::ConnectionFailed => {
                ClientError::Unreachable { url: self.url.clone(), why: "connection failed".into() }
            }
            ureq::Error::BodyExceedsLimit(limit) => {
                ClientError::InvalidResponse(format!("an answer over {limit} bytes"))
            }
            other => ClientError::Unreachable { url: self.url.clone(), why: other.to_string() },
        }
    }

    /// One request; its `result`, or the node's error.
    pub(crate) fn call(&self, method: &str, params: Value) -> Result<Value, ClientError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let answer =
            self.post(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string())?;
        result_of(&answer)
    }

    /// A JSON-RPC batch: one answer per request, in the requests' order
    /// (matched by id, as a server may answer in any order).
    pub(crate) fn call_batch(
        &self,
        requests: &[(&str, Value)],
    ) -> Result<Vec<Result<Value, ClientError>>, ClientError> {
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let first = self.next_id.fetch_add(requests.len() as u64, Ordering::Relaxed);
        let body: Vec<Value> = requests
            .iter()
            .enumerate()
            .map(|(i, (method, params))| {
                json!({ "jsonrpc": "2.0", "id": first + i as u64, "method": method, "params": params })
            })
            .collect();
        let answer = self.post(Value::Array(body).to_string())?;
        let Some(answers) = answer.as_array() else {
            // A whole batch refused (e.g. -32600) comes back as one error object.
            return Err(result_of(&answer).err().unwrap_or_else(|| {
                ClientError::InvalidResponse("a batch answered with something other than an array".into())
            }));
        };
        let mut results: Vec<Result<Value, ClientError>> = (0..requests.len())
            .map(|_| Err(ClientError::InvalidResponse("the batch's answer left this request out".into())))
            .collect();
        for answer in answers {
            let index = answer.get("id").and_then(Value::as_u64).and_then(|id| id.checked_sub(first));
            if let Some(slot) = index.and_then(|i| results.get_mut(i as usize)) {
                *slot = result_of(answer);
            }
        }
        Ok(results)
    }
}

/// A JSON-RPC answer's `result`, or its `error` as [`RpcError`].
fn result_of(answer: &Value) -> Result<Value, ClientError> {
    if let Some(error) = answer.get("error").filter(|e| !e.is_null()) {
        return Err(ClientError::Rpc(RpcError::from_json(error)));
    }
    answer.get("result").cloned().ok_or_else(|| ClientError::InvalidResponse(format!("no result in {answer}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monikers_and_websocket_urls() {
        assert_eq!(expand_moniker("localhost"), "http://127.0.0.1:8899");
        assert_eq!(expand_moniker("l"), "http://127.0.0.1:8899");
        assert_eq!(expand_moniker("http://127.0.0.1:9000"), "http://127.0.0.1:9000");
        assert_eq!(websocket_url("http://127.0.0.1:8899").unwrap(), "ws://127.0.0.1:8900/");
        assert_eq!(websocket_url("http://127.0.0.1:8899/").unwrap(), "ws://127.0.0.1:8900/");
        assert_eq!(websocket_url("http://[::1]:10").unwrap(), "ws://[::1]:11/");
        assert_eq!(websocket_url("ws://127.0.0.1:5/").unwrap(), "ws://127.0.0.1:5/");
        assert_eq!(host_port("ws://127.0.0.1:8900/").unwrap(), "127.0.0.1:8900");
        assert_eq!(host_port("http://localhost").unwrap(), "localhost:80");
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        for url in ["127.0.0.1:8899", "https://127.0.0.1:8899", "http://", "http://h:99999", "ftp://x:1"] {
            let err = check_http_url(url).unwrap_err();
            assert!(matches!(err, ClientError::InvalidUrl { .. }), "{url}: {err}");
        }
        assert!(check_http_url("http://127.0.0.1:8899").is_ok());
    }

    #[test]
    fn results_and_errors_are_read_from_any_answer() {
        assert_eq!(result_of(&json!({ "result": 5 })).unwrap(), json!(5));
        assert_eq!(result_of(&json!({ "result": null, "error": null })).unwrap(), Value::Null);
        let err = result_of(&json!({ "error": { "code": -32601, "message": "Method not found" } })).unwrap_err();
        assert!(matches!(err, ClientError::Rpc(RpcError { code: -32601, .. })));
        assert!(matches!(result_of(&json!([1, 2])), Err(ClientError::InvalidResponse(_))));
    }
}
