//! Durable nonce accounts through the bank: created, initialized, advanced
//! once per blockhash, handed to a new authority, withdrawn from and
//! closed, upgraded from the legacy version; each refusal with Solana's
//! error and log line.

use super::funded;
use lanes_runtime::harness::Harness;
use lanes_runtime::pipeline::{execute_batch, BatchConfig};
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::message::{v0, VersionedMessage};
use lanes_sdk::nonce::{Data, DurableNonce, State, Versions};
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::transaction::{Transaction, VersionedTransaction};
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, system_program, sysvar, Account, Instruction, Pubkey};

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

/// The nonce a transaction uses now: the stored durable nonce.
fn stored_nonce(h: &Harness, nonce: &Pubkey) -> Hash {
    match nonce_state(h, nonce).state() {
        State::Initialized(data) => data.blockhash(),
        State::Uninitialized => panic!("the nonce account is initialized"),
    }
}

/// A transaction signed now to be sent later: its first instruction
/// advances `nonce`, its blockhash is the nonce's value.
fn durable(h: &Harness, payer: &Keypair, authority: &Keypair, nonce: &Pubkey, rest: &[Instruction]) -> Transaction {
    let mut instructions = vec![system_instruction::advance_nonce_account(nonce, &authority.pubkey())];
    instructions.extend_from_slice(rest);
    let signers: Vec<&Keypair> =
        if authority.pubkey() == payer.pubkey() { vec![payer] } else { vec![payer, authority] };
    Transaction::new_signed_with_payer(&instructions, Some(&payer.pubkey()), &signers, stored_nonce(h, nonce))
}

#[test]
fn a_durable_transaction_lands_long_after_its_blockhash_and_only_once() {
    let authority = Keypair::new();
    let (mut h, payer, nonce) = with_nonce(&authority.pubkey());
    let to = Pubkey::new_unique();
    let tx = durable(&h, &payer, &authority, &nonce, &[system_instruction::transfer(&payer.pubkey(), &to, 1_000_000)]);
    // Every blockhash of its time expires.
    for _ in 0..200 {
        h.expire_blockhash();
    }
    let balance = h.get_balance(&payer.pubkey());
    let meta = h.send_transaction(tx.clone()).unwrap();
    assert_eq!(h.get_balance(&to), 1_000_000);
    assert_eq!(h.get_balance(&payer.pubkey()), balance - 1_000_000 - meta.fee);
    assert_eq!(meta.fee, 10_000, "the payer and the authority sign");
    assert_eq!(nonce_state(&h, &nonce), nonce_at(&authority.pubkey(), &h.latest_blockhash()), "advanced");
    // Its nonce has moved on: the same transaction again is stale, refused, free.
    let balance = h.get_balance(&payer.pubkey());
    assert_eq!(h.send_transaction(tx).unwrap_err().err, TransactionError::BlockhashNotFound);
    assert_eq!(h.get_balance(&payer.pubkey()), balance);

    // A v0 message uses a nonce the same way.
    h.expire_blockhash();
    let instructions = [
        system_instruction::advance_nonce_account(&nonce, &authority.pubkey()),
        system_instruction::transfer(&payer.pubkey(), &to, 1_000_000),
    ];
    let message = v0::Message::try_compile(&payer.pubkey(), &instructions, &[], stored_nonce(&h, &nonce)).unwrap();
    let v0_tx = VersionedTransaction::try_new(VersionedMessage::V0(message), &[&payer, &authority]).unwrap();
    h.send_transaction(&v0_tx).unwrap();
    assert_eq!(h.get_balance(&to), 2_000_000);
    assert_eq!(h.send_transaction(v0_tx).unwrap_err().err, TransactionError::BlockhashNotFound);
}

#[test]
fn a_failing_durable_transaction_advances_its_nonce_and_pays_its_fee() {
    let authority = Keypair::new();
    let (mut h, payer, nonce) = with_nonce(&authority.pubkey());
    let to = Pubkey::new_unique();
    let too_much = system_instruction::transfer(&payer.pubkey(), &to, u64::MAX / 2);
    let tx = durable(&h, &payer, &authority, &nonce, &[too_much]);
    h.expire_blockhash();
    let balance = h.get_balance(&payer.pubkey());
    let failed = h.send_transaction(tx.clone()).unwrap_err();
    assert!(matches!(failed.err, TransactionError::InstructionError(1, _)), "{failed:?}");
    assert_eq!(h.get_balance(&payer.pubkey()), balance - 10_000, "the fee, nothing else");
    assert_eq!(h.get_balance(&to), 0);
    // Advanced all the same, so the failed transaction cannot be replayed for its fee.
    assert_eq!(nonce_state(&h, &nonce), nonce_at(&authority.pubkey(), &h.latest_blockhash()));
    assert_eq!(h.send_transaction(tx).unwrap_err().err, TransactionError::BlockhashNotFound);
}

