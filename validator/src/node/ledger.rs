//! The ledger: every slot's block — its hashes and every committed
//! transaction in committed order with its status, fee, logs, compute
//! units, return data, balances and worker — with indexes by signature and
//! by address, in a redb database (`ledger.redb` in the ledger directory).
//! The accounts themselves live in the memory-mapped store beside it.
//!
//! A slot with transactions is appended durably *before* the account store
//! commits it, so the ledger is never behind the store: after a crash
//! between the two, the node replays the ledger's extra slots onto the
//! store ([`super::replay`]). An empty slot is appended without waiting for
//! the disk: losing it loses nothing, since its blockhash is derived again
//! the same way.
//!
//! Never: decide anything about a transaction (it records what the bank
//! did), or block a reader (redb readers see the last committed slot while
//! the banking thread writes the next).

use super::block::{Block, BlockTransaction};
use borsh::{BorshDeserialize, BorshSerialize};
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{Account, Pubkey, Signature};
use redb::{Database, Durability, ReadableTable, ReadableTableMetadata, TableDefinition};
use std::path::Path;

/// slot → [`SlotRecord`] (borsh).
const SLOTS: TableDefinition<u64, &[u8]> = TableDefinition::new("slots");
/// (slot, index in committed order) → [`TransactionRecord`] (borsh).
const TRANSACTIONS: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("transactions");
/// signature → (slot, index).
const SIGNATURES: TableDefinition<&[u8], (u64, u32)> = TableDefinition::new("signatures");
/// address ‖ !slot ‖ !index (big-endian, so a forward scan of one address
/// runs newest first) → the signature.
const ADDRESS_SIGNATURES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("address_signatures");
/// The accounts genesis made (slot 0's), key → [`StoredAccount`] (borsh):
/// where `verify-ledger` starts.
const GENESIS_ACCOUNTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("genesis_accounts");

/// An account as the genesis table holds it.
#[derive(BorshSerialize, BorshDeserialize)]
struct StoredAccount {
    lamports: u64,
    owner: [u8; 32],
    executable: bool,
    data: Vec<u8>,
}

/// Why the ledger failed.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger database: {0}")]
    Database(Box<redb::Error>),
    #[error("ledger record for {0} is corrupt: {1}")]
    Corrupt(String, std::io::Error),
}

macro_rules! impl_from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for LedgerError {
            fn from(e: $t) -> Self {
                LedgerError::Database(Box::new(e.into()))
            }
        }
    )*};
}
impl_from_redb!(redb::DatabaseError, redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError);

/// A slot as stored.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SlotRecord {
    pub slot: u64,
    pub parent_slot: u64,
    pub blockhash: [u8; 32],
    pub previous_blockhash: [u8; 32],
    pub state_hash: [u8; 32],
    pub block_time: i64,
    pub transaction_count: u32,
    /// Committed since genesis, this slot's included.
    pub total_transactions: u64,
    pub total_fees: u64,
}

impl SlotRecord {
    pub fn blockhash(&self) -> Hash {
        Hash(self.blockhash)
    }
}

/// A committed transaction as stored.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TransactionRecord {
    /// The transaction's wire bytes, as it was sent.
    pub wire: Vec<u8>,
    /// The error as Solana's RPC renders it (JSON), `None` on success.
    pub err: Option<String>,
    pub fee: u64,
    pub compute_units: u64,
    pub logs: Vec<String>,
    pub return_data: Option<([u8; 32], Vec<u8>)>,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    /// The worker thread that executed it, and when (nanoseconds since the
    /// slot's batch began executing).
    pub worker: u32,
    pub started_ns: u64,
    pub ended_ns: u64,
}

impl TransactionRecord {
    pub fn transaction(&self) -> Option<Transaction> {
        Transaction::from_wire(&self.wire).ok()
    }
}

/// One signature for an address, newest first (`getSignaturesForAddress`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressSignature {
    pub signature: Signature,
    pub slot: u64,
    pub err: Option<String>,
}

