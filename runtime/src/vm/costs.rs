//! What the host functions charge, in compute units (one unit is one unit of
//! wasmtime fuel: one WASM operator). Every cost is charged before the work
//! it pays for.

/// Charged per cross-program invocation, plus per byte of instruction data.
pub const CPI_BASE_COST: u64 = 1_000;
/// Charged per log call, plus per byte logged.
pub const LOG_BASE_COST: u64 = 100;
/// Charged per pubkey logged (Solana's `log_pubkey_units`): the host's
/// base58 of 32 bytes, under a microsecond, for at most the ~175 lines the
/// log's 10 KB hold (later calls are dropped unrendered).
pub const LOG_PUBKEY_COST: u64 = 100;
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
/// Bytes of account data per unit a program's input costs on top of
/// [`BYTES_PER_UNIT`]: the data is copied in, compared with what the
/// program left and copied back (measured by `lanes-bench adversarial`,
/// docs/benchmarks.md).
pub const ACCOUNT_DATA_BYTES_PER_UNIT: u64 = 16;
/// Charged each time an instance of a program starts, fresh or reused (the
/// same by rule, whatever the worker holds), plus its parts below.
pub const INSTANCE_START_COST: u64 = 100;
/// Bytes of a module's data segments per unit charged at instance start
/// (what a fresh instance copies, and a reset one restores).
pub const DATA_SEGMENT_BYTES_PER_UNIT: u64 = BYTES_PER_UNIT;
/// Bytes of a module's initial linear memory per unit charged at instance
/// start: sixteen units a 4 KiB page, for what a page the program touches
/// costs (a fault on first touch, a reset after: ~270 ns on the machines of
/// docs/benchmarks.md), measured by `lanes-bench adversarial`.
pub const INITIAL_MEMORY_BYTES_PER_UNIT: u64 = 256;
/// Table elements per unit charged at instance start.
pub const TABLE_ELEMENTS_PER_UNIT: u64 = 16;

/// Charged per byte of code deployed, for reading, validating and
/// compiling it (Cranelift takes 3–5 µs a byte of Rust-made code on the
/// machines of docs/benchmarks.md).
pub const COMPILE_COST_PER_BYTE: u64 = 2;
/// Charged per function deployed (Cranelift spends ~130 µs on each, however
/// small).
pub const COMPILE_COST_PER_FUNCTION: u64 = 64;
/// A function's declared locals times its control blocks, per unit charged
/// at deploy: what Cranelift's SSA construction can take quadratic time in
/// (`module_limits`).
pub const COMPILE_LOCALS_TIMES_BLOCKS_PER_UNIT: u64 = 1;

/// What starting an instance of a module costs, by the rule above.
pub fn instance_start_cost(data_segment_bytes: u64, initial_memory_bytes: u64, table_elements: u64) -> u64 {
    INSTANCE_START_COST
        + data_segment_bytes.div_ceil(DATA_SEGMENT_BYTES_PER_UNIT)
        + initial_memory_bytes.div_ceil(INITIAL_MEMORY_BYTES_PER_UNIT)
        + table_elements.div_ceil(TABLE_ELEMENTS_PER_UNIT)
}
