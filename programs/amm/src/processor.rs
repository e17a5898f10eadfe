//! The processor: decode one instruction, check every account against the
//! pool's recorded keys, compute with [`crate::math`], write the pool, then
//! move tokens with cross-program calls into the token program.
//!
//! The pool's new amounts are written before the calls (the runtime checks
//! our writes at each call, and a failing call fails the whole instruction,
//! so order does not matter for safety). Tokens flowing *into* the pool move
//! with no signer seeds (the user signed the transaction); tokens flowing
//! *out* move with the pool's seeds. A swap does both in one call (the
//! token program's `Batch`), signed with the pool's seeds, so it first
//! checks that the user signed the transaction: the pool's signature can
//! never authorize the inbound leg. The token program checks the user's
//! side (ownership, signature, balance, matching mints); this program
//! checks the pool's side.

use crate::error::AmmError;
use crate::instruction::AmmInstruction;
use crate::state::{Pack, Pool, LP_DECIMALS, MAX_FEE_BPS};
use crate::token_cpi::{self, PdaCreator, TokenProgram};
use crate::{math, LP_MINT_SEED, POOL_SEED, TOKEN_PROGRAM_ID, VAULT_SEED};
use lanes_sdk::account_info::AccountInfo;
use lanes_sdk::msg;
use lanes_sdk::program::{invoke_signed, set_return_data};
use lanes_sdk::program_error::{ProgramError, ProgramResult};
use lanes_sdk::Pubkey;

/// The program's entry. On failure the reason is logged once.
pub fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let result = match AmmInstruction::unpack(data) {
        Ok(AmmInstruction::Swap { amount_in, min_amount_out }) => {
            process_swap(program_id, accounts, amount_in, min_amount_out)
        }
        Ok(AmmInstruction::AddLiquidity { max_amount_a, max_amount_b, min_lp_out }) => {
            process_add_liquidity(program_id, accounts, max_amount_a, max_amount_b, min_lp_out)
        }
        Ok(AmmInstruction::RemoveLiquidity { lp_amount, min_amount_a, min_amount_b }) => {
            process_remove_liquidity(program_id, accounts, lp_amount, min_amount_a, min_amount_b)
        }
        Ok(AmmInstruction::InitializePool { fee_bps }) => process_initialize_pool(program_id, accounts, fee_bps),
        Err(err) => Err(err),
    };
    if let Err(ProgramError::Custom(code)) = &result {
        if let Some(err) = AmmError::from_code(*code) {
            msg!(err.message());
        }
    }
    result
}

/// The pool's signing seeds (bump included), built from its state.
macro_rules! pool_seeds {
    ($pool:expr, $fee:ident, $bump:ident) => {{
        $fee = $pool.fee_bps.to_le_bytes();
        $bump = [$pool.bump];
        [POOL_SEED, $pool.mint_a.as_ref(), $pool.mint_b.as_ref(), &$fee[..], &$bump[..]]
    }};
}

fn check_token_program(info: &AccountInfo) -> ProgramResult {
    if *info.key != TOKEN_PROGRAM_ID {
        return Err(AmmError::WrongTokenProgram.into());
    }
    Ok(())
}

/// Decode a pool this program owns.
#[inline]
fn load_pool(program_id: &Pubkey, info: &AccountInfo) -> Result<Pool, ProgramError> {
    if info.owner() != *program_id {
        return Err(ProgramError::IncorrectProgramId);
    }
    Pool::unpack(&info.try_borrow_data()?)
}

fn store_amounts(pool: &Pool, info: &AccountInfo) -> ProgramResult {
    pool.pack_amounts(&mut info.try_borrow_mut_data()?)
}

/// `vault_a`, `vault_b` and `lp_mint` must be the pool's own.
fn check_pool_accounts(
    pool: &Pool,
    vault_a: &AccountInfo,
    vault_b: &AccountInfo,
    lp_mint: &AccountInfo,
) -> ProgramResult {
    if *vault_a.key != pool.vault_a || *vault_b.key != pool.vault_b {
        return Err(AmmError::VaultMismatch.into());
    }
    if *lp_mint.key != pool.lp_mint {
        return Err(AmmError::LpMintMismatch.into());
    }
    Ok(())
}

