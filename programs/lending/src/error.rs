//! [`LendingError`]: the lending program's own failure reasons, as
//! `ProgramError::Custom(code)` with `code` the discriminant (stable: never
//! renumber). An account not owned by the program is `IncorrectProgramId`,
//! state of the wrong kind or shape `InvalidAccountData`, a missing
//! signature `MissingRequiredSignature`. Failures inside the token program
//! surface as its own errors.

lanes_sdk::program_errors! {
    /// Why a lending instruction failed. Codes are stable.
    pub enum LendingError {
        /// A reserve parameter is out of range (collateral factor, bonus, reserve factor, price).
        InvalidParameter = 0 => "parameter out of range",
        /// An address is not the PDA its seeds derive.
        AddressMismatch = 1 => "address does not match its seeds",
        /// The reserve belongs to another market than the obligation or market given.
        WrongMarket = 2 => "reserve belongs to another market",
        /// The signer is not the authority recorded (admin, oracle or obligation owner).
        WrongAuthority = 3 => "signer is not the recorded authority",
        /// A vault, share mint, collateral vault or price feed is not the reserve's own.
        AccountMismatch = 4 => "account does not belong to this reserve",
        /// The reserve has too little cash for this withdrawal or borrow.
        InsufficientLiquidity = 5 => "not enough cash in the reserve",
        /// An amount is zero, or rounds to zero.
        ZeroAmount = 6 => "amount is zero or rounds to zero",
        /// An amount would overflow.
        Overflow = 7 => "arithmetic overflow",
        /// The obligation's debt would exceed its borrow limit.
        BorrowLimitExceeded = 8 => "borrow limit exceeded",
        /// The obligation is healthy: it cannot be liquidated.
        ObligationHealthy = 9 => "obligation is healthy",
        /// The obligation already has positions in the maximum number of reserves.
        ObligationFull = 10 => "obligation has no free position",
        /// The obligation has no position in this reserve.
        NoPosition = 11 => "obligation has no position in this reserve",
        /// More collateral than the obligation pledged.
        InsufficientCollateral = 12 => "not enough collateral",
        /// The accounts after the fixed ones are not the (reserve, price feed)
        /// pairs of the obligation's other positions, in order.
        PositionAccountMismatch = 13 => "position accounts do not match the obligation",
        /// The token program account is not the token program.
        WrongTokenProgram = 14 => "not the token program",
        /// The account is already initialized.
        AlreadyInitialized = 15 => "account already initialized",
    }
}

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
