//! Replaying the ledger on one thread: each recorded slot entered as the
//! node entered it (one step, or a warp's jump: the slots between have no
//! record), its state controls applied again at its start, each recorded
//! transaction run again in committed order through the bank's
//! one-transaction path — its result, fee, compute units, logs, balances
//! and (v0) loaded addresses compared with the record — and each slot's
//! blockhash, block time (the clock, which a control may have moved) and
//! state hash compared with the recorded ones.
//!
//! Used at start to bring the account store up to the ledger after a crash
//! between the two writes, and by `lanes-validator verify-ledger`, which
//! replays a whole ledger from its genesis accounts onto an empty store.
//!
//! Never: write the ledger. A mismatch is reported, not repaired.

use super::controls::{apply_records, next_slot};
use super::ledger::{Ledger, SlotRecord, StoredLogLine};
use super::rpc::transaction_error_json;
use lanes_runtime::bank::{Bank, BankConfig};
use lanes_runtime::store::InMemoryAccountStore;
use lanes_runtime::vm::{Executor, ExecutorConfig};
use lanes_sdk::hash::Hash;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Run `record`'s transactions on `bank` (at its slot) and check each
/// result and the slot's state hash against the ledger.
pub fn replay_slot(bank: &Bank, ledger: &Ledger, record: &SlotRecord) -> Result<(), String> {
    let slot = record.slot;
    let transactions = ledger.block_transactions(slot).map_err(|e| e.to_string())?;
    if transactions.len() != record.transaction_count as usize {
        return Err(format!(
            "slot {slot}: {} transactions recorded, the slot says {}",
            transactions.len(),
            record.transaction_count
        ));
    }
    for (index, recorded) in transactions.iter().enumerate() {
        let tx =
            recorded.transaction().ok_or_else(|| format!("slot {slot} #{index}: the transaction does not decode"))?;
        let outcome = bank.process_transaction(&tx).map_err(|e| format!("slot {slot} #{index}: {e}"))?;
        let err = outcome.result.as_ref().err().map(|e| transaction_error_json(e).to_string());
        let same = outcome.committed
            && err == recorded.err
            && outcome.fee == recorded.fee
            && outcome.compute_units_consumed == recorded.compute_units
            && outcome.logs.iter().map(StoredLogLine::from).eq(recorded.logs.iter().cloned())
            && outcome.post_balances == recorded.post_balances
            && outcome.loaded_addresses == recorded.loaded_addresses;
        if !same {
            return Err(format!(
                "slot {slot} #{index} ({}): replayed as committed={} err={err:?} fee={} units={}, recorded err={:?} fee={} units={}",
                outcome.signature,
                outcome.committed,
                outcome.fee,
                outcome.compute_units_consumed,
                recorded.err,
                recorded.fee,
                recorded.compute_units
            ));
        }
    }
    let state_hash = bank.slot_delta_hash();
    if state_hash != Hash(record.state_hash) {
        return Err(format!("slot {slot}: state hash {state_hash} replayed, {} recorded", Hash(record.state_hash)));
    }
    Ok(())
}

