//! The lending program as deployed: the real WASM calling the real token
//! program through the harness. Supply, borrow, interest by slot,
//! liquidation with its bonus; every way a caller can cheat (a wrong vault,
//! a fake mint, a reserve or price feed of another market, someone else's
//! obligation, a missing signer); and property tests of the books.

use lanes_lending::error::LendingError;
use lanes_lending::instruction::{self as lix, position_accounts, ReserveConfig};
use lanes_lending::math::{Health, SCALE};
use lanes_lending::state::{Market, Obligation, Pack, PriceFeed, Reserve};
use lanes_lending::ReserveAddresses;
use lanes_runtime::harness::{Harness, WithPayer};
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, Account, Instruction, Pubkey, LAMPORTS_PER_SOL};
use lanes_token::instruction as token_ix;
use lanes_token::state::{Mint, TokenAccount};
use proptest::prelude::*;

const LENDING: Pubkey = lanes_lending::ID;
#[path = "../../token/tests/support/token_fixture.rs"]
mod token_fixture;
use token_fixture::TokenFixture;

const TOKEN: Pubkey = lanes_token::ID;

fn err(e: LendingError) -> InstructionError {
    InstructionError::Custom(e.code())
}

/// 75% collateral factor, 5% bonus, 10% reserve factor; 1e-7 + 1e-6·u per slot.
fn config(price: u64) -> ReserveConfig {
    ReserveConfig {
        collateral_factor_bps: 7_500,
        liquidation_bonus_bps: 500,
        reserve_factor_bps: 1_000,
        base_rate_per_slot: 100_000,
        slope_per_slot: 1_000_000,
        initial_price: price,
    }
}

struct Env {
    h: Harness,
    payer: Keypair,
    mint_authority: Keypair,
    admin: Keypair,
    oracle: Keypair,
    market: Pubkey,
}

