//! The in-memory index: pubkey → newest record, in 16 bytes per entry.
//!
//! Owns: 64 shards, each an open-addressing table (linear probing, at most
//! 3/4 full, backward-shift deletion) behind a read-write lock. An entry is
//! a 64-bit keyed hash of the pubkey (the tag; 0 means empty) and a packed
//! [`Loc`]: the record's file slot and offset, whether it is a tombstone,
//! and how many records of the key exist on disk (saturating).
//!
//! The pubkey itself is not kept: a tag match is confirmed by reading the
//! record's pubkey through the caller's `resolve` (the record is in the
//! map anyway). So two keys with equal tags are still told apart.
//!
//! Invariants: at most one entry per pubkey; an entry's location always
//! names the record with the highest sequence number seen for the key; its
//! count is the number of records of the key in the store's files (exact
//! below [`Loc::MAX_RC`], "many" at it, never decremented from there).
//!
//! This module must never touch files or decide what is live on disk: it
//! answers, and moves entries, as told.

use super::format::RECORD_ALIGN;
use lanes_sdk::Pubkey;
use parking_lot::RwLock;

const SHARD_BITS: u32 = 6;
const SHARDS: usize = 1 << SHARD_BITS;
const MIN_CAPACITY: usize = 16;

/// A record's place and the key's bookkeeping, packed in 64 bits:
/// offset/8 (bits 0–31), file slot (32–51), record count (52–62),
/// tombstone (63).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loc(u64);

impl std::fmt::Debug for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Loc(file {}, offset {}, rc {}, tomb {})", self.file(), self.offset(), self.rc(), self.tomb())
    }
}

impl Loc {
    /// Largest file slot.
    pub(crate) const MAX_FILE: u32 = (1 << 20) - 1;
    /// The record count saturates here.
    pub(crate) const MAX_RC: u32 = (1 << 11) - 1;
    const PLACE_MASK: u64 = (1 << 52) - 1;

    /// A place; `offset` must be a multiple of 8 below 32 GiB and `file` at
    /// most [`Loc::MAX_FILE`] (the store guarantees both).
    pub(crate) fn new(file: u32, offset: usize, tomb: bool) -> Loc {
        debug_assert!(file <= Self::MAX_FILE && offset.is_multiple_of(RECORD_ALIGN));
        let off8 = (offset / RECORD_ALIGN) as u64 & 0xFFFF_FFFF;
        Loc(off8 | (u64::from(file) << 32) | (u64::from(tomb) << 63))
    }

    pub(crate) fn file(self) -> u32 {
        ((self.0 >> 32) & 0xF_FFFF) as u32
    }

    pub(crate) fn offset(self) -> usize {
        (self.0 & 0xFFFF_FFFF) as usize * RECORD_ALIGN
    }

    pub(crate) fn tomb(self) -> bool {
        self.0 >> 63 != 0
    }

    pub(crate) fn rc(self) -> u32 {
        ((self.0 >> 52) & 0x7FF) as u32
    }

    /// File and offset only.
    pub(crate) fn place(self) -> u64 {
        self.0 & Self::PLACE_MASK
    }

    fn with_rc(self, rc: u32) -> Loc {
        Loc((self.0 & !(0x7FF << 52)) | (u64::from(rc.min(Self::MAX_RC)) << 52))
    }

    fn bump(self) -> Loc {
        let rc = self.rc();
        if rc == Self::MAX_RC {
            self
        } else {
            self.with_rc(rc + 1)
        }
    }

    /// `self`'s place and tombstone flag with `other`'s count.
    fn moved(self, other: Loc) -> Loc {
        self.with_rc(other.rc())
    }
}

/// What `resolve` reports of a record: its key, sequence and size.
#[derive(Clone, Copy)]
pub(crate) struct Resolved {
    pub key: [u8; 32],
    pub seq: u64,
    pub size: usize,
}

/// The outcome of [`Index::upsert`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Upsert {
    /// First record of the key.
    Inserted,
    /// The new record replaced `old` (of `old_size` bytes) as the newest.
    Replaced { old: Loc, old_size: usize },
    /// A newer record of the key was already indexed; the new one is dead.
    Stale,
}