#[test]
fn a_durable_transaction_is_refused_unless_its_nonce_is_usable() {
    let authority = Keypair::new();
    let stranger = Keypair::new();
    let (mut h, payer, nonce) = with_nonce(&authority.pubkey());
    let to = Pubkey::new_unique();
    let transfer = system_instruction::transfer(&payer.pubkey(), &to, 1_000_000);
    h.expire_blockhash();
    let balance = h.get_balance(&payer.pubkey());
    let refused = |h: &mut Harness, tx: Transaction| {
        assert_eq!(h.send_transaction(tx).unwrap_err().err, TransactionError::BlockhashNotFound);
        assert_eq!(h.get_balance(&payer.pubkey()), balance, "refused: no fee");
        assert_eq!(h.get_balance(&to), 0);
    };
    let value = stored_nonce(&h, &nonce);
    let sign = |ixs: &[Instruction], signers: &[&Keypair]| {
        Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), signers, value)
    };
    // Advanced by someone who is not its authority.
    let by_stranger = durable(&h, &payer, &stranger, &nonce, std::slice::from_ref(&transfer));
    refused(&mut h, by_stranger);
    // The advance not first.
    let advance = system_instruction::advance_nonce_account(&nonce, &authority.pubkey());
    refused(&mut h, sign(&[transfer.clone(), advance.clone()], &[&payer, &authority]));
    // The nonce account read-only.
    let mut read_only = advance.clone();
    read_only.accounts[0].is_writable = false;
    refused(&mut h, sign(&[read_only, transfer.clone()], &[&payer, &authority]));
    // A blockhash that is neither recent nor the nonce.
    let mut stale = sign(&[advance, transfer.clone()], &[&payer, &authority]);
    stale.message.recent_blockhash = Hash([3; 32]);
    stale.signatures = vec![payer.sign_message(&stale.message_data()), authority.sign_message(&stale.message_data())];
    refused(&mut h, stale);

    // Advanced in this blockhash already: its new value waits for the next blockhash.
    h.send_transaction(durable(&h, &payer, &authority, &nonce, &[])).unwrap();
    let balance = h.get_balance(&payer.pubkey());
    let next = durable(&h, &payer, &authority, &nonce, std::slice::from_ref(&transfer));
    assert_eq!(h.send_transaction(next.clone()).unwrap_err().err, TransactionError::BlockhashNotFound);
    assert_eq!(h.get_balance(&payer.pubkey()), balance);
    h.expire_blockhash();
    h.send_transaction(next).unwrap();
    assert_eq!(h.get_balance(&to), 1_000_000);
}

#[test]
fn two_transactions_on_one_nonce_in_one_batch_commit_once() {
    let authority = Keypair::new();
    let (mut h, payer, nonce) = with_nonce(&authority.pubkey());
    let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
    let first =
        durable(&h, &payer, &authority, &nonce, &[system_instruction::transfer(&payer.pubkey(), &a, 1_000_000)]);
    let second =
        durable(&h, &payer, &authority, &nonce, &[system_instruction::transfer(&payer.pubkey(), &b, 1_000_000)]);
    h.expire_blockhash();
    let output = execute_batch(h.bank(), vec![first, second], &BatchConfig::with_threads(2)).unwrap();
    let committed: Vec<bool> = output.outcomes.iter().map(|o| o.committed).collect();
    assert_eq!(committed.iter().filter(|c| **c).count(), 1, "{:?}", output.outcomes);
    let loser = output.outcomes.iter().find(|o| !o.committed).unwrap();
    assert_eq!(loser.result, Err(TransactionError::BlockhashNotFound), "refused under its locks: the nonce moved");
    assert_eq!(h.get_balance(&a) + h.get_balance(&b), 1_000_000);
    assert_eq!(nonce_state(&h, &nonce), nonce_at(&authority.pubkey(), &h.latest_blockhash()));
}
