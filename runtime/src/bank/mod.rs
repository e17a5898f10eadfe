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
//! ([`crate::schedule`]) calls [`Bank::execute_and_commit`] from several
//! workers at once, and relies on the account locks it holds for the
//! transaction's accounts to make that safe. The bank must never commit a
//! change that a check refused, and never depend on anything but the ledger
//! (no wall clock, no randomness): the same transactions in the same order
//! give the same state and the same slot hash.

use crate::execution::invoke_context::{
    process_instruction, ExecuteTimings, InstructionAccount, InvokeContext, LogLine, ProgramSource, TransactionAccounts,
};
use crate::ingest::sanitize::SanitizedTransaction;
use crate::store::{AccountStore, StoreError};
use crate::vm::Executor;
use crossbeam_utils::CachePadded;
use lanes_sdk::clock::Clock;
use lanes_sdk::hash::{hashv, Hash};
use lanes_sdk::loader::STATE_HEADER_LEN;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{compute_budget, loader, system_program, Account, Pubkey, Signature};
use parking_lot::{Mutex, RwLock};
use std::collections::{HashMap, HashSet, VecDeque};

use std::sync::atomic::{
    AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};
use std::sync::Arc;
use std::time::Instant;

/// A blockhash is accepted for this many slots after it was made.
pub const MAX_BLOCKHASH_AGE: usize = 150;
/// Slots per epoch (Solana's).
pub const SLOTS_PER_EPOCH: u64 = 432_000;
/// Milliseconds per slot, for the deterministic clock.
pub const MS_PER_SLOT: i64 = 400;
/// Shards of the per-slot set of written accounts.
const DELTA_SHARDS: usize = 32;
/// Shard length (32 MiB of keys) from which repeated keys are dropped: a
/// slot that rewrites the same accounts for long keeps memory bounded.
const COMPACT_DELTA_AT: usize = 1 << 20;
/// Most program headers one thread keeps (a few KB).
const MAX_CACHED_PROGRAM_HEADERS: usize = 256;

/// What happened to one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionOutcome {
    pub signature: Signature,
    /// `Ok` if every instruction succeeded.
    pub result: Result<(), TransactionError>,
    /// Whether it was recorded (fee charged). Refused transactions are not.
    pub committed: bool,
    /// Log lines, structured; [`TransactionOutcome::log_messages`] renders them.
    pub logs: Vec<LogLine>,
    pub compute_units_consumed: u64,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
    pub fee: u64,
}

impl TransactionOutcome {
    /// The log as text, one string per line (as Solana's RPC returns it).
    pub fn log_messages(&self) -> Vec<String> {
        self.logs.iter().map(LogLine::to_string).collect()
    }

