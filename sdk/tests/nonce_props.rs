//! Properties of the decoders a durable nonce meets from outside: nonce
//! account data (`nonce::Versions::decode`) and system instructions
//! (`SystemInstruction::decode`), both Solana's bincode.
//!
//! * Random bytes, and bytes that begin as a nonce state or a nonce
//!   instruction, never panic: they decode or are refused.
//! * Whatever decodes re-encodes to exactly the bytes it was read from (the
//!   rest are trailing bytes, which bincode ignores), and every state and
//!   nonce instruction round-trips.

use lanes_sdk::hash::Hash;
use lanes_sdk::nonce::{Data, DurableNonce, State, Versions};
use lanes_sdk::system_instruction::SystemInstruction;
use lanes_sdk::Pubkey;
use proptest::prelude::*;

fn versions() -> impl Strategy<Value = Versions> {
    let data = (any::<[u8; 32]>(), any::<[u8; 32]>(), any::<u64>()).prop_map(|(authority, blockhash, fee)| {
        Data::new(Pubkey(authority), DurableNonce::from_blockhash(&Hash(blockhash)), fee)
    });
    let state = prop_oneof![Just(State::Uninitialized), data.prop_map(State::Initialized)];
    (state, any::<bool>()).prop_map(
        |(state, current)| {
            if current {
                Versions::new(state)
            } else {
                Versions::Legacy(Box::new(state))
            }
        },
    )
}

fn nonce_instruction() -> impl Strategy<Value = SystemInstruction> {
    prop_oneof![
        Just(SystemInstruction::AdvanceNonceAccount),
        any::<u64>().prop_map(SystemInstruction::WithdrawNonceAccount),
        any::<[u8; 32]>().prop_map(|k| SystemInstruction::InitializeNonceAccount(Pubkey(k))),
        any::<[u8; 32]>().prop_map(|k| SystemInstruction::AuthorizeNonceAccount(Pubkey(k))),
        Just(SystemInstruction::UpgradeNonceAccount),
    ]
}

/// Bytes that begin with one of `tags` as a `u32`, then up to `max` of anything.
fn tagged(tags: &'static [u32], max: usize) -> impl Strategy<Value = Vec<u8>> {
    (prop::sample::select(tags), prop::collection::vec(any::<u8>(), 0..=max)).prop_map(|(tag, rest)| {
        let mut bytes = tag.to_le_bytes().to_vec();
        bytes.extend(rest);
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn nonce_states_round_trip(v in versions(), trailing in prop::collection::vec(any::<u8>(), 0..16)) {
        let mut bytes = v.encode();
        prop_assert_eq!(bytes.len(), v.encoded_len());
        bytes.extend(trailing);
        prop_assert_eq!(Versions::decode(&bytes), Ok(v));
    }

    #[test]
    fn any_account_data_decodes_canonically_or_is_refused(bytes in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..120),
        // A plausible version, then a plausible state tag, then anything.
        (tagged(&[0, 1], 0), tagged(&[0, 1, 2], 100)).prop_map(|(a, b)| [a, b].concat()),
    ]) {
        if let Ok(v) = Versions::decode(&bytes) {
            let encoded = v.encode();
            prop_assert_eq!(&bytes[..encoded.len()], &encoded[..]);
        }
    }

    #[test]
    fn nonce_instructions_round_trip(ix in nonce_instruction()) {
        prop_assert_eq!(SystemInstruction::decode(&ix.encode()), Ok(ix));
    }

    #[test]
    fn any_instruction_bytes_decode_canonically_or_are_refused(bytes in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..80),
        tagged(&[4, 5, 6, 7, 12, 13, u32::MAX], 40),
    ]) {
        if let Ok(ix) = SystemInstruction::decode(&bytes) {
            let encoded = ix.encode();
            prop_assert_eq!(&bytes[..encoded.len()], &encoded[..]);
        }
    }
}
