//! `lanes-bench remote`: load a running node through its UDP transaction
//! port or JSON-RPC batches, and measure what landed — not what was sent.
//!
//! 1. Setup, untimed: fresh payers funded by `requestAirdrop` (confirmed);
//!    for `token` a mint and one token account a payer through the bundled
//!    token program, each with tokens minted to it.
//! 2. Pre-signing, untimed: the window's transactions in chunks of
//!    [`CHUNK`], each chunk under the newest blockhash when it is signed;
//!    chunks that wait too long before the window are signed again
//!    (a blockhash lives 150 slots; none is sent older than ~60 if the
//!    window and the signing each take less than that).
//! 3. The window: one or more senders (UDP sockets, or keep-alive JSON-RPC
//!    connections sending batches of `sendTransaction` base64 with
//!    `skipPreflight`), paced to `--tps`, or else as fast as the node takes
//!    them: at most `--max-in-flight` sent and neither committed nor
//!    dropped by the node (from `lanesGetNodeStats`, polled every 10 ms),
//!    and over UDP at a rate that backs off when the node's port loses
//!    datagrams (`--flood`: neither).
//! 4. Drain: after the last send, the node's transaction count is watched
//!    until it stops growing for three slots (bounded).
//!
//! Landed is the node's transaction count from the window's start to the
//! drained end (a transaction that failed but paid its fee lands and
//! counts, as in Solana's `getTransactionCount`); TPS is landed over the
//! time from the first send to the last growth of the count. Every Nth
//! signature is followed with `getSignatureStatuses` from its own thread
//! (every 20 ms, or every twentieth of its age once that is longer): its
//! confirmation latency (send → first seen confirmed or finalized), whether
//! it failed, whether it never landed. (A `signatureSubscribe` follower
//! over the WebSocket is to come.)
//!
//! Never: panic on a node's answer, wait without a bound, or assume the
//! node is on this machine (the TPU address comes from `getClusterNodes`).

use crate::rpc_client::{parse_url, resolve, RpcClient};
use base64::Engine as _;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::signature::Signature;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{system_instruction, Pubkey, LAMPORTS_PER_SOL};
use serde::Serialize;
use serde_json::{json, Value};
use std::io::IsTerminal;
use std::net::{SocketAddr, UdpSocket};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// Transactions signed under one blockhash.
pub const CHUNK: usize = 10_000;
/// A chunk whose blockhash is older than this when signing ends is signed again.
const REFRESH_SLOTS: u64 = 30;
/// Warn when a transaction is sent under a blockhash older than this.
const AGE_WARNING_SLOTS: u64 = 60;
/// Unpaced, the pool is this many transactions a second of `--duration`.
const UNPACED_POOL_RATE: f64 = 30_000.0;
/// The most transactions pre-signed, whatever the flags (memory).
const MAX_POOL: usize = 5_000_000;
/// Lamports each payer gets (fees for a million transactions).
const PAYER_LAMPORTS: u64 = 10 * LAMPORTS_PER_SOL;
/// Tokens minted into each token account.
const TOKENS_PER_ACCOUNT: u64 = 1_000_000_000_000;
const STATS_EVERY: Duration = Duration::from_millis(10);
/// Adaptive pacing: how often the rate changes, where it starts, its bounds,
/// and the datagrams an interval may seem lost without being (those still
/// in the node's socket buffer).
const ADAPT_EVERY: Duration = Duration::from_millis(100);
const START_RATE: f64 = 20_000.0;
const MIN_RATE: f64 = 500.0;
const MAX_RATE: f64 = 2_000_000.0;
const ADAPT_SLACK: u64 = 300;
const STATUS_EVERY: Duration = Duration::from_millis(20);
/// `getSignatureStatuses` takes at most this many signatures a call.
const STATUSES_PER_CALL: usize = 256;
/// Calls in one JSON-RPC batch while following signatures.
const STATUS_CALLS_PER_BATCH: usize = 8;
/// Setup transactions sent in one JSON-RPC batch.
const SETUP_BATCH: usize = 200;

/// What `lanes-bench remote` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RemoteWorkload {
    /// System-program lamport transfers between the payers.
    Transfer,
    /// Token transfers through the bundled token program.
    Token,
}

/// How transactions reach the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// The UDP transaction port: one wire transaction a datagram.
    Udp,
    /// JSON-RPC batches of `sendTransaction` (base64, skipPreflight).
    Rpc,
}

/// `lanes-bench remote`'s flags, parsed by clap.
#[derive(Debug, Clone, clap::Args)]
pub struct RemoteConfig {
    /// The node's JSON-RPC URL.
    #[arg(long, short = 'u', default_value = "http://127.0.0.1:8899")]
    pub url: String,
    #[arg(long, value_enum, default_value = "transfer")]
    pub workload: RemoteWorkload,
    /// Payers the load is spread over (and token accounts, one each, for `token`).
    #[arg(long, default_value_t = 1_000)]
    pub accounts: usize,
    /// Seconds of sending (the timed window).
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
    /// Send this many transactions a second (default: as fast as the node
    /// takes them, see --max-in-flight).
    #[arg(long)]
    pub tps: Option<u64>,
    #[arg(long, value_enum, default_value = "udp")]
    pub via: Via,
    /// The UDP transaction port, HOST:PORT (default: `tpu` from getClusterNodes).
    #[arg(long)]
    pub tpu: Option<String>,
    /// Sender threads: UDP sockets or JSON-RPC connections (default 1 for
    /// udp, 2 for rpc).
    #[arg(long)]
    pub senders: Option<usize>,
    /// sendTransaction requests in one JSON-RPC batch (--via rpc).
    #[arg(long, default_value_t = 200)]
    pub batch: usize,
    /// Transactions to pre-sign (default: --tps × --duration, or 30,000 a
    /// second of --duration unpaced). The window ends early when they run out.
    #[arg(long)]
    pub transactions: Option<usize>,
    /// Unpaced: at most this many transactions sent that the node has
    /// neither committed nor dropped (0: no limit).
    #[arg(long, default_value_t = 50_000)]
    pub max_in_flight: u64,
    /// Unpaced: no rate control and no in-flight cap, every transaction as
    /// fast as the socket or connection takes it (over UDP, what the node's
    /// socket buffer cannot hold is lost).
    #[arg(long, conflicts_with = "tps")]
    pub flood: bool,
    /// Follow every Nth transaction's signature (default: every 100th, or
    /// fewer so that about 2,000 are followed).
    #[arg(long)]
    pub sample_every: Option<usize>,
    /// No progress line on stderr.
    #[arg(long)]
    pub quiet: bool,
}

