//! The batch entry point (`pipeline::execute_batch`): transactions refused
//! at sanitizing, at the signature check or by the bank's checks get their
//! outcome in their input position and change nothing; the others run, and
//! the entries name input positions in committed order.

use lanes_runtime::bank::{Bank, BankConfig};
use lanes_runtime::harness::shared_executor;
use lanes_runtime::pipeline::{execute_batch, BatchConfig};
use lanes_runtime::store::InMemoryAccountStore;
use lanes_sdk::client::Keypair;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, system_program, Account};
use std::sync::Arc;

#[test]
fn a_batch_keeps_input_order_and_refuses_without_committing() {
    let bank = Bank::new(Arc::new(InMemoryAccountStore::new()), shared_executor(), BankConfig::default());
    let wallets: Vec<Keypair> = (0..6).map(|i| Keypair::from_seed(&[40 + i; 32])).collect();
    for wallet in &wallets {
        bank.set_account(wallet.pubkey(), Account::new(1_000_000, 0, &system_program::ID)).unwrap();
    }
    let blockhash = bank.latest_blockhash();
    let transfer = |from: usize, to: usize, lamports: u64| {
        let (from, to) = (&wallets[from], wallets[to].pubkey());
        Transaction::new_signed_with_payer(
            &[system_instruction::transfer(&from.pubkey(), &to, lamports)],
            Some(&from.pubkey()),
            &[from],
            blockhash,
        )
    };
    let mut malformed = transfer(1, 2, 10);
    malformed.message.instructions[0].program_id_index = 200;
    let mut forged = transfer(2, 3, 10);
    forged.signatures[0].0[0] ^= 1;
    let transactions = vec![
        transfer(0, 1, 100),
        malformed.clone(),
        forged.clone(),
        transfer(3, 4, 300),
        transfer(0, 1, 100), // the first one again
        transfer(5, 0, 500),
    ];
    let before: Vec<u64> = wallets.iter().map(|w| bank.get_account(&w.pubkey()).unwrap().lamports).collect();

    let output = execute_batch(&bank, transactions.clone(), &BatchConfig::with_threads(2)).unwrap();

    let results: Vec<_> = output.outcomes.iter().map(|o| (o.result.clone(), o.committed)).collect();
    assert_eq!(
        results,
        vec![
            (Ok(()), true),
            (Err(TransactionError::SanitizeFailure), false),
            (Err(TransactionError::SignatureFailure), false),
            (Ok(()), true),
            (Err(TransactionError::AlreadyProcessed), false),
            (Ok(()), true),
        ]
    );
    for (outcome, tx) in output.outcomes.iter().zip(&transactions) {
        assert_eq!(outcome.signature, tx.signatures[0], "each outcome sits at its transaction's input position");
    }
    let mut committed: Vec<usize> = output.committed_order().collect();
    committed.sort_unstable();
    assert_eq!(committed, [0, 3, 5]);
    let after: Vec<u64> = wallets.iter().map(|w| bank.get_account(&w.pubkey()).unwrap().lamports).collect();
    let fee = output.outcomes[0].fee;
    assert_eq!(after[0], before[0] - 100 - fee + 500);
    assert_eq!(after[1], before[1] + 100, "the malformed transfer from wallet 1 changed nothing");
    assert_eq!(after[2], before[2], "the forged transfer from wallet 2 changed nothing");
    assert_eq!(after[3], before[3] - 300 - fee);
    assert_eq!(after[4], before[4] + 300);
    assert_eq!(after[5], before[5] - 500 - fee);
    assert_eq!(bank.transaction_count(), 3);
}

#[test]
fn a_batch_with_nothing_refused_reports_input_positions_as_they_are() {
    let bank = Bank::new(Arc::new(InMemoryAccountStore::new()), shared_executor(), BankConfig::default());
    let payer = Keypair::from_seed(&[77; 32]);
    bank.set_account(payer.pubkey(), Account::new(10_000_000, 0, &system_program::ID)).unwrap();
    let to = Keypair::from_seed(&[78; 32]).pubkey();
    // Rent-exempt already, so that any credit keeps it so.
    bank.set_account(to, Account::new(lanes_sdk::rent::minimum_balance(0), 0, &system_program::ID)).unwrap();
    let transactions: Vec<Transaction> = (1..=20)
        .map(|lamports| {
            Transaction::new_signed_with_payer(
                &[system_instruction::transfer(&payer.pubkey(), &to, lamports)],
                Some(&payer.pubkey()),
                &[&payer],
                bank.latest_blockhash(),
            )
        })
        .collect();
    let output = execute_batch(&bank, transactions, &BatchConfig::with_threads(2)).unwrap();
    assert!(output.outcomes.iter().all(|o| o.result.is_ok() && o.committed));
    // One payer: every transfer conflicts, so they commit in input order.
    assert_eq!(output.committed_order().collect::<Vec<_>>(), (0..20).collect::<Vec<_>>());
    assert_eq!(bank.get_account(&to).unwrap().lamports, lanes_sdk::rent::minimum_balance(0) + (1..=20).sum::<u64>());
}
