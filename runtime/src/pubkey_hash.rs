//! A fast keyed hash for maps keyed by [`Pubkey`]: the in-memory account
//! store, the contention profiler and the node's answers that name accounts.
//!
//! Never: an unkeyed hash (keys come from outside and can be ground to aim
//! at one bucket), or a hash whose keys outlive the process.

use lanes_sdk::Pubkey;
use std::collections::HashMap;

/// A hash map keyed by account, hashed with [`PubkeyHashState`].
pub type PubkeyMap<V> = HashMap<Pubkey, V, PubkeyHashState>;

/// Hashes a public key with three wide multiplies of its words and keys
/// drawn at random per map (or per store): a few nanoseconds where SipHash
/// takes tens (a token transfer hashes six keys). Keys are hashes or curve
/// points, but an attacker may grind them; without the random keys they
/// cannot aim at one bucket.
#[derive(Debug, Clone, Copy)]
pub struct PubkeyHashState {
    keys: [u64; 4],
}

impl PubkeyHashState {
    /// Fresh random keys.
    pub fn new() -> Self {
        use std::hash::BuildHasher;
        let random = std::collections::hash_map::RandomState::new();
        PubkeyHashState { keys: std::array::from_fn(|i| random.hash_one(i) | 1) }
    }
}

impl std::hash::BuildHasher for PubkeyHashState {
    type Hasher = PubkeyHasher;
    fn build_hasher(&self) -> PubkeyHasher {
        PubkeyHasher { keys: self.keys, hash: 0 }
    }
}

/// The 128-bit product of `a` and `b`, its halves folded together: every
/// input bit reaches both ends of the result.
fn mix(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// See [`PubkeyHashState`].
#[derive(Debug, Clone, Copy)]
pub struct PubkeyHasher {
    keys: [u64; 4],
    hash: u64,
}

impl std::hash::Hasher for PubkeyHasher {
    fn finish(&self) -> u64 {
        mix(self.hash ^ self.keys[2], self.keys[3])
    }

    fn write(&mut self, bytes: &[u8]) {
        // A `Pubkey` hashes as its 32 bytes in one call: two 16-byte steps,
        // each one wide multiply, chained.
        for chunk in bytes.chunks(16) {
            let mut words = [0u8; 16];
            words[..chunk.len()].copy_from_slice(chunk);
            let words = u128::from_le_bytes(words);
            self.hash = mix(words as u64 ^ self.keys[0] ^ self.hash, (words >> 64) as u64 ^ self.keys[1]);
        }
    }

    fn write_usize(&mut self, _len: usize) {
        // The array length prefix: the same for every key.
    }
}

impl Default for PubkeyHashState {
    fn default() -> Self {
        PubkeyHashState::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    /// Keys that differ in a few bytes only (test keys from small integers)
    /// must still spread over both ends of the hash: hashbrown takes the
    /// bucket from the low bits and a tag from the top seven.
    #[test]
    fn pubkey_hashes_spread_structured_keys() {
        // Whatever keys the store draws (a first version spread well for
        // some and poorly for others: the test failed one run in two).
        for _ in 0..64 {
            let state = PubkeyHashState::new();
            let hashes: Vec<u64> = (0..4096u64).map(|n| state.hash_one(Pubkey::new_unique_from_u64(n))).collect();
            let low: std::collections::HashSet<u64> = hashes.iter().map(|h| h & 4095).collect();
            let high: std::collections::HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
            // A random function fills ~2,590 of 4,096 (sd ~20).
            assert!(low.len() > 2450, "{} of 4096 low-bit buckets used", low.len());
            assert_eq!(high.len(), 128, "every top-seven-bit tag used");
        }
        let (one, other) = (PubkeyHashState::new(), PubkeyHashState::new());
        assert_ne!(one.hash_one(Pubkey::new_unique_from_u64(1)), other.hash_one(Pubkey::new_unique_from_u64(1)));
    }
}
