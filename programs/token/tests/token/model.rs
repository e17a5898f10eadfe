//! Random operations against a model of balances and supply.

use crate::common::*;
use lanes_sdk::client::Keypair;
use lanes_sdk::{Instruction, Pubkey};
use lanes_token::error::TokenError;
use lanes_token::instruction::{self as token_ix};

#[test]
fn random_operations_match_a_model_and_conserve_supply() {
    let mut env = Env::new();
    let authority = Keypair::new();
    let mint = env.create_mint(&authority.pubkey(), None, DECIMALS);
    let owners: Vec<Keypair> = (0..3).map(|_| Keypair::new()).collect();
    let accounts: Vec<Pubkey> = owners.iter().map(|o| env.create_account(&mint, &o.pubkey())).collect();
    let mut balances = [0u64; 3];
    let mut supply = 0u64;

    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for step in 0..300 {
        let (i, j) = ((next() % 3) as usize, (next() % 3) as usize);
        // Mostly amounts that fit, sometimes ones that cannot.
        let amount = match next() % 8 {
            0 => u64::MAX - next() % 4,
            1 => balances[i].saturating_add(1 + next() % 5),
            _ => next() % balances[i].saturating_add(50),
        };
        let (ix, signer, expected): (Instruction, &Keypair, Result<(), TokenError>) = match next() % 3 {
            0 => {
                let ok = supply.checked_add(amount).is_some();
                if ok {
                    supply += amount;
                    balances[i] += amount;
                }
                let ix = token_ix::mint_to(&PROGRAM, &mint, &accounts[i], &authority.pubkey(), amount);
                (ix, &authority, if ok { Ok(()) } else { Err(TokenError::Overflow) })
            }
            1 => {
                let ok = amount <= balances[i];
                if ok && i != j {
                    balances[i] -= amount;
                    balances[j] += amount;
                }
                let ix = token_ix::transfer(&PROGRAM, &accounts[i], &accounts[j], &owners[i].pubkey(), amount);
                (ix, &owners[i], if ok { Ok(()) } else { Err(TokenError::InsufficientFunds) })
            }
            _ => {
                let ok = amount <= balances[i];
                if ok {
                    balances[i] -= amount;
                    supply -= amount;
                }
                let ix = token_ix::burn(&PROGRAM, &accounts[i], &mint, &owners[i].pubkey(), amount);
                (ix, &owners[i], if ok { Ok(()) } else { Err(TokenError::InsufficientFunds) })
            }
        };
        // The same operation may come up twice: make each a new transaction.
        env.h.expire_blockhash();
        match expected {
            Ok(()) => {
                env.ok(&[ix], &[signer]);
            }
            Err(err) => env.fails(&[ix], &[signer], custom(err)),
        }
        let actual: Vec<u64> = accounts.iter().map(|a| env.amount(a)).collect();
        assert_eq!(actual, balances, "step {step}");
        assert_eq!(env.mint(&mint).supply, supply, "step {step}");
        assert_eq!(balances.iter().map(|b| u128::from(*b)).sum::<u128>(), u128::from(supply));
    }
}
