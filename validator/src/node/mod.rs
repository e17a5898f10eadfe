//! The local single-node validator (`lanes-validator`): a ledger directory
//! with the account store and the node's keypairs, a banking thread that
//! turns submitted transactions into slots through the runtime's batch entry
//! point, a ledger of every block, and Solana's JSON-RPC over HTTP.
//!
//! Owns: the node's shared state ([`Node`]) — the bank, the queue of
//! submitted transactions, the statuses of recent transactions, the
//! identity and faucet keys. The runtime below it does no I/O and knows no
//! JSON; this module and its children are where both happen.
//!
//! Never: execute a transaction outside the banking thread (RPC only reads
//! the bank, queues transactions and simulates), block an RPC request on a
//! full queue (the transaction is dropped and counted), or panic on input
//! from a client.
//!
//! Commitment on one node: `processed` is executed in the working slot;
//! `confirmed` and `finalized` are the same thing, a slot frozen and made
//! durable (there are no forks to wait out).

pub mod account_history;
mod banking;
pub mod block;
pub mod controls;
pub mod cpu;
mod explorer;
pub mod genesis;
mod history;
pub mod ledger;
pub mod performance;
pub mod pubsub;
pub mod replay;
pub mod rpc;
mod statuses;
pub mod tpu;

use crossbeam_channel::{Receiver, Sender};
use lanes_runtime::bank::Bank;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::Pubkey;
use parking_lot::{Mutex, RwLock};
use statuses::StatusLog;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

pub use statuses::RecordedTransaction;

/// Transactions waiting for the banking thread, at most.
pub const SUBMIT_QUEUE_CAPACITY: usize = 100_000;
/// Frozen blocks waiting for a slow subscriber before it misses some.
pub const BLOCK_CHANNEL_CAPACITY: usize = 64;

/// How to run the node.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    pub ledger: PathBuf,
    /// Wipe the ledger and start from genesis.
    pub reset: bool,
    pub bind_address: IpAddr,
    /// JSON-RPC over HTTP; 0 picks a free port.
    pub rpc_port: u16,
    /// PubSub over WebSocket: `None` is the RPC port + 1, where Solana's
    /// clients look (any free port when the RPC port is 0); `Some(0)` any
    /// free port.
    pub pubsub_port: Option<u16>,
    /// The UDP transaction port: `None` is the RPC port + 2 (any free
    /// port when the RPC port is 0); `Some(0)` any free port.
    pub tpu_port: Option<u16>,
    /// Length of a slot.
    pub slot: Duration,
    /// Worker threads executing transactions.
    pub threads: usize,
    /// What the faucet holds at genesis, in SOL.
    pub faucet_sol: u64,
    /// Transactions of history the ledger keeps at the least; older ones
    /// are pruned a partition at a time (0: keep everything).
    pub ledger_limit: u64,
    /// Programs deployed at genesis (address, `.wasm` file), beside the
    /// bundled ones. Ignored when the ledger exists.
    pub genesis_programs: Vec<(Pubkey, PathBuf)>,
    /// Accounts set at genesis (address, `solana account --output json`
    /// file). Ignored when the ledger exists.
    pub genesis_accounts: Vec<(Pubkey, PathBuf)>,
    /// Refuse the state and time controls (`lanes-validator --no-controls`).
    pub no_controls: bool,
    /// How slots are made at start (`--block-production`).
    pub block_production: controls::BlockProduction,
    /// Durable transactions whose accounts' states before and after are
    /// kept in memory for the explorer and `lanesProfileTransaction` (0:
    /// none, and the workers copy nothing).
    pub account_history: usize,
}

/// The node's state, shared by the banking thread and RPC.
pub struct Node {
    /// Written only by the banking thread, between slots.
    pub bank: RwLock<Bank>,
    submit: Sender<VersionedTransaction>,
    pub(crate) statuses: Mutex<StatusLog>,
    pub identity: Keypair,
    pub faucet: Keypair,
    pub genesis_hash: Hash,
    /// Every frozen slot's block and every committed transaction.
    pub ledger: ledger::Ledger,
    /// [`NodeConfig::ledger_limit`].
    pub ledger_limit: u64,
    /// Each frozen block, as it is frozen (PubSub listens here).
    pub blocks: tokio::sync::broadcast::Sender<Arc<block::Block>>,
    /// Where RPC listens.
    pub rpc_addr: SocketAddr,
    /// What PubSub has seen (connections, slow clients dropped).
    pub pubsub: pubsub::PubSubCounters,
    /// Where PubSub (WebSocket) listens.
    pub pubsub_addr: SocketAddr,
    /// Where the UDP transaction port listens.
    pub tpu_addr: SocketAddr,
    /// What the UDP transaction port has seen.
    pub tpu: tpu::TpuCounters,
    /// Recent transactions' account changes ([`account_history`]).
    pub account_history: Mutex<account_history::AccountHistory>,
    /// Throughput per minute, for `getRecentPerformanceSamples`.
    pub performance: Mutex<performance::PerformanceSamples>,
    /// Lamports at genesis: the supply, less the fees burned since.
    pub genesis_lamports: u64,
    /// The newest slot frozen and durable (confirmed and finalized).
    pub(crate) frozen_slot: AtomicU64,
    /// Transactions dropped because the queue was full.
    pub(crate) dropped: AtomicU64,
    /// Transactions dropped before verification as duplicates, replays or
    /// with a blockhash that is not recent.
    pub(crate) deduplicated: AtomicU64,
    /// Committed transactions that failed (paid their fee, changed
    /// nothing else), since the node started.
    pub(crate) failed_transactions: AtomicU64,
    /// The store commit's CPU on threads read by name (see [`cpu`]).
    pub(crate) commit_cpu: cpu::CommitCpu,
    /// State and time controls for the banking thread.
    controls: Sender<controls::ControlRequest>,
    /// Whether the controls are on ([`NodeConfig::no_controls`] off).
    pub controls_enabled: bool,
    shutdown: AtomicBool,
}

