//! The processor: decodes one instruction, checks every account and
//! authority it involves, and writes the new state back.
//!
//! Each handler reads its accounts in the order [`crate::instruction`]
//! documents, decodes state into locals (short borrows, so duplicated
//! accounts never trip a borrow), validates everything, and only then
//! writes (the runtime discards a failed instruction's writes in any case).
//! Accounts it reads as state must be owned by the program id it runs under
//! (`IncorrectProgramId` otherwise). Extra trailing accounts are ignored.
//!
//! Nothing here allocates, and all arithmetic is checked. Keys compare eight
//! bytes at a time (`Pubkey`'s `==`), and the state codec is inlined (see
//! `Pack`): both keep the transfer path cheap in compute units.

use crate::error::TokenError;
use crate::instruction::{AuthorityType, TokenInstruction, BATCH_TAG};
use crate::state::{AccountState, Mint, Pack, TokenAccount};
use lanes_sdk::account_info::{next_account_info, AccountInfo};
use lanes_sdk::msg;
use lanes_sdk::program_error::{ProgramError, ProgramResult};
use lanes_sdk::Pubkey;

/// The program's entry: decode `data` and run it against `accounts`.
/// On failure the reason is logged once, and nothing has been written.
pub fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let result = dispatch(program_id, accounts, data);
    if let Err(err) = &result {
        log_error(err);
    }
    result
}

fn dispatch(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    if let Some((&BATCH_TAG, items)) = data.split_first() {
        return process_batch(program_id, accounts, items);
    }
    dispatch_one(program_id, accounts, data)
}

/// A batch's items, read in place: (accounts taken, instruction data).
fn batch_items(mut items: &[u8]) -> Option<impl Iterator<Item = (usize, &[u8])>> {
    let (count, rest) = items.split_first_chunk::<4>()?;
    items = rest;
    let count = u32::from_le_bytes(*count);
    let all = items;
    // Check the whole encoding first: nothing runs unless all of it is valid.
    for _ in 0..count {
        let (_accounts, rest) = items.split_first()?;
        let (len, rest) = rest.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            return None;
        }
        items = &rest[len..];
    }
    if !items.is_empty() {
        return None;
    }
    let mut items = all;
    Some((0..count).map(move |_| {
        let accounts = items[0] as usize;
        let len = u32::from_le_bytes([items[1], items[2], items[3], items[4]]) as usize;
        let data = &items[5..5 + len];
        items = &items[5 + len..];
        (accounts, data)
    }))
}

fn process_batch(program_id: &Pubkey, accounts: &[AccountInfo], items: &[u8]) -> ProgramResult {
    let items = batch_items(items).ok_or(ProgramError::InvalidInstructionData)?;
    let mut next = 0usize;
    let mut ran = 0usize;
    for (count, data) in items {
        if data.first() == Some(&BATCH_TAG) {
            return Err(ProgramError::InvalidInstructionData);
        }
        let end = next + count;
        let own = accounts.get(next..end).ok_or(ProgramError::NotEnoughAccountKeys)?;
        dispatch_one(program_id, own, data)?;
        next = end;
        ran += 1;
    }
    if ran == 0 || next != accounts.len() {
        // An empty batch, or accounts no instruction took: a client's mistake.
        return Err(ProgramError::InvalidInstructionData);
    }
    Ok(())
}

fn dispatch_one(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    match TokenInstruction::unpack(data)? {
        TokenInstruction::Batch { .. } => Err(ProgramError::InvalidInstructionData),
        TokenInstruction::Transfer { amount } => process_transfer(program_id, accounts, amount, None),
        TokenInstruction::TransferChecked { amount, decimals } => {
            process_transfer(program_id, accounts, amount, Some(decimals))
        }
        TokenInstruction::InitializeMint { decimals, mint_authority, freeze_authority } => {
            process_initialize_mint(program_id, accounts, decimals, mint_authority, freeze_authority)
        }
        TokenInstruction::InitializeAccount => process_initialize_account(program_id, accounts),
        TokenInstruction::MintTo { amount } => process_mint_to(program_id, accounts, amount),
        TokenInstruction::Approve { amount } => process_approve(program_id, accounts, amount),
        TokenInstruction::Revoke => process_revoke(program_id, accounts),
        TokenInstruction::Burn { amount } => process_burn(program_id, accounts, amount),
        TokenInstruction::FreezeAccount => process_toggle_freeze(program_id, accounts, true),
        TokenInstruction::ThawAccount => process_toggle_freeze(program_id, accounts, false),
        TokenInstruction::CloseAccount => process_close_account(program_id, accounts),
        TokenInstruction::SetAuthority { authority_type, new_authority } => {
            process_set_authority(program_id, accounts, authority_type, new_authority)
        }
    }
}

