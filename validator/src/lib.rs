//! # lanes-validator
//!
//! The Lanes node and its tools. Today it holds the load tester's
//! workloads ([`bench`]) and the `lanes-bench` binary; the validator (RPC,
//! TPU, banking stage, ledger) and the `lanes` CLI are to come.
//!
//! This crate must never reach into the runtime's internals: it drives the
//! bank through its public API, exactly as a node would.

pub mod adversarial;
pub mod bench;
pub mod defi_workloads;
pub mod store_bench;
pub mod workloads;
