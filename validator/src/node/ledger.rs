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
use lanes_runtime::transaction_context::LogLine;
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::Transaction;
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
/// "format" → [`FORMAT`]: the layout of the tables above.
const META: TableDefinition<&str, u32> = TableDefinition::new("meta");

/// The ledger layout this build writes and reads. Format 1 (before the
/// per-slot address index and structured logs) had no `meta` table;
/// format 2 kept every partition in one pair of index tables.
pub const FORMAT: u32 = 3;

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
    #[error("the ledger was written by another version of Lanes (format {found}, this build reads {FORMAT}): start with --reset")]
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
    pub logs: Vec<StoredLogLine>,
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

    /// The log as Solana's RPC returns it, one string per line.
    pub fn log_messages(&self) -> Vec<String> {
        self.logs.iter().map(|line| LogLine::from(line).to_string()).collect()
    }

    /// The first signature (the transaction's id), read from the wire
    /// bytes without decoding the rest: a compact-u16 count, then 64 bytes.
    pub fn signature(&self) -> Option<Signature> {
        let (&count, rest) = self.wire.split_first()?;
        if count == 0 || count & 0x80 != 0 {
            return None;
        }
        Some(Signature(rest.get(..64)?.try_into().ok()?))
    }
}

/// A log line as stored: the runtime's structured line, program ids as
/// bytes, rendered to text only when read (most are never read).
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum StoredLogLine {
    Invoke { program: [u8; 32], depth: u32 },
    Consumed { program: [u8; 32], consumed: u64, limit: u64 },
    Success { program: [u8; 32] },
    Text(String),
}

impl From<&LogLine> for StoredLogLine {
    fn from(line: &LogLine) -> Self {
        match line {
            LogLine::Invoke { program, depth } => {
                StoredLogLine::Invoke { program: program.0, depth: u32::try_from(*depth).unwrap_or(u32::MAX) }
            }
            LogLine::Consumed { program, consumed, limit } => {
                StoredLogLine::Consumed { program: program.0, consumed: *consumed, limit: *limit }
            }
            LogLine::Success { program } => StoredLogLine::Success { program: program.0 },
            LogLine::Text(text) => StoredLogLine::Text(text.clone()),
        }
    }
}

