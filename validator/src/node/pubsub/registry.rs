//! PubSub's subscriptions: every live one, indexed the way blocks look
//! them up (by account, program, signature, mentioned key, or kind), and by
//! the connection that holds it. Ids are unique per server, handed out in
//! order from 0 (as Agave's); a connection holds at most
//! [`MAX_SUBSCRIPTIONS_PER_CONNECTION`].
//!
//! Never: let one connection unsubscribe another's subscription, or keep a
//! subscription (or an empty index entry) after it is removed.

use super::connection::Outbox;
use super::MAX_SUBSCRIPTIONS_PER_CONNECTION;
use crate::node::rpc::RpcError;
use lanes_runtime::bank::program_accounts::AccountFilter;
use lanes_sdk::{Pubkey, Signature};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

pub(super) enum Kind {
    /// `config`: the request's (encoding, dataSlice), for `account_json`.
    Account {
        pubkey: Pubkey,
        config: Option<Value>,
    },
    Program {
        program: Pubkey,
        filters: Vec<AccountFilter>,
        config: Option<Value>,
    },
    Signature {
        signature: Signature,
        received: bool,
    },
    /// `None`: every transaction.
    Logs {
        mentions: Option<Pubkey>,
    },
    Slot,
    Root,
    /// `slotsUpdatesSubscribe`: each slot created, frozen, confirmed, rooted.
    SlotsUpdates,
}

pub(super) struct Subscription {
    connection: u64,
    pub(super) outbox: Arc<Outbox>,
    pub(super) kind: Kind,
}

/// Every live subscription, indexed the way blocks look them up. Ids are
/// unique per server, handed out in order from 0 (as Agave's).
#[derive(Default)]
pub(super) struct Registry {
    pub(super) next_id: u64,
    pub(super) subscriptions: HashMap<u64, Subscription>,
    pub(super) by_connection: HashMap<u64, BTreeSet<u64>>,
    pub(super) accounts: HashMap<Pubkey, BTreeSet<u64>>,
    pub(super) programs: HashMap<Pubkey, BTreeSet<u64>>,
    pub(super) signatures: HashMap<Signature, BTreeSet<u64>>,
    pub(super) logs_mentioning: HashMap<Pubkey, BTreeSet<u64>>,
    pub(super) logs_all: BTreeSet<u64>,
    pub(super) slots: BTreeSet<u64>,
    pub(super) roots: BTreeSet<u64>,
    pub(super) slots_updates: BTreeSet<u64>,
}

fn unindex<K: std::hash::Hash + Eq>(index: &mut HashMap<K, BTreeSet<u64>>, key: &K, id: u64) {
    if let Some(ids) = index.get_mut(key) {
        ids.remove(&id);
        if ids.is_empty() {
            index.remove(key);
        }
    }
}

impl Registry {
    pub(super) fn insert(&mut self, connection: u64, outbox: &Arc<Outbox>, kind: Kind) -> Result<u64, RpcError> {
        let owned = self.by_connection.entry(connection).or_default();
        if owned.len() >= MAX_SUBSCRIPTIONS_PER_CONNECTION {
            return Err(RpcError {
                code: -32603,
                message: format!(
                    "Internal Error: Subscription refused. Connection subscription limit reached ({MAX_SUBSCRIPTIONS_PER_CONNECTION})"
                ),
                data: None,
            });
        }
        let id = self.next_id;
        self.next_id += 1;
        owned.insert(id);
        match &kind {
            Kind::Account { pubkey, .. } => self.accounts.entry(*pubkey).or_default().insert(id),
            Kind::Program { program, .. } => self.programs.entry(*program).or_default().insert(id),
            Kind::Signature { signature, .. } => self.signatures.entry(*signature).or_default().insert(id),
            Kind::Logs { mentions: Some(key) } => self.logs_mentioning.entry(*key).or_default().insert(id),
            Kind::Logs { mentions: None } => self.logs_all.insert(id),
            Kind::Slot => self.slots.insert(id),
            Kind::Root => self.roots.insert(id),
            Kind::SlotsUpdates => self.slots_updates.insert(id),
        };
        self.subscriptions.insert(id, Subscription { connection, outbox: outbox.clone(), kind });
        Ok(id)
    }

    pub(super) fn remove(&mut self, id: u64) -> Option<Subscription> {
        let subscription = self.subscriptions.remove(&id)?;
        unindex(&mut self.by_connection, &subscription.connection, id);
        match &subscription.kind {
            Kind::Account { pubkey, .. } => unindex(&mut self.accounts, pubkey, id),
            Kind::Program { program, .. } => unindex(&mut self.programs, program, id),
            Kind::Signature { signature, .. } => unindex(&mut self.signatures, signature, id),
            Kind::Logs { mentions: Some(key) } => unindex(&mut self.logs_mentioning, key, id),
            Kind::Logs { mentions: None } => {
                self.logs_all.remove(&id);
            }
            Kind::Slot => {
                self.slots.remove(&id);
            }
            Kind::Root => {
                self.roots.remove(&id);
            }
            Kind::SlotsUpdates => {
                self.slots_updates.remove(&id);
            }
        }
        Some(subscription)
    }

    /// `connection`'s subscription `id`, removed; `false` if it has none such.
    pub(super) fn unsubscribe(&mut self, connection: u64, id: u64) -> bool {
        let owned = self.by_connection.get(&connection).is_some_and(|ids| ids.contains(&id));
        owned && self.remove(id).is_some()
    }

    pub(super) fn remove_connection(&mut self, connection: u64) {
        for id in self.by_connection.remove(&connection).unwrap_or_default() {
            self.remove(id);
        }
    }
}
