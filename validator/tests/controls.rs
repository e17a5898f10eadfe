//! The state and time controls (issue 17) on the real `lanes-validator`:
//! each over JSON-RPC and over the `lanes` CLI, their errors, what a
//! program that reads the clock sees after a warp and a clock change,
//! pausing (no slots, transactions kept), producing and resuming,
//! on-arrival block production, `--no-controls` refusing each, and the
//! ledger: a restart and `verify-ledger` reproduce the state, and a control
//! the store missed in a crash is replayed at start.

mod common;

use common::{base64_decode, base64_encode, verify_ledger, wait_bounded, TempLedger, Validator, WAIT};
use lanes_sdk::client::Keypair;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{system_instruction, Instruction, Pubkey};
use lanes_test_program::TestInstruction;
use lanes_token::state::{Mint, Pack, TokenAccount};
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `lanes --url http://ADDRESS --output json-compact ARGS`: exit status and stdout or stderr.
fn lanes(node: &Validator, args: &[&str]) -> (i32, String) {
    lanes_as(node, "json-compact", args)
}

fn lanes_as(node: &Validator, output: &str, args: &[&str]) -> (i32, String) {
    let home = std::env::temp_dir().join(format!("lanes-controls-cli-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_lanes"))
        .args(["--url", &format!("http://{}", node.address), "--output", output])
        .args(args)
        .env("HOME", &home)
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let ran = wait_bounded(child, WAIT, "lanes");
    (ran.status, if ran.status == 0 { ran.stdout } else { ran.stderr })
}

fn lanes_json(node: &Validator, args: &[&str]) -> Value {
    let (status, out) = lanes(node, args);
    assert_eq!(status, 0, "lanes {args:?}: {out}");
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("lanes {args:?} printed no JSON ({e}): {out}"))
}

/// POST a request whose answer may never come (the node aborts): bounded, errors ignored.
fn post_ignoring_the_answer(node: &Validator, request: &Value) {
    use std::io::{Read, Write};
    let body = request.to_string();
    let Ok(mut stream) = std::net::TcpStream::connect(&node.address) else { return };
    let _ = stream.set_read_timeout(Some(WAIT));
    let _ = write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        node.address,
        body.len()
    );
    let _ = stream.read_to_end(&mut Vec::new());
}

fn slot(node: &Validator, commitment: &str) -> u64 {
    node.call("getSlot", json!([{ "commitment": commitment }])).as_u64().unwrap()
}

