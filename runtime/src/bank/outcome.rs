//! [`TransactionOutcome`]: what happened to one transaction, as the bank
//! reports it to the scheduler, the harness and the node's RPC.

use crate::transaction_context::{InnerInstructions, LogLine};
use lanes_sdk::message::v0::LoadedAddresses;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{Account, Pubkey, Signature};

/// What happened to one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionOutcome {
    pub signature: Signature,
    /// `Ok` if every instruction succeeded.
    pub result: Result<(), TransactionError>,
    /// Whether it was recorded (fee charged). Refused transactions are not.
    pub committed: bool,
    /// Log lines, structured; [`TransactionOutcome::log_messages`] renders them.
    pub logs: Vec<LogLine>,
    pub compute_units_consumed: u64,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
    pub fee: u64,
    /// Each account key's lamports before the transaction (fee included)
    /// and after it, in the message's key order; empty when refused.
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    /// The cross-program calls each top-level instruction made (empty for
    /// a transaction that made none, or was refused).
    pub inner_instructions: Vec<InnerInstructions>,
    /// What a v0 message's lookups resolved to when it ran (empty for a
    /// legacy message, or a transaction refused): the tables may change
    /// later, so this is the record of which accounts it loaded.
    pub loaded_addresses: LoadedAddresses,
    /// With [`super::BankConfig::record_account_changes`]: each
    /// write-locked account as it was loaded (the payer before its fee)
    /// and as the transaction left it, in key order. Empty otherwise, and
    /// for a refused transaction.
    pub account_changes: Vec<AccountChange>,
}

/// One write-locked account before and after a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub key: Pubkey,
    pub before: Account,
    pub after: Account,
}

impl TransactionOutcome {
    /// The log as text, one string per line (as Solana's RPC returns it).
    pub fn log_messages(&self) -> Vec<String> {
        self.logs.iter().map(LogLine::to_string).collect()
    }

    /// An outcome for a transaction refused before its fee.
    pub fn refused(signature: Signature, err: TransactionError) -> Self {
        TransactionOutcome {
            signature,
            result: Err(err),
            committed: false,
            logs: Vec::new(),
            compute_units_consumed: 0,
            return_data: None,
            fee: 0,
            pre_balances: Vec::new(),
            post_balances: Vec::new(),
            inner_instructions: Vec::new(),
            loaded_addresses: LoadedAddresses::default(),
            account_changes: Vec::new(),
        }
    }
}
