//! # An escrow contract: the second program a Lanes newcomer writes
//!
//! A **maker** offers `offer_amount` tokens of one mint for `want_amount`
//! tokens of another. Anyone may **take** the offer (paying the maker and
//! receiving the offered tokens in one atomic instruction) until the maker
//! **cancels** it. `docs/contract-guide.md` walks through this file.
//!
//! ## What it owns
//! * The **escrow** account ([`Escrow`]) at the PDA
//!   `["escrow", maker, seed as u64 LE]` ([`find_escrow_address`]), owned by
//!   this program: the terms of one offer.
//! * The **vault** at `["vault", escrow]` ([`find_vault_address`]): a token
//!   account of the offered mint whose token-level owner is the escrow PDA.
//!   No private key exists for either address, so only this program,
//!   signing with the escrow's seeds (`invoke_signed`), can move the
//!   offered tokens.
//!
//! ## Invariants
//! * While an escrow exists, its vault holds at least `offer_amount` of
//!   `offer_mint`; it leaves only to the taker (who paid `want_amount` into
//!   the maker's recorded account in the same instruction) or, on cancel,
//!   to the maker.
//! * Take and cancel close both accounts and return their lamports to the maker.
//!
//! ## What it must never do
//! Trust an account it did not check (the escrow's owner and state, the
//! vault's address, the maker and the maker's receiving account against
//! what the escrow recorded); sign with the escrow's seeds for anything but
//! moving the vault's tokens or closing it.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::vec;
use borsh::{BorshDeserialize, BorshSerialize};
use lanes_sdk::account_info::{next_account_info, AccountInfo};
use lanes_sdk::program::{invoke, invoke_signed};
use lanes_sdk::program_error::{ProgramError, ProgramResult};
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::{msg, system_instruction, system_program, AccountMeta, Instruction, Pubkey};

lanes_sdk::declare_id!("LanesEscrow11111111111111111111111111111111");

lanes_sdk::entrypoint!(process_instruction);

/// The token program the escrow calls.
pub const TOKEN_PROGRAM_ID: Pubkey = Pubkey::from_str_const("LanesToken111111111111111111111111111111111");

/// Lamports the maker puts into the escrow and the vault (the rent-exempt
/// minimum for each; returned on take or cancel).
pub fn account_deposits() -> u64 {
    minimum_balance(Escrow::LEN) + minimum_balance(TOKEN_ACCOUNT_LEN as usize)
}

/// The terms of one offer, borsh-encoded in the escrow account.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Escrow {
    pub is_initialized: bool,
    /// Bump of the escrow's address (the last of its signing seeds).
    pub bump: u8,
    /// Bump of the vault's address.
    pub vault_bump: u8,
    /// The maker's number for this offer (part of the address: one maker, many offers).
    pub seed: u64,
    pub maker: Pubkey,
    pub offer_mint: Pubkey,
    pub want_mint: Pubkey,
    /// The maker's token account of `want_mint`, where the taker pays.
    pub maker_receive: Pubkey,
    pub offer_amount: u64,
    pub want_amount: u64,
}

impl Escrow {
    /// Bytes of an escrow account.
    pub const LEN: usize = 1 + 1 + 1 + 8 + 4 * 32 + 8 + 8;
}

/// The instructions (borsh).
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum EscrowInstruction {
    /// Create the escrow and its vault and move `offer_amount` into the vault.
    ///
    /// Accounts: 0. `[w, s]` maker, 1. `[w]` escrow, 2. `[w]` vault,
    /// 3. `[r]` offer mint, 4. `[r]` want mint, 5. `[w]` maker's account of
    /// the offer mint, 6. `[r]` maker's account of the want mint,
    /// 7. `[r]` token program, 8. `[r]` system program.
    Make { seed: u64, offer_amount: u64, want_amount: u64 },
    /// Pay the maker `want_amount`, receive the vault's tokens, close both accounts.
    ///
    /// Accounts: 0. `[r, s]` taker, 1. `[w]` maker, 2. `[w]` escrow,
    /// 3. `[w]` vault, 4. `[w]` taker's account of the want mint,
    /// 5. `[w]` maker's account of the want mint, 6. `[w]` taker's account
    /// of the offer mint, 7. `[r]` token program.
    Take,
    /// Return the vault's tokens to the maker and close both accounts.
    ///
    /// Accounts: 0. `[w, s]` maker, 1. `[w]` escrow, 2. `[w]` vault,
    /// 3. `[w]` maker's account of the offer mint, 4. `[r]` token program.
    Cancel,
}

