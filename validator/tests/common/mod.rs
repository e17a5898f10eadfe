//! What the validator's integration tests share: the real `lanes-validator`
//! binary started on free loopback ports with a temporary ledger, a plain
//! HTTP JSON-RPC client over `TcpStream`, and bounded waits.
//!
//! Every wait here is bounded; every process started is killed on drop;
//! every address is loopback.
#![allow(dead_code)]

use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{Instruction, Pubkey};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// How long any one wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(30);

/// A running validator, killed (SIGKILL) when dropped.
pub struct Validator {
    pub child: Child,
    /// The RPC address, `127.0.0.1:PORT`.
    pub address: String,
    /// The WebSocket PubSub URL, when the node prints one.
    pub ws_url: Option<String>,
    /// The UDP transaction port's address.
    pub tpu_addr: Option<String>,
    /// The startup block, line by line.
    pub startup: Vec<String>,
}

impl Validator {
    /// Start on `ledger` with 20 ms slots and any free port.
    pub fn start(ledger: &Path) -> Validator {
        Validator::start_with(ledger, &[], &[])
    }

    /// Start with extra flags (a `--slot-ms` among them replaces the 20 ms
    /// default) and environment variables.
    pub fn start_with(ledger: &Path, flags: &[&str], envs: &[(&str, &str)]) -> Validator {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lanes-validator"));
        command.args(["--ledger", ledger.to_str().unwrap(), "--rpc-port", "0", "--quiet"]);
        if !flags.contains(&"--slot-ms") {
            command.args(["--slot-ms", "20"]);
        }
        command.args(flags).stdout(Stdio::piped()).stderr(Stdio::null());
        for (key, value) in envs {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("the validator binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut address = None;
        let mut ws_url = None;
        let mut tpu_addr = None;
        let mut startup = Vec::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(url) = line.strip_prefix("JSON RPC URL: http://") {
                address = Some(url.to_string());
            }
            if let Some(url) = line.strip_prefix("WebSocket PubSub URL: ") {
                ws_url = Some(url.to_string());
            }
            if let Some(address) = line.strip_prefix("TPU address: ") {
                tpu_addr = Some(address.to_string());
            }
            startup.push(line.clone());
            if line.starts_with("Ready at slot") {
                break;
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let address = address.unwrap_or_else(|| panic!("the startup block names the RPC URL: {startup:?}"));
        assert!(address.starts_with("127.0.0.1:"), "loopback only: {address}");
        Validator { child, address, ws_url, tpu_addr, startup }
    }

    /// POST `body` and return the parsed response.
    pub fn post(&self, body: &str) -> Value {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.address,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (_, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
    }

    /// POST `body` and return only the HTTP status code.
    pub fn post_status(&self, body: &str) -> u16 {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        let head = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.address,
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        // The server may answer and close before reading the whole body.
        let _ = stream.write_all(body.as_bytes());
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response);
        text.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or(0)
    }

    pub fn request(&self, method: &str, params: Value) -> Value {
        self.post(&json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string())
    }

    pub fn call(&self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The error of a call that must fail: `(code, message)`.
    pub fn error(&self, method: &str, params: Value) -> (i64, String) {
        let response = self.request(method, params);
        let error = &response["error"];
        assert!(error.is_object(), "{method} should fail: {response}");
        (error["code"].as_i64().unwrap(), error["message"].as_str().unwrap().to_string())
    }

    pub fn balance(&self, key: &Pubkey) -> u64 {
        self.call("getBalance", json!([key.to_string()]))["value"].as_u64().unwrap()
    }

    pub fn blockhash(&self) -> Hash {
        let text = self.call("getLatestBlockhash", json!([]))["value"]["blockhash"].as_str().unwrap().to_string();
        Hash::from_str(&text).unwrap()
    }

    /// Wait (bounded) until `signature` is finalized; its status.
    pub fn finalized(&self, signature: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let status = self.call("getSignatureStatuses", json!([[signature]]))["value"][0].clone();
            if status["confirmationStatus"] == "finalized" {
                return status;
            }
            assert!(Instant::now() < deadline, "{signature} not finalized: {status}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait until `signature` is finalized and check it succeeded.
    pub fn finalized_ok(&self, signature: &str) {
        let status = self.finalized(signature);
        assert_eq!(status["err"], Value::Null, "{signature}: {status}");
    }

    /// Send `transactions` as JSON-RPC batches of 100 `sendTransaction`
    /// (base64, skipPreflight); each answer's signature, or `None` if refused.
    pub fn send_batched(&self, transactions: impl IntoIterator<Item = Transaction>) -> Vec<Option<String>> {
        let mut signatures = Vec::new();
        let mut batch = Vec::new();
        let mut transactions = transactions.into_iter().enumerate().peekable();
        while let Some((i, tx)) = transactions.next() {
            let wire = base64_encode(&tx.to_wire().unwrap());
            batch.push(json!({ "jsonrpc": "2.0", "id": i, "method": "sendTransaction",
                               "params": [wire, { "encoding": "base64", "skipPreflight": true }] }));
            if batch.len() == 100 || transactions.peek().is_none() {
                let answers = self.post(&Value::Array(std::mem::take(&mut batch)).to_string());
                for answer in answers.as_array().unwrap() {
                    signatures.push(answer["result"].as_str().map(str::to_string));
                }
            }
        }
        signatures
    }

    /// Send `tx` as base64; its signature.
    pub fn send(&self, tx: &Transaction, skip_preflight: bool) -> String {
        let wire = base64_encode(&tx.to_wire().unwrap());
        let signature =
            self.call("sendTransaction", json!([wire, { "encoding": "base64", "skipPreflight": skip_preflight }]));
        signature.as_str().unwrap().to_string()
    }

    /// Sign, send (with preflight) and wait for a transaction to succeed.
    pub fn run(&self, instructions: &[Instruction], payer: &Keypair, signers: &[&Keypair]) -> String {
        let mut all = vec![payer];
        all.extend_from_slice(signers);
        let tx = Transaction::new_signed_with_payer(instructions, Some(&payer.pubkey()), &all, self.blockhash());
        let signature = self.send(&tx, false);
        self.finalized_ok(&signature);
        signature
    }

    /// SIGINT, as Ctrl-C: the node finishes its slot and exits (bounded).
    pub fn stop(mut self) {
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + WAIT;
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "the validator did not stop on SIGINT");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait (bounded) for the process to exit on its own; its status.
    pub fn wait_exit(mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the validator did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Validator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A ledger directory of this test's own, removed when dropped.
pub struct TempLedger(pub PathBuf);

impl TempLedger {
    pub fn new(name: &str) -> TempLedger {
        let dir = std::env::temp_dir().join(format!("lanes-node-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        TempLedger(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempLedger {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `lanes-validator verify-ledger` on `ledger`: its stdout, after checking it passed.
pub fn verify_ledger(ledger: &Path) -> String {
    let verify = Command::new(env!("CARGO_BIN_EXE_lanes-validator"))
        .args(["verify-ledger", "--ledger", ledger.to_str().unwrap()])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&verify.stdout).to_string();
    assert!(verify.status.success(), "verify-ledger: {out} {}", String::from_utf8_lossy(&verify.stderr));
    assert!(out.contains("Ledger verified"), "{out}");
    out
}

pub fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

/// A finished child process: its exit code (-1 if killed by a signal) and
/// everything it wrote.
pub struct Ran {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Wait at most `limit` for `child`, reading both its pipes (those still
/// there) on threads so a full pipe never blocks it; past the limit it is
/// killed and the test fails naming `what`.
pub fn wait_bounded(mut child: Child, limit: Duration, what: &str) -> Ran {
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.map(|mut s| s.read_to_string(&mut text));
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.map(|mut s| s.read_to_string(&mut text));
        text
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ran { status: status.code().unwrap_or(-1), stdout: out.join().unwrap(), stderr: err.join().unwrap() }
}

/// Run `command` in a process group of its own with its stdout and stderr
/// going to the file `output`, for at most `limit`: its exit status, or
/// `None` if it had not finished by then. Either way the whole group — the
/// processes it started too, as `npm test` starts `node --test` and that
/// a process per file — is SIGKILLed before this returns.
pub fn run_group_bounded(command: &mut Command, output: &Path, limit: Duration) -> Option<ExitStatus> {
    let file = std::fs::File::create(output).unwrap();
    command.stdin(Stdio::null()).stdout(file.try_clone().unwrap()).stderr(file).process_group(0);
    let mut group = KillGroupOnDrop(command.spawn().unwrap_or_else(|e| panic!("{command:?} does not start: {e}")));
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = group.0.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A child that leads its own process group, SIGKILLed with the whole group
/// when dropped (a no-op once they have all exited).
pub struct KillGroupOnDrop(pub Child);

impl Drop for KillGroupOnDrop {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `node --test` TAP report's closing counts (`# tests`, `# pass`, ...).
pub fn tap_summary(report: &str) -> String {
    report
        .lines()
        .filter(|line| line.starts_with("# ") && !line.starts_with("# Subtest"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Node.js's version, after checking that `node` runs and that `dir` has
/// each of `packages` installed in its `node_modules`; a test that needs
/// them fails here, saying how to install them, rather than skipping.
pub fn require_node_packages(dir: &Path, packages: &[&str]) -> String {
    let version = Command::new("node")
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("Node.js is needed for this test (20.18 or later, on PATH as `node`): {e}"));
    assert!(version.status.success(), "`node --version` failed: {version:?}");
    for package in packages {
        assert!(
            dir.join("node_modules").join(package).join("package.json").is_file(),
            "{} has no node_modules/{package}: run ./scripts/test.sh (it runs `npm ci` there first), \
             or `npm ci` in that directory",
            dir.display()
        );
    }
    String::from_utf8_lossy(&version.stdout).trim().to_string()
}
