//! The followed transactions of `lanes-bench remote`: every Nth signature
//! is followed — subscribed before the window (`signatureSubscribe` at
//! `confirmed`, up to [`SUBSCRIPTIONS_PER_CONNECTION`] a WebSocket, one
//! thread each), or with `--poll` or when the node has no PubSub, polled
//! with `getSignatureStatuses` from one thread (every 20 ms, or every
//! twentieth of its age once that is longer): its confirmation latency
//! (send → notified, or first seen, confirmed), whether it failed, whether
//! it never landed; and the latency percentiles from them. After the drain
//! every sample not yet seen is looked up once.
//!
//! Never: panic on a node's answer (an unreadable status is looked at
//! again), or look at a sample more often than its age calls for.

use super::live::Live;
use super::{Error, STATUSES_PER_CALL, STATUS_CALLS_PER_BATCH, STATUS_EVERY};
use crate::rpc_client::RpcClient;
use lanes_client::{CommitmentLevel, SignatureSubscriptions};
use lanes_sdk::signature::Signature;
use serde_json::{json, Value};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// A followed transaction.
pub(super) struct Sample {
    pub(super) index: usize,
    pub(super) signature: String,
    /// Nanoseconds from the window's start to its send, plus one (0: not sent).
    pub(super) sent_ns: AtomicU64,
    /// 0 pending, 1 landed, 2 landed and failed.
    pub(super) state: AtomicU8,
    /// When first seen confirmed (ns since the window's start). Kept apart
    /// from `sent_ns` because a notification may beat the sender's mark.
    pub(super) seen_ns: AtomicU64,
    /// When the follower looks next (ns since the window's start).
    pub(super) next_poll_ns: AtomicU64,
}

impl Sample {
    pub(super) fn new(index: usize, signature: Signature) -> Sample {
        Sample {
            index,
            signature: signature.to_string(),
            sent_ns: AtomicU64::new(0),
            state: AtomicU8::new(PENDING),
            seen_ns: AtomicU64::new(0),
            next_poll_ns: AtomicU64::new(0),
        }
    }

    fn seen(&self, seen_ns: u64, ok: bool) {
        self.seen_ns.store(seen_ns, Relaxed);
        self.state.store(if ok { LANDED } else { FAILED }, Relaxed);
    }

    /// Send → seen confirmed, in milliseconds, once seen.
    fn latency_ms(&self) -> Option<f64> {
        if self.state.load(Relaxed) == PENDING {
            return None;
        }
        let sent_ns = self.sent_ns.load(Relaxed).saturating_sub(1);
        Some(self.seen_ns.load(Relaxed).saturating_sub(sent_ns) as f64 / 1e6)
    }
}

/// Subscriptions a WebSocket carries (Lanes' cap a connection).
pub(super) const SUBSCRIPTIONS_PER_CONNECTION: usize = 1_000;

/// Subscribe every sample (`signatureSubscribe`, `confirmed`) on as many
/// connections as they need; each subscription's key is its sample's index.
pub(super) fn subscribe_samples(ws_url: &str, samples: &[Sample]) -> Result<Vec<SignatureSubscriptions<usize>>, Error> {
    let keyed: Vec<(usize, Signature)> = samples
        .iter()
        .enumerate()
        .map(|(i, s)| Signature::from_str(&s.signature).map(|signature| (i, signature)))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("a sample's signature: {e:?}"))?;
    keyed
        .chunks(SUBSCRIPTIONS_PER_CONNECTION)
        .map(|group| {
            SignatureSubscriptions::subscribe(ws_url, group, CommitmentLevel::Confirmed, SUBSCRIBE_TIMEOUT)
                .map_err(|e| format!("{ws_url}: signatureSubscribe: {e}"))
        })
        .collect()
}

const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(10);

/// A follower thread on one connection: each notification marks its
/// sample seen, until `stop_follow`, the last notification, or the
/// connection fails (its samples are then looked up after the drain).
pub(super) fn follow_subscriptions(mut subscriptions: SignatureSubscriptions<usize>, samples: &[Sample], live: &Live) {
    while !live.stop_follow.load(Relaxed) && subscriptions.pending() > 0 {
        match subscriptions.recv_timeout(Duration::from_millis(100)) {
            Ok(Some((i, notification))) => samples[i].seen(live.elapsed_ns(), notification.err.is_none()),
            Ok(None) => {}
            Err(_) => return,
        }
    }
}

pub(super) const PENDING: u8 = 0;
pub(super) const LANDED: u8 = 1;
pub(super) const FAILED: u8 = 2;

/// Look up the statuses of `which` samples once; mark those landed.
pub(super) fn check_samples(
    client: &mut RpcClient,
    samples: &[Sample],
    which: &[usize],
    live: &Live,
) -> Result<(), Error> {
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
                samples[i].seen(seen_ns, status["err"].is_null());
            }
        }
    }
    Ok(())
}

/// Samples sent and not yet seen landed (with `due_ns`, only those due a look by then).
pub(super) fn pending_samples(samples: &[Sample], limit: usize, due_ns: Option<u64>) -> Vec<usize> {
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
pub(super) fn follow_samples(mut client: RpcClient, samples: &[Sample], live: &Live) {
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

pub(crate) fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    Some(sorted[((sorted.len() - 1) as f64 * p).round() as usize])
}

/// Latencies (ms) of the samples seen landed so far, sorted.
pub(super) fn latencies_ms(samples: &[Sample]) -> Vec<f64> {
    let mut ms: Vec<f64> = samples.iter().filter_map(Sample::latency_ms).collect();
    ms.sort_by(f64::total_cmp);
    ms
}
