//! The senders of `lanes-bench remote`'s window: UDP sockets, or
//! keep-alive JSON-RPC connections sending batches of `sendTransaction`
//! base64 with `skipPreflight`, paced to `--tps`, or else as fast as the
//! node takes them: at most `--max-in-flight` sent and neither committed
//! nor dropped by the node, and over UDP at a rate that backs off when the
//! node's port loses datagrams (`--flood`: neither).
//!
//! Never: send past the window's deadline, wait without a bound, or stop
//! on one failed send (a JSON-RPC sender gives up after five failed batches
//! in a row; a UDP sender keeps going).

use super::live::Live;
use super::samples::Sample;
use super::setup::Chunk;
use super::{Error, Via, CHUNK};
use crate::rpc_client::RpcClient;
use serde_json::Value;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

/// How the senders are paced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Mode {
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

pub(super) struct Pace {
    pub(super) mode: Mode,
    pub(super) max_in_flight: u64,
    pub(super) deadline: Instant,
    pub(super) senders: usize,
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
pub(super) struct Shared<'a> {
    pub(super) senders: usize,
    pub(super) pace: &'a Pace,
    pub(super) samples: &'a [Sample],
    pub(super) sample_every: usize,
    pub(super) live: &'a Live,
}

/// Sender `me` over UDP: transactions `me`, `me + senders`, … of `total`.
pub(super) fn send_udp(
    me: usize,
    shared: &Shared,
    chunks: &[Chunk],
    total: usize,
    target: SocketAddr,
) -> Result<(), Error> {
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
pub(super) fn send_rpc(
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
