//! The escrow contract, compiled to WASM, run through the Lanes harness with
//! the real token program: make, take, cancel, and the ways to cheat.

use borsh::BorshDeserialize;
use lanes_example_escrow::{cancel_offer, make_offer, take_offer, Escrow, EscrowError, Offer, ID};
use lanes_runtime::harness::{FailedTransaction, Harness, TransactionMeta};
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{Instruction, Pubkey, LAMPORTS_PER_SOL};
use lanes_token::error::TokenError;
use lanes_token::instruction as token_ix;
use lanes_token::state::{Pack, TokenAccount};

const TOKEN: Pubkey = lanes_token::ID;

struct Env {
    h: Harness,
    mint_authority: Keypair,
    maker: Keypair,
    taker: Keypair,
    /// Offered (X) and wanted (Y) mints.
    x: Pubkey,
    y: Pubkey,
    maker_x: Pubkey,
    maker_y: Pubkey,
    taker_x: Pubkey,
    taker_y: Pubkey,
}

impl Env {
    /// The maker holds 1,000 X, the taker 500 Y; each has an empty account of the other mint.
    fn new() -> Self {
        let mut h = Harness::new();
        h.add_program(TOKEN, lanes_program_artifacts::TOKEN).unwrap();
        h.add_program(ID, lanes_program_artifacts::ESCROW_EXAMPLE).unwrap();
        let (maker, taker) = (Keypair::new(), Keypair::new());
        h.airdrop(&maker.pubkey(), 10 * LAMPORTS_PER_SOL);
        h.airdrop(&taker.pubkey(), 10 * LAMPORTS_PER_SOL);
        let mut env = Env {
            h,
            mint_authority: Keypair::new(),
            maker,
            taker,
            x: Pubkey::default(),
            y: Pubkey::default(),
            maker_x: Pubkey::default(),
            maker_y: Pubkey::default(),
            taker_x: Pubkey::default(),
            taker_y: Pubkey::default(),
        };
        env.x = env.mint();
        env.y = env.mint();
        let (x, y, maker, taker) = (env.x, env.y, env.maker.pubkey(), env.taker.pubkey());
        env.maker_x = env.token_account(&x, &maker, 1_000);
        env.maker_y = env.token_account(&y, &maker, 0);
        env.taker_x = env.token_account(&x, &taker, 0);
        env.taker_y = env.token_account(&y, &taker, 500);
        env
    }

    fn mint(&mut self) -> Pubkey {
        let mint = Keypair::new();
        let ixs =
            token_ix::create_mint(&TOKEN, &self.maker.pubkey(), &mint.pubkey(), &self.mint_authority.pubkey(), None, 0);
        self.h.send(&ixs, &self.maker, &[&mint]).unwrap();
        mint.pubkey()
    }

    fn token_account(&mut self, mint: &Pubkey, owner: &Pubkey, amount: u64) -> Pubkey {
        let account = Keypair::new();
        let mut ixs = token_ix::create_account(&TOKEN, &self.maker.pubkey(), &account.pubkey(), mint, owner).to_vec();
        let mut signers = vec![&account];
        if amount > 0 {
            ixs.push(token_ix::mint_to(&TOKEN, mint, &account.pubkey(), &self.mint_authority.pubkey(), amount));
            signers.push(&self.mint_authority);
        }
        self.h.send(&ixs, &self.maker, &signers).unwrap();
        account.pubkey()
    }

    fn offer(&self, seed: u64) -> Offer {
        Offer { maker: self.maker.pubkey(), seed, offer_mint: self.x, want_mint: self.y }
    }

    fn amount(&self, account: &Pubkey) -> u64 {
        TokenAccount::unpack(&self.h.get_account(account).unwrap().data).unwrap().amount
    }

