//! [`Transaction`]: signatures over a legacy [`Message`], in Solana's wire
//! format: a compact-u16 array of 64-byte signatures, then the message.
//! [`VersionedTransaction`] (in [`versioned`]) is the same over a legacy or a
//! v0 message; the signature list, signing and verifying are shared here.
//!
//! What this module must never do: panic on outside bytes, accept a
//! transaction larger than [`PACKET_DATA_SIZE`] or with bytes after it, or
//! change the legacy [`Transaction`]'s bytes or API.

use crate::hash::Hash;
use crate::instruction::Instruction;
use crate::message::{Message, Reader, SanitizeError, WireError, PACKET_DATA_SIZE};
use crate::pubkey::Pubkey;
use crate::short_vec;
use crate::signature::Signature;
use alloc::vec::Vec;

pub mod versioned;

pub use versioned::VersionedTransaction;

/// A signed (or partly signed) transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transaction {
    /// One per required signer, in key order; unsigned slots are all zero.
    pub signatures: Vec<Signature>,
    pub message: Message,
}

impl Transaction {
    /// An unsigned transaction with one zero signature per required signer.
    pub fn new_unsigned(message: Message) -> Self {
        let signatures = alloc::vec![Signature::default(); message.header.num_required_signatures as usize];
        Transaction { signatures, message }
    }

    /// Build the message for `instructions` paid by `payer` at `blockhash`, unsigned.
    pub fn new_with_payer(instructions: &[Instruction], payer: &Pubkey, blockhash: &Hash) -> Self {
        Self::new_unsigned(Message::new_with_blockhash(instructions, Some(payer), blockhash))
    }

    /// The transaction's id: its first signature.
    pub fn signature(&self) -> Option<&Signature> {
        self.signatures.first()
    }

    /// The bytes each signature signs.
    pub fn message_data(&self) -> Vec<u8> {
        self.message.serialize()
    }

    /// Wire encoding. Fails only for counts the format cannot hold.
    pub fn to_wire(&self) -> Result<Vec<u8>, WireError> {
        write_wire(&self.signatures, |out| self.message.serialize_into(out))
    }

    /// Decode untrusted bytes: at most [`PACKET_DATA_SIZE`], exactly one
    /// transaction, no trailing bytes. Never panics.
    pub fn from_wire(bytes: &[u8]) -> Result<Self, WireError> {
        Ok(Self::from_wire_with_message_range(bytes)?.0)
    }

    /// As [`Transaction::from_wire`], and where in `bytes` the message lies
    /// (what the signatures sign), so verifiers need not re-encode it.
    pub fn from_wire_with_message_range(bytes: &[u8]) -> Result<(Self, core::ops::Range<usize>), WireError> {
        let (signatures, message, range) = read_wire(bytes, Message::read)?;
        Ok((Transaction { signatures, message }, range))
    }

    /// Structural checks: the message's, and one signature per required signer.
    pub fn sanitize(&self) -> Result<(), SanitizeError> {
        self.message.sanitize()?;
        if self.signatures.len() != self.message.header.num_required_signatures as usize {
            return Err(SanitizeError::IndexOutOfBounds);
        }
        Ok(())
    }

    /// Sign every required slot with the matching keypair. Panics if a
    /// required signer has no keypair or a keypair is not a required signer:
    /// both are bugs in the caller, not outside input.
    #[cfg(feature = "client")]
    pub fn sign(&mut self, signers: &[&crate::client::Keypair], blockhash: Hash) {
        self.try_sign(signers, blockhash).expect("signers must match the message's required signers")
    }

    /// As [`Transaction::sign`], returning an error instead of panicking.
    #[cfg(feature = "client")]
    pub fn try_sign(
        &mut self,
        signers: &[&crate::client::Keypair],
        blockhash: Hash,
    ) -> Result<(), crate::client::SignerError> {
        self.message.recent_blockhash = blockhash;
        self.try_partial_sign(signers)?;
        if let Some(missing) = self.signatures.iter().position(|s| *s == Signature::default()) {
            return Err(crate::client::SignerError::MissingSigner(self.message.account_keys[missing]));
        }
        Ok(())
    }

    /// Sign the slots these keypairs own, leaving the others as they are.
    #[cfg(feature = "client")]
    pub fn try_partial_sign(&mut self, signers: &[&crate::client::Keypair]) -> Result<(), crate::client::SignerError> {
        let data = self.message_data();
        sign_slots(&mut self.signatures, &self.message.header, &self.message.account_keys, &data, signers)
    }

