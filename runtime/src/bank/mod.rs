//! The bank: checks, executes and commits transactions against an
//! [`AccountStore`], and keeps what a slot needs — recent blockhashes, the
//! status cache, fees, and the hash of the accounts the slot changed.
//!
//! For each transaction: sanitize (see [`SanitizedTransaction`]), verify
//! signatures, check the recent blockhash and that the signature was not
//! already processed, charge the fee (5000 lamports per signature plus the
//! priority fee), load accounts, run each instruction, and commit —
//! everything on success, only the fee payer's debit on failure.
//! Transactions refused before the fee (bad signature, unknown blockhash, a
//! payer that cannot pay, …) change nothing and are not recorded.
//!
//! Every method but the slot changes takes `&self`: the parallel engine
//! ([`crate::schedule`]) executes and commits from several workers at once,
//! each with its own [`Worker`], and relies on the account locks it holds
//! for the transaction's accounts to make that safe. The bank must never commit a
//! change that a check refused, and never depend on anything but the ledger
//! (no wall clock, no randomness): the same transactions in the same order
//! give the same state and the same slot hash.

mod account_loader;
mod address_loader;
mod blockhash_queue;
mod commit;
pub use commit::SlotCommit;
mod nonce;
mod outcome;
pub mod program_accounts;
mod resume;
mod slot_hash;
mod status_cache;
mod worker;

pub use blockhash_queue::MAX_BLOCKHASH_AGE;
pub use outcome::{AccountChange, TransactionOutcome};
pub use slot_hash::{account_hash, MAX_SLOT_HASHES};
pub use status_cache::{SignatureHashState, SignatureHasher};
pub use worker::Worker;

use crate::execution::compute_budget::loaded_accounts_data_cost;
use crate::execution::message_processor::process_message;
use crate::ingest::sanitize::SanitizedTransaction;
use crate::store::{AccountStore, StoreError};
use crate::transaction_context::{check_rent_transition, ExecuteTimings, ProgramSource, RentState, TransactionContext};
use crate::vm::{CompiledProgram, Executor};
use account_loader::LoadedTransaction;
use blockhash_queue::BlockhashQueue;
use lanes_sdk::clock::Clock;
use lanes_sdk::hash::{hashv, Hash};
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{Account, Pubkey};
use parking_lot::Mutex;
use slot_hash::SlotDelta;
use status_cache::StatusCache;
use std::collections::VecDeque;
use std::sync::atomic::{
    AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};
use std::sync::Arc;
use std::time::Instant;

/// Slots per epoch (Solana's).
pub const SLOTS_PER_EPOCH: u64 = 432_000;
/// Milliseconds per slot, for the deterministic clock.
pub const MS_PER_SLOT: i64 = 400;

/// Bank settings.
#[derive(Debug, Clone)]
pub struct BankConfig {
    /// Verify ed25519 signatures in [`Bank::process_transaction`]. The
    /// parallel engine verifies them in its own stage.
    pub verify_signatures: bool,
    /// Unix time of slot 0.
    pub genesis_unix_timestamp: i64,
    /// Seed of the first blockhash (distinguishes ledgers).
    pub genesis_seed: [u8; 32],
    /// Refuse a transaction whose blockhash is not recent
    /// (`BlockhashNotFound`). Off only in tests (the harness's
    /// `with_blockhash_check(false)`): any blockhash is then accepted.
    pub check_blockhash: bool,
    /// Refuse a signature already processed under its blockhash
    /// (`AlreadyProcessed`). Off only in tests (the harness's
    /// `with_transaction_history(false)`): the same transaction may run again.
    pub reject_replays: bool,
    /// Put each committed transaction's write-locked accounts, before and
    /// after, in its outcome ([`TransactionOutcome::account_changes`]):
    /// what an explorer shows. Off by default: it copies account data on
    /// the workers.
    pub record_account_changes: bool,
}

impl Default for BankConfig {
    fn default() -> Self {
        BankConfig {
            verify_signatures: true,
            genesis_unix_timestamp: 1_700_000_000,
            genesis_seed: [0; 32],
            check_blockhash: true,
            reject_replays: true,
            record_account_changes: false,
        }
    }
}

/// Why the bank could not commit.
#[derive(Debug, thiserror::Error)]
pub enum BankError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a transaction reads of the chain beyond its own accounts: program
/// code, and the recent slots (the lookup table program's).
struct StoreSource {
    store: Arc<dyn AccountStore>,
    slot_hashes: Arc<Mutex<VecDeque<(u64, Hash)>>>,
}

