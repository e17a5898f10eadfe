//! DeFi workloads for `lanes-bench`: swaps in P constant-product pools
//! (`lanes-amm`), lending (`lanes-lending`), and a mix of token transfers,
//! swaps and lending.
//!
//! Each workload sets up every account **through real transactions** paid by
//! one funded "faucet" wallet, on a [`SetupChain`]: a bank in process (each
//! transaction runs at once), or a running node for `lanes-bench remote`
//! (transactions sent in batches and confirmed at each [`SetupChain::settle`],
//! so a phase holds only transactions that do not depend on each other).
//! [`DefiLoad`] then builds the `k`th measured transaction under any
//! blockhash; each `prepare_*` function does all of it on a bank with the
//! token, AMM and lending programs installed ([`install_defi_programs`] adds
//! the last two) and signs the measured transactions on all cores. Every
//! measured transaction is distinct (a per-round amount keeps signatures
//! apart) and succeeds when run in order; any order that respects conflicts
//! (the scheduler's) gives the same result.
//!
//! Contention, by design:
//! * **swap**: user `u` trades in pool `u % P`; every swap in one pool writes
//!   that pool and its two vaults, so P = 1 is one hot pool and larger P
//!   lets swaps run side by side.
//! * **lend**: users are spread over up to [`LENDING_MARKETS`] markets, each
//!   with reserves of two tokens; every deposit, withdrawal, borrow and
//!   repayment writes its reserve, as in Compound.
//! * **mixed**: one third each of token transfers (between users of one
//!   pool), swaps (in [`MIXED_POOLS`] pools) and lending operations.
//!
//! This module must never bypass a program: all state comes from
//! instructions the programs accept from any client.

use crate::bench::{install_program, sign_all};
use lanes_amm::instruction::{self as amm_ix, LiquidityAccounts};
use lanes_amm::PoolAddresses;
use lanes_lending::instruction::{self as lend_ix, ReserveConfig};
use lanes_lending::math::SCALE;
use lanes_lending::state::{Market, Pack};
use lanes_lending::ReserveAddresses;
use lanes_runtime::bank::Bank;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::message::PACKET_DATA_SIZE;
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{system_instruction, system_program, Account, Instruction, Pubkey, LAMPORTS_PER_SOL};
use lanes_token::instruction as token_ix;

const TOKEN: Pubkey = lanes_token::ID;
const AMM: Pubkey = lanes_amm::ID;
const LENDING: Pubkey = lanes_lending::ID;

/// Swap fee of every benchmark pool: 0.30%.
pub const SWAP_FEE_BPS: u16 = 30;
/// Most lending markets the `lend` workload spreads its users over.
pub const LENDING_MARKETS: usize = 4;
/// Pools the `mixed` workload swaps in (fewer if there are fewer users).
pub const MIXED_POOLS: usize = 16;

/// Lamports each user wallet starts with (fees are 5,000 a transaction).
const WALLET_LAMPORTS: u64 = 10 * LAMPORTS_PER_SOL;
/// Lamports in each token account or mint the setup creates.
/// Tokens of each mint a user starts with.
const USER_TOKENS: u64 = 1_000_000_000_000;
/// Each side of each pool's initial liquidity.
const POOL_LIQUIDITY: u64 = 1_000_000_000_000;
/// Liquidity of the borrowed token the faucet supplies to each market.
const LENDING_LIQUIDITY: u64 = 10_000_000_000_000;
const MINT_LEN: u64 = 76;
const TOKEN_ACCOUNT_LEN: u64 = 147;

