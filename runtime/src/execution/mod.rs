//! Execution: one transaction's state while it runs ([`invoke_context`]),
//! the instruction processor and the account rules every program's changes
//! are checked against, the builtin programs ([`builtins`]) and compute
//! budgets and fees ([`compute_budget`]). WASM programs run through
//! [`crate::vm`].

pub mod builtins;
pub mod compute_budget;
pub mod invoke_context;
pub mod message_processor;
