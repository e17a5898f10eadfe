//! [`Hash`]: a SHA-256 digest (blockhashes, program code hashes), and
//! [`hashv`], which contracts reach through a syscall and hosts compute natively.

use borsh::{BorshDeserialize, BorshSerialize};
use core::fmt;
use core::str::FromStr;

/// A 32-byte SHA-256 digest, shown as base58.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
#[repr(transparent)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// Wrap 32 bytes.
    pub const fn new_from_array(bytes: [u8; 32]) -> Self {
        Hash(bytes)
    }
    /// The raw bytes.
    pub const fn to_bytes(self) -> [u8; 32] {
        self.0
    }
}

/// SHA-256 over the concatenation of `parts`.
pub fn hashv(parts: &[&[u8]]) -> Hash {
    #[cfg(target_arch = "wasm32")]
    {
        crate::syscalls::sha256(parts)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part);
        }
        Hash(hasher.finalize().into())
    }
}

/// SHA-256 of one byte string.
pub fn hash(bytes: &[u8]) -> Hash {
    hashv(&[bytes])
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::base58::fmt_32(&self.0, f)
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Text that is not a base58 32-byte hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseHashError;

impl fmt::Display for ParseHashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a base58-encoded 32-byte hash")
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ParseHashError {}

impl FromStr for Hash {
    type Err = ParseHashError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.len() > 44 {
            return Err(ParseHashError);
        }
        let mut bytes = [0u8; 32];
        let written = bs58::decode(text).onto(&mut bytes[..]).map_err(|_| ParseHashError)?;
        if written != 32 {
            return Err(ParseHashError);
        }
        Ok(Hash(bytes))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc() {
        let h = hashv(&[b"a", b"bc"]);
        assert_eq!(h.0[..4], [0xba, 0x78, 0x16, 0xbf], "SHA-256(\"abc\") begins ba7816bf");
    }
}
