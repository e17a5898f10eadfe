//! The system program's durable nonce instructions, with Agave's rules,
//! order of checks, errors and log lines: initialize a created nonce
//! account for an authority, advance it to the slot's durable nonce,
//! withdraw from it, hand it to another authority, upgrade a legacy one.
//!
//! The next durable nonce derives from the bank's latest blockhash
//! ([`TransactionContext::blockhash`](crate::transaction_context::TransactionContext));
//! the recent blockhashes and rent sysvar accounts an instruction names are
//! checked by key only (Lanes keeps no data in them); the fee a nonce
//! records is [`LAMPORTS_PER_SIGNATURE`]. A nonce account's state is
//! written as Agave's `set_state` writes it: the encoding over the front of
//! the data, the rest left as it was.
//!
//! What this module must never do: change a nonce account that is not
//! writable or not the system program's, act on a nonce without its
//! authority's signature (an uninitialized one's own), advance a nonce twice
//! on one blockhash, or let a withdrawal leave an initialized nonce below
//! the rent-exempt minimum unless it empties it.

use super::error::{NONCE_BLOCKHASH_NOT_EXPIRED, NONCE_NO_RECENT_BLOCKHASHES};
use crate::execution::builtins::Accounts;
use crate::execution::compute_budget::LAMPORTS_PER_SIGNATURE;
use lanes_sdk::hash::Hash;
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::nonce::{AuthorizeNonceError, Data, DurableNonce, State, Versions};
use lanes_sdk::rent::Rent;
use lanes_sdk::{system_program, sysvar, Pubkey};

/// The nonce account: the first account of every nonce instruction.
const NONCE: usize = 0;

/// `AdvanceNonceAccount`: accounts `[writable]` nonce, recent blockhashes
/// sysvar, `[signer]` authority (any signer of the instruction counts).
pub(super) fn advance(a: &mut Accounts<'_>) -> Result<(), InstructionError> {
    a.check_number(1)?;
    let blockhash = recent_blockhash(a, 1, "Advance")?;
    let key = a.key(NONCE)?;
    if !a.is_writable(NONCE)? {
        a.ctx.log(format!("Advance nonce account: Account {key} must be writeable"));
        return Err(InstructionError::InvalidArgument);
    }
    match Versions::decode(&a.get(NONCE)?.data)?.state() {
        State::Initialized(data) => {
            if !a.signers().contains(&data.authority) {
                a.ctx.log(format!("Advance nonce account: Account {} must be a signer", data.authority));
                return Err(InstructionError::MissingRequiredSignature);
            }
            let next = DurableNonce::from_blockhash(&blockhash);
            if data.durable_nonce == next {
                a.ctx.log("Advance nonce account: nonce can only advance once per slot".into());
                return Err(InstructionError::Custom(NONCE_BLOCKHASH_NOT_EXPIRED));
            }
            let advanced = Data::new(data.authority, next, LAMPORTS_PER_SIGNATURE);
            set_state(a, &Versions::new(State::Initialized(advanced)))
        }
        State::Uninitialized => {
            a.ctx.log(format!("Advance nonce account: Account {key} state is invalid"));
            Err(InstructionError::InvalidAccountData)
        }
    }
}