impl From<&StoredLogLine> for LogLine {
    fn from(line: &StoredLogLine) -> Self {
        match line {
            StoredLogLine::Invoke { program, depth } => {
                LogLine::Invoke { program: Pubkey(*program), depth: *depth as usize }
            }
            StoredLogLine::Consumed { program, consumed, limit } => {
                LogLine::Consumed { program: Pubkey(*program), consumed: *consumed, limit: *limit }
            }
            StoredLogLine::Success { program } => LogLine::Success { program: Pubkey(*program) },
            StoredLogLine::Text(text) => LogLine::Text(text.clone()),
        }
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
        if found == FORMAT {
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
                    for key in &executed.transaction.message.account_keys {
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
                out.push(decode(slot, chunk_record(slot, bytes, index)?)?);
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
        let (partitions, last) = {
            let read = self.db.begin_read()?;
            let partitions = read.open_table(PARTITIONS)?;
            let mut list = Vec::new();
            for entry in partitions.iter()? {
                let (first, count) = entry?;
                list.push((first.value(), count.value()));
            }
            let last = read.open_table(SLOTS)?.last()?.map(|(slot, _)| slot.value()).unwrap_or(0);
            (list, last)
        };
        let mut remaining: u64 = partitions.iter().map(|(_, count)| count).sum();
        let mut dropped = 0;
        while dropped + 1 < partitions.len() {
            let (_, count) = partitions[dropped];
            let next_first = partitions[dropped + 1].0;
            if remaining - count < keep || last.saturating_sub(next_first) < MIN_KEPT_SLOTS {
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
    Ok(Some(decode(slot, chunk_record(slot, bytes, within)?)?))
}

/// Records stored together: a little-endian u32 count, then each record's
/// end offset (u32, from the start of the records), then the records.
/// One record is read without decoding the others.
#[derive(Default)]
struct RecordChunk {
    ends: Vec<u32>,
    records: Vec<u8>,
}

impl RecordChunk {
    fn clear(&mut self) {
        self.ends.clear();
        self.records.clear();
    }

    fn push(&mut self, record: &TransactionRecord) -> std::io::Result<()> {
        borsh::to_writer(&mut self.records, record)?;
        let end = u32::try_from(self.records.len()).map_err(|_| invalid("chunk over 4 GiB"))?;
        self.ends.push(end);
        Ok(())
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + 4 * self.ends.len() + self.records.len());
        out.extend_from_slice(&(self.ends.len() as u32).to_le_bytes());
        for end in &self.ends {
            out.extend_from_slice(&end.to_le_bytes());
        }
        out.extend_from_slice(&self.records);
        out
    }
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// How many records a stored chunk holds.
fn chunk_len(slot: u64, chunk: &[u8]) -> Result<usize, LedgerError> {
    let count = read_u32(chunk, 0).ok_or_else(|| corrupt(slot, invalid("chunk header")))? as usize;
    if count > RECORDS_PER_CHUNK || chunk.len() < 4 + 4 * count {
        return Err(corrupt(slot, invalid("chunk header")));
    }
    Ok(count)
}

/// Record `index` of a stored chunk (`index < chunk_len`), undecoded.
fn chunk_record(slot: u64, chunk: &[u8], index: usize) -> Result<&[u8], LedgerError> {
    let count = chunk_len(slot, chunk)?;
    let records = &chunk[4 + 4 * count..];
    let end_at = |i: usize| read_u32(chunk, 4 + 4 * i).map(|e| e as usize);
    let start = if index == 0 { Some(0) } else { end_at(index - 1) };
    match (start, end_at(index)) {
        (Some(start), Some(end)) if start <= end && end <= records.len() => Ok(&records[start..end]),
        _ => Err(corrupt(slot, invalid("chunk offsets"))),
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
        logs: outcome.logs.iter().map(StoredLogLine::from).collect(),
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

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("lanes-ledger-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn lookups_cross_partitions_and_chunks_and_check_the_whole_signature() {
        let dir = scratch("partitions");
        let mut ledger = Ledger::open(&dir.join("ledger.redb")).unwrap();
        ledger.partition_transactions = 3;
        let render = |e: &lanes_sdk::transaction_error::TransactionError| format!("{e:?}");
        let (alice, bob) = (Keypair::new(), Pubkey::new_unique_from_u64(9));
        // Slots of 2, 0, 1, 70 (two chunks), 2 and 1 transactions: several
        // partitions, a slot larger than a partition, an empty slot.
        let mut all = Vec::new();
        let mut lamports = 0;
        for (slot, count) in [(1u64, 2usize), (2, 0), (3, 1), (4, 70), (5, 2), (6, 1)] {
            let transactions: Vec<BlockTransaction> = (0..count)
                .map(|i| {
                    lamports += 1;
                    executed(&alice, &bob, lamports, i as u32 % 2)
                })
                .collect();
            for (index, t) in transactions.iter().enumerate() {
                all.push((t.outcome.signature, slot, index));
            }
            ledger.append(&block(slot, transactions), render).unwrap();
        }
        for (signature, slot, index) in &all {
            let (found_slot, record) = ledger.transaction(signature).unwrap().unwrap();
            assert_eq!((found_slot, record.signature()), (*slot, Some(*signature)));
            assert_eq!(ledger.block_transactions(*slot).unwrap()[*index].signature(), Some(*signature));
        }
        assert_eq!(ledger.block_transactions(4).unwrap().len(), 70);
        // The same first half of a signature is not the signature.
        let mut impostor = all[5].0;
        impostor.0[63] ^= 1;
        assert!(ledger.transaction(&impostor).unwrap().is_none());
        assert!(ledger.transaction(&Signature([7; 64])).unwrap().is_none());

        let newest_first: Vec<Signature> = all.iter().rev().map(|(s, _, _)| *s).collect();
        let listed = |before: Option<&Signature>, until: Option<&Signature>, limit| -> Vec<Signature> {
            ledger.signatures_for_address(&bob, before, until, limit).unwrap().iter().map(|e| e.signature).collect()
        };
        assert_eq!(listed(None, None, 1_000), newest_first);
        assert_eq!(listed(None, None, 10), newest_first[..10]);
        for at in [0, 1, 2, 3, 40, 72, 74, 75] {
            assert_eq!(listed(Some(&newest_first[at]), None, 1_000), newest_first[at + 1..], "before #{at}");
            assert_eq!(listed(None, Some(&newest_first[at]), 1_000), newest_first[..at], "until #{at}");
        }
        assert_eq!(listed(Some(&newest_first[3]), Some(&newest_first[9]), 1_000), newest_first[4..9]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_ledger_of_the_first_format_is_refused_not_rewritten() {
        let dir = scratch("format");
        let path = dir.join("ledger.redb");
        {
            let db = Database::create(&path).unwrap();
            let write = db.begin_write().unwrap();
            write.open_table(SLOTS).unwrap().insert(0, [1u8, 2, 3].as_slice()).unwrap();
            write.commit().unwrap();
        }
        let refused = |r: Result<Ledger, LedgerError>| match r {
            Err(LedgerError::Format { found: 1 }) => {}
            Err(e) => panic!("wrong error: {e}"),
            Ok(_) => panic!("an old ledger was opened"),
        };
        refused(Ledger::open(&path));
        refused(Ledger::open_existing(&path));
        let db = Database::open(&path).unwrap();
        assert!(db.begin_read().unwrap().open_table(META).is_err(), "nothing was written to it");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn pruning_drops_the_oldest_partitions_and_keeps_the_recent_slots() {
        let dir = scratch("prune");
        let mut ledger = Ledger::open(&dir.join("ledger.redb")).unwrap();
        ledger.partition_transactions = 3;
        let render = |e: &lanes_sdk::transaction_error::TransactionError| format!("{e:?}");
        let (alice, bob) = (Keypair::new(), Pubkey::new_unique_from_u64(9));
        let mut lamports = 0;
        let mut signatures = Vec::new();
        ledger.append_durable(&block(0, Vec::new()), render).unwrap();
        // Partitions start at slots 1 (slots 1, 2), 3 (3, 4), 5 (5, 6) and
        // 500; two transactions a slot; empty slots in between.
        for slot in 1..=500u64 {
            let count = if slot <= 6 || slot == 500 { 2 } else { 0 };
            let transactions: Vec<BlockTransaction> = (0..count)
                .map(|_| {
                    lamports += 1;
                    executed(&alice, &bob, lamports, 0)
                })
                .collect();
            signatures.extend(transactions.iter().map(|t| (slot, t.outcome.signature)));
            ledger.append(&block(slot, transactions), render).unwrap();
        }
        assert_eq!(ledger.prune(1_000).unwrap(), None, "nothing to drop under the limit");
        // Keep 3: the partitions of slots 1 and 3 go (what remains, 6, is
        // still ≥ 3); the one of slot 5 would leave 2 < 3 and stays.
        assert_eq!(ledger.prune(3).unwrap(), Some(5));
        assert_eq!(ledger.first_slot().unwrap(), Some(5));
        assert!(ledger.slot(4).unwrap().is_none() && ledger.slot(5).unwrap().is_some());
        for (slot, signature) in &signatures {
            let found = ledger.transaction(signature).unwrap().map(|(slot, _)| slot);
            assert_eq!(found, (*slot >= 5).then_some(*slot), "slot {slot}");
        }
        let listed: Vec<u64> =
            ledger.signatures_for_address(&bob, None, None, 100).unwrap().iter().map(|e| e.slot).collect();
        assert_eq!(listed, [500, 500, 6, 6, 5, 5]);
        // Slot 5's partition stays while fewer than MIN_KEPT_SLOTS slots
        // would remain after it; then it goes, and the newest always stays.
        assert_eq!(ledger.prune(0).unwrap(), None);
        for slot in 501..=500 + MIN_KEPT_SLOTS {
            ledger.append(&block(slot, Vec::new()), render).unwrap();
        }
        assert_eq!(ledger.prune(0).unwrap(), Some(500));
        assert_eq!(ledger.signatures_for_address(&bob, None, None, 100).unwrap().len(), 2);
        assert_eq!(ledger.prune(0).unwrap(), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
