//! Crashes of the real `lanes-validator`: SIGKILL under load, and an abort
//! between the ledger's write and the account store's (fault injection).
//! After each, a restart must keep every transaction that was `finalized`
//! before the crash with the same slot and result, the balances must agree
//! with the ledger's history, and `verify-ledger` must pass.
//!
//! Bounded by default (a few thousand transfers); `LANES_SOAK=1` sends many
//! more, over more rounds.

mod common;

use common::{verify_ledger, TempLedger, Validator};
use lanes_sdk::client::Keypair;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{system_instruction, Pubkey};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

fn soak() -> bool {
    std::env::var("LANES_SOAK").is_ok_and(|v| v == "1")
}

/// Fund `count` payers from the faucet, each with 10 SOL.
fn funded_payers(node: &Validator, count: usize) -> Vec<Keypair> {
    let payers: Vec<Keypair> = (0..count).map(|_| Keypair::new()).collect();
    let signatures: Vec<String> = payers
        .iter()
        .map(|p| node.call("requestAirdrop", json!([p.pubkey().to_string(), 10_000_000_000u64])))
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    for signature in &signatures {
        node.finalized_ok(signature);
    }
    payers
}

/// Send `transfers` in JSON-RPC batches of 100 (skipPreflight), payers in
/// turn, each to a recipient of its own; the signatures sent.
fn send_load(node: &Validator, payers: &[Keypair], transfers: usize, offset: u64) -> Vec<String> {
    let blockhash = node.blockhash();
    let transactions = (0..transfers).map(|i| {
        let payer = &payers[i % payers.len()];
        let to = Pubkey::new_unique_from_u64(offset + i as u64);
        Transaction::new_signed_with_payer(
            &[system_instruction::transfer(&payer.pubkey(), &to, 1_000_000 + i as u64)],
            Some(&payer.pubkey()),
            &[payer],
            blockhash,
        )
    });
    node.send_batched(transactions).into_iter().flatten().collect()
}

/// The finalized ones among `signatures`: signature → (slot, err).
fn finalized_statuses(node: &Validator, signatures: &[String]) -> HashMap<String, (u64, Value)> {
    let mut out = HashMap::new();
    for chunk in signatures.chunks(256) {
        let statuses = node.call("getSignatureStatuses", json!([chunk, { "searchTransactionHistory": true }]));
        for (signature, status) in chunk.iter().zip(statuses["value"].as_array().unwrap()) {
            if status["confirmationStatus"] == "finalized" {
                out.insert(signature.clone(), (status["slot"].as_u64().unwrap(), status["err"].clone()));
            }
        }
    }
    out
}

#[test]
fn sigkill_under_load_keeps_every_finalized_transaction_and_the_ledger_verifies() {
    let ledger = TempLedger::new("sigkill");
    let rounds = if soak() { 10 } else { 2 };
    let per_round = if soak() { 20_000 } else { 2_000 };
    let mut finalized_before: HashMap<String, (u64, Value)> = HashMap::new();
    let mut sent_total = 0;
    for round in 0..rounds {
        let node = Validator::start(ledger.path());
        let payers = funded_payers(&node, 16);
        let sent = send_load(&node, &payers, per_round, (round as u64) << 32);
        sent_total += sent.len();
        // Kill while the last batches may still be executing.
        std::thread::sleep(Duration::from_millis(30));
        let statuses = finalized_statuses(&node, &sent);
        drop(node); // SIGKILL
        eprintln!("round {round}: {} sent, {} finalized before SIGKILL", sent.len(), statuses.len());
        finalized_before.extend(statuses);
    }
    assert!(!finalized_before.is_empty(), "some of {sent_total} transfers were finalized before the kills");

    let node = Validator::start(ledger.path());
    let signatures: Vec<String> = finalized_before.keys().cloned().collect();
    let after = finalized_statuses(&node, &signatures);
    for (signature, before) in &finalized_before {
        assert_eq!(after.get(signature), Some(before), "{signature} was finalized before the kill");
    }
    // Balances agree with the ledger: each recipient got what one transfer sent.
    for signature in signatures.iter().take(50) {
        let tx = node.call("getTransaction", json!([signature]));
        let keys = &tx["transaction"]["message"]["accountKeys"];
        let recipient: Pubkey = keys[1].as_str().unwrap().parse().unwrap();
        let post = tx["meta"]["postBalances"][1].as_u64().unwrap();
        assert_eq!(node.balance(&recipient), post, "{signature}: the state matches the ledger");
    }
    node.stop();
    verify_ledger(ledger.path());
}

