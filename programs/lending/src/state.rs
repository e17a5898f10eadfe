//! Account state: [`Market`], [`Reserve`], [`PriceFeed`] and
//! [`Obligation`].
//!
//! Every account's data is one **kind** byte ([`Kind::KIND`]: 1 market,
//! 2 reserve, 3 obligation, 4 price feed; 0 while uninitialized) followed by
//! the borsh encoding of its struct, exactly [`Pack::LEN`] bytes in all
//! (every field has a fixed size). The kind byte stops one kind of account
//! being passed off as another. The codec is written out by hand (it runs
//! on every instruction; borsh's generic reader costs several times more
//! fuel) and tested against borsh byte for byte. Decoding never panics.

use borsh::{BorshDeserialize, BorshSerialize};
/// The codec every state type here implements (the sdk's, re-exported).
pub use lanes_sdk::pack::{Pack, Reader, Writer};
use lanes_sdk::program_error::ProgramError;
use lanes_sdk::Pubkey;

/// Most reserves one obligation can have positions in.
pub const MAX_POSITIONS: usize = 4;

/// The kind byte that leads an initialized account of a type (0 while
/// uninitialized). Each type's [`Pack::decode`] reads it first with
/// `read_kind`, so a decoded value is always initialized (`Pack`'s default
/// `is_initialized`) and `unpack_unchecked` refuses kind 0 as `unpack` does.
pub trait Kind: Pack {
    /// The kind byte of initialized accounts of this type.
    const KIND: u8;
}

/// Read the kind byte leading `T`'s layout: `UninitializedAccount` for 0,
/// `InvalidAccountData` for any other kind but `T`'s.
#[inline(always)]
fn read_kind<T: Kind>(r: &mut Reader<'_>) -> Result<(), ProgramError> {
    match r.u8()? {
        kind if kind == T::KIND => Ok(()),
        0 => Err(ProgramError::UninitializedAccount),
        _ => Err(ProgramError::InvalidAccountData),
    }
}

/// Whether `data` is an account of `T`'s length that was never initialized.
pub fn is_uninitialized<T: Pack>(data: &[u8]) -> bool {
    data.len() == T::LEN && data[0] == 0
}

/// A lending market: who adds reserves and who sets prices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Market {
    /// Signs `InitReserve`.
    pub admin: Pubkey,
    /// Signs `SetPrice`.
    pub oracle: Pubkey,
}

impl Kind for Market {
    const KIND: u8 = 1;
}

impl Pack for Market {
    const LEN: usize = 1 + 64;
    fn decode(r: &mut Reader<'_>) -> Result<Self, ProgramError> {
        read_kind::<Self>(r)?;
        Ok(Market { admin: r.pubkey()?, oracle: r.pubkey()? })
    }
    fn encode(&self, w: &mut Writer<'_>) -> Result<(), ProgramError> {
        w.u8(Self::KIND)?;
        w.pubkey(&self.admin)?;
        w.pubkey(&self.oracle)
    }
}

/// One token's reserve in one market.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Reserve {
    /// Bump of the reserve's own address (its signing seeds end with it).
    pub bump: u8,
    /// Share of collateral value that counts toward the borrow limit.
    pub collateral_factor_bps: u16,
    /// Extra collateral value a liquidator receives over what they repay.
    pub liquidation_bonus_bps: u16,
    /// Share of interest kept as protocol reserves.
    pub reserve_factor_bps: u16,
    pub market: Pubkey,
    /// The token lent and borrowed.
    pub mint: Pubkey,
    /// Token account of `mint` holding the cash (owner: the reserve).
    pub vault: Pubkey,
    /// Mint of suppliers' shares (authority: the reserve).
    pub share_mint: Pubkey,
    /// Token account of `share_mint` holding pledged collateral (owner: the reserve).
    pub collateral_vault: Pubkey,
    /// The reserve's [`PriceFeed`].
    pub price_feed: Pubkey,
    /// Borrow rate per slot at zero utilization, scaled by [`crate::math::SCALE`].
    pub base_rate_per_slot: u64,
    /// Extra borrow rate per slot at full utilization, scaled by `SCALE`.
    pub slope_per_slot: u64,
    /// Slot interest was last accrued at.
    pub last_update_slot: u64,
    /// Growth of one unit of debt since the reserve began, scaled by `SCALE`.
    pub borrow_index: u64,
    /// Tokens in the vault that belong to the books (donations excluded).
    pub cash: u64,
    /// Sum of every obligation's scaled debt here.
    pub borrowed_scaled: u64,
    /// Interest kept for the protocol.
    pub protocol_reserves: u64,
    /// Shares in existence (the share mint's supply).
    pub share_supply: u64,
}

impl Kind for Reserve {
    const KIND: u8 = 2;
}