struct User {
    key: Keypair,
    obligation: Pubkey,
    /// Per reserve: (token account, share account).
    accounts: Vec<(Pubkey, Pubkey)>,
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
        h.add_program(LENDING, lanes_program_artifacts::LENDING).expect("lending deploys");
        let payer = Keypair::new();
        h.airdrop(&payer.pubkey(), 1_000 * LAMPORTS_PER_SOL);
        let mut env = Env {
            h,
            payer,
            mint_authority: Keypair::new(),
            admin: Keypair::new(),
            oracle: Keypair::new(),
            market: Pubkey::default(),
        };
        env.market = env.create_market();
        env
    }

    fn create_market(&mut self) -> Pubkey {
        let market = Keypair::new();
        let (admin, oracle) = (self.admin.pubkey(), self.oracle.pubkey());
        let ixs = [
            system_instruction::create_account(
                &self.payer.pubkey(),
                &market.pubkey(),
                1_000_000,
                Market::LEN as u64,
                &LENDING,
            ),
            lix::init_market(&LENDING, &market.pubkey(), &admin, &oracle),
        ];
        self.h.expire_blockhash();
        self.h.send(&ixs, &self.payer, &[&market, &self.admin]).expect("market");
        market.pubkey()
    }

    fn create_reserve(&mut self, mint: &Pubkey, config: ReserveConfig) -> ReserveAddresses {
        let addresses = ReserveAddresses::derive(&LENDING, &self.market, mint);
        let ix = lix::init_reserve(&LENDING, &self.payer.pubkey(), &self.admin.pubkey(), &addresses, config);
        self.h.expire_blockhash();
        if let Err(failed) = self.h.send(&[ix], &self.payer, &[&self.admin]) {
            panic!("reserve: {failed}");
        }
        addresses
    }

    fn mint_more(&mut self, mint: &Pubkey, to: &Pubkey, amount: u64) {
        let ix = token_ix::mint_to(&TOKEN, mint, to, &self.mint_authority.pubkey(), amount);
        self.h.expire_blockhash();
        self.h.send(&[ix], &self.payer, &[&self.mint_authority]).expect("mint");
    }

    /// A user with an obligation and, per reserve, a token account holding
    /// `amount` and an empty share account.
    fn user(&mut self, reserves: &[ReserveAddresses], amount: u64) -> User {
        let key = Keypair::new();
        let mut accounts = Vec::new();
        for r in reserves {
            let token = self.token_account(&r.mint, &key.pubkey(), amount);
            let shares = self.token_account(&r.share_mint, &key.pubkey(), 0);
            accounts.push((token, shares));
        }
        let market = self.market;
        self.ok(&[lix::init_obligation(&LENDING, &self.payer.pubkey(), &market, &key.pubkey())], &[&key]);
        let obligation = lanes_lending::find_obligation_address(&LENDING, &market, &key.pubkey()).0;
        User { key, obligation, accounts }
    }

    fn amount(&self, account: &Pubkey) -> u64 {
        TokenAccount::unpack(&self.h.get_account(account).expect("token account").data).expect("token account").amount
    }

    fn supply(&self, mint: &Pubkey) -> u64 {
        Mint::unpack(&self.h.get_account(mint).expect("mint").data).expect("mint").supply
    }

    fn reserve(&self, r: &ReserveAddresses) -> Reserve {
        Reserve::unpack(&self.h.get_account(&r.reserve).expect("reserve").data).expect("reserve")
    }

    fn obligation(&self, user: &User) -> Obligation {
        Obligation::unpack(&self.h.get_account(&user.obligation).expect("obligation").data).expect("obligation")
    }

    fn price(&self, r: &ReserveAddresses) -> u64 {
        PriceFeed::unpack(&self.h.get_account(&r.price_feed).expect("feed").data).expect("feed").price
    }

    /// The obligation's health as the program computes it, now.
    fn health(&self, user: &User) -> Health {
        let slot = self.h.slot();
        let mut health = Health::default();
        for p in self.obligation(user).active() {
            let reserve =
                Reserve::unpack(&self.h.get_account(&p.reserve).unwrap().data).unwrap().accrued(slot).unwrap();
            let price = PriceFeed::unpack(&self.h.get_account(&reserve.price_feed).unwrap().data).unwrap().price;
            health.add(p, &reserve, price).unwrap();
        }
        health
    }

    fn set_price(&mut self, r: &ReserveAddresses, price: u64) {
        let ix = lix::set_price(&LENDING, r, &self.oracle.pubkey(), price);
        self.h.expire_blockhash();
        self.h.send(&[ix], &self.payer, &[&self.oracle]).expect("price");
    }

    fn deposit(&self, r: &ReserveAddresses, i: usize, user: &User, amount: u64) -> Instruction {
        lix::deposit(&LENDING, r, &user.accounts[i].0, &user.accounts[i].1, &user.key.pubkey(), amount)
    }

    fn withdraw(&self, r: &ReserveAddresses, i: usize, user: &User, shares: u64) -> Instruction {
        lix::withdraw(&LENDING, r, &user.accounts[i].0, &user.accounts[i].1, &user.key.pubkey(), shares)
    }

    fn pledge(&self, r: &ReserveAddresses, i: usize, user: &User, shares: u64) -> Instruction {
        lix::deposit_collateral(&LENDING, r, &user.obligation, &user.accounts[i].1, &user.key.pubkey(), shares)
    }

    fn unpledge(&self, r: &ReserveAddresses, i: usize, user: &User, shares: u64) -> Instruction {
        let others = position_accounts(&LENDING, &self.obligation(user), &[r.reserve]);
        lix::withdraw_collateral(
            &LENDING,
            r,
            &user.obligation,
            &user.accounts[i].1,
            &user.key.pubkey(),
            shares,
            &others,
        )
    }

    fn borrow(&self, r: &ReserveAddresses, i: usize, user: &User, amount: u64) -> Instruction {
        let others = position_accounts(&LENDING, &self.obligation(user), &[r.reserve]);
        lix::borrow(&LENDING, r, &user.obligation, &user.accounts[i].0, &user.key.pubkey(), amount, &others)
    }

    fn repay(&self, r: &ReserveAddresses, i: usize, payer: &User, of: &User, amount: u64) -> Instruction {
        lix::repay(&LENDING, r, &of.obligation, &payer.accounts[i].0, &payer.key.pubkey(), amount)
    }

    fn liquidate(
        &self,
        debt: (&ReserveAddresses, usize),
        coll: (&ReserveAddresses, usize),
        liquidator: &User,
        of: &User,
        amount: u64,
    ) -> Instruction {
        let others = position_accounts(&LENDING, &self.obligation(of), &[debt.0.reserve, coll.0.reserve]);
        lix::liquidate(
            &LENDING,
            debt.0,
            coll.0,
            &of.obligation,
            &liquidator.accounts[debt.1].0,
            &liquidator.accounts[coll.1].1,
            &liquidator.key.pubkey(),
            amount,
            &others,
        )
    }

    /// The books of one reserve, checked against the token accounts:
    /// recorded cash is in the vault, pledged shares are in the collateral
    /// vault, the share supply is the share mint's.
    #[track_caller]
    fn check_books(&self, r: &ReserveAddresses, users: &[&User]) -> Reserve {
        let reserve = self.reserve(r);
        assert!(self.amount(&r.vault) >= reserve.cash, "the vault holds the recorded cash");
        assert_eq!(self.supply(&r.share_mint), reserve.share_supply);
        let pledged: u64 = users
            .iter()
            .filter_map(|u| {
                self.obligation(u).positions.iter().find(|p| p.reserve == r.reserve).map(|p| p.collateral_shares)
            })
            .sum();
        assert_eq!(self.amount(&r.collateral_vault), pledged, "the collateral vault holds every pledge");
        let scaled: u64 = users
            .iter()
            .filter_map(|u| {
                self.obligation(u).positions.iter().find(|p| p.reserve == r.reserve).map(|p| p.borrowed_scaled)
            })
            .sum();
        assert_eq!(scaled, reserve.borrowed_scaled, "the reserve's scaled debt is every obligation's");
        reserve
    }
}

