//! # lanes-runtime
//!
//! Everything that turns a signed transaction into committed account state:
//!
//! * [`accounts_db`]: the account-store trait the bank commits to, and an
//!   in-memory store; [`mmap_store`]: the persistent, crash-safe store
//!   (append-only memory-mapped files, per-slot commits, recovery,
//!   compaction; `docs/store.md`);
//! * [`executor`]: the wasmtime engine, program compilation and caching, and
//!   the host functions contracts call; `instance_reset`: putting a used
//!   instance back into a fresh instance's state, so workers reuse it;
//!   `linear_memory`: instances' memories packed in one arena per engine,
//!   so one page scan resets a batch of them;
//! * [`invoke_context`]: one transaction's execution state, the instruction
//!   processor, cross-program invocation and the account rules;
//! * [`builtins`]: the system, compute-budget and loader programs;
//! * [`compute_budget`]: compute limits, prices and fees;
//! * [`sanitized`], [`account_locks`], [`scheduler`], [`sigverify`]: the
//!   parallel engine — sanitize, verify on all cores, lock, schedule onto a
//!   worker pool, commit in a recorded serial order;
//! * [`bank`]: checks, executes and commits transactions;
//! * [`harness`]: an in-process bank for contract tests.
//!
//! The runtime must never panic on anything that came from outside the
//! process (transactions, programs, account data), and never let a result
//! depend on anything but the ledger: no wall clock, no randomness, no
//! thread timing.

pub mod account_locks;
pub mod accounts_db;
pub mod bank;
pub mod builtins;
pub mod compute_budget;
mod cpi_wire;
pub mod executor;
pub mod harness;
mod instance_reset;
pub mod invoke_context;
mod linear_memory;
pub mod mmap_store;
mod padded;
pub mod sanitized;
pub mod scheduler;
pub mod sigverify;

pub use bank::{Bank, BankConfig, TransactionOutcome};
pub use executor::{Executor, ExecutorConfig};
