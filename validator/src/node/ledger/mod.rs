//! The ledger: every slot's block — its hashes and every committed
//! transaction (legacy or v0) in committed order with its status, fee,
//! logs, compute units, return data, balances, worker and, for v0, the
//! addresses its lookups loaded — with indexes by signature and by address
//! (loaded addresses too, as Agave indexes them), in a redb database (`ledger.redb` in the ledger directory).
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

mod records;

use records::{chunk_len, chunk_record, transaction_record, RecordChunk};
pub use records::{ControlRecord, SlotRecord, StoredLogLine, TransactionRecord};

use super::block::Block;
use borsh::{BorshDeserialize, BorshSerialize};
use lanes_sdk::{Account, Pubkey, Signature};
use redb::{Database, Durability, ReadableTable, ReadableTableMetadata, TableDefinition};
use std::path::Path;

/// slot → [`SlotRecord`] (borsh).
const SLOTS: TableDefinition<u64, &[u8]> = TableDefinition::new("slots");
/// (slot, chunk) → the [`TransactionRecord`]s (borsh) of transactions
/// `chunk × RECORDS_PER_CHUNK ..` of the slot in committed order, as a
/// [`RecordChunk`]. Records are a few hundred bytes: one B-tree value each
/// would leave most of every page empty and cost an insert each.
const TRANSACTIONS: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("transactions");

/// Transactions in one stored chunk.
const RECORDS_PER_CHUNK: usize = 64;
/// A partition's first slot → the transactions in it. Partitions are
/// runs of slots holding at most [`PARTITION_TRANSACTIONS`] (a slot is
/// never split), each with its own two index tables below.
///
/// Signatures are random and addresses nearly so: in one B-tree each of a
/// slot's inserts lands on a different leaf, and redb (copy-on-write)
/// rewrites every leaf touched, so a slot would rewrite more of the tree
/// the larger it grew. In small partitions a slot rewrites at most the
/// newest partition's trees — the cost of a slot stays flat as the ledger
/// grows — a lookup tries the partitions newest first, and pruning drops
/// whole tables instead of deleting entries one by one.
const PARTITIONS: TableDefinition<u64, u64> = TableDefinition::new("partitions");

/// Transactions a partition takes before the next slot starts a new one.
pub const PARTITION_TRANSACTIONS: u64 = 1 << 13;

/// Slots a pruned ledger always keeps, whatever its limit: more than the
/// 150 recent blockhashes a restart restores.
pub const MIN_KEPT_SLOTS: u64 = 300;

/// A partition's signature index, `signatures.<first slot>`: the
/// signature's first 16 bytes (big-endian) → (slot, index). Half a
/// signature is as unique as a key needs to be (two agree with probability
/// 2⁻¹²⁸) and keeps the index a third of the size; a lookup checks the
/// whole signature against the record it finds.
fn signature_index(name: &str) -> TableDefinition<'_, u128, (u64, u32)> {
    TableDefinition::new(name)
}

/// A partition's address index, `addresses.<first slot>`: address ‖ !slot
/// (big-endian, so a forward scan of one address runs newest slot first)
/// → the indexes in that slot of the transactions that named the address,
/// ascending, as little-endian u32s. One entry per address a slot
/// touched, not one per transaction: a hot account (a program, a mint)
/// costs one insert a slot.
fn address_index(name: &str) -> TableDefinition<'_, &'static [u8], &'static [u8]> {
    TableDefinition::new(name)
}

fn index_names(partition: u64) -> (String, String) {
    (format!("signatures.{partition}"), format!("addresses.{partition}"))
}

/// The accounts genesis made (slot 0's), key → [`StoredAccount`] (borsh):
/// where `verify-ledger` starts.
const GENESIS_ACCOUNTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("genesis_accounts");
/// slot → the [`ControlRecord`]s (borsh, a `Vec`) that slot applied, in
/// the order applied; only slots that applied any have an entry.
const CONTROLS: TableDefinition<u64, &[u8]> = TableDefinition::new("controls");
/// "format" → [`FORMAT`]: the layout of the tables above.
const META: TableDefinition<&str, u32> = TableDefinition::new("meta");

