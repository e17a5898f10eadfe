//! Cross-program calls contracts make into the token program: its
//! instructions, encoded from its documented wire format (tag byte, then
//! little-endian fields); calling it with exactly each instruction's
//! accounts ([`TokenProgram`]); and creating accounts at PDAs of the calling
//! program ([`PdaCreator`]): any account through the system program, and
//! token accounts and mints created, then initialized, in one call.
//!
//! A contract cannot link `lanes-token` (that crate defines an entrypoint,
//! allocator and panic handler of its own), so the instructions contracts
//! need are encoded here, once; the unit tests check each against
//! `lanes-token`'s own builders, byte for byte. This crate must never define
//! an entrypoint, allocator or panic handler.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::vec;
use lanes_sdk::account_info::AccountInfo;
use lanes_sdk::program::{invoke, invoke_signed};
use lanes_sdk::program_error::ProgramResult;
use lanes_sdk::rent::Rent;
use lanes_sdk::{system_instruction, AccountMeta, Instruction, Pubkey};

/// The bundled token program's id (`lanes_token::ID`).
pub const TOKEN_PROGRAM_ID: Pubkey = Pubkey::from_str_const("LanesToken111111111111111111111111111111111");

/// Bytes of a token account (`lanes_token::state::TokenAccount::LEN`).
pub const TOKEN_ACCOUNT_LEN: u64 = 147;
/// Bytes of a mint (`lanes_token::state::Mint::LEN`).
pub const MINT_LEN: u64 = 76;

fn with_amount(tag: u8, amount: u64) -> alloc::vec::Vec<u8> {
    let mut data = vec![tag; 9];
    data[1..].copy_from_slice(&amount.to_le_bytes());
    data
}

fn token_ix(accounts: alloc::vec::Vec<AccountMeta>, data: alloc::vec::Vec<u8>) -> Instruction {
    Instruction { program_id: TOKEN_PROGRAM_ID, accounts, data }
}

/// `Transfer { amount }`: source → destination, signed by `authority`.
pub fn transfer(source: &Pubkey, destination: &Pubkey, authority: &Pubkey, amount: u64) -> Instruction {
    token_ix(
        vec![
            AccountMeta::new(*source, false),
            AccountMeta::new(*destination, false),
            AccountMeta::new_readonly(*authority, true),
        ],
        with_amount(3, amount),
    )
}

/// `Batch` of two transfers in one call, in order: what a swap needs (in,
/// then out) for the price of one cross-program invocation. Each transfer's
/// authority must sign: the caller's signer, or its PDA through
/// `invoke_signed`.
pub fn transfer_pair(first: [&Pubkey; 3], first_amount: u64, second: [&Pubkey; 3], second_amount: u64) -> Instruction {
    const BATCH_TAG: u8 = 12;
    const TRANSFER_LEN: u32 = 9;
    let mut data = alloc::vec::Vec::with_capacity(5 + 2 * (5 + TRANSFER_LEN as usize));
    data.push(BATCH_TAG);
    data.extend_from_slice(&2u32.to_le_bytes());
    let mut accounts = alloc::vec::Vec::with_capacity(6);
    for ([source, destination, authority], amount) in [(first, first_amount), (second, second_amount)] {
        data.push(3); // accounts this transfer takes
        data.extend_from_slice(&TRANSFER_LEN.to_le_bytes());
        data.extend_from_slice(&with_amount(3, amount));
        accounts.extend_from_slice(&[
            AccountMeta::new(*source, false),
            AccountMeta::new(*destination, false),
            AccountMeta::new_readonly(*authority, true),
        ]);
    }
    token_ix(accounts, data)
}

/// `MintTo { amount }`, signed by the mint authority.
pub fn mint_to(mint: &Pubkey, destination: &Pubkey, authority: &Pubkey, amount: u64) -> Instruction {
    token_ix(
        vec![
            AccountMeta::new(*mint, false),
            AccountMeta::new(*destination, false),
            AccountMeta::new_readonly(*authority, true),
        ],
        with_amount(2, amount),
    )
}

/// `Burn { amount }` from `account`, signed by its owner.
pub fn burn(account: &Pubkey, mint: &Pubkey, authority: &Pubkey, amount: u64) -> Instruction {
    token_ix(
        vec![
            AccountMeta::new(*account, false),
            AccountMeta::new(*mint, false),
            AccountMeta::new_readonly(*authority, true),
        ],
        with_amount(6, amount),
    )
}

/// `InitializeAccount` of `account` for `mint`, owned by `owner`.
pub fn initialize_account(account: &Pubkey, mint: &Pubkey, owner: &Pubkey) -> Instruction {
    token_ix(
        vec![
            AccountMeta::new(*account, false),
            AccountMeta::new_readonly(*mint, false),
            AccountMeta::new_readonly(*owner, false),
        ],
        vec![1],
    )
}

/// `InitializeMint` with `authority` as mint authority and no freeze authority.
pub fn initialize_mint(mint: &Pubkey, authority: &Pubkey, decimals: u8) -> Instruction {
    let mut data = vec![0u8, decimals];
    data.extend_from_slice(authority.as_ref());
    data.push(0); // no freeze authority
    token_ix(vec![AccountMeta::new(*mint, false)], data)
}

/// The token program's account, to call it with: each call passes exactly
/// its instruction's three accounts and the program. `signer_seeds` sign for
/// an authority that is a PDA of the caller (`&[]` when the authority signed
/// the transaction).
pub struct TokenProgram<'b, 'a>(pub &'b AccountInfo<'a>);

