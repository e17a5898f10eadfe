//! [`ProgramError`]: what a contract returns when it fails, and its `u64`
//! encoding across the host boundary (Solana's: builtin errors in the high
//! 32 bits, custom codes in the low 32, `Custom(0)` as its own value).

use crate::pubkey::PubkeyError;
use core::fmt;

/// A contract's result.
pub type ProgramResult = Result<(), ProgramError>;

/// Why a contract failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramError {
    /// A program-defined error code.
    Custom(u32),
    InvalidArgument,
    InvalidInstructionData,
    InvalidAccountData,
    AccountDataTooSmall,
    InsufficientFunds,
    IncorrectProgramId,
    MissingRequiredSignature,
    AccountAlreadyInitialized,
    UninitializedAccount,
    NotEnoughAccountKeys,
    AccountBorrowFailed,
    MaxSeedLengthExceeded,
    InvalidSeeds,
    BorshIoError,
    AccountNotRentExempt,
    UnsupportedSysvar,
    IllegalOwner,
    MaxAccountsDataAllocationsExceeded,
    InvalidRealloc,
    MaxInstructionTraceLengthExceeded,
    BuiltinProgramsMustConsumeComputeUnits,
    InvalidAccountOwner,
    ArithmeticOverflow,
    Immutable,
    IncorrectAuthority,
}

const fn builtin(n: u64) -> u64 {
    n << 32
}

/// The encoding of `Custom(0)`, which cannot be 0 (0 is success).
pub const CUSTOM_ZERO: u64 = builtin(1);

impl From<ProgramError> for u64 {
    fn from(err: ProgramError) -> u64 {
        use ProgramError::*;
        match err {
            Custom(0) => CUSTOM_ZERO,
            Custom(code) => code as u64,
            InvalidArgument => builtin(2),
            InvalidInstructionData => builtin(3),
            InvalidAccountData => builtin(4),
            AccountDataTooSmall => builtin(5),
            InsufficientFunds => builtin(6),
            IncorrectProgramId => builtin(7),
            MissingRequiredSignature => builtin(8),
            AccountAlreadyInitialized => builtin(9),
            UninitializedAccount => builtin(10),
            NotEnoughAccountKeys => builtin(11),
            AccountBorrowFailed => builtin(12),
            MaxSeedLengthExceeded => builtin(13),
            InvalidSeeds => builtin(14),
            BorshIoError => builtin(15),
            AccountNotRentExempt => builtin(16),
            UnsupportedSysvar => builtin(17),
            IllegalOwner => builtin(18),
            MaxAccountsDataAllocationsExceeded => builtin(19),
            InvalidRealloc => builtin(20),
            MaxInstructionTraceLengthExceeded => builtin(21),
            BuiltinProgramsMustConsumeComputeUnits => builtin(22),
            InvalidAccountOwner => builtin(23),
            ArithmeticOverflow => builtin(24),
            Immutable => builtin(25),
            IncorrectAuthority => builtin(26),
        }
    }
}

impl ProgramError {
    /// Decode a contract's return value; `None` for 0 (success) and for
    /// codes no [`ProgramError`] encodes to.
    pub fn from_code(code: u64) -> Option<ProgramError> {
        use ProgramError::*;
        if code == 0 {
            return None;
        }
        if code >> 32 == 0 {
            return Some(Custom(code as u32));
        }
        if code & 0xffff_ffff != 0 {
            return None;
        }
        Some(match code >> 32 {
            1 => Custom(0),
            2 => InvalidArgument,
            3 => InvalidInstructionData,
            4 => InvalidAccountData,
            5 => AccountDataTooSmall,
            6 => InsufficientFunds,
            7 => IncorrectProgramId,
            8 => MissingRequiredSignature,
            9 => AccountAlreadyInitialized,
            10 => UninitializedAccount,
            11 => NotEnoughAccountKeys,
            12 => AccountBorrowFailed,
            13 => MaxSeedLengthExceeded,
            14 => InvalidSeeds,
            15 => BorshIoError,
            16 => AccountNotRentExempt,
            17 => UnsupportedSysvar,
            18 => IllegalOwner,
            19 => MaxAccountsDataAllocationsExceeded,
            20 => InvalidRealloc,
            21 => MaxInstructionTraceLengthExceeded,
            22 => BuiltinProgramsMustConsumeComputeUnits,
            23 => InvalidAccountOwner,
            24 => ArithmeticOverflow,
            25 => Immutable,
            26 => IncorrectAuthority,
            _ => return None,
        })
    }
}

impl From<PubkeyError> for ProgramError {
    fn from(err: PubkeyError) -> Self {
        match err {
            PubkeyError::MaxSeedLengthExceeded => ProgramError::MaxSeedLengthExceeded,
            PubkeyError::InvalidSeeds => ProgramError::InvalidSeeds,
            PubkeyError::IllegalOwner => ProgramError::IllegalOwner,
            PubkeyError::InvalidBase58 => ProgramError::InvalidArgument,
        }
    }
}

impl From<borsh::io::Error> for ProgramError {
    fn from(_: borsh::io::Error) -> Self {
        ProgramError::BorshIoError
    }
}

