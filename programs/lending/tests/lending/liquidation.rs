//! Liquidation: an unhealthy obligation pays its liquidator a bonus, and
//! one under water gives up all its collateral.

use crate::common::*;

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
