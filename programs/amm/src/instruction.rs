//! [`AmmInstruction`]: the AMM's instruction set (borsh: a one-byte variant
//! index, then the fields, little-endian), and one builder per instruction
//! laying out its accounts in the order the processor reads them.
//!
//! Builders take the program id explicitly, so the same code drives the
//! bundled program ([`crate::ID`]) or a copy deployed elsewhere. Decoding
//! ([`AmmInstruction::unpack`]) accepts exactly one complete borsh encoding
//! and never panics.

use crate::{PoolAddresses, TOKEN_PROGRAM_ID};
use alloc::vec;
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use lanes_sdk::pack::Reader;
use lanes_sdk::program_error::ProgramError;
use lanes_sdk::{system_program, AccountMeta, Instruction, Pubkey};

/// Every instruction the AMM accepts. Accounts are writable (w), read-only
/// (r), signer (s).
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum AmmInstruction {
    /// Create the pool of `mint_a < mint_b` at `fee_bps`: its state account,
    /// its two vaults and its LP mint, all at PDAs (see the crate docs),
    /// funded by `payer`.
    ///
    /// Accounts: 0. `[w, s]` payer, 1. `[w]` pool, 2. `[r]` mint A,
    /// 3. `[r]` mint B, 4. `[w]` vault A, 5. `[w]` vault B, 6. `[w]` LP mint,
    /// 7. `[r]` token program, 8. `[r]` system program.
    InitializePool {
        /// Swap fee in basis points, at most [`crate::state::MAX_FEE_BPS`].
        fee_bps: u16,
    },
    /// Deposit both tokens at the pool's price (or, first, at any price)
    /// and receive LP tokens.
    ///
    /// Accounts: 0. `[w]` pool, 1. `[w]` vault A, 2. `[w]` vault B,
    /// 3. `[w]` LP mint, 4. `[w]` user's A account, 5. `[w]` user's B
    /// account, 6. `[w]` user's LP account, 7. `[r, s]` user, 8. `[r]` token program.
    AddLiquidity {
        /// Most A to take.
        max_amount_a: u64,
        /// Most B to take.
        max_amount_b: u64,
        /// Fewest LP tokens to accept.
        min_lp_out: u64,
    },
    /// Burn LP tokens for a proportional share of both reserves.
    ///
    /// Accounts: as [`AmmInstruction::AddLiquidity`].
    RemoveLiquidity {
        /// LP tokens to burn.
        lp_amount: u64,
        /// Fewest A to accept.
        min_amount_a: u64,
        /// Fewest B to accept.
        min_amount_b: u64,
    },
    /// Sell exactly `amount_in` of the vault-in side's mint for at least
    /// `min_amount_out` of the other. Sets return data: the amount out
    /// (`u64` LE).
    ///
    /// Accounts: 0. `[w]` pool, 1. `[w]` vault in, 2. `[w]` vault out,
    /// 3. `[w]` user's source account, 4. `[w]` user's destination account,
    /// 5. `[r, s]` user, 6. `[r]` token program.
    Swap {
        /// Tokens sold.
        amount_in: u64,
        /// Fewest tokens to accept.
        min_amount_out: u64,
    },
}

impl AmmInstruction {
    /// Decode instruction data: `InvalidInstructionData` for anything but
    /// one complete encoding. Hand-written (it runs on every swap); the
    /// unit tests check it accepts exactly what borsh accepts.
    pub fn unpack(data: &[u8]) -> Result<Self, ProgramError> {
        Self::decode(&mut Reader::new(data)).map_err(|_| ProgramError::InvalidInstructionData)
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, ProgramError> {
        let instruction = match r.u8()? {
            0 => AmmInstruction::InitializePool { fee_bps: r.u16()? },
            1 => AmmInstruction::AddLiquidity { max_amount_a: r.u64()?, max_amount_b: r.u64()?, min_lp_out: r.u64()? },
            2 => {
                AmmInstruction::RemoveLiquidity { lp_amount: r.u64()?, min_amount_a: r.u64()?, min_amount_b: r.u64()? }
            }
            3 => AmmInstruction::Swap { amount_in: r.u64()?, min_amount_out: r.u64()? },
            _ => return Err(ProgramError::InvalidInstructionData),
        };
        // One complete encoding: nothing may follow it.
        if !r.is_empty() {
            return Err(ProgramError::InvalidInstructionData);
        }
        Ok(instruction)
    }

    /// Encode as instruction data.
    pub fn pack(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_default()
    }
}

/// [`AmmInstruction::InitializePool`] for the pool `addresses` describes.
pub fn initialize_pool(program_id: &Pubkey, payer: &Pubkey, addresses: &PoolAddresses) -> Instruction {
    Instruction {
        program_id: *program_id,
        accounts: vec![
            AccountMeta::new(*payer, true),
            AccountMeta::new(addresses.pool, false),
            AccountMeta::new_readonly(addresses.mint_a, false),
            AccountMeta::new_readonly(addresses.mint_b, false),
            AccountMeta::new(addresses.vault_a, false),
            AccountMeta::new(addresses.vault_b, false),
            AccountMeta::new(addresses.lp_mint, false),
            AccountMeta::new_readonly(TOKEN_PROGRAM_ID, false),
            AccountMeta::new_readonly(system_program::ID, false),
        ],
        data: AmmInstruction::InitializePool { fee_bps: addresses.fee_bps }.pack(),
    }
}

/// The user's side of a deposit or withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiquidityAccounts {
    /// The user's token account of mint A.
    pub user_a: Pubkey,
    /// The user's token account of mint B.
    pub user_b: Pubkey,
    /// The user's token account of the LP mint.
    pub user_lp: Pubkey,
    /// Owner of the three accounts (signs).
    pub user: Pubkey,
}

