//! Every account a program owns, filtered: [`Bank::program_accounts`], what
//! the node answers Solana's `getProgramAccounts` with.
//!
//! Filters are Solana's (`dataSize`, `memcmp`) on the account data, decoded
//! already: the runtime knows no JSON and no base58. A query bounds what it
//! may return ([`ProgramAccountsQuery::max_accounts`], `max_data_bytes`)
//! and fails rather than answer a part as if it were the whole.
//!
//! Must never: hold a lock of the bank or the store while the results are
//! built up (the store's scan holds none while it visits), or panic on a
//! filter a client sent (any offset and pattern are a plain mismatch).

use super::Bank;
use crate::store::{AccountStore, AccountView};
use lanes_sdk::{Account, Pubkey};

/// Most filters one query may carry (Solana's `MAX_GET_PROGRAM_ACCOUNT_FILTERS`).
pub const MAX_FILTERS: usize = 4;
/// Longest `memcmp` pattern, in bytes (Solana's).
pub const MAX_MEMCMP_BYTES: usize = 128;

/// A condition on an account's data; an account is returned only if it
/// meets every filter of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountFilter {
    /// The data is exactly this many bytes long.
    DataSize(u64),
    /// The data holds `bytes` at `offset` (all of them: a pattern running
    /// past the end of the data does not match; an empty one matches at
    /// any offset up to the length, as in Solana).
    Memcmp { offset: usize, bytes: Vec<u8> },
}

impl AccountFilter {
    pub fn matches(&self, data: &[u8]) -> bool {
        match self {
            AccountFilter::DataSize(size) => data.len() as u64 == *size,
            AccountFilter::Memcmp { offset, bytes } => {
                data.get(*offset..).and_then(|rest| rest.get(..bytes.len())) == Some(bytes.as_slice())
            }
        }
    }
}

/// Which accounts of a program to return, and how much at most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramAccountsQuery {
    /// Every one must match.
    pub filters: Vec<AccountFilter>,
    /// Keep only `length` bytes of each account's data from `offset` on
    /// (Solana's `dataSlice`; past the end: empty). Filters see the whole data.
    pub data_slice: Option<(usize, usize)>,
    /// More matching accounts than this is [`ProgramAccountsError::TooManyAccounts`].
    pub max_accounts: usize,
    /// More data than this in the matching accounts (after the slice) is
    /// [`ProgramAccountsError::TooMuchData`].
    pub max_data_bytes: usize,
}

impl Default for ProgramAccountsQuery {
    /// Every account, whole, without bounds.
    fn default() -> Self {
        ProgramAccountsQuery {
            filters: Vec::new(),
            data_slice: None,
            max_accounts: usize::MAX,
            max_data_bytes: usize::MAX,
        }
    }
}

/// One account a query found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramAccount {
    pub pubkey: Pubkey,
    /// The account, its data cut to the query's slice.
    pub account: Account,
    /// Length of the account's whole data (Solana's `space`).
    pub data_len: usize,
}

/// Why a query returned nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgramAccountsError {
    #[error("more than {max} accounts match")]
    TooManyAccounts { max: usize },
    #[error("the matching accounts hold more than {max} bytes of data")]
    TooMuchData { max: usize },
}

impl ProgramAccountsQuery {
    /// The accounts of `store` owned by `owner` that match, sorted by key.
    ///
    /// On the store rather than the bank, for a caller that must not hold
    /// the bank's lock for the length of a scan (the node's RPC takes the
    /// store out of the bank and lets the lock go: the banking thread waits
    /// for that lock between slots).
    pub fn run(&self, store: &dyn AccountStore, owner: &Pubkey) -> Result<Vec<ProgramAccount>, ProgramAccountsError> {
        let (slice_offset, slice_len) = self.data_slice.unwrap_or((0, usize::MAX));
        let mut found = Vec::new();
        let mut data_bytes = 0usize;
        let mut refused = None;
        store.scan_owned_by(owner, &mut |key: &Pubkey, view: AccountView<'_>| {
            if !self.filters.iter().all(|filter| filter.matches(view.data)) {
                return true;
            }
            if found.len() >= self.max_accounts {
                refused = Some(ProgramAccountsError::TooManyAccounts { max: self.max_accounts });
                return false;
            }
            // What the slice keeps, counted before anything is copied.
            let start = slice_offset.min(view.data.len());
            let kept = slice_len.min(view.data.len() - start);
            data_bytes = data_bytes.saturating_add(kept);
            if data_bytes > self.max_data_bytes {
                refused = Some(ProgramAccountsError::TooMuchData { max: self.max_data_bytes });
                return false;
            }
            found.push(ProgramAccount {
                pubkey: *key,
                account: view.to_account_sliced(start, kept),
                data_len: view.data.len(),
            });
            true
        });
        match refused {
            Some(err) => Err(err),
            None => {
                found.sort_unstable_by_key(|a| a.pubkey);
                Ok(found)
            }
        }
    }
}

