//! Durable nonce accounts, byte for byte as Solana lays them out with
//! bincode: a [`Versions`] tag (`u32` little-endian: 0 legacy, 1 current),
//! a [`State`] tag (`u32`: 0 uninitialized, 1 initialized), then for an
//! initialized nonce its [`Data`]: the authority (32 bytes), the
//! [`DurableNonce`] (32 bytes) and the [`FeeCalculator`] (`u64`
//! lamports per signature) — [`State::size`] (80) bytes in all.
//!
//! Also the rules the bytes decide alone: which recent blockhash a nonce
//! transaction must carry ([`Versions::verify_recent_blockhash`]), how a
//! legacy nonce leaves the blockhash domain ([`Versions::upgrade`]) and who
//! may hand the nonce to a new authority ([`Versions::authorize`]).
//!
//! This module owns the layout and those rules. It must never panic on
//! account data from outside (decoding returns `InvalidAccountData`), never
//! diverge from Solana's layout, and never execute an instruction: the
//! system program that changes nonce accounts is the runtime's.

use crate::hash::{hashv, Hash};
use crate::instruction::InstructionError;
use crate::pubkey::Pubkey;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// What a durable nonce hashes before the blockhash it derives from, so a
/// nonce never equals a blockhash (Solana's `DURABLE_NONCE_HASH_PREFIX`).
pub const DURABLE_NONCE_HASH_PREFIX: &[u8] = b"DURABLE_NONCE";

/// The value a nonce transaction carries as its recent blockhash: the
/// SHA-256 of [`DURABLE_NONCE_HASH_PREFIX`] and a blockhash of the slot the
/// nonce last advanced in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DurableNonce(Hash);

impl DurableNonce {
    /// The durable nonce that `blockhash` gives.
    pub fn from_blockhash(blockhash: &Hash) -> Self {
        DurableNonce(hashv(&[DURABLE_NONCE_HASH_PREFIX, &blockhash.0]))
    }

    /// The nonce as the hash a transaction carries.
    pub fn as_hash(&self) -> &Hash {
        &self.0
    }
}

/// The fee a nonce recorded when it last advanced (Solana's deprecated
/// `FeeCalculator`, still part of the layout).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeeCalculator {
    pub lamports_per_signature: u64,
}

/// An initialized nonce account's data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Data {
    /// Who signs to advance, withdraw from or re-authorize the nonce.
    pub authority: Pubkey,
    /// The value the next transaction using this nonce carries.
    pub durable_nonce: DurableNonce,
    pub fee_calculator: FeeCalculator,
}

impl Data {
    pub fn new(authority: Pubkey, durable_nonce: DurableNonce, lamports_per_signature: u64) -> Self {
        Data { authority, durable_nonce, fee_calculator: FeeCalculator { lamports_per_signature } }
    }

    /// The recent blockhash a transaction using this nonce carries.
    pub fn blockhash(&self) -> Hash {
        self.durable_nonce.0
    }

    /// The fee per signature recorded with the nonce.
    pub fn get_lamports_per_signature(&self) -> u64 {
        self.fee_calculator.lamports_per_signature
    }
}

/// A nonce account's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum State {
    /// Created but not (or no longer) initialized; 80 zero bytes read as this.
    #[default]
    Uninitialized,
    Initialized(Data),
}

impl State {
    pub fn new_initialized(authority: &Pubkey, durable_nonce: DurableNonce, lamports_per_signature: u64) -> Self {
        State::Initialized(Data::new(*authority, durable_nonce, lamports_per_signature))
    }

    /// Bytes of an initialized nonce account's data, versions tag included:
    /// the size a nonce account is created with.
    pub const fn size() -> usize {
        80
    }
}

/// The stored form of a nonce account's [`State`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Versions {
    /// Written before Solana separated nonces from blockhashes: its
    /// "durable nonce" is a plain blockhash, and no transaction may use it
    /// until [`Versions::upgrade`] (or an advance) makes it current.
    Legacy(Box<State>),
    /// A nonce in its own domain ([`DurableNonce::from_blockhash`]).
    Current(Box<State>),
}

/// Why [`Versions::authorize`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizeNonceError {
    /// The nonce's authority (this key) did not sign.
    MissingRequiredSignature(Pubkey),
    Uninitialized,
}

const LEGACY: u32 = 0;
const CURRENT: u32 = 1;
const UNINITIALIZED: u32 = 0;
const INITIALIZED: u32 = 1;

impl Versions {
    /// `state` as the current version: what every change to a nonce writes.
    pub fn new(state: State) -> Self {
        Versions::Current(Box::new(state))
    }

    pub fn state(&self) -> &State {
        match self {
            Versions::Legacy(state) | Versions::Current(state) => state,
        }
    }

