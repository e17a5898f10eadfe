//! Recent blockhashes and the status cache: stale or unknown blockhashes
//! and replays are refused, one by one and in a batch.

use super::funded;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, Pubkey};

#[test]
fn stale_unknown_blockhash_and_replay() {
    let (mut h, payer) = funded();
    let to = Pubkey::new_unique_from_u64(1);
    let ix = system_instruction::transfer(&payer.pubkey(), &to, lanes_sdk::rent::minimum_balance(0));
    let tx = h.transaction(std::slice::from_ref(&ix), &payer, &[]);
    h.send_transaction(tx.clone()).unwrap();
    assert_eq!(h.send_transaction(tx.clone()).unwrap_err().err, TransactionError::AlreadyProcessed);
    let unknown =
        Transaction::new_signed_with_payer(std::slice::from_ref(&ix), Some(&payer.pubkey()), &[&payer], Hash([9; 32]));
    assert_eq!(h.send_transaction(unknown).unwrap_err().err, TransactionError::BlockhashNotFound);
    // After 150 newer blockhashes the old one expires.
    for _ in 0..150 {
        h.expire_blockhash();
    }
    let stale = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&payer.pubkey(), &to, 11)],
        Some(&payer.pubkey()),
        &[&payer],
        tx.message.recent_blockhash,
    );
    assert_eq!(h.send_transaction(stale).unwrap_err().err, TransactionError::BlockhashNotFound);
    assert_eq!(h.get_balance(&to), lanes_sdk::rent::minimum_balance(0));
}

#[test]
fn admission_of_a_batch_checks_blockhashes_and_duplicates_per_transaction() {
    use lanes_runtime::bank::{Bank, BankConfig};
    use lanes_runtime::harness::shared_executor;
    use lanes_runtime::ingest::sanitize::{NoLookupTables, SanitizedTransaction};
    use lanes_runtime::store::InMemoryAccountStore;
    use lanes_sdk::system_instruction;
    use std::sync::Arc;

    let bank = Bank::new(Arc::new(InMemoryAccountStore::new()), shared_executor(), BankConfig::default());
    let older = bank.latest_blockhash();
    bank.register_blockhash();
    let newer = bank.latest_blockhash();
    let payer = Keypair::new();
    let tx = |lamports: u64, blockhash: Hash| {
        let ix = system_instruction::transfer(&payer.pubkey(), &Keypair::new().pubkey(), lamports);
        let tx = Transaction::new_signed_with_payer(&[ix], Some(&payer.pubkey()), &[&payer], blockhash);
        SanitizedTransaction::try_new(tx, &NoLookupTables).unwrap()
    };
    let a = tx(1, older);
    let batch = [a.clone(), tx(2, older), a.clone(), tx(3, Hash::new_from_array([7; 32])), tx(4, newer), tx(5, older)];
    let mut out = Vec::new();
    bank.check_and_reserve_batch(&batch, &mut out);
    assert_eq!(
        out,
        vec![
            Ok(()),
            Ok(()),
            Err(TransactionError::AlreadyProcessed),
            Err(TransactionError::BlockhashNotFound),
            Ok(()),
            Ok(()),
        ]
    );
    // Reserved: the same transactions again are all duplicates (or still unknown).
    out.clear();
    bank.check_and_reserve_batch(&batch[..2], &mut out);
    assert_eq!(out, vec![Err(TransactionError::AlreadyProcessed); 2]);
}