/// The outcome of [`Index::release`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Release {
    /// The count went down (or is saturated).
    Kept,
    /// It was the key's last record: the entry is gone. Carries the removed
    /// location.
    Removed(Loc),
    /// No entry for the key (an internal inconsistency the caller reports).
    Missing,
}

#[derive(Clone, Copy)]
struct Entry {
    tag: u64,
    loc: Loc,
}

const EMPTY: Entry = Entry { tag: 0, loc: Loc(0) };

struct Table {
    slots: Vec<Entry>,
    len: usize,
    /// Entries that are not tombstones.
    live: usize,
}

impl Table {
    fn new() -> Table {
        Table { slots: vec![EMPTY; MIN_CAPACITY], len: 0, live: 0 }
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    fn find(&self, tag: u64, key: &[u8; 32], resolve: &dyn Fn(Loc) -> Option<Resolved>) -> Option<usize> {
        let mask = self.mask();
        let mut i = tag as usize & mask;
        loop {
            let e = self.slots[i];
            if e.tag == 0 {
                return None;
            }
            if e.tag == tag && resolve(e.loc).is_some_and(|r| r.key == *key) {
                return Some(i);
            }
            i = (i + 1) & mask;
        }
    }

    fn insert_new(&mut self, entry: Entry) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let mask = self.mask();
        let mut i = entry.tag as usize & mask;
        while self.slots[i].tag != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = entry;
        self.len += 1;
        self.live += usize::from(!entry.loc.tomb());
    }

    fn grow(&mut self) {
        let doubled = vec![EMPTY; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.mask();
        for e in old.into_iter().filter(|e| e.tag != 0) {
            let mut i = e.tag as usize & mask;
            while self.slots[i].tag != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = e;
        }
    }

    /// Remove slot `i`, shifting back later entries of the same cluster
    /// whose home lies outside `(hole, j]` (Knuth's algorithm R).
    fn remove_at(&mut self, mut hole: usize) {
        let mask = self.mask();
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let e = self.slots[j];
            if e.tag == 0 {
                break;
            }
            let home = e.tag as usize & mask;
            let stays = if hole <= j { hole < home && home <= j } else { hole < home || home <= j };
            if !stays {
                self.slots[hole] = e;
                hole = j;
            }
        }
        self.slots[hole] = EMPTY;
        self.len -= 1;
    }
}

/// The sharded index.
pub(crate) struct Index {
    seed: [u64; 4],
    shards: Box<[RwLock<Table>]>,
}

/// Multiply two words into 128 bits and fold the halves.
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

impl Index {
    /// An empty index whose hash is keyed by `seed` (random per process, so
    /// chosen keys cannot be made to collide).
    pub(crate) fn new(seed: [u64; 4]) -> Index {
        Index { seed, shards: (0..SHARDS).map(|_| RwLock::new(Table::new())).collect() }
    }

    /// The key's tag: never 0.
    pub(crate) fn tag(&self, key: &Pubkey) -> u64 {
        let w = |i: usize| {
            let mut x = [0u8; 8];
            x.copy_from_slice(&key.0[i * 8..i * 8 + 8]);
            u64::from_le_bytes(x)
        };
        let h = fold_mul(w(0) ^ self.seed[0], w(1) ^ self.seed[1]) ^ fold_mul(w(2) ^ self.seed[2], w(3) ^ self.seed[3]);
        let h = fold_mul(h ^ 0x9E37_79B9_7F4A_7C15, 0xD6E8_FEB8_6659_FD93);
        h.max(1)
    }

    fn shard(&self, tag: u64) -> &RwLock<Table> {
        &self.shards[(tag >> (64 - SHARD_BITS)) as usize]
    }

    /// The newest record of `key`, if the key has any.
    pub(crate) fn get(&self, key: &Pubkey, resolve: &dyn Fn(Loc) -> Option<Resolved>) -> Option<Loc> {
        let tag = self.tag(key);
        let table = self.shard(tag).read();
        table.find(tag, &key.0, resolve).map(|i| table.slots[i].loc)
    }

