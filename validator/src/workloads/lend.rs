//! `--workload lend`: deposits, borrows, repays and withdrawals on the
//! lending program's markets.

use super::Workload;
use crate::bench::{BenchError, InProcessConfig};
use crate::defi_workloads;
use lanes_runtime::bank::Bank;
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::VersionedTransaction;

/// Lending operations.
pub struct Lend;

impl Workload for Lend {
    fn prepare(
        &self,
        bank: &mut Bank,
        config: &InProcessConfig,
        blockhash: Hash,
    ) -> Result<Vec<VersionedTransaction>, BenchError> {
        defi_workloads::install_defi_programs(bank).map_err(BenchError)?;
        defi_workloads::prepare_lending(bank, config.accounts, config.transactions, blockhash)
            .map(|txs| txs.into_iter().map(Into::into).collect())
            .map_err(BenchError)
    }
}