impl Bank {
    /// The committed accounts owned by `owner` that match `query`, sorted
    /// by key (see [`ProgramAccountsQuery::run`]). O(live accounts).
    pub fn program_accounts(
        &self,
        owner: &Pubkey,
        query: &ProgramAccountsQuery,
    ) -> Result<Vec<ProgramAccount>, ProgramAccountsError> {
        query.run(self.store.as_ref(), owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::InMemoryAccountStore;

    fn account(lamports: u64, data: &[u8], owner: &Pubkey) -> Account {
        Account { lamports, data: data.to_vec(), owner: *owner, executable: false }
    }

    #[test]
    fn filters_match_as_solana_s() {
        let data = [1u8, 2, 3, 4, 5];
        let memcmp = |offset, bytes: &[u8]| AccountFilter::Memcmp { offset, bytes: bytes.to_vec() }.matches(&data);
        assert!(memcmp(0, &[1, 2, 3, 4, 5]));
        assert!(memcmp(0, &[1, 2]));
        assert!(memcmp(2, &[3, 4]));
        assert!(!memcmp(0, &[2]));
        assert!(!memcmp(2, &[3, 4, 5, 6]), "runs past the end");
        assert!(!memcmp(6, &[5]), "starts past the end");
        assert!(memcmp(5, &[]), "empty at the end");
        assert!(!memcmp(6, &[]), "empty past the end");
        assert!(!memcmp(usize::MAX, &[1]));
        assert!(AccountFilter::DataSize(5).matches(&data));
        assert!(!AccountFilter::DataSize(4).matches(&data));
        assert!(!AccountFilter::DataSize(u64::MAX).matches(&data));
    }

    #[test]
    fn a_query_filters_slices_sorts_and_bounds() {
        let store = InMemoryAccountStore::new();
        let program = Pubkey::new_unique_from_u64(1000);
        let other = Pubkey::new_unique_from_u64(1001);
        let keys: Vec<Pubkey> = (0..6).map(Pubkey::new_unique_from_u64).collect();
        store
            .store(
                0,
                &[
                    (keys[5], account(1, &[7, 1, 1, 1], &program)),
                    (keys[1], account(2, &[7, 2, 2], &program)),
                    (keys[2], account(3, &[8, 3, 3, 3], &program)),
                    (keys[3], account(4, &[7, 1, 1, 1], &other)),
                    (keys[4], account(5, &[], &program)),
                ],
            )
            .unwrap();
        let run = |query: &ProgramAccountsQuery| query.run(&store, &program);
        let keys_of = |found: Vec<ProgramAccount>| found.into_iter().map(|a| a.pubkey).collect::<Vec<_>>();

        let all = run(&ProgramAccountsQuery::default()).unwrap();
        assert_eq!(keys_of(all.clone()), vec![keys[1], keys[2], keys[4], keys[5]], "sorted, other owners left out");
        assert_eq!(all[0].account, account(2, &[7, 2, 2], &program));
        assert_eq!(all[0].data_len, 3);

        let query = |filters: Vec<AccountFilter>| ProgramAccountsQuery { filters, ..Default::default() };
        let sized = run(&query(vec![AccountFilter::DataSize(4)])).unwrap();
        assert_eq!(keys_of(sized), vec![keys[2], keys[5]]);
        let both = query(vec![AccountFilter::DataSize(4), AccountFilter::Memcmp { offset: 0, bytes: vec![7] }]);
        assert_eq!(keys_of(run(&both).unwrap()), vec![keys[5]]);
        assert!(run(&query(vec![AccountFilter::Memcmp { offset: 9, bytes: vec![7] }])).unwrap().is_empty());
        assert!(ProgramAccountsQuery::default().run(&store, &Pubkey::new_unique_from_u64(5000)).unwrap().is_empty());

        // The slice keeps part of the data; `data_len` still tells its length.
        let sliced = run(&ProgramAccountsQuery { data_slice: Some((1, 2)), ..Default::default() }).unwrap();
        let slices: Vec<(Vec<u8>, usize)> = sliced.into_iter().map(|a| (a.account.data, a.data_len)).collect();
        assert_eq!(slices, vec![(vec![2, 2], 3), (vec![3, 3], 4), (vec![], 0), (vec![1, 1], 4)]);
        let past = run(&ProgramAccountsQuery { data_slice: Some((usize::MAX, usize::MAX)), ..Default::default() });
        assert!(past.unwrap().iter().all(|a| a.account.data.is_empty()));

        // Bounds: reaching one is fine, passing it is an error.
        assert_eq!(run(&ProgramAccountsQuery { max_accounts: 4, ..Default::default() }).unwrap().len(), 4);
        assert_eq!(
            run(&ProgramAccountsQuery { max_accounts: 3, ..Default::default() }),
            Err(ProgramAccountsError::TooManyAccounts { max: 3 })
        );
        assert_eq!(run(&ProgramAccountsQuery { max_data_bytes: 11, ..Default::default() }).unwrap().len(), 4);
        assert_eq!(
            run(&ProgramAccountsQuery { max_data_bytes: 10, ..Default::default() }),
            Err(ProgramAccountsError::TooMuchData { max: 10 })
        );
        let sliced_fits = ProgramAccountsQuery { data_slice: Some((0, 0)), max_data_bytes: 0, ..Default::default() };
        assert_eq!(run(&sliced_fits).unwrap().len(), 4, "only the kept bytes count");
    }

    #[test]
    fn the_bank_reads_what_it_committed() {
        use crate::vm::{Executor, ExecutorConfig};
        use std::sync::Arc;
        let store = Arc::new(InMemoryAccountStore::new());
        let bank =
            Bank::new(store, Executor::new(ExecutorConfig::default()).unwrap(), super::super::BankConfig::default());
        let program = Pubkey::new_unique_from_u64(7000);
        let (kept, deleted) = (Pubkey::new_unique_from_u64(1), Pubkey::new_unique_from_u64(2));
        bank.set_account(kept, account(10, &[1, 2], &program)).unwrap();
        bank.set_account(deleted, account(10, &[3], &program)).unwrap();
        bank.set_account(deleted, account(0, &[], &program)).unwrap();
        let found = bank.program_accounts(&program, &ProgramAccountsQuery::default()).unwrap();
        assert_eq!(found, vec![ProgramAccount { pubkey: kept, account: account(10, &[1, 2], &program), data_len: 2 }]);
    }
}
