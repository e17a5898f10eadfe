//! Refusals: foreign, uninitialized, misshapen or doubly initialized
//! accounts, malformed instructions, and all-or-nothing transactions.

use crate::common::*;
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::{system_instruction, system_program, Account, AccountMeta, Instruction, Pubkey};
use lanes_token::error::TokenError;
use lanes_token::instruction::{self as token_ix, AuthorityType, TokenInstruction};
use lanes_token::state::{AccountState, Mint, Pack, TokenAccount};

#[test]
fn a_failing_instruction_undoes_the_whole_transaction() {
    let mut f = fixture();
    let alice_key = f.alice.pubkey();
    f.env.fails_at(
        1,
        &[
            token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice_key, 600),
            token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice_key, 600),
        ],
        &[&f.alice],
        custom(TokenError::InsufficientFunds),
    );
    assert_eq!(f.env.amount(&f.alice_account), 1000);
    assert_eq!(f.env.amount(&f.bob_account), 0);
}

#[test]
fn accounts_the_program_does_not_own_are_refused() {
    let mut f = fixture();
    let alice_key = f.alice.pubkey();
    let other_program = Pubkey::new_unique_from_u64(0xbad);

    // A perfect copy of a token account holding a fortune, owned by the
    // system program or by another program.
    let forged = TokenAccount {
        mint: f.mint,
        owner: alice_key,
        amount: u64::MAX / 2,
        state: AccountState::Initialized,
        ..TokenAccount::default()
    };
    let by_system = f.env.plant(
        Pubkey::new_unique_from_u64(500),
        Account::with_data(ACCOUNT_LAMPORTS, forged.to_bytes(), &system_program::ID),
    );
    let by_other = f.env.plant(
        Pubkey::new_unique_from_u64(501),
        Account::with_data(ACCOUNT_LAMPORTS, forged.to_bytes(), &other_program),
    );
    for fake in [by_system, by_other] {
        f.env.fails(
            &[token_ix::transfer(&PROGRAM, &fake, &f.bob_account, &alice_key, 10)],
            &[&f.alice],
            InstructionError::IncorrectProgramId,
        );
        f.env.fails(
            &[token_ix::transfer(&PROGRAM, &f.alice_account, &fake, &alice_key, 10)],
            &[&f.alice],
            InstructionError::IncorrectProgramId,
        );
        f.env.fails(
            &[token_ix::burn(&PROGRAM, &fake, &f.mint, &alice_key, 10)],
            &[&f.alice],
            InstructionError::IncorrectProgramId,
        );
        f.env.fails(
            &[token_ix::close_account(&PROGRAM, &fake, &alice_key, &alice_key)],
            &[&f.alice],
            InstructionError::IncorrectProgramId,
        );
    }

    // A forged mint, naming the attacker as mint authority.
    let mallory = Keypair::new();
    let fake_mint_state = Mint {
        supply: 0,
        decimals: DECIMALS,
        is_initialized: true,
        mint_authority: Some(mallory.pubkey()),
        freeze_authority: Some(mallory.pubkey()),
    };
    let fake_mint = f.env.plant(
        Pubkey::new_unique_from_u64(502),
        Account::with_data(ACCOUNT_LAMPORTS, fake_mint_state.to_bytes(), &other_program),
    );
    // Cannot back a new token account...
    let raw = f.env.create_raw(TokenAccount::LEN);
    f.env.fails(
        &[token_ix::initialize_account(&PROGRAM, &raw, &fake_mint, &mallory.pubkey())],
        &[],
        InstructionError::IncorrectProgramId,
    );
    // ...nor pass as the real mint in checked transfers, freezes or mints.
    f.env.fails(
        &[token_ix::transfer_checked(&PROGRAM, &f.alice_account, &fake_mint, &f.bob_account, &alice_key, 1, DECIMALS)],
        &[&f.alice],
        custom(TokenError::MintMismatch),
    );
    f.env.fails(
        &[token_ix::freeze_account(&PROGRAM, &f.alice_account, &fake_mint, &mallory.pubkey())],
        &[&mallory],
        custom(TokenError::MintMismatch),
    );
    // A forged account of the forged mint cannot be minted into either.
    let forged_for_fake = TokenAccount {
        mint: fake_mint,
        owner: mallory.pubkey(),
        state: AccountState::Initialized,
        ..TokenAccount::default()
    };
    let fake_dest = f.env.plant(
        Pubkey::new_unique_from_u64(503),
        Account::with_data(ACCOUNT_LAMPORTS, forged_for_fake.to_bytes(), &system_program::ID),
    );
    f.env.fails(
        &[token_ix::mint_to(&PROGRAM, &fake_mint, &fake_dest, &mallory.pubkey(), 1)],
        &[&mallory],
        InstructionError::IncorrectProgramId,
    );
    // Nor have its authorities changed.
    f.env.fails(
        &[token_ix::set_authority(&PROGRAM, &fake_mint, None, AuthorityType::MintTokens, &mallory.pubkey())],
        &[&mallory],
        InstructionError::IncorrectProgramId,
    );
}

