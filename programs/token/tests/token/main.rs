//! The token program as deployed: the real WASM (`lanes_program_artifacts::TOKEN`)
//! run through the runtime's test harness. Every instruction's happy path,
//! and every way a caller can try to cheat, asserting the exact error and
//! that a failed transaction changed nothing but the fee payer's balance.
//!
//! One test binary, a module per feature.

mod authority;
mod batch;
mod close;
mod common;
mod delegate;
mod freeze;
mod mint;
mod model;
mod refusals;
mod transfer;
