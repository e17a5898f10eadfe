//! Signatures: every signer must sign, and each transaction's signature is
//! its own.

use super::funded;
use crate::common::*;
use lanes_sdk::client::Keypair;
use lanes_sdk::message::Message;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, Pubkey, Signature};
use lanes_test_program::TestInstruction;

#[test]
fn wrong_or_missing_signatures_are_refused_without_fee() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let mut tx = h.transaction(&[system_instruction::transfer(&payer.pubkey(), &to, 10)], &payer, &[]);
    tx.signatures[0].0[0] ^= 1;
    assert_eq!(h.send_transaction(tx.clone()).unwrap_err().err, TransactionError::SignatureFailure);
    // Signed by someone else entirely.
    let mallory = Keypair::new();
    let mut forged = tx.clone();
    forged.signatures[0] = mallory.sign_message(&forged.message_data());
    assert_eq!(h.send_transaction(forged).unwrap_err().err, TransactionError::SignatureFailure);
    // No signature at all.
    let mut unsigned = tx.clone();
    unsigned.signatures.clear();
    assert_eq!(h.send_transaction(unsigned).unwrap_err().err, TransactionError::SanitizeFailure);
    assert_eq!(h.get_balance(&payer.pubkey()), 1_000_000_000, "refused transactions pay nothing");
}

#[test]
fn a_second_signer_is_required() {
    let (mut h, payer) = funded();
    let other = Keypair::new();
    h.airdrop(&other.pubkey(), 500);
    // `other` must sign to move its lamports; build the message, sign only with payer.
    let ix = system_instruction::transfer(&other.pubkey(), &payer.pubkey(), 100);
    let mut tx =
        Transaction::new_unsigned(Message::new_with_blockhash(&[ix], Some(&payer.pubkey()), &h.latest_blockhash()));
    tx.try_partial_sign(&[&payer]).unwrap();
    assert_eq!(h.send_transaction(tx).unwrap_err().err, TransactionError::SignatureFailure);
}

#[test]
fn signatures_are_distinct_per_transaction() {
    let (mut h, payer) = setup();
    let a = h.send(&[ix(TestInstruction::Noop, vec![])], &payer, &[]).unwrap();
    let b = h.send(&[ix(TestInstruction::Log("x".into()), vec![])], &payer, &[]).unwrap();
    assert_ne!(a.signature, b.signature);
    assert_ne!(a.signature, Signature::default());
}
