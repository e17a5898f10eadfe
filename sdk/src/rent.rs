//! Rent, as Solana has it today: an account that a transaction creates or
//! grows must hold at least [`Rent::minimum_balance`] for its data length
//! (the rent-exempt minimum), and no rent is ever collected. Clients ask the
//! same figure of a node with `getMinimumBalanceForRentExemption`.
//!
//! The formula and defaults are Solana's, so a client computes the same
//! number against Lanes as against any Solana cluster.

/// Bytes every account is charged for beyond its data (its metadata).
pub const ACCOUNT_STORAGE_OVERHEAD: u64 = 128;
/// Solana's default rent rate.
pub const DEFAULT_LAMPORTS_PER_BYTE_YEAR: u64 = 3_480;
/// Years of rent an account must hold to be exempt.
pub const DEFAULT_EXEMPTION_THRESHOLD: f64 = 2.0;
/// Solana's default share of collected rent burned (Lanes collects none).
pub const DEFAULT_BURN_PERCENT: u8 = 50;

/// The rent parameters (Solana's `Rent` sysvar layout and defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rent {
    pub lamports_per_byte_year: u64,
    pub exemption_threshold: f64,
    pub burn_percent: u8,
}

impl Default for Rent {
    fn default() -> Self {
        Rent {
            lamports_per_byte_year: DEFAULT_LAMPORTS_PER_BYTE_YEAR,
            exemption_threshold: DEFAULT_EXEMPTION_THRESHOLD,
            burn_percent: DEFAULT_BURN_PERCENT,
        }
    }
}

impl Rent {
    /// The rent in force: Lanes' is fixed at Solana's defaults, so this is
    /// the same on every node and in every program, with no system call.
    pub fn get() -> Rent {
        Rent::default()
    }

    /// The fewest lamports an account of `data_len` bytes may hold once a
    /// transaction has created or grown it: (128 + `data_len`) × 3,480 × 2
    /// with the defaults (890,880 for an empty account).
    pub fn minimum_balance(&self, data_len: usize) -> u64 {
        let bytes = ACCOUNT_STORAGE_OVERHEAD.saturating_add(data_len as u64);
        (bytes.saturating_mul(self.lamports_per_byte_year) as f64 * self.exemption_threshold) as u64
    }

    /// Whether `lamports` exempt an account of `data_len` bytes.
    pub fn is_exempt(&self, lamports: u64, data_len: usize) -> bool {
        lamports >= self.minimum_balance(data_len)
    }
}

/// [`Rent::minimum_balance`] at the rent in force.
pub fn minimum_balance(data_len: usize) -> u64 {
    Rent::get().minimum_balance(data_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solana_s_figures() {
        // What `solana rent 0` and `solana rent 165` print on every cluster.
        assert_eq!(minimum_balance(0), 890_880);
        assert_eq!(minimum_balance(165), 2_039_280);
        assert_eq!(minimum_balance(10 * 1024 * 1024), 72_981_780_480);
        assert!(Rent::default().is_exempt(890_880, 0));
        assert!(!Rent::default().is_exempt(890_879, 0));
    }
}
