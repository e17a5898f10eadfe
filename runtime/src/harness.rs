//! An in-process test harness for contract authors, in the spirit of
//! LiteSVM: a bank over an in-memory store, with helpers to fund accounts,
//! deploy `.wasm` programs, send or simulate transactions, read and write
//! accounts, and move through slots.
//!
//! ```no_run
//! use lanes_runtime::harness::Harness;
//! use lanes_sdk::{client::Keypair, system_instruction, Pubkey};
//!
//! let mut h = Harness::new();
//! let payer = Keypair::new();
//! h.airdrop(&payer.pubkey(), 1_000_000_000);
//! let to = Pubkey::new_unique_from_u64(1);
//! let meta = h.send(&[system_instruction::transfer(&payer.pubkey(), &to, 5)], &payer, &[]).unwrap();
//! assert_eq!(h.get_balance(&to), 5);
//! println!("{:?}", meta.logs);
//! ```
//!
//! Every harness in a process shares one [`Executor`], so a program is
//! compiled once however many tests deploy it.

use crate::bank::{Bank, BankConfig, TransactionOutcome};
use crate::execution::builtins::loader::immutable_program_account;
use crate::store::{AccountStore, InMemoryAccountStore};
pub use crate::transaction_context::{InnerInstruction, InnerInstructions};
use crate::vm::{Executor, ExecutorConfig, ProgramLoadError};
use lanes_sdk::address_lookup_table::state::AddressLookupTable;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::loader;
use lanes_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::transaction::{Transaction, VersionedTransaction};
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, system_program, Account, Instruction, Pubkey, Signature};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// What a successful transaction produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionMeta {
    pub signature: Signature,
    pub logs: Vec<String>,
    pub compute_units_consumed: u64,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
    pub fee: u64,
    /// The cross-program calls each top-level instruction made.
    pub inner_instructions: Vec<InnerInstructions>,
}

/// What a simulated transaction would do: its [`TransactionMeta`] (also
/// reached through `Deref`) and the accounts it would write, as it would
/// leave them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedTransaction {
    pub meta: TransactionMeta,
    pub post_accounts: Vec<(Pubkey, Account)>,
}

impl std::ops::Deref for SimulatedTransaction {
    type Target = TransactionMeta;
    fn deref(&self) -> &TransactionMeta {
        &self.meta
    }
}

/// A transaction that failed (or was refused), with what it produced.
/// `Debug` is its `Display` — the error, then the logs one a line — so a
/// test's `unwrap()` shows what the program said.
#[derive(Clone, PartialEq, Eq)]
pub struct FailedTransaction {
    pub err: TransactionError,
    /// Boxed to keep `Result<TransactionMeta, FailedTransaction>` small.
    pub meta: Box<TransactionMeta>,
}

impl std::fmt::Display for FailedTransaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "transaction failed: {}", self.err)?;
        for line in &self.meta.logs {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for FailedTransaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl FailedTransaction {
    /// The custom error code the failing instruction returned, if it was one
    /// (`ProgramError::Custom`; compare with your error enum's `code()`).
    pub fn custom_code(&self) -> Option<u32> {
        match self.err {
            TransactionError::InstructionError(_, InstructionError::Custom(code)) => Some(code),
            _ => None,
        }
    }
}

impl std::error::Error for FailedTransaction {}

/// A test fixture that owns a harness and a fee payer: implement
/// [`WithPayer::harness_and_payer`] and get `send`, `ok` and `fails`, each
/// sending as that payer at a fresh blockhash (so repeating instructions is
/// never a replay).
pub trait WithPayer {
    /// The fixture's harness and the payer its transactions use.
    fn harness_and_payer(&mut self) -> (&mut Harness, &Keypair);

    /// Send; the outcome either way.
    fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TransactionMeta, FailedTransaction> {
        let (harness, payer) = self.harness_and_payer();
        harness.expire_blockhash();
        harness.send(instructions, payer, signers)
    }

    /// Send and expect success ([`Harness::expect_ok`]).
    #[track_caller]
    fn ok(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> TransactionMeta {
        let (harness, payer) = self.harness_and_payer();
        harness.expect_ok(instructions, payer, signers)
    }

    /// Send, expect instruction 0 to fail with `expected`, and check that
    /// nothing in `watched` changed ([`Harness::expect_err`]).
    #[track_caller]
    fn fails(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        expected: InstructionError,
        watched: &[Pubkey],
    ) {
        let (harness, payer) = self.harness_and_payer();
        harness
            .expect_err(instructions, payer, signers, TransactionError::InstructionError(0, expected))
            .unchanged(watched);
    }
}

/// A transaction that failed as a test expected ([`Harness::expect_err`]),
/// with every account as it was before it.
#[must_use = "say which accounts the failed transaction must have left unchanged"]
pub struct Refused<'h> {
    harness: &'h Harness,
    before: HashMap<Pubkey, Account>,
    pub failed: FailedTransaction,
}

impl Refused<'_> {
    /// Check that each of `keys` is byte for byte as before the transaction.
    #[track_caller]
    pub fn unchanged(self, keys: &[Pubkey]) -> FailedTransaction {
        for key in keys {
            assert_eq!(
                self.harness.get_account(key).as_ref(),
                self.before.get(key),
                "a failed transaction changed {key}"
            );
        }
        self.failed
    }
}

