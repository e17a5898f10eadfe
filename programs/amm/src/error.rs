//! [`AmmError`]: the AMM's own failure reasons, as
//! `ProgramError::Custom(code)` with `code` the discriminant (stable: never
//! renumber). Failures the generic errors already name use those: a pool
//! not owned by the program is `IncorrectProgramId`, malformed state
//! `InvalidAccountData`, bad instruction data `InvalidInstructionData`. A
//! failure inside the token program (a missing signature, a mint mismatch,
//! insufficient funds) surfaces as the token program's own error.

lanes_sdk::program_errors! {
    /// Why an AMM instruction failed. Codes are stable.
    pub enum AmmError {
        /// The fee is above [`crate::state::MAX_FEE_BPS`].
        InvalidFee = 0 => "fee above the maximum",
        /// The mints are not in strictly increasing byte order (or are equal).
        MintsNotOrdered = 1 => "mints must be distinct and in increasing order",
        /// An address is not the PDA its seeds derive.
        AddressMismatch = 2 => "address does not match its seeds",
        /// A vault is not one of this pool's vaults (or both sides are the same vault).
        VaultMismatch = 3 => "vault does not belong to this pool",
        /// The LP mint is not this pool's.
        LpMintMismatch = 4 => "LP mint does not belong to this pool",
        /// The output is below the caller's minimum (or the input above its maximum).
        SlippageExceeded = 5 => "slippage limit exceeded",
        /// The first deposit is too small to lock the minimum liquidity.
        InsufficientInitialLiquidity = 6 => "first deposit below the minimum liquidity",
        /// The deposit is too small to mint any LP tokens.
        InsufficientLiquidityMinted = 7 => "deposit too small to mint LP tokens",
        /// The withdrawal is too small to pay out both tokens.
        InsufficientLiquidityBurned = 8 => "withdrawal too small to pay out",
        /// The swap would pay out nothing, or the pool has no liquidity.
        InsufficientOutput = 9 => "swap output is zero",
        /// An amount is zero.
        ZeroAmount = 10 => "amount must be positive",
        /// An amount or reserve would overflow.
        Overflow = 11 => "arithmetic overflow",
        /// The token program account is not the token program.
        WrongTokenProgram = 12 => "not the token program",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_sdk::program_error::ProgramError;

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
