//! The system program: creates accounts, assigns them to programs, allocates
//! their data and moves lamports between wallet accounts, and keeps durable
//! nonce accounts ([`nonce`]), with Solana's instruction layout and error
//! codes (`SystemError` as custom codes).
//!
//! This module owns the dispatch and the account instructions. It must never
//! move lamports out of an account without the signature its rules name (the
//! account's, its base's, a nonce's authority), nor change an account the
//! system program does not own: the instruction processor checks every
//! change after it, as any program's.

mod nonce;
#[cfg(test)]
mod tests;

use super::Accounts;
use crate::transaction_context::{InstructionAccount, TransactionContext};
use lanes_sdk::abi::MAX_PERMITTED_DATA_LENGTH;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::system_instruction::SystemInstruction;
use lanes_sdk::{system_program, Pubkey};

/// Solana's `SystemError` codes.
pub mod error {
    pub const ACCOUNT_ALREADY_IN_USE: u32 = 0;
    pub const RESULT_WITH_NEGATIVE_LAMPORTS: u32 = 1;
    pub const INVALID_ACCOUNT_DATA_LENGTH: u32 = 3;
    pub const ADDRESS_WITH_SEED_MISMATCH: u32 = 5;
    /// A nonce instruction ran with no recent blockhash to derive a nonce from.
    pub const NONCE_NO_RECENT_BLOCKHASHES: u32 = 6;
    /// The nonce already holds the durable nonce of this blockhash: it
    /// advances at most once per blockhash.
    pub const NONCE_BLOCKHASH_NOT_EXPIRED: u32 = 7;
    /// Solana's code for a nonce value other than the stored one; kept for
    /// the code space: Agave's system program no longer raises it, nor does Lanes'.
    pub const NONCE_UNEXPECTED_BLOCKHASH_VALUE: u32 = 8;
}

pub(crate) fn process(
    ctx: &mut TransactionContext,
    accounts: &[InstructionAccount],
    data: &[u8],
) -> Result<(), InstructionError> {
    let instruction = SystemInstruction::decode(data).map_err(|_| InstructionError::InvalidInstructionData)?;
    let mut a = Accounts { ctx, accounts };
    match instruction {
        SystemInstruction::AdvanceNonceAccount => nonce::advance(&mut a),
        SystemInstruction::WithdrawNonceAccount(lamports) => nonce::withdraw(&mut a, lamports),
        SystemInstruction::InitializeNonceAccount(authority) => nonce::initialize(&mut a, &authority),
        SystemInstruction::AuthorizeNonceAccount(authority) => nonce::authorize(&mut a, &authority),
        SystemInstruction::UpgradeNonceAccount => nonce::upgrade(&mut a),
        SystemInstruction::CreateAccount { lamports, space, owner } => {
            let to = a.key(1)?;
            create_account(&mut a, 0, 1, &to, lamports, space, &owner)
        }
        SystemInstruction::CreateAccountWithSeed { base, seed, lamports, space, owner } => {
            let to = a.key(1)?;
            check_seed_address(&mut a, &to, &base, &seed, &owner)?;
            // The base must sign (it may be the funder itself).
            let base_signed = (0..a.accounts.len()).any(|i| a.key(i) == Ok(base) && a.is_signer(i) == Ok(true));
            if !base_signed {
                a.ctx.log(format!("Create Account: base {base} must sign"));
                return Err(InstructionError::MissingRequiredSignature);
            }
            create_account_unchecked_signer(&mut a, 0, 1, lamports, space, &owner)
        }
        SystemInstruction::Assign { owner } => {
            let key = a.key(0)?;
            if !a.is_signer(0)? {
                a.ctx.log(format!("Assign: account {key} must sign"));
                return Err(InstructionError::MissingRequiredSignature);
            }
            assign(&mut a, 0, &owner)
        }
        SystemInstruction::AssignWithSeed { base, seed, owner } => {
            let key = a.key(0)?;
            check_seed_address(&mut a, &key, &base, &seed, &owner)?;
            require_base_signer(&mut a, 1, &base)?;
            assign(&mut a, 0, &owner)
        }
        SystemInstruction::Transfer { lamports } => {
            if !a.is_signer(0)? {
                let from = a.key(0)?;
                a.ctx.log(format!("Transfer: `from` account {from} must sign"));
                return Err(InstructionError::MissingRequiredSignature);
            }
            transfer(&mut a, 0, 1, lamports)
        }
        SystemInstruction::TransferWithSeed { lamports, from_seed, from_owner } => {
            let from = a.key(0)?;
            let base = a.key(1)?;
            check_seed_address(&mut a, &from, &base, &from_seed, &from_owner)?;
            require_base_signer(&mut a, 1, &base)?;
            transfer(&mut a, 0, 2, lamports)
        }
        SystemInstruction::Allocate { space } => {
            if !a.is_signer(0)? {
                let key = a.key(0)?;
                a.ctx.log(format!("Allocate: account {key} must sign"));
                return Err(InstructionError::MissingRequiredSignature);
            }
            allocate(&mut a, 0, space)
        }
        SystemInstruction::AllocateWithSeed { base, seed, space, owner } => {
            let key = a.key(0)?;
            check_seed_address(&mut a, &key, &base, &seed, &owner)?;
            require_base_signer(&mut a, 1, &base)?;
            allocate(&mut a, 0, space)?;
            assign(&mut a, 0, &owner)
        }
    }
}

