//! # lanes-runtime
//!
//! Everything that turns a signed transaction into committed account state.
//! [`pipeline::execute_batch`] is the entry point for a batch; the modules,
//! in the order a transaction meets them:
//!
//! * [`ingest`]: sanitize (structure, lock sets, compute budget, fee) and
//!   verify signatures on all cores;
//! * [`schedule`]: thread-aware account locks and the priority scheduler
//!   that hands non-conflicting transactions to a pool of workers and
//!   records the serial order they committed in;
//! * [`bank`]: checks (blockhash, status cache, fee payer), loads accounts,
//!   executes and commits one transaction; the slot's hash;
//! * [`execution`]: the instruction processor, builtins, compute budget
//!   and fees;
//! * [`transaction_context`]: what a transaction's instructions share while
//!   they run (accounts, compute meter, logs), and the account rules;
//! * [`vm`]: the wasmtime engine, program deploy checks and compilation,
//!   instance reuse, and the host functions contracts call;
//! * [`store`]: where committed accounts live — in memory, or in the
//!   persistent, crash-safe memory-mapped store (`docs/store.md`);
//! * [`harness`]: an in-process bank for contract tests;
//! * [`cpu`]: the CPU time a batch's short-lived threads spent, by stage;
//! * [`contention`]: after a run, which accounts serialized it and what
//!   that cost (from the committed order and the workers' timings).
//!
//! The runtime must never panic on anything that came from outside the
//! process (transactions, programs, account data), and never let a result
//! depend on anything but the ledger: no wall clock, no randomness, no
//! thread timing. It does no network I/O.

// Every `unsafe` block says why it is sound; unsafe functions spell out
// their own unsafe operations.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

// Pipeline order (blank lines keep rustfmt from sorting them).
pub mod pipeline;

pub mod ingest;

pub mod schedule;

pub mod bank;

pub mod execution;

pub mod transaction_context;

pub mod vm;

pub mod store;

pub mod cpu;

pub mod contention;

pub mod pubkey_hash;

#[cfg(feature = "harness")]
pub mod harness;

pub use bank::{Bank, BankConfig, TransactionOutcome};
pub use vm::{Executor, ExecutorConfig};

/// The cores this process may run on (1 if the system cannot say): the one
/// place the runtime and its tools ask how much parallelism there is.
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
