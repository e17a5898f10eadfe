//! PubSub over WebSocket on the real `lanes-validator` binary (free loopback
//! ports, temporary ledger), driven with a plain WebSocket client the way
//! web3.js and kit drive a Solana node: slots, a transfer's signature,
//! account, logs and program notifications, a signature already finalized,
//! unsubscribing, bad requests, keepalives, batches — and a client that
//! never reads, which is dropped while another keeps receiving every slot;
//! `lanes_client::SignatureSubscriptions` following many signatures on one
//! connection; and logs mentioning an address a v0 transaction loads from a
//! lookup table.

mod common;

use common::{base64_decode, base64_encode, TempLedger, Validator, WAIT};
use lanes_sdk::address_lookup_table as alt;
use lanes_sdk::client::Keypair;
use lanes_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
use lanes_sdk::transaction::{Transaction, VersionedTransaction};
use lanes_sdk::{system_instruction, system_program, Pubkey};
use lanes_token::state::{Mint, TokenAccount};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::ErrorKind;
use std::net::TcpStream;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

/// A blocking WebSocket JSON-RPC client. Every read is bounded.
struct Ws {
    socket: WebSocket<TcpStream>,
    next_id: u64,
    /// Messages read while waiting for something else.
    pending: VecDeque<Value>,
}

impl Ws {
    fn connect(node: &Validator) -> Ws {
        let url = node.ws_url.clone().expect("the startup block names the WebSocket PubSub URL");
        let address = url.strip_prefix("ws://").expect("a ws:// URL");
        assert!(address.starts_with("127.0.0.1:"), "loopback only: {url}");
        let stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        let (socket, _) = tungstenite::client(url.as_str(), stream).expect("the WebSocket handshake");
        socket.get_ref().set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        Ws { socket, next_id: 1, pending: VecDeque::new() }
    }

    fn send_text(&mut self, text: &str) {
        self.socket.send(Message::text(text)).unwrap();
    }

    /// The next JSON message, or `None` once `deadline` has passed.
    fn read(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            match self.socket.read() {
                Ok(Message::Text(text)) => {
                    return Some(
                        serde_json::from_str(text.as_str()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")),
                    )
                }
                Ok(other) => assert!(other.is_ping() || other.is_pong(), "unexpected message: {other:?}"),
                Err(tungstenite::Error::Io(e)) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    if Instant::now() > deadline {
                        return None;
                    }
                }
                Err(e) => panic!("the connection failed: {e}"),
            }
        }
    }

    /// Send `request` (its `id` set here) and wait for its response.
    fn exchange(&mut self, mut request: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        request["id"] = json!(id);
        self.send_text(&request.to_string());
        let deadline = Instant::now() + WAIT;
        loop {
            let message = self.read(deadline).unwrap_or_else(|| panic!("no answer to {request}"));
            if message["id"] == json!(id) {
                return message;
            }
            self.pending.push_back(message);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.exchange(json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The error of a call that must fail: `(code, message)`.
    fn error(&mut self, method: &str, params: Value) -> (i64, String) {
        let response = self.request(method, params);
        let error = &response["error"];
        assert!(error.is_object(), "{method} should fail: {response}");
        (error["code"].as_i64().unwrap(), error["message"].as_str().unwrap().to_string())
    }

    fn subscribe(&mut self, method: &str, params: Value) -> u64 {
        let id = self.call(method, params);
        id.as_u64().unwrap_or_else(|| panic!("{method}: a numeric subscription id, not {id}"))
    }

    /// The next notification of `subscription` that `accept` takes (others
    /// of it are skipped; other subscriptions' are kept for later).
    fn notification_where(&mut self, subscription: u64, accept: impl Fn(&Value) -> bool) -> Value {
        let ours = |message: &Value| message["params"]["subscription"] == json!(subscription);
        let mut kept = VecDeque::new();
        let mut found = None;
        while let Some(message) = self.pending.pop_front() {
            if found.is_none() && ours(&message) && accept(&message) {
                found = Some(message);
            } else if !ours(&message) {
                kept.push_back(message);
            }
        }
        self.pending = kept;
        if let Some(found) = found {
            return found;
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let message =
                self.read(deadline).unwrap_or_else(|| panic!("no notification for subscription {subscription}"));
            if ours(&message) {
                if accept(&message) {
                    return message;
                }
            } else {
                self.pending.push_back(message);
            }
        }
    }

    fn notification(&mut self, subscription: u64) -> Value {
        self.notification_where(subscription, |_| true)
    }
}

/// Checks the envelope and returns `params.result`.
fn result_of(notification: &Value, method: &str) -> Value {
    assert_eq!(notification["jsonrpc"], json!("2.0"), "{notification}");
    assert_eq!(notification["method"], json!(method), "{notification}");
    assert!(notification.get("id").is_none(), "a notification has no id: {notification}");
    notification["params"]["result"].clone()
}

fn transfer(from: &Keypair, to: &Pubkey, lamports: u64, node: &Validator) -> Transaction {
    Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&from.pubkey(), to, lamports)],
        Some(&from.pubkey()),
        &[from],
        node.blockhash(),
    )
}

