//! The bank as an [`AddressLoader`]: a v0 message's lookups resolved
//! against the lookup tables in the store, as of the current slot, with
//! Solana's rules and errors (a missing or emptied account, or a
//! deactivated table: not found; another owner; data that is not a table;
//! an index past the addresses usable in this slot).
//!
//! It only reads: tables change through the lookup table program
//! ([`crate::execution::builtins::address_lookup_table`]), and why reading
//! them before any lock is exact is in [`crate::ingest::sanitize`].

use super::{slot_hash_position, Bank};
use crate::ingest::sanitize::AddressLoader;
use lanes_sdk::address_lookup_table::state::AddressLookupTable;
use lanes_sdk::address_lookup_table::{self as alt, AddressLookupError};
use lanes_sdk::message::v0::{LoadedAddresses, MessageAddressTableLookup};

impl AddressLoader for Bank {
    fn load_addresses(&self, lookups: &[MessageAddressTableLookup]) -> Result<LoadedAddresses, AddressLookupError> {
        let mut loaded = LoadedAddresses::default();
        for lookup in lookups {
            let account = self
                .store
                .get(&lookup.account_key)
                .filter(|account| account.lamports > 0)
                .ok_or(AddressLookupError::LookupTableAccountNotFound)?;
            if account.owner != alt::ID {
                return Err(AddressLookupError::InvalidAccountOwner);
            }
            let table =
                AddressLookupTable::deserialize(&account.data).map_err(|_| AddressLookupError::InvalidAccountData)?;
            let status = table.meta.status(self.slot, |slot| slot_hash_position(&self.slot_hashes.lock(), slot));
            loaded.writable.extend(table.lookup(self.slot, &lookup.writable_indexes, status)?);
            loaded.readonly.extend(table.lookup(self.slot, &lookup.readonly_indexes, status)?);
        }
        Ok(loaded)
    }
}
