//! Execution: the instruction processor ([`instruction_processor`]) that
//! runs each instruction on a builtin ([`builtins`]) or a WASM program
//! (through [`crate::vm`]) and checks its changes, the loop over a
//! message's instructions ([`message_processor`]), and compute budgets and
//! fees ([`compute_budget`]). What the instructions share while they run is
//! in [`crate::transaction_context`].

pub mod builtins;
pub mod compute_budget;
pub mod instruction_processor;
pub mod message_processor;
