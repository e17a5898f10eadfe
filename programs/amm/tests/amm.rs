//! The AMM as deployed: the real WASM (`lanes_program_artifacts::AMM`)
//! calling the real token program, through the runtime's harness. Happy
//! paths with exact amounts, every way a caller can cheat (a wrong vault, a
//! fake mint, a foreign pool's PDA, a missing signer, the pool as "user", a
//! fake token program), and property tests of the pool's invariants.

use lanes_amm::error::AmmError;
use lanes_amm::instruction::{self as amm_ix, LiquidityAccounts};
use lanes_amm::state::{Pool, MINIMUM_LIQUIDITY};
use lanes_amm::{math, PoolAddresses};
use lanes_runtime::harness::{Harness, WithPayer};
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::{system_instruction, Account, Instruction, Pubkey, LAMPORTS_PER_SOL};
use lanes_token::error::TokenError;
use lanes_token::state::{Mint, Pack, TokenAccount};
use proptest::prelude::*;

const AMM: Pubkey = lanes_amm::ID;
#[path = "../../token/tests/support/token_fixture.rs"]
mod token_fixture;
use token_fixture::TokenFixture;

const TOKEN: Pubkey = lanes_token::ID;
const FEE_BPS: u16 = 30;

fn amm_err(err: AmmError) -> InstructionError {
    InstructionError::Custom(err.code())
}

struct Env {
    h: Harness,
    payer: Keypair,
    mint_authority: Keypair,
}

impl WithPayer for Env {
    fn harness_and_payer(&mut self) -> (&mut Harness, &Keypair) {
        (&mut self.h, &self.payer)
    }
}

impl TokenFixture for Env {
    fn parts(&mut self) -> (&mut Harness, &Keypair, &Keypair) {
        (&mut self.h, &self.payer, &self.mint_authority)
    }
}

impl Env {
    fn new() -> Self {
        let mut h = Harness::new();
        h.add_program(TOKEN, lanes_program_artifacts::TOKEN).expect("token deploys");
        h.add_program(AMM, lanes_program_artifacts::AMM).expect("amm deploys");
        let payer = Keypair::new();
        h.airdrop(&payer.pubkey(), 1_000 * LAMPORTS_PER_SOL);
        Env { h, payer, mint_authority: Keypair::new() }
    }

    /// Two mints, in pool order (a < b).
    fn mint_pair(&mut self) -> (Pubkey, Pubkey) {
        let (x, y) = (self.create_mint(), self.create_mint());
        if x.0 < y.0 {
            (x, y)
        } else {
            (y, x)
        }
    }

    fn amount(&self, account: &Pubkey) -> u64 {
        TokenAccount::unpack(&self.h.get_account(account).expect("token account exists").data).expect("valid").amount
    }

    fn token(&self, account: &Pubkey) -> TokenAccount {
        TokenAccount::unpack(&self.h.get_account(account).expect("token account exists").data).expect("valid")
    }

    fn pool(&self, key: &Pubkey) -> Pool {
        let account = self.h.get_account(key).expect("pool exists");
        assert_eq!(account.owner, AMM);
        Pool::unpack(&account.data).expect("valid pool")
    }

    fn lp_supply(&self, lp_mint: &Pubkey) -> u64 {
        Mint::unpack(&self.h.get_account(lp_mint).expect("lp mint exists").data).expect("valid mint").supply
    }

    fn create_pool(&mut self, mint_a: &Pubkey, mint_b: &Pubkey, fee_bps: u16) -> PoolAddresses {
        let addresses = PoolAddresses::derive(&AMM, mint_a, mint_b, fee_bps);
        let payer = self.payer.pubkey();
        self.ok(&[amm_ix::initialize_pool(&AMM, &payer, &addresses)], &[]);
        addresses
    }

