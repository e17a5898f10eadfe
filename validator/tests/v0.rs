//! v0 transactions (issue 15) through the real `lanes-validator` binary on
//! free loopback ports with a temporary ledger: a lookup table made and
//! extended by real lookup table transactions, then v0 transfers that load
//! their recipient from it — sent over JSON-RPC and over the UDP port —
//! land; `getTransaction` and `getBlock` answer them only to a client that
//! says it reads v0 (-32015 otherwise, Agave's message), with `version`,
//! `addressTableLookups` and the `loadedAddresses` recorded when they ran
//! (kept across a restart and checked by `verify-ledger`);
//! `getSignaturesForAddress` finds them by a loaded address. And what is
//! refused, as Solana refuses it: a lookup of a table that does not exist,
//! a message of version 1. And `lanes-client` and the `lanes` CLI built on
//! it read a v0 transaction back (`get_transaction`, `get_block`; `lanes
//! confirm -v`, `lanes block`).

mod common;

use common::{base64_encode, verify_ledger, wait_bounded, TempLedger, Validator, WAIT};
use lanes_client::RpcClient;
use lanes_sdk::address_lookup_table as alt;
use lanes_sdk::client::Keypair;
use lanes_sdk::message::v0::{self, LoadedAddresses, MessageAddressTableLookup};
use lanes_sdk::message::{AddressLookupTableAccount, TransactionVersion, VersionedMessage};
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::{system_instruction, AccountMeta, Instruction, Pubkey};
use serde_json::{json, Value};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Lamports each v0 transfer moves: above the rent-exempt minimum of a new account.
const AMOUNT: u64 = 5_000_000;

const UNSUPPORTED_V0: &str = "Transaction version (0) is not supported by the requesting client. Please try the \
                              request again with the following configuration parameter: \
                              \"maxSupportedTransactionVersion\": 0";

/// A funded payer and a lookup table holding `addresses`, created and
/// extended by real transactions, usable (its extension's slot is over).
fn table_with(node: &Validator, addresses: &[Pubkey]) -> (Keypair, AddressLookupTableAccount) {
    let payer = Keypair::new();
    let airdrop = node.call("requestAirdrop", json!([payer.pubkey().to_string(), 10_000_000_000u64]));
    node.finalized_ok(airdrop.as_str().unwrap());
    // A recent slot, as a client picks it: the node's slots are consecutive.
    let recent_slot = node.call("getSlot", json!([])).as_u64().unwrap();
    let (create, table) = alt::create_lookup_table(&payer.pubkey(), &payer.pubkey(), recent_slot);
    let extend = alt::extend_lookup_table(&table, &payer.pubkey(), Some(&payer.pubkey()), addresses.to_vec());
    node.run(&[create, extend], &payer, &[]);
    // Addresses appended in a slot are usable from the next one: the
    // extension is final, so the working slot is a later one.
    let account = node.call("getAccountInfo", json!([table.to_string(), { "encoding": "base64" }]));
    assert_eq!(account["value"]["owner"], json!(alt::ID.to_string()), "{account}");
    (payer, AddressLookupTableAccount { key: table, addresses: addresses.to_vec() })
}

/// A signed v0 transaction of `instructions`, loading what it can from `tables`.
fn v0_transaction(
    node: &Validator,
    payer: &Keypair,
    instructions: &[Instruction],
    tables: &[AddressLookupTableAccount],
) -> VersionedTransaction {
    let message = v0::Message::try_compile(&payer.pubkey(), instructions, tables, node.blockhash()).unwrap();
    VersionedTransaction::try_new(VersionedMessage::V0(message), &[payer]).unwrap()
}

/// A transfer to `to` that also names `witness`, read-only: a lookup loads
/// `to` writable and `witness` read-only (the system program ignores an
/// account past the two it moves lamports between).
fn transfer_naming(payer: &Keypair, to: &Pubkey, witness: &Pubkey) -> Instruction {
    let mut transfer = system_instruction::transfer(&payer.pubkey(), to, AMOUNT);
    transfer.accounts.push(AccountMeta::new_readonly(*witness, false));
    transfer
}

