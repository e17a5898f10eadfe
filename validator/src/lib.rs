//! # lanes-validator
//!
//! The Lanes node and its tools: the local validator ([`node`]: ledger,
//! banking thread, Solana's JSON-RPC and PubSub, the UDP transaction port)
//! behind the `lanes-validator` binary, and the load tester's workloads
//! ([`bench`], [`adversarial`], [`node_bench`], and [`remote_bench`]
//! against a running node, over [`rpc_client`]) behind `lanes-bench`, and
//! the `lanes` CLI ([`cli`], over the `lanes-client` crate).
//!
//! This crate must never reach into the runtime's internals: it drives the
//! bank through its public API, exactly as a node would.

pub mod adversarial;
pub mod bench;
pub mod cli;
pub mod defi_workloads;
pub mod ledger_bench;
pub mod node;
pub mod node_bench;
pub mod read_load;
pub mod remote_bench;
pub mod rpc_client;
pub mod sigverify_bench;
pub mod store_bench;
pub mod workloads;