/// Two reserves: A at price 1, B at price 2 (per smallest unit, scaled).
/// A supplier has put 1,000,000 of each in; a borrower holds 1,000,000 A.
fn fixture() -> (Env, ReserveAddresses, ReserveAddresses, User, User) {
    let mut env = Env::new();
    let (mint_a, mint_b) = (env.create_mint(), env.create_mint());
    let a = env.create_reserve(&mint_a, config(SCALE));
    let b = env.create_reserve(&mint_b, config(2 * SCALE));
    let supplier = env.user(&[a, b], 10_000_000);
    env.ok(&[env.deposit(&a, 0, &supplier, 1_000_000), env.deposit(&b, 1, &supplier, 1_000_000)], &[&supplier.key]);
    let borrower = env.user(&[a, b], 1_000_000);
    (env, a, b, supplier, borrower)
}

/// The borrower supplies 100,000 A and pledges the shares: a limit of 75,000 (= 37,500 B).
fn pledged() -> (Env, ReserveAddresses, ReserveAddresses, User, User) {
    let (mut env, a, b, supplier, borrower) = fixture();
    env.ok(&[env.deposit(&a, 0, &borrower, 100_000), env.pledge(&a, 0, &borrower, 100_000)], &[&borrower.key]);
    (env, a, b, supplier, borrower)
}

// ---------------------------------------------------------------- happy paths

#[test]
fn reserves_are_created_with_their_pda_accounts() {
    let (env, a, _, supplier, _) = fixture();
    let reserve = env.reserve(&a);
    assert_eq!((reserve.market, reserve.mint, reserve.vault), (env.market, a.mint, a.vault));
    assert_eq!(
        (reserve.share_mint, reserve.collateral_vault, reserve.price_feed),
        (a.share_mint, a.collateral_vault, a.price_feed)
    );
    assert_eq!((reserve.borrow_index, reserve.cash, reserve.share_supply), (SCALE, 1_000_000, 1_000_000));
    let vault = TokenAccount::unpack(&env.h.get_account(&a.vault).unwrap().data).unwrap();
    assert_eq!((vault.mint, vault.owner), (a.mint, a.reserve));
    let share_mint = Mint::unpack(&env.h.get_account(&a.share_mint).unwrap().data).unwrap();
    assert_eq!((share_mint.mint_authority, share_mint.decimals), (Some(a.reserve), 6));
    assert_eq!(env.amount(&supplier.accounts[0].1), 1_000_000, "first deposit mints shares 1:1");
    assert_eq!(env.price(&a), SCALE);
}

#[test]
fn supply_borrow_repay_withdraw() {
    let (mut env, a, b, supplier, borrower) = pledged();
    // Limit: 100,000 A · 1 · 75% = 75,000; B costs 2 → 37,500 B.
    env.ok(&[env.borrow(&b, 1, &borrower, 37_500)], &[&borrower.key]);
    assert_eq!(env.amount(&borrower.accounts[1].0), 1_037_500);
    let health = env.health(&borrower);
    assert_eq!((health.borrow_limit, health.borrowed), (75_000, 75_000));
    // One more unit of B is beyond the limit.
    let watched = [b.reserve, b.vault, borrower.obligation];
    env.fails(&[env.borrow(&b, 1, &borrower, 1)], &[&borrower.key], err(LendingError::BorrowLimitExceeded), &watched);
    // And so is taking back any collateral.
    env.fails(&[env.unpledge(&a, 0, &borrower, 1)], &[&borrower.key], err(LendingError::BorrowLimitExceeded), &watched);

    // Repay half; take back the collateral it frees.
    env.ok(&[env.repay(&b, 1, &borrower, &borrower, 18_750)], &[&borrower.key]);
    env.ok(&[env.unpledge(&a, 0, &borrower, 50_000)], &[&borrower.key]);
    assert_eq!(env.amount(&borrower.accounts[0].1), 50_000);
    env.fails(&[env.unpledge(&a, 0, &borrower, 1)], &[&borrower.key], err(LendingError::BorrowLimitExceeded), &watched);

    // Repaying more than owed pays only the debt; the position closes.
    env.ok(&[env.repay(&b, 1, &borrower, &borrower, 1_000_000)], &[&borrower.key]);
    assert_eq!(env.amount(&borrower.accounts[1].0), 1_000_000);
    assert_eq!(env.obligation(&borrower).active().count(), 1, "only the collateral remains");
    env.ok(&[env.unpledge(&a, 0, &borrower, 50_000)], &[&borrower.key]);
    env.ok(&[env.withdraw(&a, 0, &borrower, 100_000)], &[&borrower.key]);
    assert_eq!(env.amount(&borrower.accounts[0].0), 1_000_000);
    env.check_books(&a, &[&supplier, &borrower]);
    env.check_books(&b, &[&supplier, &borrower]);
}

