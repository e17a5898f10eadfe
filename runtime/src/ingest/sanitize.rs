//! [`SanitizedTransaction`]: a transaction that passed every structural
//! check, with what the scheduler and bank need precomputed once: its
//! account keys (a v0 message's loaded addresses resolved), read and write
//! sets, compute budget, fee and priority.
//!
//! Sanitizing happens before anything is locked, and refuses with Solana's
//! errors: a malformed message (`SanitizeFailure`), a lookup that cannot be
//! resolved (`AddressLookupTableNotFound`, `InvalidAddressLookupTableOwner`,
//! `InvalidAddressLookupTableData`, `InvalidAddressLookupTableIndex`), more
//! than 128 accounts (`TooManyAccountLocks`), a key listed twice
//! (`AccountLoadedTwice`), a bad compute-budget instruction. The only
//! account state it reads is lookup tables, through an [`AddressLoader`].
//!
//! Why resolving lookups before locking is exact: a table's usable
//! addresses never change within a slot. Addresses appended in a slot are
//! not usable until the next; a table deactivated in a slot stays usable
//! through it; only a table already unusable may be closed; and a table
//! created in a slot holds no usable address in it. So every transaction
//! of a slot resolves a table alike whether it runs before or after another
//! that changes the table, and the lookup table needs no lock.

use crate::cpu::{BatchStage, Charge};
use crate::execution::compute_budget::{transaction_fee, ComputeBudget};
use crate::schedule::account_locks::HashedKey;
use lanes_sdk::address_lookup_table::AddressLookupError;
use lanes_sdk::instruction::CompiledInstruction;
use lanes_sdk::message::v0::{LoadedAddresses, MessageAddressTableLookup};
use lanes_sdk::message::{has_duplicates, VersionedMessage, MAX_TX_ACCOUNT_LOCKS};
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{Hash, Pubkey, Signature};

/// Resolves a v0 message's address table lookups as of the current slot
/// (the bank, reading its lookup tables).
pub trait AddressLoader {
    /// Every lookup's writable addresses, then every lookup's read-only
    /// ones, in message order.
    fn load_addresses(&self, lookups: &[MessageAddressTableLookup]) -> Result<LoadedAddresses, AddressLookupError>;
}

/// An [`AddressLoader`] with no tables: every lookup is
/// `AddressLookupTableNotFound`. For legacy-only callers and tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLookupTables;

impl AddressLoader for NoLookupTables {
    fn load_addresses(&self, lookups: &[MessageAddressTableLookup]) -> Result<LoadedAddresses, AddressLookupError> {
        if lookups.is_empty() {
            Ok(LoadedAddresses::default())
        } else {
            Err(AddressLookupError::LookupTableAccountNotFound)
        }
    }
}

/// A structurally valid transaction, ready to check, lock and run.
#[derive(Debug, Clone)]
pub struct SanitizedTransaction {
    tx: VersionedTransaction,
    /// What a v0 message's lookups resolved to (empty for legacy).
    loaded: LoadedAddresses,
    /// Static keys then loaded ones, only when something was loaded (the
    /// message's static keys are all the keys otherwise, and are not copied).
    all_keys: Vec<Pubkey>,
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
    /// Check structure, resolve lookups through `loader`, then check the
    /// account count, duplicates and the compute budget.
    pub fn try_new(tx: impl Into<VersionedTransaction>, loader: &impl AddressLoader) -> Result<Self, TransactionError> {
        let tx: VersionedTransaction = tx.into();
        tx.sanitize().map_err(|_| TransactionError::SanitizeFailure)?;
        let loaded = match &tx.message {
            VersionedMessage::V0(m) if !m.address_table_lookups.is_empty() => {
                loader.load_addresses(&m.address_table_lookups)?
            }
            _ => LoadedAddresses::default(),
        };
        let all_keys: Vec<Pubkey> = match &tx.message {
            VersionedMessage::V0(m) if !loaded.is_empty() => m.account_keys_with(&loaded).copied().collect(),
            _ => Vec::new(),
        };
        let keys = if all_keys.is_empty() { tx.message.static_account_keys() } else { &all_keys };
        if keys.len() > MAX_TX_ACCOUNT_LOCKS {
            return Err(TransactionError::TooManyAccountLocks);
        }
        if has_duplicates(keys) {
            return Err(TransactionError::AccountLoadedTwice);
        }
        let instructions = tx.message.instructions();
        let budget = ComputeBudget::from_instructions(instructions, tx.message.static_account_keys())?;
        let fee = transaction_fee(tx.message.header(), &budget);
        let signature = *tx.signature().ok_or(TransactionError::MissingSignatureForFee)?;
        let writable_at = |i: usize| match &tx.message {
            VersionedMessage::Legacy(m) => m.is_writable(i),
            VersionedMessage::V0(m) => m.is_writable_with(i, &loaded),
        };
        let is_writable = (0..keys.len()).filter(|&i| writable_at(i)).fold(0u128, |bits, i| bits | 1 << i);
        let writable = |i: usize| is_writable & (1 << i) != 0;
        let mut locks = Vec::with_capacity(keys.len());
        locks.extend((0..keys.len()).filter(|&i| writable(i)).map(|i| HashedKey::new(keys[i])));
        let write_lock_count = locks.len();
        locks.extend((0..keys.len()).filter(|&i| !writable(i)).map(|i| HashedKey::new(keys[i])));
        Ok(SanitizedTransaction { tx, loaded, all_keys, signature, budget, fee, is_writable, locks, write_lock_count })
    }

