//! `--workload transfer`: system-program lamport transfers between wallets
//! (no WASM), optionally all into `--hot-accounts` shared accounts.

use super::Workload;
use crate::bench::{fund, sign_all, BenchError, InProcessConfig};
use lanes_runtime::bank::Bank;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::transaction::{Transaction, VersionedTransaction};
use lanes_sdk::{system_instruction, Pubkey, LAMPORTS_PER_SOL};

/// System transfers.
pub struct Transfer;

impl Workload for Transfer {
    fn prepare(
        &self,
        bank: &mut Bank,
        config: &InProcessConfig,
        blockhash: Hash,
    ) -> Result<Vec<VersionedTransaction>, BenchError> {
        let wallets: Vec<Keypair> = (0..config.accounts).map(|_| Keypair::new()).collect();
        for wallet in &wallets {
            fund(bank, &wallet.pubkey(), 1_000 * LAMPORTS_PER_SOL)?;
        }
        let hot: Vec<Pubkey> =
            (0..config.hot_accounts.unwrap_or(0)).map(|i| Pubkey::new_unique_from_u64(1_000_000 + i as u64)).collect();
        for key in &hot {
            fund(bank, key, LAMPORTS_PER_SOL)?;
        }
        let n = wallets.len();
        let order = super::account_order(n, config.shuffle_accounts);
        let transactions = sign_all(config.transactions, |k| {
            let first = order(k);
            let from = &wallets[first];
            let to = if hot.is_empty() { wallets[(first + n / 2 + 1) % n].pubkey() } else { hot[k % hot.len()] };
            // A distinct amount per round keeps every signature distinct.
            let amount = 1 + (k / n) as u64;
            Transaction::new_signed_with_payer(
                &[system_instruction::transfer(&from.pubkey(), &to, amount)],
                Some(&from.pubkey()),
                &[from],
                blockhash,
            )
        });
        Ok(transactions.into_iter().map(Into::into).collect())
    }
}
