//! Cross-module tests of the runtime through its harness: one test binary
//! (linking wasmtime once) with a module per area.

mod bank;
mod common;
mod cpi;
mod deploy;
mod determinism;
mod harness;
mod hostile;
mod limits;
mod loader;
mod lookup_tables;
mod parallel;
mod pipeline;
mod reuse;
