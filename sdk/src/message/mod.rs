//! [`Message`]: Solana's legacy message, byte for byte, and how instructions
//! compile into one; the wire pieces every message version shares (the
//! header, the bounds-checked reader, [`WireError`], [`SanitizeError`]).
//!
//! Wire layout: a 3-byte [`MessageHeader`], a compact-u16 array of 32-byte
//! account keys, the 32-byte recent blockhash, and a compact-u16 array of
//! instructions (program id index `u8`, compact array of account index `u8`s,
//! compact array of data bytes). Keys are ordered: writable signers (the fee
//! payer first), read-only signers, writable non-signers, read-only non-signers.
//!
//! Versioned messages live beside it: [`v0::Message`] (a version prefix byte,
//! the same fields, then address table lookups) and [`VersionedMessage`],
//! either of the two as the wire announces it. The legacy [`Message`] never
//! reads a versioned one: its decoder refuses the prefix.
//!
//! What this module must never do: panic on bytes from outside, accept an
//! encoding Solana would not produce (lengths are canonical, nothing trails),
//! or change the legacy [`Message`]'s bytes or API.

use crate::hash::Hash;
use crate::instruction::{CompiledInstruction, Instruction};
use crate::pubkey::Pubkey;
use crate::short_vec::{self, ShortVecError};
use crate::{compute_budget, loader, system_program};
use alloc::vec::Vec;
use core::fmt;

mod compiled_keys;
pub mod v0;
mod versioned;

