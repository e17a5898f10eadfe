//! The real `lanes-validator` binary on a free loopback port with a
//! temporary ledger, driven over HTTP as Solana's clients drive a node:
//! airdrop, a signed transfer, a failing preflight, bad requests, batches,
//! a restart that resumes the state, and the ledger's history (getTransaction,
//! getSignaturesForAddress, getBlock, getBlocks) kept across a restart and
//! checked by `verify-ledger`.

mod common;

use common::{base64_encode, verify_ledger, TempLedger, Validator};
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{system_instruction, Pubkey};
use serde_json::{json, Value};
use std::str::FromStr;

#[test]
fn airdrop_transfer_refusals_and_restart() {
    let ledger = TempLedger::new("flow");
    let node = Validator::start(ledger.path());
    assert_eq!(node.call("getHealth", json!([])), json!("ok"));
    let version = node.call("getVersion", json!([]));
    assert!(version["solana-core"].is_string() && version["feature-set"].is_u64(), "{version}");

    // Airdrop, then a transfer signed here and sent as base64.
    let alice = Keypair::new();
    let bob = Pubkey::new_unique_from_u64(77);
    let airdrop = node.call("requestAirdrop", json!([alice.pubkey().to_string(), 2_000_000_000u64]));
    let status = node.finalized(airdrop.as_str().unwrap());
    assert_eq!(status["err"], Value::Null);
    assert_eq!(status["status"], json!({ "Ok": null }));
    assert_eq!(node.balance(&alice.pubkey()), 2_000_000_000);

    let blockhash = node.call("getLatestBlockhash", json!([]))["value"]["blockhash"].as_str().unwrap().to_string();
    let blockhash = Hash::from_str(&blockhash).unwrap();
    let transfer = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&alice.pubkey(), &bob, 1_000_000)],
        Some(&alice.pubkey()),
        &[&alice],
        blockhash,
    );
    let wire = base64_encode(&transfer.to_wire().unwrap());
    let signature = node.call("sendTransaction", json!([wire, { "encoding": "base64" }]));
    node.finalized(signature.as_str().unwrap());
    assert_eq!(node.balance(&bob), 1_000_000);
    assert_eq!(node.balance(&alice.pubkey()), 2_000_000_000 - 1_000_000 - 5_000);

    // A forged signature: refused at once with preflight; without it, queued
    // and refused by the slot's batch, so it never lands.
    let mut forged = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&alice.pubkey(), &bob, 3_000)],
        Some(&alice.pubkey()),
        &[&alice],
        blockhash,
    );
    forged.signatures[0].0[0] ^= 1;
    let forged_wire = base64_encode(&forged.to_wire().unwrap());
    assert_eq!(node.error("sendTransaction", json!([forged_wire, { "encoding": "base64" }])).0, -32003);
    let queued = node.call("sendTransaction", json!([forged_wire, { "encoding": "base64", "skipPreflight": true }]));
    let marker = node.send(
        &Transaction::new_signed_with_payer(
            &[system_instruction::transfer(&alice.pubkey(), &bob, 4_000)],
            Some(&alice.pubkey()),
            &[&alice],
            blockhash,
        ),
        true,
    );
    node.finalized(&marker);
    let status = node.call("getSignatureStatuses", json!([[queued], { "searchTransactionHistory": true }]));
    assert_eq!(status["value"][0], Value::Null, "a forged signature never lands");
    assert_eq!(node.balance(&bob), 1_004_000);

    // Sent again: preflight says it was processed already.
    let again = node.request("sendTransaction", json!([wire, { "encoding": "base64" }]));
    assert_eq!(again["error"]["code"], json!(-32002), "{again}");
    assert_eq!(again["error"]["data"]["err"], json!("AlreadyProcessed"));

    // Simulation: a blockhash nobody knows, then replaced; the accounts as the
    // transaction would leave them.
    let unknown_blockhash = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&alice.pubkey(), &bob, 7_000_000)],
        Some(&alice.pubkey()),
        &[&alice],
        Hash([7; 32]),
    );
    let wire = base64_encode(&unknown_blockhash.to_wire().unwrap());
    let stale = node.call("simulateTransaction", json!([wire, { "encoding": "base64" }]));
    assert_eq!(stale["value"]["err"], json!("BlockhashNotFound"), "{stale}");
    let replaced = node.call(
        "simulateTransaction",
        json!([wire, { "encoding": "base64", "replaceRecentBlockhash": true,
                       "accounts": { "addresses": [bob.to_string()], "encoding": "base64" } }]),
    );
    let value = &replaced["value"];
    assert_eq!(value["err"], Value::Null, "{replaced}");
    assert_eq!(value["accounts"][0]["lamports"], json!(8_004_000), "bob as the transfer would leave him");
    assert!(value["replacementBlockhash"]["blockhash"].is_string(), "{replaced}");
    assert!(value["unitsConsumed"].as_u64().unwrap() > 0);
    assert_eq!(node.balance(&bob), 1_004_000, "a simulation changes nothing");
    let both = node.request(
        "simulateTransaction",
        json!([wire, { "encoding": "base64", "replaceRecentBlockhash": true, "sigVerify": true }]),
    );
    assert_eq!(both["error"]["code"], json!(-32602));

    // A transfer the rent rule refuses fails preflight with its logs.
    let short = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&alice.pubkey(), &Pubkey::new_unique_from_u64(78), 10)],
        Some(&alice.pubkey()),
        &[&alice],
        blockhash,
    );
    let refused = node.post(
        &json!({ "jsonrpc": "2.0", "id": "x", "method": "sendTransaction",
                 "params": [base64_encode(&short.to_wire().unwrap()), { "encoding": "base64" }] })
        .to_string(),
    );
    assert_eq!(refused["id"], json!("x"), "the id keeps its type");
    assert_eq!(refused["error"]["code"], json!(-32002), "{refused}");
    assert_eq!(refused["error"]["data"]["err"], json!({ "InsufficientFundsForRent": { "account_index": 1 } }));
    assert!(refused["error"]["data"]["logs"].as_array().is_some_and(|logs| !logs.is_empty()));

    // Bad requests: each a JSON-RPC error, and the node keeps serving.
    assert_eq!(node.post("{not json")["error"]["code"], json!(-32700));
    assert_eq!(node.post(r#"{"jsonrpc":"2.0","id":1,"method":"noSuchMethod"}"#)["error"]["code"], json!(-32601));
    let bad_key = node.post(r#"{"jsonrpc":"2.0","id":1,"method":"getBalance","params":["not-a-key"]}"#);
    assert_eq!(bad_key["error"]["code"], json!(-32602));
    let garbage =
        node.post(r#"{"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":["3vQB7B6MrGQZaxCuFg4oh"]}"#);
    assert_eq!(garbage["error"]["code"], json!(-32602), "{garbage}");
    // A transaction over a packet's 1,232 bytes, and a body over 10 MiB.
    let oversized = base64_encode(&[1u8; 2_000]);
    let (code, message) = node.error("sendTransaction", json!([oversized, { "encoding": "base64" }]));
    assert_eq!(code, -32602, "{message}");
    assert!(message.contains("too large"), "{message}");
    let huge = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"getHealth","params":["{}"]}}"#, "a".repeat(11 << 20));
    assert_eq!(node.post_status(&huge), 413, "a body over 10 MiB is refused");
    assert_eq!(node.call("getHealth", json!([])), json!("ok"), "and the node keeps serving");
    let batch =
        node.post(r#"[{"jsonrpc":"2.0","id":1,"method":"getSlot"},{"jsonrpc":"2.0","id":"two","method":"getHealth"}]"#);
    assert_eq!((batch[0]["id"].clone(), batch[1]["result"].clone()), (json!(1), json!("ok")));
    let account =
        node.call("getAccountInfo", json!([lanes_token::ID.to_string(), { "encoding": "base64" }]))["value"].clone();
    assert_eq!(account["executable"], json!(true));
    assert_eq!(account["rentEpoch"], json!(u64::MAX));
    assert!(account["rentEpoch"].is_u64(), "a JSON integer, never a float");
    let zstd = node.call("getAccountInfo", json!([lanes_token::ID.to_string(), { "encoding": "base64+zstd" }]));
    let compressed = common::base64_decode(zstd["value"]["data"][0].as_str().unwrap());
    assert_eq!(zstd["value"]["data"][1], json!("base64+zstd"));
    let plain = common::base64_decode(account["data"][0].as_str().unwrap());
    assert_eq!(zstd::bulk::decompress(&compressed, plain.len()).unwrap(), plain);

    // What a TPU client asks first: one node, leading every slot.
    let identity = node.call("getIdentity", json!([]))["identity"].clone();
    assert_eq!(node.call("getSlotLeaders", json!([0, 3])), json!([identity, identity, identity]));
    assert_eq!(node.call("getClusterNodes", json!([]))[0]["pubkey"], identity);
    assert_eq!(node.call("getEpochSchedule", json!([]))["slotsPerEpoch"], json!(432_000));
    assert_eq!(node.call("getSlotLeader", json!([])), identity);
    assert_eq!(node.call("getVoteAccounts", json!([])), json!({ "current": [], "delinquent": [] }));
    let schedule = node.call("getLeaderSchedule", json!([]));
    assert_eq!(schedule[identity.as_str().unwrap()].as_array().unwrap().len(), 432_000);
    let fees = node.call("getRecentPrioritizationFees", json!([]));
    assert!(fees.as_array().unwrap().iter().all(|f| f["prioritizationFee"] == json!(0) && f["slot"].is_u64()));
    assert_eq!(node.call("getStakeMinimumDelegation", json!([]))["value"], json!(1));
    assert!(node.call("getInflationGovernor", json!([]))["initial"].is_f64());
    assert_eq!(node.call("getBlockTime", json!([1])), json!(1_700_000_000));
    let future = node.post(r#"{"jsonrpc":"2.0","id":1,"method":"getBlockTime","params":[99999999]}"#);
    assert_eq!(future["error"]["code"], json!(-32004));

    // Stopped with SIGINT and started again: the state is still there.
    node.stop();
    let node = Validator::start(ledger.path());
    assert_eq!(node.balance(&bob), 1_004_000);
    assert_eq!(node.balance(&alice.pubkey()), 2_000_000_000 - 1_004_000 - 10_000);
}

#[test]
fn history_from_the_ledger_survives_a_restart_and_verifies() {
    let ledger = TempLedger::new("history");
    let node = Validator::start(ledger.path());
    let alice = Keypair::new();
    let bob = Pubkey::new_unique_from_u64(91);
    let airdrop = node.call("requestAirdrop", json!([alice.pubkey().to_string(), 2_000_000_000u64]));
    let airdrop = airdrop.as_str().unwrap().to_string();
    node.finalized(&airdrop);
    let old_blockhash = node.blockhash();
    let pay = |lamports: u64, blockhash: Hash| {
        Transaction::new_signed_with_payer(
            &[system_instruction::transfer(&alice.pubkey(), &bob, lamports)],
            Some(&alice.pubkey()),
            &[&alice],
            blockhash,
        )
    };
    let transfer = pay(1_000_000, old_blockhash);
    let sent = node.send(&transfer, false);
    // Too much: fails on chain (preflight skipped), fee charged.
    let failing = node.send(&pay(50_000_000_000, old_blockhash), true);
    node.finalized(&sent);
    assert!(node.finalized(&failing)["err"]["InstructionError"].is_array());

    // getTransaction, json: Solana's shape, field by field.
    let got = node.call("getTransaction", json!([sent, { "encoding": "json" }]));
    let slot = got["slot"].as_u64().unwrap();
    assert_eq!(got["transaction"]["signatures"], json!([sent]));
    let message = &got["transaction"]["message"];
    assert_eq!(
        message["accountKeys"],
        json!([alice.pubkey().to_string(), bob.to_string(), lanes_sdk::system_program::ID.to_string()])
    );
    assert_eq!(
        message["header"],
        json!({ "numRequiredSignatures": 1, "numReadonlySignedAccounts": 0, "numReadonlyUnsignedAccounts": 1 })
    );
    assert_eq!(message["recentBlockhash"], json!(old_blockhash.to_string()));
    assert_eq!(message["instructions"][0]["programIdIndex"], json!(2));
    assert_eq!(message["instructions"][0]["accounts"], json!([0, 1]));
    let meta = &got["meta"];
    assert_eq!((meta["err"].clone(), meta["status"].clone()), (Value::Null, json!({ "Ok": null })));
    assert_eq!(meta["fee"], json!(5_000));
    assert_eq!(meta["preBalances"], json!([2_000_000_000u64, 0, 0]), "builtins hold no lamports here");
    assert_eq!(meta["postBalances"], json!([2_000_000_000u64 - 1_005_000, 1_000_000, 0]));
    assert!(meta["logMessages"].as_array().is_some_and(|l| !l.is_empty()), "{meta}");
    assert!(meta["computeUnitsConsumed"].is_u64());
    assert_eq!(meta["innerInstructions"], json!([]));
    assert!(got["blockTime"].is_i64());
    assert!(got.get("version").is_none(), "no version unless asked: {got}");
    let versioned = node.call("getTransaction", json!([sent, { "maxSupportedTransactionVersion": 0 }]));
    assert_eq!(versioned["version"], json!("legacy"));
    let parsed = node.call("getTransaction", json!([sent, { "encoding": "jsonParsed" }]));
    let message = &parsed["transaction"]["message"];
    assert_eq!(
        message["accountKeys"][0],
        json!({ "pubkey": alice.pubkey().to_string(), "signer": true, "writable": true, "source": "transaction" })
    );
    let instruction = &message["instructions"][0];
    assert_eq!(
        (instruction["program"].clone(), instruction["parsed"]["type"].clone()),
        (json!("system"), json!("transfer"))
    );
    assert_eq!(
        instruction["parsed"]["info"],
        json!({ "source": alice.pubkey().to_string(), "destination": bob.to_string(), "lamports": 1_000_000 })
    );
    let base64 = node.call("getTransaction", json!([sent, { "encoding": "base64" }]));
    assert_eq!(base64["transaction"], json!([base64_encode(&transfer.to_wire().unwrap()), "base64"]));
    let failed = node.call("getTransaction", json!([failing]));
    assert_eq!(failed["meta"]["fee"], json!(5_000));
    assert!(failed["meta"]["err"]["InstructionError"].is_array(), "{failed}");
    let pre = failed["meta"]["preBalances"][0].as_u64().unwrap();
    assert_eq!(failed["meta"]["postBalances"][0].as_u64().unwrap(), pre - 5_000, "only the fee moved");
    let processed = node.post(
        &json!({"jsonrpc":"2.0","id":1,"method":"getTransaction","params":[sent, {"commitment":"processed"}]})
            .to_string(),
    );
    assert_eq!(processed["error"]["code"], json!(-32602));
    let unknown = Keypair::new().sign_message(b"never sent").to_string();
    assert_eq!(node.call("getTransaction", json!([unknown])), Value::Null);

    // getSignaturesForAddress: newest first, with before / until / limit.
    let history = node.call("getSignaturesForAddress", json!([alice.pubkey().to_string()]));
    let signatures: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["signature"].as_str().unwrap()).collect();
    assert_eq!(signatures.len(), 3, "{history}");
    assert_eq!(signatures[2], airdrop, "the airdrop is the oldest");
    assert!(signatures[..2].contains(&sent.as_str()) && signatures[..2].contains(&failing.as_str()));
    let entry = &history[2];
    assert_eq!((entry["err"].clone(), entry["memo"].clone()), (Value::Null, Value::Null));
    assert_eq!(entry["confirmationStatus"], json!("finalized"));
    let one = node.call("getSignaturesForAddress", json!([alice.pubkey().to_string(), { "limit": 1 }]));
    assert_eq!(one.as_array().unwrap().len(), 1);
    let before = node.call("getSignaturesForAddress", json!([alice.pubkey().to_string(), { "before": signatures[0] }]));
    assert_eq!(before.as_array().unwrap().len(), 2);
    assert_eq!(before[0]["signature"], json!(signatures[1]));
    let until = node.call("getSignaturesForAddress", json!([alice.pubkey().to_string(), { "until": signatures[2] }]));
    assert_eq!(until.as_array().unwrap().len(), 2);
    let limit = node.post(
        &json!({"jsonrpc":"2.0","id":1,"method":"getSignaturesForAddress",
                "params":[alice.pubkey().to_string(), {"limit": 1001}]})
        .to_string(),
    );
    assert_eq!(limit["error"]["code"], json!(-32602));

    // getBlock and getBlocks.
    let block = node.call("getBlock", json!([slot, { "maxSupportedTransactionVersion": 0 }]));
    assert_eq!(block["parentSlot"], json!(slot - 1));
    assert_eq!(block["blockHeight"], json!(slot));
    assert!(block["blockhash"].is_string() && block["previousBlockhash"].is_string());
    let parent = node.call("getBlock", json!([slot - 1, { "transactionDetails": "none" }]));
    assert_eq!(block["previousBlockhash"], parent["blockhash"], "blocks chain by blockhash");
    assert!(block["transactions"].as_array().unwrap().iter().any(|t| t["transaction"]["signatures"][0] == sent));
    assert_eq!(block["transactions"][0]["version"], json!("legacy"));
    let signatures_only = node.call("getBlock", json!([slot, { "transactionDetails": "signatures" }]));
    assert!(signatures_only["signatures"].as_array().unwrap().contains(&json!(sent)));
    let blocks = node.call("getBlocks", json!([slot - 1, slot]));
    assert_eq!(blocks, json!([slot - 1, slot]));
    assert_eq!(node.call("getBlocksWithLimit", json!([slot, 1])), json!([slot]));
    let missing = node.post(r#"{"jsonrpc":"2.0","id":1,"method":"getBlock","params":[99999999]}"#);
    assert_eq!(missing["error"]["code"], json!(-32004));

    // After a restart: history, statuses and blockhashes are all still there,
    // and a replay of a processed transaction is refused.
    let count = node.call("getTransactionCount", json!([])).as_u64().unwrap();
    node.stop();
    let node = Validator::start(ledger.path());
    assert_eq!(node.call("getTransaction", json!([sent]))["slot"], json!(slot));
    assert_eq!(node.finalized(&sent)["slot"], json!(slot), "the status is found after a restart");
    assert!(node.call("getTransactionCount", json!([])).as_u64().unwrap() >= count);
    assert_eq!(node.call("isBlockhashValid", json!([old_blockhash.to_string()]))["value"], json!(true));
    node.send(&transfer, true);
    let again = node.send(&pay(2_000_000, old_blockhash), false);
    node.finalized(&again);
    assert_eq!(node.balance(&bob), 3_000_000, "the replayed transfer did not land twice");
    node.stop();

    verify_ledger(ledger.path());
}

#[test]
fn genesis_programs_and_accounts_from_files_supply_and_samples() {
    let ledger = TempLedger::new("genesis-flags");
    let files = std::env::temp_dir().join(format!("lanes-genesis-files-{}", std::process::id()));
    std::fs::create_dir_all(&files).unwrap();
    // The counter example, deployed at its declared address, and a counter
    // account whose authority is `authority`, as `solana account --output json` writes it.
    let counter_program: Pubkey = "Counter111111111111111111111111111111111111".parse().unwrap();
    let wasm = files.join("counter.wasm");
    std::fs::write(&wasm, lanes_program_artifacts::COUNTER_EXAMPLE).unwrap();
    let authority = Keypair::new();
    let counter = Pubkey::new_unique_from_u64(4242);
    let mut data = authority.pubkey().0.to_vec();
    data.extend_from_slice(&0u64.to_le_bytes());
    let account_json = json!({
        "pubkey": counter.to_string(),
        "account": {
            "lamports": 10_000_000u64,
            "data": [base64_encode(&data), "base64"],
            "owner": counter_program.to_string(),
            "executable": false,
            "rentEpoch": u64::MAX,
            "space": data.len(),
        }
    });
    let account_file = files.join("counter.json");
    std::fs::write(&account_file, account_json.to_string()).unwrap();
    let counter_text = counter.to_string();
    let flags = [
        "--program",
        "Counter111111111111111111111111111111111111",
        wasm.to_str().unwrap(),
        "--account",
        &counter_text,
        account_file.to_str().unwrap(),
    ];
    let node = Validator::start_with(ledger.path(), &flags, &[]);
    let program = node.call("getAccountInfo", json!([counter_program.to_string(), { "encoding": "base64" }]));
    assert_eq!(program["value"]["executable"], json!(true));
    let stored = node.call("getAccountInfo", json!([counter.to_string(), { "encoding": "base64" }]));
    assert_eq!(stored["value"]["data"], json!([base64_encode(&data), "base64"]));
    assert_eq!(stored["value"]["owner"], json!(counter_program.to_string()));

    // The program runs: the account's authority increments it.
    let airdrop = node.call("requestAirdrop", json!([authority.pubkey().to_string(), 1_000_000_000u64]));
    node.finalized_ok(airdrop.as_str().unwrap());
    let supply_before = node.call("getSupply", json!([]))["value"].clone();
    let mut increment = vec![1u8];
    increment.extend_from_slice(&5u64.to_le_bytes());
    let instruction = lanes_sdk::Instruction {
        program_id: counter_program,
        accounts: vec![
            lanes_sdk::AccountMeta::new(counter, false),
            lanes_sdk::AccountMeta::new_readonly(authority.pubkey(), true),
        ],
        data: increment,
    };
    let signature = node.run(&[instruction], &authority, &[]);
    let logs = node.call("getTransaction", json!([signature]))["meta"]["logMessages"].clone();
    assert!(logs.as_array().unwrap().iter().any(|l| l == "Program log: count is now 5"), "{logs}");

    // Fees are burned: the supply fell by the increment's fee.
    let supply = node.call("getSupply", json!([]))["value"].clone();
    let total = supply["total"].as_u64().unwrap();
    assert_eq!(total, supply_before["total"].as_u64().unwrap() - 5_000, "{supply_before} → {supply}");
    assert_eq!(supply["circulating"], json!(total));
    assert_eq!(supply["nonCirculatingAccounts"], json!([]));
    // A fresh node has no minute-long sample yet; the limit is Solana's.
    assert_eq!(node.call("getRecentPerformanceSamples", json!([5])), json!([]));
    assert_eq!(node.error("getRecentPerformanceSamples", json!([721])).0, -32602);

    // Given to an existing ledger, the genesis flags are ignored with a warning.
    node.stop();
    let node = Validator::start_with(ledger.path(), &flags, &[]);
    assert!(node.startup.iter().any(|l| l.starts_with("Warning: the ledger exists")), "{:?}", node.startup);
    drop(node);
    let _ = std::fs::remove_dir_all(&files);
}
