//! Signature verification on all cores, before scheduling: each thread takes
//! a contiguous share of the transactions and checks every signature with
//! strict ed25519 (no batch equation: its acceptance set differs from the
//! strict check's, and consensus needs one answer).

use crate::cpu::{BatchStage, Charge};
use crate::ingest::sanitize::SanitizedTransaction;

/// Whether each transaction's signatures all verify, in input order.
pub fn verify_all(transactions: &[SanitizedTransaction], threads: usize) -> Vec<bool> {
    let threads = threads.max(1);
    let chunk = transactions.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = transactions
            .chunks(chunk)
            .map(|part| {
                let verify = move || {
                    let _charge = Charge::new(BatchStage::Verify);
                    part.iter().map(|tx| tx.transaction().verify()).collect::<Vec<_>>()
                };
                let spawned = std::thread::Builder::new().name("lanes-verify".into()).spawn_scoped(scope, verify);
                (part.len(), spawned.expect("spawning a verify thread"))
            })
            .collect();
        // A thread that died verified nothing: its share counts as failed.
        handles.into_iter().flat_map(|(len, h)| h.join().unwrap_or_else(|_| vec![false; len])).collect()
    })
}
