//! [`SanitizedTransaction`]: a transaction that passed every structural
//! check, with what the scheduler and bank need precomputed once: its
//! read and write sets, compute budget, fee and priority.
//!
//! Sanitizing happens before anything is locked, and refuses with Solana's
//! errors: a malformed message (`SanitizeFailure`), more than 128 accounts
//! (`TooManyAccountLocks`), a key listed twice (`AccountLoadedTwice`), a bad
//! compute-budget instruction. It never looks at account state.

use crate::account_locks::HashedKey;
use crate::compute_budget::{transaction_fee, ComputeBudget};
use lanes_sdk::message::MAX_TX_ACCOUNT_LOCKS;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{Pubkey, Signature};

/// A structurally valid transaction, ready to check, lock and run.
#[derive(Debug, Clone)]
pub struct SanitizedTransaction {
    tx: Transaction,
    signature: Signature,
    budget: ComputeBudget,
    fee: u64,
    /// Per key: write-locked (writable and not demoted)?
    is_writable: Vec<bool>,
    write_locks: Vec<HashedKey>,
    read_locks: Vec<HashedKey>,
}

impl SanitizedTransaction {
    /// Check structure, account count, duplicates and the compute budget.
    pub fn try_new(tx: Transaction) -> Result<Self, TransactionError> {
        tx.sanitize().map_err(|_| TransactionError::SanitizeFailure)?;
        let keys = &tx.message.account_keys;
        if keys.len() > MAX_TX_ACCOUNT_LOCKS {
            return Err(TransactionError::TooManyAccountLocks);
        }
        if tx.message.has_duplicate_keys() {
            return Err(TransactionError::AccountLoadedTwice);
        }
        let budget = ComputeBudget::from_message(&tx.message)?;
        let fee = transaction_fee(&tx.message, &budget);
        let signature = *tx.signature().ok_or(TransactionError::MissingSignatureForFee)?;
        let is_writable: Vec<bool> = (0..keys.len()).map(|i| tx.message.is_writable(i)).collect();
        let mut write_locks = Vec::with_capacity(keys.len());
        let mut read_locks = Vec::with_capacity(keys.len());
        for (key, writable) in keys.iter().zip(&is_writable) {
            if *writable {
                write_locks.push(HashedKey::new(*key))
            } else {
                read_locks.push(HashedKey::new(*key))
            }
        }
        Ok(SanitizedTransaction { tx, signature, budget, fee, is_writable, write_locks, read_locks })
    }

    pub fn transaction(&self) -> &Transaction {
        &self.tx
    }

    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    pub fn compute_budget(&self) -> ComputeBudget {
        self.budget
    }

    /// The whole fee, in lamports.
    pub fn fee(&self) -> u64 {
        self.fee
    }

    /// Micro-lamports per compute unit the transaction bids: what the
    /// scheduler orders by.
    pub fn priority(&self) -> u64 {
        self.budget.compute_unit_price
    }

    pub fn account_keys(&self) -> &[Pubkey] {
        &self.tx.message.account_keys
    }

    /// Whether key `index` is write-locked.
    pub fn is_writable(&self, index: usize) -> bool {
        self.is_writable[index]
    }

    /// Keys to write-lock.
    pub fn writable_keys(&self) -> impl Iterator<Item = &HashedKey> + '_ {
        self.write_locks.iter()
    }

    /// Keys to read-lock.
    pub fn readonly_keys(&self) -> impl Iterator<Item = &HashedKey> + '_ {
        self.read_locks.iter()
    }
}

/// Sanitize many transactions on `threads` threads, keeping input order.
pub fn sanitize_all(
    transactions: Vec<Transaction>,
    threads: usize,
) -> Vec<Result<SanitizedTransaction, TransactionError>> {
    let threads = threads.max(1);
    let chunk = transactions.len().div_ceil(threads).max(1);
    let mut parts: Vec<Vec<Transaction>> = Vec::new();
    let mut rest = transactions;
    while rest.len() > chunk {
        let tail = rest.split_off(chunk);
        parts.push(rest);
        rest = tail;
    }
    parts.push(rest);
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(SanitizedTransaction::try_new).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("sanitizing never panics")).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_sdk::hash::Hash;
    use lanes_sdk::{AccountMeta, Instruction};

    #[test]
    fn lock_sets_and_refusals() {
        let payer = Pubkey::new_unique_from_u64(1);
        let program = Pubkey::new_unique_from_u64(2);
        let ix = Instruction::new_with_bytes(
            program,
            &[],
            vec![
                AccountMeta::new(Pubkey::new_unique_from_u64(3), false),
                AccountMeta::new_readonly(Pubkey::new_unique_from_u64(4), false),
            ],
        );
        let tx = Transaction::new_with_payer(&[ix], &payer, &Hash::default());
        let s = SanitizedTransaction::try_new(tx.clone()).unwrap();
        let mut writes: Vec<_> = s.writable_keys().map(|k| k.key).collect();
        let mut reads: Vec<_> = s.readonly_keys().map(|k| k.key).collect();
        writes.sort();
        reads.sort();
        assert_eq!(writes, vec![payer, Pubkey::new_unique_from_u64(3)]);
        assert_eq!(reads, vec![program, Pubkey::new_unique_from_u64(4)]);

        let mut dup = tx.clone();
        dup.message.account_keys[2] = dup.message.account_keys[1];
        assert_eq!(SanitizedTransaction::try_new(dup).unwrap_err(), TransactionError::AccountLoadedTwice);
        let mut empty = tx;
        empty.signatures.clear();
        assert_eq!(SanitizedTransaction::try_new(empty).unwrap_err(), TransactionError::SanitizeFailure);
    }
}