    pub fn transaction(&self) -> &VersionedTransaction {
        &self.tx
    }

    pub fn message(&self) -> &VersionedMessage {
        &self.tx.message
    }

    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    pub fn recent_blockhash(&self) -> &Hash {
        self.tx.message.recent_blockhash()
    }

    pub fn instructions(&self) -> &[CompiledInstruction] {
        self.tx.message.instructions()
    }

    /// What the message's lookups resolved to (empty for legacy).
    pub fn loaded_addresses(&self) -> &LoadedAddresses {
        &self.loaded
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

    /// Every account key in index order: static, then (v0) loaded
    /// writable, then loaded read-only.
    pub fn account_keys(&self) -> &[Pubkey] {
        if self.all_keys.is_empty() {
            self.tx.message.static_account_keys()
        } else {
            &self.all_keys
        }
    }

    /// Whether key `index` must sign (only static keys sign).
    pub fn is_signer(&self, index: usize) -> bool {
        self.tx.message.is_signer(index)
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
    /// The refused ones, in input order.
    pub refused: Vec<Refused>,
}

/// A transaction [`sanitize_all`] refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Its position in the input.
    pub index: usize,
    /// Its first signature (all zeros if it had none): what its outcome is
    /// reported under.
    pub signature: Signature,
    pub error: TransactionError,
}

/// Sanitize many transactions on `threads` threads, keeping input order,
/// resolving lookups through `loader`. A refused transaction is reported
/// with its index and first signature.
///
/// Each transaction is moved once, straight into its place in the result:
/// every thread writes its share of the output itself (a hundred thousand
/// transactions are tens of megabytes, and appending the other threads'
/// parts afterwards would copy half of them on one thread).
pub fn sanitize_all<T>(mut transactions: Vec<T>, threads: usize, loader: &(impl AddressLoader + Sync)) -> SanitizedBatch
where
    T: Into<VersionedTransaction> + Default + Send,
{
    let total = transactions.len();
    let chunk = total.div_ceil(threads.max(1)).max(1);
    let mut output: Vec<SanitizedTransaction> = Vec::with_capacity(total);
    // Each thread fills the front of its chunk of `output`'s spare capacity
    // and reports how many it wrote there, and what it refused.
    let parts: Vec<(usize, Vec<Refused>)> = std::thread::scope(|scope| {
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
                            let tx: VersionedTransaction = std::mem::take(tx).into();
                            let signature = tx.signature().copied().unwrap_or_default();
                            match SanitizedTransaction::try_new(tx, loader) {
                                Ok(sanitized) => {
                                    out[written].write(sanitized);
                                    written += 1;
                                }
                                Err(error) => refused.push(Refused { index: n * chunk + i, signature, error }),
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
    use lanes_sdk::transaction::Transaction;
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
        let s = SanitizedTransaction::try_new(tx.clone(), &NoLookupTables).unwrap();
        let mut writes: Vec<_> = s.writable_keys().map(|k| k.key).collect();
        let mut reads: Vec<_> = s.readonly_keys().map(|k| k.key).collect();
        writes.sort();
        reads.sort();
        assert_eq!(writes, vec![payer, Pubkey::new_unique_from_u64(3)]);
        assert_eq!(reads, vec![program, Pubkey::new_unique_from_u64(4)]);

        let mut dup = tx.clone();
        dup.message.account_keys[2] = dup.message.account_keys[1];
        assert_eq!(
            SanitizedTransaction::try_new(dup, &NoLookupTables).unwrap_err(),
            TransactionError::AccountLoadedTwice
        );
        let mut empty = tx;
        empty.signatures.clear();
        assert_eq!(
            SanitizedTransaction::try_new(empty, &NoLookupTables).unwrap_err(),
            TransactionError::SanitizeFailure
        );
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
            // More signatures than the header asks for: refused, reported under its first.
            input[8].signatures = vec![Signature([8; 64]); 2];
            let batch = sanitize_all(input, threads, &NoLookupTables);
            let payers: Vec<Pubkey> = batch.transactions.iter().map(|t| t.account_keys()[0]).collect();
            let expected: Vec<Pubkey> =
                [0, 1, 2, 4, 5, 6, 7, 9].iter().map(|n| Pubkey::new_unique_from_u64(100 + n)).collect();
            assert_eq!(payers, expected, "{threads} threads");
            let refused = |index: usize, signature: Signature| Refused {
                index,
                signature,
                error: TransactionError::SanitizeFailure,
            };
            assert_eq!(
                batch.refused,
                vec![refused(3, Signature::default()), refused(8, Signature([8; 64]))],
                "{threads} threads"
            );
        }
        let empty = sanitize_all(Vec::<Transaction>::new(), 2, &NoLookupTables);
        assert!(empty.transactions.is_empty() && empty.refused.is_empty());
    }
}
