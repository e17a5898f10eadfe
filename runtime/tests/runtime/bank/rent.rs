//! The rent rule and the data a transaction may add, as Solana's: every
//! account a transaction leaves with lamports holds the rent-exempt minimum
//! for its size, unless it was short of it already and is neither larger
//! nor richer; no transaction adds more than 20 MiB of account data.

use crate::common::{ix, owned_account, setup};
use lanes_runtime::harness::Harness;
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, system_program, Account, AccountMeta, Pubkey, LAMPORTS_PER_SOL};
use lanes_test_program::TestInstruction;

fn short_of_rent(account_index: u8) -> TransactionError {
    TransactionError::InsufficientFundsForRent { account_index }
}

#[test]
fn a_new_account_needs_the_rent_exempt_minimum_and_the_fee_is_still_paid() {
    let (mut h, payer) = super::funded();
    let to = Pubkey::new_unique_from_u64(1);
    let too_little = system_instruction::transfer(&payer.pubkey(), &to, minimum_balance(0) - 1);
    let before = h.get_balance(&payer.pubkey());
    let failed = h.send(&[too_little], &payer, &[]).unwrap_err();
    assert_eq!(failed.err, short_of_rent(1));
    assert_eq!(h.get_balance(&payer.pubkey()), before - failed.meta.fee);
    assert!(h.get_account(&to).is_none());
    h.send(&[system_instruction::transfer(&payer.pubkey(), &to, minimum_balance(0))], &payer, &[]).unwrap();

    // Data needs more: 16 bytes cost (128 + 16) × 6,960.
    let new = Keypair::new();
    let owner = Pubkey::new_unique_from_u64(3);
    let create = |lamports| system_instruction::create_account(&payer.pubkey(), &new.pubkey(), lamports, 16, &owner);
    assert_eq!(minimum_balance(16), 1_002_240);
    let failed = h.send(&[create(minimum_balance(16) - 1)], &payer, &[&new]).unwrap_err();
    assert_eq!(failed.err, short_of_rent(1));
    h.send(&[create(minimum_balance(16))], &payer, &[&new]).unwrap();
}

#[test]
fn growing_an_account_needs_the_minimum_for_its_new_size() {
    let (mut h, payer) = setup();
    let account = owned_account(&mut h, minimum_balance(100), 100);
    let grow = |len| ix(TestInstruction::Resize { index: 0, len }, vec![AccountMeta::new(account, false)]);
    assert_eq!(h.send(&[grow(101)], &payer, &[]).unwrap_err().err, short_of_rent(1));
    h.send(&[grow(100)], &payer, &[]).unwrap();
    h.send(&[grow(50)], &payer, &[]).unwrap();
}

#[test]
fn an_account_already_short_of_rent_may_shrink_its_balance_but_not_grow_or_gain() {
    let (mut h, payer) = setup();
    // Made before the rule (or by genesis): 1,000 lamports for 8 bytes.
    let short = owned_account(&mut h, 1_000, 8);
    let rich = owned_account(&mut h, 10 * minimum_balance(8), 8);
    let accounts = vec![AccountMeta::new(short, false), AccountMeta::new(rich, false)];
    let moving = |from, to, amount| ix(TestInstruction::MoveLamports { from, to, amount }, accounts.clone());
    h.send(&[moving(0, 1, 10)], &payer, &[]).unwrap();
    assert_eq!(h.get_balance(&short), 990);
    // The error names `short` by its index in the message.
    let refused_for_short = |h: &mut Harness, instruction| {
        let tx = h.transaction(&[instruction], &payer, &[]);
        let index = tx.message.account_keys.iter().position(|key| *key == short).unwrap() as u8;
        assert_eq!(h.send_transaction(tx).unwrap_err().err, short_of_rent(index));
    };
    refused_for_short(&mut h, moving(1, 0, 5));
    refused_for_short(&mut h, ix(TestInstruction::Resize { index: 0, len: 9 }, accounts.clone()));
    // Topped up to exempt, it is an ordinary account again.
    h.send(&[moving(1, 0, minimum_balance(8) - 990)], &payer, &[]).unwrap();
    h.send(&[moving(1, 0, 6)], &payer, &[]).unwrap();
    // Emptied, it is gone.
    let balance = h.get_balance(&short);
    h.send(&[moving(0, 1, balance)], &payer, &[]).unwrap();
    assert!(h.get_account(&short).is_none());
}

#[test]
fn the_fee_may_not_leave_its_payer_short_of_rent() {
    let mut h = Harness::new();
    let payer = Keypair::new();
    h.set_account(payer.pubkey(), Account::new(minimum_balance(0) + 4_999, 0, &system_program::ID));
    let to = Pubkey::new_unique_from_u64(9);
    let transfer = system_instruction::transfer(&payer.pubkey(), &to, 0);
    let refused = h.send(std::slice::from_ref(&transfer), &payer, &[]).unwrap_err();
    assert_eq!(refused.err, short_of_rent(0));
    assert_eq!(refused.meta.fee, 0);
    assert_eq!(h.get_balance(&payer.pubkey()), minimum_balance(0) + 4_999, "refused: no fee taken");
    // Paying exactly everything leaves nothing, which is fine.
    h.set_account(payer.pubkey(), Account::new(5_000, 0, &system_program::ID));
    h.send(&[transfer], &payer, &[]).unwrap();
    assert!(h.get_account(&payer.pubkey()).is_none());
}

#[test]
fn no_transaction_adds_more_than_20_mib_of_account_data() {
    let mut h = Harness::new();
    let payer = Keypair::new();
    h.airdrop(&payer.pubkey(), 1_000 * LAMPORTS_PER_SOL);
    const TEN_MIB: usize = 10 * 1024 * 1024;
    let owner = Pubkey::new_unique_from_u64(3);
    let new: Vec<Keypair> = (0..3).map(|_| Keypair::new()).collect();
    let create = |key: &Keypair, space: usize| {
        system_instruction::create_account(&payer.pubkey(), &key.pubkey(), minimum_balance(space), space as u64, &owner)
    };
    let three = [create(&new[0], TEN_MIB), create(&new[1], TEN_MIB), create(&new[2], 1)];
    let signers: Vec<&Keypair> = new.iter().collect();
    let failed = h.send(&three, &payer, &signers).unwrap_err();
    assert_eq!(failed.err, TransactionError::InstructionError(2, InstructionError::MaxAccountsDataAllocationsExceeded));
    assert!(new.iter().all(|key| h.get_account(&key.pubkey()).is_none()));
    // Exactly 20 MiB fits.
    h.send(&three[..2], &payer, &signers[..2]).unwrap();
    assert_eq!(h.get_account(&new[1].pubkey()).unwrap().data.len(), TEN_MIB);
}
