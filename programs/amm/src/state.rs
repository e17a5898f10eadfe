//! The pool account: [`Pool`], borsh-encoded into exactly [`Pool::LEN`]
//! bytes (every field has a fixed size, so every field has a fixed offset).
//!
//! The codec is written out by hand over the sdk's [`Pack`] primitives: the
//! swap path decodes a pool on every call, and borsh's generic reader costs
//! several times more fuel. The unit tests check it against borsh byte for
//! byte. Decoding is strict (exact length, `is_initialized` a real bool) and
//! never panics.

use borsh::{BorshDeserialize, BorshSerialize};
/// The codec [`Pool`] implements (the sdk's, re-exported).
pub use lanes_sdk::pack::Pack;
use lanes_sdk::pack::{Reader, Writer};
use lanes_sdk::program_error::ProgramError;
use lanes_sdk::Pubkey;

/// LP tokens locked forever by the first deposit (counted in
/// [`Pool::lp_supply`], minted to no one), so the LP supply never returns
/// to zero and one LP token can never be made arbitrarily expensive.
pub const MINIMUM_LIQUIDITY: u64 = 1_000;
/// Highest fee a pool may charge: 10%.
pub const MAX_FEE_BPS: u16 = 1_000;
/// Decimals of every LP mint.
pub const LP_DECIMALS: u8 = 9;

/// One constant-product pool of two mints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Pool {
    /// Set once by `InitializePool`.
    pub is_initialized: bool,
    /// The bump of the pool's own address (its signing seeds end with it).
    pub bump: u8,
    /// Swap fee in basis points (part of the pool's address).
    pub fee_bps: u16,
    /// The smaller mint (bytewise).
    pub mint_a: Pubkey,
    /// The larger mint.
    pub mint_b: Pubkey,
    /// Token account of `mint_a` owned by the pool.
    pub vault_a: Pubkey,
    /// Token account of `mint_b` owned by the pool.
    pub vault_b: Pubkey,
    /// The mint of this pool's LP tokens (authority: the pool).
    pub lp_mint: Pubkey,
    /// Tokens of `mint_a` the pool prices with (its vault may hold more, if donated).
    pub reserve_a: u64,
    /// Tokens of `mint_b` the pool prices with.
    pub reserve_b: u64,
    /// LP tokens in existence, including the locked [`MINIMUM_LIQUIDITY`].
    pub lp_supply: u64,
}

impl Pool {
    /// Bytes of a pool account: 1 + 1 + 2 + 5·32 + 3·8.
    pub const LEN: usize = 188;
    /// Offset of [`Pool::reserve_a`] (then `reserve_b`, then `lp_supply`).
    pub const RESERVES_OFFSET: usize = 164;

    /// Write only the reserves and LP supply into a packed pool: what every
    /// instruction after `InitializePool` changes.
    #[inline]
    pub fn pack_amounts(&self, dst: &mut [u8]) -> Result<(), ProgramError> {
        if dst.len() != Self::LEN {
            return Err(ProgramError::InvalidAccountData);
        }
        let mut w = Writer::new(&mut dst[Self::RESERVES_OFFSET..]);
        w.u64(self.reserve_a)?;
        w.u64(self.reserve_b)?;
        w.u64(self.lp_supply)
    }
}

/// The layout is borsh's; [`Pack`] adds the exact length (no padding: every
/// field has a fixed size).
impl Pack for Pool {
    const LEN: usize = Pool::LEN;

    #[inline(always)]
    fn is_initialized(&self) -> bool {
        self.is_initialized
    }

    #[inline(always)]
    fn decode(r: &mut Reader<'_>) -> Result<Self, ProgramError> {
        Ok(Pool {
            is_initialized: r.bool()?,
            bump: r.u8()?,
            fee_bps: r.u16()?,
            mint_a: r.pubkey()?,
            mint_b: r.pubkey()?,
            vault_a: r.pubkey()?,
            vault_b: r.pubkey()?,
            lp_mint: r.pubkey()?,
            reserve_a: r.u64()?,
            reserve_b: r.u64()?,
            lp_supply: r.u64()?,
        })
    }

    #[inline(always)]
    fn encode(&self, w: &mut Writer<'_>) -> Result<(), ProgramError> {
        w.u8(self.is_initialized as u8)?;
        w.u8(self.bump)?;
        w.u16(self.fee_bps)?;
        for key in [&self.mint_a, &self.mint_b, &self.vault_a, &self.vault_b, &self.lp_mint] {
            w.pubkey(key)?;
        }
        w.u64(self.reserve_a)?;
        w.u64(self.reserve_b)?;
        w.u64(self.lp_supply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Pool {
        Pool {
            is_initialized: true,
            bump: 254,
            fee_bps: 30,
            mint_a: Pubkey::new_unique_from_u64(1),
            mint_b: Pubkey::new_unique_from_u64(2),
            vault_a: Pubkey::new_unique_from_u64(3),
            vault_b: Pubkey::new_unique_from_u64(4),
            lp_mint: Pubkey::new_unique_from_u64(5),
            reserve_a: u64::MAX,
            reserve_b: 77,
            lp_supply: 1 << 40,
        }
    }

    #[test]
    fn codec_matches_borsh() {
        let pool = full();
        let bytes = pool.to_bytes();
        assert_eq!(bytes, borsh::to_vec(&pool).unwrap());
        assert_eq!(bytes.len(), Pool::LEN);
        assert_eq!(Pool::unpack(&bytes), Ok(pool));
        assert_eq!(&bytes[Pool::RESERVES_OFFSET..Pool::RESERVES_OFFSET + 8], &u64::MAX.to_le_bytes());
        let mut changed = bytes.clone();
        let moved = Pool { reserve_a: 1, reserve_b: 2, lp_supply: 3, ..pool };
        moved.pack_amounts(&mut changed).unwrap();
        assert_eq!(changed, moved.to_bytes());
    }

    #[test]
    fn strict_decoding() {
        assert_eq!(Pool::unpack(&[0; Pool::LEN]), Err(ProgramError::UninitializedAccount));
        assert_eq!(Pool::unpack_unchecked(&[0; Pool::LEN]), Ok(Pool::default()));
        let bytes = full().to_bytes();
        assert_eq!(Pool::unpack(&bytes[..Pool::LEN - 1]), Err(ProgramError::InvalidAccountData));
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Pool::unpack(&longer), Err(ProgramError::InvalidAccountData));
        let mut bad_flag = bytes;
        bad_flag[0] = 2;
        assert_eq!(Pool::unpack(&bad_flag), Err(ProgramError::InvalidAccountData));
        for fill in 0..=255u8 {
            let ours = Pool::unpack_unchecked(&[fill; Pool::LEN]).ok();
            let theirs = Pool::try_from_slice(&[fill; Pool::LEN]).ok();
            assert_eq!(ours, theirs, "fill {fill}");
        }
    }
}
