//! One transaction's execution state, and the instruction processor.
//!
//! [`InvokeContext`] owns the transaction's accounts while it runs, the
//! compute meter, the logs, return data and the stack of programs being
//! invoked. [`process_instruction`] runs one instruction (top-level or a
//! cross-program call) on the builtin or WASM program it names, and checks
//! every change the program made against Solana's account rules
//! ([`verify_account_change`]): only the owner changes data or debits
//! lamports, read-only accounts never change, lamports are conserved, the
//! executable flag is the loader's alone.
//!
//! This module must never let a change that failed its checks reach the
//! store: the bank discards the whole context when any instruction fails.

use crate::execution::builtins;
use crate::execution::compute_budget::BUILTIN_INSTRUCTION_COST;
use crate::vm::Executor;
use lanes_sdk::abi::MAX_PERMITTED_DATA_LENGTH;
use lanes_sdk::clock::Clock;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::{compute_budget, loader, system_program, Account, Pubkey};
use std::sync::Arc;

/// Most programs on the invocation stack (a top-level call and four nested).
pub const MAX_INVOKE_DEPTH: usize = 5;
/// Logs beyond this many bytes are dropped, with one "Log truncated" line.
pub const LOG_BYTES_LIMIT: usize = 10_000;

/// The accounts one transaction loaded, indexed as its message's keys.
#[derive(Debug, Default, Clone)]
pub struct TransactionAccounts {
    pub keys: Vec<Pubkey>,
    pub accounts: Vec<Account>,
    /// Whether the transaction signed for each key.
    pub is_signer: Vec<bool>,
    /// Whether each key is write-locked (writable in the header, not demoted).
    pub is_writable: Vec<bool>,
}

impl TransactionAccounts {
    pub fn index_of(&self, key: &Pubkey) -> Option<usize> {
        self.keys.iter().position(|k| k == key)
    }

    /// The write-locked accounts with their keys: what a successful
    /// transaction commits.
    pub fn into_writable(self) -> Vec<(Pubkey, Account)> {
        self.keys
            .into_iter()
            .zip(self.accounts)
            .zip(self.is_writable)
            .filter(|(_, writable)| *writable)
            .map(|(pair, _)| pair)
            .collect()
    }
}

/// One account as an instruction sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstructionAccount {
    /// Index into the transaction's accounts.
    pub tx_index: u16,
    pub is_signer: bool,
    pub is_writable: bool,
}

/// One log line. The three lines every invocation writes stay structured
/// until someone reads them: formatting and keeping them as strings cost a
/// swap about a tenth of its host time. `Display` renders Solana's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogLine {
    /// `Program <id> invoke [<depth>]`
    Invoke { program: Pubkey, depth: usize },
    /// `Program <id> consumed <consumed> of <limit> compute units`
    Consumed { program: Pubkey, consumed: u64, limit: u64 },
    /// `Program <id> success`
    Success { program: Pubkey },
    /// Any other line, as written.
    Text(String),
}

impl LogLine {
    /// Bytes of the rendered line, without rendering it.
    fn rendered_len(&self) -> usize {
        let prefix = |program: &Pubkey| "Program ".len() + program_name(program).len();
        match self {
            LogLine::Invoke { program, depth } => prefix(program) + " invoke [".len() + digits(*depth as u64) + 1,
            LogLine::Consumed { program, consumed, limit } => {
                prefix(program)
                    + " consumed ".len()
                    + digits(*consumed)
                    + " of ".len()
                    + digits(*limit)
                    + " compute units".len()
            }
            LogLine::Success { program } => prefix(program) + " success".len(),
            LogLine::Text(text) => text.len(),
        }
    }
}

impl std::fmt::Display for LogLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogLine::Invoke { program, depth } => write!(f, "Program {program} invoke [{depth}]"),
            LogLine::Consumed { program, consumed, limit } => {
                write!(f, "Program {program} consumed {consumed} of {limit} compute units")
            }
            LogLine::Success { program } => write!(f, "Program {program} success"),
            LogLine::Text(text) => f.write_str(text),
        }
    }
}