    /// An outcome for a transaction refused before its fee.
    pub fn refused(signature: Signature, err: TransactionError) -> Self {
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
    /// Verify ed25519 signatures in [`Bank::process_transaction`]. The
    /// parallel engine verifies them in its own stage.
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

/// Hashes a signature by its first eight bytes. Safe against chosen
/// collisions: an ed25519 signature's first half is a hash output the signer
/// cannot steer without grinding 2^64 messages.
#[derive(Debug, Default, Clone, Copy)]
pub struct SignatureHashState;

impl std::hash::BuildHasher for SignatureHashState {
    type Hasher = SignatureHasher;
    fn build_hasher(&self) -> SignatureHasher {
        SignatureHasher(0)
    }
}

/// Signatures seen under one blockhash, in shards, each kept as its first
/// [`SIGNATURE_KEY_LEN`] bytes (as Agave's status cache keeps 20 bytes of a
/// key): a quarter of the memory a whole signature takes, so the set grows
/// through a quarter of the fresh pages (page faults were a third of
/// admitting a transaction). Sixteen bytes of an ed25519 signature are a
/// hash output: making another transaction's prefix collide with one already
/// seen takes ~2^128 signing attempts, and a collision among one's own
/// transactions ~2^64.
///
/// Sharded because one set that grows by doubling rehashes everything it
/// holds at once: with a hundred thousand signatures that stalled the
/// scheduler for milliseconds, long enough for its workers to run dry.
#[derive(Default)]
struct SignatureSet {
    shards: Vec<HashSet<SignatureKey, SignatureHashState>>,
}

/// Bytes of a signature a [`SignatureSet`] keeps.
const SIGNATURE_KEY_LEN: usize = 16;

type SignatureKey = [u8; SIGNATURE_KEY_LEN];

/// Shards of a [`SignatureSet`].
const SIGNATURE_SET_SHARDS: usize = 256;

impl SignatureSet {
    fn shard(&mut self, key: &SignatureKey) -> &mut HashSet<SignatureKey, SignatureHashState> {
        if self.shards.is_empty() {
            self.shards = (0..SIGNATURE_SET_SHARDS).map(|_| HashSet::default()).collect();
        }
        // Byte 8: the set's hash is bytes 0-7.
        &mut self.shards[key[8] as usize % SIGNATURE_SET_SHARDS]
    }

    fn key(signature: &Signature) -> SignatureKey {
        let mut key = [0; SIGNATURE_KEY_LEN];
        key.copy_from_slice(&signature.0[..SIGNATURE_KEY_LEN]);
        key
    }

    /// Add `signature`; `false` if it was there already.
    fn insert(&mut self, signature: &Signature) -> bool {
        let key = Self::key(signature);
        self.shard(&key).insert(key)
    }

    fn remove(&mut self, signature: &Signature) {
        let key = Self::key(signature);
        self.shard(&key).remove(&key);
    }
}

/// See [`SignatureHashState`].
#[derive(Debug, Default, Clone, Copy)]
pub struct SignatureHasher(u64);

impl std::hash::Hasher for SignatureHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        if bytes.len() >= 8 && self.0 == 0 {
            let mut first = [0u8; 8];
            first.copy_from_slice(&bytes[..8]);
            self.0 = u64::from_le_bytes(first);
        } else {
            for b in bytes {
                self.0 = self.0.rotate_left(5) ^ *b as u64;
            }
        }
    }
    fn write_usize(&mut self, _len: usize) {
        // The array length prefix: the same for every signature.
    }
}

/// The hash of one account's state, as the slot hash covers it (zero for a
/// deleted account).
pub fn account_hash(key: &Pubkey, account: &Account) -> Hash {
    if account.lamports == 0 {
        return Hash::default();
    }
    hashv(&[
        &account.lamports.to_le_bytes(),
        &account.owner.0,
        &[account.executable as u8],
        &(account.data.len() as u64).to_le_bytes(),
        &account.data,
        &key.0,
    ])
}

/// A bank over an account store.
pub struct Bank {
    store: Arc<dyn AccountStore>,
    executor: Arc<Executor>,
    program_source: Arc<dyn ProgramSource>,
    config: BankConfig,
    slot: u64,
    /// Recent blockhashes, newest last.
    blockhashes: RwLock<VecDeque<Hash>>,
    /// Signatures committed (or being executed) under each valid blockhash.
    status_cache: Mutex<HashMap<Hash, SignatureSet>>,
    /// Accounts written in the current slot (hashed when the slot is
    /// frozen), as appended: a key may repeat. One shard per writing thread
    /// (round robin), so workers append without sharing a lock or hashing.
    slot_delta: Vec<CachePadded<Mutex<DeltaShard>>>,
    /// Hashes of finished slots.
    slot_hashes: Mutex<Vec<(u64, Hash)>>,
    collected_fees: AtomicU64,
    transaction_count: AtomicU64,
    timings: Mutex<ExecuteTimings>,
    /// One executor (engine) per parallel worker, forked from `executor`.
    worker_executors: Mutex<Vec<Arc<Executor>>>,
    /// Tells apart banks in [`PROGRAM_HEADERS`].
    id: u64,
    /// Bumped by every write that could change a program account; a
    /// thread's cached program headers are valid while it is unchanged.
    program_epoch: AtomicU64,
}

/// Keys one group of threads wrote in the current slot.
#[derive(Default)]
struct DeltaShard {
    keys: Vec<Pubkey>,
    /// Length after the last compaction (sort and dedup).
    compacted_len: usize,
}

static NEXT_BANK_ID: AtomicU64 = AtomicU64::new(1);