/// Errors of this program, as `ProgramError::Custom` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscrowError {
    /// An amount is zero, or both mints are the same.
    InvalidTerms = 0,
    /// An address is not the PDA its seeds derive.
    AddressMismatch = 1,
    /// The maker or the maker's receiving account is not the one the escrow recorded.
    WrongAccount = 2,
    /// The receiving account is not a token account of the wanted mint.
    WrongMint = 3,
}

impl From<EscrowError> for ProgramError {
    fn from(e: EscrowError) -> Self {
        ProgramError::Custom(e as u32)
    }
}

/// The escrow of `maker`'s offer number `seed`.
pub fn find_escrow_address(maker: &Pubkey, seed: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"escrow", maker.as_ref(), &seed.to_le_bytes()], &ID)
}

/// The vault of `escrow`.
pub fn find_vault_address(escrow: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[b"vault", escrow.as_ref()], &ID)
}

/// The contract's entry.
pub fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    match EscrowInstruction::try_from_slice(data).map_err(|_| ProgramError::InvalidInstructionData)? {
        EscrowInstruction::Make { seed, offer_amount, want_amount } => {
            make(program_id, accounts, seed, offer_amount, want_amount)
        }
        EscrowInstruction::Take => take(program_id, accounts),
        EscrowInstruction::Cancel => cancel(program_id, accounts),
    }
}

fn make(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    seed: u64,
    offer_amount: u64,
    want_amount: u64,
) -> ProgramResult {
    let accounts = &mut accounts.iter();
    let maker = next_account_info(accounts)?;
    let escrow_info = next_account_info(accounts)?;
    let vault = next_account_info(accounts)?;
    let offer_mint = next_account_info(accounts)?;
    let want_mint = next_account_info(accounts)?;
    let maker_offer = next_account_info(accounts)?;
    let maker_receive = next_account_info(accounts)?;
    let token_program = next_account_info(accounts)?;
    let system = next_account_info(accounts)?;

    if !maker.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    if *token_program.key != TOKEN_PROGRAM_ID || *system.key != system_program::ID {
        return Err(ProgramError::IncorrectProgramId);
    }
    if offer_amount == 0 || want_amount == 0 || offer_mint.key == want_mint.key {
        return Err(EscrowError::InvalidTerms.into());
    }
    // The taker will pay into `maker_receive`: it must hold the wanted mint
    // (a token account keeps its mint in bytes 0..32).
    if maker_receive.owner() != TOKEN_PROGRAM_ID || token_account_mint(maker_receive)? != *want_mint.key {
        return Err(EscrowError::WrongMint.into());
    }

    // Both addresses are PDAs: derive them and check the caller passed those.
    let seed_bytes = seed.to_le_bytes();
    let (escrow_key, bump) = Pubkey::find_program_address(&[b"escrow", maker.key.as_ref(), &seed_bytes], program_id);
    let (vault_key, vault_bump) = Pubkey::find_program_address(&[b"vault", escrow_key.as_ref()], program_id);
    if *escrow_info.key != escrow_key || *vault.key != vault_key {
        return Err(EscrowError::AddressMismatch.into());
    }
    let escrow_seeds: &[&[u8]] = &[b"escrow", maker.key.as_ref(), &seed_bytes, &[bump]];
    let vault_seeds: &[&[u8]] = &[b"vault", escrow_key.as_ref(), &[vault_bump]];

    // 1. The escrow account, owned by this program. A PDA cannot sign a
    //    transaction, so the program signs for it with its seeds.
    invoke_signed(
        &system_instruction::create_account(
            maker.key,
            &escrow_key,
            minimum_balance(Escrow::LEN),
            Escrow::LEN as u64,
            program_id,
        ),
        &[maker.clone(), escrow_info.clone(), system.clone()],
        &[escrow_seeds],
    )?;
    // 2. The vault: created owned by the token program, then initialized as
    //    a token account of the offered mint whose owner is the escrow PDA.
    invoke_signed(
        &system_instruction::create_account(
            maker.key,
            &vault_key,
            minimum_balance(TOKEN_ACCOUNT_LEN as usize),
            TOKEN_ACCOUNT_LEN,
            &TOKEN_PROGRAM_ID,
        ),
        &[maker.clone(), vault.clone(), system.clone()],
        &[vault_seeds],
    )?;
    invoke(
        &token_instruction(vec![writable(&vault_key), readonly(offer_mint.key), readonly(&escrow_key)], vec![1]),
        &[vault.clone(), offer_mint.clone(), escrow_info.clone(), token_program.clone()],
    )?;
    // 3. The maker's tokens into the vault: the maker signed the
    //    transaction, so a plain `invoke` passes that signature on.
    invoke(
        &transfer(maker_offer.key, &vault_key, maker.key, offer_amount),
        &[maker_offer.clone(), vault.clone(), maker.clone(), token_program.clone()],
    )?;

    let escrow = Escrow {
        is_initialized: true,
        bump,
        vault_bump,
        seed,
        maker: *maker.key,
        offer_mint: *offer_mint.key,
        want_mint: *want_mint.key,
        maker_receive: *maker_receive.key,
        offer_amount,
        want_amount,
    };
    escrow.serialize(&mut &mut escrow_info.try_borrow_mut_data()?[..])?;
    msg!("offered {} for {}", offer_amount, want_amount);
    Ok(())
}

