//! Mints: initializing, minting, burning, supply limits and the mint authority.

use crate::common::*;
use lanes_sdk::client::Keypair;
use lanes_sdk::Pubkey;
use lanes_token::error::TokenError;
use lanes_token::instruction::{self as token_ix, AuthorityType};
use lanes_token::state::{AccountState, Mint, TokenAccount};

#[test]
fn initialize_mint_and_account() {
    let mut env = Env::new();
    let authority = Pubkey::new_unique_from_u64(1);
    let freezer = Pubkey::new_unique_from_u64(2);
    let mint = env.create_mint(&authority, Some(&freezer), 9);
    assert_eq!(
        env.mint(&mint),
        Mint {
            supply: 0,
            decimals: 9,
            is_initialized: true,
            mint_authority: Some(authority),
            freeze_authority: Some(freezer)
        }
    );
    let raw = env.h.get_account(&mint).unwrap();
    assert_eq!(raw.data.len(), Mint::LEN);
    assert_eq!(raw.lamports, ACCOUNT_LAMPORTS);

    let no_freeze = env.create_mint(&authority, None, 0);
    assert_eq!(env.mint(&no_freeze).freeze_authority, None);

    let owner = Pubkey::new_unique_from_u64(3);
    let account = env.create_account(&mint, &owner);
    assert_eq!(
        env.token(&account),
        TokenAccount { mint, owner, amount: 0, state: AccountState::Initialized, ..TokenAccount::default() }
    );
    assert_eq!(env.h.get_account(&account).unwrap().data.len(), TokenAccount::LEN);
}

#[test]
fn mint_to_adds_to_balance_and_supply() {
    let mut f = fixture();
    assert_eq!(f.env.amount(&f.alice_account), 1000);
    assert_eq!(f.env.mint(&f.mint).supply, 1000);
    f.env.mint_to(&f.mint, &f.bob_account, &f.mint_authority, 250);
    assert_eq!(f.env.amount(&f.bob_account), 250);
    assert_eq!(f.env.mint(&f.mint).supply, 1250);
}

#[test]
fn burn_reduces_balance_and_supply() {
    let mut f = fixture();
    f.env.ok(&[token_ix::burn(&PROGRAM, &f.alice_account, &f.mint, &f.alice.pubkey(), 400)], &[&f.alice]);
    assert_eq!(f.env.amount(&f.alice_account), 600);
    assert_eq!(f.env.mint(&f.mint).supply, 600);
    f.env.fails(
        &[token_ix::burn(&PROGRAM, &f.alice_account, &f.mint, &f.alice.pubkey(), 601)],
        &[&f.alice],
        custom(TokenError::InsufficientFunds),
    );
    f.env.fails(
        &[token_ix::burn(&PROGRAM, &f.alice_account, &f.mint, &f.bob.pubkey(), 1)],
        &[&f.bob],
        custom(TokenError::OwnerMismatch),
    );
    let other_mint = f.env.create_mint(&f.mint_authority.pubkey(), None, DECIMALS);
    f.env.fails(
        &[token_ix::burn(&PROGRAM, &f.alice_account, &other_mint, &f.alice.pubkey(), 1)],
        &[&f.alice],
        custom(TokenError::MintMismatch),
    );
    f.env.ok(&[token_ix::burn(&PROGRAM, &f.alice_account, &f.mint, &f.alice.pubkey(), 600)], &[&f.alice]);
    assert_eq!(f.env.mint(&f.mint).supply, 0);
}

#[test]
fn mint_overflow_is_an_error() {
    let mut f = fixture();
    let authority = f.mint_authority.pubkey();
    f.env.mint_to(&f.mint, &f.bob_account, &f.mint_authority, u64::MAX - 1000);
    assert_eq!(f.env.mint(&f.mint).supply, u64::MAX);
    f.env.fails(
        &[token_ix::mint_to(&PROGRAM, &f.mint, &f.bob_account, &authority, 1)],
        &[&f.mint_authority],
        custom(TokenError::Overflow),
    );
    f.env.fails(
        &[token_ix::mint_to(&PROGRAM, &f.mint, &f.alice_account, &authority, u64::MAX)],
        &[&f.mint_authority],
        custom(TokenError::Overflow),
    );
    // Everything still adds up.
    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &f.alice.pubkey(), 1000)], &[&f.alice]);
    assert_eq!(f.env.amount(&f.bob_account), u64::MAX);
}

