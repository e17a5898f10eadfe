//! The WASM loader: deploy through buffers, upgrade, authority, close, and
//! refusal of invalid or hostile modules.

use crate::common::*;
use lanes_runtime::harness::{Harness, HarnessError};
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::loader::{self, LoaderState};
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{Instruction, LAMPORTS_PER_SOL};
use lanes_test_program::TestInstruction;

/// A minimal program in WAT that returns `code` from its entrypoint.
fn wat_program(code: i64) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module (memory (export "memory") 1) (func (export "entrypoint") (result i64) i64.const {code}))"#
    ))
    .unwrap()
}

fn funded() -> (Harness, Keypair) {
    let mut h = Harness::new();
    let payer = Keypair::new();
    h.airdrop(&payer.pubkey(), 100 * LAMPORTS_PER_SOL);
    (h, payer)
}

fn noop(program: &lanes_sdk::Pubkey) -> Instruction {
    Instruction::new_with_borsh(*program, &TestInstruction::Noop, vec![])
}

#[test]
fn deploy_through_buffer_then_invoke_upgrade_and_close() {
    let (mut h, payer) = funded();
    let program = Keypair::new();
    let buffer = h.deploy_program(&payer, &program, lanes_program_artifacts::TEST_PROGRAM).unwrap();
    assert!(h.get_account(&buffer).is_none(), "the buffer is closed by deploy");
    let account = h.get_account(&program.pubkey()).unwrap();
    assert!(account.executable);
    assert!(
        matches!(LoaderState::read(&account.data), Some(LoaderState::Program { authority: Some(a), .. }) if a == payer.pubkey())
    );
    h.send(&[noop(&program.pubkey())], &payer, &[]).unwrap();

    // Upgrade to a program that always fails with Custom(5).
    let new_buffer = Keypair::new();
    h.write_buffer(&payer, &new_buffer, &wat_program(5)).unwrap();
    h.send(&[loader::upgrade(&program.pubkey(), &new_buffer.pubkey(), &payer.pubkey())], &payer, &[]).unwrap();
    h.expire_blockhash();
    let failed = h.send(&[noop(&program.pubkey())], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::Custom(5)));

    // Close: lamports go to the recipient and the program can no longer run.
    let recipient = lanes_sdk::Pubkey::new_unique_from_u64(31);
    h.send(&[loader::close(&program.pubkey(), &payer.pubkey(), &recipient)], &payer, &[]).unwrap();
    let program_deposit =
        lanes_sdk::rent::minimum_balance(loader::STATE_HEADER_LEN + lanes_program_artifacts::TEST_PROGRAM.len());
    assert_eq!(h.get_balance(&recipient), program_deposit);
    h.expire_blockhash();
    assert_eq!(
        h.send(&[noop(&program.pubkey())], &payer, &[]).unwrap_err().err,
        TransactionError::ProgramAccountNotFound
    );
}

#[test]
fn upgrades_need_the_authority_and_immutable_programs_refuse() {
    let (mut h, payer) = funded();
    let program = Keypair::new();
    h.deploy_program(&payer, &program, &wat_program(0)).unwrap();
    let mallory = Keypair::new();
    h.airdrop(&mallory.pubkey(), LAMPORTS_PER_SOL);
    let evil_buffer = Keypair::new();
    h.write_buffer(&mallory, &evil_buffer, &wat_program(9)).unwrap();
    let failed = h
        .send(&[loader::upgrade(&program.pubkey(), &evil_buffer.pubkey(), &mallory.pubkey())], &mallory, &[])
        .unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::IncorrectAuthority));

    h.send(&[loader::set_authority(&program.pubkey(), &payer.pubkey(), None)], &payer, &[]).unwrap();
    let buffer = Keypair::new();
    h.write_buffer(&payer, &buffer, &wat_program(9)).unwrap();
    let failed =
        h.send(&[loader::upgrade(&program.pubkey(), &buffer.pubkey(), &payer.pubkey())], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::Immutable));
}

