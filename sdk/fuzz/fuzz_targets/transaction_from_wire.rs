//! Fuzz `Transaction::from_wire`, the decoder every packet from the network
//! goes through: it must never panic; whatever it accepts must re-encode to
//! exactly the input (the format is canonical); and nothing a node does next
//! with a decoded transaction (sanitize, header queries) may panic.
//!
//! Signature verification is left to the proptests (`sdk/tests/wire_props.rs`):
//! it costs a curve operation per input and would slow the search a hundredfold.
#![no_main]

use lanes_sdk::message::{Message, WireError, PACKET_DATA_SIZE};
use lanes_sdk::transaction::Transaction;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The message decoder on its own, too.
    if let Ok(message) = Message::deserialize(data) {
        assert_eq!(message.serialize(), data, "Message re-encoded differently");
    }

    let (tx, range) = match Transaction::from_wire_with_message_range(data) {
        Ok(decoded) => decoded,
        Err(e) => {
            if data.len() > PACKET_DATA_SIZE {
                assert_eq!(e, WireError::TooLarge { len: data.len() });
            }
            return;
        }
    };
    assert!(data.len() <= PACKET_DATA_SIZE);
    let wire = tx.to_wire().expect("a decoded transaction re-encodes");
    assert_eq!(wire, data, "Transaction re-encoded differently");
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
});