    /// Count a new record of `key` at `loc` (carrying its tombstone flag)
    /// with sequence `seq`, and make it the key's newest if it is newer.
    pub(crate) fn upsert(&self, key: &Pubkey, loc: Loc, seq: u64, resolve: &dyn Fn(Loc) -> Option<Resolved>) -> Upsert {
        let tag = self.tag(key);
        let mut table = self.shard(tag).write();
        match table.find(tag, &key.0, resolve) {
            None => {
                table.insert_new(Entry { tag, loc: loc.with_rc(1) });
                Upsert::Inserted
            }
            Some(i) => {
                let old = table.slots[i].loc;
                let (old_seq, old_size) = resolve(old).map(|r| (r.seq, r.size)).unwrap_or((0, 0));
                if seq > old_seq {
                    table.live = table.live + usize::from(!loc.tomb()) - usize::from(!old.tomb());
                    table.slots[i].loc = loc.moved(old.bump());
                    Upsert::Replaced { old, old_size }
                } else {
                    table.slots[i].loc = old.bump();
                    Upsert::Stale
                }
            }
        }
    }

    /// Count a copy of `key`'s record at `from` written at `to`; point the
    /// entry at the copy if it still points at `from`. Returns whether it moved.
    pub(crate) fn relocate(&self, key: &Pubkey, from: Loc, to: Loc, resolve: &dyn Fn(Loc) -> Option<Resolved>) -> bool {
        let tag = self.tag(key);
        let mut table = self.shard(tag).write();
        let Some(i) = table.find(tag, &key.0, resolve) else {
            return false;
        };
        let cur = table.slots[i].loc.bump();
        if cur.place() == from.place() {
            table.slots[i].loc = Loc::new(to.file(), to.offset(), cur.tomb()).moved(cur);
            true
        } else {
            table.slots[i].loc = cur;
            false
        }
    }

    /// Forget one record of `key` (its file is gone); drop the entry with
    /// its last record.
    pub(crate) fn release(&self, key: &Pubkey, resolve: &dyn Fn(Loc) -> Option<Resolved>) -> Release {
        let tag = self.tag(key);
        let mut table = self.shard(tag).write();
        let Some(i) = table.find(tag, &key.0, resolve) else {
            return Release::Missing;
        };
        let loc = table.slots[i].loc;
        match loc.rc() {
            Loc::MAX_RC => Release::Kept,
            0 | 1 => {
                table.remove_at(i);
                table.live -= usize::from(!loc.tomb());
                Release::Removed(loc)
            }
            rc => {
                table.slots[i].loc = loc.with_rc(rc - 1);
                Release::Kept
            }
        }
    }

    /// Every entry's location (for snapshots and checks; takes each shard's
    /// read lock in turn).
    pub(crate) fn for_each(&self, mut f: impl FnMut(Loc)) {
        for shard in self.shards.iter() {
            for e in shard.read().slots.iter().filter(|e| e.tag != 0) {
                f(e.loc);
            }
        }
    }

    /// Number of shards, for [`Index::live_locs_of_shard`].
    pub(crate) fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// Append to `out` the location of every entry of shard `shard` that is
    /// not a tombstone: one pass over its table under its read lock, copying
    /// 8 bytes an entry, so a scan holds up a shard's writers only that long.
    pub(crate) fn live_locs_of_shard(&self, shard: usize, out: &mut Vec<Loc>) {
        if let Some(shard) = self.shards.get(shard) {
            let table = shard.read();
            out.reserve(table.live);
            out.extend(table.slots.iter().filter(|e| e.tag != 0 && !e.loc.tomb()).map(|e| e.loc));
        }
    }

