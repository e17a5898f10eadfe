//! The parallel engine's promise: whatever the thread count and conflict
//! pattern, the state after a parallel run — and every transaction's status,
//! logs, compute units and return data — equals a one-thread replay of the
//! committed order, byte for byte. The parallel run executes on per-worker
//! engines (`Executor::fork`) and the replay on the root engine, so this
//! also checks that every engine runs a program identically; a second
//! replay on a cold engine (a fresh instance for every invocation) checks
//! that no result depends on the instances a worker happened to hold.
//! Workloads mix legacy and v0 transactions, the v0 ones loading the shared
//! accounts through a lookup table, so lock sets built from loaded
//! addresses are held to the same promise.

use crate::common::PROGRAM;
use crate::determinism::{big_data_program, BIG_DATA};
use lanes_runtime::bank::{Bank, BankConfig};
use lanes_runtime::execution::builtins::loader::immutable_program_account;
use lanes_runtime::harness::shared_executor;
use lanes_runtime::ingest::sanitize::{NoLookupTables, SanitizedTransaction};
use lanes_runtime::schedule::{execute_parallel, SchedulerConfig, SchedulerPlacement};
use lanes_runtime::store::InMemoryAccountStore;
use lanes_runtime::transaction_context::ExecuteTimings;
use lanes_runtime::vm::{Executor, ExecutorConfig};
use lanes_sdk::address_lookup_table::state::{AddressLookupTable, LookupTableMeta};
use lanes_sdk::address_lookup_table::{self as alt};
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
use lanes_sdk::transaction::{Transaction, VersionedTransaction};
use lanes_sdk::{compute_budget, system_instruction, system_program, Account, AccountMeta, Instruction, Pubkey};
use lanes_test_program::TestInstruction;
use proptest::prelude::*;
use std::sync::{Arc, OnceLock};

/// One kind of transaction in a generated workload.
#[derive(Debug, Clone)]
enum Op {
    /// Wallet `from` pays `lamports` to shared account `to` (fails if it cannot).
    Transfer { from: usize, to: usize, lamports: u64 },
    /// Write a byte of program-owned account `account`.
    Write { payer: usize, account: usize, offset: u8, value: u8 },
    /// Move lamports between two program-owned accounts.
    Move { payer: usize, from: usize, to: usize, lamports: u64 },
    /// Read (read-only) several accounts and do nothing; fails on purpose when `fail`.
    Read { payer: usize, accounts: Vec<usize>, fail: bool },
    /// A write, then a failing instruction: must roll back to the fee only.
    WriteThenFail { payer: usize, account: usize },
    /// Invoke the program with a large data segment, under a roomy compute
    /// limit (so workers come to hold instances of it) or one near what
    /// starting its instance costs (fails below it).
    BigData { payer: usize, limit: u32 },
}

struct World {
    wallets: Vec<Keypair>,
    shared: Vec<Pubkey>,
    /// A lookup table holding every shared account, usable from slot 0.
    table: AddressLookupTableAccount,
}

fn world(wallets: usize, shared: usize) -> World {
    let shared: Vec<Pubkey> = (0..shared).map(|i| Pubkey::new_unique_from_u64(10_000 + i as u64)).collect();
    World {
        wallets: (0..wallets).map(|i| Keypair::from_seed(&[i as u8 + 1; 32])).collect(),
        table: AddressLookupTableAccount { key: Pubkey::new_unique_from_u64(99_999), addresses: shared.clone() },
        shared,
    }
}

fn fresh_bank(world: &World) -> Bank {
    bank_on(world, shared_executor())
}

/// A bank whose executor makes a fresh instance for every invocation.
fn cold_bank(world: &World) -> Bank {
    static COLD: OnceLock<Arc<Executor>> = OnceLock::new();
    let cold = COLD.get_or_init(|| {
        Executor::new(ExecutorConfig { fresh_instance_per_invocation: true, ..ExecutorConfig::default() }).unwrap()
    });
    bank_on(world, cold.clone())
}