    /// A user holding `a` and `b` of the pool's mints and an empty LP account.
    fn user(&mut self, pool: &PoolAddresses, a: u64, b: u64) -> User {
        let key = Keypair::new();
        let accounts = LiquidityAccounts {
            user_a: self.token_account(&pool.mint_a, &key.pubkey(), a),
            user_b: self.token_account(&pool.mint_b, &key.pubkey(), b),
            user_lp: self.token_account(&pool.lp_mint, &key.pubkey(), 0),
            user: key.pubkey(),
        };
        User { key, accounts }
    }

    /// The pool's invariants: vaults hold exactly the reserves, the LP mint's
    /// supply plus the locked minimum is the recorded supply.
    #[track_caller]
    fn check_pool(&self, addresses: &PoolAddresses) -> Pool {
        let pool = self.pool(&addresses.pool);
        assert_eq!(self.amount(&addresses.vault_a), pool.reserve_a, "vault A holds the reserve");
        assert_eq!(self.amount(&addresses.vault_b), pool.reserve_b, "vault B holds the reserve");
        if pool.lp_supply > 0 {
            assert_eq!(self.lp_supply(&addresses.lp_mint) + MINIMUM_LIQUIDITY, pool.lp_supply);
        }
        pool
    }
}

struct User {
    key: Keypair,
    accounts: LiquidityAccounts,
}

impl User {
    fn add(&self, pool: &PoolAddresses, max_a: u64, max_b: u64, min_lp: u64) -> Instruction {
        amm_ix::add_liquidity(&AMM, pool, &self.accounts, max_a, max_b, min_lp)
    }
    fn remove(&self, pool: &PoolAddresses, lp: u64, min_a: u64, min_b: u64) -> Instruction {
        amm_ix::remove_liquidity(&AMM, pool, &self.accounts, lp, min_a, min_b)
    }
    /// Sell `amount` of A (if `a_to_b`) or B.
    fn swap(&self, pool: &PoolAddresses, a_to_b: bool, amount: u64, min_out: u64) -> Instruction {
        let (mint_in, src, dst) = if a_to_b {
            (pool.mint_a, self.accounts.user_a, self.accounts.user_b)
        } else {
            (pool.mint_b, self.accounts.user_b, self.accounts.user_a)
        };
        amm_ix::swap_in_pool(&AMM, pool, &mint_in, &src, &dst, &self.accounts.user, amount, min_out)
    }
}

/// A pool with 1,000,000 A and 4,000,000 B of liquidity from `lp`, and a
/// `trader` holding 1,000,000 of each.
fn fixture() -> (Env, PoolAddresses, User, User) {
    let mut env = Env::new();
    let (a, b) = env.mint_pair();
    let pool = env.create_pool(&a, &b, FEE_BPS);
    let lp = env.user(&pool, 10_000_000, 10_000_000);
    env.ok(&[lp.add(&pool, 1_000_000, 4_000_000, 0)], &[&lp.key]);
    let trader = env.user(&pool, 1_000_000, 1_000_000);
    (env, pool, lp, trader)
}

// ---------------------------------------------------------------- happy paths

#[test]
fn initialize_pool_creates_its_pda_accounts() {
    let mut env = Env::new();
    let (a, b) = env.mint_pair();
    let addresses = env.create_pool(&a, &b, FEE_BPS);
    let pool = env.pool(&addresses.pool);
    assert_eq!(
        pool,
        Pool {
            is_initialized: true,
            bump: lanes_amm::find_pool_address(&AMM, &a, &b, FEE_BPS).1,
            fee_bps: FEE_BPS,
            mint_a: a,
            mint_b: b,
            vault_a: addresses.vault_a,
            vault_b: addresses.vault_b,
            lp_mint: addresses.lp_mint,
            reserve_a: 0,
            reserve_b: 0,
            lp_supply: 0,
        }
    );
    for (vault, mint) in [(addresses.vault_a, a), (addresses.vault_b, b)] {
        let account = env.token(&vault);
        assert_eq!((account.mint, account.owner, account.amount), (mint, addresses.pool, 0));
        assert_eq!((account.delegate, account.close_authority), (None, None));
    }
    let lp_mint = Mint::unpack(&env.h.get_account(&addresses.lp_mint).unwrap().data).unwrap();
    assert_eq!((lp_mint.mint_authority, lp_mint.freeze_authority, lp_mint.supply), (Some(addresses.pool), None, 0));

    // One pool per (pair, fee): a second one at the same address is refused.
    let payer = env.payer.pubkey();
    assert!(env.send(&[amm_ix::initialize_pool(&AMM, &payer, &addresses)], &[]).is_err());
    // Another fee is another pool.
    env.create_pool(&a, &b, 5);
}

