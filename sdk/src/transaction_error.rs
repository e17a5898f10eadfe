//! [`TransactionError`]: why a transaction failed or was refused, with
//! Solana's names so RPC clients recognise them.

use crate::instruction::InstructionError;
use core::fmt;

/// Why a transaction did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransactionError {
    /// An account is already locked by another transaction in the batch.
    AccountInUse,
    /// A key appears twice in the message.
    AccountLoadedTwice,
    /// The fee payer does not exist.
    AccountNotFound,
    /// An invoked program does not exist.
    ProgramAccountNotFound,
    /// The fee payer cannot pay the fee.
    InsufficientFundsForFee,
    /// The fee payer is not a system account.
    InvalidAccountForFee,
    /// This signature was already processed.
    AlreadyProcessed,
    /// The recent blockhash is unknown or too old.
    BlockhashNotFound,
    /// Instruction `.0` failed with `.1`.
    InstructionError(u8, InstructionError),
    /// Too many nested invocations.
    CallChainTooDeep,
    /// No signature for the fee payer.
    MissingSignatureForFee,
    /// An account index is out of range.
    InvalidAccountIndex,
    /// A signature does not verify.
    SignatureFailure,
    /// A program id is not an executable account.
    InvalidProgramForExecution,
    /// The message is malformed.
    SanitizeFailure,
    /// A versioned message.
    UnsupportedVersion,
    /// More accounts than one transaction may lock.
    TooManyAccountLocks,
    /// A compute budget instruction appears twice.
    DuplicateInstruction(u8),
    /// The compute unit limit or price is invalid.
    InvalidComputeBudget,
    /// An account the transaction created or grew holds less than the
    /// rent-exempt minimum for its size.
    InsufficientFundsForRent { account_index: u8 },
    /// The accounts the transaction loads hold more data than its limit.
    MaxLoadedAccountsDataSizeExceeded,
    /// `SetLoadedAccountsDataSizeLimit(0)`.
    InvalidLoadedAccountsDataSizeLimit,
    /// A v0 lookup names a table that does not exist or is deactivated.
    AddressLookupTableNotFound,
    /// A v0 lookup names an account the lookup table program does not own.
    InvalidAddressLookupTableOwner,
    /// A v0 lookup names an account whose data is not a lookup table.
    InvalidAddressLookupTableData,
    /// A v0 lookup index is past the table's usable addresses.
    InvalidAddressLookupTableIndex,
}

impl fmt::Display for TransactionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use TransactionError::*;
        match self {
            AccountInUse => f.write_str("Account in use"),
            AccountLoadedTwice => f.write_str("Account loaded twice"),
            AccountNotFound => f.write_str("Attempt to debit an account but found no record of a prior credit."),
            ProgramAccountNotFound => f.write_str("Attempt to load a program that does not exist"),
            InsufficientFundsForFee => f.write_str("Insufficient funds for fee"),
            InvalidAccountForFee => f.write_str("This account may not be used to pay transaction fees"),
            AlreadyProcessed => f.write_str("This transaction has already been processed"),
            BlockhashNotFound => f.write_str("Blockhash not found"),
            InstructionError(index, err) => write!(f, "Error processing Instruction {index}: {err}"),
            CallChainTooDeep => f.write_str("Loader call chain is too deep"),
            MissingSignatureForFee => f.write_str("Transaction requires a fee but has no signature present"),
            InvalidAccountIndex => f.write_str("Transaction contains an invalid account reference"),
            SignatureFailure => f.write_str("Transaction did not pass signature verification"),
            InvalidProgramForExecution => f.write_str("This program may not be used for executing instructions"),
            SanitizeFailure => f.write_str("Transaction failed to sanitize accounts offsets correctly"),
            UnsupportedVersion => f.write_str("Transaction version is unsupported"),
            TooManyAccountLocks => f.write_str("Transaction locked too many accounts"),
            DuplicateInstruction(index) => {
                write!(f, "Transaction contains a duplicate instruction ({index}) that is not allowed")
            }
            InvalidComputeBudget => f.write_str("Transaction has an invalid compute budget"),
            InsufficientFundsForRent { account_index } => {
                write!(f, "Transaction results in an account ({account_index}) with insufficient funds for rent")
            }
            MaxLoadedAccountsDataSizeExceeded => f.write_str("Transaction exceeded max loaded accounts data size cap"),
            InvalidLoadedAccountsDataSizeLimit => {
                f.write_str("LoadedAccountsDataSizeLimit set for transaction must be greater than 0.")
            }
            AddressLookupTableNotFound => f.write_str("Transaction loads an address table account that doesn't exist"),
            InvalidAddressLookupTableOwner => {
                f.write_str("Transaction loads an address table account with an invalid owner")
            }
            InvalidAddressLookupTableData => {
                f.write_str("Transaction loads an address table account with invalid data")
            }
            InvalidAddressLookupTableIndex => f.write_str("Transaction address table lookup uses an invalid index"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TransactionError {}