#[test]
fn interest_accrues_by_slot() {
    let (mut env, _, b, supplier, borrower) = pledged();
    env.ok(&[env.borrow(&b, 1, &borrower, 30_000)], &[&borrower.key]);
    let before = env.reserve(&b);
    env.h.warp_to_slot(10_000);
    // Anyone's touch accrues: a small deposit by the supplier.
    env.ok(&[env.deposit(&b, 1, &supplier, 1_000)], &[&supplier.key]);
    let after = env.check_books(&b, &[&supplier, &borrower]);
    // utilization = 30,000 / 1,000,000 = 3%: rate = 1e5 + 1e6·0.03 = 130,000 per slot.
    let growth = 130_000u64 * 10_000;
    assert_eq!(after.borrow_index, SCALE + growth);
    assert!(after.total_debt().unwrap() > before.total_debt().unwrap());
    assert!(after.protocol_reserves > 0);
    // The debt is now more than was borrowed; repaying everything takes it all.
    let owed = after.debt_of(env.obligation(&borrower).positions[1].borrowed_scaled).unwrap();
    assert_eq!(owed, (30_000u128 * (SCALE + growth) as u128).div_ceil(SCALE as u128) as u64);
    env.ok(&[env.repay(&b, 1, &borrower, &borrower, u64::MAX)], &[&borrower.key]);
    assert_eq!(env.amount(&borrower.accounts[1].0), 1_000_000 + 30_000 - owed);
    // Suppliers earn it: their shares now redeem for more than they put in.
    let shares = env.amount(&supplier.accounts[1].1);
    let before = env.amount(&supplier.accounts[1].0);
    env.ok(&[env.withdraw(&b, 1, &supplier, shares)], &[&supplier.key]);
    assert!(env.amount(&supplier.accounts[1].0) - before > 1_000_000);
    let end = env.reserve(&b);
    assert!(env.amount(&b.vault) >= end.protocol_reserves, "the protocol's share stays in the vault");
}

#[test]
fn unhealthy_obligations_are_liquidated_with_a_bonus() {
    let (mut env, a, b, supplier, borrower) = pledged();
    env.ok(&[env.borrow(&b, 1, &borrower, 37_000)], &[&borrower.key]);
    let liquidator = env.user(&[a, b], 1_000_000);
    // Healthy: nobody may liquidate.
    let watched = [b.reserve, borrower.obligation, a.collateral_vault];
    env.fails(
        &[env.liquidate((&b, 1), (&a, 0), &liquidator, &borrower, 1_000)],
        &[&liquidator.key],
        err(LendingError::ObligationHealthy),
        &watched,
    );
    // B's price rises 10%: the debt is worth 81,400 against a limit of 75,000.
    env.set_price(&b, 2_200_000_000_000);
    assert!(!env.health(&borrower).is_healthy());
    // At most half the debt (18,500) may be repaid at once.
    env.ok(&[env.liquidate((&b, 1), (&a, 0), &liquidator, &borrower, 1_000_000)], &[&liquidator.key]);
    assert_eq!(env.amount(&liquidator.accounts[1].0), 1_000_000 - 18_500);
    // Seized: 18,500 · 2.2 · 1.05 = 42,735 A of value, in shares (1:1 here).
    assert_eq!(env.amount(&liquidator.accounts[0].1), 42_735);
    let o = env.obligation(&borrower);
    assert_eq!(o.positions[0].collateral_shares, 100_000 - 42_735);
    env.check_books(&a, &[&supplier, &borrower, &liquidator]);
    env.check_books(&b, &[&supplier, &borrower, &liquidator]);
}

#[test]
fn an_under_water_obligation_gives_up_all_its_collateral() {
    let (mut env, a, b, supplier, borrower) = pledged();
    env.ok(&[env.borrow(&b, 1, &borrower, 37_000)], &[&borrower.key]);
    // B's price triples: the debt (222,000) is worth more than the collateral (100,000).
    env.set_price(&b, 6 * SCALE);
    let before = env.amount(&supplier.accounts[1].0);
    env.ok(&[env.liquidate((&b, 1), (&a, 0), &supplier, &borrower, 1_000_000)], &[&supplier.key]);
    // All 100,000 shares (worth 100,000) pay for ceil(100,000 / (6 · 1.05)) = 15,874 B.
    assert_eq!(env.amount(&supplier.accounts[0].1), 1_000_000 + 100_000);
    assert_eq!(before - env.amount(&supplier.accounts[1].0), 15_874);
    let o = env.obligation(&borrower);
    assert_eq!(o.active().count(), 1, "the collateral position is gone, the bad debt remains");
    env.check_books(&a, &[&supplier, &borrower]);
    env.check_books(&b, &[&supplier, &borrower]);
}

// ---------------------------------------------------------------- cheating