#[test]
fn pre_funding_a_pool_address_does_not_block_it() {
    let mut env = Env::new();
    let (a, b) = env.mint_pair();
    let addresses = PoolAddresses::derive(&AMM, &a, &b, FEE_BPS);
    // A griefer sends lamports to every address before the pool exists (as
    // much as makes a wallet there: less is refused by the rent rule).
    for key in [addresses.pool, addresses.vault_a, addresses.lp_mint] {
        let payer = env.payer.pubkey();
        env.ok(&[system_instruction::transfer(&payer, &key, lanes_sdk::rent::minimum_balance(0))], &[]);
    }
    env.create_pool(&a, &b, FEE_BPS);
    assert_eq!(
        env.h.get_balance(&addresses.vault_a),
        lanes_sdk::rent::minimum_balance(lanes_token::state::TokenAccount::LEN)
    );
    env.check_pool(&addresses);
}

#[test]
fn liquidity_in_and_out_with_exact_amounts() {
    let (mut env, pool, lp, _) = fixture();
    // First deposit: sqrt(1e6 · 4e6) = 2e6 LP, 1000 locked.
    let state = env.check_pool(&pool);
    assert_eq!((state.reserve_a, state.reserve_b, state.lp_supply), (1_000_000, 4_000_000, 2_000_000));
    assert_eq!(env.amount(&lp.accounts.user_lp), 2_000_000 - MINIMUM_LIQUIDITY);

    // A later deposit takes the pool's price: offering 100 A / 1000 B takes 100 A / 400 B.
    let other = env.user(&pool, 1_000, 1_000);
    env.ok(&[other.add(&pool, 100, 1_000, 200)], &[&other.key]);
    assert_eq!((env.amount(&other.accounts.user_a), env.amount(&other.accounts.user_b)), (900, 600));
    assert_eq!(env.amount(&other.accounts.user_lp), 200);
    let state = env.check_pool(&pool);
    assert_eq!((state.reserve_a, state.reserve_b, state.lp_supply), (1_000_100, 4_000_400, 2_000_200));

    // Slippage: demanding more LP than the deposit mints changes nothing.
    let watched = [pool.pool, pool.vault_a, pool.vault_b, other.accounts.user_a, other.accounts.user_lp];
    env.fails(&[other.add(&pool, 100, 1_000, 201)], &[&other.key], amm_err(AmmError::SlippageExceeded), &watched);

    // Removing the 200 LP pays floor(200 · r / S) of each.
    env.ok(&[other.remove(&pool, 200, 100, 400)], &[&other.key]);
    assert_eq!((env.amount(&other.accounts.user_a), env.amount(&other.accounts.user_b)), (1_000, 1_000));
    assert_eq!(env.amount(&other.accounts.user_lp), 0);
    env.check_pool(&pool);

    // The locked minimum can never be withdrawn: the first LP can take all but it.
    let all = env.amount(&lp.accounts.user_lp);
    env.ok(&[lp.remove(&pool, all, 0, 0)], &[&lp.key]);
    let state = env.check_pool(&pool);
    assert_eq!(state.lp_supply, MINIMUM_LIQUIDITY);
    assert!(state.reserve_a > 0 && state.reserve_b > 0);
    env.fails(&[lp.remove(&pool, 1, 0, 0)], &[&lp.key], amm_err(AmmError::InsufficientLiquidityBurned), &[pool.pool]);
}