#[test]
fn only_the_account_itself_may_make_it_a_buffer() {
    let (mut h, owner) = funded();
    // A funded loader-owned account, not yet initialized.
    let account = Keypair::new();
    h.send(
        &[lanes_sdk::system_instruction::create_account(
            &owner.pubkey(),
            &account.pubkey(),
            LAMPORTS_PER_SOL,
            0,
            &loader::ID,
        )],
        &owner,
        &[&account],
    )
    .unwrap();
    let before = h.get_account(&account.pubkey());
    let mallory = Keypair::new();
    h.airdrop(&mallory.pubkey(), LAMPORTS_PER_SOL);
    let mut claim = loader::initialize_buffer(&account.pubkey(), &mallory.pubkey());
    claim.accounts[0].is_signer = false;
    let failed = h.send(&[claim], &mallory, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::MissingRequiredSignature));
    assert_eq!(h.get_account(&account.pubkey()), before);
    // Signed by the account, it becomes a buffer.
    h.send(&[loader::initialize_buffer(&account.pubkey(), &owner.pubkey())], &owner, &[&account]).unwrap();
    let data = h.get_account(&account.pubkey()).unwrap().data;
    assert_eq!(LoaderState::read(&data), Some(LoaderState::Buffer { authority: owner.pubkey() }));
}

#[test]
fn writes_need_the_buffer_authority() {
    let (mut h, payer) = funded();
    let buffer = Keypair::new();
    h.write_buffer(&payer, &buffer, &wat_program(0)).unwrap();
    let mallory = Keypair::new();
    h.airdrop(&mallory.pubkey(), LAMPORTS_PER_SOL);
    let failed =
        h.send(&[loader::write(&buffer.pubkey(), &mallory.pubkey(), 0, vec![0; 8])], &mallory, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::IncorrectAuthority));
}

fn deploy_error(code: &[u8]) -> FailedDeploy {
    let (mut h, payer) = funded();
    let program = Keypair::new();
    match h.deploy_program(&payer, &program, code) {
        Ok(_) => FailedDeploy::Deployed,
        Err(HarnessError::Transaction(failed)) => {
            assert!(h.get_account(&program.pubkey()).is_none(), "a refused program is not created");
            FailedDeploy::Refused(failed.err, failed.meta.logs.join("\n"))
        }
        Err(other) => panic!("unexpected harness error {other}"),
    }
}

#[derive(Debug)]
enum FailedDeploy {
    Deployed,
    Refused(TransactionError, String),
}

fn assert_refused(code: &[u8], log_fragment: &str) {
    match deploy_error(code) {
        FailedDeploy::Refused(TransactionError::InstructionError(1, InstructionError::InvalidAccountData), logs) => {
            assert!(logs.contains(log_fragment), "expected {log_fragment:?} in logs:\n{logs}");
        }
        other => panic!("expected a refused deploy, got {other:?}"),
    }
}

