//! What every lending test shares: the `Env` around the harness (a market,
//! its admin and oracle, reserves, users and their instructions), the
//! standard reserve configuration, and the two starting fixtures.

pub(crate) use crate::token_fixture::TokenFixture;
pub(crate) use lanes_lending::error::LendingError;
pub(crate) use lanes_lending::instruction::{self as lix, position_accounts, ReserveConfig};
pub(crate) use lanes_lending::math::{Health, SCALE};
pub(crate) use lanes_lending::state::{Market, Obligation, Pack, PriceFeed, Reserve};
pub(crate) use lanes_lending::ReserveAddresses;
pub(crate) use lanes_runtime::harness::{Harness, WithPayer};
pub(crate) use lanes_sdk::client::Keypair;
pub(crate) use lanes_sdk::instruction::InstructionError;
pub(crate) use lanes_sdk::transaction_error::TransactionError;
pub(crate) use lanes_sdk::{system_instruction, Account, Instruction, Pubkey, LAMPORTS_PER_SOL};
pub(crate) use lanes_token::instruction as token_ix;
pub(crate) use lanes_token::state::{Mint, TokenAccount};

pub(crate) const LENDING: Pubkey = lanes_lending::ID;

pub(crate) const TOKEN: Pubkey = lanes_token::ID;

pub(crate) fn err(e: LendingError) -> InstructionError {
    InstructionError::Custom(e.code())
}

/// 75% collateral factor, 5% bonus, 10% reserve factor; 1e-7 + 1e-6·u per slot.
pub(crate) fn config(price: u64) -> ReserveConfig {
    ReserveConfig {
        collateral_factor_bps: 7_500,
        liquidation_bonus_bps: 500,
        reserve_factor_bps: 1_000,
        base_rate_per_slot: 100_000,
        slope_per_slot: 1_000_000,
        initial_price: price,
    }
}

pub(crate) struct Env {
    pub(crate) h: Harness,
    pub(crate) payer: Keypair,
    pub(crate) mint_authority: Keypair,
    pub(crate) admin: Keypair,
    pub(crate) oracle: Keypair,
    pub(crate) market: Pubkey,
}