#[test]
fn a_wrong_vault_is_refused() {
    let (mut env, a, b, _, borrower) = pledged();
    let watched = [a.reserve, b.reserve, borrower.obligation, borrower.accounts[0].0];
    // Reserve A's books with reserve B's vault.
    let fake = ReserveAddresses { vault: b.vault, ..a };
    let ix =
        lix::deposit(&LENDING, &fake, &borrower.accounts[0].0, &borrower.accounts[0].1, &borrower.key.pubkey(), 10);
    env.fails(&[ix], &[&borrower.key], err(LendingError::AccountMismatch), &watched);
    // A vault that is the borrower's own token account.
    let fake = ReserveAddresses { vault: borrower.accounts[1].0, ..b };
    let ix = lix::borrow(
        &LENDING,
        &fake,
        &borrower.obligation,
        &borrower.accounts[1].0,
        &borrower.key.pubkey(),
        10,
        &[(a.reserve, a.price_feed)],
    );
    env.fails(&[ix], &[&borrower.key], err(LendingError::AccountMismatch), &watched);
    // Another reserve's share mint or collateral vault.
    let fake = ReserveAddresses { share_mint: b.share_mint, ..a };
    let ix =
        lix::deposit(&LENDING, &fake, &borrower.accounts[0].0, &borrower.accounts[1].1, &borrower.key.pubkey(), 10);
    env.fails(&[ix], &[&borrower.key], err(LendingError::AccountMismatch), &watched);
    let fake = ReserveAddresses { collateral_vault: b.collateral_vault, ..a };
    let ix = lix::deposit_collateral(
        &LENDING,
        &fake,
        &borrower.obligation,
        &borrower.accounts[0].1,
        &borrower.key.pubkey(),
        1,
    );
    env.fails(&[ix], &[&borrower.key], err(LendingError::AccountMismatch), &watched);
    // Another reserve's (cheaper) price feed.
    let fake = ReserveAddresses { price_feed: a.price_feed, ..b };
    let ix = lix::borrow(
        &LENDING,
        &fake,
        &borrower.obligation,
        &borrower.accounts[1].0,
        &borrower.key.pubkey(),
        10,
        &[(a.reserve, a.price_feed)],
    );
    env.fails(&[ix], &[&borrower.key], err(LendingError::AccountMismatch), &watched);
}

#[test]
fn a_fake_mint_is_refused() {
    let mut env = Env::new();
    let fake = Pubkey::new_unique_from_u64(42);
    let mint = Mint { supply: 0, decimals: 6, is_initialized: true, mint_authority: None, freeze_authority: None };
    env.h.set_account(fake, Account { lamports: 1_000_000, data: mint.to_bytes(), owner: LENDING, executable: false });
    let addresses = ReserveAddresses::derive(&LENDING, &env.market, &fake);
    let ix = lix::init_reserve(&LENDING, &env.payer.pubkey(), &env.admin.pubkey(), &addresses, config(SCALE));
    let admin = Keypair::from_bytes(&env.admin.to_bytes()).unwrap();
    env.fails(&[ix], &[&admin], InstructionError::IncorrectProgramId, &[addresses.reserve]);
}

