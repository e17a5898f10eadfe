//! The pool's arithmetic, as pure functions over `u64` amounts with `u128`
//! intermediates (a product of two `u64`s always fits). Every rounding
//! favours the pool: amounts paid out round down, amounts taken in and fees
//! round up. Each function returns the error a caller should see, never
//! panics, and never wraps.

use crate::error::AmmError;
use crate::state::MINIMUM_LIQUIDITY;

/// Basis points in one whole.
pub const BPS: u64 = 10_000;

/// `floor(a · b / c)`, or `Overflow` if `c` is zero or the result exceeds `u64`.
#[inline]
pub fn mul_div_floor(a: u64, b: u64, c: u64) -> Result<u64, AmmError> {
    if c == 0 {
        return Err(AmmError::Overflow);
    }
    u64::try_from(a as u128 * b as u128 / c as u128).map_err(|_| AmmError::Overflow)
}

/// `ceil(a · b / c)`, or `Overflow` if `c` is zero or the result exceeds `u64`.
#[inline]
pub fn mul_div_ceil(a: u64, b: u64, c: u64) -> Result<u64, AmmError> {
    if c == 0 {
        return Err(AmmError::Overflow);
    }
    let product = a as u128 * b as u128;
    u64::try_from(product.div_ceil(c as u128)).map_err(|_| AmmError::Overflow)
}

/// The largest `x` with `x² ≤ n`.
pub fn isqrt(n: u128) -> u64 {
    if n < 2 {
        return n as u64;
    }
    // Newton's iteration from an over-estimate decreases monotonically to the root.
    let bits = 128 - n.leading_zeros();
    let mut x: u128 = 1 << bits.div_ceil(2);
    loop {
        let next = (x + n / x) / 2;
        if next >= x {
            return x as u64;
        }
        x = next;
    }
}

/// What a swap of exact input pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwapQuote {
    /// The part of the input kept as the fee (it stays in the pool).
    pub fee: u64,
    /// Tokens paid out.
    pub amount_out: u64,
    /// The input reserve afterwards (the whole input joins it).
    pub new_reserve_in: u64,
    /// The output reserve afterwards.
    pub new_reserve_out: u64,
}

/// Quote selling `amount_in` into reserves `(reserve_in, reserve_out)` at `fee_bps`.
#[inline]
pub fn swap(amount_in: u64, reserve_in: u64, reserve_out: u64, fee_bps: u16) -> Result<SwapQuote, AmmError> {
    if amount_in == 0 {
        return Err(AmmError::ZeroAmount);
    }
    if reserve_in == 0 || reserve_out == 0 {
        return Err(AmmError::InsufficientOutput);
    }
    let fee = mul_div_ceil(amount_in, fee_bps as u64, BPS)?;
    let net = amount_in - fee.min(amount_in);
    // out = floor(net · r_out / (r_in + net)) < r_out, so it fits a u64.
    let amount_out = (net as u128 * reserve_out as u128 / (reserve_in as u128 + net as u128)) as u64;
    if amount_out == 0 {
        return Err(AmmError::InsufficientOutput);
    }
    let new_reserve_in = reserve_in.checked_add(amount_in).ok_or(AmmError::Overflow)?;
    Ok(SwapQuote { fee, amount_out, new_reserve_in, new_reserve_out: reserve_out - amount_out })
}

/// What a deposit takes and mints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deposit {
    pub amount_a: u64,
    pub amount_b: u64,
    /// LP tokens minted to the depositor.
    pub lp_minted: u64,
    /// LP supply afterwards (for the first deposit, including the locked minimum).
    pub new_lp_supply: u64,
}

