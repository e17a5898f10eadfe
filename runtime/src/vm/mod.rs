//! The WASM executor: one wasmtime [`Engine`] with a deterministic
//! configuration, programs validated and compiled once at deploy (cached in
//! memory by code hash and, optionally, on disk as wasmtime artifacts), and
//! the host functions of [`lanes_sdk::abi`].
//!
//! A worker keeps the instances of a program after their invocations and
//! runs later invocations on them, once [`crate::vm::instance_reset`] has put
//! them back exactly as a fresh instance starts: used instances are reset
//! in batches, their memories packed in the engine's arena
//! ([`crate::vm::linear_memory`]) so that one page scan covers a batch. Modules
//! it cannot reset completely get a fresh instance every time.
//!
//! Determinism: fuel metering (1 unit = 1 compute unit), NaN
//! canonicalization, no threads, no SIMD, bounded memory, and a pinned
//! wasmtime version. `max_wasm_stack` bounds native stack use; it is not yet
//! a consensus-exact limit (see ARCHITECTURE.md).
//!
//! This module must never trust a program: every pointer and length from the
//! guest is bounds-checked, every write the guest made is checked against the
//! account rules before it reaches the transaction's accounts, and nothing it
//! does can panic the host.

mod cpi_wire;
mod instance_reset;
mod linear_memory;

use crate::execution::compute_budget::*;
use crate::execution::invoke_context::{process_instruction, verify_account_change, InstructionAccount, InvokeContext};
use crate::vm::instance_reset::ResetPlan;
use crate::vm::linear_memory::{ArenaMemoryCreator, MemoryArena};
use lanes_sdk::abi::{self, entry, import, MAX_RETURN_DATA};
use lanes_sdk::hash::{hashv, Hash};
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::loader::{LoaderState, MAX_PROGRAM_LEN, STATE_HEADER_LEN};
use lanes_sdk::program_error::ProgramError;
use lanes_sdk::pubkey::{try_find_program_address_native, MAX_SEEDS, MAX_SEED_LEN};
use lanes_sdk::Pubkey;
use parking_lot::RwLock;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use wasmtime::{
    Caller, Config, Engine, Extern, Global, InstanceAllocationStrategy, InstancePre, Linker, Memory, Module,
    ModuleExport, OptLevel, Store, StoreLimits, StoreLimitsBuilder, Trap, TypedFunc, Val,
};

/// Memory slots in the root executor's arena (tests, the sequential bank,
/// deploys; memories beyond get mappings of their own).
const ROOT_ARENA_SLOTS: u32 = 128;
/// Memory slots in a worker executor's arena: the instances a thread keeps
/// for reuse plus the deepest call chain.
const WORKER_ARENA_SLOTS: u32 = 64;
/// Instances one thread keeps for reuse, over all programs (oldest dropped
/// first).
const MAX_IDLE_INSTANCES_PER_THREAD: usize = 32;
/// Used instances of one program a thread collects before resetting them
/// together: one page scan covers them all (see [`crate::vm::linear_memory`]).
const RESET_BATCH: usize = 8;
/// Part of the on-disk artifact name: bump when what is compiled from a
/// program's code changes (the reset plan's export rewrite).
const ARTIFACT_FORMAT: &str = "r1";

/// Most linear memory one program instance may use.
pub const MAX_INSTANCE_MEMORY: usize = 4 * 1024 * 1024;
/// Most elements of an instance's (one) table.
pub const MAX_TABLE_ELEMENTS: usize = 100_000;
/// Native stack one WASM call chain may use (not consensus-exact).
pub const MAX_WASM_STACK: usize = 128 * 1024;
/// Largest serialized instruction a CPI may pass.
pub const MAX_CPI_INSTRUCTION_LEN: usize = 16 * 1024;
/// Largest serialized signer-seed list a CPI may pass.
pub const MAX_CPI_SEEDS_LEN: usize = 8 * 1024;
/// Most slices one SHA-256 call may hash.
pub const MAX_HASH_SLICES: usize = 64;

/// Why a program could not be deployed or loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProgramLoadError {
    #[error("program is {len} bytes; the limit is {MAX_PROGRAM_LEN}")]
    TooLarge { len: usize },
    #[error("invalid WASM: {0}")]
    Invalid(String),
    #[error("program must export `{0}`")]
    MissingExport(&'static str),
    #[error("program imports something Lanes does not provide: {0}")]
    BadImport(String),
    #[error("executor setup failed: {0}")]
    Setup(String),
}

/// Settings of an [`Executor`].
#[derive(Debug, Clone, Default)]
pub struct ExecutorConfig {
    /// Where compiled artifacts are cached across runs; `None` for memory only.
    pub artifact_dir: Option<PathBuf>,
    /// Give every invocation a fresh instance instead of reusing reset ones
    /// (to measure what reuse saves, or to rule it out; results are the same).
    pub fresh_instance_per_invocation: bool,
}

/// A program ready to instantiate.
pub struct CompiledProgram {
    pre: InstancePre<HostState>,
    /// The entry function and memory, found once at deploy rather than by
    /// name at every instantiation.
    entry_export: ModuleExport,
    memory_export: ModuleExport,
    pub code_hash: Hash,
    /// How to reset a used instance, with the exports of the mutable
    /// globals; `None`: every invocation gets a fresh instance.
    reset: Option<(Arc<ResetPlan>, Vec<ModuleExport>)>,
    /// Instantiation runs the module's start function: program work, whose
    /// fuel is charged (see [`run_instance`]).
    runs_start_function: bool,
}

/// Whether `code` (already validated) has a start section.
fn has_start_function(code: &[u8]) -> bool {
    for payload in wasmparser::Parser::new(0).parse_all(code) {
        match payload {
            Ok(wasmparser::Payload::StartSection { .. }) => return true,
            // The start section comes before the code; stop there.
            Ok(wasmparser::Payload::CodeSectionStart { .. }) | Err(_) => return false,
            Ok(_) => {}
        }
    }
    false
}

/// The engine, the host functions and the compiled-program cache, shared by
/// every thread executing transactions.
pub struct Executor {
    engine: Engine,
    linker: Linker<HostState>,
    programs: RwLock<HashMap<Hash, Arc<CompiledProgram>>>,
    artifact_dir: Option<PathBuf>,
    stats: CompileStats,
    /// Distinguishes executors in per-thread caches (an address could be reused).
    id: u64,
    /// Compiled modules in serialized form, by code hash (root executors
    /// only, made when a worker engine first asks), for the worker engines
    /// to load without recompiling.
    serialized: RwLock<HashMap<Hash, Arc<Vec<u8>>>>,
    /// The executor this one was forked from: it validates and compiles.
    parent: Option<Arc<Executor>>,
    /// [`ExecutorConfig::fresh_instance_per_invocation`] (forks inherit it).
    fresh_instance_per_invocation: bool,
    /// Where this engine's instances keep their linear memories.
    arena: Arc<MemoryArena>,
}

static NEXT_EXECUTOR_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// How programs reached the in-memory cache.
#[derive(Debug, Default)]
pub struct CompileStats {
    /// Compiled from WASM with Cranelift.
    pub compiled: std::sync::atomic::AtomicU64,
    /// Loaded from a cached artifact on disk.
    pub loaded_from_disk: std::sync::atomic::AtomicU64,
}

/// Why a host function stopped the guest.
#[derive(Debug)]
enum HostError {
    /// An instruction error to report as is (a failed CPI, a rule violation).
    Instruction(InstructionError),
    /// The program aborted (panicked) with a message.
    Abort(String),
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostError::Instruction(e) => write!(f, "{e}"),
            HostError::Abort(msg) => write!(f, "program aborted: {msg}"),
        }
    }
}

