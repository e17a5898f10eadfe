//! Durable nonce accounts through the bank: created, initialized, advanced
//! once per blockhash, handed to a new authority, withdrawn from and
//! closed, upgraded from the legacy version; each refusal with Solana's
//! error and log line.

use super::funded;
use lanes_runtime::harness::Harness;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::nonce::{Data, DurableNonce, State, Versions};
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, system_program, sysvar, Account, Pubkey};

/// Solana's `SystemError::NonceBlockhashNotExpired`.
const NONCE_BLOCKHASH_NOT_EXPIRED: u32 = 7;

fn at(index: u8, err: InstructionError) -> TransactionError {
    TransactionError::InstructionError(index, err)
}

/// The nonce account's state as stored.
fn nonce_state(h: &Harness, nonce: &Pubkey) -> Versions {
    let account = h.get_account(nonce).expect("the nonce account exists");
    assert_eq!((account.owner, account.data.len()), (system_program::ID, State::size()));
    Versions::decode(&account.data).unwrap()
}

/// What a nonce holds after advancing (or initializing) at `blockhash`.
fn nonce_at(authority: &Pubkey, blockhash: &Hash) -> Versions {
    Versions::new(State::Initialized(Data::new(*authority, DurableNonce::from_blockhash(blockhash), 5_000)))
}

/// A harness with a funded payer and a nonce account initialized for `authority`.
fn with_nonce(authority: &Pubkey) -> (Harness, Keypair, Pubkey) {
    let (mut h, payer) = funded();
    let nonce = Keypair::new();
    let create =
        system_instruction::create_nonce_account(&payer.pubkey(), &nonce.pubkey(), authority, minimum_balance(80));
    h.expect_ok(&create, &payer, &[&nonce]);
    (h, payer, nonce.pubkey())
}

#[test]
fn a_nonce_account_is_created_advanced_withdrawn_from_and_closed() {
    let authority = Keypair::new();
    let (mut h, payer, nonce) = with_nonce(&authority.pubkey());
    assert_eq!(h.get_balance(&nonce), 1_447_680);
    assert_eq!(nonce_state(&h, &nonce), nonce_at(&authority.pubkey(), &h.latest_blockhash()));

    // Each new blockhash lets it advance once.
    let advance = system_instruction::advance_nonce_account(&nonce, &authority.pubkey());
    h.expect_ok(std::slice::from_ref(&advance), &payer, &[&authority]);
    assert_eq!(nonce_state(&h, &nonce), nonce_at(&authority.pubkey(), &h.latest_blockhash()));
    // Not twice on one blockhash: in one transaction, nor in the next one.
    let failed = h
        .expect_err(
            &[advance.clone(), advance.clone()],
            &payer,
            &[&authority],
            at(1, InstructionError::Custom(NONCE_BLOCKHASH_NOT_EXPIRED)),
        )
        .unchanged(&[nonce]);
    assert!(failed.meta.logs.iter().any(|l| l == "Advance nonce account: nonce can only advance once per slot"));
    let advanced_to = nonce_state(&h, &nonce);
    // The authority pays for this one: a different transaction on the same blockhash.
    h.airdrop(&authority.pubkey(), 1_000_000_000);
    h.send(std::slice::from_ref(&advance), &authority, &[]).unwrap();
    assert_ne!(nonce_state(&h, &nonce), advanced_to, "advanced on the blockhash of the failed one");
    let again = h.send(std::slice::from_ref(&advance), &payer, &[&authority]).unwrap_err();
    assert_eq!(again.err, at(0, InstructionError::Custom(NONCE_BLOCKHASH_NOT_EXPIRED)));

    // A partial withdrawal leaves the rent-exempt minimum.
    let to = Pubkey::new_unique_from_u64(77);
    let withdraw = |lamports| system_instruction::withdraw_nonce_account(&nonce, &authority.pubkey(), &to, lamports);
    h.expect_err(&[withdraw(1)], &payer, &[&authority], at(0, InstructionError::InsufficientFunds))
        .unchanged(&[nonce, to]);
    h.airdrop(&nonce, minimum_balance(0));
    h.expect_ok(&[withdraw(minimum_balance(0))], &payer, &[&authority]);
    assert_eq!((h.get_balance(&nonce), h.get_balance(&to)), (1_447_680, minimum_balance(0)));
    // The whole balance closes it: the account is gone at commit.
    h.expect_ok(&[withdraw(1_447_680)], &payer, &[&authority]);
    assert_eq!(h.get_account(&nonce), None);
    assert_eq!(h.get_balance(&to), minimum_balance(0) + 1_447_680);
}

