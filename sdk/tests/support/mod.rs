//! What the web3.js conformance tests share: reading the fixtures
//! `scripts/web3-fixtures/generate.mjs` wrote, their common shapes
//! (instructions, headers, completed signatures), text decoders, and the
//! Lanes builder a fixture's `lanes_builder` spec names.
#![allow(dead_code)]

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use lanes_sdk::address_lookup_table as alt;
use lanes_sdk::instruction::CompiledInstruction;
use lanes_sdk::message::MessageHeader;
use lanes_sdk::{compute_budget, system_instruction, AccountMeta, Instruction, Pubkey, Signature};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(Deserialize)]
pub struct Completed {
    pub signatures: Vec<String>,
    pub wire_base64: String,
}

#[derive(Deserialize, PartialEq, Debug)]
pub struct Header {
    pub num_required_signatures: u8,
    pub num_readonly_signed_accounts: u8,
    pub num_readonly_unsigned_accounts: u8,
}

impl From<MessageHeader> for Header {
    fn from(h: MessageHeader) -> Self {
        Header {
            num_required_signatures: h.num_required_signatures,
            num_readonly_signed_accounts: h.num_readonly_signed_accounts,
            num_readonly_unsigned_accounts: h.num_readonly_unsigned_accounts,
        }
    }
}

#[derive(Deserialize)]
pub struct Web3Ix {
    pub program_id: String,
    pub accounts: Vec<Web3Meta>,
    pub data_base64: String,
    pub lanes_builder: Option<serde_json::Value>,
}

#[derive(Deserialize)]
pub struct Web3Meta {
    pub pubkey: String,
    pub is_signer: bool,
    pub is_writable: bool,
}

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

/// A fixture file, parsed into `T`.
pub fn read_fixture<T: DeserializeOwned>(name: &str) -> T {
    let path = fixtures_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} has the expected shape: {e}"))
}

/// Check that the checked-in fixture `name` is exactly what `build` makes
/// now (and that building twice gives the same text); with
/// `LANES_UPDATE_FIXTURES=1`, rewrite it first.
pub fn assert_fixture_current<T: serde::Serialize>(name: &str, build: impl Fn() -> T) {
    let text = serde_json::to_string_pretty(&build()).unwrap() + "\n";
    assert_eq!(serde_json::to_string_pretty(&build()).unwrap() + "\n", text, "{name}: deterministic");
    let path = fixtures_dir().join(name);
    if std::env::var_os("LANES_UPDATE_FIXTURES").is_some_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == text,
        "{} is not what Lanes signs now: rerun with LANES_UPDATE_FIXTURES=1, then check it with \
         `node scripts/web3-fixtures/verify.mjs`",
        path.display()
    );
}

pub fn pk(text: &str) -> Pubkey {
    text.parse().unwrap_or_else(|e| panic!("{text:?} is not a pubkey: {e}"))
}

pub fn pks(texts: &[String]) -> Vec<Pubkey> {
    texts.iter().map(|t| pk(t)).collect()
}

pub fn b64(text: &str) -> Vec<u8> {
    B64.decode(text).expect("valid base64")
}

pub fn unhex(text: &str) -> Vec<u8> {
    assert_eq!(text.len() % 2, 0, "odd hex length");
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

pub fn seed32(text: &str) -> [u8; 32] {
    unhex(text).try_into().expect("a 32-byte seed")
}

pub fn sig_or_zero(text: &Option<String>) -> Signature {
    match text {
        Some(t) => t.parse().expect("base58 signature"),
        None => Signature::default(),
    }
}

/// The instructions as web3.js was given them.
pub fn instructions(ixs: &[Web3Ix]) -> Vec<Instruction> {
    ixs.iter().map(instruction).collect()
}

pub fn instruction(ix: &Web3Ix) -> Instruction {
    Instruction {
        program_id: pk(&ix.program_id),
        accounts: ix
            .accounts
            .iter()
            .map(|m| AccountMeta { pubkey: pk(&m.pubkey), is_signer: m.is_signer, is_writable: m.is_writable })
            .collect(),
        data: b64(&ix.data_base64),
    }
}

/// A compiled instruction with its indices resolved through `keys`.
pub fn decompile_with(keys: &[Pubkey], ix: &CompiledInstruction) -> (Pubkey, Vec<Pubkey>, Vec<u8>) {
    (keys[ix.program_id_index as usize], ix.accounts.iter().map(|&a| keys[a as usize]).collect(), ix.data.clone())
}

/// The static keys in each of the four header groups, as sets.
pub fn header_groups(header: &MessageHeader, keys: &[Pubkey]) -> [BTreeSet<Pubkey>; 4] {
    let mut groups: [BTreeSet<Pubkey>; 4] = Default::default();
    for (i, key) in keys.iter().enumerate() {
        let signer = i < header.num_required_signatures as usize;
        let g = match (signer, header.is_writable_static(i, keys.len())) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        };
        groups[g].insert(*key);
    }
    groups
}

