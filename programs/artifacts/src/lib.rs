//! The bundled Lanes programs, compiled to WASM by this crate's build script
//! and embedded as bytes: what tests, the harness and the benchmarks deploy.
//!
//! This crate must never hold code of its own beyond naming the artifacts.

/// The fungible-token program (`programs/token`).
pub const TOKEN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lanes_token.wasm"));

/// A program whose instructions exercise the runtime: hostile behaviour
/// (loops, memory bombs, illegal writes), CPI, logs, return data
/// (`programs/test-programs`).
pub const TEST_PROGRAM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lanes_test_program.wasm"));

/// The counter contract of `examples/counter` (the contract guide's example).
pub const COUNTER_EXAMPLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lanes_example_counter.wasm"));

/// The constant-product AMM (`programs/amm`).
pub const AMM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lanes_amm.wasm"));

/// The lending market (`programs/lending`).
pub const LENDING: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lanes_lending.wasm"));

/// The escrow contract of `examples/escrow` (the contract guide's PDA and CPI example).
pub const ESCROW_EXAMPLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lanes_example_escrow.wasm"));

/// Every bundled program by name, for tools that deploy them all.
pub const ALL: &[(&str, &[u8])] =
    &[("token", TOKEN), ("test-program", TEST_PROGRAM), ("amm", AMM), ("lending", LENDING)];
