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
    /// Bit `i`: key `i` is write-locked (writable and not demoted). Keys
    /// are at most [`MAX_TX_ACCOUNT_LOCKS`] (128), so one word holds them.
    is_writable: u128,
    /// Lock keys, write locks first: one allocation per transaction.
    locks: Vec<HashedKey>,
    write_lock_count: usize,
}

const _: () = assert!(MAX_TX_ACCOUNT_LOCKS <= 128);

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
        let is_writable = (0..keys.len()).filter(|&i| tx.message.is_writable(i)).fold(0u128, |bits, i| bits | 1 << i);
        let writable = |i: usize| is_writable & (1 << i) != 0;
        let mut locks = Vec::with_capacity(keys.len());
        locks.extend((0..keys.len()).filter(|&i| writable(i)).map(|i| HashedKey::new(keys[i])));
        let write_lock_count = locks.len();
        locks.extend((0..keys.len()).filter(|&i| !writable(i)).map(|i| HashedKey::new(keys[i])));
        Ok(SanitizedTransaction { tx, signature, budget, fee, is_writable, locks, write_lock_count })
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
        u32::try_from(index).ok().and_then(|i| self.is_writable.checked_shr(i)).is_some_and(|bits| bits & 1 == 1)
    }

    /// Keys to write-lock.
    pub fn writable_keys(&self) -> impl Iterator<Item = &HashedKey> + '_ {
        self.locks[..self.write_lock_count].iter()
    }

    /// Keys to read-lock.
    pub fn readonly_keys(&self) -> impl Iterator<Item = &HashedKey> + '_ {
        self.locks[self.write_lock_count..].iter()
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
