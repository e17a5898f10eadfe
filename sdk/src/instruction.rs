//! [`Instruction`]: a call to one program with the accounts it may touch;
//! [`CompiledInstruction`]: the same inside a message, with accounts named by
//! index into the message's keys; [`InstructionError`]: why one failed.

use crate::pubkey::Pubkey;
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use core::fmt;

/// One account an instruction uses, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize)]
pub struct AccountMeta {
    pub pubkey: Pubkey,
    pub is_signer: bool,
    pub is_writable: bool,
}

impl AccountMeta {
    /// A writable account.
    pub fn new(pubkey: Pubkey, is_signer: bool) -> Self {
        AccountMeta { pubkey, is_signer, is_writable: true }
    }
    /// A read-only account.
    pub fn new_readonly(pubkey: Pubkey, is_signer: bool) -> Self {
        AccountMeta { pubkey, is_signer, is_writable: false }
    }
}

/// A call to `program_id` with `accounts` and opaque `data`.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Instruction {
    pub program_id: Pubkey,
    pub accounts: Vec<AccountMeta>,
    pub data: Vec<u8>,
}

impl Instruction {
    /// Build with `data` already serialized.
    pub fn new_with_bytes(program_id: Pubkey, data: &[u8], accounts: Vec<AccountMeta>) -> Self {
        Instruction { program_id, accounts, data: data.to_vec() }
    }

    /// Build with `data` borsh-serialized.
    pub fn new_with_borsh<T: BorshSerialize>(program_id: Pubkey, data: &T, accounts: Vec<AccountMeta>) -> Self {
        let data = borsh::to_vec(data).expect("borsh serialization into a Vec cannot fail");
        Instruction { program_id, accounts, data }
    }
}

/// An instruction inside a [`crate::message::Message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledInstruction {
    pub program_id_index: u8,
    pub accounts: Vec<u8>,
    pub data: Vec<u8>,
}

/// Why an instruction failed; the names and order are Solana's, so RPC
/// clients see the errors they know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstructionError {
    GenericError,
    InvalidArgument,
    InvalidInstructionData,
    InvalidAccountData,
    AccountDataTooSmall,
    InsufficientFunds,
    IncorrectProgramId,
    MissingRequiredSignature,
    AccountAlreadyInitialized,
    UninitializedAccount,
    UnbalancedInstruction,
    ModifiedProgramId,
    ExternalAccountLamportSpend,
    ExternalAccountDataModified,
    ReadonlyLamportChange,
    ReadonlyDataModified,
    DuplicateAccountIndex,
    ExecutableModified,
    RentEpochModified,
    NotEnoughAccountKeys,
    AccountDataSizeChanged,
    AccountNotExecutable,
    AccountBorrowFailed,
    AccountBorrowOutstanding,
    DuplicateAccountOutOfSync,
    Custom(u32),
    InvalidError,
    ExecutableDataModified,
    ExecutableLamportChange,
    ExecutableAccountNotRentExempt,
    UnsupportedProgramId,
    CallDepth,
    MissingAccount,
    ReentrancyNotAllowed,
    MaxSeedLengthExceeded,
    InvalidSeeds,
    InvalidRealloc,
    ComputationalBudgetExceeded,
    PrivilegeEscalation,
    ProgramEnvironmentSetupFailure,
    ProgramFailedToComplete,
    ProgramFailedToCompile,
    Immutable,
    IncorrectAuthority,
    BorshIoError,
    AccountNotRentExempt,
    InvalidAccountOwner,
    ArithmeticOverflow,
    UnsupportedSysvar,
    IllegalOwner,
    MaxAccountsDataAllocationsExceeded,
    MaxAccountsExceeded,
    MaxInstructionTraceLengthExceeded,
    BuiltinProgramsMustConsumeComputeUnits,
}

impl fmt::Display for InstructionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use InstructionError::*;
        match self {
            Custom(code) => write!(f, "custom program error: {code:#x}"),
            GenericError => f.write_str("generic instruction error"),
            InvalidArgument => f.write_str("invalid program argument"),
            InvalidInstructionData => f.write_str("invalid instruction data"),
            InvalidAccountData => f.write_str("invalid account data for instruction"),
            AccountDataTooSmall => f.write_str("account data too small for instruction"),
            InsufficientFunds => f.write_str("insufficient funds for instruction"),
            IncorrectProgramId => f.write_str("incorrect program id for instruction"),
            MissingRequiredSignature => f.write_str("missing required signature for instruction"),
            AccountAlreadyInitialized => f.write_str("instruction requires an uninitialized account"),
            UninitializedAccount => f.write_str("instruction requires an initialized account"),
            UnbalancedInstruction => f.write_str("sum of account balances before and after instruction do not match"),
            ModifiedProgramId => f.write_str("instruction illegally modified the program id of an account"),
            ExternalAccountLamportSpend => {
                f.write_str("instruction spent from the balance of an account it does not own")
            }
            ExternalAccountDataModified => f.write_str("instruction modified data of an account it does not own"),
            ReadonlyLamportChange => f.write_str("instruction changed the balance of a read-only account"),
            ReadonlyDataModified => f.write_str("instruction modified data of a read-only account"),
            ExecutableModified => f.write_str("instruction changed executable bit of an account"),
            ExecutableDataModified => f.write_str("instruction changed executable accounts data"),
            ExecutableLamportChange => f.write_str("instruction changed the balance of an executable account"),
            NotEnoughAccountKeys => f.write_str("insufficient account keys for instruction"),
            AccountNotExecutable => f.write_str("instruction expected an executable account"),
            CallDepth => f.write_str("cross-program invocation call depth too deep"),
            MissingAccount => f.write_str("an account required by the instruction is missing"),
            ReentrancyNotAllowed => f.write_str("cross-program invocation reentrancy not allowed for this instruction"),
            MaxSeedLengthExceeded => f.write_str("length of the seed is too long for address generation"),
            InvalidSeeds => f.write_str("provided seeds do not result in a valid address"),
            InvalidRealloc => f.write_str("failed to reallocate account data"),
            ComputationalBudgetExceeded => f.write_str("computational budget exceeded"),
            PrivilegeEscalation => f.write_str("cross-program invocation with unauthorized signer or writable account"),
            ProgramEnvironmentSetupFailure => f.write_str("failed to create program execution environment"),
            ProgramFailedToComplete => f.write_str("program failed to complete"),
            ProgramFailedToCompile => f.write_str("program failed to compile"),
            Immutable => f.write_str("account is immutable"),
            IncorrectAuthority => f.write_str("incorrect authority provided"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for InstructionError {}
