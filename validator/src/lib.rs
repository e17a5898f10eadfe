//! # lanes-validator
//!
//! The Lanes node and its tools: the local validator ([`node`]: ledger,
//! banking thread, Solana's JSON-RPC) behind the `lanes-validator` binary,
//! and the load tester's workloads ([`bench`], [`adversarial`]) behind
//! `lanes-bench`. The WebSocket, the UDP port, the transaction ledger and
//! the `lanes` CLI are to come.
//!
//! This crate must never reach into the runtime's internals: it drives the
//! bank through its public API, exactly as a node would.

pub mod adversarial;
pub mod bench;
pub mod defi_workloads;
pub mod node;
pub mod store_bench;
pub mod workloads;
