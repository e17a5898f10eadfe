//! Reserves as created, and supplying, borrowing, repaying and withdrawing
//! with exact amounts; a donation to a vault is never priced in.

use crate::common::*;

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
fn a_donation_does_not_move_the_exchange_rate() {
    let (mut env, a, _, supplier, borrower) = fixture();
    // The borrower sends tokens straight into the vault.
    let ix = token_ix::transfer(&TOKEN, &borrower.accounts[0].0, &a.vault, &borrower.key.pubkey(), 500_000);
    env.ok(&[ix], &[&borrower.key]);
    env.ok(&[env.deposit(&a, 0, &supplier, 1_000)], &[&supplier.key]);
    assert_eq!(env.amount(&supplier.accounts[0].1), 1_001_000, "still 1:1");
    env.check_books(&a, &[&supplier, &borrower]);
}
