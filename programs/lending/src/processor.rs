//! The processor: decode one instruction, check every account (owner, kind,
//! market, the keys the reserve records), accrue interest, compute with
//! [`crate::math`], write state, then move tokens through the token program.
//!
//! Tokens flowing *into* the protocol move with no signer seeds (the user
//! signed the transaction); tokens flowing *out* move with the reserve's
//! seeds. State is written before the calls; a failing call fails
//! the whole instruction, so nothing half-done is ever committed.

use crate::error::LendingError;
use crate::instruction::{LendingInstruction, ReserveConfig};
use crate::math::{self, Health, BPS, CLOSE_FACTOR_BPS, SCALE};
use crate::state::{is_uninitialized, Market, Obligation, Pack, PriceFeed, Reserve};
use crate::token_cpi::{PdaCreator, TokenProgram, MINT_LEN};
use crate::{
    COLLATERAL_SEED, OBLIGATION_SEED, PRICE_SEED, RESERVE_SEED, SHARE_MINT_SEED, TOKEN_PROGRAM_ID, VAULT_SEED,
};
use lanes_sdk::account_info::AccountInfo;
use lanes_sdk::msg;
use lanes_sdk::program_error::{ProgramError, ProgramResult};
use lanes_sdk::Pubkey;

/// The program's entry. On failure the reason is logged once.
pub fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    use LendingInstruction::*;
    let result = match LendingInstruction::unpack(data) {
        Ok(Deposit { amount }) => process_deposit(program_id, accounts, amount),
        Ok(Withdraw { shares }) => process_withdraw(program_id, accounts, shares),
        Ok(Borrow { amount }) => process_borrow(program_id, accounts, amount),
        Ok(Repay { amount }) => process_repay(program_id, accounts, amount),
        Ok(DepositCollateral { shares }) => process_deposit_collateral(program_id, accounts, shares),
        Ok(WithdrawCollateral { shares }) => process_withdraw_collateral(program_id, accounts, shares),
        Ok(Liquidate { amount }) => process_liquidate(program_id, accounts, amount),
        Ok(SetPrice { price }) => process_set_price(program_id, accounts, price),
        Ok(InitObligation) => process_init_obligation(program_id, accounts),
        Ok(InitReserve { config }) => process_init_reserve(program_id, accounts, config),
        Ok(InitMarket { oracle }) => process_init_market(program_id, accounts, oracle),
        Err(err) => Err(err),
    };
    if let Err(ProgramError::Custom(code)) = &result {
        if let Some(err) = LendingError::from_code(*code) {
            msg!(err.message());
        }
    }
    result
}

/// The slot the transaction runs at.
fn current_slot() -> Result<u64, ProgramError> {
    #[cfg(target_arch = "wasm32")]
    {
        Ok(lanes_sdk::clock::Clock::get()?.slot)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Err(ProgramError::UnsupportedSysvar)
    }
}

/// A reserve's signing seeds (bump included), built from its state.
macro_rules! reserve_seeds {
    ($reserve:expr, $bump:ident) => {{
        $bump = [$reserve.bump];
        [RESERVE_SEED, $reserve.market.as_ref(), $reserve.mint.as_ref(), &$bump[..]]
    }};
}

fn check_token_program(info: &AccountInfo) -> ProgramResult {
    if *info.key != TOKEN_PROGRAM_ID {
        return Err(LendingError::WrongTokenProgram.into());
    }
    Ok(())
}

/// Decode an initialized account of kind `T` that this program owns.
#[inline]
fn load<T: Pack>(program_id: &Pubkey, info: &AccountInfo) -> Result<T, ProgramError> {
    if info.owner() != *program_id {
        return Err(ProgramError::IncorrectProgramId);
    }
    T::unpack(&info.try_borrow_data()?)
}

#[inline]
fn store<T: Pack>(value: &T, info: &AccountInfo) -> ProgramResult {
    value.pack(&mut info.try_borrow_mut_data()?)
}

/// `info` must be the account `expected` names.
#[inline]
fn expect_key(info: &AccountInfo, expected: &Pubkey) -> ProgramResult {
    if info.key != expected {
        return Err(LendingError::AccountMismatch.into());
    }
    Ok(())
}

