//! The followed transactions of `lanes-bench remote`: every Nth signature
//! is followed with `getSignatureStatuses` from its own thread (every 20 ms,
//! or every twentieth of its age once that is longer): its confirmation
//! latency (send → first seen confirmed or finalized), whether it failed,
//! whether it never landed; and the latency percentiles from them.
//!
//! Never: panic on a node's answer (an unreadable status is looked at
//! again), or look at a sample more often than its age calls for.

use super::live::Live;
use super::{Error, STATUSES_PER_CALL, STATUS_CALLS_PER_BATCH, STATUS_EVERY};
use crate::rpc_client::RpcClient;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering::Relaxed};
use std::time::Instant;

/// A followed transaction.
pub(super) struct Sample {
    pub(super) index: usize,
    pub(super) signature: String,
    /// Nanoseconds from the window's start to its send, plus one (0: not sent).
    pub(super) sent_ns: AtomicU64,
    /// 0 pending, 1 landed, 2 landed and failed.
    pub(super) state: AtomicU8,
    /// Send → first seen confirmed, in microseconds.
    pub(super) latency_us: AtomicU64,
    /// When the follower looks next (ns since the window's start).
    pub(super) next_poll_ns: AtomicU64,
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
    let mut ms: Vec<f64> = samples
        .iter()
        .filter(|s| s.state.load(Relaxed) != PENDING)
        .map(|s| s.latency_us.load(Relaxed) as f64 / 1e3)
        .collect();
    ms.sort_by(f64::total_cmp);
    ms
}