/// Deposit at most `max_a` and `max_b` into a pool with reserves
/// `(reserve_a, reserve_b)` and LP supply `lp_supply`.
pub fn deposit(max_a: u64, max_b: u64, reserve_a: u64, reserve_b: u64, lp_supply: u64) -> Result<Deposit, AmmError> {
    if max_a == 0 || max_b == 0 {
        return Err(AmmError::ZeroAmount);
    }
    if lp_supply == 0 {
        // The first deposit sets the price; MINIMUM_LIQUIDITY is locked forever.
        let liquidity = isqrt(max_a as u128 * max_b as u128);
        if liquidity <= MINIMUM_LIQUIDITY {
            return Err(AmmError::InsufficientInitialLiquidity);
        }
        return Ok(Deposit {
            amount_a: max_a,
            amount_b: max_b,
            lp_minted: liquidity - MINIMUM_LIQUIDITY,
            new_lp_supply: liquidity,
        });
    }
    if reserve_a == 0 || reserve_b == 0 {
        return Err(AmmError::InsufficientOutput);
    }
    // The largest pair at the current price within both maxima, rounded up.
    let (amount_a, amount_b) = match mul_div_ceil(max_a, reserve_b, reserve_a) {
        Ok(b) if b <= max_b => (max_a, b),
        _ => (mul_div_ceil(max_b, reserve_a, reserve_b)?, max_b),
    };
    if amount_a > max_a {
        return Err(AmmError::SlippageExceeded);
    }
    let lp_minted = mul_div_floor(amount_a, lp_supply, reserve_a)?.min(mul_div_floor(amount_b, lp_supply, reserve_b)?);
    if lp_minted == 0 {
        return Err(AmmError::InsufficientLiquidityMinted);
    }
    let new_lp_supply = lp_supply.checked_add(lp_minted).ok_or(AmmError::Overflow)?;
    reserve_a.checked_add(amount_a).ok_or(AmmError::Overflow)?;
    reserve_b.checked_add(amount_b).ok_or(AmmError::Overflow)?;
    Ok(Deposit { amount_a, amount_b, lp_minted, new_lp_supply })
}

