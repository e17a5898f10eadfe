//! [`VersionedTransaction`]: signatures over a [`VersionedMessage`] (legacy
//! or v0), in Solana's wire format: a compact-u16 array of 64-byte
//! signatures, then the message, a v0 one with its version prefix. The
//! signatures sign exactly the message's bytes, prefix included.
//!
//! This module owns decoding, encoding, signing and verifying such
//! transactions. It must never panic on outside bytes, accept more than
//! [`PACKET_DATA_SIZE`](crate::message::PACKET_DATA_SIZE) bytes or a version other than legacy and 0, nor call
//! a transaction verified whose structure does not sanitize.

use super::{read_wire, write_wire};
use crate::message::{v0, Message, SanitizeError, TransactionVersion, VersionedMessage, WireError};
use crate::signature::Signature;
use crate::transaction::Transaction;
use alloc::vec::Vec;

/// A signed (or partly signed) transaction of either message version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionedTransaction {
    /// One per required signer, in static key order; unsigned slots are all zero.
    pub signatures: Vec<Signature>,
    pub message: VersionedMessage,
}

impl From<Transaction> for VersionedTransaction {
    fn from(tx: Transaction) -> Self {
        VersionedTransaction { signatures: tx.signatures, message: VersionedMessage::Legacy(tx.message) }
    }
}

/// A copy: what lets the runtime's entry points take `&Transaction` and
/// `&VersionedTransaction` alike.
impl From<&Transaction> for VersionedTransaction {
    fn from(tx: &Transaction) -> Self {
        tx.clone().into()
    }
}

impl From<&VersionedTransaction> for VersionedTransaction {
    fn from(tx: &VersionedTransaction) -> Self {
        tx.clone()
    }
}

impl VersionedTransaction {
    /// An unsigned transaction with one zero signature per required signer.
    pub fn new_unsigned(message: VersionedMessage) -> Self {
        let signatures = alloc::vec![Signature::default(); usize::from(message.header().num_required_signatures)];
        VersionedTransaction { signatures, message }
    }

    /// Sign `message` with exactly its required signers (Solana's
    /// `VersionedTransaction::try_new`): every required signer must have a
    /// keypair in `signers`, and every keypair must be a required signer.
    #[cfg(feature = "client")]
    pub fn try_new(
        message: VersionedMessage,
        signers: &[&crate::client::Keypair],
    ) -> Result<Self, crate::client::SignerError> {
        let mut tx = Self::new_unsigned(message);
        tx.try_partial_sign(signers)?;
        if let Some(missing) = tx.signatures.iter().position(|s| *s == Signature::default()) {
            let key = tx.message.static_account_keys().get(missing).copied().unwrap_or_default();
            return Err(crate::client::SignerError::MissingSigner(key));
        }
        Ok(tx)
    }

    /// Sign the slots these keypairs own, leaving the others as they are.
    #[cfg(feature = "client")]
    pub fn try_partial_sign(&mut self, signers: &[&crate::client::Keypair]) -> Result<(), crate::client::SignerError> {
        let data = self.message_data();
        super::sign_slots(
            &mut self.signatures,
            self.message.header(),
            self.message.static_account_keys(),
            &data,
            signers,
        )
    }

    /// The message's format.
    pub fn version(&self) -> TransactionVersion {
        self.message.version()
    }

    /// The transaction's id: its first signature.
    pub fn signature(&self) -> Option<&Signature> {
        self.signatures.first()
    }

    /// The bytes each signature signs.
    pub fn message_data(&self) -> Vec<u8> {
        self.message.serialize()
    }

    /// The legacy transaction, if the message is legacy.
    pub fn into_legacy_transaction(self) -> Option<Transaction> {
        match self.message {
            VersionedMessage::Legacy(message) => Some(Transaction { signatures: self.signatures, message }),
            VersionedMessage::V0(_) => None,
        }
    }

    /// Wire encoding. Fails only for counts the format cannot hold.
    pub fn to_wire(&self) -> Result<Vec<u8>, WireError> {
        write_wire(&self.signatures, |out| self.message.serialize_into(out))
    }

    /// Decode untrusted bytes: at most [`PACKET_DATA_SIZE`](crate::message::PACKET_DATA_SIZE), exactly one
    /// transaction with a legacy or v0 message, no trailing bytes. Never panics.
    pub fn from_wire(bytes: &[u8]) -> Result<Self, WireError> {
        Ok(Self::from_wire_with_message_range(bytes)?.0)
    }

    /// As [`VersionedTransaction::from_wire`], and where in `bytes` the
    /// message lies (what the signatures sign).
    pub fn from_wire_with_message_range(bytes: &[u8]) -> Result<(Self, core::ops::Range<usize>), WireError> {
        let (signatures, message, range) = read_wire(bytes, VersionedMessage::read)?;
        Ok((VersionedTransaction { signatures, message }, range))
    }

    /// Solana's checks: the message's, then exactly one signature per
    /// required signer (too few: `IndexOutOfBounds`, too many:
    /// `InvalidValue`), and no more signatures than static keys.
    pub fn sanitize(&self) -> Result<(), SanitizeError> {
        self.message.sanitize()?;
        let required = usize::from(self.message.header().num_required_signatures);
        match required.cmp(&self.signatures.len()) {
            core::cmp::Ordering::Greater => return Err(SanitizeError::IndexOutOfBounds),
            core::cmp::Ordering::Less => return Err(SanitizeError::InvalidValue),
            core::cmp::Ordering::Equal => {}
        }
        if self.signatures.len() > self.message.static_account_keys().len() {
            return Err(SanitizeError::IndexOutOfBounds);
        }
        Ok(())
    }

