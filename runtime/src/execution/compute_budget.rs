//! A transaction's compute budget, read from its compute-budget instructions
//! before anything runs, its fee, and the fixed cost of builtins. (What
//! host functions and deploys charge is in [`crate::vm::costs`].)
//!
//! One compute unit is one unit of wasmtime fuel (one WASM operator, with
//! bulk memory charged per byte).

use lanes_sdk::compute_budget::{
    self as cb, ComputeBudgetInstruction, DEFAULT_INSTRUCTION_COMPUTE_UNIT_LIMIT, MAX_COMPUTE_UNIT_LIMIT,
    MAX_LOADED_ACCOUNTS_DATA_SIZE_BYTES,
};
use lanes_sdk::instruction::CompiledInstruction;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::message::{Message, MessageHeader};
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::Pubkey;

/// Fee per signature, in lamports.
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;
/// Charged by each builtin instruction (system, loader bookkeeping).
pub const BUILTIN_INSTRUCTION_COST: u64 = 150;
/// Loaded account data is charged [`LOADED_ACCOUNTS_DATA_COST_PER_PAGE`]
/// units per page of this many bytes (Solana's 8 units per 32 KiB).
pub const LOADED_ACCOUNTS_DATA_PAGE_SIZE: u64 = 32 * 1024;
pub const LOADED_ACCOUNTS_DATA_COST_PER_PAGE: u64 = 8;
/// Bytes per unit of the account data a transaction's loading copies: all
/// of it but programs' code, which is compiled once and never copied.
/// Solana's rate alone leaves a 40 MiB load-and-store at thousands of times
/// the host time per unit of the bundled workloads (docs/benchmarks.md,
/// `lanes-bench adversarial`).
pub const COPIED_ACCOUNT_DATA_BYTES_PER_UNIT: u64 = 8;

/// What loading costs, charged before the first instruction runs: Solana's
/// rate on `loaded_bytes` (every account's data, a program's code
/// included), plus the copy of `copied_bytes`.
pub fn loaded_accounts_data_cost(loaded_bytes: u64, copied_bytes: u64) -> u64 {
    loaded_bytes.div_ceil(LOADED_ACCOUNTS_DATA_PAGE_SIZE) * LOADED_ACCOUNTS_DATA_COST_PER_PAGE
        + copied_bytes / COPIED_ACCOUNT_DATA_BYTES_PER_UNIT
}

/// What a transaction asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComputeBudget {
    /// Total compute units the transaction may use, across all instructions.
    pub compute_unit_limit: u64,
    /// Priority fee price, micro-lamports per compute unit.
    pub compute_unit_price: u64,
    /// Most account data the transaction may load, in bytes.
    pub loaded_accounts_data_size_limit: u32,
}

impl ComputeBudget {
    /// Parse the compute-budget instructions of `message`. Errors follow
    /// Solana: bad data → `InstructionError(i, InvalidInstructionData)`, a
    /// second instruction of one kind → `DuplicateInstruction(i)`.
    pub fn from_message(message: &Message) -> Result<Self, TransactionError> {
        Self::from_instructions(&message.instructions, &message.account_keys)
    }

    /// [`ComputeBudget::from_message`] for a message of any version:
    /// program ids are always static keys.
    pub fn from_instructions(
        instructions: &[CompiledInstruction],
        static_keys: &[Pubkey],
    ) -> Result<Self, TransactionError> {
        let mut limit: Option<u32> = None;
        let mut price: Option<u64> = None;
        let mut other_instructions = 0u64;
        let mut seen_heap = false;
        let mut data_limit: Option<u32> = None;
        for (i, ix) in instructions.iter().enumerate() {
            let program = static_keys.get(ix.program_id_index as usize);
            if program != Some(&cb::ID) {
                other_instructions += 1;
                continue;
            }
            let invalid = || TransactionError::InstructionError(i as u8, InstructionError::InvalidInstructionData);
            let parsed: ComputeBudgetInstruction = borsh::from_slice(&ix.data).map_err(|_| invalid())?;
            let duplicate = TransactionError::DuplicateInstruction(i as u8);
            match parsed {
                ComputeBudgetInstruction::Unused => return Err(invalid()),
                ComputeBudgetInstruction::RequestHeapFrame(_) => {
                    if std::mem::replace(&mut seen_heap, true) {
                        return Err(duplicate);
                    }
                }
                ComputeBudgetInstruction::SetComputeUnitLimit(units) => {
                    if limit.replace(units).is_some() {
                        return Err(duplicate);
                    }
                }
                ComputeBudgetInstruction::SetComputeUnitPrice(micro_lamports) => {
                    if price.replace(micro_lamports).is_some() {
                        return Err(duplicate);
                    }
                }
                ComputeBudgetInstruction::SetLoadedAccountsDataSizeLimit(bytes) => {
                    if data_limit.replace(bytes).is_some() {
                        return Err(duplicate);
                    }
                }
            }
        }
        let default_limit = other_instructions.saturating_mul(DEFAULT_INSTRUCTION_COMPUTE_UNIT_LIMIT as u64);
        let compute_unit_limit = limit.map(u64::from).unwrap_or(default_limit).min(MAX_COMPUTE_UNIT_LIMIT as u64);
        let loaded_accounts_data_size_limit = match data_limit {
            Some(0) => return Err(TransactionError::InvalidLoadedAccountsDataSizeLimit),
            Some(bytes) => bytes.min(MAX_LOADED_ACCOUNTS_DATA_SIZE_BYTES),
            None => MAX_LOADED_ACCOUNTS_DATA_SIZE_BYTES,
        };
        Ok(ComputeBudget {
            compute_unit_limit,
            compute_unit_price: price.unwrap_or(0),
            loaded_accounts_data_size_limit,
        })
    }

