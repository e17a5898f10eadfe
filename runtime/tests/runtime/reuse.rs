//! Instance reuse must be invisible: a program whose previous invocation
//! changed its globals and memory (and then returned, failed, grew memory or
//! trapped) must find, on the next invocation, exactly what a fresh instance
//! has. The probe program checks that first and reports what leaked as an
//! error code, then leaves its mark.

use lanes_runtime::harness::Harness;
use lanes_runtime::vm::instance_reuse_supported;
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{Instruction, Pubkey, LAMPORTS_PER_SOL};

/// Error codes the probe returns when it finds a used instance's state.
const LEAKED_GLOBAL: u32 = 1;
const LEAKED_DATA: u32 = 2;
const LEAKED_HEAP: u32 = 3;
const LEAKED_MEMORY_SIZE: u32 = 4;
/// What the "fails after changing everything" probe returns.
const FAILED_ON_PURPOSE: u32 = 9;

/// A program that checks it starts fresh (globals at their initial values,
/// its data segment intact, zeros past it, two pages of memory), then
/// changes all of that and ends with `ending`.
fn probe(ending: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
            (memory (export "memory") 2)
            (global $g (mut i32) (i32.const 7))
            (global $h (mut i64) (i64.const -3))
            (data (i32.const 100) "x")
            (func (export "entrypoint") (result i64)
                (if (i32.ne (global.get $g) (i32.const 7)) (then (return (i64.const {LEAKED_GLOBAL}))))
                (if (i64.ne (global.get $h) (i64.const -3)) (then (return (i64.const {LEAKED_GLOBAL}))))
                (if (i32.ne (i32.load8_u (i32.const 100)) (i32.const 120)) (then (return (i64.const {LEAKED_DATA}))))
                (if (i32.ne (i32.load8_u (i32.const 70000)) (i32.const 0)) (then (return (i64.const {LEAKED_HEAP}))))
                (if (i32.ne (memory.size) (i32.const 2)) (then (return (i64.const {LEAKED_MEMORY_SIZE}))))
                (global.set $g (i32.const 99))
                (global.set $h (i64.const 5))
                (i32.store8 (i32.const 100) (i32.const 0))
                (i32.store8 (i32.const 70000) (i32.const 1))
                {ending}))"#
    ))
    .unwrap()
}

struct Probes {
    h: Harness,
    payer: Keypair,
    /// Makes every transaction distinct (the probes ignore their data).
    sent: u64,
}

impl Probes {
    fn new() -> Self {
        let (h, payer) = crate::common::setup();
        Probes { h, payer, sent: 0 }
    }

    fn deploy(&mut self, ending: &str) -> Pubkey {
        let id = Keypair::new().pubkey();
        self.h.add_program(id, &probe(ending)).unwrap();
        id
    }

    /// Invoke `program` `times` times in one transaction; its error, if any.
    fn run(&mut self, program: Pubkey, times: usize) -> Option<TransactionError> {
        self.sent += 1;
        let nonce = self.sent.to_le_bytes();
        let ixs: Vec<Instruction> = (0..times).map(|_| Instruction::new_with_bytes(program, &nonce, vec![])).collect();
        self.h.send(&ixs, &self.payer, &[]).err().map(|failed| failed.err)
    }

    /// (WASM invocations, of those on a fresh instance) so far.
    fn instances(&self) -> (u64, u64) {
        let timings = self.h.bank().timings();
        (timings.wasm_invocations, timings.fresh_instances)
    }
}

#[test]
fn a_reused_instance_starts_exactly_as_a_fresh_one() {
    let mut p = Probes::new();
    let returns = p.deploy("(i64.const 0)");
    let fails = p.deploy(&format!("(i64.const {FAILED_ON_PURPOSE})"));
    for _ in 0..20 {
        // Several invocations in one transaction, and across transactions.
        assert_eq!(p.run(returns, 3), None);
        assert_eq!(
            p.run(fails, 1),
            Some(TransactionError::InstructionError(0, InstructionError::Custom(FAILED_ON_PURPOSE)))
        );
    }
    let (invocations, fresh) = p.instances();
    assert_eq!(invocations, 80);
    if instance_reuse_supported() {
        // A thread makes instances of a program until it keeps a batch of
        // them (8), then resets used ones together and reuses them.
        assert!(fresh <= 2 * 8, "at most a batch of instances per program, then reuse: {fresh} fresh");
    } else {
        eprintln!("this kernel cannot report written pages: no instance was reused");
        assert_eq!(fresh, invocations);
    }
}