impl fmt::Display for ProgramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProgramError::Custom(code) => write!(f, "custom program error: {code:#x}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ProgramError {}

impl From<ProgramError> for crate::instruction::InstructionError {
    fn from(err: ProgramError) -> Self {
        use crate::instruction::InstructionError as I;
        use ProgramError::*;
        match err {
            Custom(code) => I::Custom(code),
            InvalidArgument => I::InvalidArgument,
            InvalidInstructionData => I::InvalidInstructionData,
            InvalidAccountData => I::InvalidAccountData,
            AccountDataTooSmall => I::AccountDataTooSmall,
            InsufficientFunds => I::InsufficientFunds,
            IncorrectProgramId => I::IncorrectProgramId,
            MissingRequiredSignature => I::MissingRequiredSignature,
            AccountAlreadyInitialized => I::AccountAlreadyInitialized,
            UninitializedAccount => I::UninitializedAccount,
            NotEnoughAccountKeys => I::NotEnoughAccountKeys,
            AccountBorrowFailed => I::AccountBorrowFailed,
            MaxSeedLengthExceeded => I::MaxSeedLengthExceeded,
            InvalidSeeds => I::InvalidSeeds,
            BorshIoError => I::BorshIoError,
            AccountNotRentExempt => I::AccountNotRentExempt,
            UnsupportedSysvar => I::UnsupportedSysvar,
            IllegalOwner => I::IllegalOwner,
            MaxAccountsDataAllocationsExceeded => I::MaxAccountsDataAllocationsExceeded,
            InvalidRealloc => I::InvalidRealloc,
            MaxInstructionTraceLengthExceeded => I::MaxInstructionTraceLengthExceeded,
            BuiltinProgramsMustConsumeComputeUnits => I::BuiltinProgramsMustConsumeComputeUnits,
            InvalidAccountOwner => I::InvalidAccountOwner,
            ArithmeticOverflow => I::ArithmeticOverflow,
            Immutable => I::Immutable,
            IncorrectAuthority => I::IncorrectAuthority,
        }
    }
}

/// Declare a program's own error enum: each variant a stable custom code
/// (its discriminant) and a one-line message. Generates the enum
/// (`Debug, Clone, Copy, PartialEq, Eq`, `repr(u32)`), `ALL` (every error in
/// declaration order), `code()`, `from_code()`, `name()`, `message()`,
/// `log_failure()`, `Display`, `std::error::Error` off-chain, and
/// `From<_> for ProgramError` as `ProgramError::Custom(code)`. Codes may
/// start anywhere (Anchor's start at 6000) and need not be dense.
///
/// Call `log_failure` on the way out of the entrypoint so a failure names
/// itself in the transaction's logs — `Program log: Error: Overflow (0x64):
/// counter overflow` above Solana's `custom program error: 0x64` — for a
/// log call's units, on failure only:
///
/// ```
/// lanes_sdk::program_errors! {
///     /// Why a counter instruction failed.
///     pub enum CounterError {
///         /// The counter would overflow.
///         Overflow = 100 => "counter overflow",
///     }
/// }
/// assert_eq!(CounterError::from_code(100), Some(CounterError::Overflow));
/// assert_eq!(CounterError::Overflow.name(), "Overflow");
///
/// fn process(/* … */) -> lanes_sdk::program_error::ProgramResult {
///     let result = Err(CounterError::Overflow.into());
///     CounterError::log_failure(&result);
///     result
/// }
/// # assert!(process().is_err());
/// ```
#[macro_export]
macro_rules! program_errors {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $message:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u32)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant = $code, )+
        }

        impl $name {
            /// Every error, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// Its custom error code.
            pub const fn code(self) -> u32 {
                self as u32
            }

            /// The error with this custom code, if any.
            pub fn from_code(code: u32) -> Option<$name> {
                $name::ALL.iter().copied().find(|err| err.code() == code)
            }

            /// The variant's name, as written.
            pub const fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => stringify!($variant), )+
                }
            }

            /// If `result` failed with one of these errors, log
            /// `Error: <Name> (0x<code>): <message>`.
            pub fn log_failure(result: &$crate::program_error::ProgramResult) {
                if let Err($crate::program_error::ProgramError::Custom(code)) = result {
                    if let Some(err) = $name::from_code(*code) {
                        $crate::log::log(&$crate::__private::format!(
                            "Error: {} ({:#x}): {}",
                            err.name(),
                            code,
                            err.message()
                        ));
                    }
                }
            }

            /// A one-line description; the program logs it when it fails.
            pub const fn message(self) -> &'static str {
                match self {
                    $( $name::$variant => $message, )+
                }
            }
        }

        impl From<$name> for $crate::program_error::ProgramError {
            fn from(err: $name) -> Self {
                $crate::program_error::ProgramError::Custom(err.code())
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.message())
            }
        }

        #[cfg(not(target_arch = "wasm32"))]
        impl std::error::Error for $name {}
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_round_trips_through_its_code() {
        for n in 0..=26u64 {
            let code = if n == 0 { 5 } else { n << 32 };
            if let Some(err) = ProgramError::from_code(code) {
                assert_eq!(u64::from(err), code);
            }
        }
        assert_eq!(ProgramError::from_code(CUSTOM_ZERO), Some(ProgramError::Custom(0)));
        assert_eq!(ProgramError::from_code(0), None);
        assert_eq!(ProgramError::from_code(99 << 32), None);
        assert_eq!(ProgramError::from_code((3 << 32) | 1), None);
    }

    crate::program_errors! {
        /// Codes that start high and skip.
        enum Sparse {
            /// First.
            First = 6000 => "the first",
            /// Second.
            Second = 6005 => "the second",
        }
    }

    #[test]
    fn sparse_codes_name_and_find_themselves() {
        assert_eq!(Sparse::from_code(6005), Some(Sparse::Second));
        assert_eq!(Sparse::from_code(6000), Some(Sparse::First));
        assert_eq!(Sparse::from_code(1), None);
        assert_eq!(Sparse::Second.name(), "Second");
        assert_eq!(ProgramError::from(Sparse::Second), ProgramError::Custom(6005));
        Sparse::log_failure(&Err(Sparse::First.into()));
        Sparse::log_failure(&Ok(()));
    }
}
