//! [`VersionedMessage`]: a legacy or a v0 message, as the first byte says.
//!
//! A first byte with its high bit clear is a legacy message's first header
//! byte; with it set ([`MESSAGE_VERSION_PREFIX`]), the low seven bits are the
//! version, and only version 0 exists for transactions (127, the byte `0xff`,
//! marks Solana's off-chain messages). Any other version is refused with
//! [`WireError::UnsupportedVersion`], never misread.
//!
//! This module owns the dispatch and the questions every version answers the
//! same way (header, static keys, signers, blockhash, instructions). It must
//! never panic on outside bytes nor re-encode a decoded message differently.

use super::{is_invoked, v0, Message, MessageHeader, Reader, SanitizeError, WireError};
use crate::hash::Hash;
use crate::instruction::CompiledInstruction;
use crate::pubkey::Pubkey;
use crate::{system_instruction, system_program};
use alloc::vec::Vec;
use core::fmt;

/// The high bit of a versioned message's first byte.
pub const MESSAGE_VERSION_PREFIX: u8 = 0x80;

/// Which message format a transaction carries; shown as Solana's RPC shows
/// it (`"legacy"` or `0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionVersion {
    Legacy,
    V0,
}

impl fmt::Display for TransactionVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransactionVersion::Legacy => "legacy",
            TransactionVersion::V0 => "0",
        })
    }
}

/// A legacy or a v0 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionedMessage {
    Legacy(Message),
    V0(v0::Message),
}

impl Default for VersionedMessage {
    fn default() -> Self {
        VersionedMessage::Legacy(Message::default())
    }
}

impl From<Message> for VersionedMessage {
    fn from(message: Message) -> Self {
        VersionedMessage::Legacy(message)
    }
}

impl From<v0::Message> for VersionedMessage {
    fn from(message: v0::Message) -> Self {
        VersionedMessage::V0(message)
    }
}

impl VersionedMessage {
    /// The format.
    pub fn version(&self) -> TransactionVersion {
        match self {
            VersionedMessage::Legacy(_) => TransactionVersion::Legacy,
            VersionedMessage::V0(_) => TransactionVersion::V0,
        }
    }

    pub fn header(&self) -> &MessageHeader {
        match self {
            VersionedMessage::Legacy(m) => &m.header,
            VersionedMessage::V0(m) => &m.header,
        }
    }

    /// The keys the message lists itself (for v0, not the loaded ones):
    /// the signers are the first `num_required_signatures` of them.
    pub fn static_account_keys(&self) -> &[Pubkey] {
        match self {
            VersionedMessage::Legacy(m) => &m.account_keys,
            VersionedMessage::V0(m) => &m.account_keys,
        }
    }

    pub fn recent_blockhash(&self) -> &Hash {
        match self {
            VersionedMessage::Legacy(m) => &m.recent_blockhash,
            VersionedMessage::V0(m) => &m.recent_blockhash,
        }
    }

    pub fn set_recent_blockhash(&mut self, blockhash: Hash) {
        match self {
            VersionedMessage::Legacy(m) => m.recent_blockhash = blockhash,
            VersionedMessage::V0(m) => m.recent_blockhash = blockhash,
        }
    }

    pub fn instructions(&self) -> &[CompiledInstruction] {
        match self {
            VersionedMessage::Legacy(m) => &m.instructions,
            VersionedMessage::V0(m) => &m.instructions,
        }
    }

    /// The lookups of a v0 message; `None` for a legacy one.
    pub fn address_table_lookups(&self) -> Option<&[v0::MessageAddressTableLookup]> {
        match self {
            VersionedMessage::Legacy(_) => None,
            VersionedMessage::V0(m) => Some(&m.address_table_lookups),
        }
    }

    /// How many addresses the message asks its lookups to load (0 for legacy).
    pub fn num_lookup_addresses(&self) -> usize {
        match self {
            VersionedMessage::Legacy(_) => 0,
            VersionedMessage::V0(m) => m.num_lookup_addresses(),
        }
    }

    /// Solana's structural checks for the message's version.
    pub fn sanitize(&self) -> Result<(), SanitizeError> {
        match self {
            VersionedMessage::Legacy(m) => m.sanitize(),
            VersionedMessage::V0(m) => m.sanitize(),
        }
    }

    /// The fee payer: the first key.
    pub fn fee_payer(&self) -> Option<&Pubkey> {
        self.static_account_keys().first()
    }

    /// Whether account `index` must sign.
    pub fn is_signer(&self, index: usize) -> bool {
        index < usize::from(self.header().num_required_signatures)
    }

