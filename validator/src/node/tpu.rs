//! The UDP transaction port (TPU): one wire transaction per datagram (a
//! legacy or a v0 message), as Solana's TPU takes them, with no reply. Lanes' fast path for load
//! testers: no JSON, no HTTP, no preflight.
//!
//! A datagram that does not decode as a transaction (or is larger than a
//! packet) is counted and dropped; a transaction goes into the banking
//! queue, whose batch entry point verifies every signature on all cores and
//! refuses duplicates by the status cache. A full queue drops and counts.
//!
//! Never: block on the banking queue, answer a datagram (nothing to
//! amplify), or panic on a datagram's bytes.

use super::Node;
use lanes_sdk::message::PACKET_DATA_SIZE;
use lanes_sdk::transaction::VersionedTransaction;
use std::net::UdpSocket;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

/// How often the receive loop looks for shutdown when no datagram comes.
const POLL: Duration = Duration::from_millis(100);

/// What the TPU has seen since start.
#[derive(Debug, Default)]
pub struct TpuCounters {
    /// Datagrams received.
    pub received: AtomicU64,
    /// Datagrams that were not a transaction (or too large).
    pub garbage: AtomicU64,
    /// Transactions queued for banking.
    pub queued: AtomicU64,
}

/// Receive on `socket` until the node stops.
pub(super) fn spawn(node: Arc<Node>, socket: UdpSocket) -> std::io::Result<std::thread::JoinHandle<()>> {
    socket.set_read_timeout(Some(POLL))?;
    std::thread::Builder::new().name("lanes-tpu".into()).spawn(move || receive(&node, &socket))
}

fn receive(node: &Node, socket: &UdpSocket) {
    // One byte more than a packet: a datagram that fills it is too large.
    let mut buffer = [0u8; PACKET_DATA_SIZE + 1];
    let counters = &node.tpu;
    while !node.stopping() {
        let len = match socket.recv(&mut buffer) {
            Ok(len) => len,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // Transient errors (ICMP feedback and the like) are not fatal.
                tracing::warn!("TPU receive: {e}");
                std::thread::sleep(POLL);
                continue;
            }
        };
        counters.received.fetch_add(1, Relaxed);
        let decoded = (len <= PACKET_DATA_SIZE).then(|| VersionedTransaction::from_wire(&buffer[..len]).ok()).flatten();
        match decoded {
            Some(tx) if !tx.signatures.is_empty() => {
                if node.submit(tx) {
                    counters.queued.fetch_add(1, Relaxed);
                }
            }
            _ => {
                counters.garbage.fetch_add(1, Relaxed);
            }
        }
    }
}
