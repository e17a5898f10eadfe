//! The WASM virtual machine: one wasmtime engine per [`Executor`] with a
//! deterministic configuration, programs validated and compiled once at
//! deploy (cached in memory by code hash and, optionally, on disk as
//! wasmtime artifacts), and the host functions of [`lanes_sdk::abi`]. This
//! is the only module that names wasmtime.
//!
//! A worker keeps the instances of a program after their invocations and
//! runs later invocations on them, once `instance_reset` has put
//! them back exactly as a fresh instance starts: used instances are reset
//! in batches, their memories packed in the engine's arena
//! (`linear_memory`) so that one page scan covers a batch. Modules
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

//!
//! Files, in the order an invocation meets them: [`engine`] (the engine,
//! compile, and what a deploy leaves behind), [`module_limits`] (what
//! deploy accepts and what compiling costs), `program_cache` (compiled
//! programs kept within a budget), `deploy` (what a module must be),
//! `artifact_cache` (compiled code on disk and for worker engines),
//! `invoke` (one instruction of a program), `instance_pool` (instances kept
//! for reuse), `instance_reset`, `linear_memory` (the memory arena),
//! `input_buffer` (the accounts in the program's memory), `host` (the host
//! functions, one file per group), `cpi_wire`, and `sys`, the raw system
//! calls (mappings, the page scan): the VM's only `unsafe` system calls.

mod artifact_cache;
pub mod costs;
mod cpi_wire;
mod deploy;
pub mod engine;
mod host;
mod input_buffer;
mod instance_pool;
mod instance_reset;
mod invoke;
mod linear_memory;
pub mod module_limits;
mod program_cache;
mod sys;

pub use deploy::{CompiledProgram, ProgramLoadError};
pub use engine::{CompileStats, Executor, ExecutorConfig, MAX_REMEMBERED_REFUSALS};
pub(crate) use invoke::execute_program;
pub use invoke::InstructionProcessor;
pub use program_cache::DEFAULT_PROGRAM_CACHE_BYTES;

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

/// Whether workers reuse reset instances on this machine (the kernel must be
/// able to report written pages: Linux 6.7+). Without it every invocation
/// gets a fresh instance; results are the same either way.
pub fn instance_reuse_supported() -> bool {
    sys::available()
}
