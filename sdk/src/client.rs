//! Client side (feature `client`): [`Keypair`]s that read and write
//! Solana's JSON keypair files, and signing errors.

use crate::pubkey::Pubkey;
use crate::signature::Signature;
use ed25519_dalek::Signer as _;
use std::fmt;
use std::path::Path;

/// An ed25519 keypair.
pub struct Keypair(ed25519_dalek::SigningKey);

/// Why signing could not be completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerError {
    /// This key is not among the message's required signers.
    NotASigner(Pubkey),
    /// This required signer has no keypair.
    MissingSigner(Pubkey),
}

impl fmt::Display for SignerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignerError::NotASigner(k) => write!(f, "{k} is not a required signer of this message"),
            SignerError::MissingSigner(k) => write!(f, "no keypair given for required signer {k}"),
        }
    }
}

impl std::error::Error for SignerError {}

/// Why a keypair file could not be read or written.
#[derive(Debug)]
pub enum KeypairFileError {
    Io(std::io::Error),
    /// Not a JSON array of 64 bytes, or the two halves do not match.
    Format(String),
}

impl fmt::Display for KeypairFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeypairFileError::Io(e) => write!(f, "{e}"),
            KeypairFileError::Format(why) => write!(f, "not a Solana keypair file: {why}"),
        }
    }
}

impl std::error::Error for KeypairFileError {}

impl Keypair {
    /// A fresh random keypair (OS randomness).
    pub fn new() -> Self {
        Keypair(ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng))
    }

    /// The keypair whose secret key is `seed` (deterministic; for tests and fixtures).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Keypair(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// From Solana's 64-byte form: secret key then public key (checked to match).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeypairFileError> {
        let bytes: &[u8; 64] =
            bytes.try_into().map_err(|_| KeypairFileError::Format(format!("{} bytes, expected 64", bytes.len())))?;
        ed25519_dalek::SigningKey::from_keypair_bytes(bytes)
            .map(Keypair)
            .map_err(|_| KeypairFileError::Format("public half does not match the secret half".into()))
    }

    /// Solana's 64-byte form: secret key then public key.
    pub fn to_bytes(&self) -> [u8; 64] {
        self.0.to_keypair_bytes()
    }

    /// The public key.
    pub fn pubkey(&self) -> Pubkey {
        Pubkey(self.0.verifying_key().to_bytes())
    }

    /// Sign `message`.
    pub fn sign_message(&self, message: &[u8]) -> Signature {
        Signature(self.0.sign(message).to_bytes())
    }

    /// Parse a keypair file's text: a JSON array of 64 numbers.
    pub fn from_json(text: &str) -> Result<Self, KeypairFileError> {
        let bytes: Vec<u8> = serde_json::from_str(text).map_err(|e| KeypairFileError::Format(e.to_string()))?;
        Self::from_bytes(&bytes)
    }

    /// The keypair file text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.to_bytes().to_vec()).expect("a byte vector serializes")
    }

    /// Read a Solana keypair file (e.g. `~/.config/solana/id.json`).
    pub fn read_file(path: impl AsRef<Path>) -> Result<Self, KeypairFileError> {
        let text = std::fs::read_to_string(path).map_err(KeypairFileError::Io)?;
        Self::from_json(&text)
    }

    /// Write a Solana keypair file, readable only by its owner on Unix.
    pub fn write_file(&self, path: impl AsRef<Path>) -> Result<(), KeypairFileError> {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(KeypairFileError::Io)?;
        file.write_all(self.to_json().as_bytes()).map_err(KeypairFileError::Io)
    }
}

impl Default for Keypair {
    fn default() -> Self {
        Self::new()
    }
}

impl Clone for Keypair {
    fn clone(&self) -> Self {
        Keypair(self.0.clone())
    }
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keypair({})", self.pubkey())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keypair_file_round_trip_and_rejects_mismatch() {
        let kp = Keypair::from_seed(&[7u8; 32]);
        let again = Keypair::from_json(&kp.to_json()).unwrap();
        assert_eq!(again.pubkey(), kp.pubkey());
        let mut bytes = kp.to_bytes();
        bytes[40] ^= 1;
        assert!(Keypair::from_bytes(&bytes).is_err());
        assert!(Keypair::from_json("[1,2,3]").is_err());
        assert!(Keypair::from_json("not json").is_err());
        let dir = std::env::temp_dir().join(format!("lanes-kp-{}", std::process::id()));
        kp.write_file(&dir).unwrap();
        assert_eq!(Keypair::read_file(&dir).unwrap().pubkey(), kp.pubkey());
        std::fs::remove_file(dir).unwrap();
    }

    #[test]
    fn signed_transaction_verifies_and_tampering_fails() {
        use crate::{system_instruction, transaction::Transaction, Hash};
        let payer = Keypair::from_seed(&[1u8; 32]);
        let to = Pubkey::new_unique_from_u64(9);
        let mut tx = Transaction::new_signed_with_payer(
            &[system_instruction::transfer(&payer.pubkey(), &to, 10)],
            Some(&payer.pubkey()),
            &[&payer],
            Hash([3u8; 32]),
        );
        assert!(tx.verify());
        tx.message.recent_blockhash = Hash([4u8; 32]);
        assert!(!tx.verify());
    }
}
