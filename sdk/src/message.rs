//! [`Message`]: Solana's legacy message, byte for byte, and how instructions
//! compile into one.
//!
//! Wire layout: a 3-byte [`MessageHeader`], a compact-u16 array of 32-byte
//! account keys, the 32-byte recent blockhash, and a compact-u16 array of
//! instructions (program id index `u8`, compact array of account index `u8`s,
//! compact array of data bytes). Keys are ordered: writable signers (the fee
//! payer first), read-only signers, writable non-signers, read-only non-signers.

use crate::hash::Hash;
use crate::instruction::{CompiledInstruction, Instruction};
use crate::pubkey::Pubkey;
use crate::short_vec::{self, ShortVecError};
use crate::{compute_budget, loader, system_program};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

/// The largest serialized transaction a validator accepts (an IPv6 MTU less headers).
pub const PACKET_DATA_SIZE: usize = 1232;
/// Most accounts one transaction may lock.
pub const MAX_TX_ACCOUNT_LOCKS: usize = 128;

/// How many of the message's keys sign, and how many are read-only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageHeader {
    pub num_required_signatures: u8,
    pub num_readonly_signed_accounts: u8,
    pub num_readonly_unsigned_accounts: u8,
}

/// A legacy Solana message: what a transaction's signatures sign.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    pub header: MessageHeader,
    pub account_keys: Vec<Pubkey>,
    pub recent_blockhash: Hash,
    pub instructions: Vec<CompiledInstruction>,
}

