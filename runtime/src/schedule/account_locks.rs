//! Thread-aware account locks: read-shared, write-exclusive, taken
//! all-or-nothing, and remembering *which worker* holds them, so that a
//! transaction conflicting only with work already queued on one worker can
//! be queued behind it on that same worker instead of waiting.
//!
//! Invariants: an account is either write-locked by exactly one worker
//! (possibly several times, by consecutive transactions queued there) or
//! read-locked by any number of workers (counted), never both. Unlocking what
//! is not held is a scheduler bug; debug builds panic on it.
//!
//! Only the scheduler thread touches these locks: no synchronisation inside.

use lanes_sdk::Pubkey;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::OnceLock;

/// A key with its hash computed once (at sanitize time, off the scheduler
/// thread). The hash is SipHash keyed per process, so an attacker choosing
/// keys cannot aim collisions at the lock table.
#[derive(Debug, Clone, Copy)]
pub struct HashedKey {
    pub key: Pubkey,
    hash: u64,
}

impl HashedKey {
    pub fn new(key: Pubkey) -> Self {
        static KEYED: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
        let hash = KEYED.get_or_init(Default::default).hash_one(key);
        HashedKey { key, hash }
    }
}

impl PartialEq for HashedKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for HashedKey {}

impl Hash for HashedKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Hashes a [`HashedKey`] by its precomputed hash.
#[derive(Debug, Default, Clone, Copy)]
pub struct PrehashedState;

impl BuildHasher for PrehashedState {
    type Hasher = PrehashedHasher;
    fn build_hasher(&self) -> PrehashedHasher {
        PrehashedHasher(0)
    }
}

/// See [`PrehashedState`].
#[derive(Debug, Default, Clone, Copy)]
pub struct PrehashedHasher(u64);

impl Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only reached if something other than a HashedKey is hashed: fold it in.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ *b as u64;
        }
    }
    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }
}

/// A set of keys with precomputed hashes.
pub type KeySet = std::collections::HashSet<HashedKey, PrehashedState>;

/// Most workers the lock table can track (bits of a `u64` set).
pub const MAX_THREADS: usize = 64;

/// A set of worker indices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThreadSet(u64);

impl ThreadSet {
    pub const fn none() -> Self {
        ThreadSet(0)
    }
    pub fn all(num_threads: usize) -> Self {
        ThreadSet(if num_threads >= 64 { u64::MAX } else { (1u64 << num_threads) - 1 })
    }
    pub fn only(thread: usize) -> Self {
        ThreadSet(1 << thread)
    }
    pub fn contains(self, thread: usize) -> bool {
        self.0 & (1 << thread) != 0
    }
    pub fn intersect(self, other: ThreadSet) -> ThreadSet {
        ThreadSet(self.0 & other.0)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    /// The one member, if there is exactly one.
    pub fn only_member(self) -> Option<usize> {
        (self.len() == 1).then(|| self.0.trailing_zeros() as usize)
    }
    /// Members in increasing order (one step per member, not per bit).
    pub fn iter(self) -> impl Iterator<Item = usize> {
        let mut rest = self.0;
        std::iter::from_fn(move || {
            if rest == 0 {
                return None;
            }
            let t = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            Some(t)
        })
    }
    /// The set of these workers.
    pub fn from_iter_threads(threads: impl Iterator<Item = usize>) -> Self {
        ThreadSet(threads.fold(0, |set, t| set | (1 << t)))
    }
}

#[derive(Debug, Default, Clone)]
struct AccountLock {
    /// Worker holding the write lock and how many queued transactions hold it.
    write: Option<(usize, u32)>,
    /// Read locks per worker.
    reads: [u32; 2],
    /// Workers holding read locks beyond the first two (rare: many workers).
    more_reads: Option<Box<[u32; MAX_THREADS]>>,
}

impl AccountLock {
    fn read_count(&self, thread: usize) -> u32 {
        match (&self.more_reads, thread) {
            (Some(all), t) => all[t],
            (None, t) if t < 2 => self.reads[t],
            _ => 0,
        }
    }
    fn read_threads(&self) -> ThreadSet {
        let mut set = 0u64;
        match &self.more_reads {
            Some(all) => {
                for (t, n) in all.iter().enumerate() {
                    if *n > 0 {
                        set |= 1 << t;
                    }
                }
            }
            None => {
                for (t, n) in self.reads.iter().enumerate() {
                    if *n > 0 {
                        set |= 1 << t;
                    }
                }
            }
        }
        ThreadSet(set)
    }
    fn add_read(&mut self, thread: usize) {
        if thread >= 2 && self.more_reads.is_none() {
            let mut all = Box::new([0u32; MAX_THREADS]);
            all[..2].copy_from_slice(&self.reads);
            self.more_reads = Some(all);
        }
        match &mut self.more_reads {
            Some(all) => all[thread] += 1,
            None => self.reads[thread] += 1,
        }
    }
    fn remove_read(&mut self, thread: usize) {
        let count = match &mut self.more_reads {
            Some(all) => &mut all[thread],
            None => &mut self.reads[thread],
        };
        debug_assert!(*count > 0, "read-unlocking an account this worker does not hold");
        *count = count.saturating_sub(1);
    }
    fn is_free(&self) -> bool {
        self.write.is_none() && self.read_threads().is_empty()
    }
}

/// The lock table.
#[derive(Debug)]
pub struct ThreadAwareAccountLocks {
    num_threads: usize,
    locks: HashMap<HashedKey, AccountLock, PrehashedState>,
}

impl ThreadAwareAccountLocks {
    pub fn new(num_threads: usize) -> Self {
        assert!((1..=MAX_THREADS).contains(&num_threads), "between 1 and {MAX_THREADS} workers");
        ThreadAwareAccountLocks { num_threads, locks: HashMap::with_capacity_and_hasher(4096, PrehashedState) }
    }

