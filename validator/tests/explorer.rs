//! The explorer the validator serves on its RPC port, tested against the
//! real `lanes-validator` binary (free loopback ports, temporary ledger):
//!
//! - served from the binary: `GET /` and its assets, `config.json` naming
//!   the PubSub port, `POST /` still JSON-RPC; its Lanes methods
//!   (`lanesDecodeAccount`, `lanesGetProgramStats`) answer what the token
//!   program wrote;
//! - in a real headless browser (Debian's `chromium`, driven by
//!   `playwright-core` from `validator/tests/js/explorer.browser.mjs`)
//!   under a short bounded load of token and system transfers from eight
//!   payers on two workers: each page loaded and its DOM checked against
//!   the node's JSON-RPC (the lanes chart has a row per worker and a bar per
//!   transaction of the slot; the transaction page's logs are
//!   getTransaction's; the account page decodes the token account; the
//!   dashboard moves over the WebSocket; search navigates), a synthetic
//!   slot of 10,000 transactions rendered by the same page code (its time
//!   printed, never asserted), and screenshots saved to
//!   `target/explorer-screenshots/`.
//!
//! Needs Node.js, `npm ci` in validator/tests/js and /usr/bin/chromium, all
//! of which `./scripts/test.sh` installs; without them the browser test
//! fails and says so, it never skips.

mod common;

use common::{base64_decode, TempLedger, Validator};
use lanes_sdk::client::Keypair;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{system_instruction, Instruction, Pubkey};
use lanes_token::state::{Pack, TokenAccount};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long the browser script may take before it is killed.
const BROWSER: Duration = Duration::from_secs(240);
/// Payers sending the load, each with its own two token accounts.
const PAYERS: usize = 8;
const TOKEN_TRANSFERS: u64 = 25;
const SYSTEM_TRANSFERS: u64 = 12;
const CROSS_TRANSFERS: u64 = 3;
const MINTED: u64 = 1_000_000;

/// `GET path` on the node: (status, content type, body).
fn get(node: &Validator, path: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(&node.address).unwrap();
    stream.set_read_timeout(Some(common::WAIT)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", node.address).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).to_string();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let content_type = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type: ").map(str::to_string))
        .unwrap_or_default();
    (status, content_type, body.to_string())
}

