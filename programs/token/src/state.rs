//! Account state: [`Mint`] and [`TokenAccount`], borsh-encoded into
//! fixed-length account data.
//!
//! Each type is stored as its borsh encoding followed by zero bytes up to its
//! `LEN` (borsh's `Option` is 1 byte for `None` and 33 for `Some`, so `LEN` is
//! the encoding with every option present). Accounts are created with exactly
//! `LEN` bytes of data; an all-zero buffer decodes as the uninitialized value.
//! The fixed-size fields come first, so their offsets never move: a token
//! account's mint is at byte 0 and its owner at byte 32 (for RPC `memcmp`
//! filters), its amount at byte 64.
//!
//! Decoding is strict and canonical: data of any other length, invalid enum
//! or option tags, or non-zero padding are `InvalidAccountData`, so each
//! value has exactly one byte representation. Nothing here panics, and
//! nothing but the host-side [`Pack::to_bytes`] allocates. The codecs are
//! written out by hand over the sdk's [`Reader`] and [`Writer`] (the
//! on-chain hot path: borsh's generic readers cost several times more fuel);
//! the unit tests check them against borsh's own encoding byte for byte, and
//! that they accept exactly what borsh accepts.

use borsh::{BorshDeserialize, BorshSerialize};
/// The codec every state type here implements (the sdk's, re-exported so
/// clients name it as `lanes_token::state::Pack`).
pub use lanes_sdk::pack::{Pack, Reader, Writer};
use lanes_sdk::program_error::ProgramError;
use lanes_sdk::Pubkey;

/// The supply, precision and authorities of one token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Mint {
    /// Tokens in circulation: the sum of all its accounts' balances.
    pub supply: u64,
    /// Digits after the decimal point in the token's display amount.
    pub decimals: u8,
    /// Set once by `InitializeMint`.
    pub is_initialized: bool,
    /// Who may mint; `None` fixes the supply forever.
    pub mint_authority: Option<Pubkey>,
    /// Who may freeze and thaw its accounts; `None` means no one, forever.
    pub freeze_authority: Option<Pubkey>,
}

impl Mint {
    /// Bytes of a mint account's data (also [`Pack::LEN`]): 8 supply +
    /// 1 decimals + 1 is_initialized + 33 + 33 authorities.
    pub const LEN: usize = 76;
}

impl Pack for Mint {
    const LEN: usize = Mint::LEN;

    fn is_initialized(&self) -> bool {
        self.is_initialized
    }

    #[inline(always)]
    fn decode(r: &mut Reader<'_>) -> Result<Self, ProgramError> {
        Ok(Mint {
            supply: r.u64()?,
            decimals: r.u8()?,
            is_initialized: r.bool()?,
            mint_authority: r.option_pubkey()?,
            freeze_authority: r.option_pubkey()?,
        })
    }

    #[inline(always)]
    fn encode(&self, w: &mut Writer<'_>) -> Result<(), ProgramError> {
        w.u64(self.supply)?;
        w.u8(self.decimals)?;
        w.u8(self.is_initialized as u8)?;
        w.option_pubkey(&self.mint_authority)?;
        w.option_pubkey(&self.freeze_authority)
    }
}

/// Whether a token account is in use, and whether it is frozen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum AccountState {
    /// All-zero data: not yet initialized (or closed).
    #[default]
    Uninitialized,
    /// In use.
    Initialized,
    /// In use, but its freeze authority has frozen it: no transfers, burns,
    /// approvals or authority changes until thawed.
    Frozen,
}

/// One owner's balance of one mint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TokenAccount {
    /// The mint whose tokens it holds (offset 0).
    pub mint: Pubkey,
    /// Who may spend, approve, and close it (offset 32).
    pub owner: Pubkey,
    /// Balance, in the mint's smallest unit (offset 64).
    pub amount: u64,
    /// Uninitialized, initialized or frozen (offset 72).
    pub state: AccountState,
    /// How much the delegate may still spend (offset 73).
    pub delegated_amount: u64,
    /// Who may spend up to `delegated_amount` on the owner's behalf (offset 81).
    pub delegate: Option<Pubkey>,
    /// Who may close it instead of the owner.
    pub close_authority: Option<Pubkey>,
}

