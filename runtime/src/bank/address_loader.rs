//! The bank as an [`AddressLoader`]: a v0 message's lookups resolved
//! against the lookup tables in the store, as of the current slot, with
//! Solana's rules and errors (a missing or emptied account, or a
//! deactivated table: not found; another owner; data that is not a table;
//! an index past the addresses usable in this slot).
//!
//! Tables are read once a slot: the first lookup decodes a table and keeps
//! it until the slot ends (or the bank's [`Bank::set_account`] writes it).
//! That gives the same answers as reading the store every time because a
//! table's usable addresses never change within a slot (see
//! [`crate::ingest::sanitize`]); a table that did not resolve is not kept,
//! so each refusal names its own error.
//!
//! It only reads: tables change through the lookup table program
//! ([`crate::execution::builtins::address_lookup_table`]).

use super::{slot_hash_position, Bank};
use crate::ingest::sanitize::AddressLoader;
use lanes_sdk::address_lookup_table::state::AddressLookupTable;
use lanes_sdk::address_lookup_table::{self as alt, AddressLookupError};
use lanes_sdk::message::v0::{LoadedAddresses, MessageAddressTableLookup};
use lanes_sdk::Pubkey;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

/// Tables decoded in the current slot, by key.
#[derive(Default)]
pub(super) struct LookupTableCache {
    tables: RwLock<HashMap<Pubkey, Arc<AddressLookupTable>>>,
}

impl LookupTableCache {
    /// Forget every table: the slot ended.
    pub(super) fn clear(&mut self) {
        self.tables.get_mut().clear();
    }

    /// Forget `key`'s table: something other than a transaction wrote it.
    pub(super) fn forget(&self, key: &Pubkey) {
        if self.tables.read().contains_key(key) {
            self.tables.write().remove(key);
        }
    }
}

impl Bank {
    /// `key`'s table, from this slot's cache or the store.
    fn lookup_table(&self, key: &Pubkey) -> Result<Arc<AddressLookupTable>, AddressLookupError> {
        if let Some(table) = self.lookup_tables.tables.read().get(key) {
            return Ok(table.clone());
        }
        let account = self
            .store
            .get(key)
            .filter(|account| account.lamports > 0)
            .ok_or(AddressLookupError::LookupTableAccountNotFound)?;
        if account.owner != alt::ID {
            return Err(AddressLookupError::InvalidAccountOwner);
        }
        let table = Arc::new(
            AddressLookupTable::deserialize(&account.data).map_err(|_| AddressLookupError::InvalidAccountData)?,
        );
        self.lookup_tables.tables.write().insert(*key, table.clone());
        Ok(table)
    }
}

impl AddressLoader for Bank {
    fn load_addresses(&self, lookups: &[MessageAddressTableLookup]) -> Result<LoadedAddresses, AddressLookupError> {
        let mut loaded = LoadedAddresses::default();
        for lookup in lookups {
            let table = self.lookup_table(&lookup.account_key)?;
            let status = table.meta.status(self.slot, |slot| slot_hash_position(&self.slot_hashes.lock(), slot));
            loaded.writable.extend(table.lookup(self.slot, &lookup.writable_indexes, status)?);
            loaded.readonly.extend(table.lookup(self.slot, &lookup.readonly_indexes, status)?);
        }
        Ok(loaded)
    }
}
