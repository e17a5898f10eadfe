//! What the bank asks of a durable nonce account when a transaction uses
//! one (its first instruction advances a nonce, its recent blockhash is the
//! nonce): whether the account holds a nonce that transaction may use
//! ([`verify_nonce_account`], Solana's), and the account as a failed nonce
//! transaction commits it ([`advanced_nonce_account`]: the nonce advances
//! even when the transaction fails, so it cannot be replayed for its fee).
//!
//! [`Bank::usable_nonce`] puts them together for the bank's checks: a
//! transaction whose blockhash is not recent is admitted (and, under its
//! locks, executed) only if the nonce account it names verifies, its
//! authority signed the advance, and the nonce can still advance in this
//! slot (Solana's `check_load_and_advance_message_nonce_account`). Replays
//! are refused by the nonce itself, not the status cache: once one copy
//! commits, success or failure, the nonce has moved on and the next copy
//! no longer verifies.
//!
//! The pure functions never read the store, the clock or the blockhash
//! queue themselves; nothing here panics on account data from outside.

use super::Bank;
use crate::execution::compute_budget::LAMPORTS_PER_SIGNATURE;
use lanes_sdk::hash::Hash;
use lanes_sdk::message::VersionedMessage;
use lanes_sdk::nonce::{self, DurableNonce, State, Versions};
use lanes_sdk::{system_program, Account, Pubkey};

impl Bank {
    /// For a transaction whose blockhash is not recent: the durable nonce
    /// account it uses, as a failed transaction commits it (advanced), if
    /// it may use it now. `keys` are the message's account keys (loaded
    /// ones too, if resolved) and `is_writable` says which are write-locked.
    /// `latest_blockhash` is the bank's newest (what the nonce advances to
    /// derives from), passed in by callers that hold the blockhash queue.
    pub(super) fn usable_nonce(
        &self,
        message: &VersionedMessage,
        keys: &[Pubkey],
        is_writable: impl Fn(usize) -> bool,
        latest_blockhash: &Hash,
    ) -> Option<(Pubkey, Account)> {
        let next = DurableNonce::from_blockhash(latest_blockhash);
        // Already advanced in this blockhash: it cannot advance again.
        if message.recent_blockhash() == next.as_hash() {
            return None;
        }
        let address = nonce_address(message, keys, is_writable)?;
        let account = self.store.get(&address)?;
        let data = verify_nonce_account(&account, message.recent_blockhash())?;
        let instruction = message.instructions().first()?;
        let authority_signed = instruction
            .accounts
            .iter()
            .map(|&i| usize::from(i))
            .any(|i| message.is_signer(i) && keys.get(i) == Some(&data.authority));
        authority_signed.then(|| (address, advanced_nonce_account(&account, next, LAMPORTS_PER_SIGNATURE)))
    }
}

/// The nonce account a message names (Solana's `get_durable_nonce`): its
/// first instruction advances a nonce, and that instruction's first account,
/// write-locked.
fn nonce_address(message: &VersionedMessage, keys: &[Pubkey], is_writable: impl Fn(usize) -> bool) -> Option<Pubkey> {
    if !message.uses_durable_nonce() {
        return None;
    }
    let index = usize::from(*message.instructions().first()?.accounts.first()?);
    if !is_writable(index) {
        return None;
    }
    keys.get(index).copied()
}

/// The nonce data of `account` if a transaction whose recent blockhash is
/// `recent_blockhash` may use it: the system program owns it and it holds a
/// current, initialized nonce equal to that blockhash. Legacy nonces, other
/// owners and data that does not decode verify nothing.
pub(super) fn verify_nonce_account(account: &Account, recent_blockhash: &Hash) -> Option<nonce::Data> {
    if account.owner != system_program::ID {
        return None;
    }
    Versions::decode(&account.data).ok()?.verify_recent_blockhash(recent_blockhash).cloned()
}