impl TokenAccount {
    /// Bytes of a token account's data (also [`Pack::LEN`]): 32 mint +
    /// 32 owner + 8 amount + 1 state + 8 delegated amount + 33 delegate +
    /// 33 close authority.
    pub const LEN: usize = 147;

    /// Whether its freeze authority has frozen it.
    pub fn is_frozen(&self) -> bool {
        self.state == AccountState::Frozen
    }

    /// Who may close it: the close authority, or else the owner.
    pub fn closer(&self) -> Pubkey {
        self.close_authority.unwrap_or(self.owner)
    }
}

impl Pack for TokenAccount {
    const LEN: usize = TokenAccount::LEN;

    fn is_initialized(&self) -> bool {
        self.state != AccountState::Uninitialized
    }

    #[inline(always)]
    fn decode(r: &mut Reader<'_>) -> Result<Self, ProgramError> {
        Ok(TokenAccount {
            mint: r.pubkey()?,
            owner: r.pubkey()?,
            amount: r.u64()?,
            state: match r.u8()? {
                0 => AccountState::Uninitialized,
                1 => AccountState::Initialized,
                2 => AccountState::Frozen,
                _ => return Err(ProgramError::InvalidAccountData),
            },
            delegated_amount: r.u64()?,
            delegate: r.option_pubkey()?,
            close_authority: r.option_pubkey()?,
        })
    }

    #[inline(always)]
    fn encode(&self, w: &mut Writer<'_>) -> Result<(), ProgramError> {
        w.pubkey(&self.mint)?;
        w.pubkey(&self.owner)?;
        w.u64(self.amount)?;
        w.u8(self.state as u8)?;
        w.u64(self.delegated_amount)?;
        w.option_pubkey(&self.delegate)?;
        w.option_pubkey(&self.close_authority)
    }
}

/// Byte offsets of a token account's fixed fields, for RPC filters.
pub mod offsets {
    /// Offset of [`super::TokenAccount::mint`].
    pub const ACCOUNT_MINT: usize = 0;
    /// Offset of [`super::TokenAccount::owner`].
    pub const ACCOUNT_OWNER: usize = 32;
    /// Offset of [`super::TokenAccount::amount`].
    pub const ACCOUNT_AMOUNT: usize = 64;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> Pubkey {
        Pubkey::new_unique_from_u64(n)
    }

    fn full_mint() -> Mint {
        Mint {
            supply: u64::MAX,
            decimals: 9,
            is_initialized: true,
            mint_authority: Some(key(1)),
            freeze_authority: Some(key(2)),
        }
    }

    fn full_account() -> TokenAccount {
        TokenAccount {
            mint: key(1),
            owner: key(2),
            amount: u64::MAX,
            state: AccountState::Frozen,
            delegated_amount: 77,
            delegate: Some(key(3)),
            close_authority: Some(key(4)),
        }
    }

    #[test]
    fn len_is_the_largest_encoding() {
        assert_eq!(borsh::to_vec(&full_mint()).unwrap().len(), Mint::LEN);
        assert_eq!(borsh::to_vec(&full_account()).unwrap().len(), TokenAccount::LEN);
        assert_ne!(Mint::LEN, TokenAccount::LEN, "lengths tell the two kinds apart");
    }

    #[test]
    fn all_zero_is_uninitialized() {
        let mint = Mint::unpack_unchecked(&[0; Mint::LEN]).unwrap();
        assert_eq!(mint, Mint::default());
        assert!(!mint.is_initialized());
        assert_eq!(Mint::unpack(&[0; Mint::LEN]), Err(ProgramError::UninitializedAccount));

        let account = TokenAccount::unpack_unchecked(&[0; TokenAccount::LEN]).unwrap();
        assert_eq!(account, TokenAccount::default());
        assert!(!account.is_initialized());
        assert_eq!(TokenAccount::unpack(&[0; TokenAccount::LEN]), Err(ProgramError::UninitializedAccount));
    }

