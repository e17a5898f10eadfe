//! [`LendingInstruction`]: the instruction set (borsh: a one-byte variant
//! index, then the fields, little-endian), and one builder per instruction
//! laying out its accounts in the order the processor reads them.
//!
//! Instructions that check an obligation's health (`WithdrawCollateral`,
//! `Borrow`, `Liquidate`) take, after their fixed accounts, one
//! `(reserve, price feed)` pair for every other active position of the
//! obligation, in the obligation's order; [`position_accounts`] lists them.

use crate::state::Obligation;
use crate::{find_reserve_account, ReserveAddresses, PRICE_SEED, TOKEN_PROGRAM_ID};
use alloc::vec;
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use lanes_sdk::pack::Reader;
use lanes_sdk::program_error::ProgramError;
use lanes_sdk::{system_program, AccountMeta, Instruction, Pubkey};

/// A new reserve's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ReserveConfig {
    /// At most [`crate::math::MAX_COLLATERAL_FACTOR_BPS`].
    pub collateral_factor_bps: u16,
    /// At most [`crate::math::MAX_LIQUIDATION_BONUS_BPS`], and with the
    /// collateral factor `cf · (1 + bonus) < 1`.
    pub liquidation_bonus_bps: u16,
    /// At most 10 000.
    pub reserve_factor_bps: u16,
    /// Scaled by [`crate::math::SCALE`]; base + slope at most [`crate::math::MAX_RATE_PER_SLOT`].
    pub base_rate_per_slot: u64,
    pub slope_per_slot: u64,
    /// The price feed's first price (non-zero).
    pub initial_price: u64,
}

/// Every instruction. Accounts are writable (w), read-only (r), signer (s).
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum LendingInstruction {
    /// Initialize a market account (created, owned by this program, with
    /// `Market::LEN` ([`crate::state::Pack::LEN`]) zero bytes, in the same transaction).
    ///
    /// Accounts: 0. `[w]` market, 1. `[r, s]` admin.
    InitMarket { oracle: Pubkey },
    /// Create the reserve of a mint and its vault, share mint, collateral
    /// vault and price feed (all PDAs), signed by the market's admin.
    ///
    /// Accounts: 0. `[w, s]` payer, 1. `[r]` market, 2. `[r, s]` admin,
    /// 3. `[w]` reserve, 4. `[r]` mint, 5. `[w]` vault, 6. `[w]` share mint,
    /// 7. `[w]` collateral vault, 8. `[w]` price feed, 9. `[r]` token program,
    /// 10. `[r]` system program.
    InitReserve { config: ReserveConfig },
    /// Set a reserve's price, signed by the market's oracle authority.
    ///
    /// Accounts: 0. `[r]` market, 1. `[r]` reserve, 2. `[w]` price feed, 3. `[r, s]` oracle.
    SetPrice { price: u64 },
    /// Create the owner's obligation in a market.
    ///
    /// Accounts: 0. `[w, s]` payer, 1. `[r]` market, 2. `[r, s]` owner,
    /// 3. `[w]` obligation, 4. `[r]` system program.
    InitObligation,
    /// Supply tokens, receive shares.
    ///
    /// Accounts: 0. `[w]` reserve, 1. `[w]` vault, 2. `[w]` share mint,
    /// 3. `[w]` user's token account, 4. `[w]` user's share account,
    /// 5. `[r, s]` user, 6. `[r]` token program.
    Deposit { amount: u64 },
    /// Burn shares, receive tokens. Accounts: as [`LendingInstruction::Deposit`].
    Withdraw { shares: u64 },
    /// Pledge shares as collateral.
    ///
    /// Accounts: 0. `[r]` reserve, 1. `[w]` collateral vault, 2. `[w]` obligation,
    /// 3. `[w]` owner's share account, 4. `[r, s]` owner, 5. `[r]` token program.
    DepositCollateral { shares: u64 },
    /// Take back pledged shares, if the obligation stays healthy.
    ///
    /// Accounts: 0. `[r]` reserve, 1. `[w]` collateral vault, 2. `[w]` obligation,
    /// 3. `[r]` price feed, 4. `[w]` owner's share account, 5. `[r, s]` owner,
    /// 6. `[r]` token program, then the other positions' pairs.
    WithdrawCollateral { shares: u64 },
    /// Borrow tokens, if the obligation stays healthy.
    ///
    /// Accounts: 0. `[w]` reserve, 1. `[w]` vault, 2. `[w]` obligation,
    /// 3. `[r]` price feed, 4. `[w]` owner's token account, 5. `[r, s]` owner,
    /// 6. `[r]` token program, then the other positions' pairs.
    Borrow { amount: u64 },
    /// Repay up to `amount` of the obligation's debt in this reserve (anyone
    /// may repay; the payment is capped at the debt).
    ///
    /// Accounts: 0. `[w]` reserve, 1. `[w]` vault, 2. `[w]` obligation,
    /// 3. `[w]` payer's token account, 4. `[r, s]` payer, 5. `[r]` token program.
    Repay { amount: u64 },
    /// Repay up to `amount` (at most half) of an unhealthy obligation's
    /// debt, and receive its collateral shares worth that plus the bonus.
    ///
    /// Accounts: 0. `[w]` debt reserve, 1. `[w]` debt vault, 2. `[r]` debt
    /// price feed, 3. `[r]` collateral reserve, 4. `[w]` collateral vault,
    /// 5. `[r]` collateral price feed, 6. `[w]` obligation, 7. `[w]`
    /// liquidator's token account (debt mint), 8. `[w]` liquidator's share
    /// account (collateral share mint), 9. `[r, s]` liquidator, 10. `[r]`
    /// token program, then the other positions' pairs.
    Liquidate { amount: u64 },
}

