//! [`process_message`]: run a transaction's instructions in order on its
//! loaded accounts, stopping at the first that fails (whose index the error
//! carries).

use super::instruction_processor::process_instruction;
use crate::transaction_context::{InstructionAccount, TransactionContext};
use crate::vm::Executor;
use lanes_sdk::instruction::CompiledInstruction;
use lanes_sdk::transaction_error::TransactionError;
use std::sync::Arc;

/// Run `instructions` (a message's, of any version) on `ctx`'s accounts. On `Err` the
/// context's accounts hold a partial change that must never be committed.
pub fn process_message(
    executor: &Arc<Executor>,
    ctx: &mut TransactionContext,
    instructions: &[CompiledInstruction],
) -> Result<(), TransactionError> {
    for (i, ix) in instructions.iter().enumerate() {
        ctx.top_level_index = u8::try_from(i).unwrap_or(u8::MAX);
        let instruction_accounts: Vec<InstructionAccount> = ix
            .accounts
            .iter()
            .map(|&index| InstructionAccount {
                tx_index: index as u16,
                is_signer: ctx.accounts.is_signer[index as usize],
                is_writable: ctx.accounts.is_writable[index as usize],
            })
            .collect();
        process_instruction(executor, ctx, ix.program_id_index as usize, &instruction_accounts, &ix.data).map_err(
            |err| {
                // The trace limit stops a transaction by instruction 64.
                let index = u8::try_from(i).unwrap_or(u8::MAX);
                TransactionError::InstructionError(index, err)
            },
        )?;
    }
    Ok(())
}
