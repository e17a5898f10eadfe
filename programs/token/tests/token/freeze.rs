//! Freezing and thawing accounts, by the freeze authority only.

use crate::common::*;
use lanes_sdk::instruction::InstructionError;
use lanes_token::error::TokenError;
use lanes_token::instruction::{self as token_ix, AuthorityType};
use lanes_token::state::AccountState;

#[test]
fn frozen_accounts_neither_send_nor_receive_until_thawed() {
    let mut f = fixture();
    let freezer_key = f.freezer.pubkey();
    f.env.ok(&[token_ix::freeze_account(&PROGRAM, &f.alice_account, &f.mint, &freezer_key)], &[&f.freezer]);
    assert_eq!(f.env.token(&f.alice_account).state, AccountState::Frozen);

    let frozen = custom(TokenError::AccountFrozen);
    let alice_key = f.alice.pubkey();
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice_key, 1)],
        &[&f.alice],
        frozen.clone(),
    );
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.bob_account, &f.alice_account, &f.bob.pubkey(), 0)],
        &[&f.bob],
        frozen.clone(),
    );
    f.env.fails(
        &[token_ix::transfer_checked(&PROGRAM, &f.alice_account, &f.mint, &f.bob_account, &alice_key, 1, DECIMALS)],
        &[&f.alice],
        frozen.clone(),
    );
    f.env.fails(&[token_ix::burn(&PROGRAM, &f.alice_account, &f.mint, &alice_key, 1)], &[&f.alice], frozen.clone());
    f.env.fails(
        &[token_ix::mint_to(&PROGRAM, &f.mint, &f.alice_account, &f.mint_authority.pubkey(), 1)],
        &[&f.mint_authority],
        frozen.clone(),
    );
    f.env.fails(
        &[token_ix::approve(&PROGRAM, &f.alice_account, &f.bob.pubkey(), &alice_key, 1)],
        &[&f.alice],
        frozen.clone(),
    );
    f.env.fails(&[token_ix::revoke(&PROGRAM, &f.alice_account, &alice_key)], &[&f.alice], frozen.clone());
    f.env.fails(
        &[token_ix::set_authority(
            &PROGRAM,
            &f.alice_account,
            Some(&f.bob.pubkey()),
            AuthorityType::AccountOwner,
            &alice_key,
        )],
        &[&f.alice],
        frozen,
    );
    // Freezing twice is a state error. (Same instruction as before: a new
    // blockhash makes it a new transaction.)
    f.env.h.expire_blockhash();
    f.env.fails(
        &[token_ix::freeze_account(&PROGRAM, &f.alice_account, &f.mint, &freezer_key)],
        &[&f.freezer],
        custom(TokenError::InvalidState),
    );

    f.env.ok(&[token_ix::thaw_account(&PROGRAM, &f.alice_account, &f.mint, &freezer_key)], &[&f.freezer]);
    assert_eq!(f.env.token(&f.alice_account).state, AccountState::Initialized);
    f.env.h.expire_blockhash();
    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice_key, 1)], &[&f.alice]);
    f.env.h.expire_blockhash();
    f.env.fails(
        &[token_ix::thaw_account(&PROGRAM, &f.alice_account, &f.mint, &freezer_key)],
        &[&f.freezer],
        custom(TokenError::InvalidState),
    );
}

#[test]
fn only_the_freeze_authority_freezes() {
    let mut f = fixture();
    // The owner, or the mint authority, cannot.
    f.env.fails(
        &[token_ix::freeze_account(&PROGRAM, &f.alice_account, &f.mint, &f.alice.pubkey())],
        &[&f.alice],
        custom(TokenError::OwnerMismatch),
    );
    f.env.fails(
        &[token_ix::freeze_account(&PROGRAM, &f.alice_account, &f.mint, &f.mint_authority.pubkey())],
        &[&f.mint_authority],
        custom(TokenError::OwnerMismatch),
    );
    // The freeze authority's key without its signature.
    f.env.fails(
        &[with_signer(token_ix::freeze_account(&PROGRAM, &f.alice_account, &f.mint, &f.freezer.pubkey()), 2, false)],
        &[],
        InstructionError::MissingRequiredSignature,
    );
    // Another mint whose freeze authority the caller holds.
    let own_mint = f.env.create_mint(&f.alice.pubkey(), Some(&f.alice.pubkey()), DECIMALS);
    f.env.fails(
        &[token_ix::freeze_account(&PROGRAM, &f.bob_account, &own_mint, &f.alice.pubkey())],
        &[&f.alice],
        custom(TokenError::MintMismatch),
    );
    // A mint with no freeze authority.
    let no_freeze_mint = f.env.create_mint(&f.mint_authority.pubkey(), None, DECIMALS);
    let account = f.env.create_account(&no_freeze_mint, &f.alice.pubkey());
    f.env.fails(
        &[token_ix::freeze_account(&PROGRAM, &account, &no_freeze_mint, &f.mint_authority.pubkey())],
        &[&f.mint_authority],
        custom(TokenError::MintCannotFreeze),
    );
}
