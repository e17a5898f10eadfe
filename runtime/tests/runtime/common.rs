//! Shared setup for the runtime's integration tests.
#![allow(dead_code)]

use lanes_runtime::harness::{FailedTransaction, Harness, TransactionMeta};
use lanes_sdk::client::Keypair;
use lanes_sdk::{Account, AccountMeta, Instruction, Pubkey, LAMPORTS_PER_SOL};
use lanes_test_program::{CallSpec, TestInstruction};

pub const PROGRAM: Pubkey = lanes_test_program::ID;

/// A harness with the test program deployed and a funded payer.
pub fn setup() -> (Harness, Keypair) {
    let mut h = Harness::new();
    h.add_program(PROGRAM, lanes_program_artifacts::TEST_PROGRAM).expect("test program deploys");
    let payer = Keypair::new();
    h.airdrop(&payer.pubkey(), 100 * LAMPORTS_PER_SOL);
    (h, payer)
}

pub fn ix(data: TestInstruction, accounts: Vec<AccountMeta>) -> Instruction {
    Instruction::new_with_borsh(PROGRAM, &data, accounts)
}

pub fn call(program_id: Pubkey, accounts: &[AccountMeta], data: Vec<u8>, seeds: Vec<Vec<Vec<u8>>>) -> TestInstruction {
    TestInstruction::Invoke(CallSpec {
        program_id,
        accounts: accounts.iter().map(|m| (m.pubkey, m.is_signer, m.is_writable)).collect(),
        data,
        seeds,
    })
}

/// An account owned by the test program with `len` bytes of data.
pub fn owned_account(h: &mut Harness, lamports: u64, len: usize) -> Pubkey {
    let key = Keypair::new().pubkey();
    h.set_account(key, Account::new(lamports, len, &PROGRAM));
    key
}

pub fn send(
    h: &mut Harness,
    payer: &Keypair,
    ixs: &[Instruction],
    signers: &[&Keypair],
) -> Result<TransactionMeta, FailedTransaction> {
    h.send(ixs, payer, signers)
}
