//! The host ABI between the Lanes runtime and a WASM contract. Both sides
//! compile against these definitions, so they cannot drift apart.
//!
//! ## Exports a contract must have
//! * `memory`: its linear memory.
//! * `entrypoint: () -> i64`: run one instruction; 0 for success, else a
//!   [`crate::program_error::ProgramError`] code.
//!
//! ## Imports (module `env`)
//! Every pointer is a 32-bit offset into the contract's memory; every length
//! is checked by the host, which traps the contract on an out-of-bounds access.
//! See [`import`] for the list and signatures.
//!
//! ## Input buffer
//! The contract asks for its input with `lanes_input_len` and
//! `lanes_input_read(dst)`; the host writes it at `dst` (8-byte aligned):
//!
//! ```text
//! u64 num_accounts
//! per account, either a duplicate (8 bytes):
//!     u8 index of the first entry for this key, 7 bytes padding
//! or an original entry:
//!     u8 0xFF | u8 is_signer | u8 is_writable | u8 executable | u32 original_data_len
//!     [32] key | [32] owner | u64 lamports | u64 data_len
//!     data, then (writable accounts only) MAX_PERMITTED_DATA_INCREASE spare
//!     bytes for growth, then padding to 8
//! u64 instruction_data_len | instruction data
//! [32] program id
//! ```
//!
//! After `entrypoint` returns (and before each cross-program call) the host
//! reads back each writable entry's owner, lamports, data length and data
//! from the same place and checks them against the account rules. The
//! contents of the spare bytes are unspecified until the contract grows the
//! data over them (the sdk zeroes them when it does).

/// Names and signatures of the host functions, module `env`.
pub mod import {
    /// `() -> i64`: bytes the input buffer needs.
    pub const INPUT_LEN: &str = "lanes_input_len";
    /// `(dst: i32)`: write the input buffer at `dst`.
    pub const INPUT_READ: &str = "lanes_input_read";
    /// `(ptr: i32, len: i32)`: log a UTF-8 message.
    pub const LOG: &str = "lanes_log";
    /// `()`: log the remaining compute units.
    pub const LOG_COMPUTE_UNITS: &str = "lanes_log_compute_units";
    /// `(key_ptr: i32)`: log the 32-byte key at `key_ptr` as
    /// `Program log: <base58>` (Solana's `sol_log_pubkey`).
    pub const LOG_PUBKEY: &str = "lanes_log_pubkey";
    /// `(ptr: i32, len: i32)`: abort with a message; never returns.
    pub const ABORT: &str = "lanes_abort";
    /// `(ix_ptr: i32, ix_len: i32, seeds_ptr: i32, seeds_len: i32) -> i64`:
    /// call another program. `ix` is a borsh [`crate::Instruction`]; `seeds` a
    /// borsh `Vec<Vec<Vec<u8>>>` of signer seeds. Returns 0; a failing callee
    /// aborts the caller (as in Solana, a failed invocation cannot be caught).
    pub const INVOKE: &str = "lanes_invoke";
    /// `(ptr: i32, len: i32)`: set this transaction's return data (≤ 1024 bytes).
    pub const SET_RETURN_DATA: &str = "lanes_set_return_data";
    /// `(dst: i32, dst_len: i32, program_id_dst: i32) -> i64`: copy the
    /// return data (at most `dst_len` bytes) and the program that set it;
    /// returns its full length (0 if none).
    pub const GET_RETURN_DATA: &str = "lanes_get_return_data";
    /// `(slices_ptr: i32, slices_len: i32, out: i32)`: SHA-256 over
    /// `slices_len` (ptr: u32, len: u32) pairs, 32 bytes written to `out`.
    pub const SHA256: &str = "lanes_sha256";
    /// `(seeds_ptr: i32, seeds_len: i32, program_id: i32, out: i32) -> i64`:
    /// seeds as (ptr, len) pairs; 0 and the address at `out`, or 1 if the
    /// seeds are invalid or land on the curve.
    pub const CREATE_PROGRAM_ADDRESS: &str = "lanes_create_program_address";
    /// `(seeds_ptr: i32, seeds_len: i32, program_id: i32, out: i32, bump_out: i32) -> i64`:
    /// as above, searching bumps 255..=0; 0 on success, 1 if none.
    pub const TRY_FIND_PROGRAM_ADDRESS: &str = "lanes_try_find_program_address";
    /// `(out: i32)`: write the borsh [`crate::clock::Clock`] (40 bytes).
    pub const GET_CLOCK: &str = "lanes_get_clock";
    /// `() -> i64`: compute units left.
    pub const REMAINING_COMPUTE_UNITS: &str = "lanes_remaining_compute_units";
}

/// Name of the exported entry function.
pub const ENTRYPOINT_EXPORT: &str = "entrypoint";
/// Name of the exported memory.
pub const MEMORY_EXPORT: &str = "memory";

/// How much one instruction may grow an account's data.
pub const MAX_PERMITTED_DATA_INCREASE: usize = 10 * 1024;
/// Largest account data.
pub const MAX_PERMITTED_DATA_LENGTH: usize = 10 * 1024 * 1024;
/// Largest return data.
pub const MAX_RETURN_DATA: usize = 1024;
/// First byte of an entry that is not a duplicate.
pub const NON_DUP_MARKER: u8 = 0xff;

/// Offsets inside an original account entry.
pub mod entry {
    pub const DUP: usize = 0;
    pub const IS_SIGNER: usize = 1;
    pub const IS_WRITABLE: usize = 2;
    pub const EXECUTABLE: usize = 3;
    pub const ORIGINAL_DATA_LEN: usize = 4;
    pub const KEY: usize = 8;
    pub const OWNER: usize = 40;
    pub const LAMPORTS: usize = 72;
    pub const DATA_LEN: usize = 80;
    pub const DATA: usize = 88;
    /// Bytes a duplicate entry takes.
    pub const DUP_LEN: usize = 8;
}

/// Round up to a multiple of 8.
pub const fn align8(n: usize) -> usize {
    (n + 7) & !7
}

/// Bytes an original entry takes.
pub const fn entry_len(data_len: usize, is_writable: bool) -> usize {
    let spare = if is_writable { MAX_PERMITTED_DATA_INCREASE } else { 0 };
    align8(entry::DATA + data_len + spare)
}

/// How much data an entry can hold once grown.
pub const fn data_capacity(original_data_len: usize, is_writable: bool) -> usize {
    if is_writable {
        original_data_len + MAX_PERMITTED_DATA_INCREASE
    } else {
        original_data_len
    }
}
