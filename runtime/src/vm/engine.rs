//! [`Executor`]: one wasmtime engine with Lanes' deterministic
//! configuration, its host functions, and the programs compiled for it
//! (validated and compiled once, by code hash; worker engines load the
//! root engine's compiled artifacts instead of compiling again).
//!
//! Only committed code enters an executor's cache or the artifact
//! directory. A deploy compiles its code without keeping it
//! ([`Executor::compile_for_deploy`]); the bank admits what a transaction
//! deployed once it commits ([`Executor::take_deployed`],
//! [`Executor::admit`]) and drops it otherwise, so a failed, simulated or
//! refused deploy leaves nothing behind but, for a refusal, its code hash
//! and reason ([`MAX_REMEMBERED_REFUSALS`]), so that the same bytes are
//! never compiled twice to be refused twice.

use super::deploy::{CompiledProgram, ProgramLoadError};
use super::host::define_host_functions;
use super::instance_pool::InstancePool;
use super::instance_reset::ResetPlan;
use super::invoke::HostState;
use super::linear_memory::{ArenaMemoryCreator, MemoryArena};
use super::module_limits::check_and_price;
use super::program_cache::{ProgramCache, DEFAULT_PROGRAM_CACHE_BYTES};
use super::{MAX_INSTANCE_MEMORY, MAX_WASM_STACK};
use lanes_sdk::hash::{hashv, Hash};
use lanes_sdk::loader::MAX_PROGRAM_LEN;
use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, Linker, Module, OptLevel};

/// Memory slots in the root executor's arena (tests, the sequential bank,
/// deploys; memories beyond get mappings of their own).
pub(super) const ROOT_ARENA_SLOTS: u32 = 128;
/// Memory slots in a worker executor's arena: the instances a thread keeps
/// for reuse plus the deepest call chain.
const WORKER_ARENA_SLOTS: u32 = 64;
/// Refused code hashes a root executor remembers (a few hundred KB at most).
pub const MAX_REMEMBERED_REFUSALS: usize = 4_096;

/// Settings of an [`Executor`].
#[derive(Debug, Clone, Default)]
pub struct ExecutorConfig {
    /// Where compiled artifacts are cached across runs; `None` for memory only.
    pub artifact_dir: Option<PathBuf>,
    /// Give every invocation a fresh instance instead of reusing reset ones
    /// (to measure what reuse saves, or to rule it out; results are the same).
    pub fresh_instance_per_invocation: bool,
    /// Bytes of compiled code each engine keeps in memory (the root's and
    /// every worker's); `None` for [`DEFAULT_PROGRAM_CACHE_BYTES`].
    pub program_cache_bytes: Option<usize>,
}

/// An engine, its host functions, its compiled programs and the instances
/// it keeps for reuse. The root executor validates and compiles; each
/// parallel worker runs on a fork of its own ([`Executor::fork`]).
pub struct Executor {
    pub(super) engine: Engine,
    pub(super) linker: Linker<HostState>,
    /// Committed programs, compiled (and, in a root executor, serialized
    /// for worker engines to load without recompiling).
    pub(super) programs: RwLock<ProgramCache>,
    pub(super) artifact_dir: Option<PathBuf>,
    pub(super) stats: CompileStats,
    /// Code hashes a root executor refused to compile, with the reason.
    refusals: Mutex<HashMap<Hash, ProgramLoadError>>,
    /// What the transaction running on this executor deployed, compiled by
    /// the root executor and not yet admitted.
    deployed: Mutex<Vec<Arc<CompiledProgram>>>,
    /// The executor this one was forked from: it validates and compiles.
    pub(super) parent: Option<Arc<Executor>>,
    /// [`ExecutorConfig::fresh_instance_per_invocation`] (forks inherit it).
    pub(super) fresh_instance_per_invocation: bool,
    /// Where this engine's instances keep their linear memories.
    pub(super) arena: Arc<MemoryArena>,
    /// Instances kept for reuse.
    pub(super) pool: InstancePool,
}

/// How programs reached the in-memory cache.
#[derive(Debug, Default)]
pub struct CompileStats {
    /// Compiled from WASM with Cranelift.
    pub compiled: std::sync::atomic::AtomicU64,
    /// Loaded from a cached artifact on disk.
    pub loaded_from_disk: std::sync::atomic::AtomicU64,
    /// Refused again from memory, without compiling.
    pub refused_from_memory: std::sync::atomic::AtomicU64,
}

impl Executor {
    /// Build the engine and host functions.
    pub fn new(config: ExecutorConfig) -> Result<Arc<Self>, ProgramLoadError> {
        if let Some(dir) = &config.artifact_dir {
            std::fs::create_dir_all(dir).map_err(|e| ProgramLoadError::Setup(format!("{}: {e}", dir.display())))?;
        }
        let cache_bytes = config.program_cache_bytes.unwrap_or(DEFAULT_PROGRAM_CACHE_BYTES);
        Self::build(ROOT_ARENA_SLOTS, config.artifact_dir, None, config.fresh_instance_per_invocation, cache_bytes)
    }