impl std::error::Error for HostError {}

fn fail(err: InstructionError) -> wasmtime::Error {
    wasmtime::Error::new(HostError::Instruction(err))
}

/// Where one original account entry lies in the input buffer.
#[derive(Debug, Clone, Copy)]
struct EntryLayout {
    /// Offset of the entry from the buffer start.
    offset: usize,
    /// Index into the frame's instruction accounts.
    account: usize,
    /// Data bytes the entry can hold.
    capacity: usize,
    /// Data length when the frame began (what the guest sizes the entry by).
    original_len: usize,
}

/// The instruction a WASM instance is running.
#[derive(Default)]
struct WasmFrame {
    program_id: Pubkey,
    accounts: Vec<InstructionAccount>,
    data: Vec<u8>,
    /// Per instruction account: `Some(j)` if it repeats account `j`.
    dup_of: Vec<Option<u8>>,
    entries: Vec<EntryLayout>,
    input_len: usize,
    /// Where the guest asked for its input (set by `lanes_input_read`).
    input_ptr: Option<usize>,
}

/// A store's data: the transaction's context (moved in for the call), the
/// frame, and resource limits.
pub struct HostState {
    ctx: InvokeContext,
    executor: Option<Arc<Executor>>,
    frame: WasmFrame,
    limits: StoreLimits,
    memory: Option<Memory>,
}

impl Executor {
    /// Build the engine and host functions.
    pub fn new(config: ExecutorConfig) -> Result<Arc<Self>, ProgramLoadError> {
        if let Some(dir) = &config.artifact_dir {
            std::fs::create_dir_all(dir).map_err(|e| ProgramLoadError::Setup(format!("{}: {e}", dir.display())))?;
        }
        Self::build(ROOT_ARENA_SLOTS, config.artifact_dir, None, config.fresh_instance_per_invocation)
    }

    /// An executor with an engine of its own, for one worker thread: wasmtime
    /// engines share registries and a slot allocator across their threads,
    /// which made two workers on one engine each ~45 % slower (see
    /// docs/benchmarks.md). Programs are validated and compiled by the root
    /// executor and loaded here from its serialized artifacts.
    pub fn fork(self: &Arc<Self>) -> Result<Arc<Self>, ProgramLoadError> {
        let root = self.parent.clone().unwrap_or_else(|| self.clone());
        let fresh_instance_per_invocation = root.fresh_instance_per_invocation;
        Self::build(WORKER_ARENA_SLOTS, None, Some(root), fresh_instance_per_invocation)
    }

    fn build(
        arena_slots: u32,
        artifact_dir: Option<PathBuf>,
        parent: Option<Arc<Executor>>,
        fresh_instance_per_invocation: bool,
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
            // process: two workers swapping in the AMM ran slower than one
            // (26k vs 32k swaps/s). The checks cost ~12 % of WASM time on one
            // thread and remove the syscalls (53.8k swaps/s on two threads).
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
            programs: RwLock::new(HashMap::new()),
            artifact_dir,
            stats: CompileStats::default(),
            id: NEXT_EXECUTOR_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            serialized: RwLock::new(HashMap::new()),
            parent,
            fresh_instance_per_invocation,
            arena,
        }))
    }

    /// How many programs were compiled and how many loaded from disk.
    pub fn stats(&self) -> &CompileStats {
        &self.stats
    }

    /// The cached program with this code hash, if compiled.
    ///
    /// Workers look in a per-thread copy first, so the shared map's lock is
    /// touched once per program per thread, not once per invocation.
    pub fn cached(&self, code_hash: &Hash) -> Option<Arc<CompiledProgram>> {
        use std::cell::RefCell;
        thread_local! {
            static LOCAL: RefCell<HashMap<(u64, Hash), Arc<CompiledProgram>>> = RefCell::new(HashMap::new());
        }
        let key = (self.id, *code_hash);
        if let Some(hit) = LOCAL.with(|local| local.borrow().get(&key).cloned()) {
            return Some(hit);
        }
        let found = self.programs.read().get(code_hash).cloned()?;
        LOCAL.with(|local| {
            let mut local = local.borrow_mut();
            if local.len() >= 1024 {
                local.clear(); // entries of dropped executors, or far too many programs
            }
            local.insert(key, found.clone());
        });
        Some(found)
    }

    /// Validate and compile `code` (or reuse the cached result).
    pub fn compile(&self, code: &[u8]) -> Result<Arc<CompiledProgram>, ProgramLoadError> {
        if code.len() > MAX_PROGRAM_LEN {
            return Err(ProgramLoadError::TooLarge { len: code.len() });
        }
        let code_hash = hashv(&[code]);
        if let Some(done) = self.cached(&code_hash) {
            return Ok(done);
        }
        if let Some(root) = &self.parent {
            // The root validates and compiles (or already has); we load its artifact.
            let root_program = root.compile(code)?;
            let bytes = root.serialized_artifact(&root_program)?;
            // SAFETY: `bytes` came from `Module::serialize` of the root engine,
            // in this process, and every engine of this module is built by
            // `Executor::build` with the same configuration.
            let module = unsafe { Module::deserialize(&self.engine, &bytes[..]) }.map_err(|e| {
                ProgramLoadError::Setup(format!("loading a compiled program into a worker engine: {e:#}"))
            })?;
            let plan = root_program.reset.as_ref().map(|(plan, _)| plan.clone());
            let compiled = Arc::new(self.prepare(module, code, code_hash, plan)?);
            self.programs.write().insert(code_hash, compiled.clone());
            return Ok(compiled);
        }
        use std::sync::atomic::Ordering::Relaxed;
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
                self.store_artifact(&code_hash, &module);
                module
            }
        };
        let compiled = Arc::new(self.prepare(module, code, code_hash, plan)?);
        self.programs.write().insert(code_hash, compiled.clone());
        Ok(compiled)
    }

    /// `program` serialized, for worker engines to load: made on the first
    /// request (executors without workers never pay for it), then kept.
    fn serialized_artifact(&self, program: &CompiledProgram) -> Result<Arc<Vec<u8>>, ProgramLoadError> {
        if let Some(bytes) = self.serialized.read().get(&program.code_hash) {
            return Ok(bytes.clone());
        }
        let bytes = program
            .pre
            .module()
            .serialize()
            .map_err(|e| ProgramLoadError::Setup(format!("serializing a compiled program: {e:#}")))?;
        let bytes = Arc::new(bytes);
        self.serialized.write().insert(program.code_hash, bytes.clone());
        Ok(bytes)
    }

    fn prepare(
        &self,
        module: Module,
        code: &[u8],
        code_hash: Hash,
        plan: Option<Arc<ResetPlan>>,
    ) -> Result<CompiledProgram, ProgramLoadError> {
        match module.get_export(abi::ENTRYPOINT_EXPORT) {
            Some(wasmtime::ExternType::Func(f))
                if f.params().len() == 0
                    && f.results().len() == 1
                    && matches!(f.results().next(), Some(wasmtime::ValType::I64)) => {}
            _ => return Err(ProgramLoadError::MissingExport("entrypoint: func() -> i64")),
        }
        if !matches!(module.get_export(abi::MEMORY_EXPORT), Some(wasmtime::ExternType::Memory(_))) {
            return Err(ProgramLoadError::MissingExport("memory"));
        }
        // What an instance could never get (the store's limits) is refused
        // here rather than at every invocation.
        let needs = module.resources_required();
        let initial_memory = needs.max_initial_memory_size.unwrap_or(0).saturating_mul(64 * 1024);
        if initial_memory > MAX_INSTANCE_MEMORY as u64 {
            return Err(ProgramLoadError::Invalid(format!(
                "an initial memory of {initial_memory} bytes is more than an instance may use ({MAX_INSTANCE_MEMORY})"
            )));
        }
        if needs.num_tables > 1 || needs.max_initial_table_size.unwrap_or(0) > MAX_TABLE_ELEMENTS as u64 {
            return Err(ProgramLoadError::Invalid(format!(
                "at most one table of at most {MAX_TABLE_ELEMENTS} elements (this module: {} tables, largest {})",
                needs.num_tables,
                needs.max_initial_table_size.unwrap_or(0)
            )));
        }
        let (Some(entry_export), Some(memory_export)) =
            (module.get_export_index(abi::ENTRYPOINT_EXPORT), module.get_export_index(abi::MEMORY_EXPORT))
        else {
            return Err(ProgramLoadError::MissingExport("entrypoint and memory"));
        };
        // Every global the plan names must be exported by the compiled module
        // (it is, unless an artifact predates the rewrite): else no reuse.
        let reset = plan.and_then(|plan| {
            let globals: Option<Vec<ModuleExport>> =
                plan.global_exports.iter().map(|name| module.get_export_index(name)).collect();
            globals.map(|globals| (plan, globals))
        });
        let pre = self.linker.instantiate_pre(&module).map_err(|e| ProgramLoadError::BadImport(format!("{e:#}")))?;
        let runs_start_function = has_start_function(code);
        Ok(CompiledProgram { pre, entry_export, memory_export, code_hash, reset, runs_start_function })
    }

    fn artifact_path(&self, code_hash: &Hash) -> Option<PathBuf> {
        let dir = self.artifact_dir.as_ref()?;
        let mut engine_hash = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&self.engine.precompile_compatibility_hash(), &mut engine_hash);
        let engine_hash = std::hash::Hasher::finish(&engine_hash);
        Some(dir.join(format!("{code_hash}-{engine_hash:016x}-{ARTIFACT_FORMAT}.cwasm")))
    }

    /// A cached artifact is used only if its checksum (written beside it by
    /// us) matches: wasmtime must never deserialize bytes we did not write.
    fn load_artifact(&self, code_hash: &Hash) -> Option<Module> {
        let path = self.artifact_path(code_hash)?;
        let bytes = std::fs::read(&path).ok()?;
        let expected = std::fs::read(path.with_extension("sha256")).ok()?;
        if hashv(&[&bytes]).0.as_slice() != expected.as_slice() {
            return None;
        }
        // SAFETY: the artifact was produced by `Module::serialize` of this
        // engine configuration (the file name carries the engine's
        // compatibility hash) and its checksum matches what we wrote.
        unsafe { Module::deserialize(&self.engine, &bytes).ok() }
    }

    fn store_artifact(&self, code_hash: &Hash, module: &Module) {
        let Some(path) = self.artifact_path(code_hash) else { return };
        let Ok(bytes) = module.serialize() else { return };
        let tmp = path.with_extension("tmp");
        // Best effort: a failed cache write only costs a recompile later.
        if std::fs::write(&tmp, &bytes).is_ok()
            && std::fs::write(path.with_extension("sha256"), hashv(&[&bytes]).0).is_ok()
        {
            let _ = std::fs::rename(&tmp, &path);
        }
    }
}