impl ProgramSource for StoreSource {
    fn load_program_account(&self, key: &Pubkey) -> Option<Account> {
        self.store.get(key)
    }

    fn slot_hash_position(&self, slot: u64) -> Option<usize> {
        slot_hash_position(&self.slot_hashes.lock(), slot)
    }
}

/// Where `slot` stands among `hashes` (oldest first), newest first: Solana's
/// `SlotHashes::position`.
fn slot_hash_position(hashes: &VecDeque<(u64, Hash)>, slot: u64) -> Option<usize> {
    hashes.iter().rev().position(|&(s, _)| s == slot)
}

/// A bank over an account store.
pub struct Bank {
    store: Arc<dyn AccountStore>,
    executor: Arc<Executor>,
    program_source: Arc<dyn ProgramSource>,
    config: BankConfig,
    /// Seconds added to the deterministic clock ([`Bank::set_unix_timestamp`]).
    clock_offset_seconds: i64,
    slot: u64,
    blockhashes: BlockhashQueue,
    status_cache: StatusCache,
    /// Accounts written in the current slot (hashed when the slot is finished).
    slot_delta: SlotDelta,
    /// Hashes of finished slots, oldest first (shared with the program
    /// source, for the lookup table program).
    slot_hashes: Arc<Mutex<VecDeque<(u64, Hash)>>>,
    /// Lookup tables decoded in this slot.
    lookup_tables: address_loader::LookupTableCache,
    collected_fees: AtomicU64,
    transaction_count: AtomicU64,
    timings: Mutex<ExecuteTimings>,
    /// The parallel engine's workers between runs, by index (a worker
    /// taken for a run is `None` until it is given back).
    workers: Mutex<Vec<Option<Worker>>>,
    /// The worker of the one-thread path and of simulation.
    root_worker: Mutex<Worker>,
    /// What this bank's workers point at to say whose they are.
    identity: Arc<()>,
    /// Bumped whenever the recent blockhashes change; a worker's copy of
    /// the latest blockhash is valid while it is unchanged.
    blockhash_epoch: AtomicU64,
    /// Bumped by every write that could change a program account; a
    /// thread's cached program headers are valid while it is unchanged.
    program_epoch: AtomicU64,
}

impl Bank {
    pub fn new(store: Arc<dyn AccountStore>, executor: Arc<Executor>, config: BankConfig) -> Self {
        let genesis = hashv(&[b"lanes genesis", &config.genesis_seed]);
        let identity = Arc::new(());
        let slot_hashes = Arc::new(Mutex::new(VecDeque::new()));
        Bank {
            program_source: Arc::new(StoreSource { store: store.clone(), slot_hashes: slot_hashes.clone() }),
            store,
            executor: executor.clone(),
            config,
            clock_offset_seconds: 0,
            slot: 0,
            blockhashes: BlockhashQueue::new(genesis),
            status_cache: StatusCache::default(),
            slot_delta: SlotDelta::default(),
            slot_hashes,
            lookup_tables: Default::default(),
            collected_fees: AtomicU64::new(0),
            transaction_count: AtomicU64::new(0),
            timings: Mutex::new(ExecuteTimings::default()),
            workers: Mutex::new(Vec::new()),
            root_worker: Mutex::new(Worker {
                index: 0,
                executor: executor.clone(),
                program_headers: Default::default(),
                program_epoch: 0,
                program_source: None,
                latest_blockhash: (u64::MAX, Hash::default()),
                bank: identity.clone(),
            }),
            identity,
            program_epoch: AtomicU64::new(0),
            blockhash_epoch: AtomicU64::new(0),
        }
    }

    /// The latest blockhash, from `worker`'s copy while the blockhashes are
    /// unchanged (a load of a counter no one writes mid-batch, not a lock).
    fn worker_latest_blockhash(&self, worker: &mut Worker) -> Hash {
        let epoch = self.blockhash_epoch.load(Acquire);
        if worker.latest_blockhash.0 != epoch {
            worker.latest_blockhash = (epoch, self.latest_blockhash());
        }
        worker.latest_blockhash.1
    }

    pub fn slot(&self) -> u64 {
        self.slot
    }

