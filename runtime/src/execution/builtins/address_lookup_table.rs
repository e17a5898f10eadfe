//! The address lookup table program (`AddressLookupTab1e1111111111111111111111111`),
//! natively, with Solana's semantics, errors and log lines: create a table
//! at the address derived from its authority and a recent slot, extend it
//! (the authority only, up to 256 addresses, the payer topping up rent),
//! freeze it, deactivate it, and close it once deactivation has cooled down
//! (the slot left the recent slot hashes).
//!
//! Unlike the other builtins it calls the system program (transfer,
//! allocate, assign — the table signing as a derived address), so it checks
//! its own direct changes around those calls ([`with_checked_changes`])
//! instead of being checked as one block: the system program's changes are
//! checked as the system program's.
//!
//! What this module must never do: write a table it does not own, let
//! anyone but the authority change a table, or make an appended address
//! usable in the slot that appended it (the layout's `last_extended_slot`
//! rule, which lookups in [`crate::bank`] rely on).

use super::{with_checked_changes, Accounts};
use crate::execution::instruction_processor::process_instruction;
use crate::transaction_context::{InstructionAccount, TransactionContext};
use crate::vm::Executor;
use lanes_sdk::address_lookup_table::state::{
    AddressLookupTable, LookupTableMeta, LookupTableStatus, LOOKUP_TABLE_MAX_ADDRESSES, LOOKUP_TABLE_META_SIZE,
};
use lanes_sdk::address_lookup_table::{self as alt, LookupTableInstruction};
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::{system_instruction, system_program, Instruction, Pubkey};
use std::sync::Arc;

/// What every lookup table instruction costs, in all (Solana's
/// `DEFAULT_COMPUTE_UNITS`); the builtin base cost is part of it.
pub const LOOKUP_TABLE_COMPUTE_UNITS: u64 = 750;

pub(crate) fn process(
    executor: &Arc<Executor>,
    ctx: &mut TransactionContext,
    accounts: &[InstructionAccount],
    data: &[u8],
) -> Result<(), InstructionError> {
    ctx.consume(LOOKUP_TABLE_COMPUTE_UNITS - crate::execution::compute_budget::BUILTIN_INSTRUCTION_COST)?;
    match LookupTableInstruction::decode(data)? {
        LookupTableInstruction::CreateLookupTable { recent_slot, bump_seed } => {
            create(executor, ctx, accounts, recent_slot, bump_seed)
        }
        LookupTableInstruction::FreezeLookupTable => {
            with_checked_changes(ctx, &alt::ID, accounts, |ctx| freeze(&mut Accounts { ctx, accounts }))
        }
        LookupTableInstruction::ExtendLookupTable { new_addresses } => extend(executor, ctx, accounts, new_addresses),
        LookupTableInstruction::DeactivateLookupTable => {
            with_checked_changes(ctx, &alt::ID, accounts, |ctx| deactivate(&mut Accounts { ctx, accounts }))
        }
        LookupTableInstruction::CloseLookupTable => {
            with_checked_changes(ctx, &alt::ID, accounts, |ctx| close(&mut Accounts { ctx, accounts }))
        }
    }
}

fn create(
    executor: &Arc<Executor>,
    ctx: &mut TransactionContext,
    accounts: &[InstructionAccount],
    recent_slot: u64,
    bump_seed: u8,
) -> Result<(), InstructionError> {
    let a = Accounts { ctx: &mut *ctx, accounts };
    let table_key = a.key(0)?;
    let table = a.get(0)?;
    let (table_lamports, table_owner) = (table.lamports, table.owner);
    let authority_key = a.key(1)?;
    let payer_key = a.key(2)?;
    if !a.is_signer(2)? {
        ctx.log("Payer account must be a signer".into());
        return Err(InstructionError::MissingRequiredSignature);
    }
    let program_source = ctx.program_source.clone();
    if program_source.and_then(|source| source.slot_hash_position(recent_slot)).is_none() {
        ctx.log(format!("{recent_slot} is not a recent slot"));
        return Err(InstructionError::InvalidInstructionData);
    }
    // A derived address: a table is never initialized twice at one address.
    let derived =
        Pubkey::create_program_address(&[&authority_key.0, &recent_slot.to_le_bytes(), &[bump_seed]], &alt::ID)
            .map_err(|_| InstructionError::InvalidSeeds)?;
    if table_key != derived {
        ctx.log(format!("Table address must match derived address: {derived}"));
        return Err(InstructionError::InvalidArgument);
    }
    if table_owner == alt::ID {
        return Ok(());
    }
    let required_lamports = minimum_balance(LOOKUP_TABLE_META_SIZE).max(1).saturating_sub(table_lamports);
    if required_lamports > 0 {
        let transfer = system_instruction::transfer(&payer_key, &table_key, required_lamports);
        invoke_system(executor, ctx, accounts, &transfer, &[payer_key])?;
    }
    invoke_system(
        executor,
        ctx,
        accounts,
        &system_instruction::allocate(&table_key, LOOKUP_TABLE_META_SIZE as u64),
        &[table_key],
    )?;
    invoke_system(executor, ctx, accounts, &system_instruction::assign(&table_key, &alt::ID), &[table_key])?;
    with_checked_changes(ctx, &alt::ID, accounts, |ctx| {
        let mut a = Accounts { ctx, accounts };
        AddressLookupTable::overwrite_meta_data(&mut a.get_mut(0)?.data, &LookupTableMeta::new(authority_key))
    })
}

