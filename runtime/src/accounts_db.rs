//! The account-store boundary the bank commits to: [`AccountStore`], and
//! [`InMemoryAccountStore`] for tests and the harness. (The memory-mapped
//! store implements the same trait.)
//!
//! A store never interprets account contents and never applies the account
//! rules: it keeps what the bank hands it, slot by slot. An account stored
//! with zero lamports is deleted, as in Solana.

use lanes_sdk::{Account, Pubkey};
use parking_lot::RwLock;
use std::collections::HashMap;

/// Why a store could not complete a write.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("account store I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("account store is corrupt: {0}")]
    Corrupt(String),
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

    /// Commit `updates` as written in `slot`; zero-lamport accounts are removed.
    fn store(&self, slot: u64, updates: &[(Pubkey, Account)]) -> Result<(), StoreError>;

    /// Number of live accounts.
    fn len(&self) -> usize;

    /// Whether the store holds no accounts.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Accounts in a hash map behind a read-write lock.
#[derive(Default)]
pub struct InMemoryAccountStore {
    accounts: RwLock<HashMap<Pubkey, Account>>,
}

impl InMemoryAccountStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every live account, sorted by key (for state comparisons in tests).
    pub fn snapshot(&self) -> Vec<(Pubkey, Account)> {
        let mut all: Vec<_> = self.accounts.read().iter().map(|(k, a)| (*k, a.clone())).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }
}

impl AccountStore for InMemoryAccountStore {
    fn get(&self, key: &Pubkey) -> Option<Account> {
        self.accounts.read().get(key).cloned()
    }

    fn get_prefix(&self, key: &Pubkey, max_data: usize) -> Option<Account> {
        self.accounts.read().get(key).map(|a| Account {
            lamports: a.lamports,
            data: a.data[..a.data.len().min(max_data)].to_vec(),
            owner: a.owner,
            executable: a.executable,
        })
    }

    fn store(&self, _slot: u64, updates: &[(Pubkey, Account)]) -> Result<(), StoreError> {
        let mut accounts = self.accounts.write();
        for (key, account) in updates {
            if account.lamports == 0 {
                accounts.remove(key);
            } else {
                accounts.insert(*key, account.clone());
            }
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.accounts.read().len()
    }
}
