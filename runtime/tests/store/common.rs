//! Helpers shared by the store tests: scratch directories, a deterministic
//! random source, test accounts and the model the store is compared with.

use lanes_runtime::store::mmap::StoreConfig;
use lanes_sdk::{Account, Pubkey};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The expected state: what a store should hold.
pub type Model = BTreeMap<Pubkey, Account>;

/// A scratch directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "lanes-store-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("scratch dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// splitmix64: deterministic, seedable, good enough for workloads.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

pub fn key(n: u64) -> Pubkey {
    Pubkey::new_unique_from_u64(n)
}

/// An account whose content derives from `tag`; `data_len` bytes of data.
pub fn account(lamports: u64, data_len: usize, tag: u64) -> Account {
    Account {
        lamports,
        data: (0..data_len).map(|i| (tag as usize).wrapping_mul(31).wrapping_add(i) as u8).collect(),
        owner: Pubkey::new_unique_from_u64(tag % 3 + 1_000_000),
        executable: tag.is_multiple_of(7),
    }
}

/// Apply `updates` to `model` as the store does: zero lamports delete.
pub fn apply(model: &mut Model, updates: &[(Pubkey, Account)]) {
    for (k, a) in updates {
        if a.lamports == 0 {
            model.remove(k);
        } else {
            model.insert(*k, a.clone());
        }
    }
}

/// The model as `accounts()` returns it.
pub fn sorted(model: &Model) -> Vec<(Pubkey, Account)> {
    model.iter().map(|(k, a)| (*k, a.clone())).collect()
}

/// Small files, no background threads, one writer: every run does the same
/// I/O in the same order.
pub fn deterministic_config(file_capacity: usize) -> StoreConfig {
    StoreConfig { file_capacity, writers: 1, background: false, compact_below: 0.6, ..StoreConfig::default() }
}

/// Whether the long (soak) modes are on.
pub fn soak() -> bool {
    std::env::var("LANES_SOAK").is_ok_and(|v| v == "1")
}