/// The table (instruction account 0), owned by this program, and its
/// authority (account 1), which must sign.
fn table_and_authority(a: &mut Accounts<'_>) -> Result<(AddressLookupTable, Pubkey), InstructionError> {
    let authority = owned_table_and_signing_authority(a)?;
    Ok((AddressLookupTable::deserialize(&a.get(0)?.data)?, authority))
}

/// Check the table is this program's and the authority signed; the authority's key.
fn owned_table_and_signing_authority(a: &mut Accounts<'_>) -> Result<Pubkey, InstructionError> {
    if a.get(0)?.owner != alt::ID {
        return Err(InstructionError::InvalidAccountOwner);
    }
    let authority = a.key(1)?;
    if !a.is_signer(1)? {
        a.ctx.log("Authority account must be a signer".into());
        return Err(InstructionError::MissingRequiredSignature);
    }
    Ok(authority)
}

/// The table's authority must be `authority`; a frozen table has none.
fn check_authority(
    a: &mut Accounts<'_>,
    meta: &LookupTableMeta,
    authority: &Pubkey,
    frozen_log: Option<&str>,
) -> Result<(), InstructionError> {
    match meta.authority {
        None => {
            if let Some(line) = frozen_log {
                a.ctx.log(line.into());
            }
            Err(InstructionError::Immutable)
        }
        Some(expected) if expected != *authority => Err(InstructionError::IncorrectAuthority),
        Some(_) => Ok(()),
    }
}

fn freeze(a: &mut Accounts<'_>) -> Result<(), InstructionError> {
    let (table, authority) = table_and_authority(a)?;
    check_authority(a, &table.meta, &authority, Some("Lookup table is already frozen"))?;
    if table.meta.deactivation_slot != u64::MAX {
        a.ctx.log("Deactivated tables cannot be frozen".into());
        return Err(InstructionError::InvalidArgument);
    }
    if table.addresses.is_empty() {
        a.ctx.log("Empty lookup tables cannot be frozen".into());
        return Err(InstructionError::InvalidInstructionData);
    }
    let meta = LookupTableMeta { authority: None, ..table.meta };
    AddressLookupTable::overwrite_meta_data(&mut a.get_mut(0)?.data, &meta)
}

fn extend(
    executor: &Arc<Executor>,
    ctx: &mut TransactionContext,
    accounts: &[InstructionAccount],
    new_addresses: Vec<Pubkey>,
) -> Result<(), InstructionError> {
    let slot = ctx.clock.slot;
    let mut a = Accounts { ctx: &mut *ctx, accounts };
    let table_key = a.key(0)?;
    let (mut table, authority) = table_and_authority(&mut a)?;
    check_authority(&mut a, &table.meta, &authority, None)?;
    if table.meta.deactivation_slot != u64::MAX {
        a.ctx.log("Deactivated tables cannot be extended".into());
        return Err(InstructionError::InvalidArgument);
    }
    if table.addresses.len() >= LOOKUP_TABLE_MAX_ADDRESSES {
        a.ctx.log("Lookup table is full and cannot contain more addresses".into());
        return Err(InstructionError::InvalidArgument);
    }
    if new_addresses.is_empty() {
        a.ctx.log("Must extend with at least one address".into());
        return Err(InstructionError::InvalidInstructionData);
    }
    let new_len = table.addresses.len().saturating_add(new_addresses.len());
    if new_len > LOOKUP_TABLE_MAX_ADDRESSES {
        a.ctx.log(format!(
            "Extended lookup table length {new_len} would exceed max capacity of {LOOKUP_TABLE_MAX_ADDRESSES}"
        ));
        return Err(InstructionError::InvalidInstructionData);
    }
    if table.meta.last_extended_slot != slot {
        table.meta.last_extended_slot = slot;
        // Below 256: the table was not full.
        table.meta.last_extended_slot_start_index =
            u8::try_from(table.addresses.len()).map_err(|_| InstructionError::InvalidAccountData)?;
    }
    let new_data_len = LOOKUP_TABLE_META_SIZE + new_len * 32;
    let table_lamports = a.get(0)?.lamports;
    let required_lamports = minimum_balance(new_data_len).max(1).saturating_sub(table_lamports);
    // The payer tops the rent up before the table grows (Solana grows it
    // first; the end state and every error are the same).
    if required_lamports > 0 {
        let payer_key = a.key(2)?;
        if !a.is_signer(2)? {
            a.ctx.log("Payer account must be a signer".into());
            return Err(InstructionError::MissingRequiredSignature);
        }
        let transfer = system_instruction::transfer(&payer_key, &table_key, required_lamports);
        invoke_system(executor, ctx, accounts, &transfer, &[payer_key])?;
    }
    with_checked_changes(ctx, &alt::ID, accounts, |ctx| {
        let mut a = Accounts { ctx, accounts };
        let data = &mut a.get_mut(0)?.data;
        AddressLookupTable::overwrite_meta_data(data, &table.meta)?;
        data.reserve(new_addresses.len() * 32);
        for address in &new_addresses {
            data.extend_from_slice(&address.0);
        }
        Ok(())
    })
}

