//! The ids of Solana's sysvar accounts that instructions name: the system
//! program's nonce instructions list [`recent_blockhashes`] and [`rent`]
//! among their accounts, and programs written for Solana pass [`clock`] and
//! [`slot_hashes`]. The ids are Solana's, so instructions built by Solana's
//! clients name the same accounts.
//!
//! This module owns the ids only. Lanes keeps no data in these accounts: the
//! runtime checks that an instruction names the right id, and a program
//! reads the clock through a system call ([`crate::clock::Clock::get`]) and
//! the rent from [`crate::rent::Rent::get`]. It must never declare an id that
//! differs from Solana's.

/// The clock sysvar (`SysvarC1ock11111111111111111111111111111111`).
pub mod clock {
    crate::declare_id!("SysvarC1ock11111111111111111111111111111111");
}

/// The rent sysvar (`SysvarRent111111111111111111111111111111111`): named by
/// `InitializeNonceAccount` and `WithdrawNonceAccount`.
pub mod rent {
    crate::declare_id!("SysvarRent111111111111111111111111111111111");
}

/// The recent blockhashes sysvar (`SysvarRecentB1ockHashes11111111111111111111`),
/// deprecated in Solana but still named by every nonce instruction that
/// reads a blockhash: `AdvanceNonceAccount`, `WithdrawNonceAccount`,
/// `InitializeNonceAccount`.
pub mod recent_blockhashes {
    crate::declare_id!("SysvarRecentB1ockHashes11111111111111111111");
}

/// The slot hashes sysvar (`SysvarS1otHashes111111111111111111111111111`).
pub mod slot_hashes {
    crate::declare_id!("SysvarS1otHashes111111111111111111111111111");
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::Pubkey;

    #[test]
    fn ids_are_solana_s() {
        // Each text round-trips, so the const decoding read the text given.
        for (id, text) in [
            (clock::ID, "SysvarC1ock11111111111111111111111111111111"),
            (rent::ID, "SysvarRent111111111111111111111111111111111"),
            (recent_blockhashes::ID, "SysvarRecentB1ockHashes11111111111111111111"),
            (slot_hashes::ID, "SysvarS1otHashes111111111111111111111111111"),
        ] {
            assert_eq!(id.to_string(), text);
            assert_eq!(text.parse::<Pubkey>(), Ok(id));
        }
        assert!(rent::check_id(&rent::id()));
        assert!(!rent::check_id(&clock::ID));
    }
}