#[test]
fn a_mint_without_authority_never_mints_again() {
    let mut f = fixture();
    let authority = f.mint_authority.pubkey();
    f.env.ok(
        &[token_ix::set_authority(&PROGRAM, &f.mint, None, AuthorityType::MintTokens, &authority)],
        &[&f.mint_authority],
    );
    assert_eq!(f.env.mint(&f.mint).mint_authority, None);
    f.env.fails(
        &[token_ix::mint_to(&PROGRAM, &f.mint, &f.alice_account, &authority, 1)],
        &[&f.mint_authority],
        custom(TokenError::FixedSupply),
    );
    // Nobody can put an authority back, the old one included.
    f.env.fails(
        &[token_ix::set_authority(&PROGRAM, &f.mint, Some(&authority), AuthorityType::MintTokens, &authority)],
        &[&f.mint_authority],
        custom(TokenError::FixedSupply),
    );
    f.env.fails(
        &[token_ix::mint_to(&PROGRAM, &f.mint, &f.alice_account, &f.alice.pubkey(), 2)],
        &[&f.alice],
        custom(TokenError::FixedSupply),
    );
    assert_eq!(f.env.mint(&f.mint).supply, 1000);
}

#[test]
fn set_authority_on_a_mint() {
    let mut f = fixture();
    let new_authority = Keypair::new();
    let old = f.mint_authority.pubkey();
    f.env.fails(
        &[token_ix::set_authority(
            &PROGRAM,
            &f.mint,
            Some(&f.alice.pubkey()),
            AuthorityType::MintTokens,
            &f.alice.pubkey(),
        )],
        &[&f.alice],
        custom(TokenError::OwnerMismatch),
    );
    f.env.ok(
        &[token_ix::set_authority(&PROGRAM, &f.mint, Some(&new_authority.pubkey()), AuthorityType::MintTokens, &old)],
        &[&f.mint_authority],
    );
    assert_eq!(f.env.mint(&f.mint).mint_authority, Some(new_authority.pubkey()));
    f.env.fails(
        &[token_ix::mint_to(&PROGRAM, &f.mint, &f.bob_account, &old, 1)],
        &[&f.mint_authority],
        custom(TokenError::OwnerMismatch),
    );
    f.env.mint_to(&f.mint, &f.bob_account, &new_authority, 2);
    assert_eq!(f.env.amount(&f.bob_account), 2);

    // Freeze authority: hand it over, then remove it.
    let new_freezer = Keypair::new();
    f.env.ok(
        &[token_ix::set_authority(
            &PROGRAM,
            &f.mint,
            Some(&new_freezer.pubkey()),
            AuthorityType::FreezeAccount,
            &f.freezer.pubkey(),
        )],
        &[&f.freezer],
    );
    f.env.fails(
        &[token_ix::freeze_account(&PROGRAM, &f.alice_account, &f.mint, &f.freezer.pubkey())],
        &[&f.freezer],
        custom(TokenError::OwnerMismatch),
    );
    f.env.ok(
        &[token_ix::set_authority(&PROGRAM, &f.mint, None, AuthorityType::FreezeAccount, &new_freezer.pubkey())],
        &[&new_freezer],
    );
    assert_eq!(f.env.mint(&f.mint).freeze_authority, None);
    f.env.fails(
        &[token_ix::freeze_account(&PROGRAM, &f.alice_account, &f.mint, &new_freezer.pubkey())],
        &[&new_freezer],
        custom(TokenError::MintCannotFreeze),
    );
    f.env.fails(
        &[token_ix::set_authority(
            &PROGRAM,
            &f.mint,
            Some(&new_freezer.pubkey()),
            AuthorityType::FreezeAccount,
            &new_freezer.pubkey(),
        )],
        &[&new_freezer],
        custom(TokenError::MintCannotFreeze),
    );

    // Account authority types do not apply to a mint.
    f.env.fails(
        &[token_ix::set_authority(&PROGRAM, &f.mint, Some(&old), AuthorityType::AccountOwner, &new_authority.pubkey())],
        &[&new_authority],
        custom(TokenError::AuthorityTypeNotSupported),
    );
    f.env.fails(
        &[token_ix::set_authority(&PROGRAM, &f.mint, Some(&old), AuthorityType::CloseAccount, &new_authority.pubkey())],
        &[&new_authority],
        custom(TokenError::AuthorityTypeNotSupported),
    );
}