fn take(program_id: &Pubkey, accounts: &[AccountInfo]) -> ProgramResult {
    let accounts = &mut accounts.iter();
    let taker = next_account_info(accounts)?;
    let maker = next_account_info(accounts)?;
    let escrow_info = next_account_info(accounts)?;
    let vault = next_account_info(accounts)?;
    let taker_pay = next_account_info(accounts)?;
    let maker_receive = next_account_info(accounts)?;
    let taker_receive = next_account_info(accounts)?;
    let token_program = next_account_info(accounts)?;

    let escrow = load_escrow(program_id, escrow_info, vault)?;
    if *maker.key != escrow.maker || *maker_receive.key != escrow.maker_receive {
        return Err(EscrowError::WrongAccount.into());
    }
    if *token_program.key != TOKEN_PROGRAM_ID {
        return Err(ProgramError::IncorrectProgramId);
    }
    // The taker pays the maker. The token program checks the taker's
    // signature and that `taker_pay` holds the same mint as `maker_receive`.
    invoke(
        &transfer(taker_pay.key, maker_receive.key, taker.key, escrow.want_amount),
        &[taker_pay.clone(), maker_receive.clone(), taker.clone(), token_program.clone()],
    )?;
    // The vault pays the taker, and is closed: the escrow PDA signs.
    release_vault(&escrow, escrow_info, vault, taker_receive, maker, token_program)?;
    close_escrow(escrow_info, maker)
}

fn cancel(program_id: &Pubkey, accounts: &[AccountInfo]) -> ProgramResult {
    let accounts = &mut accounts.iter();
    let maker = next_account_info(accounts)?;
    let escrow_info = next_account_info(accounts)?;
    let vault = next_account_info(accounts)?;
    let maker_refund = next_account_info(accounts)?;
    let token_program = next_account_info(accounts)?;

    let escrow = load_escrow(program_id, escrow_info, vault)?;
    if *maker.key != escrow.maker {
        return Err(EscrowError::WrongAccount.into());
    }
    if !maker.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    if *token_program.key != TOKEN_PROGRAM_ID {
        return Err(ProgramError::IncorrectProgramId);
    }
    release_vault(&escrow, escrow_info, vault, maker_refund, maker, token_program)?;
    close_escrow(escrow_info, maker)
}