/// The `.wasm` of the contract crate whose tests call this, built now if
/// its sources changed (`lanes_build::wasm_of_crate`): a contract's tests
/// never run a stale binary. `Err` with cargo's output above if it does
/// not build.
///
/// ```ignore
/// let mut h = Harness::new();
/// h.add_program(my_program::ID, &lanes_runtime::contract_wasm!()?)?;
/// ```
#[macro_export]
macro_rules! contract_wasm {
    () => {
        $crate::harness::build::wasm_of_crate(env!("CARGO_MANIFEST_DIR"), env!("CARGO_PKG_NAME"))
    };
}

/// Building contracts to WASM (`lanes-build`), for [`contract_wasm!`].
pub use lanes_build as build;

/// Why a harness helper failed. `Debug` is its `Display`, so `unwrap()`
/// reads as a sentence (and a failed transaction's logs one a line).
#[derive(thiserror::Error)]
pub enum HarnessError {
    #[error("program rejected: {0}")]
    Program(#[from] ProgramLoadError),
    #[error("{0}")]
    Transaction(#[from] FailedTransaction),
    #[error("store: {0}")]
    Store(#[from] crate::bank::BankError),
    #[error("cannot read {0}")]
    File(String),
    #[error("{0}")]
    Build(#[from] lanes_build::BuildError),
    /// A v0 message that cannot be compiled or signed as asked.
    #[error("{0}")]
    Compile(String),
}

impl std::fmt::Debug for HarnessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

fn split(outcome: TransactionOutcome) -> Result<TransactionMeta, FailedTransaction> {
    let meta = TransactionMeta {
        signature: outcome.signature,
        logs: outcome.log_messages(),
        compute_units_consumed: outcome.compute_units_consumed,
        return_data: outcome.return_data,
        fee: outcome.fee,
        inner_instructions: outcome.inner_instructions,
    };
    match outcome.result {
        Ok(()) => Ok(meta),
        Err(err) => Err(FailedTransaction { err, meta: Box::new(meta) }),
    }
}

/// The payer, then `signers` (the payer once, if it is among them too).
fn payer_and<'k>(payer: &'k Keypair, signers: &[&'k Keypair]) -> Vec<&'k Keypair> {
    let mut all = vec![payer];
    all.extend(signers.iter().copied().filter(|s| s.pubkey() != payer.pubkey()));
    all
}

/// The executor every harness in this process shares.
pub fn shared_executor() -> Arc<Executor> {
    static EXECUTOR: OnceLock<Arc<Executor>> = OnceLock::new();
    EXECUTOR
        .get_or_init(|| Executor::new(ExecutorConfig::default()).expect("the default executor configuration is valid"))
        .clone()
}

/// A bank in memory, for tests.
pub struct Harness {
    bank: Bank,
    store: Arc<InMemoryAccountStore>,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    /// A fresh bank at slot 0 with signature verification on.
    pub fn new() -> Self {
        Self::with_config(BankConfig::default())
    }

    pub fn with_config(config: BankConfig) -> Self {
        Self::with_executor(config, shared_executor())
    }

    /// A fresh bank on an executor of its own (to watch its compiled-program
    /// cache, or to configure it), where [`Harness::new`] shares one.
    pub fn with_executor(config: BankConfig, executor: Arc<Executor>) -> Self {
        let store = Arc::new(InMemoryAccountStore::new());
        let bank = Bank::new(store.clone(), executor, config);
        Harness { bank, store }
    }

    /// Check every signature (the default), or none (`false`: unsigned and
    /// wrongly signed transactions run, as LiteSVM's `with_sigverify`).
    pub fn with_sigverify(mut self, on: bool) -> Self {
        self.bank.config_mut().verify_signatures = on;
        self
    }

    /// Refuse transactions whose blockhash is not recent (the default), or
    /// accept any blockhash (`false`).
    pub fn with_blockhash_check(mut self, on: bool) -> Self {
        self.bank.config_mut().check_blockhash = on;
        self
    }

    /// Refuse a transaction already processed (the default), or let the
    /// same transaction run again (`false`).
    pub fn with_transaction_history(mut self, on: bool) -> Self {
        self.bank.config_mut().reject_replays = on;
        self
    }

    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    pub fn bank_mut(&mut self) -> &mut Bank {
        &mut self.bank
    }

    /// Every account, sorted by key.
    pub fn snapshot(&self) -> Vec<(Pubkey, Account)> {
        self.store.snapshot()
    }

    /// Credit `lamports` to `key` (creating a system account if needed).
    pub fn airdrop(&mut self, key: &Pubkey, lamports: u64) {
        let mut account = self.store.get(key).unwrap_or_else(|| Account::new(0, 0, &system_program::ID));
        account.lamports = account.lamports.saturating_add(lamports);
        self.set_account(*key, account);
    }

    pub fn get_account(&self, key: &Pubkey) -> Option<Account> {
        self.store.get(key)
    }

    pub fn get_balance(&self, key: &Pubkey) -> u64 {
        self.store.get(key).map(|a| a.lamports).unwrap_or(0)
    }

    /// Overwrite an account (no rules apply: this is test setup).
    pub fn set_account(&mut self, key: Pubkey, account: Account) {
        // Through the bank: it counts the write toward the slot hash and
        // tells workers that a program may have changed.
        self.bank.set_account(key, account).expect("the in-memory store cannot fail");
    }

    /// Deploy `wasm` at `program_id` directly, with no upgrade authority:
    /// the quick path for tests. The code is validated and compiled first.
    pub fn add_program(&mut self, program_id: Pubkey, wasm: &[u8]) -> Result<(), HarnessError> {
        self.bank.executor().compile(wasm)?;
        self.set_account(program_id, immutable_program_account(wasm, self.bank.slot()));
        Ok(())
    }

    /// [`Harness::add_program`] with the `.wasm` file at `path` (a
    /// contract's build output, say).
    pub fn add_program_from_file(
        &mut self,
        program_id: Pubkey,
        path: impl AsRef<std::path::Path>,
    ) -> Result<(), HarnessError> {
        let path = path.as_ref();
        let wasm = std::fs::read(path).map_err(|e| HarnessError::File(format!("{}: {e}", path.display())))?;
        self.add_program(program_id, &wasm)
    }

    /// Deploy `wasm` the way a client does, through the loader's
    /// transactions: create and fill a buffer, then deploy it as `program`
    /// with `payer` as upgrade authority, each account funded with the
    /// rent-exempt minimum for the code. Returns the buffer's address.
    pub fn deploy_program(&mut self, payer: &Keypair, program: &Keypair, wasm: &[u8]) -> Result<Pubkey, HarnessError> {
        let buffer = Keypair::new();
        self.write_buffer(payer, &buffer, wasm)?;
        self.send(
            &[
                system_instruction::create_account(
                    &payer.pubkey(),
                    &program.pubkey(),
                    minimum_balance(loader::STATE_HEADER_LEN + wasm.len()),
                    0,
                    &loader::ID,
                ),
                loader::deploy(&program.pubkey(), &buffer.pubkey(), &payer.pubkey()),
            ],
            payer,
            &[program],
        )?;
        Ok(buffer.pubkey())
    }

    /// Create a loader buffer holding `wasm`, authority `payer`, funded with
    /// the rent-exempt minimum for its size.
    pub fn write_buffer(&mut self, payer: &Keypair, buffer: &Keypair, wasm: &[u8]) -> Result<(), HarnessError> {
        self.send(
            &[
                system_instruction::create_account(
                    &payer.pubkey(),
                    &buffer.pubkey(),
                    minimum_balance(loader::STATE_HEADER_LEN + wasm.len()),
                    0,
                    &loader::ID,
                ),
                loader::initialize_buffer(&buffer.pubkey(), &payer.pubkey()),
            ],
            payer,
            &[buffer],
        )?;
        for write in loader::write_all(&buffer.pubkey(), &payer.pubkey(), wasm) {
            self.send(&[write], payer, &[])?;
        }
        Ok(())
    }

    /// Build, sign (payer plus `signers`) and send a transaction at the latest blockhash.
    pub fn send(
        &mut self,
        instructions: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
    ) -> Result<TransactionMeta, FailedTransaction> {
        let tx = self.transaction(instructions, payer, signers);
        self.send_transaction(tx)
    }

    /// A signed transaction at the latest blockhash.
    pub fn transaction(&self, instructions: &[Instruction], payer: &Keypair, signers: &[&Keypair]) -> Transaction {
        let all = payer_and(payer, signers);
        Transaction::new_signed_with_payer(instructions, Some(&payer.pubkey()), &all, self.latest_blockhash())
    }

    /// A v0 transaction at the latest blockhash, signed by the payer and
    /// `signers`, loading from `tables` every account they hold that may be
    /// loaded (fetch them with [`Harness::lookup_table`]).
    pub fn v0_transaction(
        &self,
        instructions: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<VersionedTransaction, HarnessError> {
        let message = v0::Message::try_compile(&payer.pubkey(), instructions, tables, self.latest_blockhash())
            .map_err(|e| HarnessError::Compile(format!("compiling the v0 message: {e}")))?;
        let all = payer_and(payer, signers);
        VersionedTransaction::try_new(VersionedMessage::V0(message), &all)
            .map_err(|e| HarnessError::Compile(format!("signing the v0 transaction: {e}")))
    }

    /// Build, sign and send a v0 transaction loading accounts from `tables`.
    pub fn send_v0(
        &mut self,
        instructions: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<TransactionMeta, HarnessError> {
        let tx = self.v0_transaction(instructions, payer, signers, tables)?;
        Ok(self.send_transaction(tx)?)
    }

    /// A lookup table's key and addresses as a client fetches them to
    /// compile a v0 message; `None` if `key` holds no table.
    pub fn lookup_table(&self, key: &Pubkey) -> Option<AddressLookupTableAccount> {
        let account = self.get_account(key).filter(|a| a.owner == lanes_sdk::address_lookup_table::ID)?;
        let table = AddressLookupTable::deserialize(&account.data).ok()?;
        Some(AddressLookupTableAccount { key: *key, addresses: table.addresses })
    }

    /// Check, execute and commit `tx` (legacy or v0, owned or borrowed).
    pub fn send_transaction(
        &mut self,
        tx: impl Into<VersionedTransaction>,
    ) -> Result<TransactionMeta, FailedTransaction> {
        let outcome = self.bank.process_transaction(tx).expect("the in-memory store cannot fail");
        split(outcome)
    }

    /// Execute `tx` (signatures checked as the harness is set) without
    /// committing anything: its meta, and the accounts it would write as it
    /// would leave them.
    pub fn simulate_transaction(
        &self,
        tx: impl Into<VersionedTransaction>,
    ) -> Result<SimulatedTransaction, FailedTransaction> {
        let (outcome, post_accounts) =
            self.bank.simulate_transaction_with_accounts(tx, self.bank.config().verify_signatures);
        split(outcome).map(|meta| SimulatedTransaction { meta, post_accounts })
    }

    pub fn latest_blockhash(&self) -> Hash {
        self.bank.latest_blockhash()
    }

    /// Make a new blockhash (the same instructions then sign differently).
    pub fn expire_blockhash(&mut self) {
        self.bank.register_blockhash();
    }

    /// Send at a fresh blockhash (so repeating instructions is never a
    /// replay) and expect success: the test fails with the logs otherwise.
    #[track_caller]
    pub fn expect_ok(
        &mut self,
        instructions: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
    ) -> TransactionMeta {
        self.expire_blockhash();
        self.send(instructions, payer, signers).unwrap_or_else(|failed| panic!("expected success: {failed}"))
    }

    /// Send at a fresh blockhash and expect it to fail with `expected`,
    /// its payer paying no more than the fee; then check with
    /// [`Refused::unchanged`] which accounts it must have left alone.
    #[track_caller]
    pub fn expect_err(
        &mut self,
        instructions: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
        expected: TransactionError,
    ) -> Refused<'_> {
        let before: HashMap<Pubkey, Account> = self.snapshot().into_iter().collect();
        self.expire_blockhash();
        let failed = match self.send(instructions, payer, signers) {
            Ok(meta) => panic!("expected {expected:?}, but it succeeded; logs: {:#?}", meta.logs),
            Err(failed) => failed,
        };
        assert_eq!(failed.err, expected, "logs: {:#?}", failed.meta.logs);
        let payer_before = before.get(&payer.pubkey()).map_or(0, |a| a.lamports);
        assert_eq!(self.get_balance(&payer.pubkey()), payer_before - failed.meta.fee, "the payer pays only the fee");
        Refused { harness: self, before, failed }
    }

    pub fn slot(&self) -> u64 {
        self.bank.slot()
    }

    /// The clock programs read (`Clock::get`).
    pub fn clock(&self) -> lanes_sdk::clock::Clock {
        self.bank.clock()
    }

    /// Set the time programs read now; it advances with the slots from
    /// there (400 ms a slot). With [`Harness::warp_to_slot`], the clock
    /// reads whatever a test needs.
    pub fn set_unix_timestamp(&mut self, unix_timestamp: i64) {
        self.bank.set_unix_timestamp(unix_timestamp);
    }

    /// Jump to a later slot.
    pub fn warp_to_slot(&mut self, slot: u64) {
        self.bank.warp_to_slot(slot);
    }
}
