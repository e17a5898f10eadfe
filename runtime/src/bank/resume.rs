//! Resuming a bank where a node's ledger left off: the recent blockhashes
//! (so transactions signed before a restart still land, and the chain of
//! blockhashes continues as if there had been none), the signatures already
//! processed under them (so none lands twice), and the running counters.
//!
//! Never: change accounts. The store holds the state; this restores only
//! what the store does not keep.

use super::Bank;
use lanes_sdk::hash::Hash;
use lanes_sdk::Signature;
use std::sync::atomic::Ordering::Relaxed;

impl Bank {
    /// Take `hashes` (the blockhashes of consecutive slots, oldest first,
    /// ending with the current slot's) as the recent blockhashes. The next
    /// [`Bank::advance_slot`] derives its blockhash from them exactly as it
    /// would have before the restart.
    pub fn restore_recent_blockhashes(&self, hashes: &[Hash]) {
        self.blockhashes.restore(hashes);
        self.blockhash_epoch.fetch_add(1, std::sync::atomic::Ordering::Release);
    }

    /// Mark each `(blockhash, signature)` as processed: a transaction with
    /// that signature and blockhash is refused as `AlreadyProcessed`.
    /// Pairs under a blockhash that is not recent are ignored.
    pub fn restore_processed<'a>(&self, processed: impl IntoIterator<Item = (Hash, &'a Signature)>) {
        let valid = self.blockhashes.valid();
        for (blockhash, signature) in processed {
            if valid.contains(&blockhash) {
                self.status_cache.reserve_all(blockhash, std::iter::once(signature), |_| {});
            }
        }
    }

    /// Continue the transaction count and collected fees from a ledger.
    pub fn restore_counters(&self, transactions: u64, fees: u64) {
        self.transaction_count.store(transactions, Relaxed);
        self.collected_fees.store(fees, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use crate::harness::Harness;
    use lanes_sdk::client::Keypair;
    use lanes_sdk::system_instruction;
    use lanes_sdk::transaction_error::TransactionError;

    #[test]
    fn a_restored_bank_continues_the_blockhash_chain_and_refuses_replays() {
        let mut first = Harness::new();
        let payer = Keypair::new();
        first.airdrop(&payer.pubkey(), 1_000_000_000);
        let mut hashes = vec![first.bank().latest_blockhash()];
        for _ in 0..3 {
            first.bank_mut().advance_slot();
            hashes.push(first.bank().latest_blockhash());
        }
        let transfer = system_instruction::transfer(&payer.pubkey(), &Keypair::new().pubkey(), 1_000_000);
        let tx = first.transaction(&[transfer], &payer, &[]);
        first.bank().process_transaction(&tx).unwrap().result.unwrap();
        let slot = first.bank().slot();
        first.bank_mut().advance_slot();
        let expected_next = first.bank().latest_blockhash();

        let mut second = Harness::new();
        second.airdrop(&payer.pubkey(), 1_000_000_000);
        second.bank_mut().warp_to_slot(slot);
        second.bank().restore_recent_blockhashes(&hashes);
        second.bank().restore_processed([(tx.message.recent_blockhash, &tx.signatures[0])]);
        assert_eq!(second.bank().latest_blockhash(), hashes[3]);
        let replay = second.bank().process_transaction(&tx).unwrap();
        assert_eq!(replay.result, Err(TransactionError::AlreadyProcessed));
        second.bank_mut().advance_slot();
        assert_eq!(second.bank().latest_blockhash(), expected_next, "the chain continues as before the restart");
    }
}