impl LendingInstruction {
    /// Decode instruction data: `InvalidInstructionData` for anything but
    /// one complete encoding (hand-written; tested against borsh).
    pub fn unpack(data: &[u8]) -> Result<Self, ProgramError> {
        Self::decode(&mut Reader::new(data)).map_err(|_| ProgramError::InvalidInstructionData)
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, ProgramError> {
        use LendingInstruction::*;
        let ix = match r.u8()? {
            0 => InitMarket { oracle: r.pubkey()? },
            1 => InitReserve {
                config: ReserveConfig {
                    collateral_factor_bps: r.u16()?,
                    liquidation_bonus_bps: r.u16()?,
                    reserve_factor_bps: r.u16()?,
                    base_rate_per_slot: r.u64()?,
                    slope_per_slot: r.u64()?,
                    initial_price: r.u64()?,
                },
            },
            2 => SetPrice { price: r.u64()? },
            3 => InitObligation,
            4 => Deposit { amount: r.u64()? },
            5 => Withdraw { shares: r.u64()? },
            6 => DepositCollateral { shares: r.u64()? },
            7 => WithdrawCollateral { shares: r.u64()? },
            8 => Borrow { amount: r.u64()? },
            9 => Repay { amount: r.u64()? },
            10 => Liquidate { amount: r.u64()? },
            _ => return Err(ProgramError::InvalidInstructionData),
        };
        // One complete encoding: nothing may follow it.
        if !r.is_empty() {
            return Err(ProgramError::InvalidInstructionData);
        }
        Ok(ix)
    }

    /// Encode as instruction data.
    pub fn pack(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_default()
    }
}

fn ix(program_id: &Pubkey, accounts: Vec<AccountMeta>, data: LendingInstruction) -> Instruction {
    Instruction { program_id: *program_id, accounts, data: data.pack() }
}

fn w(key: &Pubkey) -> AccountMeta {
    AccountMeta::new(*key, false)
}

fn r(key: &Pubkey) -> AccountMeta {
    AccountMeta::new_readonly(*key, false)
}

fn s(key: &Pubkey) -> AccountMeta {
    AccountMeta::new_readonly(*key, true)
}

fn with_pairs(mut accounts: Vec<AccountMeta>, pairs: &[(Pubkey, Pubkey)]) -> Vec<AccountMeta> {
    for (reserve, price) in pairs {
        accounts.push(r(reserve));
        accounts.push(r(price));
    }
    accounts
}

/// The `(reserve, price feed)` pairs of `obligation`'s active positions
/// other than those in `except`, in order: the trailing accounts of
/// `WithdrawCollateral`, `Borrow` and `Liquidate`.
pub fn position_accounts(program_id: &Pubkey, obligation: &Obligation, except: &[Pubkey]) -> Vec<(Pubkey, Pubkey)> {
    obligation
        .active()
        .filter(|p| !except.contains(&p.reserve))
        .map(|p| (p.reserve, find_reserve_account(program_id, &p.reserve, PRICE_SEED).0))
        .collect()
}

/// [`LendingInstruction::InitMarket`].
pub fn init_market(program_id: &Pubkey, market: &Pubkey, admin: &Pubkey, oracle: &Pubkey) -> Instruction {
    ix(program_id, vec![w(market), s(admin)], LendingInstruction::InitMarket { oracle: *oracle })
}

/// [`LendingInstruction::InitReserve`] for the reserve `addresses` describes.
pub fn init_reserve(
    program_id: &Pubkey,
    payer: &Pubkey,
    admin: &Pubkey,
    addresses: &ReserveAddresses,
    config: ReserveConfig,
) -> Instruction {
    let a = addresses;
    ix(
        program_id,
        vec![
            AccountMeta::new(*payer, true),
            r(&a.market),
            s(admin),
            w(&a.reserve),
            r(&a.mint),
            w(&a.vault),
            w(&a.share_mint),
            w(&a.collateral_vault),
            w(&a.price_feed),
            r(&TOKEN_PROGRAM_ID),
            r(&system_program::ID),
        ],
        LendingInstruction::InitReserve { config },
    )
}

/// [`LendingInstruction::SetPrice`].
pub fn set_price(program_id: &Pubkey, addresses: &ReserveAddresses, oracle: &Pubkey, price: u64) -> Instruction {
    ix(
        program_id,
        vec![r(&addresses.market), r(&addresses.reserve), w(&addresses.price_feed), s(oracle)],
        LendingInstruction::SetPrice { price },
    )
}

/// [`LendingInstruction::InitObligation`] for `owner` in `market`.
pub fn init_obligation(program_id: &Pubkey, payer: &Pubkey, market: &Pubkey, owner: &Pubkey) -> Instruction {
    let obligation = crate::find_obligation_address(program_id, market, owner).0;
    ix(
        program_id,
        vec![AccountMeta::new(*payer, true), r(market), s(owner), w(&obligation), r(&system_program::ID)],
        LendingInstruction::InitObligation,
    )
}

fn supply_accounts(a: &ReserveAddresses, user_token: &Pubkey, user_shares: &Pubkey, user: &Pubkey) -> Vec<AccountMeta> {
    vec![w(&a.reserve), w(&a.vault), w(&a.share_mint), w(user_token), w(user_shares), s(user), r(&TOKEN_PROGRAM_ID)]
}

/// [`LendingInstruction::Deposit`].
pub fn deposit(
    program_id: &Pubkey,
    a: &ReserveAddresses,
    user_token: &Pubkey,
    user_shares: &Pubkey,
    user: &Pubkey,
    amount: u64,
) -> Instruction {
    ix(program_id, supply_accounts(a, user_token, user_shares, user), LendingInstruction::Deposit { amount })
}

/// [`LendingInstruction::Withdraw`].
pub fn withdraw(
    program_id: &Pubkey,
    a: &ReserveAddresses,
    user_token: &Pubkey,
    user_shares: &Pubkey,
    user: &Pubkey,
    shares: u64,
) -> Instruction {
    ix(program_id, supply_accounts(a, user_token, user_shares, user), LendingInstruction::Withdraw { shares })
}

/// [`LendingInstruction::DepositCollateral`].
pub fn deposit_collateral(
    program_id: &Pubkey,
    a: &ReserveAddresses,
    obligation: &Pubkey,
    owner_shares: &Pubkey,
    owner: &Pubkey,
    shares: u64,
) -> Instruction {
    ix(
        program_id,
        vec![r(&a.reserve), w(&a.collateral_vault), w(obligation), w(owner_shares), s(owner), r(&TOKEN_PROGRAM_ID)],
        LendingInstruction::DepositCollateral { shares },
    )
}

/// [`LendingInstruction::WithdrawCollateral`]; `others` from [`position_accounts`].
#[allow(clippy::too_many_arguments)]
pub fn withdraw_collateral(
    program_id: &Pubkey,
    a: &ReserveAddresses,
    obligation: &Pubkey,
    owner_shares: &Pubkey,
    owner: &Pubkey,
    shares: u64,
    others: &[(Pubkey, Pubkey)],
) -> Instruction {
    let accounts = vec![
        r(&a.reserve),
        w(&a.collateral_vault),
        w(obligation),
        r(&a.price_feed),
        w(owner_shares),
        s(owner),
        r(&TOKEN_PROGRAM_ID),
    ];
    ix(program_id, with_pairs(accounts, others), LendingInstruction::WithdrawCollateral { shares })
}

/// [`LendingInstruction::Borrow`]; `others` from [`position_accounts`].
#[allow(clippy::too_many_arguments)]
pub fn borrow(
    program_id: &Pubkey,
    a: &ReserveAddresses,
    obligation: &Pubkey,
    owner_token: &Pubkey,
    owner: &Pubkey,
    amount: u64,
    others: &[(Pubkey, Pubkey)],
) -> Instruction {
    let accounts = vec![
        w(&a.reserve),
        w(&a.vault),
        w(obligation),
        r(&a.price_feed),
        w(owner_token),
        s(owner),
        r(&TOKEN_PROGRAM_ID),
    ];
    ix(program_id, with_pairs(accounts, others), LendingInstruction::Borrow { amount })
}

/// [`LendingInstruction::Repay`].
pub fn repay(
    program_id: &Pubkey,
    a: &ReserveAddresses,
    obligation: &Pubkey,
    payer_token: &Pubkey,
    payer: &Pubkey,
    amount: u64,
) -> Instruction {
    ix(
        program_id,
        vec![w(&a.reserve), w(&a.vault), w(obligation), w(payer_token), s(payer), r(&TOKEN_PROGRAM_ID)],
        LendingInstruction::Repay { amount },
    )
}

/// [`LendingInstruction::Liquidate`]; `others` from [`position_accounts`]
/// (excluding both reserves).
#[allow(clippy::too_many_arguments)]
pub fn liquidate(
    program_id: &Pubkey,
    debt: &ReserveAddresses,
    collateral: &ReserveAddresses,
    obligation: &Pubkey,
    liquidator_token: &Pubkey,
    liquidator_shares: &Pubkey,
    liquidator: &Pubkey,
    amount: u64,
    others: &[(Pubkey, Pubkey)],
) -> Instruction {
    let accounts = vec![
        w(&debt.reserve),
        w(&debt.vault),
        r(&debt.price_feed),
        r(&collateral.reserve),
        w(&collateral.collateral_vault),
        r(&collateral.price_feed),
        w(obligation),
        w(liquidator_token),
        w(liquidator_shares),
        s(liquidator),
        r(&TOKEN_PROGRAM_ID),
    ];
    ix(program_id, with_pairs(accounts, others), LendingInstruction::Liquidate { amount })
}

#[cfg(test)]
mod tests {
    use super::*;
    use LendingInstruction::*;