#[test]
fn a_second_copy_of_the_program_cannot_touch_the_first_ones_accounts() {
    let mut f = fixture();
    let copy = Pubkey::new_unique_from_u64(0xc0);
    f.env.h.add_program(copy, lanes_program_artifacts::TOKEN).expect("deploys");
    // Accounts of the real program, driven through the copy.
    f.env.fails(
        &[token_ix::transfer(&copy, &f.alice_account, &f.bob_account, &f.alice.pubkey(), 1)],
        &[&f.alice],
        InstructionError::IncorrectProgramId,
    );
    f.env.fails(
        &[token_ix::mint_to(&copy, &f.mint, &f.alice_account, &f.mint_authority.pubkey(), 1)],
        &[&f.mint_authority],
        InstructionError::IncorrectProgramId,
    );
    // A mint of the copy cannot back an account of the real program.
    let mallory = Keypair::new();
    let copy_mint = Keypair::new();
    f.env.ok(
        &[
            system_instruction::create_account(
                &f.env.payer.pubkey(),
                &copy_mint.pubkey(),
                ACCOUNT_LAMPORTS,
                Mint::LEN as u64,
                &copy,
            ),
            token_ix::initialize_mint(&copy, &copy_mint.pubkey(), &mallory.pubkey(), None, DECIMALS),
        ],
        &[&copy_mint],
    );
    let raw = f.env.create_raw(TokenAccount::LEN);
    f.env.fails(
        &[token_ix::initialize_account(&PROGRAM, &raw, &copy_mint.pubkey(), &mallory.pubkey())],
        &[],
        InstructionError::IncorrectProgramId,
    );
}

#[test]
fn double_initialization_is_refused() {
    let mut f = fixture();
    let mallory = Keypair::new();
    f.env.fails(
        &[token_ix::initialize_mint(&PROGRAM, &f.mint, &mallory.pubkey(), None, 0)],
        &[],
        custom(TokenError::AlreadyInUse),
    );
    f.env.fails(
        &[token_ix::initialize_account(&PROGRAM, &f.alice_account, &f.mint, &mallory.pubkey())],
        &[],
        custom(TokenError::AlreadyInUse),
    );
    assert_eq!(f.env.mint(&f.mint).mint_authority, Some(f.mint_authority.pubkey()));
    assert_eq!(f.env.token(&f.alice_account).owner, f.alice.pubkey());
}

#[test]
fn uninitialized_and_misshapen_accounts_are_refused() {
    let mut f = fixture();
    let alice_key = f.alice.pubkey();
    let raw_account = f.env.create_raw(TokenAccount::LEN);
    let raw_mint = f.env.create_raw(Mint::LEN);
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.alice_account, &raw_account, &alice_key, 1)],
        &[&f.alice],
        InstructionError::UninitializedAccount,
    );
    f.env.fails(
        &[token_ix::initialize_account(&PROGRAM, &raw_account, &raw_mint, &alice_key)],
        &[],
        custom(TokenError::InvalidMint),
    );
    f.env.fails(
        &[token_ix::mint_to(&PROGRAM, &raw_mint, &raw_account, &alice_key, 1)],
        &[&f.alice],
        InstructionError::UninitializedAccount,
    );
    // A token account where a mint belongs, and the other way round.
    f.env.fails(
        &[token_ix::initialize_account(&PROGRAM, &raw_account, &f.bob_account, &alice_key)],
        &[],
        custom(TokenError::InvalidMint),
    );
    f.env.fails(
        &[token_ix::transfer(&PROGRAM, &f.mint, &f.bob_account, &f.mint_authority.pubkey(), 0)],
        &[&f.mint_authority],
        InstructionError::InvalidAccountData,
    );
    f.env.fails(
        &[token_ix::initialize_mint(&PROGRAM, &raw_account, &alice_key, None, 0)],
        &[],
        InstructionError::InvalidAccountData,
    );
    f.env.fails(
        &[token_ix::initialize_account(&PROGRAM, &raw_mint, &f.mint, &alice_key)],
        &[],
        InstructionError::InvalidAccountData,
    );
    // Wrong sizes.
    let odd = f.env.create_raw(TokenAccount::LEN + 1);
    f.env.fails(
        &[token_ix::initialize_account(&PROGRAM, &odd, &f.mint, &alice_key)],
        &[],
        InstructionError::InvalidAccountData,
    );
    f.env.fails(
        &[token_ix::set_authority(&PROGRAM, &odd, None, AuthorityType::CloseAccount, &alice_key)],
        &[&f.alice],
        InstructionError::InvalidAccountData,
    );
    // An uninitialized account is initialized exactly once, then works.
    f.env.ok(&[token_ix::initialize_account(&PROGRAM, &raw_account, &f.mint, &alice_key)], &[]);
    f.env.h.expire_blockhash();
    f.env.ok(&[token_ix::transfer(&PROGRAM, &f.alice_account, &raw_account, &alice_key, 1)], &[&f.alice]);
    assert_eq!(f.env.amount(&raw_account), 1);
}

#[test]
fn malformed_instructions_are_refused() {
    let mut f = fixture();
    let accounts = vec![
        AccountMeta::new(f.alice_account, false),
        AccountMeta::new(f.bob_account, false),
        AccountMeta::new_readonly(f.alice.pubkey(), true),
    ];
    let cases: [&[u8]; 5] = [&[], &[200], &[3, 1, 2, 3], &[3, 1, 0, 0, 0, 0, 0, 0, 0, 0], &[11, 9, 0]];
    for data in cases {
        f.env.fails(
            &[Instruction::new_with_bytes(PROGRAM, data, accounts.clone())],
            &[&f.alice],
            InstructionError::InvalidInstructionData,
        );
    }
    // Too few accounts.
    f.env.fails(
        &[Instruction::new_with_borsh(PROGRAM, &TokenInstruction::Transfer { amount: 1 }, accounts[..2].to_vec())],
        &[],
        InstructionError::NotEnoughAccountKeys,
    );
    f.env.fails(
        &[Instruction::new_with_borsh(
            PROGRAM,
            &TokenInstruction::TransferChecked { amount: 1, decimals: DECIMALS },
            accounts.clone(),
        )],
        &[&f.alice],
        InstructionError::NotEnoughAccountKeys,
    );
    assert_eq!(f.env.amount(&f.alice_account), 1000);
}
