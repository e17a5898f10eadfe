//! Fees: who pays, how much, and that a failed or simulated transaction
//! changes nothing but the fee payer's debit.

use super::funded;
use crate::common::*;
use lanes_runtime::harness::Harness;
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{compute_budget, system_instruction, Account, Pubkey};

#[test]
fn transfer_charges_fee_and_moves_lamports() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let amount = lanes_sdk::rent::minimum_balance(0);
    let meta = h.send(&[system_instruction::transfer(&payer.pubkey(), &to, amount)], &payer, &[]).unwrap();
    assert_eq!(meta.fee, 5_000);
    assert_eq!(h.get_balance(&to), amount);
    assert_eq!(h.get_balance(&payer.pubkey()), 1_000_000_000 - amount - 5_000);
    assert_eq!(h.bank().collected_fees(), 5_000);
}

#[test]
fn fee_payer_must_exist_be_a_wallet_and_afford_the_fee() {
    let mut h = Harness::new();
    let ghost = Keypair::new();
    let to = Pubkey::new_unique_from_u64(1);
    let ix = system_instruction::transfer(&ghost.pubkey(), &to, 1);
    assert_eq!(h.send(std::slice::from_ref(&ix), &ghost, &[]).unwrap_err().err, TransactionError::AccountNotFound);
    h.airdrop(&ghost.pubkey(), 4_999);
    assert_eq!(
        h.send(std::slice::from_ref(&ix), &ghost, &[]).unwrap_err().err,
        TransactionError::InsufficientFundsForFee
    );
    h.set_account(ghost.pubkey(), Account::new(1_000_000, 0, &PROGRAM));
    assert_eq!(h.send(&[ix], &ghost, &[]).unwrap_err().err, TransactionError::InvalidAccountForFee);
}

#[test]
fn failed_transaction_pays_fee_and_changes_nothing_else() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let before = h.snapshot();
    let failed = h
        .send(
            &[
                system_instruction::transfer(&payer.pubkey(), &to, 10),
                system_instruction::transfer(&payer.pubkey(), &to, 10_000_000_000),
            ],
            &payer,
            &[],
        )
        .unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(1, InstructionError::Custom(1)));
    let after = h.snapshot();
    assert_eq!(after.len(), before.len(), "the recipient was not created");
    assert_eq!(h.get_balance(&payer.pubkey()), 1_000_000_000 - 5_000);
}

#[test]
fn priority_fee_and_compute_limit() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let meta = h
        .send(
            &[
                compute_budget::set_compute_unit_limit(10_000),
                compute_budget::set_compute_unit_price(2_000_000),
                system_instruction::transfer(&payer.pubkey(), &to, lanes_sdk::rent::minimum_balance(0)),
            ],
            &payer,
            &[],
        )
        .unwrap();
    assert_eq!(meta.fee, 5_000 + 20_000);
    let failed = h
        .send(&[compute_budget::set_compute_unit_limit(1), compute_budget::set_compute_unit_limit(2)], &payer, &[])
        .unwrap_err();
    assert_eq!(failed.err, TransactionError::DuplicateInstruction(1));
}

#[test]
fn simulation_changes_nothing() {
    let (h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let tx = h.transaction(
        &[system_instruction::transfer(&payer.pubkey(), &to, lanes_sdk::rent::minimum_balance(0))],
        &payer,
        &[],
    );
    let before = h.snapshot();
    let meta = h.simulate_transaction(&tx).unwrap();
    assert_eq!(meta.fee, 5_000);
    assert_eq!(h.snapshot(), before);
}