#[test]
fn swaps_both_ways_pay_the_quoted_amount() {
    let (mut env, pool, _, trader) = fixture();
    let before = env.check_pool(&pool);
    let quote = math::swap(10_000, before.reserve_a, before.reserve_b, FEE_BPS).unwrap();
    let meta = env.ok(&[trader.swap(&pool, true, 10_000, quote.amount_out)], &[&trader.key]);
    assert_eq!(meta.return_data, Some((AMM, quote.amount_out.to_le_bytes().to_vec())));
    assert_eq!(env.amount(&trader.accounts.user_a), 990_000);
    assert_eq!(env.amount(&trader.accounts.user_b), 1_000_000 + quote.amount_out);
    let after = env.check_pool(&pool);
    assert_eq!((after.reserve_a, after.reserve_b), (quote.new_reserve_in, quote.new_reserve_out));
    assert!(after.reserve_a as u128 * after.reserve_b as u128 > before.reserve_a as u128 * before.reserve_b as u128);

    let quote = math::swap(50_000, after.reserve_b, after.reserve_a, FEE_BPS).unwrap();
    env.ok(&[trader.swap(&pool, false, 50_000, 1)], &[&trader.key]);
    let last = env.check_pool(&pool);
    assert_eq!((last.reserve_b, last.reserve_a), (quote.new_reserve_in, quote.new_reserve_out));
}

#[test]
fn slippage_guard_and_zero_amounts() {
    let (mut env, pool, _, trader) = fixture();
    let state = env.pool(&pool.pool);
    let quote = math::swap(10_000, state.reserve_a, state.reserve_b, FEE_BPS).unwrap();
    let watched = [pool.pool, pool.vault_a, pool.vault_b, trader.accounts.user_a, trader.accounts.user_b];
    env.fails(
        &[trader.swap(&pool, true, 10_000, quote.amount_out + 1)],
        &[&trader.key],
        amm_err(AmmError::SlippageExceeded),
        &watched,
    );
    env.fails(&[trader.swap(&pool, true, 0, 0)], &[&trader.key], amm_err(AmmError::ZeroAmount), &watched);
    // Selling more than the trader holds: the token program refuses.
    env.fails(
        &[trader.swap(&pool, true, 1_000_001, 0)],
        &[&trader.key],
        InstructionError::Custom(TokenError::InsufficientFunds.code()),
        &watched,
    );
}

#[test]
fn swap_compute_units() {
    let (mut env, pool, _, trader) = fixture();
    let meta = env.ok(&[trader.swap(&pool, true, 1_000, 0)], &[&trader.key]);
    let consumed: Vec<&String> = meta.logs.iter().filter(|l| l.contains("consumed")).collect();
    println!("swap: {} compute units; per invocation: {consumed:#?}", meta.compute_units_consumed);
    assert_eq!(consumed.len(), 2, "the AMM and one batched token call: {:#?}", meta.logs);
    // A generous ceiling: a regression guard, not a target.
    assert!(meta.compute_units_consumed < 40_000, "{}", meta.compute_units_consumed);
}

// ---------------------------------------------------------------- cheating

#[test]
fn a_wrong_vault_is_refused() {
    let (mut env, pool, _, trader) = fixture();
    let watched = [pool.pool, pool.vault_a, pool.vault_b, trader.accounts.user_a, trader.accounts.user_b];
    // The trader's own account of B as the "vault out": pay yourself.
    let ix = amm_ix::swap(
        &AMM,
        &pool.pool,
        &pool.vault_a,
        &trader.accounts.user_b,
        &trader.accounts.user_a,
        &trader.accounts.user_b,
        &trader.accounts.user,
        1_000,
        0,
    );
    env.fails(&[ix], &[&trader.key], amm_err(AmmError::VaultMismatch), &watched);
    // The same vault on both sides.
    let ix = amm_ix::swap(
        &AMM,
        &pool.pool,
        &pool.vault_a,
        &pool.vault_a,
        &trader.accounts.user_a,
        &trader.accounts.user_b,
        &trader.accounts.user,
        1_000,
        0,
    );
    env.fails(&[ix], &[&trader.key], amm_err(AmmError::VaultMismatch), &watched);
    // A vault in liquidity instructions.
    let mut fake = pool;
    fake.vault_b = trader.accounts.user_b;
    env.fails(
        &[amm_ix::add_liquidity(&AMM, &fake, &trader.accounts, 10, 10, 0)],
        &[&trader.key],
        amm_err(AmmError::VaultMismatch),
        &watched,
    );
    // An LP mint that is not the pool's.
    let mut fake = pool;
    fake.lp_mint = pool.mint_a;
    env.fails(
        &[amm_ix::add_liquidity(&AMM, &fake, &trader.accounts, 10, 10, 0)],
        &[&trader.key],
        amm_err(AmmError::LpMintMismatch),
        &watched,
    );
}

