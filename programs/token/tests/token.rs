//! The token program as deployed: the real WASM (`lanes_program_artifacts::TOKEN`)
//! run through the runtime's test harness. Every instruction's happy path,
//! and every way a caller can try to cheat, asserting the exact error and
//! that a failed transaction changed nothing but the fee payer's balance.

use lanes_runtime::harness::{Harness, TransactionMeta};
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, system_program, Account, AccountMeta, Instruction, Pubkey};
use lanes_token::error::TokenError;
use lanes_token::instruction::{self as token_ix, AuthorityType, TokenInstruction};
use lanes_token::state::{AccountState, Mint, Pack, TokenAccount};

const PROGRAM: Pubkey = lanes_token::ID;
/// Lamports each created mint or token account holds (Lanes has no rent).
const ACCOUNT_LAMPORTS: u64 = 1_000_000;
const DECIMALS: u8 = 6;

fn custom(err: TokenError) -> InstructionError {
    InstructionError::Custom(err as u32)
}

/// A harness with the token program deployed and a funded payer; remembers
/// every account the test makes so failures can be checked to change nothing.
struct Env {
    h: Harness,
    payer: Keypair,
    tracked: Vec<Pubkey>,
}

impl Env {
    fn new() -> Self {
        let mut h = Harness::new();
        h.add_program(PROGRAM, lanes_program_artifacts::TOKEN).expect("the token program deploys");
        let payer = Keypair::new();
        h.airdrop(&payer.pubkey(), 1_000 * lanes_sdk::LAMPORTS_PER_SOL);
        Env { h, payer, tracked: Vec::new() }
    }

