//! The system program's durable nonce instructions run as the instruction
//! processor runs them ([`with_checked_changes`] around [`process`]), on a
//! context built by hand: every rule and each error, including those a
//! bank-built context cannot reach (no blockhash at all).

use super::error::{NONCE_BLOCKHASH_NOT_EXPIRED, NONCE_NO_RECENT_BLOCKHASHES};
use super::process;
use crate::execution::builtins::with_checked_changes;
use crate::execution::compute_budget::LAMPORTS_PER_SIGNATURE;
use crate::transaction_context::{InstructionAccount, TransactionAccounts, TransactionContext};
use lanes_sdk::hash::Hash;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::nonce::{Data, DurableNonce, State, Versions};
use lanes_sdk::system_instruction::SystemInstruction;
use lanes_sdk::{system_program, sysvar, Account, Pubkey};

const BLOCKHASH: Hash = Hash([0xb1; 32]);
const LATER: Hash = Hash([0xb2; 32]);
/// The rent-exempt minimum for a nonce account's 80 bytes.
const EXEMPT: u64 = 1_447_680;

fn key(n: u64) -> Pubkey {
    Pubkey::new_unique_from_u64(n)
}
fn nonce_key() -> Pubkey {
    key(1)
}
fn authority() -> Pubkey {
    key(2)
}
fn recipient() -> Pubkey {
    key(3)
}

/// One instruction account: key, account, signer, writable.
#[derive(Clone)]
struct Acc(Pubkey, Account, bool, bool);

fn sysvar_acc(id: Pubkey) -> Acc {
    Acc(id, Account::default(), false, false)
}

/// A system-owned nonce account of 80 bytes holding `versions`.
fn nonce_account(versions: &Versions, lamports: u64) -> Account {
    let mut data = versions.encode();
    data.resize(State::size(), 0);
    Account::with_data(lamports, data, &system_program::ID)
}

fn initialized_at(blockhash: &Hash) -> Versions {
    Versions::new(State::Initialized(Data::new(
        authority(),
        DurableNonce::from_blockhash(blockhash),
        LAMPORTS_PER_SIGNATURE,
    )))
}

fn state_of(account: &Account) -> Versions {
    Versions::decode(&account.data).unwrap()
}

/// Run `ix` on `accounts` (each its own transaction account, in order)
/// with `blockhash` in the context, checked as the processor checks a
/// builtin: the result, the accounts after, the logs.
fn run(
    accounts: &[Acc],
    ix: SystemInstruction,
    blockhash: Hash,
) -> (Result<(), InstructionError>, Vec<Account>, Vec<String>) {
    let tx = TransactionAccounts {
        keys: accounts.iter().map(|a| a.0).collect(),
        accounts: accounts.iter().map(|a| a.1.clone()).collect(),
        is_signer: accounts.iter().map(|a| a.2).collect(),
        is_writable: accounts.iter().map(|a| a.3).collect(),
    };
    let metas: Vec<InstructionAccount> = (0..accounts.len())
        .map(|i| InstructionAccount { tx_index: i as u16, is_signer: accounts[i].2, is_writable: accounts[i].3 })
        .collect();
    let mut ctx = TransactionContext::new(tx, 200_000, Default::default());
    ctx.blockhash = blockhash;
    let data = ix.encode();
    let result = with_checked_changes(&mut ctx, &system_program::ID, &metas, |ctx| process(ctx, &metas, &data));
    let logs = ctx.logs.lines.iter().map(|l| l.to_string()).collect();
    (result, ctx.accounts.accounts, logs)
}

fn err(accounts: &[Acc], ix: SystemInstruction, blockhash: Hash) -> InstructionError {
    run(accounts, ix, blockhash).0.unwrap_err()
}

// --- initialize -------------------------------------------------------------

fn initialize_accounts(nonce: Account) -> Vec<Acc> {
    vec![Acc(nonce_key(), nonce, false, true), sysvar_acc(sysvar::recent_blockhashes::ID), sysvar_acc(sysvar::rent::ID)]
}

#[test]
fn initialize_writes_the_current_version_with_the_blockhash_s_durable_nonce_and_fee() {
    // A created nonce account: 80 zero bytes, a legacy uninitialized nonce.
    let fresh = Account::new(EXEMPT, State::size(), &system_program::ID);
    let (result, after, _) =
        run(&initialize_accounts(fresh), SystemInstruction::InitializeNonceAccount(authority()), BLOCKHASH);
    assert_eq!(result, Ok(()));
    assert_eq!(state_of(&after[0]), initialized_at(&BLOCKHASH));
    assert_eq!(after[0].data, initialized_at(&BLOCKHASH).encode());
    assert_eq!(after[0].lamports, EXEMPT);
}