    /// The maker offers 100 X for 40 Y.
    fn make(&mut self, seed: u64) -> Offer {
        let offer = self.offer(seed);
        let ix = make_offer(&offer, &self.maker_x, &self.maker_y, 100, 40);
        self.h.send(&[ix], &self.maker, &[]).unwrap();
        offer
    }

    #[allow(clippy::result_large_err)]
    fn send(&mut self, ix: Instruction, payer_is_taker: bool) -> Result<TransactionMeta, FailedTransaction> {
        self.h.expire_blockhash();
        let payer = if payer_is_taker { &self.taker } else { &self.maker };
        self.h.send(&[ix], payer, &[])
    }

    #[track_caller]
    fn fails(&mut self, ix: Instruction, payer_is_taker: bool, expected: InstructionError) {
        let watched = [self.maker_x, self.maker_y, self.taker_x, self.taker_y];
        let payer = if payer_is_taker { &self.taker } else { &self.maker };
        self.h.expect_err(&[ix], payer, &[], TransactionError::InstructionError(0, expected)).unchanged(&watched);
    }
}

fn custom(e: EscrowError) -> InstructionError {
    InstructionError::Custom(e as u32)
}

#[test]
fn make_then_take() {
    let mut env = Env::new();
    let offer = env.make(7);
    assert_eq!(env.amount(&env.maker_x), 900);
    assert_eq!(env.amount(&offer.vault()), 100);
    let vault = TokenAccount::unpack(&env.h.get_account(&offer.vault()).unwrap().data).unwrap();
    assert_eq!((vault.mint, vault.owner), (env.x, offer.escrow()), "the escrow PDA owns the vault");
    let escrow = Escrow::try_from_slice(&env.h.get_account(&offer.escrow()).unwrap().data).unwrap();
    assert_eq!(
        (escrow.maker, escrow.offer_amount, escrow.want_amount, escrow.maker_receive),
        (env.maker.pubkey(), 100, 40, env.maker_y)
    );

    let maker_lamports = env.h.get_balance(&env.maker.pubkey());
    let ix = take_offer(&offer, &env.taker.pubkey(), &env.taker_y, &env.maker_y, &env.taker_x);
    env.send(ix, true).unwrap();
    assert_eq!((env.amount(&env.taker_x), env.amount(&env.taker_y)), (100, 460));
    assert_eq!(env.amount(&env.maker_y), 40);
    // Both accounts are closed, their lamports back with the maker.
    assert!(env.h.get_account(&offer.escrow()).is_none());
    assert!(env.h.get_account(&offer.vault()).is_none());
    assert_eq!(env.h.get_balance(&env.maker.pubkey()), maker_lamports + lanes_example_escrow::account_deposits());
    // And it cannot be taken twice.
    let ix = take_offer(&offer, &env.taker.pubkey(), &env.taker_y, &env.maker_y, &env.taker_x);
    env.fails(ix, true, InstructionError::IncorrectProgramId);
}

#[test]
fn make_then_cancel() {
    let mut env = Env::new();
    let one = env.make(1);
    let two = env.make(2);
    assert_eq!(env.amount(&env.maker_x), 800, "one maker, many offers");
    env.send(cancel_offer(&one, &env.maker_x), false).unwrap();
    assert_eq!(env.amount(&env.maker_x), 900);
    assert!(env.h.get_account(&one.escrow()).is_none());
    assert_eq!(env.amount(&two.vault()), 100, "the other offer stands");
}

#[test]
fn a_donation_cannot_lock_the_vault() {
    let mut env = Env::new();
    let offer = env.make(1);
    // Anyone can send tokens to any token account: 5 X land in the vault
    // (here the mint authority mints them there).
    let ix = token_ix::mint_to(&TOKEN, &env.x, &offer.vault(), &env.mint_authority.pubkey(), 5);
    env.h.send(&[ix], &env.maker, &[&env.mint_authority]).unwrap();
    env.send(cancel_offer(&offer, &env.maker_x), false).unwrap();
    assert_eq!(env.amount(&env.maker_x), 1_005, "the whole vault comes back, and it closes");
}

