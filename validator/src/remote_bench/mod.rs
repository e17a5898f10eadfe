//! `lanes-bench remote`: load a running node through its UDP transaction
//! port or JSON-RPC batches, and measure what landed — not what was sent.
//!
//! 1. Setup, untimed (`setup.rs`): a funder (`--keypair`, or a fresh
//!    wallet and one `requestAirdrop`) pays for fresh payers and, by
//!    workload, token accounts, pools and lending markets — all through
//!    the bundled programs, confirmed phase by phase.
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
//! signature is followed (`samples.rs`: subscribed before the window with
//! `signatureSubscribe`, or polled): its confirmation latency (send →
//! notified confirmed), whether it failed, whether it never landed.
//!
//! Never: panic on a node's answer, wait without a bound, or assume the
//! node is on this machine (the TPU address comes from `getClusterNodes`).

mod config;
pub mod html;
mod live;
mod samples;
pub(crate) use samples::percentile;
mod send;
mod setup;

pub use config::{
    CpuReport, NodeSample, RemoteConfig, RemoteContention, RemoteReport, RemoteWorkload, TimelinePoint, Via,
};

use crate::node::cpu::{process_cpu_seconds, StageCpu};
use crate::read_load::{ProgramTargets, ReadLoad, ReadTargets};
use crate::rpc_client::{parse_url, RpcClient};
use config::check;
use lanes_sdk::LAMPORTS_PER_SOL;
use live::{node_stats, watch_node, Live};
use samples::{check_samples, follow_samples, follow_subscriptions, latencies_ms, pending_samples, subscribe_samples};
use samples::{Sample, FAILED, PENDING};
use send::{send_rpc, send_udp, Mode, Pace, Shared};
use serde_json::{json, Value};
use setup::{latest_blockhash, setup, sign_chunk, tpu_address, Accounts, Chunk};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
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