#[test]
fn initialize_refuses_each_bad_input_with_agave_s_error() {
    let ix = || SystemInstruction::InitializeNonceAccount(authority());
    let fresh = || Account::new(EXEMPT, State::size(), &system_program::ID);
    // One lamport short of rent-exempt.
    let short = Account::new(EXEMPT - 1, State::size(), &system_program::ID);
    let (result, _, logs) = run(&initialize_accounts(short), ix(), BLOCKHASH);
    assert_eq!(result, Err(InstructionError::InsufficientFunds));
    assert!(logs.iter().any(|l| l.contains("Initialize nonce account: insufficient lamports 1447679, need 1447680")));
    // Already initialized.
    let initialized = nonce_account(&initialized_at(&LATER), EXEMPT);
    assert_eq!(err(&initialize_accounts(initialized), ix(), BLOCKHASH), InstructionError::InvalidAccountData);
    // Read-only.
    let mut accounts = initialize_accounts(fresh());
    accounts[0].3 = false;
    assert_eq!(err(&accounts, ix(), BLOCKHASH), InstructionError::InvalidArgument);
    // Another account where a sysvar goes.
    for at in [1, 2] {
        let mut accounts = initialize_accounts(fresh());
        accounts[at].0 = key(9);
        assert_eq!(err(&accounts, ix(), BLOCKHASH), InstructionError::InvalidArgument, "account {at}");
    }
    // Too few accounts.
    for n in 0..3 {
        assert_eq!(err(&initialize_accounts(fresh())[..n], ix(), BLOCKHASH), InstructionError::NotEnoughAccountKeys);
    }
    // No blockhash to derive from.
    let (result, _, logs) = run(&initialize_accounts(fresh()), ix(), Hash::default());
    assert_eq!(result, Err(InstructionError::Custom(NONCE_NO_RECENT_BLOCKHASHES)));
    assert!(logs.iter().any(|l| l.contains("Initialize nonce account: recent blockhash list is empty")));
    // No data, garbage data, data too small for the initialized state.
    let empty = Account::new(EXEMPT, 0, &system_program::ID);
    assert_eq!(err(&initialize_accounts(empty), ix(), BLOCKHASH), InstructionError::InvalidAccountData);
    let garbage = Account::with_data(EXEMPT, vec![7; 80], &system_program::ID);
    assert_eq!(err(&initialize_accounts(garbage), ix(), BLOCKHASH), InstructionError::InvalidAccountData);
    let small = Account::new(EXEMPT, 8, &system_program::ID);
    assert_eq!(err(&initialize_accounts(small), ix(), BLOCKHASH), InstructionError::AccountDataTooSmall);
    // Another program's account.
    let theirs = Account::new(EXEMPT, State::size(), &key(8));
    assert_eq!(err(&initialize_accounts(theirs), ix(), BLOCKHASH), InstructionError::ExternalAccountDataModified);
}

// --- advance ----------------------------------------------------------------

fn advance_accounts(nonce: Account, authority_signs: bool) -> Vec<Acc> {
    vec![
        Acc(nonce_key(), nonce, false, true),
        sysvar_acc(sysvar::recent_blockhashes::ID),
        Acc(authority(), Account::default(), authority_signs, false),
    ]
}

#[test]
fn advance_moves_the_nonce_to_the_new_blockhash_once() {
    let stored = nonce_account(&initialized_at(&BLOCKHASH), EXEMPT);
    let (result, after, _) = run(&advance_accounts(stored, true), SystemInstruction::AdvanceNonceAccount, LATER);
    assert_eq!(result, Ok(()));
    assert_eq!(state_of(&after[0]), initialized_at(&LATER));
    // Again on the same blockhash: not expired.
    let (result, after_again, logs) =
        run(&advance_accounts(after[0].clone(), true), SystemInstruction::AdvanceNonceAccount, LATER);
    assert_eq!(result, Err(InstructionError::Custom(NONCE_BLOCKHASH_NOT_EXPIRED)));
    assert!(logs.iter().any(|l| l.contains("Advance nonce account: nonce can only advance once per slot")));
    assert_eq!(after_again[0], after[0]);
}

