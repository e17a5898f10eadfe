//! Properties of the wire decoders, which read bytes from anyone on the network.
//!
//! * Valid messages and transactions, legacy and v0, round-trip.
//! * Random bytes, and random mutations and truncations of real transactions
//!   (the @solana/web3.js fixtures, legacy and v0, and generated ones), never
//!   make `Transaction::from_wire` or `VersionedTransaction::from_wire` panic;
//!   whatever decodes re-encodes to exactly the same bytes (the format is
//!   canonical: one transaction, one encoding); what the legacy decoder
//!   accepts the versioned one accepts identically; and nothing done with a
//!   decoded transaction afterwards panics either.
//! * A compiled v0 message sanitizes and its instructions decompile, through
//!   its lookups, to the instructions it was compiled from.
//!
//! The cargo-fuzz target `sdk/fuzz` checks the same decoder with coverage guidance.

use lanes_sdk::address_lookup_table::AddressLookupTableAccount;
use lanes_sdk::instruction::CompiledInstruction;
use lanes_sdk::message::v0::{self, LoadedAddresses, MessageAddressTableLookup};
use lanes_sdk::message::{Message, MessageHeader, VersionedMessage, WireError, PACKET_DATA_SIZE};
use lanes_sdk::transaction::{Transaction, VersionedTransaction};
use lanes_sdk::{AccountMeta, Hash, Instruction, Pubkey, Signature};
use proptest::prelude::*;
use proptest::sample::Index;

// ---------------------------------------------------------------------------
// Strategies.

fn pubkey() -> impl Strategy<Value = Pubkey> {
    // Few distinct keys, so instructions share and duplicate them.
    prop_oneof![
        3 => (0u8..12).prop_map(|n| Pubkey::new_from_array([n; 32])),
        1 => any::<[u8; 32]>().prop_map(Pubkey::new_from_array),
    ]
}

fn signature() -> impl Strategy<Value = Signature> {
    prop_oneof![
        Just(Signature::default()),
        prop::collection::vec(any::<u8>(), 64).prop_map(|v| Signature(v.try_into().unwrap()))
    ]
}

fn data(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..20),
        1 => prop::collection::vec(any::<u8>(), 100..max),
    ]
}

/// Any message the format can carry, sane or not (indices may point anywhere),
/// except a first byte with the high bit set, which announces a versioned message.
fn raw_message() -> impl Strategy<Value = Message> {
    raw_body(0x80).prop_map(|(header, account_keys, recent_blockhash, instructions)| Message {
        header,
        account_keys,
        recent_blockhash,
        instructions,
    })
}

/// The fields legacy and v0 messages share, anything the format holds; the
/// first header byte below `max_signers`.
fn raw_body(max_signers: u16) -> impl Strategy<Value = (MessageHeader, Vec<Pubkey>, Hash, Vec<CompiledInstruction>)> {
    (
        (0..max_signers, any::<u8>(), any::<u8>()),
        prop::collection::vec(pubkey(), 0..12),
        any::<[u8; 32]>(),
        prop::collection::vec((any::<u8>(), prop::collection::vec(any::<u8>(), 0..12), data(300)), 0..6),
    )
        .prop_map(|((sigs, ro_signed, ro_unsigned), account_keys, blockhash, ixs)| {
            (
                MessageHeader {
                    num_required_signatures: sigs as u8,
                    num_readonly_signed_accounts: ro_signed,
                    num_readonly_unsigned_accounts: ro_unsigned,
                },
                account_keys,
                Hash::new_from_array(blockhash),
                ixs.into_iter()
                    .map(|(program_id_index, accounts, data)| CompiledInstruction { program_id_index, accounts, data })
                    .collect(),
            )
        })
}

/// Any v0 message the format can carry: any header byte (the prefix comes
/// first), lookups with any indexes, empty ones included.
fn raw_v0_message() -> impl Strategy<Value = v0::Message> {
    let lookup = (pubkey(), prop::collection::vec(any::<u8>(), 0..8), prop::collection::vec(any::<u8>(), 0..8))
        .prop_map(|(account_key, writable_indexes, readonly_indexes)| MessageAddressTableLookup {
            account_key,
            writable_indexes,
            readonly_indexes,
        });
    (raw_body(0x100), prop::collection::vec(lookup, 0..4)).prop_map(
        |((header, account_keys, recent_blockhash, instructions), address_table_lookups)| v0::Message {
            header,
            account_keys,
            recent_blockhash,
            instructions,
            address_table_lookups,
        },
    )
}

