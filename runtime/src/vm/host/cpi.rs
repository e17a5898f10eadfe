//! `lanes_invoke`: a cross-program invocation. The caller's changes so
//! far are checked and made visible, the callee's accounts are mapped onto
//! the caller's without privilege escalation, the callee runs with the
//! transaction's context, and the caller sees its changes.

use super::crypto::create_program_address_cached;
use super::{charge, fail, memory, read_guest, HostResult};
use crate::transaction_context::InstructionAccount;
use crate::vm::costs::{BYTES_PER_UNIT, CPI_BASE_COST, PDA_COST};
use crate::vm::cpi_wire;
use crate::vm::input_buffer::{sync_from_guest, sync_to_guest};
use crate::vm::invoke::HostState;
use crate::vm::{MAX_CPI_INSTRUCTION_LEN, MAX_CPI_SEEDS_LEN};
use lanes_sdk::abi::import;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::program_error::ProgramError;
use lanes_sdk::pubkey::MAX_SEEDS;
use wasmtime::{Caller, Linker};

pub(super) fn define(linker: &mut Linker<HostState>) -> HostResult<()> {
    linker.func_wrap(
        "env",
        import::INVOKE,
        |mut caller: Caller<'_, HostState>,
         ix_ptr: i32,
         ix_len: i32,
         seeds_ptr: i32,
         seeds_len: i32|
         -> HostResult<i64> {
            cross_program_invoke(&mut caller, ix_ptr, ix_len, seeds_ptr, seeds_len)?;
            Ok(0)
        },
    )?;
    Ok(())
}

/// `lanes_invoke`: run another program on some of this frame's accounts.
fn cross_program_invoke(
    caller: &mut Caller<'_, HostState>,
    ix_ptr: i32,
    ix_len: i32,
    seeds_ptr: i32,
    seeds_len: i32,
) -> HostResult<()> {
    let ix_bytes = read_guest(caller, ix_ptr, ix_len, MAX_CPI_INSTRUCTION_LEN)?;
    let seed_bytes = read_guest(caller, seeds_ptr, seeds_len, MAX_CPI_SEEDS_LEN)?;
    charge(caller, CPI_BASE_COST + (ix_bytes.len() as u64) / BYTES_PER_UNIT)?;
    let instruction = cpi_wire::decode_instruction(&ix_bytes)
        .ok_or_else(|| fail(InstructionError::InvalidArgument).context("malformed CPI instruction"))?;
    let signer_seeds = cpi_wire::decode_signer_seeds(&seed_bytes)
        .ok_or_else(|| fail(InstructionError::InvalidArgument).context("malformed CPI signer seeds"))?;
    if signer_seeds.len() > MAX_SEEDS {
        return Err(fail(InstructionError::MaxSeedLengthExceeded));
    }
    charge(caller, PDA_COST * signer_seeds.len() as u64)?;

    // 1. The caller's own changes so far must obey the rules, and become visible to the callee.
    let mem = memory(caller)?;
    {
        let (data, state) = mem.data_and_store_mut(&mut *caller);
        sync_from_guest(data, state).map_err(fail)?;
    }

    // 2. Map the callee's accounts onto the caller's, refusing privilege escalation.
    let state = caller.data_mut();
    let caller_program = state.frame.program_id;
    let mut signers = Vec::with_capacity(signer_seeds.len());
    for seeds in &signer_seeds {
        let pda =
            create_program_address_cached(seeds, &caller_program).map_err(|e| fail(ProgramError::from(e).into()))?;
        signers.push(pda);
    }
    let mut callee_accounts = Vec::with_capacity(instruction.accounts.len());
    for meta in &instruction.accounts {
        let found =
            state.frame.accounts.iter().find(|a| state.ctx.accounts.keys[a.tx_index as usize] == meta.pubkey).copied();
        let Some(found) = found else {
            state.ctx.log(format!("Instruction references an unknown account {}", meta.pubkey));
            return Err(fail(InstructionError::MissingAccount));
        };
        if meta.is_writable && !found.is_writable {
            state.ctx.log(format!("{}'s writable privilege escalated", meta.pubkey));
            return Err(fail(InstructionError::PrivilegeEscalation));
        }
        if meta.is_signer && !found.is_signer && !signers.contains(&meta.pubkey) {
            state.ctx.log(format!("{}'s signer privilege escalated", meta.pubkey));
            return Err(fail(InstructionError::PrivilegeEscalation));
        }
        callee_accounts.push(InstructionAccount {
            tx_index: found.tx_index,
            is_signer: meta.is_signer,
            is_writable: meta.is_writable,
        });
    }
    // The callee must be among the accounts the caller was given (as in
    // Solana), not merely somewhere in the transaction.
    let passed =
        state.frame.accounts.iter().find(|a| state.ctx.accounts.keys[a.tx_index as usize] == instruction.program_id);
    let Some(program_index) = passed.map(|a| a.tx_index as usize) else {
        state.ctx.log(format!("Unknown program {}", instruction.program_id));
        return Err(fail(InstructionError::MissingAccount));
    };

    // 3. Run the callee with the transaction's context, then hand it back.
    let fuel = caller.get_fuel()?;
    let state = caller.data_mut();
    state.ctx.compute_remaining = fuel;
    let (Some(executor), Some(processor)) = (state.executor.clone(), state.processor) else {
        return Err(fail(InstructionError::ProgramEnvironmentSetupFailure));
    };
    let mut ctx = std::mem::take(&mut state.ctx);
    let result = processor.process_instruction(&executor, &mut ctx, program_index, &callee_accounts, instruction.data);
    let remaining = ctx.compute_remaining;
    caller.data_mut().ctx = ctx;
    caller.set_fuel(remaining)?;
    result.map_err(fail)?;

    // 4. The caller sees the callee's changes.
    let (data, state) = mem.data_and_store_mut(&mut *caller);
    sync_to_guest(data, state).map_err(fail)?;
    Ok(())
}