    #[test]
    fn round_trips_with_and_without_options() {
        let mints = [
            full_mint(),
            Mint { mint_authority: None, ..full_mint() },
            Mint { freeze_authority: None, ..full_mint() },
            Mint { mint_authority: None, freeze_authority: None, ..full_mint() },
        ];
        for mint in mints {
            let bytes = mint.to_bytes();
            assert_eq!(bytes.len(), Mint::LEN);
            assert_eq!(Mint::unpack(&bytes), Ok(mint));
        }
        let accounts = [
            full_account(),
            TokenAccount { delegate: None, delegated_amount: 0, ..full_account() },
            TokenAccount { close_authority: None, ..full_account() },
            TokenAccount { delegate: None, close_authority: None, state: AccountState::Initialized, ..full_account() },
        ];
        for account in accounts {
            let bytes = account.to_bytes();
            assert_eq!(bytes.len(), TokenAccount::LEN);
            assert_eq!(TokenAccount::unpack(&bytes), Ok(account));
        }
    }

    #[test]
    fn repacking_a_shorter_value_zeroes_the_old_tail() {
        let mut data = full_account().to_bytes();
        let smaller = TokenAccount { delegate: None, close_authority: None, ..full_account() };
        smaller.pack(&mut data).unwrap();
        assert!(data[TokenAccount::LEN - 64..].iter().all(|b| *b == 0));
        assert_eq!(TokenAccount::unpack(&data), Ok(smaller));
    }

    #[test]
    fn fixed_offsets() {
        let account = full_account();
        let bytes = account.to_bytes();
        assert_eq!(&bytes[offsets::ACCOUNT_MINT..offsets::ACCOUNT_MINT + 32], account.mint.as_ref());
        assert_eq!(&bytes[offsets::ACCOUNT_OWNER..offsets::ACCOUNT_OWNER + 32], account.owner.as_ref());
        assert_eq!(&bytes[offsets::ACCOUNT_AMOUNT..offsets::ACCOUNT_AMOUNT + 8], &u64::MAX.to_le_bytes());
    }

    #[test]
    fn wrong_length_is_rejected() {
        let bytes = full_mint().to_bytes();
        assert_eq!(Mint::unpack(&bytes[..Mint::LEN - 1]), Err(ProgramError::InvalidAccountData));
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Mint::unpack(&longer), Err(ProgramError::InvalidAccountData));
        // A mint is never a token account and vice versa.
        assert_eq!(TokenAccount::unpack(&bytes), Err(ProgramError::InvalidAccountData));
        assert_eq!(Mint::unpack(&full_account().to_bytes()), Err(ProgramError::InvalidAccountData));
        let mut pack_dst = [0u8; Mint::LEN + 1];
        assert_eq!(full_mint().pack(&mut pack_dst), Err(ProgramError::InvalidAccountData));
    }

    #[test]
    fn garbage_is_rejected() {
        // is_initialized is a bool: only 0 or 1.
        let mut bytes = full_mint().to_bytes();
        bytes[9] = 2;
        assert_eq!(Mint::unpack(&bytes), Err(ProgramError::InvalidAccountData));
        // Option tag other than 0/1.
        let mut bytes = full_mint().to_bytes();
        bytes[10] = 7;
        assert_eq!(Mint::unpack(&bytes), Err(ProgramError::InvalidAccountData));
        // Account state out of range.
        let mut bytes = full_account().to_bytes();
        bytes[72] = 3;
        assert_eq!(TokenAccount::unpack(&bytes), Err(ProgramError::InvalidAccountData));
        // Non-zero padding after a short encoding.
        let mut bytes = TokenAccount { delegate: None, ..full_account() }.to_bytes();
        bytes[TokenAccount::LEN - 1] = 1;
        assert_eq!(TokenAccount::unpack(&bytes), Err(ProgramError::InvalidAccountData));
        // Every byte pattern decodes or errs; none panics.
        for fill in 0..=255u8 {
            let _ = Mint::unpack(&[fill; Mint::LEN]);
            let _ = TokenAccount::unpack(&[fill; TokenAccount::LEN]);
        }
    }
}