#[test]
fn subscriptions_follow_the_chain() {
    let ledger = TempLedger::new("pubsub");
    let node = Validator::start(ledger.path());
    let startup = node.startup.join("\n");
    let rpc_line = node.startup.iter().position(|l| l.starts_with("JSON RPC URL: ")).unwrap();
    assert!(node.startup[rpc_line + 1].starts_with("WebSocket PubSub URL: ws://"), "{startup}");

    // Slots: increasing, each with its parent; the root is the slot (one
    // node: frozen is finalized).
    let mut slots = Ws::connect(&node);
    let id = slots.subscribe("slotSubscribe", json!([]));
    let mut last = None;
    for _ in 0..5 {
        let info = result_of(&slots.notification(id), "slotNotification");
        let slot = info["slot"].as_u64().unwrap();
        assert_eq!(info["parent"], json!(slot - 1), "{info}");
        assert_eq!(info["root"], json!(slot), "{info}");
        if let Some(last) = last {
            assert!(slot > last, "slots increase: {last} then {slot}");
        }
        last = Some(slot);
    }
    let root = slots.subscribe("rootSubscribe", json!([]));
    let rooted = result_of(&slots.notification(root), "rootNotification");
    assert!(rooted.as_u64().unwrap() > last.unwrap(), "{rooted}");
    let updates = slots.subscribe("slotsUpdatesSubscribe", json!([]));
    let frozen = slots.notification_where(updates, |n| n["params"]["result"]["type"] == "frozen");
    let frozen = result_of(&frozen, "slotsUpdatesNotification");
    assert!(frozen["slot"].is_u64() && frozen["timestamp"].is_u64() && frozen["stats"].is_object(), "{frozen}");
    assert_eq!(slots.call("slotsUpdatesUnsubscribe", json!([updates])), json!(true));
    assert_eq!(slots.call("slotUnsubscribe", json!([id])), json!(true));
    assert_eq!(slots.call("rootUnsubscribe", json!([root])), json!(true));
    assert_eq!(slots.error("slotUnsubscribe", json!([id])), (-32602, "Invalid subscription id.".to_string()));

    // A funded payer.
    let alice = Keypair::new();
    let bob = Pubkey::new_unique_from_u64(4_001);
    let airdrop = node.call("requestAirdrop", json!([alice.pubkey().to_string(), 5_000_000_000u64]));
    let airdrop = airdrop.as_str().unwrap().to_string();
    let airdrop_status = node.finalized(&airdrop);

    // Account, logs and program subscriptions on bob, then a transfer to
    // him, its signature subscribed after it was sent (as web3.js does).
    let mut ws = Ws::connect(&node);
    let account =
        ws.subscribe("accountSubscribe", json!([bob.to_string(), { "encoding": "base64", "commitment": "confirmed" }]));
    let logs = ws.subscribe("logsSubscribe", json!([{ "mentions": [bob.to_string()] }, { "commitment": "finalized" }]));
    let all_logs = ws.subscribe("logsSubscribe", json!(["all"]));
    let system = ws.subscribe(
        "programSubscribe",
        json!([system_program::ID.to_string(), { "encoding": "base64", "filters": [{ "dataSize": 0 }] }]),
    );
    assert!([account, logs, all_logs, system].windows(2).all(|w| w[0] < w[1]), "ids are unique and increasing");
    let tx = transfer(&alice, &bob, 1_000_000, &node);
    let sent = node.send(&tx, false);
    let signature = ws.subscribe("signatureSubscribe", json!([sent, { "commitment": "finalized" }]));

    let done = result_of(&ws.notification(signature), "signatureNotification");
    assert_eq!(done["value"], json!({ "err": null }), "{done}");
    let slot = done["context"]["slot"].as_u64().unwrap();
    assert_eq!(done["context"], json!({ "slot": slot }), "the context is the slot alone");
    assert_eq!(node.finalized(&sent)["slot"], json!(slot));
    // Removed once notified.
    assert_eq!(ws.error("signatureUnsubscribe", json!([signature])), (-32602, "Invalid subscription id.".to_string()));

    let changed = result_of(&ws.notification(account), "accountNotification");
    assert_eq!(changed["context"]["slot"], json!(slot));
    assert_eq!(
        changed["value"],
        json!({
            "data": ["", "base64"],
            "executable": false,
            "lamports": 1_000_000,
            "owner": system_program::ID.to_string(),
            "rentEpoch": u64::MAX,
            "space": 0,
        })
    );
    let logged = result_of(&ws.notification(logs), "logsNotification");
    assert_eq!(logged["context"]["slot"], json!(slot));
    assert_eq!(logged["value"]["signature"], json!(sent));
    assert_eq!(logged["value"]["err"], Value::Null);
    let lines = logged["value"]["logs"].as_array().unwrap();
    assert!(lines.iter().any(|l| l == &json!(format!("Program {} invoke [1]", system_program::ID))), "{logged}");
    let everything = result_of(
        &ws.notification_where(all_logs, |n| n["params"]["result"]["value"]["signature"] == json!(sent)),
        "logsNotification",
    );
    assert_eq!(everything["value"], logged["value"]);
    let owned = ws.notification_where(system, |n| n["params"]["result"]["value"]["pubkey"] == json!(bob.to_string()));
    let owned = result_of(&owned, "programNotification");
    assert_eq!(owned["context"]["slot"], json!(slot));
    assert_eq!(owned["value"]["account"], changed["value"]);

    // A signature finalized before the subscription: notified at once,
    // with the slot it landed in, and removed.
    let mut late = Ws::connect(&node);
    let at_once = late.subscribe("signatureSubscribe", json!([airdrop]));
    let old = result_of(&late.notification(at_once), "signatureNotification");
    assert_eq!(old, json!({ "context": { "slot": airdrop_status["slot"] }, "value": { "err": null } }));
    assert_eq!(late.error("signatureUnsubscribe", json!([at_once])), (-32602, "Invalid subscription id.".to_string()));

    // A transaction that fails on chain: its error, and the received
    // notification first when asked for.
    let failing = transfer(&alice, &bob, 50_000_000_000, &node);
    let failing_signature = failing.signature().unwrap().to_string();
    let watch = ws.subscribe("signatureSubscribe", json!([failing_signature, { "enableReceivedNotification": true }]));
    node.send(&failing, true);
    let received = result_of(&ws.notification(watch), "signatureNotification");
    assert_eq!(received["value"], json!("receivedSignature"), "{received}");
    let failed = result_of(&ws.notification(watch), "signatureNotification");
    assert_eq!(failed["value"]["err"]["InstructionError"][0], json!(0), "{failed}");
    let failed_logs = result_of(&ws.notification(logs), "logsNotification");
    assert_eq!(failed_logs["value"]["signature"], json!(failing_signature));
    assert_eq!(failed_logs["value"]["err"], failed["value"]["err"]);

    // Unsubscribed: no more account notifications (the next transfer to
    // bob is seen by logs, not by the account subscription).
    assert_eq!(ws.call("accountUnsubscribe", json!([account])), json!(true));
    let again = node.send(&transfer(&alice, &bob, 2_000_000, &node), false);
    let next = result_of(&ws.notification(logs), "logsNotification");
    assert_eq!(next["value"]["signature"], json!(again));
    node.finalized(&again);
    // The slot loop has moved on; whatever arrived for bob's account would be queued by now.
    let _ = ws.call("getVersion", json!([]));
    assert!(
        !ws.pending.iter().any(|m| m["params"]["subscription"] == json!(account)),
        "no notification after unsubscribing: {:?}",
        ws.pending
    );
    // Another connection's subscription is not ours to remove.
    assert_eq!(late.error("logsUnsubscribe", json!([logs])), (-32602, "Invalid subscription id.".to_string()));
    assert_eq!(ws.call("logsUnsubscribe", json!([logs])), json!(true));

    // The bundled token program: a new mint, seen through a dataSize filter.
    let mint = Keypair::new();
    let mut tokens = Ws::connect(&node);
    let token = tokens.subscribe(
        "programSubscribe",
        json!([lanes_token::ID.to_string(), { "encoding": "base64", "filters": [{ "dataSize": Mint::LEN }] }]),
    );
    let create = lanes_token::instruction::create_mint(
        &lanes_token::ID,
        &alice.pubkey(),
        &mint.pubkey(),
        &alice.pubkey(),
        None,
        6,
    );
    node.run(&create, &alice, &[&mint]);
    let minted = result_of(&tokens.notification(token), "programNotification");
    assert_eq!(minted["value"]["pubkey"], json!(mint.pubkey().to_string()), "{minted}");
    let account = &minted["value"]["account"];
    assert_eq!(account["owner"], json!(lanes_token::ID.to_string()));
    assert_eq!(account["space"], json!(Mint::LEN));
    assert_eq!(base64_decode(account["data"][0].as_str().unwrap()).len(), Mint::LEN);

    // base58 over 128 bytes (a token account): Solana's error string in
    // the notification, not a refusal; the legacy default is a bare string.
    let holder = Keypair::new();
    let mut big = Ws::connect(&node);
    let legacy = big.subscribe("accountSubscribe", json!([holder.pubkey().to_string()]));
    let base58 = big.subscribe("accountSubscribe", json!([holder.pubkey().to_string(), { "encoding": "base58" }]));
    let open = lanes_token::instruction::create_account(
        &lanes_token::ID,
        &alice.pubkey(),
        &holder.pubkey(),
        &mint.pubkey(),
        &alice.pubkey(),
    );
    node.run(&open, &alice, &[&holder]);
    let shown = result_of(&big.notification(legacy), "accountNotification");
    assert_eq!(shown["value"]["data"], json!("error: data too large for bs58 encoding"), "{shown}");
    assert_eq!(shown["value"]["space"], json!(TokenAccount::LEN));
    assert_eq!(shown["value"]["owner"], json!(lanes_token::ID.to_string()));
    let shown = result_of(&big.notification(base58), "accountNotification");
    assert_eq!(shown["value"]["data"], json!(["error: data too large for bs58 encoding", "base58"]), "{shown}");
}