    /// The harness's builders change checks before a test sends anything.
    #[cfg(feature = "harness")]
    pub(crate) fn config_mut(&mut self) -> &mut BankConfig {
        &mut self.config
    }

    /// Turn [`BankConfig::record_account_changes`] on or off (between batches).
    pub fn set_record_account_changes(&mut self, on: bool) {
        self.config.record_account_changes = on;
    }

    pub fn config(&self) -> &BankConfig {
        &self.config
    }

    pub fn executor(&self) -> &Arc<Executor> {
        &self.executor
    }

    /// The account store, to read. Write through the bank
    /// ([`Bank::set_account`], transactions), and through one live bank per
    /// store: it tracks the slot's written keys and the program epoch that
    /// per-thread program caches rely on.
    pub fn store(&self) -> &Arc<dyn AccountStore> {
        &self.store
    }

    /// The newest blockhash: what new transactions should reference.
    pub fn latest_blockhash(&self) -> Hash {
        self.blockhashes.latest()
    }

    /// Whether `hash` is recent enough to be used.
    pub fn is_blockhash_valid(&self, hash: &Hash) -> bool {
        self.blockhashes.valid().contains(hash)
    }

    /// Fees charged so far.
    pub fn collected_fees(&self) -> u64 {
        self.collected_fees.load(Relaxed)
    }

    /// Transactions committed so far.
    pub fn transaction_count(&self) -> u64 {
        self.transaction_count.load(Relaxed)
    }

    /// Where execution time went so far.
    pub fn timings(&self) -> ExecuteTimings {
        *self.timings.lock()
    }

    pub fn add_timings(&self, timings: &ExecuteTimings) {
        self.timings.lock().accumulate(timings);
    }

    pub fn reset_timings(&self) {
        *self.timings.lock() = ExecuteTimings::default();
    }

    /// The deterministic clock of the current slot.
    pub fn clock(&self) -> Clock {
        Clock {
            slot: self.slot,
            epoch_start_timestamp: self.config.genesis_unix_timestamp,
            epoch: self.slot / SLOTS_PER_EPOCH,
            leader_schedule_epoch: self.slot / SLOTS_PER_EPOCH + 1,
            unix_timestamp: self
                .config
                .genesis_unix_timestamp
                .saturating_add((self.slot as i64 * MS_PER_SLOT) / 1000)
                .saturating_add(self.clock_offset_seconds),
        }
    }

    /// Move the clock so that the current slot reads `unix_timestamp`; it
    /// advances with the slots from there. The harness's
    /// `set_unix_timestamp`, and a node's `lanesSetClock` (which records it
    /// in its ledger, so a replay moves the clock in the same place).
    pub fn set_unix_timestamp(&mut self, unix_timestamp: i64) {
        self.clock_offset_seconds = 0;
        self.clock_offset_seconds = unix_timestamp.saturating_sub(self.clock().unix_timestamp);
    }

    /// Make a new blockhash (derived from the previous one and the slot);
    /// the signatures of blockhashes that expire are forgotten.
    pub fn register_blockhash(&self) {
        let expired = self.blockhashes.register(self.slot);
        self.blockhash_epoch.fetch_add(1, Release);
        for expired in expired {
            self.status_cache.expire(&expired);
        }
    }

    /// The committed state of `key`.
    pub fn get_account(&self, key: &Pubkey) -> Option<Account> {
        self.store.get(key)
    }

    /// Check, execute and commit one transaction (legacy or v0, owned or
    /// borrowed), on this thread.
    pub fn process_transaction(&self, tx: impl Into<VersionedTransaction>) -> Result<TransactionOutcome, BankError> {
        let tx: VersionedTransaction = tx.into();
        let started = Instant::now();
        let mut timings = ExecuteTimings::default();
        let signature = tx.signature().copied().unwrap_or_default();
        let checked = self
            .sanitize_and_verify(tx, self.config.verify_signatures, &mut timings)
            .and_then(|sanitized| self.check_and_reserve(&sanitized).map(|()| sanitized));
        let outcome = match checked {
            Err(err) => TransactionOutcome::refused(signature, err),
            Ok(sanitized) => self.execute_and_commit(&sanitized, &mut timings)?,
        };
        timings.total_ns += started.elapsed().as_nanos() as u64;
        self.add_timings(&timings);
        Ok(outcome)
    }