impl Pack for Reserve {
    const LEN: usize = 1 + 7 + 6 * 32 + 8 * 8;
    #[inline]
    fn decode(r: &mut Reader<'_>) -> Result<Self, ProgramError> {
        read_kind::<Self>(r)?;
        Ok(Reserve {
            bump: r.u8()?,
            collateral_factor_bps: r.u16()?,
            liquidation_bonus_bps: r.u16()?,
            reserve_factor_bps: r.u16()?,
            market: r.pubkey()?,
            mint: r.pubkey()?,
            vault: r.pubkey()?,
            share_mint: r.pubkey()?,
            collateral_vault: r.pubkey()?,
            price_feed: r.pubkey()?,
            base_rate_per_slot: r.u64()?,
            slope_per_slot: r.u64()?,
            last_update_slot: r.u64()?,
            borrow_index: r.u64()?,
            cash: r.u64()?,
            borrowed_scaled: r.u64()?,
            protocol_reserves: r.u64()?,
            share_supply: r.u64()?,
        })
    }
    #[inline]
    fn encode(&self, w: &mut Writer<'_>) -> Result<(), ProgramError> {
        w.u8(Self::KIND)?;
        w.u8(self.bump)?;
        w.u16(self.collateral_factor_bps)?;
        w.u16(self.liquidation_bonus_bps)?;
        w.u16(self.reserve_factor_bps)?;
        for key in [&self.market, &self.mint, &self.vault, &self.share_mint, &self.collateral_vault, &self.price_feed] {
            w.pubkey(key)?;
        }
        for v in [
            self.base_rate_per_slot,
            self.slope_per_slot,
            self.last_update_slot,
            self.borrow_index,
            self.cash,
            self.borrowed_scaled,
            self.protocol_reserves,
            self.share_supply,
        ] {
            w.u64(v)?;
        }
        Ok(())
    }
}

/// The price of one reserve's token, as its market's oracle set it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct PriceFeed {
    /// The reserve priced.
    pub reserve: Pubkey,
    /// Value of one smallest unit of the token, in quote units scaled by
    /// [`crate::math::SCALE`]. Never zero.
    pub price: u64,
    /// Slot of the last update.
    pub last_update_slot: u64,
}

impl Kind for PriceFeed {
    const KIND: u8 = 4;
}

impl Pack for PriceFeed {
    const LEN: usize = 1 + 32 + 16;
    #[inline]
    fn decode(r: &mut Reader<'_>) -> Result<Self, ProgramError> {
        read_kind::<Self>(r)?;
        Ok(PriceFeed { reserve: r.pubkey()?, price: r.u64()?, last_update_slot: r.u64()? })
    }
    #[inline]
    fn encode(&self, w: &mut Writer<'_>) -> Result<(), ProgramError> {
        w.u8(Self::KIND)?;
        w.pubkey(&self.reserve)?;
        w.u64(self.price)?;
        w.u64(self.last_update_slot)
    }
}

/// One reserve's line in an obligation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Position {
    /// The reserve; all zeros for a free slot.
    pub reserve: Pubkey,
    /// Shares pledged (held in the reserve's collateral vault).
    pub collateral_shares: u64,
    /// Debt, scaled: the debt is `borrowed_scaled · borrow_index / SCALE`.
    pub borrowed_scaled: u64,
}

impl Position {
    /// Whether this slot is free.
    pub fn is_empty(&self) -> bool {
        self.collateral_shares == 0 && self.borrowed_scaled == 0
    }
}

/// One user's collateral and debts in one market.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Obligation {
    /// Bump of the obligation's address.
    pub bump: u8,
    pub market: Pubkey,
    /// Who may borrow against it and withdraw its collateral.
    pub owner: Pubkey,
    /// Non-empty positions, in the order they were opened; free slots are all zero.
    pub positions: [Position; MAX_POSITIONS],
}

impl Obligation {
    /// Index of the position in `reserve`, if any.
    #[inline]
    pub fn find(&self, reserve: &Pubkey) -> Option<usize> {
        self.positions.iter().position(|p| !p.is_empty() && p.reserve == *reserve)
    }

    /// Index of the position in `reserve`, opening one in a free slot if needed.
    pub fn find_or_open(&mut self, reserve: &Pubkey) -> Result<usize, crate::error::LendingError> {
        if let Some(i) = self.find(reserve) {
            return Ok(i);
        }
        let free =
            self.positions.iter().position(Position::is_empty).ok_or(crate::error::LendingError::ObligationFull)?;
        self.positions[free] = Position { reserve: *reserve, collateral_shares: 0, borrowed_scaled: 0 };
        Ok(free)
    }