/// Whether workers reuse reset instances on this machine (the kernel must be
/// able to report written pages: Linux 6.7+). Without it every invocation
/// gets a fresh instance; results are the same either way.
pub fn instance_reuse_supported() -> bool {
    crate::vm::instance_reset::available()
}

/// Run the WASM program at `program_index` on `accounts`.
pub(crate) fn execute_program(
    executor: &Arc<Executor>,
    ctx: &mut InvokeContext,
    program_index: usize,
    accounts: &[InstructionAccount],
    data: &[u8],
) -> Result<(), InstructionError> {
    let program_id = ctx.accounts.keys[program_index];
    let program = resolve_program(executor, ctx, program_index)?;

    let started = Instant::now();
    let frame = build_frame(ctx, program_id, accounts, data)?;
    let (mut store, instance) = match take_idle_instance(executor, &program, &mut ctx.timings) {
        Some(IdleInstance { store, instance, .. }) => (store, Some(instance)),
        None => (new_store(executor), None),
    };
    let state = store.data_mut();
    state.ctx = std::mem::take(ctx);
    state.executor = Some(executor.clone());
    state.frame = frame;
    let remaining = state.ctx.compute_remaining;
    let (result, reusable) = run_instance(&mut store, &program, instance, remaining, started);
    let state = store.data_mut();
    *ctx = std::mem::take(&mut state.ctx);
    state.executor = None;
    if let Some(instance) = reusable {
        park_instance(executor, program, store, instance);
    }
    result
}

/// An instance's handles the host needs, kept with its store between invocations.
struct LiveInstance {
    entry: TypedFunc<(), i64>,
    memory: Memory,
    /// The module's mutable globals with their values in a fresh instance.
    fresh_globals: Vec<(Global, Val)>,
}

/// An instance kept on its thread for the next invocation of its program:
/// reset to a fresh instance's state, or used and waiting for the next
/// batch reset.
struct IdleInstance {
    executor_id: u64,
    program: Arc<CompiledProgram>,
    store: Store<HostState>,
    instance: LiveInstance,
    /// Ran since its last reset: must be reset before it runs again.
    used: bool,
}

thread_local! {
    /// This thread's kept instances, oldest first. A store here holds no
    /// transaction state: its context was taken back and its executor cleared.
    static IDLE_INSTANCES: RefCell<Vec<IdleInstance>> = const { RefCell::new(Vec::new()) };
}

/// A reset instance of `program` kept on this thread, if there is one or
/// there should be: while the thread holds fewer than [`RESET_BATCH`]
/// instances of the program, a used one is left for later and a fresh
/// instance is made instead (`None`); from then on, when none is ready,
/// every used instance of `executor` is reset at once.
fn take_idle_instance(
    executor: &Executor,
    program: &CompiledProgram,
    timings: &mut crate::execution::invoke_context::ExecuteTimings,
) -> Option<IdleInstance> {
    program.reset.as_ref()?;
    if executor.fresh_instance_per_invocation {
        return None;
    }
    let of_program = |i: &IdleInstance| i.executor_id == executor.id && i.program.code_hash == program.code_hash;
    let (taken, dropped) = IDLE_INSTANCES.with(|idle| {
        let mut idle = idle.borrow_mut();
        if let Some(at) = idle.iter().rposition(|i| of_program(i) && !i.used) {
            return (Some(idle.remove(at)), Vec::new());
        }
        let kept = idle.iter().filter(|i| of_program(i)).count();
        if kept == 0 || (kept < RESET_BATCH && idle.len() < MAX_IDLE_INSTANCES_PER_THREAD) {
            return (None, Vec::new());
        }
        let dropped = reset_used_instances(executor, &mut idle, timings);
        (idle.iter().rposition(|i| of_program(i) && !i.used).map(|at| idle.remove(at)), dropped)
    });
    drop(dropped); // outside the borrow: dropping a store runs wasmtime's tear-down
    taken
}

