//! `lanes-bench ledger`: the ledger's append cost on its own — slots of
//! token-transfer-shaped transactions (four keys, a program's four log
//! lines, pre/post balances) appended to a scratch `ledger.redb` as the
//! banking thread appends them, durable, timed per slot, so the cost of a
//! slot can be watched as the ledger grows.
//!
//! The transactions are built, not executed: their signatures are random
//! bytes (the ledger never verifies), so building a slot costs little and
//! is not timed.
//!
//! Never: touch anything but the scratch directory it makes (removed on
//! every path out).

use crate::node::block::{Block, BlockTransaction};
use crate::node::ledger::Ledger;
use crate::node::rpc::transaction_error_json;
use lanes_runtime::bank::TransactionOutcome;
use lanes_runtime::transaction_context::LogLine;
use lanes_sdk::hash::Hash;
use lanes_sdk::instruction::CompiledInstruction;
use lanes_sdk::message::{Message, MessageHeader};
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{Pubkey, Signature};
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// What `lanes-bench ledger` measured.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerReport {
    pub slots: u64,
    pub transactions_per_slot: usize,
    pub accounts: usize,
    /// Milliseconds to append each slot, in order.
    pub slot_ms: Vec<f64>,
    /// Mean microseconds per transaction over all slots, and over the
    /// first and last quarter of them (the growth with the ledger's size).
    pub us_per_transaction: f64,
    pub first_quarter_us_per_transaction: f64,
    pub last_quarter_us_per_transaction: f64,
    /// The database file's size at the end, per transaction appended.
    pub file_bytes_per_transaction: f64,
    /// With `--limit`: the transactions kept, and each pruning that
    /// dropped something, in milliseconds (after the append it followed).
    pub limit: Option<u64>,
    pub prune_ms: Vec<f64>,
    /// `getTransaction`'s lookup by signature at the end, µs each: of the
    /// last slot's transactions, of the first slot's (gone if pruned), and
    /// of signatures never seen (every partition is tried).
    pub lookup_newest_us: f64,
    pub lookup_oldest_us: f64,
    pub lookup_missing_us: f64,
    /// Index partitions at the end.
    pub partitions: usize,
}

impl std::fmt::Display for LedgerReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "slots                 {} × {} transactions", self.slots, self.transactions_per_slot)?;
        writeln!(f, "accounts              {}", self.accounts)?;
        writeln!(f, "append, all slots     {:.1} µs/tx", self.us_per_transaction)?;
        writeln!(f, "  first quarter       {:.1} µs/tx", self.first_quarter_us_per_transaction)?;
        writeln!(f, "  last quarter        {:.1} µs/tx", self.last_quarter_us_per_transaction)?;
        writeln!(f, "file size             {:.0} bytes/tx", self.file_bytes_per_transaction)?;
        let slots: Vec<String> = self.slot_ms.iter().map(|ms| format!("{ms:.0}")).collect();
        writeln!(f, "ms per slot           {}", slots.join(" "))?;
        writeln!(
            f,
            "lookup by signature   newest {:.0} µs, oldest {:.0} µs, missing {:.0} µs ({} partitions)",
            self.lookup_newest_us, self.lookup_oldest_us, self.lookup_missing_us, self.partitions
        )?;
        if let Some(limit) = self.limit {
            let prunes: Vec<String> = self.prune_ms.iter().map(|ms| format!("{ms:.0}")).collect();
            writeln!(f, "pruned to ≥ {limit}      {} times, ms each: {}", self.prune_ms.len(), prunes.join(" "))?;
        }
        Ok(())
    }
}

/// Signatures looked up in each group at the end.
const LOOKUPS: usize = 200;

/// A small deterministic generator (xorshift): the bench needs varied
/// bytes, not secure ones.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let n = self.next().to_le_bytes();
            chunk.copy_from_slice(&n[..chunk.len()]);
        }
    }
}

/// One token transfer as the ledger sees it: owner (payer), source,
/// destination, program; the program's log lines; four balances.
fn token_transfer(random: &mut Bytes, owners: &[Pubkey], program: Pubkey, blockhash: Hash) -> BlockTransaction {
    let pick = |random: &mut Bytes| owners[(random.next() % owners.len() as u64) as usize];
    let (owner, source, destination) = (pick(random), pick(random), pick(random));
    let mut data = vec![3u8];
    data.extend_from_slice(&(random.next() % 1_000).to_le_bytes());
    let message = Message {
        header: MessageHeader {
            num_required_signatures: 1,
            num_readonly_signed_accounts: 0,
            num_readonly_unsigned_accounts: 1,
        },
        account_keys: vec![owner, source, destination, program],
        recent_blockhash: blockhash,
        instructions: vec![CompiledInstruction { program_id_index: 3, accounts: vec![1, 2, 0], data }],
    };
    let mut signature = [0u8; 64];
    random.fill(&mut signature);
    let transaction = Transaction { signatures: vec![Signature(signature)], message };
    let consumed = 2_500 + random.next() % 1_000;
    let outcome = TransactionOutcome {
        signature: Signature(signature),
        result: Ok(()),
        committed: true,
        logs: vec![
            LogLine::Invoke { program, depth: 1 },
            LogLine::Text("Program log: Instruction: Transfer".into()),
            LogLine::Consumed { program, consumed, limit: 200_000 },
            LogLine::Success { program },
        ],
        compute_units_consumed: consumed + 150,
        return_data: None,
        fee: 5_000,
        pre_balances: vec![1_000_000_000, 2_039_280, 2_039_280, 1],
        post_balances: vec![999_995_000, 2_039_280, 2_039_280, 1],
        inner_instructions: Vec::new(),
        loaded_addresses: Default::default(),
        account_changes: Vec::new(),
    };
    let started_ns = random.next() % 400_000_000;
    BlockTransaction {
        transaction: transaction.into(),
        outcome,
        worker: (random.next() % 2) as u32,
        started_ns,
        ended_ns: started_ns + 30_000,
    }
}