/// Lookup tables (each at its own address, as on chain) holding some of the
/// keys [`pubkey`] draws, and others.
fn lookup_tables() -> impl Strategy<Value = Vec<AddressLookupTableAccount>> {
    prop::collection::vec(prop::collection::vec(pubkey(), 0..10), 0..4).prop_map(|lists| {
        lists
            .into_iter()
            .zip(0xf0u8..)
            .map(|(addresses, n)| AddressLookupTableAccount { key: Pubkey::new_from_array([n; 32]), addresses })
            .collect()
    })
}

/// A v0 message compiled the way clients compile them, and the tables it was
/// compiled against, with the instructions.
fn compiled_v0() -> impl Strategy<Value = (v0::Message, Vec<AddressLookupTableAccount>, Vec<Instruction>)> {
    (prop::collection::vec(instruction(), 0..5), pubkey(), any::<[u8; 32]>(), lookup_tables()).prop_map(
        |(ixs, payer, bh, tables)| {
            let message = v0::Message::try_compile(&payer, &ixs, &tables, Hash::new_from_array(bh))
                .expect("a few keys always compile");
            (message, tables, ixs)
        },
    )
}

fn versioned_transaction() -> impl Strategy<Value = VersionedTransaction> {
    prop_oneof![
        transaction().prop_map(VersionedTransaction::from),
        compiled_v0()
            .prop_flat_map(|(m, _, _)| {
                let n = m.header.num_required_signatures as usize;
                (prop::collection::vec(signature(), n..=n), Just(m))
            })
            .prop_map(|(signatures, m)| VersionedTransaction { signatures, message: m.into() }),
        (prop::collection::vec(signature(), 0..4), raw_v0_message())
            .prop_map(|(signatures, m)| VersionedTransaction { signatures, message: m.into() }),
    ]
}

fn instruction() -> impl Strategy<Value = Instruction> {
    (pubkey(), prop::collection::vec((pubkey(), any::<bool>(), any::<bool>()), 0..6), data(200)).prop_map(
        |(program_id, metas, data)| Instruction {
            program_id,
            accounts: metas
                .into_iter()
                .map(|(pubkey, is_signer, is_writable)| AccountMeta { pubkey, is_signer, is_writable })
                .collect(),
            data,
        },
    )
}

/// A message compiled the way clients compile them, so it sanitizes (unless
/// the payer is also invoked as a program, which Solana forbids too).
fn compiled_message() -> impl Strategy<Value = Message> {
    (prop::collection::vec(instruction(), 0..5), pubkey(), any::<[u8; 32]>())
        .prop_map(|(ixs, payer, bh)| Message::new_with_blockhash(&ixs, Some(&payer), &Hash::new_from_array(bh)))
}

fn transaction() -> impl Strategy<Value = Transaction> {
    prop_oneof![
        // Well-formed: one signature slot per required signer.
        compiled_message().prop_flat_map(|m| {
            let n = m.header.num_required_signatures as usize;
            (prop::collection::vec(signature(), n..=n), Just(m))
        }),
        // Anything the format holds.
        (prop::collection::vec(signature(), 0..4), raw_message()),
    ]
    .prop_map(|(signatures, message)| Transaction { signatures, message })
}

/// The valid legacy wire transactions web3.js wrote (and Lanes signed), as seeds for mutation.
fn fixture_wires() -> &'static [Vec<u8>] {
    static WIRES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    WIRES.get_or_init(|| load_fixture_wires(&["web3js.json", "lanes_signed.json"]))
}

/// The valid v0 wire transactions web3.js wrote (and Lanes signed).
fn v0_fixture_wires() -> &'static [Vec<u8>] {
    static WIRES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    WIRES.get_or_init(|| load_fixture_wires(&["web3js_v0.json", "lanes_signed_v0.json"]))
}

/// Legacy and v0 together.
fn all_fixture_wires() -> impl Iterator<Item = &'static Vec<u8>> {
    fixture_wires().iter().chain(v0_fixture_wires())
}

