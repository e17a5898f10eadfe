//! Calling other programs ([`invoke`], [`invoke_signed`]) and return data.
//!
//! A cross-program invocation runs the callee on the accounts named in the
//! instruction, which must be among the caller's own accounts; the callee
//! gets signer or writable rights only where the caller had them, or signer
//! rights for PDAs of the caller derived from `signer_seeds`. A failing
//! callee fails the whole instruction: the caller does not resume.

use crate::account_info::AccountInfo;
use crate::instruction::Instruction;
use crate::program_error::{ProgramError, ProgramResult};
use crate::pubkey::Pubkey;
#[cfg(target_arch = "wasm32")]
use alloc::vec::Vec;

/// Call another program; see the module docs for the rules.
pub fn invoke(instruction: &Instruction, account_infos: &[AccountInfo]) -> ProgramResult {
    invoke_signed(instruction, account_infos, &[])
}

/// Call another program, signing for the caller's PDAs derived from each
/// entry of `signer_seeds` (each entry: the seeds of one PDA, bump included).
pub fn invoke_signed(
    instruction: &Instruction,
    account_infos: &[AccountInfo],
    signer_seeds: &[&[&[u8]]],
) -> ProgramResult {
    // Borrows must be free: the host rewrites the accounts under them.
    for info in account_infos {
        if info.data.try_borrow_mut().is_err() || info.lamports.try_borrow_mut().is_err() {
            return Err(ProgramError::AccountBorrowFailed);
        }
    }
    #[cfg(target_arch = "wasm32")]
    {
        let ix = borsh::to_vec(instruction).map_err(|_| ProgramError::BorshIoError)?;
        let seeds: Vec<Vec<Vec<u8>>> =
            signer_seeds.iter().map(|pda| pda.iter().map(|s| s.to_vec()).collect()).collect();
        let seeds = borsh::to_vec(&seeds).map_err(|_| ProgramError::BorshIoError)?;
        let code = crate::syscalls::invoke(&ix, &seeds);
        for info in account_infos {
            info.refresh_data_len();
        }
        match ProgramError::from_code(code) {
            None => Ok(()),
            Some(err) => Err(err),
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (instruction, signer_seeds);
        Err(ProgramError::InvalidArgument)
    }
}

/// Set this transaction's return data (at most 1024 bytes; later calls replace it).
pub fn set_return_data(data: &[u8]) {
    #[cfg(target_arch = "wasm32")]
    crate::syscalls::set_return_data(data);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = data;
}

/// The current return data and the program that set it, if any.
pub fn get_return_data() -> Option<(Pubkey, alloc::vec::Vec<u8>)> {
    #[cfg(target_arch = "wasm32")]
    {
        let mut buf = alloc::vec![0u8; crate::abi::MAX_RETURN_DATA];
        let mut program = [0u8; 32];
        let len = crate::syscalls::get_return_data(&mut buf, &mut program);
        if len == 0 {
            return None;
        }
        buf.truncate(len.min(crate::abi::MAX_RETURN_DATA));
        Some((Pubkey(program), buf))
    }
    #[cfg(not(target_arch = "wasm32"))]
    None
}

/// Compute units left for this transaction.
pub fn remaining_compute_units() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        crate::syscalls::remaining_compute_units()
    }
    #[cfg(not(target_arch = "wasm32"))]
    0
}