/// Reset every used instance of `executor` in `idle`: those whose memory is
/// in the arena with one page scan over their span, any others one scan
/// each. Returns the instances that could not be reset completely (removed
/// from `idle`), for the caller to drop.
fn reset_used_instances(
    executor: &Executor,
    idle: &mut Vec<IdleInstance>,
    timings: &mut crate::execution::invoke_context::ExecuteTimings,
) -> Vec<IdleInstance> {
    let arena = executor.arena.span();
    let in_arena = |memory: &[u8]| {
        let start = memory.as_ptr() as usize;
        arena.contains(&start) && start + memory.len() <= arena.end
    };
    let mut packed_span: Option<std::ops::Range<usize>> = None;
    let mut reset_ok = vec![true; idle.len()];
    for (kept, ok) in idle.iter_mut().zip(&mut reset_ok) {
        if kept.executor_id != executor.id || !kept.used {
            continue;
        }
        let Some((plan, _)) = &kept.program.reset else {
            *ok = false;
            continue;
        };
        let memory = kept.instance.memory.data(&kept.store);
        let range = memory.as_ptr() as usize..memory.as_ptr() as usize + memory.len();
        if memory.len() != plan.initial_memory_bytes {
            *ok = false; // it grew: memory cannot shrink back
        } else if in_arena(memory) {
            let span = packed_span.get_or_insert(range.clone());
            *span = span.start.min(range.start)..span.end.max(range.end);
        } else {
            timings.reset_scans += 1;
            *ok = plan.reset_memory(kept.instance.memory.data_mut(&mut kept.store));
        }
    }
    let mut written = Vec::new();
    let packed_scanned = packed_span.is_none_or(|span| {
        timings.reset_scans += 1;
        crate::vm::instance_reset::for_each_written_region(span, |region| written.push(region))
    });
    for (kept, ok) in idle.iter_mut().zip(&mut reset_ok) {
        if kept.executor_id != executor.id || !kept.used || !*ok {
            continue;
        }
        let Some((plan, _)) = &kept.program.reset else { continue };
        let memory = kept.instance.memory.data_mut(&mut kept.store);
        if in_arena(memory) {
            if !packed_scanned {
                *ok = false;
                continue;
            }
            plan.restore_regions(memory, &written);
        } // else: reset on its own above
        for (global, fresh) in &kept.instance.fresh_globals {
            if global.set(&mut kept.store, *fresh).is_err() {
                *ok = false;
            }
        }
        kept.used = false;
    }
    // Removed back to front so the indices stay valid; nothing is
    // allocated when every reset succeeded (the usual case, every batch).
    let mut failed = Vec::new();
    for at in (0..idle.len()).rev() {
        if !reset_ok[at] {
            failed.push(idle.remove(at));
        }
    }
    failed
}

/// Keep `instance`, used, for a later batch reset (or drop it if its
/// program's instances cannot be reset).
fn park_instance(executor: &Executor, program: Arc<CompiledProgram>, store: Store<HostState>, instance: LiveInstance) {
    let Some((plan, _)) = &program.reset else { return };
    if executor.fresh_instance_per_invocation || instance.memory.data_size(&store) != plan.initial_memory_bytes {
        return; // a memory that grew cannot shrink back
    }
    let parked = IdleInstance { executor_id: executor.id, program, store, instance, used: true };
    let dropped = IDLE_INSTANCES.with(|idle| {
        let mut idle = idle.borrow_mut();
        idle.push(parked);
        (idle.len() > MAX_IDLE_INSTANCES_PER_THREAD).then(|| idle.remove(0))
    });
    drop(dropped); // outside the borrow: dropping a store runs wasmtime's tear-down
}

fn new_store(executor: &Arc<Executor>) -> Store<HostState> {
    let limits = StoreLimitsBuilder::new()
        .memory_size(MAX_INSTANCE_MEMORY)
        .instances(1)
        .memories(1)
        .tables(1)
        .table_elements(MAX_TABLE_ELEMENTS)
        .build();
    let state =
        HostState { ctx: InvokeContext::default(), executor: None, frame: WasmFrame::default(), limits, memory: None };
    let mut store = Store::new(&executor.engine, state);
    store.limiter(|s| &mut s.limits);
    store
}

/// Instantiate `program` in `store` (fresh) and find the handles the host needs.
fn instantiate(
    store: &mut Store<HostState>,
    program: &CompiledProgram,
) -> Result<Option<LiveInstance>, wasmtime::Error> {
    let instance = program.pre.instantiate(&mut *store)?;
    let memory = instance.get_module_export(&mut *store, &program.memory_export).and_then(Extern::into_memory);
    let entry = instance
        .get_module_export(&mut *store, &program.entry_export)
        .and_then(Extern::into_func)
        .and_then(|f| f.typed::<(), i64>(&*store).ok());
    let (Some(memory), Some(entry)) = (memory, entry) else { return Ok(None) };
    let mut fresh_globals = Vec::new();
    if let Some((_, globals)) = &program.reset {
        for export in globals {
            let Some(global) = instance.get_module_export(&mut *store, export).and_then(Extern::into_global) else {
                return Ok(None);
            };
            fresh_globals.push((global, global.get(&mut *store)));
        }
    }
    Ok(Some(LiveInstance { entry, memory, fresh_globals }))
}

/// Run the entry of `instance` (or of a fresh instance of `program`) with
/// `fuel`. Returns the instance too if it ended normally and may be reset
/// for reuse (not after a trap).
fn run_instance(
    store: &mut Store<HostState>,
    program: &CompiledProgram,
    instance: Option<LiveInstance>,
    fuel: u64,
    started: Instant,
) -> (Result<(), InstructionError>, Option<LiveInstance>) {
    if store.set_fuel(fuel).is_err() {
        return (Err(InstructionError::ProgramEnvironmentSetupFailure), None);
    }
    let instance = match instance {
        Some(instance) => instance,
        None => {
            store.data_mut().ctx.timings.fresh_instances += 1;
            match instantiate(store, program) {
                Ok(Some(instance)) => instance,
                Ok(None) => return (Err(InstructionError::ProgramEnvironmentSetupFailure), None),
                Err(err) => {
                    let err = classify_trap(store, err);
                    finish_fuel(store);
                    return (Err(err), None);
                }
            }
        }
    };
    // Instantiation uses fuel to copy data segments into memory (memories
    // are not copy-on-write images: about a unit a byte, ~2,600 for the test
    // program). That is not the program's work, and a reused instance pays
    // none of it, so the program starts with its whole allowance. A module
    // with a start function is the exception: that function is program work
    // and stays charged (with its data copy: such modules are never reused,
    // so they always pay the same).
    if !program.runs_start_function && store.set_fuel(fuel).is_err() {
        return (Err(InstructionError::ProgramEnvironmentSetupFailure), None);
    }
    store.data_mut().memory = Some(instance.memory);
    let instantiated = Instant::now();
    store.data_mut().ctx.timings.instantiate_ns += (instantiated - started).as_nanos() as u64;
    store.data_mut().ctx.timings.wasm_invocations += 1;
    let outcome = instance.entry.call(&mut *store, ());
    store.data_mut().ctx.timings.execute_ns += instantiated.elapsed().as_nanos() as u64;
    finish_fuel(store);
    match outcome {
        Ok(0) => {
            let started = Instant::now();
            let (mem, state) = instance.memory.data_and_store_mut(&mut *store);
            let result = sync_from_guest(mem, state);
            state.ctx.timings.serialize_ns += started.elapsed().as_nanos() as u64;
            (result, Some(instance))
        }
        Ok(code) => {
            let err = ProgramError::from_code(code as u64)
                .map(InstructionError::from)
                .unwrap_or(InstructionError::InvalidError);
            (Err(err), Some(instance))
        }
        Err(err) => (Err(classify_trap(store, err)), None),
    }
}

/// Carry the store's fuel back into the context's meter.
fn finish_fuel(store: &mut Store<HostState>) {
    let fuel = store.get_fuel().unwrap_or(0);
    store.data_mut().ctx.compute_remaining = fuel;
}

