//! The bank: checks, executes and commits transactions against an
//! [`AccountStore`], one after another, in the order given.
//!
//! For each transaction: sanitize (structure, duplicate keys, at most 128
//! accounts), verify signatures, check the recent blockhash and that the
//! signature was not already processed, read the compute budget, charge the
//! fee (5000 lamports per signature plus the priority fee), load accounts,
//! run each instruction, and commit — everything on success, only the fee
//! payer's debit on failure. Transactions refused before the fee (bad
//! signature, unknown blockhash, a payer that cannot pay, …) change nothing
//! and are not recorded.
//!
//! The bank must never commit a change that a check refused, and never
//! depend on anything but the ledger for its results (no wall clock, no
//! randomness): the same transactions in the same order give the same state.

use crate::accounts_db::{AccountStore, StoreError};
use crate::compute_budget::{transaction_fee, ComputeBudget};
use crate::executor::Executor;
use crate::invoke_context::{
    process_instruction, ExecuteTimings, InstructionAccount, InvokeContext, ProgramSource, TransactionAccounts,
};
use lanes_sdk::clock::Clock;
use lanes_sdk::hash::{hashv, Hash};
use lanes_sdk::loader::STATE_HEADER_LEN;
use lanes_sdk::message::MAX_TX_ACCOUNT_LOCKS;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{compute_budget, loader, system_program, Account, Pubkey, Signature};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;

/// A blockhash is accepted for this many slots after it was made.
pub const MAX_BLOCKHASH_AGE: usize = 150;
/// Slots per epoch (Solana's).
pub const SLOTS_PER_EPOCH: u64 = 432_000;
/// Milliseconds per slot, for the deterministic clock.
pub const MS_PER_SLOT: i64 = 400;

/// What happened to one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionOutcome {
    pub signature: Signature,
    /// `Ok` if every instruction succeeded.
    pub result: Result<(), TransactionError>,
    /// Whether it was recorded (fee charged). Refused transactions are not.
    pub committed: bool,
    pub logs: Vec<String>,
    pub compute_units_consumed: u64,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
    pub fee: u64,
}

impl TransactionOutcome {
    fn refused(signature: Signature, err: TransactionError) -> Self {
        TransactionOutcome {
            signature,
            result: Err(err),
            committed: false,
            logs: Vec::new(),
            compute_units_consumed: 0,
            return_data: None,
            fee: 0,
        }
    }
}

/// Bank settings.
#[derive(Debug, Clone)]
pub struct BankConfig {
    /// Verify ed25519 signatures (benchmarks may turn this off when the
    /// signatures were verified upstream).
    pub verify_signatures: bool,
    /// Unix time of slot 0.
    pub genesis_unix_timestamp: i64,
    /// Seed of the first blockhash (distinguishes ledgers).
    pub genesis_seed: [u8; 32],
}

impl Default for BankConfig {
    fn default() -> Self {
        BankConfig { verify_signatures: true, genesis_unix_timestamp: 1_700_000_000, genesis_seed: [0; 32] }
    }
}

/// Why the bank could not commit.
#[derive(Debug, thiserror::Error)]
pub enum BankError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct StoreSource(Arc<dyn AccountStore>);

impl ProgramSource for StoreSource {
    fn load_program_account(&self, key: &Pubkey) -> Option<Account> {
        self.0.get(key)
    }
}

/// A sequential bank over an account store.
pub struct Bank {
    store: Arc<dyn AccountStore>,
    executor: Arc<Executor>,
    program_source: Arc<dyn ProgramSource>,
    config: BankConfig,
    slot: u64,
    /// Recent blockhashes, newest last.
    blockhashes: VecDeque<Hash>,
    /// Signatures committed under each still-valid blockhash.
    status_cache: HashMap<Hash, HashSet<Signature>>,
    collected_fees: u64,
    transaction_count: u64,
    timings: ExecuteTimings,
}

