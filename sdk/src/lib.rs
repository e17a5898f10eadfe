//! # lanes-sdk
//!
//! The one crate both sides of Lanes speak:
//!
//! * **Clients** build, sign and send transactions in Solana's legacy and v0
//!   wire formats ([`transaction`], [`message`]; v0 messages load accounts
//!   from [`address_lookup_table`]s), with the `client` feature's
//!   [`client::Keypair`].
//! * **Contracts** (compiled to `wasm32-unknown-unknown`, `no_std` + `alloc`)
//!   read their accounts through [`account_info::AccountInfo`], return
//!   [`program_error::ProgramError`]s, log with [`msg!`], call other programs
//!   with [`program::invoke`] / [`program::invoke_signed`], and declare their
//!   entry with [`entrypoint!`].
//! * **The runtime** shares the definitions of the host ABI ([`abi`]) and of
//!   the builtin programs' instructions and account layouts
//!   ([`system_instruction`] with durable [`nonce`] accounts, [`compute_budget`],
//!   [`loader`], [`address_lookup_table`]) and the [`sysvar`] ids they name, so
//!   the two sides can never disagree.
//!
//! What this crate must never do: depend on `std` on the contract side, panic
//! on bytes that came from outside (every decoder returns an error), or
//! diverge from Solana's byte layout for the wire types.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod abi;
pub mod account;
pub mod account_info;
pub mod address_lookup_table;
mod base58;
pub mod clock;
pub mod compute_budget;
mod cursor;
pub mod entrypoint;
pub mod hash;
pub mod instruction;
pub mod loader;
pub mod log;
pub mod message;
pub mod nonce;
pub mod pack;
pub mod program;
pub mod program_error;
pub mod pubkey;
pub mod rent;
pub mod short_vec;
pub mod signature;
pub mod system_instruction;
pub mod system_program;
pub mod sysvar;
pub mod transaction;
pub mod transaction_error;

#[cfg(feature = "client")]
pub mod client;

#[cfg(target_arch = "wasm32")]
pub mod syscalls;

pub use account::Account;
pub use borsh;

#[doc(hidden)]
pub mod __private {
    pub use alloc::format;
}
pub use hash::Hash;
pub use instruction::{AccountMeta, Instruction};
pub use pubkey::Pubkey;
pub use signature::Signature;

/// Most lamports one account may hold is bounded by `u64`; there is no rent in Lanes.
pub const LAMPORTS_PER_SOL: u64 = 1_000_000_000;

/// Declare a `const` [`Pubkey`] from its base58 text at compile time.
///
/// ```
/// lanes_sdk::declare_id!("11111111111111111111111111111111");
/// assert_eq!(ID, lanes_sdk::system_program::ID);
/// ```
#[macro_export]
macro_rules! declare_id {
    ($text:expr) => {
        /// This program's id.
        pub const ID: $crate::Pubkey = $crate::Pubkey::from_str_const($text);
        /// This program's id.
        pub fn id() -> $crate::Pubkey {
            ID
        }
        /// Whether `key` is this program's id.
        pub fn check_id(key: &$crate::Pubkey) -> bool {
            *key == ID
        }
    };
}