    /// Run a transaction without committing anything. Signatures are checked
    /// only if `verify_signatures`; the status cache is not consulted.
    pub fn simulate_transaction(
        &self,
        tx: impl Into<VersionedTransaction>,
        verify_signatures: bool,
    ) -> TransactionOutcome {
        // What it deployed was dropped with `Executed`: a simulation keeps nothing.
        self.simulate_transaction_with_accounts(tx, verify_signatures).0
    }

    /// [`Bank::simulate_transaction`], with the accounts it would write as
    /// it would leave them (none if it fails).
    pub fn simulate_transaction_with_accounts(
        &self,
        tx: impl Into<VersionedTransaction>,
        verify_signatures: bool,
    ) -> (TransactionOutcome, Vec<(Pubkey, Account)>) {
        let tx: VersionedTransaction = tx.into();
        let mut timings = ExecuteTimings::default();
        let signature = tx.signature().copied().unwrap_or_default();
        let executed = self
            .sanitize_and_verify(tx, verify_signatures, &mut timings)
            .and_then(|sanitized| self.execute(&mut self.root_worker.lock(), &sanitized, &mut timings));
        match executed {
            Ok(executed) if executed.outcome.result.is_ok() => (executed.outcome, executed.updates),
            Ok(executed) => (executed.outcome, Vec::new()),
            Err(err) => (TransactionOutcome::refused(signature, err), Vec::new()),
        }
    }

    /// What the bank's checks would say of `tx` now, reserving nothing: a
    /// blockhash that is not recent is `BlockhashNotFound`, a signature
    /// already processed under it `AlreadyProcessed` (what a node's
    /// preflight reports before simulating).
    pub fn check_age_and_status(&self, tx: &VersionedTransaction) -> Result<(), TransactionError> {
        let blockhash = *tx.message.recent_blockhash();
        if self.config.check_blockhash && !self.is_blockhash_valid(&blockhash) {
            // A durable nonce: its account must be a static key here (clients
            // never load it from a table; the full check runs at admission).
            let keys = tx.message.static_account_keys();
            let is_writable = |i: usize| tx.message.is_maybe_writable(i);
            return match self.usable_nonce(&tx.message, keys, is_writable, &self.latest_blockhash()) {
                Some(_) => Ok(()),
                None => Err(TransactionError::BlockhashNotFound),
            };
        }
        match tx.signature() {
            Some(signature) if self.config.reject_replays && self.status_cache.contains(&blockhash, signature) => {
                Err(TransactionError::AlreadyProcessed)
            }
            _ => Ok(()),
        }
    }

    /// Sanitize a transaction and, if asked, check its signatures.
    fn sanitize_and_verify(
        &self,
        tx: VersionedTransaction,
        verify_signatures: bool,
        timings: &mut ExecuteTimings,
    ) -> Result<SanitizedTransaction, TransactionError> {
        let sanitized = SanitizedTransaction::try_new(tx, self)?;
        if verify_signatures {
            self.verify_signatures(&sanitized, timings)?;
        }
        Ok(sanitized)
    }

    /// Check every signature (strict ed25519).
    pub fn verify_signatures(
        &self,
        tx: &SanitizedTransaction,
        timings: &mut ExecuteTimings,
    ) -> Result<(), TransactionError> {
        let started = Instant::now();
        let ok = tx.transaction().verify();
        timings.sigverify_ns += started.elapsed().as_nanos() as u64;
        if ok {
            Ok(())
        } else {
            Err(TransactionError::SignatureFailure)
        }
    }

    /// Refuse a stale or unknown blockhash and a signature already processed
    /// (or being processed); otherwise reserve the signature. Callers must
    /// Refuse a stale or unknown blockhash and a signature already processed
    /// (or being processed); otherwise reserve the signature. Callers must
    /// [`Bank::release_signature`] it if the transaction ends up refused.
    pub fn check_and_reserve(&self, tx: &SanitizedTransaction) -> Result<(), TransactionError> {
        let mut out = Vec::with_capacity(1);
        self.check_and_reserve_batch(std::slice::from_ref(tx), &mut out);
        out.pop().expect("one result per transaction")
    }