pub fn u64_field(v: &serde_json::Value, field: &str) -> u64 {
    v[field].as_str().unwrap_or_else(|| panic!("{field} as a decimal string")).parse().expect("u64")
}

pub fn str_field<'a>(v: &'a serde_json::Value, field: &str) -> &'a str {
    v[field].as_str().unwrap_or_else(|| panic!("{field} as a string"))
}

fn key_field(v: &serde_json::Value, field: &str) -> Pubkey {
    pk(str_field(v, field))
}

/// The instruction a Lanes builder makes from the parameters web3.js was given.
pub fn lanes_build(spec: &serde_json::Value) -> Instruction {
    let key = |field| key_field(spec, field);
    match str_field(spec, "fn") {
        "transfer" => system_instruction::transfer(&key("from"), &key("to"), u64_field(spec, "lamports")),
        "create_account" => system_instruction::create_account(
            &key("from"),
            &key("to"),
            u64_field(spec, "lamports"),
            u64_field(spec, "space"),
            &key("owner"),
        ),
        "create_account_with_seed" => system_instruction::create_account_with_seed(
            &key("from"),
            &key("to"),
            &key("base"),
            str_field(spec, "seed"),
            u64_field(spec, "lamports"),
            u64_field(spec, "space"),
            &key("owner"),
        ),
        "create_nonce_account" => {
            let built = system_instruction::create_nonce_account(
                &key("from"),
                &key("nonce"),
                &key("authority"),
                u64_field(spec, "lamports"),
            );
            part(built, spec)
        }
        "create_nonce_account_with_seed" => {
            let built = system_instruction::create_nonce_account_with_seed(
                &key("from"),
                &key("nonce"),
                &key("base"),
                str_field(spec, "seed"),
                &key("authority"),
                u64_field(spec, "lamports"),
            );
            part(built, spec)
        }
        "advance_nonce_account" => system_instruction::advance_nonce_account(&key("nonce"), &key("authority")),
        "withdraw_nonce_account" => system_instruction::withdraw_nonce_account(
            &key("nonce"),
            &key("authority"),
            &key("to"),
            u64_field(spec, "lamports"),
        ),
        "authorize_nonce_account" => {
            system_instruction::authorize_nonce_account(&key("nonce"), &key("authority"), &key("new_authority"))
        }
        "set_compute_unit_limit" => {
            compute_budget::set_compute_unit_limit(spec["units"].as_u64().expect("units").try_into().expect("u32"))
        }
        "set_compute_unit_price" => compute_budget::set_compute_unit_price(u64_field(spec, "micro_lamports")),
        "create_lookup_table_signed" => {
            alt::create_lookup_table_signed(&key("authority"), &key("payer"), u64_field(spec, "recent_slot")).0
        }
        "freeze_lookup_table" => alt::freeze_lookup_table(&key("table"), &key("authority")),
        "extend_lookup_table" => {
            let payer = spec.get("payer").map(|_| key("payer"));
            let addresses = spec["addresses"].as_array().expect("addresses");
            let addresses = addresses.iter().map(|a| pk(a.as_str().expect("base58"))).collect();
            alt::extend_lookup_table(&key("table"), &key("authority"), payer.as_ref(), addresses)
        }
        "deactivate_lookup_table" => alt::deactivate_lookup_table(&key("table"), &key("authority")),
        "close_lookup_table" => alt::close_lookup_table(&key("table"), &key("authority"), &key("recipient")),
        other => panic!("no Lanes builder for {other}"),
    }
}

/// The instruction of a builder that makes several which `spec["part"]` names.
fn part(mut built: Vec<Instruction>, spec: &serde_json::Value) -> Instruction {
    let index = spec["part"].as_u64().expect("part") as usize;
    assert!(index < built.len(), "{spec}: the builder made {} instructions", built.len());
    built.swap_remove(index)
}
