//! What the threads of `lanes-bench remote`'s window share: the node's
//! counters ([`NodeStats`], from `lanesGetNodeStats`, or for another node
//! `getTransactionCount` and `getSlot`), read every 10 ms by the stats
//! thread, which also adapts the unpaced UDP senders' rate to the datagrams
//! the node's port loses; the senders' own counts; the stop flags.
//!
//! Never: panic on a node's answer (a failed read is skipped), or block a
//! sender — everything here is atomics.

use super::{Error, Via, ADAPT_EVERY, ADAPT_SLACK, MAX_RATE, MIN_RATE, STATS_EVERY};
use crate::rpc_client::RpcClient;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// The node's counters at one moment.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct NodeStats {
    pub(super) count: u64,
    pub(super) slot: u64,
    pub(super) queue_dropped: u64,
    pub(super) deduplicated: u64,
    pub(super) tpu_received: u64,
    pub(super) tpu_garbage: u64,
    pub(super) tpu_queued: u64,
}

/// Read the node's counters: `lanesGetNodeStats`, or for a node without it
/// (`lanes` false) `getTransactionCount` and `getSlot`.
pub(super) fn node_stats(client: &mut RpcClient, lanes: bool) -> Result<NodeStats, Error> {
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

/// What the threads of the window share.
pub(super) struct Live {
    pub(super) start: Instant,
    pub(super) base: NodeStats,
    pub(super) lanes: bool,
    // The node, as the stats thread last read it.
    pub(super) count: AtomicU64,
    pub(super) slot: AtomicU64,
    pub(super) deduplicated: AtomicU64,
    pub(super) tpu_queued: AtomicU64,
    pub(super) tpu_received: AtomicU64,
    /// Adaptive pacing: the senders' total rate (f64 bits).
    pub(super) rate_bits: AtomicU64,
    /// When the count last grew (ns since start), and the slot then.
    pub(super) last_growth_ns: AtomicU64,
    pub(super) slot_at_growth: AtomicU64,
    // The senders.
    pub(super) sent: AtomicU64,
    pub(super) accepted: AtomicU64,
    pub(super) rejected: AtomicU64,
    pub(super) send_errors: AtomicU64,
    pub(super) max_age: AtomicU64,
    pub(super) senders_done: AtomicUsize,
    pub(super) stop_stats: AtomicBool,
    pub(super) stop_follow: AtomicBool,
    /// Every [`TIMELINE_EVERY`]: (seconds since start, landed, sent).
    pub(super) timeline: Mutex<Vec<(f64, u64, u64)>>,
}

/// How often the timeline (TPS over time, for the report) takes a point.
pub(super) const TIMELINE_EVERY: Duration = Duration::from_millis(250);

impl Live {
    pub(super) fn elapsed_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// Adaptive pacing: the senders' total rate, transactions a second.
    pub(super) fn rate(&self) -> f64 {
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
    pub(super) fn in_flight(&self, via: Via) -> i64 {
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
pub(super) fn watch_node(mut client: RpcClient, live: &Live, adaptive: Option<u64>) {
    let mut last = live.base.count;
    let mut interval = (Instant::now(), 0u64, live.base.tpu_received);
    let mut next_point = live.start;
    while !live.stop_stats.load(Relaxed) {
        let tick = Instant::now();
        if tick >= next_point {
            next_point += TIMELINE_EVERY;
            let landed = live.count.load(Relaxed).saturating_sub(live.base.count);
            let point = (live.start.elapsed().as_secs_f64(), landed, live.sent.load(Relaxed));
            live.timeline.lock().push(point);
        }
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