#[test]
fn bad_requests_keepalives_and_batches() {
    let ledger = TempLedger::new("pubsub-requests");
    let node = Validator::start(ledger.path());
    let mut ws = Ws::connect(&node);
    let parse = |ws: &mut Ws, text: &str| {
        ws.send_text(text);
        ws.read(Instant::now() + WAIT).expect("an answer")
    };

    // Malformed JSON, not a request, an empty batch: errors with a null id;
    // the connection stays open.
    let malformed = parse(&mut ws, "{not json");
    assert_eq!(malformed["error"]["code"], json!(-32700), "{malformed}");
    assert_eq!(malformed["id"], Value::Null);
    assert_eq!(parse(&mut ws, "17")["error"]["code"], json!(-32600));
    assert_eq!(parse(&mut ws, "[]")["error"]["code"], json!(-32600));
    let invalid = parse(&mut ws, r#"{"id":5,"method":"slotSubscribe"}"#);
    assert_eq!((invalid["id"].clone(), invalid["error"]["code"].clone()), (json!(5), json!(-32600)));

    // Unknown methods and bad parameters, with Solana's messages.
    assert_eq!(ws.error("noSuchMethod", json!([])).0, -32601);
    assert_eq!(ws.error("blockSubscribe", json!(["all"])).0, -32601, "not served (Agave's default too)");
    let invalid_pubkey = (-32602, "Invalid Request: Invalid pubkey provided".to_string());
    assert_eq!(ws.error("accountSubscribe", json!(["not-a-key"])), invalid_pubkey);
    assert_eq!(ws.error("programSubscribe", json!(["not-a-key"])), invalid_pubkey);
    assert_eq!(ws.error("accountSubscribe", json!([])).0, -32602);
    assert_eq!(
        ws.error("signatureSubscribe", json!(["xyz"])),
        (-32602, "Invalid Request: Invalid signature provided".to_string())
    );
    let key = Pubkey::new_unique_from_u64(9).to_string();
    assert_eq!(
        ws.error("logsSubscribe", json!([{ "mentions": [key, key] }])),
        (-32602, "Invalid Request: Only 1 address supported".to_string())
    );
    assert_eq!(
        ws.error("logsSubscribe", json!([{ "mentions": ["nope"] }])),
        (-32602, "Invalid Request: Invalid mentions provided".to_string())
    );
    assert_eq!(ws.error("logsSubscribe", json!(["some"])).0, -32602);
    assert_eq!(ws.error("accountSubscribe", json!([key, { "encoding": "base32" }])).0, -32602);
    assert_eq!(ws.error("accountSubscribe", json!([key, "base64"])).0, -32602);
    let five = json!([{ "dataSize": 1 }, { "dataSize": 2 }, { "dataSize": 3 }, { "dataSize": 4 }, { "dataSize": 5 }]);
    assert_eq!(
        ws.error("programSubscribe", json!([key, { "filters": five }])),
        (-32602, "Too many filters provided; max 4".to_string())
    );
    assert_eq!(ws.error("programSubscribe", json!([key, { "filters": [{ "memcmp": { "offset": 0 } }] }])).0, -32602);
    assert_eq!(ws.error("slotUnsubscribe", json!([987_654])), (-32602, "Invalid subscription id.".to_string()));
    assert_eq!(ws.error("slotUnsubscribe", json!(["one"])).0, -32602);

    // Keepalives: web3.js's and kit's `ping` notification gets no answer and
    // closes nothing; a WebSocket ping gets its pong.
    ws.send_text(r#"{"jsonrpc":"2.0","method":"ping"}"#);
    ws.send_text(r#"{"jsonrpc":"2.0","method":"ping","params":null}"#);
    ws.socket.send(Message::Ping(b"are you there".to_vec().into())).unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        match ws.socket.read() {
            Ok(Message::Pong(payload)) => {
                assert_eq!(&payload[..], b"are you there");
                break;
            }
            Ok(other) => panic!("a ping notification is not answered: {other:?}"),
            Err(tungstenite::Error::Io(e)) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                assert!(Instant::now() < deadline, "no pong");
            }
            Err(e) => panic!("the connection failed: {e}"),
        }
    }
    let version = ws.call("getVersion", json!([]));
    assert!(version["solana-core"].is_string(), "{version}");
    assert!(ws.pending.is_empty(), "nothing answered the pings: {:?}", ws.pending);

    // A batch answers with an array, in order; the notifications of what
    // it subscribed come after it.
    ws.send_text(
        &json!([
            { "jsonrpc": "2.0", "id": "a", "method": "slotSubscribe" },
            { "jsonrpc": "2.0", "method": "ping" },
            { "jsonrpc": "2.0", "id": "b", "method": "getVersion" },
            { "jsonrpc": "2.0", "id": "c", "method": "accountSubscribe", "params": ["bad"] },
        ])
        .to_string(),
    );
    let batch = ws.read(Instant::now() + WAIT).expect("the batch's answer");
    let answers = batch.as_array().unwrap_or_else(|| panic!("an array: {batch}"));
    assert_eq!(answers.len(), 3, "the ping notification gets no answer: {batch}");
    assert_eq!(answers[0]["id"], json!("a"));
    let slot_id = answers[0]["result"].as_u64().unwrap();
    assert_eq!(answers[1]["id"], json!("b"));
    assert_eq!((answers[2]["id"].clone(), answers[2]["error"]["code"].clone()), (json!("c"), json!(-32602)));
    result_of(&ws.notification(slot_id), "slotNotification");

    // A binary frame holding JSON is read as text.
    ws.socket.send(Message::binary(br#"{"jsonrpc":"2.0","id":99,"method":"getVersion"}"#.to_vec())).unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        let message = ws.read(deadline).expect("an answer to a binary frame");
        if message["id"] == json!(99) {
            assert!(message["result"]["solana-core"].is_string(), "{message}");
            break;
        }
    }
}

/// A client that subscribes to every slot a thousand times over and never
/// reads fills its queue and is dropped; another client meanwhile receives
/// every slot in time, and RPC keeps answering.
#[test]
fn a_client_that_never_reads_is_dropped_while_others_keep_up() {
    let ledger = TempLedger::new("pubsub-slow");
    let node = Validator::start(ledger.path());
    let mut slow = Ws::connect(&node);
    for batch in 0..10 {
        let requests: Vec<Value> =
            (0..100).map(|i| json!({ "jsonrpc": "2.0", "id": batch * 100 + i, "method": "slotSubscribe" })).collect();
        slow.send_text(&Value::Array(requests).to_string());
    }
    // The limit: a thousand subscriptions a connection.
    slow.send_text(r#"{"jsonrpc":"2.0","id":"over","method":"slotSubscribe"}"#);

    let mut fast = Ws::connect(&node);
    let id = fast.subscribe("slotSubscribe", json!([]));
    let first_slot = node.call("getSlot", json!([])).as_u64().unwrap();
    let started = Instant::now();
    let mut slots = Vec::new();
    while started.elapsed() < Duration::from_secs(6) {
        let info = result_of(&fast.notification(id), "slotNotification");
        slots.push(info["slot"].as_u64().unwrap());
    }
    assert!(slots.windows(2).all(|w| w[1] == w[0] + 1), "every slot, in order: {slots:?}");
    assert!(slots.len() >= 100, "20 ms slots for 6 s: {} notifications", slots.len());
    assert!(node.call("getSlot", json!([])).as_u64().unwrap() >= first_slot + 100, "the node kept going");

    // Now read the slow client: what was sent before the drop, then the end.
    let deadline = Instant::now() + WAIT;
    let mut received = 0u64;
    let mut refused_over_limit = false;
    let ended = loop {
        match slow.socket.read() {
            Ok(Message::Text(text)) => {
                received += 1;
                if text.as_str().contains(r#""id":"over""#) {
                    refused_over_limit = text.as_str().contains("subscription limit");
                }
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e)) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                assert!(Instant::now() < deadline, "the slow client was not dropped ({received} messages read)");
            }
            Err(e) => break e,
        }
        assert!(Instant::now() < deadline, "the slow client was not dropped ({received} messages read)");
    };
    assert!(refused_over_limit, "the 1,001st subscription is refused");
    assert!(
        matches!(
            ended,
            tungstenite::Error::ConnectionClosed
                | tungstenite::Error::AlreadyClosed
                | tungstenite::Error::Protocol(_)
                | tungstenite::Error::Io(_)
        ),
        "{ended}"
    );
    assert!(received > 1_000, "it got the answers and some notifications before the drop: {received}");

    // A new connection is served as usual.
    let mut again = Ws::connect(&node);
    let id = again.subscribe("slotSubscribe", json!([]));
    result_of(&again.notification(id), "slotNotification");
}

#[test]
fn many_signatures_are_followed_on_one_connection() {
    use lanes_client::{CommitmentLevel, SignatureSubscriptions};
    let ledger = TempLedger::new("pubsub-many");
    let node = Validator::start(ledger.path());
    let ws_url = node.ws_url.clone().expect("the startup block names the WebSocket URL");
    let alice = Keypair::new();
    let airdrop = node.call("requestAirdrop", json!([alice.pubkey().to_string(), 5_000_000_000u64]));
    node.finalized_ok(airdrop.as_str().unwrap());

    // Twenty transfers that succeed and one that fails (more than alice holds).
    let mut transactions: Vec<Transaction> =
        (0..20).map(|i| transfer(&alice, &Pubkey::new_unique_from_u64(5_000 + i), 1_000_000 + i, &node)).collect();
    transactions.push(transfer(&alice, &Pubkey::new_unique_from_u64(6_000), 1_000_000_000_000_000, &node));
    let keyed: Vec<(usize, lanes_sdk::signature::Signature)> =
        transactions.iter().enumerate().map(|(i, tx)| (i, tx.signatures[0])).collect();
    // Subscribed before any is sent, all on one connection.
    let mut followed = SignatureSubscriptions::subscribe(&ws_url, &keyed, CommitmentLevel::Confirmed, WAIT).unwrap();
    assert_eq!(followed.pending(), transactions.len());
    for tx in &transactions {
        node.send(tx, true);
    }
    let deadline = Instant::now() + WAIT;
    let mut seen = std::collections::HashMap::new();
    while followed.pending() > 0 {
        assert!(Instant::now() < deadline, "notified {} of {}", seen.len(), transactions.len());
        if let Some((key, notification)) = followed.recv_timeout(Duration::from_secs(1)).unwrap() {
            assert!(seen.insert(key, notification).is_none(), "one notification a subscription");
        }
    }
    for (key, notification) in &seen {
        assert!(notification.slot > 0);
        assert_eq!(notification.err.is_some(), *key == 20, "transaction {key}: {notification:?}");
    }
    assert_eq!(seen.len(), transactions.len());
    // Nothing more comes: each subscription ended with its notification.
    assert!(followed.recv_timeout(Duration::from_millis(300)).unwrap().is_none());
}

#[test]
fn logs_mentioning_an_address_a_v0_transaction_loads_are_notified() {
    let ledger = TempLedger::new("pubsub-v0");
    let node = Validator::start(ledger.path());
    let payer = Keypair::new();
    let airdrop = node.call("requestAirdrop", json!([payer.pubkey().to_string(), 10_000_000_000u64]));
    node.finalized_ok(airdrop.as_str().unwrap());
    let to = Pubkey::new_unique();
    let recent_slot = node.call("getSlot", json!([])).as_u64().unwrap();
    let (create, table) = alt::create_lookup_table(&payer.pubkey(), &payer.pubkey(), recent_slot);
    let extend = alt::extend_lookup_table(&table, &payer.pubkey(), Some(&payer.pubkey()), vec![to]);
    node.run(&[create, extend], &payer, &[]);

    let mut ws = Ws::connect(&node);
    // As Agave: `mentions` matches every account key, the loaded ones too.
    let logs = ws.subscribe("logsSubscribe", json!([{ "mentions": [to.to_string()] }]));
    let message = v0::Message::try_compile(
        &payer.pubkey(),
        &[system_instruction::transfer(&payer.pubkey(), &to, 5_000_000)],
        &[AddressLookupTableAccount { key: table, addresses: vec![to] }],
        node.blockhash(),
    )
    .unwrap();
    let tx = VersionedTransaction::try_new(VersionedMessage::V0(message), &[&payer]).unwrap();
    assert!(!tx.message.static_account_keys().contains(&to), "the recipient is loaded, not static");
    let signature =
        node.call("sendTransaction", json!([base64_encode(&tx.to_wire().unwrap()), { "encoding": "base64" }]));
    let notification = ws.notification(logs);
    let value = &result_of(&notification, "logsNotification")["value"];
    assert_eq!(value["signature"], signature, "{notification}");
    assert_eq!(value["err"], Value::Null);
}
