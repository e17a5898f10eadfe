//! PubSub's notifications. Every one comes from the frozen blocks the
//! banking thread publishes on [`Node::blocks`](crate::node::Node::blocks): a
//! block carries its transactions with their outcomes and the accounts it
//! left written, which is all a subscription needs. On one node a block is
//! processed, confirmed and finalized at once (it is durable before it is
//! published), so a notification goes out when its block arrives, whatever
//! the commitment. After blocks were missed, signature subscriptions are
//! caught up from the node's statuses.
//!
//! Never: poll the bank for changes, wait for a client (a full outbox drops
//! its connection), or notify a signature subscription twice.

use super::registry::{Kind, Subscription};
use super::{Server, BS58_TOO_LARGE};
use crate::node::block::Block;
use crate::node::rpc::{account_json, transaction_error_json};
use lanes_sdk::{Account, Signature};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

fn notification(method: &str, subscription: u64, result: Value) -> String {
    json!({ "jsonrpc": "2.0", "method": method, "params": { "result": result, "subscription": subscription } })
        .to_string()
}

/// Notifications carry the slot alone as their context (no `apiVersion`).
fn with_context(slot: u64, value: Value) -> Value {
    json!({ "context": { "slot": slot }, "value": value })
}

/// A signature's final notification: `{err}` (`null` on success).
fn signature_result(slot: u64, result: &Result<(), lanes_sdk::transaction_error::TransactionError>) -> Value {
    with_context(slot, json!({ "err": result.as_ref().err().map(transaction_error_json) }))
}

/// `account` as a notification shows it in `config`'s encoding; base58 data
/// over 128 bytes is Solana's error string rather than a refusal.
fn account_value(account: &Account, config: Option<&Value>) -> Value {
    if let Ok(value) = account_json(account, config) {
        return value;
    }
    let bare =
        Account { lamports: account.lamports, data: Vec::new(), owner: account.owner, executable: account.executable };
    let mut value = account_json(&bare, None).unwrap_or(Value::Null);
    let legacy = config.and_then(|c| c.get("encoding")).and_then(Value::as_str).is_none_or(|e| e == "binary");
    value["data"] = if legacy { json!(BS58_TOO_LARGE) } else { json!([BS58_TOO_LARGE, "base58"]) };
    value["space"] = json!(account.data.len());
    value
}

impl Server {
    fn push(&self, subscription: &Subscription, message: String) {
        if subscription.outbox.push(message) {
            self.node.pubsub.notifications.fetch_add(1, Relaxed);
        }
    }