fn require_base_signer(a: &mut Accounts<'_>, index: usize, base: &Pubkey) -> Result<(), InstructionError> {
    if a.key(index)? != *base || !a.is_signer(index)? {
        a.ctx.log(format!("Base account {base} must sign"));
        return Err(InstructionError::MissingRequiredSignature);
    }
    Ok(())
}

fn check_seed_address(
    a: &mut Accounts<'_>,
    address: &Pubkey,
    base: &Pubkey,
    seed: &str,
    owner: &Pubkey,
) -> Result<(), InstructionError> {
    let expected = Pubkey::create_with_seed(base, seed, owner).map_err(|e| match e {
        lanes_sdk::pubkey::PubkeyError::MaxSeedLengthExceeded => InstructionError::MaxSeedLengthExceeded,
        _ => InstructionError::InvalidSeeds,
    })?;
    if expected != *address {
        a.ctx.log(format!("Create: address {address} does not match derived address {expected}"));
        return Err(InstructionError::Custom(error::ADDRESS_WITH_SEED_MISMATCH));
    }
    Ok(())
}

fn create_account(
    a: &mut Accounts<'_>,
    from: usize,
    to: usize,
    to_key: &Pubkey,
    lamports: u64,
    space: u64,
    owner: &Pubkey,
) -> Result<(), InstructionError> {
    if !a.is_signer(to)? {
        a.ctx.log(format!("Create Account: account {to_key} must sign"));
        return Err(InstructionError::MissingRequiredSignature);
    }
    create_account_unchecked_signer(a, from, to, lamports, space, owner)
}

fn create_account_unchecked_signer(
    a: &mut Accounts<'_>,
    from: usize,
    to: usize,
    lamports: u64,
    space: u64,
    owner: &Pubkey,
) -> Result<(), InstructionError> {
    let to_key = a.key(to)?;
    if a.get(to)?.lamports > 0 {
        a.ctx.log(format!("Create Account: account {to_key} already in use"));
        return Err(InstructionError::Custom(error::ACCOUNT_ALREADY_IN_USE));
    }
    allocate(a, to, space)?;
    assign(a, to, owner)?;
    if !a.is_signer(from)? {
        let from_key = a.key(from)?;
        a.ctx.log(format!("Transfer: `from` account {from_key} must sign"));
        return Err(InstructionError::MissingRequiredSignature);
    }
    transfer(a, from, to, lamports)
}

fn allocate(a: &mut Accounts<'_>, index: usize, space: u64) -> Result<(), InstructionError> {
    let key = a.key(index)?;
    let account = a.get(index)?;
    if !account.data.is_empty() || account.owner != system_program::ID {
        a.ctx.log(format!("Allocate: account {key} already in use"));
        return Err(InstructionError::Custom(error::ACCOUNT_ALREADY_IN_USE));
    }
    if space as usize > MAX_PERMITTED_DATA_LENGTH || space > MAX_PERMITTED_DATA_LENGTH as u64 {
        a.ctx.log(format!("Allocate: requested {space}, max allowed {MAX_PERMITTED_DATA_LENGTH}"));
        return Err(InstructionError::Custom(error::INVALID_ACCOUNT_DATA_LENGTH));
    }
    a.get_mut(index)?.data = vec![0; space as usize];
    Ok(())
}

fn assign(a: &mut Accounts<'_>, index: usize, owner: &Pubkey) -> Result<(), InstructionError> {
    if a.get(index)?.owner == *owner {
        return Ok(());
    }
    a.get_mut(index)?.owner = *owner;
    Ok(())
}

fn transfer(a: &mut Accounts<'_>, from: usize, to: usize, lamports: u64) -> Result<(), InstructionError> {
    let from_key = a.key(from)?;
    let source = a.get(from)?;
    if !source.data.is_empty() {
        a.ctx.log("Transfer: `from` must not carry data".to_string());
        return Err(InstructionError::InvalidArgument);
    }
    if source.lamports < lamports {
        let have = source.lamports;
        a.ctx.log(format!("Transfer: insufficient lamports {have}, need {lamports} (from {from_key})"));
        return Err(InstructionError::Custom(error::RESULT_WITH_NEGATIVE_LAMPORTS));
    }
    a.move_lamports(from, to, lamports)
}