/// Append `slots` slots of `per_slot` token transfers among `accounts`
/// owners to a scratch ledger under `dir`, pruning to `limit`
/// transactions after each append if given (as the node does).
pub fn run_ledger_bench(
    slots: u64,
    per_slot: usize,
    accounts: usize,
    limit: Option<u64>,
    dir: &Path,
) -> Result<LedgerReport, String> {
    if slots == 0 || per_slot == 0 {
        return Err("--slots and --transactions-per-slot must be at least 1".into());
    }
    let scratch = dir.join(format!("lanes-ledger-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let result = measure(slots, per_slot, accounts.max(1), limit, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn measure(
    slots: u64,
    per_slot: usize,
    accounts: usize,
    limit: Option<u64>,
    scratch: &Path,
) -> Result<LedgerReport, String> {
    let path = scratch.join("ledger.redb");
    let ledger = Ledger::open(&path).map_err(|e| e.to_string())?;
    let render = |e: &lanes_sdk::transaction_error::TransactionError| transaction_error_json(e).to_string();
    let owners: Vec<Pubkey> = (0..accounts as u64).map(|n| Pubkey::new_unique_from_u64(n + 1_000)).collect();
    let program = Pubkey::new_unique_from_u64(7);
    let mut random = Bytes(0x9e37_79b9_7f4a_7c15);
    let mut slot_ms = Vec::with_capacity(slots as usize);
    let mut prune_ms = Vec::new();
    let (mut oldest, mut newest) = (Vec::new(), Vec::new());
    let mut previous_blockhash = Hash::default();
    for slot in 1..=slots {
        let mut blockhash = [0u8; 32];
        random.fill(&mut blockhash);
        let transactions: Vec<BlockTransaction> =
            (0..per_slot).map(|_| token_transfer(&mut random, &owners, program, previous_blockhash)).collect();
        let block = Block {
            slot,
            parent_slot: slot - 1,
            blockhash: Hash(blockhash),
            previous_blockhash,
            state_hash: Hash(blockhash),
            block_time: 1_700_000_000 + slot as i64,
            transactions,
            controls: Vec::new(),
            written_accounts: Vec::new(),
            total_transactions: slot * per_slot as u64,
            total_fees: slot * per_slot as u64 * 5_000,
        };
        let sample =
            || block.transactions.iter().step_by(per_slot.div_ceil(LOOKUPS).max(1)).map(|t| t.outcome.signature);
        if slot == 1 {
            oldest = sample().collect();
        }
        if slot == slots {
            newest = sample().collect();
        }
        let started = Instant::now();
        ledger.append(&block, render).map_err(|e| e.to_string())?;
        slot_ms.push(started.elapsed().as_secs_f64() * 1e3);
        previous_blockhash = Hash(blockhash);
        if let Some(limit) = limit {
            let started = Instant::now();
            if ledger.prune(limit).map_err(|e| e.to_string())?.is_some() {
                prune_ms.push(started.elapsed().as_secs_f64() * 1e3);
            }
        }
    }
    let lookup_us = |signatures: &[Signature]| -> Result<f64, String> {
        let started = Instant::now();
        for signature in signatures {
            ledger.transaction(signature).map_err(|e| e.to_string())?;
        }
        Ok(started.elapsed().as_secs_f64() * 1e6 / signatures.len().max(1) as f64)
    };
    let missing: Vec<Signature> = (0..LOOKUPS)
        .map(|_| {
            let mut signature = [0u8; 64];
            random.fill(&mut signature);
            Signature(signature)
        })
        .collect();
    let (lookup_newest_us, lookup_oldest_us, lookup_missing_us) =
        (lookup_us(&newest)?, lookup_us(&oldest)?, lookup_us(&missing)?);
    let partitions = ledger.partition_count().map_err(|e| e.to_string())?;
    drop(ledger);
    let file_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let per_tx = |ms: &[f64]| ms.iter().sum::<f64>() * 1e3 / (ms.len().max(1) * per_slot.max(1)) as f64;
    let quarter = (slot_ms.len() / 4).max(1).min(slot_ms.len());
    Ok(LedgerReport {
        slots,
        transactions_per_slot: per_slot,
        accounts,
        us_per_transaction: per_tx(&slot_ms),
        first_quarter_us_per_transaction: per_tx(&slot_ms[..quarter]),
        last_quarter_us_per_transaction: per_tx(&slot_ms[slot_ms.len() - quarter..]),
        file_bytes_per_transaction: file_bytes as f64 / (slots as f64 * per_slot.max(1) as f64),
        slot_ms,
        limit,
        prune_ms,
        lookup_newest_us,
        lookup_oldest_us,
        lookup_missing_us,
        partitions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_runs_are_refused_and_a_small_one_measures_every_slot() {
        let dir = std::env::temp_dir();
        assert!(run_ledger_bench(0, 10, 10, None, &dir).is_err());
        assert!(run_ledger_bench(2, 0, 10, None, &dir).is_err());
        let report = run_ledger_bench(3, 20, 10, Some(10), &dir).unwrap();
        assert_eq!(report.slot_ms.len(), 3);
        assert!(report.us_per_transaction > 0.0 && report.file_bytes_per_transaction > 0.0, "{report:?}");
        assert_eq!(report.partitions, 1, "60 transactions fill one partition");
    }
}