/// Wait (bounded) until the durable slot is at least `at`.
fn wait_finalized(node: &Validator, at: u64) {
    let deadline = Instant::now() + WAIT;
    while slot(node, "finalized") < at {
        assert!(Instant::now() < deadline, "slot {at} never became durable");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn account(node: &Validator, key: &Pubkey) -> Value {
    node.call("getAccountInfo", json!([key.to_string(), { "encoding": "base64" }]))["value"].clone()
}

fn account_data(node: &Validator, key: &Pubkey) -> Vec<u8> {
    base64_decode(account(node, key)["data"][0].as_str().unwrap())
}

/// The clock a program reads: (slot, unix_timestamp) from the test program's
/// `ClockTime`, in a transaction that lands; and the slot it landed in.
fn program_clock(node: &Validator, payer: &Keypair) -> (u64, i64, u64) {
    let clock = Instruction::new_with_borsh(lanes_test_program::ID, &TestInstruction::ClockTime, vec![]);
    let signature = node.run(&[clock], payer, &[]);
    let tx = node.call("getTransaction", json!([signature, { "encoding": "json" }]));
    let data = base64_decode(tx["meta"]["returnData"]["data"][0].as_str().unwrap());
    let read = |range: std::ops::Range<usize>| <[u8; 8]>::try_from(&data[range]).unwrap();
    (u64::from_le_bytes(read(0..8)), i64::from_le_bytes(read(8..16)), tx["slot"].as_u64().unwrap())
}

/// A node with the test program at genesis, keeping its whole ledger.
fn start(ledger: &TempLedger, flags: &[&str], envs: &[(&str, &str)]) -> Validator {
    let wasm = ledger.path().with_extension("test-program.wasm");
    std::fs::write(&wasm, lanes_program_artifacts::TEST_PROGRAM).unwrap();
    let program = lanes_test_program::ID.to_string();
    let mut all = vec!["--program", &program, wasm.to_str().unwrap(), "--limit-ledger-size", "0"];
    all.extend_from_slice(flags);
    Validator::start_with(ledger.path(), &all, envs)
}

fn funded(node: &Validator) -> Keypair {
    let payer = Keypair::new();
    let signature = node.call("requestAirdrop", json!([payer.pubkey().to_string(), 10_000_000_000u64]));
    node.finalized_ok(signature.as_str().unwrap());
    payer
}

fn mint_account(decimals: u8) -> (String, u64) {
    let mint = Mint {
        supply: 0,
        decimals,
        is_initialized: true,
        mint_authority: Some(Pubkey::new_unique_from_u64(77)),
        freeze_authority: None,
    };
    (base64_encode(&mint.to_bytes()), lanes_sdk::rent::minimum_balance(Mint::LEN))
}

#[test]
fn every_control_over_rpc_and_the_cli_and_a_restart_and_verify_ledger_reproduce_them() {
    let ledger = TempLedger::new("controls");
    let node = start(&ledger, &[], &[]);
    let payer = funded(&node);

    // lanesSetAccount: a new account; then only its lamports (the rest kept).
    let key = Keypair::new().pubkey();
    let set = node.call("lanesSetAccount", json!([key.to_string(), { "lamports": 1_000_000, "data": "AQID" }]));
    let applied = set["slot"].as_u64().unwrap();
    assert!(slot(&node, "finalized") >= applied, "answered once its slot is durable: {set}");
    assert_eq!(account(&node, &key)["lamports"], 1_000_000);
    assert_eq!(account_data(&node, &key), [1, 2, 3]);
    let cli = lanes_json(&node, &["set-account", &key.to_string(), "--lamports", "2000000"]);
    assert!(cli["slot"].as_u64().unwrap() > applied, "{cli}");
    assert_eq!(
        (account(&node, &key)["lamports"].clone(), account_data(&node, &key)),
        (json!(2_000_000), vec![1, 2, 3])
    );
    // Bad input is -32602 with a clear message, never a panic.
    for (params, says) in [
        (json!([key.to_string(), { "data": "%%%" }]), "not base64"),
        (json!([key.to_string(), { "owner": "nope" }]), "not a base58 public key"),
        (json!(["nope", { "lamports": 1 }]), "not a base58 public key"),
        (json!([key.to_string(), { "executable": true }]), "owned by the loader"),
        (json!([key.to_string(), { "lamport": 1 }]), "unknown field"),
        (json!([key.to_string()]), "expected"),
    ] {
        let (code, message) = node.error("lanesSetAccount", params.clone());
        assert_eq!(code, -32602, "{params}: {message}");
        assert!(message.contains(says), "{params}: {message}");
    }
    let (status, err) = lanes(&node, &["set-account", &key.to_string()]);
    assert!(status == 1 && err.contains("nothing to set"), "{err}");

    // lanesSetTokenBalance: a mint made by lanesSetAccount, an owner with no
    // token account (one is made), then a second owner through the CLI, and
    // a transfer between them that the token program accepts.
    let mint = Keypair::new().pubkey();
    let (mint_data, mint_lamports) = mint_account(6);
    node.call(
        "lanesSetAccount",
        json!([mint.to_string(), { "lamports": mint_lamports, "owner": lanes_token::ID.to_string(), "data": mint_data }]),
    );
    let alice = funded(&node);
    let bob = Keypair::new().pubkey();
    let given = node.call("lanesSetTokenBalance", json!([alice.pubkey().to_string(), mint.to_string(), 5_000]));
    assert_eq!(given["created"], true, "{given}");
    let alice_tokens: Pubkey = given["tokenAccount"].as_str().unwrap().parse().unwrap();
    let again = node.call("lanesSetTokenBalance", json!([alice.pubkey().to_string(), mint.to_string(), "7000"]));
    assert_eq!(
        (again["created"].clone(), again["tokenAccount"].clone()),
        (json!(false), given["tokenAccount"].clone())
    );
    let cli = lanes_json(&node, &["set-token-balance", &bob.to_string(), &mint.to_string(), "0.0025"]);
    assert_eq!((cli["units"].clone(), cli["created"].clone()), (json!(2_500), json!(true)), "{cli}");
    let bob_tokens: Pubkey = cli["tokenAccount"].as_str().unwrap().parse().unwrap();
    let supply = |node: &Validator| Mint::unpack(&account_data(node, &mint)).unwrap().supply;
    assert_eq!(supply(&node), 9_500, "the supply follows the balances");
    let transfer =
        lanes_token::instruction::transfer(&lanes_token::ID, &alice_tokens, &bob_tokens, &alice.pubkey(), 1_000);
    let transfer_signature = node.run(std::slice::from_ref(&transfer), &alice, &[]);
    let amount = |node: &Validator, key: &Pubkey| TokenAccount::unpack(&account_data(node, key)).unwrap().amount;
    assert_eq!((amount(&node, &alice_tokens), amount(&node, &bob_tokens)), (6_000, 3_500));
    for (params, says) in [
        (json!([alice.pubkey().to_string(), key.to_string(), 1]), "not a mint"),
        (json!([alice.pubkey().to_string(), mint.to_string(), -1]), "amount"),
        (
            json!([alice.pubkey().to_string(), mint.to_string(), 1, { "tokenAccount": bob_tokens.to_string() }]),
            "not a token account",
        ),
    ] {
        let (code, message) = node.error("lanesSetTokenBalance", params.clone());
        assert!(code == -32602 && message.contains(says), "{params}: {code} {message}");
    }

    // lanesProfileTransaction: the landed transfer (its write-locked
    // accounts' data before and after kept by --account-history) and the
    // same transfer unsent (simulated: data before and after).
    let landed = node.call("lanesProfileTransaction", json!([transfer_signature]));
    assert_eq!((landed["source"].clone(), landed["dataRecorded"].clone()), (json!("ledger"), json!(true)), "{landed}");
    assert_eq!(landed["note"], Value::Null);
    let kept = landed["accounts"].as_array().unwrap().iter().find(|a| a["pubkey"] == alice_tokens.to_string());
    let kept = kept.unwrap_or_else(|| panic!("{landed}"));
    let kept_amount =
        |state: &Value| TokenAccount::unpack(&base64_decode(state["data"].as_str().unwrap())).unwrap().amount;
    assert_eq!((kept_amount(&kept["before"]), kept_amount(&kept["after"])), (7_000, 6_000), "{kept}");
    assert_eq!(kept["after"]["owner"], lanes_token::ID.to_string());
    let instruction = &landed["instructions"][0];
    assert_eq!(instruction["programId"], lanes_token::ID.to_string());
    assert!(instruction["computeUnits"].as_u64().unwrap() > 0, "{landed}");
    // The transaction's units also count loading its accounts.
    assert!(landed["computeUnits"].as_u64().unwrap() >= instruction["computeUnits"].as_u64().unwrap(), "{landed}");
    let payer_account = &landed["accounts"][0];
    assert_eq!(
        payer_account["before"]["lamports"].as_u64().unwrap() - payer_account["after"]["lamports"].as_u64().unwrap(),
        landed["fee"].as_u64().unwrap()
    );
    let unsent = Transaction::new_signed_with_payer(&[transfer], Some(&alice.pubkey()), &[&alice], node.blockhash());
    let simulated = node.call("lanesProfileTransaction", json!([base64_encode(&unsent.to_wire().unwrap())]));
    assert_eq!((simulated["source"].clone(), simulated["err"].clone()), (json!("simulation"), Value::Null));
    let source = simulated["accounts"].as_array().unwrap().iter().find(|a| a["pubkey"] == alice_tokens.to_string());
    let source = source.unwrap_or_else(|| panic!("{simulated}"));
    let amount_in =
        |state: &Value| TokenAccount::unpack(&base64_decode(state["data"].as_str().unwrap())).unwrap().amount;
    assert_eq!((amount_in(&source["before"]), amount_in(&source["after"])), (6_000, 5_000));
    assert_eq!(amount(&node, &alice_tokens), 6_000, "a profile commits nothing");
    let cli = lanes_as(&node, "display", &["profile", &transfer_signature]);
    assert!(cli.0 == 0 && cli.1.contains("compute units") && cli.1.contains(&lanes_token::ID.to_string()), "{cli:?}");
    let (code, message) = node.error("lanesProfileTransaction", json!(["AAAA"]));
    assert_eq!(code, -32602, "{message}");

    // lanesSetClock, seen by a program: the slot that applied it reads the
    // time given, later slots 400 ms a slot on.
    let set_at = node.call("lanesSetClock", json!([2_000_000_000i64]))["slot"].as_u64().unwrap();
    let (clock_slot, unix_timestamp, landed_in) = program_clock(&node, &payer);
    assert_eq!(clock_slot, landed_in);
    let expected = 2_000_000_000 + (clock_slot as i64 * 400 / 1000 - set_at as i64 * 400 / 1000);
    assert_eq!(unix_timestamp, expected, "set in slot {set_at}, read in {clock_slot}");
    assert_eq!(node.call("getBlockTime", json!([clock_slot])), json!(expected));
    let (code, message) = node.error("lanesSetClock", json!(["soon"]));
    assert_eq!(code, -32602, "{message}");
    let cli = lanes_json(&node, &["set-clock", "2100000000"]);
    let (_, unix_timestamp, landed_in) = program_clock(&node, &payer);
    let set_at = cli["slot"].as_u64().unwrap();
    assert_eq!(unix_timestamp, 2_100_000_000 + (landed_in as i64 * 400 / 1000 - set_at as i64 * 400 / 1000));

    // lanesWarpToSlot, seen by a program: the skipped slots have no block.
    let before = slot(&node, "processed");
    let target = before + 1_000;
    let warp = node.call("lanesWarpToSlot", json!([target]));
    assert_eq!(warp["slot"], target, "{warp}");
    let from = warp["warpedFrom"].as_u64().unwrap();
    wait_finalized(&node, target);
    let (clock_slot, _, landed_in) = program_clock(&node, &payer);
    assert!(clock_slot >= target && clock_slot == landed_in, "{clock_slot} after a warp to {target}");
    let skipped = target - 1;
    let (code, message) = node.error("getBlock", json!([skipped]));
    assert_eq!(
        (code, message),
        (-32007, format!("Slot {skipped} was skipped, or missing due to ledger jump to recent snapshot"))
    );
    assert_eq!(node.error("getBlockTime", json!([skipped])).0, -32007);
    assert_eq!(node.call("getBlock", json!([target, { "transactionDetails": "none" }]))["parentSlot"], from);
    assert_eq!(node.call("getBlocks", json!([from, target])), json!([from, target]));
    let (code, message) = node.error("lanesWarpToSlot", json!([from]));
    assert!(code == -32602 && message.contains("only goes forward"), "{message}");
    let (code, message) = node.error("lanesWarpToSlot", json!([u64::MAX]));
    assert!(code == -32602 && message.contains("furthest"), "{message}");
    let cli_target = slot(&node, "processed") + 50;
    let cli = lanes_json(&node, &["warp", &cli_target.to_string()]);
    assert_eq!(cli["slot"], cli_target);
    wait_finalized(&node, cli_target);

    // Pause: no slots, transactions kept; produce one on demand; resume.
    let paused = node.call("lanesPauseSlots", json!([]));
    assert_eq!(paused["paused"], true, "{paused}");
    let at = slot(&node, "processed");
    let to = Keypair::new().pubkey();
    let kept = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&payer.pubkey(), &to, 1_000_000)],
        Some(&payer.pubkey()),
        &[&payer],
        node.blockhash(),
    );
    let kept_signature = node.send(&kept, false);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(slot(&node, "processed"), at, "no slot while paused");
    let status = node.call("getSignatureStatuses", json!([[kept_signature]]))["value"][0].clone();
    assert_eq!(status, Value::Null, "queued, not landed, while paused");
    // A state control while paused makes a slot of its own, without the queued transaction.
    let control_slot =
        node.call("lanesSetAccount", json!([key.to_string(), { "lamports": 3_000_000 }]))["slot"].clone();
    assert_eq!(control_slot, at);
    assert_eq!(node.call("getSignatureStatuses", json!([[kept_signature]]))["value"][0], Value::Null);
    let produced = node.call("lanesProduceSlot", json!([]))["slot"].as_u64().unwrap();
    assert_eq!(node.finalized(&kept_signature)["slot"], produced, "the produced slot took the queued transaction");
    let cli = lanes_json(&node, &["produce-slot"]);
    assert_eq!(cli["slot"], produced + 1);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(slot(&node, "processed"), produced + 2, "still paused after producing");
    let resumed = lanes_json(&node, &["resume"]);
    assert_eq!(resumed["paused"], false, "{resumed}");
    let deadline = Instant::now() + WAIT;
    while slot(&node, "processed") < produced + 5 {
        assert!(Instant::now() < deadline, "slots resume");
        std::thread::sleep(Duration::from_millis(10));
    }
    let cli = lanes_json(&node, &["pause"]);
    assert_eq!(cli["paused"], true);
    node.call("lanesResumeSlots", json!([]));
    // The block production mode, switched while running (on arrival: see below).
    let mode = node.call("lanesSetBlockProduction", json!(["onArrival"]));
    assert_eq!(mode["blockProduction"], "onArrival");
    assert_eq!(lanes_json(&node, &["block-production", "interval"])["blockProduction"], "interval");
    assert_eq!(node.error("lanesSetBlockProduction", json!(["fast"])).0, -32602);

    // The state before a stop, after a restart, and replayed from genesis.
    let tip = node.call("lanesProduceSlot", json!([]))["slot"].as_u64().unwrap();
    let state =
        |node: &Validator| (account(node, &key), amount(node, &alice_tokens), amount(node, &bob_tokens), supply(node));
    let before_stop = state(&node);
    node.stop();
    verify_ledger(ledger.path());
    let node = start(&ledger, &[], &[]);
    assert_eq!(state(&node), before_stop);
    // Account data is kept in memory only: after a restart, balances, said so.
    let landed = node.call("lanesProfileTransaction", json!([transfer_signature]));
    assert_eq!(landed["dataRecorded"], false, "{landed}");
    assert!(landed["note"].as_str().unwrap().contains("not its owner or data"), "{landed}");
    assert!(slot(&node, "processed") > tip);
    // The clock offset and the warp are kept: a program reads them on.
    let (clock_slot, unix_timestamp, _) = program_clock(&node, &payer);
    assert!(clock_slot > cli_target);
    assert_eq!(unix_timestamp, 2_100_000_000 + (clock_slot as i64 * 400 / 1000 - set_at as i64 * 400 / 1000));
    node.stop();
    verify_ledger(ledger.path());
}