fn log_error(err: &ProgramError) {
    let text = match err {
        ProgramError::Custom(code) => match TokenError::from_code(*code) {
            Some(token_err) => token_err.message(),
            None => "unknown custom error",
        },
        ProgramError::InvalidInstructionData => "invalid instruction data",
        ProgramError::InvalidAccountData => "invalid account data",
        ProgramError::IncorrectProgramId => "account not owned by the token program",
        ProgramError::MissingRequiredSignature => "missing required signature",
        ProgramError::UninitializedAccount => "account is not initialized",
        ProgramError::NotEnoughAccountKeys => "not enough accounts",
        ProgramError::AccountBorrowFailed => "account already borrowed",
        _ => "program error",
    };
    msg!(text);
}

/// Whether this program owns `info`.
fn owned(program_id: &Pubkey, info: &AccountInfo) -> bool {
    info.owner() == *program_id
}

/// Decode the initialized state of an account this program owns.
fn load<T: Pack>(program_id: &Pubkey, info: &AccountInfo) -> Result<T, ProgramError> {
    if !owned(program_id, info) {
        return Err(ProgramError::IncorrectProgramId);
    }
    let data = info.try_borrow_data()?;
    T::unpack(&data)
}

/// Decode an account this program owns that must not be initialized yet.
fn load_uninitialized<T: Pack>(program_id: &Pubkey, info: &AccountInfo) -> Result<T, ProgramError> {
    if !owned(program_id, info) {
        return Err(ProgramError::IncorrectProgramId);
    }
    let data = info.try_borrow_data()?;
    let value = T::unpack_unchecked(&data)?;
    if value.is_initialized() {
        return Err(TokenError::AlreadyInUse.into());
    }
    Ok(value)
}

fn store<T: Pack>(value: &T, info: &AccountInfo) -> ProgramResult {
    let mut data = info.try_borrow_mut_data()?;
    value.pack(&mut data)
}

/// `authority` must be `expected` and must have signed.
fn check_authority(expected: &Pubkey, authority: &AccountInfo) -> ProgramResult {
    if expected != authority.key {
        return Err(TokenError::OwnerMismatch.into());
    }
    if !authority.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    Ok(())
}

/// `authority` must be the owner of `account`, or its delegate with at least
/// `amount` left; a delegate's allowance is reduced by `amount` when
/// `consume` (and the delegate removed when it reaches zero).
fn authorize_spend(account: &mut TokenAccount, authority: &AccountInfo, amount: u64, consume: bool) -> ProgramResult {
    if *authority.key == account.owner {
        if !authority.is_signer {
            return Err(ProgramError::MissingRequiredSignature);
        }
        return Ok(());
    }
    match account.delegate {
        Some(delegate) if delegate == *authority.key => {
            if !authority.is_signer {
                return Err(ProgramError::MissingRequiredSignature);
            }
            let left = account.delegated_amount.checked_sub(amount).ok_or(TokenError::InsufficientAllowance)?;
            if consume {
                account.delegated_amount = left;
                if left == 0 {
                    account.delegate = None;
                }
            }
            Ok(())
        }
        _ => Err(TokenError::OwnerMismatch.into()),
    }
}

fn process_initialize_mint(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    decimals: u8,
    mint_authority: Pubkey,
    freeze_authority: Option<Pubkey>,
) -> ProgramResult {
    let iter = &mut accounts.iter();
    let mint_info = next_account_info(iter)?;
    let _: Mint = load_uninitialized(program_id, mint_info)?;
    let mint =
        Mint { supply: 0, decimals, is_initialized: true, mint_authority: Some(mint_authority), freeze_authority };
    store(&mint, mint_info)
}

fn process_initialize_account(program_id: &Pubkey, accounts: &[AccountInfo]) -> ProgramResult {
    let iter = &mut accounts.iter();
    let account_info = next_account_info(iter)?;
    let mint_info = next_account_info(iter)?;
    let owner_info = next_account_info(iter)?;

    let _: TokenAccount = load_uninitialized(program_id, account_info)?;
    let _: Mint = load(program_id, mint_info).map_err(|err| match err {
        ProgramError::IncorrectProgramId => err,
        _ => TokenError::InvalidMint.into(),
    })?;
    let account = TokenAccount {
        mint: *mint_info.key,
        owner: *owner_info.key,
        state: AccountState::Initialized,
        ..TokenAccount::default()
    };
    store(&account, account_info)
}

