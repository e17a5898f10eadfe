//! What one transaction's instructions share while they run, below both
//! the instruction processor ([`crate::execution`]) and the VM
//! ([`crate::vm`]), which names nothing of `execution/`: the
//! [`TransactionContext`] (accounts, compute meter, logs, return data,
//! clock and blockhash, the stack of programs being invoked), the account rules every
//! change is checked against, logs and timings. Agave keeps the same
//! things in its `transaction-context` crate.

pub mod account_rules;
mod accounts;
mod logs;
mod rent_state;
mod timings;

pub use accounts::{InstructionAccount, TransactionAccounts};
pub use logs::{LogCollector, LogLine, LOG_BYTES_LIMIT};
pub use rent_state::{check_rent_transition, RentState};
pub use timings::ExecuteTimings;

/// Most instructions one transaction may start, top-level and cross-program
/// calls together (Solana's limit). So the index of a failing top-level
/// instruction always fits the `u8` of `TransactionError::InstructionError`.
pub const MAX_INSTRUCTION_TRACE_LENGTH: usize = 64;
/// Most account data one transaction may add, net, over all its accounts
/// (Solana's `MAX_PERMITTED_ACCOUNTS_DATA_ALLOCATIONS_PER_TRANSACTION`).
pub const MAX_ACCOUNTS_DATA_ALLOCATIONS_PER_TRANSACTION: u64 = 20 * 1024 * 1024;

use lanes_sdk::clock::Clock;
use lanes_sdk::hash::Hash;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::{Account, Pubkey};
use std::sync::Arc;

/// Full-account source for programs whose code was not loaded with the
/// transaction (read-only executable accounts are loaded header-only).
pub trait ProgramSource: Send + Sync {
    fn load_program_account(&self, key: &Pubkey) -> Option<Account>;

    /// Where `slot` stands among the recent slot hashes, newest first
    /// (Solana's `SlotHashes::position`); `None` if it is not among them.
    /// What the lookup table program asks of a recent slot.
    fn slot_hash_position(&self, _slot: u64) -> Option<usize> {
        None
    }
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
    /// The bank's latest blockhash as the transaction runs: the system
    /// program derives the next durable nonce from it. `Hash::default()`
    /// stands for no blockhash at all (a context no bank made), which nonce
    /// instructions refuse as Solana refuses an empty recent blockhashes
    /// sysvar.
    pub blockhash: Hash,
    pub timings: ExecuteTimings,
    pub program_source: Option<Arc<dyn ProgramSource>>,
    /// Each account's lamports and data length as loaded (the fee payer's
    /// after its fee): what the data allocation limit and the rent rule
    /// compare against.
    pub loaded: Vec<(u64, usize)>,
    /// The cross-program calls made so far, grouped by the top-level
    /// instruction that made them (Solana's `innerInstructions`).
    pub inner_instructions: Vec<InnerInstructions>,
    /// The top-level instruction running now.
    pub top_level_index: u8,
}

/// A cross-program call, as Solana's `innerInstructions` list it: indexes
/// into the transaction's account keys, the data, and the depth it ran at
/// (2 for a call made by a top-level instruction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InnerInstruction {
    pub program_id_index: u8,
    pub accounts: Vec<u8>,
    pub data: Vec<u8>,
    pub stack_height: u8,
}

/// The calls one top-level instruction (`index`) made, in the order made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InnerInstructions {
    pub index: u8,
    pub instructions: Vec<InnerInstruction>,
}

impl TransactionContext {
    pub fn new(accounts: TransactionAccounts, compute_limit: u64, clock: Clock) -> Self {
        let loaded = accounts.accounts.iter().map(|account| (account.lamports, account.data.len())).collect();
        TransactionContext {
            accounts,
            compute_remaining: compute_limit,
            compute_limit,
            clock,
            loaded,
            ..Default::default()
        }
    }

    /// Refuse more than [`MAX_ACCOUNTS_DATA_ALLOCATIONS_PER_TRANSACTION`]
    /// of data added (net) since the transaction's accounts were loaded.
    /// Checked after every instruction, nested ones included, so a
    /// transaction never holds much more than the limit in memory.
    pub fn check_data_allocations(&self) -> Result<(), InstructionError> {
        let mut added: i64 = 0;
        for (account, (_, loaded_len)) in self.accounts.accounts.iter().zip(&self.loaded) {
            added += account.data.len() as i64 - *loaded_len as i64;
        }
        if added > MAX_ACCOUNTS_DATA_ALLOCATIONS_PER_TRANSACTION as i64 {
            return Err(InstructionError::MaxAccountsDataAllocationsExceeded);
        }
        Ok(())
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

    /// Whether the logs reached their byte limit (later lines are dropped).
    pub fn logs_truncated(&self) -> bool {
        self.logs.is_truncated()
    }

    /// Depth of the program now running (1 for a top-level instruction).
    pub fn depth(&self) -> usize {
        self.stack.len()
    }
}
