//! The in-process workloads, one file each. A workload sets up its accounts
//! through real transactions on the bank, then signs every measured
//! transaction before the clock starts.

mod lend;
mod lookup_tables;
mod mixed;
mod swap;
mod token;
mod transfer;

use crate::bench::{BenchError, InProcessConfig, WorkloadKind};
use lanes_runtime::bank::Bank;
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::VersionedTransaction;

/// One kind of load for `lanes-bench in-process`.
pub trait Workload {
    /// Set up on `bank` what the transactions need, then sign
    /// `config.transactions` of them at `blockhash`.
    fn prepare(
        &self,
        bank: &mut Bank,
        config: &InProcessConfig,
        blockhash: Hash,
    ) -> Result<Vec<VersionedTransaction>, BenchError>;
}

/// The workload `--workload` names.
pub fn workload(kind: WorkloadKind) -> &'static dyn Workload {
    match kind {
        WorkloadKind::Transfer => &transfer::Transfer,
        WorkloadKind::Token => &token::Token,
        WorkloadKind::Swap => &swap::Swap,
        WorkloadKind::Lend => &lend::Lend,
        WorkloadKind::Mixed => &mixed::Mixed,
    }
}