/// `WithdrawNonceAccount`: accounts `[writable]` nonce, `[writable]`
/// recipient, recent blockhashes sysvar, rent sysvar, `[signer]` authority.
/// Withdrawing an initialized nonce's whole balance de-initializes it (and
/// needs its nonce to have expired); a partial withdrawal leaves the
/// rent-exempt minimum. An uninitialized nonce account signs for itself.
pub(super) fn withdraw(a: &mut Accounts<'_>, lamports: u64) -> Result<(), InstructionError> {
    const TO: usize = 1;
    a.check_number(2)?;
    check_sysvar(a, 2, &sysvar::recent_blockhashes::ID)?;
    check_sysvar(a, 3, &sysvar::rent::ID)?;
    let key = a.key(NONCE)?;
    if !a.is_writable(NONCE)? {
        a.ctx.log(format!("Withdraw nonce account: Account {key} must be writeable"));
        return Err(InstructionError::InvalidArgument);
    }
    let account = a.get(NONCE)?;
    let (balance, data_len) = (account.lamports, account.data.len());
    let signer = match Versions::decode(&account.data)?.state() {
        State::Uninitialized => {
            if lamports > balance {
                a.ctx.log(format!("Withdraw nonce account: insufficient lamports {balance}, need {lamports}"));
                return Err(InstructionError::InsufficientFunds);
            }
            key
        }
        State::Initialized(data) => {
            if lamports == balance {
                if data.durable_nonce == DurableNonce::from_blockhash(&a.ctx.blockhash) {
                    a.ctx.log("Withdraw nonce account: nonce can only advance once per slot".into());
                    return Err(InstructionError::Custom(NONCE_BLOCKHASH_NOT_EXPIRED));
                }
                set_state(a, &Versions::new(State::Uninitialized))?;
            } else {
                let minimum = Rent::get().minimum_balance(data_len);
                let need = lamports.checked_add(minimum).ok_or(InstructionError::InsufficientFunds)?;
                if need > balance {
                    a.ctx.log(format!("Withdraw nonce account: insufficient lamports {balance}, need {need}"));
                    return Err(InstructionError::InsufficientFunds);
                }
            }
            data.authority
        }
    };
    if !a.signers().contains(&signer) {
        a.ctx.log(format!("Withdraw nonce account: Account {signer} must sign"));
        return Err(InstructionError::MissingRequiredSignature);
    }
    sub_lamports(a, NONCE, lamports)?;
    add_lamports(a, TO, lamports)
}

/// `InitializeNonceAccount(authority)`: accounts `[writable]` nonce (created
/// with rent-exempt lamports), recent blockhashes sysvar, rent sysvar.
pub(super) fn initialize(a: &mut Accounts<'_>, authority: &Pubkey) -> Result<(), InstructionError> {
    a.check_number(1)?;
    let blockhash = recent_blockhash(a, 1, "Initialize")?;
    check_sysvar(a, 2, &sysvar::rent::ID)?;
    let key = a.key(NONCE)?;
    if !a.is_writable(NONCE)? {
        a.ctx.log(format!("Initialize nonce account: Account {key} must be writeable"));
        return Err(InstructionError::InvalidArgument);
    }
    let account = a.get(NONCE)?;
    match Versions::decode(&account.data)?.state() {
        State::Uninitialized => {
            let (lamports, minimum) = (account.lamports, Rent::get().minimum_balance(account.data.len()));
            if lamports < minimum {
                a.ctx.log(format!("Initialize nonce account: insufficient lamports {lamports}, need {minimum}"));
                return Err(InstructionError::InsufficientFunds);
            }
            let data = Data::new(*authority, DurableNonce::from_blockhash(&blockhash), LAMPORTS_PER_SIGNATURE);
            set_state(a, &Versions::new(State::Initialized(data)))
        }
        State::Initialized(_) => {
            a.ctx.log(format!("Initialize nonce account: Account {key} state is invalid"));
            Err(InstructionError::InvalidAccountData)
        }
    }
}

/// `AuthorizeNonceAccount(new_authority)`: accounts `[writable]` nonce,
/// `[signer]` present authority. The version and the nonce are kept.
pub(super) fn authorize(a: &mut Accounts<'_>, new_authority: &Pubkey) -> Result<(), InstructionError> {
    a.check_number(1)?;
    let key = a.key(NONCE)?;
    if !a.is_writable(NONCE)? {
        a.ctx.log(format!("Authorize nonce account: Account {key} must be writeable"));
        return Err(InstructionError::InvalidArgument);
    }
    let signers = a.signers();
    match Versions::decode(&a.get(NONCE)?.data)?.authorize(&signers, *new_authority) {
        Ok(versions) => set_state(a, &versions),
        Err(AuthorizeNonceError::Uninitialized) => {
            a.ctx.log(format!("Authorize nonce account: Account {key} state is invalid"));
            Err(InstructionError::InvalidAccountData)
        }
        Err(AuthorizeNonceError::MissingRequiredSignature(authority)) => {
            a.ctx.log(format!("Authorize nonce account: Account {authority} must sign"));
            Err(InstructionError::MissingRequiredSignature)
        }
    }
}

