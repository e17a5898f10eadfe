//! Every way a caller can cheat: a wrong vault, a fake mint, a reserve or
//! price feed of another market, someone else's obligation, a missing
//! signer, missing or wrong position accounts. Each is refused with its
//! exact error and changes nothing.

use crate::common::*;

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
        system_instruction::create_account(
            &payer,
            &attacker_market.pubkey(),
            lanes_sdk::rent::minimum_balance(Market::LEN),
            Market::LEN as u64,
            &LENDING,
        ),
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
