//! The accounts of one transaction ([`TransactionAccounts`], indexed as its
//! message's keys) and how one instruction refers to them
//! ([`InstructionAccount`]).

use lanes_sdk::{Account, Pubkey};

/// The accounts one transaction loaded, indexed as its message's keys.
#[derive(Debug, Default, Clone)]
pub struct TransactionAccounts {
    pub keys: Vec<Pubkey>,
    pub accounts: Vec<Account>,
    /// Whether the transaction signed for each key.
    pub is_signer: Vec<bool>,
    /// Whether each key is write-locked (writable in the header, not demoted).
    pub is_writable: Vec<bool>,
}

impl TransactionAccounts {
    pub fn index_of(&self, key: &Pubkey) -> Option<usize> {
        self.keys.iter().position(|k| k == key)
    }

    /// The write-locked accounts with their keys: what a successful
    /// transaction commits.
    pub fn into_writable(self) -> Vec<(Pubkey, Account)> {
        self.keys
            .into_iter()
            .zip(self.accounts)
            .zip(self.is_writable)
            .filter(|(_, writable)| *writable)
            .map(|(pair, _)| pair)
            .collect()
    }
}

/// One account as an instruction sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstructionAccount {
    /// Index into the transaction's accounts.
    pub tx_index: u16,
    pub is_signer: bool,
    pub is_writable: bool,
}