fn bank_on(world: &World, executor: Arc<Executor>) -> Bank {
    let bank = Bank::new(Arc::new(InMemoryAccountStore::new()), executor, BankConfig::default());
    for (id, code) in [(PROGRAM, lanes_program_artifacts::TEST_PROGRAM.to_vec()), (BIG_DATA, big_data_program())] {
        bank.executor().compile(&code).unwrap();
        bank.set_account(id, immutable_program_account(&code, 0)).unwrap();
    }
    for wallet in &world.wallets {
        // Rent-exempt however much of the 50,000,000 a run spends.
        let lamports = 50_000_000 + lanes_sdk::rent::minimum_balance(0);
        bank.set_account(wallet.pubkey(), Account::new(lamports, 0, &system_program::ID)).unwrap();
    }
    for (i, key) in world.shared.iter().enumerate() {
        bank.set_account(*key, Account::new(lanes_sdk::rent::minimum_balance(8) + 1_000_000 + i as u64, 8, &PROGRAM))
            .unwrap();
    }
    // Extended "in slot 0" with every address usable in it: the start
    // index counts them all.
    let meta = LookupTableMeta {
        last_extended_slot: 0,
        last_extended_slot_start_index: world.table.addresses.len() as u8,
        ..LookupTableMeta::new(Pubkey::new_unique_from_u64(99_998))
    };
    let data = AddressLookupTable { meta, addresses: world.table.addresses.clone() }.serialize();
    let mut table = Account::new(lanes_sdk::rent::minimum_balance(data.len()), 0, &alt::ID);
    table.data = data;
    bank.set_account(world.table.key, table).unwrap();
    bank
}

/// `op` as a legacy transaction, or as a v0 one loading the shared
/// accounts through the world's table.
fn build_any(world: &World, op: &Op, nonce: u64, blockhash: Hash, v0: bool) -> VersionedTransaction {
    let legacy = build(world, op, nonce, blockhash);
    if !v0 {
        return legacy.into();
    }
    let payer = world.wallets.iter().find(|w| w.pubkey() == legacy.message.account_keys[0]).expect("a wallet pays");
    let instructions: Vec<Instruction> = legacy
        .message
        .instructions
        .iter()
        .map(|ix| {
            let keys = &legacy.message.account_keys;
            let accounts = ix
                .accounts
                .iter()
                .map(|&i| {
                    let i = usize::from(i);
                    AccountMeta {
                        pubkey: keys[i],
                        is_signer: legacy.message.is_signer(i),
                        is_writable: legacy.message.is_writable_index(i),
                    }
                })
                .collect();
            Instruction { program_id: keys[usize::from(ix.program_id_index)], accounts, data: ix.data.clone() }
        })
        .collect();
    let message =
        v0::Message::try_compile(&payer.pubkey(), &instructions, std::slice::from_ref(&world.table), blockhash)
            .unwrap();
    VersionedTransaction::try_new(VersionedMessage::V0(message), &[payer]).unwrap()
}

