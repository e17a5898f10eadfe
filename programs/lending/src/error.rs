//! [`LendingError`]: the lending program's own failure reasons, as
//! `ProgramError::Custom(code)` with `code` the discriminant (stable: never
//! renumber). An account not owned by the program is `IncorrectProgramId`,
//! state of the wrong kind or shape `InvalidAccountData`, a missing
//! signature `MissingRequiredSignature`. Failures inside the token program
//! surface as its own errors.

use core::fmt;
use lanes_sdk::program_error::ProgramError;

/// Why a lending instruction failed. Codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum LendingError {
    /// A reserve parameter is out of range (collateral factor, bonus, reserve factor, price).
    InvalidParameter = 0,
    /// An address is not the PDA its seeds derive.
    AddressMismatch = 1,
    /// The reserve belongs to another market than the obligation or market given.
    WrongMarket = 2,
    /// The signer is not the authority recorded (admin, oracle or obligation owner).
    WrongAuthority = 3,
    /// A vault, share mint, collateral vault or price feed is not the reserve's own.
    AccountMismatch = 4,
    /// The reserve has too little cash for this withdrawal or borrow.
    InsufficientLiquidity = 5,
    /// An amount is zero, or rounds to zero.
    ZeroAmount = 6,
    /// An amount would overflow.
    Overflow = 7,
    /// The obligation's debt would exceed its borrow limit.
    BorrowLimitExceeded = 8,
    /// The obligation is healthy: it cannot be liquidated.
    ObligationHealthy = 9,
    /// The obligation already has positions in the maximum number of reserves.
    ObligationFull = 10,
    /// The obligation has no position in this reserve.
    NoPosition = 11,
    /// More collateral than the obligation pledged.
    InsufficientCollateral = 12,
    /// The accounts after the fixed ones are not the (reserve, price feed)
    /// pairs of the obligation's other positions, in order.
    PositionAccountMismatch = 13,
    /// The token program account is not the token program.
    WrongTokenProgram = 14,
    /// The account is already initialized.
    AlreadyInitialized = 15,
}

impl LendingError {
    /// Every error, in code order.
    pub const ALL: [LendingError; 16] = [
        LendingError::InvalidParameter,
        LendingError::AddressMismatch,
        LendingError::WrongMarket,
        LendingError::WrongAuthority,
        LendingError::AccountMismatch,
        LendingError::InsufficientLiquidity,
        LendingError::ZeroAmount,
        LendingError::Overflow,
        LendingError::BorrowLimitExceeded,
        LendingError::ObligationHealthy,
        LendingError::ObligationFull,
        LendingError::NoPosition,
        LendingError::InsufficientCollateral,
        LendingError::PositionAccountMismatch,
        LendingError::WrongTokenProgram,
        LendingError::AlreadyInitialized,
    ];

    /// Its custom error code.
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The error with this custom code, if any.
    pub fn from_code(code: u32) -> Option<LendingError> {
        LendingError::ALL.get(code as usize).copied()
    }

    /// A one-line description; the program logs it when it fails.
    pub const fn message(self) -> &'static str {
        match self {
            LendingError::InvalidParameter => "parameter out of range",
            LendingError::AddressMismatch => "address does not match its seeds",
            LendingError::WrongMarket => "reserve belongs to another market",
            LendingError::WrongAuthority => "signer is not the recorded authority",
            LendingError::AccountMismatch => "account does not belong to this reserve",
            LendingError::InsufficientLiquidity => "not enough cash in the reserve",
            LendingError::ZeroAmount => "amount is zero or rounds to zero",
            LendingError::Overflow => "arithmetic overflow",
            LendingError::BorrowLimitExceeded => "borrow limit exceeded",
            LendingError::ObligationHealthy => "obligation is healthy",
            LendingError::ObligationFull => "obligation has no free position",
            LendingError::NoPosition => "obligation has no position in this reserve",
            LendingError::InsufficientCollateral => "not enough collateral",
            LendingError::PositionAccountMismatch => "position accounts do not match the obligation",
            LendingError::WrongTokenProgram => "not the token program",
            LendingError::AlreadyInitialized => "account already initialized",
        }
    }
}

impl From<LendingError> for ProgramError {
    fn from(err: LendingError) -> Self {
        ProgramError::Custom(err.code())
    }
}

impl fmt::Display for LendingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl std::error::Error for LendingError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dense_and_round_trip() {
        for (i, err) in LendingError::ALL.iter().enumerate() {
            assert_eq!(err.code(), i as u32);
            assert_eq!(LendingError::from_code(i as u32), Some(*err));
        }
        assert_eq!(LendingError::from_code(LendingError::ALL.len() as u32), None);
    }
}
