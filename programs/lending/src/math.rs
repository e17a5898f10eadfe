//! The lending arithmetic: share exchange, interest accrual, debt, value and
//! health, liquidation. `u64` amounts, `u128` intermediates, every result
//! checked. Rounding always favours the protocol: shares minted, amounts
//! paid out, collateral value and seized collateral round **down**; debt,
//! scaled debt added, debt value and the borrow index round **up**.

use crate::error::LendingError;
use crate::state::{Position, Reserve};

/// Fixed-point one: rates, the borrow index and prices are scaled by this.
pub const SCALE: u64 = 1_000_000_000_000;
/// Basis points in one whole.
pub const BPS: u64 = 10_000;
/// Largest share of a debt one liquidation may repay.
pub const CLOSE_FACTOR_BPS: u64 = 5_000;
/// Highest collateral factor a reserve may have.
pub const MAX_COLLATERAL_FACTOR_BPS: u16 = 9_000;
/// Highest liquidation bonus a reserve may have.
pub const MAX_LIQUIDATION_BONUS_BPS: u16 = 2_000;
/// Highest borrow rate per slot (base + slope), scaled: 0.01% per slot.
pub const MAX_RATE_PER_SLOT: u64 = SCALE / 10_000;

type R<T> = Result<T, LendingError>;

#[inline]
fn to_u64(x: u128) -> R<u64> {
    u64::try_from(x).map_err(|_| LendingError::Overflow)
}

/// `floor(a · b / c)` in `u128`.
#[inline]
pub fn mul_div_floor(a: u128, b: u128, c: u128) -> R<u128> {
    if c == 0 {
        return Err(LendingError::Overflow);
    }
    Ok(a.checked_mul(b).ok_or(LendingError::Overflow)? / c)
}

/// `ceil(a · b / c)` in `u128`.
#[inline]
pub fn mul_div_ceil(a: u128, b: u128, c: u128) -> R<u128> {
    if c == 0 {
        return Err(LendingError::Overflow);
    }
    Ok(a.checked_mul(b).ok_or(LendingError::Overflow)?.div_ceil(c))
}

/// Value of `amount` at `price` (quote units), rounded down.
#[inline]
pub fn value_floor(amount: u64, price: u64) -> R<u128> {
    mul_div_floor(amount as u128, price as u128, SCALE as u128)
}

/// Value of `amount` at `price` (quote units), rounded up.
#[inline]
pub fn value_ceil(amount: u64, price: u64) -> R<u128> {
    mul_div_ceil(amount as u128, price as u128, SCALE as u128)
}

impl Reserve {
    /// All debt owed to the reserve, rounded down (what the books count on).
    #[inline]
    pub fn total_debt(&self) -> R<u64> {
        to_u64(mul_div_floor(self.borrowed_scaled as u128, self.borrow_index as u128, SCALE as u128)?)
    }

    /// What all shares together are worth: cash + debt − protocol reserves.
    #[inline]
    pub fn supply_value(&self) -> R<u64> {
        let assets = (self.cash as u128) + (self.total_debt()? as u128);
        to_u64(assets.checked_sub(self.protocol_reserves as u128).ok_or(LendingError::Overflow)?)
    }

    /// Utilization, scaled: debt / (cash + debt − reserves), at most `SCALE`.
    pub fn utilization(&self) -> R<u64> {
        let debt = self.total_debt()?;
        let supplied = self.supply_value()?;
        if supplied == 0 {
            return Ok(0);
        }
        Ok(to_u64(mul_div_floor(debt as u128, SCALE as u128, supplied as u128)?)?.min(SCALE))
    }

    /// Bring the books to `slot`: grow the borrow index by the rate times
    /// the slots elapsed (rounded up) and keep the reserve factor's share of
    /// the new interest. Does nothing at or before the last update.
    pub fn accrue(&mut self, slot: u64) -> R<()> {
        if slot <= self.last_update_slot {
            return Ok(());
        }
        let elapsed = (slot - self.last_update_slot) as u128;
        let debt_before = self.total_debt()?;
        let rate = self.base_rate_per_slot as u128
            + mul_div_floor(self.slope_per_slot as u128, self.utilization()? as u128, SCALE as u128)?;
        let growth = rate.checked_mul(elapsed).ok_or(LendingError::Overflow)?;
        let increase = mul_div_ceil(self.borrow_index as u128, growth, SCALE as u128)?;
        self.borrow_index = to_u64(self.borrow_index as u128 + increase)?;
        let interest = self.total_debt()? - debt_before;
        let kept = mul_div_floor(interest as u128, self.reserve_factor_bps as u128, BPS as u128)? as u64;
        self.protocol_reserves = self.protocol_reserves.checked_add(kept).ok_or(LendingError::Overflow)?;
        self.last_update_slot = slot;
        Ok(())
    }

    /// A copy brought to `slot` (for reserves read, not written).
    pub fn accrued(&self, slot: u64) -> R<Reserve> {
        let mut copy = *self;
        copy.accrue(slot)?;
        Ok(copy)
    }

