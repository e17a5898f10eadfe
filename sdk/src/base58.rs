//! Base58 text of 32-byte keys and hashes and 64-byte signatures, as
//! `Display` writes them. On the host (the node answers RPC with millions
//! of these) it is `five8`, the encoder Agave's own types use: 15–20× faster
//! than the general `bs58` for these fixed sizes, and the same text
//! (`tests` below checks it against `bs58`). Contracts (wasm32) keep `bs58`,
//! so no program's code, and no compute unit it is charged, changes.
//!
//! Never: decode here (parsing stays with `bs58`, whose errors callers map).

use core::fmt;

/// Write `bytes` as base58.
pub(crate) fn fmt_32(bytes: &[u8; 32], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut buf = [0u8; 44];
    #[cfg(not(target_arch = "wasm32"))]
    let len = five8::encode_32(bytes, &mut buf) as usize;
    #[cfg(target_arch = "wasm32")]
    let len = bs58::encode(bytes).onto(&mut buf[..]).map_err(|_| fmt::Error)?;
    // base58 output is ASCII.
    f.write_str(core::str::from_utf8(&buf[..len]).map_err(|_| fmt::Error)?)
}

/// Write `bytes` as base58.
pub(crate) fn fmt_64(bytes: &[u8; 64], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut buf = [0u8; 88];
    #[cfg(not(target_arch = "wasm32"))]
    let len = five8::encode_64(bytes, &mut buf) as usize;
    #[cfg(target_arch = "wasm32")]
    let len = bs58::encode(bytes).onto(&mut buf[..]).map_err(|_| fmt::Error)?;
    f.write_str(core::str::from_utf8(&buf[..len]).map_err(|_| fmt::Error)?)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use crate::hash::Hash;
    use crate::{Pubkey, Signature};
    use alloc::string::ToString;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_text_is_bs58s(key in any::<[u8; 32]>(), low in any::<[u8; 32]>(), high in any::<[u8; 32]>(), zeros in 0usize..32) {
            let mut key = key;
            key[..zeros].fill(0); // leading zeros are base58's special case
            prop_assert_eq!(Pubkey::new_from_array(key).to_string(), bs58::encode(key).into_string());
            prop_assert_eq!(Hash(key).to_string(), bs58::encode(key).into_string());
            let mut signature = [0u8; 64];
            signature[..32].copy_from_slice(&low);
            signature[32..].copy_from_slice(&high);
            signature[..zeros].fill(0);
            prop_assert_eq!(Signature(signature).to_string(), bs58::encode(signature).into_string());
        }
    }

    #[test]
    fn all_zeros_and_all_ones() {
        for byte in [0u8, 0xff] {
            assert_eq!(Pubkey::new_from_array([byte; 32]).to_string(), bs58::encode([byte; 32]).into_string());
            assert_eq!(Signature([byte; 64]).to_string(), bs58::encode([byte; 64]).into_string());
        }
    }
}
