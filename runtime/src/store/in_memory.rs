//! [`InMemoryAccountStore`]: accounts in memory, for tests, the harness,
//! benchmarks and ledger replay. It keeps nothing on disk.
//!
//! Owns: every account in a cell of its own (its lock and its value), and
//! an index from key to cell — 64 shards, each an open-addressing table of
//! (hash tag, cell) slots, probed by readers without a lock.
//!
//! Why cells: workers on different cores read and write this store for
//! every transaction. With a read-write lock per shard, every read wrote
//! the shard's lock word, a cache line both cores took turns owning; here a
//! read or write writes only the cell of the account it touches, which the
//! scheduler gives to one worker at a time, and the index's lines are only
//! read, except when a key is added (docs/decisions.md, session 15).
//!
//! Invariants: a cell, once in the index, stays in it at the same address
//! until the store is dropped (deleting an account empties its cell;
//! storing the key again refills the same cell), and so does every table
//! ever published, so a reader never follows a pointer to freed memory.
//! A key therefore costs its cell (112 bytes) and a slot (16) until the
//! store drops, even once deleted: the store serves runs of bounded length
//! (a test, a benchmark, replaying one ledger), not a node's lifetime.
//! Only a shard's writer, holding the shard's growth lock, adds cells or
//! replaces the table. A table is at most 3/4 full, so a probe always ends
//! at an empty slot.
//!
//! Never: free a cell or a table while the store lives, hold a cell's lock
//! while taking another, or run a caller's code under a cell's lock.

use super::{AccountStore, AccountView, StoreError};
use crate::pubkey_hash::PubkeyHashState;
use crossbeam_utils::CachePadded;
use lanes_sdk::{Account, Pubkey};
use parking_lot::Mutex;
use std::hash::BuildHasher;
use std::ptr::NonNull;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize};

const SHARD_BITS: u32 = 6;
const SHARDS: usize = 1 << SHARD_BITS;
/// Slots of a shard's first table (a power of two).
const MIN_SLOTS: usize = 16;

/// One account: its key, and its value behind a lock (`None` once deleted).
struct Cell {
    key: Pubkey,
    account: Mutex<Option<Account>>,
}

/// A slot of the index: empty while `tag` is 0, else a cell whose key
/// hashes to `tag`. The cell is written before the tag.
#[derive(Default)]
struct Slot {
    tag: AtomicU64,
    cell: AtomicPtr<Cell>,
}

/// A shard's open-addressing table: linear probing, a power of two slots.
struct Table {
    slots: Box<[Slot]>,
}

impl Table {
    fn with_slots(len: usize) -> Table {
        Table { slots: (0..len).map(|_| Slot::default()).collect() }
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Put `cell` in the first empty slot from `tag`'s on. Only for a table
    /// no reader sees yet, or under the shard's growth lock.
    fn place(&self, tag: u64, cell: *mut Cell) {
        let mut i = tag as usize & self.mask();
        while self.slots[i].tag.load(Relaxed) != 0 {
            i = (i + 1) & self.mask();
        }
        self.slots[i].cell.store(cell, Relaxed);
        // Publishes the cell (and everything written to it) to readers
        // that see the tag.
        self.slots[i].tag.store(tag, Release);
    }

    /// The occupied slots' tags and cells.
    fn entries(&self) -> impl Iterator<Item = (u64, *mut Cell)> + '_ {
        self.slots.iter().filter_map(|slot| match slot.tag.load(Acquire) {
            0 => None,
            tag => Some((tag, slot.cell.load(Relaxed))),
        })
    }

    /// The cells in the table.
    fn cells(&self) -> impl Iterator<Item = *mut Cell> + '_ {
        self.entries().map(|(_, cell)| cell)
    }
}

/// What a shard's writer holds while it adds a key.
struct Growth {
    /// Cells in the shard's table.
    cells: usize,
    /// Tables replaced by larger ones: readers may still be probing them.
    retired: Vec<NonNull<Table>>,
}

