//! Lanes' WASM loader: buffers, deploy, upgrade, authority changes, close.
//! See [`lanes_sdk::loader`] for the instructions and account layout.
//!
//! Deploy and upgrade check the code against the deploy limits, charge what
//! compiling it costs, then validate and compile it before anything changes;
//! invalid WASM never becomes an executable account, and the compiled code
//! becomes the node's only when the transaction commits
//! ([`Executor::compile_for_deploy`]).

use super::Accounts;
use crate::transaction_context::{InstructionAccount, TransactionContext};
use crate::vm::Executor;
use lanes_sdk::hash::hashv;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::loader::{self, LoaderInstruction, LoaderState, MAX_PROGRAM_LEN, STATE_HEADER_LEN};
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::Pubkey;
use std::sync::Arc;

/// The account of a program deployed without an upgrade authority at
/// `deployed_slot` (genesis-style, as tests and benches install programs):
/// the loader header, then `wasm`. Not validated: compile `wasm` first if
/// it may be invalid.
pub fn immutable_program_account(wasm: &[u8], deployed_slot: u64) -> lanes_sdk::Account {
    let mut data = vec![0u8; STATE_HEADER_LEN];
    LoaderState::Program { authority: None, code_hash: hashv(&[wasm]), deployed_slot, code_len: wasm.len() as u32 }
        .write(&mut data);
    data.extend_from_slice(wasm);
    lanes_sdk::Account {
        lamports: lanes_sdk::rent::minimum_balance(data.len()),
        data,
        owner: loader::ID,
        executable: true,
    }
}

pub(crate) fn process(
    executor: &Arc<Executor>,
    ctx: &mut TransactionContext,
    accounts: &[InstructionAccount],
    data: &[u8],
) -> Result<(), InstructionError> {
    let instruction: LoaderInstruction =
        borsh::from_slice(data).map_err(|_| InstructionError::InvalidInstructionData)?;
    let mut a = Accounts { ctx, accounts };
    match instruction {
        LoaderInstruction::InitializeBuffer => {
            require_loader_owned(&a, 0)?;
            // Else anyone could claim a funded, uninitialized loader account
            // as his buffer, and close it to himself.
            if !a.is_signer(0)? {
                a.ctx.log("InitializeBuffer: the buffer account must sign".into());
                return Err(InstructionError::MissingRequiredSignature);
            }
            let authority = a.key(1)?;
            if state(&a, 0)? != LoaderState::Uninitialized {
                return Err(InstructionError::AccountAlreadyInitialized);
            }
            let buffer = a.get_mut(0)?;
            if buffer.data.len() < STATE_HEADER_LEN {
                buffer.data.resize(STATE_HEADER_LEN, 0);
            }
            LoaderState::Buffer { authority }.write(&mut buffer.data);
            Ok(())
        }
        LoaderInstruction::Write { offset, bytes } => {
            require_loader_owned(&a, 0)?;
            let LoaderState::Buffer { authority } = state(&a, 0)? else {
                return Err(InstructionError::InvalidAccountData);
            };
            require_authority(&mut a, 1, &authority)?;
            let end = (offset as usize).checked_add(bytes.len()).ok_or(InstructionError::InvalidArgument)?;
            if end > MAX_PROGRAM_LEN {
                a.ctx.log(format!("Write past the largest program size ({MAX_PROGRAM_LEN} bytes)"));
                return Err(InstructionError::InvalidArgument);
            }
            let buffer = a.get_mut(0)?;
            if buffer.data.len() < STATE_HEADER_LEN + end {
                buffer.data.resize(STATE_HEADER_LEN + end, 0);
            }
            buffer.data[STATE_HEADER_LEN + offset as usize..STATE_HEADER_LEN + end].copy_from_slice(&bytes);
            Ok(())
        }
        LoaderInstruction::Deploy => {
            require_loader_owned(&a, 0)?;
            if !a.is_signer(0)? {
                a.ctx.log("Deploy: the program account must sign".into());
                return Err(InstructionError::MissingRequiredSignature);
            }
            if state(&a, 0)? != LoaderState::Uninitialized || a.get(0)?.executable {
                return Err(InstructionError::AccountAlreadyInitialized);
            }
            install_from_buffer(executor, &mut a, None)
        }
        LoaderInstruction::Upgrade => {
            require_loader_owned(&a, 0)?;
            let LoaderState::Program { authority, .. } = state(&a, 0)? else {
                return Err(InstructionError::InvalidAccountData);
            };
            let Some(authority) = authority else {
                a.ctx.log("Upgrade: program is immutable".into());
                return Err(InstructionError::Immutable);
            };
            install_from_buffer(executor, &mut a, Some(authority))
        }
        LoaderInstruction::SetAuthority { new_authority } => {
            require_loader_owned(&a, 0)?;
            match state(&a, 0)? {
                LoaderState::Buffer { authority } => {
                    require_authority(&mut a, 1, &authority)?;
                    let Some(new_authority) = new_authority else {
                        a.ctx.log("Buffer authority cannot be removed".into());
                        return Err(InstructionError::IncorrectAuthority);
                    };
                    LoaderState::Buffer { authority: new_authority }.write(&mut a.get_mut(0)?.data);
                }
                LoaderState::Program { authority, code_hash, deployed_slot, code_len } => {
                    let Some(authority) = authority else { return Err(InstructionError::Immutable) };
                    require_authority(&mut a, 1, &authority)?;
                    LoaderState::Program { authority: new_authority, code_hash, deployed_slot, code_len }
                        .write(&mut a.get_mut(0)?.data);
                }
                _ => return Err(InstructionError::InvalidAccountData),
            }
            Ok(())
        }
        LoaderInstruction::Close => {
            require_loader_owned(&a, 0)?;
            if a.same(0, 2)? {
                a.ctx.log("Close: recipient must differ from the closed account".into());
                return Err(InstructionError::InvalidArgument);
            }
            let closed_state = match state(&a, 0)? {
                LoaderState::Buffer { authority } => {
                    require_authority(&mut a, 1, &authority)?;
                    LoaderState::Uninitialized
                }
                LoaderState::Program { authority, .. } => {
                    let Some(authority) = authority else { return Err(InstructionError::Immutable) };
                    require_authority(&mut a, 1, &authority)?;
                    LoaderState::Closed
                }
                _ => return Err(InstructionError::InvalidAccountData),
            };
            let lamports = a.get(0)?.lamports;
            a.move_lamports(0, 2, lamports)?;
            let account = a.get_mut(0)?;
            account.data.clear();
            account.data.resize(STATE_HEADER_LEN, 0);
            closed_state.write(&mut account.data);
            Ok(())
        }
    }
}

