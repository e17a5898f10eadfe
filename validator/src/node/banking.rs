//! The banking thread: once a slot, the transactions submitted since the
//! last run through the runtime's batch entry point (signatures verified on
//! every core, executed on the worker threads); then the slot is frozen,
//! its store commit prepared, and the bank moves to the next slot with a
//! new blockhash (which clients wait for). The ledger stage beside it
//! takes each frozen slot — its [`Block`] appended to the ledger, then the
//! account store's commit finished, the statuses recorded, subscribers
//! told — while the banking thread executes the next.
//!
//! Slot production follows [`Production`]: once every `--slot-ms`, or (on
//! arrival) as soon as a transaction waits, never while paused but for a
//! slot asked for (`lanesProduceSlot`). State controls (`lanesSetAccount`,
//! …) are applied here, at the start of a slot they start at once (while
//! paused, a slot of their own that takes no transactions), recorded with
//! that slot, and answered once it is durable; a warp ends its slot with a
//! jump instead of a step.
//!
//! Never: report a slot confirmed before both the ledger and the account
//! store hold it, let the store get ahead of the ledger (the ledger is
//! what a restart replays), change the bank for a control anywhere but
//! between slots, or drop a queued transaction for a pause.

use super::block::{Block, BlockTransaction};
use super::controls::{
    apply_state, Applied, BlockProduction, ControlError, ControlOp, ControlReply, ControlRequest, Production,
};
use super::ledger::ControlRecord;
use super::rpc::transaction_error_json;
use super::Node;
use crossbeam_channel::{Receiver, Sender};
use lanes_runtime::bank::{Bank, SlotCommit};
use lanes_runtime::cpu::thread_cpu_ns;
use lanes_runtime::pipeline::{execute_batch, BatchConfig};
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::VersionedTransaction;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most transactions one slot takes from the queue.
pub const MAX_TRANSACTIONS_PER_SLOT: usize = 200_000;

/// The process's exit status when the ledger cannot be written.
pub const LEDGER_FAILURE_EXIT_CODE: i32 = 74;

/// Fault injection for the crash tests: when this environment variable is
/// set, the process aborts right after the first slot with transactions (or
/// state controls) is in the ledger and before the account store commits it —
/// the crash that the replay at start exists for.
pub const ABORT_AFTER_LEDGER_WRITE_ENV: &str = "LANES_FAULT_ABORT_AFTER_LEDGER_WRITE";

/// Longest the banking thread sleeps without looking at the shutdown flag.
const POLL: Duration = Duration::from_millis(50);

/// What the banking thread starts from: the queues it reads, how it makes
/// slots, and the chain's tip (the last recorded slot and its blockhash).
pub(super) struct Banking {
    pub queue: Receiver<VersionedTransaction>,
    pub controls: Receiver<ControlRequest>,
    pub slot: Duration,
    pub threads: usize,
    pub production: Production,
    pub previous_blockhash: Hash,
    pub parent_slot: u64,
}

pub(super) fn spawn(node: Arc<Node>, banking: Banking) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("lanes-banking".into()).spawn(move || run(&node, banking))
}

fn run(node: &Node, banking: Banking) {
    // The ledger stage takes one frozen slot at a time: while it writes
    // slot N's block and then commits the store, this thread executes slot
    // N+1 (into the store, uncommitted), and waits for N to be done before
    // it hands over N+1.
    let (jobs, ledger_jobs) = crossbeam_channel::bounded::<LedgerJob>(1);
    let (done, ledger_done) = crossbeam_channel::bounded::<()>(1);
    std::thread::scope(|scope| {
        let stage = std::thread::Builder::new()
            .name("lanes-ledger".into())
            .spawn_scoped(scope, || record_slots(node, &ledger_jobs, &done));
        if let Err(e) = stage {
            tracing::error!("the ledger stage could not start: {e}");
            std::process::exit(LEDGER_FAILURE_EXIT_CODE);
        }
        execute_slots(node, banking, &jobs, &ledger_done);
        // Dropping the sender ends the stage once it has recorded the last slot.
        drop(jobs);
    });
}

/// A frozen slot for the ledger stage: its block, the store's commit of
/// it (prepared; `None` for an empty slot, which commits nothing; `Err`
/// when the store could not prepare it), and the controls waiting for it
/// to be durable.
struct LedgerJob {
    block: Block,
    commit: Result<Option<SlotCommit>, ()>,
    replies: Vec<(Sender<ControlReply>, Applied)>,
}

/// Answer `reply` (nobody waiting any more is not an error).
fn answer(reply: &Sender<ControlReply>, answer: ControlReply) {
    let _ = reply.try_send(answer);
}

