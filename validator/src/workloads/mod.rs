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

/// The order a workload uses its `n` accounts in: transaction k's first
/// account is `order(k)`. Identity by default; with `--shuffle-accounts` a
/// fixed permutation (multiplying by a constant coprime to `n`, near
/// `n / φ`) that puts consecutive indices far apart, so neighbouring
/// transactions touch accounts created far apart.
pub fn account_order(n: usize, shuffled: bool) -> impl Fn(usize) -> usize {
    let gcd = |mut a: usize, mut b: usize| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    // A step of 1 is the identity; any step coprime to `n` is a permutation.
    let mut step = if shuffled { ((n as f64) * 0.618_033_988_75) as usize } else { 1 };
    while gcd(step, n) != 1 {
        step += 1;
    }
    move |k| ((k % n) as u128 * step as u128 % n as u128) as usize
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

#[cfg(test)]
mod tests {
    use super::account_order;

    #[test]
    fn account_order_is_a_permutation_and_shuffled_spreads_neighbours_apart() {
        for n in [1, 2, 3, 10, 600, 1_000, 10_000, 65_536] {
            for shuffled in [false, true] {
                let order = account_order(n, shuffled);
                let mut seen = vec![false; n];
                for k in 0..n {
                    assert!(!std::mem::replace(&mut seen[order(k)], true), "n {n}: index {} twice", order(k));
                    assert_eq!(order(k + n), order(k), "each round of n transactions uses the same order");
                }
                if shuffled && n >= 10 {
                    let near = (0..n - 1).filter(|&k| order(k).abs_diff(order(k + 1)) < n / 10).count();
                    assert_eq!(near, 0, "n {n}: consecutive transactions use accounts at least n/10 apart");
                } else {
                    assert!((0..n).all(|k| order(k) == k));
                }
            }
        }
    }
}