    /// [`Bank::check_and_reserve`] for many transactions, taking each lock
    /// once per run of transactions that share a blockhash.
    pub fn check_and_reserve_batch(&self, txs: &[SanitizedTransaction], out: &mut Vec<Result<(), TransactionError>>) {
        // Held to the end: a blockhash found valid stays valid until every
        // signature under it is reserved.
        let valid = self.blockhashes.valid();
        let mut rest = txs;
        while let Some(first) = rest.first() {
            let blockhash = *first.recent_blockhash();
            let run = rest.iter().take_while(|tx| *tx.recent_blockhash() == blockhash).count();
            let (same, next) = rest.split_at(run);
            rest = next;
            if self.config.check_blockhash && !valid.contains(&blockhash) {
                // Not recent: admitted only on a durable nonce it may use,
                // with nothing reserved (the nonce itself refuses replays).
                let latest = *valid.back().expect("the queue always holds a blockhash");
                out.extend(same.iter().map(|tx| {
                    match self.usable_nonce(tx.message(), tx.account_keys(), |i| tx.is_writable(i), &latest) {
                        Some(_) => Ok(()),
                        None => Err(TransactionError::BlockhashNotFound),
                    }
                }));
                continue;
            }
            if !self.config.reject_replays {
                out.extend(same.iter().map(|_| Ok(())));
                continue;
            }
            self.status_cache.reserve_all(blockhash, same.iter().map(|tx| tx.signature()), |fresh| {
                out.push(if fresh { Ok(()) } else { Err(TransactionError::AlreadyProcessed) })
            });
        }
    }

    /// Undo [`Bank::check_and_reserve`] for a transaction that was refused.
    pub fn release_signature(&self, tx: &SanitizedTransaction) {
        self.status_cache.release(tx.recent_blockhash(), tx.signature());
    }