/// What the banking thread holds between slots: the state controls for
/// the next slot, and who waits for a slot to be made.
#[derive(Default)]
struct Waiting {
    state: Vec<ControlRequest>,
    produce: Vec<Sender<ControlReply>>,
}

impl Waiting {
    /// Take `request`: production changes at once, the rest for the next slot.
    fn take(&mut self, node: &Node, request: ControlRequest, production: &mut Production, deadline: &mut Instant) {
        let current = |production: &Production| Applied::Production {
            slot: node.bank.read().slot(),
            paused: production.paused,
            mode: production.mode,
        };
        match request.op {
            ControlOp::Pause => {
                production.paused = true;
                answer(&request.reply, Ok(current(production)));
            }
            ControlOp::Resume => {
                if production.paused {
                    production.paused = false;
                    // What waited goes into a slot at once.
                    *deadline = Instant::now();
                }
                answer(&request.reply, Ok(current(production)));
            }
            ControlOp::SetBlockProduction(mode) => {
                production.mode = mode;
                answer(&request.reply, Ok(current(production)));
            }
            ControlOp::ProduceSlot => self.produce.push(request.reply),
            _ => self.state.push(request),
        }
    }

    /// Refuse everything still waiting: the node is stopping.
    fn refuse_all(&mut self) {
        let stopping = || Err(ControlError::Failed("the node is stopping".into()));
        for request in self.state.drain(..) {
            answer(&request.reply, stopping());
        }
        for reply in self.produce.drain(..) {
            answer(&reply, stopping());
        }
    }
}

/// Wait for the next slot to start, taking controls as they come. Returns
/// whether the slot takes the queued transactions (a slot made for state
/// controls while paused does not) and whether it starts before its
/// deadline.
fn wait_for_slot(node: &Node, banking: &mut Banking, waiting: &mut Waiting, deadline: &mut Instant) -> (bool, bool) {
    loop {
        while let Ok(request) = banking.controls.try_recv() {
            waiting.take(node, request, &mut banking.production, deadline);
        }
        if node.stopping() {
            return (true, false);
        }
        let paused = banking.production.paused;
        let on_arrival = banking.production.mode == BlockProduction::OnArrival;
        if !waiting.produce.is_empty() {
            return (true, true);
        }
        if !waiting.state.is_empty() {
            return (!paused, true);
        }
        let now = Instant::now();
        if !paused {
            if now >= *deadline {
                return (true, false);
            }
            if on_arrival && !banking.queue.is_empty() {
                return (true, true);
            }
        }
        let until = if paused { now + POLL } else { (*deadline).min(now + POLL) };
        let mut select = crossbeam_channel::Select::new();
        select.recv(&banking.controls);
        if on_arrival && !paused {
            select.recv(&banking.queue);
        }
        let _ = select.ready_deadline(until);
    }
}

/// Apply the state controls waiting, at the start of the bank's slot:
/// their records (a warp's last, for the slot's end), who to answer once
/// the slot is durable, and the warp's target and its waiter. A second
/// warp waits for the next slot; a control the bank refuses is answered
/// at once.
#[allow(clippy::type_complexity)]
fn apply_waiting(
    node: &Node,
    waiting: &mut Waiting,
) -> (Vec<ControlRecord>, Vec<(Sender<ControlReply>, Applied)>, Option<(u64, Sender<ControlReply>)>) {
    let (mut records, mut replies, mut warp) = (Vec::new(), Vec::new(), None);
    if waiting.state.is_empty() {
        return (records, replies, warp);
    }
    let mut bank = node.bank.write();
    let mut deferred = Vec::new();
    for request in waiting.state.drain(..) {
        match request.op {
            ControlOp::WarpTo { slot } => {
                if warp.is_some() {
                    deferred.push(request);
                } else if slot <= bank.slot() {
                    let message = format!("slot {slot} is not after the current slot {}", bank.slot());
                    answer(&request.reply, Err(ControlError::Invalid(message)));
                } else {
                    warp = Some((slot, request.reply));
                }
            }
            ref op => match apply_state(&mut bank, op) {
                Ok((applied_records, applied)) => {
                    records.extend(applied_records);
                    replies.push((request.reply, applied));
                }
                Err(e) => answer(&request.reply, Err(e)),
            },
        }
    }
    waiting.state = deferred;
    (records, replies, warp)
}