/// Decimal digits of `n`.
fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Log lines with Solana's byte limit (counted on the rendered text).
#[derive(Debug, Default, Clone)]
pub struct LogCollector {
    pub lines: Vec<LogLine>,
    bytes: usize,
    truncated: bool,
}

impl LogCollector {
    pub fn log(&mut self, line: String) {
        self.log_line(LogLine::Text(line));
    }

    pub fn log_line(&mut self, line: LogLine) {
        if self.truncated {
            return;
        }
        let len = line.rendered_len();
        if self.bytes + len > LOG_BYTES_LIMIT {
            self.truncated = true;
            self.lines.push(LogLine::Text("Log truncated".to_string()));
            return;
        }
        self.bytes += len;
        self.lines.push(line);
    }
}

/// Where time went while executing (for benchmarks), in nanoseconds.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExecuteTimings {
    /// Creating a store and instantiating the module.
    pub instantiate_ns: u64,
    /// Running WASM (including host calls and nested invocations).
    pub execute_ns: u64,
    /// Writing the input buffer and reading results back.
    pub serialize_ns: u64,
    /// Loading accounts from the store.
    pub load_ns: u64,
    /// Committing accounts to the store and recording status.
    pub commit_ns: u64,
    /// Verifying signatures.
    pub sigverify_ns: u64,
    /// Whole transactions, end to end.
    pub total_ns: u64,
    /// Wasm program invocations.
    pub wasm_invocations: u64,
    /// Invocations that needed a new instance (the others ran on a reset one).
    pub fresh_instances: u64,
    /// Page scans that reset used instances (one covers a batch of them).
    pub reset_scans: u64,
}

impl ExecuteTimings {
    pub fn accumulate(&mut self, other: &ExecuteTimings) {
        self.instantiate_ns += other.instantiate_ns;
        self.execute_ns += other.execute_ns;
        self.serialize_ns += other.serialize_ns;
        self.load_ns += other.load_ns;
        self.commit_ns += other.commit_ns;
        self.sigverify_ns += other.sigverify_ns;
        self.total_ns += other.total_ns;
        self.wasm_invocations += other.wasm_invocations;
        self.fresh_instances += other.fresh_instances;
        self.reset_scans += other.reset_scans;
    }
}

/// Full-account source for programs whose code was not loaded with the
/// transaction (read-only executable accounts are loaded header-only).
pub trait ProgramSource: Send + Sync {
    fn load_program_account(&self, key: &Pubkey) -> Option<Account>;
}

/// Everything one transaction's execution owns.
#[derive(Default)]
pub struct InvokeContext {
    pub accounts: TransactionAccounts,
    /// Compute units left for the whole transaction.
    pub compute_remaining: u64,
    pub compute_limit: u64,
    pub logs: LogCollector,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
    /// Program ids being invoked, outermost first.
    pub stack: Vec<Pubkey>,
    pub clock: Clock,
    pub timings: ExecuteTimings,
    pub program_source: Option<Arc<dyn ProgramSource>>,
}

