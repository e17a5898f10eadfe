//! [`Account`]: an account's state as the runtime stores it and clients read it.

use crate::pubkey::Pubkey;
use alloc::vec::Vec;

/// An account: balance, data, owning program, and whether it holds a program.
/// Lanes has no rent: an account exists while it has lamports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    pub lamports: u64,
    pub data: Vec<u8>,
    pub owner: Pubkey,
    pub executable: bool,
}

impl Account {
    /// An account with `lamports`, `space` zero bytes of data, owned by `owner`.
    pub fn new(lamports: u64, space: usize, owner: &Pubkey) -> Self {
        Account { lamports, data: alloc::vec![0; space], owner: *owner, executable: false }
    }

    /// An account with the given data.
    pub fn with_data(lamports: u64, data: Vec<u8>, owner: &Pubkey) -> Self {
        Account { lamports, data, owner: *owner, executable: false }
    }
}
