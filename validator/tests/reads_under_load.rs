//! RPC reads hammered while the real `lanes-validator` executes a load:
//! `getAccountInfo`, `getBalance`, `getMultipleAccounts` and
//! `getProgramAccounts` from two threads never fail, never see a torn
//! account, and never stall execution — every transfer lands and the
//! ledger written under it verifies.

mod common;

use common::{verify_ledger, TempLedger, Validator};
use lanes_sdk::client::Keypair;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{system_instruction, system_program, Pubkey};
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Instant;

#[test]
fn reads_during_load_neither_fail_nor_stall_execution() {
    let ledger = TempLedger::new("reads-under-load");
    let node = Validator::start(ledger.path());
    let payers: Vec<Keypair> = (0..8).map(|_| Keypair::new()).collect();
    for payer in &payers {
        let airdrop = node.call("requestAirdrop", json!([payer.pubkey().to_string(), 10_000_000_000u64]));
        node.finalized_ok(airdrop.as_str().unwrap());
    }
    let recipients: Vec<Pubkey> = (0..64).map(|i| Pubkey::new_unique_from_u64(50_000 + i)).collect();
    let done = AtomicBool::new(false);
    let reads = AtomicU64::new(0);
    let transfers = 4_000usize;

    std::thread::scope(|scope| {
        for reader in 0..2 {
            let (node, done, reads, recipients, payers) = (&node, &done, &reads, &recipients, &payers);
            scope.spawn(move || {
                let mut i = reader;
                while !done.load(Relaxed) {
                    let key = recipients[i % recipients.len()];
                    match i % 4 {
                        0 => {
                            let account =
                                node.call("getAccountInfo", json!([key.to_string(), { "encoding": "base64" }]));
                            let value = &account["value"];
                            // Absent, or a whole system account: never a torn one.
                            assert!(
                                value.is_null() || value["owner"] == json!(system_program::ID.to_string()),
                                "{account}"
                            );
                        }
                        1 => {
                            node.balance(&payers[i % payers.len()].pubkey());
                        }
                        2 => {
                            let keys: Vec<String> = recipients.iter().take(32).map(ToString::to_string).collect();
                            let many = node.call("getMultipleAccounts", json!([keys]));
                            assert_eq!(many["value"].as_array().unwrap().len(), 32);
                        }
                        _ => {
                            let owned = node.call("getProgramAccounts", json!([lanes_token::ID.to_string()]));
                            assert!(owned.is_array(), "{owned}");
                        }
                    }
                    reads.fetch_add(1, Relaxed);
                    i += 2;
                }
            });
        }

        let started = Instant::now();
        let blockhash = node.blockhash();
        let mut expected = vec![0u64; recipients.len()];
        let transactions: Vec<Transaction> = (0..transfers)
            .map(|i| {
                let payer = &payers[i % payers.len()];
                let to = i % recipients.len();
                let lamports = 1_000_000 + i as u64;
                expected[to] += lamports;
                Transaction::new_signed_with_payer(
                    &[system_instruction::transfer(&payer.pubkey(), &recipients[to], lamports)],
                    Some(&payer.pubkey()),
                    &[payer],
                    blockhash,
                )
            })
            .collect();
        let signatures: Vec<String> = node.send_batched(transactions).into_iter().map(|s| s.expect("queued")).collect();
        for signature in signatures.iter().rev().take(20) {
            node.finalized_ok(signature);
        }
        let deadline = Instant::now() + common::WAIT;
        for (key, lamports) in recipients.iter().zip(&expected) {
            while node.balance(key) != *lamports {
                assert!(Instant::now() < deadline, "{key}: every transfer lands");
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        done.store(true, Relaxed);
        eprintln!("{transfers} transfers landed in {:?} beside {} reads", started.elapsed(), reads.load(Relaxed));
    });
    assert!(reads.load(Relaxed) > 0);
    node.stop();
    verify_ledger(ledger.path());
}