impl InvokeContext {
    pub fn new(accounts: TransactionAccounts, compute_limit: u64, clock: Clock) -> Self {
        InvokeContext { accounts, compute_remaining: compute_limit, compute_limit, clock, ..Default::default() }
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

/// Check one account's change by `program_id` against the account rules.
///
/// `pre` is the account before the program's change; the rest is after.
pub fn verify_account_change(
    program_id: &Pubkey,
    pre: &Account,
    post_lamports: u64,
    post_owner: &Pubkey,
    post_data: &[u8],
    post_executable: bool,
    is_writable: bool,
) -> Result<(), InstructionError> {
    let is_loader = *program_id == loader::ID && pre.owner == loader::ID;
    if pre.owner != *post_owner
        && (!is_writable || pre.executable || pre.owner != *program_id || post_data.iter().any(|b| *b != 0))
    {
        return Err(InstructionError::ModifiedProgramId);
    }
    if !is_writable && pre.lamports != post_lamports {
        return Err(InstructionError::ReadonlyLamportChange);
    }
    if post_lamports < pre.lamports && pre.owner != *program_id {
        return Err(InstructionError::ExternalAccountLamportSpend);
    }
    if pre.data.as_slice() != post_data {
        if !is_writable {
            return Err(InstructionError::ReadonlyDataModified);
        }
        if pre.owner != *program_id {
            return Err(InstructionError::ExternalAccountDataModified);
        }
        if pre.executable && !is_loader {
            return Err(InstructionError::ExecutableDataModified);
        }
    }
    if pre.executable != post_executable && !(is_loader && is_writable) {
        return Err(InstructionError::ExecutableModified);
    }
    if pre.executable && pre.lamports != post_lamports && !is_loader {
        return Err(InstructionError::ExecutableLamportChange);
    }
    if post_data.len() > MAX_PERMITTED_DATA_LENGTH {
        return Err(InstructionError::InvalidRealloc);
    }
    Ok(())
}

/// Run one instruction of `program` (an index into the transaction's
/// accounts) on `accounts`, as a top-level instruction or a nested call.
pub fn process_instruction(
    executor: &Arc<Executor>,
    ctx: &mut InvokeContext,
    program_index: usize,
    accounts: &[InstructionAccount],
    data: &[u8],
) -> Result<(), InstructionError> {
    let program_id = *ctx.accounts.keys.get(program_index).ok_or(InstructionError::MissingAccount)?;
    if ctx.stack.len() >= MAX_INVOKE_DEPTH {
        return Err(InstructionError::CallDepth);
    }
    if ctx.stack.contains(&program_id) && ctx.stack.last() != Some(&program_id) {
        ctx.log(format!("Program {program_id} invoke [{}]", ctx.stack.len() + 1));
        ctx.log("Reentrancy not allowed".to_string());
        return Err(InstructionError::ReentrancyNotAllowed);
    }
    ctx.stack.push(program_id);
    ctx.log_line(LogLine::Invoke { program: program_id, depth: ctx.stack.len() });

    let result = if builtins::is_builtin(&program_id) {
        run_builtin(executor, ctx, &program_id, accounts, data)
    } else {
        let before = ctx.compute_remaining;
        let result = crate::vm::execute_program(executor, ctx, program_index, accounts, data);
        let consumed = before.saturating_sub(ctx.compute_remaining);
        ctx.log_line(LogLine::Consumed { program: program_id, consumed, limit: before });
        result
    };
    match &result {
        Ok(()) => ctx.log_line(LogLine::Success { program: program_id }),
        Err(err) => ctx.log(format!("Program {program_id} failed: {err}")),
    }
    ctx.stack.pop();
    result
}

/// A program id's base58 text, cached per thread: the log's byte limit
/// counts it in three lines per invocation, and base58 is quadratic.
fn program_name(program_id: &Pubkey) -> std::rc::Rc<str> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static NAMES: RefCell<HashMap<Pubkey, std::rc::Rc<str>>> = RefCell::new(HashMap::new());
    }
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if names.len() > 4096 {
            names.clear();
        }
        names.entry(*program_id).or_insert_with(|| program_id.to_string().into()).clone()
    })
}