/// What `lanes-bench remote` measured.
#[derive(Debug, Clone, Serialize)]
pub struct RemoteReport {
    pub workload: RemoteWorkload,
    pub via: Via,
    pub accounts: usize,
    /// `--tps`, if the senders were paced.
    pub target_tps: Option<u64>,
    /// How the senders were paced: `fixed` (`--tps`), `adaptive` (unpaced
    /// UDP: the rate rises while the node's port receives everything sent
    /// and the in-flight cap is not reached, and falls when datagrams are
    /// lost), `closed` (unpaced JSON-RPC: each connection waits for its
    /// answer, under the in-flight cap) or `flood`.
    pub pace: &'static str,
    /// Adaptive: the rate at the end of the window.
    pub final_rate: Option<f64>,
    /// Transactions handed to the network (datagrams sent, or requests posted).
    pub sent: u64,
    /// The node's transaction count from the window's start to the drained
    /// end (failed transactions that paid their fee included).
    pub landed: u64,
    /// Landed but failed, estimated from the sample:
    /// `landed × sample_failed / sample_landed`.
    pub failed: u64,
    /// Sent and never landed: `sent − landed` (exact if nothing else sends
    /// to the node meanwhile). Where they went, as far as the node counts:
    /// `queue_dropped`, `tpu_garbage`, `deduplicated`, `udp_not_received`.
    pub dropped: u64,
    /// From the first send to the last growth of the node's transaction count.
    pub seconds: f64,
    /// `landed / seconds`.
    pub tps: f64,
    /// Confirmation latency of the landed sample (send → first seen
    /// confirmed or finalized, polled every 20 ms); `null` if none landed.
    pub p50_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
    /// How long the senders sent, and at what rate.
    pub send_seconds: f64,
    pub send_tps: f64,
    /// Whether the count stopped growing before the drain's bound.
    pub drained: bool,
    /// Every `sample_every`th transaction followed; of those sent, how many
    /// landed (ok or failed), failed, or never landed.
    pub sample_every: usize,
    pub sampled: u64,
    pub sample_landed: u64,
    pub sample_failed: u64,
    pub sample_dropped: u64,
    /// The node's own counters over the run (`lanesGetNodeStats`).
    pub queue_dropped: u64,
    pub tpu_garbage: u64,
    pub deduplicated: u64,
    /// UDP: datagrams sent that the node's port never received (lost in a
    /// socket buffer).
    pub udp_not_received: Option<u64>,
    /// RPC: sendTransaction answered with an error (queue full: -32005).
    pub rpc_rejected: u64,
    /// Sends that failed locally (socket or connection errors).
    pub send_errors: u64,
    /// Slots the node advanced during the window, and their mean length.
    pub slots: u64,
    pub slot_ms: f64,
    pub setup_seconds: f64,
    pub presigned: usize,
    pub presign_seconds: f64,
    pub blockhashes: usize,
    /// The oldest blockhash a sent transaction carried, in slots.
    pub max_blockhash_age_slots: u64,
    /// Where the transactions went: the TPU address or the RPC address.
    pub target: String,
    pub senders: usize,
}

/// Why the bench could not run.
pub type Error = String;

/// The node's counters at one moment.
#[derive(Debug, Clone, Copy, Default)]
struct NodeStats {
    count: u64,
    slot: u64,
    queue_dropped: u64,
    deduplicated: u64,
    tpu_received: u64,
    tpu_garbage: u64,
    tpu_queued: u64,
}

/// Read the node's counters: `lanesGetNodeStats`, or for a node without it
/// (`lanes` false) `getTransactionCount` and `getSlot`.
fn node_stats(client: &mut RpcClient, lanes: bool) -> Result<NodeStats, Error> {
    if lanes {
        let v = client.call("lanesGetNodeStats", json!([]))?;
        let field = |name: &str| v.get(name).and_then(Value::as_u64).unwrap_or(0);
        if v.get("transactionCount").and_then(Value::as_u64).is_none() {
            return Err(format!("lanesGetNodeStats answered without a transactionCount: {v}"));
        }
        return Ok(NodeStats {
            count: field("transactionCount"),
            slot: field("slot"),
            queue_dropped: field("queueDropped"),
            deduplicated: field("deduplicated"),
            tpu_received: field("tpuReceived"),
            tpu_garbage: field("tpuGarbage"),
            tpu_queued: field("tpuQueued"),
        });
    }
    let processed = json!([{ "commitment": "processed" }]);
    let answers = client.batch(&[("getTransactionCount", processed.clone()), ("getSlot", processed)])?;
    let number = |i: usize| -> Result<u64, Error> {
        match answers.get(i) {
            Some(Ok(v)) => v.as_u64().ok_or_else(|| format!("not a number: {v}")),
            Some(Err(e)) => Err(e.to_string()),
            None => Err("no answer".into()),
        }
    };
    Ok(NodeStats { count: number(0)?, slot: number(1)?, ..NodeStats::default() })
}

/// The accounts the load runs between.
struct Accounts {
    payers: Vec<Keypair>,
    payer_keys: Vec<Pubkey>,
    /// `token`: each payer's token account, in the payers' order.
    token_accounts: Vec<Pubkey>,
}

impl Accounts {
    /// The `k`th transaction of the run: payer `k mod n` to the payer half
    /// the ring away; the amount grows each round so every signature is new.
    fn transaction(&self, workload: RemoteWorkload, k: usize, blockhash: Hash) -> Transaction {
        let n = self.payers.len();
        let from = &self.payers[k % n];
        let to = (k + n / 2 + 1) % n;
        let amount = 1 + (k / n) as u64;
        let instruction = match workload {
            RemoteWorkload::Transfer => {
                system_instruction::transfer(&self.payer_keys[k % n], &self.payer_keys[to], amount)
            }
            RemoteWorkload::Token => lanes_token::instruction::transfer(
                &lanes_token::ID,
                &self.token_accounts[k % n],
                &self.token_accounts[to],
                &self.payer_keys[k % n],
                amount,
            ),
        };
        Transaction::new_signed_with_payer(&[instruction], Some(&self.payer_keys[k % n]), &[from], blockhash)
    }
}

