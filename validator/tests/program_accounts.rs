//! `getProgramAccounts` on the real `lanes-validator` binary (free loopback
//! port, temporary ledger): token accounts and mints made through the
//! bundled token program, read back field by field with no filter, with
//! `dataSize` and `memcmp` (base58, base64, raw bytes), a `dataSlice`,
//! `withContext`; bad filters are -32602 with Solana's messages, and a
//! program that owns nothing answers `[]`.

mod common;

use common::{base64_decode, base64_encode, TempLedger, Validator};
use lanes_sdk::client::Keypair;
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::Pubkey;
use lanes_token::state::{Mint, TokenAccount};
use serde_json::{json, Value};
use std::str::FromStr;

fn program_accounts(node: &Validator, program: &Pubkey, config: Value) -> Value {
    node.call("getProgramAccounts", json!([program.to_string(), config]))
}

/// The keys of a bare `getProgramAccounts` result, in answer order.
fn keys(result: &Value) -> Vec<String> {
    result.as_array().unwrap().iter().map(|item| item["pubkey"].as_str().unwrap().to_string()).collect()
}

/// `keys` of the accounts, sorted as the node sorts them (by key bytes).
fn sorted(accounts: &[&Pubkey]) -> Vec<String> {
    let mut accounts: Vec<Pubkey> = accounts.iter().map(|k| **k).collect();
    accounts.sort();
    accounts.iter().map(Pubkey::to_string).collect()
}