fn classify_trap(store: &mut Store<HostState>, err: wasmtime::Error) -> InstructionError {
    if let Some(host) = err.downcast_ref::<HostError>() {
        return match host {
            HostError::Instruction(e) => e.clone(),
            HostError::Abort(msg) => {
                store.data_mut().ctx.log(format!("Program log: {msg}"));
                InstructionError::ProgramFailedToComplete
            }
        };
    }
    if let Some(trap) = err.downcast_ref::<Trap>() {
        if *trap == Trap::OutOfFuel {
            store.data_mut().ctx.compute_remaining = 0;
            return InstructionError::ComputationalBudgetExceeded;
        }
        store.data_mut().ctx.log(format!("Program trapped: {trap}"));
        return InstructionError::ProgramFailedToComplete;
    }
    store.data_mut().ctx.log(format!("Program failed to run: {err}"));
    InstructionError::ProgramFailedToComplete
}

/// Find (or compile) the code of the program at `program_index`.
fn resolve_program(
    executor: &Arc<Executor>,
    ctx: &mut InvokeContext,
    program_index: usize,
) -> Result<Arc<CompiledProgram>, InstructionError> {
    let program_id = ctx.accounts.keys[program_index];
    let account = &ctx.accounts.accounts[program_index];
    if account.owner != lanes_sdk::loader::ID {
        return Err(InstructionError::UnsupportedProgramId);
    }
    if !account.executable {
        return Err(InstructionError::AccountNotExecutable);
    }
    let (code_hash, code_len) = match LoaderState::read(&account.data) {
        Some(LoaderState::Program { code_hash, code_len, .. }) => (code_hash, code_len as usize),
        Some(LoaderState::Closed) => {
            ctx.log(format!("Program {program_id} is closed"));
            return Err(InstructionError::UnsupportedProgramId);
        }
        _ => return Err(InstructionError::InvalidAccountData),
    };
    if let Some(program) = executor.cached(&code_hash) {
        return Ok(program);
    }
    // Not compiled in this process yet: read the code and compile it.
    let full;
    let code: &[u8] = if account.data.len() >= STATE_HEADER_LEN + code_len {
        &account.data[STATE_HEADER_LEN..STATE_HEADER_LEN + code_len]
    } else {
        full = ctx
            .program_source
            .as_ref()
            .and_then(|source| source.load_program_account(&program_id))
            .ok_or(InstructionError::MissingAccount)?;
        full.data.get(STATE_HEADER_LEN..STATE_HEADER_LEN + code_len).ok_or(InstructionError::InvalidAccountData)?
    };
    if hashv(&[code]) != code_hash {
        return Err(InstructionError::InvalidAccountData);
    }
    executor.compile(code).map_err(|e| {
        ctx.log(format!("Program {program_id} failed to load: {e}"));
        InstructionError::ProgramFailedToCompile
    })
}

/// Lay out the input buffer for `accounts`.
fn build_frame(
    ctx: &InvokeContext,
    program_id: Pubkey,
    accounts: &[InstructionAccount],
    data: &[u8],
) -> Result<WasmFrame, InstructionError> {
    if accounts.len() > 255 {
        return Err(InstructionError::MaxAccountsExceeded);
    }
    let mut dup_of = Vec::with_capacity(accounts.len());
    let mut entries = Vec::with_capacity(accounts.len());
    let mut offset = 8usize;
    for (i, account) in accounts.iter().enumerate() {
        if let Some(first) = accounts[..i].iter().position(|a| a.tx_index == account.tx_index) {
            dup_of.push(Some(first as u8));
            offset += entry::DUP_LEN;
            continue;
        }
        dup_of.push(None);
        let state = &ctx.accounts.accounts[account.tx_index as usize];
        let data_len = if state.executable { 0 } else { state.data.len() };
        entries.push(EntryLayout {
            offset,
            account: i,
            capacity: abi::data_capacity(data_len, account.is_writable),
            original_len: data_len,
        });
        offset += abi::entry_len(data_len, account.is_writable);
    }
    let input_len = offset + 8 + data.len() + 32;
    Ok(WasmFrame {
        program_id,
        accounts: accounts.to_vec(),
        data: data.to_vec(),
        dup_of,
        entries,
        input_len,
        input_ptr: None,
    })
}

fn guest_range(mem_len: usize, ptr: u32, len: u64) -> Result<std::ops::Range<usize>, wasmtime::Error> {
    let start = ptr as usize;
    let end = (start as u64).checked_add(len).filter(|end| *end <= mem_len as u64);
    match end {
        Some(end) => Ok(start..end as usize),
        None => Err(fail(InstructionError::ProgramFailedToComplete)
            .context(format!("guest access out of bounds: {len} bytes at {ptr:#x}"))),
    }
}

