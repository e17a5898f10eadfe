//! The instruction processor: [`process_instruction`] runs one instruction
//! (top-level or a cross-program call) on the builtin or WASM program it
//! names, within the call-depth and reentrancy rules, and every change it
//! made is checked against the account rules
//! ([`crate::transaction_context::account_rules`]) before the transaction
//! sees it. A failed instruction fails the transaction: the bank discards
//! the whole context.

use super::builtins;
use super::compute_budget::BUILTIN_INSTRUCTION_COST;
use crate::transaction_context::{
    InnerInstruction, InnerInstructions, InstructionAccount, LogLine, TransactionContext, MAX_INSTRUCTION_TRACE_LENGTH,
};
use crate::vm::{Executor, InstructionProcessor};
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::{address_lookup_table, compute_budget, loader, system_program, Pubkey};
use std::sync::Arc;

/// Most programs on the invocation stack (a top-level call and four nested).
pub const MAX_INVOKE_DEPTH: usize = 5;

/// Run one instruction of `program` (an index into the transaction's
/// accounts) on `accounts`, as a top-level instruction or a nested call.
pub fn process_instruction(
    executor: &Arc<Executor>,
    ctx: &mut TransactionContext,
    program_index: usize,
    accounts: &[InstructionAccount],
    data: &[u8],
) -> Result<(), InstructionError> {
    let program_id = *ctx.accounts.keys.get(program_index).ok_or(InstructionError::MissingAccount)?;
    if ctx.instruction_trace_len >= MAX_INSTRUCTION_TRACE_LENGTH {
        return Err(InstructionError::MaxInstructionTraceLengthExceeded);
    }
    ctx.instruction_trace_len += 1;
    if ctx.stack.len() >= MAX_INVOKE_DEPTH {
        return Err(InstructionError::CallDepth);
    }
    if ctx.stack.contains(&program_id) && ctx.stack.last() != Some(&program_id) {
        ctx.log(format!("Program {program_id} invoke [{}]", ctx.stack.len() + 1));
        ctx.log("Reentrancy not allowed".to_string());
        return Err(InstructionError::ReentrancyNotAllowed);
    }
    ctx.stack.push(program_id);
    if ctx.stack.len() > 1 {
        record_inner_instruction(ctx, program_index, accounts, data);
    }
    ctx.log_line(LogLine::Invoke { program: program_id, depth: ctx.stack.len() });

    let result = if builtins::is_builtin(&program_id) {
        run_builtin(executor, ctx, &program_id, accounts, data)
    } else {
        let before = ctx.compute_remaining;
        let result = crate::vm::execute_program(&Processor, executor, ctx, program_index, accounts, data);
        let consumed = before.saturating_sub(ctx.compute_remaining);
        ctx.log_line(LogLine::Consumed { program: program_id, consumed, limit: before });
        result
    };
    // Every instruction, nested ones too: no transaction holds much more
    // new data than it may keep.
    let result = result.and_then(|()| ctx.check_data_allocations());
    match &result {
        Ok(()) => ctx.log_line(LogLine::Success { program: program_id }),
        Err(err) => ctx.log(format!("Program {program_id} failed: {err}")),
    }
    ctx.stack.pop();
    result
}

/// Note a cross-program call under the running top-level instruction.
/// Indexes fit a byte: a transaction has at most 256 accounts, a call at
/// most [`MAX_INVOKE_DEPTH`] levels.
fn record_inner_instruction(
    ctx: &mut TransactionContext,
    program_index: usize,
    accounts: &[InstructionAccount],
    data: &[u8],
) {
    let instruction = InnerInstruction {
        program_id_index: program_index as u8,
        accounts: accounts.iter().map(|a| a.tx_index as u8).collect(),
        data: data.to_vec(),
        stack_height: ctx.stack.len() as u8,
    };
    let index = ctx.top_level_index;
    match ctx.inner_instructions.last_mut() {
        Some(group) if group.index == index => group.instructions.push(instruction),
        _ => ctx.inner_instructions.push(InnerInstructions { index, instructions: vec![instruction] }),
    }
}

/// Run a builtin, its changes checked as any program's are.
fn run_builtin(
    executor: &Arc<Executor>,
    ctx: &mut TransactionContext,
    program_id: &Pubkey,
    accounts: &[InstructionAccount],
    data: &[u8],
) -> Result<(), InstructionError> {
    ctx.consume(BUILTIN_INSTRUCTION_COST)?;
    if *program_id == address_lookup_table::ID {
        // It calls the system program, and checks its own writes around those calls.
        return builtins::address_lookup_table::process(executor, ctx, accounts, data);
    }
    builtins::with_checked_changes(ctx, program_id, accounts, |ctx| {
        if *program_id == system_program::ID {
            builtins::system::process(ctx, accounts, data)
        } else if *program_id == loader::ID {
            builtins::loader::process(executor, ctx, accounts, data)
        } else {
            // The compute budget program: parsed before execution; nothing to do.
            debug_assert_eq!(*program_id, compute_budget::ID);
            Ok(())
        }
    })
}

/// The instruction processor as the VM calls it back for a cross-program
/// invocation.
struct Processor;

impl InstructionProcessor for Processor {
    fn process_instruction(
        &self,
        executor: &Arc<Executor>,
        ctx: &mut TransactionContext,
        program_index: usize,
        accounts: &[InstructionAccount],
        data: &[u8],
    ) -> Result<(), InstructionError> {
        process_instruction(executor, ctx, program_index, accounts, data)
    }
}
