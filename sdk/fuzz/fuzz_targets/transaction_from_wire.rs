//! Fuzz the decoders every packet from the network goes through,
//! `Transaction::from_wire` (legacy) and `VersionedTransaction::from_wire`
//! (legacy and v0): neither may panic; whatever either accepts must re-encode
//! to exactly the input (the format is canonical); what the legacy decoder
//! accepts the versioned one accepts as the same transaction, and the
//! versioned one accepts nothing else but v0; and nothing a node does next
//! with a decoded transaction (sanitize, header and lookup queries) may panic.
//!
//! Signature verification is left to the proptests (`sdk/tests/wire_props.rs`):
//! it costs a curve operation per input and would slow the search a hundredfold.
#![no_main]

use lanes_sdk::message::v0::{LoadedAddresses, MAX_ACCOUNT_KEYS};
use lanes_sdk::message::{Message, VersionedMessage, WireError, PACKET_DATA_SIZE};
use lanes_sdk::transaction::{Transaction, VersionedTransaction};
use lanes_sdk::Pubkey;
use libfuzzer_sys::fuzz_target;
use std::ops::Range;

fuzz_target!(|data: &[u8]| {
    // The message decoders on their own, too.
    if let Ok(message) = Message::deserialize(data) {
        assert_eq!(message.serialize(), data, "Message re-encoded differently");
    }
    if let Ok(message) = VersionedMessage::deserialize(data) {
        assert_eq!(message.serialize(), data, "VersionedMessage re-encoded differently");
    }

    let legacy = check_legacy(data);
    let versioned = check_versioned(data);
    match (legacy, versioned) {
        (Some(tx), versioned) => {
            assert_eq!(versioned, Some(VersionedTransaction::from(tx)), "the two decoders disagree on legacy bytes")
        }
        (None, Some(tx)) => assert!(tx.v0_message().is_some(), "versioned accepted legacy bytes legacy refused"),
        (None, None) => {}
    }
});

/// Decode with `from_wire`: a refusal of oversized input must say so; an
/// accepted input fits a packet and re-encodes (`to_wire`) to itself.
fn decode<T>(
    data: &[u8],
    from_wire: fn(&[u8]) -> Result<(T, Range<usize>), WireError>,
    to_wire: fn(&T) -> Result<Vec<u8>, WireError>,
) -> Option<(T, Range<usize>)> {
    match from_wire(data) {
        Ok((tx, range)) => {
            assert!(data.len() <= PACKET_DATA_SIZE);
            assert_eq!(to_wire(&tx).expect("a decoded transaction re-encodes"), data, "re-encoded differently");
            Some((tx, range))
        }
        Err(e) => {
            if data.len() > PACKET_DATA_SIZE {
                assert_eq!(e, WireError::TooLarge { len: data.len() });
            }
            None
        }
    }
}

fn check_legacy(data: &[u8]) -> Option<Transaction> {
    let (tx, range) = decode(data, Transaction::from_wire_with_message_range, Transaction::to_wire)?;
    assert_eq!(&data[range], &tx.message.serialize()[..], "message range");

    let sane = tx.sanitize().is_ok();
    let m = &tx.message;
    if sane {
        assert!(m.is_signer(0) && m.is_writable_index(0), "a sane message's payer is a writable signer");
        assert!(tx.signatures.len() == m.header.num_required_signatures as usize);
    }
    let _ = (m.fee_payer(), m.has_duplicate_keys(), tx.signature());
    for i in 0..m.account_keys.len() + 2 {
        let _ = (m.is_signer(i), m.is_writable_index(i), m.is_writable(i), m.is_invoked(i));
    }
    Some(tx)
}

fn check_versioned(data: &[u8]) -> Option<VersionedTransaction> {
    let (tx, range) = decode(data, VersionedTransaction::from_wire_with_message_range, VersionedTransaction::to_wire)?;
    assert_eq!(&data[range], &tx.message_data()[..], "message range");

    let sane = tx.sanitize().is_ok();
    let m = &tx.message;
    let _ = (m.fee_payer(), m.recent_blockhash(), tx.signature(), tx.version(), tx.uses_durable_nonce());
    let lookups = m.num_lookup_addresses();
    for i in 0..m.static_account_keys().len() + lookups + 2 {
        let _ = (m.is_signer(i), m.is_invoked(i), m.is_maybe_writable(i));
    }
    if let Some(v0) = tx.v0_message() {
        let writable = v0.num_writable_lookup_addresses();
        let loaded = LoadedAddresses {
            writable: vec![Pubkey::default(); writable],
            readonly: vec![Pubkey::new_from_array([1; 32]); lookups - writable],
        };
        for i in 0..v0.total_account_keys() + 2 {
            let _ = (v0.is_writable_index(i), v0.is_writable_with(i, &loaded));
        }
        let _ = (v0.has_duplicate_keys(), v0.has_duplicate_keys_with(&loaded), v0.resolve(&[]));
        if sane {
            assert!(v0.total_account_keys() <= MAX_ACCOUNT_KEYS, "a sane v0 message names at most 256 accounts");
            assert!(v0.is_signer(0) && v0.is_writable_index(0), "a sane message's payer is a writable signer");
        }
    }
    if sane {
        assert!(tx.signatures.len() == m.header().num_required_signatures as usize);
    }
    Some(tx)
}