/// The price in `reserve`'s own price feed.
fn load_price(program_id: &Pubkey, reserve: &Reserve, info: &AccountInfo) -> Result<u64, ProgramError> {
    expect_key(info, &reserve.price_feed)?;
    Ok(load::<PriceFeed>(program_id, info)?.price)
}

/// The obligation, which `owner` must own and have signed for.
fn load_owned_obligation(
    program_id: &Pubkey,
    info: &AccountInfo,
    owner: &AccountInfo,
) -> Result<Obligation, ProgramError> {
    let obligation: Obligation = load(program_id, info)?;
    if *owner.key != obligation.owner {
        return Err(LendingError::WrongAuthority.into());
    }
    if !owner.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    Ok(obligation)
}

/// The obligation's health. `fixed` holds the reserves (accrued to `slot`)
/// and prices the instruction already has; every other active position
/// takes the next (reserve, price feed) pair from `rest`.
fn health(
    program_id: &Pubkey,
    obligation: &Obligation,
    fixed: &[(&Pubkey, &Reserve, u64)],
    rest: &[AccountInfo],
    slot: u64,
) -> Result<Health, ProgramError> {
    let mut health = Health::default();
    let mut rest = rest.iter();
    for position in obligation.active() {
        if let Some((_, reserve, price)) = fixed.iter().find(|(key, _, _)| **key == position.reserve) {
            health.add(position, reserve, *price)?;
            continue;
        }
        let (Some(reserve_info), Some(price_info)) = (rest.next(), rest.next()) else {
            return Err(ProgramError::NotEnoughAccountKeys);
        };
        // Positions are opened only for reserves of the obligation's market,
        // and a reserve lives at one address: matching the key is enough.
        if *reserve_info.key != position.reserve {
            return Err(LendingError::PositionAccountMismatch.into());
        }
        let reserve: Reserve = load(program_id, reserve_info)?;
        let price = load_price(program_id, &reserve, price_info)?;
        health.add(position, &reserve.accrued(slot)?, price)?;
    }
    Ok(health)
}

/// Find the PDA of `seeds` and check `info` is it; returns the bump.
fn expect_pda(program_id: &Pubkey, info: &AccountInfo, seeds: &[&[u8]]) -> Result<u8, ProgramError> {
    let (key, bump) = Pubkey::find_program_address(seeds, program_id);
    if *info.key != key {
        return Err(LendingError::AddressMismatch.into());
    }
    Ok(bump)
}