#[test]
fn another_markets_reserve_never_counts() {
    let (mut env, a, b, _, borrower) = pledged();
    // An attacker's own market, with its own oracle, and a reserve of a
    // worthless token priced sky-high.
    let attacker_oracle = Keypair::new();
    let attacker_market = Keypair::new();
    let payer = env.payer.pubkey();
    let ixs = [
        system_instruction::create_account(&payer, &attacker_market.pubkey(), 1_000_000, Market::LEN as u64, &LENDING),
        lix::init_market(&LENDING, &attacker_market.pubkey(), &borrower.key.pubkey(), &attacker_oracle.pubkey()),
    ];
    env.ok(&ixs, &[&attacker_market, &borrower.key]);
    let junk = env.create_mint();
    let junk_reserve = ReserveAddresses::derive(&LENDING, &attacker_market.pubkey(), &junk);
    env.ok(
        &[lix::init_reserve(&LENDING, &payer, &borrower.key.pubkey(), &junk_reserve, config(u64::MAX / 4))],
        &[&borrower.key],
    );
    let junk_token = env.token_account(&junk, &borrower.key.pubkey(), 1_000);
    let junk_shares = env.token_account(&junk_reserve.share_mint, &borrower.key.pubkey(), 0);
    env.ok(
        &[lix::deposit(&LENDING, &junk_reserve, &junk_token, &junk_shares, &borrower.key.pubkey(), 1_000)],
        &[&borrower.key],
    );

    let watched = [borrower.obligation, b.reserve, b.vault];
    // Pledging it to an obligation of the real market.
    let ix = lix::deposit_collateral(
        &LENDING,
        &junk_reserve,
        &borrower.obligation,
        &junk_shares,
        &borrower.key.pubkey(),
        1_000,
    );
    env.fails(&[ix], &[&borrower.key], err(LendingError::WrongMarket), &watched);
    // Passing it where the obligation's collateral position should be.
    let ix = lix::borrow(
        &LENDING,
        &b,
        &borrower.obligation,
        &borrower.accounts[1].0,
        &borrower.key.pubkey(),
        100_000,
        &[(junk_reserve.reserve, junk_reserve.price_feed)],
    );
    env.fails(&[ix], &[&borrower.key], err(LendingError::PositionAccountMismatch), &watched);
    // Borrowing from the real market's reserve against the attacker market's obligation.
    env.ok(
        &[lix::init_obligation(&LENDING, &payer, &attacker_market.pubkey(), &borrower.key.pubkey())],
        &[&borrower.key],
    );
    let attacker_obligation =
        lanes_lending::find_obligation_address(&LENDING, &attacker_market.pubkey(), &borrower.key.pubkey()).0;
    env.ok(
        &[lix::deposit_collateral(
            &LENDING,
            &junk_reserve,
            &attacker_obligation,
            &junk_shares,
            &borrower.key.pubkey(),
            1_000,
        )],
        &[&borrower.key],
    );
    let ix = lix::borrow(
        &LENDING,
        &b,
        &attacker_obligation,
        &borrower.accounts[1].0,
        &borrower.key.pubkey(),
        100_000,
        &[(junk_reserve.reserve, junk_reserve.price_feed)],
    );
    env.fails(&[ix], &[&borrower.key], err(LendingError::WrongMarket), &watched);
    // Setting the real market's price with the attacker's oracle.
    let ix = lix::set_price(&LENDING, &a, &attacker_oracle.pubkey(), 1);
    env.fails(&[ix], &[&attacker_oracle], err(LendingError::WrongAuthority), &[a.price_feed]);
    // The attacker market's price feed under the real market.
    let fake = ReserveAddresses { price_feed: junk_reserve.price_feed, ..a };
    let ix = lix::set_price(&LENDING, &fake, &env.oracle.pubkey(), 1);
    let oracle = Keypair::from_bytes(&env.oracle.to_bytes()).unwrap();
    env.fails(&[ix], &[&oracle], err(LendingError::AccountMismatch), &[junk_reserve.price_feed]);
}

#[test]
fn only_the_owner_borrows_and_only_authorities_govern() {
    let (mut env, a, b, supplier, borrower) = pledged();
    let watched = [b.reserve, b.vault, borrower.obligation];
    // The supplier borrows against the borrower's obligation.
    let others = position_accounts(&LENDING, &env.obligation(&borrower), &[b.reserve]);
    let ix =
        lix::borrow(&LENDING, &b, &borrower.obligation, &supplier.accounts[1].0, &supplier.key.pubkey(), 10, &others);
    env.fails(&[ix], &[&supplier.key], err(LendingError::WrongAuthority), &watched);
    // The owner named but not signing.
    let mut ix = env.borrow(&b, 1, &borrower, 10);
    ix.accounts[5].is_signer = false;
    env.fails(&[ix], &[], InstructionError::MissingRequiredSignature, &watched);
    // Withdrawing shares without signing: the token program's burn needs the signature.
    let mut ix = env.withdraw(&a, 0, &supplier, 10);
    ix.accounts[5].is_signer = false;
    env.fails(&[ix], &[], InstructionError::PrivilegeEscalation, &[a.reserve, a.vault]);
    // A reserve added by someone other than the admin.
    let mint = env.create_mint();
    let addresses = ReserveAddresses::derive(&LENDING, &env.market, &mint);
    let ix = lix::init_reserve(&LENDING, &env.payer.pubkey(), &supplier.key.pubkey(), &addresses, config(SCALE));
    env.fails(&[ix], &[&supplier.key], err(LendingError::WrongAuthority), &[addresses.reserve]);
    // A price set by someone other than the oracle.
    let ix = lix::set_price(&LENDING, &a, &supplier.key.pubkey(), 1);
    env.fails(&[ix], &[&supplier.key], err(LendingError::WrongAuthority), &[a.price_feed]);
    // Out-of-range parameters.
    let bad = ReserveConfig { collateral_factor_bps: 9_600, ..config(SCALE) };
    let ix = lix::init_reserve(&LENDING, &env.payer.pubkey(), &env.admin.pubkey(), &addresses, bad);
    let admin = Keypair::from_bytes(&env.admin.to_bytes()).unwrap();
    env.fails(&[ix], &[&admin], err(LendingError::InvalidParameter), &[addresses.reserve]);
}