#[test]
fn the_explorer_is_served_from_the_binary() {
    let ledger = TempLedger::new("explorer-served");
    let node = Validator::start(&ledger.0);
    let explorer = node.startup.iter().find_map(|l| l.strip_prefix("Explorer: ")).expect("the startup block names it");
    assert_eq!(explorer, format!("http://{}/", node.address));

    let (status, content_type, html) = get(&node, "/");
    assert_eq!((status, content_type.as_str()), (200, "text/html; charset=utf-8"));
    assert!(html.contains("/explorer/explorer.js") && html.contains("/explorer/explorer.css"), "{html}");
    for (path, kind) in [
        ("/explorer/explorer.js", "text/javascript; charset=utf-8"),
        ("/explorer/explorer.css", "text/css; charset=utf-8"),
        ("/explorer/favicon.svg", "image/svg+xml"),
    ] {
        let (status, content_type, body) = get(&node, path);
        assert_eq!((status, content_type.as_str()), (200, kind), "{path}");
        assert!(!body.is_empty());
        // Self-contained: nothing names another origin (an SVG's namespace is no fetch).
        let body = body.replace("http://www.w3.org/2000/svg", "");
        assert!(!body.contains("https://") && !body.contains("http://"), "{path} fetches nothing from outside");
    }
    let (status, _, body) = get(&node, "/explorer/config.json");
    assert_eq!(status, 200);
    let config: Value = serde_json::from_str(&body).unwrap();
    let ws = node.ws_url.as_deref().unwrap();
    assert_eq!(format!("ws://{}", config["pubsub"]["address"].as_str().unwrap()), ws);
    assert_eq!(config["programs"]["token"], lanes_token::ID.to_string());
    assert_eq!(get(&node, "/explorer/nothing-here").0, 404);
    // POST / is JSON-RPC still.
    assert!(node.call("getSlot", json!([])).is_u64());

    // The explorer's methods: a mint and a token account, decoded.
    let payer = Keypair::new();
    let airdrop = node.call("requestAirdrop", json!([payer.pubkey().to_string(), 10_000_000_000u64]));
    node.finalized_ok(airdrop.as_str().unwrap());
    let (mint, account) = (Keypair::new(), Keypair::new());
    let token = lanes_token::ID;
    let mut setup =
        lanes_token::instruction::create_mint(&token, &payer.pubkey(), &mint.pubkey(), &payer.pubkey(), None, 6)
            .to_vec();
    setup.extend(lanes_token::instruction::create_account(
        &token,
        &payer.pubkey(),
        &account.pubkey(),
        &mint.pubkey(),
        &payer.pubkey(),
    ));
    setup.push(lanes_token::instruction::mint_to(&token, &mint.pubkey(), &account.pubkey(), &payer.pubkey(), 77));
    let signature = node.run(&setup, &payer, &[&mint, &account]);

    let decoded = node.call("lanesDecodeAccount", json!([account.pubkey().to_string()]))["value"].clone();
    assert_eq!(decoded["program"], "token", "{decoded}");
    assert_eq!(decoded["type"], "tokenAccount");
    assert_eq!(decoded["owner"], token.to_string());
    assert_eq!(decoded["decoded"]["mint"], mint.pubkey().to_string());
    assert_eq!(decoded["decoded"]["owner"], payer.pubkey().to_string());
    assert_eq!(decoded["decoded"]["amount"], 77);
    assert_eq!(decoded["decoded"]["state"], "initialized");
    let decoded = node.call("lanesDecodeAccount", json!([mint.pubkey().to_string()]))["value"].clone();
    assert_eq!((decoded["type"].as_str(), decoded["decoded"]["supply"].as_u64()), (Some("mint"), Some(77)));
    assert_eq!(decoded["decoded"]["mintAuthority"], payer.pubkey().to_string());
    let decoded = node.call("lanesDecodeAccount", json!([token.to_string()]))["value"].clone();
    assert_eq!((decoded["type"].as_str(), decoded["executable"].as_bool()), (Some("program"), Some(true)));
    assert_eq!(decoded["decoded"]["deployedSlot"], 0);
    let system = node.call("lanesDecodeAccount", json!([payer.pubkey().to_string()]))["value"].clone();
    assert_eq!((system["type"].clone(), system["decoded"].clone()), (Value::Null, Value::Null));
    assert_eq!(
        node.call("lanesDecodeAccount", json!([Pubkey::new_unique_from_u64(9).to_string()]))["value"],
        Value::Null
    );
    assert_eq!(node.error("lanesDecodeAccount", json!(["not a key"])).0, -32602);

    let stats = node.call("lanesGetProgramStats", json!([token.to_string()]));
    assert_eq!(stats["calls"], 3, "InitializeMint, InitializeAccount, MintTo: {stats}");
    assert!(stats["computeUnits"].as_u64().unwrap() > 0);
    assert_eq!(stats["slots"].as_array().unwrap().len(), 1, "{stats}");
    assert_eq!(stats["recentCalls"][0]["signature"], signature);
    assert_eq!(stats["deployments"], json!([{ "slot": 0, "signature": null, "instruction": "genesis" }]));
    assert_eq!(node.error("lanesGetProgramStats", json!([token.to_string(), { "slots": 0 }])).0, -32602);
}

/// The cargo target directory's `explorer-screenshots/`.
fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("the target directory").join("explorer-screenshots")
}

