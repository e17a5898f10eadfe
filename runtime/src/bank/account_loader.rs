//! Loading a transaction's accounts: the fee payer checked and debited,
//! writable accounts read whole, read-only accounts read with an
//! executable's data cut to its loader header (kept by the [`Worker`]),
//! the data loaded counted against the transaction's limit (a program
//! counts its whole code, as on Solana), and every invoked program checked
//! to exist and be executable.

use super::worker::{Worker, MAX_CACHED_PROGRAM_HEADERS};
use super::Bank;
use crate::execution::builtins::is_builtin;
use crate::execution::compute_budget::loaded_accounts_data_cost;
use crate::ingest::sanitize::SanitizedTransaction;
use crate::transaction_context::{check_rent_transition, RentState, TransactionAccounts};
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::loader::{self, LoaderState, STATE_HEADER_LEN};
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_program, Account, Pubkey};
use std::sync::atomic::Ordering::Acquire;

/// What loading a transaction gave.
pub(super) enum LoadedTransaction {
    /// Ready to execute. The fee payer (account 0) is already debited;
    /// `payer` is that debited state, committed alone if the transaction
    /// fails.
    /// `loaded_data_bytes` counts a program's code, `copied_data_bytes`
    /// only the data actually read into `accounts`.
    Ready { accounts: TransactionAccounts, payer: (Pubkey, Account), loaded_data_bytes: u64, copied_data_bytes: u64 },
    /// An invoked program is missing or not executable, or the accounts
    /// hold more data than the transaction may load: the transaction fails,
    /// and only the fee payer's debit is committed.
    FeeOnly { err: TransactionError, payer: (Pubkey, Account) },
}

/// Whether writing `account` may change what a program load sees. Program
/// accounts are owned by the loader for life (only their owner could
/// reassign them, and the loader never does); an account removed for having
/// no lamports counts too.
pub(super) fn may_change_a_program(account: &Account) -> bool {
    account.executable || account.owner == loader::ID || account.lamports == 0
}

/// The bytes `account` counts as loaded: its data, or for a program read
/// with its header only, the header and the code it stands for.
fn loaded_data_len(account: &Account) -> u64 {
    if account.executable && account.owner == loader::ID && account.data.len() == STATE_HEADER_LEN {
        if let Some(LoaderState::Program { code_len, .. }) = LoaderState::read(&account.data) {
            return (STATE_HEADER_LEN as u64) + u64::from(code_len);
        }
    }
    account.data.len() as u64
}

impl Bank {
    /// Check the fee payer (it must exist, be a wallet and afford the fee),
    /// debit the fee, and load every account. `Err` means refused: nothing
    /// is committed and no fee is charged.
    pub(super) fn load_transaction(
        &self,
        worker: &mut Worker,
        tx: &SanitizedTransaction,
    ) -> Result<LoadedTransaction, TransactionError> {
        let keys = tx.account_keys();
        let fee = tx.fee();
        let payer_key = *keys.first().ok_or(TransactionError::SanitizeFailure)?;
        let mut payer = self.store.get(&payer_key).ok_or(TransactionError::AccountNotFound)?;
        if payer.owner != system_program::ID || !payer.data.is_empty() {
            return Err(TransactionError::InvalidAccountForFee);
        }
        if payer.lamports < fee {
            return Err(TransactionError::InsufficientFundsForFee);
        }
        // Paying the fee may not leave the payer short of rent-exempt
        // (Solana's check; refused, so no fee is taken).
        let before_fee = RentState::of(payer.lamports, payer.data.len());
        payer.lamports -= fee;
        if !check_rent_transition(before_fee, RentState::of(payer.lamports, payer.data.len())) {
            return Err(TransactionError::InsufficientFundsForRent { account_index: 0 });
        }

        let num_keys = keys.len();
        let mut accounts = TransactionAccounts {
            keys: keys.to_vec(),
            accounts: Vec::with_capacity(num_keys),
            is_signer: (0..num_keys).map(|i| tx.is_signer(i)).collect(),
            is_writable: (0..num_keys).map(|i| tx.is_writable(i)).collect(),
        };
        let data_limit = u64::from(tx.compute_budget().loaded_accounts_data_size_limit);
        let compute_limit = tx.compute_budget().compute_unit_limit;
        let mut loaded_data_bytes = 0u64;
        let mut copied_data_bytes = 0u64;
        for (i, key) in keys.iter().enumerate() {
            let account = if i == 0 {
                payer.clone()
            } else if !accounts.is_writable[i] {
                self.load_readonly(worker, key)
            } else {
                self.store.get(key).unwrap_or_default()
            };
            loaded_data_bytes += loaded_data_len(&account);
            copied_data_bytes += account.data.len() as u64;
            // Stop at the first account past a limit: the rest is never copied.
            let err = if loaded_data_bytes > data_limit {
                Some(TransactionError::MaxLoadedAccountsDataSizeExceeded)
            } else if loaded_accounts_data_cost(loaded_data_bytes, copied_data_bytes) > compute_limit {
                Some(TransactionError::InstructionError(0, InstructionError::ComputationalBudgetExceeded))
            } else {
                None
            };
            if let Some(err) = err {
                return Ok(LoadedTransaction::FeeOnly { err, payer: (payer_key, payer) });
            }
            accounts.accounts.push(account);
        }
        // Every invoked program must exist and be executable (or a builtin).
        for ix in tx.instructions() {
            let index = ix.program_id_index as usize;
            if is_builtin(&keys[index]) {
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
                return Ok(LoadedTransaction::FeeOnly { err, payer: (payer_key, payer) });
            }
        }
        Ok(LoadedTransaction::Ready { accounts, payer: (payer_key, payer), loaded_data_bytes, copied_data_bytes })
    }

    /// A read-only account. Programs (invoked or passed for a cross-program
    /// call) are read with their loader header only: the code comes from the
    /// executor's cache, and contracts never see it; the worker keeps them
    /// until a write may have changed one.
    fn load_readonly(&self, worker: &mut Worker, key: &Pubkey) -> Account {
        let epoch = self.program_epoch.load(Acquire);
        if worker.program_epoch != epoch {
            worker.program_epoch = epoch;
            worker.program_headers.clear();
        }
        if let Some(account) = worker.program_headers.get(key) {
            return account.clone();
        }
        let account = self.store.get_executable_prefix(key, STATE_HEADER_LEN).unwrap_or_default();
        if account.executable && worker.program_headers.len() < MAX_CACHED_PROGRAM_HEADERS {
            worker.program_headers.insert(*key, account.clone());
        }
        account
    }
}