fn build(world: &World, op: &Op, nonce: u64, blockhash: Hash) -> Transaction {
    let test = |ix: TestInstruction, accounts: Vec<AccountMeta>| Instruction::new_with_borsh(PROGRAM, &ix, accounts);
    // A compute-unit price derived from the nonce varies priorities and keeps signatures distinct.
    let price = compute_budget::set_compute_unit_price(nonce % 7);
    let limit = compute_budget::set_compute_unit_limit(match op {
        Op::BigData { limit, .. } => *limit,
        _ => 200_000 + nonce as u32,
    });
    let (payer, ixs) = match op {
        Op::Transfer { from, to, lamports } => {
            let from = &world.wallets[*from];
            (from, vec![system_instruction::transfer(&from.pubkey(), &world.shared[*to], *lamports)])
        }
        Op::Write { payer, account, offset, value } => (
            &world.wallets[*payer],
            vec![test(
                TestInstruction::WriteData { index: 0, offset: *offset as u32 % 8, value: *value },
                vec![AccountMeta::new(world.shared[*account], false)],
            )],
        ),
        Op::Move { payer, from, to, lamports } => {
            let (a, b) = (world.shared[*from], world.shared[*to]);
            let metas = if a == b {
                vec![AccountMeta::new(a, false), AccountMeta::new(a, false)]
            } else {
                vec![AccountMeta::new(a, false), AccountMeta::new(b, false)]
            };
            (
                &world.wallets[*payer],
                vec![test(TestInstruction::MoveLamports { from: 0, to: 1, amount: *lamports }, metas)],
            )
        }
        Op::Read { payer, accounts, fail } => {
            let mut keys: Vec<Pubkey> = accounts.iter().map(|a| world.shared[*a]).collect();
            keys.sort();
            keys.dedup();
            let metas = keys.into_iter().map(|k| AccountMeta::new_readonly(k, false)).collect();
            let ix = if *fail { TestInstruction::ReturnError(3) } else { TestInstruction::Log("read".into()) };
            (&world.wallets[*payer], vec![test(ix, metas)])
        }
        Op::WriteThenFail { payer, account } => (
            &world.wallets[*payer],
            vec![
                test(
                    TestInstruction::WriteData { index: 0, offset: 0, value: 0xEE },
                    vec![AccountMeta::new(world.shared[*account], false)],
                ),
                test(TestInstruction::Panic, vec![]),
            ],
        ),
        Op::BigData { payer, .. } => {
            (&world.wallets[*payer], vec![Instruction::new_with_bytes(BIG_DATA, &nonce.to_le_bytes(), vec![])])
        }
    };
    let mut all = vec![price, limit];
    all.extend(ixs);
    Transaction::new_signed_with_payer(&all, Some(&payer.pubkey()), &[payer], blockhash)
}

fn op_strategy(wallets: usize, shared: usize) -> impl Strategy<Value = Op> {
    let w = 0..wallets;
    let s = 0..shared;
    prop_oneof![
        (w.clone(), s.clone(), 0u64..30_000_000).prop_map(|(from, to, lamports)| Op::Transfer { from, to, lamports }),
        (w.clone(), s.clone(), any::<u8>(), any::<u8>()).prop_map(|(payer, account, offset, value)| Op::Write {
            payer,
            account,
            offset,
            value
        }),
        (w.clone(), s.clone(), s.clone(), 0u64..2_000).prop_map(|(payer, from, to, lamports)| Op::Move {
            payer,
            from,
            to,
            lamports
        }),
        (w.clone(), prop::collection::vec(s.clone(), 1..4), any::<bool>())
            .prop_map(|(payer, accounts, fail)| Op::Read { payer, accounts, fail }),
        (w.clone(), s).prop_map(|(payer, account)| Op::WriteThenFail { payer, account }),
        (w, prop_oneof![800u32..1_100, Just(200_000)]).prop_map(|(payer, limit)| Op::BigData { payer, limit }),
    ]
}

