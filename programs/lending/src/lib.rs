//! # lanes-lending
//!
//! A lending market in the spirit of Compound, written against `lanes-sdk`
//! and moving every token through cross-program calls into the token program
//! (`lanes-token`). The crate is **the contract** (entry
//! [`process_instruction`]) and **a host library**: state ([`state`]), one
//! builder per instruction ([`instruction`]), the math ([`math`]), error
//! codes ([`error`]) and the PDA helpers below.
//!
//! ## What it owns
//! * A **market** ([`state::Market`], a keypair account): its admin (who adds
//!   reserves) and its oracle authority (who sets prices). Everything below
//!   belongs to exactly one market, and health only ever counts reserves of
//!   the obligation's own market.
//! * A **reserve** per token and market at `["reserve", market, mint]`
//!   ([`state::Reserve`]): the interest model, collateral factor,
//!   liquidation bonus and reserve factor, and the books (cash, scaled
//!   borrows, borrow index, protocol reserves, share supply). The reserve is
//!   the token-level authority of, and creates:
//!   * its **vault** `["vault", reserve]`: the cash, a token account of the mint;
//!   * its **share mint** `["shares", reserve]`: suppliers' claims (cTokens);
//!   * its **collateral vault** `["collateral", reserve]`: shares pledged as
//!     collateral, a token account of the share mint;
//!   * its **price feed** `["price", reserve]` ([`state::PriceFeed`]), which
//!     only the market's oracle authority sets.
//! * An **obligation** per user and market at `["obligation", market, owner]`
//!   ([`state::Obligation`]): up to [`state::MAX_POSITIONS`] positions, each
//!   the shares pledged and the scaled debt in one reserve.
//!
//! ## Math ([`math`], fixed point with [`math::SCALE`] = 10¹²)
//! * Shares: `exchange rate = (cash + total debt − protocol reserves) / shares`;
//!   deposits mint `floor(amount · S / V)` shares, withdrawals pay
//!   `floor(shares · V / S)`. Cash is *recorded*, never read from the vault,
//!   so donating tokens to a vault cannot move the exchange rate.
//! * Interest: per slot, `rate = base + slope · utilization`; accrual
//!   multiplies the borrow index by `1 + rate · slots` (rounded up); a debt
//!   is stored *scaled* (`debt = scaled · index / SCALE`), so every borrower's
//!   debt grows without touching their obligation; the reserve factor's share
//!   of the interest becomes protocol reserves.
//! * Health: `Σ collateral value · collateral factor ≥ Σ debt value`, values
//!   `amount · price / SCALE`, collateral rounded down and debt up.
//! * Liquidation of an unhealthy obligation: repay at most half a debt,
//!   seize collateral worth `repaid · (1 + bonus)`; when less collateral is
//!   left than that (the position is under water), seize all of it and
//!   repay only what it pays for (rounded up).
//!
//! ## Invariants
//! * Cash plus total debt equals the suppliers' claim plus protocol reserves;
//!   each rounding (debt up, shares and payouts down) favours the protocol,
//!   so the sum of every supplier's redeemable amount never exceeds what the
//!   reserve holds and is owed.
//! * An obligation is healthy after every borrow and every collateral
//!   withdrawal, or the instruction fails; a healthy obligation cannot be
//!   liquidated. Shares in a wallet are not collateral (only shares pledged
//!   into the collateral vault are), so redeeming them (`Withdraw`) cannot
//!   weaken any obligation and needs no health check.
//! * Each vault holds at least the recorded cash; the collateral vault holds
//!   at least the sum of pledged shares.
//!
//! ## What it must never do
//! Trust an account it did not check (owner, kind, the market it belongs to,
//! the keys a reserve records for its vault, mints and price feed); count a
//! reserve of another market toward health; sign with a reserve's seeds for
//! a transfer *into* the protocol; panic on any input, or let arithmetic
//! wrap. Price feeds are trusted as the oracle authority sets them (no
//! staleness bound).

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

pub mod error;
pub mod instruction;
pub mod math;
pub mod processor;
pub mod state;
use lanes_token_cpi as token_cpi;

pub use processor::process_instruction;

use lanes_sdk::Pubkey;

lanes_sdk::declare_id!("LanesLending1111111111111111111111111111111");

lanes_sdk::entrypoint!(process_instruction);

/// The token program every vault and share mint belongs to (declared once,
/// in `lanes-token-cpi`).
pub use lanes_token_cpi::TOKEN_PROGRAM_ID;

pub const RESERVE_SEED: &[u8] = b"reserve";
pub const VAULT_SEED: &[u8] = b"vault";
pub const SHARE_MINT_SEED: &[u8] = b"shares";
pub const COLLATERAL_SEED: &[u8] = b"collateral";
pub const PRICE_SEED: &[u8] = b"price";
pub const OBLIGATION_SEED: &[u8] = b"obligation";

/// The reserve of `mint` in `market`.
pub fn find_reserve_address(program_id: &Pubkey, market: &Pubkey, mint: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[RESERVE_SEED, market.as_ref(), mint.as_ref()], program_id)
}

/// The obligation of `owner` in `market`.
pub fn find_obligation_address(program_id: &Pubkey, market: &Pubkey, owner: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[OBLIGATION_SEED, market.as_ref(), owner.as_ref()], program_id)
}

/// One of a reserve's own accounts: `seed` is [`VAULT_SEED`],
/// [`SHARE_MINT_SEED`], [`COLLATERAL_SEED`] or [`PRICE_SEED`].
pub fn find_reserve_account(program_id: &Pubkey, reserve: &Pubkey, seed: &[u8]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[seed, reserve.as_ref()], program_id)
}

/// Every address of one reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReserveAddresses {
    pub market: Pubkey,
    pub mint: Pubkey,
    pub reserve: Pubkey,
    pub vault: Pubkey,
    pub share_mint: Pubkey,
    pub collateral_vault: Pubkey,
    pub price_feed: Pubkey,
}

impl ReserveAddresses {
    /// Derive the addresses of the reserve of `mint` in `market`.
    pub fn derive(program_id: &Pubkey, market: &Pubkey, mint: &Pubkey) -> Self {
        let reserve = find_reserve_address(program_id, market, mint).0;
        let sub = |seed| find_reserve_account(program_id, &reserve, seed).0;
        ReserveAddresses {
            market: *market,
            mint: *mint,
            reserve,
            vault: sub(VAULT_SEED),
            share_mint: sub(SHARE_MINT_SEED),
            collateral_vault: sub(COLLATERAL_SEED),
            price_feed: sub(PRICE_SEED),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_addresses_are_distinct() {
        let market = Pubkey::new_unique_from_u64(1);
        let a = ReserveAddresses::derive(&ID, &market, &Pubkey::new_unique_from_u64(2));
        let b = ReserveAddresses::derive(&ID, &Pubkey::new_unique_from_u64(3), &Pubkey::new_unique_from_u64(2));
        assert_ne!(a.reserve, b.reserve, "the market is part of a reserve's identity");
        let all = [a.reserve, a.vault, a.share_mint, a.collateral_vault, a.price_feed];
        for (i, x) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|y| y != x));
        }
    }
}