#[test]
fn advance_makes_a_legacy_nonce_current() {
    let legacy = Versions::Legacy(Box::new(initialized_at(&BLOCKHASH).state().clone()));
    let (result, after, _) =
        run(&advance_accounts(nonce_account(&legacy, EXEMPT), true), SystemInstruction::AdvanceNonceAccount, LATER);
    assert_eq!(result, Ok(()));
    assert_eq!(state_of(&after[0]), initialized_at(&LATER));
}

#[test]
fn advance_refuses_each_bad_input_with_agave_s_error() {
    let ix = || SystemInstruction::AdvanceNonceAccount;
    let stored = || nonce_account(&initialized_at(&BLOCKHASH), EXEMPT);
    // The authority did not sign (another signer does not count).
    let mut accounts = advance_accounts(stored(), false);
    accounts.push(Acc(key(7), Account::default(), true, false));
    let (result, _, logs) = run(&accounts, ix(), LATER);
    assert_eq!(result, Err(InstructionError::MissingRequiredSignature));
    assert!(logs
        .iter()
        .any(|l| l.contains(&format!("Advance nonce account: Account {} must be a signer", authority()))));
    // Uninitialized.
    let fresh = Account::new(EXEMPT, State::size(), &system_program::ID);
    assert_eq!(err(&advance_accounts(fresh, true), ix(), LATER), InstructionError::InvalidAccountData);
    // Read-only.
    let mut accounts = advance_accounts(stored(), true);
    accounts[0].3 = false;
    assert_eq!(err(&accounts, ix(), LATER), InstructionError::InvalidArgument);
    // Not the recent blockhashes sysvar (the rent sysvar instead).
    let mut accounts = advance_accounts(stored(), true);
    accounts[1].0 = sysvar::rent::ID;
    assert_eq!(err(&accounts, ix(), LATER), InstructionError::InvalidArgument);
    assert_eq!(err(&advance_accounts(stored(), true)[..1], ix(), LATER), InstructionError::NotEnoughAccountKeys);
    assert_eq!(err(&[], ix(), LATER), InstructionError::NotEnoughAccountKeys);
    assert_eq!(
        err(&advance_accounts(stored(), true), ix(), Hash::default()),
        InstructionError::Custom(NONCE_NO_RECENT_BLOCKHASHES)
    );
    // Another program's account that holds a nonce state.
    let mut theirs = stored();
    theirs.owner = key(8);
    assert_eq!(err(&advance_accounts(theirs, true), ix(), LATER), InstructionError::ExternalAccountDataModified);
}

// --- withdraw ---------------------------------------------------------------

/// The withdraw accounts, `signer` signing (when it is the nonce account
/// itself, that account signs and the list ends at the sysvars).
fn withdraw_accounts(nonce: Account, signer: Pubkey) -> Vec<Acc> {
    let mut accounts = vec![
        Acc(nonce_key(), nonce, signer == nonce_key(), true),
        Acc(recipient(), Account::new(5, 0, &system_program::ID), false, true),
        sysvar_acc(sysvar::recent_blockhashes::ID),
        sysvar_acc(sysvar::rent::ID),
    ];
    if signer != nonce_key() {
        accounts.push(Acc(signer, Account::default(), true, false));
    }
    accounts
}

#[test]
fn a_partial_withdrawal_keeps_the_rent_exempt_minimum() {
    let stored = nonce_account(&initialized_at(&BLOCKHASH), EXEMPT + 100);
    let (result, after, _) =
        run(&withdraw_accounts(stored.clone(), authority()), SystemInstruction::WithdrawNonceAccount(100), BLOCKHASH);
    assert_eq!(result, Ok(()));
    assert_eq!((after[0].lamports, after[1].lamports), (EXEMPT, 105));
    assert_eq!(after[0].data, stored.data, "the nonce is unchanged");
    let (result, _, logs) =
        run(&withdraw_accounts(stored, authority()), SystemInstruction::WithdrawNonceAccount(101), BLOCKHASH);
    assert_eq!(result, Err(InstructionError::InsufficientFunds));
    let need = EXEMPT + 101;
    assert!(logs.iter().any(|l| l.contains(&format!("insufficient lamports {}, need {need}", EXEMPT + 100))));
    // An amount whose sum with the minimum overflows.
    let stored = nonce_account(&initialized_at(&BLOCKHASH), EXEMPT);
    let ix = SystemInstruction::WithdrawNonceAccount(u64::MAX);
    assert_eq!(err(&withdraw_accounts(stored, authority()), ix, BLOCKHASH), InstructionError::InsufficientFunds);
}