/// One shard: its current table, read by every lookup and replaced only
/// when it grows, and, on a line of their own, what writers change.
struct Shard {
    table: CachePadded<AtomicPtr<Table>>,
    growth: CachePadded<Mutex<Growth>>,
    /// Cells holding an account (not deleted).
    live: CachePadded<AtomicUsize>,
}

/// Accounts in per-account cells, found through a lock-free index (see the
/// module documentation).
pub struct InMemoryAccountStore {
    hash_state: PubkeyHashState,
    shards: Box<[Shard]>,
}

// SAFETY: the raw pointers (tables and cells) are owned by the store and
// freed only by its `drop`; a cell's value is behind its mutex and
// `Account` is `Send`, the tables hold only atomics. Sharing the store
// shares nothing that is not `Sync`.
unsafe impl Send for InMemoryAccountStore {}
// SAFETY: as above; every shared access goes through atomics or a mutex.
unsafe impl Sync for InMemoryAccountStore {}

impl Default for InMemoryAccountStore {
    fn default() -> Self {
        let shards = (0..SHARDS)
            .map(|_| Shard {
                table: CachePadded::new(AtomicPtr::new(Box::into_raw(Box::new(Table::with_slots(MIN_SLOTS))))),
                growth: CachePadded::new(Mutex::new(Growth { cells: 0, retired: Vec::new() })),
                live: CachePadded::new(AtomicUsize::new(0)),
            })
            .collect();
        InMemoryAccountStore { hash_state: PubkeyHashState::new(), shards }
    }
}

impl Drop for InMemoryAccountStore {
    fn drop(&mut self) {
        for shard in self.shards.iter_mut() {
            let table = *shard.table.get_mut();
            // SAFETY: `drop` has the store to itself. Every cell is in its
            // shard's current table exactly once (retired tables hold
            // copies of the same pointers), and each pointer came from
            // `Box::into_raw`.
            unsafe {
                for cell in (*table).cells() {
                    drop(Box::from_raw(cell));
                }
                drop(Box::from_raw(table));
                for retired in shard.growth.get_mut().retired.drain(..) {
                    drop(Box::from_raw(retired.as_ptr()));
                }
            }
        }
    }
}

