//! How instructions become a message's keys: every key the instructions name,
//! deduplicated with its roles OR-ed together, grouped as the header orders
//! them (writable signers with the fee payer first, read-only signers,
//! writable non-signers, read-only non-signers), each group sorted by key
//! bytes as Solana's Rust SDK sorts it; for a v0 message, the keys an address
//! lookup table holds are drained from the static list into lookups.
//!
//! It owns compiling only. It must never move a signer, a program id, or the
//! account a durable nonce advances into a lookup (Solana keeps all three
//! static), and never panic: counts past what a `u8` index holds are a
//! [`CompileError`].

use super::v0::{LoadedAddresses, MessageAddressTableLookup};
use super::MessageHeader;
use crate::address_lookup_table::AddressLookupTableAccount;
use crate::instruction::{CompiledInstruction, Instruction};
use crate::pubkey::Pubkey;
use crate::{system_instruction, system_program};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

/// Why instructions could not be compiled into a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// More keys (static and loaded) than a `u8` index can name, or a header
    /// group larger than its `u8` count.
    AccountIndexOverflow,
    /// A key was found in a lookup table past index 255.
    AddressTableLookupIndexOverflow,
    /// An instruction names a key the message does not hold.
    UnknownInstructionKey(Pubkey),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::AccountIndexOverflow => f.write_str("account index overflowed during compilation"),
            CompileError::AddressTableLookupIndexOverflow => {
                f.write_str("address lookup table index overflowed during compilation")
            }
            CompileError::UnknownInstructionKey(key) => {
                write!(f, "encountered unknown account key `{key}` during instruction compilation")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for CompileError {}

/// What the instructions ask of one key.
#[derive(Debug, Default, Clone, Copy)]
struct KeyRoles {
    is_signer: bool,
    is_writable: bool,
    is_invoked: bool,
    /// The account the first instruction advances as a durable nonce.
    is_nonce: bool,
}

impl KeyRoles {
    /// Whether a lookup table may supply this key (as writable or read-only).
    fn loadable(&self, writable: bool) -> bool {
        !self.is_signer && !self.is_invoked && !self.is_nonce && self.is_writable == writable
    }
}

/// The keys of a message being compiled, sorted by key bytes.
pub(crate) struct CompiledKeys {
    payer: Option<Pubkey>,
    roles: BTreeMap<Pubkey, KeyRoles>,
}

impl CompiledKeys {
    /// Collect every key `instructions` name, with its roles.
    pub(crate) fn compile(instructions: &[Instruction], payer: Option<&Pubkey>) -> Self {
        let mut roles: BTreeMap<Pubkey, KeyRoles> = BTreeMap::new();
        for ix in instructions {
            roles.entry(ix.program_id).or_default().is_invoked = true;
            for meta in &ix.accounts {
                let entry = roles.entry(meta.pubkey).or_default();
                entry.is_signer |= meta.is_signer;
                entry.is_writable |= meta.is_writable;
            }
        }
        if let Some(nonce) = durable_nonce_account(instructions) {
            roles.entry(*nonce).or_default().is_nonce = true;
        }
        if let Some(payer) = payer {
            let entry = roles.entry(*payer).or_default();
            entry.is_signer = true;
            entry.is_writable = true;
        }
        CompiledKeys { payer: payer.copied(), roles }
    }

    /// Move the keys `table` holds (and a lookup may supply) out of the
    /// static keys: a lookup naming them by their first index in the table,
    /// writable ones then read-only ones, each in key order. `None` when the
    /// table holds none of them.
    pub(crate) fn extract_table_lookup(
        &mut self,
        table: &AddressLookupTableAccount,
    ) -> Result<Option<(MessageAddressTableLookup, LoadedAddresses)>, CompileError> {
        let (writable_indexes, writable) = self.drain_found_in(&table.addresses, true)?;
        let (readonly_indexes, readonly) = self.drain_found_in(&table.addresses, false)?;
        if writable_indexes.is_empty() && readonly_indexes.is_empty() {
            return Ok(None);
        }
        Ok(Some((
            MessageAddressTableLookup { account_key: table.key, writable_indexes, readonly_indexes },
            LoadedAddresses { writable, readonly },
        )))
    }

    fn drain_found_in(&mut self, table: &[Pubkey], writable: bool) -> Result<(Vec<u8>, Vec<Pubkey>), CompileError> {
        let mut indexes = Vec::new();
        let mut found = Vec::new();
        for (key, roles) in &self.roles {
            if !roles.loadable(writable) {
                continue;
            }
            if let Some(position) = table.iter().position(|address| address == key) {
                indexes.push(u8::try_from(position).map_err(|_| CompileError::AddressTableLookupIndexOverflow)?);
                found.push(*key);
            }
        }
        for key in &found {
            self.roles.remove(key);
        }
        Ok((indexes, found))
    }

    /// The header and the static keys in header order.
    pub(crate) fn into_message_components(self) -> Result<(MessageHeader, Vec<Pubkey>), CompileError> {
        let CompiledKeys { payer, mut roles } = self;
        if let Some(payer) = &payer {
            roles.remove(payer);
        }
        let group = |signer: bool, writable: bool| {
            roles.iter().filter(move |(_, r)| r.is_signer == signer && r.is_writable == writable).map(|(k, _)| *k)
        };
        let mut keys: Vec<Pubkey> = Vec::with_capacity(roles.len() + 1);
        keys.extend(payer);
        keys.extend(group(true, true));
        let writable_signers = keys.len();
        keys.extend(group(true, false));
        let signers = keys.len();
        keys.extend(group(false, true));
        let writable_unsigned_end = keys.len();
        keys.extend(group(false, false));
        let count = |n: usize| u8::try_from(n).map_err(|_| CompileError::AccountIndexOverflow);
        let header = MessageHeader {
            num_required_signatures: count(signers)?,
            num_readonly_signed_accounts: count(signers - writable_signers)?,
            num_readonly_unsigned_accounts: count(keys.len() - writable_unsigned_end)?,
        };
        Ok((header, keys))
    }
}

/// Compile `instructions` against the message's keys, given as the lists
/// they are concatenated from (static keys, then loaded writable, then loaded
/// read-only): each key becomes its index in that concatenation.
pub(crate) fn compile_instructions(
    instructions: &[Instruction],
    key_lists: &[&[Pubkey]],
) -> Result<Vec<CompiledInstruction>, CompileError> {
    let mut index_of: BTreeMap<&Pubkey, u8> = BTreeMap::new();
    for (index, key) in key_lists.iter().flat_map(|list| list.iter()).enumerate() {
        index_of.insert(key, u8::try_from(index).map_err(|_| CompileError::AccountIndexOverflow)?);
    }
    let index = |key: &Pubkey| index_of.get(key).copied().ok_or(CompileError::UnknownInstructionKey(*key));
    instructions
        .iter()
        .map(|ix| {
            Ok(CompiledInstruction {
                program_id_index: index(&ix.program_id)?,
                accounts: ix.accounts.iter().map(|meta| index(&meta.pubkey)).collect::<Result<_, _>>()?,
                data: ix.data.clone(),
            })
        })
        .collect()
}

/// The nonce account, when the first instruction advances a durable nonce
/// (Solana's marker for a nonced transaction).
fn durable_nonce_account(instructions: &[Instruction]) -> Option<&Pubkey> {
    let first = instructions.first()?;
    if first.program_id != system_program::ID || !system_instruction::is_advance_nonce_instruction_data(&first.data) {
        return None;
    }
    first.accounts.first().map(|meta| &meta.pubkey)
}