#[test]
fn an_instance_that_grew_its_memory_or_trapped_is_never_reused() {
    let mut p = Probes::new();
    let grows =
        p.deploy("(drop (memory.grow (i32.const 1))) (i32.store8 (i32.const 140000) (i32.const 1)) (i64.const 0)");
    let traps = p.deploy("unreachable");
    for _ in 0..3 {
        assert_eq!(p.run(grows, 2), None);
        assert_eq!(
            p.run(traps, 1),
            Some(TransactionError::InstructionError(0, InstructionError::ProgramFailedToComplete))
        );
    }
    let (invocations, fresh) = p.instances();
    assert_eq!((invocations, fresh), (9, 9));
}

/// A memory that grows past its arena slot moves to a mapping of its own:
/// the program must keep seeing its bytes (read back after the growth, in
/// the same function and after a call), and the slot it left must come back
/// zeroed for the next instance.
#[test]
fn a_memory_that_grows_out_of_its_slot_keeps_its_bytes() {
    let mut p = Probes::new();
    let outgrows = wat::parse_str(
        r#"(module
            (memory (export "memory") 4)
            (func $read (param i32) (result i32) (i32.load (local.get 0)))
            (func (export "entrypoint") (result i64)
                ;; a fresh instance: nothing left by the one before
                (if (i32.ne (i32.load (i32.const 200000)) (i32.const 0)) (then (return (i64.const 11))))
                (i32.store (i32.const 200000) (i32.const 0x5eed))
                ;; 4 -> 20 pages: 1.25 MiB, past a 256 KiB slot
                (if (i32.ne (memory.grow (i32.const 16)) (i32.const 4)) (then (return (i64.const 12))))
                (if (i32.ne (i32.load (i32.const 200000)) (i32.const 0x5eed)) (then (return (i64.const 13))))
                (i32.store (i32.const 1200000) (i32.const 7))
                (if (i32.ne (call $read (i32.const 1200000)) (i32.const 7)) (then (return (i64.const 14))))
                (if (i32.ne (call $read (i32.const 200000)) (i32.const 0x5eed)) (then (return (i64.const 15))))
                (i64.const 0)))"#,
    )
    .unwrap();
    let id = Keypair::new().pubkey();
    p.h.add_program(id, &outgrows).unwrap();
    for _ in 0..3 {
        assert_eq!(p.run(id, 2), None);
    }
    let (invocations, fresh) = p.instances();
    assert_eq!((invocations, fresh), (6, 6), "an instance that grew is never reused");
}

#[test]
fn an_executor_configured_for_fresh_instances_never_reuses_one() {
    use lanes_runtime::bank::{Bank, BankConfig};
    use lanes_runtime::execution::builtins::loader::immutable_program_account;
    use lanes_runtime::store::InMemoryAccountStore;
    use lanes_runtime::vm::{Executor, ExecutorConfig};
    use lanes_sdk::{system_program, Account};
    use std::sync::Arc;

    let config = ExecutorConfig { fresh_instance_per_invocation: true, ..ExecutorConfig::default() };
    let bank = Bank::new(Arc::new(InMemoryAccountStore::new()), Executor::new(config).unwrap(), BankConfig::default());
    let program = Keypair::new().pubkey();
    bank.set_account(program, immutable_program_account(&probe("(i64.const 0)"), 0)).unwrap();
    let payer = Keypair::new();
    bank.set_account(payer.pubkey(), Account::new(LAMPORTS_PER_SOL, 0, &system_program::ID)).unwrap();
    for nonce in 0..3u8 {
        let ixs =
            [Instruction::new_with_bytes(program, &[nonce], vec![]), Instruction::new_with_bytes(program, &[], vec![])];
        let tx = lanes_sdk::transaction::Transaction::new_signed_with_payer(
            &ixs,
            Some(&payer.pubkey()),
            &[&payer],
            bank.latest_blockhash(),
        );
        assert_eq!(bank.process_transaction(&tx).unwrap().result, Ok(()));
    }
    let timings = bank.timings();
    assert_eq!((timings.wasm_invocations, timings.fresh_instances), (6, 6));
}