/// Why the bench could not run.
pub type Error = String;

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
        .map(|(index, signature)| Sample::new(*index, *signature))
        .collect();
    // Follow the samples by subscription, unless told to poll or the node has no PubSub.
    let subscriptions = match config.poll {
        true => None,
        false => {
            // By default where web3.js looks: the RPC port + 1.
            let ws_url = match &config.ws {
                Some(ws) => Ok(ws.clone()),
                None => lanes_client::websocket_url(&format!("http://{address}")).map_err(|e| e.to_string()),
            };
            match ws_url.and_then(|ws_url| subscribe_samples(&ws_url, &samples)) {
                Ok(subscriptions) => Some(subscriptions),
                Err(e) => {
                    say(&format!("{e}: following the sample with getSignatureStatuses instead"));
                    None
                }
            }
        }
    };
    let latency_from = if subscriptions.is_some() { "signatureSubscribe" } else { "getSignatureStatuses" };
    let batches: Vec<(&Chunk, &(String, usize, usize))> =
        chunks.iter().flat_map(|c| c.batches.iter().map(move |b| (c, b))).collect();

    let stats_client = RpcClient::connect(&address)?;
    let follow_client = RpcClient::connect(&address)?;
    let readers = match config.readers {
        0 => None,
        n => Some(ReadLoad::start(&address, n, config.reads_per_second, read_targets(config, &accounts))?),
    };
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
        timeline: parking_lot::Mutex::new(Vec::new()),
    };
    let cpu_before = (Instant::now(), node_cpu(&mut client, lanes), process_cpu_seconds());
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
    let (send_seconds, drained, sender_errors, reads) = std::thread::scope(|scope| {
        let live = &live;
        let samples = &samples;
        let adaptive = (mode == Mode::Adaptive).then_some(config.max_in_flight);
        let stats = scope.spawn(move || watch_node(stats_client, live, adaptive));
        let followers: Vec<_> = match subscriptions {
            Some(subscriptions) => subscriptions
                .into_iter()
                .map(|subscriptions| scope.spawn(move || follow_subscriptions(subscriptions, samples, live)))
                .collect(),
            None => vec![scope.spawn(move || follow_samples(follow_client, samples, live))],
        };
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

        // Progress while sending: an indicatif bar on a terminal, else a line every 5 s.
        let every = if terminal { Duration::from_millis(500) } else { Duration::from_secs(5) };
        let bar = (progress && terminal).then(|| {
            let bar = indicatif::ProgressBar::new((config.duration * 1e3) as u64);
            let style = indicatif::ProgressStyle::with_template("{bar:24.cyan/blue} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
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
                match &bar {
                    Some(bar) => {
                        bar.set_position((elapsed * 1e3) as u64);
                        bar.set_message(line);
                    }
                    None => eprintln!("{line}"),
                }
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let errors: Vec<Error> = handles
            .into_iter()
            .filter_map(|h| h.join().unwrap_or_else(|_| Err("a sender panicked".into())).err())
            .collect();
        let send_seconds = live.start.elapsed().as_secs_f64();
        // Reads run while the senders do, not through the drain.
        let reads = readers.map(ReadLoad::stop);

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
        for follower in followers {
            let _ = follower.join();
        }
        (send_seconds, drained, errors, reads)
    });
    if let Some(error) = sender_errors.first() {
        return Err(error.clone());
    }

    let end = node_stats(&mut client, lanes)?;
    let node_cpu = match (cpu_before.1, node_cpu(&mut client, lanes)) {
        (Some(before), Some(after)) => {
            Some(CpuReport { wall_seconds: cpu_before.0.elapsed().as_secs_f64(), stages: after.since(&before) })
        }
        _ => None,
    };
    let timeline_points = timeline(&live.timeline.lock());
    let node_samples = performance_samples(&mut client);
    let bench_cpu_seconds = process_cpu_seconds().zip(cpu_before.2).map(|(after, before)| (after - before).max(0.0));
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
    let contention = node_contention(&mut client, lanes, base.slot, end.slot);
    let report = RemoteReport {
        workload: config.workload,
        via: config.via,
        accounts: config.accounts,
        hot_accounts: config.hot_accounts,
        pools: (config.workload == RemoteWorkload::Swap).then_some(config.pools),
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
        latency_from,
        node_cpu,
        bench_cpu_seconds,
        timeline: timeline_points,
        node_samples,
        latencies_ms: ms.clone(),
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
        reads,
        contention,
    };
    if let Some(path) = &config.report {
        std::fs::write(path, html::render(&report)).map_err(|e| format!("--report {}: {e}", path.display()))?;
    }
    Ok(report)
}

/// The node's CPU by stage (`lanesGetStageCpu`), if it is a Lanes node.
fn node_cpu(client: &mut RpcClient, lanes: bool) -> Option<StageCpu> {
    let value = client.call("lanesGetStageCpu", json!([])).ok().filter(|_| lanes)?;
    serde_json::from_value(value).ok()
}

/// The accounts that serialized slots `from..=to` (`lanesGetContention`),
/// if it is a Lanes node; the newest slots of the range if it is wider
/// than the method covers.
fn node_contention(client: &mut RpcClient, lanes: bool, from: u64, to: u64) -> Option<RemoteContention> {
    use crate::node::rpc::parallelism::MAX_CONTENTION_SLOTS;
    let from = from.max(to.saturating_sub(MAX_CONTENTION_SLOTS - 1));
    let params = json!([{ "startSlot": from, "endSlot": to, "limit": crate::bench::CONTENTION_ACCOUNTS_LISTED }]);
    let value = client.call("lanesGetContention", params).ok().filter(|_| lanes)?;
    serde_json::from_value(value).ok()
}

/// The node's own view of its throughput: its newest
/// `getRecentPerformanceSamples` (Solana's: one a minute), newest first.
fn performance_samples(client: &mut RpcClient) -> Vec<NodeSample> {
    let Ok(Value::Array(samples)) = client.call("getRecentPerformanceSamples", json!([3])) else {
        return Vec::new();
    };
    samples
        .iter()
        .filter_map(|s| {
            let transactions = s.get("numTransactions")?.as_u64()?;
            let seconds = s.get("samplePeriodSecs")?.as_u64()?;
            Some(NodeSample {
                slot: s.get("slot")?.as_u64()?,
                transactions,
                seconds,
                tps: transactions as f64 / seconds.max(1) as f64,
            })
        })
        .collect()
}

/// Rates between the timeline's points.
fn timeline(points: &[(f64, u64, u64)]) -> Vec<TimelinePoint> {
    points
        .windows(2)
        .map(|pair| {
            let ((t0, landed0, sent0), (t1, landed1, sent1)) = (pair[0], pair[1]);
            let dt = (t1 - t0).max(1e-9);
            TimelinePoint {
                t: t1,
                landed_tps: landed1.saturating_sub(landed0) as f64 / dt,
                sent_tps: sent1.saturating_sub(sent0) as f64 / dt,
            }
        })
        .collect()
}

/// What `--readers` read: the accounts the load writes, and for `token`
/// the token program's accounts filtered to one owner at a time.
fn read_targets(config: &RemoteConfig, accounts: &Accounts) -> ReadTargets {
    let program = (config.workload == RemoteWorkload::Token).then(|| ProgramTargets {
        program: lanes_token::ID,
        owners: accounts.payer_keys.clone(),
        // TokenAccount: mint (32), then owner.
        owner_offset: 32,
        data_size: lanes_token::state::TokenAccount::LEN,
    });
    let written = if accounts.token_accounts.is_empty() { accounts.wallets() } else { accounts.token_accounts.clone() };
    ReadTargets { accounts: written, program }
}
