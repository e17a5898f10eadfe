//! placeholder
#![cfg_attr(target_arch = "wasm32", no_std)]
extern crate alloc;
use lanes_sdk::{account_info::AccountInfo, program_error::ProgramResult, Pubkey};
lanes_sdk::entrypoint!(process);
pub fn process(_program_id: &Pubkey, _accounts: &[AccountInfo], _data: &[u8]) -> ProgramResult { Ok(()) }
