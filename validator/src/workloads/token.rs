//! `--workload token`: token transfers through the WASM token program,
//! optionally all into `--hot-accounts` shared token accounts.

use super::lookup_tables::LookupTables;
use super::Workload;
use crate::bench::{fund, run_setup, sign_all, BenchError, InProcessConfig};
use lanes_runtime::bank::Bank;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::transaction::{Transaction, VersionedTransaction};
use lanes_sdk::{system_instruction, Instruction, LAMPORTS_PER_SOL};

/// Token transfers.
pub struct Token;

impl Workload for Token {
    fn prepare(
        &self,
        bank: &mut Bank,
        config: &InProcessConfig,
        blockhash: Hash,
    ) -> Result<Vec<VersionedTransaction>, BenchError> {
        use lanes_token::instruction as token_ix;
        let token = lanes_token::ID;
        let authority = Keypair::new();
        fund(bank, &authority.pubkey(), 1_000_000 * LAMPORTS_PER_SOL)?;
        let mint = Keypair::new();
        let mint_len = <lanes_token::state::Mint as lanes_token::state::Pack>::LEN as u64;
        let account_len = <lanes_token::state::TokenAccount as lanes_token::state::Pack>::LEN as u64;
        run_setup(
            bank,
            Transaction::new_signed_with_payer(
                &[
                    system_instruction::create_account(
                        &authority.pubkey(),
                        &mint.pubkey(),
                        minimum_balance(mint_len as usize),
                        mint_len,
                        &token,
                    ),
                    token_ix::initialize_mint(&token, &mint.pubkey(), &authority.pubkey(), None, 6),
                ],
                Some(&authority.pubkey()),
                &[&authority, &mint],
                bank.latest_blockhash(),
            ),
        )?;

        let owners: Vec<Keypair> = (0..config.accounts).map(|_| Keypair::new()).collect();
        let hot_owner = Keypair::new();
        let hot_count = config.hot_accounts.unwrap_or(0);
        let mut token_accounts = Vec::with_capacity(owners.len());
        let mut hot_accounts = Vec::with_capacity(hot_count);
        let all_owners = owners.iter().map(|o| (o, false)).chain((0..hot_count).map(|_| (&hot_owner, true)));
        for (owner, is_hot) in all_owners {
            fund(bank, &owner.pubkey(), 1_000 * LAMPORTS_PER_SOL)?;
            let account = Keypair::new();
            run_setup(
                bank,
                Transaction::new_signed_with_payer(
                    &[
                        system_instruction::create_account(
                            &authority.pubkey(),
                            &account.pubkey(),
                            minimum_balance(account_len as usize),
                            account_len,
                            &token,
                        ),
                        token_ix::initialize_account(&token, &account.pubkey(), &mint.pubkey(), &owner.pubkey()),
                        token_ix::mint_to(
                            &token,
                            &mint.pubkey(),
                            &account.pubkey(),
                            &authority.pubkey(),
                            1_000_000_000_000,
                        ),
                    ],
                    Some(&authority.pubkey()),
                    &[&authority, &account],
                    bank.latest_blockhash(),
                ),
            )?;
            if is_hot {
                hot_accounts.push(account.pubkey());
            } else {
                token_accounts.push(account.pubkey());
            }
        }
        let n = owners.len();
        // `--v0`: both token accounts of every transfer load from tables.
        let tables = if config.v0 {
            let all: Vec<_> = token_accounts.iter().chain(&hot_accounts).copied().collect();
            Some(LookupTables::create(bank, &authority, &all)?)
        } else {
            None
        };
        let order = super::account_order(n, config.shuffle_accounts);
        Ok(sign_all(config.transactions, |k| {
            let first = order(k);
            let owner = &owners[first];
            let source = token_accounts[first];
            let destination = if hot_accounts.is_empty() {
                token_accounts[(first + n / 2 + 1) % n]
            } else {
                hot_accounts[k % hot_accounts.len()]
            };
            let amount = 1 + (k / n) as u64;
            let ix: Instruction = token_ix::transfer(&token, &source, &destination, &owner.pubkey(), amount);
            match &tables {
                Some(tables) => tables.sign_v0(&[ix], owner, &[source, destination], blockhash),
                None => Transaction::new_signed_with_payer(&[ix], Some(&owner.pubkey()), &[owner], blockhash).into(),
            }
        }))
    }
}