/// The ledger layout this build writes. Format 1 (before the per-slot
/// address index and structured logs) had no `meta` table; format 2 kept
/// every partition in one pair of index tables; format 3 had no v0
/// transactions, so no loaded addresses after a record; format 4 had no
/// state controls: no `controls` table, every slot recorded (no warp),
/// and every block time the deterministic clock's (no clock offset).
pub const FORMAT: u32 = 5;

/// The oldest layout this build reads: a format 3 or 4 ledger is format 5
/// without a v0 transaction or a control (its records are format 5's), so
/// it is read as it is, and marked format 5 when opened to write. A
/// format 5 ledger is refused by older builds, which could not replay its
/// controls.
pub const OLDEST_READABLE_FORMAT: u32 = 3;

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
    #[error("the ledger was written by another version of Lanes (format {found}, this build reads {OLDEST_READABLE_FORMAT} to {FORMAT}): start with --reset")]
    Format { found: u32 },
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
    /// [`PARTITION_TRANSACTIONS`], smaller in tests.
    partition_transactions: u64,
}

fn corrupt(what: impl std::fmt::Display, e: std::io::Error) -> LedgerError {
    LedgerError::Corrupt(what.to_string(), e)
}

fn address_key(address: &Pubkey, slot: u64) -> [u8; 40] {
    let mut key = [0u8; 40];
    key[..32].copy_from_slice(&address.0);
    key[32..].copy_from_slice(&(!slot).to_be_bytes());
    key
}

fn signature_key(signature: &Signature) -> u128 {
    let mut prefix = [0u8; 16];
    prefix.copy_from_slice(&signature.0[..16]);
    u128::from_be_bytes(prefix)
}

fn invalid(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}