impl Bank {
    pub fn new(store: Arc<dyn AccountStore>, executor: Arc<Executor>, config: BankConfig) -> Self {
        let genesis = hashv(&[b"lanes genesis", &config.genesis_seed]);
        Bank {
            program_source: Arc::new(StoreSource(store.clone())),
            store,
            executor,
            config,
            slot: 0,
            blockhashes: VecDeque::from([genesis]),
            status_cache: HashMap::new(),
            collected_fees: 0,
            transaction_count: 0,
            timings: ExecuteTimings::default(),
        }
    }

    pub fn slot(&self) -> u64 {
        self.slot
    }

    pub fn executor(&self) -> &Arc<Executor> {
        &self.executor
    }

    pub fn store(&self) -> &Arc<dyn AccountStore> {
        &self.store
    }

    /// The newest blockhash: what new transactions should reference.
    pub fn last_blockhash(&self) -> Hash {
        *self.blockhashes.back().expect("the queue always holds the genesis hash or newer")
    }

    /// Whether `hash` is recent enough to be used.
    pub fn is_blockhash_valid(&self, hash: &Hash) -> bool {
        self.blockhashes.contains(hash)
    }

    /// Fees charged so far.
    pub fn collected_fees(&self) -> u64 {
        self.collected_fees
    }

    /// Transactions committed so far.
    pub fn transaction_count(&self) -> u64 {
        self.transaction_count
    }

    /// Where execution time went so far.
    pub fn timings(&self) -> ExecuteTimings {
        self.timings
    }

    pub fn reset_timings(&mut self) {
        self.timings = ExecuteTimings::default();
    }

    /// The deterministic clock of the current slot.
    pub fn clock(&self) -> Clock {
        Clock {
            slot: self.slot,
            epoch_start_timestamp: self.config.genesis_unix_timestamp,
            epoch: self.slot / SLOTS_PER_EPOCH,
            leader_schedule_epoch: self.slot / SLOTS_PER_EPOCH + 1,
            unix_timestamp: self.config.genesis_unix_timestamp + (self.slot as i64 * MS_PER_SLOT) / 1000,
        }
    }

    /// Move to the next slot, with a new blockhash.
    pub fn advance_slot(&mut self) {
        self.warp_to_slot(self.slot + 1);
    }

    /// Jump to `slot` (later than now) with one new blockhash.
    pub fn warp_to_slot(&mut self, slot: u64) {
        self.slot = slot.max(self.slot + 1);
        self.register_blockhash();
    }

    /// Make a new blockhash (derived from the previous one and the slot).
    pub fn register_blockhash(&mut self) {
        let next = hashv(&[&self.last_blockhash().0, &self.slot.to_le_bytes(), &(self.blockhashes.len() as u64).to_le_bytes()]);
        self.blockhashes.push_back(next);
        while self.blockhashes.len() > MAX_BLOCKHASH_AGE {
            if let Some(expired) = self.blockhashes.pop_front() {
                self.status_cache.remove(&expired);
            }
        }
    }

    /// The committed state of `key`.
    pub fn get_account(&self, key: &Pubkey) -> Option<Account> {
        self.store.get(key)
    }

    /// Write an account directly (genesis, tests).
    pub fn set_account(&self, key: Pubkey, account: Account) -> Result<(), BankError> {
        self.store.store(self.slot, &[(key, account)])?;
        Ok(())
    }

    /// Check, execute and commit one transaction.
    pub fn process_transaction(&mut self, tx: &Transaction) -> Result<TransactionOutcome, BankError> {
        let started = Instant::now();
        let mut timings = ExecuteTimings::default();
        let outcome = match self.check_transaction(tx, &mut timings) {
            Err(err) => TransactionOutcome::refused(tx.signature().copied().unwrap_or_default(), err),
            Ok((budget, fee)) => {
                let executed = self.execute(tx, budget, fee, &mut timings);
                match executed {
                    Err(err) => TransactionOutcome::refused(tx.signature().copied().unwrap_or_default(), err),
                    Ok((outcome, updates)) => {
                        let commit_started = Instant::now();
                        self.store.store(self.slot, &updates)?;
                        self.status_cache
                            .entry(tx.message.recent_blockhash)
                            .or_default()
                            .insert(outcome.signature);
                        self.collected_fees += outcome.fee;
                        self.transaction_count += 1;
                        timings.commit_ns += commit_started.elapsed().as_nanos() as u64;
                        outcome
                    }
                }
            }
        };
        timings.total_ns += started.elapsed().as_nanos() as u64;
        self.timings.accumulate(&timings);
        Ok(outcome)
    }