    #[track_caller]
    fn ok(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> TransactionMeta {
        self.h.expect_ok(ixs, &self.payer, signers)
    }

    /// Send, expect instruction `index` to fail with `expected`, and check
    /// that every tracked account is exactly as before and the payer paid
    /// only the fee.
    #[track_caller]
    fn fails_at(&mut self, index: u8, ixs: &[Instruction], signers: &[&Keypair], expected: InstructionError) {
        let expected = TransactionError::InstructionError(index, expected);
        let tracked = self.tracked.clone();
        self.h.expect_err(ixs, &self.payer, signers, expected).unchanged(&tracked);
    }

    #[track_caller]
    fn fails(&mut self, ixs: &[Instruction], signers: &[&Keypair], expected: InstructionError) {
        self.fails_at(0, ixs, signers, expected)
    }

    fn lamports(&self, key: &Pubkey) -> u64 {
        self.h.get_account(key).map_or(0, |a| a.lamports)
    }

    fn track(&mut self, key: Pubkey) -> Pubkey {
        self.tracked.push(key);
        key
    }

    /// Create and initialize a mint in one transaction.
    fn create_mint(&mut self, authority: &Pubkey, freeze: Option<&Pubkey>, decimals: u8) -> Pubkey {
        let mint = Keypair::new();
        let ixs = [
            system_instruction::create_account(
                &self.payer.pubkey(),
                &mint.pubkey(),
                ACCOUNT_LAMPORTS,
                Mint::LEN as u64,
                &PROGRAM,
            ),
            token_ix::initialize_mint(&PROGRAM, &mint.pubkey(), authority, freeze, decimals),
        ];
        self.ok(&ixs, &[&mint]);
        self.track(mint.pubkey())
    }

    /// Create an account of `space` bytes owned by the token program, uninitialized.
    fn create_raw(&mut self, space: usize) -> Pubkey {
        let account = Keypair::new();
        let ix = system_instruction::create_account(
            &self.payer.pubkey(),
            &account.pubkey(),
            ACCOUNT_LAMPORTS,
            space as u64,
            &PROGRAM,
        );
        self.ok(&[ix], &[&account]);
        self.track(account.pubkey())
    }

    /// Create and initialize a token account in one transaction.
    fn create_account(&mut self, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
        let account = Keypair::new();
        let ixs = [
            system_instruction::create_account(
                &self.payer.pubkey(),
                &account.pubkey(),
                ACCOUNT_LAMPORTS,
                TokenAccount::LEN as u64,
                &PROGRAM,
            ),
            token_ix::initialize_account(&PROGRAM, &account.pubkey(), mint, owner),
        ];
        self.ok(&ixs, &[&account]);
        self.track(account.pubkey())
    }

    /// Put an account in place directly (test setup, no rules).
    fn plant(&mut self, key: Pubkey, account: Account) -> Pubkey {
        self.h.set_account(key, account);
        self.track(key)
    }

    fn token(&self, key: &Pubkey) -> TokenAccount {
        let account = self.h.get_account(key).expect("token account exists");
        assert_eq!(account.owner, PROGRAM);
        TokenAccount::unpack(&account.data).expect("valid token account")
    }

    fn amount(&self, key: &Pubkey) -> u64 {
        self.token(key).amount
    }

    fn mint(&self, key: &Pubkey) -> Mint {
        let account = self.h.get_account(key).expect("mint exists");
        assert_eq!(account.owner, PROGRAM);
        Mint::unpack(&account.data).expect("valid mint")
    }

    fn mint_to(&mut self, mint: &Pubkey, to: &Pubkey, authority: &Keypair, amount: u64) {
        self.ok(&[token_ix::mint_to(&PROGRAM, mint, to, &authority.pubkey(), amount)], &[authority]);
    }
}

/// A mint (authority `mint_authority`, freeze authority `freezer`), and two
/// accounts: `alice` holding 1000, `bob` holding 0.
struct Fixture {
    env: Env,
    mint_authority: Keypair,
    freezer: Keypair,
    mint: Pubkey,
    alice: Keypair,
    alice_account: Pubkey,
    bob: Keypair,
    bob_account: Pubkey,
}

fn fixture() -> Fixture {
    let mut env = Env::new();
    let mint_authority = Keypair::new();
    let freezer = Keypair::new();
    let mint = env.create_mint(&mint_authority.pubkey(), Some(&freezer.pubkey()), DECIMALS);
    let alice = Keypair::new();
    let bob = Keypair::new();
    let alice_account = env.create_account(&mint, &alice.pubkey());
    let bob_account = env.create_account(&mint, &bob.pubkey());
    env.mint_to(&mint, &alice_account, &mint_authority, 1000);
    Fixture { env, mint_authority, freezer, mint, alice, alice_account, bob, bob_account }
}

fn with_signer(mut ix: Instruction, index: usize, is_signer: bool) -> Instruction {
    ix.accounts[index].is_signer = is_signer;
    ix
}

// ---------------------------------------------------------------- happy paths

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

// ------------------------------------------------------------ ways to cheat

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

// ------------------------------------------------------------- invariants

/// A few hundred pseudo-random mints, transfers (self-transfers included)
/// and burns, each checked against a model: the exact outcome (success or
/// error) matches, balances match, and the supply is always the sum of the
/// balances.
#[test]
fn random_operations_match_a_model_and_conserve_supply() {
    let mut env = Env::new();
    let authority = Keypair::new();
    let mint = env.create_mint(&authority.pubkey(), None, DECIMALS);
    let owners: Vec<Keypair> = (0..3).map(|_| Keypair::new()).collect();
    let accounts: Vec<Pubkey> = owners.iter().map(|o| env.create_account(&mint, &o.pubkey())).collect();
    let mut balances = [0u64; 3];
    let mut supply = 0u64;

    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for step in 0..300 {
        let (i, j) = ((next() % 3) as usize, (next() % 3) as usize);
        // Mostly amounts that fit, sometimes ones that cannot.
        let amount = match next() % 8 {
            0 => u64::MAX - next() % 4,
            1 => balances[i].saturating_add(1 + next() % 5),
            _ => next() % balances[i].saturating_add(50),
        };
        let (ix, signer, expected): (Instruction, &Keypair, Result<(), TokenError>) = match next() % 3 {
            0 => {
                let ok = supply.checked_add(amount).is_some();
                if ok {
                    supply += amount;
                    balances[i] += amount;
                }
                let ix = token_ix::mint_to(&PROGRAM, &mint, &accounts[i], &authority.pubkey(), amount);
                (ix, &authority, if ok { Ok(()) } else { Err(TokenError::Overflow) })
            }
            1 => {
                let ok = amount <= balances[i];
                if ok && i != j {
                    balances[i] -= amount;
                    balances[j] += amount;
                }
                let ix = token_ix::transfer(&PROGRAM, &accounts[i], &accounts[j], &owners[i].pubkey(), amount);
                (ix, &owners[i], if ok { Ok(()) } else { Err(TokenError::InsufficientFunds) })
            }
            _ => {
                let ok = amount <= balances[i];
                if ok {
                    balances[i] -= amount;
                    supply -= amount;
                }
                let ix = token_ix::burn(&PROGRAM, &accounts[i], &mint, &owners[i].pubkey(), amount);
                (ix, &owners[i], if ok { Ok(()) } else { Err(TokenError::InsufficientFunds) })
            }
        };
        // The same operation may come up twice: make each a new transaction.
        env.h.expire_blockhash();
        match expected {
            Ok(()) => {
                env.ok(&[ix], &[signer]);
            }
            Err(err) => env.fails(&[ix], &[signer], custom(err)),
        }
        let actual: Vec<u64> = accounts.iter().map(|a| env.amount(a)).collect();
        assert_eq!(actual, balances, "step {step}");
        assert_eq!(env.mint(&mint).supply, supply, "step {step}");
        assert_eq!(balances.iter().map(|b| u128::from(*b)).sum::<u128>(), u128::from(supply));
    }
}

// ---------------------------------------------------------------- batches

#[test]
fn a_batch_runs_its_instructions_in_order() {
    let mut f = fixture();
    let (alice, bob) = (f.alice.pubkey(), f.bob.pubkey());
    // Alice pays Bob, who pays part of it straight back: the second transfer
    // sees the first one's result.
    let batch = token_ix::batch(
        &PROGRAM,
        &[
            token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice, 300),
            token_ix::transfer(&PROGRAM, &f.bob_account, &f.alice_account, &bob, 100),
        ],
    )
    .unwrap();
    let meta = f.env.ok(&[batch], &[&f.alice, &f.bob]);
    println!("batch of two transfers: {} compute units", meta.compute_units_consumed);
    assert_eq!(f.env.amount(&f.alice_account), 800);
    assert_eq!(f.env.amount(&f.bob_account), 200);
}