/// The escrow's state, after checking the account is ours and initialized
/// and that `vault` is its vault.
fn load_escrow(program_id: &Pubkey, escrow_info: &AccountInfo, vault: &AccountInfo) -> Result<Escrow, ProgramError> {
    if !escrow_info.is_owned_by(program_id) {
        return Err(ProgramError::IncorrectProgramId);
    }
    let escrow =
        Escrow::try_from_slice(&escrow_info.try_borrow_data()?).map_err(|_| ProgramError::InvalidAccountData)?;
    if !escrow.is_initialized {
        return Err(ProgramError::UninitializedAccount);
    }
    // The stored bump makes this one hash, not a search.
    let vault_key =
        Pubkey::create_program_address(&[b"vault", escrow_info.key.as_ref(), &[escrow.vault_bump]], program_id)?;
    if *vault.key != vault_key {
        return Err(EscrowError::AddressMismatch.into());
    }
    Ok(escrow)
}

/// Send everything in the vault to `to` and close the vault (its lamports
/// go to `maker`), signing as the escrow PDA.
fn release_vault<'a>(
    escrow: &Escrow,
    escrow_info: &AccountInfo<'a>,
    vault: &AccountInfo<'a>,
    to: &AccountInfo<'a>,
    maker: &AccountInfo<'a>,
    token_program: &AccountInfo<'a>,
) -> ProgramResult {
    let seed_bytes = escrow.seed.to_le_bytes();
    let signer: &[&[u8]] = &[b"escrow", escrow.maker.as_ref(), &seed_bytes, &[escrow.bump]];
    // Anyone can send tokens to any token account, so the vault may hold
    // more than was offered: move its whole balance, or closing would fail.
    let balance = token_account_amount(vault)?;
    invoke_signed(
        &transfer(vault.key, to.key, escrow_info.key, balance),
        &[vault.clone(), to.clone(), escrow_info.clone(), token_program.clone()],
        &[signer],
    )?;
    invoke_signed(
        &token_instruction(
            vec![writable(vault.key), writable(maker.key), AccountMeta::new_readonly(*escrow_info.key, true)],
            vec![9],
        ),
        &[vault.clone(), maker.clone(), escrow_info.clone(), token_program.clone()],
        &[signer],
    )
}

/// Close the escrow account: its lamports go to the maker, its data is
/// zeroed, and the runtime deletes it at the end of the transaction.
fn close_escrow(escrow_info: &AccountInfo, maker: &AccountInfo) -> ProgramResult {
    let lamports = escrow_info.lamports();
    **maker.try_borrow_mut_lamports()? += lamports;
    **escrow_info.try_borrow_mut_lamports()? = 0;
    escrow_info.try_borrow_mut_data()?.fill(0);
    Ok(())
}

// ---- the token program's instructions, by their documented wire format:
// a tag byte, then little-endian fields. (A contract cannot link the token
// crate itself: it would bring a second entrypoint.)

/// Bytes of a token account.
pub const TOKEN_ACCOUNT_LEN: u64 = 147;

fn writable(key: &Pubkey) -> AccountMeta {
    AccountMeta::new(*key, false)
}

fn readonly(key: &Pubkey) -> AccountMeta {
    AccountMeta::new_readonly(*key, false)
}

fn token_instruction(accounts: alloc::vec::Vec<AccountMeta>, data: alloc::vec::Vec<u8>) -> Instruction {
    Instruction { program_id: TOKEN_PROGRAM_ID, accounts, data }
}

/// Token `Transfer { amount }` (tag 3).
fn transfer(source: &Pubkey, destination: &Pubkey, authority: &Pubkey, amount: u64) -> Instruction {
    let mut data = vec![3u8];
    data.extend_from_slice(&amount.to_le_bytes());
    token_instruction(vec![writable(source), writable(destination), AccountMeta::new_readonly(*authority, true)], data)
}

/// The mint of a token account (bytes 0..32).
fn token_account_mint(info: &AccountInfo) -> Result<Pubkey, ProgramError> {
    let data = info.try_borrow_data()?;
    if data.len() != TOKEN_ACCOUNT_LEN as usize {
        return Err(ProgramError::InvalidAccountData);
    }
    let mint: [u8; 32] = data.get(0..32).and_then(|s| s.try_into().ok()).ok_or(ProgramError::InvalidAccountData)?;
    Ok(Pubkey::new_from_array(mint))
}

