//! [`TokenError`]: the token program's own failure reasons. Each becomes
//! `ProgramError::Custom(code)` (and so `InstructionError::Custom(code)` in a
//! failed transaction), with `code` the enum's discriminant, fixed forever.
//!
//! Failures that the generic errors already name are reported with those:
//! an account the program does not own is `IncorrectProgramId`, account data
//! of the wrong length or shape `InvalidAccountData`, an uninitialized
//! account `UninitializedAccount`, a missing signature
//! `MissingRequiredSignature`, bad instruction data `InvalidInstructionData`.

use core::fmt;
use lanes_sdk::program_error::ProgramError;

/// Why a token instruction failed. Codes are stable: never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum TokenError {
    /// The source account's balance is less than the amount.
    InsufficientFunds = 0,
    /// The account given as the mint is not an initialized mint.
    InvalidMint = 1,
    /// The accounts belong to different mints, or the mint given is not theirs.
    MintMismatch = 2,
    /// The signer is not the authority this operation needs (owner,
    /// delegate, mint, freeze or close authority).
    OwnerMismatch = 3,
    /// The mint has no mint authority: its supply is fixed.
    FixedSupply = 4,
    /// The account is already initialized.
    AlreadyInUse = 5,
    /// An amount or balance would overflow (or underflow) a `u64`.
    Overflow = 6,
    /// This authority type does not apply to this kind of account, or an
    /// account owner cannot be removed.
    AuthorityTypeNotSupported = 7,
    /// The mint has no freeze authority.
    MintCannotFreeze = 8,
    /// The account is frozen.
    AccountFrozen = 9,
    /// The decimals given do not match the mint's.
    MintDecimalsMismatch = 10,
    /// A token account can only be closed when its balance is zero.
    NonZeroBalance = 11,
    /// The delegate's remaining allowance is less than the amount.
    InsufficientAllowance = 12,
    /// The account is not in a state this operation accepts (thawing an
    /// account that is not frozen, freezing one that is).
    InvalidState = 13,
}

impl TokenError {
    /// Every error, in code order.
    pub const ALL: [TokenError; 14] = [
        TokenError::InsufficientFunds,
        TokenError::InvalidMint,
        TokenError::MintMismatch,
        TokenError::OwnerMismatch,
        TokenError::FixedSupply,
        TokenError::AlreadyInUse,
        TokenError::Overflow,
        TokenError::AuthorityTypeNotSupported,
        TokenError::MintCannotFreeze,
        TokenError::AccountFrozen,
        TokenError::MintDecimalsMismatch,
        TokenError::NonZeroBalance,
        TokenError::InsufficientAllowance,
        TokenError::InvalidState,
    ];

    /// Its custom error code.
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The error with this custom code, if any.
    pub fn from_code(code: u32) -> Option<TokenError> {
        TokenError::ALL.get(code as usize).copied()
    }
}

impl From<TokenError> for ProgramError {
    fn from(err: TokenError) -> Self {
        ProgramError::Custom(err.code())
    }
}

impl TokenError {
    /// A one-line description; the program logs it when it fails.
    pub const fn message(self) -> &'static str {
        match self {
            TokenError::InsufficientFunds => "insufficient funds",
            TokenError::InvalidMint => "invalid mint",
            TokenError::MintMismatch => "account not associated with this mint",
            TokenError::OwnerMismatch => "owner does not match",
            TokenError::FixedSupply => "fixed supply: the mint has no mint authority",
            TokenError::AlreadyInUse => "account already in use",
            TokenError::Overflow => "operation overflowed",
            TokenError::AuthorityTypeNotSupported => "authority type not supported for this account",
            TokenError::MintCannotFreeze => "this mint cannot freeze accounts",
            TokenError::AccountFrozen => "account is frozen",
            TokenError::MintDecimalsMismatch => "the provided decimals value differs from the mint's",
            TokenError::NonZeroBalance => "account has a non-zero balance",
            TokenError::InsufficientAllowance => "delegated amount is less than the amount",
            TokenError::InvalidState => "account is in the wrong state for this operation",
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl std::error::Error for TokenError {}

#[cfg(test)]
mod tests {
    use super::*;

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