#[test]
fn invalid_wasm_is_refused_at_deploy() {
    assert_refused(b"\0asm\x01\0\0\0garbage", "invalid WASM");
    assert_refused(b"not wasm at all", "invalid WASM");
    assert_refused(&wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap(), "entrypoint");
    assert_refused(
        &wat::parse_str(r#"(module (func (export "entrypoint") (result i64) i64.const 0))"#).unwrap(),
        "memory",
    );
    assert_refused(
        &wat::parse_str(
            r#"(module (import "env" "open_file" (func)) (memory (export "memory") 1) (func (export "entrypoint") (result i64) i64.const 0))"#,
        )
        .unwrap(),
        "open_file",
    );
    // A host function with the wrong signature.
    assert_refused(
        &wat::parse_str(
            r#"(module (import "env" "lanes_log" (func (param i64))) (memory (export "memory") 1) (func (export "entrypoint") (result i64) i64.const 0))"#,
        )
        .unwrap(),
        "lanes_log",
    );
    // More initial memory than an instance may have.
    assert_refused(
        &wat::parse_str(
            r#"(module (memory (export "memory") 1000) (func (export "entrypoint") (result i64) i64.const 0))"#,
        )
        .unwrap(),
        "memory",
    );
    // A table larger than an instance may have, and a second table.
    assert_refused(
        &wat::parse_str(
            r#"(module (memory (export "memory") 1) (table 200000 funcref) (func (export "entrypoint") (result i64) i64.const 0))"#,
        )
        .unwrap(),
        "table",
    );
    assert_refused(
        &wat::parse_str(
            r#"(module (memory (export "memory") 1) (table 1 funcref) (table 1 funcref) (func (export "entrypoint") (result i64) i64.const 0))"#,
        )
        .unwrap(),
        "table",
    );
    // Threads (shared memory) are not enabled.
    assert_refused(
        &wat::parse_str(
            r#"(module (memory (export "memory") 1 1 shared) (func (export "entrypoint") (result i64) i64.const 0))"#,
        )
        .unwrap(),
        "invalid WASM",
    );
}

#[test]
fn a_start_function_that_loops_is_stopped_by_fuel() {
    let (mut h, payer) = funded();
    let looping = wat::parse_str(
        r#"(module (memory (export "memory") 1) (func $spin (loop $l (br $l))) (start $spin) (func (export "entrypoint") (result i64) i64.const 0))"#,
    )
    .unwrap();
    let program = Keypair::new();
    h.deploy_program(&payer, &program, &looping).unwrap();
    let failed = h.send(&[noop(&program.pubkey())], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::ComputationalBudgetExceeded));
}

/// A start function's work is the program's: it is charged like the entry's
/// (instantiation's own copying of data segments is not, for modules that
/// can be reused; see `run_instance`).
#[test]
fn a_start_function_s_work_is_charged() {
    let (mut h, payer) = funded();
    let counting = |iterations: u32| {
        wat::parse_str(format!(
            r#"(module (memory (export "memory") 1) (global $n (mut i32) (i32.const 0))
                (func $count (loop $l (global.set $n (i32.add (global.get $n) (i32.const 1)))
                    (br_if $l (i32.lt_u (global.get $n) (i32.const {iterations})))))
                (start $count)
                (func (export "entrypoint") (result i64) i64.const 0))"#
        ))
        .unwrap()
    };
    let mut consumed = Vec::new();
    for iterations in [1, 10_001] {
        let program = Keypair::new();
        h.deploy_program(&payer, &program, &counting(iterations)).unwrap();
        let meta = h.send(&[noop(&program.pubkey())], &payer, &[]).unwrap();
        consumed.push(meta.compute_units_consumed);
    }
    // Ten thousand more rounds of a loop of several operators each.
    assert!(consumed[1] >= consumed[0] + 50_000, "start work charged: {consumed:?}");
}

#[test]
fn add_program_again_at_one_id_runs_the_new_code() {
    let (mut h, payer) = funded();
    let id = Keypair::new().pubkey();
    h.add_program(id, &wat_program(0)).unwrap();
    h.send(&[noop(&id)], &payer, &[]).unwrap();
    h.add_program(id, &wat_program(7)).unwrap();
    let failed = h.send(&[Instruction::new_with_bytes(id, &[1], vec![])], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::Custom(7)));
}

#[test]
fn add_program_validates_too() {
    let mut h = Harness::new();
    assert!(matches!(h.add_program(lanes_sdk::Pubkey::new_unique_from_u64(1), b"junk"), Err(HarnessError::Program(_))));
}

#[test]
fn out_of_bounds_guest_pointers_trap_without_harming_the_host() {
    let (mut h, payer) = funded();
    let hostile = wat::parse_str(
        r#"(module
            (import "env" "lanes_log" (func $log (param i32 i32)))
            (memory (export "memory") 1)
            (func (export "entrypoint") (result i64)
                (call $log (i32.const 65000) (i32.const 100000))
                i64.const 0))"#,
    )
    .unwrap();
    let program = Keypair::new();
    h.deploy_program(&payer, &program, &hostile).unwrap();
    let failed = h.send(&[noop(&program.pubkey())], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::InvalidArgument));

    // Within the length limit but past the end of memory.
    let past_end = wat::parse_str(
        r#"(module
            (import "env" "lanes_input_read" (func $read (param i32)))
            (memory (export "memory") 1)
            (func (export "entrypoint") (result i64)
                (call $read (i32.const 65530))
                i64.const 0))"#,
    )
    .unwrap();
    let program = Keypair::new();
    h.deploy_program(&payer, &program, &past_end).unwrap();
    let failed = h.send(&[noop(&program.pubkey())], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::ProgramFailedToComplete));
    let _ = &PROGRAM;
}