impl<'a> TokenProgram<'_, 'a> {
    /// `Transfer { amount }`: `source` → `destination`, by `authority`.
    pub fn transfer(
        &self,
        source: &AccountInfo<'a>,
        destination: &AccountInfo<'a>,
        authority: &AccountInfo<'a>,
        amount: u64,
        signer_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        let instruction = transfer(source.key, destination.key, authority.key, amount);
        self.call(&instruction, [source, destination, authority], signer_seeds)
    }

    /// `MintTo { amount }` of `mint` into `destination`, by the mint's `authority`.
    pub fn mint_to(
        &self,
        mint: &AccountInfo<'a>,
        destination: &AccountInfo<'a>,
        authority: &AccountInfo<'a>,
        amount: u64,
        signer_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        let instruction = mint_to(mint.key, destination.key, authority.key, amount);
        self.call(&instruction, [mint, destination, authority], signer_seeds)
    }

    /// `Burn { amount }` from `account` of `mint`, by its `authority`.
    pub fn burn(
        &self,
        account: &AccountInfo<'a>,
        mint: &AccountInfo<'a>,
        authority: &AccountInfo<'a>,
        amount: u64,
        signer_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        let instruction = burn(account.key, mint.key, authority.key, amount);
        self.call(&instruction, [account, mint, authority], signer_seeds)
    }

    fn call(
        &self,
        instruction: &Instruction,
        [a, b, c]: [&AccountInfo<'a>; 3],
        signer_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        invoke_signed(instruction, &[a.clone(), b.clone(), c.clone(), self.0.clone()], signer_seeds)
    }
}

/// Creates accounts at PDAs of the calling program: `payer` funds each with
/// the rent-exempt minimum for its size through `system_program`, and each
/// is signed for by its own `seeds` (the bump included).
pub struct PdaCreator<'b, 'a> {
    pub payer: &'b AccountInfo<'a>,
    pub system_program: &'b AccountInfo<'a>,
}

impl<'a> PdaCreator<'_, 'a> {
    /// Create `new` with `space` bytes owned by `owner`.
    ///
    /// `create_account` refuses an address that already holds lamports, and
    /// anyone can send lamports to an address before it is created; so when
    /// `new` has a balance already it is topped up, allocated and assigned
    /// instead (each signed by the PDA's seeds), as Solana programs do.
    pub fn create(&self, new: &AccountInfo<'a>, space: u64, owner: &Pubkey, seeds: &[&[u8]]) -> ProgramResult {
        let payer = self.payer;
        let lamports = Rent::get().minimum_balance(space as usize);
        let accounts = [payer.clone(), new.clone(), self.system_program.clone()];
        let current = new.lamports();
        if current == 0 {
            return invoke_signed(
                &system_instruction::create_account(payer.key, new.key, lamports, space, owner),
                &accounts,
                &[seeds],
            );
        }
        if current < lamports {
            invoke(&system_instruction::transfer(payer.key, new.key, lamports - current), &accounts)?;
        }
        invoke_signed(&system_instruction::allocate(new.key, space), &accounts, &[seeds])?;
        invoke_signed(&system_instruction::assign(new.key, owner), &accounts, &[seeds])
    }

    /// Create `account` as a token account of `mint` owned by `owner`. The
    /// token program refuses a mint that is not a real, initialized mint.
    pub fn create_token_account(
        &self,
        account: &AccountInfo<'a>,
        mint: &AccountInfo<'a>,
        owner: &AccountInfo<'a>,
        token_program: &AccountInfo<'a>,
        seeds: &[&[u8]],
    ) -> ProgramResult {
        self.create(account, TOKEN_ACCOUNT_LEN, &TOKEN_PROGRAM_ID, seeds)?;
        invoke(
            &initialize_account(account.key, mint.key, owner.key),
            &[account.clone(), mint.clone(), owner.clone(), token_program.clone()],
        )
    }

    /// Create `mint` as a mint of `decimals` with `authority` as its only
    /// authority (no freeze authority).
    pub fn create_mint(
        &self,
        mint: &AccountInfo<'a>,
        authority: &Pubkey,
        decimals: u8,
        token_program: &AccountInfo<'a>,
        seeds: &[&[u8]],
    ) -> ProgramResult {
        self.create(mint, MINT_LEN, &TOKEN_PROGRAM_ID, seeds)?;
        invoke(&initialize_mint(mint.key, authority, decimals), &[mint.clone(), token_program.clone()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_token::instruction as token;

    #[test]
    fn encodings_match_the_token_program() {
        let (a, b, c) =
            (Pubkey::new_unique_from_u64(1), Pubkey::new_unique_from_u64(2), Pubkey::new_unique_from_u64(3));
        let id = lanes_token::ID;
        assert_eq!(TOKEN_PROGRAM_ID, id);
        assert_eq!(transfer(&a, &b, &c, 77), token::transfer(&id, &a, &b, &c, 77));
        assert_eq!(mint_to(&a, &b, &c, 5), token::mint_to(&id, &a, &b, &c, 5));
        assert_eq!(
            transfer_pair([&a, &b, &c], 3, [&c, &a, &b], u64::MAX),
            token::batch(&id, &[token::transfer(&id, &a, &b, &c, 3), token::transfer(&id, &c, &a, &b, u64::MAX)])
                .unwrap()
        );
        assert_eq!(burn(&a, &b, &c, u64::MAX), token::burn(&id, &a, &b, &c, u64::MAX));
        assert_eq!(initialize_account(&a, &b, &c), token::initialize_account(&id, &a, &b, &c));
        assert_eq!(initialize_mint(&a, &c, 9), token::initialize_mint(&id, &a, &c, None, 9));
        assert_eq!(TOKEN_ACCOUNT_LEN as usize, lanes_token::state::TokenAccount::LEN);
        assert_eq!(MINT_LEN as usize, lanes_token::state::Mint::LEN);
    }
}
