//! `lanes-bench sigverify-limit`: this machine's rate of strict ed25519
//! signature verification — the check Agave and the node apply to every
//! transaction — on one core and on all of them, through the runtime's own
//! ingest path (`ingest::sigverify::verify_all`). No transaction can land
//! faster than its signature is checked, so this is the ceiling for end to
//! end throughput that `lanes-bench remote` is compared with.
//!
//! Never: time the signing (transactions are signed before the clock
//! starts), or count a transaction whose signature failed.

use lanes_runtime::ingest::sanitize::sanitize_all;
use lanes_runtime::ingest::sigverify::verify_all;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::system_instruction;
use lanes_sdk::transaction::Transaction;
use serde::Serialize;
use std::time::Instant;

/// What `lanes-bench sigverify-limit` measured.
#[derive(Debug, Clone, Serialize)]
pub struct SigverifyReport {
    pub transactions: usize,
    /// Cores used for the all-cores figure.
    pub threads: usize,
    /// Verifications a second on one core, and on `threads`, best of `rounds`.
    pub one_core_per_second: f64,
    pub all_cores_per_second: f64,
    pub rounds: usize,
}

impl std::fmt::Display for SigverifyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "transactions  {} (one signature each, strict ed25519), best of {}",
            self.transactions, self.rounds
        )?;
        writeln!(f, "one core      {:.0} verifications/s", self.one_core_per_second)?;
        writeln!(f, "{} cores       {:.0} verifications/s", self.threads, self.all_cores_per_second)
    }
}

/// Sign `transactions` system transfers, then verify them all `rounds`
/// times on one thread and on every core.
pub fn run_sigverify_limit(transactions: usize, rounds: usize) -> Result<SigverifyReport, String> {
    let transactions = transactions.max(1);
    let rounds = rounds.max(1);
    let payers: Vec<Keypair> = (0..64).map(|_| Keypair::new()).collect();
    let to = Keypair::new().pubkey();
    let signed: Vec<Transaction> = (0..transactions)
        .map(|i| {
            let payer = &payers[i % payers.len()];
            let instruction = system_instruction::transfer(&payer.pubkey(), &to, 1 + i as u64);
            Transaction::new_signed_with_payer(&[instruction], Some(&payer.pubkey()), &[payer], Hash([7; 32]))
        })
        .collect();
    let threads = lanes_runtime::available_cores();
    let sanitized = sanitize_all(signed, threads, &lanes_runtime::ingest::sanitize::NoLookupTables);
    if !sanitized.refused.is_empty() {
        return Err(format!("{} transactions did not sanitize", sanitized.refused.len()));
    }
    let rate = |threads: usize| -> Result<f64, String> {
        let mut best = 0.0f64;
        for _ in 0..rounds {
            let started = Instant::now();
            let verified = verify_all(&sanitized.transactions, threads);
            let seconds = started.elapsed().as_secs_f64();
            if verified.iter().any(|ok| !ok) {
                return Err("a signature failed to verify".into());
            }
            best = best.max(verified.len() as f64 / seconds.max(1e-9));
        }
        Ok(best)
    };
    Ok(SigverifyReport {
        transactions,
        threads,
        one_core_per_second: rate(1)?,
        all_cores_per_second: rate(threads)?,
        rounds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signature_verifies_and_both_rates_are_measured() {
        let report = run_sigverify_limit(200, 1).unwrap();
        assert_eq!((report.transactions, report.rounds), (200, 1));
        assert!(report.one_core_per_second > 0.0 && report.all_cores_per_second > 0.0, "{report:?}");
        assert!(report.threads >= 1);
    }
}
