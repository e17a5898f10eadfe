//! A counter contract: the smallest useful Lanes program, written the way
//! `docs/contract-guide.md` teaches. An account owned by this program holds
//! a [`Counter`]; `Initialize` sets its authority, `Increment` adds to it,
//! signed by that authority.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use borsh::{BorshDeserialize, BorshSerialize};
use lanes_sdk::account_info::{next_account_info, AccountInfo};
use lanes_sdk::program_error::{ProgramError, ProgramResult};
use lanes_sdk::{msg, AccountMeta, Instruction, Pubkey};

lanes_sdk::declare_id!("Counter111111111111111111111111111111111111");

/// The state kept in a counter account.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Counter {
    pub authority: Pubkey,
    pub count: u64,
}

impl Counter {
    /// Bytes a counter account needs.
    pub const LEN: usize = 32 + 8;
}

/// The program's instructions (borsh).
#[derive(Debug, Clone, BorshSerialize, BorshDeserialize)]
pub enum CounterInstruction {
    /// Accounts: `[writable]` counter (owned by this program, `Counter::LEN` zero bytes), `[signer]` authority.
    Initialize,
    /// Accounts: `[writable]` counter, `[signer]` authority.
    Increment { by: u64 },
}

/// Errors of this program, as `ProgramError::Custom` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterError {
    AlreadyInitialized = 0,
    WrongAuthority = 1,
    Overflow = 2,
}

impl From<CounterError> for ProgramError {
    fn from(e: CounterError) -> Self {
        ProgramError::Custom(e as u32)
    }
}

lanes_sdk::entrypoint!(process_instruction);

/// The contract's entry.
pub fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let instruction = CounterInstruction::try_from_slice(data).map_err(|_| ProgramError::InvalidInstructionData)?;
    let accounts = &mut accounts.iter();
    let counter_info = next_account_info(accounts)?;
    let authority = next_account_info(accounts)?;
    if !counter_info.is_owned_by(program_id) {
        return Err(ProgramError::IncorrectProgramId);
    }
    if !authority.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    let mut data = counter_info.try_borrow_mut_data()?;
    if data.len() != Counter::LEN {
        return Err(ProgramError::InvalidAccountData);
    }
    let mut counter = Counter::try_from_slice(&data)?;
    match instruction {
        CounterInstruction::Initialize => {
            if counter != Counter::default() {
                return Err(CounterError::AlreadyInitialized.into());
            }
            counter.authority = *authority.key;
        }
        CounterInstruction::Increment { by } => {
            if counter.authority != *authority.key {
                return Err(CounterError::WrongAuthority.into());
            }
            counter.count = counter.count.checked_add(by).ok_or(CounterError::Overflow)?;
            msg!("count is now {}", counter.count);
        }
    }
    counter.serialize(&mut &mut data[..])?;
    Ok(())
}

/// Client helper: an `Initialize` instruction.
pub fn initialize(counter: &Pubkey, authority: &Pubkey) -> Instruction {
    Instruction::new_with_borsh(
        ID,
        &CounterInstruction::Initialize,
        alloc::vec![AccountMeta::new(*counter, false), AccountMeta::new_readonly(*authority, true)],
    )
}

/// Client helper: an `Increment` instruction.
pub fn increment(counter: &Pubkey, authority: &Pubkey, by: u64) -> Instruction {
    Instruction::new_with_borsh(
        ID,
        &CounterInstruction::Increment { by },
        alloc::vec![AccountMeta::new(*counter, false), AccountMeta::new_readonly(*authority, true)],
    )
}
