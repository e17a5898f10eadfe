//! [`Signature`]: a 64-byte ed25519 signature, shown as base58 (a
//! transaction's id is its first signature).

use core::fmt;
use core::str::FromStr;

/// A 64-byte ed25519 signature.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Signature(pub [u8; 64]);

impl Default for Signature {
    fn default() -> Self {
        Signature([0u8; 64])
    }
}

impl Signature {
    /// Check this signature of `message` by `signer` (strict ed25519, as
    /// Solana's validators check it).
    #[cfg(feature = "verify")]
    pub fn verify(&self, signer: &crate::Pubkey, message: &[u8]) -> bool {
        let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&signer.0) else {
            return false;
        };
        let sig = ed25519_dalek::Signature::from_bytes(&self.0);
        key.verify_strict(message, &sig).is_ok()
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::base58::fmt_64(&self.0, f)
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Text that is not a base58 64-byte signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseSignatureError;

impl fmt::Display for ParseSignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a base58-encoded 64-byte signature")
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ParseSignatureError {}

impl FromStr for Signature {
    type Err = ParseSignatureError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.len() > 88 {
            return Err(ParseSignatureError);
        }
        let mut bytes = [0u8; 64];
        let written = bs58::decode(text).onto(&mut bytes[..]).map_err(|_| ParseSignatureError)?;
        if written != 64 {
            return Err(ParseSignatureError);
        }
        Ok(Signature(bytes))
    }
}
