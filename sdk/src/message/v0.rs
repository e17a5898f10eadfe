//! [`Message`] (v0): Solana's versioned message that loads more accounts
//! than fit in a packet from on-chain address lookup tables, byte for byte.
//!
//! Wire layout: the prefix byte `0x80` ([`super::MESSAGE_VERSION_PREFIX`] |
//! version 0), the legacy body (3-byte header, compact array of static keys,
//! blockhash, compact array of instructions), then a compact array of
//! [`MessageAddressTableLookup`]s (table key, compact array of writable
//! indexes, compact array of read-only indexes). Instruction account indexes
//! count through the static keys, then every lookup's writable addresses in
//! order, then every lookup's read-only addresses; program ids are always
//! static keys. The header describes the static keys only.
//!
//! This module owns the v0 message's encoding, Solana's sanitize rules and
//! compiling instructions into one ([`Message::try_compile`]). It must never
//! panic on outside bytes, never read a table's state (which addresses a
//! lookup resolves to at a slot is the runtime's question, answered by
//! [`crate::address_lookup_table::state`]), and never let a message name more
//! than [`MAX_ACCOUNT_KEYS`] accounts and still sanitize.

use super::compiled_keys::{compile_instructions, CompiledKeys};
use super::{
    has_duplicates, is_invoked, is_reserved_key, push_compact_bytes, push_compact_len, read_body,
    sanitize_instructions, write_body, CompileError, MessageHeader, Reader, SanitizeError, WireError,
    MESSAGE_VERSION_PREFIX,
};
use crate::address_lookup_table::{AddressLookupError, AddressLookupTableAccount};
use crate::hash::Hash;
use crate::instruction::{CompiledInstruction, Instruction};
use crate::pubkey::Pubkey;
use alloc::vec::Vec;

/// Most accounts one message may name, static and loaded together: an
/// instruction names an account by a `u8` index.
pub const MAX_ACCOUNT_KEYS: usize = 256;

/// Accounts to load from one address lookup table, by their indexes in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageAddressTableLookup {
    /// The lookup table account.
    pub account_key: Pubkey,
    /// Indexes of addresses loaded writable.
    pub writable_indexes: Vec<u8>,
    /// Indexes of addresses loaded read-only.
    pub readonly_indexes: Vec<u8>,
}

/// The addresses a message's lookups resolved to, in message order: every
/// lookup's writable addresses, then every lookup's read-only ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadedAddresses {
    pub writable: Vec<Pubkey>,
    pub readonly: Vec<Pubkey>,
}

impl LoadedAddresses {
    /// Writable and read-only together.
    pub fn len(&self) -> usize {
        self.writable.len() + self.readonly.len()
    }

    /// Whether nothing was loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A v0 message: what a v0 transaction's signatures sign (with its prefix).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// Describes the static `account_keys` only.
    pub header: MessageHeader,
    /// The static keys: every signer and program id, and accounts no table supplies.
    pub account_keys: Vec<Pubkey>,
    pub recent_blockhash: Hash,
    pub instructions: Vec<CompiledInstruction>,
    pub address_table_lookups: Vec<MessageAddressTableLookup>,
}

impl Message {
    /// Compile `instructions` paid by `payer`, loading from `tables` every
    /// account they hold that may be loaded, as Solana's
    /// `v0::Message::try_compile` does: signers, program ids and a durable
    /// nonce account stay static; each table is searched in the order given,
    /// writable keys first, and a table that supplies nothing gets no lookup.
    /// Static keys are grouped and sorted as [`super::Message::new`] sorts them.
    pub fn try_compile(
        payer: &Pubkey,
        instructions: &[Instruction],
        tables: &[AddressLookupTableAccount],
        recent_blockhash: Hash,
    ) -> Result<Self, CompileError> {
        let mut keys = CompiledKeys::compile(instructions, Some(payer));
        let mut address_table_lookups = Vec::with_capacity(tables.len());
        let mut loaded = LoadedAddresses::default();
        for table in tables {
            if let Some((lookup, addresses)) = keys.extract_table_lookup(table)? {
                address_table_lookups.push(lookup);
                loaded.writable.extend(addresses.writable);
                loaded.readonly.extend(addresses.readonly);
            }
        }
        let (header, account_keys) = keys.into_message_components()?;
        let instructions = compile_instructions(instructions, &[&account_keys, &loaded.writable, &loaded.readonly])?;
        Ok(Message { header, account_keys, recent_blockhash, instructions, address_table_lookups })
    }

