//! The account rules: what an instruction may have done to its accounts.
//! Both paths that change accounts — a WASM program's input buffer read
//! back by [`crate::vm`], and a builtin changing them in place — check their
//! changes with [`verify_instruction_changes`].

use lanes_sdk::abi::MAX_PERMITTED_DATA_LENGTH;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::{loader, Account, Pubkey};

/// One account as an instruction left it.
#[derive(Debug, Clone, Copy)]
pub struct PostAccount<'a> {
    pub lamports: u64,
    pub owner: Pubkey,
    pub data: &'a [u8],
    pub executable: bool,
}

/// One account an instruction could change: its state before, after, and
/// whether the instruction had it writable.
pub type AccountChange<'a> = (&'a Account, PostAccount<'a>, bool);

/// Check everything `program_id` did in one instruction: each account's
/// change by [`verify_account_change`], then that the lamports over all of
/// them are conserved (`UnbalancedInstruction` otherwise). Each account
/// appears once. An item that is already an error (the change could not be
/// read) ends the check with it.
pub fn verify_instruction_changes<'a>(
    program_id: &Pubkey,
    changes: impl IntoIterator<Item = Result<AccountChange<'a>, InstructionError>>,
) -> Result<(), InstructionError> {
    let mut pre_sum: u128 = 0;
    let mut post_sum: u128 = 0;
    for change in changes {
        let (pre, post, is_writable) = change?;
        verify_account_change(program_id, pre, post.lamports, &post.owner, post.data, post.executable, is_writable)?;
        pre_sum += pre.lamports as u128;
        post_sum += post.lamports as u128;
    }
    if pre_sum != post_sum {
        return Err(InstructionError::UnbalancedInstruction);
    }
    Ok(())
}

/// Check one account's change by `program_id` against the account rules.
///
/// `pre` is the account before the program's change; the rest is after.
pub fn verify_account_change(
    program_id: &Pubkey,
    pre: &Account,
    post_lamports: u64,
    post_owner: &Pubkey,
    post_data: &[u8],
    post_executable: bool,
    is_writable: bool,
) -> Result<(), InstructionError> {
    let is_loader = *program_id == loader::ID && pre.owner == loader::ID;
    if pre.owner != *post_owner
        && (!is_writable || pre.executable || pre.owner != *program_id || post_data.iter().any(|b| *b != 0))
    {
        return Err(InstructionError::ModifiedProgramId);
    }
    if !is_writable && pre.lamports != post_lamports {
        return Err(InstructionError::ReadonlyLamportChange);
    }
    if post_lamports < pre.lamports && pre.owner != *program_id {
        return Err(InstructionError::ExternalAccountLamportSpend);
    }
    if pre.data.as_slice() != post_data {
        if !is_writable {
            return Err(InstructionError::ReadonlyDataModified);
        }
        if pre.owner != *program_id {
            return Err(InstructionError::ExternalAccountDataModified);
        }
        if pre.executable && !is_loader {
            return Err(InstructionError::ExecutableDataModified);
        }
    }
    if pre.executable != post_executable && !(is_loader && is_writable) {
        return Err(InstructionError::ExecutableModified);
    }
    if pre.executable && pre.lamports != post_lamports && !is_loader {
        return Err(InstructionError::ExecutableLamportChange);
    }
    if post_data.len() > MAX_PERMITTED_DATA_LENGTH {
        return Err(InstructionError::InvalidRealloc);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(lamports: u64, owner: Pubkey, data: &[u8]) -> Account {
        Account { lamports, data: data.to_vec(), owner, executable: false }
    }

    #[test]
    fn owner_rules() {
        let me = Pubkey::new_unique_from_u64(1);
        let other = Pubkey::new_unique_from_u64(2);
        let mine = account(10, me, &[1, 2]);
        let theirs = account(10, other, &[1, 2]);
        // The owner may change data and debit.
        assert_eq!(verify_account_change(&me, &mine, 5, &me, &[3, 4], false, true), Ok(()));
        // Anyone may credit a writable account.
        assert_eq!(verify_account_change(&me, &theirs, 15, &other, &[1, 2], false, true), Ok(()));
        assert_eq!(
            verify_account_change(&me, &theirs, 5, &other, &[1, 2], false, true),
            Err(InstructionError::ExternalAccountLamportSpend)
        );
        assert_eq!(
            verify_account_change(&me, &theirs, 10, &other, &[9, 2], false, true),
            Err(InstructionError::ExternalAccountDataModified)
        );
        assert_eq!(
            verify_account_change(&me, &mine, 11, &me, &[1, 2], false, false),
            Err(InstructionError::ReadonlyLamportChange)
        );
        assert_eq!(
            verify_account_change(&me, &mine, 10, &me, &[1, 3], false, false),
            Err(InstructionError::ReadonlyDataModified)
        );
        // Reassigning needs zeroed data.
        assert_eq!(
            verify_account_change(&me, &mine, 10, &other, &[1, 2], false, true),
            Err(InstructionError::ModifiedProgramId)
        );
        assert_eq!(verify_account_change(&me, &mine, 10, &other, &[0, 0], false, true), Ok(()));
        assert_eq!(
            verify_account_change(&me, &theirs, 10, &me, &[0, 0], false, true),
            Err(InstructionError::ModifiedProgramId)
        );
        assert_eq!(
            verify_account_change(&me, &mine, 10, &me, &[1, 2], true, true),
            Err(InstructionError::ExecutableModified)
        );
    }
}
