//! The system program's id (Solana's): it owns every plain wallet account.
crate::declare_id!("11111111111111111111111111111111");
