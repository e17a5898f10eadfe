//! What one slot and one transaction look like on disk: the borsh
//! records ([`SlotRecord`], [`TransactionRecord`] with its structured log
//! lines and, for a v0 transaction, the addresses its lookups loaded), how a
//! committed transaction becomes a record, and the chunk that stores records
//! 64 together so one can be read without the others.
//!
//! Never: read or write a table (the ledger does), or trust the bytes it
//! decodes (a bad length or offset is a corrupt record, never a panic).

use super::{corrupt, invalid, LedgerError, RECORDS_PER_CHUNK};
use crate::node::block::BlockTransaction;
use borsh::{BorshDeserialize, BorshSerialize};
use lanes_runtime::transaction_context::LogLine;
use lanes_sdk::hash::Hash;
use lanes_sdk::message::v0::LoadedAddresses;
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::{Pubkey, Signature};

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

/// A state control (`lanesSetAccount`, `lanesSetTokenBalance`,
/// `lanesSetClock`, `lanesWarpToSlot`) as the ledger records it with the
/// slot that applied it: what a replay applies in the same place. Account
/// and clock controls are applied at the start of their slot, before its
/// transactions, in this order; `WarpTo` at its end, instead of moving to
/// the next slot. A token balance is recorded as the accounts it wrote.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ControlRecord {
    /// The account `key` set to this state (zero lamports: deleted).
    SetAccount { key: [u8; 32], lamports: u64, owner: [u8; 32], executable: bool, data: Vec<u8> },
    /// The clock moved so that this slot reads `unix_timestamp`; it
    /// advances with the slots from there.
    SetClock { unix_timestamp: i64 },
    /// The slot ended with a jump to `slot` (the slots between have no block).
    WarpTo { slot: u64 },
}

impl ControlRecord {
    /// A `SetAccount` record of `account` at `key`.
    pub fn set_account(key: &Pubkey, account: &lanes_sdk::Account) -> ControlRecord {
        ControlRecord::SetAccount {
            key: key.0,
            lamports: account.lamports,
            owner: account.owner.0,
            executable: account.executable,
            data: account.data.clone(),
        }
    }
}

/// A committed transaction as stored: the borsh of its fields, then —
/// only for a transaction whose lookups loaded any address — the loaded
/// addresses ([`StoredLoadedAddresses`]). A record without them (every
/// legacy one, and every one format 3 wrote) is byte for byte format 3's.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TransactionRecord {
    /// The transaction's wire bytes, as it was sent (legacy or v0).
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
    /// What a v0 message's lookups resolved to when it ran (tables change
    /// later: this is the record); empty for a legacy message. Written
    /// after the fields above, and only when not empty.
    #[borsh(skip)]
    pub loaded_addresses: LoadedAddresses,
}

/// A record's loaded addresses as stored after its fields.
#[derive(BorshSerialize, BorshDeserialize)]
struct StoredLoadedAddresses {
    writable: Vec<[u8; 32]>,
    readonly: Vec<[u8; 32]>,
}

impl TransactionRecord {
    /// The transaction (a legacy wire decodes as a legacy message).
    pub fn transaction(&self) -> Option<VersionedTransaction> {
        VersionedTransaction::from_wire(&self.wire).ok()
    }

    /// Every account key in index order: static, then loaded writable,
    /// then loaded read-only.
    pub fn account_keys(&self, tx: &VersionedTransaction) -> Vec<Pubkey> {
        let loaded = &self.loaded_addresses;
        tx.message.static_account_keys().iter().chain(&loaded.writable).chain(&loaded.readonly).copied().collect()
    }

    /// Append the stored form of `self` to `out`.
    fn encode_into(&self, out: &mut Vec<u8>) -> std::io::Result<()> {
        borsh::to_writer(&mut *out, self)?;
        if !self.loaded_addresses.is_empty() {
            let keys = |keys: &[Pubkey]| keys.iter().map(|k| k.0).collect();
            let loaded = StoredLoadedAddresses {
                writable: keys(&self.loaded_addresses.writable),
                readonly: keys(&self.loaded_addresses.readonly),
            };
            borsh::to_writer(&mut *out, &loaded)?;
        }
        Ok(())
    }

    /// A stored record (of `slot`): its fields, then its loaded addresses
    /// if any bytes remain; anything else left over is a corrupt record.
    pub(super) fn decode(slot: u64, bytes: &[u8]) -> Result<TransactionRecord, LedgerError> {
        let mut rest = bytes;
        let mut record = TransactionRecord::deserialize(&mut rest).map_err(|e| corrupt(format!("slot {slot}"), e))?;
        if !rest.is_empty() {
            let loaded =
                StoredLoadedAddresses::deserialize(&mut rest).map_err(|e| corrupt(format!("slot {slot}"), e))?;
            if !rest.is_empty() || loaded.writable.len() + loaded.readonly.len() == 0 {
                return Err(corrupt(format!("slot {slot}"), invalid("bytes after the record")));
            }
            let keys = |keys: Vec<[u8; 32]>| keys.into_iter().map(Pubkey).collect();
            record.loaded_addresses =
                LoadedAddresses { writable: keys(loaded.writable), readonly: keys(loaded.readonly) };
        }
        Ok(record)
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

/// Records stored together: a little-endian u32 count, then each record's
/// end offset (u32, from the start of the records), then the records.
/// One record is read without decoding the others.
#[derive(Default)]
pub(super) struct RecordChunk {
    ends: Vec<u32>,
    records: Vec<u8>,
}

impl RecordChunk {
    pub(super) fn clear(&mut self) {
        self.ends.clear();
        self.records.clear();
    }

    pub(super) fn push(&mut self, record: &TransactionRecord) -> std::io::Result<()> {
        record.encode_into(&mut self.records)?;
        let end = u32::try_from(self.records.len()).map_err(|_| invalid("chunk over 4 GiB"))?;
        self.ends.push(end);
        Ok(())
    }

    pub(super) fn encode(&self) -> Vec<u8> {
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
pub(super) fn chunk_len(slot: u64, chunk: &[u8]) -> Result<usize, LedgerError> {
    let count = read_u32(chunk, 0).ok_or_else(|| corrupt(slot, invalid("chunk header")))? as usize;
    if count > RECORDS_PER_CHUNK || chunk.len() < 4 + 4 * count {
        return Err(corrupt(slot, invalid("chunk header")));
    }
    Ok(count)
}

/// Record `index` of a stored chunk (`index < chunk_len`), undecoded.
pub(super) fn chunk_record(slot: u64, chunk: &[u8], index: usize) -> Result<&[u8], LedgerError> {
    let count = chunk_len(slot, chunk)?;
    let records = &chunk[4 + 4 * count..];
    let end_at = |i: usize| read_u32(chunk, 4 + 4 * i).map(|e| e as usize);
    let start = if index == 0 { Some(0) } else { end_at(index - 1) };
    match (start, end_at(index)) {
        (Some(start), Some(end)) if start <= end && end <= records.len() => Ok(&records[start..end]),
        _ => Err(corrupt(slot, invalid("chunk offsets"))),
    }
}

pub(super) fn transaction_record(
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
        loaded_addresses: outcome.loaded_addresses.clone(),
    }
}
