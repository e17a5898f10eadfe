//! Hashing (`lanes_sha256`) and program-derived addresses
//! (`lanes_create_program_address`, `lanes_try_find_program_address`).

use super::{charge, guest_range, memory, read_pubkey, read_slice_table, read_slices, write_guest, HostResult};
use crate::vm::costs::{PDA_COST, SHA256_BASE_COST, SHA256_BYTE_COST};
use crate::vm::invoke::HostState;
use crate::vm::MAX_HASH_SLICES;
use lanes_sdk::abi::import;
use lanes_sdk::hash::hashv;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::pubkey::{try_find_program_address_native, MAX_SEEDS, MAX_SEED_LEN};
use lanes_sdk::Pubkey;
use std::collections::HashMap;
use wasmtime::{Caller, Linker};

pub(super) fn define(linker: &mut Linker<HostState>) -> HostResult<()> {
    linker.func_wrap(
        "env",
        import::SHA256,
        |mut caller: Caller<'_, HostState>, table: i32, count: i32, out: i32| -> HostResult<()> {
            charge(&mut caller, SHA256_BASE_COST)?;
            // Charge for every byte before touching any: the slices may all
            // point at the same large region.
            let pairs =
                read_slice_table(&mut caller, table, count, MAX_HASH_SLICES, InstructionError::InvalidArgument)?;
            let total: u64 = pairs.iter().map(|(_, len)| *len as u64).sum();
            charge(&mut caller, total * SHA256_BYTE_COST / 2)?;
            let mem = memory(&caller)?;
            let data = mem.data(&caller);
            let mut parts: Vec<&[u8]> = Vec::with_capacity(pairs.len());
            for (ptr, len) in &pairs {
                parts.push(&data[guest_range(data.len(), *ptr, *len as u64)?]);
            }
            let digest = hashv(&parts);
            write_guest(&mut caller, out, &digest.0)
        },
    )?;

    linker.func_wrap(
        "env",
        import::CREATE_PROGRAM_ADDRESS,
        |mut caller: Caller<'_, HostState>, seeds: i32, count: i32, program: i32, out: i32| -> HostResult<i64> {
            charge(&mut caller, PDA_COST)?;
            let Ok(seeds) = read_slices(&mut caller, seeds, count, MAX_SEEDS, MAX_SEED_LEN) else { return Ok(1) };
            let program = read_pubkey(&mut caller, program)?;
            let parts: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
            match create_program_address_cached(&parts, &program) {
                Ok(address) => {
                    write_guest(&mut caller, out, &address.0)?;
                    Ok(0)
                }
                Err(_) => Ok(1),
            }
        },
    )?;

    linker.func_wrap(
        "env",
        import::TRY_FIND_PROGRAM_ADDRESS,
        |mut caller: Caller<'_, HostState>,
         seeds: i32,
         count: i32,
         program: i32,
         out: i32,
         bump_out: i32|
         -> HostResult<i64> {
            charge(&mut caller, PDA_COST)?;
            let Ok(seeds) = read_slices(&mut caller, seeds, count, MAX_SEEDS - 1, MAX_SEED_LEN) else { return Ok(1) };
            let program = read_pubkey(&mut caller, program)?;
            let parts: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
            match try_find_program_address_native(&parts, &program) {
                Some((address, bump)) => {
                    // Each bump tried costs one derivation, as in Solana.
                    charge(&mut caller, PDA_COST * (255 - bump as u64))?;
                    write_guest(&mut caller, out, &address.0)?;
                    write_guest(&mut caller, bump_out, &[bump])?;
                    Ok(0)
                }
                None => Ok(1),
            }
        },
    )?;
    Ok(())
}

/// PDA derivation with the off-curve check (an ed25519 point decompression,
/// microseconds each) remembered per thread. The check is a pure function of the
/// candidate bytes, so caching it cannot change any result.
pub(super) fn create_program_address_cached(
    seeds: &[&[u8]],
    program_id: &Pubkey,
) -> Result<Pubkey, lanes_sdk::pubkey::PubkeyError> {
    use std::cell::RefCell;
    thread_local! {
        static ON_CURVE: RefCell<HashMap<Pubkey, bool>> = RefCell::new(HashMap::new());
    }
    let candidate = lanes_sdk::pubkey::program_address_candidate(seeds, program_id)?;
    let on_curve = ON_CURVE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(known) = cache.get(&candidate) {
            return *known;
        }
        if cache.len() >= 65_536 {
            cache.clear();
        }
        let on_curve = candidate.is_on_curve();
        cache.insert(candidate, on_curve);
        on_curve
    });
    if on_curve {
        return Err(lanes_sdk::pubkey::PubkeyError::InvalidSeeds);
    }
    Ok(candidate)
}
