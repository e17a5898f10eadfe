//! State and time controls on the banking thread: the requests RPC queues
//! to it ([`ControlRequest`]), slot production (paused or running, by
//! interval or on arrival: [`Production`]), and applying a state control to
//! the bank — the account written, the token balance set, the clock moved —
//! as the [`ControlRecord`]s the ledger keeps with the slot, which
//! [`apply_records`] applies again in a replay.
//!
//! Owns: what a control does to the bank and how it is recorded.
//!
//! Never: touch the bank outside the banking thread's slot boundary (or a
//! replay's), apply a control the ledger will not record, or trust a
//! request (every one is checked again here, against the bank as it stands
//! at the boundary, not as RPC saw it).

use super::ledger::ControlRecord;
use crossbeam_channel::Sender;
use lanes_client::AccountUpdate;
use lanes_runtime::bank::Bank;
use lanes_sdk::{Account, Pubkey};
use lanes_token::state::{AccountState, Mint, Pack, TokenAccount};

/// Requests waiting for the banking thread, at most (a full queue is
/// refused with -32005, never waited on).
pub const CONTROL_QUEUE_CAPACITY: usize = 1_024;

/// When the banking thread makes a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BlockProduction {
    /// Once every `--slot-ms`.
    #[default]
    Interval,
    /// As soon as a transaction (or a control) is waiting — whatever is
    /// queued when the slot starts goes into it — and otherwise once every
    /// `--slot-ms`.
    OnArrival,
}

impl BlockProduction {
    /// The RPC name: `"interval"` or `"onArrival"`.
    pub fn rpc_name(self) -> &'static str {
        match self {
            BlockProduction::Interval => "interval",
            BlockProduction::OnArrival => "onArrival",
        }
    }
}

/// What a control asks of the banking thread.
#[derive(Debug, Clone)]
pub enum ControlOp {
    /// Change the account at `key` at the start of the next slot.
    SetAccount {
        key: Pubkey,
        patch: AccountUpdate,
    },
    /// Give `owner` `amount` of `mint` in `token_account` (RPC's pick: the
    /// owner's account of the mint, if it has one) or, if `None`, in a new
    /// account at [`token_balance_address`]; the mint's supply follows.
    SetTokenBalance {
        owner: Pubkey,
        mint: Pubkey,
        amount: u64,
        token_account: Option<Pubkey>,
    },
    /// Move the clock so that the next slot reads `unix_timestamp`.
    SetClock {
        unix_timestamp: i64,
    },
    /// End the next slot with a jump to `slot`.
    WarpTo {
        slot: u64,
    },
    Pause,
    Resume,
    /// Make a slot now, paused or not.
    ProduceSlot,
    SetBlockProduction(BlockProduction),
}

impl ControlOp {
    /// Whether it changes state (and so is recorded with a slot).
    pub fn is_state(&self) -> bool {
        matches!(
            self,
            ControlOp::SetAccount { .. }
                | ControlOp::SetTokenBalance { .. }
                | ControlOp::SetClock { .. }
                | ControlOp::WarpTo { .. }
        )
    }
}

/// `current` with the fields `update` gives (a new account starts with 0
/// lamports, the system program, no data, not executable); an executable
/// account must be the loader's (as the runtime requires of every program).
pub fn apply_account_update(update: &AccountUpdate, current: Option<Account>) -> Result<Account, String> {
    let current = current.unwrap_or_else(|| Account::new(0, 0, &lanes_sdk::system_program::ID));
    let account = Account {
        lamports: update.lamports.unwrap_or(current.lamports),
        owner: update.owner.unwrap_or(current.owner),
        data: update.data.clone().unwrap_or(current.data),
        executable: update.executable.unwrap_or(current.executable),
    };
    if account.executable && account.owner != lanes_sdk::loader::ID {
        return Err(format!(
            "an executable account must be owned by the loader {} (owner {} given)",
            lanes_sdk::loader::ID,
            account.owner
        ));
    }
    Ok(account)
}

/// What a control did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Applied in (or, produced: made) `slot`, now durable.
    Slot(u64),
    /// Slot `from` ended with a jump to `to` (durable).
    Warp { from: u64, to: u64 },
    /// The token balance set in `slot` (durable), in `token_account`
    /// (`created`: made for it).
    TokenBalance { slot: u64, token_account: Pubkey, created: bool },
    /// Slot production as it now stands; `slot` is the bank's current one.
    Production { slot: u64, paused: bool, mode: BlockProduction },
}

/// Why a control was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlError {
    /// The request does not hold against the bank at the slot boundary
    /// (-32602 over RPC).
    Invalid(String),
    /// The slot that applied it could not be made durable, or the node is
    /// stopping (-32603).
    Failed(String),
}

pub type ControlReply = Result<Applied, ControlError>;

/// A control for the banking thread and where to answer.
pub struct ControlRequest {
    pub op: ControlOp,
    pub reply: Sender<ControlReply>,
}

/// Slot production as the banking thread runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Production {
    pub paused: bool,
    pub mode: BlockProduction,
}

/// Where a token balance control makes an owner's account of a mint when
/// it has none: the token program's address derived from the owner and
/// the mint (no one holds its key; the token program treats it as any
/// other token account).
pub fn token_balance_address(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[owner.as_ref(), mint.as_ref()], &lanes_token::ID).0
}