/// The ledger database.
pub struct Ledger {
    db: Database,
}

fn corrupt(what: impl std::fmt::Display, e: std::io::Error) -> LedgerError {
    LedgerError::Corrupt(what.to_string(), e)
}

fn address_key(address: &Pubkey, slot: u64, index: u32) -> [u8; 44] {
    let mut key = [0u8; 44];
    key[..32].copy_from_slice(&address.0);
    key[32..40].copy_from_slice(&(!slot).to_be_bytes());
    key[40..].copy_from_slice(&(!index).to_be_bytes());
    key
}

impl Ledger {
    /// Open `path`, creating it (and its tables) if it is new.
    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        let db = Database::create(path)?;
        let write = db.begin_write()?;
        write.open_table(SLOTS)?;
        write.open_table(TRANSACTIONS)?;
        write.open_table(SIGNATURES)?;
        write.open_table(ADDRESS_SIGNATURES)?;
        write.open_table(GENESIS_ACCOUNTS)?;
        write.commit()?;
        Ok(Ledger { db })
    }

    /// Open `path`, which must exist.
    pub fn open_existing(path: &Path) -> Result<Ledger, LedgerError> {
        Ok(Ledger { db: Database::open(path)? })
    }

    /// The accounts slot 0 wrote.
    pub fn genesis_accounts(&self) -> Result<Vec<(Pubkey, Account)>, LedgerError> {
        let read = self.db.begin_read()?;
        let table = read.open_table(GENESIS_ACCOUNTS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (key, bytes) = entry?;
            let key =
                Pubkey(key.value().try_into().map_err(|_| {
                    corrupt("genesis", std::io::Error::new(std::io::ErrorKind::InvalidData, "key length"))
                })?);
            let stored: StoredAccount = decode(0, bytes.value())?;
            let account = Account {
                lamports: stored.lamports,
                data: stored.data,
                owner: Pubkey(stored.owner),
                executable: stored.executable,
            };
            out.push((key, account));
        }
        Ok(out)
    }

    /// [`Ledger::append`], durable on return even for an empty block.
    pub fn append_durable(
        &self,
        block: &Block,
        render_err: impl Fn(&lanes_sdk::transaction_error::TransactionError) -> String,
    ) -> Result<(), LedgerError> {
        self.append_with(block, render_err, Durability::Immediate)
    }

    /// Append `block`, `render_err` turning each failed transaction's
    /// error into its stored JSON. Durable on return when the block holds
    /// transactions.
    pub fn append(
        &self,
        block: &Block,
        render_err: impl Fn(&lanes_sdk::transaction_error::TransactionError) -> String,
    ) -> Result<(), LedgerError> {
        let durability = if block.transactions.is_empty() { Durability::None } else { Durability::Immediate };
        self.append_with(block, render_err, durability)
    }

    fn append_with(
        &self,
        block: &Block,
        render_err: impl Fn(&lanes_sdk::transaction_error::TransactionError) -> String,
        durability: Durability,
    ) -> Result<(), LedgerError> {
        let record = SlotRecord {
            slot: block.slot,
            parent_slot: block.parent_slot,
            blockhash: block.blockhash.0,
            previous_blockhash: block.previous_blockhash.0,
            state_hash: block.state_hash.0,
            block_time: block.block_time,
            transaction_count: block.transactions.len() as u32,
            total_transactions: block.total_transactions,
            total_fees: block.total_fees,
        };
        let mut write = self.db.begin_write()?;
        write.set_durability(durability);
        {
            if block.slot == 0 {
                let mut genesis = write.open_table(GENESIS_ACCOUNTS)?;
                for (key, account) in &block.written_accounts {
                    let stored = StoredAccount {
                        lamports: account.lamports,
                        owner: account.owner.0,
                        executable: account.executable,
                        data: account.data.clone(),
                    };
                    genesis.insert(key.0.as_slice(), borsh::to_vec(&stored).map_err(|e| corrupt(0, e))?.as_slice())?;
                }
            }
            let mut slots = write.open_table(SLOTS)?;
            slots.insert(block.slot, borsh::to_vec(&record).map_err(|e| corrupt(block.slot, e))?.as_slice())?;
            let mut transactions = write.open_table(TRANSACTIONS)?;
            let mut signatures = write.open_table(SIGNATURES)?;
            let mut addresses = write.open_table(ADDRESS_SIGNATURES)?;
            for (index, executed) in block.transactions.iter().enumerate() {
                let index = index as u32;
                let record = transaction_record(executed, &render_err);
                let bytes = borsh::to_vec(&record).map_err(|e| corrupt(block.slot, e))?;
                transactions.insert((block.slot, index), bytes.as_slice())?;
                let signature = executed.outcome.signature;
                signatures.insert(signature.0.as_slice(), (block.slot, index))?;
                for key in &executed.transaction.message.account_keys {
                    addresses.insert(address_key(key, block.slot, index).as_slice(), signature.0.as_slice())?;
                }
            }
        }
        write.commit()?;
        Ok(())
    }

    /// The newest slot recorded.
    pub fn last_slot(&self) -> Result<Option<SlotRecord>, LedgerError> {
        let read = self.db.begin_read()?;
        let slots = read.open_table(SLOTS)?;
        let last = match slots.last()? {
            None => None,
            Some((slot, bytes)) => Some(decode(slot.value(), bytes.value())?),
        };
        Ok(last)
    }

    pub fn slot(&self, slot: u64) -> Result<Option<SlotRecord>, LedgerError> {
        let read = self.db.begin_read()?;
        let slots = read.open_table(SLOTS)?;
        match slots.get(slot)? {
            None => Ok(None),
            Some(bytes) => Ok(Some(decode(slot, bytes.value())?)),
        }
    }

    /// Slots recorded in `from..=to`, ascending, at most `limit`.
    pub fn slots_in(&self, from: u64, to: u64, limit: usize) -> Result<Vec<SlotRecord>, LedgerError> {
        let read = self.db.begin_read()?;
        let slots = read.open_table(SLOTS)?;
        let mut out = Vec::new();
        if from > to {
            return Ok(out);
        }
        for entry in slots.range(from..=to)?.take(limit) {
            let (slot, bytes) = entry?;
            out.push(decode(slot.value(), bytes.value())?);
        }
        Ok(out)
    }

    /// The transactions of `slot`, in committed order.
    pub fn block_transactions(&self, slot: u64) -> Result<Vec<TransactionRecord>, LedgerError> {
        let read = self.db.begin_read()?;
        let transactions = read.open_table(TRANSACTIONS)?;
        let mut out = Vec::new();
        for entry in transactions.range((slot, 0)..=(slot, u32::MAX))? {
            let (_, bytes) = entry?;
            out.push(decode(slot, bytes.value())?);
        }
        Ok(out)
    }

    /// A transaction by signature: its slot and record.
    pub fn transaction(&self, signature: &Signature) -> Result<Option<(u64, TransactionRecord)>, LedgerError> {
        let read = self.db.begin_read()?;
        let signatures = read.open_table(SIGNATURES)?;
        let Some(position) = signatures.get(signature.0.as_slice())? else {
            return Ok(None);
        };
        let (slot, index) = position.value();
        let transactions = read.open_table(TRANSACTIONS)?;
        match transactions.get((slot, index))? {
            None => Ok(None),
            Some(bytes) => Ok(Some((slot, decode(slot, bytes.value())?))),
        }
    }

    /// Signatures of transactions that named `address`, newest first:
    /// older than `before` (when given and known), stopping at `until`
    /// (exclusive), at most `limit`.
    pub fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<&Signature>,
        until: Option<&Signature>,
        limit: usize,
    ) -> Result<Vec<AddressSignature>, LedgerError> {
        let read = self.db.begin_read()?;
        let signatures = read.open_table(SIGNATURES)?;
        let position = |signature: Option<&Signature>| -> Result<Option<(u64, u32)>, LedgerError> {
            match signature {
                None => Ok(None),
                Some(signature) => Ok(signatures.get(signature.0.as_slice())?.map(|p| p.value())),
            }
        };
        let start = match position(before)? {
            // Strictly older than `before`: the key just after its own.
            Some((slot, index)) => {
                let mut key = address_key(address, slot, index).to_vec();
                key.push(0);
                key
            }
            None => address_key(address, u64::MAX, u32::MAX).to_vec(),
        };
        let until = position(until)?;
        let end = address_key(address, 0, 0);
        let addresses = read.open_table(ADDRESS_SIGNATURES)?;
        let transactions = read.open_table(TRANSACTIONS)?;
        let mut out = Vec::new();
        for entry in addresses.range(start.as_slice()..=end.as_slice())? {
            if out.len() >= limit {
                break;
            }
            let (key, signature) = entry?;
            let key = key.value();
            let slot = !u64::from_be_bytes(key[32..40].try_into().unwrap_or_default());
            let index = !u32::from_be_bytes(key[40..44].try_into().unwrap_or_default());
            if until == Some((slot, index)) {
                break;
            }
            let signature = Signature(signature.value().try_into().map_err(|_| {
                corrupt(slot, std::io::Error::new(std::io::ErrorKind::InvalidData, "signature length"))
            })?);
            let err = match transactions.get((slot, index))? {
                Some(bytes) => decode::<TransactionRecord>(slot, bytes.value())?.err,
                None => None,
            };
            out.push(AddressSignature { signature, slot, err });
        }
        Ok(out)
    }

    /// How many slots are recorded.
    pub fn slot_count(&self) -> Result<u64, LedgerError> {
        let read = self.db.begin_read()?;
        Ok(read.open_table(SLOTS)?.len()?)
    }
}