#[test]
fn a_foreign_pools_accounts_are_refused() {
    let (mut env, pool, _, trader) = fixture();
    // A second pool of the same mints (another fee), with liquidity.
    let other = env.create_pool(&pool.mint_a, &pool.mint_b, 100);
    let lp = env.user(&other, 1_000_000, 1_000_000);
    env.ok(&[lp.add(&other, 1_000_000, 1_000_000, 0)], &[&lp.key]);
    let watched = [pool.pool, other.pool, pool.vault_b, other.vault_b, trader.accounts.user_b];
    // This pool's state, the other pool's vault out (whose authority is the other pool's PDA).
    let ix = amm_ix::swap(
        &AMM,
        &pool.pool,
        &pool.vault_a,
        &other.vault_b,
        &trader.accounts.user_a,
        &trader.accounts.user_b,
        &trader.accounts.user,
        1_000,
        0,
    );
    env.fails(&[ix], &[&trader.key], amm_err(AmmError::VaultMismatch), &watched);
    // The other pool's state with this pool's vaults.
    let ix = amm_ix::swap(
        &AMM,
        &other.pool,
        &pool.vault_a,
        &pool.vault_b,
        &trader.accounts.user_a,
        &trader.accounts.user_b,
        &trader.accounts.user,
        1_000,
        0,
    );
    env.fails(&[ix], &[&trader.key], amm_err(AmmError::VaultMismatch), &watched);
    // Removing liquidity of one pool with the LP tokens of another.
    env.fails(
        &[amm_ix::remove_liquidity(&AMM, &pool, &lp.accounts, 1_000, 0, 0)],
        &[&lp.key],
        InstructionError::Custom(TokenError::MintMismatch.code()),
        &watched,
    );
}

#[test]
fn a_pool_not_owned_by_the_amm_is_refused() {
    let (mut env, pool, _, trader) = fixture();
    // A copy of the real pool's state, planted in an account the AMM does not own.
    let mut state = env.pool(&pool.pool);
    state.reserve_b = 1; // would make every swap pay out almost nothing... or everything
    let fake = Pubkey::new_unique_from_u64(77);
    env.h.set_account(fake, Account { lamports: 1_000_000, data: state.to_bytes(), owner: TOKEN, executable: false });
    let ix = amm_ix::swap(
        &AMM,
        &fake,
        &pool.vault_a,
        &pool.vault_b,
        &trader.accounts.user_a,
        &trader.accounts.user_b,
        &trader.accounts.user,
        1_000,
        0,
    );
    env.fails(&[ix], &[&trader.key], InstructionError::IncorrectProgramId, &[pool.vault_a, pool.vault_b]);
}

#[test]
fn a_missing_signature_is_refused() {
    let (mut env, pool, _, trader) = fixture();
    let watched = [pool.pool, pool.vault_a, pool.vault_b, trader.accounts.user_a];
    // The trader's account is named but the trader does not sign: the AMM
    // cannot lend its call a signature it never had.
    let mut ix = trader.swap(&pool, true, 1_000, 0);
    ix.accounts[5].is_signer = false;
    env.fails(&[ix], &[], InstructionError::MissingRequiredSignature, &watched);
    let mut ix = trader.remove(&pool, 10, 0, 0);
    ix.accounts[7].is_signer = false;
    env.fails(&[ix], &[], InstructionError::PrivilegeEscalation, &watched);
}