/// A hostile caller that has another program grow an account twice
/// *before* reading its own input, past the entry laid out for it: the host
/// must refuse, not overrun the buffer.
#[test]
fn reading_input_after_calls_that_outgrew_the_entry_is_refused() {
    let (mut h, payer) = funded();
    h.add_program(PROGRAM, lanes_program_artifacts::TEST_PROGRAM).unwrap();
    let grown = lanes_sdk::Pubkey::new_unique_from_u64(4242);
    h.set_account(grown, lanes_sdk::Account::new(10, 4, &PROGRAM));
    let resize = |len: u32| {
        let call = Instruction::new_with_borsh(
            PROGRAM,
            &TestInstruction::Resize { index: 0, len },
            vec![lanes_sdk::AccountMeta::new(grown, false)],
        );
        borsh::to_vec(&call).unwrap()
    };
    let (first, second) = (resize(4 + 8_000), resize(4 + 16_000));
    let escape = |bytes: &[u8]| bytes.iter().map(|b| format!("\\{b:02x}")).collect::<String>();
    // The input ends exactly at the end of the single memory page, so an
    // overrun would leave guest memory altogether.
    let input_len = 8 + lanes_sdk::abi::entry_len(4, true) + lanes_sdk::abi::entry_len(0, false) + 8 + 32;
    let buffer = 65536 - input_len;
    let hostile = wat::parse_str(format!(
        r#"(module
            (import "env" "lanes_invoke" (func $invoke (param i32 i32 i32 i32) (result i64)))
            (import "env" "lanes_input_read" (func $read (param i32)))
            (memory (export "memory") 1 1)
            (data (i32.const 1024) "{first}")
            (data (i32.const 4096) "{second}")
            (data (i32.const 8192) "\00\00\00\00")
            (func (export "entrypoint") (result i64)
                (drop (call $invoke (i32.const 1024) (i32.const {first_len}) (i32.const 8192) (i32.const 4)))
                (drop (call $invoke (i32.const 4096) (i32.const {second_len}) (i32.const 8192) (i32.const 4)))
                (call $read (i32.const {buffer}))
                i64.const 0))"#,
        first = escape(&first),
        second = escape(&second),
        first_len = first.len(),
        second_len = second.len(),
    ))
    .unwrap();
    let program = Keypair::new();
    h.deploy_program(&payer, &program, &hostile).unwrap();
    let ix = Instruction::new_with_bytes(
        program.pubkey(),
        &[],
        vec![lanes_sdk::AccountMeta::new(grown, false), lanes_sdk::AccountMeta::new_readonly(PROGRAM, false)],
    );
    let failed = h.send(&[ix], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(0, InstructionError::InvalidRealloc), "{failed}");
    assert_eq!(h.get_account(&grown).unwrap().data.len(), 4);
}

/// 64 slices all naming the whole 4 MiB memory would be 256 MiB to hash: the
/// host must charge for it before reading a byte, and refuse.
#[test]
fn hashing_is_charged_before_it_is_done() {
    let (mut h, payer) = funded();
    let pair: String = (0..64).map(|_| "\\00\\00\\00\\00\\00\\00\\40\\00").collect();
    let hostile = wat::parse_str(format!(
        r#"(module
            (import "env" "lanes_sha256" (func $sha (param i32 i32 i32)))
            (memory (export "memory") 64 64)
            (data (i32.const 0) "{pair}")
            (func (export "entrypoint") (result i64)
                (call $sha (i32.const 0) (i32.const 64) (i32.const 1024))
                i64.const 0))"#
    ))
    .unwrap();
    let program = Keypair::new();
    h.deploy_program(&payer, &program, &hostile).unwrap();
    let failed = h.send(&[noop(&program.pubkey())], &payer, &[]).unwrap_err();
    assert_eq!(
        failed.err,
        TransactionError::InstructionError(0, InstructionError::ComputationalBudgetExceeded),
        "{failed}"
    );
}