impl InMemoryAccountStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// The key's shard and its tag in that shard's table (never 0).
    fn locate(&self, key: &Pubkey) -> (&Shard, u64) {
        let hash = self.hash_state.hash_one(key);
        (&self.shards[(hash >> (64 - SHARD_BITS)) as usize], hash.max(1))
    }

    fn table(shard: &Shard) -> &Table {
        // SAFETY: a published table is fully built before its pointer is
        // stored (with release; loaded with acquire) and is freed only when
        // the store drops, which cannot happen while `shard` is borrowed.
        unsafe { &*shard.table.load(Acquire) }
    }

    /// The cell of `key`, if the key was ever stored.
    fn find<'a>(&'a self, shard: &'a Shard, tag: u64, key: &Pubkey) -> Option<&'a Cell> {
        let table = Self::table(shard);
        let mut i = tag as usize & table.mask();
        loop {
            let slot = &table.slots[i];
            match slot.tag.load(Acquire) {
                0 => return None,
                t if t == tag => {
                    // SAFETY: the cell pointer was stored before the tag that
                    // was just read, and cells live as long as the store.
                    let cell = unsafe { &*slot.cell.load(Relaxed) };
                    if cell.key == *key {
                        return Some(cell);
                    }
                }
                _ => {}
            }
            i = (i + 1) & table.mask();
        }
    }

    /// The cell of `key`, added (empty) if the key was never stored.
    fn find_or_add<'a>(&'a self, shard: &'a Shard, tag: u64, key: &Pubkey) -> &'a Cell {
        if let Some(cell) = self.find(shard, tag, key) {
            return cell;
        }
        let mut growth = shard.growth.lock();
        // Another writer may have added it since.
        if let Some(cell) = self.find(shard, tag, key) {
            return cell;
        }
        let mut table = Self::table(shard);
        if (growth.cells + 1) * 4 > table.slots.len() * 3 {
            let larger = Table::with_slots(table.slots.len() * 2);
            for (tag, cell) in table.entries() {
                larger.place(tag, cell);
            }
            let larger = Box::into_raw(Box::new(larger));
            let old = shard.table.swap(larger, Release);
            growth.retired.push(NonNull::new(old).expect("a shard always has a table"));
            // SAFETY: just published; freed only when the store drops.
            table = unsafe { &*larger };
        }
        let cell = Box::into_raw(Box::new(Cell { key: *key, account: Mutex::new(None) }));
        table.place(tag, cell);
        growth.cells += 1;
        // SAFETY: just placed; freed only when the store drops.
        unsafe { &*cell }
    }

    /// Run `read` on the account at `key`, under its cell's lock.
    fn read<T>(&self, key: &Pubkey, read: impl FnOnce(&Account) -> T) -> Option<T> {
        let (shard, tag) = self.locate(key);
        let cell = self.find(shard, tag, key)?;
        let account = cell.account.lock();
        account.as_ref().map(read)
    }

    /// A copy of the account at `key`, its data cut to `max_data(account)`
    /// bytes (copying only what is kept).
    fn read_cut(&self, key: &Pubkey, max_data: impl FnOnce(&Account) -> usize) -> Option<Account> {
        self.read(key, |a| Account {
            lamports: a.lamports,
            data: a.data[..a.data.len().min(max_data(a))].to_vec(),
            owner: a.owner,
            executable: a.executable,
        })
    }

    /// Insert each account, or delete it if it has no lamports.
    fn put(&self, updates: impl IntoIterator<Item = (Pubkey, Account)>) {
        for (key, account) in updates {
            let (shard, tag) = self.locate(&key);
            let cell = if account.lamports == 0 {
                match self.find(shard, tag, &key) {
                    Some(cell) => cell,
                    None => continue, // deleting what never existed
                }
            } else {
                self.find_or_add(shard, tag, &key)
            };
            let new = (account.lamports != 0).then_some(account);
            let now_live = new.is_some();
            let replaced = std::mem::replace(&mut *cell.account.lock(), new);
            match (replaced.is_some(), now_live) {
                (false, true) => shard.live.fetch_add(1, Relaxed),
                (true, false) => shard.live.fetch_sub(1, Relaxed),
                _ => 0,
            };
            drop(replaced); // freed outside the lock
        }
    }

    /// Each live account in `shard`'s current table, copied under its
    /// lock when `keep` says so, and passed to `visit` with no lock held
    /// until it returns `false`. `false` if a visit said stop.
    fn for_each_live(
        shard: &Shard,
        keep: &mut dyn FnMut(&Account) -> bool,
        visit: &mut dyn FnMut(&Pubkey, Account) -> bool,
    ) -> bool {
        for cell in Self::table(shard).cells() {
            // SAFETY: cells live as long as the store.
            let cell = unsafe { &*cell };
            let copy = cell.account.lock().as_ref().filter(|a| keep(a)).cloned();
            if let Some(account) = copy {
                if !visit(&cell.key, account) {
                    return false;
                }
            }
        }
        true
    }

    /// Every live account, sorted by key (for state comparisons in tests).
    pub fn snapshot(&self) -> Vec<(Pubkey, Account)> {
        let mut all = Vec::with_capacity(self.len());
        for shard in self.shards.iter() {
            Self::for_each_live(shard, &mut |_| true, &mut |key, account| {
                all.push((*key, account));
                true
            });
        }
        all.sort_by_key(|(key, _)| *key);
        all
    }
}

impl AccountStore for InMemoryAccountStore {
    fn get(&self, key: &Pubkey) -> Option<Account> {
        self.read(key, Account::clone)
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
        self.shards.iter().map(|shard| shard.live.load(Relaxed)).sum()
    }

