//! The UDP transaction port of the real `lanes-validator`: wire
//! transactions, one per datagram, land; 10,000 garbage datagrams sent
//! among them (random bytes, truncated and oversized transactions, a
//! transaction with a bad signature) are counted and dropped while the
//! valid traffic lands and RPC keeps answering.

mod common;

use common::{TempLedger, Validator};
use lanes_sdk::client::Keypair;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{system_instruction, Pubkey};
use serde_json::json;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

/// A small deterministic generator for garbage bytes.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn valid_transactions_land_over_udp_while_garbage_is_counted_and_dropped() {
    let ledger = TempLedger::new("tpu");
    let node = Validator::start(ledger.path());
    let tpu = node.tpu_addr.clone().expect("the startup block names the TPU address");
    assert!(tpu.starts_with("127.0.0.1:"), "loopback only: {tpu}");
    let identity = node.call("getIdentity", json!([]));
    assert_eq!(node.call("getClusterNodes", json!([]))[0]["tpu"], json!(tpu), "{identity}");

    let payer = Keypair::new();
    let airdrop = node.call("requestAirdrop", json!([payer.pubkey().to_string(), 10_000_000_000u64]));
    node.finalized_ok(airdrop.as_str().unwrap());
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let blockhash = node.blockhash();
    let transfers: Vec<(Pubkey, Transaction)> = (0..200u64)
        .map(|i| {
            let to = Pubkey::new_unique_from_u64(1_000 + i);
            let tx = Transaction::new_signed_with_payer(
                &[system_instruction::transfer(&payer.pubkey(), &to, 1_000_000 + i)],
                Some(&payer.pubkey()),
                &[&payer],
                blockhash,
            );
            (to, tx)
        })
        .collect();
    let valid_wire = transfers[0].1.to_wire().unwrap();

    let mut random = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut garbage_sent = 0u64;
    for i in 0..10_000u64 {
        let datagram: Vec<u8> = match i % 5 {
            // Random bytes of random length.
            0 | 1 => (0..random.next() % 1_300).map(|_| random.next() as u8).collect(),
            // A valid transaction cut short.
            2 => valid_wire[..(random.next() as usize % valid_wire.len())].to_vec(),
            // Larger than a packet.
            3 => vec![1u8; 1_233 + (random.next() % 400) as usize],
            // A valid transaction with trailing bytes.
            _ => [valid_wire.as_slice(), &[0u8; 3]].concat(),
        };
        socket.send_to(&datagram, &tpu).unwrap();
        garbage_sent += 1;
        if i % 50 == 0 {
            let (_, tx) = &transfers[(i / 50) as usize];
            socket.send_to(&tx.to_wire().unwrap(), &tpu).unwrap();
            // Paced: loopback UDP drops what a full socket buffer cannot hold.
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    // A transaction whose signature is wrong decodes, reaches the batch, and is refused there.
    let mut forged = transfers[0].1.clone();
    forged.signatures[0].0[0] ^= 1;
    socket.send_to(&forged.to_wire().unwrap(), &tpu).unwrap();

    // Every valid transfer lands (resent, as a UDP client does, if a datagram was lost).
    let deadline = Instant::now() + common::WAIT;
    for (to, tx) in &transfers {
        let lamports = tx.message.instructions[0].data[4..12].try_into().map(u64::from_le_bytes).unwrap();
        while node.balance(to) != lamports {
            assert!(Instant::now() < deadline, "a transfer over UDP did not land");
            socket.send_to(&tx.to_wire().unwrap(), &tpu).unwrap();
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    // Replays of a landed transfer are dropped before verification, and never land again.
    let before = node.call("lanesGetNodeStats", json!([]))["deduplicated"].as_u64().unwrap();
    let (to, replayed) = &transfers[0];
    for i in 0..500 {
        socket.send_to(&replayed.to_wire().unwrap(), &tpu).unwrap();
        if i % 50 == 0 {
            // Paced, as above: loopback UDP drops what a full buffer cannot hold.
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    let deadline = Instant::now() + common::WAIT;
    loop {
        let dropped = node.call("lanesGetNodeStats", json!([]))["deduplicated"].as_u64().unwrap() - before;
        if dropped >= 400 {
            break;
        }
        assert!(Instant::now() < deadline, "replays are deduplicated: {dropped}");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(node.balance(to), 1_000_000, "a replay never lands twice");
    let stats = node.call("lanesGetNodeStats", json!([]));
    let garbage = stats["tpuGarbage"].as_u64().unwrap();
    // Loopback UDP may drop a datagram under a burst; the node counts what it got.
    assert!(garbage > garbage_sent * 9 / 10 && garbage <= garbage_sent, "{stats}");
    assert!(stats["tpuQueued"].as_u64().unwrap() >= 201, "{stats}");
    assert_eq!(node.call("getHealth", json!([])), json!("ok"));
    let forged_status = node.call("getSignatureStatuses", json!([[forged.signatures[0].to_string()]]));
    assert_eq!(forged_status["value"][0], serde_json::Value::Null, "a forged signature never lands");
}
