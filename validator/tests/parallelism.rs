//! `lanesGetSlotLanes` and `lanesGetContention` on a real node with two
//! workers, on workloads whose answer is known: transfers that all write
//! one hot account (it ranks first, every transaction after the first of a
//! slot waits on it, and the slot is one chain), and transfers between
//! accounts nothing else touches (nothing ranked, nobody waits).

mod common;

use common::{TempLedger, Validator};
use lanes_sdk::client::Keypair;
use lanes_sdk::system_instruction;
use lanes_sdk::transaction::Transaction;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashSet};

const PAYERS: usize = 120;

/// Send one transfer from each payer to `to(i)`; wait for all; the slots they landed in.
fn transfers(
    node: &Validator,
    payers: &[Keypair],
    to: impl Fn(usize) -> lanes_sdk::Pubkey,
) -> (Vec<String>, BTreeSet<u64>) {
    let blockhash = node.blockhash();
    let txs = payers.iter().enumerate().map(|(i, payer)| {
        Transaction::new_signed_with_payer(
            &[system_instruction::transfer(&payer.pubkey(), &to(i), 1_000_000)],
            Some(&payer.pubkey()),
            &[payer],
            blockhash,
        )
    });
    let signatures: Vec<String> = node.send_batched(txs).into_iter().map(|s| s.expect("accepted")).collect();
    let slots = signatures.iter().map(|s| node.finalized(s)["slot"].as_u64().unwrap()).collect();
    (signatures, slots)
}

/// A `lanesGetSlotLanes` answer with each account index replaced by the
/// address it names in the answer's `accounts` (checked to be in range).
fn with_addresses(mut lanes: Value) -> Value {
    let accounts = lanes["accounts"].as_array().expect("an accounts table").clone();
    let distinct: HashSet<&Value> = accounts.iter().collect();
    assert_eq!(distinct.len(), accounts.len(), "each account named once: {accounts:?}");
    let name = |index: &Value| {
        let i = index.as_u64().unwrap_or_else(|| panic!("an account index: {index}")) as usize;
        accounts.get(i).unwrap_or_else(|| panic!("index {i} past {} accounts", accounts.len())).clone()
    };
    for tx in lanes["transactions"].as_array_mut().unwrap() {
        let keys = |list: &Value| Value::Array(list.as_array().unwrap().iter().map(name).collect());
        tx["writable"] = keys(&tx["writable"]);
        tx["readonly"] = keys(&tx["readonly"]);
        if !tx["program"].is_null() {
            tx["program"] = name(&tx["program"]);
        }
        if !tx["waitedOn"].is_null() {
            tx["waitedOn"]["account"] = name(&tx["waitedOn"]["account"]);
        }
    }
    lanes
}