/// The bundled token program's mint at `key`, if that is what it holds.
pub fn token_mint(bank: &Bank, key: &Pubkey) -> Result<Mint, String> {
    let account = bank.get_account(key).ok_or_else(|| format!("mint {key} does not exist"))?;
    if account.owner != lanes_token::ID || account.data.len() != Mint::LEN {
        return Err(format!("{key} is not a mint of the token program {}", lanes_token::ID));
    }
    Mint::unpack(&account.data).map_err(|_| format!("mint {key} is not initialized"))
}

/// `key`'s token account state, if it is a token account of `mint` owned by `owner`.
fn holder_account(bank: &Bank, key: &Pubkey, owner: &Pubkey, mint: &Pubkey) -> Result<Option<TokenAccount>, String> {
    let Some(account) = bank.get_account(key) else {
        return Ok(None);
    };
    let state = (account.owner == lanes_token::ID && account.data.len() == TokenAccount::LEN)
        .then(|| TokenAccount::unpack(&account.data).ok())
        .flatten();
    match state {
        Some(state) if state.mint == *mint && state.owner == *owner => Ok(Some(state)),
        _ => Err(format!("{key} is not a token account of mint {mint} owned by {owner}")),
    }
}

/// Apply a state control (not a warp) to `bank` at the start of its slot:
/// the records the ledger keeps for it, and what to answer once the slot
/// is durable (with `slot` filled in then).
pub fn apply_state(bank: &mut Bank, op: &ControlOp) -> Result<(Vec<ControlRecord>, Applied), ControlError> {
    let slot = bank.slot();
    match op {
        ControlOp::SetAccount { key, patch } => {
            let account = apply_account_update(patch, bank.get_account(key)).map_err(ControlError::Invalid)?;
            let records = vec![ControlRecord::set_account(key, &account)];
            apply_records(bank, &records).map_err(ControlError::Failed)?;
            Ok((records, Applied::Slot(slot)))
        }
        ControlOp::SetClock { unix_timestamp } => {
            let records = vec![ControlRecord::SetClock { unix_timestamp: *unix_timestamp }];
            apply_records(bank, &records).map_err(ControlError::Failed)?;
            Ok((records, Applied::Slot(slot)))
        }
        ControlOp::SetTokenBalance { owner, mint, amount, token_account } => {
            let invalid = ControlError::Invalid;
            let mut mint_state = token_mint(bank, mint).map_err(invalid)?;
            let mint_account = bank.get_account(mint).ok_or_else(|| invalid(format!("mint {mint} does not exist")))?;
            let (key, existing) = match token_account {
                Some(key) => {
                    let state = holder_account(bank, key, owner, mint).map_err(invalid)?;
                    let state = state.ok_or_else(|| invalid(format!("token account {key} no longer exists")))?;
                    (*key, Some(state))
                }
                None => {
                    let key = token_balance_address(owner, mint);
                    (key, holder_account(bank, &key, owner, mint).map_err(invalid)?)
                }
            };
            let old = existing.map_or(0, |state| state.amount);
            let supply = mint_state
                .supply
                .checked_sub(old)
                .and_then(|rest| rest.checked_add(*amount))
                .ok_or_else(|| invalid(format!("the supply of mint {mint} would not fit in a u64")))?;
            mint_state.supply = supply;
            let created = existing.is_none();
            let (state, lamports) = match (existing, bank.get_account(&key)) {
                (Some(state), Some(account)) => (state, account.lamports),
                _ => (
                    TokenAccount { mint: *mint, owner: *owner, state: AccountState::Initialized, ..Default::default() },
                    lanes_sdk::rent::minimum_balance(TokenAccount::LEN),
                ),
            };
            let state = TokenAccount { amount: *amount, ..state };
            let holder = Account { lamports, data: state.to_bytes(), owner: lanes_token::ID, executable: false };
            let mint_account = Account { data: mint_state.to_bytes(), ..mint_account };
            let records =
                vec![ControlRecord::set_account(&key, &holder), ControlRecord::set_account(mint, &mint_account)];
            apply_records(bank, &records).map_err(ControlError::Failed)?;
            Ok((records, Applied::TokenBalance { slot, token_account: key, created }))
        }
        ControlOp::WarpTo { .. }
        | ControlOp::Pause
        | ControlOp::Resume
        | ControlOp::ProduceSlot
        | ControlOp::SetBlockProduction(_) => Err(ControlError::Failed("not a state control".into())),
    }
}

/// Apply recorded account and clock controls to `bank`, in order (a
/// `WarpTo` is the caller's: it ends the slot). The node's own path and
/// the replay's are this one function.
pub fn apply_records(bank: &mut Bank, records: &[ControlRecord]) -> Result<(), String> {
    for record in records {
        match record {
            ControlRecord::SetAccount { key, lamports, owner, executable, data } => {
                let account =
                    Account { lamports: *lamports, data: data.clone(), owner: Pubkey(*owner), executable: *executable };
                bank.set_account(Pubkey(*key), account).map_err(|e| e.to_string())?;
            }
            ControlRecord::SetClock { unix_timestamp } => bank.set_unix_timestamp(*unix_timestamp),
            ControlRecord::WarpTo { .. } => {}
        }
    }
    Ok(())
}

/// The slot a recorded slot's successor is: its warp target, or the next.
pub fn next_slot(slot: u64, records: &[ControlRecord]) -> u64 {
    records
        .iter()
        .rev()
        .find_map(|record| match record {
            ControlRecord::WarpTo { slot } => Some(*slot),
            _ => None,
        })
        .unwrap_or(slot + 1)
}