/// Run `ops` in parallel on one bank and replay the committed order on
/// another, one by one; everything must match.
fn check_parallel_equals_serial(
    wallets: usize,
    shared: usize,
    ops: &[Op],
    threads: usize,
    batch_size: usize,
    placement: SchedulerPlacement,
    v0_every: usize,
) {
    let world = world(wallets, shared);
    let parallel_bank = fresh_bank(&world);
    let blockhash = parallel_bank.latest_blockhash();
    let is_v0 = |i: usize| v0_every > 0 && i.is_multiple_of(v0_every);
    let transactions: Vec<SanitizedTransaction> = ops
        .iter()
        .enumerate()
        .map(|(i, op)| {
            let tx = build_any(&world, op, i as u64, blockhash, is_v0(i));
            let sanitized = SanitizedTransaction::try_new(tx, &parallel_bank).unwrap();
            let names_shared = !matches!(op, Op::BigData { .. });
            assert_eq!(!sanitized.loaded_addresses().is_empty(), is_v0(i) && names_shared, "{op:?}");
            sanitized
        })
        .collect();
    let config = SchedulerConfig {
        batch_size,
        max_queued_per_thread: batch_size * 3,
        placement,
        ..SchedulerConfig::with_threads(threads)
    };
    let output = execute_parallel(&parallel_bank, &transactions, &config).unwrap();

    // No transaction lost or duplicated.
    let mut order: Vec<usize> = output.committed_order().collect();
    let committed_count = output.outcomes.iter().filter(|o| o.committed).count();
    assert_eq!(order.len(), committed_count);
    order.sort_unstable();
    order.dedup();
    assert_eq!(order.len(), committed_count, "a transaction appears twice in the entries");

    // Conflicting transactions keep priority order, and arrival order within a priority.
    let position: std::collections::HashMap<usize, usize> =
        output.committed_order().enumerate().map(|(p, i)| (i, p)).collect();
    let conflicts = |a: &SanitizedTransaction, b: &SanitizedTransaction| {
        a.writable_keys().any(|k| b.writable_keys().chain(b.readonly_keys()).any(|o| o.key == k.key))
            || a.readonly_keys().any(|k| b.writable_keys().any(|o| o.key == k.key))
    };
    for (i, a) in transactions.iter().enumerate() {
        for (j, b) in transactions.iter().enumerate().skip(i + 1) {
            if let (Some(pa), Some(pb)) = (position.get(&i), position.get(&j)) {
                if a.priority() >= b.priority() && conflicts(a, b) {
                    assert!(
                        pa < pb,
                        "transaction {j} overtook the conflicting, earlier, no-lower-priority transaction {i}"
                    );
                }
            }
        }
    }

    for (serial_bank, replay) in [(fresh_bank(&world), "replay"), (cold_bank(&world), "cold replay")] {
        let mut timings = ExecuteTimings::default();
        for index in output.committed_order() {
            let tx = &transactions[index];
            let resolved_again = SanitizedTransaction::try_new(tx.transaction(), &serial_bank).unwrap();
            assert_eq!(resolved_again.account_keys(), tx.account_keys(), "transaction {index} resolves alike");
            serial_bank.check_and_reserve(tx).unwrap();
            let replayed = serial_bank.execute_and_commit(tx, &mut timings).unwrap();
            assert_eq!(replayed, output.outcomes[index], "transaction {index} ({:?}) differs on {replay}", ops[index]);
        }
        let parallel_store = parallel_bank.store().clone();
        let serial_store = serial_bank.store().clone();
        let all_keys: Vec<Pubkey> =
            world.wallets.iter().map(|w| w.pubkey()).chain(world.shared.iter().copied()).chain([PROGRAM]).collect();
        for key in &all_keys {
            assert_eq!(parallel_store.get(key), serial_store.get(key), "account {key} differs on {replay}");
        }
        assert_eq!(parallel_bank.slot_delta_hash(), serial_bank.slot_delta_hash(), "{replay}");
        assert_eq!(parallel_bank.collected_fees(), serial_bank.collected_fees(), "{replay}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn parallel_execution_equals_serial_replay(
        shared in 1usize..12,
        wallets in 1usize..8,
        threads in 1usize..5,
        batch_size in 1usize..9,
        inline in any::<bool>(),
        v0_every in 0usize..4,
        seed_ops in prop::collection::vec(op_strategy(8, 12), 1..120),
    ) {
        // Fit the generated indices to this world's sizes.
        let ops: Vec<Op> = seed_ops.into_iter().map(|op| match op {
            Op::Transfer { from, to, lamports } => Op::Transfer { from: from % wallets, to: to % shared, lamports },
            Op::Write { payer, account, offset, value } => Op::Write { payer: payer % wallets, account: account % shared, offset, value },
            Op::Move { payer, from, to, lamports } => Op::Move { payer: payer % wallets, from: from % shared, to: to % shared, lamports },
            Op::Read { payer, accounts, fail } => Op::Read { payer: payer % wallets, accounts: accounts.into_iter().map(|a| a % shared).collect(), fail },
            Op::WriteThenFail { payer, account } => Op::WriteThenFail { payer: payer % wallets, account: account % shared },
            Op::BigData { payer, limit } => Op::BigData { payer: payer % wallets, limit },
        }).collect();
        let placement = if inline { SchedulerPlacement::Inline } else { SchedulerPlacement::Dedicated };
        check_parallel_equals_serial(wallets, shared, &ops, threads, batch_size, placement, v0_every);
    }
}

#[test]
fn everything_on_one_account_and_nothing_shared() {
    // All transactions write one account.
    let ops: Vec<Op> =
        (0..200).map(|i| Op::Write { payer: i % 4, account: 0, offset: i as u8, value: i as u8 }).collect();
    for placement in [SchedulerPlacement::Dedicated, SchedulerPlacement::Inline] {
        check_parallel_equals_serial(4, 1, &ops, 3, 8, placement, 2);
    }
    // Every transaction on its own accounts.
    let ops: Vec<Op> = (0..200).map(|i| Op::Move { payer: i % 50, from: i % 50, to: i % 50, lamports: 1 }).collect();
    for placement in [SchedulerPlacement::Dedicated, SchedulerPlacement::Inline] {
        check_parallel_equals_serial(50, 50, &ops, 4, 4, placement, 3);
    }
}

/// Longer runs to shake out races; `LANES_SOAK=1` runs many more rounds.
#[test]
fn stress_parallel_equals_serial() {
    let rounds = if std::env::var_os("LANES_SOAK").is_some() { 200 } else { 4 };
    let mut rng_state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        (rng_state % n as u64) as usize
    };
    for round in 0..rounds {
        let wallets = 2 + next(30);
        let shared = 1 + next(40);
        let ops: Vec<Op> = (0..600)
            .map(|_| match next(6) {
                0 => Op::Transfer { from: next(wallets), to: next(shared), lamports: next(10_000_000) as u64 },
                1 => Op::Write {
                    payer: next(wallets),
                    account: next(shared),
                    offset: next(8) as u8,
                    value: next(256) as u8,
                },
                2 => Op::Move {
                    payer: next(wallets),
                    from: next(shared),
                    to: next(shared),
                    lamports: next(3_000) as u64,
                },
                3 => Op::Read { payer: next(wallets), accounts: vec![next(shared), next(shared)], fail: next(4) == 0 },
                4 => Op::BigData {
                    payer: next(wallets),
                    limit: if next(2) == 0 { 200_000 } else { 800 + next(300) as u32 },
                },
                _ => Op::WriteThenFail { payer: next(wallets), account: next(shared) },
            })
            .collect();
        let placement = if round % 2 == 0 { SchedulerPlacement::Dedicated } else { SchedulerPlacement::Inline };
        check_parallel_equals_serial(wallets, shared, &ops, 1 + round % 4, 1 + next(32), placement, round % 3);
    }
}