    /// The bytes signatures sign: the version prefix, then the message.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.serialize_into(&mut out).expect("a compiled message fits the format");
        out
    }

    /// Append the wire encoding (prefix included); fails only on counts the format cannot hold.
    pub fn serialize_into(&self, out: &mut Vec<u8>) -> Result<(), WireError> {
        out.push(MESSAGE_VERSION_PREFIX);
        write_body(&self.header, &self.account_keys, &self.recent_blockhash, &self.instructions, out)?;
        push_compact_len(self.address_table_lookups.len(), "address table lookups", out)?;
        for lookup in &self.address_table_lookups {
            out.extend_from_slice(&lookup.account_key.0);
            push_compact_bytes(&lookup.writable_indexes, "writable lookup indexes", out)?;
            push_compact_bytes(&lookup.readonly_indexes, "read-only lookup indexes", out)?;
        }
        Ok(())
    }

    /// Read what follows the version prefix.
    pub(crate) fn read_after_prefix(reader: &mut Reader<'_>) -> Result<Self, WireError> {
        let (header, account_keys, recent_blockhash, instructions) = read_body(reader)?;
        let count = reader.compact_len("address table lookups")?;
        // Each lookup is at least 34 bytes: refuse counts the input cannot hold.
        if count.saturating_mul(34) > reader.remaining() {
            return Err(WireError::Truncated { what: "address table lookups" });
        }
        let mut address_table_lookups = Vec::with_capacity(count);
        for _ in 0..count {
            address_table_lookups.push(MessageAddressTableLookup {
                account_key: Pubkey(reader.array32("lookup table key")?),
                writable_indexes: reader.compact_bytes("writable lookup indexes")?.to_vec(),
                readonly_indexes: reader.compact_bytes("read-only lookup indexes")?.to_vec(),
            });
        }
        Ok(Message { header, account_keys, recent_blockhash, instructions, address_table_lookups })
    }

    /// Solana's checks, in Solana's order: the header fits the static keys
    /// with a writable fee payer; every lookup loads at least one address;
    /// at most [`MAX_ACCOUNT_KEYS`] accounts in all; every program a static
    /// key other than the payer; every account index within the static and
    /// loaded accounts.
    pub fn sanitize(&self) -> Result<(), SanitizeError> {
        let num_static = self.account_keys.len();
        self.header.sanitize(num_static)?;
        if self.address_table_lookups.iter().any(|l| l.writable_indexes.is_empty() && l.readonly_indexes.is_empty()) {
            return Err(SanitizeError::InvalidValue);
        }
        if num_static == 0 {
            return Err(SanitizeError::InvalidValue);
        }
        let total = self.total_account_keys();
        if total > MAX_ACCOUNT_KEYS {
            return Err(SanitizeError::IndexOutOfBounds);
        }
        sanitize_instructions(&self.instructions, num_static, total)
    }

    /// The fee payer: the first key.
    pub fn fee_payer(&self) -> Option<&Pubkey> {
        self.account_keys.first()
    }

    /// Whether account `index` must sign (only static keys sign).
    pub fn is_signer(&self, index: usize) -> bool {
        index < usize::from(self.header.num_required_signatures)
    }

    /// How many addresses the lookups load, writable and read-only.
    pub fn num_lookup_addresses(&self) -> usize {
        self.address_table_lookups.iter().map(|l| l.writable_indexes.len() + l.readonly_indexes.len()).sum()
    }

    /// How many addresses the lookups load writable.
    pub fn num_writable_lookup_addresses(&self) -> usize {
        self.address_table_lookups.iter().map(|l| l.writable_indexes.len()).sum()
    }

    /// Static keys and loaded addresses together.
    pub fn total_account_keys(&self) -> usize {
        self.account_keys.len() + self.num_lookup_addresses()
    }

    /// Whether account `index` (static or loaded) was asked to be writable,
    /// before demotion.
    pub fn is_writable_index(&self, index: usize) -> bool {
        let num_static = self.account_keys.len();
        match index.checked_sub(num_static) {
            None => self.header.is_writable_static(index, num_static),
            Some(loaded) => loaded < self.num_writable_lookup_addresses(),
        }
    }

    /// Whether account `index` is invoked as a program by some instruction.
    pub fn is_invoked(&self, index: usize) -> bool {
        is_invoked(&self.instructions, index)
    }

    /// Whether account `index` may be write-locked: asked writable, and not
    /// demoted for what is known without loading (a builtin program's id, or
    /// a key invoked as a program). Exact for static keys; a loaded address
    /// asked writable may still be demoted once known ([`Message::is_writable_with`]).
    pub fn is_maybe_writable(&self, index: usize) -> bool {
        self.is_writable_index(index)
            && !self.is_invoked(index)
            && !self.account_keys.get(index).is_some_and(is_reserved_key)
    }

    /// Whether account `index` will be write-locked, its lookups resolved to `loaded`.
    pub fn is_writable_with(&self, index: usize, loaded: &LoadedAddresses) -> bool {
        if index < self.account_keys.len() {
            return self.is_maybe_writable(index);
        }
        let loaded_index = index - self.account_keys.len();
        loaded.writable.get(loaded_index).is_some_and(|key| !is_reserved_key(key))
    }

    /// Every account key in index order: static, loaded writable, loaded read-only.
    pub fn account_keys_with<'a>(&'a self, loaded: &'a LoadedAddresses) -> impl Iterator<Item = &'a Pubkey> + 'a {
        self.account_keys.iter().chain(&loaded.writable).chain(&loaded.readonly)
    }

    /// Whether a static key appears twice.
    pub fn has_duplicate_keys(&self) -> bool {
        has_duplicates(&self.account_keys)
    }

    /// Whether any key appears twice among the static keys and `loaded`.
    pub fn has_duplicate_keys_with(&self, loaded: &LoadedAddresses) -> bool {
        let all: Vec<Pubkey> = self.account_keys_with(loaded).copied().collect();
        has_duplicates(&all)
    }

    /// Resolve the lookups against tables' address lists as a client holds
    /// them (no slot rules: every address counts). A table not given is
    /// [`AddressLookupError::LookupTableAccountNotFound`]; an index past its
    /// addresses, [`AddressLookupError::InvalidLookupIndex`].
    pub fn resolve(&self, tables: &[AddressLookupTableAccount]) -> Result<LoadedAddresses, AddressLookupError> {
        let mut loaded = LoadedAddresses::default();
        for lookup in &self.address_table_lookups {
            let table = tables
                .iter()
                .find(|t| t.key == lookup.account_key)
                .ok_or(AddressLookupError::LookupTableAccountNotFound)?;
            let pick = |indexes: &[u8], out: &mut Vec<Pubkey>| -> Result<(), AddressLookupError> {
                for &i in indexes {
                    out.push(*table.addresses.get(usize::from(i)).ok_or(AddressLookupError::InvalidLookupIndex)?);
                }
                Ok(())
            };
            pick(&lookup.writable_indexes, &mut loaded.writable)?;
            pick(&lookup.readonly_indexes, &mut loaded.readonly)?;
        }
        Ok(loaded)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::instruction::AccountMeta;
    use crate::message::VersionedMessage;
    use crate::{system_instruction, system_program};

    fn key(n: u64) -> Pubkey {
        Pubkey::new_unique_from_u64(n)
    }

    fn header(signers: u8, ro_signed: u8, ro_unsigned: u8) -> MessageHeader {
        MessageHeader {
            num_required_signatures: signers,
            num_readonly_signed_accounts: ro_signed,
            num_readonly_unsigned_accounts: ro_unsigned,
        }
    }

    fn lookup(writable: &[u8], readonly: &[u8]) -> MessageAddressTableLookup {
        MessageAddressTableLookup {
            account_key: key(900),
            writable_indexes: writable.to_vec(),
            readonly_indexes: readonly.to_vec(),
        }
    }

    fn ix(program_id_index: u8, accounts: &[u8]) -> CompiledInstruction {
        CompiledInstruction { program_id_index, accounts: accounts.to_vec(), data: vec![] }
    }

    /// The account each compiled instruction names, resolved through `loaded`.
    fn decompile(m: &Message, loaded: &LoadedAddresses) -> Vec<(Pubkey, Vec<Pubkey>)> {
        let keys: Vec<Pubkey> = m.account_keys_with(loaded).copied().collect();
        m.instructions
            .iter()
            .map(|ix| (keys[ix.program_id_index as usize], ix.accounts.iter().map(|&a| keys[a as usize]).collect()))
            .collect()
    }

    #[test]
    fn sanitize_follows_solana() {
        let base = Message { header: header(1, 0, 0), account_keys: vec![key(1)], ..Message::default() };
        assert_eq!(base.sanitize(), Ok(()));
        let with = |f: &dyn Fn(&mut Message)| {
            let mut m = base.clone();
            f(&mut m);
            m.sanitize()
        };
        // Lookups add account indexes, never program indexes.
        assert_eq!(
            with(&|m| {
                m.account_keys.push(key(2));
                m.address_table_lookups = vec![lookup(&[1, 2, 3], &[0])];
                m.instructions = vec![ix(1, &[2, 3, 4, 5])];
            }),
            Ok(())
        );
        assert_eq!(
            with(&|m| {
                m.address_table_lookups = vec![lookup(&[1, 2, 3], &[0])];
                m.instructions = vec![ix(4, &[0, 1, 2, 3])];
            }),
            Err(SanitizeError::IndexOutOfBounds),
            "a program id from a lookup"
        );
        assert_eq!(
            with(&|m| {
                m.account_keys.push(key(2));
                m.address_table_lookups = vec![lookup(&[1], &[])];
                m.instructions = vec![ix(1, &[3])];
            }),
            Err(SanitizeError::IndexOutOfBounds),
            "an account index past the loaded ones"
        );
        assert_eq!(with(&|m| m.header = header(0, 0, 0)), Err(SanitizeError::InvalidValue), "no signer");
        assert_eq!(with(&|m| m.header = header(1, 1, 0)), Err(SanitizeError::InvalidValue), "read-only payer");
        assert_eq!(with(&|m| m.header = header(1, 0, 1)), Err(SanitizeError::IndexOutOfBounds), "header past keys");
        assert_eq!(
            with(&|m| m.address_table_lookups = vec![lookup(&[], &[])]),
            Err(SanitizeError::InvalidValue),
            "a lookup loading nothing"
        );
        assert_eq!(with(&|m| m.instructions = vec![ix(0, &[])]), Err(SanitizeError::IndexOutOfBounds), "payer invoked");
        // 256 accounts in all are allowed, 257 are not.
        let indexes: Vec<u8> = (0..=254).collect();
        assert_eq!(with(&|m| m.address_table_lookups = vec![lookup(&indexes, &[])]), Ok(()));
        assert_eq!(
            with(&|m| m.address_table_lookups = vec![lookup(&indexes, &[]), lookup(&[0], &[])]),
            Err(SanitizeError::IndexOutOfBounds)
        );
        assert_eq!(base.total_account_keys(), 1);
    }

    #[test]
    fn compile_loads_what_tables_hold_except_signers_programs_and_nonce() {
        let payer = key(1);
        let program = key(2);
        let (w1, w2, r1, r2, signer, elsewhere) = (key(10), key(11), key(20), key(21), key(30), key(40));
        let table_a =
            AddressLookupTableAccount { key: key(100), addresses: vec![r2, w2, program, signer, key(99), r1] };
        let table_b = AddressLookupTableAccount { key: key(101), addresses: vec![w1, w2, r2] };
        let unused = AddressLookupTableAccount { key: key(102), addresses: vec![key(98)] };
        let instructions = [Instruction::new_with_bytes(
            program,
            &[7],
            vec![
                AccountMeta::new(w1, false),
                AccountMeta::new(w2, false),
                AccountMeta::new_readonly(r1, false),
                AccountMeta::new_readonly(r2, false),
                AccountMeta::new_readonly(signer, true),
                AccountMeta::new(elsewhere, false),
            ],
        )];
        let tables = [table_a.clone(), unused, table_b.clone()];
        let m = Message::try_compile(&payer, &instructions, &tables, Hash([5; 32])).unwrap();
        assert_eq!(m.account_keys, vec![payer, signer, elsewhere, program]);
        assert_eq!(m.header, header(2, 1, 1));
        // Table a supplies w2 and r1, r2 (key order); the unused table gets no lookup; b supplies w1.
        assert_eq!(
            m.address_table_lookups,
            vec![
                MessageAddressTableLookup {
                    account_key: table_a.key,
                    writable_indexes: vec![1],
                    readonly_indexes: vec![5, 0]
                },
                MessageAddressTableLookup {
                    account_key: table_b.key,
                    writable_indexes: vec![0],
                    readonly_indexes: vec![]
                },
            ]
        );
        let loaded = m.resolve(&[table_b, table_a]).unwrap();
        assert_eq!(loaded, LoadedAddresses { writable: vec![w2, w1], readonly: vec![r1, r2] });
        assert_eq!(m.sanitize(), Ok(()));
        assert_eq!(decompile(&m, &loaded), vec![(program, vec![w1, w2, r1, r2, signer, elsewhere])]);
        assert_eq!(m.num_lookup_addresses(), 4);
        assert_eq!(m.num_writable_lookup_addresses(), 2);
        assert!(!m.has_duplicate_keys_with(&loaded));
        // Writability: payer yes, read-only signer no, writable static yes, program demoted; loaded by list.
        let writable: Vec<bool> = (0..8).map(|i| m.is_writable_with(i, &loaded)).collect();
        assert_eq!(writable, vec![true, false, true, false, true, true, false, false]);
        assert!(m.is_maybe_writable(4) && m.is_writable_index(5) && !m.is_writable_index(6));
        assert!(m.is_signer(1) && !m.is_signer(2));
        let bytes = m.serialize();
        assert_eq!(bytes[0], 0x80);
        assert_eq!(VersionedMessage::deserialize(&bytes), Ok(VersionedMessage::V0(m)));
    }

    #[test]
    fn a_durable_nonce_account_stays_static() {
        let (payer, nonce, authority) = (key(1), key(2), key(3));
        let mut data = 4u32.to_le_bytes().to_vec();
        assert!(system_instruction::is_advance_nonce_instruction_data(&data));
        data.push(0);
        let advance = Instruction::new_with_bytes(
            system_program::ID,
            &data,
            vec![AccountMeta::new(nonce, false), AccountMeta::new_readonly(authority, true)],
        );
        let table = AddressLookupTableAccount { key: key(100), addresses: vec![nonce] };
        let m = Message::try_compile(
            &payer,
            core::slice::from_ref(&advance),
            core::slice::from_ref(&table),
            Hash::default(),
        )
        .unwrap();
        assert!(m.address_table_lookups.is_empty());
        assert!(m.account_keys.contains(&nonce));
        assert!(VersionedMessage::V0(m).uses_durable_nonce());
        // Not first: then it is an ordinary account and may be loaded.
        let transfer = system_instruction::transfer(&payer, &key(4), 1);
        let m = Message::try_compile(&payer, &[transfer, advance], &[table], Hash::default()).unwrap();
        assert_eq!(m.address_table_lookups.len(), 1);
        assert!(!VersionedMessage::V0(m).uses_durable_nonce());
    }

    #[test]
    fn compile_errors_instead_of_panicking() {
        let payer = key(1);
        let far = key(7);
        let mut addresses: Vec<Pubkey> = (1000..1300).map(key).collect();
        addresses[260] = far;
        let table = AddressLookupTableAccount { key: key(2), addresses };
        let uses_far = Instruction::new_with_bytes(key(3), &[], vec![AccountMeta::new(far, false)]);
        assert_eq!(
            Message::try_compile(&payer, &[uses_far], &[table], Hash::default()),
            Err(CompileError::AddressTableLookupIndexOverflow)
        );
        let many: Vec<AccountMeta> = (10..300).map(|n| AccountMeta::new_readonly(key(n), false)).collect();
        let too_many = Instruction::new_with_bytes(key(3), &[], many);
        assert_eq!(
            Message::try_compile(&payer, &[too_many], &[], Hash::default()),
            Err(CompileError::AccountIndexOverflow)
        );
        assert!(CompileError::UnknownInstructionKey(far).to_string().contains(&far.to_string()));
    }

    #[test]
    fn resolve_refuses_missing_tables_and_indexes() {
        let m = Message {
            header: header(1, 0, 0),
            account_keys: vec![key(1)],
            address_table_lookups: vec![lookup(&[0], &[3])],
            ..Message::default()
        };
        assert_eq!(m.resolve(&[]), Err(AddressLookupError::LookupTableAccountNotFound));
        let short = AddressLookupTableAccount { key: key(900), addresses: vec![key(5); 3] };
        assert_eq!(m.resolve(&[short]), Err(AddressLookupError::InvalidLookupIndex));
        let long = AddressLookupTableAccount { key: key(900), addresses: (5..9).map(key).collect() };
        assert_eq!(m.resolve(&[long]), Ok(LoadedAddresses { writable: vec![key(5)], readonly: vec![key(8)] }));
    }
}
