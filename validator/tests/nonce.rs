//! Durable nonces (issue 15) through the real `lanes-validator` binary on
//! free loopback ports with a temporary ledger: a nonce account created by
//! real system transactions; transactions signed on its nonce, held until
//! the blockhash they were built beside has expired, then sent over
//! JSON-RPC and over the UDP port, land once each and advance the nonce;
//! `getTransaction` shows them with the nonce as their blockhash; a replay
//! is refused by preflight as Agave refuses it (-32002, `BlockhashNotFound`)
//! and, with preflight skipped, never lands; one whose second instruction
//! fails still advances the nonce and pays its fee; and the ledger replays
//! (`verify-ledger`, a restart) to the same nonce, after which the nonce
//! still refuses the old transactions and takes a new one.

mod common;

use common::{base64_decode, base64_encode, verify_ledger, TempLedger, Validator, WAIT};
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::nonce::{State, Versions};
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{system_instruction, system_program, Instruction, Pubkey};
use serde_json::{json, Value};
use std::net::UdpSocket;
use std::time::{Duration, Instant};

/// Lamports each nonce transfer moves: above the rent-exempt minimum of a new account.
const AMOUNT: u64 = 5_000_000;
/// Solana's fee: 5,000 lamports a signature.
const FEE_PER_SIGNATURE: u64 = 5_000;

/// What the nonce account holds: its stored nonce (the blockhash a
/// transaction using it carries) and its authority.
fn stored_nonce(node: &Validator, nonce: &Pubkey) -> (Hash, Pubkey) {
    let info = node.call("getAccountInfo", json!([nonce.to_string(), { "encoding": "base64" }]));
    let value = &info["value"];
    assert_eq!(value["owner"], json!(system_program::ID.to_string()), "{info}");
    let data = base64_decode(value["data"][0].as_str().unwrap());
    match Versions::decode(&data).unwrap() {
        Versions::Current(state) => match *state {
            State::Initialized(data) => (data.blockhash(), data.authority),
            State::Uninitialized => panic!("the nonce account is not initialized: {info}"),
        },
        Versions::Legacy(_) => panic!("a new nonce account is of the current version: {info}"),
    }
}

/// A signed transaction on the nonce: `advance` first, then `rest`; `payer`
/// pays, `authority` signs the advance.
fn on_nonce(
    nonce_value: Hash,
    advance: &Instruction,
    rest: &[Instruction],
    payer: &Keypair,
    authority: &Keypair,
) -> Transaction {
    let mut instructions = vec![advance.clone()];
    instructions.extend_from_slice(rest);
    Transaction::new_signed_with_payer(&instructions, Some(&payer.pubkey()), &[payer, authority], nonce_value)
}