    /// An executor with an engine of its own, for one worker thread: wasmtime
    /// engines share registries and a slot allocator across their threads,
    /// so workers on one engine slow each other down (docs/decisions.md,
    /// "An engine per worker"). Programs are validated and compiled by the root
    /// executor and loaded here from its serialized artifacts.
    pub fn fork(self: &Arc<Self>) -> Result<Arc<Self>, ProgramLoadError> {
        let root = self.parent.clone().unwrap_or_else(|| self.clone());
        let fresh_instance_per_invocation = root.fresh_instance_per_invocation;
        let cache_bytes = root.programs.read().budget();
        Self::build(WORKER_ARENA_SLOTS, None, Some(root), fresh_instance_per_invocation, cache_bytes)
    }

    pub(super) fn build(
        arena_slots: u32,
        artifact_dir: Option<PathBuf>,
        parent: Option<Arc<Executor>>,
        fresh_instance_per_invocation: bool,
        cache_bytes: usize,
    ) -> Result<Arc<Self>, ProgramLoadError> {
        // Threads are off by construction: wasmtime is built without its
        // `threads` feature.
        let mut wasm = Config::new();
        wasm.consume_fuel(true)
            .cranelift_nan_canonicalization(true)
            .cranelift_opt_level(OptLevel::Speed)
            .wasm_simd(false)
            .wasm_relaxed_simd(false)
            .wasm_memory64(false)
            .wasm_multi_memory(false)
            // Rust's wasm32 target emits bulk memory, sign extension, multi-value
            // and reference types (funcref only): wasmtime's defaults allow them.
            .wasm_bulk_memory(true)
            .wasm_multi_value(true)
            .max_wasm_stack(MAX_WASM_STACK)
            // Explicit bounds checks instead of guard pages. With guard pages,
            // every instance that grew its memory makes the next instance in
            // that pool slot `mprotect` the grown pages away again, and
            // lowering permissions flushes the TLB of every core running this
            // process, so workers would stall each other. The checks cost
            // some WASM time and need no system call (docs/decisions.md,
            // "Explicit bounds checks").
            .signals_based_traps(false)
            .memory_guard_size(0)
            .memory_reservation(MAX_INSTANCE_MEMORY as u64)
            .parallel_compilation(false);
        // Linear memories come from the executor's arena (packed, so one
        // page scan resets a batch of instances) and start zeroed, with data
        // segments copied in at instantiation: no copy-on-write image.
        let arena = MemoryArena::new(arena_slots).map_err(ProgramLoadError::Setup)?;
        wasm.allocation_strategy(InstanceAllocationStrategy::OnDemand)
            .with_host_memory(Arc::new(ArenaMemoryCreator(arena.clone())))
            .memory_init_cow(false);
        let engine = Engine::new(&wasm).map_err(|e| ProgramLoadError::Setup(e.to_string()))?;
        let mut linker = Linker::new(&engine);
        define_host_functions(&mut linker).map_err(|e| ProgramLoadError::Setup(e.to_string()))?;
        Ok(Arc::new(Executor {
            engine,
            linker,
            programs: RwLock::new(ProgramCache::new(cache_bytes)),
            artifact_dir,
            stats: CompileStats::default(),
            refusals: Mutex::new(HashMap::new()),
            deployed: Mutex::new(Vec::new()),
            parent,
            fresh_instance_per_invocation,
            arena,
            pool: InstancePool::default(),
        }))
    }

    /// How many programs were compiled and how many loaded from disk.
    pub fn stats(&self) -> &CompileStats {
        &self.stats
    }

    /// The cached program with this code hash, if compiled.
    pub fn cached(&self, code_hash: &Hash) -> Option<Arc<CompiledProgram>> {
        self.programs.read().get(code_hash)
    }

    /// How many compiled programs this executor keeps, and their bytes.
    pub fn cache_usage(&self) -> (usize, usize) {
        let cache = self.programs.read();
        (cache.len(), cache.bytes())
    }

    fn root(&self) -> &Executor {
        self.parent.as_deref().unwrap_or(self)
    }

    /// Check `code` against the deploy limits and return what compiling it
    /// costs in compute units (see `module_limits`); nothing is compiled.
    pub fn deploy_price(&self, code: &[u8]) -> Result<u64, ProgramLoadError> {
        check_and_price(code)
    }

    /// Validate and compile `code` for a deploy by the transaction running
    /// on this executor, without keeping it: it is held for
    /// [`Executor::take_deployed`] and becomes this node's only through
    /// [`Executor::admit`], when the transaction commits.
    pub fn compile_for_deploy(&self, code: &[u8]) -> Result<(), ProgramLoadError> {
        let program = self.root().compile_unadmitted(code)?;
        self.deployed.lock().push(program);
        Ok(())
    }

    /// Whether the transaction running on this executor deployed this code
    /// (which it may not run before it commits).
    pub fn deployed_by_this_transaction(&self, code_hash: &Hash) -> bool {
        self.deployed.lock().iter().any(|program| program.code_hash == *code_hash)
    }