/// The balance of a token account (bytes 64..72).
fn token_account_amount(info: &AccountInfo) -> Result<u64, ProgramError> {
    let data = info.try_borrow_data()?;
    let amount: [u8; 8] = data.get(64..72).and_then(|s| s.try_into().ok()).ok_or(ProgramError::InvalidAccountData)?;
    Ok(u64::from_le_bytes(amount))
}

// ---- client helpers: one builder per instruction.

/// The accounts a maker needs for one offer.
#[derive(Debug, Clone, Copy)]
pub struct Offer {
    pub maker: Pubkey,
    pub seed: u64,
    pub offer_mint: Pubkey,
    pub want_mint: Pubkey,
}

impl Offer {
    /// The escrow's address.
    pub fn escrow(&self) -> Pubkey {
        find_escrow_address(&self.maker, self.seed).0
    }

    /// The vault's address.
    pub fn vault(&self) -> Pubkey {
        find_vault_address(&self.escrow()).0
    }
}

/// [`EscrowInstruction::Make`].
pub fn make_offer(
    offer: &Offer,
    maker_offer: &Pubkey,
    maker_receive: &Pubkey,
    offer_amount: u64,
    want_amount: u64,
) -> Instruction {
    Instruction::new_with_borsh(
        ID,
        &EscrowInstruction::Make { seed: offer.seed, offer_amount, want_amount },
        vec![
            AccountMeta::new(offer.maker, true),
            writable(&offer.escrow()),
            writable(&offer.vault()),
            readonly(&offer.offer_mint),
            readonly(&offer.want_mint),
            writable(maker_offer),
            readonly(maker_receive),
            readonly(&TOKEN_PROGRAM_ID),
            readonly(&system_program::ID),
        ],
    )
}

/// [`EscrowInstruction::Take`].
pub fn take_offer(
    offer: &Offer,
    taker: &Pubkey,
    taker_pay: &Pubkey,
    maker_receive: &Pubkey,
    taker_receive: &Pubkey,
) -> Instruction {
    Instruction::new_with_borsh(
        ID,
        &EscrowInstruction::Take,
        vec![
            AccountMeta::new_readonly(*taker, true),
            writable(&offer.maker),
            writable(&offer.escrow()),
            writable(&offer.vault()),
            writable(taker_pay),
            writable(maker_receive),
            writable(taker_receive),
            readonly(&TOKEN_PROGRAM_ID),
        ],
    )
}

/// [`EscrowInstruction::Cancel`].
pub fn cancel_offer(offer: &Offer, maker_refund: &Pubkey) -> Instruction {
    Instruction::new_with_borsh(
        ID,
        &EscrowInstruction::Cancel,
        vec![
            AccountMeta::new(offer.maker, true),
            writable(&offer.escrow()),
            writable(&offer.vault()),
            writable(maker_refund),
            readonly(&TOKEN_PROGRAM_ID),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn len_and_token_layout() {
        let full =
            Escrow { is_initialized: true, seed: u64::MAX, offer_amount: 1, want_amount: 2, ..Escrow::default() };
        assert_eq!(borsh::to_vec(&full).unwrap().len(), Escrow::LEN);
        assert_eq!(TOKEN_PROGRAM_ID, lanes_token::ID);
        assert_eq!(TOKEN_ACCOUNT_LEN as usize, lanes_token::state::TokenAccount::LEN);
        let (a, b, c) =
            (Pubkey::new_unique_from_u64(1), Pubkey::new_unique_from_u64(2), Pubkey::new_unique_from_u64(3));
        assert_eq!(transfer(&a, &b, &c, 9), lanes_token::instruction::transfer(&lanes_token::ID, &a, &b, &c, 9));
        assert_eq!(lanes_token::state::offsets::ACCOUNT_MINT, 0);
        assert_eq!(lanes_token::state::offsets::ACCOUNT_AMOUNT, 64);
        assert_eq!(
            token_instruction(vec![writable(&a), writable(&b), AccountMeta::new_readonly(c, true)], vec![9]),
            lanes_token::instruction::close_account(&lanes_token::ID, &a, &b, &c)
        );
        assert_eq!(
            token_instruction(vec![writable(&a), readonly(&b), readonly(&c)], vec![1]),
            lanes_token::instruction::initialize_account(&lanes_token::ID, &a, &b, &c)
        );
    }
}