/// Run a builtin, then check its changes as any program's are checked.
fn run_builtin(
    executor: &Arc<Executor>,
    ctx: &mut InvokeContext,
    program_id: &Pubkey,
    accounts: &[InstructionAccount],
    data: &[u8],
) -> Result<(), InstructionError> {
    ctx.consume(BUILTIN_INSTRUCTION_COST)?;
    // Distinct accounts with their strongest privilege in this instruction.
    let mut distinct: Vec<InstructionAccount> = Vec::with_capacity(accounts.len());
    for account in accounts {
        match distinct.iter_mut().find(|a| a.tx_index == account.tx_index) {
            Some(existing) => existing.is_writable |= account.is_writable,
            None => distinct.push(*account),
        }
    }
    let pre: Vec<Account> = distinct.iter().map(|a| ctx.accounts.accounts[a.tx_index as usize].clone()).collect();

    if *program_id == system_program::ID {
        builtins::system::process(ctx, accounts, data)?;
    } else if *program_id == loader::ID {
        builtins::loader::process(executor, ctx, accounts, data)?;
    } else if *program_id == compute_budget::ID {
        // Parsed before execution; nothing to do.
    }

    let mut pre_sum: u128 = 0;
    let mut post_sum: u128 = 0;
    for (account, pre) in distinct.iter().zip(&pre) {
        let post = &ctx.accounts.accounts[account.tx_index as usize];
        verify_account_change(
            program_id,
            pre,
            post.lamports,
            &post.owner,
            &post.data,
            post.executable,
            account.is_writable,
        )?;
        pre_sum += pre.lamports as u128;
        post_sum += post.lamports as u128;
    }
    if pre_sum != post_sum {
        return Err(InstructionError::UnbalancedInstruction);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_lengths_match_the_text() {
        let program = Pubkey::new_unique_from_u64(7);
        let mut lines = vec![LogLine::Success { program }, LogLine::Text("Program log: hi".into())];
        for n in [0u64, 1, 9, 10, 99, 100, 4_645, 200_000, u64::MAX] {
            lines.push(LogLine::Invoke { program, depth: n as usize });
            lines.push(LogLine::Consumed { program, consumed: n, limit: u64::MAX - n });
        }
        for line in lines {
            assert_eq!(line.rendered_len(), line.to_string().len(), "{line}");
        }
        assert_eq!(LogLine::Invoke { program, depth: 2 }.to_string(), format!("Program {program} invoke [2]"));
    }

    fn account(lamports: u64, owner: Pubkey, data: &[u8]) -> Account {
        Account { lamports, data: data.to_vec(), owner, executable: false }
    }

    #[test]
    fn owner_rules() {
        let me = Pubkey::new_unique_from_u64(1);
        let other = Pubkey::new_unique_from_u64(2);
        let mine = account(10, me, &[1, 2]);
        let theirs = account(10, other, &[1, 2]);
        // The owner may change data and debit.
        assert_eq!(verify_account_change(&me, &mine, 5, &me, &[3, 4], false, true), Ok(()));
        // Anyone may credit a writable account.
        assert_eq!(verify_account_change(&me, &theirs, 15, &other, &[1, 2], false, true), Ok(()));
        assert_eq!(
            verify_account_change(&me, &theirs, 5, &other, &[1, 2], false, true),
            Err(InstructionError::ExternalAccountLamportSpend)
        );
        assert_eq!(
            verify_account_change(&me, &theirs, 10, &other, &[9, 2], false, true),
            Err(InstructionError::ExternalAccountDataModified)
        );
        assert_eq!(
            verify_account_change(&me, &mine, 11, &me, &[1, 2], false, false),
            Err(InstructionError::ReadonlyLamportChange)
        );
        assert_eq!(
            verify_account_change(&me, &mine, 10, &me, &[1, 3], false, false),
            Err(InstructionError::ReadonlyDataModified)
        );
        // Reassigning needs zeroed data.
        assert_eq!(
            verify_account_change(&me, &mine, 10, &other, &[1, 2], false, true),
            Err(InstructionError::ModifiedProgramId)
        );
        assert_eq!(verify_account_change(&me, &mine, 10, &other, &[0, 0], false, true), Ok(()));
        assert_eq!(
            verify_account_change(&me, &theirs, 10, &me, &[0, 0], false, true),
            Err(InstructionError::ModifiedProgramId)
        );
        assert_eq!(
            verify_account_change(&me, &mine, 10, &me, &[1, 2], true, true),
            Err(InstructionError::ExecutableModified)
        );
    }
}