pub(crate) struct User {
    pub(crate) key: Keypair,
    pub(crate) obligation: Pubkey,
    /// Per reserve: (token account, share account).
    pub(crate) accounts: Vec<(Pubkey, Pubkey)>,
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
    pub(crate) fn new() -> Self {
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

    pub(crate) fn create_market(&mut self) -> Pubkey {
        let market = Keypair::new();
        let (admin, oracle) = (self.admin.pubkey(), self.oracle.pubkey());
        let ixs = [
            system_instruction::create_account(
                &self.payer.pubkey(),
                &market.pubkey(),
                lanes_sdk::rent::minimum_balance(Market::LEN),
                Market::LEN as u64,
                &LENDING,
            ),
            lix::init_market(&LENDING, &market.pubkey(), &admin, &oracle),
        ];
        self.h.expire_blockhash();
        self.h.send(&ixs, &self.payer, &[&market, &self.admin]).expect("market");
        market.pubkey()
    }

    pub(crate) fn create_reserve(&mut self, mint: &Pubkey, config: ReserveConfig) -> ReserveAddresses {
        let addresses = ReserveAddresses::derive(&LENDING, &self.market, mint);
        let ix = lix::init_reserve(&LENDING, &self.payer.pubkey(), &self.admin.pubkey(), &addresses, config);
        self.h.expire_blockhash();
        if let Err(failed) = self.h.send(&[ix], &self.payer, &[&self.admin]) {
            panic!("reserve: {failed}");
        }
        addresses
    }

    pub(crate) fn mint_more(&mut self, mint: &Pubkey, to: &Pubkey, amount: u64) {
        let ix = token_ix::mint_to(&TOKEN, mint, to, &self.mint_authority.pubkey(), amount);
        self.h.expire_blockhash();
        self.h.send(&[ix], &self.payer, &[&self.mint_authority]).expect("mint");
    }

    /// A user with an obligation and, per reserve, a token account holding
    /// `amount` and an empty share account.
    pub(crate) fn user(&mut self, reserves: &[ReserveAddresses], amount: u64) -> User {
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

    pub(crate) fn amount(&self, account: &Pubkey) -> u64 {
        TokenAccount::unpack(&self.h.get_account(account).expect("token account").data).expect("token account").amount
    }

    pub(crate) fn supply(&self, mint: &Pubkey) -> u64 {
        Mint::unpack(&self.h.get_account(mint).expect("mint").data).expect("mint").supply
    }

    pub(crate) fn reserve(&self, r: &ReserveAddresses) -> Reserve {
        Reserve::unpack(&self.h.get_account(&r.reserve).expect("reserve").data).expect("reserve")
    }

    pub(crate) fn obligation(&self, user: &User) -> Obligation {
        Obligation::unpack(&self.h.get_account(&user.obligation).expect("obligation").data).expect("obligation")
    }

    pub(crate) fn price(&self, r: &ReserveAddresses) -> u64 {
        PriceFeed::unpack(&self.h.get_account(&r.price_feed).expect("feed").data).expect("feed").price
    }

    /// The obligation's health as the program computes it, now.
    pub(crate) fn health(&self, user: &User) -> Health {
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

    pub(crate) fn set_price(&mut self, r: &ReserveAddresses, price: u64) {
        let ix = lix::set_price(&LENDING, r, &self.oracle.pubkey(), price);
        self.h.expire_blockhash();
        self.h.send(&[ix], &self.payer, &[&self.oracle]).expect("price");
    }

    pub(crate) fn deposit(&self, r: &ReserveAddresses, i: usize, user: &User, amount: u64) -> Instruction {
        lix::deposit(&LENDING, r, &user.accounts[i].0, &user.accounts[i].1, &user.key.pubkey(), amount)
    }

    pub(crate) fn withdraw(&self, r: &ReserveAddresses, i: usize, user: &User, shares: u64) -> Instruction {
        lix::withdraw(&LENDING, r, &user.accounts[i].0, &user.accounts[i].1, &user.key.pubkey(), shares)
    }

    pub(crate) fn pledge(&self, r: &ReserveAddresses, i: usize, user: &User, shares: u64) -> Instruction {
        lix::deposit_collateral(&LENDING, r, &user.obligation, &user.accounts[i].1, &user.key.pubkey(), shares)
    }

    pub(crate) fn unpledge(&self, r: &ReserveAddresses, i: usize, user: &User, shares: u64) -> Instruction {
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

    pub(crate) fn borrow(&self, r: &ReserveAddresses, i: usize, user: &User, amount: u64) -> Instruction {
        let others = position_accounts(&LENDING, &self.obligation(user), &[r.reserve]);
        lix::borrow(&LENDING, r, &user.obligation, &user.accounts[i].0, &user.key.pubkey(), amount, &others)
    }

    pub(crate) fn repay(&self, r: &ReserveAddresses, i: usize, payer: &User, of: &User, amount: u64) -> Instruction {
        lix::repay(&LENDING, r, &of.obligation, &payer.accounts[i].0, &payer.key.pubkey(), amount)
    }

    pub(crate) fn liquidate(
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
    pub(crate) fn check_books(&self, r: &ReserveAddresses, users: &[&User]) -> Reserve {
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
pub(crate) fn fixture() -> (Env, ReserveAddresses, ReserveAddresses, User, User) {
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
pub(crate) fn pledged() -> (Env, ReserveAddresses, ReserveAddresses, User, User) {
    let (mut env, a, b, supplier, borrower) = fixture();
    env.ok(&[env.deposit(&a, 0, &borrower, 100_000), env.pledge(&a, 0, &borrower, 100_000)], &[&borrower.key]);
    (env, a, b, supplier, borrower)
}
