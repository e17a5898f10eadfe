//! The compute budget program (Solana's id and borsh layout): set a
//! transaction's compute unit limit, its priority fee price, and the most
//! account data it may load.

use crate::instruction::Instruction;
use borsh::{BorshDeserialize, BorshSerialize};

crate::declare_id!("ComputeBudget111111111111111111111111111111");

/// Compute units per instruction when the transaction sets no limit.
pub const DEFAULT_INSTRUCTION_COMPUTE_UNIT_LIMIT: u32 = 200_000;
/// Most compute units one transaction may use.
pub const MAX_COMPUTE_UNIT_LIMIT: u32 = 1_400_000;
/// Most account data one transaction may load, in bytes, and the limit when
/// it sets none (Solana's).
pub const MAX_LOADED_ACCOUNTS_DATA_SIZE_BYTES: u32 = 64 * 1024 * 1024;

/// A compute budget instruction.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ComputeBudgetInstruction {
    /// 0: deprecated; refused.
    Unused,
    /// 1: request a larger heap (accepted for compatibility, ignored: Lanes' memory limit is fixed).
    RequestHeapFrame(u32),
    /// 2: the transaction's compute unit limit.
    SetComputeUnitLimit(u32),
    /// 3: price in micro-lamports per compute unit (the priority fee).
    SetComputeUnitPrice(u64),
    /// 4: the most account data, in bytes, the transaction may load
    /// (at most [`MAX_LOADED_ACCOUNTS_DATA_SIZE_BYTES`]; 0 is refused).
    SetLoadedAccountsDataSizeLimit(u32),
}

/// Set the most account data, in bytes, the transaction may load.
pub fn set_loaded_accounts_data_size_limit(bytes: u32) -> Instruction {
    Instruction::new_with_borsh(ID, &ComputeBudgetInstruction::SetLoadedAccountsDataSizeLimit(bytes), alloc::vec![])
}

/// Set the transaction's compute unit limit.
pub fn set_compute_unit_limit(units: u32) -> Instruction {
    Instruction::new_with_borsh(ID, &ComputeBudgetInstruction::SetComputeUnitLimit(units), alloc::vec![])
}

/// Set the priority fee, in micro-lamports per compute unit.
pub fn set_compute_unit_price(micro_lamports: u64) -> Instruction {
    Instruction::new_with_borsh(ID, &ComputeBudgetInstruction::SetComputeUnitPrice(micro_lamports), alloc::vec![])
}
