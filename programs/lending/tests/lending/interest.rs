//! Interest accrues by slot: the borrow index grows, the protocol keeps its
//! share in the vault, borrowers repay it and suppliers earn it.

use crate::common::*;

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
