//! [`AmmError`]: the AMM's own failure reasons, as
//! `ProgramError::Custom(code)` with `code` the discriminant (stable: never
//! renumber). Failures the generic errors already name use those: a pool
//! not owned by the program is `IncorrectProgramId`, malformed state
//! `InvalidAccountData`, bad instruction data `InvalidInstructionData`. A
//! failure inside the token program (a missing signature, a mint mismatch,
//! insufficient funds) surfaces as the token program's own error.

use core::fmt;
use lanes_sdk::program_error::ProgramError;

/// Why an AMM instruction failed. Codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum AmmError {
    /// The fee is above [`crate::state::MAX_FEE_BPS`].
    InvalidFee = 0,
    /// The mints are not in strictly increasing byte order (or are equal).
    MintsNotOrdered = 1,
    /// An address is not the PDA its seeds derive.
    AddressMismatch = 2,
    /// A vault is not one of this pool's vaults (or both sides are the same vault).
    VaultMismatch = 3,
    /// The LP mint is not this pool's.
    LpMintMismatch = 4,
    /// The output is below the caller's minimum (or the input above its maximum).
    SlippageExceeded = 5,
    /// The first deposit is too small to lock the minimum liquidity.
    InsufficientInitialLiquidity = 6,
    /// The deposit is too small to mint any LP tokens.
    InsufficientLiquidityMinted = 7,
    /// The withdrawal is too small to pay out both tokens.
    InsufficientLiquidityBurned = 8,
    /// The swap would pay out nothing, or the pool has no liquidity.
    InsufficientOutput = 9,
    /// An amount is zero.
    ZeroAmount = 10,
    /// An amount or reserve would overflow.
    Overflow = 11,
    /// The token program account is not the token program.
    WrongTokenProgram = 12,
}

impl AmmError {
    /// Every error, in code order.
    pub const ALL: [AmmError; 13] = [
        AmmError::InvalidFee,
        AmmError::MintsNotOrdered,
        AmmError::AddressMismatch,
        AmmError::VaultMismatch,
        AmmError::LpMintMismatch,
        AmmError::SlippageExceeded,
        AmmError::InsufficientInitialLiquidity,
        AmmError::InsufficientLiquidityMinted,
        AmmError::InsufficientLiquidityBurned,
        AmmError::InsufficientOutput,
        AmmError::ZeroAmount,
        AmmError::Overflow,
        AmmError::WrongTokenProgram,
    ];

    /// Its custom error code.
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The error with this custom code, if any.
    pub fn from_code(code: u32) -> Option<AmmError> {
        AmmError::ALL.get(code as usize).copied()
    }

    /// A one-line description; the program logs it when it fails.
    pub const fn message(self) -> &'static str {
        match self {
            AmmError::InvalidFee => "fee above the maximum",
            AmmError::MintsNotOrdered => "mints must be distinct and in increasing order",
            AmmError::AddressMismatch => "address does not match its seeds",
            AmmError::VaultMismatch => "vault does not belong to this pool",
            AmmError::LpMintMismatch => "LP mint does not belong to this pool",
            AmmError::SlippageExceeded => "slippage limit exceeded",
            AmmError::InsufficientInitialLiquidity => "first deposit below the minimum liquidity",
            AmmError::InsufficientLiquidityMinted => "deposit too small to mint LP tokens",
            AmmError::InsufficientLiquidityBurned => "withdrawal too small to pay out",
            AmmError::InsufficientOutput => "swap output is zero",
            AmmError::ZeroAmount => "amount must be positive",
            AmmError::Overflow => "arithmetic overflow",
            AmmError::WrongTokenProgram => "not the token program",
        }
    }
}

impl From<AmmError> for ProgramError {
    fn from(err: AmmError) -> Self {
        ProgramError::Custom(err.code())
    }
}

impl fmt::Display for AmmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl std::error::Error for AmmError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dense_and_round_trip() {
        for (i, err) in AmmError::ALL.iter().enumerate() {
            assert_eq!(err.code(), i as u32);
            assert_eq!(AmmError::from_code(i as u32), Some(*err));
            assert_eq!(ProgramError::from(*err), ProgramError::Custom(i as u32));
        }
        assert_eq!(AmmError::from_code(AmmError::ALL.len() as u32), None);
    }
}