fn run_ops(
    world: &World,
    ops: &[(Op, u64)],
    config: &SchedulerConfig,
) -> (Vec<SanitizedTransaction>, lanes_runtime::schedule::ParallelOutput) {
    let bank = fresh_bank(world);
    let blockhash = bank.latest_blockhash();
    let transactions: Vec<SanitizedTransaction> = ops
        .iter()
        .enumerate()
        .map(|(i, (op, price))| {
            // `build` derives the price from the nonce modulo 7: pick a nonce with the wanted price.
            let nonce = (i as u64) * 7 + price % 7;
            SanitizedTransaction::try_new(build(world, op, nonce, blockhash), &NoLookupTables).unwrap()
        })
        .collect();
    let output = execute_parallel(&bank, &transactions, config).unwrap();
    assert!(output.outcomes.iter().all(|o| o.result.is_ok()), "every transaction succeeds");
    (transactions, output)
}

#[test]
fn conflicting_transactions_run_in_priority_order() {
    let world = world(8, 1);
    // All write one account; prices vary.
    let ops: Vec<(Op, u64)> = (0..120)
        .map(|i| (Op::Write { payer: i % 8, account: 0, offset: 0, value: i as u8 }, (i as u64 * 5) % 7))
        .collect();
    let (transactions, output) = run_ops(&world, &ops, &SchedulerConfig::with_threads(2));
    let prices: Vec<u64> = output.committed_order().map(|i| transactions[i].priority()).collect();
    let mut sorted = prices.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(prices, sorted, "one hot account: committed strictly by priority");
}