/// The banking thread's loop: once a slot, apply the state controls
/// waiting, execute what was submitted, freeze the slot, prepare its store
/// commit, advance the bank (or warp it), and hand the slot to the ledger
/// stage.
fn execute_slots(node: &Node, mut banking: Banking, jobs: &Sender<LedgerJob>, ledger_done: &Receiver<()>) {
    let config = BatchConfig::with_threads(banking.threads.max(1));
    let slot = banking.slot;
    let mut deadline = Instant::now() + slot;
    let mut in_flight = false;
    let mut waiting = Waiting::default();
    loop {
        let (take_transactions, early) = wait_for_slot(node, &mut banking, &mut waiting, &mut deadline);
        let stopping = node.stopping();
        let slot_started = Instant::now();
        let transactions: Vec<VersionedTransaction> = if take_transactions {
            banking.queue.try_iter().take(MAX_TRANSACTIONS_PER_SLOT).collect()
        } else {
            Vec::new()
        };
        let received = transactions.len();
        let (mut records, mut replies, warp) = apply_waiting(node, &mut waiting);
        let job = {
            let bank = node.bank.read();
            let transactions = deduplicate(node, &bank, transactions);
            let started = Instant::now();
            let executed = execute(&bank, transactions, &config);
            if let Some((target, _)) = &warp {
                records.push(ControlRecord::WarpTo { slot: *target });
            }
            let block = freeze(&bank, executed, banking.previous_blockhash, banking.parent_slot, records);
            // The next block's parent, whether or not this one is confirmed.
            banking.previous_blockhash = block.blockhash;
            banking.parent_slot = block.slot;
            if received > 0 {
                let failed = block.transactions.iter().filter(|t| t.outcome.result.is_err()).count();
                tracing::info!(
                    slot = block.slot,
                    received,
                    committed = block.transactions.len(),
                    failed,
                    execute_ms = started.elapsed().as_secs_f64() * 1e3,
                    "slot executed"
                );
            }
            // The previous slot's store commit comes first: commits are
            // made in slot order, one prepared at a time.
            if in_flight && ledger_done.recv().is_err() {
                return;
            }
            let commit = if block.transactions.is_empty() && block.controls.is_empty() {
                Ok(None)
            } else {
                let cpu_started = thread_cpu_ns();
                let prepared = bank.prepare_commit_slot().map(Some).map_err(|e| {
                    tracing::error!("slot {} could not be made durable: {e}", block.slot);
                });
                node.commit_cpu.on_banking_ns.fetch_add(thread_cpu_ns().saturating_sub(cpu_started), Relaxed);
                prepared
            };
            // `processed` from here on: executed in the working slot, not yet durable.
            node.statuses.lock().record_block(&block);
            if let Some((to, reply)) = &warp {
                replies.push((reply.clone(), Applied::Warp { from: block.slot, to: *to }));
            }
            replies.extend(waiting.produce.drain(..).map(|reply| (reply, Applied::Slot(block.slot))));
            LedgerJob { block, commit, replies }
        };
        let warped = warp.is_some();
        match warp {
            Some((target, _)) => node.bank.write().warp_to_slot(target),
            None => node.bank.write().advance_slot(),
        };
        if jobs.send(job).is_err() {
            return;
        }
        in_flight = true;
        if stopping {
            waiting.refuse_all();
            return;
        }
        deadline = if warped {
            // The slot warped to is made at once (unless paused).
            Instant::now()
        } else if early {
            slot_started + slot
        } else {
            // Behind by more than a slot (a long batch): start the next one now.
            (deadline + slot).max(Instant::now())
        };
    }
}

/// The ledger stage: append each frozen slot's block to the ledger
/// (durable when it holds transactions), then finish its store commit —
/// never the other way round — then record it as confirmed and tell
/// subscribers.
fn record_slots(node: &Node, jobs: &Receiver<LedgerJob>, done: &Sender<()>) {
    let abort_after_ledger_write = std::env::var_os(ABORT_AFTER_LEDGER_WRITE_ENV).is_some();
    for LedgerJob { mut block, commit, replies } in jobs {
        let slot = block.slot;
        let started = Instant::now();
        let appended = node.ledger.append(&block, |err| transaction_error_json(err).to_string());
        if let Err(e) = appended {
            // Going on would let the store commit state the ledger does
            // not hold. Stop as a crash stops: nothing of this slot is
            // durable or confirmed, and the next start resumes from the
            // ledger (a full disk, say, fixed in between).
            tracing::error!("slot {} could not be written to the ledger, stopping: {e}", block.slot);
            std::process::exit(LEDGER_FAILURE_EXIT_CODE);
        }
        if abort_after_ledger_write && !(block.transactions.is_empty() && block.controls.is_empty()) {
            tracing::error!("{ABORT_AFTER_LEDGER_WRITE_ENV}: aborting after slot {}", block.slot);
            std::process::abort();
        }
        let appended_at = Instant::now();
        let cpu_started = thread_cpu_ns();
        let durable = match commit {
            Ok(None) => true,
            Ok(Some(commit)) => commit
                .finish()
                .map_err(|e| tracing::error!("slot {} could not be made durable: {e}", block.slot))
                .is_ok(),
            Err(()) => false,
        };
        node.commit_cpu.on_ledger_ns.fetch_add(thread_cpu_ns().saturating_sub(cpu_started), Relaxed);
        if !block.transactions.is_empty() {
            tracing::info!(
                slot = block.slot,
                ledger_ms = appended_at.duration_since(started).as_secs_f64() * 1e3,
                commit_ms = appended_at.elapsed().as_secs_f64() * 1e3,
                "slot recorded"
            );
        }
        if durable {
            if node.ledger_limit > 0 && !block.transactions.is_empty() {
                match node.ledger.prune(node.ledger_limit) {
                    Ok(Some(first)) => tracing::info!(first_slot = first, "ledger pruned"),
                    Ok(None) => {}
                    // History kept longer is no fault of the chain's.
                    Err(e) => tracing::warn!("ledger pruning failed: {e}"),
                }
            }
            let failed = block.transactions.iter().filter(|t| t.outcome.result.is_err()).count();
            node.failed_transactions.fetch_add(failed as u64, Relaxed);
            node.frozen_slot.store(block.slot, Relaxed);
            node.performance.lock().on_slot(block.slot, block.total_transactions);
            // No subscriber is not an error.
            node.account_history.lock().record_block(&mut block);
            let _ = node.blocks.send(Arc::new(block));
        } else {
            // Never durable, never confirmed: its `processed` statuses go.
            node.statuses.lock().forget_slot(block.slot);
        }
        for (reply, applied) in replies {
            let result = if durable {
                Ok(applied)
            } else {
                Err(ControlError::Failed(format!("slot {slot} could not be made durable")))
            };
            answer(&reply, result);
        }
        if done.send(()).is_err() {
            return;
        }
    }
}

