//! The client examples (`examples/clients/`, issue 14) against the real
//! `lanes-validator`, each on a node of its own (free loopback ports, a
//! temporary ledger, 400 ms slots as `./scripts/run.sh` runs it):
//!
//! * the Rust example's `run()` (`lanes-example-client`), its `Summary`
//!   and report checked against what the node holds afterwards;
//! * `npm test` in `examples/clients/web3js` (its web3.js and Kit scripts,
//!   which check their own results), with `LANES_RPC_URL` and
//!   `LANES_WS_URL` set, bounded in time; a failure shows its output.
//!
//! Needs Node.js 20.18+ and that folder's `node_modules`, which
//! `./scripts/test.sh` installs (`npm ci`); without them the test fails
//! and says so, it never skips.

mod common;

use common::{TempLedger, Validator};
use lanes_example_client::{run, AIRDROP_LAMPORTS, MINTED, TOKENS_SENT, TRANSFER_LAMPORTS};
use lanes_sdk::Pubkey;
use lanes_token::state::{Pack, TokenAccount};
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// How long the whole `npm test` run may take before it is killed.
const NPM_TEST: Duration = Duration::from_secs(240);

/// `./scripts/run.sh`'s slot length: a blockhash then lives 60 s, past
/// web3.js's 30 s blockhash cache, as on a node a user starts.
const SLOT_MS: &str = "400";

fn start(name: &str) -> (TempLedger, Validator) {
    let ledger = TempLedger::new(name);
    let node = Validator::start_with(ledger.path(), &["--slot-ms", SLOT_MS], &[]);
    (ledger, node)
}

/// A token account's state as the node holds it (owned by the token program).
fn token_account(node: &Validator, address: &Pubkey) -> TokenAccount {
    let value = node.call("getAccountInfo", json!([address.to_string(), { "encoding": "base64" }]))["value"].clone();
    assert_eq!(value["owner"], lanes_token::ID.to_string(), "{address}: {value}");
    TokenAccount::unpack(&common::base64_decode(value["data"][0].as_str().unwrap())).unwrap()
}

#[test]
fn the_rust_example_runs_against_the_validator() {
    let (_ledger, node) = start("client-example-rust");
    let mut report = Vec::new();
    let summary = run(&format!("http://{}", node.address), &mut report)
        .unwrap_or_else(|e| panic!("the Rust example failed: {e}\nlogs: {:#?}", client_logs(&e)));
    let report = String::from_utf8(report).unwrap();

    // Six steps, each landed with logs, each printed.
    assert_eq!(summary.steps.len(), 6, "{report}");
    for (i, step) in summary.steps.iter().enumerate() {
        assert!(!step.logs.is_empty(), "{}: no logs", step.name);
        assert!(report.contains(&step.signature.to_string()), "{} not in the report:\n{report}", step.name);
        assert!(step.logs.iter().all(|line| report.contains(line.as_str())), "{}'s logs not printed", step.name);
        let status = node.finalized(&step.signature.to_string());
        assert_eq!(status["err"], serde_json::Value::Null, "{}: {status}", step.name);
        if i >= 2 {
            let success = format!("Program {} success", lanes_token::ID);
            assert!(step.logs.contains(&success), "{}: {:#?}", step.name, step.logs);
        }
    }
    assert_ne!(summary.steps[0].fee_payer, summary.payer, "the faucet pays for the airdrop");
    assert!(summary.steps[1..].iter().all(|step| step.fee_payer == summary.payer));

    // Lamports: what the summary says and what the node holds agree, and
    // they are the airdrop less the transfer, the rent and the fees.
    let fees = summary.fees_paid_by_payer();
    assert!(fees > 0);
    let expected_payer = AIRDROP_LAMPORTS - TRANSFER_LAMPORTS - lanes_example_client::rent_paid_by_payer() - fees;
    assert_eq!(summary.payer_lamports, expected_payer, "{report}");
    assert_eq!(node.balance(&summary.payer), expected_payer);
    assert_eq!(summary.recipient_lamports, TRANSFER_LAMPORTS);
    assert_eq!(node.balance(&summary.recipient), TRANSFER_LAMPORTS);

    // Tokens: minted less sent, and sent, in accounts of the new mint held by their owners.
    let payer_account = token_account(&node, &summary.payer_token_account);
    let recipient_account = token_account(&node, &summary.recipient_token_account);
    assert_eq!((payer_account.mint, payer_account.owner), (summary.mint, summary.payer));
    assert_eq!((recipient_account.mint, recipient_account.owner), (summary.mint, summary.recipient));
    assert_eq!(payer_account.amount, MINTED - TOKENS_SENT);
    assert_eq!(recipient_account.amount, TOKENS_SENT);
    assert_eq!((summary.payer_tokens, summary.recipient_tokens), (MINTED - TOKENS_SENT, TOKENS_SENT));
}

/// The logs a failed transaction carried, for the panic message.
fn client_logs(error: &lanes_example_client::Error) -> Vec<String> {
    match error {
        lanes_example_client::Error::Client(client) => client.logs(),
        _ => Vec::new(),
    }
}

#[test]
fn the_web3js_and_kit_examples_pass_npm_test_against_the_validator() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("examples/clients/web3js");
    let node_version =
        common::require_node_packages(&dir, &["@solana/web3.js", "@solana/kit", "@solana-program/system"]);
    let (_ledger, node) = start("client-example-web3js");
    let ws_url = node.ws_url.clone().expect("the startup block names the WebSocket PubSub URL");
    assert!(ws_url.starts_with("ws://127.0.0.1:"), "loopback only: {ws_url}");

    let out_path = std::env::temp_dir().join(format!("lanes-client-examples-npm-{}.out", std::process::id()));
    let mut npm = Command::new("npm");
    npm.arg("test")
        .current_dir(&dir)
        .env("LANES_RPC_URL", format!("http://{}", node.address))
        .env("LANES_WS_URL", &ws_url)
        .env("NO_COLOR", "1");
    let started = Instant::now();
    let status = common::run_group_bounded(&mut npm, &out_path, NPM_TEST);
    let took = started.elapsed();
    let report = std::fs::read_to_string(&out_path).unwrap_or_default();
    let _ = std::fs::remove_file(&out_path);
    match status {
        Some(status) if status.success() => {
            let counts = common::tap_summary(&report);
            // Passed, and not by running nothing: both tests ran.
            assert!(counts.contains("# pass 2") && counts.contains("# fail 0"), "{report}");
            println!("node {node_version}: `npm test` in {} passed in {took:.1?}\n{counts}", dir.display());
        }
        Some(status) => panic!("`npm test` in {} failed ({status}) after {took:.1?}:\n{report}", dir.display()),
        None => panic!("`npm test` in {} did not finish within {NPM_TEST:?} and was killed:\n{report}", dir.display()),
    }
}