#[test]
fn a_transaction_spanning_two_busy_workers_is_not_starved() {
    let world = world(16, 2);
    // Streams on account 0 and on account 1 (each pinned to a worker once
    // started), and every 10th transaction needs both.
    let ops: Vec<(Op, u64)> = (0..1_500)
        .map(|i| {
            let op = if i % 10 == 5 {
                Op::Move { payer: i % 16, from: 0, to: 1, lamports: 1 }
            } else {
                Op::Write { payer: i % 16, account: i % 2, offset: 1, value: i as u8 }
            };
            (op, 3)
        })
        .collect();
    for placement in [SchedulerPlacement::Dedicated, SchedulerPlacement::Inline] {
        let config =
            SchedulerConfig { batch_size: 8, max_queued_per_thread: 32, placement, ..SchedulerConfig::with_threads(2) };
        let (_, output) = run_ops(&world, &ops, &config);
        let position: std::collections::HashMap<usize, usize> =
            output.committed_order().enumerate().map(|(pos, i)| (i, pos)).collect();
        let worst_delay = (0..ops.len()).filter(|i| i % 10 == 5).map(|i| position[&i].saturating_sub(i)).max().unwrap();
        // Bounded by what was already queued on the two workers when it arrived.
        assert!(
            worst_delay <= 2 * config.max_queued_per_thread + config.batch_size,
            "{placement:?}: a spanning transaction waited {worst_delay} places"
        );
    }
}

#[test]
fn degenerate_settings_still_finish() {
    let world = world(4, 2);
    let ops: Vec<Op> = (0..20).map(|i| Op::Write { payer: i % 4, account: i % 2, offset: 2, value: i as u8 }).collect();
    let bank = fresh_bank(&world);
    let blockhash = bank.latest_blockhash();
    let transactions: Vec<SanitizedTransaction> = ops
        .iter()
        .enumerate()
        .map(|(i, op)| SanitizedTransaction::try_new(build(&world, op, i as u64, blockhash), &NoLookupTables).unwrap())
        .collect();
    for placement in [SchedulerPlacement::Dedicated, SchedulerPlacement::Inline] {
        let bank = fresh_bank(&world);
        let config = SchedulerConfig { threads: 0, batch_size: 0, max_queued_per_thread: 0, lookahead: 0, placement };
        let output = execute_parallel(&bank, &transactions, &config).unwrap();
        assert_eq!(output.committed_order().count(), 20);
    }
}

/// The slot hash covers each written account once, however often it was
/// written (the bank compacts long runs of repeated writes as it goes).
#[test]
fn the_slot_hash_counts_each_written_account_once() {
    let bank = |writes: u64| {
        let bank = Bank::new(Arc::new(InMemoryAccountStore::new()), shared_executor(), BankConfig::default());
        for round in 1..=writes {
            for k in 1..=3u64 {
                let lamports = if round == writes { k } else { round * 10 + k };
                bank.set_account(Pubkey::new_unique_from_u64(k), Account::new(lamports, 0, &Pubkey::default()))
                    .unwrap();
            }
        }
        bank.slot_delta_hash()
    };
    // 3 × 400,000 writes pass the compaction threshold (2^20 keys).
    assert_eq!(bank(400_000), bank(1));
    assert_ne!(
        bank(1),
        Bank::new(Arc::new(InMemoryAccountStore::new()), shared_executor(), BankConfig::default()).slot_delta_hash()
    );
}
