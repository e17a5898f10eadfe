//! `Batch`: several token instructions in one invocation, in order, all or
//! nothing, each authorized on its own.

use crate::common::*;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::{AccountMeta, Instruction};
use lanes_token::error::TokenError;
use lanes_token::instruction::{self as token_ix};

#[test]
fn a_batch_runs_its_instructions_in_order() {
    let mut f = fixture();
    let (alice, bob) = (f.alice.pubkey(), f.bob.pubkey());
    // Alice pays Bob, who pays part of it straight back: the second transfer
    // sees the first one's result.
    let batch = token_ix::batch(
        &PROGRAM,
        &[
            token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice, 300),
            token_ix::transfer(&PROGRAM, &f.bob_account, &f.alice_account, &bob, 100),
        ],
    )
    .unwrap();
    let meta = f.env.ok(&[batch], &[&f.alice, &f.bob]);
    println!("batch of two transfers: {} compute units", meta.compute_units_consumed);
    assert_eq!(f.env.amount(&f.alice_account), 800);
    assert_eq!(f.env.amount(&f.bob_account), 200);
}

#[test]
fn a_batch_is_all_or_nothing() {
    let mut f = fixture();
    let alice = f.alice.pubkey();
    let batch = token_ix::batch(
        &PROGRAM,
        &[
            token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice, 600),
            token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice, 600),
        ],
    )
    .unwrap();
    f.env.fails(&[batch], &[&f.alice], custom(TokenError::InsufficientFunds));
}

#[test]
fn each_batched_instruction_is_authorized_by_its_own_accounts() {
    let mut f = fixture();
    let (alice, bob) = (f.alice.pubkey(), f.bob.pubkey());
    f.env.mint_to(&f.mint, &f.bob_account, &f.mint_authority, 50);
    // Alice signs the batch, but the second transfer names Bob, who did not
    // sign: Alice's signature in the first item does not carry over.
    let mut batch = token_ix::batch(
        &PROGRAM,
        &[
            token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice, 10),
            token_ix::transfer(&PROGRAM, &f.bob_account, &f.alice_account, &bob, 10),
        ],
    )
    .unwrap();
    batch.accounts[5].is_signer = false;
    f.env.fails(&[batch], &[&f.alice], InstructionError::MissingRequiredSignature);
}

#[test]
fn malformed_batches_are_refused() {
    let mut f = fixture();
    let alice = f.alice.pubkey();
    let transfer = token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice, 10);
    let batch = token_ix::batch(&PROGRAM, std::slice::from_ref(&transfer)).unwrap();
    let with_data = |data: Vec<u8>, accounts: Vec<AccountMeta>| Instruction { program_id: PROGRAM, accounts, data };

    // A batch inside a batch.
    let mut nested = vec![token_ix::BATCH_TAG, 1, 0, 0, 0, 3];
    nested.extend_from_slice(&(batch.data.len() as u32).to_le_bytes());
    nested.extend_from_slice(&batch.data);
    f.env.fails(&[with_data(nested, transfer.accounts.clone())], &[&f.alice], InstructionError::InvalidInstructionData);
    // An empty batch.
    f.env.fails(
        &[with_data(vec![token_ix::BATCH_TAG, 0, 0, 0, 0], vec![])],
        &[],
        InstructionError::InvalidInstructionData,
    );
    // More accounts than the items take, and fewer.
    let mut extra = transfer.accounts.clone();
    extra.push(AccountMeta::new_readonly(f.mint, false));
    f.env.fails(&[with_data(batch.data.clone(), extra)], &[&f.alice], InstructionError::InvalidInstructionData);
    f.env.fails(
        &[with_data(batch.data.clone(), transfer.accounts[..2].to_vec())],
        &[],
        InstructionError::NotEnoughAccountKeys,
    );
    // An item longer than the data, and bytes after the last item.
    let mut short = batch.data.clone();
    short.pop();
    f.env.fails(&[with_data(short, transfer.accounts.clone())], &[&f.alice], InstructionError::InvalidInstructionData);
    let mut long = batch.data.clone();
    long.push(0);
    f.env.fails(&[with_data(long, transfer.accounts.clone())], &[&f.alice], InstructionError::InvalidInstructionData);
    assert_eq!(f.env.amount(&f.alice_account), 1000);
}