    /// The priority fee: price × limit, in lamports, rounded up.
    pub fn priority_fee(&self) -> u64 {
        let micro = (self.compute_unit_price as u128) * (self.compute_unit_limit as u128);
        micro.div_ceil(1_000_000).min(u64::MAX as u128) as u64
    }
}

/// The whole fee: 5000 lamports per signature plus the priority fee.
pub fn transaction_fee(header: &MessageHeader, budget: &ComputeBudget) -> u64 {
    (header.num_required_signatures as u64).saturating_mul(LAMPORTS_PER_SIGNATURE).saturating_add(budget.priority_fee())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_sdk::{Instruction, Pubkey};

    fn message(ixs: &[Instruction]) -> Message {
        Message::new(ixs, Some(&Pubkey::new_unique_from_u64(1)))
    }

    #[test]
    fn defaults_limits_and_prices() {
        let other = Instruction::new_with_bytes(Pubkey::new_unique_from_u64(2), &[], vec![]);
        let b = ComputeBudget::from_message(&message(&[other.clone(), other.clone()])).unwrap();
        assert_eq!(b.compute_unit_limit, 400_000);
        assert_eq!(b.priority_fee(), 0);
        let b = ComputeBudget::from_message(&message(&[
            cb::set_compute_unit_limit(3_000_000),
            cb::set_compute_unit_price(1_500_000),
            other,
        ]))
        .unwrap();
        assert_eq!(b.compute_unit_limit, 1_400_000);
        assert_eq!(b.priority_fee(), 2_100_000);
    }

    #[test]
    fn the_loaded_data_limit_defaults_to_and_is_capped_at_64_mib() {
        let limit =
            |ixs: &[Instruction]| ComputeBudget::from_message(&message(ixs)).map(|b| b.loaded_accounts_data_size_limit);
        assert_eq!(limit(&[]), Ok(MAX_LOADED_ACCOUNTS_DATA_SIZE_BYTES));
        assert_eq!(limit(&[cb::set_loaded_accounts_data_size_limit(4096)]), Ok(4096));
        assert_eq!(
            limit(&[cb::set_loaded_accounts_data_size_limit(u32::MAX)]),
            Ok(MAX_LOADED_ACCOUNTS_DATA_SIZE_BYTES)
        );
        assert_eq!(
            limit(&[cb::set_loaded_accounts_data_size_limit(0)]),
            Err(TransactionError::InvalidLoadedAccountsDataSizeLimit)
        );
        assert_eq!(loaded_accounts_data_cost(0, 0), 0);
        assert_eq!(loaded_accounts_data_cost(1, 0), 8);
        assert_eq!(loaded_accounts_data_cost(64 * 1024 * 1024, 0), 16_384);
        assert_eq!(loaded_accounts_data_cost(1024, 1024), 8 + 128);
    }

    #[test]
    fn duplicates_and_garbage_are_refused() {
        let err =
            ComputeBudget::from_message(&message(&[cb::set_compute_unit_limit(1), cb::set_compute_unit_limit(2)]));
        assert_eq!(err, Err(TransactionError::DuplicateInstruction(1)));
        let bad = Instruction::new_with_bytes(cb::ID, &[9, 9], vec![]);
        assert_eq!(
            ComputeBudget::from_message(&message(&[bad])),
            Err(TransactionError::InstructionError(0, InstructionError::InvalidInstructionData))
        );
    }
}
