//! Delegates: approve, spend within the allowance, revoke.

use crate::common::*;
use lanes_sdk::client::Keypair;
use lanes_token::error::TokenError;
use lanes_token::instruction::{self as token_ix};

#[test]
fn delegate_spends_within_allowance_which_is_cleared_at_zero() {
    let mut f = fixture();
    let delegate = Keypair::new();
    f.env.ok(&[token_ix::approve(&PROGRAM, &f.alice_account, &delegate.pubkey(), &f.alice.pubkey(), 100)], &[&f.alice]);
    let account = f.env.token(&f.alice_account);
    assert_eq!((account.delegate, account.delegated_amount), (Some(delegate.pubkey()), 100));

    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &delegate.pubkey(), 60)], &[&delegate]);
    assert_eq!(f.env.token(&f.alice_account).delegated_amount, 40);
    assert_eq!(f.env.amount(&f.bob_account), 60);

    // Over the remaining allowance (though within the balance).
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &delegate.pubkey(), 41)],
        &[&delegate],
        custom(TokenError::InsufficientAllowance),
    );

    // Burning also spends the allowance.
    f.env.ok(&[token_ix::burn(&PROGRAM, &f.alice_account, &f.mint, &delegate.pubkey(), 15)], &[&delegate]);
    assert_eq!(f.env.token(&f.alice_account).delegated_amount, 25);
    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &delegate.pubkey(), 25)], &[&delegate]);
    let account = f.env.token(&f.alice_account);
    assert_eq!((account.delegate, account.delegated_amount), (None, 0), "allowance used up: delegate removed");
    assert_eq!(account.amount, 1000 - 60 - 15 - 25);

    // Once removed, the former delegate is nobody.
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &delegate.pubkey(), 0)],
        &[&delegate],
        custom(TokenError::OwnerMismatch),
    );
    // The owner still spends freely.
    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &f.alice.pubkey(), 900)], &[&f.alice]);
}

#[test]
fn approve_replaces_and_revoke_removes_the_delegate() {
    let mut f = fixture();
    let first = Keypair::new();
    let second = Keypair::new();
    f.env.ok(&[token_ix::approve(&PROGRAM, &f.alice_account, &first.pubkey(), &f.alice.pubkey(), 100)], &[&f.alice]);
    f.env.ok(&[token_ix::approve(&PROGRAM, &f.alice_account, &second.pubkey(), &f.alice.pubkey(), 7)], &[&f.alice]);
    let account = f.env.token(&f.alice_account);
    assert_eq!((account.delegate, account.delegated_amount), (Some(second.pubkey()), 7));
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &first.pubkey(), 1)],
        &[&first],
        custom(TokenError::OwnerMismatch),
    );

    // Only the owner revokes.
    f.env.fails(
        &[token_ix::revoke(&PROGRAM, &f.alice_account, &second.pubkey())],
        &[&second],
        custom(TokenError::OwnerMismatch),
    );
    f.env.ok(&[token_ix::revoke(&PROGRAM, &f.alice_account, &f.alice.pubkey())], &[&f.alice]);
    let account = f.env.token(&f.alice_account);
    assert_eq!((account.delegate, account.delegated_amount), (None, 0));
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &second.pubkey(), 1)],
        &[&second],
        custom(TokenError::OwnerMismatch),
    );

    // Only the owner approves: a delegate cannot raise its own allowance.
    f.env.ok(&[token_ix::approve(&PROGRAM, &f.alice_account, &first.pubkey(), &f.alice.pubkey(), 5)], &[&f.alice]);
    f.env.fails(
        &[token_ix::approve(&PROGRAM, &f.alice_account, &first.pubkey(), &first.pubkey(), 500)],
        &[&first],
        custom(TokenError::OwnerMismatch),
    );
}
