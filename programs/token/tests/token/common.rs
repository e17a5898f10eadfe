//! What every token test shares: the `Env` around the harness and small helpers.
#![allow(dead_code)]

use lanes_runtime::harness::{Harness, TransactionMeta};
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, Account, Instruction, Pubkey};
use lanes_token::error::TokenError;
use lanes_token::instruction::{self as token_ix};
use lanes_token::state::{Mint, Pack, TokenAccount};

pub(crate) const PROGRAM: Pubkey = lanes_token::ID;
/// Lamports each created mint or token account holds (Lanes has no rent).
/// What every account these tests create holds: rent-exempt for up to
/// 1,308 bytes of data (each use checks that it is enough).
pub(crate) const ACCOUNT_LAMPORTS: u64 = 10_000_000;
pub(crate) const DECIMALS: u8 = 6;

pub(crate) fn custom(err: TokenError) -> InstructionError {
    InstructionError::Custom(err as u32)
}

/// A harness with the token program deployed and a funded payer; remembers
/// every account the test makes so failures can be checked to change nothing.
pub(crate) struct Env {
    pub(crate) h: Harness,
    pub(crate) payer: Keypair,
    pub(crate) tracked: Vec<Pubkey>,
}

impl Env {
    pub(crate) fn new() -> Self {
        let mut h = Harness::new();
        h.add_program(PROGRAM, lanes_program_artifacts::TOKEN).expect("the token program deploys");
        let payer = Keypair::new();
        h.airdrop(&payer.pubkey(), 1_000 * lanes_sdk::LAMPORTS_PER_SOL);
        Env { h, payer, tracked: Vec::new() }
    }

    #[track_caller]
    pub(crate) fn ok(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> TransactionMeta {
        self.h.expect_ok(ixs, &self.payer, signers)
    }

    /// Send, expect instruction `index` to fail with `expected`, and check
    /// that every tracked account is exactly as before and the payer paid
    /// only the fee.
    #[track_caller]
    pub(crate) fn fails_at(
        &mut self,
        index: u8,
        ixs: &[Instruction],
        signers: &[&Keypair],
        expected: InstructionError,
    ) {
        let expected = TransactionError::InstructionError(index, expected);
        let tracked = self.tracked.clone();
        self.h.expect_err(ixs, &self.payer, signers, expected).unchanged(&tracked);
    }

    #[track_caller]
    pub(crate) fn fails(&mut self, ixs: &[Instruction], signers: &[&Keypair], expected: InstructionError) {
        self.fails_at(0, ixs, signers, expected)
    }

    pub(crate) fn lamports(&self, key: &Pubkey) -> u64 {
        self.h.get_account(key).map_or(0, |a| a.lamports)
    }

    pub(crate) fn track(&mut self, key: Pubkey) -> Pubkey {
        self.tracked.push(key);
        key
    }

    /// Create and initialize a mint in one transaction.
    pub(crate) fn create_mint(&mut self, authority: &Pubkey, freeze: Option<&Pubkey>, decimals: u8) -> Pubkey {
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
    pub(crate) fn create_raw(&mut self, space: usize) -> Pubkey {
        assert!(ACCOUNT_LAMPORTS >= lanes_sdk::rent::minimum_balance(space), "{space} bytes need more lamports");
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
    pub(crate) fn create_account(&mut self, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
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
    pub(crate) fn plant(&mut self, key: Pubkey, account: Account) -> Pubkey {
        self.h.set_account(key, account);
        self.track(key)
    }

    pub(crate) fn token(&self, key: &Pubkey) -> TokenAccount {
        let account = self.h.get_account(key).expect("token account exists");
        assert_eq!(account.owner, PROGRAM);
        TokenAccount::unpack(&account.data).expect("valid token account")
    }

    pub(crate) fn amount(&self, key: &Pubkey) -> u64 {
        self.token(key).amount
    }

    pub(crate) fn mint(&self, key: &Pubkey) -> Mint {
        let account = self.h.get_account(key).expect("mint exists");
        assert_eq!(account.owner, PROGRAM);
        Mint::unpack(&account.data).expect("valid mint")
    }

    pub(crate) fn mint_to(&mut self, mint: &Pubkey, to: &Pubkey, authority: &Keypair, amount: u64) {
        self.ok(&[token_ix::mint_to(&PROGRAM, mint, to, &authority.pubkey(), amount)], &[authority]);
    }
}

/// A mint (authority `mint_authority`, freeze authority `freezer`), and two
/// accounts: `alice` holding 1000, `bob` holding 0.
pub(crate) struct Fixture {
    pub(crate) env: Env,
    pub(crate) mint_authority: Keypair,
    pub(crate) freezer: Keypair,
    pub(crate) mint: Pubkey,
    pub(crate) alice: Keypair,
    pub(crate) alice_account: Pubkey,
    pub(crate) bob: Keypair,
    pub(crate) bob_account: Pubkey,
}

pub(crate) fn fixture() -> Fixture {
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

pub(crate) fn with_signer(mut ix: Instruction, index: usize, is_signer: bool) -> Instruction {
    ix.accounts[index].is_signer = is_signer;
    ix
}