    /// Workers a transaction with these keys could be queued on now: for a
    /// written key, only the worker already holding it (read or write), or
    /// any if it is free; for a read key, only the worker writing it, or any.
    /// Empty means it conflicts with work on two different workers. With
    /// them, how long the longest chain the transaction would join is: the
    /// most queued transactions holding one of its conflicting accounts (0
    /// if it conflicts with nothing).
    pub fn schedulable_threads_and_chain<'a>(
        &self,
        writes: impl Iterator<Item = &'a HashedKey>,
        reads: impl Iterator<Item = &'a HashedKey>,
    ) -> (ThreadSet, u32) {
        let mut allowed = ThreadSet::all(self.num_threads);
        let mut chain = 0;
        for key in writes {
            if let Some(lock) = self.locks.get(key) {
                if let Some((holder, count)) = lock.write {
                    allowed = allowed.intersect(ThreadSet::only(holder));
                    chain = chain.max(count);
                } else {
                    let readers = lock.read_threads();
                    match readers.len() {
                        0 => {}
                        1 => {
                            allowed = allowed.intersect(readers);
                            chain = chain.max(readers.iter().map(|t| lock.read_count(t)).sum());
                        }
                        _ => return (ThreadSet::none(), chain),
                    }
                }
            }
            if allowed.is_empty() {
                return (allowed, chain);
            }
        }
        for key in reads {
            if let Some((holder, count)) = self.locks.get(key).and_then(|l| l.write) {
                allowed = allowed.intersect(ThreadSet::only(holder));
                chain = chain.max(count);
                if allowed.is_empty() {
                    return (allowed, chain);
                }
            }
        }
        (allowed, chain)
    }

