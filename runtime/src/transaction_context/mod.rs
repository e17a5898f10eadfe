//! What one transaction's instructions share while they run, below both
//! the instruction processor ([`crate::execution`]) and the VM
//! ([`crate::vm`]), which names nothing of `execution/`: the
//! [`TransactionContext`] (accounts, compute meter, logs, return data,
//! clock, the stack of programs being invoked), the account rules every
//! change is checked against, logs and timings. Agave keeps the same
//! things in its `transaction-context` crate.

pub mod account_rules;
mod accounts;
mod logs;
mod timings;

pub use accounts::{InstructionAccount, TransactionAccounts};
pub use logs::{LogCollector, LogLine, LOG_BYTES_LIMIT};
pub use timings::ExecuteTimings;

/// Most instructions one transaction may start, top-level and cross-program
/// calls together (Solana's limit). So the index of a failing top-level
/// instruction always fits the `u8` of `TransactionError::InstructionError`.
pub const MAX_INSTRUCTION_TRACE_LENGTH: usize = 64;

use lanes_sdk::clock::Clock;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::{Account, Pubkey};
use std::sync::Arc;

/// Full-account source for programs whose code was not loaded with the
/// transaction (read-only executable accounts are loaded header-only).
pub trait ProgramSource: Send + Sync {
    fn load_program_account(&self, key: &Pubkey) -> Option<Account>;
}

/// Everything one transaction's execution owns.
#[derive(Default)]
pub struct TransactionContext {
    pub accounts: TransactionAccounts,
    /// Compute units left for the whole transaction.
    pub compute_remaining: u64,
    pub compute_limit: u64,
    pub logs: LogCollector,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
    /// Program ids being invoked, outermost first.
    pub stack: Vec<Pubkey>,
    /// Instructions started so far, top-level and cross-program calls
    /// (at most [`MAX_INSTRUCTION_TRACE_LENGTH`]).
    pub instruction_trace_len: usize,
    pub clock: Clock,
    pub timings: ExecuteTimings,
    pub program_source: Option<Arc<dyn ProgramSource>>,
}

impl TransactionContext {
    pub fn new(accounts: TransactionAccounts, compute_limit: u64, clock: Clock) -> Self {
        TransactionContext { accounts, compute_remaining: compute_limit, compute_limit, clock, ..Default::default() }
    }

    /// Charge `units`, or fail with `ComputationalBudgetExceeded` (leaving 0).
    pub fn consume(&mut self, units: u64) -> Result<(), InstructionError> {
        if self.compute_remaining < units {
            self.compute_remaining = 0;
            return Err(InstructionError::ComputationalBudgetExceeded);
        }
        self.compute_remaining -= units;
        Ok(())
    }

    pub fn compute_consumed(&self) -> u64 {
        self.compute_limit - self.compute_remaining
    }

    pub fn log(&mut self, line: String) {
        self.logs.log(line);
    }

    pub fn log_line(&mut self, line: LogLine) {
        self.logs.log_line(line);
    }

    /// Depth of the program now running (1 for a top-level instruction).
    pub fn depth(&self) -> usize {
        self.stack.len()
    }
}