#[test]
fn no_controls_refuses_every_control() {
    let ledger = TempLedger::new("no-controls");
    let node = Validator::start_with(ledger.path(), &["--no-controls"], &[]);
    let key = Pubkey::new_unique_from_u64(3).to_string();
    for (method, params) in [
        ("lanesSetAccount", json!([key, { "lamports": 1 }])),
        ("lanesSetTokenBalance", json!([key, key, 1])),
        ("lanesWarpToSlot", json!([1_000_000])),
        ("lanesSetClock", json!([0])),
        ("lanesPauseSlots", json!([])),
        ("lanesResumeSlots", json!([])),
        ("lanesProduceSlot", json!([])),
        ("lanesSetBlockProduction", json!(["onArrival"])),
        ("lanesProfileTransaction", json!(["AAAA"])),
    ] {
        let (code, message) = node.error(method, params);
        assert_eq!(code, -32090, "{method}: {message}");
        assert!(message.contains(method) && message.contains("--no-controls"), "{method}: {message}");
    }
    assert_eq!(node.call("getAccountInfo", json!([key]))["value"], Value::Null, "nothing was set");
    let (status, err) = lanes(&node, &["warp", "1000000"]);
    assert!(status == 1 && err.contains("--no-controls"), "{err}");
}

#[test]
fn on_arrival_lands_at_once_and_batches_and_a_control_the_store_missed_is_replayed() {
    // Ten-second slots: only on-arrival production lands anything quickly.
    let ledger = TempLedger::new("on-arrival");
    let node = start(&ledger, &["--slot-ms", "10000", "--block-production", "on-arrival"], &[]);
    let started = Instant::now();
    let payer = funded(&node);
    assert!(started.elapsed() < Duration::from_secs(5), "an airdrop took {:?}", started.elapsed());
    // Many at once are batched: whatever is queued when a slot starts.
    let blockhash = node.blockhash();
    let transfers: Vec<Transaction> = (0..200u64)
        .map(|i| {
            let to = Pubkey::new_unique_from_u64(1_000 + i);
            Transaction::new_signed_with_payer(
                &[system_instruction::transfer(&payer.pubkey(), &to, 1_000_000)],
                Some(&payer.pubkey()),
                &[&payer],
                blockhash,
            )
        })
        .collect();
    let signatures: Vec<String> = node.send_batched(transfers).into_iter().map(Option::unwrap).collect();
    let mut slots = std::collections::BTreeSet::new();
    for signature in &signatures {
        slots.insert(node.finalized(signature)["slot"].as_u64().unwrap());
    }
    assert!(slots.len() < 20, "200 transactions sent at once landed in {} slots", slots.len());
    assert!(started.elapsed() < Duration::from_secs(9), "on arrival, not at the 10 s interval");
    node.stop();

    // A control whose slot reaches the ledger but not the store (a crash
    // between the two) is replayed onto the store at the next start.
    let node = start(&ledger, &["--block-production", "on-arrival"], &[("LANES_FAULT_ABORT_AFTER_LEDGER_WRITE", "1")]);
    let key = Pubkey::new_unique_from_u64(99);
    post_ignoring_the_answer(
        &node,
        &json!({ "jsonrpc": "2.0", "id": 1, "method": "lanesSetAccount",
                 "params": [key.to_string(), { "lamports": 4_242, "data": "BQY=" }] }),
    );
    let status = node.wait_exit();
    assert!(!status.success(), "the fault aborts the node");
    let node = start(&ledger, &[], &[]);
    assert!(node.startup.iter().any(|l| l.starts_with("Resumed the ledger (1 slots replayed")), "{:?}", node.startup);
    assert_eq!(account(&node, &key)["lamports"], 4_242);
    assert_eq!(account_data(&node, &key), [5, 6]);
    node.stop();
    verify_ledger(ledger.path());
}
