//! What the host functions charge, in compute units (one unit is one unit of
//! wasmtime fuel: one WASM operator). Every cost is charged before the work
//! it pays for.

/// Charged per cross-program invocation, plus per byte of instruction data.
pub const CPI_BASE_COST: u64 = 1_000;
/// Charged per log call, plus per byte logged.
pub const LOG_BASE_COST: u64 = 100;
/// Charged per SHA-256 call, plus [`SHA256_BYTE_COST`] per byte hashed.
pub const SHA256_BASE_COST: u64 = 85;
/// Charged per byte hashed.
pub const SHA256_BYTE_COST: u64 = 1;
/// Charged per PDA derivation (per bump tried when searching).
pub const PDA_COST: u64 = 1_500;
/// Charged for each small syscall (clock, compute units, return data).
pub const SYSCALL_BASE_COST: u64 = 100;
/// Charged per byte copied into or out of a program for its input and CPI.
pub const BYTES_PER_UNIT: u64 = 250;
