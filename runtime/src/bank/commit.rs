//! Committing: a transaction's updates (or its fee payer's debit) go to the
//! store, its written keys to the slot's delta, and a write that may change
//! a program moves the program epoch — after the store and before the
//! writer's locks are released, so no later reader sees a stale program.

use super::account_loader::may_change_a_program;
use super::{Bank, BankError, TransactionOutcome, Worker};
use crate::ingest::sanitize::SanitizedTransaction;
use crate::store::PreparedCommit;
use crate::transaction_context::ExecuteTimings;
use lanes_sdk::{Account, Pubkey};
use std::sync::atomic::Ordering::{Relaxed, Release};
use std::time::Instant;

/// A slot's commit, decided and not yet durable ([`Bank::prepare_commit_slot`]).
pub struct SlotCommit {
    slot: u64,
    prepared: Box<dyn PreparedCommit>,
}

impl SlotCommit {
    /// The slot it commits.
    pub fn slot(&self) -> u64 {
        self.slot
    }

    /// Make the slot durable.
    pub fn finish(self) -> Result<(), BankError> {
        self.prepared.finish()?;
        Ok(())
    }
}

impl Bank {
    /// Write an account directly (genesis, tests, a node's state
    /// controls, between batches). It counts toward the slot hash. When
    /// the account was or becomes a program, the program epoch moves, so
    /// no thread keeps a stale program.
    pub fn set_account(&self, key: Pubkey, account: Account) -> Result<(), BankError> {
        self.lookup_tables.forget(&key);
        let was_program = self.store.get(&key).is_some_and(|old| may_change_a_program(&old));
        self.store_updates(0, vec![(key, account)])?;
        if was_program {
            self.program_epoch.fetch_add(1, Release);
        }
        Ok(())
    }

    /// Make everything committed in the current slot durable (a no-op for
    /// stores that keep nothing on disk). Call it once the slot's last
    /// transaction has returned and before moving to the next slot.
    pub fn commit_slot(&self) -> Result<(), BankError> {
        self.store.commit_slot(self.slot)?;
        Ok(())
    }

    /// [`Bank::commit_slot`] in two halves: call this where `commit_slot`
    /// would be called; the slot's state is decided here, the bank may
    /// advance and the next slot execute, and [`SlotCommit::finish`] makes
    /// it durable (in slot order, one at a time) — so a node writes its
    /// ledger beside the next slot's execution and still commits the store
    /// only after the ledger.
    pub fn prepare_commit_slot(&self) -> Result<SlotCommit, BankError> {
        Ok(SlotCommit { slot: self.slot, prepared: self.store.prepare_commit_slot(self.slot)? })
    }

    /// Count committed transactions and their fees (workers report in
    /// batches, so the shared counters are touched once per batch).
    pub fn record_committed(&self, transactions: u64, fees: u64) {
        self.collected_fees.fetch_add(fees, Relaxed);
        self.transaction_count.fetch_add(transactions, Relaxed);
    }

    /// Execute a checked, reserved transaction on the bank's own executor and
    /// commit its effects, counting it. The caller must hold the
    /// transaction's account locks (or be the only thread executing).
    /// Releases the signature if the transaction is refused.
    pub fn execute_and_commit(
        &self,
        tx: &SanitizedTransaction,
        timings: &mut ExecuteTimings,
    ) -> Result<TransactionOutcome, BankError> {
        let outcome = self.execute_and_commit_uncounted(&mut self.root_worker.lock(), tx, timings)?;
        if outcome.committed {
            self.record_committed(1, outcome.fee);
        }
        Ok(outcome)
    }

    /// [`Bank::execute_and_commit`] on `worker`, without counting: the
    /// caller must [`Bank::record_committed`] what it commits (workers count
    /// a batch at once).
    pub(crate) fn execute_and_commit_uncounted(
        &self,
        worker: &mut Worker,
        tx: &SanitizedTransaction,
        timings: &mut ExecuteTimings,
    ) -> Result<TransactionOutcome, BankError> {
        match self.execute(worker, tx, timings) {
            Err(err) => {
                self.release_signature(tx);
                Ok(TransactionOutcome::refused(*tx.signature(), err))
            }
            Ok(executed) => {
                let started = Instant::now();
                self.store_updates(worker.index, executed.updates)?;
                // Before the locks go: whoever reads the new program next
                // finds it compiled.
                if !executed.deployed.is_empty() {
                    worker.executor.admit(executed.deployed);
                }
                timings.commit_ns += started.elapsed().as_nanos() as u64;
                Ok(executed.outcome)
            }
        }
    }

    /// Store `updates` in the current slot and note them in its delta (in
    /// worker `worker_index`'s shard).
    fn store_updates(&self, worker_index: usize, updates: Vec<(Pubkey, Account)>) -> Result<(), BankError> {
        self.slot_delta.mark_written(worker_index, updates.iter().map(|(key, _)| key));
        let changes_programs = updates.iter().any(|(_, account)| may_change_a_program(account));
        self.store.store_owned(self.slot, updates)?;
        // After the store, before the locks go: a transaction that reads the
        // program next is scheduled after this one reports.
        if changes_programs {
            self.program_epoch.fetch_add(1, Release);
        }
        Ok(())
    }
}