fn deactivate(a: &mut Accounts<'_>) -> Result<(), InstructionError> {
    let (table, authority) = table_and_authority(a)?;
    check_authority(a, &table.meta, &authority, Some("Lookup table is frozen"))?;
    if table.meta.deactivation_slot != u64::MAX {
        a.ctx.log("Lookup table is already deactivated".into());
        return Err(InstructionError::InvalidArgument);
    }
    let meta = LookupTableMeta { deactivation_slot: a.ctx.clock.slot, ..table.meta };
    AddressLookupTable::overwrite_meta_data(&mut a.get_mut(0)?.data, &meta)
}

fn close(a: &mut Accounts<'_>) -> Result<(), InstructionError> {
    // Solana's order: the accounts are counted before the table is read.
    let authority = owned_table_and_signing_authority(a)?;
    if a.accounts.len() < 3 {
        return Err(InstructionError::NotEnoughAccountKeys);
    }
    if a.same(0, 2)? {
        a.ctx.log("Lookup table cannot be the recipient of reclaimed lamports".into());
        return Err(InstructionError::InvalidArgument);
    }
    let table = AddressLookupTable::deserialize(&a.get(0)?.data)?;
    check_authority(a, &table.meta, &authority, Some("Lookup table is frozen"))?;
    let slot = a.ctx.clock.slot;
    let source = a.ctx.program_source.clone();
    let status = table.meta.status(slot, |s| source.as_ref().and_then(|source| source.slot_hash_position(s)));
    match status {
        LookupTableStatus::Activated => {
            a.ctx.log("Lookup table is not deactivated".into());
            return Err(InstructionError::InvalidArgument);
        }
        LookupTableStatus::Deactivating { remaining_blocks } => {
            a.ctx.log(format!("Table cannot be closed until it's fully deactivated in {remaining_blocks} blocks"));
            return Err(InstructionError::InvalidArgument);
        }
        LookupTableStatus::Deactivated => {}
    }
    let withdrawn = a.get(0)?.lamports;
    let recipient = a.get_mut(2)?;
    recipient.lamports = recipient.lamports.checked_add(withdrawn).ok_or(InstructionError::ArithmeticOverflow)?;
    let table = a.get_mut(0)?;
    table.data.clear();
    table.lamports = 0;
    Ok(())
}

/// Call the system program from this one, as Solana's native invoke: every
/// account the call names must be one of this instruction's, with no more
/// privilege than it has here, except that `signers` sign (the payer that
/// signed, or the table as the derived address this program checked).
fn invoke_system(
    executor: &Arc<Executor>,
    ctx: &mut TransactionContext,
    caller: &[InstructionAccount],
    instruction: &Instruction,
    signers: &[Pubkey],
) -> Result<(), InstructionError> {
    let program_index =
        ctx.accounts.keys.iter().position(|key| *key == system_program::ID).ok_or(InstructionError::MissingAccount)?;
    let mut accounts = Vec::with_capacity(instruction.accounts.len());
    for meta in &instruction.accounts {
        let Some(own) = caller.iter().find(|a| ctx.accounts.keys[a.tx_index as usize] == meta.pubkey) else {
            ctx.log(format!("Instruction references an unknown account {}", meta.pubkey));
            return Err(InstructionError::MissingAccount);
        };
        let writable = caller.iter().any(|a| a.tx_index == own.tx_index && a.is_writable);
        let signed = caller.iter().any(|a| a.tx_index == own.tx_index && a.is_signer) || signers.contains(&meta.pubkey);
        if (meta.is_writable && !writable) || (meta.is_signer && !signed) {
            ctx.log(format!("{}'s privilege escalated", meta.pubkey));
            return Err(InstructionError::PrivilegeEscalation);
        }
        accounts.push(InstructionAccount {
            tx_index: own.tx_index,
            is_signer: meta.is_signer,
            is_writable: meta.is_writable,
        });
    }
    process_instruction(executor, ctx, program_index, &accounts, &instruction.data)
}
