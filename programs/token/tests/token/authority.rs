//! Authorities and signatures: who may spend, mint, burn or change an account.

use crate::common::*;
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_token::error::TokenError;
use lanes_token::instruction::{self as token_ix, AuthorityType};

#[test]
fn set_authority_on_an_account_changes_owner_and_clears_grants() {
    let mut f = fixture();
    let delegate = Keypair::new();
    let closer = Keypair::new();
    let alice_key = f.alice.pubkey();
    f.env.ok(
        &[
            token_ix::approve(&PROGRAM, &f.alice_account, &delegate.pubkey(), &alice_key, 50),
            token_ix::set_authority(
                &PROGRAM,
                &f.alice_account,
                Some(&closer.pubkey()),
                AuthorityType::CloseAccount,
                &alice_key,
            ),
        ],
        &[&f.alice],
    );
    // The owner cannot be removed, and only the owner changes it.
    f.env.fails(
        &[token_ix::set_authority(&PROGRAM, &f.alice_account, None, AuthorityType::AccountOwner, &alice_key)],
        &[&f.alice],
        custom(TokenError::AuthorityTypeNotSupported),
    );
    f.env.fails(
        &[token_ix::set_authority(
            &PROGRAM,
            &f.alice_account,
            Some(&delegate.pubkey()),
            AuthorityType::AccountOwner,
            &delegate.pubkey(),
        )],
        &[&delegate],
        custom(TokenError::OwnerMismatch),
    );
    f.env.fails(
        &[token_ix::set_authority(&PROGRAM, &f.alice_account, Some(&alice_key), AuthorityType::MintTokens, &alice_key)],
        &[&f.alice],
        custom(TokenError::AuthorityTypeNotSupported),
    );

    f.env.ok(
        &[token_ix::set_authority(
            &PROGRAM,
            &f.alice_account,
            Some(&f.bob.pubkey()),
            AuthorityType::AccountOwner,
            &alice_key,
        )],
        &[&f.alice],
    );
    let account = f.env.token(&f.alice_account);
    assert_eq!(account.owner, f.bob.pubkey());
    assert_eq!((account.delegate, account.delegated_amount, account.close_authority), (None, 0, None));

    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice_key, 1)],
        &[&f.alice],
        custom(TokenError::OwnerMismatch),
    );
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &delegate.pubkey(), 1)],
        &[&delegate],
        custom(TokenError::OwnerMismatch),
    );
    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &f.bob.pubkey(), 1000)], &[&f.bob]);
    assert_eq!(f.env.amount(&f.bob_account), 1000);
}

#[test]
fn missing_signatures_are_refused() {
    let mut f = fixture();
    let alice_key = f.alice.pubkey();
    f.env.fails(
        &[with_signer(token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice_key, 1), 2, false)],
        &[],
        InstructionError::MissingRequiredSignature,
    );
    f.env.fails(
        &[with_signer(token_ix::mint_to(&PROGRAM, &f.mint, &f.bob_account, &f.mint_authority.pubkey(), 1), 2, false)],
        &[],
        InstructionError::MissingRequiredSignature,
    );
    f.env.fails(
        &[with_signer(token_ix::burn(&PROGRAM, &f.alice_account, &f.mint, &alice_key, 1), 2, false)],
        &[],
        InstructionError::MissingRequiredSignature,
    );
    f.env.fails(
        &[with_signer(token_ix::approve(&PROGRAM, &f.alice_account, &f.bob.pubkey(), &alice_key, 1), 2, false)],
        &[],
        InstructionError::MissingRequiredSignature,
    );
    f.env.fails(
        &[with_signer(
            token_ix::set_authority(&PROGRAM, &f.mint, None, AuthorityType::MintTokens, &f.mint_authority.pubkey()),
            1,
            false,
        )],
        &[],
        InstructionError::MissingRequiredSignature,
    );
    f.env.fails(
        &[with_signer(
            token_ix::transfer_checked(&PROGRAM, &f.alice_account, &f.mint, &f.bob_account, &alice_key, 1, DECIMALS),
            3,
            false,
        )],
        &[],
        InstructionError::MissingRequiredSignature,
    );
    // A delegate's key without its signature.
    let delegate = Keypair::new();
    f.env.ok(&[token_ix::approve(&PROGRAM, &f.alice_account, &delegate.pubkey(), &alice_key, 10)], &[&f.alice]);
    f.env.fails(
        &[with_signer(token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &delegate.pubkey(), 2), 2, false)],
        &[],
        InstructionError::MissingRequiredSignature,
    );
    // Close (Bob's account is empty, so only the signature is missing).
    f.env.fails(
        &[with_signer(token_ix::close_account(&PROGRAM, &f.bob_account, &f.alice.pubkey(), &f.bob.pubkey()), 2, false)],
        &[],
        InstructionError::MissingRequiredSignature,
    );
}

#[test]
fn strangers_cannot_spend_mint_or_burn() {
    let mut f = fixture();
    let mallory = Keypair::new();
    let mallory_account = f.env.create_account(&f.mint, &mallory.pubkey());
    let key = mallory.pubkey();
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &mallory_account, &key, 1)],
        &[&mallory],
        custom(TokenError::OwnerMismatch),
    );
    f.env.fails(
        &[token_ix::transfer_checked(&PROGRAM, &f.alice_account, &f.mint, &mallory_account, &key, 1, DECIMALS)],
        &[&mallory],
        custom(TokenError::OwnerMismatch),
    );
    f.env.fails(
        &[token_ix::mint_to(&PROGRAM, &f.mint, &mallory_account, &key, 1)],
        &[&mallory],
        custom(TokenError::OwnerMismatch),
    );
    f.env.fails(
        &[token_ix::burn(&PROGRAM, &f.alice_account, &f.mint, &key, 1)],
        &[&mallory],
        custom(TokenError::OwnerMismatch),
    );
    f.env.fails(
        &[token_ix::approve(&PROGRAM, &f.alice_account, &key, &key, 1000)],
        &[&mallory],
        custom(TokenError::OwnerMismatch),
    );
    // The payer signing is no substitute for the owner.
    let payer_key = f.env.payer.pubkey();
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &mallory_account, &payer_key, 1)],
        &[],
        custom(TokenError::OwnerMismatch),
    );
}
