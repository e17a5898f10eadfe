//! Address lookup tables for the v0 workloads (`--v0`): made on the bank by
//! real lookup table transactions (create, then extend 28 addresses at a
//! time, as a client fits them in a packet), usable from the next slot; and
//! v0 transactions that load their accounts from them.
//!
//! What this module must never do: load an account from a table a
//! transaction does not need (each transaction names only the tables that
//! hold its accounts, as a client would).

use crate::bench::{run_setup, BenchError};
use lanes_runtime::bank::Bank;
use lanes_sdk::address_lookup_table::{self as alt, state::LOOKUP_TABLE_MAX_ADDRESSES};
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
use lanes_sdk::transaction::{Transaction, VersionedTransaction};
use lanes_sdk::{Instruction, Pubkey};
use std::collections::HashMap;

/// Addresses one extend instruction appends (what fits a 1,232-byte packet).
const ADDRESSES_PER_EXTEND: usize = 28;

/// Tables holding a workload's accounts, and which table holds each.
pub struct LookupTables {
    tables: Vec<AddressLookupTableAccount>,
    table_of: HashMap<Pubkey, usize>,
}

impl LookupTables {
    /// Put `addresses` into as few tables as hold them, paid by `payer`;
    /// leaves `bank` in a new slot where every address is usable.
    pub fn create(bank: &mut Bank, payer: &Keypair, addresses: &[Pubkey]) -> Result<Self, BenchError> {
        // A table's address derives from a recent slot: one must have finished.
        next_slot(bank)?;
        let recent_slot = bank.slot() - 1;
        let mut tables = Vec::new();
        let mut table_of = HashMap::with_capacity(addresses.len());
        for chunk in addresses.chunks(LOOKUP_TABLE_MAX_ADDRESSES) {
            // One authority a table: tables of one authority and slot would share an address.
            let authority = Keypair::new();
            let (create, key) = alt::create_lookup_table(&authority.pubkey(), &payer.pubkey(), recent_slot);
            run_setup(bank, signed(&[create], payer, &[], bank.latest_blockhash()))?;
            for part in chunk.chunks(ADDRESSES_PER_EXTEND) {
                let extend = alt::extend_lookup_table(&key, &authority.pubkey(), Some(&payer.pubkey()), part.to_vec());
                run_setup(bank, signed(&[extend], payer, &[&authority], bank.latest_blockhash()))?;
            }
            for address in chunk {
                table_of.insert(*address, tables.len());
            }
            tables.push(AddressLookupTableAccount { key, addresses: chunk.to_vec() });
        }
        // Addresses appended in a slot are usable from the next.
        next_slot(bank)?;
        Ok(LookupTables { tables, table_of })
    }

    /// A v0 transaction of `instructions` paid and signed by `payer`, loading
    /// `accounts` from the tables that hold them.
    pub fn sign_v0(
        &self,
        instructions: &[Instruction],
        payer: &Keypair,
        accounts: &[Pubkey],
        blockhash: Hash,
    ) -> VersionedTransaction {
        let mut needed: Vec<usize> = accounts.iter().filter_map(|a| self.table_of.get(a).copied()).collect();
        needed.sort_unstable();
        needed.dedup();
        let tables: Vec<AddressLookupTableAccount> = needed.into_iter().map(|i| self.tables[i].clone()).collect();
        let message = v0::Message::try_compile(&payer.pubkey(), instructions, &tables, blockhash)
            .expect("a workload's instructions compile");
        VersionedTransaction::try_new(VersionedMessage::V0(message), &[payer]).expect("the payer is the one signer")
    }
}

fn signed(instructions: &[Instruction], payer: &Keypair, others: &[&Keypair], blockhash: Hash) -> Transaction {
    let mut signers = vec![payer];
    signers.extend_from_slice(others);
    Transaction::new_signed_with_payer(instructions, Some(&payer.pubkey()), &signers, blockhash)
}

/// Make the slot durable and move to the next, as a node does.
fn next_slot(bank: &mut Bank) -> Result<(), BenchError> {
    bank.commit_slot().map_err(|e| BenchError(e.to_string()))?;
    bank.advance_slot();
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::bench::{run_in_process, InProcessConfig, SchedulerChoice, WorkloadKind};

    fn config(v0: bool) -> InProcessConfig {
        InProcessConfig {
            workload: WorkloadKind::Token,
            accounts: 600,
            transactions: 2_000,
            threads: 2,
            hot_accounts: None,
            pools: 1,
            sigverify: true,
            ledger: None,
            scheduler: SchedulerChoice::Auto,
            fresh_instances: false,
            programs: None,
            v0,
            contention: false,
            record_account_changes: false,
            shuffle_accounts: false,
        }
    }

    #[test]
    fn v0_token_transfers_load_through_tables_and_do_the_same_work() {
        let legacy = run_in_process(&config(false)).unwrap();
        let v0 = run_in_process(&config(true)).unwrap();
        assert!(v0.v0 && !legacy.v0);
        assert_eq!((v0.committed, v0.failed), (2_000, 0), "every v0 transfer verifies and lands");
        assert_eq!(v0.units_per_transaction, legacy.units_per_transaction, "the program does the same work");
        let mut swap = config(true);
        swap.workload = WorkloadKind::Swap;
        assert!(run_in_process(&swap).unwrap_err().to_string().contains("--v0 applies to the token workload"));
    }
}
