//! A lookup table account's data, byte for byte as Solana's: a bincode
//! [`ProgramState`] in the first [`LOOKUP_TABLE_META_SIZE`] (56) bytes — a
//! `u32` tag (0 uninitialized, 1 table), then the [`LookupTableMeta`]:
//! deactivation slot `u64` (`u64::MAX` while active), last extended slot
//! `u64`, the index that extension started at `u8`, the authority as
//! `Option<Pubkey>` (a tag byte, then 32 bytes when present), two bytes of
//! padding — zero-filled to 56 bytes, then the addresses, 32 bytes each.
//!
//! Also the rules a table's bytes and the slot decide alone: its status (the
//! deactivation cool-down of [`SLOT_HASHES_MAX_ENTRIES`] slots) and which
//! addresses a lookup may use (not those appended in the current slot).
//!
//! Owns the layout and those rules; must never panic on account data from
//! outside, nor look anything up in a deactivated table.

use super::AddressLookupError;
use crate::cursor::{put_option_pubkey, Cursor};
use crate::instruction::InstructionError;
use crate::pubkey::Pubkey;
use alloc::vec::Vec;

/// Most addresses one table holds.
pub const LOOKUP_TABLE_MAX_ADDRESSES: usize = 256;
/// Bytes before the first address.
pub const LOOKUP_TABLE_META_SIZE: usize = 56;
/// Recent slots Solana's `SlotHashes` sysvar keeps: a deactivated table
/// stays usable until its deactivation slot leaves them.
pub const SLOT_HASHES_MAX_ENTRIES: usize = 512;

/// A table's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupTableMeta {
    /// `u64::MAX` while active; else the slot it was deactivated in.
    pub deactivation_slot: u64,
    /// The slot of the last extension: addresses it appended are not usable
    /// in that slot.
    pub last_extended_slot: u64,
    /// How many addresses the table held before that extension.
    pub last_extended_slot_start_index: u8,
    /// Who may extend, freeze, deactivate and close it; `None`: frozen.
    pub authority: Option<Pubkey>,
    /// Keeps the addresses 8-byte aligned; written back as read.
    pub padding: u16,
}

impl Default for LookupTableMeta {
    fn default() -> Self {
        LookupTableMeta {
            deactivation_slot: u64::MAX,
            last_extended_slot: 0,
            last_extended_slot_start_index: 0,
            authority: None,
            padding: 0,
        }
    }
}

/// Whether a table can be used for lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupTableStatus {
    Activated,
    /// Deactivated, still usable for `remaining_blocks` slots.
    Deactivating {
        remaining_blocks: usize,
    },
    /// Unusable, and closable.
    Deactivated,
}

impl LookupTableMeta {
    /// An active table controlled by `authority`.
    pub fn new(authority: Pubkey) -> Self {
        LookupTableMeta { authority: Some(authority), ..LookupTableMeta::default() }
    }

    /// The table's status at `current_slot`, as Solana decides it:
    /// `slot_hash_position(slot)` is where `slot` stands in the recent slot
    /// hashes, newest first (Solana's `SlotHashes::position`), `None` if it
    /// has left them.
    pub fn status(
        &self,
        current_slot: u64,
        slot_hash_position: impl FnOnce(u64) -> Option<usize>,
    ) -> LookupTableStatus {
        if self.deactivation_slot == u64::MAX {
            LookupTableStatus::Activated
        } else if self.deactivation_slot == current_slot {
            LookupTableStatus::Deactivating { remaining_blocks: SLOT_HASHES_MAX_ENTRIES + 1 }
        } else if let Some(position) = slot_hash_position(self.deactivation_slot) {
            LookupTableStatus::Deactivating { remaining_blocks: SLOT_HASHES_MAX_ENTRIES.saturating_sub(position) }
        } else {
            LookupTableStatus::Deactivated
        }
    }
}

/// What a lookup table program account holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramState {
    Uninitialized,
    LookupTable(LookupTableMeta),
}