    /// Shares minted for depositing `amount`: 1:1 for the first deposit,
    /// else `floor(amount · S / V)`.
    pub fn shares_for_deposit(&self, amount: u64) -> R<u64> {
        if self.share_supply == 0 {
            return Ok(amount);
        }
        let value = self.supply_value()?;
        if value == 0 {
            return Err(LendingError::Overflow);
        }
        to_u64(mul_div_floor(amount as u128, self.share_supply as u128, value as u128)?)
    }

    /// Tokens `shares` redeem for: `floor(shares · V / S)`.
    pub fn amount_for_shares(&self, shares: u64) -> R<u64> {
        if shares == 0 {
            return Ok(0);
        }
        if shares > self.share_supply {
            return Err(LendingError::Overflow);
        }
        to_u64(mul_div_floor(shares as u128, self.supply_value()? as u128, self.share_supply as u128)?)
    }

    /// Scaled debt added by borrowing `amount`, rounded up.
    pub fn scaled_for_borrow(&self, amount: u64) -> R<u64> {
        to_u64(mul_div_ceil(amount as u128, SCALE as u128, self.borrow_index as u128)?)
    }

    /// The debt `scaled` stands for, rounded up (what a borrower owes).
    pub fn debt_of(&self, scaled: u64) -> R<u64> {
        to_u64(mul_div_ceil(scaled as u128, self.borrow_index as u128, SCALE as u128)?)
    }

    /// Scaled debt cleared by paying `pay` against a position of `scaled`:
    /// all of it when `pay` is the whole debt, else `floor(pay · SCALE / index)`.
    pub fn scaled_for_repay(&self, pay: u64, scaled: u64) -> R<u64> {
        if pay >= self.debt_of(scaled)? {
            return Ok(scaled);
        }
        Ok(to_u64(mul_div_floor(pay as u128, SCALE as u128, self.borrow_index as u128)?)?.min(scaled))
    }
}

/// An obligation's standing: what it may owe and what it owes, in quote units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Health {
    /// Σ collateral value · collateral factor (rounded down).
    pub borrow_limit: u128,
    /// Σ debt value (rounded up).
    pub borrowed: u128,
}

impl Health {
    /// Whether the debt is within the limit.
    pub fn is_healthy(&self) -> bool {
        self.borrowed <= self.borrow_limit
    }

    /// Add one position, valued with its reserve (accrued) and price.
    pub fn add(&mut self, position: &Position, reserve: &Reserve, price: u64) -> R<()> {
        if position.collateral_shares > 0 {
            let underlying = reserve.amount_for_shares(position.collateral_shares)?;
            let value = value_floor(underlying, price)?;
            let limit = mul_div_floor(value, reserve.collateral_factor_bps as u128, BPS as u128)?;
            self.borrow_limit = self.borrow_limit.checked_add(limit).ok_or(LendingError::Overflow)?;
        }
        if position.borrowed_scaled > 0 {
            let value = value_ceil(reserve.debt_of(position.borrowed_scaled)?, price)?;
            self.borrowed = self.borrowed.checked_add(value).ok_or(LendingError::Overflow)?;
        }
        Ok(())
    }
}

/// Collateral shares seized for repaying `repay` of a debt priced at
/// `debt_price`, from a collateral reserve priced at `collateral_price`:
/// `repay · debt_price · (1 + bonus) / collateral_price`, in shares, rounded down.
pub fn seize_shares(repay: u64, debt_price: u64, collateral: &Reserve, collateral_price: u64) -> R<u64> {
    let value = (repay as u128).checked_mul(debt_price as u128).ok_or(LendingError::Overflow)?;
    let with_bonus =
        value.checked_mul(BPS as u128 + collateral.liquidation_bonus_bps as u128).ok_or(LendingError::Overflow)?;
    let underlying = to_u64(with_bonus / (collateral_price as u128 * BPS as u128).max(1))?;
    let value = collateral.supply_value()?;
    if value == 0 {
        return Err(LendingError::Overflow);
    }
    to_u64(mul_div_floor(underlying as u128, collateral.share_supply as u128, value as u128)?)
}