#[test]
fn only_the_authority_advances_and_it_can_hand_the_nonce_over() {
    let authority = Keypair::new();
    let stranger = Keypair::new();
    let (mut h, payer, nonce) = with_nonce(&authority.pubkey());
    let State::Initialized(before) = nonce_state(&h, &nonce).state().clone() else { panic!("initialized") };

    let failed = h
        .expect_err(
            &[system_instruction::advance_nonce_account(&nonce, &stranger.pubkey())],
            &payer,
            &[&stranger],
            at(0, InstructionError::MissingRequiredSignature),
        )
        .unchanged(&[nonce]);
    let line = format!("Advance nonce account: Account {} must be a signer", authority.pubkey());
    assert!(failed.meta.logs.contains(&line), "{:#?}", failed.meta.logs);
    h.expect_err(
        &[system_instruction::authorize_nonce_account(&nonce, &stranger.pubkey(), &stranger.pubkey())],
        &payer,
        &[&stranger],
        at(0, InstructionError::MissingRequiredSignature),
    )
    .unchanged(&[nonce]);

    // Handed over: the nonce value stays, the old authority can no longer advance it.
    let new_authority = Keypair::new();
    h.expect_ok(
        &[system_instruction::authorize_nonce_account(&nonce, &authority.pubkey(), &new_authority.pubkey())],
        &payer,
        &[&authority],
    );
    let State::Initialized(data) = nonce_state(&h, &nonce).state().clone() else { panic!("initialized") };
    assert_eq!(data.authority, new_authority.pubkey());
    assert_eq!(data.durable_nonce, before.durable_nonce);
    h.expect_err(
        &[system_instruction::advance_nonce_account(&nonce, &authority.pubkey())],
        &payer,
        &[&authority],
        at(0, InstructionError::MissingRequiredSignature),
    )
    .unchanged(&[nonce]);
    h.expect_ok(
        &[system_instruction::advance_nonce_account(&nonce, &new_authority.pubkey())],
        &payer,
        &[&new_authority],
    );
    assert_eq!(nonce_state(&h, &nonce), nonce_at(&new_authority.pubkey(), &h.latest_blockhash()));
}

#[test]
fn initializing_needs_rent_exempt_lamports_and_an_uninitialized_account() {
    let (mut h, payer) = funded();
    let authority = Pubkey::new_unique_from_u64(5);
    let nonce = Keypair::new();
    let short = system_instruction::create_nonce_account(&payer.pubkey(), &nonce.pubkey(), &authority, 1_447_679);
    let failed = h.expect_err(&short, &payer, &[&nonce], at(1, InstructionError::InsufficientFunds)).failed;
    assert!(failed
        .meta
        .logs
        .iter()
        .any(|l| l == "Initialize nonce account: insufficient lamports 1447679, need 1447680"));
    assert_eq!(h.get_account(&nonce.pubkey()), None);

    let (mut h, payer, nonce) = with_nonce(&authority);
    h.expect_err(
        &[system_instruction::initialize_nonce_account(&nonce, &authority)],
        &payer,
        &[],
        at(0, InstructionError::InvalidAccountData),
    )
    .unchanged(&[nonce]);
}

#[test]
fn nonce_instructions_must_name_the_sysvars() {
    let authority = Keypair::new();
    let (mut h, payer, nonce) = with_nonce(&authority.pubkey());
    let mut advance = system_instruction::advance_nonce_account(&nonce, &authority.pubkey());
    advance.accounts[1].pubkey = sysvar::rent::ID;
    h.expect_err(&[advance], &payer, &[&authority], at(0, InstructionError::InvalidArgument)).unchanged(&[nonce]);
    let mut withdraw = system_instruction::withdraw_nonce_account(&nonce, &authority.pubkey(), &payer.pubkey(), 1);
    withdraw.accounts[3].pubkey = sysvar::clock::ID;
    h.expect_err(&[withdraw], &payer, &[&authority], at(0, InstructionError::InvalidArgument)).unchanged(&[nonce]);
    let mut advance = system_instruction::advance_nonce_account(&nonce, &authority.pubkey());
    advance.accounts.truncate(1);
    h.expect_err(&[advance], &payer, &[], at(0, InstructionError::NotEnoughAccountKeys)).unchanged(&[nonce]);
}

#[test]
fn upgrade_makes_a_legacy_nonce_current_once_and_needs_no_signature() {
    let (mut h, payer) = funded();
    let nonce = Pubkey::new_unique_from_u64(9);
    let authority = Pubkey::new_unique_from_u64(10);
    // A legacy nonce: its stored value is a plain blockhash.
    let stored = Hash([0x4c; 32]);
    let legacy_data = Data::new(authority, DurableNonce::from_blockhash(&stored), 5_000);
    let legacy = Versions::Legacy(Box::new(State::Initialized(legacy_data.clone())));
    h.set_account(nonce, Account::with_data(1_447_680, legacy.encode(), &system_program::ID));
    // A legacy nonce verifies no transaction until it is upgraded.
    assert_eq!(nonce_state(&h, &nonce).verify_recent_blockhash(&legacy_data.blockhash()), None);

    h.expect_ok(&[system_instruction::upgrade_nonce_account(&nonce)], &payer, &[]);
    let upgraded = Data { durable_nonce: DurableNonce::from_blockhash(&legacy_data.blockhash()), ..legacy_data };
    assert_eq!(nonce_state(&h, &nonce), Versions::new(State::Initialized(upgraded)));
    h.expect_err(
        &[system_instruction::upgrade_nonce_account(&nonce)],
        &payer,
        &[],
        at(0, InstructionError::InvalidArgument),
    )
    .unchanged(&[nonce]);

    // Another program's account is not a nonce the system program upgrades.
    let theirs = Pubkey::new_unique_from_u64(11);
    h.set_account(theirs, Account::with_data(1_447_680, legacy.encode(), &Pubkey::new_unique_from_u64(12)));
    h.expect_err(
        &[system_instruction::upgrade_nonce_account(&theirs)],
        &payer,
        &[],
        at(0, InstructionError::InvalidAccountOwner),
    )
    .unchanged(&[theirs]);
}
