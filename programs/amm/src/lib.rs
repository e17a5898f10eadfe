//! # lanes-amm
//!
//! A constant-product automated market maker in the spirit of Uniswap v2,
//! written against `lanes-sdk` and moving every token through cross-program
//! calls into the token program (`lanes-token`). Like the token program, the
//! crate is two things: **the contract** (built for `wasm32-unknown-unknown`,
//! entry [`process_instruction`]) and **a host library** for clients and
//! tests (state in [`state`], one builder per instruction in
//! [`instruction`], PDA helpers below, error codes in [`error`]).
//!
//! ## What it owns
//! One **pool** per (mint A, mint B, fee) triple, with `mint_a < mint_b`
//! bytewise, at the PDA `["pool", mint_a, mint_b, fee_bps as u16 LE]`
//! ([`find_pool_address`]). The pool account ([`state::Pool`]) records the
//! two mints, the vaults, the LP mint, the reserves and the LP supply. The
//! pool creates, and is the token-level authority of:
//! * two **vaults**, token accounts at `["vault", pool, mint]`
//!   ([`find_vault_address`]) holding the reserves;
//! * the **LP mint** at `["lp_mint", pool]` ([`find_lp_mint_address`]),
//!   whose tokens are claims on the reserves.
//!
//! The pool signs for its vaults and its LP mint with `invoke_signed` and its
//! own seeds (kept in its state, so nothing is searched on the hot path).
//!
//! ## Math ([`math`])
//! * Swap (exact input): `fee = ceil(amount_in · fee_bps / 10⁴)`,
//!   `out = floor((amount_in − fee) · r_out / (r_in + amount_in − fee))`;
//!   the whole `amount_in` (fee included) joins the input reserve.
//! * First deposit sets the price: `L = isqrt(a · b)`, of which
//!   [`state::MINIMUM_LIQUIDITY`] is locked forever (counted in the pool's LP
//!   supply, minted to no one), and the depositor receives `L − 1000`.
//! * Later deposits are proportional: the program takes the largest pair of
//!   amounts within the caller's maxima at the current price (rounding the
//!   amounts it takes *up*) and mints `min(a·S/r_a, b·S/r_b)` (rounded
//!   *down*).
//! * Withdrawal of `l` LP tokens pays `floor(l·r_a/S)` and `floor(l·r_b/S)`.
//!
//! ## Invariants
//! * Rounding always favours the pool: `r_a · r_b` never decreases across a
//!   swap, and `r_a · r_b / S²` (the value of one LP token) never decreases
//!   across any instruction.
//! * The vaults hold at least the recorded reserves (exactly, unless someone
//!   donates tokens to a vault; donations are ignored, never priced in, and
//!   there is no `skim` or `sync` to collect them).
//! * The LP mint's supply plus [`state::MINIMUM_LIQUIDITY`] equals the
//!   recorded LP supply once the pool has liquidity.
//! * A swap's output is at least the caller's `min_amount_out` or nothing
//!   happens.
//!
//! ## What it must never do
//! Trust an account it did not check: the pool must be owned by this
//! program, the vaults and LP mint must be the pool's own (compared with the
//! keys its state records), the token program must be [`TOKEN_PROGRAM_ID`].
//! Let the pool's seeds authorize a transfer *into* the pool: deposits
//! move the user's tokens with no signer seeds, and a swap, whose one
//! batched token call carries the pool's signature for its outbound leg,
//! first requires that the user signed the transaction and is not the pool
//! (a PDA never signs one). Panic on any input, allocate beyond the CPI
//! instruction a swap builds, or let arithmetic wrap.

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

lanes_sdk::declare_id!("LanesAmm11111111111111111111111111111111111");

lanes_sdk::entrypoint!(process_instruction);

/// The token program every pool's vaults and LP mint belong to (declared once,
/// in `lanes-token-cpi`).
pub use lanes_token_cpi::TOKEN_PROGRAM_ID;

/// Seed prefix of a pool's address.
pub const POOL_SEED: &[u8] = b"pool";
/// Seed prefix of a vault's address.
pub const VAULT_SEED: &[u8] = b"vault";
/// Seed prefix of an LP mint's address.
pub const LP_MINT_SEED: &[u8] = b"lp_mint";

/// The pool of `mint_a < mint_b` with `fee_bps`, under `program_id`.
pub fn find_pool_address(program_id: &Pubkey, mint_a: &Pubkey, mint_b: &Pubkey, fee_bps: u16) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[POOL_SEED, mint_a.as_ref(), mint_b.as_ref(), &fee_bps.to_le_bytes()], program_id)
}

/// The vault of `pool` holding `mint`.
pub fn find_vault_address(program_id: &Pubkey, pool: &Pubkey, mint: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[VAULT_SEED, pool.as_ref(), mint.as_ref()], program_id)
}

/// The LP mint of `pool`.
pub fn find_lp_mint_address(program_id: &Pubkey, pool: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[LP_MINT_SEED, pool.as_ref()], program_id)
}

/// Every address of the pool of two mints (in either order) and a fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolAddresses {
    pub pool: Pubkey,
    /// The smaller of the two mints.
    pub mint_a: Pubkey,
    /// The larger of the two mints.
    pub mint_b: Pubkey,
    pub vault_a: Pubkey,
    pub vault_b: Pubkey,
    pub lp_mint: Pubkey,
    pub fee_bps: u16,
}

impl PoolAddresses {
    /// Derive every address of the pool for `mint_x` and `mint_y` (any order).
    pub fn derive(program_id: &Pubkey, mint_x: &Pubkey, mint_y: &Pubkey, fee_bps: u16) -> Self {
        let (mint_a, mint_b) = if mint_x.0 <= mint_y.0 { (*mint_x, *mint_y) } else { (*mint_y, *mint_x) };
        let (pool, _) = find_pool_address(program_id, &mint_a, &mint_b, fee_bps);
        PoolAddresses {
            pool,
            mint_a,
            mint_b,
            vault_a: find_vault_address(program_id, &pool, &mint_a).0,
            vault_b: find_vault_address(program_id, &pool, &mint_b).0,
            lp_mint: find_lp_mint_address(program_id, &pool).0,
            fee_bps,
        }
    }

    /// (vault in, vault out) for a swap that sells `mint_in`.
    pub fn vaults_for(&self, mint_in: &Pubkey) -> (Pubkey, Pubkey) {
        if *mint_in == self.mint_a {
            (self.vault_a, self.vault_b)
        } else {
            (self.vault_b, self.vault_a)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_addresses_are_order_independent() {
        let x = Pubkey::new_unique_from_u64(9);
        let y = Pubkey::new_unique_from_u64(3);
        let one = PoolAddresses::derive(&ID, &x, &y, 30);
        assert_eq!(one, PoolAddresses::derive(&ID, &y, &x, 30));
        assert!(one.mint_a.0 < one.mint_b.0);
        assert_ne!(one.pool, PoolAddresses::derive(&ID, &x, &y, 5).pool, "the fee is part of the pool's identity");
        assert_eq!(one.vaults_for(&one.mint_b), (one.vault_b, one.vault_a));
    }
}
