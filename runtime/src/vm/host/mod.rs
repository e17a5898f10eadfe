//! The host functions of `lanes_sdk::abi` that programs import from `env`,
//! one file per group, and the checked guest-memory access they share.
//! Every pointer and length a program passes is bounds-checked here; every
//! cost is charged before the work it pays for.

mod cpi;
mod crypto;
mod input;
mod log;
mod return_data;
mod sysvars;

use super::invoke::{HostError, HostState};
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::Pubkey;
use wasmtime::{Caller, Linker, Memory, Trap};

pub(super) type HostResult<T> = Result<T, wasmtime::Error>;

/// Every host function, on `linker`.
pub(super) fn define_host_functions(linker: &mut Linker<HostState>) -> HostResult<()> {
    input::define(linker)?;
    log::define(linker)?;
    cpi::define(linker)?;
    return_data::define(linker)?;
    crypto::define(linker)?;
    sysvars::define(linker)?;
    Ok(())
}

pub(crate) fn fail(err: InstructionError) -> wasmtime::Error {
    wasmtime::Error::new(HostError::Instruction(err))
}

pub(crate) fn guest_range(mem_len: usize, ptr: u32, len: u64) -> Result<std::ops::Range<usize>, wasmtime::Error> {
    let start = ptr as usize;
    let end = (start as u64).checked_add(len).filter(|end| *end <= mem_len as u64);
    match end {
        Some(end) => Ok(start..end as usize),
        None => Err(fail(InstructionError::ProgramFailedToComplete)
            .context(format!("guest access out of bounds: {len} bytes at {ptr:#x}"))),
    }
}

pub(crate) fn charge(caller: &mut Caller<'_, HostState>, units: u64) -> HostResult<()> {
    let fuel = caller.get_fuel()?;
    if fuel < units {
        caller.set_fuel(0)?;
        return Err(wasmtime::Error::new(Trap::OutOfFuel));
    }
    caller.set_fuel(fuel - units)?;
    Ok(())
}

pub(crate) fn memory(caller: &Caller<'_, HostState>) -> HostResult<Memory> {
    caller.data().memory.ok_or_else(|| fail(InstructionError::ProgramEnvironmentSetupFailure))
}

/// Copy `len` guest bytes at `ptr` (bounds-checked).
pub(crate) fn read_guest(caller: &mut Caller<'_, HostState>, ptr: i32, len: i32, max: usize) -> HostResult<Vec<u8>> {
    let len = len as u32 as usize;
    if len > max {
        return Err(fail(InstructionError::InvalidArgument).context(format!("{len} bytes is over the limit of {max}")));
    }
    let mem = memory(caller)?;
    let data = mem.data(&*caller);
    let range = guest_range(data.len(), ptr as u32, len as u64)?;
    Ok(data[range].to_vec())
}

pub(crate) fn write_guest(caller: &mut Caller<'_, HostState>, ptr: i32, bytes: &[u8]) -> HostResult<()> {
    let mem = memory(caller)?;
    let data = mem.data_mut(&mut *caller);
    let range = guest_range(data.len(), ptr as u32, bytes.len() as u64)?;
    data[range].copy_from_slice(bytes);
    Ok(())
}

/// Read a table of `count` (ptr: u32, len: u32) pairs; more than
/// `max_count` fails with `too_many`.
pub(crate) fn read_slice_table(
    caller: &mut Caller<'_, HostState>,
    table: i32,
    count: i32,
    max_count: usize,
    too_many: InstructionError,
) -> HostResult<Vec<(u32, u32)>> {
    let count = count as u32 as usize;
    if count > max_count {
        return Err(fail(too_many));
    }
    let table = read_guest(caller, table, (count * 8) as i32, max_count * 8)?;
    Ok(table
        .chunks_exact(8)
        .map(|p| (u32::from_le_bytes([p[0], p[1], p[2], p[3]]), u32::from_le_bytes([p[4], p[5], p[6], p[7]])))
        .collect())
}

/// Read a table of `count` (ptr, len) pairs and copy the bytes each names.
pub(crate) fn read_slices(
    caller: &mut Caller<'_, HostState>,
    table: i32,
    count: i32,
    max_count: usize,
    max_each: usize,
) -> HostResult<Vec<Vec<u8>>> {
    let pairs = read_slice_table(caller, table, count, max_count, InstructionError::MaxSeedLengthExceeded)?;
    pairs.into_iter().map(|(ptr, len)| read_guest(caller, ptr as i32, len as i32, max_each)).collect()
}

pub(crate) fn read_pubkey(caller: &mut Caller<'_, HostState>, ptr: i32) -> HostResult<Pubkey> {
    let bytes = read_guest(caller, ptr, 32, 32)?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&bytes);
    Ok(Pubkey(key))
}