    /// Number of entries (keys with a record, tombstones included).
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().len).sum()
    }

    /// Number of entries that are not tombstones: live accounts.
    pub(crate) fn live(&self) -> usize {
        self.shards.iter().map(|s| s.read().live).sum()
    }

    /// Bytes the tables take.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.shards.iter().map(|s| s.read().slots.len() * std::mem::size_of::<Entry>()).sum::<usize>()
            + std::mem::size_of_val(&*self.shards)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// Records live in a vector; a Loc's offset/8 is the record's index.
    struct Disk {
        records: RefCell<Vec<([u8; 32], u64)>>,
    }

    impl Disk {
        fn add(&self, key: [u8; 32], seq: u64, tomb: bool) -> Loc {
            let mut r = self.records.borrow_mut();
            r.push((key, seq));
            Loc::new(1, (r.len() - 1) * RECORD_ALIGN, tomb)
        }
        fn resolve(&self, loc: Loc) -> Option<Resolved> {
            self.records.borrow().get(loc.offset() / RECORD_ALIGN).map(|&(key, seq)| Resolved { key, seq, size: 100 })
        }
    }

    #[test]
    fn loc_packs_every_field() {
        let l = Loc::new(Loc::MAX_FILE, (u32::MAX as usize) * 8, true).with_rc(Loc::MAX_RC);
        assert_eq!((l.file(), l.offset(), l.rc(), l.tomb()), (Loc::MAX_FILE, u32::MAX as usize * 8, Loc::MAX_RC, true));
        let l = Loc::new(3, 64, false).with_rc(5);
        assert_eq!((l.file(), l.offset(), l.rc(), l.tomb()), (3, 64, 5, false));
        assert_eq!(l.bump().rc(), 6);
    }

    /// Random upserts, stale upserts and releases against a HashMap model:
    /// thousands of keys churn through tables that grow, fill to 3/4 and
    /// delete by backward shift.
    #[test]
    fn matches_a_model_under_churn() {
        let disk = Disk { records: RefCell::new(Vec::new()) };
        let index = Index::new([1, 2, 3, 4]);
        let resolve = |l: Loc| disk.resolve(l);
        // key -> (newest seq, live records)
        let mut model: HashMap<[u8; 32], (u64, u32)> = HashMap::new();
        let mut seq = 0u64;
        let mut x = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..60_000 {
            let k = next() % 4000;
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&k.to_le_bytes());
            let pk = Pubkey(key);
            if next() % 3 == 0 {
                let got = index.release(&pk, &resolve);
                match model.get_mut(&key) {
                    None => assert_eq!(got, Release::Missing),
                    Some((_, rc)) if *rc <= 1 => {
                        assert!(matches!(got, Release::Removed(_)));
                        model.remove(&key);
                    }
                    Some((_, rc)) => {
                        assert_eq!(got, Release::Kept);
                        *rc -= 1;
                    }
                }
            } else {
                seq += 1;
                let s = if next() % 5 == 0 { seq.saturating_sub(3) } else { seq };
                let loc = disk.add(key, s, false);
                let got = index.upsert(&pk, loc, s, &resolve);
                match model.get_mut(&key) {
                    None => {
                        assert_eq!(got, Upsert::Inserted);
                        model.insert(key, (s, 1));
                    }
                    Some((newest, rc)) => {
                        *rc += 1;
                        if s > *newest {
                            assert!(matches!(got, Upsert::Replaced { .. }));
                            *newest = s;
                        } else {
                            assert_eq!(got, Upsert::Stale);
                        }
                    }
                }
            }
            assert_eq!(index.len(), model.len());
        }
        for (key, (newest, rc)) in &model {
            let loc = index.get(&Pubkey(*key), &resolve).expect("indexed");
            assert_eq!(disk.resolve(loc).unwrap().seq, *newest);
            assert_eq!(loc.rc(), (*rc).min(Loc::MAX_RC));
        }
    }

    #[test]
    fn relocate_moves_only_from_the_current_place() {
        let disk = Disk { records: RefCell::new(Vec::new()) };
        let index = Index::new([9; 4]);
        let resolve = |l: Loc| disk.resolve(l);
        let key = [5u8; 32];
        let a = disk.add(key, 1, true);
        index.upsert(&Pubkey(key), a, 1, &resolve);
        let copy = disk.add(key, 1, false);
        assert!(index.relocate(&Pubkey(key), a, copy, &resolve));
        let now = index.get(&Pubkey(key), &resolve).unwrap();
        assert_eq!((now.place(), now.rc(), now.tomb()), (copy.place(), 2, true));
        let copy2 = disk.add(key, 1, false);
        assert!(!index.relocate(&Pubkey(key), a, copy2, &resolve), "no longer at `a`");
        assert_eq!(index.get(&Pubkey(key), &resolve).unwrap().rc(), 3);
    }
}