#[test]
fn get_program_accounts_filters_slices_and_refuses() {
    let ledger = TempLedger::new("program-accounts");
    let node = Validator::start(&ledger.0);
    let token = lanes_token::ID;

    // A payer, two mints, three token accounts: alice holds one of each
    // mint, bob one of the first.
    let payer = Keypair::new();
    let airdrop = node.call("requestAirdrop", json!([payer.pubkey().to_string(), 10_000_000_000u64]));
    node.finalized_ok(airdrop.as_str().unwrap());
    let (alice, bob) = (Pubkey::new_unique_from_u64(501), Pubkey::new_unique_from_u64(502));
    let (mint_one, mint_two) = (Keypair::new(), Keypair::new());
    let (alice_one, bob_one, alice_two) = (Keypair::new(), Keypair::new(), Keypair::new());
    let mut setup = Vec::new();
    for mint in [&mint_one, &mint_two] {
        setup.extend(lanes_token::instruction::create_mint(
            &token,
            &payer.pubkey(),
            &mint.pubkey(),
            &payer.pubkey(),
            None,
            6,
        ));
    }
    node.run(&setup, &payer, &[&mint_one, &mint_two]);
    let mut setup = Vec::new();
    for (account, mint, owner) in
        [(&alice_one, &mint_one, &alice), (&bob_one, &mint_one, &bob), (&alice_two, &mint_two, &alice)]
    {
        setup.extend(lanes_token::instruction::create_account(
            &token,
            &payer.pubkey(),
            &account.pubkey(),
            &mint.pubkey(),
            owner,
        ));
    }
    setup.push(lanes_token::instruction::mint_to(
        &token,
        &mint_one.pubkey(),
        &alice_one.pubkey(),
        &payer.pubkey(),
        500,
    ));
    node.run(&setup, &payer, &[&alice_one, &bob_one, &alice_two]);
    let (m1, m2) = (mint_one.pubkey(), mint_two.pubkey());
    let (a1, b1, a2) = (alice_one.pubkey(), bob_one.pubkey(), alice_two.pubkey());

    // No filter: every account the program owns, sorted by key, each field.
    let all = program_accounts(&node, &token, json!({ "encoding": "base64" }));
    assert_eq!(keys(&all), sorted(&[&m1, &m2, &a1, &b1, &a2]), "{all}");
    for item in all.as_array().unwrap() {
        let account = &item["account"];
        let fields: Vec<&str> = {
            let mut f: Vec<&str> = account.as_object().unwrap().keys().map(String::as_str).collect();
            f.sort();
            f
        };
        assert_eq!(fields, ["data", "executable", "lamports", "owner", "rentEpoch", "space"], "{item}");
        let key = Pubkey::from_str(item["pubkey"].as_str().unwrap()).unwrap();
        let len = if key == m1 || key == m2 { Mint::LEN } else { TokenAccount::LEN };
        assert_eq!(account["lamports"], json!(minimum_balance(len)));
        assert_eq!(account["owner"], json!(token.to_string()));
        assert_eq!(account["executable"], json!(false));
        assert_eq!(account["rentEpoch"], json!(u64::MAX));
        assert_eq!(account["space"], json!(len));
        assert_eq!(account["data"][1], json!("base64"));
        let data = base64_decode(account["data"][0].as_str().unwrap());
        assert_eq!(data.len(), len);
        // A token account: mint at 0, owner at 32, amount at 64.
        let token_account = |mint: &Pubkey, owner: &Pubkey, amount: u64| {
            assert_eq!((&data[..32], &data[32..64]), (&mint.0[..], &owner.0[..]), "{key}");
            assert_eq!(data[64..72], amount.to_le_bytes(), "{key}");
        };
        match key {
            k if k == a1 => token_account(&m1, &alice, 500),
            k if k == b1 => token_account(&m1, &bob, 0),
            k if k == a2 => token_account(&m2, &alice, 0),
            _ => assert_eq!(data[..8], (if key == m1 { 500u64 } else { 0 }).to_le_bytes(), "a mint's supply"),
        }
        // What getAccountInfo says of the same account, exactly.
        let info = node.call("getAccountInfo", json!([key.to_string(), { "encoding": "base64" }]))["value"].clone();
        assert_eq!(&info, account);
    }

    // The default encoding (legacy binary, base58) refuses data over 128 bytes, as Solana does.
    let (code, message) = node.error("getProgramAccounts", json!([token.to_string()]));
    assert_eq!(code, -32602);
    assert_eq!(message, "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.");

    // dataSize.
    let size =
        |n: usize| program_accounts(&node, &token, json!({ "encoding": "base64", "filters": [{ "dataSize": n }] }));
    assert_eq!(keys(&size(TokenAccount::LEN)), sorted(&[&a1, &b1, &a2]));
    assert_eq!(keys(&size(Mint::LEN)), sorted(&[&m1, &m2]));
    assert_eq!(size(1), json!([]));

    // memcmp at an offset: the owner at 32 in base58 (the default), the
    // mint at 0 in base64, both with dataSize; raw bytes.
    let memcmp = |filters: Value| program_accounts(&node, &token, json!({ "encoding": "base64", "filters": filters }));
    let alices = memcmp(json!([{ "memcmp": { "offset": 32, "bytes": alice.to_string() } }]));
    assert_eq!(keys(&alices), sorted(&[&a1, &a2]));
    let explicit = memcmp(json!([{ "memcmp": { "offset": 32, "bytes": alice.to_string(), "encoding": "base58" } }]));
    assert_eq!(explicit, alices);
    let of_mint_one = memcmp(json!([
        { "dataSize": TokenAccount::LEN },
        { "memcmp": { "offset": 0, "bytes": base64_encode(&m1.0), "encoding": "base64" } },
    ]));
    assert_eq!(keys(&of_mint_one), sorted(&[&a1, &b1]));
    let alice_of_two = memcmp(json!([
        { "memcmp": { "offset": 0, "bytes": m2.to_string() } },
        { "memcmp": { "offset": 32, "bytes": base64_encode(&alice.0), "encoding": "base64" } },
    ]));
    assert_eq!(keys(&alice_of_two), vec![a2.to_string()]);
    let amount = memcmp(json!([{ "memcmp": { "offset": 64, "bytes": 500u64.to_le_bytes().to_vec() } }]));
    assert_eq!(keys(&amount), vec![a1.to_string()], "raw bytes: a1 holds 500");
    assert_eq!(memcmp(json!([{ "memcmp": { "offset": 146, "bytes": bs58_of(&[9, 9]) } }])), json!([]), "past the end");

    // dataSlice: the owner field alone, small enough for base58; `space`
    // is still the whole length.
    let sliced = program_accounts(
        &node,
        &token,
        json!({ "encoding": "base58", "dataSlice": { "offset": 32, "length": 32 }, "filters": [{ "dataSize": TokenAccount::LEN }] }),
    );
    for item in sliced.as_array().unwrap() {
        let key = Pubkey::from_str(item["pubkey"].as_str().unwrap()).unwrap();
        let owner = if key == b1 { bob } else { alice };
        assert_eq!(item["account"]["data"], json!([owner.to_string(), "base58"]), "{item}");
        assert_eq!(item["account"]["space"], json!(TokenAccount::LEN));
    }
    assert_eq!(keys(&sliced), sorted(&[&a1, &b1, &a2]));
    let keys_only = program_accounts(&node, &token, json!({ "dataSlice": { "offset": 0, "length": 0 } }));
    assert_eq!(keys(&keys_only), sorted(&[&m1, &m2, &a1, &b1, &a2]));
    assert!(keys_only.as_array().unwrap().iter().all(|item| item["account"]["data"] == json!("")), "{keys_only}");

    // withContext: {context, value}.
    let with_context = program_accounts(
        &node,
        &token,
        json!({ "withContext": true, "encoding": "base64", "filters": [{ "dataSize": Mint::LEN }] }),
    );
    assert!(with_context["context"]["slot"].is_u64(), "{with_context}");
    assert_eq!(with_context["context"]["apiVersion"], json!("2.2.0"));
    assert_eq!(keys(&with_context["value"]), sorted(&[&m1, &m2]));
    let processed = program_accounts(
        &node,
        &token,
        json!({ "withContext": true, "commitment": "processed", "dataSlice": { "offset": 0, "length": 0 } }),
    );
    assert!(processed["context"]["slot"].as_u64() >= with_context["context"]["slot"].as_u64(), "{processed}");

    // Refusals: each -32602 (Solana's messages), or -32016.
    let refused = |config: Value| node.error("getProgramAccounts", json!([token.to_string(), config]));
    let five = vec![json!({ "dataSize": 1 }); 5];
    assert_eq!(refused(json!({ "filters": five })), (-32602, "Too many filters provided; max 4".to_string()));
    let long = "1".repeat(129); // decodes to 129 bytes
    assert_eq!(
        refused(json!({ "filters": [{ "memcmp": { "offset": 0, "bytes": long } }] })),
        (-32602, "Invalid param: DataTooLarge".to_string())
    );
    let ok_128 = "1".repeat(128);
    assert_eq!(memcmp(json!([{ "memcmp": { "offset": 0, "bytes": ok_128 } }])), json!([]), "128 bytes are allowed");
    let (code, message) = refused(json!({ "filters": [{ "memcmp": { "offset": 0, "bytes": "0OIl" } }] }));
    assert_eq!(code, -32602);
    assert!(message.starts_with("Invalid param: Base58DecodeError("), "{message}");
    let (code, message) =
        refused(json!({ "filters": [{ "memcmp": { "offset": 0, "bytes": "!!", "encoding": "base64" } }] }));
    assert_eq!(code, -32602);
    assert!(message.starts_with("Invalid param: Base64DecodeError("), "{message}");
    assert_eq!(refused(json!({ "filters": [{ "tokenAccountState": {} }] })).0, -32602);
    assert_eq!(refused(json!({ "filters": [{ "memcmp": { "bytes": "1" } }] })).0, -32602, "no offset");
    assert_eq!(refused(json!({ "filters": [{ "memcmp": { "offset": -1, "bytes": "1" } }] })).0, -32602);
    assert_eq!(refused(json!({ "filters": [{ "dataSize": "165" }] })).0, -32602);
    assert_eq!(refused(json!({ "filters": { "dataSize": 165 } })).0, -32602);
    assert_eq!(refused(json!({ "filters": [{ "dataSize": 1, "memcmp": { "offset": 0, "bytes": "1" } }] })).0, -32602);
    assert_eq!(refused(json!({ "encoding": "base32" })).0, -32602);
    let (code, _) = refused(json!({ "minContextSlot": u64::MAX }));
    assert_eq!(code, -32016);
    assert_eq!(node.error("getProgramAccounts", json!(["not-a-key"])), (-32602, "Invalid param: Invalid".to_string()));
    assert_eq!(node.error("getProgramAccounts", json!([])).0, -32602);

    // A program that owns nothing: [] (and an empty value with context).
    let nobody = Pubkey::new_unique_from_u64(9_999);
    assert_eq!(program_accounts(&node, &nobody, json!({})), json!([]));
    assert_eq!(node.call("getProgramAccounts", json!([nobody.to_string()])), json!([]));
    assert_eq!(program_accounts(&node, &nobody, json!({ "withContext": true }))["value"], json!([]));

    drop(node);
}

fn bs58_of(bytes: &[u8]) -> String {
    bs58::encode(bytes).into_string()
}