#[test]
fn garbage_instruction_data_for_the_builtins_is_refused() {
    let (mut h, payer) = funded();
    let buffer = Keypair::new();
    h.write_buffer(&payer, &buffer, &wat_program(0)).unwrap();
    for (program, data) in
        [(loader::ID, vec![0xff, 1, 2]), (loader::ID, vec![]), (lanes_sdk::system_program::ID, vec![2, 0])]
    {
        let ix = Instruction::new_with_bytes(program, &data, vec![lanes_sdk::AccountMeta::new(buffer.pubkey(), false)]);
        let failed = h.send(&[ix], &payer, &[]).unwrap_err();
        assert_eq!(
            failed.err,
            TransactionError::InstructionError(0, InstructionError::InvalidInstructionData),
            "{failed}"
        );
    }
}

/// `lanes_log_pubkey` logs a key as Solana's `sol_log_pubkey` does, for
/// about 100 units (issue 16: ≤ 200), where base58 in WASM costs ~27,000.
#[test]
fn a_pubkey_is_logged_by_the_host_for_about_a_hundred_units() {
    let (mut h, payer) = funded();
    let key = lanes_sdk::Pubkey::new_unique_from_u64(0xfeed);
    let escaped: String = key.0.iter().map(|b| format!("\\{b:02x}")).collect();
    let program_logging = |calls: usize| {
        let call = "(call $log_pubkey (i32.const 16))".repeat(calls);
        wat::parse_str(format!(
            r#"(module
                (import "env" "lanes_log_pubkey" (func $log_pubkey (param i32)))
                (memory (export "memory") 1)
                (data (i32.const 16) "{escaped}")
                (func (export "entrypoint") (result i64) {call} i64.const 0))"#
        ))
        .unwrap()
    };
    let mut units = Vec::new();
    for calls in [0, 3] {
        let program = Keypair::new();
        h.deploy_program(&payer, &program, &program_logging(calls)).unwrap();
        let meta = h.send(&[noop(&program.pubkey())], &payer, &[]).unwrap();
        let logged: Vec<&String> = meta.logs.iter().filter(|l| l.starts_with("Program log: ")).collect();
        assert_eq!(logged.len(), calls, "{:?}", meta.logs);
        for line in logged {
            assert_eq!(line, &format!("Program log: {key}"));
        }
        units.push(meta.compute_units_consumed);
    }
    let per_call = (units[1] - units[0]) / 3;
    assert!((100..=200).contains(&per_call), "{per_call} units a pubkey logged");

    // A key past the end of memory: the instruction fails, the host is unharmed.
    let past_end = wat::parse_str(
        r#"(module
            (import "env" "lanes_log_pubkey" (func $log_pubkey (param i32)))
            (memory (export "memory") 1)
            (func (export "entrypoint") (result i64) (call $log_pubkey (i32.const 65520)) i64.const 0))"#,
    )
    .unwrap();
    let program = Keypair::new();
    h.deploy_program(&payer, &program, &past_end).unwrap();
    let failed = h.send(&[noop(&program.pubkey())], &payer, &[]).unwrap_err();
    assert!(matches!(failed.err, TransactionError::InstructionError(0, _)), "{:?}", failed.err);
    // What `unwrap()` prints: the error, then the logs one a line.
    let shown = format!("{failed:?}");
    assert!(shown.starts_with("transaction failed: "), "{shown}");
    assert_eq!(shown.lines().count(), 1 + failed.meta.logs.len(), "{shown}");
    assert_eq!(failed.custom_code(), None);
}