#[test]
fn the_pool_cannot_be_made_to_sign_a_deposit() {
    let (mut env, pool, _, trader) = fixture();
    // "User" = the pool, "source" = the pool's own vault B, selling B for A:
    // the swap's one token call carries the pool's signature, so without
    // the AMM's own check that the user signed the transaction, this would
    // pay out A for nothing.
    let ix = amm_ix::swap(
        &AMM,
        &pool.pool,
        &pool.vault_b,
        &pool.vault_a,
        &pool.vault_b,
        &trader.accounts.user_a,
        &pool.pool,
        100_000,
        0,
    );
    let mut ix = ix;
    ix.accounts[5].is_signer = false;
    env.fails(&[ix], &[], InstructionError::MissingRequiredSignature, &[pool.pool, pool.vault_a, pool.vault_b]);
}

#[test]
fn a_fake_token_program_is_refused() {
    let (mut env, pool, _, trader) = fixture();
    let mut ix = trader.swap(&pool, true, 1_000, 0);
    ix.accounts[6].pubkey = lanes_sdk::system_program::ID;
    env.fails(&[ix], &[&trader.key], amm_err(AmmError::WrongTokenProgram), &[pool.pool]);
}

#[test]
fn bad_pools_are_refused_at_creation() {
    let mut env = Env::new();
    let (a, b) = env.mint_pair();
    let payer = env.payer.pubkey();
    // Fee above the maximum.
    let addresses = PoolAddresses::derive(&AMM, &a, &b, 1_001);
    env.fails(
        &[amm_ix::initialize_pool(&AMM, &payer, &addresses)],
        &[],
        amm_err(AmmError::InvalidFee),
        &[addresses.pool],
    );
    // Mints out of order (or the same mint twice).
    let mut swapped = PoolAddresses::derive(&AMM, &a, &b, FEE_BPS);
    (swapped.mint_a, swapped.mint_b) = (b, a);
    env.fails(
        &[amm_ix::initialize_pool(&AMM, &payer, &swapped)],
        &[],
        amm_err(AmmError::MintsNotOrdered),
        &[swapped.pool],
    );
    let same = PoolAddresses { mint_b: a, ..PoolAddresses::derive(&AMM, &a, &b, FEE_BPS) };
    env.fails(&[amm_ix::initialize_pool(&AMM, &payer, &same)], &[], amm_err(AmmError::MintsNotOrdered), &[same.pool]);
    // Addresses that are not the pool's PDAs.
    let mut wrong = PoolAddresses::derive(&AMM, &a, &b, FEE_BPS);
    wrong.vault_a = Keypair::new().pubkey();
    env.fails(&[amm_ix::initialize_pool(&AMM, &payer, &wrong)], &[], amm_err(AmmError::AddressMismatch), &[wrong.pool]);
    // A fake mint: mint-shaped data in an account the token program does not own.
    let fake = Pubkey::new_from_array([0xff; 32]); // sorts after every real mint here
    let real = Mint { supply: 0, decimals: 6, is_initialized: true, mint_authority: None, freeze_authority: None };
    env.h.set_account(fake, Account { lamports: 1_000_000, data: real.to_bytes(), owner: AMM, executable: false });
    let addresses = PoolAddresses::derive(&AMM, &a, &fake, FEE_BPS);
    env.fails(
        &[amm_ix::initialize_pool(&AMM, &payer, &addresses)],
        &[],
        InstructionError::IncorrectProgramId,
        &[addresses.pool],
    );
}

// ---------------------------------------------------------------- properties

#[derive(Debug, Clone)]
enum Op {
    Swap { a_to_b: bool, amount: u64 },
    Add { a: u64, b: u64 },
    Remove { share_bps: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<bool>(), 1u64..200_000_000).prop_map(|(a_to_b, amount)| Op::Swap { a_to_b, amount }),
        1 => (1u64..100_000_000, 1u64..100_000_000).prop_map(|(a, b)| Op::Add { a, b }),
        1 => (1u64..=10_000).prop_map(|share_bps| Op::Remove { share_bps }),
    ]
}