    /// Whether it sanitizes and every signature verifies by its static key
    /// over the message bytes, prefix included (strict ed25519).
    #[cfg(feature = "verify")]
    pub fn verify(&self) -> bool {
        self.sanitize().is_ok()
            && super::verify_signatures(&self.signatures, self.message.static_account_keys(), &self.message_data())
    }

    /// Whether the first instruction advances a durable nonce.
    pub fn uses_durable_nonce(&self) -> bool {
        self.message.uses_durable_nonce()
    }

    /// The v0 message, if it is one.
    pub fn v0_message(&self) -> Option<&v0::Message> {
        match &self.message {
            VersionedMessage::V0(m) => Some(m),
            VersionedMessage::Legacy(_) => None,
        }
    }

    /// The legacy message, if it is one.
    pub fn legacy_message(&self) -> Option<&Message> {
        match &self.message {
            VersionedMessage::Legacy(m) => Some(m),
            VersionedMessage::V0(_) => None,
        }
    }
}

#[cfg(all(test, feature = "client"))]
mod tests {
    use super::*;
    use crate::address_lookup_table::AddressLookupTableAccount;
    use crate::client::{Keypair, SignerError};
    use crate::{system_instruction, Hash, Pubkey};

    fn v0_transfer(payer: &Keypair, cosigner: Option<&Keypair>) -> VersionedMessage {
        let to = Pubkey::new_unique_from_u64(9);
        let from = cosigner.unwrap_or(payer).pubkey();
        let table = AddressLookupTableAccount { key: Pubkey::new_unique_from_u64(8), addresses: vec![to] };
        v0::Message::try_compile(
            &payer.pubkey(),
            &[system_instruction::transfer(&from, &to, 5)],
            &[table],
            Hash([3; 32]),
        )
        .unwrap()
        .into()
    }

    #[test]
    fn signs_over_the_prefixed_message_and_verifies() {
        let payer = Keypair::from_seed(&[1; 32]);
        let tx = VersionedTransaction::try_new(v0_transfer(&payer, None), &[&payer]).unwrap();
        assert_eq!(tx.version(), TransactionVersion::V0);
        assert_eq!(tx.message_data()[0], 0x80);
        assert_eq!(tx.signatures, vec![payer.sign_message(&tx.message_data())]);
        assert!(tx.verify());
        let wire = tx.to_wire().unwrap();
        let (decoded, range) = VersionedTransaction::from_wire_with_message_range(&wire).unwrap();
        assert_eq!(decoded, tx);
        assert_eq!(&wire[range], &tx.message_data()[..]);
        // The signature covers the prefix: the same body signed as legacy does not verify.
        let mut tampered = tx.clone();
        tampered.message.set_recent_blockhash(Hash([4; 32]));
        assert!(!tampered.verify());
        assert!(tx.clone().into_legacy_transaction().is_none());
        assert!(tx.v0_message().is_some() && tx.legacy_message().is_none());
    }

    #[test]
    fn signer_mismatches_are_errors() {
        let payer = Keypair::from_seed(&[1; 32]);
        let cosigner = Keypair::from_seed(&[2; 32]);
        let stranger = Keypair::from_seed(&[3; 32]);
        let message = v0_transfer(&payer, Some(&cosigner));
        assert_eq!(
            VersionedTransaction::try_new(message.clone(), &[&payer]),
            Err(SignerError::MissingSigner(cosigner.pubkey()))
        );
        assert_eq!(
            VersionedTransaction::try_new(message.clone(), &[&payer, &cosigner, &stranger]),
            Err(SignerError::NotASigner(stranger.pubkey()))
        );
        let mut partial = VersionedTransaction::new_unsigned(message.clone());
        partial.try_partial_sign(&[&cosigner]).unwrap();
        assert!(!partial.verify());
        partial.try_partial_sign(&[&payer]).unwrap();
        assert_eq!(Ok(partial), VersionedTransaction::try_new(message, &[&cosigner, &payer]));
    }

    #[test]
    fn sanitize_counts_signatures_as_solana() {
        let payer = Keypair::from_seed(&[1; 32]);
        let mut tx = VersionedTransaction::try_new(v0_transfer(&payer, None), &[&payer]).unwrap();
        assert_eq!(tx.sanitize(), Ok(()));
        tx.signatures.push(Signature::default());
        assert_eq!(tx.sanitize(), Err(SanitizeError::InvalidValue));
        assert!(!tx.verify());
        tx.signatures.clear();
        assert_eq!(tx.sanitize(), Err(SanitizeError::IndexOutOfBounds));
        // Legacy through the versioned type: same bytes as the legacy type.
        let legacy = Transaction::new_signed_with_payer(
            &[system_instruction::transfer(&payer.pubkey(), &Pubkey::new_unique_from_u64(2), 1)],
            Some(&payer.pubkey()),
            &[&payer],
            Hash([6; 32]),
        );
        let wire = legacy.to_wire().unwrap();
        let versioned = VersionedTransaction::from_wire(&wire).unwrap();
        assert_eq!(versioned, VersionedTransaction::from(legacy.clone()));
        assert!(versioned.verify());
        assert_eq!(versioned.to_wire().unwrap(), wire);
        assert_eq!(versioned.into_legacy_transaction(), Some(legacy));
    }
}