fn latest_blockhash(client: &mut RpcClient) -> Result<(Hash, u64), Error> {
    let answer = client.call("getLatestBlockhash", json!([{ "commitment": "confirmed" }]))?;
    let text = answer["value"]["blockhash"].as_str().ok_or_else(|| format!("getLatestBlockhash: {answer}"))?;
    let hash = Hash::from_str(text).map_err(|e| format!("getLatestBlockhash: {text}: {e:?}"))?;
    let slot = answer["context"]["slot"].as_u64().unwrap_or(0);
    Ok((hash, slot))
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Request airdrops (batched) and wait until every one is confirmed.
fn airdrop_all(client: &mut RpcClient, targets: &[(Pubkey, u64)]) -> Result<(), Error> {
    let mut signatures = Vec::with_capacity(targets.len());
    for chunk in targets.chunks(SETUP_BATCH) {
        let calls: Vec<(&str, Value)> =
            chunk.iter().map(|(key, lamports)| ("requestAirdrop", json!([key.to_string(), lamports]))).collect();
        for answer in client.batch(&calls)? {
            match answer {
                Ok(Value::String(signature)) => signatures.push(signature),
                Ok(other) => return Err(format!("requestAirdrop answered {other}")),
                Err(e) => return Err(format!("requestAirdrop: {e}")),
            }
        }
    }
    confirm_all(client, &signatures, "airdrop")
}

/// Send setup transactions (batched, skipPreflight) and wait until every one is confirmed.
fn send_and_confirm(client: &mut RpcClient, transactions: &[Transaction], what: &str) -> Result<(), Error> {
    let mut signatures = Vec::with_capacity(transactions.len());
    for chunk in transactions.chunks(SETUP_BATCH) {
        let mut calls = Vec::with_capacity(chunk.len());
        for tx in chunk {
            let wire = tx.to_wire().map_err(|e| format!("{what}: {e:?}"))?;
            calls.push(("sendTransaction", json!([base64(&wire), { "encoding": "base64", "skipPreflight": true }])));
        }
        for answer in client.batch(&calls)? {
            match answer {
                Ok(Value::String(signature)) => signatures.push(signature),
                Ok(other) => return Err(format!("{what}: sendTransaction answered {other}")),
                Err(e) => return Err(format!("{what}: sendTransaction: {e}")),
            }
        }
    }
    confirm_all(client, &signatures, what)
}

/// Poll until every signature is confirmed (bounded); a failed one is an error.
fn confirm_all(client: &mut RpcClient, signatures: &[String], what: &str) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_secs(60) + Duration::from_millis(2) * signatures.len() as u32;
    let mut pending: Vec<&String> = signatures.iter().collect();
    while !pending.is_empty() {
        let mut still = Vec::new();
        for group in pending.chunks(STATUSES_PER_CALL * STATUS_CALLS_PER_BATCH) {
            let calls: Vec<(&str, Value)> =
                group.chunks(STATUSES_PER_CALL).map(|c| ("getSignatureStatuses", json!([c]))).collect();
            let answers = client.batch(&calls)?;
            for (c, answer) in group.chunks(STATUSES_PER_CALL).zip(answers) {
                let answer = answer.map_err(|e| format!("getSignatureStatuses: {e}"))?;
                let values = answer["value"].as_array().cloned().unwrap_or_default();
                for (i, signature) in c.iter().enumerate() {
                    let status = values.get(i).unwrap_or(&Value::Null);
                    if !status["err"].is_null() {
                        return Err(format!("{what} {signature} failed: {}", status["err"]));
                    }
                    let confirmed = matches!(status["confirmationStatus"].as_str(), Some("confirmed" | "finalized"));
                    if !confirmed {
                        still.push(*signature);
                    }
                }
            }
        }
        pending = still;
        if pending.is_empty() {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("{} of {} {what} transactions never confirmed", pending.len(), signatures.len()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Fund the payers; for `token`, make a mint and a funded token account each.
fn setup(client: &mut RpcClient, config: &RemoteConfig) -> Result<Accounts, Error> {
    let payers: Vec<Keypair> = (0..config.accounts).map(|_| Keypair::new()).collect();
    let payer_keys: Vec<Pubkey> = payers.iter().map(Keypair::pubkey).collect();
    let mut targets: Vec<(Pubkey, u64)> = payer_keys.iter().map(|k| (*k, PAYER_LAMPORTS)).collect();
    let authority = Keypair::new();
    let account_len = <lanes_token::state::TokenAccount as lanes_token::state::Pack>::LEN;
    if config.workload == RemoteWorkload::Token {
        let rent = lanes_sdk::rent::minimum_balance(account_len);
        let needed = (rent + 10_000) * (config.accounts as u64 + 1) + LAMPORTS_PER_SOL;
        targets.push((authority.pubkey(), needed));
    }
    airdrop_all(client, &targets)?;
    let mut accounts = Accounts { payers, payer_keys, token_accounts: Vec::new() };
    if config.workload == RemoteWorkload::Token {
        let token = lanes_token::ID;
        let mint = Keypair::new();
        let (blockhash, _) = latest_blockhash(client)?;
        let create_mint = Transaction::new_signed_with_payer(
            &lanes_token::instruction::create_mint(
                &token,
                &authority.pubkey(),
                &mint.pubkey(),
                &authority.pubkey(),
                None,
                6,
            ),
            Some(&authority.pubkey()),
            &[&authority, &mint],
            blockhash,
        );
        send_and_confirm(client, &[create_mint], "create the mint")?;
        let mut transactions = Vec::with_capacity(config.accounts);
        let mut blockhash = latest_blockhash(client)?.0;
        for (i, owner) in accounts.payer_keys.iter().enumerate() {
            if i > 0 && i % CHUNK == 0 {
                blockhash = latest_blockhash(client)?.0;
            }
            let account = Keypair::new();
            let [create, initialize] = lanes_token::instruction::create_account(
                &token,
                &authority.pubkey(),
                &account.pubkey(),
                &mint.pubkey(),
                owner,
            );
            let mint_to = lanes_token::instruction::mint_to(
                &token,
                &mint.pubkey(),
                &account.pubkey(),
                &authority.pubkey(),
                TOKENS_PER_ACCOUNT,
            );
            transactions.push(Transaction::new_signed_with_payer(
                &[create, initialize, mint_to],
                Some(&authority.pubkey()),
                &[&authority, &account],
                blockhash,
            ));
            accounts.token_accounts.push(account.pubkey());
        }
        send_and_confirm(client, &transactions, "create a token account")?;
    }
    Ok(accounts)
}

/// Transactions `first..first + count` signed under one blockhash.
struct Chunk {
    slot: u64,
    /// Wire bytes end to end; `ends[i]` is where transaction `first + i` ends.
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// `--via rpc`: the JSON-RPC batch bodies, and the transactions each carries.
    batches: Vec<(String, usize, usize)>,
    /// Signatures of the transactions followed: (index, signature).
    samples: Vec<(usize, Signature)>,
}

impl Chunk {
    fn wire(&self, offset: usize) -> &[u8] {
        let start = if offset == 0 { 0 } else { self.ends[offset - 1] };
        &self.bytes[start..self.ends[offset]]
    }
}

/// Sign transactions `first..first + count` on every core under the newest blockhash.
fn sign_chunk(
    client: &mut RpcClient,
    accounts: &Accounts,
    config: &RemoteConfig,
    first: usize,
    count: usize,
    sample_every: usize,
) -> Result<Chunk, Error> {
    let (blockhash, slot) = latest_blockhash(client)?;
    let threads = lanes_runtime::available_cores().clamp(1, 64);
    let per_thread = count.div_ceil(threads).max(1);
    let workload = config.workload;
    type Signed = Vec<(Vec<u8>, Signature)>;
    let signed: Vec<Result<Signed, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (first..first + count)
            .step_by(per_thread)
            .map(|start| {
                let end = (start + per_thread).min(first + count);
                scope.spawn(move || {
                    (start..end)
                        .map(|k| {
                            let tx = accounts.transaction(workload, k, blockhash);
                            let signature = tx.signature().copied().unwrap_or_default();
                            let wire = tx.to_wire().map_err(|e| format!("transaction {k}: {e:?}"))?;
                            Ok((wire, signature))
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a signing thread panicked".into()))).collect()
    });
    let mut chunk =
        Chunk { slot, bytes: Vec::new(), ends: Vec::with_capacity(count), batches: Vec::new(), samples: Vec::new() };
    let mut k = first;
    for part in signed {
        for (wire, signature) in part? {
            chunk.bytes.extend_from_slice(&wire);
            chunk.ends.push(chunk.bytes.len());
            if k.is_multiple_of(sample_every) {
                chunk.samples.push((k, signature));
            }
            k += 1;
        }
    }
    chunk.bytes.shrink_to_fit();
    if config.via == Via::Rpc {
        let mut offset = 0;
        while offset < count {
            let n = config.batch.min(count - offset);
            let mut body = String::with_capacity(n * 420 + 2);
            body.push('[');
            for i in 0..n {
                if i > 0 {
                    body.push(',');
                }
                body.push_str(r#"{"jsonrpc":"2.0","id":"#);
                body.push_str(&i.to_string());
                body.push_str(r#","method":"sendTransaction","params":[""#);
                body.push_str(&base64(chunk.wire(offset + i)));
                body.push_str(r#"",{"encoding":"base64","skipPreflight":true}]}"#);
            }
            body.push(']');
            chunk.batches.push((body, first + offset, n));
            offset += n;
        }
        // The senders need only the bodies.
        chunk.bytes = Vec::new();
        chunk.ends = Vec::new();
    }
    Ok(chunk)
}

/// A followed transaction.
struct Sample {
    index: usize,
    signature: String,
    /// Nanoseconds from the window's start to its send, plus one (0: not sent).
    sent_ns: AtomicU64,
    /// 0 pending, 1 landed, 2 landed and failed.
    state: AtomicU8,
    /// Send → first seen confirmed, in microseconds.
    latency_us: AtomicU64,
    /// When the follower looks next (ns since the window's start).
    next_poll_ns: AtomicU64,
}

const PENDING: u8 = 0;
const LANDED: u8 = 1;
const FAILED: u8 = 2;

/// What the threads of the window share.
struct Live {
    start: Instant,
    base: NodeStats,
    lanes: bool,
    // The node, as the stats thread last read it.
    count: AtomicU64,
    slot: AtomicU64,
    deduplicated: AtomicU64,
    tpu_queued: AtomicU64,
    tpu_received: AtomicU64,
    /// Adaptive pacing: the senders' total rate (f64 bits).
    rate_bits: AtomicU64,
    /// When the count last grew (ns since start), and the slot then.
    last_growth_ns: AtomicU64,
    slot_at_growth: AtomicU64,
    // The senders.
    sent: AtomicU64,
    accepted: AtomicU64,
    rejected: AtomicU64,
    send_errors: AtomicU64,
    max_age: AtomicU64,
    senders_done: AtomicUsize,
    stop_stats: AtomicBool,
    stop_follow: AtomicBool,
}

impl Live {
    fn elapsed_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// Adaptive pacing: the senders' total rate, transactions a second.
    fn rate(&self) -> f64 {
        f64::from_bits(self.rate_bits.load(Relaxed))
    }

    /// Adaptive pacing, once an interval: `sent` and `received` (by the
    /// node's UDP port) grew by these over `seconds`. Datagrams lost (sent
    /// and not received, beyond what a socket buffer holds) cut the rate by
    /// 30 %; otherwise, if the senders kept up with it and the node is not
    /// holding half the in-flight cap, it rises 10 %.
    fn adapt(&self, sent: u64, received: u64, seconds: f64, max_in_flight: u64) {
        let rate = self.rate();
        let lost = sent.saturating_sub(received);
        let next = if lost > sent / 20 + ADAPT_SLACK {
            rate * 0.7
        } else if sent as f64 >= 0.8 * rate * seconds
            && (max_in_flight == 0 || self.in_flight(Via::Udp) < max_in_flight as i64 / 2)
        {
            rate * 1.1
        } else {
            rate
        };
        self.rate_bits.store(next.clamp(MIN_RATE, MAX_RATE).to_bits(), Relaxed);
    }

    /// Transactions sent that the node has neither committed nor dropped.
    fn in_flight(&self, via: Via) -> i64 {
        let landed = self.count.load(Relaxed).saturating_sub(self.base.count);
        let deduplicated = self.deduplicated.load(Relaxed).saturating_sub(self.base.deduplicated);
        let entered = match via {
            Via::Udp if self.lanes => self.tpu_queued.load(Relaxed).saturating_sub(self.base.tpu_queued),
            Via::Udp => self.sent.load(Relaxed),
            Via::Rpc => self.accepted.load(Relaxed),
        };
        entered as i64 - landed as i64 - deduplicated as i64
    }
}

/// The stats thread: the node's counters every [`STATS_EVERY`], and, with
/// `adaptive`, the senders' rate every [`ADAPT_EVERY`].
fn watch_node(mut client: RpcClient, live: &Live, adaptive: Option<u64>) {
    let mut last = live.base.count;
    let mut interval = (Instant::now(), 0u64, live.base.tpu_received);
    while !live.stop_stats.load(Relaxed) {
        let tick = Instant::now();
        if let Ok(stats) = node_stats(&mut client, live.lanes) {
            live.slot.store(stats.slot, Relaxed);
            live.deduplicated.store(stats.deduplicated, Relaxed);
            live.tpu_queued.store(stats.tpu_queued, Relaxed);
            live.tpu_received.store(stats.tpu_received, Relaxed);
            if let Some(max_in_flight) = adaptive {
                let seconds = interval.0.elapsed().as_secs_f64();
                if seconds >= ADAPT_EVERY.as_secs_f64() {
                    let sent = live.sent.load(Relaxed);
                    live.adapt(
                        sent.saturating_sub(interval.1),
                        stats.tpu_received.saturating_sub(interval.2),
                        seconds,
                        max_in_flight,
                    );
                    interval = (Instant::now(), sent, stats.tpu_received);
                }
            }
            if stats.count != last {
                last = stats.count;
                live.last_growth_ns.store(live.elapsed_ns(), Relaxed);
                live.slot_at_growth.store(stats.slot, Relaxed);
            }
            live.count.store(stats.count, Relaxed);
        }
        std::thread::sleep(STATS_EVERY.saturating_sub(tick.elapsed()));
    }
}

/// Look up the statuses of `which` samples once; mark those landed.
fn check_samples(client: &mut RpcClient, samples: &[Sample], which: &[usize], live: &Live) -> Result<(), Error> {
    for group in which.chunks(STATUSES_PER_CALL * STATUS_CALLS_PER_BATCH) {
        let calls: Vec<(&str, Value)> = group
            .chunks(STATUSES_PER_CALL)
            .map(|c| {
                let signatures: Vec<&str> = c.iter().map(|&i| samples[i].signature.as_str()).collect();
                ("getSignatureStatuses", json!([signatures]))
            })
            .collect();
        let answers = client.batch(&calls)?;
        let seen_ns = live.elapsed_ns();
        for (c, answer) in group.chunks(STATUSES_PER_CALL).zip(answers) {
            let Ok(answer) = answer else { continue };
            let Some(values) = answer["value"].as_array() else { continue };
            for (&i, status) in c.iter().zip(values) {
                let confirmed = matches!(status["confirmationStatus"].as_str(), Some("confirmed" | "finalized"));
                if !confirmed {
                    continue;
                }
                let sample = &samples[i];
                let sent_ns = sample.sent_ns.load(Relaxed).saturating_sub(1);
                sample.latency_us.store(seen_ns.saturating_sub(sent_ns) / 1_000, Relaxed);
                sample.state.store(if status["err"].is_null() { LANDED } else { FAILED }, Relaxed);
            }
        }
    }
    Ok(())
}

/// Samples sent and not yet seen landed (with `due_ns`, only those due a look by then).
fn pending_samples(samples: &[Sample], limit: usize, due_ns: Option<u64>) -> Vec<usize> {
    samples
        .iter()
        .enumerate()
        .filter(|(_, s)| s.sent_ns.load(Relaxed) != 0 && s.state.load(Relaxed) == PENDING)
        .filter(|(_, s)| due_ns.is_none_or(|now| s.next_poll_ns.load(Relaxed) <= now))
        .map(|(i, _)| i)
        .take(limit)
        .collect()
}

/// The follower thread: every [`STATUS_EVERY`], the statuses of the pending
/// samples due a look. A sample is looked at every 20 ms, or every twentieth
/// of its age once that is longer (a 5 % resolution): under a deep queue
/// hundreds of signatures are pending for seconds, and each unknown one costs
/// the node a ledger lookup, which at every 20 ms took ~15 % of a core of
/// the two the node shares with this bench.
fn follow_samples(mut client: RpcClient, samples: &[Sample], live: &Live) {
    while !live.stop_follow.load(Relaxed) {
        let tick = Instant::now();
        // Oldest first (samples are sent in order), a bounded number a tick.
        let pending = pending_samples(samples, STATUSES_PER_CALL * STATUS_CALLS_PER_BATCH, Some(live.elapsed_ns()));
        if !pending.is_empty() {
            let _ = check_samples(&mut client, samples, &pending, live);
            let now = live.elapsed_ns();
            for &i in &pending {
                let age = now.saturating_sub(samples[i].sent_ns.load(Relaxed));
                let wait = (age / 20).max(STATUS_EVERY.as_nanos() as u64);
                samples[i].next_poll_ns.store(now + wait, Relaxed);
            }
        }
        std::thread::sleep(STATUS_EVERY.saturating_sub(tick.elapsed()));
    }
}

/// How the senders are paced.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// `--tps`: this many transactions a second for each sender, on a fixed schedule.
    Fixed(f64),
    /// Unpaced UDP: the rate the stats thread adapts (see [`Live::adapt`]),
    /// under the in-flight cap.
    Adaptive,
    /// Unpaced JSON-RPC: each connection waits for its answer, under the in-flight cap.
    Closed,
    /// `--flood`: no pacing at all.
    Flood,
}

struct Pace {
    mode: Mode,
    max_in_flight: u64,
    deadline: Instant,
    senders: usize,
}

/// One sender's pacing.
struct Pacer<'a> {
    pace: &'a Pace,
    /// Adaptive: when the next transaction is due.
    next: Instant,
}

impl Pacer<'_> {
    /// Wait until `count` more transactions may go, after `n` this sender
    /// already sent; false once the window is over.
    fn wait(&mut self, n: u64, count: u64, live: &Live, via: Via) -> bool {
        let pace = self.pace;
        loop {
            let now = Instant::now();
            if now >= pace.deadline {
                return false;
            }
            let capped = pace.max_in_flight > 0 && live.in_flight(via) >= pace.max_in_flight as i64;
            match pace.mode {
                Mode::Flood => return true,
                Mode::Fixed(rate) => {
                    // A batch is due when its middle transaction is.
                    let due = live.start + Duration::from_secs_f64((n as f64 + count as f64 / 2.0) / rate);
                    if due <= now {
                        return true;
                    }
                    // Sleeping past several due times is fine: they go in a burst after.
                    std::thread::sleep((due - now).min(pace.deadline - now));
                }
                Mode::Closed | Mode::Adaptive if capped => std::thread::sleep(Duration::from_millis(1)),
                Mode::Closed => return true,
                Mode::Adaptive => {
                    // After a stall, no burst to catch up.
                    if self.next + Duration::from_millis(5) < now {
                        self.next = now;
                    }
                    if self.next <= now {
                        let rate = live.rate() / pace.senders as f64;
                        self.next += Duration::from_secs_f64(count as f64 / rate.max(1.0));
                        return true;
                    }
                    std::thread::sleep((self.next - now).min(pace.deadline - now));
                }
            }
        }
    }
}

fn mark_sent(samples: &[Sample], sample_every: usize, index: usize, live: &Live) {
    if index.is_multiple_of(sample_every) {
        if let Some(sample) = samples.get(index / sample_every) {
            if sample.index == index {
                sample.sent_ns.store(live.elapsed_ns() + 1, Relaxed);
            }
        }
    }
}

fn note_age(chunk: &Chunk, live: &Live, max_age: &mut u64) {
    let age = live.slot.load(Relaxed).saturating_sub(chunk.slot);
    if age > *max_age {
        *max_age = age;
        live.max_age.fetch_max(age, Relaxed);
    }
}

/// What every sender shares.
struct Shared<'a> {
    senders: usize,
    pace: &'a Pace,
    samples: &'a [Sample],
    sample_every: usize,
    live: &'a Live,
}

/// Sender `me` over UDP: transactions `me`, `me + senders`, … of `total`.
fn send_udp(me: usize, shared: &Shared, chunks: &[Chunk], total: usize, target: SocketAddr) -> Result<(), Error> {
    let Shared { senders, pace, samples, sample_every, live } = *shared;
    let local = if target.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
    let socket = UdpSocket::bind(local).map_err(|e| format!("UDP socket: {e}"))?;
    socket.set_write_timeout(Some(Duration::from_secs(1))).map_err(|e| e.to_string())?;
    let mut pacer = Pacer { pace, next: Instant::now() };
    let mut max_age = 0;
    let mut n = 0u64;
    let mut index = me;
    let mut errors_in_a_row = 0u32;
    while index < total {
        if !pacer.wait(n, 1, live, Via::Udp) {
            break;
        }
        let chunk = &chunks[index / CHUNK];
        match socket.send_to(chunk.wire(index % CHUNK), target) {
            Ok(_) => {
                live.sent.fetch_add(1, Relaxed);
                mark_sent(samples, sample_every, index, live);
                note_age(chunk, live, &mut max_age);
                errors_in_a_row = 0;
            }
            Err(_) => {
                live.send_errors.fetch_add(1, Relaxed);
                errors_in_a_row += 1;
                if errors_in_a_row >= 1_000 {
                    // A full socket buffer clears in a moment; anything else keeps failing.
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
        index += senders;
        n += 1;
    }
    Ok(())
}

/// Sender `me` over JSON-RPC: batches `me`, `me + senders`, … on one connection.
fn send_rpc(
    me: usize,
    shared: &Shared,
    batches: &[(&Chunk, &(String, usize, usize))],
    address: &str,
) -> Result<(), Error> {
    let Shared { senders, pace, samples, sample_every, live } = *shared;
    let mut client = RpcClient::connect(address)?;
    let mut pacer = Pacer { pace, next: Instant::now() };
    let mut max_age = 0;
    let mut n = 0u64;
    let mut failures_in_a_row = 0u32;
    for &(chunk, (body, first, count)) in batches.iter().skip(me).step_by(senders) {
        if !pacer.wait(n, *count as u64, live, Via::Rpc) {
            break;
        }
        for index in *first..first + count {
            mark_sent(samples, sample_every, index, live);
        }
        live.sent.fetch_add(*count as u64, Relaxed);
        note_age(chunk, live, &mut max_age);
        n += *count as u64;
        match client.post_json(body.as_bytes()) {
            Ok(Value::Array(answers)) => {
                failures_in_a_row = 0;
                let rejected = answers.iter().filter(|a| a.get("error").is_some()).count() as u64;
                live.rejected.fetch_add(rejected + (*count as u64).saturating_sub(answers.len() as u64), Relaxed);
                live.accepted.fetch_add((answers.len() as u64).saturating_sub(rejected), Relaxed);
            }
            Ok(_) => {
                live.rejected.fetch_add(*count as u64, Relaxed);
            }
            Err(e) => {
                live.send_errors.fetch_add(*count as u64, Relaxed);
                failures_in_a_row += 1;
                if failures_in_a_row >= 5 {
                    return Err(format!("sendTransaction batches keep failing: {e}"));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    Some(sorted[((sorted.len() - 1) as f64 * p).round() as usize])
}

/// Latencies (ms) of the samples seen landed so far, sorted.
fn latencies_ms(samples: &[Sample]) -> Vec<f64> {
    let mut ms: Vec<f64> = samples
        .iter()
        .filter(|s| s.state.load(Relaxed) != PENDING)
        .map(|s| s.latency_us.load(Relaxed) as f64 / 1e3)
        .collect();
    ms.sort_by(f64::total_cmp);
    ms
}

/// The UDP port to send to: `--tpu`, else the node's `getClusterNodes`
/// (an unspecified IP there means the RPC host's).
fn tpu_address(client: &mut RpcClient, config: &RemoteConfig) -> Result<SocketAddr, Error> {
    let text = match &config.tpu {
        Some(tpu) => tpu.clone(),
        None => {
            let nodes = client.call("getClusterNodes", json!([]))?;
            nodes
                .get(0)
                .and_then(|n| n.get("tpu"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("getClusterNodes names no tpu address ({nodes}); give --tpu or --via rpc"))?
        }
    };
    let mut address = resolve(&text)?;
    if address.ip().is_unspecified() {
        address.set_ip(client.socket_addr().ip());
    }
    Ok(address)
}

fn check(config: &RemoteConfig) -> Result<(), Error> {
    if config.accounts < 2 || config.accounts > 1_000_000 {
        return Err("--accounts must be between 2 and 1,000,000".into());
    }
    if !(config.duration > 0.0 && config.duration <= 3_600.0) {
        return Err("--duration must be more than 0 and at most 3,600 seconds".into());
    }
    if config.tps == Some(0) {
        return Err("--tps must be at least 1".into());
    }
    if config.batch == 0 || config.batch > 10_000 {
        return Err("--batch must be between 1 and 10,000".into());
    }
    if config.senders.is_some_and(|s| s == 0 || s > 64) {
        return Err("--senders must be between 1 and 64".into());
    }
    if config.sample_every == Some(0) {
        return Err("--sample-every must be at least 1".into());
    }
    Ok(())
}

/// Set up against the node at `config.url`, pre-sign, send for
/// `config.duration` seconds, wait for the node to drain, and report.
pub fn run_remote(config: &RemoteConfig) -> Result<RemoteReport, Error> {
    check(config)?;
    let address = parse_url(&config.url)?;
    let mut client = RpcClient::connect(&address)?;
    match client.call("getHealth", json!([])) {
        Ok(health) if health == "ok" => {}
        Ok(health) => return Err(format!("{address}: getHealth answered {health}")),
        Err(e) => return Err(format!("{address}: getHealth: {e}")),
    }
    let lanes = client.call("lanesGetNodeStats", json!([])).is_ok();
    let tpu = match config.via {
        Via::Udp => Some(tpu_address(&mut client, config)?),
        Via::Rpc => None,
    };
    let senders = config.senders.unwrap_or(match config.via {
        Via::Udp => 1,
        Via::Rpc => 2,
    });
    let progress = !config.quiet;
    let say = |line: &str| {
        if progress {
            eprintln!("{line}");
        }
    };

    let setup_started = Instant::now();
    say(&format!("setting up {} accounts on {address}…", config.accounts));
    let accounts = setup(&mut client, config)?;
    let setup_seconds = setup_started.elapsed().as_secs_f64();

    let total = match (config.transactions, config.tps) {
        (Some(n), _) => n,
        (None, Some(tps)) => (tps as f64 * config.duration).ceil() as usize,
        (None, None) => (UNPACED_POOL_RATE * config.duration).ceil() as usize,
    }
    .clamp(1, MAX_POOL);
    let sample_every = config.sample_every.unwrap_or((total / 2_000).max(100));
    let presign_started = Instant::now();
    say(&format!("pre-signing {total} transactions…"));
    let mut chunks = Vec::with_capacity(total.div_ceil(CHUNK));
    for first in (0..total).step_by(CHUNK) {
        chunks.push(sign_chunk(&mut client, &accounts, config, first, CHUNK.min(total - first), sample_every)?);
    }
    // The first chunks go first: sign again those whose blockhash has aged.
    let now_slot = latest_blockhash(&mut client)?.1;
    let mut blockhashes = chunks.len();
    for (c, chunk) in chunks.iter_mut().enumerate() {
        if now_slot.saturating_sub(chunk.slot) <= REFRESH_SLOTS {
            break;
        }
        let first = c * CHUNK;
        *chunk = sign_chunk(&mut client, &accounts, config, first, CHUNK.min(total - first), sample_every)?;
        blockhashes += 1;
    }
    let presign_seconds = presign_started.elapsed().as_secs_f64();
    let samples: Vec<Sample> = chunks
        .iter()
        .flat_map(|c| c.samples.iter())
        .map(|(index, signature)| Sample {
            index: *index,
            signature: signature.to_string(),
            sent_ns: AtomicU64::new(0),
            state: AtomicU8::new(PENDING),
            latency_us: AtomicU64::new(0),
            next_poll_ns: AtomicU64::new(0),
        })
        .collect();
    let batches: Vec<(&Chunk, &(String, usize, usize))> =
        chunks.iter().flat_map(|c| c.batches.iter().map(move |b| (c, b))).collect();

    let stats_client = RpcClient::connect(&address)?;
    let follow_client = RpcClient::connect(&address)?;
    let base = node_stats(&mut client, lanes)?;
    let live = Live {
        start: Instant::now(),
        base,
        lanes,
        count: AtomicU64::new(base.count),
        slot: AtomicU64::new(base.slot),
        deduplicated: AtomicU64::new(base.deduplicated),
        tpu_queued: AtomicU64::new(base.tpu_queued),
        tpu_received: AtomicU64::new(base.tpu_received),
        rate_bits: AtomicU64::new(START_RATE.to_bits()),
        last_growth_ns: AtomicU64::new(0),
        slot_at_growth: AtomicU64::new(base.slot),
        sent: AtomicU64::new(0),
        accepted: AtomicU64::new(0),
        rejected: AtomicU64::new(0),
        send_errors: AtomicU64::new(0),
        max_age: AtomicU64::new(0),
        senders_done: AtomicUsize::new(0),
        stop_stats: AtomicBool::new(false),
        stop_follow: AtomicBool::new(false),
    };
    let mode = match (config.tps, config.flood, config.via) {
        (Some(tps), _, _) => Mode::Fixed(tps as f64 / senders as f64),
        (None, true, _) => Mode::Flood,
        // Without the node's counters the port's losses cannot be seen.
        (None, false, Via::Udp) if lanes => Mode::Adaptive,
        (None, false, _) => Mode::Closed,
    };
    let pace = Pace {
        mode,
        max_in_flight: config.max_in_flight,
        deadline: live.start + Duration::from_secs_f64(config.duration),
        senders,
    };
    let target = match tpu {
        Some(tpu) => tpu.to_string(),
        None => address.clone(),
    };
    say(&format!("sending for {} s to {target}…", config.duration));

    let terminal = std::io::stderr().is_terminal();
    let shared = Shared { senders, pace: &pace, samples: &samples, sample_every, live: &live };
    let (send_seconds, drained, sender_errors) = std::thread::scope(|scope| {
        let live = &live;
        let samples = &samples;
        let adaptive = (mode == Mode::Adaptive).then_some(config.max_in_flight);
        let stats = scope.spawn(move || watch_node(stats_client, live, adaptive));
        let follow = scope.spawn(move || follow_samples(follow_client, samples, live));
        let handles: Vec<_> = (0..senders)
            .map(|me| {
                let (chunks, batches, address, shared) = (&chunks, &batches, &address, &shared);
                scope.spawn(move || {
                    let result = match tpu {
                        Some(tpu) => send_udp(me, shared, chunks, total, tpu),
                        None => send_rpc(me, shared, batches, address),
                    };
                    live.senders_done.fetch_add(1, Relaxed);
                    result
                })
            })
            .collect();

        // Progress while sending: a refreshed line on a terminal, else a line every 5 s.
        let every = if terminal { Duration::from_millis(500) } else { Duration::from_secs(5) };
        let mut next = Instant::now() + every;
        let mut last = (Instant::now(), base.count);
        while live.senders_done.load(Relaxed) < senders {
            std::thread::sleep(Duration::from_millis(20));
            if progress && Instant::now() >= next {
                next += every;
                let count = live.count.load(Relaxed);
                let now_tps = count.saturating_sub(last.1) as f64 / last.0.elapsed().as_secs_f64();
                last = (Instant::now(), count);
                let ms = latencies_ms(samples);
                let fmt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
                let elapsed = live.start.elapsed().as_secs_f64();
                let line = format!(
                    "sent {}  landed {}  TPS now {:.0}  p50/p99 {}/{} ms  {:.0}/{:.0} s",
                    live.sent.load(Relaxed),
                    count.saturating_sub(base.count),
                    now_tps,
                    fmt(percentile(&ms, 0.5)),
                    fmt(percentile(&ms, 0.99)),
                    elapsed,
                    config.duration
                );
                if terminal {
                    eprint!("\r{line}\x1b[K");
                } else {
                    eprintln!("{line}");
                }
            }
        }
        let errors: Vec<Error> = handles
            .into_iter()
            .filter_map(|h| h.join().unwrap_or_else(|_| Err("a sender panicked".into())).err())
            .collect();
        let send_seconds = live.start.elapsed().as_secs_f64();
        if progress && terminal {
            eprintln!();
        }

        // Drain: until the count has not grown for three slots (and 300 ms), bounded.
        let bound = Instant::now() + Duration::from_secs(30) + Duration::from_secs_f64(config.duration);
        let drained = loop {
            std::thread::sleep(Duration::from_millis(20));
            let since_growth = live.elapsed_ns().saturating_sub(live.last_growth_ns.load(Relaxed));
            let slots = live.slot.load(Relaxed).saturating_sub(live.slot_at_growth.load(Relaxed));
            if since_growth >= 300_000_000 && slots >= 3 && live.elapsed_ns() as f64 >= send_seconds * 1e9 + 3e8 {
                break true;
            }
            if Instant::now() > bound {
                break false;
            }
        };
        live.stop_stats.store(true, Relaxed);
        live.stop_follow.store(true, Relaxed);
        let _ = stats.join();
        let _ = follow.join();
        (send_seconds, drained, errors)
    });
    if let Some(error) = sender_errors.first() {
        return Err(error.clone());
    }

    let end = node_stats(&mut client, lanes)?;
    // A last look at every sample not yet seen landed.
    let pending = pending_samples(&samples, usize::MAX, None);
    check_samples(&mut client, &samples, &pending, &live)?;

    let sent = live.sent.load(Relaxed);
    let landed = end.count.saturating_sub(base.count);
    let sent_samples: Vec<&Sample> = samples.iter().filter(|s| s.sent_ns.load(Relaxed) != 0).collect();
    let sample_failed = sent_samples.iter().filter(|s| s.state.load(Relaxed) == FAILED).count() as u64;
    let sample_landed = sent_samples.iter().filter(|s| s.state.load(Relaxed) != PENDING).count() as u64;
    let ms = latencies_ms(&samples);
    let seconds = match live.last_growth_ns.load(Relaxed) {
        0 => send_seconds,
        ns => ns as f64 / 1e9,
    };
    let max_age = live.max_age.load(Relaxed);
    if max_age > AGE_WARNING_SLOTS && progress {
        eprintln!(
            "warning: transactions went out under blockhashes up to {max_age} slots old (150 is the limit): \
             fewer --transactions, a shorter --duration or longer slots"
        );
    }
    let slots = end.slot.saturating_sub(base.slot);
    Ok(RemoteReport {
        workload: config.workload,
        via: config.via,
        accounts: config.accounts,
        target_tps: config.tps,
        pace: match mode {
            Mode::Fixed(_) => "fixed",
            Mode::Adaptive => "adaptive",
            Mode::Closed => "closed",
            Mode::Flood => "flood",
        },
        final_rate: (mode == Mode::Adaptive).then(|| live.rate()),
        sent,
        landed,
        failed: if sample_landed == 0 {
            0
        } else {
            (landed as f64 * sample_failed as f64 / sample_landed as f64).round() as u64
        },
        dropped: sent.saturating_sub(landed),
        seconds,
        tps: landed as f64 / seconds,
        p50_ms: percentile(&ms, 0.50),
        p90_ms: percentile(&ms, 0.90),
        p99_ms: percentile(&ms, 0.99),
        max_ms: ms.last().copied(),
        send_seconds,
        send_tps: sent as f64 / send_seconds,
        drained,
        sample_every,
        sampled: sent_samples.len() as u64,
        sample_landed,
        sample_failed,
        sample_dropped: sent_samples.len() as u64 - sample_landed,
        queue_dropped: end.queue_dropped.saturating_sub(base.queue_dropped),
        tpu_garbage: end.tpu_garbage.saturating_sub(base.tpu_garbage),
        deduplicated: end.deduplicated.saturating_sub(base.deduplicated),
        udp_not_received: (config.via == Via::Udp && lanes)
            .then(|| sent.saturating_sub(end.tpu_received.saturating_sub(base.tpu_received))),
        rpc_rejected: live.rejected.load(Relaxed),
        send_errors: live.send_errors.load(Relaxed),
        slots,
        slot_ms: if slots == 0 { 0.0 } else { seconds * 1e3 / slots as f64 },
        setup_seconds,
        presigned: total,
        presign_seconds,
        blockhashes,
        max_blockhash_age_slots: max_age,
        target,
        senders,
    })
}

impl std::fmt::Display for RemoteReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let via = match self.via {
            Via::Udp => "UDP",
            Via::Rpc => "JSON-RPC batches",
        };
        let ms = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0} ms"));
        let workload = match self.workload {
            RemoteWorkload::Transfer => "transfer",
            RemoteWorkload::Token => "token",
        };
        writeln!(f, "workload      {workload}, {} accounts", self.accounts)?;
        let s = if self.senders == 1 { "" } else { "s" };
        writeln!(f, "via           {via} to {} ({} sender{s})", self.target, self.senders)?;
        match (self.target_tps, self.final_rate) {
            (Some(tps), _) => writeln!(f, "pace          {tps} TPS")?,
            (None, Some(rate)) => {
                writeln!(f, "pace          adaptive: as fast as the node's port receives (ended at {rate:.0}/s)")?
            }
            (None, None) => writeln!(f, "pace          {}", self.pace)?,
        }
        writeln!(f, "sent          {} in {:.2} s ({:.0}/s)", self.sent, self.send_seconds, self.send_tps)?;
        writeln!(
            f,
            "landed        {} in {:.2} s: {:.0} TPS{}",
            self.landed,
            self.seconds,
            self.tps,
            if self.drained { "" } else { " (the node had not drained at the bound)" }
        )?;
        writeln!(
            f,
            "failed        {} (estimated: {} of {} landed samples)",
            self.failed, self.sample_failed, self.sample_landed
        )?;
        let mut where_to = format!(
            "queue full {}, deduplicated {}, garbage {}",
            self.queue_dropped, self.deduplicated, self.tpu_garbage
        );
        if let Some(lost) = self.udp_not_received {
            where_to.push_str(&format!(", not received {lost}"));
        }
        if self.via == Via::Rpc {
            where_to.push_str(&format!(", rejected {}", self.rpc_rejected));
        }
        writeln!(f, "dropped       {} ({where_to}; send errors {})", self.dropped, self.send_errors)?;
        writeln!(
            f,
            "confirmation  p50 {}, p90 {}, p99 {}, max {} ({} followed, every {}th; {} never landed)",
            ms(self.p50_ms),
            ms(self.p90_ms),
            ms(self.p99_ms),
            ms(self.max_ms),
            self.sampled,
            self.sample_every,
            self.sample_dropped
        )?;
        writeln!(f, "slots         {} of {:.0} ms", self.slots, self.slot_ms)?;
        writeln!(
            f,
            "untimed       setup {:.1} s; {} pre-signed in {:.1} s under {} blockhashes (oldest sent: {} slots)",
            self.setup_seconds, self.presigned, self.presign_seconds, self.blockhashes, self.max_blockhash_age_slots
        )
    }
}