pub use crate::address_lookup_table::AddressLookupTableAccount;
pub use compiled_keys::CompileError;
pub use versioned::{TransactionVersion, VersionedMessage, MESSAGE_VERSION_PREFIX};

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
    /// A versioned message where it cannot be read: a v0 message given to
    /// the legacy decoder, or any version but 0 (the low seven bits of a
    /// first byte with its high bit set).
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
            WireError::UnsupportedVersion { version: 0 } => {
                f.write_str("versioned message (v0) not supported; send a legacy message")
            }
            WireError::UnsupportedVersion { version: 127 } => {
                f.write_str("first byte 0xff announces an off-chain message, not a transaction")
            }
            WireError::UnsupportedVersion { version } => {
                write!(f, "message version {version} not supported: only legacy and v0 messages exist")
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
    /// A compact-u16 length, then that many bytes.
    pub(crate) fn compact_bytes(&mut self, what: &'static str) -> Result<&'a [u8], WireError> {
        let len = self.compact_len(what)?;
        self.take(len, what)
    }
}

pub(crate) fn push_compact_len(len: usize, what: &'static str, out: &mut Vec<u8>) -> Result<(), WireError> {
    let len = u16::try_from(len).map_err(|_| WireError::TooMany { what })?;
    short_vec::encode_len(len, out);
    Ok(())
}

/// A compact-u16 length, then the bytes (what [`Reader::compact_bytes`] reads).
pub(crate) fn push_compact_bytes(bytes: &[u8], what: &'static str, out: &mut Vec<u8>) -> Result<(), WireError> {
    push_compact_len(bytes.len(), what, out)?;
    out.extend_from_slice(bytes);
    Ok(())
}

/// Decode all of `bytes` with `read`; bytes after what it reads are an error.
pub(crate) fn read_whole<T>(
    bytes: &[u8],
    read: impl FnOnce(&mut Reader<'_>) -> Result<T, WireError>,
) -> Result<T, WireError> {
    let mut reader = Reader::new(bytes);
    let value = read(&mut reader)?;
    if reader.remaining() != 0 {
        return Err(WireError::TrailingBytes { count: reader.remaining() });
    }
    Ok(value)
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
        const TOO_MANY: &str = "a message may use at most 256 distinct keys";
        let (header, account_keys) =
            compiled_keys::CompiledKeys::compile(instructions, payer).into_message_components().expect(TOO_MANY);
        let instructions = compiled_keys::compile_instructions(instructions, &[&account_keys]).expect(TOO_MANY);
        Message { header, account_keys, recent_blockhash: *blockhash, instructions }
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
        write_body(&self.header, &self.account_keys, &self.recent_blockhash, &self.instructions, out)
    }

    /// Decode a whole message; bytes after it are an error.
    pub fn deserialize(bytes: &[u8]) -> Result<Self, WireError> {
        read_whole(bytes, Self::read)
    }

    pub(crate) fn read(reader: &mut Reader<'_>) -> Result<Self, WireError> {
        if let Some(first) = reader.peek() {
            if first & MESSAGE_VERSION_PREFIX != 0 {
                return Err(WireError::UnsupportedVersion { version: first & !MESSAGE_VERSION_PREFIX });
            }
        }
        let (header, account_keys, recent_blockhash, instructions) = read_body(reader)?;
        Ok(Message { header, account_keys, recent_blockhash, instructions })
    }

    /// Solana's structural checks: header counts within the keys, the payer
    /// writable, every instruction index in range, and the payer never
    /// invoked as a program.
    pub fn sanitize(&self) -> Result<(), SanitizeError> {
        let num_keys = self.account_keys.len();
        self.header.sanitize(num_keys)?;
        sanitize_instructions(&self.instructions, num_keys, num_keys)
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
        self.header.is_writable_static(index, self.account_keys.len())
    }

    /// Whether key `index` is invoked as a program by some instruction.
    pub fn is_invoked(&self, index: usize) -> bool {
        is_invoked(&self.instructions, index)
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
        has_duplicates(&self.account_keys)
    }
}

/// Keys never write-locked: the builtin programs (Solana demotes a
/// writable reserved key to read-only, static or loaded).
pub fn is_reserved_key(key: &Pubkey) -> bool {
    *key == system_program::ID
        || *key == compute_budget::ID
        || *key == loader::ID
        || *key == crate::address_lookup_table::ID
}

impl MessageHeader {
    /// Solana's header checks against `num_static_keys` keys: the signers and
    /// read-only non-signers fit the keys, and at least one signer (the fee
    /// payer) is writable.
    pub fn sanitize(&self, num_static_keys: usize) -> Result<(), SanitizeError> {
        if usize::from(self.num_required_signatures) + usize::from(self.num_readonly_unsigned_accounts)
            > num_static_keys
        {
            return Err(SanitizeError::IndexOutOfBounds);
        }
        if self.num_readonly_signed_accounts >= self.num_required_signatures {
            return Err(SanitizeError::InvalidValue);
        }
        Ok(())
    }

    /// Whether static key `index` of `num_static_keys` is writable as the
    /// header says, before demotion; false past the static keys.
    pub fn is_writable_static(&self, index: usize, num_static_keys: usize) -> bool {
        let signers = usize::from(self.num_required_signatures);
        if index < signers {
            // Saturating, as Solana's: an unsanitized header may claim more
            // read-only signers than signers.
            index < signers.saturating_sub(usize::from(self.num_readonly_signed_accounts))
        } else {
            index < num_static_keys.saturating_sub(usize::from(self.num_readonly_unsigned_accounts))
        }
    }
}

/// The fields legacy and v0 messages share, in wire order.
pub(crate) type Body = (MessageHeader, Vec<Pubkey>, Hash, Vec<CompiledInstruction>);

/// Append the header, account keys, blockhash and instructions.
pub(crate) fn write_body(
    header: &MessageHeader,
    account_keys: &[Pubkey],
    recent_blockhash: &Hash,
    instructions: &[CompiledInstruction],
    out: &mut Vec<u8>,
) -> Result<(), WireError> {
    out.push(header.num_required_signatures);
    out.push(header.num_readonly_signed_accounts);
    out.push(header.num_readonly_unsigned_accounts);
    push_compact_len(account_keys.len(), "account keys", out)?;
    for key in account_keys {
        out.extend_from_slice(&key.0);
    }
    out.extend_from_slice(&recent_blockhash.0);
    push_compact_len(instructions.len(), "instructions", out)?;
    for ix in instructions {
        out.push(ix.program_id_index);
        push_compact_bytes(&ix.accounts, "instruction accounts", out)?;
        push_compact_bytes(&ix.data, "instruction data", out)?;
    }
    Ok(())
}

/// Read the header, account keys, blockhash and instructions.
pub(crate) fn read_body(reader: &mut Reader<'_>) -> Result<Body, WireError> {
    let header = MessageHeader {
        num_required_signatures: reader.u8("message header")?,
        num_readonly_signed_accounts: reader.u8("message header")?,
        num_readonly_unsigned_accounts: reader.u8("message header")?,
    };
    let account_keys = read_pubkeys(reader, "account keys")?;
    let recent_blockhash = Hash(reader.array32("recent blockhash")?);
    let num_instructions = reader.compact_len("instructions")?;
    // Each instruction is at least 3 bytes.
    if num_instructions.saturating_mul(3) > reader.remaining() {
        return Err(WireError::Truncated { what: "instructions" });
    }
    let mut instructions = Vec::with_capacity(num_instructions);
    for _ in 0..num_instructions {
        let program_id_index = reader.u8("instruction program index")?;
        let accounts = reader.compact_bytes("instruction accounts")?.to_vec();
        let data = reader.compact_bytes("instruction data")?.to_vec();
        instructions.push(CompiledInstruction { program_id_index, accounts, data });
    }
    Ok((header, account_keys, recent_blockhash, instructions))
}

/// A compact-u16 array of 32-byte keys.
pub(crate) fn read_pubkeys(reader: &mut Reader<'_>, what: &'static str) -> Result<Vec<Pubkey>, WireError> {
    let count = reader.compact_len(what)?;
    // Each key is 32 bytes: refuse counts the input cannot hold before allocating.
    if count.saturating_mul(32) > reader.remaining() {
        return Err(WireError::Truncated { what });
    }
    (0..count).map(|_| reader.array32(what).map(Pubkey)).collect()
}

/// Solana's instruction checks: every program is a static key other than the
/// fee payer, every account index below `num_keys` (static and loaded).
pub(crate) fn sanitize_instructions(
    instructions: &[CompiledInstruction],
    num_static_keys: usize,
    num_keys: usize,
) -> Result<(), SanitizeError> {
    for ix in instructions {
        let program = usize::from(ix.program_id_index);
        if program == 0 || program >= num_static_keys {
            return Err(SanitizeError::IndexOutOfBounds);
        }
        if ix.accounts.iter().any(|&a| usize::from(a) >= num_keys) {
            return Err(SanitizeError::IndexOutOfBounds);
        }
    }
    Ok(())
}

/// Whether key `index` is some instruction's program.
pub(crate) fn is_invoked(instructions: &[CompiledInstruction], index: usize) -> bool {
    instructions.iter().any(|ix| usize::from(ix.program_id_index) == index)
}

/// Whether any key appears twice in `keys`.
pub fn has_duplicates(keys: &[Pubkey]) -> bool {
    if keys.len() <= 32 {
        // Pairwise, without allocating: at most 496 comparisons, most
        // decided by the first eight bytes (every transaction asks).
        return keys.iter().enumerate().any(|(i, key)| keys[i + 1..].contains(key));
    }
    let mut sorted: Vec<&Pubkey> = keys.iter().collect();
    sorted.sort_unstable();
    sorted.windows(2).any(|w| w[0] == w[1])
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