/// `Transfer`, and `TransferChecked` when `expected_decimals` is given (its
/// accounts then include the mint, second).
fn process_transfer(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    amount: u64,
    expected_decimals: Option<u8>,
) -> ProgramResult {
    let iter = &mut accounts.iter();
    let source_info = next_account_info(iter)?;
    let mint_info = match expected_decimals {
        Some(_) => Some(next_account_info(iter)?),
        None => None,
    };
    let destination_info = next_account_info(iter)?;
    let authority_info = next_account_info(iter)?;

    let mut source: TokenAccount = load(program_id, source_info)?;
    let mut destination: TokenAccount = load(program_id, destination_info)?;

    if source.is_frozen() || destination.is_frozen() {
        return Err(TokenError::AccountFrozen.into());
    }
    let remaining = source.amount.checked_sub(amount).ok_or(TokenError::InsufficientFunds)?;
    if source.mint != destination.mint {
        return Err(TokenError::MintMismatch.into());
    }
    if let (Some(decimals), Some(mint_info)) = (expected_decimals, mint_info) {
        if *mint_info.key != source.mint {
            return Err(TokenError::MintMismatch.into());
        }
        let mint: Mint = load(program_id, mint_info)?;
        if mint.decimals != decimals {
            return Err(TokenError::MintDecimalsMismatch.into());
        }
    }

    let self_transfer = source_info.key == destination_info.key;
    authorize_spend(&mut source, authority_info, amount, !self_transfer)?;
    if self_transfer {
        // Same account on both sides: authorized and valid, and nothing moves.
        return Ok(());
    }

    source.amount = remaining;
    destination.amount = destination.amount.checked_add(amount).ok_or(TokenError::Overflow)?;
    store(&source, source_info)?;
    store(&destination, destination_info)
}

fn process_mint_to(program_id: &Pubkey, accounts: &[AccountInfo], amount: u64) -> ProgramResult {
    let iter = &mut accounts.iter();
    let mint_info = next_account_info(iter)?;
    let destination_info = next_account_info(iter)?;
    let authority_info = next_account_info(iter)?;

    let mut destination: TokenAccount = load(program_id, destination_info)?;
    if destination.is_frozen() {
        return Err(TokenError::AccountFrozen.into());
    }
    if destination.mint != *mint_info.key {
        return Err(TokenError::MintMismatch.into());
    }
    let mut mint: Mint = load(program_id, mint_info)?;
    match mint.mint_authority {
        Some(authority) => check_authority(&authority, authority_info)?,
        None => return Err(TokenError::FixedSupply.into()),
    }

    mint.supply = mint.supply.checked_add(amount).ok_or(TokenError::Overflow)?;
    destination.amount = destination.amount.checked_add(amount).ok_or(TokenError::Overflow)?;
    store(&mint, mint_info)?;
    store(&destination, destination_info)
}

fn process_burn(program_id: &Pubkey, accounts: &[AccountInfo], amount: u64) -> ProgramResult {
    let iter = &mut accounts.iter();
    let account_info = next_account_info(iter)?;
    let mint_info = next_account_info(iter)?;
    let authority_info = next_account_info(iter)?;

    let mut account: TokenAccount = load(program_id, account_info)?;
    if account.is_frozen() {
        return Err(TokenError::AccountFrozen.into());
    }
    if account.mint != *mint_info.key {
        return Err(TokenError::MintMismatch.into());
    }
    let remaining = account.amount.checked_sub(amount).ok_or(TokenError::InsufficientFunds)?;
    let mut mint: Mint = load(program_id, mint_info)?;
    authorize_spend(&mut account, authority_info, amount, true)?;

    account.amount = remaining;
    mint.supply = mint.supply.checked_sub(amount).ok_or(TokenError::Overflow)?;
    store(&account, account_info)?;
    store(&mint, mint_info)
}

fn process_approve(program_id: &Pubkey, accounts: &[AccountInfo], amount: u64) -> ProgramResult {
    let iter = &mut accounts.iter();
    let source_info = next_account_info(iter)?;
    let delegate_info = next_account_info(iter)?;
    let owner_info = next_account_info(iter)?;

    let mut source: TokenAccount = load(program_id, source_info)?;
    if source.is_frozen() {
        return Err(TokenError::AccountFrozen.into());
    }
    check_authority(&source.owner, owner_info)?;

    source.delegate = Some(*delegate_info.key);
    source.delegated_amount = amount;
    store(&source, source_info)
}