    /// Every notification `block` makes: slots, then its transactions in
    /// committed order (signatures, logs), then the accounts it wrote, then
    /// the root.
    fn publish(&self, block: &Block) {
        let mut registry = self.registry.lock();
        let registry = &mut *registry;
        let slot = block.slot;
        for id in &registry.slots {
            if let Some(subscription) = registry.subscriptions.get(id) {
                let info = json!({ "parent": block.parent_slot, "root": slot, "slot": slot });
                self.push(subscription, notification("slotNotification", *id, info));
            }
        }
        if !registry.slots_updates.is_empty() {
            let timestamp =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
            let failed = block.transactions.iter().filter(|t| t.outcome.result.is_err()).count() as u64;
            let total = block.transactions.len() as u64;
            // One node: a slot is created, frozen, confirmed and rooted at once.
            let updates = [
                json!({ "type": "createdBank", "slot": slot, "parent": block.parent_slot, "timestamp": timestamp }),
                json!({ "type": "frozen", "slot": slot, "timestamp": timestamp, "stats": {
                    "numTransactionEntries": u64::from(total > 0),
                    "numSuccessfulTransactions": total - failed,
                    "numFailedTransactions": failed,
                    "maxTransactionsPerEntry": total,
                } }),
                json!({ "type": "optimisticConfirmation", "slot": slot, "timestamp": timestamp }),
                json!({ "type": "root", "slot": slot, "timestamp": timestamp }),
            ];
            for id in &registry.slots_updates {
                if let Some(subscription) = registry.subscriptions.get(id) {
                    for update in &updates {
                        self.push(subscription, notification("slotsUpdatesNotification", *id, update.clone()));
                    }
                }
            }
        }
        let by_transaction =
            !(registry.signatures.is_empty() && registry.logs_all.is_empty() && registry.logs_mentioning.is_empty());
        for executed in block.transactions.iter().filter(|_| by_transaction) {
            let outcome = &executed.outcome;
            for id in registry.signatures.get(&outcome.signature).cloned().unwrap_or_default() {
                let Some(subscription) = registry.remove(id) else { continue };
                if let Kind::Signature { received: true, .. } = subscription.kind {
                    let received = with_context(slot, json!("receivedSignature"));
                    self.push(&subscription, notification("signatureNotification", id, received));
                }
                let result = signature_result(slot, &outcome.result);
                self.push(&subscription, notification("signatureNotification", id, result));
            }
            let mut logs_to: BTreeSet<u64> = registry.logs_all.clone();
            for key in executed.account_keys() {
                if let Some(ids) = registry.logs_mentioning.get(key) {
                    logs_to.extend(ids);
                }
            }
            if logs_to.is_empty() {
                continue;
            }
            let logs = with_context(
                slot,
                json!({
                    "signature": outcome.signature.to_string(),
                    "err": outcome.result.as_ref().err().map(transaction_error_json),
                    "logs": outcome.log_messages(),
                }),
            );
            for id in logs_to {
                if let Some(subscription) = registry.subscriptions.get(&id) {
                    self.push(subscription, notification("logsNotification", id, logs.clone()));
                }
            }
        }
        let deleted = Account::default();
        let by_account = !(registry.accounts.is_empty() && registry.programs.is_empty());
        for (key, account) in block.written_accounts.iter().filter(|_| by_account) {
            if let Some(ids) = registry.accounts.get(key) {
                // An account left with no lamports is gone: Solana shows the
                // empty default account.
                let shown = if account.lamports == 0 { &deleted } else { account };
                for id in ids {
                    let Some(subscription) = registry.subscriptions.get(id) else { continue };
                    let Kind::Account { config, .. } = &subscription.kind else { continue };
                    let value = with_context(slot, account_value(shown, config.as_ref()));
                    self.push(subscription, notification("accountNotification", *id, value));
                }
            }
            if let Some(ids) = registry.programs.get(&account.owner) {
                for id in ids {
                    let Some(subscription) = registry.subscriptions.get(id) else { continue };
                    let Kind::Program { filters, config, .. } = &subscription.kind else { continue };
                    if filters.iter().all(|filter| filter.matches(&account.data)) {
                        let keyed =
                            json!({ "pubkey": key.to_string(), "account": account_value(account, config.as_ref()) });
                        self.push(subscription, notification("programNotification", *id, with_context(slot, keyed)));
                    }
                }
            }
        }
        for id in &registry.roots {
            if let Some(subscription) = registry.subscriptions.get(id) {
                self.push(subscription, notification("rootNotification", *id, json!(slot)));
            }
        }
    }

    /// After blocks were missed: every signature subscription whose
    /// transaction the node has executed since is notified from the
    /// statuses (accounts and logs of the missed blocks are lost).
    fn recover_signatures(&self) {
        let pending: Vec<(u64, Signature)> = {
            let registry = self.registry.lock();
            registry.signatures.iter().flat_map(|(signature, ids)| ids.iter().map(|id| (*id, *signature))).collect()
        };
        for (id, signature) in pending {
            self.notify_if_executed(id, &signature);
        }
    }

    /// If `signature` is among the node's recent statuses and its slot is
    /// durable, notify its subscription `id` now and remove it — unless a
    /// block did first. A status not yet durable (`processed`) is left to
    /// its block's notification, which follows.
    pub(super) fn notify_if_executed(&self, id: u64, signature: &Signature) {
        let Some(recorded) = self.node.statuses.lock().get(signature).cloned() else {
            return;
        };
        if recorded.slot > self.node.frozen_slot() {
            return;
        }
        let Some(subscription) = self.registry.lock().remove(id) else {
            return;
        };
        let result = signature_result(recorded.slot, &recorded.result);
        self.push(&subscription, notification("signatureNotification", id, result));
    }
}

/// Relay the node's frozen blocks into notifications until the node goes.
pub(super) async fn publish_blocks(server: Arc<Server>, mut blocks: tokio::sync::broadcast::Receiver<Arc<Block>>) {
    loop {
        match blocks.recv().await {
            Ok(block) => server.publish(&block),
            Err(RecvError::Lagged(missed)) => {
                server.node.pubsub.lagged_blocks.fetch_add(missed, Relaxed);
                tracing::warn!("PubSub fell behind and missed {missed} blocks' notifications");
                server.recover_signatures();
            }
            Err(RecvError::Closed) => return,
        }
    }
}
