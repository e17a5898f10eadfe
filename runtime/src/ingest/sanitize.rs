//! [`SanitizedTransaction`]: a transaction that passed every structural
//! check, with what the scheduler and bank need precomputed once: its
//! read and write sets, compute budget, fee and priority.
//!
//! Sanitizing happens before anything is locked, and refuses with Solana's
//! errors: a malformed message (`SanitizeFailure`), more than 128 accounts
//! (`TooManyAccountLocks`), a key listed twice (`AccountLoadedTwice`), a bad
//! compute-budget instruction. It never looks at account state.

use crate::cpu::{BatchStage, Charge};
use crate::execution::compute_budget::{transaction_fee, ComputeBudget};
use crate::schedule::account_locks::HashedKey;
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

/// What [`sanitize_all`] made of a list of transactions.
#[derive(Debug, Default)]
pub struct SanitizedBatch {
    /// The transactions that passed, in input order.
    pub transactions: Vec<SanitizedTransaction>,
    /// The refused ones: input index and why, in input order.
    pub refused: Vec<(usize, TransactionError)>,
}

/// Sanitize many transactions on `threads` threads, keeping input order.
///
/// Each transaction is moved once, straight into its place in the result:
/// every thread writes its share of the output itself (a hundred thousand
/// transactions are tens of megabytes, and appending the other threads'
/// parts afterwards would copy half of them on one thread).
pub fn sanitize_all(mut transactions: Vec<Transaction>, threads: usize) -> SanitizedBatch {
    let total = transactions.len();
    let chunk = total.div_ceil(threads.max(1)).max(1);
    let mut output: Vec<SanitizedTransaction> = Vec::with_capacity(total);
    // Each thread fills the front of its chunk of `output`'s spare capacity
    // and reports how many it wrote there, and what it refused.
    let parts: Vec<(usize, Vec<(usize, TransactionError)>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = transactions
            .chunks_mut(chunk)
            .zip(output.spare_capacity_mut()[..total].chunks_mut(chunk))
            .enumerate()
            .map(|(n, (input, out))| {
                let spawned =
                    std::thread::Builder::new().name("lanes-sanitize".into()).spawn_scoped(scope, move || {
                        let _charge = Charge::new(BatchStage::Verify);
                        let mut written = 0;
                        let mut refused = Vec::new();
                        for (i, tx) in input.iter_mut().enumerate() {
                            match SanitizedTransaction::try_new(std::mem::take(tx)) {
                                Ok(sanitized) => {
                                    out[written].write(sanitized);
                                    written += 1;
                                }
                                Err(err) => refused.push((n * chunk + i, err)),
                            }
                        }
                        (written, refused)
                    });
                spawned.expect("spawning a sanitize thread")
            })
            .collect();
        workers.into_iter().map(|worker| worker.join().expect("sanitizing never panics")).collect()
    });
    // Close the gaps the refused transactions left at the end of each chunk.
    let mut len = 0;
    let mut refused = Vec::new();
    for (n, (written, part_refused)) in parts.into_iter().enumerate() {
        let from = n * chunk;
        if from != len {
            // SAFETY: `written` initialized elements start at `from`; `len`
            // is below `from`, and both ranges lie within the capacity.
            // `copy` allows the overlap; the source slots are not read again.
            unsafe { std::ptr::copy(output.as_ptr().add(from), output.as_mut_ptr().add(len), written) };
        }
        len += written;
        refused.extend(part_refused);
    }
    // SAFETY: the first `len` elements were initialized above (if a thread
    // had panicked, we would not be here, and the written ones would leak).
    unsafe { output.set_len(len) };
    SanitizedBatch { transactions: output, refused }
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

    #[test]
    fn sanitize_all_keeps_input_order_and_reports_refusals_by_index() {
        let tx = |n: u64| {
            let ix = Instruction::new_with_bytes(Pubkey::new_unique_from_u64(1), &n.to_le_bytes(), vec![]);
            Transaction::new_with_payer(&[ix], &Pubkey::new_unique_from_u64(100 + n), &Hash::default())
        };
        for threads in [1, 2, 3, 8] {
            let mut input: Vec<Transaction> = (0..10).map(tx).collect();
            input[3].signatures.clear();
            input[8].signatures.clear();
            let batch = sanitize_all(input, threads);
            let payers: Vec<Pubkey> = batch.transactions.iter().map(|t| t.account_keys()[0]).collect();
            let expected: Vec<Pubkey> =
                [0, 1, 2, 4, 5, 6, 7, 9].iter().map(|n| Pubkey::new_unique_from_u64(100 + n)).collect();
            assert_eq!(payers, expected, "{threads} threads");
            assert_eq!(
                batch.refused,
                vec![(3, TransactionError::SanitizeFailure), (8, TransactionError::SanitizeFailure)],
                "{threads} threads"
            );
        }
        let empty = sanitize_all(Vec::new(), 2);
        assert!(empty.transactions.is_empty() && empty.refused.is_empty());
    }
}
