//! [`InMemoryAccountStore`]: accounts in sharded hash maps, for tests, the
//! harness and benchmarks. It keeps nothing on disk.

use super::{AccountStore, AccountView, StoreError};
use crate::pubkey_hash::PubkeyHashState;
use crossbeam_utils::CachePadded;
use lanes_sdk::{Account, Pubkey};
use parking_lot::RwLock;
use std::collections::HashMap;

/// Shards of the in-memory store: enough that concurrent workers rarely
/// meet on one lock.
const SHARDS: usize = 64;

/// Accounts in hash maps, sharded by key, each behind a read-write lock.
pub struct InMemoryAccountStore {
    shards: Vec<CachePadded<RwLock<HashMap<Pubkey, Account, PubkeyHashState>>>>,
}

impl Default for InMemoryAccountStore {
    fn default() -> Self {
        let hash_state = PubkeyHashState::new();
        InMemoryAccountStore {
            shards: (0..SHARDS).map(|_| CachePadded::new(RwLock::new(HashMap::with_hasher(hash_state)))).collect(),
        }
    }
}

impl InMemoryAccountStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn shard(&self, key: &Pubkey) -> &RwLock<HashMap<Pubkey, Account, PubkeyHashState>> {
        // Keys are hashes or random public keys; xor two bytes so that test
        // keys built from small integers spread too.
        &self.shards[(key.0[0] ^ key.0[31]) as usize % SHARDS]
    }

    /// A copy of the account at `key`, its data cut to `max_data(account)`
    /// bytes (copying only what is kept).
    fn read_cut(&self, key: &Pubkey, max_data: impl FnOnce(&Account) -> usize) -> Option<Account> {
        self.shard(key).read().get(key).map(|a| Account {
            lamports: a.lamports,
            data: a.data[..a.data.len().min(max_data(a))].to_vec(),
            owner: a.owner,
            executable: a.executable,
        })
    }

    /// Insert each account, or remove it if it has no lamports.
    fn put(&self, updates: impl IntoIterator<Item = (Pubkey, Account)>) {
        for (key, account) in updates {
            let mut shard = self.shard(&key).write();
            let replaced = if account.lamports == 0 { shard.remove(&key) } else { shard.insert(key, account) };
            drop(shard);
            drop(replaced); // freed outside the lock
        }
    }

    /// Every live account, sorted by key (for state comparisons in tests).
    pub fn snapshot(&self) -> Vec<(Pubkey, Account)> {
        let mut all: Vec<_> = self
            .shards
            .iter()
            .flat_map(|s| s.read().iter().map(|(k, a)| (*k, a.clone())).collect::<Vec<_>>())
            .collect();
        all.sort_by_key(|(key, _)| *key);
        all
    }
}

impl AccountStore for InMemoryAccountStore {
    fn get(&self, key: &Pubkey) -> Option<Account> {
        self.shard(key).read().get(key).cloned()
    }

    fn get_prefix(&self, key: &Pubkey, max_data: usize) -> Option<Account> {
        self.read_cut(key, |_| max_data)
    }

    fn get_executable_prefix(&self, key: &Pubkey, max_executable_data: usize) -> Option<Account> {
        self.read_cut(key, |a| if a.executable { max_executable_data } else { usize::MAX })
    }

    fn store(&self, _slot: u64, updates: &[(Pubkey, Account)]) -> Result<(), StoreError> {
        self.put(updates.iter().cloned());
        Ok(())
    }

    fn store_owned(&self, _slot: u64, updates: Vec<(Pubkey, Account)>) -> Result<(), StoreError> {
        self.put(updates);
        Ok(())
    }

    fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().len()).sum()
    }

    /// Shard by shard: the owner's keys are gathered in one pass under the
    /// shard's read lock, then each account is read again and copied under
    /// a lock held for that account alone, and visited with no lock held.
    fn scan_owned_by(&self, owner: &Pubkey, visit: &mut dyn FnMut(&Pubkey, AccountView<'_>) -> bool) {
        let mut keys = Vec::new();
        for shard in &self.shards {
            keys.clear();
            keys.extend(shard.read().iter().filter(|(_, a)| a.owner == *owner).map(|(key, _)| *key));
            for key in &keys {
                // Stored again, reassigned or deleted since: as it is now.
                let Some(account) = shard.read().get(key).filter(|a| a.owner == *owner).cloned() else {
                    continue;
                };
                if !visit(key, AccountView::of(&account)) {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_keeps_what_it_is_given_and_deletes_emptied_accounts() {
        let store = InMemoryAccountStore::new();
        let keys: Vec<Pubkey> = (0..1000).map(Pubkey::new_unique_from_u64).collect();
        let updates: Vec<(Pubkey, Account)> =
            keys.iter().enumerate().map(|(i, k)| (*k, Account::new(i as u64 + 1, i % 7, &Pubkey::default()))).collect();
        store.store(0, &updates).unwrap();
        assert_eq!(store.len(), 1000);
        assert_eq!(store.get(&keys[500]).unwrap().lamports, 501);
        assert_eq!(store.get(&keys[6]).unwrap().data.len(), 6);
        store.store_owned(1, vec![(keys[500], Account::new(0, 0, &Pubkey::default()))]).unwrap();
        assert!(store.get(&keys[500]).is_none());
        assert_eq!(store.len(), 999);
    }

    /// The newest version of each key owned by the program, none deleted;
    /// a visitor that says stop is not called again.
    #[test]
    fn scan_owned_by_sees_the_newest_live_versions() {
        let store = InMemoryAccountStore::new();
        let (program, other) = (Pubkey::new_unique_from_u64(9000), Pubkey::new_unique_from_u64(9001));
        let keys: Vec<Pubkey> = (0..300).map(Pubkey::new_unique_from_u64).collect();
        let owned = |i: usize, lamports: u64, owner: &Pubkey| (keys[i], Account::new(lamports, i % 5, owner));
        store
            .store(0, &(0..300).map(|i| owned(i, 1, if i % 3 == 0 { &other } else { &program })).collect::<Vec<_>>())
            .unwrap();
        // Overwritten (newer lamports, and one reassigned each way) and deleted.
        store
            .store(1, &[owned(1, 77, &program), owned(2, 5, &other), owned(3, 6, &program), owned(4, 0, &program)])
            .unwrap();

        let mut seen = Vec::new();
        store.scan_owned_by(&program, &mut |key, view| {
            seen.push((*key, view.to_account()));
            true
        });
        seen.sort_by_key(|(key, _)| *key);
        let expected: Vec<(Pubkey, Account)> =
            store.snapshot().into_iter().filter(|(_, a)| a.owner == program).collect();
        assert_eq!(seen, expected);
        assert_eq!(seen.len(), 200 - 2 + 1, "two left the program (2 reassigned, 4 deleted), one joined (3)");
        assert!(seen.iter().any(|(k, a)| *k == keys[1] && a.lamports == 77));
        assert!(!seen.iter().any(|(k, _)| *k == keys[2] || *k == keys[4]));

        let mut visits = 0;
        store.scan_owned_by(&program, &mut |_, _| {
            visits += 1;
            visits < 10
        });
        assert_eq!(visits, 10);
        store.scan_owned_by(&Pubkey::new_unique_from_u64(9002), &mut |_, _| panic!("nothing is owned by it"));
    }
}