/// Wait (bounded) until `blockhash` is no longer valid: a transaction
/// carrying it could not land any more.
fn until_expired(node: &Validator, blockhash: &Hash) {
    let deadline = Instant::now() + WAIT;
    while node.call("isBlockhashValid", json!([blockhash.to_string()]))["value"] == json!(true) {
        assert!(Instant::now() < deadline, "{blockhash} did not expire");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wire64(tx: &Transaction) -> String {
    base64_encode(&tx.to_wire().unwrap())
}

/// The preflight refusal of a transaction whose nonce has moved on: Agave's
/// -32002 with the simulation's `BlockhashNotFound`.
fn assert_refused_as_stale(node: &Validator, tx: &Transaction) {
    let refused = node.request("sendTransaction", json!([wire64(tx), { "encoding": "base64" }]));
    let error = &refused["error"];
    assert_eq!(error["code"], json!(-32002), "{refused}");
    assert_eq!(error["message"], json!("Transaction simulation failed: Blockhash not found"), "{refused}");
    assert_eq!(error["data"]["err"], json!("BlockhashNotFound"), "{refused}");
    let simulated = node.call("simulateTransaction", json!([wire64(tx), { "encoding": "base64" }]));
    assert_eq!(simulated["value"]["err"], json!("BlockhashNotFound"), "{simulated}");
}

#[test]
fn durable_nonce_transactions_land_once_over_rpc_and_udp_and_the_ledger_replays_them() {
    let ledger = TempLedger::new("nonce");
    let node = Validator::start(ledger.path());
    let (payer, authority, nonce) = (Keypair::new(), Keypair::new(), Keypair::new());
    let airdrop = node.call("requestAirdrop", json!([payer.pubkey().to_string(), 10_000_000_000u64]));
    node.finalized_ok(airdrop.as_str().unwrap());

    // The nonce account: created and initialized in one transaction, for
    // an authority other than the payer.
    let rent = node.call("getMinimumBalanceForRentExemption", json!([State::size()])).as_u64().unwrap();
    let create = system_instruction::create_nonce_account(&payer.pubkey(), &nonce.pubkey(), &authority.pubkey(), rent);
    node.run(&create, &payer, &[&nonce]);
    let (first_nonce, stored_authority) = stored_nonce(&node, &nonce.pubkey());
    assert_eq!(stored_authority, authority.pubkey());
    assert_eq!(node.call("isBlockhashValid", json!([first_nonce.to_string()]))["value"], json!(false));
    let advance = system_instruction::advance_nonce_account(&nonce.pubkey(), &authority.pubkey());

    // Signed now, beside the latest blockhash; sent once that has expired.
    let (to, over_udp) = (Pubkey::new_unique(), Pubkey::new_unique());
    let beside = node.blockhash();
    let tx = on_nonce(
        first_nonce,
        &advance,
        &[system_instruction::transfer(&payer.pubkey(), &to, AMOUNT)],
        &payer,
        &authority,
    );
    until_expired(&node, &beside);

    // Over JSON-RPC, with preflight.
    let simulated = node.call("simulateTransaction", json!([wire64(&tx), { "encoding": "base64" }]));
    assert_eq!(simulated["value"]["err"], Value::Null, "{simulated}");
    let signature = node.call("sendTransaction", json!([wire64(&tx), { "encoding": "base64" }]));
    let signature = signature.as_str().unwrap().to_string();
    assert_eq!(signature, tx.signatures[0].to_string());
    node.finalized_ok(&signature);
    assert_eq!(node.balance(&to), AMOUNT);
    let (second_nonce, _) = stored_nonce(&node, &nonce.pubkey());
    assert_ne!(second_nonce, first_nonce, "the nonce advanced");

    // getTransaction: the nonce as its blockhash, the advance first, both signatures paid for.
    let got = node.call("getTransaction", json!([signature, { "maxSupportedTransactionVersion": 0 }]));
    assert_eq!(got["version"], json!("legacy"), "{got}");
    assert_eq!(got["meta"]["err"], Value::Null);
    assert_eq!(got["meta"]["fee"], json!(2 * FEE_PER_SIGNATURE));
    let message = &got["transaction"]["message"];
    assert_eq!(message["recentBlockhash"], json!(first_nonce.to_string()));
    let keys = message["accountKeys"].as_array().unwrap();
    let program = message["instructions"][0]["programIdIndex"].as_u64().unwrap() as usize;
    assert_eq!(keys[program], json!(system_program::ID.to_string()));
    let nonce_index = message["instructions"][0]["accounts"][0].as_u64().unwrap() as usize;
    assert_eq!(keys[nonce_index], json!(nonce.pubkey().to_string()));
    let parsed = node.call("getTransaction", json!([signature, { "encoding": "jsonParsed" }]));
    let first = &parsed["transaction"]["message"]["instructions"][0];
    assert_eq!(first["program"], json!("system"), "{first}");
    assert_eq!(
        first["parsed"],
        json!({ "type": "advanceNonce", "info": {
            "nonceAccount": nonce.pubkey().to_string(),
            "recentBlockhashesSysvar": lanes_sdk::sysvar::recent_blockhashes::ID.to_string(),
            "nonceAuthority": authority.pubkey().to_string(),
        } })
    );
    let slot = got["slot"].as_u64().unwrap();
    let block = node.call("getBlock", json!([slot, { "transactionDetails": "signatures" }]));
    assert!(block["signatures"].as_array().unwrap().contains(&json!(signature)), "{block}");
    let statuses = node.call("getSignatureStatuses", json!([[signature], { "searchTransactionHistory": true }]));
    assert_eq!(statuses["value"][0]["slot"], json!(slot), "{statuses}");

    // A replay: preflight refuses it as a stale nonce; with preflight
    // skipped it is taken, and never lands (a transfer sent after it lands
    // first, or in the same slot, and the balance moved once).
    assert_refused_as_stale(&node, &tx);
    let replay = node.call("sendTransaction", json!([wire64(&tx), { "encoding": "base64", "skipPreflight": true }]));
    assert_eq!(replay, json!(signature));
    node.run(&[system_instruction::transfer(&payer.pubkey(), &to, 1)], &payer, &[]);
    assert_eq!(node.balance(&to), AMOUNT + 1, "the replay did not move lamports again");
    let status = node.call("getSignatureStatuses", json!([[signature]]));
    assert_eq!(status["value"][0]["slot"], json!(slot), "still the first landing: {status}");

    // Over the UDP port, on the advanced nonce: resent until it lands
    // (loopback may drop a datagram); the copies after it are refused by the nonce.
    let udp_tx = on_nonce(
        second_nonce,
        &advance,
        &[system_instruction::transfer(&payer.pubkey(), &over_udp, AMOUNT)],
        &payer,
        &authority,
    );
    let tpu = node.tpu_addr.clone().expect("the startup block names the TPU address");
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let deadline = Instant::now() + WAIT;
    while node.balance(&over_udp) == 0 {
        assert!(Instant::now() < deadline, "a nonce transfer over UDP did not land");
        socket.send_to(&udp_tx.to_wire().unwrap(), &tpu).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    let udp_signature = udp_tx.signatures[0].to_string();
    node.finalized_ok(&udp_signature);
    for _ in 0..3 {
        socket.send_to(&udp_tx.to_wire().unwrap(), &tpu).unwrap();
    }
    let (third_nonce, _) = stored_nonce(&node, &nonce.pubkey());
    assert_ne!(third_nonce, second_nonce);
    assert_refused_as_stale(&node, &udp_tx);
    node.run(&[system_instruction::transfer(&payer.pubkey(), &over_udp, 1)], &payer, &[]);
    assert_eq!(node.balance(&over_udp), AMOUNT + 1, "landed once");

    // A failing one (its transfer asks for more than the payer has): sent
    // without preflight, it lands failed, pays its fee and advances the nonce.
    let before = node.balance(&payer.pubkey());
    let failing = on_nonce(
        third_nonce,
        &advance,
        &[system_instruction::transfer(&payer.pubkey(), &to, before)],
        &payer,
        &authority,
    );
    let refused = node.request("sendTransaction", json!([wire64(&failing), { "encoding": "base64" }]));
    assert_eq!(refused["error"]["code"], json!(-32002), "preflight sees it fail: {refused}");
    assert_eq!(refused["error"]["data"]["err"], json!({ "InstructionError": [1, { "Custom": 1 }] }), "{refused}");
    let failed_signature =
        node.call("sendTransaction", json!([wire64(&failing), { "encoding": "base64", "skipPreflight": true }]));
    let failed_signature = failed_signature.as_str().unwrap().to_string();
    let status = node.finalized(&failed_signature);
    assert_eq!(status["err"], json!({ "InstructionError": [1, { "Custom": 1 }] }), "{status}");
    assert_eq!(node.balance(&payer.pubkey()), before - 2 * FEE_PER_SIGNATURE, "only the fee");
    let (fourth_nonce, _) = stored_nonce(&node, &nonce.pubkey());
    assert_ne!(fourth_nonce, third_nonce, "advanced although it failed");
    let failed = node.call("getTransaction", json!([failed_signature]));
    assert_eq!(failed["meta"]["fee"], json!(2 * FEE_PER_SIGNATURE));
    assert_eq!(failed["meta"]["err"], json!({ "InstructionError": [1, { "Custom": 1 }] }));
    assert_refused_as_stale(&node, &failing);

    // The ledger replays to the same state; after a restart the nonce is
    // where it was, refuses the old transactions and takes a new one.
    node.stop();
    verify_ledger(ledger.path());
    let node = Validator::start(ledger.path());
    assert_eq!(stored_nonce(&node, &nonce.pubkey()).0, fourth_nonce);
    for old in [&tx, &udp_tx, &failing] {
        assert_refused_as_stale(&node, old);
    }
    let again = node.call("getTransaction", json!([signature]));
    assert_eq!(again["transaction"]["message"]["recentBlockhash"], json!(first_nonce.to_string()));
    let after_restart = on_nonce(
        fourth_nonce,
        &advance,
        &[system_instruction::transfer(&payer.pubkey(), &to, AMOUNT)],
        &payer,
        &authority,
    );
    let signature = node.call("sendTransaction", json!([wire64(&after_restart), { "encoding": "base64" }]));
    node.finalized_ok(signature.as_str().unwrap());
    assert_eq!(node.balance(&to), 2 * AMOUNT + 1);
    assert_ne!(stored_nonce(&node, &nonce.pubkey()).0, fourth_nonce);
    node.stop();
    verify_ledger(ledger.path());
}

#[test]
fn a_nonce_transaction_without_its_authority_or_on_a_wrong_nonce_is_refused() {
    let ledger = TempLedger::new("nonce-refused");
    let node = Validator::start(ledger.path());
    let (payer, authority, nonce) = (Keypair::new(), Keypair::new(), Keypair::new());
    let airdrop = node.call("requestAirdrop", json!([payer.pubkey().to_string(), 10_000_000_000u64]));
    node.finalized_ok(airdrop.as_str().unwrap());
    let rent = node.call("getMinimumBalanceForRentExemption", json!([State::size()])).as_u64().unwrap();
    let create = system_instruction::create_nonce_account(&payer.pubkey(), &nonce.pubkey(), &authority.pubkey(), rent);
    node.run(&create, &payer, &[&nonce]);
    let (value, _) = stored_nonce(&node, &nonce.pubkey());
    let to = Pubkey::new_unique();
    let transfer = system_instruction::transfer(&payer.pubkey(), &to, AMOUNT);

    // Advanced by someone who is not its authority: no usable nonce, so the
    // blockhash (the nonce value) is simply not found.
    let impostor = Keypair::new();
    let wrong = system_instruction::advance_nonce_account(&nonce.pubkey(), &impostor.pubkey());
    assert_refused_as_stale(&node, &on_nonce(value, &wrong, std::slice::from_ref(&transfer), &payer, &impostor));
    // A value that is not the stored nonce.
    let advance = system_instruction::advance_nonce_account(&nonce.pubkey(), &authority.pubkey());
    let other = Hash::new_from_array([7; 32]);
    assert_refused_as_stale(&node, &on_nonce(other, &advance, std::slice::from_ref(&transfer), &payer, &authority));
    // The advance not first.
    let second = Transaction::new_signed_with_payer(
        &[transfer.clone(), advance.clone()],
        Some(&payer.pubkey()),
        &[&payer, &authority],
        value,
    );
    assert_refused_as_stale(&node, &second);

    // Nothing moved; the right one lands.
    assert_eq!(stored_nonce(&node, &nonce.pubkey()).0, value);
    let good = on_nonce(value, &advance, &[transfer], &payer, &authority);
    let signature = node.call("sendTransaction", json!([wire64(&good), { "encoding": "base64" }]));
    node.finalized_ok(signature.as_str().unwrap());
    assert_eq!(node.balance(&to), AMOUNT);
    node.stop();
}
