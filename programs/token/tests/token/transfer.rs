//! Transfers: balances, supply, checked transfers, mints kept apart.

use crate::common::*;
use lanes_sdk::client::Keypair;
use lanes_token::error::TokenError;
use lanes_token::instruction::{self as token_ix};

#[test]
fn transfer_moves_tokens_and_keeps_supply() {
    let mut f = fixture();
    let meta = f
        .env
        .ok(&[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &f.alice.pubkey(), 300)], &[&f.alice]);
    println!("transfer: {} compute units, logs {:?}", meta.compute_units_consumed, meta.logs);
    assert_eq!(f.env.amount(&f.alice_account), 700);
    assert_eq!(f.env.amount(&f.bob_account), 300);
    assert_eq!(f.env.mint(&f.mint).supply, 1000);

    // Back again, the whole balance, and a zero transfer.
    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.bob_account, &f.alice_account, &f.bob.pubkey(), 300)], &[&f.bob]);
    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &f.alice.pubkey(), 1000)], &[&f.alice]);
    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &f.alice.pubkey(), 0)], &[&f.alice]);
    assert_eq!(f.env.amount(&f.alice_account), 0);
    assert_eq!(f.env.amount(&f.bob_account), 1000);
}

#[test]
fn self_transfer_succeeds_and_changes_nothing() {
    let mut f = fixture();
    let before = f.env.h.get_account(&f.alice_account);
    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.alice_account, &f.alice_account, &f.alice.pubkey(), 400)], &[&f.alice]);
    assert_eq!(f.env.h.get_account(&f.alice_account), before);
    // Still checked: more than the balance, or without the owner, fails.
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &f.alice_account, &f.alice.pubkey(), 1001)],
        &[&f.alice],
        custom(TokenError::InsufficientFunds),
    );
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &f.alice_account, &f.bob.pubkey(), 1)],
        &[&f.bob],
        custom(TokenError::OwnerMismatch),
    );
    // A delegate's self-transfer does not use up the allowance.
    let delegate = Keypair::new();
    f.env.ok(&[token_ix::approve(&PROGRAM, &f.alice_account, &delegate.pubkey(), &f.alice.pubkey(), 10)], &[&f.alice]);
    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.alice_account, &f.alice_account, &delegate.pubkey(), 10)], &[&delegate]);
    assert_eq!(f.env.token(&f.alice_account).delegated_amount, 10);
    assert_eq!(f.env.amount(&f.alice_account), 1000);
}

#[test]
fn transfer_checked_checks_mint_and_decimals() {
    let mut f = fixture();
    f.env.ok(
        &[token_ix::transfer_checked(
            &PROGRAM,
            &f.alice_account,
            &f.mint,
            &f.bob_account,
            &f.alice.pubkey(),
            5,
            DECIMALS,
        )],
        &[&f.alice],
    );
    assert_eq!(f.env.amount(&f.bob_account), 5);
    assert_eq!(f.env.amount(&f.alice_account), 995);

    f.env.fails(
        &[token_ix::transfer_checked(
            &PROGRAM,
            &f.alice_account,
            &f.mint,
            &f.bob_account,
            &f.alice.pubkey(),
            5,
            DECIMALS + 1,
        )],
        &[&f.alice],
        custom(TokenError::MintDecimalsMismatch),
    );
    let other_mint = f.env.create_mint(&f.mint_authority.pubkey(), None, DECIMALS);
    f.env.fails(
        &[token_ix::transfer_checked(
            &PROGRAM,
            &f.alice_account,
            &other_mint,
            &f.bob_account,
            &f.alice.pubkey(),
            5,
            DECIMALS,
        )],
        &[&f.alice],
        custom(TokenError::MintMismatch),
    );
}

#[test]
fn transfer_more_than_balance_fails() {
    let mut f = fixture();
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &f.alice.pubkey(), 1001)],
        &[&f.alice],
        custom(TokenError::InsufficientFunds),
    );
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.bob_account, &f.alice_account, &f.bob.pubkey(), 1)],
        &[&f.bob],
        custom(TokenError::InsufficientFunds),
    );
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &f.alice.pubkey(), u64::MAX)],
        &[&f.alice],
        custom(TokenError::InsufficientFunds),
    );
}

#[test]
fn accounts_of_different_mints_do_not_mix() {
    let mut f = fixture();
    let other_authority = Keypair::new();
    let other_mint = f.env.create_mint(&other_authority.pubkey(), None, DECIMALS);
    let other_account = f.env.create_account(&other_mint, &f.bob.pubkey());
    f.env.mint_to(&other_mint, &other_account, &other_authority, 5);

    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &other_account, &f.alice.pubkey(), 1)],
        &[&f.alice],
        custom(TokenError::MintMismatch),
    );
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &other_account, &f.alice_account, &f.bob.pubkey(), 1)],
        &[&f.bob],
        custom(TokenError::MintMismatch),
    );
    // Minting one mint's tokens into another mint's account.
    f.env.fails(
        &[token_ix::mint_to(&PROGRAM, &other_mint, &f.alice_account, &other_authority.pubkey(), 1)],
        &[&other_authority],
        custom(TokenError::MintMismatch),
    );
    f.env.fails(
        &[token_ix::burn(&PROGRAM, &other_account, &f.mint, &f.bob.pubkey(), 1)],
        &[&f.bob],
        custom(TokenError::MintMismatch),
    );
}
