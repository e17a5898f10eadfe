//! The banking thread: once a slot, the transactions submitted since the
//! last run through the runtime's batch entry point (signatures verified on
//! every core, executed on the worker threads), their statuses recorded,
//! the slot made durable, and the bank moved to the next slot with a new
//! blockhash (which clients wait for).

use super::Node;
use crossbeam_channel::Receiver;
use lanes_runtime::pipeline::{execute_batch, BatchConfig};
use lanes_sdk::transaction::Transaction;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most transactions one slot takes from the queue.
pub const MAX_TRANSACTIONS_PER_SLOT: usize = 200_000;

pub(super) fn spawn(
    node: Arc<Node>,
    queue: Receiver<Transaction>,
    slot: Duration,
    threads: usize,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("lanes-banking".into()).spawn(move || run(&node, &queue, slot, threads))
}

fn run(node: &Node, queue: &Receiver<Transaction>, slot: Duration, threads: usize) {
    let config = BatchConfig::with_threads(threads.max(1));
    let mut deadline = Instant::now() + slot;
    loop {
        let stopping = node.shutdown.load(Relaxed);
        if !stopping {
            let now = Instant::now();
            if deadline > now {
                std::thread::sleep(deadline - now);
            }
        }
        let transactions: Vec<Transaction> = queue.try_iter().take(MAX_TRANSACTIONS_PER_SLOT).collect();
        {
            let bank = node.bank.read();
            if !transactions.is_empty() {
                match execute_batch(&bank, transactions, &config) {
                    Ok(output) => node.statuses.lock().record_slot(bank.slot(), &output.outcomes),
                    Err(e) => eprintln!("lanes-validator: slot {} failed to execute: {e}", bank.slot()),
                }
                if let Err(e) = bank.commit_slot() {
                    eprintln!("lanes-validator: slot {} could not be made durable: {e}", bank.slot());
                }
            }
            node.frozen_slot.store(bank.slot(), Relaxed);
        }
        node.bank.write().advance_slot();
        if stopping {
            return;
        }
        deadline += slot;
        // Behind by more than a slot (a long batch): start the next one now.
        deadline = deadline.max(Instant::now());
    }
}