    /// The nonce's data if a transaction carrying `recent_blockhash` may use
    /// it: a current, initialized nonce whose durable nonce is that hash.
    /// Legacy nonces verify nothing.
    pub fn verify_recent_blockhash(&self, recent_blockhash: &Hash) -> Option<&Data> {
        match self {
            Versions::Legacy(_) => None,
            Versions::Current(state) => match &**state {
                State::Uninitialized => None,
                State::Initialized(data) => (data.blockhash() == *recent_blockhash).then_some(data),
            },
        }
    }

    /// A legacy, initialized nonce moved out of the blockhash domain: its
    /// stored blockhash becomes the durable nonce it gives, as the current
    /// version. `None` for anything else (an uninitialized legacy nonce is
    /// made current when it is initialized).
    pub fn upgrade(self) -> Option<Self> {
        match self {
            Versions::Legacy(mut state) => match &mut *state {
                State::Uninitialized => None,
                State::Initialized(data) => {
                    data.durable_nonce = DurableNonce::from_blockhash(&data.blockhash());
                    Some(Versions::Current(state))
                }
            },
            Versions::Current(_) => None,
        }
    }

    /// The nonce handed to `authority`, if its present authority is among
    /// `signers`; the version is kept (the durable nonce does not change).
    pub fn authorize(self, signers: &[Pubkey], authority: Pubkey) -> Result<Self, AuthorizeNonceError> {
        let data = match self.state() {
            State::Uninitialized => return Err(AuthorizeNonceError::Uninitialized),
            State::Initialized(data) => data,
        };
        if !signers.contains(&data.authority) {
            return Err(AuthorizeNonceError::MissingRequiredSignature(data.authority));
        }
        let state = Box::new(State::Initialized(Data { authority, ..data.clone() }));
        Ok(match self {
            Versions::Legacy(_) => Versions::Legacy(state),
            Versions::Current(_) => Versions::Current(state),
        })
    }

    /// Bytes of the encoding: 8 uninitialized, [`State::size`] initialized.
    pub fn encoded_len(&self) -> usize {
        match self.state() {
            State::Uninitialized => 8,
            State::Initialized(_) => State::size(),
        }
    }

    /// Solana's bincode encoding ([`Versions::encoded_len`] bytes).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        let version = match self {
            Versions::Legacy(_) => LEGACY,
            Versions::Current(_) => CURRENT,
        };
        out.extend_from_slice(&version.to_le_bytes());
        match self.state() {
            State::Uninitialized => out.extend_from_slice(&UNINITIALIZED.to_le_bytes()),
            State::Initialized(data) => {
                out.extend_from_slice(&INITIALIZED.to_le_bytes());
                out.extend_from_slice(&data.authority.0);
                out.extend_from_slice(&data.durable_nonce.0 .0);
                out.extend_from_slice(&data.fee_calculator.lamports_per_signature.to_le_bytes());
            }
        }
        out
    }

    /// Decode account data from outside. Bytes past the encoding are
    /// ignored, as Solana's bincode decoding ignores them; too few bytes or
    /// an unknown tag is `InvalidAccountData`.
    pub fn decode(data: &[u8]) -> Result<Self, InstructionError> {
        Self::read(&mut crate::cursor::Cursor::new(data)).ok_or(InstructionError::InvalidAccountData)
    }

    fn read(c: &mut crate::cursor::Cursor<'_>) -> Option<Self> {
        let version = c.u32()?;
        let state = match c.u32()? {
            UNINITIALIZED => State::Uninitialized,
            INITIALIZED => State::Initialized(Data {
                authority: c.pubkey()?,
                durable_nonce: DurableNonce(Hash(c.pubkey()?.0)),
                fee_calculator: FeeCalculator { lamports_per_signature: c.u64()? },
            }),
            _ => return None,
        };
        match version {
            LEGACY => Some(Versions::Legacy(Box::new(state))),
            CURRENT => Some(Versions::Current(Box::new(state))),
            _ => None,
        }
    }
}