/// Pool with random initial liquidity from a passive LP, and an actor.
fn random_pool(env: &mut Env, fee_bps: u16, a: u64, b: u64) -> (PoolAddresses, User) {
    let (mint_a, mint_b) = env.mint_pair();
    let pool = env.create_pool(&mint_a, &mint_b, fee_bps);
    let lp = env.user(&pool, a, b);
    env.ok(&[lp.add(&pool, a, b, 0)], &[&lp.key]);
    let actor = env.user(&pool, 1_000_000_000, 1_000_000_000);
    (pool, actor)
}

fn run(env: &mut Env, pool: &PoolAddresses, actor: &User, op: &Op) -> bool {
    let ix = match *op {
        Op::Swap { a_to_b, amount } => actor.swap(pool, a_to_b, amount, 0),
        Op::Add { a, b } => actor.add(pool, a, b, 0),
        Op::Remove { share_bps } => {
            let held = env.amount(&actor.accounts.user_lp);
            let lp = (held as u128 * share_bps as u128 / 10_000) as u64;
            actor.remove(pool, lp, 0, 0)
        }
    };
    env.send(&[ix], &[&actor.key]).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Across any swaps: k = x·y never decreases, and the vaults always hold
    /// exactly the recorded reserves.
    #[test]
    fn k_never_decreases_across_swaps(
        fee_bps in 0u16..=1_000,
        a in 10_000u64..1_000_000_000, b in 10_000u64..1_000_000_000,
        swaps in prop::collection::vec((any::<bool>(), 1u64..500_000_000), 1..8),
    ) {
        let mut env = Env::new();
        let (pool, actor) = random_pool(&mut env, fee_bps, a, b);
        let mut state = env.check_pool(&pool);
        for (a_to_b, amount) in swaps {
            run(&mut env, &pool, &actor, &Op::Swap { a_to_b, amount });
            let next = env.check_pool(&pool);
            prop_assert!(next.reserve_a as u128 * next.reserve_b as u128 >= state.reserve_a as u128 * state.reserve_b as u128);
            prop_assert_eq!(next.lp_supply, state.lp_supply);
            state = next;
        }
    }

    /// No sequence of adds, swaps and removes, ending with every LP token
    /// burned, leaves the actor with more of one token and no less of the
    /// other; and one LP token is never worth less (x·y/S² never decreases).
    #[test]
    fn no_sequence_returns_more_than_was_put_in(
        fee_bps in 0u16..=1_000,
        a in 10_000u64..1_000_000_000, b in 10_000u64..1_000_000_000,
        ops in prop::collection::vec(op(), 1..8),
    ) {
        let mut env = Env::new();
        let (pool, actor) = random_pool(&mut env, fee_bps, a, b);
        let start = (env.amount(&actor.accounts.user_a), env.amount(&actor.accounts.user_b));
        let mut state = env.check_pool(&pool);
        for op in ops.iter().chain(std::iter::once(&Op::Remove { share_bps: 10_000 })) {
            run(&mut env, &pool, &actor, op);
            let next = env.check_pool(&pool);
            // x'·y'·S² ≥ x·y·S'² (all values < 2^32 · growth, so the products fit).
            let before = state.reserve_a as u128 * state.reserve_b as u128;
            let after = next.reserve_a as u128 * next.reserve_b as u128;
            let (s, s2) = (state.lp_supply as u128, next.lp_supply as u128);
            prop_assert!(after.checked_mul(s * s).unwrap() >= before.checked_mul(s2 * s2).unwrap(), "{op:?}");
            state = next;
        }
        prop_assert_eq!(env.amount(&actor.accounts.user_lp), 0);
        let end = (env.amount(&actor.accounts.user_a), env.amount(&actor.accounts.user_b));
        prop_assert!(!(end.0 >= start.0 && end.1 >= start.1 && end != start), "{start:?} -> {end:?}");
    }
}