    /// Check every signature against its key (strict ed25519).
    #[cfg(feature = "verify")]
    pub fn verify(&self) -> bool {
        if self.sanitize().is_err() {
            return false;
        }
        verify_signatures(&self.signatures, &self.message.account_keys, &self.message_data())
    }

    /// Build, sign and return: the common case.
    #[cfg(feature = "client")]
    pub fn new_signed_with_payer(
        instructions: &[Instruction],
        payer: Option<&Pubkey>,
        signers: &[&crate::client::Keypair],
        blockhash: Hash,
    ) -> Self {
        let mut tx = Self::new_unsigned(Message::new_with_blockhash(instructions, payer, &blockhash));
        tx.sign(signers, blockhash);
        tx
    }
}

/// The wire encoding: the compact-u16 count, the 64-byte signatures, then
/// what `write_message` appends.
fn write_wire(
    signatures: &[Signature],
    write_message: impl FnOnce(&mut Vec<u8>) -> Result<(), WireError>,
) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(PACKET_DATA_SIZE);
    let count = u16::try_from(signatures.len()).map_err(|_| WireError::TooMany { what: "signatures" })?;
    short_vec::encode_len(count, &mut out);
    for sig in signatures {
        out.extend_from_slice(&sig.0);
    }
    write_message(&mut out)?;
    Ok(out)
}

/// Decode a whole wire transaction: at most [`PACKET_DATA_SIZE`] bytes, the
/// signatures, the message `read_message` reads, nothing after it. Returns
/// where the message lies too.
fn read_wire<M>(
    bytes: &[u8],
    read_message: impl FnOnce(&mut Reader<'_>) -> Result<M, WireError>,
) -> Result<(Vec<Signature>, M, core::ops::Range<usize>), WireError> {
    if bytes.len() > PACKET_DATA_SIZE {
        return Err(WireError::TooLarge { len: bytes.len() });
    }
    let mut reader = Reader::new(bytes);
    let count = reader.compact_len("signatures")?;
    if count.saturating_mul(64) > reader.remaining() {
        return Err(WireError::Truncated { what: "signatures" });
    }
    let mut signatures = Vec::with_capacity(count);
    for _ in 0..count {
        let mut sig = [0u8; 64];
        sig.copy_from_slice(reader.take(64, "signature")?);
        signatures.push(Signature(sig));
    }
    let message_start = reader.position();
    let message = read_message(&mut reader)?;
    if reader.remaining() != 0 {
        return Err(WireError::TrailingBytes { count: reader.remaining() });
    }
    Ok((signatures, message, message_start..bytes.len()))
}

/// Sign `data` into the slots of `signers` among the first
/// `num_required_signatures` of `keys`, sizing `signatures` to that count
/// first and leaving the other slots as they are.
#[cfg(feature = "client")]
fn sign_slots(
    signatures: &mut Vec<Signature>,
    header: &crate::message::MessageHeader,
    keys: &[Pubkey],
    data: &[u8],
    signers: &[&crate::client::Keypair],
) -> Result<(), crate::client::SignerError> {
    let required = usize::from(header.num_required_signatures);
    signatures.resize(required, Signature::default());
    for signer in signers {
        let pubkey = signer.pubkey();
        let slot = keys[..required.min(keys.len())]
            .iter()
            .position(|k| *k == pubkey)
            .ok_or(crate::client::SignerError::NotASigner(pubkey))?;
        signatures[slot] = signer.sign_message(data);
    }
    Ok(())
}

/// Every signature by its key over `data` (strict ed25519).
#[cfg(feature = "verify")]
fn verify_signatures(signatures: &[Signature], keys: &[Pubkey], data: &[u8]) -> bool {
    signatures.iter().zip(keys).all(|(sig, key)| sig.verify(key, data))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn refuses_oversized_and_trailing_bytes() {
        assert_eq!(Transaction::from_wire(&[0u8; 1233]), Err(WireError::TooLarge { len: 1233 }));
        let tx = Transaction::new_with_payer(
            &[Instruction::new_with_bytes(Pubkey::new_unique_from_u64(2), &[7], vec![])],
            &Pubkey::new_unique_from_u64(1),
            &Hash::default(),
        );
        let mut wire = tx.to_wire().unwrap();
        assert_eq!(Transaction::from_wire(&wire), Ok(tx.clone()));
        wire.push(0);
        assert_eq!(Transaction::from_wire(&wire), Err(WireError::TrailingBytes { count: 1 }));
    }

    #[test]
    fn huge_declared_counts_do_not_allocate() {
        // 0xffff signatures claimed in 3 bytes.
        assert!(matches!(Transaction::from_wire(&[0xff, 0xff, 0x03]), Err(WireError::Truncated { .. })));
    }
}