    /// Load, charge, execute. `Err` means refused (nothing to commit).
    fn execute(
        &self,
        worker: &mut Worker,
        tx: &SanitizedTransaction,
        timings: &mut ExecuteTimings,
    ) -> Result<Executed, TransactionError> {
        let signature = *tx.signature();
        let fee = tx.fee();
        // A transaction admitted on its durable nonce: verified again under
        // its locks (a copy committed since has advanced it), and the
        // advanced nonce committed even if it fails.
        let nonce = if tx.message().uses_durable_nonce() && !self.is_blockhash_valid(tx.recent_blockhash()) {
            let latest = self.latest_blockhash();
            let usable = self.usable_nonce(tx.message(), tx.account_keys(), |i| tx.is_writable(i), &latest);
            match usable {
                Some(nonce) => Some(nonce),
                None if self.config.check_blockhash => return Err(TransactionError::BlockhashNotFound),
                None => None,
            }
        } else {
            None
        };
        let load_started = Instant::now();
        let loaded = self.load_transaction(worker, tx);
        timings.load_ns += load_started.elapsed().as_nanos() as u64;
        let (accounts, fee_payer, loading_cost) = match loaded? {
            LoadedTransaction::Ready { accounts, payer, loaded_data_bytes, copied_data_bytes } => {
                (accounts, payer, loaded_accounts_data_cost(loaded_data_bytes, copied_data_bytes))
            }
            LoadedTransaction::FeeOnly { err, payer } => {
                // Only the payer changes: the others' balances as stored.
                let keys = tx.account_keys();
                let post_balances: Vec<u64> = std::iter::once(payer.1.lamports)
                    .chain(keys.iter().skip(1).map(|key| self.store.get_prefix(key, 0).map_or(0, |a| a.lamports)))
                    .collect();
                let mut pre_balances = post_balances.clone();
                pre_balances[0] = pre_balances[0].saturating_add(fee);
                let account_changes = if self.config.record_account_changes {
                    let mut before = payer.1.clone();
                    before.lamports = before.lamports.saturating_add(fee);
                    vec![AccountChange { key: payer.0, before, after: payer.1.clone() }]
                } else {
                    Vec::new()
                };
                let outcome = TransactionOutcome {
                    signature,
                    result: Err(err),
                    committed: true,
                    logs: Vec::new(),
                    compute_units_consumed: 0,
                    return_data: None,
                    fee,
                    pre_balances,
                    post_balances,
                    inner_instructions: Vec::new(),
                    loaded_addresses: tx.loaded_addresses().clone(),
                    account_changes,
                };
                let mut updates = vec![payer];
                updates.extend(nonce);
                return Ok(Executed { outcome, updates, deployed: Vec::new() });
            }
        };

        // Only when asked: a copy of every write-locked account as loaded
        // (the payer before its fee).
        let before: Vec<(Pubkey, Account)> = if self.config.record_account_changes {
            let mut before: Vec<(Pubkey, Account)> = (accounts.keys.iter().zip(&accounts.accounts))
                .zip(&accounts.is_writable)
                .filter(|(_, writable)| **writable)
                .map(|((key, account), _)| (*key, account.clone()))
                .collect();
            if let Some((_, payer)) = before.first_mut().filter(|(key, _)| *key == fee_payer.0) {
                payer.lamports = payer.lamports.saturating_add(fee);
            }
            before
        } else {
            Vec::new()
        };
        let mut ctx = TransactionContext::new(accounts, tx.compute_budget().compute_unit_limit, self.clock());
        // Lent from the worker and handed back: no shared reference count
        // or lock is touched per transaction.
        ctx.program_source = worker.program_source.take().or_else(|| Some(self.program_source.clone()));
        ctx.blockhash = self.worker_latest_blockhash(worker);
        // Loading is charged before anything runs (the loader refused a
        // transaction whose limit cannot pay for it).
        let result = match ctx.consume(loading_cost) {
            Ok(()) => process_message(&worker.executor, &mut ctx, tx.instructions()),
            Err(err) => Err(TransactionError::InstructionError(0, err)),
        };
        worker.program_source = ctx.program_source.take();
        let result = result.and_then(|()| check_rent(&ctx));
        let mut deployed = worker.executor.take_deployed();
        timings.accumulate(&ctx.timings);

        let compute_units_consumed = ctx.compute_consumed();
        let logs = std::mem::take(&mut ctx.logs.lines);
        let return_data = ctx.return_data.take();
        let inner_instructions = std::mem::take(&mut ctx.inner_instructions);
        // As loaded, the payer's after its fee.
        let loaded_balances: Vec<u64> = ctx.loaded.iter().map(|&(lamports, _)| lamports).collect();
        let mut pre_balances = loaded_balances.clone();
        if let Some(payer) = pre_balances.first_mut() {
            *payer = payer.saturating_add(fee);
        }
        let (updates, post_balances) = if result.is_ok() {
            let post_balances = ctx.accounts.accounts.iter().map(|account| account.lamports).collect();
            (std::mem::take(&mut ctx.accounts).into_writable(), post_balances)
        } else {
            deployed.clear();
            let mut updates = vec![fee_payer];
            updates.extend(nonce);
            (updates, loaded_balances)
        };
        // Accounts a failed transaction does not commit stay as they were.
        let account_changes = before
            .into_iter()
            .map(|(key, before)| {
                let after = updates.iter().find(|(k, _)| *k == key).map_or_else(|| before.clone(), |(_, a)| a.clone());
                AccountChange { key, before, after }
            })
            .collect();
        let outcome = TransactionOutcome {
            signature,
            result,
            committed: true,
            logs,
            compute_units_consumed,
            return_data,
            fee,
            pre_balances,
            post_balances,
            inner_instructions,
            loaded_addresses: tx.loaded_addresses().clone(),
            account_changes,
        };
        Ok(Executed { outcome, updates, deployed })
    }
}

/// The rent rule over every account the transaction could write: each is
/// empty, rent-exempt, or short of exempt as it was loaded, at the same
/// size and no richer.
fn check_rent(ctx: &TransactionContext) -> Result<(), TransactionError> {
    let accounts = &ctx.accounts;
    for (i, (account, &(lamports, data_len))) in accounts.accounts.iter().zip(&ctx.loaded).enumerate() {
        if !accounts.is_writable[i] {
            continue;
        }
        let pre = RentState::of(lamports, data_len);
        let post = RentState::of(account.lamports, account.data.len());
        if !check_rent_transition(pre, post) {
            // At most 256 keys in a message (MAX_TX_ACCOUNT_LOCKS is 128).
            let account_index = u8::try_from(i).unwrap_or(u8::MAX);
            return Err(TransactionError::InsufficientFundsForRent { account_index });
        }
    }
    Ok(())
}

/// An executed transaction, before it is committed.
struct Executed {
    outcome: TransactionOutcome,
    /// Every writable account if the transaction succeeded, else only the
    /// fee payer's debit.
    updates: Vec<(Pubkey, Account)>,
    /// Programs it deployed, for the executor to keep once it commits.
    deployed: Vec<Arc<CompiledProgram>>,
}
