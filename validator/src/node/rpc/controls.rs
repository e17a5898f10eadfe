//! Lanes' state and time controls over JSON-RPC (`lanesSet*`, `lanesWarp*`,
//! slot production): what a local validator's users change by hand in
//! tests. Refused when the node runs with `--no-controls`.
//!
//! Never: change the bank outside the banking thread's slot boundary, or
//! change state the ledger does not record (a replay must see it too).

use super::RpcError;
use crate::node::Node;
use serde_json::Value;

/// The control `method`'s answer, or `None` when `method` is not a control.
pub(super) fn dispatch(_node: &Node, _method: &str, _params: &[Value]) -> Option<Result<Value, RpcError>> {
    None
}