/// What burning `lp_amount` pays out: `(amount_a, amount_b)`.
pub fn withdraw(lp_amount: u64, reserve_a: u64, reserve_b: u64, lp_supply: u64) -> Result<(u64, u64), AmmError> {
    if lp_amount == 0 {
        return Err(AmmError::ZeroAmount);
    }
    // The locked minimum can never be burned.
    if lp_amount > lp_supply.saturating_sub(MINIMUM_LIQUIDITY) {
        return Err(AmmError::InsufficientLiquidityBurned);
    }
    let amount_a = mul_div_floor(lp_amount, reserve_a, lp_supply)?;
    let amount_b = mul_div_floor(lp_amount, reserve_b, lp_supply)?;
    if amount_a == 0 || amount_b == 0 {
        return Err(AmmError::InsufficientLiquidityBurned);
    }
    Ok((amount_a, amount_b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn isqrt_exact_and_between() {
        for n in 0u128..2000 {
            let r = isqrt(n) as u128;
            assert!(r * r <= n && (r + 1) * (r + 1) > n, "{n}");
        }
        let max = u64::MAX as u128 * u64::MAX as u128;
        assert_eq!(isqrt(max), u64::MAX);
        assert_eq!(isqrt(max - 1), u64::MAX - 1);
        assert_eq!(isqrt(u128::MAX), u64::MAX);
    }

    #[test]
    fn swap_matches_the_formula() {
        // 0.3% fee: 1000 in, ceil(3) fee, 997 net into 1e6/1e6.
        let q = swap(1000, 1_000_000, 1_000_000, 30).unwrap();
        assert_eq!(q.fee, 3);
        assert_eq!(q.amount_out, 997 * 1_000_000 / (1_000_000 + 997));
        assert_eq!(q.new_reserve_in, 1_001_000);
        // Fee rounds up: 1 token at 0.3% pays a whole-token fee.
        assert_eq!(swap(1, 1_000, 1_000, 30), Err(AmmError::InsufficientOutput));
        assert_eq!(swap(0, 1_000, 1_000, 30), Err(AmmError::ZeroAmount));
        assert_eq!(swap(10, 0, 1_000, 30), Err(AmmError::InsufficientOutput));
        assert_eq!(swap(u64::MAX, u64::MAX, u64::MAX, 0), Err(AmmError::Overflow));
    }

    #[test]
    fn first_deposit_locks_the_minimum() {
        let d = deposit(4_000, 1_000_000, 0, 0, 0).unwrap();
        assert_eq!(
            d,
            Deposit { amount_a: 4_000, amount_b: 1_000_000, lp_minted: 63_245 - 1_000, new_lp_supply: 63_245 }
        );
        assert_eq!(deposit(1_000, 1_000, 0, 0, 0), Err(AmmError::InsufficientInitialLiquidity));
        assert_eq!(deposit(0, 1_000, 0, 0, 0), Err(AmmError::ZeroAmount));
    }

    #[test]
    fn later_deposits_are_proportional_and_round_up() {
        // Price 1 A : 2 B. Offering 10 A / 100 B takes 10 A / 20 B.
        let d = deposit(10, 100, 1_000, 2_000, 1_414).unwrap();
        assert_eq!((d.amount_a, d.amount_b), (10, 20));
        assert_eq!(d.lp_minted, 14);
        // Offering 100 A / 7 B takes ceil(3.5) = 4 A / 7 B.
        let d = deposit(100, 7, 1_000, 2_000, 1_414).unwrap();
        assert_eq!((d.amount_a, d.amount_b), (4, 7));
        assert_eq!(d.lp_minted, 4, "min(4·1414/1000, 7·1414/2000) = min(5, 4)");
        assert_eq!(deposit(1, 1, 1_000_000, 1_000_000, 1_000), Err(AmmError::InsufficientLiquidityMinted));
    }

    #[test]
    fn withdraw_rounds_down_and_keeps_the_lock() {
        assert_eq!(withdraw(500, 1_001, 3_000, 1_500), Ok((333, 1_000)));
        assert_eq!(withdraw(501, 1_001, 3_000, 1_500), Err(AmmError::InsufficientLiquidityBurned));
        assert_eq!(withdraw(1, 10, 10_000, 2_000), Err(AmmError::InsufficientLiquidityBurned));
        assert_eq!(withdraw(0, 10, 10, 2_000), Err(AmmError::ZeroAmount));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// k = x·y never decreases across a swap, and the output never exceeds the reserve.
        #[test]
        fn swap_never_decreases_k(amount in 1u64..u64::MAX / 4, x in 1u64..u64::MAX / 4, y in 1u64..u64::MAX / 4, fee in 0u16..=1000) {
            if let Ok(q) = swap(amount, x, y, fee) {
                prop_assert!(q.amount_out < y);
                prop_assert!(q.new_reserve_in as u128 * q.new_reserve_out as u128 >= x as u128 * y as u128);
                prop_assert!(q.fee <= amount);
            }
        }

        /// Depositing then withdrawing the minted LP never returns more of either token.
        #[test]
        fn deposit_then_withdraw_never_profits(
            max_a in 1u64..1u64 << 40, max_b in 1u64..1u64 << 40,
            x in 1u64..1u64 << 40, y in 1u64..1u64 << 40, extra in 0u64..1u64 << 40,
        ) {
            let supply = isqrt(x as u128 * y as u128) + MINIMUM_LIQUIDITY + extra % 1000;
            if let Ok(d) = deposit(max_a, max_b, x, y, supply) {
                prop_assert!(d.amount_a <= max_a && d.amount_b <= max_b);
                let (ra, rb) = (x + d.amount_a, y + d.amount_b);
                if let Ok((a, b)) = withdraw(d.lp_minted, ra, rb, d.new_lp_supply) {
                    prop_assert!(a <= d.amount_a && b <= d.amount_b);
                    // One LP token is worth no less afterwards: (ra-a)(rb-b)/supply² ≥ x·y/supply².
                    prop_assert!((ra - a) as u128 * (rb - b) as u128 >= x as u128 * y as u128);
                }
            }
        }
    }
}