    /// Free every slot whose amounts are both zero.
    pub fn tidy(&mut self) {
        for p in &mut self.positions {
            if p.is_empty() {
                *p = Position::default();
            }
        }
    }

    /// The non-empty positions.
    pub fn active(&self) -> impl Iterator<Item = &Position> {
        self.positions.iter().filter(|p| !p.is_empty())
    }
}

impl Kind for Obligation {
    const KIND: u8 = 3;
}

impl Pack for Obligation {
    const LEN: usize = 1 + 1 + 64 + MAX_POSITIONS * 48;
    #[inline]
    fn decode(r: &mut Reader<'_>) -> Result<Self, ProgramError> {
        read_kind::<Self>(r)?;
        let bump = r.u8()?;
        let market = r.pubkey()?;
        let owner = r.pubkey()?;
        let mut positions = [Position::default(); MAX_POSITIONS];
        for p in &mut positions {
            *p = Position { reserve: r.pubkey()?, collateral_shares: r.u64()?, borrowed_scaled: r.u64()? };
        }
        Ok(Obligation { bump, market, owner, positions })
    }
    #[inline]
    fn encode(&self, w: &mut Writer<'_>) -> Result<(), ProgramError> {
        w.u8(Self::KIND)?;
        w.u8(self.bump)?;
        w.pubkey(&self.market)?;
        w.pubkey(&self.owner)?;
        for p in &self.positions {
            w.pubkey(&p.reserve)?;
            w.u64(p.collateral_shares)?;
            w.u64(p.borrowed_scaled)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> Pubkey {
        Pubkey::new_unique_from_u64(n)
    }

    fn check<T: Kind + BorshSerialize + BorshDeserialize + PartialEq + core::fmt::Debug>(value: T) {
        let bytes = value.to_bytes();
        let mut expected = vec![T::KIND];
        expected.extend(borsh::to_vec(&value).unwrap());
        assert_eq!(bytes, expected, "layout is the kind byte, then borsh");
        assert_eq!(T::unpack(&bytes).unwrap(), value);
        assert_eq!(T::unpack(&bytes[..T::LEN - 1]).err(), Some(ProgramError::InvalidAccountData));
        let mut zero = bytes.clone();
        zero[0] = 0;
        assert_eq!(T::unpack(&zero).err(), Some(ProgramError::UninitializedAccount));
        for kind in [1u8, 2, 3, 4, 5, 255] {
            if kind != T::KIND {
                let mut other = bytes.clone();
                other[0] = kind;
                assert_eq!(T::unpack(&other).err(), Some(ProgramError::InvalidAccountData));
            }
        }
    }

    #[test]
    fn codecs_match_borsh_and_check_kind_and_length() {
        check(Market { admin: key(1), oracle: key(2) });
        check(PriceFeed { reserve: key(3), price: 123_456, last_update_slot: u64::MAX });
        check(Reserve {
            bump: 250,
            collateral_factor_bps: 7_500,
            liquidation_bonus_bps: 500,
            reserve_factor_bps: 1_000,
            market: key(1),
            mint: key(2),
            vault: key(3),
            share_mint: key(4),
            collateral_vault: key(5),
            price_feed: key(6),
            base_rate_per_slot: 1,
            slope_per_slot: 2,
            last_update_slot: 3,
            borrow_index: 4,
            cash: 5,
            borrowed_scaled: 6,
            protocol_reserves: 7,
            share_supply: u64::MAX,
        });
        let mut obligation = Obligation { bump: 1, market: key(1), owner: key(2), ..Obligation::default() };
        obligation.positions[1] = Position { reserve: key(9), collateral_shares: 5, borrowed_scaled: 6 };
        check(obligation);
        // Each kind has its own length, too.
        let lens = [Market::LEN, Reserve::LEN, PriceFeed::LEN, Obligation::LEN];
        for (i, len) in lens.iter().enumerate() {
            assert!(lens[i + 1..].iter().all(|other| other != len));
        }
    }

    #[test]
    fn positions_open_find_and_free() {
        let mut o = Obligation::default();
        let i = o.find_or_open(&key(1)).unwrap();
        assert_eq!(o.find(&key(1)), None, "an empty slot is free until it holds something");
        o.positions[i].collateral_shares = 5;
        assert_eq!(o.find(&key(1)), Some(i));
        for n in 2..=4 {
            let j = o.find_or_open(&key(n)).unwrap();
            o.positions[j].borrowed_scaled = 1;
        }
        assert_eq!(o.find_or_open(&key(5)), Err(crate::error::LendingError::ObligationFull));
        o.positions[i].collateral_shares = 0;
        o.tidy();
        assert_eq!(o.positions[i], Position::default());
        assert!(o.find_or_open(&key(5)).is_ok());
        assert_eq!(o.active().count(), 3);
    }
}