    /// Take every lock for `thread`. The caller must have checked
    /// [`Self::schedulable_threads_and_chain`] contains `thread` (debug builds check).
    pub fn lock<'a>(
        &mut self,
        thread: usize,
        writes: impl Iterator<Item = &'a HashedKey>,
        reads: impl Iterator<Item = &'a HashedKey>,
    ) {
        for key in writes {
            let lock = self.locks.entry(*key).or_default();
            match &mut lock.write {
                Some((holder, count)) => {
                    debug_assert_eq!(*holder, thread, "write lock {} held by another worker", key.key);
                    *count += 1;
                }
                None => {
                    debug_assert!(
                        lock.read_threads().iter().all(|t| t == thread),
                        "write-locking {} read by another worker",
                        key.key
                    );
                    lock.write = Some((thread, 1));
                }
            }
        }
        for key in reads {
            let lock = self.locks.entry(*key).or_default();
            debug_assert!(
                lock.write.is_none_or(|(h, _)| h == thread),
                "read-locking {} written by another worker",
                key.key
            );
            lock.add_read(thread);
        }
    }

    /// Release what [`Self::lock`] took.
    pub fn unlock<'a>(
        &mut self,
        thread: usize,
        writes: impl Iterator<Item = &'a HashedKey>,
        reads: impl Iterator<Item = &'a HashedKey>,
    ) {
        use std::collections::hash_map::Entry;
        for key in writes {
            let Entry::Occupied(mut lock) = self.locks.entry(*key) else {
                debug_assert!(false, "write-unlocking {}, which is not locked", key.key);
                continue;
            };
            match &mut lock.get_mut().write {
                Some((holder, count)) if *holder == thread => {
                    *count -= 1;
                    if *count == 0 {
                        lock.get_mut().write = None;
                    }
                }
                _ => debug_assert!(false, "write-unlocking {}, not held by worker {thread}", key.key),
            }
            if lock.get().is_free() {
                lock.remove();
            }
        }
        for key in reads {
            let Entry::Occupied(mut lock) = self.locks.entry(*key) else {
                debug_assert!(false, "read-unlocking {}, which is not locked", key.key);
                continue;
            };
            lock.get_mut().remove_read(thread);
            if lock.get().is_free() {
                lock.remove();
            }
        }
    }

    /// Whether no lock is held (all work drained).
    pub fn is_empty(&self) -> bool {
        self.locks.is_empty()
    }

    /// Whether `thread` could read-lock or write-lock `key`, for tests.
    pub fn read_count(&self, key: &Pubkey, thread: usize) -> u32 {
        self.locks.get(&HashedKey::new(*key)).map(|l| l.read_count(thread)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(n: u64) -> HashedKey {
        HashedKey::new(Pubkey::new_unique_from_u64(n))
    }

    #[test]
    fn writes_pin_to_their_worker_reads_share() {
        let mut locks = ThreadAwareAccountLocks::new(2);
        let (a, b) = (k(1), k(2));
        assert_eq!(locks.schedulable_threads_and_chain([a].iter(), [].iter()).0, ThreadSet::all(2));
        locks.lock(0, [a].iter(), [b].iter());
        // Writing a: only worker 0. Reading b: anyone. Writing b: only 0 (its reader).
        assert_eq!(locks.schedulable_threads_and_chain([a].iter(), [].iter()).0, ThreadSet::only(0));
        assert_eq!(locks.schedulable_threads_and_chain([].iter(), [b].iter()).0, ThreadSet::all(2));
        assert_eq!(locks.schedulable_threads_and_chain([b].iter(), [].iter()).0, ThreadSet::only(0));
        locks.lock(1, [].iter(), [b].iter());
        // Now b is read on both: writing it must wait.
        assert!(locks.schedulable_threads_and_chain([b].iter(), [].iter()).0.is_empty());
        // a on 0 and b read on 1 and 0: a transaction writing a and reading b goes to 0.
        assert_eq!(locks.schedulable_threads_and_chain([a].iter(), [b].iter()).0, ThreadSet::only(0));
        assert_eq!(locks.schedulable_threads_and_chain([a].iter(), [].iter()), (ThreadSet::only(0), 1));
        locks.lock(0, [a].iter(), [].iter());
        // The chain on a is two long now, for a writer or a reader of a.
        assert_eq!(locks.schedulable_threads_and_chain([a].iter(), [].iter()), (ThreadSet::only(0), 2));
        assert_eq!(locks.schedulable_threads_and_chain([k(9)].iter(), [a].iter()), (ThreadSet::only(0), 2));
        assert_eq!(locks.schedulable_threads_and_chain([k(9)].iter(), [].iter()), (ThreadSet::all(2), 0));
        locks.unlock(0, [a].iter(), [b].iter());
        locks.unlock(0, [a].iter(), [].iter());
        locks.unlock(1, [].iter(), [b].iter());
        assert!(locks.is_empty());
    }

    #[test]
    fn conflicting_on_two_workers_is_unschedulable() {
        let mut locks = ThreadAwareAccountLocks::new(4);
        locks.lock(0, [k(1)].iter(), [].iter());
        locks.lock(3, [k(2)].iter(), [].iter());
        assert!(locks.schedulable_threads_and_chain([k(1), k(2)].iter(), [].iter()).0.is_empty());
        assert!(locks.schedulable_threads_and_chain([k(1)].iter(), [k(2)].iter()).0.is_empty());
        locks.lock(2, [].iter(), [k(5)].iter());
        assert_eq!(locks.read_count(&k(5).key, 2), 1);
        assert_eq!(locks.schedulable_threads_and_chain([k(5)].iter(), [].iter()).0, ThreadSet::only(2));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "not locked")]
    fn unlocking_what_is_not_held_is_caught_in_debug() {
        let mut locks = ThreadAwareAccountLocks::new(2);
        locks.unlock(0, [k(1)].iter(), [].iter());
    }
}