fn process_initialize_pool(program_id: &Pubkey, accounts: &[AccountInfo], fee_bps: u16) -> ProgramResult {
    let [payer, pool_info, mint_a, mint_b, vault_a, vault_b, lp_mint, token_program, system_program, ..] = accounts
    else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    check_token_program(token_program)?;
    if fee_bps > MAX_FEE_BPS {
        return Err(AmmError::InvalidFee.into());
    }
    if mint_a.key.0 >= mint_b.key.0 {
        return Err(AmmError::MintsNotOrdered.into());
    }
    let fee = fee_bps.to_le_bytes();
    let (pool_key, pool_bump) =
        Pubkey::find_program_address(&[POOL_SEED, mint_a.key.as_ref(), mint_b.key.as_ref(), &fee], program_id);
    let (vault_a_key, vault_a_bump) =
        Pubkey::find_program_address(&[VAULT_SEED, pool_key.as_ref(), mint_a.key.as_ref()], program_id);
    let (vault_b_key, vault_b_bump) =
        Pubkey::find_program_address(&[VAULT_SEED, pool_key.as_ref(), mint_b.key.as_ref()], program_id);
    let (lp_key, lp_bump) = Pubkey::find_program_address(&[LP_MINT_SEED, pool_key.as_ref()], program_id);
    for (info, expected) in
        [(pool_info, &pool_key), (vault_a, &vault_a_key), (vault_b, &vault_b_key), (lp_mint, &lp_key)]
    {
        if info.key != expected {
            return Err(AmmError::AddressMismatch.into());
        }
    }

    let creator = PdaCreator { payer, system_program };
    // The pool's state account (fails if the pool already exists).
    creator.create(
        pool_info,
        Pool::LEN as u64,
        program_id,
        &[POOL_SEED, mint_a.key.as_ref(), mint_b.key.as_ref(), &fee, &[pool_bump]],
    )?;
    // The vaults: token accounts of each mint, owned by the pool.
    for (vault, mint, bump) in [(vault_a, mint_a, vault_a_bump), (vault_b, mint_b, vault_b_bump)] {
        creator.create_token_account(
            vault,
            mint,
            pool_info,
            token_program,
            &[VAULT_SEED, pool_key.as_ref(), mint.key.as_ref(), &[bump]],
        )?;
    }
    // The LP mint, with the pool as its only authority.
    creator.create_mint(
        lp_mint,
        &pool_key,
        LP_DECIMALS,
        token_program,
        &[LP_MINT_SEED, pool_key.as_ref(), &[lp_bump]],
    )?;

    let pool = Pool {
        is_initialized: true,
        bump: pool_bump,
        fee_bps,
        mint_a: *mint_a.key,
        mint_b: *mint_b.key,
        vault_a: vault_a_key,
        vault_b: vault_b_key,
        lp_mint: lp_key,
        reserve_a: 0,
        reserve_b: 0,
        lp_supply: 0,
    };
    pool.pack(&mut pool_info.try_borrow_mut_data()?)?;
    msg!("pool {} created", pool_key);
    Ok(())
}

