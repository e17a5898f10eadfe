//! A small blocking JSON-RPC client over one HTTP/1.1 keep-alive
//! connection (a plain `TcpStream`, no async runtime): what `lanes-bench`
//! measures the node with. `node_bench` times `getAccountInfo` on it;
//! `remote_bench` sends its batches and follows signatures on it.
//!
//! Never: wait without a bound (connecting, reading and writing all time
//! out), read a body larger than [`MAX_BODY`], or panic on what a server
//! answers.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The largest response body read (the node refuses requests over 10 MiB;
/// its answers to a bench are far smaller).
pub const MAX_BODY: usize = 64 << 20;

/// How long a connect, a write or a read may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// `http://HOST:PORT[/]` (or `HOST:PORT`) → `HOST:PORT`. Only plain HTTP.
pub fn parse_url(url: &str) -> Result<String, String> {
    let rest = match url.split_once("://") {
        Some(("http", rest)) => rest,
        Some((scheme, _)) => return Err(format!("{url}: only http:// URLs are supported, not {scheme}://")),
        None => url,
    };
    let authority = rest.split('/').next().unwrap_or("");
    if authority.is_empty() || !authority.contains(':') {
        return Err(format!("{url}: expected http://HOST:PORT"));
    }
    Ok(authority.to_string())
}

/// `address` (`HOST:PORT`) resolved to its first socket address.
pub fn resolve(address: &str) -> Result<SocketAddr, String> {
    address
        .to_socket_addrs()
        .map_err(|e| format!("{address}: {e}"))?
        .next()
        .ok_or_else(|| format!("{address}: no address"))
}

/// One keep-alive connection to a JSON-RPC server; reconnects once when
/// the server closed an idle connection.
pub struct RpcClient {
    address: String,
    socket: SocketAddr,
    timeout: Duration,
    stream: Option<BufReader<TcpStream>>,
}

impl RpcClient {
    /// Connect to `address` (`HOST:PORT`) with [`DEFAULT_TIMEOUT`].
    pub fn connect(address: &str) -> Result<RpcClient, String> {
        RpcClient::connect_with_timeout(address, DEFAULT_TIMEOUT)
    }

    pub fn connect_with_timeout(address: &str, timeout: Duration) -> Result<RpcClient, String> {
        let socket = resolve(address)?;
        let mut client = RpcClient { address: address.to_string(), socket, timeout, stream: None };
        client.reconnect()?;
        Ok(client)
    }

    /// The server's address as given (`HOST:PORT`).
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The server's address, resolved.
    pub fn socket_addr(&self) -> SocketAddr {
        self.socket
    }