#[test]
fn missing_or_wrong_position_accounts_are_refused() {
    let (mut env, a, b, _, borrower) = pledged();
    let watched = [b.reserve, borrower.obligation];
    let ix = lix::borrow(&LENDING, &b, &borrower.obligation, &borrower.accounts[1].0, &borrower.key.pubkey(), 10, &[]);
    env.fails(&[ix], &[&borrower.key], InstructionError::NotEnoughAccountKeys, &watched);
    // Reserve B in place of the collateral position's reserve A.
    let ix = lix::borrow(
        &LENDING,
        &b,
        &borrower.obligation,
        &borrower.accounts[1].0,
        &borrower.key.pubkey(),
        10,
        &[(b.reserve, b.price_feed)],
    );
    env.fails(&[ix], &[&borrower.key], err(LendingError::PositionAccountMismatch), &watched);
    // The right reserve with another reserve's price feed.
    let ix = lix::borrow(
        &LENDING,
        &b,
        &borrower.obligation,
        &borrower.accounts[1].0,
        &borrower.key.pubkey(),
        10,
        &[(a.reserve, b.price_feed)],
    );
    env.fails(&[ix], &[&borrower.key], err(LendingError::AccountMismatch), &watched);
}

#[test]
fn a_donation_does_not_move_the_exchange_rate() {
    let (mut env, a, _, supplier, borrower) = fixture();
    // The borrower sends tokens straight into the vault.
    let ix = token_ix::transfer(&TOKEN, &borrower.accounts[0].0, &a.vault, &borrower.key.pubkey(), 500_000);
    env.ok(&[ix], &[&borrower.key]);
    env.ok(&[env.deposit(&a, 0, &supplier, 1_000)], &[&supplier.key]);
    assert_eq!(env.amount(&supplier.accounts[0].1), 1_001_000, "still 1:1");
    env.check_books(&a, &[&supplier, &borrower]);
}

// ---------------------------------------------------------------- properties

#[derive(Debug, Clone)]
enum Op {
    Deposit { user: usize, amount: u64 },
    Withdraw { user: usize, bps: u64 },
    Pledge { user: usize, bps: u64 },
    Unpledge { user: usize, bps: u64 },
    Borrow { user: usize, amount: u64 },
    Repay { user: usize, amount: u64 },
    Warp { slots: u64 },
    Price { price_bps: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0usize..3, 1u64..500_000).prop_map(|(user, amount)| Op::Deposit { user, amount }),
        1 => (0usize..3, 1u64..=10_000).prop_map(|(user, bps)| Op::Withdraw { user, bps }),
        1 => (0usize..3, 1u64..=10_000).prop_map(|(user, bps)| Op::Pledge { user, bps }),
        1 => (0usize..3, 1u64..=10_000).prop_map(|(user, bps)| Op::Unpledge { user, bps }),
        2 => (0usize..3, 1u64..300_000).prop_map(|(user, amount)| Op::Borrow { user, amount }),
        1 => (0usize..3, 1u64..300_000).prop_map(|(user, amount)| Op::Repay { user, amount }),
        1 => (1u64..200_000).prop_map(|slots| Op::Warp { slots }),
        1 => (5_000u64..20_000).prop_map(|price_bps| Op::Price { price_bps }),
    ]
}

/// Three users, each with 1,000,000 of A and B, who supplied 500,000 B and
/// 400,000 A and pledged 300,000 A shares (users pledge A and borrow B).
fn world() -> (Env, ReserveAddresses, ReserveAddresses, Vec<User>) {
    let mut env = Env::new();
    let (mint_a, mint_b) = (env.create_mint(), env.create_mint());
    let a = env.create_reserve(&mint_a, config(SCALE));
    let b = env.create_reserve(&mint_b, config(SCALE));
    let users: Vec<User> = (0..3).map(|_| env.user(&[a, b], 1_000_000)).collect();
    for u in &users {
        env.ok(
            &[env.deposit(&b, 1, u, 500_000), env.deposit(&a, 0, u, 400_000), env.pledge(&a, 0, u, 300_000)],
            &[&u.key],
        );
    }
    (env, a, b, users)
}

/// Apply `op`; returns whether it succeeded, and whether it was a borrow or unpledge.
fn apply(env: &mut Env, a: &ReserveAddresses, b: &ReserveAddresses, users: &[User], op: &Op) -> (bool, Option<usize>) {
    let bps = |x: u64, bps: u64| (x as u128 * bps as u128 / 10_000) as u64;
    let (ix, user, checks_health) = match *op {
        Op::Deposit { user, amount } => (env.deposit(a, 0, &users[user], amount), user, false),
        Op::Withdraw { user, bps: p } => {
            (env.withdraw(a, 0, &users[user], bps(env.amount(&users[user].accounts[0].1), p)), user, false)
        }
        Op::Pledge { user, bps: p } => {
            (env.pledge(a, 0, &users[user], bps(env.amount(&users[user].accounts[0].1), p)), user, false)
        }
        Op::Unpledge { user, bps: p } => {
            let held = env
                .obligation(&users[user])
                .positions
                .iter()
                .find(|x| x.reserve == a.reserve)
                .map_or(0, |x| x.collateral_shares);
            (env.unpledge(a, 0, &users[user], bps(held, p)), user, true)
        }
        Op::Borrow { user, amount } => (env.borrow(b, 1, &users[user], amount), user, true),
        Op::Repay { user, amount } => (env.repay(b, 1, &users[user], &users[user], amount), user, false),
        Op::Warp { slots } => {
            let slot = env.h.slot();
            env.h.warp_to_slot(slot + slots);
            return (true, None);
        }
        Op::Price { price_bps } => {
            env.set_price(b, bps(SCALE, price_bps));
            return (true, None);
        }
    };
    let ok = env.send(&[ix], &[&users[user].key]).is_ok();
    (ok, if checks_health { Some(user) } else { None })
}