/// The repayment that all of `shares` of collateral pays for (the inverse
/// of [`seize_shares`], rounded up: the liquidator pays at least their worth).
pub fn repay_for_shares(shares: u64, debt_price: u64, collateral: &Reserve, collateral_price: u64) -> R<u64> {
    let underlying = collateral.amount_for_shares(shares)?;
    let value = (underlying as u128).checked_mul(collateral_price as u128).ok_or(LendingError::Overflow)?;
    let per_unit = (debt_price as u128)
        .checked_mul(BPS as u128 + collateral.liquidation_bonus_bps as u128)
        .ok_or(LendingError::Overflow)?;
    to_u64(mul_div_ceil(value, BPS as u128, per_unit)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reserve() -> Reserve {
        Reserve {
            collateral_factor_bps: 7_500,
            liquidation_bonus_bps: 500,
            reserve_factor_bps: 1_000,
            base_rate_per_slot: 1_000_000,
            slope_per_slot: 100_000_000,
            borrow_index: SCALE,
            ..Reserve::default()
        }
    }

    #[test]
    fn shares_and_redemption() {
        let mut r = reserve();
        assert_eq!(r.shares_for_deposit(1_000), Ok(1_000), "first deposit is 1:1");
        r.cash = 1_000;
        r.share_supply = 1_000;
        // Interest makes each share worth more: 1000 shares for 1100 tokens.
        r.cash = 1_100;
        assert_eq!(r.shares_for_deposit(110), Ok(100));
        assert_eq!(r.shares_for_deposit(109), Ok(99), "rounds down");
        assert_eq!(r.amount_for_shares(3), Ok(3), "3.3 rounds down");
        assert_eq!(r.amount_for_shares(1_001), Err(LendingError::Overflow));
    }

    #[test]
    fn debt_rounds_up_and_repay_clears_exactly() {
        let mut r = reserve();
        r.borrow_index = SCALE + SCALE / 3; // 1.333…
        let scaled = r.scaled_for_borrow(100).unwrap();
        assert_eq!(scaled, 76, "100 / 1.333… = 75.00…01 rounds up");
        assert_eq!(r.debt_of(scaled), Ok(102), "76 · 1.333… = 101.3 rounds up");
        let debt = r.debt_of(scaled).unwrap();
        assert_eq!(r.scaled_for_repay(debt, scaled), Ok(scaled));
        assert_eq!(r.scaled_for_repay(debt + 50, scaled), Ok(scaled));
        assert_eq!(r.scaled_for_repay(1, scaled), Ok(0), "a unit pays less than one scaled unit");
        assert_eq!(r.scaled_for_repay(50, scaled), Ok(37));
    }

    #[test]
    fn accrual_grows_debt_and_reserves() {
        let mut r = reserve();
        r.cash = 500_000;
        r.borrowed_scaled = 500_000; // debt 500k, utilization 50%
        r.share_supply = 1_000_000;
        let value_before = r.supply_value().unwrap();
        r.accrue(1_000).unwrap();
        // rate = 1e6 + 1e8·0.5 = 5.1e7 per slot → growth 5.1e7·1000/1e12 = 5.1%.
        assert_eq!(r.borrow_index, SCALE + SCALE * 51 / 1000);
        assert_eq!(r.total_debt(), Ok(525_500));
        assert_eq!(r.protocol_reserves, 2_550);
        assert_eq!(r.supply_value(), Ok(value_before + 25_500 - 2_550));
        assert_eq!(r.last_update_slot, 1_000);
        let again = r;
        r.accrue(1_000).unwrap();
        assert_eq!(r, again, "accruing twice at one slot changes nothing");
    }

    #[test]
    fn health_and_seizure() {
        let mut r = reserve();
        r.cash = 1_000;
        r.share_supply = 1_000;
        let position = Position { collateral_shares: 1_000, borrowed_scaled: 0, ..Position::default() };
        let mut h = Health::default();
        h.add(&position, &r, 2 * SCALE).unwrap();
        assert_eq!(h.borrow_limit, 1_500);
        assert!(h.is_healthy());
        h.borrowed = 1_501;
        assert!(!h.is_healthy());
        // Repay 100 at price 1 → 105 of value → 52 tokens at price 2 → 52 shares.
        assert_eq!(seize_shares(100, SCALE, &r, 2 * SCALE), Ok(52));
        // And back: 52 shares are worth 104, which pays for ceil(104 / 1.05) = 100.
        assert_eq!(repay_for_shares(52, SCALE, &r, 2 * SCALE), Ok(100));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Depositing then redeeming never returns more than was deposited,
        /// and borrowing then repaying the debt clears at least the borrowed amount.
        #[test]
        fn round_trips_favour_the_protocol(
            cash in 0u64..1 << 40, scaled in 0u64..1 << 40, supply in 1u64..1 << 40,
            index_extra in 0u64..SCALE, amount in 1u64..1 << 40,
        ) {
            let r = Reserve { cash, borrowed_scaled: scaled, share_supply: supply, borrow_index: SCALE + index_extra, ..reserve() };
            if let Ok(shares) = r.shares_for_deposit(amount) {
                let after = Reserve { cash: cash + amount, share_supply: supply + shares, ..r };
                prop_assert!(after.amount_for_shares(shares).unwrap() <= amount);
            }
            let add = r.scaled_for_borrow(amount).unwrap();
            prop_assert!(r.debt_of(add).unwrap() >= amount);
            let owed = r.debt_of(add).unwrap();
            prop_assert_eq!(r.scaled_for_repay(owed, add).unwrap(), add);
            prop_assert!(r.scaled_for_repay(amount, add).unwrap() <= add);
        }
    }
}
