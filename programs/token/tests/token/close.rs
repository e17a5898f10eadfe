//! Closing accounts: lamports out, data wiped, by the owner or close authority.

use crate::common::*;
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::Pubkey;
use lanes_token::error::TokenError;
use lanes_token::instruction::{self as token_ix, AuthorityType};

#[test]
fn close_account_moves_lamports_and_wipes_it() {
    let mut f = fixture();
    let destination = Pubkey::new_unique_from_u64(77);
    f.env.track(destination);

    f.env.fails(
        &[token_ix::close_account(&PROGRAM, &f.alice_account, &destination, &f.alice.pubkey())],
        &[&f.alice],
        custom(TokenError::NonZeroBalance),
    );
    f.env.fails(
        &[token_ix::close_account(&PROGRAM, &f.bob_account, &destination, &f.alice.pubkey())],
        &[&f.alice],
        custom(TokenError::OwnerMismatch),
    );
    f.env.fails(
        &[token_ix::close_account(&PROGRAM, &f.bob_account, &f.bob_account, &f.bob.pubkey())],
        &[&f.bob],
        InstructionError::InvalidAccountData,
    );

    f.env.ok(&[token_ix::close_account(&PROGRAM, &f.bob_account, &destination, &f.bob.pubkey())], &[&f.bob]);
    assert_eq!(f.env.lamports(&destination), ACCOUNT_LAMPORTS);
    match f.env.h.get_account(&f.bob_account) {
        None => {}
        Some(account) => {
            assert_eq!(account.lamports, 0);
            assert!(account.data.iter().all(|b| *b == 0));
        }
    }
    // Gone: it can no longer receive tokens (it is no longer the program's).
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &f.alice.pubkey(), 1)],
        &[&f.alice],
        InstructionError::IncorrectProgramId,
    );

    // Burn to zero, then close (the close that failed above, now a new transaction).
    f.env.ok(&[token_ix::burn(&PROGRAM, &f.alice_account, &f.mint, &f.alice.pubkey(), 1000)], &[&f.alice]);
    f.env.h.expire_blockhash();
    f.env.ok(&[token_ix::close_account(&PROGRAM, &f.alice_account, &destination, &f.alice.pubkey())], &[&f.alice]);
    assert_eq!(f.env.lamports(&destination), 2 * ACCOUNT_LAMPORTS);
}

#[test]
fn close_authority_closes_instead_of_the_owner() {
    let mut f = fixture();
    let closer = Keypair::new();
    let destination = Pubkey::new_unique_from_u64(78);
    f.env.ok(
        &[token_ix::set_authority(
            &PROGRAM,
            &f.bob_account,
            Some(&closer.pubkey()),
            AuthorityType::CloseAccount,
            &f.bob.pubkey(),
        )],
        &[&f.bob],
    );
    assert_eq!(f.env.token(&f.bob_account).close_authority, Some(closer.pubkey()));
    // The owner no longer closes it, nor changes the close authority back.
    f.env.fails(
        &[token_ix::close_account(&PROGRAM, &f.bob_account, &destination, &f.bob.pubkey())],
        &[&f.bob],
        custom(TokenError::OwnerMismatch),
    );
    f.env.fails(
        &[token_ix::set_authority(&PROGRAM, &f.bob_account, None, AuthorityType::CloseAccount, &f.bob.pubkey())],
        &[&f.bob],
        custom(TokenError::OwnerMismatch),
    );
    // And the close authority cannot spend.
    f.env.mint_to(&f.mint, &f.bob_account, &f.mint_authority, 3);
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.bob_account, &f.alice_account, &closer.pubkey(), 3)],
        &[&closer],
        custom(TokenError::OwnerMismatch),
    );
    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.bob_account, &f.alice_account, &f.bob.pubkey(), 3)], &[&f.bob]);
    f.env.ok(&[token_ix::close_account(&PROGRAM, &f.bob_account, &destination, &closer.pubkey())], &[&closer]);
    assert_eq!(f.env.lamports(&destination), ACCOUNT_LAMPORTS);
}