/// `account` with its nonce advanced to `next` and `lamports_per_signature`
/// recorded, the authority kept, written as the current version over the
/// front of the data: what a nonce transaction that failed commits for the
/// nonce account. An account that is not an initialized nonce (which
/// [`verify_nonce_account`] never passes) comes back unchanged.
pub(super) fn advanced_nonce_account(account: &Account, next: DurableNonce, lamports_per_signature: u64) -> Account {
    let mut advanced = account.clone();
    let Ok(versions) = Versions::decode(&account.data) else { return advanced };
    let State::Initialized(data) = versions.state() else { return advanced };
    let state = Versions::new(State::new_initialized(&data.authority, next, lamports_per_signature)).encode();
    // An initialized nonce decoded from these bytes, so they hold the encoding.
    if let Some(front) = advanced.data.get_mut(..state.len()) {
        front.copy_from_slice(&state);
    }
    advanced
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_sdk::Pubkey;

    fn authority() -> Pubkey {
        Pubkey::new_unique_from_u64(1)
    }

    fn nonce_account(versions: &Versions, owner: &Pubkey) -> Account {
        let mut data = versions.encode();
        data.resize(State::size(), 0);
        Account::with_data(1_447_680, data, owner)
    }

    fn current(blockhash: &Hash) -> Versions {
        Versions::new(State::new_initialized(&authority(), DurableNonce::from_blockhash(blockhash), 5_000))
    }

    #[test]
    fn only_a_system_owned_current_nonce_equal_to_the_blockhash_verifies() {
        let nonce = *DurableNonce::from_blockhash(&Hash([1; 32])).as_hash();
        let account = nonce_account(&current(&Hash([1; 32])), &system_program::ID);
        let data = verify_nonce_account(&account, &nonce).expect("verifies");
        assert_eq!((data.authority, data.blockhash(), data.get_lamports_per_signature()), (authority(), nonce, 5_000));

        // Not the nonce: the blockhash it derives from, or another hash.
        assert_eq!(verify_nonce_account(&account, &Hash([1; 32])), None);
        assert_eq!(verify_nonce_account(&account, &Hash([2; 32])), None);
        // Another owner.
        assert_eq!(
            verify_nonce_account(&nonce_account(&current(&Hash([1; 32])), &Pubkey::new_unique_from_u64(7)), &nonce),
            None
        );
        // A legacy nonce, even holding that value.
        let legacy = Versions::Legacy(Box::new(current(&Hash([1; 32])).state().clone()));
        assert_eq!(verify_nonce_account(&nonce_account(&legacy, &system_program::ID), &nonce), None);
        // Uninitialized, empty, short or garbage data.
        let uninitialized = nonce_account(&Versions::new(State::Uninitialized), &system_program::ID);
        assert_eq!(verify_nonce_account(&uninitialized, &Hash::default()), None);
        for data in [vec![], account.data[..79].to_vec(), vec![0xff; 80]] {
            assert_eq!(verify_nonce_account(&Account::with_data(1, data, &system_program::ID), &nonce), None);
        }
        // Trailing bytes are allowed, as Solana's decoding allows them.
        let mut longer = account.clone();
        longer.data.extend_from_slice(&[9; 16]);
        assert_eq!(verify_nonce_account(&longer, &nonce), Some(data));
    }

    #[test]
    fn a_failed_nonce_transaction_commits_the_nonce_advanced() {
        let next = DurableNonce::from_blockhash(&Hash([3; 32]));
        let mut account = nonce_account(&current(&Hash([1; 32])), &system_program::ID);
        account.data.extend_from_slice(&[9; 4]);
        let advanced = advanced_nonce_account(&account, next, 10_000);
        assert_eq!((advanced.lamports, advanced.owner, advanced.data.len()), (account.lamports, account.owner, 84));
        assert_eq!(advanced.data[80..], [9; 4], "bytes past the state are kept");
        let want = Versions::new(State::new_initialized(&authority(), next, 10_000));
        assert_eq!(Versions::decode(&advanced.data), Ok(want));
        assert!(verify_nonce_account(&advanced, next.as_hash()).is_some());
        assert!(verify_nonce_account(&advanced, DurableNonce::from_blockhash(&Hash([1; 32])).as_hash()).is_none());

        // A legacy nonce advances into the current version.
        let legacy = Versions::Legacy(Box::new(current(&Hash([1; 32])).state().clone()));
        let advanced = advanced_nonce_account(&nonce_account(&legacy, &system_program::ID), next, 5_000);
        assert_eq!(
            Versions::decode(&advanced.data),
            Ok(Versions::new(State::new_initialized(&authority(), next, 5_000)))
        );

        // Anything else comes back as it was.
        for data in [vec![], vec![0xff; 80], Versions::new(State::Uninitialized).encode()] {
            let account = Account::with_data(5, data, &system_program::ID);
            assert_eq!(advanced_nonce_account(&account, next, 5_000), account);
        }
    }
}
