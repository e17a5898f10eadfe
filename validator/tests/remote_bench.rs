//! `lanes-bench remote`, the real binary, against the real validator on
//! loopback: a short run over UDP and over JSON-RPC batches for transfers
//! and token transfers, paced, and one unpaced over UDP (adaptive rate);
//! swaps, lending and the mix, hot accounts, and a funding keypair. Its JSON has
//! every field a script reads, something landed, nothing landed that was not
//! sent, and the node's own transaction count grew by at least what the
//! bench says landed.
//!
//! Every run is bounded in time and killed if it overruns.

mod common;

use common::{wait_bounded, TempLedger, Validator};
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The most one `lanes-bench remote` run may take (setup, ~3 s of sending, drain).
const RUN_BOUND: Duration = Duration::from_secs(120);

/// Run `lanes-bench remote --json` against `node` with `args`; its JSON.
fn remote(node: &Validator, args: &[&str]) -> Value {
    let url = format!("http://{}", node.address);
    // With --rpc-port 0 the WebSocket is not on the next port: name it.
    let ws = node.ws_url.clone().expect("the startup block names the WebSocket URL");
    let child = Command::new(env!("CARGO_BIN_EXE_lanes-bench"))
        .args(["remote", "--url", &url, "--ws", &ws, "--json", "--quiet"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lanes-bench starts");
    let ran = wait_bounded(child, RUN_BOUND, &format!("lanes-bench remote {args:?}"));
    let (out, err) = (ran.stdout, ran.stderr);
    assert!(ran.status == 0, "lanes-bench remote {args:?} failed: {err}\n{out}");
    let line = out.lines().last().unwrap_or_else(|| panic!("no output: {err}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

fn transaction_count(node: &Validator) -> u64 {
    node.call("getTransactionCount", json!([])).as_u64().unwrap()
}

/// Run, then check the report against itself and against the node.
fn check(node: &Validator, workload: &str, via: &str, extra: &[&str]) -> Value {
    let before = transaction_count(node);
    let mut args = vec!["--workload", workload, "--via", via, "--accounts", "40", "--duration", "3"];
    args.extend_from_slice(extra);
    let report = remote(node, &args);
    let after = transaction_count(node);
    for field in
        ["workload", "via", "sent", "landed", "failed", "dropped", "seconds", "tps", "p50_ms", "p90_ms", "p99_ms"]
    {
        assert!(report.get(field).is_some(), "{field} missing: {report}");
    }
    assert_eq!(report["workload"], workload, "{report}");
    assert_eq!(report["via"], via, "{report}");
    let number = |field: &str| report[field].as_u64().unwrap_or_else(|| panic!("{field}: {report}"));
    let (sent, landed) = (number("sent"), number("landed"));
    assert!(landed > 0, "nothing landed: {report}");
    assert!(landed <= sent, "landed more than was sent: {report}");
    assert_eq!(number("dropped"), sent - landed, "{report}");
    assert!(after - before >= landed, "the node counted {} transactions, the bench {landed}: {report}", after - before);
    assert!(report["tps"].as_f64().unwrap() > 0.0, "{report}");
    assert!(report["seconds"].as_f64().unwrap() > 0.0, "{report}");
    // A sample landed and was timed, in order.
    let p50 = report["p50_ms"].as_f64().unwrap_or_else(|| panic!("no latency: {report}"));
    let p99 = report["p99_ms"].as_f64().unwrap();
    assert!(p50 > 0.0 && p50 <= report["p90_ms"].as_f64().unwrap() && p99 < 60_000.0, "{report}");
    assert!(report["target"].as_str().unwrap().starts_with("127.0.0.1:"), "loopback only: {report}");
    // The node's CPU by stage, from its own counters: verification and
    // execution charge nanoseconds, so both are seen in any run.
    let cpu = &report["node_cpu"]["stages"];
    for stage in ["verify", "execute", "total"] {
        assert!(cpu[stage].as_f64().unwrap_or(0.0) > 0.0, "{stage}: {report}");
    }
    assert!(!report["timeline"].as_array().unwrap().is_empty(), "{report}");
    for sample in report["node_samples"].as_array().expect("the node's own samples, maybe none yet") {
        assert!(sample["seconds"].as_u64().unwrap() > 0 && sample["tps"].is_number(), "{report}");
    }
    let followed_by = if extra.contains(&"--poll") { "getSignatureStatuses" } else { "signatureSubscribe" };
    assert_eq!(report["latency_from"], followed_by, "{report}");
    report
}

#[test]
fn remote_bench_lands_transfers_and_token_transfers_over_udp_and_rpc() {
    let ledger = TempLedger::new("remote-bench");
    let node = Validator::start_with(ledger.path(), &["--slot-ms", "50"], &[]);
    let paced = ["--tps", "1000"];
    for (workload, via) in [("transfer", "udp"), ("transfer", "rpc"), ("token", "udp"), ("token", "rpc")] {
        // One run follows its sample by polling instead of subscribing.
        let poll = (workload, via) == ("token", "rpc");
        let extra: Vec<&str> = paced.iter().copied().chain(poll.then_some("--poll")).collect();
        let report = check(&node, workload, via, &extra);
        assert_eq!(report["pace"], "fixed", "{report}");
        // Paced well below what the node takes: (nearly) everything lands.
        let (sent, landed) = (report["sent"].as_u64().unwrap(), report["landed"].as_u64().unwrap());
        assert!(landed * 10 >= sent * 9, "{workload} over {via}: {report}");
        assert_eq!(report["failed"], 0, "{report}");
    }
    // The HTML report: self-contained, with the same JSON embedded and both charts.
    let page_path = ledger.path().join("report.html");
    let page_arg = page_path.to_str().unwrap();
    let report = check(&node, "token", "udp", &["--tps", "1000", "--report", page_arg]);
    let page = std::fs::read_to_string(&page_path).unwrap();
    let start = page.find(r#"<script type="application/json" id="report">"#).expect("the JSON is embedded");
    let json = &page[start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    let embedded: Value = serde_json::from_str(json).unwrap();
    assert_eq!(embedded, report, "the page holds the report --json printed");
    assert_eq!(page.matches("<svg").count(), 2, "TPS over time and the latency distribution");
    let timeline = report["timeline"].as_array().unwrap().len();
    let first_line = page.find("<polyline").unwrap();
    let points = page[first_line..].split('"').nth(3).unwrap().split(' ').count();
    assert_eq!(points, timeline, "one point a timeline entry");
    assert!(page.contains("<rect class=\"hist\""), "the latency histogram");
    for outside in ["src=", "href=", "url(", "@import"] {
        assert!(!page.contains(outside), "the page fetches nothing: {outside}");
    }
    assert_eq!(page.matches("http").count(), page.matches("http://www.w3.org/2000/svg").count(), "no links out");

    // Unpaced over UDP: the rate adapts to what the port receives.
    let report = check(&node, "transfer", "udp", &["--transactions", "20000", "--max-in-flight", "5000"]);
    assert_eq!(report["pace"], "adaptive", "{report}");
    assert!(report["final_rate"].as_f64().unwrap() > 0.0, "{report}");
    assert_eq!(node.call("getHealth", json!([])), json!("ok"));
}

#[test]
fn remote_bench_runs_the_defi_workloads_hot_accounts_and_a_funding_keypair() {
    let ledger = TempLedger::new("remote-bench-defi");
    let node = Validator::start_with(ledger.path(), &["--slot-ms", "50"], &[]);
    let paced = ["--tps", "400", "--accounts", "12"];
    for (workload, via, extra) in
        [("swap", "udp", &["--pools", "4"][..]), ("lend", "rpc", &[][..]), ("mixed", "udp", &[][..])]
    {
        let args: Vec<&str> = paced.iter().chain(extra).copied().collect();
        let report = check(&node, workload, via, &args);
        assert_eq!(report["accounts"], 12, "{report}");
        if workload == "swap" {
            assert_eq!(report["pools"], 4, "{report}");
            // A swap with a minimum out of 1 succeeds in any order.
            assert_eq!(report["failed"], 0, "{report}");
        }
    }
    // Every token transfer pays into one of two hot accounts.
    let report = check(&node, "token", "udp", &["--tps", "400", "--hot-accounts", "2"]);
    assert_eq!(report["hot_accounts"], 2, "{report}");
    assert_eq!(report["failed"], 0, "{report}");

    // A funding keypair without the lamports: a clear error before anything is sent.
    let poor = ledger.path().join("poor.json");
    let keypair = lanes_sdk::client::Keypair::new();
    keypair.write_file(&poor).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_lanes-bench"))
        .args(["remote", "--url", &format!("http://{}", node.address), "--duration", "1", "--keypair"])
        .arg(&poor)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains(&keypair.pubkey().to_string()) && err.contains("holds 0 SOL"), "{err}");
    // A file that is not a keypair: a clear error naming it.
    let garbage = ledger.path().join("garbage.json");
    std::fs::write(&garbage, b"[1, 2, \"three\"").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_lanes-bench"))
        .args(["remote", "--url", &format!("http://{}", node.address), "--duration", "1", "--keypair"])
        .arg(&garbage)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("--keypair") && err.contains("garbage.json"), "{err}");
    // Funded, the same keypair pays for the setup.
    let signature = node.call("requestAirdrop", json!([keypair.pubkey().to_string(), 20_000_000_000_000u64]));
    node.finalized_ok(signature.as_str().unwrap());
    let before = node.balance(&keypair.pubkey());
    let poor_arg = poor.to_str().unwrap();
    check(&node, "transfer", "rpc", &["--tps", "400", "--keypair", poor_arg]);
    assert!(node.balance(&keypair.pubkey()) < before, "the keypair paid for the setup");
}

#[test]
fn remote_bench_fails_cleanly_without_a_node() {
    // A port nothing listens on: an error and a failing exit, within the bound.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_lanes-bench"))
        .args(["remote", "--url", &url, "--duration", "1", "--json"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("lanes-bench remote:"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
}