/// Take `bank` — at the end of slot `parent`, the slot recorded before
/// `record`, whose successor is `expected` — through `record`: move to its
/// slot, apply its controls, replay its transactions, and check its
/// blockhash, block time and state hash. Returns its successor's slot (the
/// next, or its warp's target).
pub fn replay_recorded_slot(
    bank: &mut Bank,
    ledger: &Ledger,
    record: &SlotRecord,
    parent: u64,
    expected: u64,
) -> Result<u64, String> {
    let slot = record.slot;
    if slot != expected {
        return Err(format!("slot {expected} is missing: the ledger goes on at slot {slot} without a warp to it"));
    }
    if slot > 0 && record.parent_slot != parent {
        return Err(format!("slot {slot}: parent slot {} recorded, {parent} replayed", record.parent_slot));
    }
    if slot > 0 {
        bank.warp_to_slot(slot);
    }
    if bank.latest_blockhash() != record.blockhash() {
        return Err(format!(
            "slot {slot}: blockhash {} derived, {} recorded",
            bank.latest_blockhash(),
            record.blockhash()
        ));
    }
    let controls = ledger.controls(slot).map_err(|e| e.to_string())?;
    apply_records(bank, &controls).map_err(|e| format!("slot {slot}: a control could not be applied again: {e}"))?;
    if bank.clock().unix_timestamp != record.block_time {
        return Err(format!(
            "slot {slot}: block time {} replayed, {} recorded",
            bank.clock().unix_timestamp,
            record.block_time
        ));
    }
    if record.transaction_count > 0 {
        replay_slot(bank, ledger, record)?;
    } else if bank.slot_delta_hash() != Hash(record.state_hash) {
        return Err(format!("slot {slot}: state hash differs"));
    }
    Ok(next_slot(slot, &controls))
}

/// Slots read from the ledger at once when walking it.
const SLOTS_PER_READ: usize = 1_024;

/// Each slot recorded in `from..=to`, ascending, read a chunk at a time.
pub fn for_each_recorded_slot(
    ledger: &Ledger,
    from: u64,
    to: u64,
    mut each: impl FnMut(&SlotRecord) -> Result<(), String>,
) -> Result<(), String> {
    let mut from = from;
    while from <= to {
        let records = ledger.slots_in(from, to, SLOTS_PER_READ).map_err(|e| e.to_string())?;
        let Some(last) = records.last().map(|r| r.slot) else { break };
        for record in &records {
            each(record)?;
        }
        match last.checked_add(1) {
            Some(next) => from = next,
            None => break,
        }
    }
    Ok(())
}

/// What `verify-ledger` checked.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub slots: u64,
    pub transactions: u64,
    pub last_slot: u64,
    pub seconds: f64,
}

/// Replay the ledger in `dir` from genesis on one thread, onto an empty
/// in-memory store, checking every slot's blockhash and state hash and
/// every transaction's result.
pub fn verify_ledger(dir: &Path) -> Result<VerifyReport, String> {
    let started = Instant::now();
    let seed: [u8; 32] = std::fs::read(dir.join("genesis-seed"))
        .map_err(|e| format!("{}: {e}", dir.join("genesis-seed").display()))?
        .try_into()
        .map_err(|_| "genesis-seed is not 32 bytes".to_string())?;
    let ledger = Ledger::open_existing(&dir.join("ledger.redb")).map_err(|e| e.to_string())?;
    let last = ledger.last_slot().map_err(|e| e.to_string())?.ok_or("the ledger has no slots")?;
    match ledger.first_slot().map_err(|e| e.to_string())? {
        Some(first) if first > 0 => {
            return Err(format!(
                "the ledger was pruned (--limit-ledger-size): its oldest slot is {first}; verify-ledger \
                 replays from genesis and needs the whole ledger (--limit-ledger-size 0)"
            ))
        }
        _ => {}
    }
    let executor = Executor::new(ExecutorConfig::default()).map_err(|e| e.to_string())?;
    let config = BankConfig { verify_signatures: true, genesis_seed: seed, ..BankConfig::default() };
    let mut bank = Bank::new(Arc::new(InMemoryAccountStore::new()), executor, config);
    for (key, account) in ledger.genesis_accounts().map_err(|e| e.to_string())? {
        bank.set_account(key, account).map_err(|e| e.to_string())?;
    }
    let mut report = VerifyReport { slots: 0, transactions: 0, last_slot: last.slot, seconds: 0.0 };
    let (mut parent, mut expected) = (0, 0);
    for_each_recorded_slot(&ledger, 0, last.slot, |record| {
        expected = replay_recorded_slot(&mut bank, &ledger, record, parent, expected)?;
        parent = record.slot;
        report.transactions += u64::from(record.transaction_count);
        report.slots += 1;
        Ok(())
    })?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
