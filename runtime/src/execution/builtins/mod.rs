//! Builtin programs, implemented natively with Solana's ids and layouts:
//! the system program, the compute budget program (parsed before execution,
//! see [`crate::execution::compute_budget`]), Lanes' WASM loader, and the
//! address lookup table program.
//!
//! Builtins change accounts directly, and every change is checked with the
//! same account rules as any program's ([`with_checked_changes`]): by the
//! instruction processor around the whole instruction, or — for the lookup
//! table program, which calls the system program — by the builtin around
//! each of its own writes.

pub mod address_lookup_table;
pub mod loader;
pub mod system;

use crate::transaction_context::account_rules::{verify_instruction_changes, PostAccount};
use crate::transaction_context::{InstructionAccount, TransactionContext};
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::{compute_budget, system_program, Account, Pubkey};

/// Whether `key` is a builtin program's id (implemented natively, never
/// loaded from an account).
pub fn is_builtin(key: &Pubkey) -> bool {
    *key == system_program::ID
        || *key == compute_budget::ID
        || *key == lanes_sdk::loader::ID
        || *key == lanes_sdk::address_lookup_table::ID
}

/// Run `change` as `program_id` over `accounts`, then check what it changed
/// against the account rules, as any program's changes are checked.
pub(crate) fn with_checked_changes(
    ctx: &mut TransactionContext,
    program_id: &Pubkey,
    accounts: &[InstructionAccount],
    change: impl FnOnce(&mut TransactionContext) -> Result<(), InstructionError>,
) -> Result<(), InstructionError> {
    // Distinct accounts with their strongest privilege in this instruction.
    let mut distinct: Vec<InstructionAccount> = Vec::with_capacity(accounts.len());
    for account in accounts {
        match distinct.iter_mut().find(|a| a.tx_index == account.tx_index) {
            Some(existing) => existing.is_writable |= account.is_writable,
            None => distinct.push(*account),
        }
    }
    let pre: Vec<Account> = distinct.iter().map(|a| ctx.accounts.accounts[a.tx_index as usize].clone()).collect();
    change(ctx)?;
    let changes = distinct.iter().zip(&pre).map(|(account, pre)| {
        let post = &ctx.accounts.accounts[account.tx_index as usize];
        let post =
            PostAccount { lamports: post.lamports, owner: post.owner, data: &post.data, executable: post.executable };
        Ok((pre, post, account.is_writable))
    });
    verify_instruction_changes(program_id, changes)
}

/// Index-checked access to an instruction's accounts, for builtins.
pub(crate) struct Accounts<'a> {
    pub ctx: &'a mut TransactionContext,
    pub accounts: &'a [InstructionAccount],
}

impl<'a> Accounts<'a> {
    fn meta(&self, i: usize) -> Result<InstructionAccount, InstructionError> {
        self.accounts.get(i).copied().ok_or(InstructionError::NotEnoughAccountKeys)
    }
    pub fn key(&self, i: usize) -> Result<Pubkey, InstructionError> {
        Ok(self.ctx.accounts.keys[self.meta(i)?.tx_index as usize])
    }
    pub fn is_signer(&self, i: usize) -> Result<bool, InstructionError> {
        Ok(self.meta(i)?.is_signer)
    }
    /// Whether the instruction has account `i` writable (this use of it).
    pub fn is_writable(&self, i: usize) -> Result<bool, InstructionError> {
        Ok(self.meta(i)?.is_writable)
    }
    /// The keys of the accounts the instruction has signing (Solana's `get_signers`).
    pub fn signers(&self) -> Vec<Pubkey> {
        let keys = &self.ctx.accounts.keys;
        self.accounts.iter().filter(|a| a.is_signer).map(|a| keys[a.tx_index as usize]).collect()
    }
    /// `NotEnoughAccountKeys` unless the instruction has at least `n` accounts.
    pub fn check_number(&self, n: usize) -> Result<(), InstructionError> {
        if self.accounts.len() < n {
            return Err(InstructionError::NotEnoughAccountKeys);
        }
        Ok(())
    }
    pub fn get(&self, i: usize) -> Result<&Account, InstructionError> {
        Ok(&self.ctx.accounts.accounts[self.meta(i)?.tx_index as usize])
    }
    pub fn get_mut(&mut self, i: usize) -> Result<&mut Account, InstructionError> {
        let index = self.meta(i)?.tx_index as usize;
        Ok(&mut self.ctx.accounts.accounts[index])
    }
    /// Whether instruction accounts `i` and `j` are the same account.
    pub fn same(&self, i: usize, j: usize) -> Result<bool, InstructionError> {
        Ok(self.meta(i)?.tx_index == self.meta(j)?.tx_index)
    }
    /// Move `lamports` from account `from` to account `to` (no rule checks:
    /// the caller checks authority, the processor checks ownership after).
    pub fn move_lamports(&mut self, from: usize, to: usize, lamports: u64) -> Result<(), InstructionError> {
        if self.same(from, to)? {
            return Ok(());
        }
        let source = self.get_mut(from)?;
        source.lamports = source.lamports.checked_sub(lamports).ok_or(InstructionError::InsufficientFunds)?;
        let dest = self.get_mut(to)?;
        dest.lamports = dest.lamports.checked_add(lamports).ok_or(InstructionError::ArithmeticOverflow)?;
        Ok(())
    }
}