#[test]
fn a_batch_is_all_or_nothing() {
    let mut f = fixture();
    let alice = f.alice.pubkey();
    let batch = token_ix::batch(
        &PROGRAM,
        &[
            token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice, 600),
            token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice, 600),
        ],
    )
    .unwrap();
    f.env.fails(&[batch], &[&f.alice], custom(TokenError::InsufficientFunds));
}

#[test]
fn each_batched_instruction_is_authorized_by_its_own_accounts() {
    let mut f = fixture();
    let (alice, bob) = (f.alice.pubkey(), f.bob.pubkey());
    f.env.mint_to(&f.mint, &f.bob_account, &f.mint_authority, 50);
    // Alice signs the batch, but the second transfer names Bob, who did not
    // sign: Alice's signature in the first item does not carry over.
    let mut batch = token_ix::batch(
        &PROGRAM,
        &[
            token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice, 10),
            token_ix::transfer(&PROGRAM, &f.bob_account, &f.alice_account, &bob, 10),
        ],
    )
    .unwrap();
    batch.accounts[5].is_signer = false;
    f.env.fails(&[batch], &[&f.alice], InstructionError::MissingRequiredSignature);
}

#[test]
fn malformed_batches_are_refused() {
    let mut f = fixture();
    let alice = f.alice.pubkey();
    let transfer = token_ix::transfer(&PROGRAM, &f.alice_account, &f.bob_account, &alice, 10);
    let batch = token_ix::batch(&PROGRAM, std::slice::from_ref(&transfer)).unwrap();
    let with_data = |data: Vec<u8>, accounts: Vec<AccountMeta>| Instruction { program_id: PROGRAM, accounts, data };

    // A batch inside a batch.
    let mut nested = vec![token_ix::BATCH_TAG, 1, 0, 0, 0, 3];
    nested.extend_from_slice(&(batch.data.len() as u32).to_le_bytes());
    nested.extend_from_slice(&batch.data);
    f.env.fails(&[with_data(nested, transfer.accounts.clone())], &[&f.alice], InstructionError::InvalidInstructionData);
    // An empty batch.
    f.env.fails(
        &[with_data(vec![token_ix::BATCH_TAG, 0, 0, 0, 0], vec![])],
        &[],
        InstructionError::InvalidInstructionData,
    );
    // More accounts than the items take, and fewer.
    let mut extra = transfer.accounts.clone();
    extra.push(AccountMeta::new_readonly(f.mint, false));
    f.env.fails(&[with_data(batch.data.clone(), extra)], &[&f.alice], InstructionError::InvalidInstructionData);
    f.env.fails(
        &[with_data(batch.data.clone(), transfer.accounts[..2].to_vec())],
        &[],
        InstructionError::NotEnoughAccountKeys,
    );
    // An item longer than the data, and bytes after the last item.
    let mut short = batch.data.clone();
    short.pop();
    f.env.fails(&[with_data(short, transfer.accounts.clone())], &[&f.alice], InstructionError::InvalidInstructionData);
    let mut long = batch.data.clone();
    long.push(0);
    f.env.fails(&[with_data(long, transfer.accounts.clone())], &[&f.alice], InstructionError::InvalidInstructionData);
    assert_eq!(f.env.amount(&f.alice_account), 1000);
}
