//! The compiled programs one executor keeps in memory, by code hash,
//! within a byte budget ([`super::ExecutorConfig::program_cache_bytes`]).
//! A program evicted is compiled again from its account when next invoked;
//! only committed code ever enters (see `engine`).
//!
//! Eviction is second-chance: a lookup marks its entry, and the sweep that
//! makes room clears marks as it passes and evicts the first entry it finds
//! unmarked. A lookup writes nothing when the mark is already set, so the
//! invocation path stays read-only.

use super::deploy::CompiledProgram;
use lanes_sdk::hash::Hash;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;

/// Cache budget when none is configured.
pub const DEFAULT_PROGRAM_CACHE_BYTES: usize = 256 * 1024 * 1024;

struct Entry {
    program: Arc<CompiledProgram>,
    /// The module serialized for worker engines (root executors, on demand).
    serialized: Option<Arc<Vec<u8>>>,
    /// What this entry counts against the budget.
    bytes: usize,
    used_since_sweep: AtomicBool,
}

pub(super) struct ProgramCache {
    entries: HashMap<Hash, Entry>,
    bytes: usize,
    budget: usize,
}

impl ProgramCache {
    pub fn new(budget: usize) -> Self {
        ProgramCache { entries: HashMap::new(), bytes: 0, budget }
    }

    pub fn get(&self, code_hash: &Hash) -> Option<Arc<CompiledProgram>> {
        let entry = self.entries.get(code_hash)?;
        if !entry.used_since_sweep.load(Relaxed) {
            entry.used_since_sweep.store(true, Relaxed);
        }
        Some(entry.program.clone())
    }

    pub fn serialized(&self, code_hash: &Hash) -> Option<Arc<Vec<u8>>> {
        self.entries.get(code_hash)?.serialized.clone()
    }

    /// Keep `program`, evicting others until it fits. A program larger than
    /// the whole budget is not kept (it still runs; it is compiled again).
    pub fn insert(&mut self, program: Arc<CompiledProgram>) {
        let bytes = program.compiled_len();
        if bytes > self.budget {
            return;
        }
        self.remove(&program.code_hash);
        self.evict_until_free(bytes);
        self.bytes += bytes;
        let entry = Entry { program, serialized: None, bytes, used_since_sweep: AtomicBool::new(false) };
        self.entries.insert(entry.program.code_hash, entry);
    }

    /// Keep the serialized form beside a cached program (counted too).
    pub fn set_serialized(&mut self, code_hash: &Hash, bytes: Arc<Vec<u8>>) {
        let len = bytes.len();
        self.evict_until_free(len);
        if let Some(entry) = self.entries.get_mut(code_hash) {
            if entry.serialized.is_none() {
                entry.serialized = Some(bytes);
                entry.bytes += len;
                self.bytes += len;
            }
        }
    }

    fn remove(&mut self, code_hash: &Hash) {
        if let Some(entry) = self.entries.remove(code_hash) {
            self.bytes -= entry.bytes;
        }
    }

    fn evict_until_free(&mut self, wanted: usize) {
        while self.bytes + wanted > self.budget && !self.entries.is_empty() {
            // One pass clears marks up to the first unmarked entry; the next
            // pass finds one if this one did not.
            let victim =
                self.entries.iter().find(|(_, entry)| !entry.used_since_sweep.swap(false, Relaxed)).map(|(k, _)| *k);
            if let Some(victim) = victim {
                self.remove(&victim);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn budget(&self) -> usize {
        self.budget
    }
}