    /// Cell by cell: each account owned by `owner` is copied under its
    /// cell's lock (held for that account alone) and visited with no lock
    /// held. A key added during the scan may be missed; none is seen twice.
    fn scan_owned_by(&self, owner: &Pubkey, visit: &mut dyn FnMut(&Pubkey, AccountView<'_>) -> bool) {
        for shard in self.shards.iter() {
            let go_on = Self::for_each_live(shard, &mut |a| a.owner == *owner, &mut |key, account| {
                visit(key, AccountView::of(&account))
            });
            if !go_on {
                return;
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
        // Deleting again, or deleting a key never stored, changes nothing.
        store
            .store(2, &[(keys[500], Account::default()), (Pubkey::new_unique_from_u64(5000), Account::default())])
            .unwrap();
        assert_eq!(store.len(), 999);
        assert!(store.get(&Pubkey::new_unique_from_u64(5000)).is_none());
        // A deleted key stored again is live again.
        store.store(3, &[(keys[500], Account::new(7, 3, &Pubkey::default()))]).unwrap();
        assert_eq!((store.len(), store.get(&keys[500]).unwrap().lamports), (1000, 7));
        assert_eq!(store.snapshot().len(), 1000);
    }

    /// Readers probe the index while writers add keys (growing every
    /// shard's table several times over) and rewrite and delete others:
    /// a reader always finds a key stored before it looked, with one of
    /// the values written to it, and never a deleted one.
    #[test]
    fn readers_find_every_stored_key_while_the_index_grows() {
        const EARLY: u64 = 2_000;
        const ADDED_PER_WRITER: u64 = 20_000;
        let store = InMemoryAccountStore::new();
        let early: Vec<(Pubkey, Account)> = (0..EARLY)
            .map(|i| (Pubkey::new_unique_from_u64(i), Account::new(1_000 + i, 8, &Pubkey::default())))
            .collect();
        store.store(0, &early).unwrap();
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            let writers: Vec<_> = (0..2u64)
                .map(|writer| {
                    let store = &store;
                    let early = &early;
                    scope.spawn(move || {
                        for i in 0..ADDED_PER_WRITER {
                            let key = Pubkey::new_unique_from_u64(1_000_000 * (writer + 1) + i);
                            store.store(1, &[(key, Account::new(1 + i, 0, &Pubkey::default()))]).unwrap();
                            // Rewrite an early key (its value stays recognisable:
                            // 1,000 + index, or twice that).
                            let (early_key, early_account) = &early[(i % EARLY) as usize];
                            let twice = Account::new(2 * early_account.lamports, 8, &Pubkey::default());
                            store
                                .store(1, &[(*early_key, if i % 2 == 0 { twice } else { early_account.clone() })])
                                .unwrap();
                            if i % 3 == 0 {
                                store.store(1, &[(key, Account::default())]).unwrap();
                            }
                        }
                    })
                })
                .collect();
            for _ in 0..2 {
                let (store, early, done) = (&store, &early, &done);
                scope.spawn(move || {
                    let mut rounds = 0u64;
                    while !done.load(Acquire) || rounds < 3 {
                        for (key, account) in early {
                            let found = store.get(key).expect("an early key is never deleted");
                            assert!(
                                found.lamports == account.lamports || found.lamports == 2 * account.lamports,
                                "{key}: {} is no value written to it",
                                found.lamports
                            );
                            assert_eq!(found.data.len(), 8);
                        }
                        rounds += 1;
                    }
                });
            }
            for writer in writers {
                writer.join().unwrap();
            }
            done.store(true, Release);
        });
        let expected = EARLY + 2 * (ADDED_PER_WRITER - ADDED_PER_WRITER.div_ceil(3));
        assert_eq!(store.len() as u64, expected);
        assert_eq!(store.snapshot().len() as u64, expected);
        for writer in 0..2u64 {
            for i in 0..ADDED_PER_WRITER {
                let found = store.get(&Pubkey::new_unique_from_u64(1_000_000 * (writer + 1) + i));
                assert_eq!(found.map(|a| a.lamports), (i % 3 != 0).then_some(1 + i));
            }
        }
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