#[test]
fn contention_and_slot_lanes_on_known_workloads() {
    let ledger = TempLedger::new("parallelism");
    let node = Validator::start_with(ledger.path(), &["--threads", "2", "--slot-ms", "300"], &[]);
    let payers: Vec<Keypair> = (0..PAYERS).map(|_| Keypair::new()).collect();
    let hot = Keypair::new().pubkey();
    let airdrops: Vec<String> = payers
        .iter()
        .map(|p| p.pubkey())
        .chain([hot])
        .map(|key| {
            node.call("requestAirdrop", json!([key.to_string(), 1_000_000_000u64])).as_str().unwrap().to_string()
        })
        .collect();
    for signature in &airdrops {
        node.finalized_ok(signature);
    }

    // Everyone pays into one account.
    let (signatures, slots) = transfers(&node, &payers, |_| hot);
    let (first, last) = (*slots.first().unwrap(), *slots.last().unwrap());
    let report = node.call("lanesGetContention", json!([{ "startSlot": first, "endSlot": last }]));
    assert_eq!(report["transactions"], PAYERS, "{report}");
    let top = &report["accounts"][0];
    assert_eq!(top["account"], hot.to_string(), "{report}");
    assert_eq!(top["writeLocked"], PAYERS);
    assert_eq!(top["conflicts"].as_u64().unwrap(), (PAYERS - slots.len()) as u64, "all but each slot's first");
    assert!(top["lostParallelism"].as_f64().unwrap() > 0.5, "its chain is most of the slots' time: {top}");
    assert_eq!(report["accounts"].as_array().unwrap().len(), 1, "payers and the system program never conflict");

    let ours: HashSet<&str> = signatures.iter().map(String::as_str).collect();
    for slot in slots {
        let lanes = with_addresses(node.call("lanesGetSlotLanes", json!([slot])));
        let block = node.call("getBlock", json!([slot, { "transactionDetails": "signatures" }]));
        let txs = lanes["transactions"].as_array().unwrap();
        let in_block: Vec<&Value> = block["signatures"].as_array().unwrap().iter().collect();
        assert_eq!(txs.iter().map(|t| &t["signature"]).collect::<Vec<_>>(), in_block, "committed order, all of them");
        assert!(lanes["workers"].as_u64().unwrap() <= 2);
        assert_eq!(lanes["criticalPath"]["transactions"], txs.len(), "one chain through the slot");
        let mut seen = HashSet::new();
        for (i, tx) in txs.iter().enumerate() {
            assert!(ours.contains(tx["signature"].as_str().unwrap()));
            assert!(tx["startNs"].as_u64().unwrap() <= tx["endNs"].as_u64().unwrap());
            assert!(tx["writable"].as_array().unwrap().contains(&json!(hot.to_string())));
            assert_eq!(tx["program"], "11111111111111111111111111111111");
            if i == 0 {
                assert_eq!(tx["waitedOn"], Value::Null, "the slot's first waits on nobody");
            } else {
                let waited = &tx["waitedOn"];
                assert_eq!(waited["account"], hot.to_string(), "{tx}");
                assert!(seen.contains(waited["signature"].as_str().unwrap()), "an earlier transaction: {tx}");
            }
            seen.insert(tx["signature"].as_str().unwrap().to_string());
        }
        // The slot's ranking is lanesGetContention's for that slot alone.
        let alone = node.call("lanesGetContention", json!([{ "startSlot": slot, "endSlot": slot, "limit": 10 }]));
        assert_eq!(lanes["contention"], alone["accounts"]);
        assert_eq!(lanes["contention"][0]["account"], hot.to_string());
        // One transaction of it, for a transaction's page.
        let last = txs.last().unwrap();
        let one = with_addresses(
            node.call("lanesGetSlotLanes", json!([slot, { "signature": last["signature"], "contention": 0 }])),
        );
        assert_eq!(one["transactions"], json!([last]));
        assert_eq!(one["contention"], json!([]));
        assert_eq!(one["criticalPath"], lanes["criticalPath"]);
        let parallelism = lanes["parallelism"].as_f64().unwrap();
        assert!(parallelism > 0.0 && parallelism <= 1.0 + 1e-9, "serialized: {parallelism}");
    }

    // Each pays a new account of its own: nothing conflicts.
    let recipients: Vec<_> = (0..PAYERS).map(|_| Keypair::new().pubkey()).collect();
    let (_, slots) = transfers(&node, &payers, |i| recipients[i]);
    let (first, last) = (*slots.first().unwrap(), *slots.last().unwrap());
    let report = node.call("lanesGetContention", json!([{ "startSlot": first, "endSlot": last, "limit": 5 }]));
    assert_eq!(report["transactions"], PAYERS, "{report}");
    assert_eq!(report["accounts"], json!([]), "nothing ranked: {report}");
    for slot in slots {
        let lanes = node.call("lanesGetSlotLanes", json!([slot]));
        assert!(lanes["transactions"].as_array().unwrap().iter().all(|t| t["waitedOn"].is_null()), "{lanes}");
        assert_eq!(lanes["criticalPath"]["transactions"], 1);
    }

    // Bad input: clear errors.
    let frozen = node.call("getSlot", json!([]));
    let (code, message) = node.error("lanesGetSlotLanes", json!([frozen.as_u64().unwrap() + 1_000]));
    assert_eq!((code, message.starts_with("Block not available for slot")), (-32004, true), "{message}");
    assert_eq!(node.error("lanesGetSlotLanes", json!(["x"])).0, -32602);
    assert_eq!(node.error("lanesGetSlotLanes", json!([1, { "signature": "x" }])).0, -32602);
    assert_eq!(node.error("lanesGetSlotLanes", json!([1, { "contention": 5_000 }])).0, -32602);
    let (code, message) = node.error("lanesGetContention", json!([{ "startSlot": 10, "endSlot": 5 }]));
    assert_eq!(code, -32602, "{message}");
    assert_eq!(node.error("lanesGetContention", json!([{ "limit": 0 }])).0, -32602);
    assert_eq!(node.error("lanesGetContention", json!(["x"])).0, -32602);
    node.stop();
}
