//! [`Worker`]: what one thread needs to execute transactions on a bank — an
//! engine of its own (with its compiled programs and the instances it keeps
//! for reuse) and the program headers it loaded — owned by that thread and
//! passed down by `&mut`. The bank makes them and keeps them between runs:
//! each scheduler worker takes its own ([`Bank::take_worker`]) and gives it
//! back ([`Bank::return_worker`]); the one-thread path (`process_transaction`,
//! the harness) and simulation use the bank's root worker.

use super::Bank;
use crate::transaction_context::ProgramSource;
use crate::vm::{Executor, ProgramLoadError};
use lanes_sdk::{Account, Hash, Pubkey};
use std::collections::HashMap;
use std::sync::Arc;

/// Most program headers one worker keeps (a few KB).
pub(super) const MAX_CACHED_PROGRAM_HEADERS: usize = 256;

/// One thread's execution state for one bank.
pub struct Worker {
    /// Which worker this is (0 for the root worker); picks its shard of the
    /// slot's written keys.
    pub(super) index: usize,
    pub(super) executor: Arc<Executor>,
    /// Program accounts (executable, header-only) this worker loaded, valid
    /// while the bank's program epoch equals `program_epoch`. Every
    /// transaction reads its programs; reading them from the shared store
    /// would make every worker take the same shard lock every time.
    pub(super) program_headers: HashMap<Pubkey, Account>,
    pub(super) program_epoch: u64,
    /// The bank's program source, lent to each transaction's context and
    /// handed back (`None` while lent).
    pub(super) program_source: Option<Arc<dyn ProgramSource>>,
    /// The latest blockhash and the bank's blockhash epoch it was read at.
    pub(super) latest_blockhash: (u64, Hash),
    /// The bank this worker belongs to (its headers are that bank's).
    pub(super) bank: Arc<()>,
}

impl Worker {
    pub(super) fn new(bank: &Bank, index: usize, executor: Arc<Executor>) -> Self {
        Worker {
            index,
            executor,
            program_headers: HashMap::new(),
            program_epoch: 0,
            program_source: Some(bank.program_source.clone()),
            latest_blockhash: (u64::MAX, Hash::default()),
            bank: bank.identity.clone(),
        }
    }

    /// The engine this worker runs programs on.
    pub fn executor(&self) -> &Arc<Executor> {
        &self.executor
    }
}

impl Bank {
    /// Worker `index` of the parallel engine: its state from an earlier run,
    /// or a new one with an engine of its own forked from the bank's. Give it
    /// back with [`Bank::return_worker`] to keep its caches for the next run.
    pub fn take_worker(&self, index: usize) -> Result<Worker, ProgramLoadError> {
        let kept = self.workers.lock().get_mut(index).and_then(Option::take);
        match kept {
            Some(worker) => Ok(worker),
            None => Ok(Worker::new(self, index, self.executor.fork()?)),
        }
    }

    /// Keep `worker` for the next run.
    pub fn return_worker(&self, worker: Worker) {
        debug_assert!(Arc::ptr_eq(&worker.bank, &self.identity), "a worker goes back to the bank that made it");
        let index = worker.index;
        let mut workers = self.workers.lock();
        if workers.len() <= index {
            workers.resize_with(index + 1, || None);
        }
        workers[index] = Some(worker);
    }
}