    /// Run a transaction without committing anything. Signatures are checked
    /// only if `verify_signatures`; the status cache is not consulted.
    pub fn simulate_transaction(&self, tx: &Transaction, verify_signatures: bool) -> TransactionOutcome {
        let mut timings = ExecuteTimings::default();
        let signature = tx.signature().copied().unwrap_or_default();
        let checked = self
            .check_structure(tx)
            .and_then(|_| if verify_signatures { self.check_signatures(tx, &mut timings) } else { Ok(()) })
            .and_then(|_| self.check_budget_and_fee(tx));
        match checked.and_then(|(budget, fee)| self.execute(tx, budget, fee, &mut timings)) {
            Ok((outcome, _)) => outcome,
            Err(err) => TransactionOutcome::refused(signature, err),
        }
    }

    fn check_structure(&self, tx: &Transaction) -> Result<(), TransactionError> {
        tx.sanitize().map_err(|_| TransactionError::SanitizeFailure)?;
        if tx.message.account_keys.len() > MAX_TX_ACCOUNT_LOCKS {
            return Err(TransactionError::TooManyAccountLocks);
        }
        if tx.message.has_duplicate_keys() {
            return Err(TransactionError::AccountLoadedTwice);
        }
        Ok(())
    }

    fn check_signatures(&self, tx: &Transaction, timings: &mut ExecuteTimings) -> Result<(), TransactionError> {
        let started = Instant::now();
        let ok = tx.verify();
        timings.sigverify_ns += started.elapsed().as_nanos() as u64;
        if ok {
            Ok(())
        } else {
            Err(TransactionError::SignatureFailure)
        }
    }

    fn check_budget_and_fee(&self, tx: &Transaction) -> Result<(ComputeBudget, u64), TransactionError> {
        let budget = ComputeBudget::from_message(&tx.message)?;
        Ok((budget, transaction_fee(&tx.message, &budget)))
    }

    /// Everything that refuses a transaction before its fee is charged.
    fn check_transaction(&self, tx: &Transaction, timings: &mut ExecuteTimings) -> Result<(ComputeBudget, u64), TransactionError> {
        self.check_structure(tx)?;
        if self.config.verify_signatures {
            self.check_signatures(tx, timings)?;
        }
        if !self.is_blockhash_valid(&tx.message.recent_blockhash) {
            return Err(TransactionError::BlockhashNotFound);
        }
        let signature = tx.signature().ok_or(TransactionError::MissingSignatureForFee)?;
        if self.status_cache.get(&tx.message.recent_blockhash).is_some_and(|seen| seen.contains(signature)) {
            return Err(TransactionError::AlreadyProcessed);
        }
        self.check_budget_and_fee(tx)
    }