fn require_loader_owned(a: &Accounts<'_>, i: usize) -> Result<(), InstructionError> {
    if a.get(i)?.owner != loader::ID {
        return Err(InstructionError::InvalidAccountOwner);
    }
    Ok(())
}

fn state(a: &Accounts<'_>, i: usize) -> Result<LoaderState, InstructionError> {
    let data = &a.get(i)?.data;
    if data.iter().take(STATE_HEADER_LEN).all(|b| *b == 0) {
        return Ok(LoaderState::Uninitialized);
    }
    LoaderState::read(data).ok_or(InstructionError::InvalidAccountData)
}

fn require_authority(a: &mut Accounts<'_>, i: usize, expected: &Pubkey) -> Result<(), InstructionError> {
    let key = a.key(i)?;
    if key != *expected {
        a.ctx.log(format!("Incorrect authority {key}, expected {expected}"));
        return Err(InstructionError::IncorrectAuthority);
    }
    if !a.is_signer(i)? {
        a.ctx.log(format!("Authority {key} did not sign"));
        return Err(InstructionError::MissingRequiredSignature);
    }
    Ok(())
}

/// Deploy (`expected_authority` None) or upgrade: program 0, buffer 1, authority 2.
fn install_from_buffer(
    executor: &Arc<Executor>,
    a: &mut Accounts<'_>,
    expected_authority: Option<Pubkey>,
) -> Result<(), InstructionError> {
    require_loader_owned(a, 1)?;
    if a.same(0, 1)? || a.same(1, 2)? {
        return Err(InstructionError::InvalidArgument);
    }
    let LoaderState::Buffer { authority: buffer_authority } = state(a, 1)? else {
        a.ctx.log("Deploy: the buffer is not initialized".into());
        return Err(InstructionError::InvalidAccountData);
    };
    let authority = expected_authority.unwrap_or(buffer_authority);
    if buffer_authority != authority {
        a.ctx.log("Buffer and program authorities differ".into());
        return Err(InstructionError::IncorrectAuthority);
    }
    require_authority(a, 2, &authority)?;
    let code = a.get(1)?.data[STATE_HEADER_LEN..].to_vec();
    let refused = |a: &mut Accounts<'_>, err| {
        a.ctx.log(format!("Deploy: {err}"));
        InstructionError::InvalidAccountData
    };
    let price = executor.deploy_price(&code).map_err(|err| refused(a, err))?;
    a.ctx.consume(price)?;
    executor.compile_for_deploy(&code).map_err(|err| refused(a, err))?;
    let header = LoaderState::Program {
        authority: Some(authority),
        code_hash: hashv(&[&code]),
        deployed_slot: a.ctx.clock.slot,
        code_len: code.len() as u32,
    };
    let program = a.get_mut(0)?;
    program.data.clear();
    program.data.resize(STATE_HEADER_LEN, 0);
    header.write(&mut program.data);
    program.data.extend_from_slice(&code);
    program.executable = true;
    // Close the buffer: what the program needs to stay rent-exempt at its
    // new size goes to it, the rest to the authority.
    let shortfall = minimum_balance(program.data.len()).saturating_sub(program.lamports);
    let lamports = a.get(1)?.lamports;
    a.move_lamports(1, 0, shortfall.min(lamports))?;
    a.move_lamports(1, 2, lamports - shortfall.min(lamports))?;
    a.get_mut(1)?.data.clear();
    Ok(())
}