/// Wait (bounded) until every signature is finalized; each one's slot.
fn landed_slots(node: &Validator, signatures: &[String]) -> Vec<u64> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut slots = vec![None; signatures.len()];
    while slots.iter().any(Option::is_none) {
        assert!(Instant::now() < deadline, "the load did not land within 60 s");
        for (chunk, out) in signatures.chunks(200).zip(slots.chunks_mut(200)) {
            let statuses = node.call("getSignatureStatuses", json!([chunk]))["value"].clone();
            for (status, slot) in statuses.as_array().unwrap().iter().zip(out.iter_mut()) {
                if status["confirmationStatus"] == "finalized" {
                    *slot = status["slot"].as_u64();
                }
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    slots.into_iter().map(Option::unwrap).collect()
}

#[test]
fn the_explorer_in_a_headless_browser() {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("js");
    let node_version = common::require_node_packages(&js, &["playwright-core"]);
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).is_file(),
        "{chromium} is missing: ./scripts/test.sh installs Debian's chromium (apt-get install chromium)"
    );

    let ledger = TempLedger::new("explorer-browser");
    let node = Validator::start_with(&ledger.0, &["--threads", "2", "--slot-ms", "400"], &[]);
    let explorer = node.startup.iter().find_map(|l| l.strip_prefix("Explorer: ")).unwrap().to_string();
    let token = lanes_token::ID;

    // Eight payers, funded; each owns two token accounts of one mint, the
    // first holding MINTED tokens.
    let payers: Vec<Keypair> = (0..PAYERS).map(|_| Keypair::new()).collect();
    let airdrops: Vec<String> = payers
        .iter()
        .map(|p| {
            node.call("requestAirdrop", json!([p.pubkey().to_string(), 100_000_000_000u64])).as_str().unwrap().into()
        })
        .collect();
    landed_slots(&node, &airdrops);
    let mint = Keypair::new();
    let authority = &payers[0];
    node.run(
        &lanes_token::instruction::create_mint(
            &token,
            &authority.pubkey(),
            &mint.pubkey(),
            &authority.pubkey(),
            None,
            6,
        ),
        authority,
        &[&mint],
    );
    let accounts: Vec<(Keypair, Keypair)> = (0..PAYERS).map(|_| (Keypair::new(), Keypair::new())).collect();
    let blockhash = node.blockhash();
    let setup: Vec<Transaction> = accounts
        .iter()
        .zip(&payers)
        .map(|((a, b), owner)| {
            let mut ixs = Vec::new();
            for account in [a, b] {
                ixs.extend(lanes_token::instruction::create_account(
                    &token,
                    &authority.pubkey(),
                    &account.pubkey(),
                    &mint.pubkey(),
                    &owner.pubkey(),
                ));
            }
            ixs.push(lanes_token::instruction::mint_to(
                &token,
                &mint.pubkey(),
                &a.pubkey(),
                &authority.pubkey(),
                MINTED,
            ));
            Transaction::new_signed_with_payer(&ixs, Some(&authority.pubkey()), &[authority, a, b], blockhash)
        })
        .collect();
    let sent: Vec<String> = node.send_batched(setup).into_iter().map(|s| s.expect("setup accepted")).collect();
    landed_slots(&node, &sent);

    // The load, sent at once: each payer's token transfers a→b (a chain on
    // its own accounts), system transfers, a few into the next payer's b
    // (conflicts across chains), and three that fail (too many tokens).
    let blockhash = node.blockhash();
    let mut load = Vec::new();
    let mut token_transfers = Vec::new();
    for (i, payer) in payers.iter().enumerate() {
        let (a, b) = (&accounts[i].0.pubkey(), &accounts[i].1.pubkey());
        let next_b = accounts[(i + 1) % PAYERS].1.pubkey();
        let sign =
            |ix: Instruction| Transaction::new_signed_with_payer(&[ix], Some(&payer.pubkey()), &[payer], blockhash);
        for k in 0..TOKEN_TRANSFERS.max(SYSTEM_TRANSFERS) {
            if k < TOKEN_TRANSFERS {
                token_transfers.push(load.len());
                load.push(sign(lanes_token::instruction::transfer(&token, a, b, &payer.pubkey(), k + 1)));
            }
            if k < SYSTEM_TRANSFERS {
                let to = Pubkey::new_unique_from_u64(10_000 + (i as u64) * 100 + k);
                load.push(sign(system_instruction::transfer(&payer.pubkey(), &to, 1_000_000 + k)));
            }
            if k < CROSS_TRANSFERS {
                load.push(sign(lanes_token::instruction::transfer(&token, a, &next_b, &payer.pubkey(), 1_000 + k)));
            }
        }
        if i < 3 {
            load.push(sign(lanes_token::instruction::transfer(&token, a, b, &payer.pubkey(), 10 * MINTED)));
        }
    }
    let started = Instant::now();
    let signatures: Vec<String> = node.send_batched(load).into_iter().map(|s| s.expect("load accepted")).collect();
    let slots = landed_slots(&node, &signatures);
    let mut per_slot = BTreeMap::<u64, usize>::new();
    for slot in &slots {
        *per_slot.entry(*slot).or_default() += 1;
    }
    println!("load: {} transactions landed in {:.1?} over slots {per_slot:?}", signatures.len(), started.elapsed());
    let (&slot, _) = per_slot.iter().max_by_key(|(slot, n)| (**n, std::cmp::Reverse(**slot))).unwrap();
    let signature = token_transfers
        .iter()
        .map(|&i| (&signatures[i], slots[i]))
        .find(|(_, s)| *s == slot)
        .map(|(sig, _)| sig.clone())
        .unwrap_or_else(|| signatures[slots.iter().position(|s| *s == slot).unwrap()].clone());

    // What the test wrote into the first payer's first token account.
    let watched = accounts[0].0.pubkey();
    let info = node.call("getAccountInfo", json!([watched.to_string(), { "encoding": "base64" }]))["value"].clone();
    let held = TokenAccount::unpack(&base64_decode(info["data"][0].as_str().unwrap())).unwrap();
    let sent_away: u64 = (1..=TOKEN_TRANSFERS).sum::<u64>() + (1_000..1_000 + CROSS_TRANSFERS).sum::<u64>();
    assert_eq!(held.amount, MINTED - sent_away, "the failing transfer moved nothing");

    let shots = screenshot_dir();
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let out_path = ledger.0.join("explorer-browser.out");
    let mut script = Command::new("node");
    script
        .arg(js.join("explorer.browser.mjs"))
        .current_dir(&js)
        .env("EXPLORER_URL", &explorer)
        .env("LANES_SLOT", slot.to_string())
        .env("LANES_SIGNATURE", &signature)
        .env("LANES_TOKEN_ACCOUNT", watched.to_string())
        .env("LANES_TOKEN_MINT", mint.pubkey().to_string())
        .env("LANES_TOKEN_OWNER", payers[0].pubkey().to_string())
        .env("LANES_TOKEN_AMOUNT", held.amount.to_string())
        .env("LANES_TOKEN_PROGRAM", token.to_string())
        .env("SCREENSHOT_DIR", &shots)
        .env("CHROMIUM", &chromium)
        .env("NO_COLOR", "1");
    let started = Instant::now();
    let status = common::run_group_bounded(&mut script, &out_path, BROWSER);
    let report = std::fs::read_to_string(&out_path).unwrap_or_default();
    let _ = std::fs::write(shots.join("report.txt"), &report);
    match status {
        Some(status) if status.success() => {
            println!("node {node_version}, {chromium}: the explorer checked in {:.1?}\n{report}", started.elapsed());
            println!("screenshots: {}", shots.display());
        }
        Some(status) => panic!("the explorer's browser test failed ({status}):\n{report}"),
        None => panic!("the explorer's browser test did not finish within {BROWSER:?} and was killed:\n{report}"),
    }
    for name in ["dashboard", "slot", "transaction", "account", "program", "slot-10k"] {
        assert!(shots.join(format!("{name}.png")).is_file(), "{name}.png saved");
    }
}
