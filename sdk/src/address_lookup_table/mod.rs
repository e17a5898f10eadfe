//! Solana's address lookup table program, as clients and the runtime see it:
//! its id, its instructions ([`instruction`]: bincode, byte for byte as
//! Solana's), its account layout ([`state`]: a 56-byte [`state::LookupTableMeta`]
//! header, then 32-byte addresses), where a table lives
//! ([`derive_lookup_table_address`]), and [`AddressLookupTableAccount`]: a
//! table's key and addresses as a client holds them to compile a v0 message.
//!
//! This module owns layouts and pure rules only. It must never execute an
//! instruction or decide what a table holds at a slot from anything but the
//! bytes and slots it is given (the program itself is the runtime's), and
//! never panic on account data or instruction bytes from outside.

pub mod instruction;
pub mod state;

use crate::pubkey::Pubkey;
use crate::transaction_error::TransactionError;
use alloc::vec::Vec;
use core::fmt;

pub use instruction::{
    close_lookup_table, create_lookup_table, create_lookup_table_signed, deactivate_lookup_table,
    derive_lookup_table_address, extend_lookup_table, freeze_lookup_table, LookupTableInstruction,
};

crate::declare_id!("AddressLookupTab1e1111111111111111111111111");

/// A lookup table's address and the addresses it holds, as a client fetched
/// them: what [`crate::message::v0::Message::try_compile`] loads accounts from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressLookupTableAccount {
    pub key: Pubkey,
    pub addresses: Vec<Pubkey>,
}

/// Why a lookup could not be resolved (Solana's `AddressLookupError`); each
/// becomes the transaction error Solana reports for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressLookupError {
    /// The table does not exist, or is deactivated.
    LookupTableAccountNotFound,
    /// The account is not owned by the lookup table program.
    InvalidAccountOwner,
    /// The account's data is not a lookup table.
    InvalidAccountData,
    /// An index past the table's active addresses.
    InvalidLookupIndex,
}

impl fmt::Display for AddressLookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressLookupError::LookupTableAccountNotFound => {
                "Attempted to lookup addresses from a table that does not exist"
            }
            AddressLookupError::InvalidAccountOwner => {
                "Attempted to lookup addresses from an account owned by the wrong program"
            }
            AddressLookupError::InvalidAccountData => "Attempted to lookup addresses from an invalid account",
            AddressLookupError::InvalidLookupIndex => "Address lookup contains an invalid index",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for AddressLookupError {}

impl From<AddressLookupError> for TransactionError {
    fn from(err: AddressLookupError) -> Self {
        match err {
            AddressLookupError::LookupTableAccountNotFound => TransactionError::AddressLookupTableNotFound,
            AddressLookupError::InvalidAccountOwner => TransactionError::InvalidAddressLookupTableOwner,
            AddressLookupError::InvalidAccountData => TransactionError::InvalidAddressLookupTableData,
            AddressLookupError::InvalidLookupIndex => TransactionError::InvalidAddressLookupTableIndex,
        }
    }
}