fn liquidity_accounts(addresses: &PoolAddresses, user: &LiquidityAccounts) -> Vec<AccountMeta> {
    vec![
        AccountMeta::new(addresses.pool, false),
        AccountMeta::new(addresses.vault_a, false),
        AccountMeta::new(addresses.vault_b, false),
        AccountMeta::new(addresses.lp_mint, false),
        AccountMeta::new(user.user_a, false),
        AccountMeta::new(user.user_b, false),
        AccountMeta::new(user.user_lp, false),
        AccountMeta::new_readonly(user.user, true),
        AccountMeta::new_readonly(TOKEN_PROGRAM_ID, false),
    ]
}

/// [`AmmInstruction::AddLiquidity`].
pub fn add_liquidity(
    program_id: &Pubkey,
    addresses: &PoolAddresses,
    user: &LiquidityAccounts,
    max_amount_a: u64,
    max_amount_b: u64,
    min_lp_out: u64,
) -> Instruction {
    Instruction {
        program_id: *program_id,
        accounts: liquidity_accounts(addresses, user),
        data: AmmInstruction::AddLiquidity { max_amount_a, max_amount_b, min_lp_out }.pack(),
    }
}

/// [`AmmInstruction::RemoveLiquidity`].
pub fn remove_liquidity(
    program_id: &Pubkey,
    addresses: &PoolAddresses,
    user: &LiquidityAccounts,
    lp_amount: u64,
    min_amount_a: u64,
    min_amount_b: u64,
) -> Instruction {
    Instruction {
        program_id: *program_id,
        accounts: liquidity_accounts(addresses, user),
        data: AmmInstruction::RemoveLiquidity { lp_amount, min_amount_a, min_amount_b }.pack(),
    }
}

/// [`AmmInstruction::Swap`] with every account given.
#[allow(clippy::too_many_arguments)]
pub fn swap(
    program_id: &Pubkey,
    pool: &Pubkey,
    vault_in: &Pubkey,
    vault_out: &Pubkey,
    user_source: &Pubkey,
    user_destination: &Pubkey,
    user: &Pubkey,
    amount_in: u64,
    min_amount_out: u64,
) -> Instruction {
    Instruction {
        program_id: *program_id,
        accounts: vec![
            AccountMeta::new(*pool, false),
            AccountMeta::new(*vault_in, false),
            AccountMeta::new(*vault_out, false),
            AccountMeta::new(*user_source, false),
            AccountMeta::new(*user_destination, false),
            AccountMeta::new_readonly(*user, true),
            AccountMeta::new_readonly(TOKEN_PROGRAM_ID, false),
        ],
        data: AmmInstruction::Swap { amount_in, min_amount_out }.pack(),
    }
}

/// [`AmmInstruction::Swap`] selling `mint_in` in the pool `addresses` describes.
#[allow(clippy::too_many_arguments)]
pub fn swap_in_pool(
    program_id: &Pubkey,
    addresses: &PoolAddresses,
    mint_in: &Pubkey,
    user_source: &Pubkey,
    user_destination: &Pubkey,
    user: &Pubkey,
    amount_in: u64,
    min_amount_out: u64,
) -> Instruction {
    let (vault_in, vault_out) = addresses.vaults_for(mint_in);
    swap(
        program_id,
        &addresses.pool,
        &vault_in,
        &vault_out,
        user_source,
        user_destination,
        user,
        amount_in,
        min_amount_out,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every() -> Vec<AmmInstruction> {
        vec![
            AmmInstruction::InitializePool { fee_bps: 30 },
            AmmInstruction::AddLiquidity { max_amount_a: 1, max_amount_b: u64::MAX, min_lp_out: 7 },
            AmmInstruction::RemoveLiquidity { lp_amount: 5, min_amount_a: 0, min_amount_b: 9 },
            AmmInstruction::Swap { amount_in: 1_000, min_amount_out: 990 },
        ]
    }

    #[test]
    fn wire_layout_is_stable() {
        let mut swap = vec![3u8];
        swap.extend_from_slice(&1_000u64.to_le_bytes());
        swap.extend_from_slice(&990u64.to_le_bytes());
        assert_eq!(AmmInstruction::Swap { amount_in: 1_000, min_amount_out: 990 }.pack(), swap);
        assert_eq!(AmmInstruction::InitializePool { fee_bps: 0x0102 }.pack(), vec![0, 2, 1]);
    }

    /// The hand-written decoder accepts exactly what borsh accepts.
    #[test]
    fn decoder_agrees_with_borsh() {
        let agree = |data: &[u8]| {
            assert_eq!(AmmInstruction::unpack(data).ok(), AmmInstruction::try_from_slice(data).ok(), "{data:?}");
        };
        agree(&[]);
        agree(&[4]);
        agree(&[255, 0]);
        for ix in every() {
            let data = ix.pack();
            assert_eq!(AmmInstruction::unpack(&data), Ok(ix));
            for cut in 0..data.len() {
                agree(&data[..cut]);
            }
            for value in [0u8, 1, 3, 4, 0xff] {
                let mut changed = data.clone();
                changed[0] = value;
                agree(&changed);
            }
            let mut longer = data.clone();
            longer.push(0);
            agree(&longer);
        }
    }
}