impl Ledger {
    /// Open `path`, creating it (and its tables) if it is new. A ledger
    /// of another format is refused, never rewritten.
    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        let db = Database::create(path)?;
        Self::check_format(&db)?;
        let write = db.begin_write()?;
        write.open_table(META)?.insert("format", FORMAT)?;
        write.open_table(SLOTS)?;
        write.open_table(TRANSACTIONS)?;
        write.open_table(PARTITIONS)?;
        write.open_table(GENESIS_ACCOUNTS)?;
        write.open_table(CONTROLS)?;
        write.commit()?;
        Ok(Ledger { db, partition_transactions: PARTITION_TRANSACTIONS })
    }

    /// Open `path`, which must exist and be of this build's format.
    pub fn open_existing(path: &Path) -> Result<Ledger, LedgerError> {
        let db = Database::open(path)?;
        Self::check_format(&db)?;
        Ok(Ledger { db, partition_transactions: PARTITION_TRANSACTIONS })
    }

    /// A new database has no tables; one with slots but no format marker
    /// is format 1.
    fn check_format(db: &Database) -> Result<(), LedgerError> {
        let read = db.begin_read()?;
        let found = match read.open_table(META) {
            Ok(meta) => meta.get("format")?.map(|v| v.value()),
            Err(redb::TableError::TableDoesNotExist(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let found = match found {
            Some(found) => found,
            None => match read.open_table(SLOTS) {
                Ok(slots) if !slots.is_empty()? => 1,
                Ok(_) | Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
                Err(e) => return Err(e.into()),
            },
        };
        if (OLDEST_READABLE_FORMAT..=FORMAT).contains(&found) {
            Ok(())
        } else {
            Err(LedgerError::Format { found })
        }
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
    /// transactions or controls.
    pub fn append(
        &self,
        block: &Block,
        render_err: impl Fn(&lanes_sdk::transaction_error::TransactionError) -> String,
    ) -> Result<(), LedgerError> {
        let durability = if block.transactions.is_empty() && block.controls.is_empty() {
            Durability::None
        } else {
            Durability::Immediate
        };
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
            if !block.controls.is_empty() {
                let controls = borsh::to_vec(&block.controls).map_err(|e| corrupt(block.slot, e))?;
                write.open_table(CONTROLS)?.insert(block.slot, controls.as_slice())?;
            }
            let mut transactions = write.open_table(TRANSACTIONS)?;
            let mut chunk = RecordChunk::default();
            for (number, executed) in block.transactions.chunks(RECORDS_PER_CHUNK).enumerate() {
                chunk.clear();
                for executed in executed {
                    chunk.push(&transaction_record(executed, &render_err)).map_err(|e| corrupt(block.slot, e))?;
                }
                transactions.insert((block.slot, number as u32), chunk.encode().as_slice())?;
            }
            if !block.transactions.is_empty() {
                let partition =
                    append_to_partition(&mut write.open_table(PARTITIONS)?, block, self.partition_transactions)?;
                // Both indexes are inserted in key order: each B-tree leaf
                // is visited once, in a row, rather than at random.
                let mut by_signature: Vec<(u128, u32)> = block
                    .transactions
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (signature_key(&t.outcome.signature), i as u32))
                    .collect();
                by_signature.sort_unstable();
                let (signatures_name, addresses_name) = index_names(partition);
                let mut signatures = write.open_table(signature_index(&signatures_name))?;
                for (signature, index) in by_signature {
                    signatures.insert(signature, (block.slot, index))?;
                }
                let mut by_address = std::collections::BTreeMap::<&Pubkey, Vec<u8>>::new();
                for (index, executed) in block.transactions.iter().enumerate() {
                    for key in executed.account_keys() {
                        by_address.entry(key).or_default().extend_from_slice(&(index as u32).to_le_bytes());
                    }
                }
                let mut addresses = write.open_table(address_index(&addresses_name))?;
                for (address, indexes) in by_address {
                    addresses.insert(address_key(address, block.slot).as_slice(), indexes.as_slice())?;
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

    /// The controls `slot` applied, in the order applied (none for a
    /// ledger older than format 5).
    pub fn controls(&self, slot: u64) -> Result<Vec<ControlRecord>, LedgerError> {
        let read = self.db.begin_read()?;
        let Some(controls) = open_index(&read, CONTROLS)? else {
            return Ok(Vec::new());
        };
        let found = controls.get(slot)?;
        match found {
            None => Ok(Vec::new()),
            Some(bytes) => decode(slot, bytes.value()),
        }
    }

    /// The newest `limit` slots recorded at or before `to`, ascending:
    /// the blocks whose blockhashes were the recent ones at `to` (slots a
    /// warp skipped have none).
    pub fn recent_slots(&self, to: u64, limit: usize) -> Result<Vec<SlotRecord>, LedgerError> {
        let read = self.db.begin_read()?;
        let slots = read.open_table(SLOTS)?;
        let mut out = Vec::with_capacity(limit.min(1024));
        for entry in slots.range(..=to)?.rev().take(limit) {
            let (slot, bytes) = entry?;
            out.push(decode(slot.value(), bytes.value())?);
        }
        out.reverse();
        Ok(out)
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
            let bytes = bytes.value();
            for index in 0..chunk_len(slot, bytes)? {
                out.push(TransactionRecord::decode(slot, chunk_record(slot, bytes, index)?)?);
            }
        }
        Ok(out)
    }

    /// A transaction by signature: its slot and record.
    pub fn transaction(&self, signature: &Signature) -> Result<Option<(u64, TransactionRecord)>, LedgerError> {
        let read = self.db.begin_read()?;
        let found = locate(&read, &read.open_table(TRANSACTIONS)?, signature)?;
        Ok(found.map(|((slot, _), record)| (slot, record)))
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
        let transactions = read.open_table(TRANSACTIONS)?;
        let position = |signature: Option<&Signature>| -> Result<Option<(u64, u32)>, LedgerError> {
            match signature {
                None => Ok(None),
                Some(signature) => Ok(locate(&read, &transactions, signature)?.map(|(position, _)| position)),
            }
        };
        // Transactions strictly older than `before`: from its slot on, and
        // in its slot only those before it.
        let before = position(before)?;
        let until = position(until)?;
        let mut out = Vec::new();
        for partition in read.open_table(PARTITIONS)?.iter()?.rev() {
            let partition = partition?.0.value();
            if before.is_some_and(|(slot, _)| slot < partition) {
                continue;
            }
            let Some(addresses) = open_index(&read, address_index(&index_names(partition).1))? else {
                continue;
            };
            let start = address_key(address, before.map_or(u64::MAX, |(slot, _)| slot));
            let end = address_key(address, 0);
            for entry in addresses.range(start.as_slice()..=end.as_slice())? {
                let (key, indexes) = entry?;
                let slot =
                    !u64::from_be_bytes(key.value()[32..40].try_into().map_err(|_| corrupt("index", invalid("key")))?);
                let indexes = indexes.value();
                if indexes.len() % 4 != 0 {
                    return Err(corrupt(slot, invalid("address index length")));
                }
                for index in indexes.chunks_exact(4).rev().map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])) {
                    if before.is_some_and(|(s, i)| s == slot && index >= i) {
                        continue;
                    }
                    if until == Some((slot, index)) || out.len() >= limit {
                        return Ok(out);
                    }
                    let Some(record) = record_at(&transactions, slot, index)? else {
                        return Err(corrupt(slot, invalid("indexed transaction missing")));
                    };
                    let signature =
                        record.signature().ok_or_else(|| corrupt(slot, invalid("transaction wire bytes")))?;
                    out.push(AddressSignature { signature, slot, err: record.err });
                }
            }
        }
        Ok(out)
    }

    /// Drop the oldest history, whole partitions at a time, while the rest
    /// still holds at least `keep` transactions and [`MIN_KEPT_SLOTS`]
    /// slots; the newest partition always stays. Every slot before the
    /// first partition kept goes with them (empty ones too). Returns the
    /// first slot kept if anything was dropped. The deletion is not waited
    /// for on disk: a crash before the next durable append only leaves it
    /// to be done again.
    pub fn prune(&self, keep: u64) -> Result<Option<u64>, LedgerError> {
        let (partitions, keep_from) = {
            let read = self.db.begin_read()?;
            let partitions = read.open_table(PARTITIONS)?;
            let mut list = Vec::new();
            for entry in partitions.iter()? {
                let (first, count) = entry?;
                list.push((first.value(), count.value()));
            }
            // The oldest of the newest MIN_KEPT_SLOTS + 1 slots recorded
            // (slots, not slot numbers: a warp skips numbers).
            let mut keep_from = 0;
            for entry in read.open_table(SLOTS)?.iter()?.rev().take(MIN_KEPT_SLOTS as usize + 1) {
                keep_from = entry?.0.value();
            }
            (list, keep_from)
        };
        let mut remaining: u64 = partitions.iter().map(|(_, count)| count).sum();
        let mut dropped = 0;
        while dropped + 1 < partitions.len() {
            let (_, count) = partitions[dropped];
            let next_first = partitions[dropped + 1].0;
            if remaining - count < keep || next_first > keep_from {
                break;
            }
            remaining -= count;
            dropped += 1;
        }
        if dropped == 0 {
            return Ok(None);
        }
        let cutoff = partitions[dropped].0;
        let mut write = self.db.begin_write()?;
        write.set_durability(Durability::None);
        {
            let mut table = write.open_table(PARTITIONS)?;
            for &(partition, _) in &partitions[..dropped] {
                let (signatures, addresses) = index_names(partition);
                write.delete_table(signature_index(&signatures))?;
                write.delete_table(address_index(&addresses))?;
                table.remove(partition)?;
            }
            write.open_table(TRANSACTIONS)?.retain_in((0, 0)..(cutoff, 0), |_, _| false)?;
            write.open_table(SLOTS)?.retain_in(0..cutoff, |_, _| false)?;
            write.open_table(CONTROLS)?.retain_in(0..cutoff, |_, _| false)?;
        }
        write.commit()?;
        Ok(Some(cutoff))
    }

    /// The oldest slot recorded (0 unless the ledger was pruned).
    pub fn first_slot(&self) -> Result<Option<u64>, LedgerError> {
        let read = self.db.begin_read()?;
        let first = read.open_table(SLOTS)?.first()?.map(|(slot, _)| slot.value());
        Ok(first)
    }

    /// How many index partitions there are.
    pub fn partition_count(&self) -> Result<usize, LedgerError> {
        let read = self.db.begin_read()?;
        Ok(read.open_table(PARTITIONS)?.len()? as usize)
    }

    /// How many slots are recorded.
    pub fn slot_count(&self) -> Result<u64, LedgerError> {
        let read = self.db.begin_read()?;
        Ok(read.open_table(SLOTS)?.len()?)
    }
}

/// Count `block`'s transactions into the newest partition, or start one
/// at its slot when the newest is full; the partition's first slot.
fn append_to_partition(
    partitions: &mut redb::Table<u64, u64>,
    block: &Block,
    partition_transactions: u64,
) -> Result<u64, LedgerError> {
    let newest = partitions.last()?.map(|(first, count)| (first.value(), count.value()));
    let (partition, count) = match newest {
        Some((first, count)) if count < partition_transactions => (first, count),
        _ => (block.slot, 0),
    };
    partitions.insert(partition, count + block.transactions.len() as u64)?;
    Ok(partition)
}

/// A transaction's place in the ledger: (slot, index in committed order).
type Position = (u64, u32);

/// Where `signature`'s transaction is, and its record: the partitions are
/// tried newest first, and since the index is keyed by half the signature,
/// the record's own signature must match.
fn locate(
    read: &redb::ReadTransaction,
    transactions: &redb::ReadOnlyTable<(u64, u32), &[u8]>,
    signature: &Signature,
) -> Result<Option<(Position, TransactionRecord)>, LedgerError> {
    let key = signature_key(signature);
    for partition in read.open_table(PARTITIONS)?.iter()?.rev() {
        let Some(signatures) = open_index(read, signature_index(&index_names(partition?.0.value()).0))? else {
            continue;
        };
        let Some(position) = signatures.get(key)? else {
            continue;
        };
        let (slot, index) = position.value();
        let Some(record) = record_at(transactions, slot, index)? else {
            continue;
        };
        if record.signature().as_ref() == Some(signature) {
            return Ok(Some(((slot, index), record)));
        }
    }
    Ok(None)
}

/// A partition's index table, `None` if it does not exist (an append
/// writes a partition's count and tables together, so this is a damaged
/// ledger read as empty rather than an error for every lookup).
fn open_index<K: redb::Key + 'static, V: redb::Value + 'static>(
    read: &redb::ReadTransaction,
    table: TableDefinition<K, V>,
) -> Result<Option<redb::ReadOnlyTable<K, V>>, LedgerError> {
    match read.open_table(table) {
        Ok(table) => Ok(Some(table)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The record of transaction `index` of `slot`, if stored.
fn record_at(
    transactions: &redb::ReadOnlyTable<(u64, u32), &[u8]>,
    slot: u64,
    index: u32,
) -> Result<Option<TransactionRecord>, LedgerError> {
    let chunk = index / RECORDS_PER_CHUNK as u32;
    let Some(bytes) = transactions.get((slot, chunk))? else {
        return Ok(None);
    };
    let bytes = bytes.value();
    let within = (index % RECORDS_PER_CHUNK as u32) as usize;
    if within >= chunk_len(slot, bytes)? {
        return Ok(None);
    }
    Ok(Some(TransactionRecord::decode(slot, chunk_record(slot, bytes, within)?)?))
}

fn decode<T: BorshDeserialize>(slot: u64, bytes: &[u8]) -> Result<T, LedgerError> {
    borsh::from_slice(bytes).map_err(|e| corrupt(format!("slot {slot}"), e))
}

#[cfg(test)]
mod tests;