/// Put the AMM and lending programs on `bank` (genesis-style, like the
/// token program), unless a build of them is there already
/// (`lanes-bench in-process --programs`).
pub fn install_defi_programs(bank: &Bank) -> Result<(), String> {
    for (id, wasm) in [(AMM, lanes_program_artifacts::AMM), (LENDING, lanes_program_artifacts::LENDING)] {
        if bank.get_account(&id).is_none() {
            install_program(bank, id, wasm).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// `transactions` swaps by `users` users in `pools` pools (user `u` in pool
/// `u % pools`), alternately selling each side of their pool.
pub fn prepare_swaps(
    bank: &mut Bank,
    pools: usize,
    users: usize,
    transactions: usize,
    blockhash: Hash,
) -> Result<Vec<Transaction>, String> {
    let faucet = bank_faucet(bank)?;
    let load = DefiLoad::swaps(bank, faucet, pools, users)?;
    Ok(sign_all(transactions, |k| load.transaction(k, blockhash)))
}

/// `transactions` lending operations by `users` users: each user supplied
/// and pledged token A, and cycles through borrowing B, repaying it,
/// depositing A and withdrawing A.
pub fn prepare_lending(
    bank: &mut Bank,
    users: usize,
    transactions: usize,
    blockhash: Hash,
) -> Result<Vec<Transaction>, String> {
    let faucet = bank_faucet(bank)?;
    let load = DefiLoad::lending(bank, faucet, users)?;
    Ok(sign_all(transactions, |k| load.transaction(k, blockhash)))
}

/// `transactions` operations, interleaved: token transfers, swaps and
/// lending, each kind by its own `users` users.
pub fn prepare_mixed(
    bank: &mut Bank,
    users: usize,
    transactions: usize,
    blockhash: Hash,
) -> Result<Vec<Transaction>, String> {
    let faucet = bank_faucet(bank)?;
    let load = DefiLoad::mixed(bank, faucet, users)?;
    Ok(sign_all(transactions, |k| load.transaction(k, blockhash)))
}

/// A faucet wallet funded genesis-style on `bank`.
fn bank_faucet(bank: &Bank) -> Result<Keypair, String> {
    let faucet = Keypair::new();
    let lamports = 1_000_000_000 * LAMPORTS_PER_SOL;
    bank.set_account(faucet.pubkey(), Account::new(lamports, 0, &system_program::ID)).map_err(|e| e.to_string())?;
    Ok(faucet)
}

/// Lamports a faucet needs to set up a workload of `users` users (count
/// each part of `mixed`): every wallet, token account, mint, pool and
/// market it pays for, with room to spare (fees; the lending markets'
/// liquidity is in tokens, not lamports).
pub fn faucet_lamports(users: usize) -> u64 {
    let per_user = WALLET_LAMPORTS + 4 * minimum_balance(TOKEN_ACCOUNT_LEN as usize) + 100_000;
    (users as u64).saturating_mul(2 * per_user).saturating_add(1_000 * LAMPORTS_PER_SOL)
}

/// Where setup transactions run: a bank (at once, in process) or a node
/// (`lanes-bench remote`: queued, then sent and confirmed together).
pub trait SetupChain {
    /// A recent blockhash to sign setup transactions with.
    fn blockhash(&mut self) -> Result<Hash, String>;
    /// Run `tx` now or by the next [`settle`](SetupChain::settle); it must
    /// not depend on another transaction submitted since the last settle.
    fn submit(&mut self, tx: Transaction) -> Result<(), String>;
    /// Return once everything submitted has run and succeeded.
    fn settle(&mut self) -> Result<(), String>;
}

impl SetupChain for Bank {
    fn blockhash(&mut self) -> Result<Hash, String> {
        Ok(self.latest_blockhash())
    }

    fn submit(&mut self, tx: Transaction) -> Result<(), String> {
        let outcome = self.process_transaction(&tx).map_err(|e| e.to_string())?;
        outcome
            .result
            .clone()
            .map_err(|e| format!("setup transaction failed: {e}; logs: {:#?}", outcome.log_messages()))
    }

    fn settle(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// Submit a setup transaction, checked to fit in a packet.
fn submit_checked(chain: &mut dyn SetupChain, tx: Transaction) -> Result<(), String> {
    let len = tx.to_wire().map_err(|e| e.to_string())?.len();
    if len > PACKET_DATA_SIZE {
        return Err(format!("a setup transaction is {len} bytes, more than a packet"));
    }
    chain.submit(tx)
}

/// Give each of `wallets` `lamports` from `funder`, 20 transfers a
/// transaction (all independent: one phase).
pub fn fund_wallets(
    chain: &mut dyn SetupChain,
    funder: &Keypair,
    wallets: &[Pubkey],
    lamports: u64,
) -> Result<(), String> {
    for group in wallets.chunks(20) {
        let transfers: Vec<Instruction> =
            group.iter().map(|to| system_instruction::transfer(&funder.pubkey(), to, lamports)).collect();
        let blockhash = chain.blockhash()?;
        submit_checked(
            chain,
            Transaction::new_signed_with_payer(&transfers, Some(&funder.pubkey()), &[funder], blockhash),
        )?;
    }
    Ok(())
}

/// A DeFi workload set up on a chain: builds its `k`th measured transaction.
pub enum DefiLoad {
    Swap(SwapEnv),
    Lend(LendEnv),
    Mixed(SwapEnv, LendEnv),
}

impl DefiLoad {
    /// `users` users trading in `pools` pools (user `u` in pool `u % pools`).
    pub fn swaps(chain: &mut dyn SetupChain, faucet: Keypair, pools: usize, users: usize) -> Result<Self, String> {
        if pools == 0 || users < pools {
            return Err(format!(
                "the swap workload needs at least one pool and a user per pool (pools {pools}, users {users})"
            ));
        }
        let mut setup = Setup { chain, faucet };
        Ok(DefiLoad::Swap(SwapEnv::new(&mut setup, pools, users)?))
    }

    /// `users` users of the lending markets.
    pub fn lending(chain: &mut dyn SetupChain, faucet: Keypair, users: usize) -> Result<Self, String> {
        if users == 0 {
            return Err("the lending workload needs at least one user".into());
        }
        let mut setup = Setup { chain, faucet };
        Ok(DefiLoad::Lend(LendEnv::new(&mut setup, users)?))
    }

    /// `users` users for each of token transfers, swaps (in [`MIXED_POOLS`]
    /// pools) and lending.
    pub fn mixed(chain: &mut dyn SetupChain, faucet: Keypair, users: usize) -> Result<Self, String> {
        if users == 0 {
            return Err("the mixed workload needs at least one user".into());
        }
        let mut setup = Setup { chain, faucet };
        let swaps = SwapEnv::new(&mut setup, MIXED_POOLS.min(users), users)?;
        let lending = LendEnv::new(&mut setup, users)?;
        Ok(DefiLoad::Mixed(swaps, lending))
    }

    /// The `k`th measured transaction, signed under `blockhash`.
    pub fn transaction(&self, k: usize, blockhash: Hash) -> Transaction {
        match self {
            DefiLoad::Swap(env) => env.swap(k % env.users.len(), k / env.users.len(), blockhash),
            DefiLoad::Lend(env) => env.operation(k % env.users.len(), k / env.users.len(), blockhash),
            DefiLoad::Mixed(swaps, lending) => {
                let (j, kind) = (k / 3, k % 3);
                let users = swaps.users.len();
                let (user, round) = (j % users, j / users);
                match kind {
                    0 => swaps.transfer(user, round, blockhash),
                    1 => swaps.swap(user, round, blockhash),
                    _ => lending.operation(user, round, blockhash),
                }
            }
        }
    }

    /// The users' wallets.
    pub fn wallets(&self) -> Vec<Pubkey> {
        match self {
            DefiLoad::Swap(env) | DefiLoad::Mixed(env, _) => env.users.iter().map(|u| u.key.pubkey()).collect(),
            DefiLoad::Lend(env) => env.users.iter().map(|u| u.key.pubkey()).collect(),
        }
    }
}

fn signed(ixs: &[Instruction], payer: &Keypair, blockhash: Hash) -> Transaction {
    Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &[payer], blockhash)
}

/// Submits setup transactions to a chain, all paid by the faucet wallet,
/// each checked to fit in a packet. Keys are made here, so what a
/// transaction creates is known before it runs.
struct Setup<'c> {
    chain: &'c mut dyn SetupChain,
    faucet: Keypair,
}

impl Setup<'_> {
    fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<(), String> {
        let mut all = vec![&self.faucet];
        all.extend(signers.iter().copied().filter(|s| s.pubkey() != self.faucet.pubkey()));
        let blockhash = self.chain.blockhash()?;
        let tx = Transaction::new_signed_with_payer(ixs, Some(&self.faucet.pubkey()), &all, blockhash);
        self.submit(tx)
    }

    fn submit(&mut self, tx: Transaction) -> Result<(), String> {
        submit_checked(self.chain, tx)
    }

    fn settle(&mut self) -> Result<(), String> {
        self.chain.settle()
    }

    /// Fund wallets from the faucet, 20 transfers a transaction.
    fn fund(&mut self, wallets: &[Pubkey]) -> Result<(), String> {
        fund_wallets(self.chain, &self.faucet, wallets, WALLET_LAMPORTS)
    }

    /// `count` mints, authority the faucet, 3 a transaction.
    fn mints(&mut self, count: usize) -> Result<Vec<Pubkey>, String> {
        let keys: Vec<Keypair> = (0..count).map(|_| Keypair::new()).collect();
        let faucet = self.faucet.pubkey();
        for chunk in keys.chunks(3) {
            let mut ixs = Vec::new();
            for mint in chunk {
                ixs.push(system_instruction::create_account(
                    &faucet,
                    &mint.pubkey(),
                    minimum_balance(MINT_LEN as usize),
                    MINT_LEN,
                    &TOKEN,
                ));
                ixs.push(token_ix::initialize_mint(&TOKEN, &mint.pubkey(), &faucet, None, 6));
            }
            let signers: Vec<&Keypair> = chunk.iter().collect();
            self.send(&ixs, &signers)?;
        }
        Ok(keys.iter().map(Keypair::pubkey).collect())
    }

    /// Token accounts of (mint, owner), each minted `amount`, 2 a transaction.
    fn token_accounts(&mut self, specs: &[(Pubkey, Pubkey, u64)]) -> Result<Vec<Pubkey>, String> {
        let keys: Vec<Keypair> = specs.iter().map(|_| Keypair::new()).collect();
        let faucet = self.faucet.pubkey();
        for (chunk, accounts) in specs.chunks(2).zip(keys.chunks(2)) {
            let mut ixs = Vec::new();
            for ((mint, owner, amount), account) in chunk.iter().zip(accounts) {
                ixs.push(system_instruction::create_account(
                    &faucet,
                    &account.pubkey(),
                    minimum_balance(TOKEN_ACCOUNT_LEN as usize),
                    TOKEN_ACCOUNT_LEN,
                    &TOKEN,
                ));
                ixs.push(token_ix::initialize_account(&TOKEN, &account.pubkey(), mint, owner));
                if *amount > 0 {
                    ixs.push(token_ix::mint_to(&TOKEN, mint, &account.pubkey(), &faucet, *amount));
                }
            }
            let signers: Vec<&Keypair> = accounts.iter().collect();
            self.send(&ixs, &signers)?;
        }
        Ok(keys.iter().map(Keypair::pubkey).collect())
    }
}

struct SwapUser {
    key: Keypair,
    pool: usize,
    /// The user's token accounts of the pool's mint A and mint B.
    account_a: Pubkey,
    account_b: Pubkey,
    /// Another user of the same pool (or this one, if alone): transfer target.
    peer: usize,
}

/// Pools over a ring of mints (pool `k` trades mints `k` and `k + 1`), with
/// liquidity from the faucet, and users holding both tokens of their pool.
pub struct SwapEnv {
    pools: Vec<PoolAddresses>,
    users: Vec<SwapUser>,
}

impl SwapEnv {
    /// In four phases, each settled before the next: the mints; the
    /// faucet's and the users' token accounts, the users' wallets and the
    /// pools; the faucet's LP token accounts (their mints are the pools');
    /// the pools' liquidity.
    fn new(setup: &mut Setup, pools: usize, users: usize) -> Result<Self, String> {
        let mints = setup.mints(pools + 1)?;
        setup.settle()?;

        let faucet = setup.faucet.pubkey();
        // The faucet holds every mint (each mint is in at most two pools).
        let specs: Vec<_> = mints.iter().map(|m| (*m, faucet, 4 * POOL_LIQUIDITY)).collect();
        let faucet_accounts = setup.token_accounts(&specs)?;
        let account_of = |mint: &Pubkey| faucet_accounts[mints.iter().position(|m| m == mint).expect("a ring mint")];
        let addresses: Vec<PoolAddresses> =
            (0..pools).map(|k| PoolAddresses::derive(&AMM, &mints[k], &mints[k + 1], SWAP_FEE_BPS)).collect();
        for pool in &addresses {
            setup.send(&[amm_ix::initialize_pool(&AMM, &faucet, pool)], &[])?;
        }
        let keys: Vec<Keypair> = (0..users).map(|_| Keypair::new()).collect();
        setup.fund(&keys.iter().map(Keypair::pubkey).collect::<Vec<_>>())?;
        let specs: Vec<_> = keys
            .iter()
            .enumerate()
            .flat_map(|(u, key)| {
                let pool = &addresses[u % pools];
                [(pool.mint_a, key.pubkey(), USER_TOKENS), (pool.mint_b, key.pubkey(), USER_TOKENS)]
            })
            .collect();
        let accounts = setup.token_accounts(&specs)?;
        setup.settle()?;

        let lp_specs: Vec<_> = addresses.iter().map(|pool| (pool.lp_mint, faucet, 0)).collect();
        let lp_accounts = setup.token_accounts(&lp_specs)?;
        setup.settle()?;

        for (pool, lp) in addresses.iter().zip(lp_accounts) {
            let liquidity = LiquidityAccounts {
                user_a: account_of(&pool.mint_a),
                user_b: account_of(&pool.mint_b),
                user_lp: lp,
                user: faucet,
            };
            setup.send(&[amm_ix::add_liquidity(&AMM, pool, &liquidity, POOL_LIQUIDITY, POOL_LIQUIDITY, 1)], &[])?;
        }
        setup.settle()?;

        let users = keys
            .into_iter()
            .enumerate()
            .map(|(u, key)| {
                // The next user of the same pool, wrapping to the first.
                let peer = if u + pools < users { u + pools } else { u % pools };
                SwapUser { key, pool: u % pools, account_a: accounts[2 * u], account_b: accounts[2 * u + 1], peer }
            })
            .collect();
        Ok(SwapEnv { pools: addresses, users })
    }

    /// User `u`'s swap in round `round`: A for B in even rounds, B for A in odd.
    fn swap(&self, u: usize, round: usize, blockhash: Hash) -> Transaction {
        let user = &self.users[u];
        let pool = &self.pools[user.pool];
        let amount = 1_000 + round as u64;
        let (mint_in, source, destination) = if round.is_multiple_of(2) {
            (pool.mint_a, user.account_a, user.account_b)
        } else {
            (pool.mint_b, user.account_b, user.account_a)
        };
        let ix = amm_ix::swap_in_pool(&AMM, pool, &mint_in, &source, &destination, &user.key.pubkey(), amount, 1);
        signed(&[ix], &user.key, blockhash)
    }

    /// User `u`'s token transfer (of its pool's mint A) to its peer in round `round`.
    fn transfer(&self, u: usize, round: usize, blockhash: Hash) -> Transaction {
        let user = &self.users[u];
        let peer = &self.users[user.peer];
        let ix = token_ix::transfer(&TOKEN, &user.account_a, &peer.account_a, &user.key.pubkey(), 1 + round as u64);
        signed(&[ix], &user.key, blockhash)
    }
}

struct LendUser {
    key: Keypair,
    market: usize,
    obligation: Pubkey,
    token_a: Pubkey,
    token_b: Pubkey,
    shares_a: Pubkey,
}

/// Markets with reserves of tokens A and B (price 1 each), B supplied by the
/// faucet; each user supplied 500,000,000,000 A and pledged 400,000,000,000
/// of the shares.
pub struct LendEnv {
    /// Per market: (reserve A, reserve B).
    markets: Vec<(ReserveAddresses, ReserveAddresses)>,
    users: Vec<LendUser>,
}

impl LendEnv {
    /// In six phases, each settled before the next: the mints; the
    /// faucet's B and the markets; the reserves; the faucet's B shares
    /// account; the faucet's B supply, the users' wallets and token
    /// accounts; each user's obligation, deposit and pledge.
    fn new(setup: &mut Setup, users: usize) -> Result<Self, String> {
        let mints = setup.mints(2)?;
        setup.settle()?;

        let faucet = setup.faucet.pubkey();
        let count = users.clamp(1, LENDING_MARKETS);
        let faucet_b = setup.token_accounts(&[(mints[1], faucet, count as u64 * LENDING_LIQUIDITY)])?[0];
        let config = ReserveConfig {
            collateral_factor_bps: 7_500,
            liquidation_bonus_bps: 500,
            reserve_factor_bps: 1_000,
            base_rate_per_slot: 1_000,
            slope_per_slot: 10_000,
            initial_price: SCALE,
        };
        let mut markets = Vec::with_capacity(count);
        for _ in 0..count {
            let market = Keypair::new();
            setup.send(
                &[
                    system_instruction::create_account(
                        &faucet,
                        &market.pubkey(),
                        minimum_balance(Market::LEN),
                        Market::LEN as u64,
                        &LENDING,
                    ),
                    lend_ix::init_market(&LENDING, &market.pubkey(), &faucet, &faucet),
                ],
                &[&market],
            )?;
            let a = ReserveAddresses::derive(&LENDING, &market.pubkey(), &mints[0]);
            let b = ReserveAddresses::derive(&LENDING, &market.pubkey(), &mints[1]);
            markets.push((a, b));
        }
        setup.settle()?;

        for (a, b) in &markets {
            setup.send(&[lend_ix::init_reserve(&LENDING, &faucet, &faucet, a, config)], &[])?;
            setup.send(&[lend_ix::init_reserve(&LENDING, &faucet, &faucet, b, config)], &[])?;
        }
        setup.settle()?;

        let share_specs: Vec<_> = markets.iter().map(|(_, b)| (b.share_mint, faucet, 0)).collect();
        let faucet_shares = setup.token_accounts(&share_specs)?;
        setup.settle()?;

        for ((_, b), shares) in markets.iter().zip(&faucet_shares) {
            setup.send(&[lend_ix::deposit(&LENDING, b, &faucet_b, shares, &faucet, LENDING_LIQUIDITY)], &[])?;
        }
        let keys: Vec<Keypair> = (0..users).map(|_| Keypair::new()).collect();
        setup.fund(&keys.iter().map(Keypair::pubkey).collect::<Vec<_>>())?;
        let specs: Vec<_> = keys
            .iter()
            .enumerate()
            .flat_map(|(u, key)| {
                let (a, _) = &markets[u % count];
                let owner = key.pubkey();
                [(mints[0], owner, USER_TOKENS), (mints[1], owner, USER_TOKENS), (a.share_mint, owner, 0)]
            })
            .collect();
        let accounts = setup.token_accounts(&specs)?;
        setup.settle()?;

        let mut out = Vec::with_capacity(users);
        for (u, key) in keys.into_iter().enumerate() {
            let market = u % count;
            let (a, _) = &markets[market];
            let owner = key.pubkey();
            let (token_a, token_b, shares_a) = (accounts[3 * u], accounts[3 * u + 1], accounts[3 * u + 2]);
            let obligation = lanes_lending::find_obligation_address(&LENDING, &a.market, &owner).0;
            // The user pays for and signs its own obligation, deposit and pledge.
            let tx = signed(
                &[
                    lend_ix::init_obligation(&LENDING, &owner, &a.market, &owner),
                    lend_ix::deposit(&LENDING, a, &token_a, &shares_a, &owner, USER_TOKENS / 2),
                    lend_ix::deposit_collateral(&LENDING, a, &obligation, &shares_a, &owner, USER_TOKENS * 2 / 5),
                ],
                &key,
                setup.chain.blockhash()?,
            );
            setup.submit(tx)?;
            out.push(LendUser { key, market, obligation, token_a, token_b, shares_a });
        }
        setup.settle()?;
        Ok(LendEnv { markets, users: out })
    }

    /// User `u`'s operation in round `round`: borrow B, repay it, deposit A,
    /// withdraw as many A shares (the exchange rate of A stays 1: nobody borrows A).
    fn operation(&self, u: usize, round: usize, blockhash: Hash) -> Transaction {
        let user = &self.users[u];
        let (a, b) = &self.markets[user.market];
        let owner = user.key.pubkey();
        let amount = 1_000 + round as u64;
        let ix = match round % 4 {
            // The obligation's only other position is its collateral in A.
            0 => lend_ix::borrow(
                &LENDING,
                b,
                &user.obligation,
                &user.token_b,
                &owner,
                amount,
                &[(a.reserve, a.price_feed)],
            ),
            1 => lend_ix::repay(&LENDING, b, &user.obligation, &user.token_b, &owner, amount - 1),
            2 => lend_ix::deposit(&LENDING, a, &user.token_a, &user.shares_a, &owner, amount),
            _ => lend_ix::withdraw(&LENDING, a, &user.token_a, &user.shares_a, &owner, amount - 1),
        };
        signed(&[ix], &user.key, blockhash)
    }
}

#[cfg(test)]
mod tests;