fn decode<T: BorshDeserialize>(slot: u64, bytes: &[u8]) -> Result<T, LedgerError> {
    borsh::from_slice(bytes).map_err(|e| corrupt(format!("slot {slot}"), e))
}

fn transaction_record(
    executed: &BlockTransaction,
    render_err: &impl Fn(&lanes_sdk::transaction_error::TransactionError) -> String,
) -> TransactionRecord {
    let outcome = &executed.outcome;
    TransactionRecord {
        // A committed transaction was decoded from wire bytes: it encodes.
        wire: executed.transaction.to_wire().unwrap_or_default(),
        err: outcome.result.as_ref().err().map(render_err),
        fee: outcome.fee,
        compute_units: outcome.compute_units_consumed,
        logs: outcome.log_messages(),
        return_data: outcome.return_data.as_ref().map(|(program, data)| (program.0, data.clone())),
        pre_balances: outcome.pre_balances.clone(),
        post_balances: outcome.post_balances.clone(),
        worker: executed.worker,
        started_ns: executed.started_ns,
        ended_ns: executed.ended_ns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::block::BlockTransaction;
    use lanes_runtime::bank::TransactionOutcome;
    use lanes_sdk::client::Keypair;
    use lanes_sdk::system_instruction;

    fn executed(payer: &Keypair, to: &Pubkey, lamports: u64, worker: u32) -> BlockTransaction {
        let transaction = Transaction::new_signed_with_payer(
            &[system_instruction::transfer(&payer.pubkey(), to, lamports)],
            Some(&payer.pubkey()),
            &[payer],
            Hash([3; 32]),
        );
        let outcome = TransactionOutcome {
            signature: transaction.signatures[0],
            result: Ok(()),
            committed: true,
            logs: Vec::new(),
            compute_units_consumed: 150,
            return_data: None,
            fee: 5_000,
            pre_balances: vec![10, 0, 1],
            post_balances: vec![5, 5, 1],
        };
        BlockTransaction { transaction, outcome, worker, started_ns: 1_000 * u64::from(worker), ended_ns: 9_000 }
    }

    fn block(slot: u64, transactions: Vec<BlockTransaction>) -> Block {
        Block {
            slot,
            parent_slot: slot.saturating_sub(1),
            blockhash: Hash([slot as u8; 32]),
            previous_blockhash: Hash([slot.saturating_sub(1) as u8; 32]),
            state_hash: Hash([7; 32]),
            block_time: 1_700_000_000 + slot as i64,
            written_accounts: if slot == 0 {
                vec![(Pubkey::new_unique_from_u64(1), Account::new(42, 3, &Pubkey::new_unique_from_u64(2)))]
            } else {
                Vec::new()
            },
            total_transactions: transactions.len() as u64,
            total_fees: 0,
            transactions,
        }
    }

    #[test]
    fn blocks_round_trip_and_the_indexes_run_newest_first() {
        let dir = std::env::temp_dir().join(format!("lanes-ledger-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let ledger = Ledger::open(&dir.join("ledger.redb")).unwrap();
        let render = |e: &lanes_sdk::transaction_error::TransactionError| format!("{e:?}");
        let (alice, bob) = (Keypair::new(), Pubkey::new_unique_from_u64(9));
        ledger.append_durable(&block(0, Vec::new()), render).unwrap();
        let (first, second, third) =
            (executed(&alice, &bob, 1, 0), executed(&alice, &bob, 2, 1), executed(&alice, &bob, 3, 0));
        let signatures = [first.outcome.signature, second.outcome.signature, third.outcome.signature];
        ledger.append(&block(1, vec![first, second]), render).unwrap();
        ledger.append(&block(2, Vec::new()), render).unwrap();
        ledger.append(&block(3, vec![third]), render).unwrap();

        assert_eq!(ledger.last_slot().unwrap().unwrap().slot, 3);
        assert_eq!(ledger.slots_in(1, 2, 10).unwrap().iter().map(|s| s.slot).collect::<Vec<_>>(), [1, 2]);
        let (slot, record) = ledger.transaction(&signatures[1]).unwrap().unwrap();
        assert_eq!((slot, record.worker, record.started_ns, record.ended_ns), (1, 1, 1_000, 9_000));
        assert_eq!((record.fee, record.compute_units, record.post_balances.clone()), (5_000, 150, vec![5, 5, 1]));
        assert!(record.transaction().is_some());
        assert_eq!(ledger.block_transactions(1).unwrap().len(), 2);

        let newest_first = ledger.signatures_for_address(&bob, None, None, 10).unwrap();
        let order: Vec<Signature> = newest_first.iter().map(|e| e.signature).collect();
        assert_eq!(order, [signatures[2], signatures[1], signatures[0]]);
        let before = ledger.signatures_for_address(&bob, Some(&signatures[2]), None, 10).unwrap();
        assert_eq!(before.iter().map(|e| e.signature).collect::<Vec<_>>(), [signatures[1], signatures[0]]);
        let until = ledger.signatures_for_address(&bob, None, Some(&signatures[0]), 10).unwrap();
        assert_eq!(until.len(), 2);
        assert_eq!(ledger.signatures_for_address(&bob, None, None, 1).unwrap().len(), 1);
        let genesis = ledger.genesis_accounts().unwrap();
        assert_eq!(
            genesis,
            vec![(Pubkey::new_unique_from_u64(1), Account::new(42, 3, &Pubkey::new_unique_from_u64(2)))]
        );

        // Reopened, everything is still there.
        drop(ledger);
        let ledger = Ledger::open_existing(&dir.join("ledger.redb")).unwrap();
        assert_eq!(ledger.slot_count().unwrap(), 4);
        assert_eq!(ledger.transaction(&signatures[2]).unwrap().unwrap().0, 3);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