fn wire64(tx: &VersionedTransaction) -> String {
    base64_encode(&tx.to_wire().unwrap())
}

fn error_of(response: &Value) -> (i64, String) {
    let error = &response["error"];
    assert!(error.is_object(), "should fail: {response}");
    (error["code"].as_i64().unwrap(), error["message"].as_str().unwrap().to_string())
}

#[test]
fn v0_transactions_land_over_rpc_and_udp_and_history_reports_what_they_loaded() {
    let ledger = TempLedger::new("v0");
    let node = Validator::start(ledger.path());
    let (to, over_udp, witness) = (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
    let (payer, table) = table_with(&node, &[to, over_udp, witness]);

    // Over JSON-RPC, with preflight: the recipient (writable) and the
    // witness (read-only) come from the table.
    let tx = v0_transaction(&node, &payer, &[transfer_naming(&payer, &to, &witness)], std::slice::from_ref(&table));
    let message = tx.v0_message().unwrap();
    assert_eq!(message.account_keys, vec![payer.pubkey(), lanes_sdk::system_program::ID]);
    assert_eq!(
        message.address_table_lookups,
        vec![MessageAddressTableLookup {
            account_key: table.key,
            writable_indexes: vec![0],
            readonly_indexes: vec![2]
        }]
    );
    let simulated = node.call("simulateTransaction", json!([wire64(&tx), { "encoding": "base64" }]));
    assert_eq!(simulated["value"]["err"], Value::Null, "{simulated}");
    assert_eq!(
        simulated["value"]["loadedAddresses"],
        json!({ "writable": [to.to_string()], "readonly": [witness.to_string()] })
    );
    let signature = node.call("sendTransaction", json!([wire64(&tx), { "encoding": "base64" }]));
    let signature = signature.as_str().unwrap().to_string();
    assert_eq!(signature, tx.signatures[0].to_string());
    node.finalized_ok(&signature);
    assert_eq!(node.balance(&to), AMOUNT);

    // Over the UDP port: one wire transaction a datagram (resent if loopback drops it).
    let tpu = node.tpu_addr.clone().expect("the startup block names the TPU address");
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let udp_tx = v0_transaction(
        &node,
        &payer,
        &[system_instruction::transfer(&payer.pubkey(), &over_udp, AMOUNT)],
        std::slice::from_ref(&table),
    );
    let deadline = Instant::now() + WAIT;
    while node.balance(&over_udp) != AMOUNT {
        assert!(Instant::now() < deadline, "a v0 transfer over UDP did not land");
        socket.send_to(&udp_tx.to_wire().unwrap(), &tpu).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    let udp_signature = udp_tx.signatures[0].to_string();
    node.finalized_ok(&udp_signature);

    // getTransaction: only to a client that reads v0.
    let refused = node.request("getTransaction", json!([signature]));
    assert_eq!(error_of(&refused), (-32015, UNSUPPORTED_V0.to_string()));
    let refused = node.request("getTransaction", json!([signature, { "encoding": "base64" }]));
    assert_eq!(error_of(&refused).0, -32015, "whatever the encoding");
    let got = node.call("getTransaction", json!([signature, { "maxSupportedTransactionVersion": 0 }]));
    assert_eq!(got["version"], json!(0), "{got}");
    let loaded = json!({ "writable": [to.to_string()], "readonly": [witness.to_string()] });
    assert_eq!(got["meta"]["loadedAddresses"], loaded);
    let raw = &got["transaction"]["message"];
    assert_eq!(
        raw["addressTableLookups"],
        json!([{ "accountKey": table.key.to_string(), "writableIndexes": [0], "readonlyIndexes": [2] }])
    );
    assert_eq!(raw["accountKeys"], json!([payer.pubkey().to_string(), lanes_sdk::system_program::ID.to_string()]));
    assert_eq!(raw["instructions"][0]["accounts"], json!([0, 2, 3]), "indexes run through the loaded keys");
    assert_eq!(got["meta"]["preBalances"].as_array().unwrap().len(), 4, "balances of the loaded accounts too");
    assert_eq!(got["meta"]["postBalances"][2], json!(AMOUNT));
    let slot = got["slot"].as_u64().unwrap();

    // jsonParsed: the loaded keys in the account list, from the lookup table.
    let parsed = node
        .call("getTransaction", json!([signature, { "encoding": "jsonParsed", "maxSupportedTransactionVersion": 0 }]));
    assert_eq!(parsed["version"], json!(0));
    let keys = &parsed["transaction"]["message"]["accountKeys"];
    assert_eq!(
        keys[2],
        json!({ "pubkey": to.to_string(), "signer": false, "writable": true, "source": "lookupTable" })
    );
    assert_eq!(
        keys[3],
        json!({ "pubkey": witness.to_string(), "signer": false, "writable": false, "source": "lookupTable" })
    );
    assert_eq!(keys[0]["source"], json!("transaction"));
    let instruction = &parsed["transaction"]["message"]["instructions"][0];
    assert_eq!(instruction["parsed"]["type"], json!("transfer"), "{instruction}");
    assert_eq!(instruction["parsed"]["info"]["destination"], json!(to.to_string()));
    assert!(parsed["transaction"]["message"]["addressTableLookups"].is_array());
    assert!(parsed["meta"].get("loadedAddresses").is_none(), "jsonParsed leaves it out, as Agave");

    // base64: the wire as sent.
    let binary =
        node.call("getTransaction", json!([signature, { "encoding": "base64", "maxSupportedTransactionVersion": 0 }]));
    let wire = common::base64_decode(binary["transaction"][0].as_str().unwrap());
    assert_eq!(VersionedTransaction::from_wire(&wire).unwrap(), tx);

    // A legacy transaction: "legacy" with the parameter, no version without it.
    let legacy = node.run(&[system_instruction::transfer(&payer.pubkey(), &to, 1)], &payer, &[]);
    let without = node.call("getTransaction", json!([legacy]));
    assert!(without.get("version").is_none(), "{without}");
    assert_eq!(without["meta"]["loadedAddresses"], json!({ "writable": [], "readonly": [] }));
    assert!(without["transaction"]["message"].get("addressTableLookups").is_none());
    let with = node.call("getTransaction", json!([legacy, { "maxSupportedTransactionVersion": 0 }]));
    assert_eq!(with["version"], json!("legacy"));
    let bad = node.request("getTransaction", json!([legacy, { "maxSupportedTransactionVersion": "zero" }]));
    assert_eq!(error_of(&bad).0, -32602);

    // getBlock: the same rule for full and accounts details; signatures and none are unaffected.
    let refused = node.request("getBlock", json!([slot]));
    assert_eq!(error_of(&refused), (-32015, UNSUPPORTED_V0.to_string()));
    let refused = node.request("getBlock", json!([slot, { "transactionDetails": "accounts" }]));
    assert_eq!(error_of(&refused).0, -32015);
    let signatures = node.call("getBlock", json!([slot, { "transactionDetails": "signatures" }]));
    assert!(signatures["signatures"].as_array().unwrap().contains(&json!(signature)), "{signatures}");
    node.call("getBlock", json!([slot, { "transactionDetails": "none" }]));
    let block = node.call("getBlock", json!([slot, { "maxSupportedTransactionVersion": 0 }]));
    let ours = block["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["transaction"]["signatures"][0] == json!(signature))
        .expect("the v0 transaction is in its block")
        .clone();
    assert_eq!(ours["version"], json!(0));
    assert_eq!(ours["meta"]["loadedAddresses"], loaded);
    assert!(ours["transaction"]["message"]["addressTableLookups"].is_array());
    let accounts =
        node.call("getBlock", json!([slot, { "transactionDetails": "accounts", "maxSupportedTransactionVersion": 0 }]));
    let listed = accounts["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["transaction"]["signatures"][0] == json!(signature))
        .unwrap()["transaction"]["accountKeys"]
        .clone();
    assert_eq!(listed[2]["source"], json!("lookupTable"), "{listed}");
    assert_eq!(listed.as_array().unwrap().len(), 4);

    // Found by a loaded address, and by its status.
    let for_to = node.call("getSignaturesForAddress", json!([to.to_string()]));
    assert!(for_to.as_array().unwrap().iter().any(|e| e["signature"] == json!(signature)), "{for_to}");
    let for_witness = node.call("getSignaturesForAddress", json!([witness.to_string()]));
    assert!(for_witness.as_array().unwrap().iter().any(|e| e["signature"] == json!(signature)), "{for_witness}");
    let for_udp = node.call("getSignaturesForAddress", json!([over_udp.to_string()]));
    assert_eq!(for_udp[0]["signature"], json!(udp_signature));
    let statuses = node.call("getSignatureStatuses", json!([[signature, udp_signature]]));
    assert_eq!(statuses["value"][0]["err"], Value::Null, "{statuses}");
    assert_eq!(statuses["value"][1]["err"], Value::Null, "{statuses}");

    // The table is deactivated, the node restarts: history still reports
    // what the lookups loaded when they ran, and the replayed ledger agrees.
    node.run(&[alt::deactivate_lookup_table(&table.key, &payer.pubkey())], &payer, &[]);
    node.stop();
    verify_ledger(ledger.path());
    let node = Validator::start(ledger.path());
    let again = node.call("getTransaction", json!([signature, { "maxSupportedTransactionVersion": 0 }]));
    assert_eq!(again["meta"]["loadedAddresses"], loaded);
    assert_eq!(again["version"], json!(0));
    let udp_again = node.call("getTransaction", json!([udp_signature, { "maxSupportedTransactionVersion": 0 }]));
    assert_eq!(udp_again["meta"]["loadedAddresses"], json!({ "writable": [over_udp.to_string()], "readonly": [] }));
    node.stop();
}

#[test]
fn a_missing_table_and_an_unknown_message_version_are_refused_as_solana_refuses_them() {
    let ledger = TempLedger::new("v0-refused");
    let node = Validator::start(ledger.path());
    let to = Pubkey::new_unique();
    let (payer, table) = table_with(&node, &[to]);

    // A lookup of a table that does not exist: Agave sanitizes against the
    // bank before anything else, so -32602 whether preflight runs or not.
    let missing = AddressLookupTableAccount { key: Pubkey::new_unique(), addresses: vec![to] };
    let tx = v0_transaction(&node, &payer, &[system_instruction::transfer(&payer.pubkey(), &to, AMOUNT)], &[missing]);
    let expected = "invalid transaction: Transaction loads an address table account that doesn't exist";
    for skip_preflight in [false, true] {
        let refused = node.request(
            "sendTransaction",
            json!([wire64(&tx), { "encoding": "base64", "skipPreflight": skip_preflight }]),
        );
        assert_eq!(error_of(&refused), (-32602, expected.to_string()), "skipPreflight {skip_preflight}");
    }
    let refused = node.request("simulateTransaction", json!([wire64(&tx), { "encoding": "base64" }]));
    assert_eq!(error_of(&refused), (-32602, expected.to_string()));
    // An index past the table's addresses.
    let mut past = tx.clone();
    let VersionedMessage::V0(message) = &mut past.message else { unreachable!() };
    message.address_table_lookups[0] =
        MessageAddressTableLookup { account_key: table.key, writable_indexes: vec![7], readonly_indexes: vec![] };
    past = VersionedTransaction::try_new(past.message, &[&payer]).unwrap();
    let refused = node.request("simulateTransaction", json!([wire64(&past), { "encoding": "base64" }]));
    assert_eq!(
        error_of(&refused),
        (-32602, "invalid transaction: Transaction address table lookup uses an invalid index".to_string())
    );

    // getFeeForMessage takes a v0 message; its lookups must resolve.
    let good = v0_transaction(
        &node,
        &payer,
        &[system_instruction::transfer(&payer.pubkey(), &to, AMOUNT)],
        std::slice::from_ref(&table),
    );
    assert_eq!(good.version(), TransactionVersion::V0);
    let fee = node.call("getFeeForMessage", json!([base64_encode(&good.message_data())]));
    assert_eq!(fee["value"], json!(5_000), "{fee}");
    let refused = node.request("getFeeForMessage", json!([base64_encode(&tx.message_data())]));
    assert_eq!(
        error_of(&refused),
        (-32602, "invalid transaction message: Attempted to lookup addresses from a table that does not exist".into())
    );

    // A message of version 1 (first byte 0x81): no such thing, refused clearly.
    let mut bytes = good.to_wire().unwrap();
    let prefix = 1 + 64 * good.signatures.len();
    assert_eq!(bytes[prefix], 0x80, "the v0 prefix byte");
    bytes[prefix] = 0x81;
    let expected = "failed to deserialize solana_transaction::versioned::VersionedTransaction: message version 1 \
                    not supported: only legacy and v0 messages exist";
    for method in ["sendTransaction", "simulateTransaction"] {
        let refused = node.request(method, json!([base64_encode(&bytes), { "encoding": "base64" }]));
        assert_eq!(error_of(&refused), (-32602, expected.to_string()), "{method}");
    }
    let mut message = good.message_data();
    message[0] = 0x81;
    let refused = node.request("getFeeForMessage", json!([base64_encode(&message)]));
    assert_eq!(error_of(&refused).0, -32602);
    assert!(error_of(&refused).1.contains("message version 1 not supported"), "{refused}");
    // Over UDP it is garbage: counted and dropped.
    let before = node.call("lanesGetNodeStats", json!([]))["tpuGarbage"].as_u64().unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let tpu = node.tpu_addr.clone().unwrap();
    let deadline = Instant::now() + WAIT;
    while node.call("lanesGetNodeStats", json!([]))["tpuGarbage"].as_u64().unwrap() == before {
        assert!(Instant::now() < deadline, "a version 1 datagram is counted as garbage");
        socket.send_to(&bytes, &tpu).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }

    // Nothing refused landed; the good one does.
    let signature = node.call("sendTransaction", json!([wire64(&good), { "encoding": "base64" }]));
    node.finalized_ok(signature.as_str().unwrap());
    assert_eq!(node.balance(&to), AMOUNT);
    let status = node
        .call("getSignatureStatuses", json!([[tx.signatures[0].to_string()], { "searchTransactionHistory": true }]));
    assert_eq!(status["value"][0], Value::Null);
}

/// `lanes --url <node> ARGS` with a `HOME` of its own (no wallet or
/// config read), bounded: what it printed, after checking it succeeded.
fn lanes(node: &Validator, home: &TempLedger, args: &[&str]) -> String {
    let child = Command::new(env!("CARGO_BIN_EXE_lanes"))
        .args(["--url", &format!("http://{}", node.address)])
        .args(args)
        .env("HOME", home.path())
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the lanes binary starts");
    let ran = wait_bounded(child, WAIT, &format!("lanes {args:?}"));
    assert_eq!(ran.status, 0, "lanes {args:?}: {}{}", ran.stdout, ran.stderr);
    ran.stdout
}

/// [`lanes`] with `--output json`: the JSON it printed.
fn lanes_json(node: &Validator, home: &TempLedger, args: &[&str]) -> Value {
    let out = lanes(node, home, &[args, &["--output", "json"]].concat());
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("lanes {args:?}: not JSON ({e}): {out}"))
}

#[test]
fn lanes_client_and_the_cli_read_a_v0_transaction_back() {
    let ledger = TempLedger::new("v0-client");
    let node = Validator::start(ledger.path());
    let (to, witness) = (Pubkey::new_unique(), Pubkey::new_unique());
    let (payer, table) = table_with(&node, &[to, witness]);
    let client = RpcClient::new(&format!("http://{}", node.address)).unwrap();

    // Sent and confirmed through the client, as a VersionedTransaction.
    let tx = v0_transaction(&node, &payer, &[transfer_naming(&payer, &to, &witness)], std::slice::from_ref(&table));
    let signature = client.send_and_confirm(&tx).unwrap();
    assert_eq!(&signature, tx.signatures.first().unwrap());

    // get_transaction: the v0 transaction as sent, its version, what it loaded.
    let got = client.get_transaction(&signature).unwrap().expect("the v0 transaction is in the ledger");
    assert_eq!(got.transaction, tx);
    assert_eq!(got.version, Some(TransactionVersion::V0));
    let meta = got.meta.clone().expect("meta");
    assert_eq!(meta.err, None);
    assert_eq!(meta.loaded_addresses, Some(LoadedAddresses { writable: vec![to], readonly: vec![witness] }));
    assert_eq!(got.account_keys(), vec![payer.pubkey(), lanes_sdk::system_program::ID, to, witness]);
    assert_eq!(meta.post_balances[2], AMOUNT, "balances run through the loaded keys");

    // get_block: the same, among the slot's transactions.
    let block = client.get_block(got.slot).unwrap();
    let ours = block
        .transactions
        .iter()
        .find(|t| t.transaction.signatures.first() == Some(&signature))
        .expect("the v0 transaction is in its block");
    assert_eq!(ours.version, Some(TransactionVersion::V0));
    assert_eq!(ours.account_keys(), got.account_keys());

    // A legacy transaction reads back as legacy, with nothing loaded.
    let legacy = node.run(&[system_instruction::transfer(&payer.pubkey(), &to, 1)], &payer, &[]);
    let legacy = client.get_transaction(&legacy.parse().unwrap()).unwrap().unwrap();
    assert_eq!(legacy.version, Some(TransactionVersion::Legacy));
    assert_eq!(legacy.meta.unwrap().loaded_addresses, Some(LoadedAddresses::default()));

    // The CLI on top: `confirm -v` and `block`.
    let home = TempLedger::new("v0-client-home");
    std::fs::create_dir_all(home.path()).unwrap();
    let confirmed = lanes_json(&node, &home, &["confirm", &signature.to_string(), "-v"]);
    assert_eq!(confirmed["confirmationStatus"], json!("finalized"), "{confirmed}");
    assert_eq!(confirmed["version"], json!(0), "{confirmed}");
    assert_eq!(
        confirmed["loadedAddresses"],
        json!({ "writable": [to.to_string()], "readonly": [witness.to_string()] })
    );
    assert_eq!(confirmed["accounts"][2], json!(to.to_string()), "{confirmed}");
    assert!(confirmed["logs"].as_array().is_some_and(|l| !l.is_empty()), "{confirmed}");
    let text = lanes(&node, &home, &["confirm", &signature.to_string(), "-v"]);
    assert!(text.contains("Version: 0\n"), "{text}");
    assert!(text.contains(&format!("\n  {to} (from a lookup table, writable)\n")), "{text}");
    assert!(text.contains(&format!("\n  {witness} (from a lookup table, read-only)\n")), "{text}");
    let listed = lanes_json(&node, &home, &["block", &got.slot.to_string()]);
    let entry = listed["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["signature"] == json!(signature.to_string()))
        .unwrap_or_else(|| panic!("the v0 transaction in `lanes block`: {listed}"))
        .clone();
    assert_eq!(entry["version"], json!(0), "{entry}");
    assert_eq!(entry["err"], Value::Null, "{entry}");
    node.stop();
}
