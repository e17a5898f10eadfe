//! Solana's own npm clients, unchanged, drive the real `lanes-validator`:
//! `node --test validator/tests/js/` runs `@solana/web3.js` 1.x and
//! `@solana/kit` scripts (airdrops, transfers, a hand-built call into the
//! WASM token program, getProgramAccounts, history, failures with their
//! logs, WebSocket subscriptions, a v0 transaction through an address
//! lookup table, and transactions on a durable nonce sent after their
//! blockhash expired) against a node on free loopback ports with a
//! temporary ledger.
//!
//! Needs Node.js (20.18 or later) and the package's `node_modules`, which
//! `./scripts/test.sh` installs (`npm ci` in `validator/tests/js`). Without
//! them this test fails and says so; it never skips.
//!
//! It starts the node itself (50 ms slots, its log kept for a failure's
//! report; the shared `common::Validator` starts it with other flags and
//! talks HTTP itself) and only needs the two URLs of the startup block;
//! `node --test` runs under `common::run_group_bounded`.

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the node may take to print `Ready at slot`.
const STARTUP: Duration = Duration::from_secs(60);
/// How long the whole `node --test` run may take before it is killed.
const NODE_TESTS: Duration = Duration::from_secs(180);

#[test]
fn solana_npm_clients_drive_the_validator() {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("js");
    let node_version =
        common::require_node_packages(&js, &["@solana/web3.js", "@solana/kit", "@solana-program/system"]);

    let scratch = Scratch::new();
    let node = Validator::start(&scratch);
    assert!(node.rpc_url.starts_with("http://127.0.0.1:"), "loopback only: {}", node.rpc_url);
    assert!(node.ws_url.starts_with("ws://127.0.0.1:"), "loopback only: {}", node.ws_url);

    let out_path = scratch.0.join("node-test.out");
    let mut tests = Command::new("node");
    tests
        // Exit when the tests are done even if a client left a socket open.
        .args(["--test", "--test-force-exit"])
        .arg(&js)
        .current_dir(&js)
        .env("LANES_RPC_URL", &node.rpc_url)
        .env("LANES_WS_URL", &node.ws_url)
        .env("NO_COLOR", "1");
    let started = Instant::now();
    // In a process group of its own: node --test runs each file in a child
    // process, and a timeout kills them all.
    let status = common::run_group_bounded(&mut tests, &out_path, NODE_TESTS);
    let took = started.elapsed();
    let report = std::fs::read_to_string(&out_path).unwrap_or_default();
    match status {
        Some(status) if status.success() => {
            println!("node {node_version}: `node --test` passed in {took:.1?}\n{}", common::tap_summary(&report));
        }
        Some(status) => panic!(
            "node {node_version}: `node --test {}` failed ({status}) after {took:.1?}:\n{report}\n\
             --- the validator's log ---\n{}",
            js.display(),
            node.log_tail()
        ),
        None => panic!(
            "node {node_version}: `node --test {}` did not finish within {NODE_TESTS:?} and was killed:\n{report}\n\
             --- the validator's log ---\n{}",
            js.display(),
            node.log_tail()
        ),
    }
}

/// A temporary directory for the ledger, the validator's log and node's
/// output, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!("lanes-npm-clients-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The real `lanes-validator`, SIGKILLed when dropped.
struct Validator {
    child: Child,
    rpc_url: String,
    ws_url: String,
    log: PathBuf,
}

impl Validator {
    /// Start on a fresh ledger in `scratch`, any free port, 50 ms slots, and
    /// wait (bounded) for its startup block.
    fn start(scratch: &Scratch) -> Validator {
        let ledger = scratch.0.join("ledger");
        let log = scratch.0.join("validator.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_lanes-validator"))
            .arg("--ledger")
            .arg(&ledger)
            .args(["--bind-address", "127.0.0.1", "--rpc-port", "0", "--slot-ms", "50", "--quiet"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .expect("the validator binary starts");

        // Read the startup block on a thread, so a node that never gets
        // ready fails the test instead of hanging it; keep draining stdout
        // afterwards so the node never blocks on a full pipe.
        let stdout = child.stdout.take().unwrap();
        let (lines, startup) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = lines.send(line);
            }
        });
        let deadline = Instant::now() + STARTUP;
        let mut block = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match startup.recv_timeout(left) {
                Ok(line) => {
                    let ready = line.starts_with("Ready at slot");
                    block.push(line);
                    if ready {
                        break;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "no `Ready at slot` from the validator within {STARTUP:?}: {block:#?}\n{}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                }
            }
        }
        std::thread::spawn(move || startup.into_iter().for_each(drop));

        let field = |prefix: &str| block.iter().find_map(|line| line.strip_prefix(prefix)).map(str::to_string);
        let Some(rpc) = field("JSON RPC URL: ") else {
            let _ = (child.kill(), child.wait());
            panic!("the startup block names no `JSON RPC URL: `: {block:#?}");
        };
        let Some(ws) = field("WebSocket PubSub URL: ") else {
            let _ = child.kill();
            panic!(
                "the startup block names no `WebSocket PubSub URL: ` (the clients' subscriptions need it): {block:#?}"
            );
        };
        Validator { child, rpc_url: rpc, ws_url: ws, log }
    }

    /// The last lines the node wrote to stderr.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Validator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