fn process_revoke(program_id: &Pubkey, accounts: &[AccountInfo]) -> ProgramResult {
    let iter = &mut accounts.iter();
    let source_info = next_account_info(iter)?;
    let owner_info = next_account_info(iter)?;

    let mut source: TokenAccount = load(program_id, source_info)?;
    if source.is_frozen() {
        return Err(TokenError::AccountFrozen.into());
    }
    check_authority(&source.owner, owner_info)?;

    source.delegate = None;
    source.delegated_amount = 0;
    store(&source, source_info)
}

fn process_toggle_freeze(program_id: &Pubkey, accounts: &[AccountInfo], freeze: bool) -> ProgramResult {
    let iter = &mut accounts.iter();
    let account_info = next_account_info(iter)?;
    let mint_info = next_account_info(iter)?;
    let authority_info = next_account_info(iter)?;

    let mut account: TokenAccount = load(program_id, account_info)?;
    if account.is_frozen() == freeze {
        return Err(TokenError::InvalidState.into());
    }
    if account.mint != *mint_info.key {
        return Err(TokenError::MintMismatch.into());
    }
    let mint: Mint = load(program_id, mint_info)?;
    match mint.freeze_authority {
        Some(authority) => check_authority(&authority, authority_info)?,
        None => return Err(TokenError::MintCannotFreeze.into()),
    }

    account.state = if freeze { AccountState::Frozen } else { AccountState::Initialized };
    store(&account, account_info)
}

fn process_close_account(program_id: &Pubkey, accounts: &[AccountInfo]) -> ProgramResult {
    let iter = &mut accounts.iter();
    let account_info = next_account_info(iter)?;
    let destination_info = next_account_info(iter)?;
    let authority_info = next_account_info(iter)?;

    if account_info.key == destination_info.key {
        return Err(ProgramError::InvalidAccountData);
    }
    let account: TokenAccount = load(program_id, account_info)?;
    if account.amount != 0 {
        return Err(TokenError::NonZeroBalance.into());
    }
    check_authority(&account.closer(), authority_info)?;

    let lamports = account_info.lamports();
    {
        let mut destination_lamports = destination_info.try_borrow_mut_lamports()?;
        **destination_lamports = destination_lamports.checked_add(lamports).ok_or(TokenError::Overflow)?;
    }
    **account_info.try_borrow_mut_lamports()? = 0;
    account_info.try_borrow_mut_data()?.fill(0);
    Ok(())
}

fn process_set_authority(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    authority_type: AuthorityType,
    new_authority: Option<Pubkey>,
) -> ProgramResult {
    let iter = &mut accounts.iter();
    let owned_info = next_account_info(iter)?;
    let authority_info = next_account_info(iter)?;

    if owned_info.data_len() == TokenAccount::LEN {
        let mut account: TokenAccount = load(program_id, owned_info)?;
        if account.is_frozen() {
            return Err(TokenError::AccountFrozen.into());
        }
        match authority_type {
            AuthorityType::AccountOwner => {
                check_authority(&account.owner, authority_info)?;
                let Some(new_owner) = new_authority else {
                    return Err(TokenError::AuthorityTypeNotSupported.into());
                };
                // A new owner inherits nothing the old one granted.
                account.owner = new_owner;
                account.delegate = None;
                account.delegated_amount = 0;
                account.close_authority = None;
            }
            AuthorityType::CloseAccount => {
                check_authority(&account.closer(), authority_info)?;
                account.close_authority = new_authority;
            }
            AuthorityType::MintTokens | AuthorityType::FreezeAccount => {
                return Err(TokenError::AuthorityTypeNotSupported.into());
            }
        }
        store(&account, owned_info)
    } else if owned_info.data_len() == Mint::LEN {
        let mut mint: Mint = load(program_id, owned_info)?;
        match authority_type {
            AuthorityType::MintTokens => {
                let current = mint.mint_authority.ok_or(TokenError::FixedSupply)?;
                check_authority(&current, authority_info)?;
                mint.mint_authority = new_authority;
            }
            AuthorityType::FreezeAccount => {
                let current = mint.freeze_authority.ok_or(TokenError::MintCannotFreeze)?;
                check_authority(&current, authority_info)?;
                mint.freeze_authority = new_authority;
            }
            AuthorityType::AccountOwner | AuthorityType::CloseAccount => {
                return Err(TokenError::AuthorityTypeNotSupported.into());
            }
        }
        store(&mint, owned_info)
    } else if !owned(program_id, owned_info) {
        Err(ProgramError::IncorrectProgramId)
    } else {
        Err(ProgramError::InvalidAccountData)
    }
}
