//! Where committed accounts live: the [`AccountStore`] trait the bank
//! commits to, [`InMemoryAccountStore`] (tests, the harness, benchmarks) and
//! [`mmap::MmapAccountStore`], the persistent, crash-safe store
//! (`docs/store.md`).
//!
//! A store never interprets account contents and never applies the account
//! rules: it keeps what the bank hands it, slot by slot. An account stored
//! with zero lamports is deleted, as in Solana.

mod in_memory;
pub mod mmap;

pub use in_memory::InMemoryAccountStore;

use lanes_sdk::{Account, Pubkey};

/// Why a store could not complete a write.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("account store I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("account store is corrupt: {0}")]
    Corrupt(String),
}

/// A commit decided by [`AccountStore::prepare_commit_slot`], not yet durable.
pub trait PreparedCommit: Send {
    /// Make the prepared state durable.
    fn finish(self: Box<Self>) -> Result<(), StoreError>;
}

/// What a store that commits at once prepares.
struct AlreadyCommitted;

impl PreparedCommit for AlreadyCommitted {
    fn finish(self: Box<Self>) -> Result<(), StoreError> {
        Ok(())
    }
}

/// An account as a scan ([`AccountStore::scan_owned_by`]) shows it: its
/// data borrowed from the store for the length of one visit, so a visitor
/// that keeps only some accounts (or part of their data) copies only those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountView<'a> {
    pub lamports: u64,
    pub data: &'a [u8],
    pub owner: Pubkey,
    pub executable: bool,
}

impl<'a> AccountView<'a> {
    /// A view of `account`.
    pub fn of(account: &'a Account) -> AccountView<'a> {
        AccountView {
            lamports: account.lamports,
            data: &account.data,
            owner: account.owner,
            executable: account.executable,
        }
    }

    /// An owned copy, with at most `max_data` bytes of data from `data_offset` on.
    pub fn to_account_sliced(&self, data_offset: usize, max_data: usize) -> Account {
        let start = data_offset.min(self.data.len());
        let end = start.saturating_add(max_data).min(self.data.len());
        Account {
            lamports: self.lamports,
            data: self.data[start..end].to_vec(),
            owner: self.owner,
            executable: self.executable,
        }
    }

    /// An owned copy.
    pub fn to_account(&self) -> Account {
        self.to_account_sliced(0, usize::MAX)
    }
}

/// Where committed accounts live.
pub trait AccountStore: Send + Sync {
    /// The newest committed version of `key`, if it exists.
    fn get(&self, key: &Pubkey) -> Option<Account>;

    /// As [`AccountStore::get`], with the data cut to at most `max_data`
    /// bytes: the bank loads read-only executable accounts this way, since
    /// nothing but their loader header is read during execution.
    fn get_prefix(&self, key: &Pubkey, max_data: usize) -> Option<Account> {
        self.get(key).map(|mut account| {
            account.data.truncate(max_data);
            account
        })
    }

    /// As [`AccountStore::get`], with an executable account's data cut to at
    /// most `max_executable_data` bytes. The bank loads every read-only
    /// account this way: programs never see an executable account's data
    /// (their code comes from the executor's cache), so copying it is waste.
    fn get_executable_prefix(&self, key: &Pubkey, max_executable_data: usize) -> Option<Account> {
        self.get(key).map(|mut account| {
            if account.executable {
                account.data.truncate(max_executable_data);
            }
            account
        })
    }

    /// Commit `updates` as written in `slot`; zero-lamport accounts are removed.
    fn store(&self, slot: u64, updates: &[(Pubkey, Account)]) -> Result<(), StoreError>;

    /// As [`AccountStore::store`], taking the updates: stores that keep
    /// accounts as values move them in instead of copying.
    fn store_owned(&self, slot: u64, updates: Vec<(Pubkey, Account)>) -> Result<(), StoreError> {
        self.store(slot, &updates)
    }

    /// Number of live accounts.
    fn len(&self) -> usize;

    /// Call `visit` with every live account whose owner is `owner` (the
    /// newest stored version of each key; deleted keys are not live), in no
    /// particular order, until it returns `false`. O(live accounts): stores
    /// keep no index by owner.
    ///
    /// Not a snapshot: a key stored during the scan may be seen before or
    /// after the store, each key at most once. The scan never holds a lock
    /// that writers wait for longer than one pass over one shard of the
    /// store (copying the shard's locations or the owner's keys), and holds
    /// none while `visit` runs, so a scan under full load does not stall
    /// execution.
    fn scan_owned_by(&self, owner: &Pubkey, visit: &mut dyn FnMut(&Pubkey, AccountView<'_>) -> bool);

    /// Make every `store` of slots up to `slot` durable: after a crash the
    /// store reopens with exactly the state of the last committed slot. The
    /// caller commits once all of the slot's stores have returned and before
    /// any store of a later slot. Stores that keep nothing on disk (the
    /// in-memory store) have nothing to do.
    fn commit_slot(&self, _slot: u64) -> Result<(), StoreError> {
        Ok(())
    }

    /// [`AccountStore::commit_slot`] in two halves, so a node can write its
    /// ledger while the next slot executes: this half decides what the
    /// commit will hold (every store of slots up to `slot`, none after it)
    /// and must be called where `commit_slot` would be; stores of later
    /// slots may follow at once, and [`PreparedCommit::finish`] makes the
    /// decided state durable. One prepared commit at a time, finished in
    /// slot order. Dropping it unfinished commits nothing. By default the
    /// whole commit happens here and finishing does nothing.
    fn prepare_commit_slot(&self, slot: u64) -> Result<Box<dyn PreparedCommit>, StoreError> {
        self.commit_slot(slot)?;
        Ok(Box::new(AlreadyCommitted))
    }

    /// The last slot made durable by [`AccountStore::commit_slot`], if the
    /// store persists and a slot was committed.
    fn committed_slot(&self) -> Option<u64> {
        None
    }

    /// Whether the store holds no accounts.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
