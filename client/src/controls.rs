//! Lanes' own state and time controls, for a local `lanes-validator`
//! (docs/rpc.md, "Lanes' control methods"): set an account or a token
//! balance, warp to a slot, set the clock, pause, resume and produce
//! slots, choose block production, and profile a transaction. A node run
//! with `--no-controls` refuses each with [`CONTROLS_DISABLED`]; another
//! Solana node answers -32601 (method not found).
//!
//! Never: interpret an answer it does not recognise as success (an answer
//! without its `slot` is [`ClientError::InvalidResponse`]).

use crate::error::ClientError;
use crate::rpc::RpcClient;
use base64::Engine as _;
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::{Pubkey, Signature};
use serde_json::{json, Map, Value};

/// The JSON-RPC error code of a control refused by a node run with `--no-controls`.
pub const CONTROLS_DISABLED: i64 = -32090;

/// The fields `lanes_set_account` changes; the others keep the account's
/// values (a new account's: 0 lamports, the system program, no data, not executable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountUpdate {
    pub lamports: Option<u64>,
    pub owner: Option<Pubkey>,
    pub data: Option<Vec<u8>>,
    pub executable: Option<bool>,
}

/// What a token balance control did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBalanceSet {
    /// The slot that applied it (durable).
    pub slot: u64,
    /// The owner's token account that holds the balance.
    pub token_account: Pubkey,
    /// Whether the control made that account.
    pub created: bool,
}

/// Slot production as the node runs it after a production control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotProduction {
    /// The node's current (working) slot.
    pub slot: u64,
    pub paused: bool,
    /// `"interval"` or `"onArrival"`.
    pub block_production: String,
}

fn slot_of(value: &Value) -> Result<u64, ClientError> {
    value
        .get("slot")
        .and_then(Value::as_u64)
        .ok_or_else(|| ClientError::InvalidResponse(format!("a control's answer without its slot: {value}")))
}

fn production(value: &Value) -> Result<SlotProduction, ClientError> {
    Ok(SlotProduction {
        slot: slot_of(value)?,
        paused: value.get("paused").and_then(Value::as_bool).unwrap_or(false),
        block_production: value.get("blockProduction").and_then(Value::as_str).unwrap_or("interval").to_string(),
    })
}

impl RpcClient {
    /// `lanesSetAccount`: change the account at `address`; the slot that applied it.
    pub fn lanes_set_account(&self, address: &Pubkey, update: &AccountUpdate) -> Result<u64, ClientError> {
        let mut fields = Map::new();
        if let Some(lamports) = update.lamports {
            fields.insert("lamports".into(), json!(lamports));
        }
        if let Some(owner) = update.owner {
            fields.insert("owner".into(), json!(owner.to_string()));
        }
        if let Some(data) = &update.data {
            fields.insert("data".into(), json!(base64::engine::general_purpose::STANDARD.encode(data)));
        }
        if let Some(executable) = update.executable {
            fields.insert("executable".into(), json!(executable));
        }
        slot_of(&self.call("lanesSetAccount", json!([address.to_string(), fields]))?)
    }

    /// `lanesSetTokenBalance`: `owner` holds `amount` (base units) of the
    /// bundled token program's `mint`, in its account of the mint (made if
    /// it has none).
    pub fn lanes_set_token_balance(
        &self,
        owner: &Pubkey,
        mint: &Pubkey,
        amount: u64,
    ) -> Result<TokenBalanceSet, ClientError> {
        let value = self.call("lanesSetTokenBalance", json!([owner.to_string(), mint.to_string(), amount]))?;
        let token_account = value
            .get("tokenAccount")
            .and_then(Value::as_str)
            .and_then(|text| text.parse::<Pubkey>().ok())
            .ok_or_else(|| ClientError::InvalidResponse(format!("no tokenAccount in {value}")))?;
        Ok(TokenBalanceSet {
            slot: slot_of(&value)?,
            token_account,
            created: value.get("created").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    /// `lanesWarpToSlot`: jump forward to `slot`; the slot now being made.
    pub fn lanes_warp_to_slot(&self, slot: u64) -> Result<u64, ClientError> {
        slot_of(&self.call("lanesWarpToSlot", json!([slot]))?)
    }

    /// `lanesSetClock`: the clock reads `unix_timestamp` from the slot that
    /// applied it (returned) on, advancing with the slots.
    pub fn lanes_set_clock(&self, unix_timestamp: i64) -> Result<u64, ClientError> {
        slot_of(&self.call("lanesSetClock", json!([unix_timestamp]))?)
    }

    /// `lanesPauseSlots`: no slot is made until resumed (or produced).
    pub fn lanes_pause_slots(&self) -> Result<SlotProduction, ClientError> {
        production(&self.call("lanesPauseSlots", json!([]))?)
    }

    /// `lanesResumeSlots`.
    pub fn lanes_resume_slots(&self) -> Result<SlotProduction, ClientError> {
        production(&self.call("lanesResumeSlots", json!([]))?)
    }

    /// `lanesProduceSlot`: make a slot now (paused or not); the slot made, durable.
    pub fn lanes_produce_slot(&self) -> Result<u64, ClientError> {
        slot_of(&self.call("lanesProduceSlot", json!([]))?)
    }

    /// `lanesSetBlockProduction`: `"interval"` or `"onArrival"`.
    pub fn lanes_set_block_production(&self, mode: &str) -> Result<SlotProduction, ClientError> {
        production(&self.call("lanesSetBlockProduction", json!([mode]))?)
    }

    /// `lanesProfileTransaction` of a landed transaction: the node's JSON.
    pub fn lanes_profile_signature(&self, signature: &Signature) -> Result<Value, ClientError> {
        self.call("lanesProfileTransaction", json!([signature.to_string()]))
    }

    /// `lanesProfileTransaction` of `transaction`, simulated (nothing is
    /// committed); `replace_blockhash` runs it on the latest blockhash.
    pub fn lanes_profile_transaction(
        &self,
        transaction: &VersionedTransaction,
        replace_blockhash: bool,
    ) -> Result<Value, ClientError> {
        let wire = transaction.to_wire().map_err(|e| ClientError::Encode(e.to_string()))?;
        let text = base64::engine::general_purpose::STANDARD.encode(wire);
        self.call("lanesProfileTransaction", json!([text, { "replaceRecentBlockhash": replace_blockhash }]))
    }
}