fn load_fixture_wires(files: &[&str]) -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures");
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(dir.join(file)).expect("fixture present");
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        for tx in json["transactions"].as_array().unwrap() {
            out.push(decode_b64(tx["wire_base64"].as_str().unwrap()));
        }
    }
    assert!(out.len() >= 10, "{files:?}");
    out
}

/// A small base64 decoder, so this test needs no feature-gated dev-dependency.
fn decode_b64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(Index, u8),
    Flip(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Truncate(Index),
    /// Overwrite with a compact-u16 length that may be long, short or non-canonical.
    Length(Index, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<Index>(), 0u8..8).prop_map(|(i, bit)| Mutation::Flip(i, 1 << bit)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..40)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), 1usize..70).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<Index>().prop_map(Mutation::Truncate),
        (
            any::<Index>(),
            prop_oneof![
                Just(vec![0x80, 0x00]),
                Just(vec![0xff, 0xff, 0x03]),
                Just(vec![0xff, 0xff, 0x04]),
                Just(vec![0x80, 0x80, 0x80]),
                Just(vec![0x80, 0x01]),
                Just(vec![0x7f]),
                Just(vec![0x00]),
            ]
        )
            .prop_map(|(i, b)| Mutation::Length(i, b)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        if let Mutation::Insert(_, b) = m {
            bytes.extend_from_slice(b);
        }
        return;
    }
    match m {
        Mutation::Set(i, b) => {
            let i = i.index(bytes.len());
            bytes[i] = *b;
        }
        Mutation::Flip(i, mask) => {
            let i = i.index(bytes.len());
            bytes[i] ^= mask;
        }
        Mutation::Insert(i, b) => {
            let i = i.index(bytes.len() + 1);
            bytes.splice(i..i, b.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let i = i.index(bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::Truncate(i) => {
            let i = i.index(bytes.len());
            bytes.truncate(i);
        }
        Mutation::Length(i, b) => {
            let i = i.index(bytes.len());
            for (k, byte) in b.iter().enumerate() {
                if let Some(slot) = bytes.get_mut(i + k) {
                    *slot = *byte;
                }
            }
        }
    }
}

/// What must hold for any input: no panic anywhere, and canonical re-encoding,
/// for the legacy decoder and the versioned one, which agree on legacy input.
fn check_decoder(bytes: &[u8]) -> Result<(), TestCaseError> {
    let legacy = Transaction::from_wire_with_message_range(bytes);
    let versioned = check_versioned_decoder(bytes)?;
    match (&legacy, versioned) {
        (Ok((tx, range)), versioned) => {
            prop_assert_eq!(versioned, Some((VersionedTransaction::from(tx.clone()), range.clone())));
        }
        (Err(_), Some((tx, _))) => {
            prop_assert!(tx.v0_message().is_some(), "versioned accepts legacy bytes legacy refuses")
        }
        (Err(_), None) => {}
    }
    check_legacy_decoder(bytes, legacy)
}

/// The versioned decoder on `bytes`: no panic, canonical, nothing done next panics.
fn check_versioned_decoder(
    bytes: &[u8],
) -> Result<Option<(VersionedTransaction, std::ops::Range<usize>)>, TestCaseError> {
    let _ = VersionedMessage::deserialize(bytes);
    let (tx, range) = match VersionedTransaction::from_wire_with_message_range(bytes) {
        Ok(decoded) => decoded,
        Err(e) => {
            prop_assert!(!e.to_string().is_empty());
            if bytes.len() > PACKET_DATA_SIZE {
                prop_assert_eq!(e, WireError::TooLarge { len: bytes.len() });
            }
            return Ok(None);
        }
    };
    prop_assert!(bytes.len() <= PACKET_DATA_SIZE);
    let again = tx.to_wire().expect("a decoded transaction re-encodes");
    prop_assert_eq!(&again[..], bytes, "decoded, but re-encoded differently");
    prop_assert_eq!(&bytes[range.clone()], &tx.message.serialize()[..]);
    prop_assert_eq!(VersionedMessage::deserialize(&bytes[range.clone()]), Ok(tx.message.clone()));
    let sane = tx.sanitize().is_ok();
    let m = &tx.message;
    let _ = (m.fee_payer(), m.header(), m.recent_blockhash(), tx.signature(), tx.version(), tx.uses_durable_nonce());
    let lookups = m.num_lookup_addresses();
    for i in 0..m.static_account_keys().len() + lookups + 2 {
        let _ = (m.is_signer(i), m.is_invoked(i), m.is_maybe_writable(i));
    }
    if let Some(v0) = tx.v0_message() {
        let _ = (v0.has_duplicate_keys(), v0.total_account_keys(), v0.resolve(&[]));
        // Stand-in loaded addresses, as many as the lookups ask for.
        let loaded = LoadedAddresses {
            writable: vec![Pubkey::default(); v0.num_writable_lookup_addresses()],
            readonly: vec![Pubkey::new_from_array([1; 32]); lookups - v0.num_writable_lookup_addresses()],
        };
        for i in 0..v0.total_account_keys() + 2 {
            let _ = (v0.is_writable_index(i), v0.is_writable_with(i, &loaded));
        }
        let _ = v0.has_duplicate_keys_with(&loaded);
        if sane {
            prop_assert!(v0.total_account_keys() <= v0::MAX_ACCOUNT_KEYS);
            prop_assert!(v0.is_signer(0) && v0.is_writable_index(0), "a sane message's payer is a writable signer");
        }
    }
    #[cfg(feature = "client")]
    prop_assert!(!tx.verify() || sane, "verify() passed an insane transaction");
    Ok(Some((tx, range)))
}

fn check_legacy_decoder(
    bytes: &[u8],
    decoded: Result<(Transaction, std::ops::Range<usize>), WireError>,
) -> Result<(), TestCaseError> {
    // Message::deserialize is the same reader, also exposed; it must not panic either.
    let _ = Message::deserialize(bytes);
    match decoded {
        Err(e) => {
            prop_assert!(!e.to_string().is_empty());
            if bytes.len() > PACKET_DATA_SIZE {
                prop_assert_eq!(e, WireError::TooLarge { len: bytes.len() });
            }
        }
        Ok((tx, range)) => {
            prop_assert!(bytes.len() <= PACKET_DATA_SIZE);
            let again = tx.to_wire().expect("a decoded transaction re-encodes");
            prop_assert_eq!(&again[..], bytes, "decoded, but re-encoded differently");
            prop_assert_eq!(&bytes[range], &tx.message.serialize()[..]);
            prop_assert_eq!(Transaction::from_wire(&again), Ok(tx.clone()));
            let sane = tx.sanitize().is_ok();
            // Whatever else a node or client does with it must not panic either.
            let m = &tx.message;
            let _ = m.sanitize();
            let _ = (m.fee_payer(), m.has_duplicate_keys(), tx.signature());
            for i in 0..m.account_keys.len() + 2 {
                let _ = (m.is_signer(i), m.is_writable_index(i), m.is_writable(i), m.is_invoked(i));
            }
            #[cfg(feature = "client")]
            {
                let verified = tx.verify();
                prop_assert!(!verified || sane, "verify() passed an insane transaction");
            }
            let _ = sane;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn messages_round_trip(message in prop_oneof![raw_message(), compiled_message()]) {
        let bytes = message.serialize();
        prop_assert_eq!(Message::deserialize(&bytes), Ok(message.clone()));
        let mut out = Vec::new();
        message.serialize_into(&mut out).unwrap();
        prop_assert_eq!(out, bytes);
    }

    #[test]
    fn compiled_messages_are_sane(message in compiled_message()) {
        prop_assert!(!message.has_duplicate_keys());
        let payer_invoked = message.is_invoked(0);
        prop_assert_eq!(message.sanitize().is_ok(), !payer_invoked);
        prop_assert!(message.is_signer(0) && message.is_writable_index(0));
    }

    #[test]
    fn transactions_round_trip(tx in transaction()) {
        let wire = tx.to_wire().unwrap();
        if wire.len() <= PACKET_DATA_SIZE {
            let (decoded, range) = Transaction::from_wire_with_message_range(&wire).unwrap();
            prop_assert_eq!(&decoded, &tx);
            prop_assert_eq!(&wire[range], &tx.message.serialize()[..]);
        } else {
            prop_assert_eq!(Transaction::from_wire(&wire), Err(WireError::TooLarge { len: wire.len() }));
        }
        check_decoder(&wire)?;
    }

    #[test]
    fn v0_messages_round_trip(message in prop_oneof![raw_v0_message(), compiled_v0().prop_map(|(m, _, _)| m)]) {
        let bytes = message.serialize();
        prop_assert_eq!(bytes[0], 0x80);
        prop_assert_eq!(VersionedMessage::deserialize(&bytes), Ok(VersionedMessage::V0(message.clone())));
        prop_assert_eq!(Message::deserialize(&bytes), Err(WireError::UnsupportedVersion { version: 0 }));
        let mut out = Vec::new();
        message.serialize_into(&mut out).unwrap();
        prop_assert_eq!(out, bytes);
    }

    #[test]
    fn compiled_v0_messages_are_sane_and_decompile((message, tables, ixs) in compiled_v0()) {
        let payer_invoked = message.is_invoked(0);
        prop_assert_eq!(message.sanitize().is_ok(), !payer_invoked);
        prop_assert!(message.is_signer(0) && message.is_writable_index(0));
        let loaded = message.resolve(&tables).expect("compiled lookups resolve against their tables");
        prop_assert_eq!(loaded.len(), message.num_lookup_addresses());
        prop_assert!(!message.has_duplicate_keys_with(&loaded));
        let keys: Vec<Pubkey> = message.account_keys_with(&loaded).copied().collect();
        for (compiled, ix) in message.instructions.iter().zip(&ixs) {
            prop_assert_eq!(keys[compiled.program_id_index as usize], ix.program_id);
            prop_assert!((compiled.program_id_index as usize) < message.account_keys.len(), "program ids are static");
            let accounts: Vec<Pubkey> = compiled.accounts.iter().map(|&a| keys[a as usize]).collect();
            prop_assert_eq!(accounts, ix.accounts.iter().map(|m| m.pubkey).collect::<Vec<_>>());
            prop_assert_eq!(&compiled.data, &ix.data);
        }
        // Every account is asked exactly the roles its uses (OR-ed) ask; signers stay static.
        for (i, key) in keys.iter().enumerate() {
            let uses = ixs.iter().flat_map(|ix| &ix.accounts).filter(|m| m.pubkey == *key);
            let payer = i == 0;
            let (signer, writable) = uses.fold((payer, payer), |(s, w), m| (s | m.is_signer, w | m.is_writable));
            prop_assert_eq!(message.is_signer(i), signer);
            prop_assert_eq!(message.is_writable_index(i), writable);
            if i >= message.account_keys.len() {
                prop_assert!(!signer && !ixs.iter().any(|ix| ix.program_id == *key), "loaded a signer or program");
            }
        }
    }

    #[test]
    fn versioned_transactions_round_trip(tx in versioned_transaction()) {
        let wire = tx.to_wire().unwrap();
        if wire.len() <= PACKET_DATA_SIZE {
            let (decoded, range) = VersionedTransaction::from_wire_with_message_range(&wire).unwrap();
            prop_assert_eq!(&decoded, &tx);
            prop_assert_eq!(&wire[range], &tx.message_data()[..]);
        } else {
            prop_assert_eq!(VersionedTransaction::from_wire(&wire), Err(WireError::TooLarge { len: wire.len() }));
        }
        check_decoder(&wire)?;
    }

    #[test]
    fn random_versioned_bytes_never_panic(
        sigs in 0u8..4,
        first in prop_oneof![Just(0x80u8), 0x80u8..=0xff],
        rest in prop::collection::vec(any::<u8>(), 0..700),
    ) {
        // A signature count, signatures, then a version byte and anything.
        let mut bytes = vec![sigs];
        bytes.extend(std::iter::repeat_n(7u8, 64 * sigs as usize));
        bytes.push(first);
        bytes.extend(rest);
        check_decoder(&bytes)?;
        if first != 0x80 {
            prop_assert_eq!(
                VersionedTransaction::from_wire(&bytes).err(),
                Some(WireError::UnsupportedVersion { version: first & 0x7f })
            );
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        prop::collection::vec(any::<u8>(), 0..1300),
        // Plausible prefixes: a small signature count and header.
        (0u8..4, prop::collection::vec(any::<u8>(), 0..600)).prop_map(|(n, rest)| {
            let mut v = vec![n];
            v.extend(rest);
            v
        }),
    ]) {
        check_decoder(&bytes)?;
    }

    #[test]
    fn mutated_transactions_never_panic_and_stay_canonical(
        seed in any::<Index>(),
        generated in versioned_transaction(),
        use_fixture in any::<bool>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = if use_fixture {
            let wires: Vec<&Vec<u8>> = all_fixture_wires().collect();
            wires[seed.index(wires.len())].clone()
        } else {
            generated.to_wire().unwrap()
        };
        for m in &mutations {
            apply(&mut bytes, m);
        }
        check_decoder(&bytes)?;
    }
}

// ---------------------------------------------------------------------------
// Exhaustive checks on the real transactions.

/// Every strict prefix of a valid transaction, legacy or v0, is truncated
/// (every count in the format is explicit, so no prefix is itself a
/// transaction), and any byte appended is refused.
#[test]
fn every_prefix_is_truncated_and_every_suffix_trails() {
    for wire in fixture_wires() {
        assert!(Transaction::from_wire(wire).is_ok());
        for len in 0..wire.len() {
            match Transaction::from_wire(&wire[..len]) {
                Err(WireError::Truncated { .. }) => {}
                other => panic!("prefix of {len}/{} bytes: {other:?}", wire.len()),
            }
        }
    }
    for wire in all_fixture_wires() {
        assert!(VersionedTransaction::from_wire(wire).is_ok());
        for len in 0..wire.len() {
            match VersionedTransaction::from_wire(&wire[..len]) {
                Err(WireError::Truncated { .. }) => {}
                other => panic!("versioned prefix of {len}/{} bytes: {other:?}", wire.len()),
            }
        }
        let mut longer = wire.to_vec();
        longer.push(0);
        let expected = if longer.len() > PACKET_DATA_SIZE {
            WireError::TooLarge { len: longer.len() }
        } else {
            WireError::TrailingBytes { count: 1 }
        };
        assert_eq!(VersionedTransaction::from_wire(&longer), Err(expected.clone()));
        if wire[1 + 64 * wire[0] as usize] & 0x80 == 0 {
            assert_eq!(Transaction::from_wire(&longer), Err(expected));
        }
    }
}

/// Every single-byte change of every real transaction: no panic, canonical.
#[test]
fn every_single_byte_mutation_of_the_fixtures() {
    for wire in all_fixture_wires() {
        for i in 0..wire.len() {
            for value in [0x00, 0x01, 0x7f, 0x80, 0xff, wire[i] ^ 0x80, wire[i].wrapping_add(1)] {
                let mut bytes = wire.clone();
                bytes[i] = value;
                check_decoder(&bytes).unwrap();
            }
        }
    }
}

/// A versioned (v0) transaction is refused, not misread as legacy.
#[test]
fn versioned_prefix_is_refused() {
    let mut wire = fixture_wires()[0].clone();
    let sigs = wire[0] as usize;
    let at = 1 + 64 * sigs;
    wire.insert(at, 0x80);
    assert_eq!(Transaction::from_wire(&wire), Err(WireError::UnsupportedVersion { version: 0 }));
}

/// Header queries on a message that decoded but does not sanitize (more
/// read-only signers than signers) answer instead of overflowing. Found by
/// `transactions_round_trip`; Solana saturates here too.
#[test]
fn insane_header_queries_do_not_panic() {
    let message = Message {
        header: MessageHeader {
            num_required_signatures: 1,
            num_readonly_signed_accounts: 5,
            num_readonly_unsigned_accounts: 9,
        },
        account_keys: vec![Pubkey::new_from_array([1; 32]), Pubkey::new_from_array([2; 32])],
        ..Message::default()
    };
    let wire = Transaction { signatures: vec![Signature::default()], message }.to_wire().unwrap();
    let tx = Transaction::from_wire(&wire).unwrap();
    assert!(tx.sanitize().is_err());
    assert!(!tx.message.is_writable_index(0) && !tx.message.is_writable(0));
    assert!(!tx.message.is_writable_index(1));
    assert!(tx.message.is_signer(0) && !tx.message.is_signer(1));
}
