//! The rent rule, Solana's: after a transaction, every account it could
//! write is empty (no lamports), rent-exempt for its size
//! ([`lanes_sdk::rent`]), or was already short of exempt before and is
//! neither larger nor richer now. No rent is ever collected, so an account
//! short of exempt (made before the rule) only stays as it is or is
//! topped up to exempt.

use lanes_sdk::rent::Rent;

/// Where an account stands against the rent rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RentState {
    /// No lamports: the account does not exist once committed.
    Uninitialized,
    /// Short of the rent-exempt minimum for its size.
    RentPaying {
        data_len: usize,
        lamports: u64,
    },
    RentExempt,
}

impl RentState {
    pub fn of(lamports: u64, data_len: usize) -> RentState {
        if lamports == 0 {
            RentState::Uninitialized
        } else if Rent::get().is_exempt(lamports, data_len) {
            RentState::RentExempt
        } else {
            RentState::RentPaying { data_len, lamports }
        }
    }
}

/// Whether an account may go from `pre` to `post` in one transaction: to
/// empty or exempt always; to short of exempt only from short of exempt,
/// at the same size and with no more lamports.
pub fn check_rent_transition(pre: RentState, post: RentState) -> bool {
    match (pre, post) {
        (_, RentState::Uninitialized | RentState::RentExempt) => true,
        (
            RentState::RentPaying { data_len: pre_len, lamports: pre_lamports },
            RentState::RentPaying { data_len: post_len, lamports: post_lamports },
        ) => post_len == pre_len && post_lamports <= pre_lamports,
        (RentState::Uninitialized | RentState::RentExempt, RentState::RentPaying { .. }) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_sdk::rent::minimum_balance;

    #[test]
    fn transitions() {
        let exempt = minimum_balance(10);
        assert_eq!(RentState::of(0, 10), RentState::Uninitialized);
        assert_eq!(RentState::of(exempt, 10), RentState::RentExempt);
        let short = RentState::of(exempt - 1, 10);
        assert_eq!(short, RentState::RentPaying { data_len: 10, lamports: exempt - 1 });
        // Created or emptied: fine when exempt or empty, never short.
        assert!(check_rent_transition(RentState::Uninitialized, RentState::RentExempt));
        assert!(!check_rent_transition(RentState::Uninitialized, short));
        assert!(!check_rent_transition(RentState::RentExempt, short));
        assert!(check_rent_transition(RentState::RentExempt, RentState::Uninitialized));
        // Already short: may stay so if it neither grows nor gains.
        assert!(check_rent_transition(short, RentState::of(exempt - 2, 10)));
        assert!(check_rent_transition(short, short));
        assert!(!check_rent_transition(short, RentState::of(exempt - 1, 11)));
        assert!(!check_rent_transition(RentState::of(exempt - 5, 10), RentState::of(exempt - 4, 10)));
    }
}