/// Program accounts (executable, header-only) each thread loaded, valid for
/// one bank and one program epoch. Every transaction reads its programs;
/// reading them from the shared store made both workers take the same
/// shard lock on every transaction, bouncing its cache line between cores.
struct ProgramHeaders {
    bank_id: u64,
    epoch: u64,
    accounts: HashMap<Pubkey, Account>,
}

thread_local! {
    static PROGRAM_HEADERS: std::cell::RefCell<ProgramHeaders> =
        std::cell::RefCell::new(ProgramHeaders { bank_id: 0, epoch: 0, accounts: HashMap::new() });
}

/// Whether writing `account` may change what a program load sees. Program
/// accounts are owned by the loader for life (only their owner could
/// reassign them, and the loader never does); an account removed for having
/// no lamports counts too.
fn may_change_a_program(account: &Account) -> bool {
    account.executable || account.owner == loader::ID || account.lamports == 0
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
            blockhashes: RwLock::new(VecDeque::from([genesis])),
            status_cache: Mutex::new(HashMap::new()),
            slot_delta: (0..DELTA_SHARDS).map(|_| CachePadded::new(Mutex::new(DeltaShard::default()))).collect(),
            slot_hashes: Mutex::new(Vec::new()),
            collected_fees: AtomicU64::new(0),
            transaction_count: AtomicU64::new(0),
            timings: Mutex::new(ExecuteTimings::default()),
            worker_executors: Mutex::new(Vec::new()),
            id: NEXT_BANK_ID.fetch_add(1, Relaxed),
            program_epoch: AtomicU64::new(0),
        }
    }

    pub fn slot(&self) -> u64 {
        self.slot
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
    pub fn last_blockhash(&self) -> Hash {
        *self.blockhashes.read().back().expect("the queue always holds the genesis hash or newer")
    }

    /// Whether `hash` is recent enough to be used.
    pub fn is_blockhash_valid(&self, hash: &Hash) -> bool {
        self.blockhashes.read().contains(hash)
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
            unix_timestamp: self.config.genesis_unix_timestamp + (self.slot as i64 * MS_PER_SLOT) / 1000,
        }
    }

    fn mark_written<'k>(&self, keys: impl IntoIterator<Item = &'k Pubkey>) {
        thread_local! {
            static DELTA_SHARD: usize = {
                static NEXT: AtomicU64 = AtomicU64::new(0);
                NEXT.fetch_add(1, Relaxed) as usize % DELTA_SHARDS
            };
        }
        let mut shard = self.slot_delta[DELTA_SHARD.with(|s| *s)].lock();
        shard.keys.extend(keys);
        if shard.keys.len() >= COMPACT_DELTA_AT.max(4 * shard.compacted_len) {
            // Amortized: the next compaction waits for the length to grow
            // fourfold past what this one keeps.
            shard.keys.sort_unstable();
            shard.keys.dedup();
            shard.compacted_len = shard.keys.len();
        }
    }

    /// The hash of the accounts changed so far in this slot: SHA-256 over the
    /// slot number and (key, [`account_hash`] of its current state) of each
    /// written account, in key order.
    pub fn slot_delta_hash(&self) -> Hash {
        let mut keys: Vec<Pubkey> = self.slot_delta.iter().flat_map(|shard| shard.lock().keys.clone()).collect();
        keys.sort_unstable();
        keys.dedup();
        let hashes: Vec<Hash> =
            keys.iter().map(|key| self.store.get(key).map(|a| account_hash(key, &a)).unwrap_or_default()).collect();
        let slot = self.slot.to_le_bytes();
        let mut parts: Vec<&[u8]> = Vec::with_capacity(keys.len() * 2 + 1);
        parts.push(&slot);
        for (key, hash) in keys.iter().zip(&hashes) {
            parts.push(&key.0);
            parts.push(&hash.0);
        }
        hashv(&parts)
    }

    /// Hashes of the slots finished so far, oldest first.
    pub fn slot_hashes(&self) -> Vec<(u64, Hash)> {
        self.slot_hashes.lock().clone()
    }

    /// Make everything committed in the current slot durable (a no-op for
    /// stores that keep nothing on disk). Call it once the slot's last
    /// transaction has returned and before moving to the next slot.
    pub fn commit_slot(&self) -> Result<(), BankError> {
        self.store.commit_slot(self.slot)?;
        Ok(())
    }

    /// Finish the current slot (recording its hash) and move to the next,
    /// with a new blockhash.
    pub fn advance_slot(&mut self) {
        self.warp_to_slot(self.slot + 1);
    }

    /// Finish the current slot and jump to `slot` (later than now) with one
    /// new blockhash.
    pub fn warp_to_slot(&mut self, slot: u64) {
        let hash = self.slot_delta_hash();
        self.slot_hashes.lock().push((self.slot, hash));
        for shard in &self.slot_delta {
            *shard.lock() = DeltaShard::default();
        }
        self.slot = slot.max(self.slot + 1);
        self.register_blockhash();
    }

    /// Make a new blockhash (derived from the previous one and the slot).
    pub fn register_blockhash(&self) {
        let mut queue = self.blockhashes.write();
        let last = *queue.back().expect("never empty");
        let next = hashv(&[&last.0, &self.slot.to_le_bytes(), &(queue.len() as u64).to_le_bytes()]);
        queue.push_back(next);
        while queue.len() > MAX_BLOCKHASH_AGE {
            if let Some(expired) = queue.pop_front() {
                self.status_cache.lock().remove(&expired);
            }
        }
    }

    /// The committed state of `key`.
    pub fn get_account(&self, key: &Pubkey) -> Option<Account> {
        self.store.get(key)
    }

    /// Write an account directly (genesis, tests). It counts toward the slot hash.
    pub fn set_account(&self, key: Pubkey, account: Account) -> Result<(), BankError> {
        self.mark_written([&key]);
        let changes_programs = may_change_a_program(&account);
        self.store.store_owned(self.slot, vec![(key, account)])?;
        if changes_programs {
            self.program_epoch.fetch_add(1, Release);
        }
        Ok(())
    }

    /// Check, execute and commit one transaction, on this thread.
    pub fn process_transaction(&self, tx: &Transaction) -> Result<TransactionOutcome, BankError> {
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
    pub fn simulate_transaction(&self, tx: &Transaction, verify_signatures: bool) -> TransactionOutcome {
        let mut timings = ExecuteTimings::default();
        let signature = tx.signature().copied().unwrap_or_default();
        let executed = self
            .sanitize_and_verify(tx, verify_signatures, &mut timings)
            .and_then(|sanitized| self.execute(&self.executor, &sanitized, &mut timings));
        match executed {
            Ok((outcome, _)) => outcome,
            Err(err) => TransactionOutcome::refused(signature, err),
        }
    }

    /// Sanitize a transaction and, if asked, check its signatures.
    fn sanitize_and_verify(
        &self,
        tx: &Transaction,
        verify_signatures: bool,
        timings: &mut ExecuteTimings,
    ) -> Result<SanitizedTransaction, TransactionError> {
        let sanitized = SanitizedTransaction::try_new(tx.clone())?;
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
    /// [`Bank::release_signature`] it if the transaction ends up refused.
    pub fn check_and_reserve(&self, tx: &SanitizedTransaction) -> Result<(), TransactionError> {
        let mut out = Vec::with_capacity(1);
        self.check_and_reserve_batch(std::slice::from_ref(tx), &mut out);
        out.pop().expect("one result per transaction")
    }

    /// [`Bank::check_and_reserve`] for many transactions, taking each lock once.
    pub fn check_and_reserve_batch(&self, txs: &[SanitizedTransaction], out: &mut Vec<Result<(), TransactionError>>) {
        let blockhashes = self.blockhashes.read();
        let mut status = self.status_cache.lock();
        // Transactions in a batch mostly share a blockhash: check it and
        // find its signature set once per run of equal blockhashes.
        let mut rest = txs;
        while let Some(first) = rest.first() {
            let blockhash = first.transaction().message.recent_blockhash;
            let run = rest.iter().take_while(|tx| tx.transaction().message.recent_blockhash == blockhash).count();
            let (same, next) = rest.split_at(run);
            rest = next;
            if !blockhashes.contains(&blockhash) {
                out.extend(same.iter().map(|_| Err(TransactionError::BlockhashNotFound)));
                continue;
            }
            let seen = status.entry(blockhash).or_default();
            out.extend(same.iter().map(|tx| {
                if seen.insert(tx.signature()) {
                    Ok(())
                } else {
                    Err(TransactionError::AlreadyProcessed)
                }
            }));
        }
    }

    /// Undo [`Bank::check_and_reserve`] for a transaction that was refused.
    pub fn release_signature(&self, tx: &SanitizedTransaction) {
        let blockhash = tx.transaction().message.recent_blockhash;
        if let Some(seen) = self.status_cache.lock().get_mut(&blockhash) {
            seen.remove(tx.signature());
        }
    }

    /// Execute a checked, reserved transaction and commit its effects. The
    /// caller must hold the transaction's account locks (or be the only
    /// thread executing). Releases the signature if the transaction is refused.
    pub fn execute_and_commit(
        &self,
        tx: &SanitizedTransaction,
        timings: &mut ExecuteTimings,
    ) -> Result<TransactionOutcome, BankError> {
        let outcome = self.execute_and_store(&self.executor, tx, timings)?;
        if outcome.committed {
            self.record_committed(1, outcome.fee);
        }
        Ok(outcome)
    }

    /// Count committed transactions and their fees (workers report in
    /// batches, so the shared counters are touched once per batch).
    pub fn record_committed(&self, transactions: u64, fees: u64) {
        self.collected_fees.fetch_add(fees, Relaxed);
        self.transaction_count.fetch_add(transactions, Relaxed);
    }

    /// The executor worker `index` runs programs with: each worker has an
    /// engine of its own (created on first use, kept for later slots).
    pub fn worker_executor(&self, index: usize) -> Result<Arc<Executor>, crate::vm::ProgramLoadError> {
        let mut workers = self.worker_executors.lock();
        while workers.len() <= index {
            workers.push(self.executor.fork()?);
        }
        Ok(workers[index].clone())
    }

    /// [`Bank::execute_and_commit`] without counting, on `executor`: the
    /// caller must [`Bank::record_committed`] what it commits.
    pub(crate) fn execute_and_store(
        &self,
        executor: &Arc<Executor>,
        tx: &SanitizedTransaction,
        timings: &mut ExecuteTimings,
    ) -> Result<TransactionOutcome, BankError> {
        match self.execute(executor, tx, timings) {
            Err(err) => {
                self.release_signature(tx);
                Ok(TransactionOutcome::refused(*tx.signature(), err))
            }
            Ok((outcome, updates)) => {
                let started = Instant::now();
                self.mark_written(updates.iter().map(|(key, _)| key));
                let changes_programs = updates.iter().any(|(_, account)| may_change_a_program(account));
                self.store.store_owned(self.slot, updates)?;
                // After the store, before the locks go: a transaction that
                // reads the program next is scheduled after this one reports.
                if changes_programs {
                    self.program_epoch.fetch_add(1, Release);
                }
                timings.commit_ns += started.elapsed().as_nanos() as u64;
                Ok(outcome)
            }
        }
    }

    /// A read-only account. Programs (invoked or passed for a cross-program
    /// call) are read with their loader header only: the code comes from the
    /// executor's cache, and contracts never see it; this thread keeps them
    /// until a write may have changed one.
    fn load_readonly(&self, key: &Pubkey) -> Account {
        let epoch = self.program_epoch.load(Acquire);
        PROGRAM_HEADERS.with(|cell| {
            let mut cache = cell.borrow_mut();
            if cache.bank_id != self.id || cache.epoch != epoch {
                cache.bank_id = self.id;
                cache.epoch = epoch;
                cache.accounts.clear();
            }
            if let Some(account) = cache.accounts.get(key) {
                return account.clone();
            }
            let account = self.store.get_executable_prefix(key, STATE_HEADER_LEN).unwrap_or_default();
            if account.executable && cache.accounts.len() < MAX_CACHED_PROGRAM_HEADERS {
                cache.accounts.insert(*key, account.clone());
            }
            account
        })
    }

    /// Load, charge, execute. `Err` means refused (nothing to commit); `Ok`
    /// carries the outcome and the account updates to commit.
    #[allow(clippy::type_complexity)]
    fn execute(
        &self,
        executor: &Arc<Executor>,
        tx: &SanitizedTransaction,
        timings: &mut ExecuteTimings,
    ) -> Result<(TransactionOutcome, Vec<(Pubkey, Account)>), TransactionError> {
        let message = &tx.transaction().message;
        let signature = *tx.signature();
        let fee = tx.fee();
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

        let fee_only = |err: TransactionError, payer: Account| {
            let outcome = TransactionOutcome {
                signature,
                result: Err(err),
                committed: true,
                logs: Vec::new(),
                compute_units_consumed: 0,
                return_data: None,
                fee,
            };
            (outcome, vec![(payer_key, payer)])
        };

        let num_keys = message.account_keys.len();
        let mut accounts = TransactionAccounts {
            keys: message.account_keys.clone(),
            accounts: Vec::with_capacity(num_keys),
            is_signer: (0..num_keys).map(|i| message.is_signer(i)).collect(),
            is_writable: (0..num_keys).map(|i| tx.is_writable(i)).collect(),
        };
        for (i, key) in message.account_keys.iter().enumerate() {
            let account = if i == 0 {
                payer.clone()
            } else if !accounts.is_writable[i] {
                self.load_readonly(key)
            } else {
                self.store.get(key).unwrap_or_default()
            };
            accounts.accounts.push(account);
        }
        // Every invoked program must exist and be executable (or a builtin).
        for ix in &message.instructions {
            let index = ix.program_id_index as usize;
            if is_builtin(&message.account_keys[index]) {
                continue;
            }
            let program = &accounts.accounts[index];
            let refusal = if program.lamports == 0 {
                Some(TransactionError::ProgramAccountNotFound)
            } else if !program.executable || program.owner != loader::ID {
                Some(TransactionError::InvalidProgramForExecution)
            } else {
                None
            };
            if let Some(err) = refusal {
                timings.load_ns += load_started.elapsed().as_nanos() as u64;
                return Ok(fee_only(err, payer));
            }
        }
        timings.load_ns += load_started.elapsed().as_nanos() as u64;

        let mut ctx = InvokeContext::new(accounts, tx.compute_budget().compute_unit_limit, self.clock());
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
            if let Err(err) =
                process_instruction(executor, &mut ctx, ix.program_id_index as usize, &instruction_accounts, &ix.data)
            {
                result = Err(TransactionError::InstructionError(i as u8, err));
                break;
            }
        }
        timings.accumulate(&ctx.timings);

        let compute_units_consumed = ctx.compute_consumed();
        let logs = std::mem::take(&mut ctx.logs.lines);
        let return_data = ctx.return_data.take();
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
            vec![(payer_key, payer)]
        };
        let outcome =
            TransactionOutcome { signature, result, committed: true, logs, compute_units_consumed, return_data, fee };
        Ok((outcome, updates))
    }
}

fn is_builtin(key: &Pubkey) -> bool {
    *key == system_program::ID || *key == compute_budget::ID || *key == loader::ID
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_set_tells_signatures_apart_by_their_first_sixteen_bytes() {
        let mut set = SignatureSet::default();
        let signature = |first: u8, fifteenth: u8, last: u8| {
            let mut bytes = [7u8; 64];
            bytes[0] = first;
            bytes[15] = fifteenth;
            bytes[63] = last;
            Signature(bytes)
        };
        assert!(set.insert(&signature(1, 0, 0)));
        assert!(!set.insert(&signature(1, 0, 0)), "the same signature again");
        assert!(set.insert(&signature(1, 1, 0)), "differs in byte 15");
        assert!(set.insert(&signature(2, 0, 0)), "differs in byte 0");
        // What the set keeps: a signature equal in its first 16 bytes counts
        // as seen (producing one takes ~2^128 signing attempts).
        assert!(!set.insert(&signature(1, 0, 9)));
        set.remove(&signature(1, 0, 0));
        assert!(set.insert(&signature(1, 0, 0)), "released, it may be processed again");
    }
}
