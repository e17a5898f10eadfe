//! The contract side of the host ABI: raw imports and safe wrappers.
//! Compiled only for `wasm32`; see [`crate::abi`] for the contract.

use crate::hash::Hash;
use crate::pubkey::{Pubkey, PubkeyError, MAX_SEEDS};

#[link(wasm_import_module = "env")]
extern "C" {
    fn lanes_input_len() -> u64;
    fn lanes_input_read(dst: *mut u8);
    fn lanes_log(ptr: *const u8, len: usize);
    fn lanes_log_compute_units();
    fn lanes_log_pubkey(key: *const u8);
    fn lanes_abort(ptr: *const u8, len: usize) -> !;
    fn lanes_invoke(ix: *const u8, ix_len: usize, seeds: *const u8, seeds_len: usize) -> u64;
    fn lanes_set_return_data(ptr: *const u8, len: usize);
    fn lanes_get_return_data(dst: *mut u8, dst_len: usize, program_id: *mut u8) -> u64;
    fn lanes_sha256(slices: *const u32, slices_len: usize, out: *mut u8);
    fn lanes_create_program_address(seeds: *const u32, seeds_len: usize, program_id: *const u8, out: *mut u8) -> u64;
    fn lanes_try_find_program_address(
        seeds: *const u32,
        seeds_len: usize,
        program_id: *const u8,
        out: *mut u8,
        bump: *mut u8,
    ) -> u64;
    fn lanes_get_clock(out: *mut u8);
    fn lanes_remaining_compute_units() -> u64;
}

pub(crate) fn input_len() -> usize {
    // SAFETY: no arguments; the host returns a length.
    unsafe { lanes_input_len() as usize }
}

/// # Safety
/// `dst` must point to at least [`input_len`] writable bytes.
pub(crate) unsafe fn input_read(dst: *mut u8) {
    lanes_input_read(dst)
}

pub(crate) fn log(message: &str) {
    // SAFETY: the host reads `len` bytes from `ptr`, which the slice owns.
    unsafe { lanes_log(message.as_ptr(), message.len()) }
}

pub(crate) fn log_pubkey(key: &Pubkey) {
    // SAFETY: the host reads 32 bytes from the pointer, which the key owns.
    unsafe { lanes_log_pubkey(key.0.as_ptr()) }
}

pub(crate) fn log_compute_units() {
    // SAFETY: no arguments.
    unsafe { lanes_log_compute_units() }
}

/// Stop the contract with a message; the instruction fails.
pub fn abort(message: &str) -> ! {
    // SAFETY: the host reads `len` bytes from `ptr` and then traps.
    unsafe { lanes_abort(message.as_ptr(), message.len()) }
}

pub(crate) fn invoke(ix: &[u8], seeds: &[u8]) -> u64 {
    // SAFETY: both slices are valid for their lengths.
    unsafe { lanes_invoke(ix.as_ptr(), ix.len(), seeds.as_ptr(), seeds.len()) }
}

pub(crate) fn set_return_data(data: &[u8]) {
    // SAFETY: the slice is valid for its length.
    unsafe { lanes_set_return_data(data.as_ptr(), data.len()) }
}

pub(crate) fn get_return_data(dst: &mut [u8], program_id: &mut [u8; 32]) -> usize {
    // SAFETY: the host writes at most `dst.len()` bytes to `dst` and 32 to `program_id`.
    unsafe { lanes_get_return_data(dst.as_mut_ptr(), dst.len(), program_id.as_mut_ptr()) as usize }
}

/// (ptr, len) pairs for up to `MAX_SEEDS + 2` slices.
fn slice_table(parts: &[&[u8]], table: &mut [u32]) -> usize {
    for (i, part) in parts.iter().enumerate() {
        table[2 * i] = part.as_ptr() as u32;
        table[2 * i + 1] = part.len() as u32;
    }
    parts.len()
}

pub(crate) fn sha256(parts: &[&[u8]]) -> Hash {
    let mut out = [0u8; 32];
    let mut table = alloc::vec![0u32; parts.len() * 2];
    let count = slice_table(parts, &mut table);
    // SAFETY: the table holds `count` valid (ptr, len) pairs; `out` is 32 bytes.
    unsafe { lanes_sha256(table.as_ptr(), count, out.as_mut_ptr()) };
    Hash(out)
}

pub(crate) fn create_program_address(seeds: &[&[u8]], program_id: &Pubkey) -> Result<Pubkey, PubkeyError> {
    if seeds.len() > MAX_SEEDS {
        return Err(PubkeyError::MaxSeedLengthExceeded);
    }
    let mut table = [0u32; 2 * MAX_SEEDS];
    let count = slice_table(seeds, &mut table);
    let mut out = [0u8; 32];
    // SAFETY: valid table, 32-byte program id and output.
    let rc = unsafe { lanes_create_program_address(table.as_ptr(), count, program_id.0.as_ptr(), out.as_mut_ptr()) };
    if rc == 0 {
        Ok(Pubkey(out))
    } else if seeds.iter().any(|s| s.len() > crate::pubkey::MAX_SEED_LEN) {
        Err(PubkeyError::MaxSeedLengthExceeded)
    } else {
        Err(PubkeyError::InvalidSeeds)
    }
}

pub(crate) fn try_find_program_address(seeds: &[&[u8]], program_id: &Pubkey) -> Option<(Pubkey, u8)> {
    if seeds.len() >= MAX_SEEDS {
        return None;
    }
    let mut table = [0u32; 2 * MAX_SEEDS];
    let count = slice_table(seeds, &mut table);
    let mut out = [0u8; 32];
    let mut bump = 0u8;
    // SAFETY: valid table, 32-byte program id and output, 1-byte bump.
    let rc = unsafe {
        lanes_try_find_program_address(table.as_ptr(), count, program_id.0.as_ptr(), out.as_mut_ptr(), &mut bump)
    };
    (rc == 0).then_some((Pubkey(out), bump))
}

pub(crate) fn get_clock(out: &mut [u8; 40]) {
    // SAFETY: 40 writable bytes.
    unsafe { lanes_get_clock(out.as_mut_ptr()) }
}

pub(crate) fn remaining_compute_units() -> u64 {
    // SAFETY: no arguments.
    unsafe { lanes_remaining_compute_units() }
}