    fn reconnect(&mut self) -> Result<(), String> {
        self.stream = None;
        let stream =
            TcpStream::connect_timeout(&self.socket, self.timeout).map_err(|e| format!("{}: {e}", self.address))?;
        let setup = |s: &TcpStream| -> std::io::Result<()> {
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(self.timeout))?;
            s.set_write_timeout(Some(self.timeout))
        };
        setup(&stream).map_err(|e| e.to_string())?;
        self.stream = Some(BufReader::new(stream));
        Ok(())
    }

    /// POST `body` (JSON) and return the response body. A kept connection
    /// the server has closed is reopened once and the request sent again.
    pub fn post(&mut self, body: &[u8]) -> Result<Vec<u8>, String> {
        let reused = self.stream.is_some();
        match self.post_once(body) {
            Ok(answer) => Ok(answer),
            Err(Failure::Closed) if reused => {
                self.reconnect()?;
                self.post_once(body).map_err(|f| f.message(&self.address))
            }
            Err(f) => {
                self.stream = None;
                Err(f.message(&self.address))
            }
        }
    }

    fn post_once(&mut self, body: &[u8]) -> Result<Vec<u8>, Failure> {
        if self.stream.is_none() {
            self.reconnect().map_err(Failure::Other)?;
        }
        let stream = self.stream.as_mut().ok_or(Failure::Closed)?;
        let head = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.address,
            body.len()
        );
        let writer = stream.get_mut();
        writer.write_all(head.as_bytes()).and_then(|()| writer.write_all(body)).map_err(io_failure)?;

        let mut status_line = String::new();
        if stream.read_line(&mut status_line).map_err(io_failure)? == 0 {
            return Err(Failure::Closed);
        }
        let status: u16 = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut length: Option<usize> = None;
        let mut chunked = false;
        let mut close = false;
        loop {
            let mut line = String::new();
            if stream.read_line(&mut line).map_err(io_failure)? == 0 {
                return Err(Failure::Other("connection closed in the headers".into()));
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = Some(value.parse().map_err(|_| Failure::Other(format!("bad content-length {value}")))?);
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.eq_ignore_ascii_case("chunked");
                } else if name.eq_ignore_ascii_case("connection") {
                    close = value.eq_ignore_ascii_case("close");
                }
            }
        }
        let answer = if chunked {
            read_chunked(stream)?
        } else {
            let length = length.ok_or_else(|| Failure::Other("a response without Content-Length".into()))?;
            if length > MAX_BODY {
                return Err(Failure::Other(format!("a {length}-byte response (at most {MAX_BODY})")));
            }
            let mut answer = vec![0u8; length];
            stream.read_exact(&mut answer).map_err(io_failure)?;
            answer
        };
        if close {
            self.stream = None;
        }
        if status != 200 {
            return Err(Failure::Other(format!("HTTP {status}: {}", String::from_utf8_lossy(&answer))));
        }
        Ok(answer)
    }

    /// POST `body` and parse the answer as JSON.
    pub fn post_json(&mut self, body: &[u8]) -> Result<Value, String> {
        let answer = self.post(body)?;
        serde_json::from_slice(&answer).map_err(|e| format!("{}: not JSON ({e})", self.address))
    }

    /// One call; its `result`, or its `error` as the message.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
        let mut response = self.post_json(body.as_bytes())?;
        match response.get("error") {
            Some(error) => Err(format!("{method}: {error}")),
            None => match response.get_mut("result") {
                Some(result) => Ok(result.take()),
                None => Err(format!("{method}: an answer with neither result nor error")),
            },
        }
    }

    /// Several calls in one JSON-RPC batch; each answer's `result` or
    /// `error` (as `Err(error object)`), in the order of `calls`.
    pub fn batch(&mut self, calls: &[(&str, Value)]) -> Result<Vec<Result<Value, Value>>, String> {
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        let requests: Vec<Value> = calls
            .iter()
            .enumerate()
            .map(|(id, (method, params))| json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .collect();
        let response = self.post_json(Value::Array(requests).to_string().as_bytes())?;
        let Value::Array(answers) = response else {
            return Err(format!("a batch answered with {response}"));
        };
        let mut results: Vec<Result<Value, Value>> = vec![Err(json!("no answer")); calls.len()];
        for mut answer in answers {
            let Some(id) = answer.get("id").and_then(Value::as_u64).map(|id| id as usize) else { continue };
            if let Some(slot) = results.get_mut(id) {
                *slot = match answer.get_mut("error") {
                    Some(error) => Err(error.take()),
                    None => Ok(answer.get_mut("result").map(Value::take).unwrap_or(Value::Null)),
                };
            }
        }
        Ok(results)
    }
}

enum Failure {
    /// The connection was closed before an answer began (a kept-alive
    /// connection the server dropped): worth one retry.
    Closed,
    Other(String),
}

impl Failure {
    fn message(self, address: &str) -> String {
        match self {
            Failure::Closed => format!("{address}: connection closed"),
            Failure::Other(message) => format!("{address}: {message}"),
        }
    }
}

fn io_failure(e: std::io::Error) -> Failure {
    use std::io::ErrorKind::*;
    match e.kind() {
        BrokenPipe | ConnectionReset | ConnectionAborted | UnexpectedEof => Failure::Closed,
        _ => Failure::Other(e.to_string()),
    }
}

fn read_chunked(stream: &mut BufReader<TcpStream>) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).map_err(io_failure)? == 0 {
            return Err(Failure::Other("connection closed in a chunked body".into()));
        }
        let size = line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size, 16).map_err(|_| Failure::Other(format!("bad chunk size {size:?}")))?;
        if body.len() + size > MAX_BODY {
            return Err(Failure::Other(format!("a response over {MAX_BODY} bytes")));
        }
        let start = body.len();
        body.resize(start + size, 0);
        stream.read_exact(&mut body[start..]).map_err(io_failure)?;
        let mut crlf = String::new();
        stream.read_line(&mut crlf).map_err(io_failure)?;
        if size == 0 {
            return Ok(body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn urls() {
        assert_eq!(parse_url("http://127.0.0.1:8899").unwrap(), "127.0.0.1:8899");
        assert_eq!(parse_url("http://localhost:8899/").unwrap(), "localhost:8899");
        assert_eq!(parse_url("127.0.0.1:1").unwrap(), "127.0.0.1:1");
        assert!(parse_url("https://x:1").is_err());
        assert!(parse_url("http://nohost").is_err());
    }
}