#[test]
fn the_taker_must_pay_the_maker_in_the_wanted_mint() {
    let mut env = Env::new();
    let offer = env.make(1);
    // Paying with X instead of Y: the token program refuses the mismatched mints.
    let taker_second_x = env.token_account(&env.x.clone(), &env.taker.pubkey(), 500);
    let ix = take_offer(&offer, &env.taker.pubkey(), &taker_second_x, &env.maker_y, &env.taker_x);
    env.fails(ix, true, InstructionError::Custom(TokenError::MintMismatch.code()));
    // Paying into the taker's own account instead of the maker's.
    let taker_second_y = env.token_account(&env.y.clone(), &env.taker.pubkey(), 0);
    let ix = take_offer(&offer, &env.taker.pubkey(), &env.taker_y, &taker_second_y, &env.taker_x);
    env.fails(ix, true, custom(EscrowError::WrongAccount));
    // Naming someone else as the maker (to collect the closed accounts' lamports).
    let mut ix = take_offer(&offer, &env.taker.pubkey(), &env.taker_y, &env.maker_y, &env.taker_x);
    ix.accounts[1].pubkey = env.taker.pubkey();
    env.fails(ix, true, custom(EscrowError::WrongAccount));
    // Not signing: the token program's transfer needs the taker's signature.
    let mut ix = take_offer(&offer, &env.taker.pubkey(), &env.taker_y, &env.maker_y, &env.taker_x);
    ix.accounts[0].is_signer = false;
    env.fails(ix, false, InstructionError::PrivilegeEscalation);
}

#[test]
fn another_escrows_vault_is_refused() {
    let mut env = Env::new();
    let cheap = env.make(1);
    let other = env.make(2);
    // Take offer 1's terms but drain offer 2's vault.
    let mut ix = take_offer(&cheap, &env.taker.pubkey(), &env.taker_y, &env.maker_y, &env.taker_x);
    ix.accounts[3].pubkey = other.vault();
    env.fails(ix, true, custom(EscrowError::AddressMismatch));
    assert_eq!(env.amount(&other.vault()), 100);
}

#[test]
fn only_the_maker_cancels() {
    let mut env = Env::new();
    let offer = env.make(1);
    // The taker claims to be the maker.
    let mut ix = cancel_offer(&offer, &env.taker_x);
    ix.accounts[0].pubkey = env.taker.pubkey();
    env.fails(ix, true, custom(EscrowError::WrongAccount));
    // The maker named, but the taker pays and signs.
    let mut ix = cancel_offer(&offer, &env.taker_x);
    ix.accounts[0].is_signer = false;
    env.fails(ix, true, InstructionError::MissingRequiredSignature);
    assert_eq!(env.amount(&offer.vault()), 100);
}

#[test]
fn bad_offers_are_refused() {
    let mut env = Env::new();
    let offer = env.offer(1);
    // The maker's receiving account must hold the wanted mint.
    let ix = make_offer(&offer, &env.maker_x, &env.maker_x, 100, 40);
    env.fails(ix, false, custom(EscrowError::WrongMint));
    // Zero amounts.
    let ix = make_offer(&offer, &env.maker_x, &env.maker_y, 0, 40);
    env.fails(ix, false, custom(EscrowError::InvalidTerms));
    // An escrow address that is not the maker's PDA for this seed.
    let mut ix = make_offer(&offer, &env.maker_x, &env.maker_y, 100, 40);
    ix.accounts[1].pubkey = env.offer(2).escrow();
    env.fails(ix, false, custom(EscrowError::AddressMismatch));
    // The maker named but not signing (the taker pays the fee).
    let mut ix = make_offer(&offer, &env.maker_x, &env.maker_y, 100, 40);
    ix.accounts[0].is_signer = false;
    env.fails(ix, true, InstructionError::MissingRequiredSignature);
}
