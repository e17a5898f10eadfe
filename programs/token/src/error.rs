//! [`TokenError`]: the token program's own failure reasons. Each becomes
//! `ProgramError::Custom(code)` (and so `InstructionError::Custom(code)` in a
//! failed transaction), with `code` the enum's discriminant, fixed forever.
//!
//! Failures that the generic errors already name are reported with those:
//! an account the program does not own is `IncorrectProgramId`, account data
//! of the wrong length or shape `InvalidAccountData`, an uninitialized
//! account `UninitializedAccount`, a missing signature
//! `MissingRequiredSignature`, bad instruction data `InvalidInstructionData`.

lanes_sdk::program_errors! {
    /// Why a token instruction failed. Codes are stable: never renumber.
    pub enum TokenError {
        /// The source account's balance is less than the amount.
        InsufficientFunds = 0 => "insufficient funds",
        /// The account given as the mint is not an initialized mint.
        InvalidMint = 1 => "invalid mint",
        /// The accounts belong to different mints, or the mint given is not theirs.
        MintMismatch = 2 => "account not associated with this mint",
        /// The signer is not the authority this operation needs (owner,
        /// delegate, mint, freeze or close authority).
        OwnerMismatch = 3 => "owner does not match",
        /// The mint has no mint authority: its supply is fixed.
        FixedSupply = 4 => "fixed supply: the mint has no mint authority",
        /// The account is already initialized.
        AlreadyInUse = 5 => "account already in use",
        /// An amount or balance would overflow (or underflow) a `u64`.
        Overflow = 6 => "operation overflowed",
        /// This authority type does not apply to this kind of account, or an
        /// account owner cannot be removed.
        AuthorityTypeNotSupported = 7 => "authority type not supported for this account",
        /// The mint has no freeze authority.
        MintCannotFreeze = 8 => "this mint cannot freeze accounts",
        /// The account is frozen.
        AccountFrozen = 9 => "account is frozen",
        /// The decimals given do not match the mint's.
        MintDecimalsMismatch = 10 => "the provided decimals value differs from the mint's",
        /// A token account can only be closed when its balance is zero.
        NonZeroBalance = 11 => "account has a non-zero balance",
        /// The delegate's remaining allowance is less than the amount.
        InsufficientAllowance = 12 => "delegated amount is less than the amount",
        /// The account is not in a state this operation accepts (thawing an
        /// account that is not frozen, freezing one that is).
        InvalidState = 13 => "account is in the wrong state for this operation",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_sdk::program_error::ProgramError;

    #[test]
    fn codes_are_dense_stable_and_round_trip() {
        for (i, err) in TokenError::ALL.iter().enumerate() {
            assert_eq!(err.code(), i as u32);
            assert_eq!(TokenError::from_code(i as u32), Some(*err));
            assert_eq!(ProgramError::from(*err), ProgramError::Custom(i as u32));
        }
        assert_eq!(TokenError::from_code(TokenError::ALL.len() as u32), None);
        assert_eq!(TokenError::from_code(u32::MAX), None);
        // Spot-check the published numbering.
        assert_eq!(TokenError::InsufficientFunds.code(), 0);
        assert_eq!(TokenError::AccountFrozen.code(), 9);
        assert_eq!(TokenError::InvalidState.code(), 13);
    }
}