fn process_add_liquidity(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    max_amount_a: u64,
    max_amount_b: u64,
    min_lp_out: u64,
) -> ProgramResult {
    let [pool_info, vault_a, vault_b, lp_mint, user_a, user_b, user_lp, user, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    check_token_program(token_program)?;
    let mut pool = load_pool(program_id, pool_info)?;
    check_pool_accounts(&pool, vault_a, vault_b, lp_mint)?;

    let deposit = math::deposit(max_amount_a, max_amount_b, pool.reserve_a, pool.reserve_b, pool.lp_supply)?;
    if deposit.lp_minted < min_lp_out {
        return Err(AmmError::SlippageExceeded.into());
    }
    pool.reserve_a += deposit.amount_a; // math::deposit checked both sums
    pool.reserve_b += deposit.amount_b;
    pool.lp_supply = deposit.new_lp_supply;
    store_amounts(&pool, pool_info)?;

    TokenProgram(token_program).transfer(user_a, vault_a, user, deposit.amount_a, &[])?;
    TokenProgram(token_program).transfer(user_b, vault_b, user, deposit.amount_b, &[])?;
    let (fee, bump);
    let seeds = pool_seeds!(pool, fee, bump);
    TokenProgram(token_program).mint_to(lp_mint, user_lp, pool_info, deposit.lp_minted, &[&seeds])
}

fn process_remove_liquidity(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    lp_amount: u64,
    min_amount_a: u64,
    min_amount_b: u64,
) -> ProgramResult {
    let [pool_info, vault_a, vault_b, lp_mint, user_a, user_b, user_lp, user, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    check_token_program(token_program)?;
    let mut pool = load_pool(program_id, pool_info)?;
    check_pool_accounts(&pool, vault_a, vault_b, lp_mint)?;

    let (amount_a, amount_b) = math::withdraw(lp_amount, pool.reserve_a, pool.reserve_b, pool.lp_supply)?;
    if amount_a < min_amount_a || amount_b < min_amount_b {
        return Err(AmmError::SlippageExceeded.into());
    }
    pool.reserve_a -= amount_a; // withdraw pays at most lp/supply < 1 of each reserve
    pool.reserve_b -= amount_b;
    pool.lp_supply -= lp_amount;
    store_amounts(&pool, pool_info)?;

    // The user burns their own LP tokens: no signer seeds, the user signed.
    TokenProgram(token_program).burn(user_lp, lp_mint, user, lp_amount, &[])?;
    let (fee, bump);
    let seeds = pool_seeds!(pool, fee, bump);
    TokenProgram(token_program).transfer(vault_a, user_a, pool_info, amount_a, &[&seeds])?;
    TokenProgram(token_program).transfer(vault_b, user_b, pool_info, amount_b, &[&seeds])
}

fn process_swap(program_id: &Pubkey, accounts: &[AccountInfo], amount_in: u64, min_amount_out: u64) -> ProgramResult {
    let [pool_info, vault_in, vault_out, user_source, user_destination, user, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    check_token_program(token_program)?;
    let mut pool = load_pool(program_id, pool_info)?;
    let a_to_b = if *vault_in.key == pool.vault_a && *vault_out.key == pool.vault_b {
        true
    } else if *vault_in.key == pool.vault_b && *vault_out.key == pool.vault_a {
        false
    } else {
        return Err(AmmError::VaultMismatch.into());
    };

    let (reserve_in, reserve_out) =
        if a_to_b { (pool.reserve_a, pool.reserve_b) } else { (pool.reserve_b, pool.reserve_a) };
    let quote = math::swap(amount_in, reserve_in, reserve_out, pool.fee_bps)?;
    if quote.amount_out < min_amount_out {
        return Err(AmmError::SlippageExceeded.into());
    }
    if a_to_b {
        (pool.reserve_a, pool.reserve_b) = (quote.new_reserve_in, quote.new_reserve_out);
    } else {
        (pool.reserve_b, pool.reserve_a) = (quote.new_reserve_in, quote.new_reserve_out);
    }
    store_amounts(&pool, pool_info)?;

    // Both moves in one call to the token program: in (the user's transfer)
    // then out (the pool signs for its vault). The call carries the pool's
    // signature, so the first transfer must not be able to use it: its
    // authority signed this transaction, which a PDA never can.
    if !user.is_signer || user.key == pool_info.key {
        return Err(ProgramError::MissingRequiredSignature);
    }
    let (fee, bump);
    let seeds = pool_seeds!(pool, fee, bump);
    invoke_signed(
        &token_cpi::transfer_pair(
            [user_source.key, vault_in.key, user.key],
            amount_in,
            [vault_out.key, user_destination.key, pool_info.key],
            quote.amount_out,
        ),
        &[
            user_source.clone(),
            vault_in.clone(),
            user.clone(),
            vault_out.clone(),
            user_destination.clone(),
            pool_info.clone(),
            token_program.clone(),
        ],
        &[&seeds],
    )?;
    set_return_data(&quote.amount_out.to_le_bytes());
    Ok(())
}