impl Node {
    /// Queue `tx` for the next slot; `false` (and counted) if the queue is full.
    pub fn submit(&self, tx: VersionedTransaction) -> bool {
        if self.submit.try_send(tx).is_ok() {
            true
        } else {
            self.dropped.fetch_add(1, Relaxed);
            false
        }
    }

    /// Queue a control for the banking thread; `false` if its queue is
    /// full or the thread has stopped.
    pub(crate) fn submit_control(&self, request: controls::ControlRequest) -> bool {
        self.controls.try_send(request).is_ok()
    }

    /// Transactions waiting for the banking thread.
    pub fn pending(&self) -> usize {
        self.submit.len()
    }

    pub fn frozen_slot(&self) -> u64 {
        self.frozen_slot.load(Relaxed)
    }

    pub fn stop(&self) {
        self.shutdown.store(true, Relaxed);
    }

    /// Whether the node is shutting down.
    pub fn stopping(&self) -> bool {
        self.shutdown.load(Relaxed)
    }
}

/// A started node: its state, where RPC listens, and its threads.
pub struct RunningNode {
    pub node: Arc<Node>,
    pub rpc_addr: SocketAddr,
    /// Where PubSub (WebSocket) listens.
    pub pubsub_addr: SocketAddr,
    pub tpu_addr: SocketAddr,
    /// Whether this start created the ledger (otherwise it resumed one).
    pub created: bool,
    /// Slots replayed from the ledger onto the account store at start.
    pub replayed_slots: u64,
    banking: Option<std::thread::JoinHandle<()>>,
    rpc: Option<std::thread::JoinHandle<()>>,
    tpu: Option<std::thread::JoinHandle<()>>,
    rpc_shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pubsub: Option<std::thread::JoinHandle<()>>,
    pubsub_shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Why the node could not start.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error("ledger {0}: {1}")]
    Ledger(PathBuf, String),
    #[error("RPC on {0}: {1}")]
    Rpc(SocketAddr, std::io::Error),
    #[error("PubSub on {0}: {1}")]
    PubSub(SocketAddr, std::io::Error),
    #[error("TPU on {0}: {1}")]
    Tpu(SocketAddr, std::io::Error),
    #[error("{0}")]
    Setup(String),
}