fn put_u64(mem: &mut [u8], at: usize, value: u64) {
    mem[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn get_u64(mem: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&mem[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// Write the input buffer at `base` (bounds already checked for the whole
/// buffer). Entries keep the layout fixed when the frame began; an account a
/// nested call grew past its entry (possible only if the guest asks for its
/// input after calling another program) is refused.
fn write_input(mem: &mut [u8], base: usize, state: &HostState) -> Result<(), InstructionError> {
    let frame = &state.frame;
    let accounts = &state.ctx.accounts;
    put_u64(mem, base, frame.accounts.len() as u64);
    let mut offset = 8usize;
    let mut entries = frame.entries.iter();
    for (i, account) in frame.accounts.iter().enumerate() {
        if let Some(first) = frame.dup_of[i] {
            let at = base + offset;
            mem[at..at + entry::DUP_LEN].fill(0);
            mem[at] = first;
            offset += entry::DUP_LEN;
            continue;
        }
        let Some(layout) = entries.next() else {
            return Err(InstructionError::ProgramEnvironmentSetupFailure);
        };
        let at = base + layout.offset;
        let state = &accounts.accounts[account.tx_index as usize];
        let data: &[u8] = if state.executable { &[] } else { &state.data };
        if data.len() > layout.capacity {
            return Err(InstructionError::InvalidRealloc);
        }
        mem[at + entry::DUP] = abi::NON_DUP_MARKER;
        mem[at + entry::IS_SIGNER] = account.is_signer as u8;
        mem[at + entry::IS_WRITABLE] = account.is_writable as u8;
        mem[at + entry::EXECUTABLE] = state.executable as u8;
        mem[at + entry::ORIGINAL_DATA_LEN..at + entry::ORIGINAL_DATA_LEN + 4]
            .copy_from_slice(&(layout.original_len as u32).to_le_bytes());
        mem[at + entry::KEY..at + entry::KEY + 32].copy_from_slice(&accounts.keys[account.tx_index as usize].0);
        mem[at + entry::OWNER..at + entry::OWNER + 32].copy_from_slice(&state.owner.0);
        put_u64(mem, at + entry::LAMPORTS, state.lamports);
        put_u64(mem, at + entry::DATA_LEN, data.len() as u64);
        mem[at + entry::DATA..at + entry::DATA + data.len()].copy_from_slice(data);
        offset = layout.offset + abi::entry_len(layout.original_len, account.is_writable);
    }
    put_u64(mem, base + offset, frame.data.len() as u64);
    offset += 8;
    mem[base + offset..base + offset + frame.data.len()].copy_from_slice(&frame.data);
    offset += frame.data.len();
    mem[base + offset..base + offset + 32].copy_from_slice(&frame.program_id.0);
    Ok(())
}

/// Read back what the guest changed, check it against the account rules for
/// this frame's program, and apply it to the transaction's accounts.
fn sync_from_guest(mem: &[u8], state: &mut HostState) -> Result<(), InstructionError> {
    let Some(base) = state.frame.input_ptr else {
        return Ok(()); // never read its input, so changed nothing
    };
    let program_id = state.frame.program_id;
    let mut pre_sum: u128 = 0;
    let mut post_sum: u128 = 0;
    for layout in &state.frame.entries {
        let account = state.frame.accounts[layout.account];
        let at = base + layout.offset;
        // The whole buffer was bounds-checked when it was written.
        let mut owner = [0u8; 32];
        owner.copy_from_slice(&mem[at + entry::OWNER..at + entry::OWNER + 32]);
        let owner = Pubkey(owner);
        let lamports = get_u64(mem, at + entry::LAMPORTS);
        let data_len = get_u64(mem, at + entry::DATA_LEN);
        if data_len > layout.capacity as u64 {
            return Err(InstructionError::InvalidRealloc);
        }
        let data_len = data_len as usize;
        let pre = &state.ctx.accounts.accounts[account.tx_index as usize];
        let guest_data = &mem[at + entry::DATA..at + entry::DATA + data_len];
        let post_data: &[u8] = if pre.executable {
            if data_len != 0 {
                return Err(InstructionError::ExecutableDataModified);
            }
            &pre.data
        } else {
            guest_data
        };
        verify_account_change(&program_id, pre, lamports, &owner, post_data, pre.executable, account.is_writable)?;
        pre_sum += pre.lamports as u128;
        post_sum += lamports as u128;
        if account.is_writable && !pre.executable {
            let post = &mut state.ctx.accounts.accounts[account.tx_index as usize];
            post.lamports = lamports;
            post.owner = owner;
            if post.data.as_slice() != guest_data {
                post.data.clear();
                post.data.extend_from_slice(guest_data);
            }
        }
    }
    if pre_sum != post_sum {
        return Err(InstructionError::UnbalancedInstruction);
    }
    Ok(())
}

/// After a nested call: write the transaction's current account states back
/// into the caller's input buffer.
fn sync_to_guest(mem: &mut [u8], state: &HostState) -> Result<(), InstructionError> {
    let Some(base) = state.frame.input_ptr else { return Ok(()) };
    for layout in &state.frame.entries {
        let account = state.frame.accounts[layout.account];
        if !account.is_writable {
            continue;
        }
        let current = &state.ctx.accounts.accounts[account.tx_index as usize];
        let at = base + layout.offset;
        mem[at + entry::OWNER..at + entry::OWNER + 32].copy_from_slice(&current.owner.0);
        put_u64(mem, at + entry::LAMPORTS, current.lamports);
        if current.executable {
            continue;
        }
        if current.data.len() > layout.capacity {
            return Err(InstructionError::InvalidRealloc);
        }
        put_u64(mem, at + entry::DATA_LEN, current.data.len() as u64);
        mem[at + entry::DATA..at + entry::DATA + current.data.len()].copy_from_slice(&current.data);
    }
    Ok(())
}

type HostResult<T> = Result<T, wasmtime::Error>;

fn charge(caller: &mut Caller<'_, HostState>, units: u64) -> HostResult<()> {
    let fuel = caller.get_fuel()?;
    if fuel < units {
        caller.set_fuel(0)?;
        return Err(wasmtime::Error::new(Trap::OutOfFuel));
    }
    caller.set_fuel(fuel - units)?;
    Ok(())
}

fn memory(caller: &Caller<'_, HostState>) -> HostResult<Memory> {
    caller.data().memory.ok_or_else(|| fail(InstructionError::ProgramEnvironmentSetupFailure))
}

/// Copy `len` guest bytes at `ptr` (bounds-checked).
fn read_guest(caller: &mut Caller<'_, HostState>, ptr: i32, len: i32, max: usize) -> HostResult<Vec<u8>> {
    let len = len as u32 as usize;
    if len > max {
        return Err(fail(InstructionError::InvalidArgument).context(format!("{len} bytes is over the limit of {max}")));
    }
    let mem = memory(caller)?;
    let data = mem.data(&*caller);
    let range = guest_range(data.len(), ptr as u32, len as u64)?;
    Ok(data[range].to_vec())
}

fn write_guest(caller: &mut Caller<'_, HostState>, ptr: i32, bytes: &[u8]) -> HostResult<()> {
    let mem = memory(caller)?;
    let data = mem.data_mut(&mut *caller);
    let range = guest_range(data.len(), ptr as u32, bytes.len() as u64)?;
    data[range].copy_from_slice(bytes);
    Ok(())
}

/// Read a table of `count` (ptr: u32, len: u32) pairs; more than
/// `max_count` fails with `too_many`.
fn read_slice_table(
    caller: &mut Caller<'_, HostState>,
    table: i32,
    count: i32,
    max_count: usize,
    too_many: InstructionError,
) -> HostResult<Vec<(u32, u32)>> {
    let count = count as u32 as usize;
    if count > max_count {
        return Err(fail(too_many));
    }
    let table = read_guest(caller, table, (count * 8) as i32, max_count * 8)?;
    Ok(table
        .chunks_exact(8)
        .map(|p| (u32::from_le_bytes([p[0], p[1], p[2], p[3]]), u32::from_le_bytes([p[4], p[5], p[6], p[7]])))
        .collect())
}

/// Read a table of `count` (ptr, len) pairs and copy the bytes each names.
fn read_slices(
    caller: &mut Caller<'_, HostState>,
    table: i32,
    count: i32,
    max_count: usize,
    max_each: usize,
) -> HostResult<Vec<Vec<u8>>> {
    let pairs = read_slice_table(caller, table, count, max_count, InstructionError::MaxSeedLengthExceeded)?;
    pairs.into_iter().map(|(ptr, len)| read_guest(caller, ptr as i32, len as i32, max_each)).collect()
}

fn read_pubkey(caller: &mut Caller<'_, HostState>, ptr: i32) -> HostResult<Pubkey> {
    let bytes = read_guest(caller, ptr, 32, 32)?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&bytes);
    Ok(Pubkey(key))
}

fn define_host_functions(linker: &mut Linker<HostState>) -> HostResult<()> {
    linker.func_wrap("env", import::INPUT_LEN, |caller: Caller<'_, HostState>| -> i64 {
        caller.data().frame.input_len as i64
    })?;

    linker.func_wrap("env", import::INPUT_READ, |mut caller: Caller<'_, HostState>, dst: i32| -> HostResult<()> {
        let started = Instant::now();
        let len = caller.data().frame.input_len;
        charge(&mut caller, len as u64 / BYTES_PER_UNIT)?;
        let mem = memory(&caller)?;
        let (data, state) = mem.data_and_store_mut(&mut caller);
        let range = guest_range(data.len(), dst as u32, len as u64)?;
        write_input(data, range.start, state).map_err(fail)?;
        state.frame.input_ptr = Some(range.start);
        state.ctx.timings.serialize_ns += started.elapsed().as_nanos() as u64;
        Ok(())
    })?;

    linker.func_wrap(
        "env",
        import::LOG,
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| -> HostResult<()> {
            charge(&mut caller, LOG_BASE_COST + (len as u32 as u64))?;
            let bytes = read_guest(&mut caller, ptr, len, 10_000)?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            caller.data_mut().ctx.log(format!("Program log: {text}"));
            Ok(())
        },
    )?;

    linker.func_wrap("env", import::LOG_COMPUTE_UNITS, |mut caller: Caller<'_, HostState>| -> HostResult<()> {
        charge(&mut caller, SYSCALL_BASE_COST)?;
        let left = caller.get_fuel()?;
        caller.data_mut().ctx.log(format!("Program consumption: {left} units remaining"));
        Ok(())
    })?;

    linker.func_wrap(
        "env",
        import::ABORT,
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| -> HostResult<()> {
            let len = (len as u32).min(1024) as i32;
            let message = read_guest(&mut caller, ptr, len, 1024)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_else(|_| "(unreadable abort message)".into());
            Err(wasmtime::Error::new(HostError::Abort(message)))
        },
    )?;

    linker.func_wrap(
        "env",
        import::INVOKE,
        |mut caller: Caller<'_, HostState>,
         ix_ptr: i32,
         ix_len: i32,
         seeds_ptr: i32,
         seeds_len: i32|
         -> HostResult<i64> {
            cross_program_invoke(&mut caller, ix_ptr, ix_len, seeds_ptr, seeds_len)?;
            Ok(0)
        },
    )?;

    linker.func_wrap(
        "env",
        import::SET_RETURN_DATA,
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| -> HostResult<()> {
            if len as u32 as usize > MAX_RETURN_DATA {
                return Err(fail(InstructionError::InvalidArgument).context("return data over 1024 bytes"));
            }
            charge(&mut caller, SYSCALL_BASE_COST + len as u32 as u64 / BYTES_PER_UNIT)?;
            let data = read_guest(&mut caller, ptr, len, MAX_RETURN_DATA)?;
            let program_id = caller.data().frame.program_id;
            let ctx = &mut caller.data_mut().ctx;
            ctx.return_data = if data.is_empty() { None } else { Some((program_id, data)) };
            Ok(())
        },
    )?;

    linker.func_wrap(
        "env",
        import::GET_RETURN_DATA,
        |mut caller: Caller<'_, HostState>, dst: i32, dst_len: i32, program_dst: i32| -> HostResult<i64> {
            charge(&mut caller, SYSCALL_BASE_COST)?;
            let Some((program, data)) = caller.data().ctx.return_data.clone() else { return Ok(0) };
            let n = data.len().min(dst_len as u32 as usize);
            write_guest(&mut caller, dst, &data[..n])?;
            write_guest(&mut caller, program_dst, &program.0)?;
            Ok(data.len() as i64)
        },
    )?;

    linker.func_wrap(
        "env",
        import::SHA256,
        |mut caller: Caller<'_, HostState>, table: i32, count: i32, out: i32| -> HostResult<()> {
            charge(&mut caller, SHA256_BASE_COST)?;
            // Charge for every byte before touching any: the slices may all
            // point at the same large region.
            let pairs =
                read_slice_table(&mut caller, table, count, MAX_HASH_SLICES, InstructionError::InvalidArgument)?;
            let total: u64 = pairs.iter().map(|(_, len)| *len as u64).sum();
            charge(&mut caller, total * SHA256_BYTE_COST / 2)?;
            let mem = memory(&caller)?;
            let data = mem.data(&caller);
            let mut parts: Vec<&[u8]> = Vec::with_capacity(pairs.len());
            for (ptr, len) in &pairs {
                parts.push(&data[guest_range(data.len(), *ptr, *len as u64)?]);
            }
            let digest = hashv(&parts);
            write_guest(&mut caller, out, &digest.0)
        },
    )?;

    linker.func_wrap(
        "env",
        import::CREATE_PROGRAM_ADDRESS,
        |mut caller: Caller<'_, HostState>, seeds: i32, count: i32, program: i32, out: i32| -> HostResult<i64> {
            charge(&mut caller, PDA_COST)?;
            let Ok(seeds) = read_slices(&mut caller, seeds, count, MAX_SEEDS, MAX_SEED_LEN) else { return Ok(1) };
            let program = read_pubkey(&mut caller, program)?;
            let parts: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
            match create_program_address_cached(&parts, &program) {
                Ok(address) => {
                    write_guest(&mut caller, out, &address.0)?;
                    Ok(0)
                }
                Err(_) => Ok(1),
            }
        },
    )?;

    linker.func_wrap(
        "env",
        import::TRY_FIND_PROGRAM_ADDRESS,
        |mut caller: Caller<'_, HostState>,
         seeds: i32,
         count: i32,
         program: i32,
         out: i32,
         bump_out: i32|
         -> HostResult<i64> {
            charge(&mut caller, PDA_COST)?;
            let Ok(seeds) = read_slices(&mut caller, seeds, count, MAX_SEEDS - 1, MAX_SEED_LEN) else { return Ok(1) };
            let program = read_pubkey(&mut caller, program)?;
            let parts: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
            match try_find_program_address_native(&parts, &program) {
                Some((address, bump)) => {
                    // Each bump tried costs one derivation, as in Solana.
                    charge(&mut caller, PDA_COST * (255 - bump as u64))?;
                    write_guest(&mut caller, out, &address.0)?;
                    write_guest(&mut caller, bump_out, &[bump])?;
                    Ok(0)
                }
                None => Ok(1),
            }
        },
    )?;

    linker.func_wrap("env", import::GET_CLOCK, |mut caller: Caller<'_, HostState>, out: i32| -> HostResult<()> {
        charge(&mut caller, SYSCALL_BASE_COST)?;
        let clock = caller.data().ctx.clock.to_bytes();
        write_guest(&mut caller, out, &clock)
    })?;

    linker.func_wrap(
        "env",
        import::REMAINING_COMPUTE_UNITS,
        |mut caller: Caller<'_, HostState>| -> HostResult<i64> {
            charge(&mut caller, SYSCALL_BASE_COST)?;
            Ok(caller.get_fuel()? as i64)
        },
    )?;
    Ok(())
}