    /// Whether account `index` is invoked as a program by some instruction.
    pub fn is_invoked(&self, index: usize) -> bool {
        is_invoked(self.instructions(), index)
    }

    /// Whether account `index` may be write-locked: exact for every legacy
    /// key and every v0 static key; for a v0 loaded address, whether it was
    /// asked writable ([`v0::Message::is_writable_with`] answers once loaded).
    pub fn is_maybe_writable(&self, index: usize) -> bool {
        match self {
            VersionedMessage::Legacy(m) => m.is_writable(index),
            VersionedMessage::V0(m) => m.is_maybe_writable(index),
        }
    }

    /// Whether account `index` is write-locked, a v0 message's lookups
    /// resolved to `loaded` (exact for both versions; `index` counts static
    /// keys, then loaded writable, then loaded read-only).
    pub fn is_writable_with(&self, index: usize, loaded: &v0::LoadedAddresses) -> bool {
        match self {
            VersionedMessage::Legacy(m) => m.is_writable(index),
            VersionedMessage::V0(m) => m.is_writable_with(index, loaded),
        }
    }

    /// Whether the first instruction advances a durable nonce (the system
    /// program, a static key, called with `AdvanceNonceAccount`): then the
    /// blockhash field holds the nonce, as Solana reads it.
    pub fn uses_durable_nonce(&self) -> bool {
        self.instructions().first().is_some_and(|ix| {
            self.static_account_keys().get(usize::from(ix.program_id_index)) == Some(&system_program::ID)
                && system_instruction::is_advance_nonce_instruction_data(&ix.data)
        })
    }

    /// The bytes signatures sign (a v0 message with its prefix).
    pub fn serialize(&self) -> Vec<u8> {
        match self {
            VersionedMessage::Legacy(m) => m.serialize(),
            VersionedMessage::V0(m) => m.serialize(),
        }
    }

    /// Append the wire encoding; fails only on counts the format cannot hold.
    pub fn serialize_into(&self, out: &mut Vec<u8>) -> Result<(), WireError> {
        match self {
            VersionedMessage::Legacy(m) => m.serialize_into(out),
            VersionedMessage::V0(m) => m.serialize_into(out),
        }
    }

    /// Decode a whole message of either version; bytes after it are an error.
    pub fn deserialize(bytes: &[u8]) -> Result<Self, WireError> {
        super::read_whole(bytes, Self::read)
    }

    pub(crate) fn read(reader: &mut Reader<'_>) -> Result<Self, WireError> {
        match reader.peek() {
            Some(first) if first & MESSAGE_VERSION_PREFIX != 0 => {
                let version = first & !MESSAGE_VERSION_PREFIX;
                if version != 0 {
                    return Err(WireError::UnsupportedVersion { version });
                }
                reader.u8("message version")?;
                Ok(VersionedMessage::V0(v0::Message::read_after_prefix(reader)?))
            }
            _ => Ok(VersionedMessage::Legacy(Message::read(reader)?)),
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_first_byte_decides_the_version() {
        let legacy = Message {
            header: MessageHeader { num_required_signatures: 1, ..MessageHeader::default() },
            account_keys: alloc::vec![Pubkey::new_unique_from_u64(1)],
            ..Message::default()
        };
        let bytes = legacy.serialize();
        assert_eq!(VersionedMessage::deserialize(&bytes), Ok(VersionedMessage::Legacy(legacy.clone())));
        let v0 =
            v0::Message { header: legacy.header, account_keys: legacy.account_keys.clone(), ..v0::Message::default() };
        let mut v0_bytes = v0.serialize();
        assert_eq!(v0_bytes, [&[0x80][..], &bytes[..], &[0]].concat(), "prefix, legacy body, no lookups");
        assert_eq!(VersionedMessage::deserialize(&v0_bytes), Ok(VersionedMessage::V0(v0)));
        // The legacy decoder refuses it, as before.
        assert_eq!(Message::deserialize(&v0_bytes), Err(WireError::UnsupportedVersion { version: 0 }));
        for (first, version) in [(0x81u8, 1u8), (0x82, 2), (0xff, 127)] {
            v0_bytes[0] = first;
            let err = VersionedMessage::deserialize(&v0_bytes).unwrap_err();
            assert_eq!(err, WireError::UnsupportedVersion { version });
            assert!(!err.to_string().contains("send a legacy"), "{err}");
        }
        assert!(matches!(VersionedMessage::deserialize(&[]), Err(WireError::Truncated { .. })));
        assert!(matches!(VersionedMessage::deserialize(&[0x80]), Err(WireError::Truncated { .. })));
        assert_eq!(TransactionVersion::Legacy.to_string(), "legacy");
        assert_eq!(TransactionVersion::V0.to_string(), "0");
    }
}