    fn every() -> Vec<LendingInstruction> {
        vec![
            InitMarket { oracle: Pubkey::new_unique_from_u64(1) },
            InitReserve {
                config: ReserveConfig {
                    collateral_factor_bps: 1,
                    liquidation_bonus_bps: 2,
                    reserve_factor_bps: 3,
                    base_rate_per_slot: 4,
                    slope_per_slot: 5,
                    initial_price: 6,
                },
            },
            SetPrice { price: 7 },
            InitObligation,
            Deposit { amount: 8 },
            Withdraw { shares: 9 },
            DepositCollateral { shares: 10 },
            WithdrawCollateral { shares: 11 },
            Borrow { amount: 12 },
            Repay { amount: u64::MAX },
            Liquidate { amount: 13 },
        ]
    }

    /// The hand-written decoder accepts exactly what borsh accepts.
    #[test]
    fn decoder_agrees_with_borsh() {
        let agree = |data: &[u8]| {
            assert_eq!(
                LendingInstruction::unpack(data).ok(),
                LendingInstruction::try_from_slice(data).ok(),
                "{data:?}"
            );
        };
        agree(&[]);
        agree(&[11]);
        agree(&[3, 0]);
        for ix in every() {
            let data = ix.pack();
            assert_eq!(LendingInstruction::unpack(&data), Ok(ix));
            for cut in 0..data.len() {
                agree(&data[..cut]);
            }
            let mut longer = data.clone();
            longer.push(1);
            agree(&longer);
            for tag in [0u8, 3, 10, 11, 255] {
                let mut changed = data.clone();
                changed[0] = tag;
                agree(&changed);
            }
        }
    }
}