impl RunningNode {
    /// Open (or create) the ledger, start the banking thread and RPC.
    pub fn start(config: &NodeConfig) -> Result<RunningNode, NodeError> {
        let genesis = genesis::open_ledger(config)?;
        let (previous_blockhash, parent_slot) = (genesis.previous_blockhash, genesis.parent_slot);
        let (created, replayed_slots) = (genesis.created, genesis.replayed_slots);
        let transactions_at_start = genesis.bank.transaction_count();
        let genesis_lamports: u64 = genesis
            .ledger
            .genesis_accounts()
            .map_err(|e| NodeError::Ledger(config.ledger.clone(), e.to_string()))?
            .iter()
            .map(|(_, account)| account.lamports)
            .sum();
        let (submit, queue): (Sender<VersionedTransaction>, Receiver<VersionedTransaction>) =
            crossbeam_channel::bounded(SUBMIT_QUEUE_CAPACITY);
        let (controls, control_queue) = crossbeam_channel::bounded(controls::CONTROL_QUEUE_CAPACITY);
        let frozen = genesis.bank.slot().saturating_sub(1);
        let rpc_addr = SocketAddr::new(config.bind_address, config.rpc_port);
        let listener = std::net::TcpListener::bind(rpc_addr).map_err(|e| NodeError::Rpc(rpc_addr, e))?;
        let rpc_addr = listener.local_addr().map_err(|e| NodeError::Rpc(rpc_addr, e))?;
        let pubsub_port = match config.pubsub_port {
            Some(port) => port,
            None if config.rpc_port == 0 => 0,
            None => rpc_addr.port().checked_add(1).ok_or_else(|| {
                NodeError::Setup(format!("no PubSub port above RPC's {}: give --pubsub-port", rpc_addr.port()))
            })?,
        };
        let pubsub_addr = SocketAddr::new(config.bind_address, pubsub_port);
        let pubsub_listener =
            std::net::TcpListener::bind(pubsub_addr).map_err(|e| NodeError::PubSub(pubsub_addr, e))?;
        let pubsub_addr = pubsub_listener.local_addr().map_err(|e| NodeError::PubSub(pubsub_addr, e))?;
        let tpu_port = match config.tpu_port {
            Some(port) => port,
            None if config.rpc_port == 0 => 0,
            None => rpc_addr.port().saturating_add(2),
        };
        let tpu_addr = SocketAddr::new(config.bind_address, tpu_port);
        let tpu_socket = std::net::UdpSocket::bind(tpu_addr).map_err(|e| NodeError::Tpu(tpu_addr, e))?;
        let tpu_addr = tpu_socket.local_addr().map_err(|e| NodeError::Tpu(tpu_addr, e))?;
        let node = Arc::new(Node {
            bank: RwLock::new(genesis.bank),
            submit,
            statuses: Mutex::new(StatusLog::default()),
            identity: genesis.identity,
            faucet: genesis.faucet,
            genesis_hash: genesis.genesis_hash,
            ledger: genesis.ledger,
            ledger_limit: config.ledger_limit,
            blocks: tokio::sync::broadcast::channel(BLOCK_CHANNEL_CAPACITY).0,
            rpc_addr,
            pubsub_addr,
            pubsub: Default::default(),
            tpu_addr,
            tpu: Default::default(),
            account_history: Mutex::new(account_history::AccountHistory::new(
                config.account_history,
                account_history::MAX_ACCOUNT_HISTORY_BYTES,
            )),
            performance: Mutex::new(performance::PerformanceSamples::new(frozen, transactions_at_start)),
            genesis_lamports,
            frozen_slot: AtomicU64::new(frozen),
            dropped: AtomicU64::new(0),
            deduplicated: AtomicU64::new(0),
            failed_transactions: AtomicU64::new(0),
            commit_cpu: cpu::CommitCpu::default(),
            controls,
            controls_enabled: !config.no_controls,
            shutdown: AtomicBool::new(false),
        });
        let (rpc_shutdown, rpc_stop) = tokio::sync::oneshot::channel();
        let rpc = rpc::spawn(node.clone(), listener, rpc_stop).map_err(|e| NodeError::Rpc(rpc_addr, e))?;
        // Before the banking thread: PubSub sees every block it freezes.
        let (pubsub_shutdown, pubsub_stop) = tokio::sync::oneshot::channel();
        let pubsub =
            pubsub::spawn(node.clone(), pubsub_listener, pubsub_stop).map_err(|e| NodeError::PubSub(pubsub_addr, e))?;
        let tpu = tpu::spawn(node.clone(), tpu_socket).map_err(|e| NodeError::Tpu(tpu_addr, e))?;
        // Detached: it only fills the executor's caches, and ends on its own.
        let executor = node.bank.read().executor().clone();
        genesis::prewarm(executor).map_err(|e| NodeError::Setup(format!("starting the prewarm thread: {e}")))?;
        let banking = banking::Banking {
            queue,
            controls: control_queue,
            slot: config.slot,
            threads: config.threads,
            production: controls::Production { paused: false, mode: config.block_production },
            previous_blockhash,
            parent_slot,
        };
        let banking = banking::spawn(node.clone(), banking)
            .map_err(|e| NodeError::Setup(format!("starting the banking thread: {e}")))?;
        Ok(RunningNode {
            node,
            rpc_addr,
            pubsub_addr,
            tpu_addr,
            created,
            replayed_slots,
            banking: Some(banking),
            rpc: Some(rpc),
            tpu: Some(tpu),
            rpc_shutdown: Some(rpc_shutdown),
            pubsub: Some(pubsub),
            pubsub_shutdown: Some(pubsub_shutdown),
        })
    }

    /// Stop RPC, finish the slot in progress (made durable), and return.
    pub fn shutdown(mut self) {
        self.stop_threads();
    }

    fn stop_threads(&mut self) {
        if let Some(stop) = self.rpc_shutdown.take() {
            let _ = stop.send(());
        }
        if let Some(rpc) = self.rpc.take() {
            let _ = rpc.join();
        }
        if let Some(stop) = self.pubsub_shutdown.take() {
            let _ = stop.send(());
        }
        if let Some(pubsub) = self.pubsub.take() {
            let _ = pubsub.join();
        }
        self.node.stop();
        if let Some(tpu) = self.tpu.take() {
            let _ = tpu.join();
        }
        if let Some(banking) = self.banking.take() {
            let _ = banking.join();
        }
    }
}

impl Drop for RunningNode {
    fn drop(&mut self) {
        self.stop_threads();
    }
}