/// Why bytes are not a well-formed message or transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// The bytes ended before the structure did.
    Truncated { what: &'static str },
    /// A compact-u16 length used a longer encoding than needed or overflowed.
    NonCanonicalLength { what: &'static str },
    /// Bytes left over after the structure ended.
    TrailingBytes { count: usize },
    /// A versioned (v0) message: Lanes accepts only legacy messages for now.
    UnsupportedVersion { version: u8 },
    /// Larger than [`PACKET_DATA_SIZE`].
    TooLarge { len: usize },
    /// More than 256 keys or instructions or accounts than the format can index.
    TooMany { what: &'static str },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Truncated { what } => write!(f, "input ended inside {what}"),
            WireError::NonCanonicalLength { what } => write!(f, "non-canonical compact-u16 length of {what}"),
            WireError::TrailingBytes { count } => write!(f, "{count} bytes after the end of the transaction"),
            WireError::UnsupportedVersion { version } => {
                write!(f, "versioned message (v{version}) not supported; send a legacy message")
            }
            WireError::TooLarge { len } => write!(f, "transaction is {len} bytes, more than {PACKET_DATA_SIZE}"),
            WireError::TooMany { what } => write!(f, "too many {what} to encode"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for WireError {}

/// Why a well-formed message is still not acceptable (Solana's `SanitizeError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SanitizeError {
    /// A header count or instruction index points past the keys.
    IndexOutOfBounds,
    /// The fee payer is read-only, or no signer at all.
    InvalidValue,
}

impl fmt::Display for SanitizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SanitizeError::IndexOutOfBounds => f.write_str("index out of bounds"),
            SanitizeError::InvalidValue => f.write_str("invalid value"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SanitizeError {}

/// A cursor over untrusted bytes: every read is checked.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }
    pub(crate) fn position(&self) -> usize {
        self.pos
    }
    pub(crate) fn take(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], WireError> {
        if self.remaining() < len {
            return Err(WireError::Truncated { what });
        }
        let slice = &self.bytes[self.pos..self.pos + len];
        self.pos += len;
        Ok(slice)
    }
    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, WireError> {
        Ok(self.take(1, what)?[0])
    }
    pub(crate) fn array32(&mut self, what: &'static str) -> Result<[u8; 32], WireError> {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.take(32, what)?);
        Ok(out)
    }
    pub(crate) fn compact_len(&mut self, what: &'static str) -> Result<usize, WireError> {
        let (len, used) = short_vec::decode_len(&self.bytes[self.pos..]).map_err(|e| match e {
            ShortVecError::Truncated => WireError::Truncated { what },
            ShortVecError::NonCanonical => WireError::NonCanonicalLength { what },
        })?;
        self.pos += used;
        Ok(len as usize)
    }
    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
}

fn push_compact_len(len: usize, what: &'static str, out: &mut Vec<u8>) -> Result<(), WireError> {
    let len = u16::try_from(len).map_err(|_| WireError::TooMany { what })?;
    short_vec::encode_len(len, out);
    Ok(())
}

#[derive(Default, Clone, Copy)]
struct KeyUse {
    is_signer: bool,
    is_writable: bool,
}

impl Message {
    /// Compile `instructions` into a message paid for by `payer`.
    ///
    /// Keys are deduplicated (a key's uses are OR-ed together), the payer goes
    /// first, then the four groups in header order, each sorted by key bytes
    /// (as the Rust Solana SDK does). Panics if more than 256 distinct keys are
    /// used, which no valid transaction can do.
    pub fn new(instructions: &[Instruction], payer: Option<&Pubkey>) -> Self {
        Self::new_with_blockhash(instructions, payer, &Hash::default())
    }

    /// As [`Message::new`], with the recent blockhash set.
    pub fn new_with_blockhash(instructions: &[Instruction], payer: Option<&Pubkey>, blockhash: &Hash) -> Self {
        let mut uses: BTreeMap<Pubkey, KeyUse> = BTreeMap::new();
        for ix in instructions {
            uses.entry(ix.program_id).or_default();
            for meta in &ix.accounts {
                let entry = uses.entry(meta.pubkey).or_default();
                entry.is_signer |= meta.is_signer;
                entry.is_writable |= meta.is_writable;
            }
        }
        if let Some(payer) = payer {
            uses.remove(payer);
        }
        let group = |signer: bool, writable: bool| {
            uses.iter().filter(move |(_, u)| u.is_signer == signer && u.is_writable == writable).map(|(k, _)| *k)
        };
        let mut keys: Vec<Pubkey> = Vec::with_capacity(uses.len() + 1);
        keys.extend(payer.copied());
        keys.extend(group(true, true));
        let writable_signers = keys.len();
        keys.extend(group(true, false));
        let signers = keys.len();
        keys.extend(group(false, true));
        let writable_unsigned_end = keys.len();
        keys.extend(group(false, false));
        assert!(keys.len() <= 256, "a message may use at most 256 distinct keys");

        let index_of = |key: &Pubkey| keys.iter().position(|k| k == key).expect("every key was collected") as u8;
        let compiled = instructions
            .iter()
            .map(|ix| CompiledInstruction {
                program_id_index: index_of(&ix.program_id),
                accounts: ix.accounts.iter().map(|m| index_of(&m.pubkey)).collect(),
                data: ix.data.clone(),
            })
            .collect();
        Message {
            header: MessageHeader {
                num_required_signatures: signers as u8,
                num_readonly_signed_accounts: (signers - writable_signers) as u8,
                num_readonly_unsigned_accounts: (keys.len() - writable_unsigned_end) as u8,
            },
            account_keys: keys,
            recent_blockhash: *blockhash,
            instructions: compiled,
        }
    }

    /// The bytes signatures sign.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.serialized_size_hint());
        self.serialize_into(&mut out).expect("a compiled message fits the format");
        out
    }

    fn serialized_size_hint(&self) -> usize {
        3 + 3
            + self.account_keys.len() * 32
            + 32
            + 3
            + self.instructions.iter().map(|ix| 1 + 3 + ix.accounts.len() + 3 + ix.data.len()).sum::<usize>()
    }

    /// Append the wire encoding to `out`; fails only on counts the format cannot hold.
    pub fn serialize_into(&self, out: &mut Vec<u8>) -> Result<(), WireError> {
        out.push(self.header.num_required_signatures);
        out.push(self.header.num_readonly_signed_accounts);
        out.push(self.header.num_readonly_unsigned_accounts);
        push_compact_len(self.account_keys.len(), "account keys", out)?;
        for key in &self.account_keys {
            out.extend_from_slice(&key.0);
        }
        out.extend_from_slice(&self.recent_blockhash.0);
        push_compact_len(self.instructions.len(), "instructions", out)?;
        for ix in &self.instructions {
            out.push(ix.program_id_index);
            push_compact_len(ix.accounts.len(), "instruction accounts", out)?;
            out.extend_from_slice(&ix.accounts);
            push_compact_len(ix.data.len(), "instruction data", out)?;
            out.extend_from_slice(&ix.data);
        }
        Ok(())
    }

    /// Decode a whole message; bytes after it are an error.
    pub fn deserialize(bytes: &[u8]) -> Result<Self, WireError> {
        let mut reader = Reader::new(bytes);
        let message = Self::read(&mut reader)?;
        if reader.remaining() != 0 {
            return Err(WireError::TrailingBytes { count: reader.remaining() });
        }
        Ok(message)
    }

    pub(crate) fn read(reader: &mut Reader<'_>) -> Result<Self, WireError> {
        if let Some(first) = reader.peek() {
            if first & 0x80 != 0 {
                return Err(WireError::UnsupportedVersion { version: first & 0x7f });
            }
        }
        let header = MessageHeader {
            num_required_signatures: reader.u8("message header")?,
            num_readonly_signed_accounts: reader.u8("message header")?,
            num_readonly_unsigned_accounts: reader.u8("message header")?,
        };
        let num_keys = reader.compact_len("account keys")?;
        // Each key is 32 bytes: refuse counts the input cannot hold before allocating.
        if num_keys.saturating_mul(32) > reader.remaining() {
            return Err(WireError::Truncated { what: "account keys" });
        }
        let mut account_keys = Vec::with_capacity(num_keys);
        for _ in 0..num_keys {
            account_keys.push(Pubkey(reader.array32("account key")?));
        }
        let recent_blockhash = Hash(reader.array32("recent blockhash")?);
        let num_instructions = reader.compact_len("instructions")?;
        // Each instruction is at least 3 bytes.
        if num_instructions.saturating_mul(3) > reader.remaining() {
            return Err(WireError::Truncated { what: "instructions" });
        }
        let mut instructions = Vec::with_capacity(num_instructions);
        for _ in 0..num_instructions {
            let program_id_index = reader.u8("instruction program index")?;
            let num_accounts = reader.compact_len("instruction accounts")?;
            let accounts = reader.take(num_accounts, "instruction accounts")?.to_vec();
            let data_len = reader.compact_len("instruction data")?;
            let data = reader.take(data_len, "instruction data")?.to_vec();
            instructions.push(CompiledInstruction { program_id_index, accounts, data });
        }
        Ok(Message { header, account_keys, recent_blockhash, instructions })
    }

    /// Solana's structural checks: header counts within the keys, the payer
    /// writable, every instruction index in range, and the payer never
    /// invoked as a program.
    pub fn sanitize(&self) -> Result<(), SanitizeError> {
        let h = &self.header;
        let num_keys = self.account_keys.len();
        if h.num_required_signatures as usize + h.num_readonly_unsigned_accounts as usize > num_keys {
            return Err(SanitizeError::IndexOutOfBounds);
        }
        if h.num_readonly_signed_accounts >= h.num_required_signatures {
            return Err(SanitizeError::InvalidValue);
        }
        for ix in &self.instructions {
            let program = ix.program_id_index as usize;
            if program == 0 || program >= num_keys {
                return Err(SanitizeError::IndexOutOfBounds);
            }
            if ix.accounts.iter().any(|&a| a as usize >= num_keys) {
                return Err(SanitizeError::IndexOutOfBounds);
            }
        }
        Ok(())
    }

    /// The fee payer: the first key.
    pub fn fee_payer(&self) -> Option<&Pubkey> {
        self.account_keys.first()
    }

    /// Whether key `index` must sign.
    pub fn is_signer(&self, index: usize) -> bool {
        index < self.header.num_required_signatures as usize
    }

    /// Whether key `index` is writable as the header says, before demotion.
    pub fn is_writable_index(&self, index: usize) -> bool {
        let h = &self.header;
        let signers = h.num_required_signatures as usize;
        let num_keys = self.account_keys.len();
        if index < signers {
            // Saturating, as Solana's: an unsanitized header may claim more
            // read-only signers than signers.
            index < signers.saturating_sub(h.num_readonly_signed_accounts as usize)
        } else {
            index < num_keys.saturating_sub(h.num_readonly_unsigned_accounts as usize)
        }
    }

    /// Whether key `index` is invoked as a program by some instruction.
    pub fn is_invoked(&self, index: usize) -> bool {
        self.instructions.iter().any(|ix| ix.program_id_index as usize == index)
    }

    /// Whether key `index` will be write-locked: writable in the header, and
    /// neither invoked as a program nor a builtin program id (Solana demotes both).
    pub fn is_writable(&self, index: usize) -> bool {
        self.is_writable_index(index)
            && !self.is_invoked(index)
            && self.account_keys.get(index).is_some_and(|k| !is_reserved_key(k))
    }

    /// Whether any key appears twice.
    pub fn has_duplicate_keys(&self) -> bool {
        let keys = &self.account_keys;
        if keys.len() <= 32 {
            // Pairwise, without allocating: at most 496 comparisons, most
            // decided by the first eight bytes (every transaction asks).
            return keys.iter().enumerate().any(|(i, key)| keys[i + 1..].contains(key));
        }
        let mut sorted: Vec<&Pubkey> = keys.iter().collect();
        sorted.sort_unstable();
        sorted.windows(2).any(|w| w[0] == w[1])
    }
}

/// Keys never write-locked: the builtin programs.
pub fn is_reserved_key(key: &Pubkey) -> bool {
    *key == system_program::ID || *key == compute_budget::ID || *key == loader::ID
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::instruction::AccountMeta;

    fn key(n: u64) -> Pubkey {
        Pubkey::new_unique_from_u64(n)
    }

    #[test]
    fn duplicate_keys_are_found_in_short_and_long_lists() {
        for len in [0usize, 1, 2, 9, 32, 33, 100] {
            let mut message = Message { account_keys: (0..len as u64).map(key).collect(), ..Message::default() };
            assert!(!message.has_duplicate_keys(), "{len} distinct keys");
            if len >= 2 {
                // The same key first and last, and as neighbours.
                message.account_keys[len - 1] = message.account_keys[0];
                assert!(message.has_duplicate_keys(), "{len} keys, first = last");
                message.account_keys[len - 1] = key(1_000);
                message.account_keys[1] = message.account_keys[0];
                assert!(message.has_duplicate_keys(), "{len} keys, neighbours");
            }
        }
    }

    #[test]
    fn compile_orders_keys_by_role_with_payer_first() {
        let payer = key(9);
        let program = key(5);
        let ix = Instruction::new_with_bytes(
            program,
            &[1, 2],
            vec![
                AccountMeta::new_readonly(key(3), false),
                AccountMeta::new(key(2), false),
                AccountMeta::new_readonly(key(1), true),
                AccountMeta::new(key(4), true),
            ],
        );
        let msg = Message::new(&[ix], Some(&payer));
        assert_eq!(msg.account_keys, vec![payer, key(4), key(1), key(2), key(3), program]);
        assert_eq!(
            msg.header,
            MessageHeader {
                num_required_signatures: 3,
                num_readonly_signed_accounts: 1,
                num_readonly_unsigned_accounts: 2
            }
        );
        assert_eq!(msg.instructions[0].accounts, vec![4, 3, 2, 1]);
        assert_eq!(msg.instructions[0].program_id_index, 5);
        assert!(msg.sanitize().is_ok());
        assert!(msg.is_writable(0) && msg.is_writable(1) && !msg.is_writable(2));
        assert!(msg.is_writable(3) && !msg.is_writable(4) && !msg.is_writable(5));
        let bytes = msg.serialize();
        assert_eq!(Message::deserialize(&bytes), Ok(msg));
    }

    #[test]
    fn sanitize_rejects_readonly_payer_and_bad_indices() {
        let mut msg = Message::new(&[Instruction::new_with_bytes(key(5), &[], vec![])], Some(&key(1)));
        assert!(msg.sanitize().is_ok());
        msg.header.num_readonly_signed_accounts = 1;
        assert_eq!(msg.sanitize(), Err(SanitizeError::InvalidValue));
        msg.header.num_readonly_signed_accounts = 0;
        msg.instructions[0].program_id_index = 0;
        assert_eq!(msg.sanitize(), Err(SanitizeError::IndexOutOfBounds));
        msg.instructions[0].program_id_index = 2;
        assert_eq!(msg.sanitize(), Err(SanitizeError::IndexOutOfBounds));
    }

    #[test]
    fn versioned_messages_are_refused() {
        assert_eq!(Message::deserialize(&[0x80, 1, 0, 0]), Err(WireError::UnsupportedVersion { version: 0 }));
    }
}