/// `UpgradeNonceAccount`: accounts `[writable]` nonce, the system
/// program's. Only a legacy, initialized nonce upgrades; anything else is
/// `InvalidArgument`. No signature is needed: the upgrade only moves the
/// stored nonce out of the blockhash domain.
pub(super) fn upgrade(a: &mut Accounts<'_>) -> Result<(), InstructionError> {
    a.check_number(1)?;
    if a.get(NONCE)?.owner != system_program::ID {
        return Err(InstructionError::InvalidAccountOwner);
    }
    if !a.is_writable(NONCE)? {
        return Err(InstructionError::InvalidArgument);
    }
    match Versions::decode(&a.get(NONCE)?.data)?.upgrade() {
        Some(upgraded) => set_state(a, &upgraded),
        None => Err(InstructionError::InvalidArgument),
    }
}

/// `InvalidArgument` unless instruction account `index` is the sysvar `id`
/// (`NotEnoughAccountKeys` if there is no such account).
fn check_sysvar(a: &Accounts<'_>, index: usize, id: &Pubkey) -> Result<(), InstructionError> {
    if a.key(index)? != *id {
        return Err(InstructionError::InvalidArgument);
    }
    Ok(())
}

/// The recent blockhashes sysvar at `index`, then the blockhash the next
/// durable nonce derives from: `NonceNoRecentBlockhashes` when the context
/// has none (Solana's empty sysvar).
fn recent_blockhash(a: &mut Accounts<'_>, index: usize, verb: &str) -> Result<Hash, InstructionError> {
    check_sysvar(a, index, &sysvar::recent_blockhashes::ID)?;
    if a.ctx.blockhash == Hash::default() {
        a.ctx.log(format!("{verb} nonce account: recent blockhash list is empty"));
        return Err(InstructionError::Custom(NONCE_NO_RECENT_BLOCKHASHES));
    }
    Ok(a.ctx.blockhash)
}

/// Write `versions` over the front of the nonce account's data, as Agave's
/// `set_state`: only a writable account the system program owns, only if
/// the encoding fits.
fn set_state(a: &mut Accounts<'_>, versions: &Versions) -> Result<(), InstructionError> {
    if !a.is_writable(NONCE)? {
        return Err(InstructionError::ReadonlyDataModified);
    }
    let account = a.get_mut(NONCE)?;
    if account.owner != system_program::ID {
        return Err(InstructionError::ExternalAccountDataModified);
    }
    let bytes = versions.encode();
    let front = account.data.get_mut(..bytes.len()).ok_or(InstructionError::AccountDataTooSmall)?;
    front.copy_from_slice(&bytes);
    Ok(())
}

/// Debit account `index`, as Agave's `checked_sub_lamports`: a debit only
/// from an account the system program owns, a change only to a writable one.
fn sub_lamports(a: &mut Accounts<'_>, index: usize, lamports: u64) -> Result<(), InstructionError> {
    let writable = a.is_writable(index)?;
    let account = a.get_mut(index)?;
    let after = account.lamports.checked_sub(lamports).ok_or(InstructionError::ArithmeticOverflow)?;
    if account.owner != system_program::ID && after < account.lamports {
        return Err(InstructionError::ExternalAccountLamportSpend);
    }
    if !writable {
        return Err(InstructionError::ReadonlyLamportChange);
    }
    account.lamports = after;
    Ok(())
}

/// Credit account `index`, as Agave's `checked_add_lamports`: only a
/// writable account's balance changes (even by nothing).
fn add_lamports(a: &mut Accounts<'_>, index: usize, lamports: u64) -> Result<(), InstructionError> {
    let writable = a.is_writable(index)?;
    let account = a.get_mut(index)?;
    let after = account.lamports.checked_add(lamports).ok_or(InstructionError::ArithmeticOverflow)?;
    if !writable {
        return Err(InstructionError::ReadonlyLamportChange);
    }
    account.lamports = after;
    Ok(())
}
