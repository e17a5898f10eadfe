//! # lanes-token
//!
//! Lanes' fungible-token program, in the spirit of SPL Token. The same crate
//! is two things:
//!
//! * **the contract** (built for `wasm32-unknown-unknown`): its entry is
//!   [`process_instruction`], declared with [`lanes_sdk::entrypoint!`];
//! * **a host library** for clients and tests: the account layouts
//!   ([`state`]), the instruction set and one builder per instruction
//!   ([`instruction`]) and the program's error codes ([`error`]).
//!
//! ## What it owns
//! Two kinds of accounts, both owned by the program id it runs under and told
//! apart by their fixed data length:
//! * a **mint** ([`state::Mint`], [`state::Mint::LEN`] bytes): the supply,
//!   decimals and authorities of one token;
//! * a **token account** ([`state::TokenAccount`], [`state::TokenAccount::LEN`]
//!   bytes): one owner's balance of one mint, with an optional delegate and
//!   close authority, and a frozen flag.
//!
//! ## Invariants
//! * A mint's `supply` is the sum of the balances of its token accounts
//!   (minting adds to both, burning takes from both, transfers move balance
//!   between accounts of the same mint); arithmetic is checked, never wraps.
//! * Only the program's own, initialized accounts of the right length are
//!   read as state; an all-zero account is uninitialized and may be
//!   initialized exactly once.
//! * Balances leave a token account only with the signature of its owner, or
//!   of its delegate within the delegated amount (which shrinks as it is
//!   spent; at zero the delegate is removed).
//! * A frozen account neither sends nor receives nor burns until thawed.
//! * A mint whose mint authority is removed can never mint again; one
//!   without a freeze authority can never freeze.
//!
//! ## What it must never do
//! Panic or trap on any input (malformed instruction data is
//! `InvalidInstructionData`, malformed account data `InvalidAccountData`);
//! trust an account it does not own; move tokens or lamports without the
//! authority's signature; allocate while processing an instruction (the
//! transfer path is the benchmark's hot path: decode two accounts, update,
//! encode them back).

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

pub mod error;
pub mod instruction;
pub mod processor;
pub mod state;

pub use processor::process_instruction;

lanes_sdk::declare_id!("LanesToken111111111111111111111111111111111");

lanes_sdk::entrypoint!(process_instruction);