/// PDA derivation with the off-curve check (an ed25519 point decompression,
/// ~3 µs) remembered per thread. The check is a pure function of the
/// candidate bytes, so caching it cannot change any result.
fn create_program_address_cached(
    seeds: &[&[u8]],
    program_id: &Pubkey,
) -> Result<Pubkey, lanes_sdk::pubkey::PubkeyError> {
    use std::cell::RefCell;
    thread_local! {
        static ON_CURVE: RefCell<HashMap<Pubkey, bool>> = RefCell::new(HashMap::new());
    }
    let candidate = lanes_sdk::pubkey::program_address_candidate(seeds, program_id)?;
    let on_curve = ON_CURVE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(known) = cache.get(&candidate) {
            return *known;
        }
        if cache.len() >= 65_536 {
            cache.clear();
        }
        let on_curve = candidate.is_on_curve();
        cache.insert(candidate, on_curve);
        on_curve
    });
    if on_curve {
        return Err(lanes_sdk::pubkey::PubkeyError::InvalidSeeds);
    }
    Ok(candidate)
}

/// `lanes_invoke`: run another program on some of this frame's accounts.
fn cross_program_invoke(
    caller: &mut Caller<'_, HostState>,
    ix_ptr: i32,
    ix_len: i32,
    seeds_ptr: i32,
    seeds_len: i32,
) -> HostResult<()> {
    let ix_bytes = read_guest(caller, ix_ptr, ix_len, MAX_CPI_INSTRUCTION_LEN)?;
    let seed_bytes = read_guest(caller, seeds_ptr, seeds_len, MAX_CPI_SEEDS_LEN)?;
    charge(caller, CPI_BASE_COST + (ix_bytes.len() as u64) / BYTES_PER_UNIT)?;
    let instruction = cpi_wire::decode_instruction(&ix_bytes)
        .ok_or_else(|| fail(InstructionError::InvalidArgument).context("malformed CPI instruction"))?;
    let signer_seeds = cpi_wire::decode_signer_seeds(&seed_bytes)
        .ok_or_else(|| fail(InstructionError::InvalidArgument).context("malformed CPI signer seeds"))?;
    if signer_seeds.len() > MAX_SEEDS {
        return Err(fail(InstructionError::MaxSeedLengthExceeded));
    }
    charge(caller, PDA_COST * signer_seeds.len() as u64)?;

    // 1. The caller's own changes so far must obey the rules, and become visible to the callee.
    let mem = memory(caller)?;
    {
        let (data, state) = mem.data_and_store_mut(&mut *caller);
        sync_from_guest(data, state).map_err(fail)?;
    }

    // 2. Map the callee's accounts onto the caller's, refusing privilege escalation.
    let state = caller.data_mut();
    let caller_program = state.frame.program_id;
    let mut signers = Vec::with_capacity(signer_seeds.len());
    for seeds in &signer_seeds {
        let pda =
            create_program_address_cached(seeds, &caller_program).map_err(|e| fail(ProgramError::from(e).into()))?;
        signers.push(pda);
    }
    let mut callee_accounts = Vec::with_capacity(instruction.accounts.len());
    for meta in &instruction.accounts {
        let found =
            state.frame.accounts.iter().find(|a| state.ctx.accounts.keys[a.tx_index as usize] == meta.pubkey).copied();
        let Some(found) = found else {
            state.ctx.log(format!("Instruction references an unknown account {}", meta.pubkey));
            return Err(fail(InstructionError::MissingAccount));
        };
        if meta.is_writable && !found.is_writable {
            state.ctx.log(format!("{}'s writable privilege escalated", meta.pubkey));
            return Err(fail(InstructionError::PrivilegeEscalation));
        }
        if meta.is_signer && !found.is_signer && !signers.contains(&meta.pubkey) {
            state.ctx.log(format!("{}'s signer privilege escalated", meta.pubkey));
            return Err(fail(InstructionError::PrivilegeEscalation));
        }
        callee_accounts.push(InstructionAccount {
            tx_index: found.tx_index,
            is_signer: meta.is_signer,
            is_writable: meta.is_writable,
        });
    }
    let Some(program_index) = state.ctx.accounts.index_of(&instruction.program_id) else {
        state.ctx.log(format!("Unknown program {}", instruction.program_id));
        return Err(fail(InstructionError::MissingAccount));
    };

    // 3. Run the callee with the transaction's context, then hand it back.
    let fuel = caller.get_fuel()?;
    let state = caller.data_mut();
    state.ctx.compute_remaining = fuel;
    let executor = state.executor.clone().ok_or_else(|| fail(InstructionError::ProgramEnvironmentSetupFailure))?;
    let mut ctx = std::mem::take(&mut state.ctx);
    let result = process_instruction(&executor, &mut ctx, program_index, &callee_accounts, instruction.data);
    let remaining = ctx.compute_remaining;
    caller.data_mut().ctx = ctx;
    caller.set_fuel(remaining)?;
    result.map_err(fail)?;

    // 4. The caller sees the callee's changes.
    let (data, state) = mem.data_and_store_mut(&mut *caller);
    sync_to_guest(data, state).map_err(fail)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering::Relaxed;

    const PROGRAM: &str =
        r#"(module (memory (export "memory") 1) (func (export "entrypoint") (result i64) i64.const 0))"#;

    #[test]
    fn artifacts_are_reused_from_disk_and_tampering_is_detected() {
        let dir = std::env::temp_dir().join(format!("lanes-artifacts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let code = wat::parse_str(PROGRAM).unwrap();
        let config = ExecutorConfig { artifact_dir: Some(dir.clone()), ..ExecutorConfig::default() };

        let first = Executor::new(config.clone()).unwrap();
        first.compile(&code).unwrap();
        first.compile(&code).unwrap();
        assert_eq!((first.stats().compiled.load(Relaxed), first.stats().loaded_from_disk.load(Relaxed)), (1, 0));

        let second = Executor::new(config.clone()).unwrap();
        second.compile(&code).unwrap();
        assert_eq!((second.stats().compiled.load(Relaxed), second.stats().loaded_from_disk.load(Relaxed)), (0, 1));

        // A flipped byte in the artifact: not deserialized, compiled afresh.
        let artifact = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "cwasm"))
            .unwrap();
        let mut bytes = std::fs::read(&artifact).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&artifact, bytes).unwrap();
        let third = Executor::new(config).unwrap();
        third.compile(&code).unwrap();
        assert_eq!((third.stats().compiled.load(Relaxed), third.stats().loaded_from_disk.load(Relaxed)), (1, 0));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Invoke one program `times` times on a bank over an executor whose
    /// arena has `arena_slots` slots; (fresh instances, reset scans).
    fn invoke_repeatedly(arena_slots: u32, times: usize) -> (u64, u64) {
        use crate::bank::{Bank, BankConfig};
        use crate::store::InMemoryAccountStore;
        use lanes_sdk::client::Keypair;
        use lanes_sdk::transaction::Transaction;
        use lanes_sdk::{system_program, Account, Instruction};

        let executor = Executor::build(arena_slots, None, None, false).unwrap();
        let bank = Bank::new(Arc::new(InMemoryAccountStore::new()), executor, BankConfig::default());
        let payer = Keypair::new();
        bank.set_account(payer.pubkey(), Account::new(1_000_000_000, 0, &system_program::ID)).unwrap();
        // Writes two pages apart, so each reset has work in several places.
        let code = wat::parse_str(PROGRAM.replace(
            "i64.const 0)",
            "i32.const 100 i32.const 1 i32.store i32.const 9000 i32.const 2 i32.store i64.const 0)",
        ))
        .unwrap();
        let program = Keypair::new().pubkey();
        bank.set_account(program, crate::execution::builtins::loader::immutable_program_account(&code, 0)).unwrap();
        for nonce in 0..times {
            let ix = Instruction::new_with_bytes(program, &(nonce as u64).to_le_bytes(), vec![]);
            let tx =
                Transaction::new_signed_with_payer(&[ix], Some(&payer.pubkey()), &[&payer], bank.latest_blockhash());
            assert_eq!(bank.process_transaction(&tx).unwrap().result, Ok(()), "invocation {nonce}");
        }
        let timings = bank.timings();
        assert_eq!(timings.wasm_invocations, times as u64);
        (timings.fresh_instances, timings.reset_scans)
    }

    /// A thread collects RESET_BATCH used instances of a program, then
    /// resets them together: one scan for those in the arena, one each for
    /// those that did not fit (they have mappings of their own).
    #[test]
    fn used_instances_are_reset_in_batches_with_one_scan_over_the_arena() {
        let times = 3 * RESET_BATCH;
        if !instance_reuse_supported() {
            assert_eq!(invoke_repeatedly(ROOT_ARENA_SLOTS, times), (times as u64, 0));
            return;
        }
        // Invocations 1-8 make instances; 9 resets all eight, 10-16 use them;
        // 17 resets again, 18-24 use them.
        assert_eq!(invoke_repeatedly(ROOT_ARENA_SLOTS, times), (RESET_BATCH as u64, 2));
        // Two slots: two memories in the arena (one scan), six outside.
        let outside = RESET_BATCH as u64 - 2;
        assert_eq!(invoke_repeatedly(2, times), (RESET_BATCH as u64, 2 * (1 + outside)));
    }

    #[test]
    fn oversized_programs_are_refused_before_compiling() {
        let executor = Executor::new(ExecutorConfig::default()).unwrap();
        let huge = vec![0u8; MAX_PROGRAM_LEN + 1];
        assert!(matches!(executor.compile(&huge), Err(ProgramLoadError::TooLarge { .. })));
    }
}