    /// Load, charge, execute. `Err` means refused (nothing to commit); `Ok`
    /// carries the outcome and the account updates to commit.
    #[allow(clippy::type_complexity)]
    fn execute(
        &self,
        tx: &Transaction,
        budget: ComputeBudget,
        fee: u64,
        timings: &mut ExecuteTimings,
    ) -> Result<(TransactionOutcome, Vec<(Pubkey, Account)>), TransactionError> {
        let message = &tx.message;
        let signature = tx.signature().copied().unwrap_or_default();
        let load_started = Instant::now();

        // The fee payer must exist, be a wallet, and afford the fee.
        let payer_key = *message.fee_payer().ok_or(TransactionError::SanitizeFailure)?;
        let mut payer = self.store.get(&payer_key).ok_or(TransactionError::AccountNotFound)?;
        if payer.owner != system_program::ID || !payer.data.is_empty() {
            return Err(TransactionError::InvalidAccountForFee);
        }
        if payer.lamports < fee {
            return Err(TransactionError::InsufficientFundsForFee);
        }
        payer.lamports -= fee;
        let fee_only = vec![(payer_key, payer.clone())];

        let fee_only_outcome = |err: TransactionError| TransactionOutcome {
            signature,
            result: Err(err),
            committed: true,
            logs: Vec::new(),
            compute_units_consumed: 0,
            return_data: None,
            fee,
        };

        let num_keys = message.account_keys.len();
        let mut accounts = TransactionAccounts {
            keys: message.account_keys.clone(),
            accounts: Vec::with_capacity(num_keys),
            is_signer: (0..num_keys).map(|i| message.is_signer(i)).collect(),
            is_writable: (0..num_keys).map(|i| message.is_writable(i)).collect(),
        };
        for (i, key) in message.account_keys.iter().enumerate() {
            let account = if i == 0 {
                payer.clone()
            } else if message.is_invoked(i) && !accounts.is_writable[i] {
                // Programs are read with their loader header only: the code
                // comes from the executor's cache.
                self.store.get_prefix(key, STATE_HEADER_LEN).unwrap_or_default()
            } else {
                self.store.get(key).unwrap_or_default()
            };
            accounts.accounts.push(account);
        }
        // Every invoked program must exist and be executable (or a builtin).
        for ix in &message.instructions {
            let index = ix.program_id_index as usize;
            let key = &message.account_keys[index];
            if is_builtin(key) {
                continue;
            }
            let program = &accounts.accounts[index];
            if program.lamports == 0 {
                timings.load_ns += load_started.elapsed().as_nanos() as u64;
                return Ok((fee_only_outcome(TransactionError::ProgramAccountNotFound), fee_only));
            }
            if !program.executable || program.owner != loader::ID {
                timings.load_ns += load_started.elapsed().as_nanos() as u64;
                return Ok((fee_only_outcome(TransactionError::InvalidProgramForExecution), fee_only));
            }
        }
        timings.load_ns += load_started.elapsed().as_nanos() as u64;

        let mut ctx = InvokeContext::new(accounts, budget.compute_unit_limit, self.clock());
        ctx.program_source = Some(self.program_source.clone());
        let mut result = Ok(());
        for (i, ix) in message.instructions.iter().enumerate() {
            let instruction_accounts: Vec<InstructionAccount> = ix
                .accounts
                .iter()
                .map(|&index| InstructionAccount {
                    tx_index: index as u16,
                    is_signer: ctx.accounts.is_signer[index as usize],
                    is_writable: ctx.accounts.is_writable[index as usize],
                })
                .collect();
            if let Err(err) = process_instruction(
                &self.executor,
                &mut ctx,
                ix.program_id_index as usize,
                &instruction_accounts,
                &ix.data,
            ) {
                result = Err(TransactionError::InstructionError(i as u8, err));
                break;
            }
        }
        timings.accumulate(&ctx.timings);

        let updates = if result.is_ok() {
            let accounts = std::mem::take(&mut ctx.accounts);
            accounts
                .keys
                .into_iter()
                .zip(accounts.accounts)
                .zip(accounts.is_writable)
                .filter(|(_, writable)| *writable)
                .map(|(pair, _)| pair)
                .collect()
        } else {
            fee_only
        };
        let outcome = TransactionOutcome {
            signature,
            result,
            committed: true,
            compute_units_consumed: ctx.compute_consumed(),
            logs: std::mem::take(&mut ctx.logs.lines),
            return_data: ctx.return_data.take(),
            fee,
        };
        Ok((outcome, updates))
    }
}

fn is_builtin(key: &Pubkey) -> bool {
    *key == system_program::ID || *key == compute_budget::ID || *key == loader::ID
}