#[test]
fn a_crash_between_the_ledger_and_the_store_is_replayed_at_start() {
    let ledger = TempLedger::new("abort");
    let node = Validator::start(ledger.path());
    let payer = Keypair::new();
    let airdrop = node.call("requestAirdrop", json!([payer.pubkey().to_string(), 5_000_000_000u64]));
    node.finalized_ok(airdrop.as_str().unwrap());
    node.stop();

    // The next slot with transactions reaches the ledger, then the process dies.
    let node = Validator::start_with(ledger.path(), &[], &[("LANES_FAULT_ABORT_AFTER_LEDGER_WRITE", "1")]);
    let to = Pubkey::new_unique_from_u64(7);
    let tx = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&payer.pubkey(), &to, 1_234_567)],
        Some(&payer.pubkey()),
        &[&payer],
        node.blockhash(),
    );
    let signature = node.send(&tx, false);
    let deadline = Instant::now() + common::WAIT;
    let status = node.wait_exit();
    assert!(!status.success() && Instant::now() < deadline, "the node aborted: {status:?}");

    let node = Validator::start(ledger.path());
    assert!(
        node.startup.iter().any(|l| l.contains("1 slots replayed")),
        "the store missed one slot: {:?}",
        node.startup
    );
    assert_eq!(node.balance(&to), 1_234_567, "the replayed transfer is in the state");
    assert_eq!(node.finalized(&signature)["err"], Value::Null);
    // And the chain goes on from there.
    let more = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&payer.pubkey(), &to, 1)],
        Some(&payer.pubkey()),
        &[&payer],
        node.blockhash(),
    );
    node.finalized_ok(&node.send(&more, false));
    node.stop();
    verify_ledger(ledger.path());
}

#[test]
fn a_lost_account_store_is_rebuilt_from_the_ledger() {
    let ledger = TempLedger::new("rebuild");
    let node = Validator::start(ledger.path());
    let payer = Keypair::new();
    let airdrop = node.call("requestAirdrop", json!([payer.pubkey().to_string(), 5_000_000_000u64]));
    node.finalized_ok(airdrop.as_str().unwrap());
    let to = Pubkey::new_unique_from_u64(8);
    let tx = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&payer.pubkey(), &to, 7_654_321)],
        Some(&payer.pubkey()),
        &[&payer],
        node.blockhash(),
    );
    node.finalized_ok(&node.send(&tx, false));
    let payer_balance = node.balance(&payer.pubkey());
    node.stop();

    // The memory-mapped store is gone (a crash during genesis leaves it so
    // too); the ledger holds genesis and every slot since.
    std::fs::remove_dir_all(ledger.path().join("accounts")).unwrap();
    let node = Validator::start(ledger.path());
    assert!(node.startup.iter().any(|l| l.contains("2 slots replayed")), "{:?}", node.startup);
    assert_eq!(node.balance(&to), 7_654_321);
    assert_eq!(node.balance(&payer.pubkey()), payer_balance);
    let program = node.call("getAccountInfo", json!([lanes_token::ID.to_string(), { "encoding": "base64" }]));
    assert_eq!(program["value"]["executable"], json!(true), "genesis accounts are back");
    node.stop();
    verify_ledger(ledger.path());
}
