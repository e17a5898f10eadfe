//! Running one instruction of a WASM program ([`execute_program`]): find
//! its compiled code, take a reset instance from the pool or instantiate a
//! fresh one, move the transaction's context into the store, call the
//! entry point with the remaining compute units as fuel, read the results
//! back under the account rules, and park the instance for reuse.

use super::deploy::CompiledProgram;
use super::engine::Executor;
use super::input_buffer::{build_frame, sync_from_guest, WasmFrame};
use super::instance_pool::{park_instance, take_idle_instance, IdleInstance, LiveInstance};
use super::{MAX_INSTANCE_MEMORY, MAX_TABLE_ELEMENTS};
use crate::transaction_context::{InstructionAccount, TransactionContext};
use lanes_sdk::hash::hashv;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::loader::{LoaderState, STATE_HEADER_LEN};
use lanes_sdk::program_error::ProgramError;
use std::sync::Arc;
use std::time::Instant;
use wasmtime::{Extern, Memory, Store, StoreLimits, StoreLimitsBuilder, Trap};

/// Why a host function stopped the guest.
#[derive(Debug)]
pub(crate) enum HostError {
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

/// How a running program calls another (`lanes_invoke`): the instruction
/// processor of [`crate::execution`], called back through this trait so
/// that the VM never names it.
pub trait InstructionProcessor: Sync {
    /// Run one instruction of the program at `program_index` on `accounts`.
    fn process_instruction(
        &self,
        executor: &Arc<Executor>,
        ctx: &mut TransactionContext,
        program_index: usize,
        accounts: &[InstructionAccount],
        data: &[u8],
    ) -> Result<(), InstructionError>;
}

/// Fuel for instantiating a module without a start function: copying its
/// data segments and initializing its table, bounded by the deploy limits
/// on memory and tables, and paid for by the start cost.
const INSTANTIATION_FUEL: u64 = u64::MAX / 2;

/// A store's data: the transaction's context (moved in for the call), the
/// frame, and resource limits.
pub struct HostState {
    pub(super) ctx: TransactionContext,
    pub(super) executor: Option<Arc<Executor>>,
    /// Who runs a cross-program invocation (set for the call, like `executor`).
    pub(super) processor: Option<&'static dyn InstructionProcessor>,
    pub(super) frame: WasmFrame,
    pub(super) limits: StoreLimits,
    pub(super) memory: Option<Memory>,
}

/// Run the WASM program at `program_index` on `accounts`.
pub(crate) fn execute_program(
    processor: &'static dyn InstructionProcessor,
    executor: &Arc<Executor>,
    ctx: &mut TransactionContext,
    program_index: usize,
    accounts: &[InstructionAccount],
    data: &[u8],
) -> Result<(), InstructionError> {
    let program_id = ctx.accounts.keys[program_index];
    let program = resolve_program(executor, ctx, program_index)?;
    // Starting an instance costs the same whether this worker holds a reset
    // one or instantiates afresh: a rule of the program, never of the
    // worker's history.
    ctx.consume(program.start_cost)?;

    let started = Instant::now();
    let frame = build_frame(ctx, program_id, accounts, data)?;
    let (mut store, instance) = match take_idle_instance(executor, &program, &mut ctx.timings) {
        Some(IdleInstance { store, instance, .. }) => (store, Some(instance)),
        None => (new_store(executor), None),
    };
    let state = store.data_mut();
    state.ctx = std::mem::take(ctx);
    state.executor = Some(executor.clone());
    state.processor = Some(processor);
    state.frame = frame;
    let remaining = state.ctx.compute_remaining;
    let (result, reusable) = run_instance(&mut store, &program, instance, remaining, started);
    let state = store.data_mut();
    *ctx = std::mem::take(&mut state.ctx);
    state.executor = None;
    state.processor = None;
    if let Some(instance) = reusable {
        park_instance(executor, program, store, instance);
    }
    result
}

pub(crate) fn new_store(executor: &Arc<Executor>) -> Store<HostState> {
    let limits = StoreLimitsBuilder::new()
        .memory_size(MAX_INSTANCE_MEMORY)
        .instances(1)
        .memories(1)
        .tables(1)
        .table_elements(MAX_TABLE_ELEMENTS)
        .build();
    let state = HostState {
        ctx: TransactionContext::default(),
        executor: None,
        processor: None,
        frame: WasmFrame::default(),
        limits,
        memory: None,
    };
    let mut store = Store::new(&executor.engine, state);
    store.limiter(|s| &mut s.limits);
    store
}

/// Instantiate `program` in `store` (fresh) and find the handles the host needs.
pub(crate) fn instantiate(
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
pub(crate) fn run_instance(
    store: &mut Store<HostState>,
    program: &CompiledProgram,
    instance: Option<LiveInstance>,
    fuel: u64,
    started: Instant,
) -> (Result<(), InstructionError>, Option<LiveInstance>) {
    let instance = match instance {
        Some(instance) => {
            if store.set_fuel(fuel).is_err() {
                return (Err(InstructionError::ProgramEnvironmentSetupFailure), None);
            }
            instance
        }
        None => {
            store.data_mut().ctx.timings.fresh_instances += 1;
            // Instantiating copies data segments into memory (no
            // copy-on-write images), which wasmtime meters as fuel. That is
            // not the program's work and a reused instance does none of it:
            // the start cost pays for it by rule, so it runs on fuel of its
            // own. A start function is the exception: it is program work,
            // run on the transaction's fuel (with its data copy: such
            // modules are never reused, so they always pay the same).
            let instantiation_fuel = if program.runs_start_function { fuel } else { INSTANTIATION_FUEL };
            if store.set_fuel(instantiation_fuel).is_err() {
                return (Err(InstructionError::ProgramEnvironmentSetupFailure), None);
            }
            let instantiated = instantiate(store, program);
            if !program.runs_start_function && store.set_fuel(fuel).is_err() {
                return (Err(InstructionError::ProgramEnvironmentSetupFailure), None);
            }
            match instantiated {
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
pub(crate) fn finish_fuel(store: &mut Store<HostState>) {
    let fuel = store.get_fuel().unwrap_or(0);
    store.data_mut().ctx.compute_remaining = fuel;
}

pub(crate) fn classify_trap(store: &mut Store<HostState>, err: wasmtime::Error) -> InstructionError {
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
pub(crate) fn resolve_program(
    executor: &Arc<Executor>,
    ctx: &mut TransactionContext,
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
    // Its compiled code is not the node's until the deploy commits.
    if executor.deployed_by_this_transaction(&code_hash) {
        ctx.log(format!("Program {program_id} is deployed by this transaction; invoke it from a later one"));
        return Err(InstructionError::UnsupportedProgramId);
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
