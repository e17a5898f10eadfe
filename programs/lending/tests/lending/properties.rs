//! Property tests of the books: through any sequence of operations the
//! reserves stay solvent, no obligation ends beyond its limit, and everyone
//! can repay and withdraw in the end.

use crate::common::*;
use proptest::prelude::*;

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
