//! The lookup table program's instructions in Solana's bincode layout (a
//! `u32` little-endian tag, `u64` slots, a `u64` count before a list of
//! keys), their builders, and where a table lives.
//!
//! Owns the bytes and the account lists only; what an instruction does is the
//! runtime's. Never panics on instruction bytes from outside.

use super::ID;
use crate::cursor::Cursor;
use crate::instruction::{AccountMeta, Instruction, InstructionError};
use crate::message::PACKET_DATA_SIZE;
use crate::pubkey::Pubkey;
use crate::system_program;
use alloc::vec::Vec;

/// A lookup table program instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupTableInstruction {
    /// Tag 0: create a table at [`derive_lookup_table_address`]`(authority, recent_slot)`.
    /// Accounts: `[writable]` table (uninitialized), `[]` authority (a signer
    /// in older clients), `[writable, signer]` payer, `[]` system program.
    CreateLookupTable { recent_slot: u64, bump_seed: u8 },
    /// Tag 1: make the table immutable for ever (an empty table cannot be frozen).
    /// Accounts: `[writable]` table, `[signer]` authority.
    FreezeLookupTable,
    /// Tag 2: append addresses. Accounts: `[writable]` table, `[signer]` authority,
    /// and, when the table needs more lamports for its size, `[writable,
    /// signer]` payer and `[]` system program.
    ExtendLookupTable { new_addresses: Vec<Pubkey> },
    /// Tag 3: start the cool-down after which the table can be closed.
    /// Accounts: `[writable]` table, `[signer]` authority.
    DeactivateLookupTable,
    /// Tag 4: delete a deactivated table. Accounts: `[writable]` table, `[signer]`
    /// authority, `[writable]` recipient of its lamports.
    CloseLookupTable,
}

impl LookupTableInstruction {
    /// Solana's encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16);
        match self {
            LookupTableInstruction::CreateLookupTable { recent_slot, bump_seed } => {
                out.extend_from_slice(&0u32.to_le_bytes());
                out.extend_from_slice(&recent_slot.to_le_bytes());
                out.push(*bump_seed);
            }
            LookupTableInstruction::FreezeLookupTable => out.extend_from_slice(&1u32.to_le_bytes()),
            LookupTableInstruction::ExtendLookupTable { new_addresses } => {
                out.extend_from_slice(&2u32.to_le_bytes());
                out.extend_from_slice(&(new_addresses.len() as u64).to_le_bytes());
                for address in new_addresses {
                    out.extend_from_slice(&address.0);
                }
            }
            LookupTableInstruction::DeactivateLookupTable => out.extend_from_slice(&3u32.to_le_bytes()),
            LookupTableInstruction::CloseLookupTable => out.extend_from_slice(&4u32.to_le_bytes()),
        }
        out
    }

    /// Decode untrusted bytes as Solana's program does (`limited_deserialize`
    /// with a [`PACKET_DATA_SIZE`] limit): trailing bytes are allowed, but an
    /// instruction that takes more than 1232 bytes to read is refused (only a
    /// cross-program call can carry one). Every failure is
    /// [`InstructionError::InvalidInstructionData`].
    pub fn decode(bytes: &[u8]) -> Result<Self, InstructionError> {
        let limited = &bytes[..bytes.len().min(PACKET_DATA_SIZE)];
        Self::read(&mut Cursor::new(limited)).ok_or(InstructionError::InvalidInstructionData)
    }

    fn read(c: &mut Cursor<'_>) -> Option<Self> {
        Some(match c.u32()? {
            0 => LookupTableInstruction::CreateLookupTable { recent_slot: c.u64()?, bump_seed: c.u8()? },
            1 => LookupTableInstruction::FreezeLookupTable,
            2 => LookupTableInstruction::ExtendLookupTable { new_addresses: c.pubkeys()? },
            3 => LookupTableInstruction::DeactivateLookupTable,
            4 => LookupTableInstruction::CloseLookupTable,
            _ => return None,
        })
    }
}

/// Where `authority`'s table created at `recent_slot` lives, and its bump:
/// the program address of `[authority, recent_slot as u64 little-endian]`.
pub fn derive_lookup_table_address(authority: &Pubkey, recent_slot: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[&authority.0, &recent_slot.to_le_bytes()], &ID)
}

fn create(authority: &Pubkey, payer: &Pubkey, recent_slot: u64, authority_signs: bool) -> (Instruction, Pubkey) {
    let (table, bump_seed) = derive_lookup_table_address(authority, recent_slot);
    let instruction = ix(
        LookupTableInstruction::CreateLookupTable { recent_slot, bump_seed },
        alloc::vec![
            AccountMeta::new(table, false),
            AccountMeta::new_readonly(*authority, authority_signs),
            AccountMeta::new(*payer, true),
            AccountMeta::new_readonly(system_program::ID, false),
        ],
    );
    (instruction, table)
}

fn ix(data: LookupTableInstruction, accounts: Vec<AccountMeta>) -> Instruction {
    Instruction { program_id: ID, accounts, data: data.encode() }
}

/// The table and its current authority, as every instruction but create lists them.
fn table_and_authority(table: &Pubkey, authority: &Pubkey) -> Vec<AccountMeta> {
    alloc::vec![AccountMeta::new(*table, false), AccountMeta::new_readonly(*authority, true)]
}

/// Create `authority`'s table for `recent_slot`, funded by `payer`; returns
/// the instruction and the table's address. The authority need not sign
/// (Solana's current `create_lookup_table`).
pub fn create_lookup_table(authority: &Pubkey, payer: &Pubkey, recent_slot: u64) -> (Instruction, Pubkey) {
    create(authority, payer, recent_slot, false)
}