impl ProgramState {
    /// The bincode bytes (24 for a table without authority, 56 with one; 4
    /// when uninitialized), without the zero fill.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(LOOKUP_TABLE_META_SIZE);
        match self {
            ProgramState::Uninitialized => out.extend_from_slice(&0u32.to_le_bytes()),
            ProgramState::LookupTable(meta) => {
                out.extend_from_slice(&1u32.to_le_bytes());
                out.extend_from_slice(&meta.deactivation_slot.to_le_bytes());
                out.extend_from_slice(&meta.last_extended_slot.to_le_bytes());
                out.push(meta.last_extended_slot_start_index);
                put_option_pubkey(&mut out, &meta.authority);
                out.extend_from_slice(&meta.padding.to_le_bytes());
            }
        }
        out
    }

    /// Decode the front of account data; bytes after the state are ignored,
    /// as bincode ignores them. `None` for anything else.
    pub fn decode(data: &[u8]) -> Option<Self> {
        let mut c = Cursor::new(data);
        match c.u32()? {
            0 => Some(ProgramState::Uninitialized),
            1 => Some(ProgramState::LookupTable(LookupTableMeta {
                deactivation_slot: c.u64()?,
                last_extended_slot: c.u64()?,
                last_extended_slot_start_index: c.u8()?,
                authority: c.option_pubkey()?,
                padding: c.u16()?,
            })),
            _ => None,
        }
    }
}

/// A decoded lookup table: its header and its addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressLookupTable {
    pub meta: LookupTableMeta,
    pub addresses: Vec<Pubkey>,
}

impl AddressLookupTable {
    /// Decode account data as Solana does: an uninitialized account is
    /// [`InstructionError::UninitializedAccount`]; a header that does not
    /// decode, data shorter than the header, or addresses that are not whole
    /// 32-byte keys are [`InstructionError::InvalidAccountData`].
    pub fn deserialize(data: &[u8]) -> Result<Self, InstructionError> {
        let meta = match ProgramState::decode(data) {
            Some(ProgramState::LookupTable(meta)) => meta,
            Some(ProgramState::Uninitialized) => return Err(InstructionError::UninitializedAccount),
            None => return Err(InstructionError::InvalidAccountData),
        };
        let raw = data.get(LOOKUP_TABLE_META_SIZE..).ok_or(InstructionError::InvalidAccountData)?;
        if raw.len() % 32 != 0 {
            return Err(InstructionError::InvalidAccountData);
        }
        let addresses = raw.chunks_exact(32).map(|c| Pubkey(c.try_into().expect("32-byte chunk"))).collect();
        Ok(AddressLookupTable { meta, addresses })
    }

    /// The account data: the header zero-filled to 56 bytes, then the addresses.
    pub fn serialize(&self) -> Vec<u8> {
        let mut data = alloc::vec![0u8; LOOKUP_TABLE_META_SIZE];
        Self::overwrite_meta_data(&mut data, &self.meta).expect("the buffer holds the header");
        for address in &self.addresses {
            data.extend_from_slice(&address.0);
        }
        data
    }

    /// Rewrite the header at the front of `data` (zero-filling the rest of
    /// its 56 bytes), leaving the addresses; data shorter than the header is
    /// [`InstructionError::InvalidAccountData`].
    pub fn overwrite_meta_data(data: &mut [u8], meta: &LookupTableMeta) -> Result<(), InstructionError> {
        let header = data.get_mut(..LOOKUP_TABLE_META_SIZE).ok_or(InstructionError::InvalidAccountData)?;
        let bytes = ProgramState::LookupTable(meta.clone()).encode();
        header.fill(0);
        header[..bytes.len()].copy_from_slice(&bytes);
        Ok(())
    }

    /// How many addresses a lookup may use at `current_slot` with the table
    /// in `status`: none if deactivated
    /// ([`AddressLookupError::LookupTableAccountNotFound`], as Solana, so a
    /// closed and a deactivated table look alike); all of them after the
    /// slot of the last extension; in that slot, only those it held before.
    pub fn active_addresses_len(
        &self,
        current_slot: u64,
        status: LookupTableStatus,
    ) -> Result<usize, AddressLookupError> {
        if status == LookupTableStatus::Deactivated {
            return Err(AddressLookupError::LookupTableAccountNotFound);
        }
        let len = if current_slot > self.meta.last_extended_slot {
            self.addresses.len()
        } else {
            usize::from(self.meta.last_extended_slot_start_index)
        };
        if len > self.addresses.len() {
            return Err(AddressLookupError::InvalidAccountData);
        }
        Ok(len)
    }

