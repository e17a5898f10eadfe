//! Transaction-level checks, a module per feature: fees, signatures,
//! blockhashes and replay, refusals before execution, the system program
//! and its durable nonce accounts.

mod account_changes;
mod blockhash;
mod fees;
mod nonce;
mod rent;
mod sanitize;
mod signatures;
mod system;

use lanes_runtime::harness::Harness;
use lanes_sdk::client::Keypair;

/// A harness with a funded payer.
pub(super) fn funded() -> (Harness, Keypair) {
    let mut h = Harness::new();
    let payer = Keypair::new();
    h.airdrop(&payer.pubkey(), 1_000_000_000);
    (h, payer)
}