impl From<Versions> for State {
    fn from(versions: Versions) -> Self {
        match versions {
            Versions::Legacy(state) | Versions::Current(state) => *state,
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn data(n: u64) -> Data {
        Data::new(Pubkey::new_unique_from_u64(n), DurableNonce::from_blockhash(&Hash([n as u8; 32])), 5000 + n)
    }

    #[test]
    fn durable_nonce_is_sha256_of_the_prefix_and_the_blockhash() {
        let blockhash = Hash([7; 32]);
        let mut joined = b"DURABLE_NONCE".to_vec();
        joined.extend_from_slice(&blockhash.0);
        assert_eq!(*DurableNonce::from_blockhash(&blockhash).as_hash(), crate::hash::hash(&joined));
        assert_ne!(*DurableNonce::from_blockhash(&blockhash).as_hash(), blockhash);
    }

    #[test]
    fn layout_is_solana_s() {
        let d = data(3);
        let bytes = Versions::new(State::Initialized(d.clone())).encode();
        assert_eq!(bytes.len(), State::size());
        assert_eq!(bytes[..8], [1, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(bytes[8..40], d.authority.0);
        assert_eq!(bytes[40..72], d.durable_nonce.as_hash().0);
        assert_eq!(bytes[72..], 5003u64.to_le_bytes());
        assert_eq!(Versions::new(State::Uninitialized).encode(), [1, 0, 0, 0, 0, 0, 0, 0]);
        let legacy = Versions::Legacy(Box::new(State::Uninitialized));
        assert_eq!(legacy.encode(), [0; 8]);
        // A freshly created nonce account (80 zero bytes) is a legacy, uninitialized nonce.
        assert_eq!(Versions::decode(&[0; 80]), Ok(legacy));
    }

    #[test]
    fn decode_round_trips_allows_trailing_bytes_and_refuses_garbage() {
        for versions in [
            Versions::new(State::Uninitialized),
            Versions::Legacy(Box::new(State::Uninitialized)),
            Versions::new(State::Initialized(data(1))),
            Versions::Legacy(Box::new(State::Initialized(data(2)))),
        ] {
            let mut bytes = versions.encode();
            assert_eq!(bytes.len(), versions.encoded_len());
            assert_eq!(Versions::decode(&bytes).as_ref(), Ok(&versions));
            bytes.extend_from_slice(&[0xff; 9]);
            assert_eq!(Versions::decode(&bytes).as_ref(), Ok(&versions), "trailing bytes are ignored");
        }
        let good = Versions::new(State::Initialized(data(4))).encode();
        for len in 0..good.len() {
            assert_eq!(Versions::decode(&good[..len]), Err(InstructionError::InvalidAccountData), "{len} bytes");
        }
        for bad in [[2, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 2, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0]] {
            assert_eq!(Versions::decode(&bad), Err(InstructionError::InvalidAccountData), "{bad:?}");
        }
    }

    #[test]
    fn only_a_current_initialized_nonce_verifies_its_own_hash() {
        let d = data(5);
        let nonce = d.blockhash();
        assert_eq!(Versions::new(State::Initialized(d.clone())).verify_recent_blockhash(&nonce), Some(&d));
        assert_eq!(Versions::new(State::Initialized(d.clone())).verify_recent_blockhash(&Hash([5; 32])), None);
        assert_eq!(Versions::Legacy(Box::new(State::Initialized(d))).verify_recent_blockhash(&nonce), None);
        assert_eq!(Versions::new(State::Uninitialized).verify_recent_blockhash(&Hash::default()), None);
    }

    #[test]
    fn upgrade_moves_a_legacy_initialized_nonce_out_of_the_blockhash_domain() {
        assert_eq!(Versions::Legacy(Box::new(State::Uninitialized)).upgrade(), None);
        assert_eq!(Versions::new(State::Initialized(data(6))).upgrade(), None);
        let legacy = data(6);
        let upgraded = Versions::Legacy(Box::new(State::Initialized(legacy.clone()))).upgrade().unwrap();
        let want = Data { durable_nonce: DurableNonce::from_blockhash(&legacy.blockhash()), ..legacy };
        assert_eq!(upgraded, Versions::new(State::Initialized(want)));
        assert_eq!(upgraded.upgrade(), None);
    }

    #[test]
    fn authorize_needs_the_present_authority_and_keeps_the_version() {
        let d = data(7);
        let new_authority = Pubkey::new_unique_from_u64(70);
        let others = [Pubkey::new_unique_from_u64(71)];
        for (versions, wrap) in [
            (Versions::new(State::Initialized(d.clone())), Versions::new as fn(State) -> Versions),
            (Versions::Legacy(Box::new(State::Initialized(d.clone()))), |s| Versions::Legacy(Box::new(s))),
        ] {
            assert_eq!(
                versions.clone().authorize(&others, new_authority),
                Err(AuthorizeNonceError::MissingRequiredSignature(d.authority))
            );
            let want = wrap(State::Initialized(Data { authority: new_authority, ..d.clone() }));
            assert_eq!(versions.authorize(&[others[0], d.authority], new_authority), Ok(want));
        }
        assert_eq!(
            Versions::new(State::Uninitialized).authorize(&[d.authority], new_authority),
            Err(AuthorizeNonceError::Uninitialized)
        );
    }
}