    /// The addresses at `indexes` among the active ones; any index past them
    /// is [`AddressLookupError::InvalidLookupIndex`].
    pub fn lookup(
        &self,
        current_slot: u64,
        indexes: &[u8],
        status: LookupTableStatus,
    ) -> Result<Vec<Pubkey>, AddressLookupError> {
        let active = &self.addresses[..self.active_addresses_len(current_slot, status)?];
        indexes
            .iter()
            .map(|&i| active.get(usize::from(i)).copied().ok_or(AddressLookupError::InvalidLookupIndex))
            .collect()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn table(meta: LookupTableMeta, n: u64) -> AddressLookupTable {
        AddressLookupTable { meta, addresses: (0..n).map(Pubkey::new_unique_from_u64).collect() }
    }

    #[test]
    fn meta_sizes_are_solanas() {
        let with = ProgramState::LookupTable(LookupTableMeta::new(Pubkey([7; 32])));
        assert_eq!(with.encode().len(), LOOKUP_TABLE_META_SIZE);
        assert_eq!(ProgramState::LookupTable(LookupTableMeta::default()).encode().len(), 24);
        assert_eq!(ProgramState::Uninitialized.encode(), vec![0, 0, 0, 0]);
        let bytes = with.encode();
        assert_eq!(&bytes[..4], &[1, 0, 0, 0]);
        assert_eq!(&bytes[4..12], &[0xff; 8], "active: deactivation slot u64::MAX");
        assert_eq!(bytes[21], 1, "authority present");
        assert_eq!(&bytes[22..54], &[7; 32]);
        assert_eq!(ProgramState::decode(&bytes), Some(with));
    }

    #[test]
    fn account_data_round_trips_and_bad_data_is_refused() {
        let t = table(
            LookupTableMeta {
                deactivation_slot: 9,
                last_extended_slot: 4,
                last_extended_slot_start_index: 2,
                authority: None,
                padding: 0x0102,
            },
            3,
        );
        let data = t.serialize();
        assert_eq!(data.len(), LOOKUP_TABLE_META_SIZE + 3 * 32);
        assert_eq!(AddressLookupTable::deserialize(&data), Ok(t.clone()));
        assert_eq!(AddressLookupTable::deserialize(&data[..LOOKUP_TABLE_META_SIZE]).unwrap().addresses, vec![]);
        let invalid = Err(InstructionError::InvalidAccountData);
        assert_eq!(AddressLookupTable::deserialize(&data[..data.len() - 1]), invalid);
        assert_eq!(AddressLookupTable::deserialize(&data[..40]), invalid);
        assert_eq!(AddressLookupTable::deserialize(&[]), invalid);
        let mut bad_tag = data.clone();
        bad_tag[0] = 2;
        assert_eq!(AddressLookupTable::deserialize(&bad_tag), invalid);
        let mut bad_option = data.clone();
        bad_option[21] = 2;
        assert_eq!(AddressLookupTable::deserialize(&bad_option), invalid);
        assert_eq!(AddressLookupTable::deserialize(&[0; 56]), Err(InstructionError::UninitializedAccount));
        let mut short = data;
        assert_eq!(
            AddressLookupTable::overwrite_meta_data(&mut short[..55], &t.meta),
            Err(InstructionError::InvalidAccountData)
        );
    }

    #[test]
    fn status_follows_the_slot_hashes_cool_down() {
        let at = |deactivation_slot| LookupTableMeta { deactivation_slot, ..LookupTableMeta::default() };
        assert_eq!(at(u64::MAX).status(10, |_| None), LookupTableStatus::Activated);
        assert_eq!(at(10).status(10, |_| None), LookupTableStatus::Deactivating { remaining_blocks: 513 });
        assert_eq!(at(9).status(10, |_| Some(0)), LookupTableStatus::Deactivating { remaining_blocks: 512 });
        assert_eq!(at(1).status(600, |_| Some(511)), LookupTableStatus::Deactivating { remaining_blocks: 1 });
        assert_eq!(at(1).status(600, |_| None), LookupTableStatus::Deactivated);
    }

    #[test]
    fn addresses_appended_this_slot_are_not_yet_usable() {
        let meta = LookupTableMeta { last_extended_slot: 5, last_extended_slot_start_index: 2, ..Default::default() };
        let t = table(meta, 4);
        let active = LookupTableStatus::Activated;
        assert_eq!(t.active_addresses_len(5, active), Ok(2));
        assert_eq!(t.active_addresses_len(6, active), Ok(4));
        assert_eq!(t.lookup(5, &[1, 0], active), Ok(vec![t.addresses[1], t.addresses[0]]));
        assert_eq!(t.lookup(5, &[2], active), Err(AddressLookupError::InvalidLookupIndex));
        assert_eq!(t.lookup(6, &[3], active), Ok(vec![t.addresses[3]]));
        assert_eq!(
            t.lookup(6, &[0], LookupTableStatus::Deactivated),
            Err(AddressLookupError::LookupTableAccountNotFound)
        );
        assert!(t.lookup(6, &[0], LookupTableStatus::Deactivating { remaining_blocks: 3 }).is_ok());
        let corrupt = table(
            LookupTableMeta { last_extended_slot: 5, last_extended_slot_start_index: 9, ..Default::default() },
            4,
        );
        assert_eq!(corrupt.active_addresses_len(5, active), Err(AddressLookupError::InvalidAccountData));
    }
}