fn process_init_market(program_id: &Pubkey, accounts: &[AccountInfo], oracle: Pubkey) -> ProgramResult {
    let [market_info, admin, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    if market_info.owner() != *program_id {
        return Err(ProgramError::IncorrectProgramId);
    }
    if !is_uninitialized::<Market>(&market_info.try_borrow_data()?) {
        return Err(LendingError::AlreadyInitialized.into());
    }
    if !admin.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    store(&Market { admin: *admin.key, oracle }, market_info)
}

fn validate(config: &ReserveConfig) -> ProgramResult {
    let cf = config.collateral_factor_bps as u64;
    let bonus = config.liquidation_bonus_bps as u64;
    let ok = config.collateral_factor_bps <= math::MAX_COLLATERAL_FACTOR_BPS
        && config.liquidation_bonus_bps <= math::MAX_LIQUIDATION_BONUS_BPS
        // Seizing collateral worth (1 + bonus) per unit repaid must leave the
        // obligation no less healthy.
        && cf * (BPS + bonus) < BPS * BPS
        && config.reserve_factor_bps as u64 <= BPS
        && config.base_rate_per_slot.checked_add(config.slope_per_slot).is_some_and(|r| r <= math::MAX_RATE_PER_SLOT)
        && config.initial_price > 0;
    if !ok {
        return Err(LendingError::InvalidParameter.into());
    }
    Ok(())
}

fn process_init_reserve(program_id: &Pubkey, accounts: &[AccountInfo], config: ReserveConfig) -> ProgramResult {
    let [payer, market_info, admin, reserve_info, mint, vault, share_mint, collateral_vault, price_feed, token_program, system_program, ..] =
        accounts
    else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    check_token_program(token_program)?;
    let market: Market = load(program_id, market_info)?;
    if *admin.key != market.admin {
        return Err(LendingError::WrongAuthority.into());
    }
    if !admin.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    validate(&config)?;
    // The share mint copies the token's decimals (byte 8 of a mint).
    let decimals = {
        if mint.owner() != TOKEN_PROGRAM_ID {
            return Err(ProgramError::IncorrectProgramId);
        }
        let data = mint.try_borrow_data()?;
        match (data.len() == MINT_LEN as usize, data.get(8), data.get(9)) {
            (true, Some(decimals), Some(1)) => *decimals,
            _ => return Err(ProgramError::InvalidAccountData),
        }
    };

    let reserve_bump =
        expect_pda(program_id, reserve_info, &[RESERVE_SEED, market_info.key.as_ref(), mint.key.as_ref()])?;
    let reserve_key = *reserve_info.key;
    let mut bumps = [0u8; 4];
    for (i, (info, seed)) in [
        (vault, VAULT_SEED),
        (share_mint, SHARE_MINT_SEED),
        (collateral_vault, COLLATERAL_SEED),
        (price_feed, PRICE_SEED),
    ]
    .into_iter()
    .enumerate()
    {
        bumps[i] = expect_pda(program_id, info, &[seed, reserve_key.as_ref()])?;
    }

    let creator = PdaCreator { payer, system_program };
    creator.create(
        reserve_info,
        Reserve::LEN as u64,
        program_id,
        &[RESERVE_SEED, market_info.key.as_ref(), mint.key.as_ref(), &[reserve_bump]],
    )?;
    // The cash vault: a token account of the mint, owned by the reserve.
    creator.create_token_account(
        vault,
        mint,
        reserve_info,
        token_program,
        &[VAULT_SEED, reserve_key.as_ref(), &[bumps[0]]],
    )?;
    // The share mint, with the reserve as its only authority.
    creator.create_mint(
        share_mint,
        &reserve_key,
        decimals,
        token_program,
        &[SHARE_MINT_SEED, reserve_key.as_ref(), &[bumps[1]]],
    )?;
    // The collateral vault: a token account of the share mint, owned by the reserve.
    creator.create_token_account(
        collateral_vault,
        share_mint,
        reserve_info,
        token_program,
        &[COLLATERAL_SEED, reserve_key.as_ref(), &[bumps[2]]],
    )?;
    creator.create(price_feed, PriceFeed::LEN as u64, program_id, &[PRICE_SEED, reserve_key.as_ref(), &[bumps[3]]])?;

    let slot = current_slot()?;
    let reserve = Reserve {
        bump: reserve_bump,
        collateral_factor_bps: config.collateral_factor_bps,
        liquidation_bonus_bps: config.liquidation_bonus_bps,
        reserve_factor_bps: config.reserve_factor_bps,
        market: *market_info.key,
        mint: *mint.key,
        vault: *vault.key,
        share_mint: *share_mint.key,
        collateral_vault: *collateral_vault.key,
        price_feed: *price_feed.key,
        base_rate_per_slot: config.base_rate_per_slot,
        slope_per_slot: config.slope_per_slot,
        last_update_slot: slot,
        borrow_index: SCALE,
        cash: 0,
        borrowed_scaled: 0,
        protocol_reserves: 0,
        share_supply: 0,
    };
    store(&reserve, reserve_info)?;
    store(&PriceFeed { reserve: reserve_key, price: config.initial_price, last_update_slot: slot }, price_feed)
}

fn process_set_price(program_id: &Pubkey, accounts: &[AccountInfo], price: u64) -> ProgramResult {
    let [market_info, reserve_info, feed_info, oracle, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let market: Market = load(program_id, market_info)?;
    if *oracle.key != market.oracle {
        return Err(LendingError::WrongAuthority.into());
    }
    if !oracle.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    let reserve: Reserve = load(program_id, reserve_info)?;
    if reserve.market != *market_info.key {
        return Err(LendingError::WrongMarket.into());
    }
    expect_key(feed_info, &reserve.price_feed)?;
    let mut feed: PriceFeed = load(program_id, feed_info)?;
    if price == 0 {
        return Err(LendingError::InvalidParameter.into());
    }
    feed.price = price;
    feed.last_update_slot = current_slot()?;
    store(&feed, feed_info)
}

fn process_init_obligation(program_id: &Pubkey, accounts: &[AccountInfo]) -> ProgramResult {
    let [payer, market_info, owner, obligation_info, system_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let _: Market = load(program_id, market_info)?;
    if !owner.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    let seeds: [&[u8]; 3] = [OBLIGATION_SEED, market_info.key.as_ref(), owner.key.as_ref()];
    let bump = expect_pda(program_id, obligation_info, &seeds)?;
    PdaCreator { payer, system_program }.create(
        obligation_info,
        Obligation::LEN as u64,
        program_id,
        &[seeds[0], seeds[1], seeds[2], &[bump]],
    )?;
    store(&Obligation { bump, market: *market_info.key, owner: *owner.key, ..Obligation::default() }, obligation_info)
}

fn process_deposit(program_id: &Pubkey, accounts: &[AccountInfo], amount: u64) -> ProgramResult {
    let [reserve_info, vault, share_mint, user_token, user_shares, user, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    check_token_program(token_program)?;
    let mut reserve: Reserve = load(program_id, reserve_info)?;
    expect_key(vault, &reserve.vault)?;
    expect_key(share_mint, &reserve.share_mint)?;
    if amount == 0 {
        return Err(LendingError::ZeroAmount.into());
    }
    reserve.accrue(current_slot()?)?;
    let shares = reserve.shares_for_deposit(amount)?;
    if shares == 0 {
        return Err(LendingError::ZeroAmount.into());
    }
    reserve.cash = reserve.cash.checked_add(amount).ok_or(LendingError::Overflow)?;
    reserve.share_supply = reserve.share_supply.checked_add(shares).ok_or(LendingError::Overflow)?;
    store(&reserve, reserve_info)?;

    TokenProgram(token_program).transfer(user_token, vault, user, amount, &[])?;
    let bump;
    let seeds = reserve_seeds!(reserve, bump);
    TokenProgram(token_program).mint_to(share_mint, user_shares, reserve_info, shares, &[&seeds])
}

fn process_withdraw(program_id: &Pubkey, accounts: &[AccountInfo], shares: u64) -> ProgramResult {
    let [reserve_info, vault, share_mint, user_token, user_shares, user, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    check_token_program(token_program)?;
    let mut reserve: Reserve = load(program_id, reserve_info)?;
    expect_key(vault, &reserve.vault)?;
    expect_key(share_mint, &reserve.share_mint)?;
    if shares == 0 {
        return Err(LendingError::ZeroAmount.into());
    }
    reserve.accrue(current_slot()?)?;
    let amount = reserve.amount_for_shares(shares)?;
    if amount == 0 {
        return Err(LendingError::ZeroAmount.into());
    }
    if amount > reserve.cash {
        return Err(LendingError::InsufficientLiquidity.into());
    }
    reserve.cash -= amount;
    reserve.share_supply -= shares; // amount_for_shares refused shares > supply
    store(&reserve, reserve_info)?;

    TokenProgram(token_program).burn(user_shares, share_mint, user, shares, &[])?;
    let bump;
    let seeds = reserve_seeds!(reserve, bump);
    TokenProgram(token_program).transfer(vault, user_token, reserve_info, amount, &[&seeds])
}

fn process_deposit_collateral(program_id: &Pubkey, accounts: &[AccountInfo], shares: u64) -> ProgramResult {
    let [reserve_info, collateral_vault, obligation_info, owner_shares, owner, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    check_token_program(token_program)?;
    let reserve: Reserve = load(program_id, reserve_info)?;
    expect_key(collateral_vault, &reserve.collateral_vault)?;
    let mut obligation = load_owned_obligation(program_id, obligation_info, owner)?;
    if obligation.market != reserve.market {
        return Err(LendingError::WrongMarket.into());
    }
    if shares == 0 {
        return Err(LendingError::ZeroAmount.into());
    }
    let i = obligation.find_or_open(reserve_info.key)?;
    let position = &mut obligation.positions[i];
    position.collateral_shares = position.collateral_shares.checked_add(shares).ok_or(LendingError::Overflow)?;
    store(&obligation, obligation_info)?;

    TokenProgram(token_program).transfer(owner_shares, collateral_vault, owner, shares, &[])
}

fn process_withdraw_collateral(program_id: &Pubkey, accounts: &[AccountInfo], shares: u64) -> ProgramResult {
    let [reserve_info, collateral_vault, obligation_info, price_info, owner_shares, owner, token_program, rest @ ..] =
        accounts
    else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    check_token_program(token_program)?;
    let reserve: Reserve = load(program_id, reserve_info)?;
    expect_key(collateral_vault, &reserve.collateral_vault)?;
    let price = load_price(program_id, &reserve, price_info)?;
    let mut obligation = load_owned_obligation(program_id, obligation_info, owner)?;
    if shares == 0 {
        return Err(LendingError::ZeroAmount.into());
    }
    let i = obligation.find(reserve_info.key).ok_or(LendingError::NoPosition)?;
    let position = &mut obligation.positions[i];
    position.collateral_shares =
        position.collateral_shares.checked_sub(shares).ok_or(LendingError::InsufficientCollateral)?;
    obligation.tidy();

    let slot = current_slot()?;
    let view = reserve.accrued(slot)?;
    if !health(program_id, &obligation, &[(reserve_info.key, &view, price)], rest, slot)?.is_healthy() {
        return Err(LendingError::BorrowLimitExceeded.into());
    }
    store(&obligation, obligation_info)?;

    let bump;
    let seeds = reserve_seeds!(reserve, bump);
    TokenProgram(token_program).transfer(collateral_vault, owner_shares, reserve_info, shares, &[&seeds])
}

fn process_borrow(program_id: &Pubkey, accounts: &[AccountInfo], amount: u64) -> ProgramResult {
    let [reserve_info, vault, obligation_info, price_info, owner_token, owner, token_program, rest @ ..] = accounts
    else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    check_token_program(token_program)?;
    let mut reserve: Reserve = load(program_id, reserve_info)?;
    expect_key(vault, &reserve.vault)?;
    let price = load_price(program_id, &reserve, price_info)?;
    let mut obligation = load_owned_obligation(program_id, obligation_info, owner)?;
    if obligation.market != reserve.market {
        return Err(LendingError::WrongMarket.into());
    }
    if amount == 0 {
        return Err(LendingError::ZeroAmount.into());
    }
    let slot = current_slot()?;
    reserve.accrue(slot)?;
    if amount > reserve.cash {
        return Err(LendingError::InsufficientLiquidity.into());
    }
    let scaled = reserve.scaled_for_borrow(amount)?;
    let i = obligation.find_or_open(reserve_info.key)?;
    let position = &mut obligation.positions[i];
    position.borrowed_scaled = position.borrowed_scaled.checked_add(scaled).ok_or(LendingError::Overflow)?;
    reserve.borrowed_scaled = reserve.borrowed_scaled.checked_add(scaled).ok_or(LendingError::Overflow)?;
    reserve.cash -= amount;
    if !health(program_id, &obligation, &[(reserve_info.key, &reserve, price)], rest, slot)?.is_healthy() {
        return Err(LendingError::BorrowLimitExceeded.into());
    }
    store(&reserve, reserve_info)?;
    store(&obligation, obligation_info)?;

    let bump;
    let seeds = reserve_seeds!(reserve, bump);
    TokenProgram(token_program).transfer(vault, owner_token, reserve_info, amount, &[&seeds])
}

/// Clear up to `amount` of the debt at position `i` in `reserve` (accrued);
/// returns what is paid (at most the debt).
fn apply_repay(reserve: &mut Reserve, obligation: &mut Obligation, i: usize, amount: u64) -> Result<u64, LendingError> {
    let position = &mut obligation.positions[i];
    let pay = amount.min(reserve.debt_of(position.borrowed_scaled)?);
    if pay == 0 {
        return Err(LendingError::ZeroAmount);
    }
    let cleared = reserve.scaled_for_repay(pay, position.borrowed_scaled)?;
    position.borrowed_scaled -= cleared; // scaled_for_repay never exceeds the position
    reserve.borrowed_scaled = reserve.borrowed_scaled.checked_sub(cleared).ok_or(LendingError::Overflow)?;
    reserve.cash = reserve.cash.checked_add(pay).ok_or(LendingError::Overflow)?;
    Ok(pay)
}

fn process_repay(program_id: &Pubkey, accounts: &[AccountInfo], amount: u64) -> ProgramResult {
    let [reserve_info, vault, obligation_info, payer_token, payer, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    check_token_program(token_program)?;
    let mut reserve: Reserve = load(program_id, reserve_info)?;
    expect_key(vault, &reserve.vault)?;
    let mut obligation: Obligation = load(program_id, obligation_info)?;
    if amount == 0 {
        return Err(LendingError::ZeroAmount.into());
    }
    reserve.accrue(current_slot()?)?;
    let i = obligation
        .find(reserve_info.key)
        .filter(|i| obligation.positions[*i].borrowed_scaled > 0)
        .ok_or(LendingError::NoPosition)?;
    let pay = apply_repay(&mut reserve, &mut obligation, i, amount)?;
    obligation.tidy();
    store(&reserve, reserve_info)?;
    store(&obligation, obligation_info)?;

    TokenProgram(token_program).transfer(payer_token, vault, payer, pay, &[])
}

fn process_liquidate(program_id: &Pubkey, accounts: &[AccountInfo], amount: u64) -> ProgramResult {
    let [debt_info, debt_vault, debt_price_info, collateral_info, collateral_vault, collateral_price_info, obligation_info, liquidator_token, liquidator_shares, liquidator, token_program, rest @ ..] =
        accounts
    else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    check_token_program(token_program)?;
    let mut debt_reserve: Reserve = load(program_id, debt_info)?;
    expect_key(debt_vault, &debt_reserve.vault)?;
    let debt_price = load_price(program_id, &debt_reserve, debt_price_info)?;
    let same = debt_info.key == collateral_info.key;
    let collateral_reserve: Reserve = if same { debt_reserve } else { load(program_id, collateral_info)? };
    expect_key(collateral_vault, &collateral_reserve.collateral_vault)?;
    let collateral_price = load_price(program_id, &collateral_reserve, collateral_price_info)?;
    let mut obligation: Obligation = load(program_id, obligation_info)?;
    if obligation.market != debt_reserve.market || obligation.market != collateral_reserve.market {
        return Err(LendingError::WrongMarket.into());
    }
    if amount == 0 {
        return Err(LendingError::ZeroAmount.into());
    }

    let slot = current_slot()?;
    debt_reserve.accrue(slot)?;
    let collateral_view = if same { debt_reserve } else { collateral_reserve.accrued(slot)? };
    let fixed = [(debt_info.key, &debt_reserve, debt_price), (collateral_info.key, &collateral_view, collateral_price)];
    if health(program_id, &obligation, &fixed, rest, slot)?.is_healthy() {
        return Err(LendingError::ObligationHealthy.into());
    }

    let d = obligation
        .find(debt_info.key)
        .filter(|i| obligation.positions[*i].borrowed_scaled > 0)
        .ok_or(LendingError::NoPosition)?;
    let c = obligation
        .find(collateral_info.key)
        .filter(|i| obligation.positions[*i].collateral_shares > 0)
        .ok_or(LendingError::NoPosition)?;
    let debt = debt_reserve.debt_of(obligation.positions[d].borrowed_scaled)?;
    let max_repay = math::mul_div_ceil(debt as u128, CLOSE_FACTOR_BPS as u128, BPS as u128)? as u64;
    let mut repay = amount.min(max_repay);
    let mut seized = math::seize_shares(repay, debt_price, &collateral_view, collateral_price)?;
    let pledged = obligation.positions[c].collateral_shares;
    if seized > pledged {
        // Not enough collateral left for this repayment (the position is
        // under water): repay only what all of it pays for.
        repay = math::repay_for_shares(pledged, debt_price, &collateral_view, collateral_price)?.min(repay);
        seized = math::seize_shares(repay, debt_price, &collateral_view, collateral_price)?.min(pledged);
    }
    if seized == 0 || repay == 0 {
        return Err(LendingError::ZeroAmount.into());
    }
    let paid = apply_repay(&mut debt_reserve, &mut obligation, d, repay)?;
    obligation.positions[c].collateral_shares -= seized;
    obligation.tidy();
    store(&debt_reserve, debt_info)?;
    store(&obligation, obligation_info)?;

    TokenProgram(token_program).transfer(liquidator_token, debt_vault, liquidator, paid, &[])?;
    let bump;
    let seeds = reserve_seeds!(collateral_reserve, bump);
    TokenProgram(token_program).transfer(collateral_vault, liquidator_shares, collateral_info, seized, &[&seeds])
}
