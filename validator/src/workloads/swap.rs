//! `--workload swap`: AMM swaps (one batched token CPI each) across
//! `--pools` pools, each pool with its own users.

use super::Workload;
use crate::bench::{BenchError, InProcessConfig};
use crate::defi_workloads;
use lanes_runtime::bank::Bank;
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::VersionedTransaction;

/// Swaps.
pub struct Swap;

impl Workload for Swap {
    fn prepare(
        &self,
        bank: &mut Bank,
        config: &InProcessConfig,
        blockhash: Hash,
    ) -> Result<Vec<VersionedTransaction>, BenchError> {
        if config.pools == 0 || config.accounts < config.pools {
            return Err(BenchError(
                "--pools must be at least 1 and at most --accounts (each pool needs a user)".into(),
            ));
        }
        defi_workloads::install_defi_programs(bank).map_err(BenchError)?;
        defi_workloads::prepare_swaps(bank, config.pools, config.accounts, config.transactions, blockhash)
            .map(|txs| txs.into_iter().map(Into::into).collect())
            .map_err(BenchError)
    }
}