/// As [`create_lookup_table`] with the authority signing, as web3.js's
/// `AddressLookupTableProgram.createLookupTable` and Solana before 1.12 build it.
pub fn create_lookup_table_signed(authority: &Pubkey, payer: &Pubkey, recent_slot: u64) -> (Instruction, Pubkey) {
    create(authority, payer, recent_slot, true)
}

/// Freeze `table` for ever.
pub fn freeze_lookup_table(table: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(LookupTableInstruction::FreezeLookupTable, table_and_authority(table, authority))
}

/// Append `new_addresses` to `table`; `payer` (with the system program) funds
/// the larger account when it needs more lamports.
pub fn extend_lookup_table(
    table: &Pubkey,
    authority: &Pubkey,
    payer: Option<&Pubkey>,
    new_addresses: Vec<Pubkey>,
) -> Instruction {
    let mut accounts = table_and_authority(table, authority);
    if let Some(payer) = payer {
        accounts.push(AccountMeta::new(*payer, true));
        accounts.push(AccountMeta::new_readonly(system_program::ID, false));
    }
    ix(LookupTableInstruction::ExtendLookupTable { new_addresses }, accounts)
}

/// Deactivate `table`: no more extensions, and closable after the cool-down.
pub fn deactivate_lookup_table(table: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(LookupTableInstruction::DeactivateLookupTable, table_and_authority(table, authority))
}

/// Close a deactivated `table`, sending its lamports to `recipient`.
pub fn close_lookup_table(table: &Pubkey, authority: &Pubkey, recipient: &Pubkey) -> Instruction {
    let mut accounts = table_and_authority(table, authority);
    accounts.push(AccountMeta::new(*recipient, false));
    ix(LookupTableInstruction::CloseLookupTable, accounts)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_known_bytes() {
        let create = LookupTableInstruction::CreateLookupTable { recent_slot: 0x0102, bump_seed: 254 };
        assert_eq!(create.encode(), vec![0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0, 254]);
        let extend = LookupTableInstruction::ExtendLookupTable {
            new_addresses: vec![Pubkey::new_unique_from_u64(1), Pubkey::new_unique_from_u64(2)],
        };
        assert_eq!(&extend.encode()[..12], &[2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(extend.encode().len(), 12 + 64);
        for ix in [
            create,
            extend,
            LookupTableInstruction::ExtendLookupTable { new_addresses: vec![] },
            LookupTableInstruction::FreezeLookupTable,
            LookupTableInstruction::DeactivateLookupTable,
            LookupTableInstruction::CloseLookupTable,
        ] {
            assert_eq!(LookupTableInstruction::decode(&ix.encode()), Ok(ix.clone()));
            // bincode allows trailing bytes.
            let mut longer = ix.encode();
            longer.push(9);
            assert_eq!(LookupTableInstruction::decode(&longer), Ok(ix));
        }
    }

    #[test]
    fn bad_bytes_are_invalid_instruction_data() {
        let bad = Err(InstructionError::InvalidInstructionData);
        for bytes in [&[][..], &[5, 0, 0, 0], &[0, 0, 0], &[0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8], &[2, 0, 0, 0, 1]] {
            assert_eq!(LookupTableInstruction::decode(bytes), bad, "{bytes:?}");
        }
        // A count the bytes cannot hold, and one past the read limit.
        let mut huge = vec![2, 0, 0, 0];
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(LookupTableInstruction::decode(&huge), bad);
        let at_limit = LookupTableInstruction::ExtendLookupTable { new_addresses: vec![Pubkey([1; 32]); 38] };
        assert_eq!(at_limit.encode().len(), 1228);
        assert!(LookupTableInstruction::decode(&at_limit.encode()).is_ok());
        let past = LookupTableInstruction::ExtendLookupTable { new_addresses: vec![Pubkey([1; 32]); 39] };
        assert_eq!(LookupTableInstruction::decode(&past.encode()), bad);
    }

    #[test]
    fn builders_list_solanas_accounts() {
        let (authority, payer, table) =
            (Pubkey::new_unique_from_u64(1), Pubkey::new_unique_from_u64(2), Pubkey::new_unique_from_u64(3));
        let (unsigned, address) = create_lookup_table(&authority, &payer, 77);
        let (signed, same) = create_lookup_table_signed(&authority, &payer, 77);
        assert_eq!(address, same);
        assert_eq!(address, derive_lookup_table_address(&authority, 77).0);
        assert_eq!(unsigned.data, signed.data);
        assert!(!unsigned.accounts[1].is_signer && signed.accounts[1].is_signer);
        assert_eq!(unsigned.accounts[0], AccountMeta::new(address, false));
        assert_eq!(unsigned.accounts[2], AccountMeta::new(payer, true));
        assert_eq!(unsigned.accounts[3], AccountMeta::new_readonly(system_program::ID, false));
        assert_eq!(extend_lookup_table(&table, &authority, None, vec![]).accounts.len(), 2);
        assert_eq!(extend_lookup_table(&table, &authority, Some(&payer), vec![]).accounts.len(), 4);
        let close = close_lookup_table(&table, &authority, &payer);
        assert_eq!(close.accounts[2], AccountMeta::new(payer, false));
        assert_eq!(freeze_lookup_table(&table, &authority).data, vec![1, 0, 0, 0]);
        assert_eq!(deactivate_lookup_table(&table, &authority).data, vec![3, 0, 0, 0]);
    }
}