/// The books of reserve B: every supplier's claim plus the protocol's
/// reserves is covered by cash plus debt, within rounding in the protocol's
/// favour; every borrower owes at least the books' share of the debt.
fn check_solvency(env: &Env, b: &ReserveAddresses, users: &[User]) -> Result<(), TestCaseError> {
    let reserve = env.check_books(b, &users.iter().collect::<Vec<_>>()).accrued(env.h.slot()).unwrap();
    let value = reserve.supply_value().unwrap() as u128;
    let debt = reserve.total_debt().unwrap() as u128;
    prop_assert_eq!(reserve.cash as u128 + debt, value + reserve.protocol_reserves as u128);
    let claims: u128 =
        users.iter().map(|u| reserve.amount_for_shares(env.amount(&u.accounts[1].1)).unwrap() as u128).sum();
    prop_assert!(claims <= value, "suppliers can redeem {claims} > {value}");
    prop_assert!(value - claims <= users.len() as u128 + 1, "rounding kept more than a unit per holder");
    let owed: u128 = users
        .iter()
        .filter_map(|u| {
            env.obligation(u)
                .positions
                .iter()
                .find(|p| p.reserve == b.reserve)
                .map(|p| reserve.debt_of(p.borrowed_scaled).unwrap() as u128)
        })
        .sum();
    prop_assert!(owed >= debt && owed <= debt + users.len() as u128, "borrowers owe {owed}, books count {debt}");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Through any sequence: the books balance (cash + debt = claims +
    /// reserves, rounding for the protocol), no successful borrow or
    /// collateral withdrawal leaves an obligation beyond its limit, and in
    /// the end everyone can repay and everyone can withdraw.
    #[test]
    fn the_books_balance_and_limits_hold(ops in prop::collection::vec(op(), 1..12)) {
        let (mut env, a, b, users) = world();
        for op in &ops {
            let (ok, checked) = apply(&mut env, &a, &b, &users, op);
            if let (true, Some(user)) = (ok, checked) {
                let health = env.health(&users[user]);
                prop_assert!(health.is_healthy(), "{op:?} left {health:?}");
            }
            check_solvency(&env, &b, &users)?;
        }
        // Wind down: repay every debt (minting what interest requires), then withdraw everything.
        env.set_price(&b, SCALE);
        for u in &users {
            let mint_b = b.mint;
            env.mint_more(&mint_b, &u.accounts[1].0, 10_000_000);
            if env.obligation(u).positions.iter().any(|p| p.reserve == b.reserve && p.borrowed_scaled > 0) {
                env.ok(&[env.repay(&b, 1, u, u, u64::MAX)], &[&u.key]);
            }
        }
        for u in &users {
            let shares = env.amount(&u.accounts[1].1);
            if shares > 0 {
                env.ok(&[env.withdraw(&b, 1, u, shares)], &[&u.key]);
            }
        }
        let end = env.reserve(&b);
        prop_assert_eq!(end.share_supply, 0);
        prop_assert!(env.amount(&b.vault) >= end.protocol_reserves);
        check_solvency(&env, &b, &users)?;
    }

    /// Whatever the prices: a healthy obligation cannot be liquidated, and
    /// an unhealthy one can.
    #[test]
    fn only_unhealthy_obligations_are_liquidated(borrow_bps in 1u64..=10_000, price_bps in 5_000u64..30_000, slots in 0u64..1_000_000) {
        let (mut env, a, b, supplier, borrower) = pledged();
        let amount = (37_500 * borrow_bps / 10_000).max(1);
        env.ok(&[env.borrow(&b, 1, &borrower, amount)], &[&borrower.key]);
        env.set_price(&b, (2 * SCALE as u128 * price_bps as u128 / 10_000) as u64);
        let slot = env.h.slot();
        env.h.warp_to_slot(slot + slots);
        let healthy = env.health(&borrower).is_healthy();
        let result = env.send(&[env.liquidate((&b, 1), (&a, 0), &supplier, &borrower, 1_000_000)], &[&supplier.key]);
        match result {
            Ok(_) => prop_assert!(!healthy, "a healthy obligation was liquidated"),
            Err(failed) => {
                let healthy_refusal = TransactionError::InstructionError(0, err(LendingError::ObligationHealthy));
                prop_assert!(healthy, "an unhealthy obligation could not be liquidated: {failed}");
                prop_assert_eq!(failed.err, healthy_refusal);
            }
        }
    }
}