#[test]
fn withdrawing_everything_de_initializes_an_expired_nonce() {
    let stored = nonce_account(&initialized_at(&BLOCKHASH), EXEMPT);
    let ix = SystemInstruction::WithdrawNonceAccount(EXEMPT);
    let (result, after, _) = run(&withdraw_accounts(stored.clone(), authority()), ix.clone(), LATER);
    assert_eq!(result, Ok(()));
    assert_eq!((after[0].lamports, after[1].lamports), (0, EXEMPT + 5));
    assert_eq!(state_of(&after[0]), Versions::new(State::Uninitialized));
    // Only the state's eight bytes are written; the rest is as it was.
    assert_eq!(after[0].data[..8], [1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(after[0].data[8..], stored.data[8..]);
    // Not on the blockhash the nonce was advanced to.
    let (result, _, logs) = run(&withdraw_accounts(stored, authority()), ix, BLOCKHASH);
    assert_eq!(result, Err(InstructionError::Custom(NONCE_BLOCKHASH_NOT_EXPIRED)));
    assert!(logs.iter().any(|l| l.contains("Withdraw nonce account: nonce can only advance once per slot")));
}

#[test]
fn an_uninitialized_nonce_account_signs_its_own_withdrawals() {
    let fresh = Account::new(EXEMPT, State::size(), &system_program::ID);
    let (result, after, _) =
        run(&withdraw_accounts(fresh.clone(), nonce_key()), SystemInstruction::WithdrawNonceAccount(7), BLOCKHASH);
    assert_eq!(result, Ok(()));
    assert_eq!((after[0].lamports, after[1].lamports), (EXEMPT - 7, 12));
    // The authority's signature is not the account's.
    let (result, _, logs) =
        run(&withdraw_accounts(fresh.clone(), authority()), SystemInstruction::WithdrawNonceAccount(7), BLOCKHASH);
    assert_eq!(result, Err(InstructionError::MissingRequiredSignature));
    assert!(logs.iter().any(|l| l.contains(&format!("Withdraw nonce account: Account {} must sign", nonce_key()))));
    let ix = SystemInstruction::WithdrawNonceAccount(EXEMPT + 1);
    assert_eq!(err(&withdraw_accounts(fresh, nonce_key()), ix, BLOCKHASH), InstructionError::InsufficientFunds);
}

#[test]
fn withdraw_refuses_each_bad_input_with_agave_s_error() {
    let ix = || SystemInstruction::WithdrawNonceAccount(10);
    let stored = || nonce_account(&initialized_at(&BLOCKHASH), EXEMPT + 10);
    assert_eq!(
        err(&withdraw_accounts(stored(), key(7)), ix(), LATER),
        InstructionError::MissingRequiredSignature,
        "a stranger signs"
    );
    let mut accounts = withdraw_accounts(stored(), authority());
    accounts[0].3 = false;
    assert_eq!(err(&accounts, ix(), LATER), InstructionError::InvalidArgument, "read-only nonce");
    let mut accounts = withdraw_accounts(stored(), authority());
    accounts[1].3 = false;
    assert_eq!(err(&accounts, ix(), LATER), InstructionError::ReadonlyLamportChange, "read-only recipient");
    let mut swapped = withdraw_accounts(stored(), authority());
    swapped.swap(2, 3);
    assert_eq!(err(&swapped, ix(), LATER), InstructionError::InvalidArgument, "sysvars swapped");
    for at in [2, 3] {
        let mut accounts = withdraw_accounts(stored(), authority());
        accounts[at].0 = key(9);
        assert_eq!(err(&accounts, ix(), LATER), InstructionError::InvalidArgument, "not a sysvar at {at}");
    }
    for n in 0..4 {
        assert_eq!(
            err(&withdraw_accounts(stored(), authority())[..n], ix(), LATER),
            InstructionError::NotEnoughAccountKeys,
            "{n} accounts"
        );
    }
    let garbage = Account::with_data(EXEMPT, vec![9; 80], &system_program::ID);
    assert_eq!(err(&withdraw_accounts(garbage, authority()), ix(), LATER), InstructionError::InvalidAccountData);
    // Another program's uninitialized-looking account: the system program cannot debit it.
    let theirs = Account::new(EXEMPT, State::size(), &key(8));
    assert_eq!(
        err(&withdraw_accounts(theirs, nonce_key()), ix(), LATER),
        InstructionError::ExternalAccountLamportSpend
    );
}

// --- authorize --------------------------------------------------------------

fn authorize_accounts(nonce: Account, authority_signs: bool) -> Vec<Acc> {
    vec![Acc(nonce_key(), nonce, false, true), Acc(authority(), Account::default(), authority_signs, false)]
}

#[test]
fn authorize_hands_the_nonce_over_and_keeps_its_value_and_version() {
    let new_authority = key(5);
    for versions in [initialized_at(&BLOCKHASH), Versions::Legacy(Box::new(initialized_at(&BLOCKHASH).state().clone()))]
    {
        let stored = nonce_account(&versions, EXEMPT);
        let (result, after, _) =
            run(&authorize_accounts(stored, true), SystemInstruction::AuthorizeNonceAccount(new_authority), LATER);
        assert_eq!(result, Ok(()));
        assert_eq!(state_of(&after[0]), versions.authorize(&[authority()], new_authority).unwrap());
    }
}

#[test]
fn authorize_refuses_each_bad_input_with_agave_s_error() {
    let ix = || SystemInstruction::AuthorizeNonceAccount(key(5));
    let stored = || nonce_account(&initialized_at(&BLOCKHASH), EXEMPT);
    let (result, _, logs) = run(&authorize_accounts(stored(), false), ix(), LATER);
    assert_eq!(result, Err(InstructionError::MissingRequiredSignature));
    assert!(logs.iter().any(|l| l.contains(&format!("Authorize nonce account: Account {} must sign", authority()))));
    let fresh = Account::new(EXEMPT, State::size(), &system_program::ID);
    assert_eq!(err(&authorize_accounts(fresh, true), ix(), LATER), InstructionError::InvalidAccountData);
    let mut accounts = authorize_accounts(stored(), true);
    accounts[0].3 = false;
    assert_eq!(err(&accounts, ix(), LATER), InstructionError::InvalidArgument);
    assert_eq!(err(&[], ix(), LATER), InstructionError::NotEnoughAccountKeys);
    let mut theirs = stored();
    theirs.owner = key(8);
    assert_eq!(err(&authorize_accounts(theirs, true), ix(), LATER), InstructionError::ExternalAccountDataModified);
}

// --- upgrade ----------------------------------------------------------------

#[test]
fn upgrade_makes_a_legacy_nonce_current_and_refuses_anything_else() {
    let legacy_data = Data::new(authority(), DurableNonce::from_blockhash(&BLOCKHASH), 42);
    let legacy = Versions::Legacy(Box::new(State::Initialized(legacy_data.clone())));
    let one = |account: Account, writable: bool| vec![Acc(nonce_key(), account, false, writable)];
    let (result, after, _) =
        run(&one(nonce_account(&legacy, EXEMPT), true), SystemInstruction::UpgradeNonceAccount, LATER);
    assert_eq!(result, Ok(()));
    let want = Data { durable_nonce: DurableNonce::from_blockhash(&legacy_data.blockhash()), ..legacy_data };
    assert_eq!(state_of(&after[0]), Versions::new(State::Initialized(want)));

    let ix = || SystemInstruction::UpgradeNonceAccount;
    let current = nonce_account(&initialized_at(&BLOCKHASH), EXEMPT);
    assert_eq!(err(&one(current, true), ix(), LATER), InstructionError::InvalidArgument, "already current");
    let fresh = Account::new(EXEMPT, State::size(), &system_program::ID);
    assert_eq!(err(&one(fresh, true), ix(), LATER), InstructionError::InvalidArgument, "legacy uninitialized");
    assert_eq!(err(&one(nonce_account(&legacy, EXEMPT), false), ix(), LATER), InstructionError::InvalidArgument);
    let mut theirs = nonce_account(&legacy, EXEMPT);
    theirs.owner = key(8);
    assert_eq!(err(&one(theirs, true), ix(), LATER), InstructionError::InvalidAccountOwner);
    let garbage = Account::with_data(EXEMPT, vec![3; 5], &system_program::ID);
    assert_eq!(err(&one(garbage, true), ix(), LATER), InstructionError::InvalidAccountData);
    assert_eq!(err(&[], ix(), LATER), InstructionError::NotEnoughAccountKeys);
}