    /// What the transaction that just ran on this executor deployed: give it
    /// to [`Executor::admit`] if the transaction commits, or drop it.
    pub fn take_deployed(&self) -> Vec<Arc<CompiledProgram>> {
        std::mem::take(&mut *self.deployed.lock())
    }

    /// Keep committed deploys in the root executor's cache and artifact
    /// directory (worker engines load them from there when first invoked).
    pub fn admit(&self, deployed: Vec<Arc<CompiledProgram>>) {
        let root = self.root();
        for program in deployed {
            root.store_artifact(&program.code_hash, program.pre.module());
            root.programs.write().insert(program);
        }
    }

    /// Validate and compile committed `code` (or reuse the cached result),
    /// and keep it.
    pub fn compile(&self, code: &[u8]) -> Result<Arc<CompiledProgram>, ProgramLoadError> {
        if code.len() > MAX_PROGRAM_LEN {
            return Err(ProgramLoadError::TooLarge { len: code.len() });
        }
        let code_hash = hashv(&[code]);
        if let Some(done) = self.cached(&code_hash) {
            return Ok(done);
        }
        let compiled = match &self.parent {
            // The root validates and compiles (or already has); we load its artifact.
            Some(root) => {
                let root_program = root.compile(code)?;
                Arc::new(self.load_from_root(root, &root_program, code)?)
            }
            None => {
                let compiled = self.compile_unadmitted(code)?;
                self.store_artifact(&code_hash, compiled.pre.module());
                compiled
            }
        };
        self.programs.write().insert(compiled.clone());
        Ok(compiled)
    }

    /// `root_program` (compiled by the root engine) in this engine.
    fn load_from_root(
        &self,
        root: &Executor,
        root_program: &CompiledProgram,
        code: &[u8],
    ) -> Result<CompiledProgram, ProgramLoadError> {
        let bytes = root.serialized_artifact(root_program)?;
        // SAFETY: `bytes` came from `Module::serialize` of the root engine,
        // in this process, and every engine of this module is built by
        // `Executor::build` with the same configuration.
        let module = unsafe { Module::deserialize(&self.engine, &bytes[..]) }
            .map_err(|e| ProgramLoadError::Setup(format!("loading a compiled program into a worker engine: {e:#}")))?;
        let plan = root_program.reset.as_ref().map(|(plan, _)| plan.clone());
        self.prepare(module, code, root_program.code_hash, plan)
    }

    /// Validate and compile `code` in this (root) engine, or take it from
    /// the cache or the artifact directory (which hold committed code
    /// only), keeping nothing new; a refusal is remembered.
    fn compile_unadmitted(&self, code: &[u8]) -> Result<Arc<CompiledProgram>, ProgramLoadError> {
        debug_assert!(self.parent.is_none(), "only root executors compile");
        if code.len() > MAX_PROGRAM_LEN {
            return Err(ProgramLoadError::TooLarge { len: code.len() });
        }
        let code_hash = hashv(&[code]);
        if let Some(done) = self.cached(&code_hash) {
            return Ok(done);
        }
        if let Some(refusal) = self.refusals.lock().get(&code_hash) {
            self.stats.refused_from_memory.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Err(refusal.clone());
        }
        let compiled = self.compile_uncached(code, code_hash);
        if let Err(refusal) = &compiled {
            // Only what the bytes themselves cause: a setup failure may pass.
            if !matches!(refusal, ProgramLoadError::Setup(_)) {
                let mut refusals = self.refusals.lock();
                if refusals.len() >= MAX_REMEMBERED_REFUSALS {
                    refusals.clear();
                }
                refusals.insert(code_hash, refusal.clone());
            }
        }
        compiled.map(Arc::new)
    }

    fn compile_uncached(&self, code: &[u8], code_hash: Hash) -> Result<CompiledProgram, ProgramLoadError> {
        use std::sync::atomic::Ordering::Relaxed;
        // Nothing past the deploy limits reaches Cranelift, whoever asks.
        check_and_price(code)?;
        // What is compiled: `code`, or `code` with its mutable globals exported
        // when its instances can be reset for reuse.
        let (resettable_code, mut plan) = match ResetPlan::for_module(code) {
            Some((rewritten, plan)) => (Some(rewritten), Some(Arc::new(plan))),
            None => (None, None),
        };
        let module = match self.load_artifact(&code_hash) {
            Some(module) => {
                self.stats.loaded_from_disk.fetch_add(1, Relaxed);
                module
            }
            None => {
                // Should the rewrite not compile, the program still deploys as
                // written (without reuse), and any error is about its own bytes.
                let rewritten = resettable_code.and_then(|rewritten| Module::new(&self.engine, &rewritten).ok());
                let module = match rewritten {
                    Some(module) => module,
                    None => {
                        plan = None;
                        Module::new(&self.engine, code).map_err(|e| ProgramLoadError::Invalid(format!("{e:#}")))?
                    }
                };
                self.stats.compiled.fetch_add(1, Relaxed);
                module
            }
        };
        self.prepare(module, code, code_hash, plan)
    }
}
