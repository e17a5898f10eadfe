//! The status cache: the signatures seen under each recent blockhash, so a
//! transaction is processed at most once. Kept as [`SignatureSet`]s of
//! 16-byte signature prefixes, in shards.

use lanes_sdk::hash::Hash;
use lanes_sdk::Signature;
use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};

/// Signatures committed (or being executed) under each recent blockhash.
#[derive(Default)]
pub(super) struct StatusCache {
    by_blockhash: Mutex<HashMap<Hash, SignatureSet>>,
}

impl StatusCache {
    /// Reserve each signature of a run of transactions sharing `blockhash`:
    /// `true` per signature not seen before (now reserved), `false` if seen.
    pub fn reserve_all<'s>(
        &self,
        blockhash: Hash,
        signatures: impl Iterator<Item = &'s Signature>,
        mut each: impl FnMut(bool),
    ) {
        let mut by_blockhash = self.by_blockhash.lock();
        let seen = by_blockhash.entry(blockhash).or_default();
        for signature in signatures {
            each(seen.insert(signature));
        }
    }

    /// Whether `signature` was seen under `blockhash` (nothing reserved).
    pub fn contains(&self, blockhash: &Hash, signature: &Signature) -> bool {
        self.by_blockhash.lock().get(blockhash).is_some_and(|seen| seen.contains(signature))
    }

    /// Forget a reserved signature (its transaction was refused).
    pub fn release(&self, blockhash: &Hash, signature: &Signature) {
        if let Some(seen) = self.by_blockhash.lock().get_mut(blockhash) {
            seen.remove(signature);
        }
    }

    /// Forget every signature of an expired blockhash.
    pub fn expire(&self, blockhash: &Hash) {
        self.by_blockhash.lock().remove(blockhash);
    }
}

/// Hashes a signature by its first eight bytes. Safe against chosen
/// collisions: an ed25519 signature's first half is a hash output the signer
/// cannot steer without grinding 2^64 messages.
#[derive(Debug, Default, Clone, Copy)]
pub struct SignatureHashState;

impl std::hash::BuildHasher for SignatureHashState {
    type Hasher = SignatureHasher;
    fn build_hasher(&self) -> SignatureHasher {
        SignatureHasher(0)
    }
}

/// Signatures seen under one blockhash, in shards, each kept as its first
/// [`SIGNATURE_KEY_LEN`] bytes (as Agave's status cache keeps 20 bytes of a
/// key): a quarter of the memory a whole signature takes, so the set grows
/// through a quarter of the fresh pages, whose faults dominate admitting a
/// transaction. Sixteen bytes of an ed25519 signature are a
/// hash output: making another transaction's prefix collide with one already
/// seen takes ~2^128 signing attempts, and a collision among one's own
/// transactions ~2^64.
///
/// Sharded because one set that grows by doubling rehashes everything it
/// holds at once: with a hundred thousand signatures that stalls the
/// scheduler long enough for its workers to run dry.
#[derive(Default)]
struct SignatureSet {
    shards: Vec<HashSet<SignatureKey, SignatureHashState>>,
}

/// Bytes of a signature a [`SignatureSet`] keeps.
const SIGNATURE_KEY_LEN: usize = 16;

type SignatureKey = [u8; SIGNATURE_KEY_LEN];

/// Shards of a [`SignatureSet`].
const SIGNATURE_SET_SHARDS: usize = 256;

impl SignatureSet {
    fn shard(&mut self, key: &SignatureKey) -> &mut HashSet<SignatureKey, SignatureHashState> {
        if self.shards.is_empty() {
            self.shards = (0..SIGNATURE_SET_SHARDS).map(|_| HashSet::default()).collect();
        }
        // Byte 8: the set's hash is bytes 0-7.
        &mut self.shards[key[8] as usize % SIGNATURE_SET_SHARDS]
    }

    fn key(signature: &Signature) -> SignatureKey {
        let mut key = [0; SIGNATURE_KEY_LEN];
        key.copy_from_slice(&signature.0[..SIGNATURE_KEY_LEN]);
        key
    }

    /// Add `signature`; `false` if it was there already.
    fn insert(&mut self, signature: &Signature) -> bool {
        let key = Self::key(signature);
        self.shard(&key).insert(key)
    }

    fn contains(&self, signature: &Signature) -> bool {
        let key = Self::key(signature);
        self.shards.get(key[8] as usize % SIGNATURE_SET_SHARDS).is_some_and(|shard| shard.contains(&key))
    }

    fn remove(&mut self, signature: &Signature) {
        let key = Self::key(signature);
        self.shard(&key).remove(&key);
    }
}

/// See [`SignatureHashState`].
#[derive(Debug, Default, Clone, Copy)]
pub struct SignatureHasher(u64);

impl std::hash::Hasher for SignatureHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        if bytes.len() >= 8 && self.0 == 0 {
            let mut first = [0u8; 8];
            first.copy_from_slice(&bytes[..8]);
            self.0 = u64::from_le_bytes(first);
        } else {
            for b in bytes {
                self.0 = self.0.rotate_left(5) ^ *b as u64;
            }
        }
    }
    fn write_usize(&mut self, _len: usize) {
        // The array length prefix: the same for every signature.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_set_tells_signatures_apart_by_their_first_sixteen_bytes() {
        let mut set = SignatureSet::default();
        let signature = |first: u8, fifteenth: u8, last: u8| {
            let mut bytes = [7u8; 64];
            bytes[0] = first;
            bytes[15] = fifteenth;
            bytes[63] = last;
            Signature(bytes)
        };
        assert!(set.insert(&signature(1, 0, 0)));
        assert!(!set.insert(&signature(1, 0, 0)), "the same signature again");
        assert!(set.insert(&signature(1, 1, 0)), "differs in byte 15");
        assert!(set.insert(&signature(2, 0, 0)), "differs in byte 0");
        // What the set keeps: a signature equal in its first 16 bytes counts
        // as seen (producing one takes ~2^128 signing attempts).
        assert!(!set.insert(&signature(1, 0, 9)));
        set.remove(&signature(1, 0, 0));
        assert!(set.insert(&signature(1, 0, 0)), "released, it may be processed again");
    }
}