/// Drop, before their signatures are verified, transactions that could
/// only be refused: a signature seen earlier in this slot's batch, or one
/// the status cache already holds under a recent blockhash, or a
/// blockhash that is not recent. A flood of one valid transaction (or of
/// replays) then costs a hash lookup each, not an ed25519 verification.
fn deduplicate(node: &Node, bank: &Bank, transactions: Vec<VersionedTransaction>) -> Vec<VersionedTransaction> {
    let mut seen = std::collections::HashSet::with_capacity(transactions.len());
    let before = transactions.len();
    let kept: Vec<VersionedTransaction> = transactions
        .into_iter()
        .filter(|tx| tx.signature().is_some_and(|s| seen.insert(*s)) && bank.check_age_and_status(tx).is_ok())
        .collect();
    node.deduplicated.fetch_add((before - kept.len()) as u64, Relaxed);
    kept
}

/// Run `transactions` on `bank`: the committed ones in committed order,
/// each with its outcome (a v0 message's loaded addresses in it, resolved
/// as the batch sanitized it in this slot: what the block records).
fn execute(bank: &Bank, transactions: Vec<VersionedTransaction>, config: &BatchConfig) -> Vec<BlockTransaction> {
    if transactions.is_empty() {
        return Vec::new();
    }
    let mut kept: Vec<Option<VersionedTransaction>> = transactions.iter().cloned().map(Some).collect();
    let output = match execute_batch(bank, transactions, config) {
        Ok(output) => output,
        Err(e) => {
            tracing::error!("slot {} failed to execute: {e}", bank.slot());
            return Vec::new();
        }
    };
    let mut outcomes: Vec<_> = output.outcomes.into_iter().map(Some).collect();
    let mut executed = Vec::new();
    for entry in &output.entries {
        for (position, &index) in entry.transactions.iter().enumerate() {
            let (Some(outcome), Some(transaction)) = (outcomes[index].take(), kept[index].take()) else {
                continue;
            };
            let (started_ns, ended_ns) = entry.times.get(position).copied().unwrap_or_default();
            if outcome.committed {
                executed.push(BlockTransaction {
                    transaction,
                    outcome,
                    worker: entry.thread as u32,
                    started_ns,
                    ended_ns,
                });
            }
        }
    }
    executed
}

/// The block of the bank's current slot, `executed` its transactions,
/// `controls` the state controls it applied, `parent_slot` the slot
/// recorded before it. Its time is the bank's clock.
pub(super) fn freeze(
    bank: &Bank,
    executed: Vec<BlockTransaction>,
    previous_blockhash: Hash,
    parent_slot: u64,
    controls: Vec<ControlRecord>,
) -> Block {
    let slot = bank.slot();
    let (written_accounts, state_hash) = bank.slot_written_accounts_and_hash();
    Block {
        slot,
        parent_slot,
        blockhash: bank.latest_blockhash(),
        previous_blockhash,
        state_hash,
        block_time: bank.clock().unix_timestamp,
        transactions: executed,
        controls,
        written_accounts,
        total_transactions: bank.transaction_count(),
        total_fees: bank.collected_fees(),
    }
}
