//! [`Pubkey`]: a 32-byte account address, shown as base58; and program
//! derived addresses (PDAs), derived exactly as Solana derives them.

use crate::hash::hashv;
use borsh::{BorshDeserialize, BorshSerialize};
use core::fmt;
use core::str::FromStr;

/// Most seeds a PDA may have (the bump seed included).
pub const MAX_SEEDS: usize = 16;
/// Longest one seed may be.
pub const MAX_SEED_LEN: usize = 32;
/// Appended to every PDA preimage, so no PDA preimage is also a key's.
pub const PDA_MARKER: &[u8; 21] = b"ProgramDerivedAddress";

/// A 32-byte address: an ed25519 public key, a program id, or a PDA.
// The manual `PartialEq` below is byte equality, exactly what the derived
// `Hash` (and `Ord`) assume.
#[allow(clippy::derived_hash_with_manual_eq)]
#[derive(Clone, Copy, Default, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
#[repr(transparent)]
pub struct Pubkey(pub [u8; 32]);

/// Compared eight bytes at a time: on wasm32 the derived comparison becomes a
/// byte loop (~400 compute units per key), and contracts compare keys often.
/// Written with `split_first_chunk` and always inlined, so the four loads
/// compile without bounds checks or copies: contracts compare keys with `==`
/// and need no faster helper of their own.
impl PartialEq for Pubkey {
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        let (mut a, mut b) = (&self.0[..], &other.0[..]);
        while let (Some((x, rest_a)), Some((y, rest_b))) = (a.split_first_chunk::<8>(), b.split_first_chunk::<8>()) {
            if u64::from_ne_bytes(*x) != u64::from_ne_bytes(*y) {
                return false;
            }
            (a, b) = (rest_a, rest_b);
        }
        true
    }
}

/// Why an address could not be derived or parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PubkeyError {
    /// A seed longer than [`MAX_SEED_LEN`] or more than [`MAX_SEEDS`] seeds.
    MaxSeedLengthExceeded,
    /// The derived address lies on the ed25519 curve, so it is not a PDA.
    InvalidSeeds,
    /// `create_with_seed` with an owner that ends in [`PDA_MARKER`].
    IllegalOwner,
    /// Not base58, or not 32 bytes.
    InvalidBase58,
}

impl fmt::Display for PubkeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PubkeyError::MaxSeedLengthExceeded => "seed longer than 32 bytes or more than 16 seeds",
            PubkeyError::InvalidSeeds => "seeds derive an address on the ed25519 curve",
            PubkeyError::IllegalOwner => "owner may not end in the PDA marker",
            PubkeyError::InvalidBase58 => "not a base58-encoded 32-byte address",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for PubkeyError {}

impl Pubkey {
    /// Log this key as `Program log: <base58>` for about 100 compute units
    /// (the host renders it; `msg!("{}", key)` costs ~27,000 in WASM).
    pub fn log(&self) {
        crate::log::log_pubkey(self)
    }

    /// Wrap 32 bytes.
    pub const fn new_from_array(bytes: [u8; 32]) -> Self {
        Pubkey(bytes)
    }

    /// Parse base58 at compile time; panics (at compile time) on bad text.
    pub const fn from_str_const(text: &str) -> Self {
        Pubkey(bs58::decode(text.as_bytes()).into_array_const_unwrap::<32>())
    }

    /// The raw bytes.
    pub const fn to_bytes(self) -> [u8; 32] {
        self.0
    }

    /// The raw bytes, borrowed.
    pub const fn as_array(&self) -> &[u8; 32] {
        &self.0
    }

    /// A key for tests, different at every call in this process (Solana's
    /// `Pubkey::new_unique`); see also [`Pubkey::new_unique_from_u64`].
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new_unique() -> Self {
        use core::sync::atomic::{AtomicU64, Ordering};
        // High enough to stay clear of the small `n`s tests pick by hand.
        static NEXT: AtomicU64 = AtomicU64::new(1 << 40);
        Pubkey::new_unique_from_u64(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    /// A key for tests: distinct for each `n`, never on purpose a real key.
    pub fn new_unique_from_u64(n: u64) -> Self {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&n.to_le_bytes());
        bytes[8] = 0x4c; // 'L'
        Pubkey(bytes)
    }

    /// Solana's `create_with_seed`: `sha256(base || seed || owner)`.
    pub fn create_with_seed(base: &Pubkey, seed: &str, owner: &Pubkey) -> Result<Pubkey, PubkeyError> {
        if seed.len() > MAX_SEED_LEN {
            return Err(PubkeyError::MaxSeedLengthExceeded);
        }
        if owner.0[32 - PDA_MARKER.len()..] == PDA_MARKER[..] {
            return Err(PubkeyError::IllegalOwner);
        }
        Ok(Pubkey(hashv(&[&base.0, seed.as_bytes(), &owner.0]).0))
    }

    /// The program derived address of `seeds` under `program_id`, or
    /// [`PubkeyError::InvalidSeeds`] if that hash is a curve point.
    pub fn create_program_address(seeds: &[&[u8]], program_id: &Pubkey) -> Result<Pubkey, PubkeyError> {
        #[cfg(target_arch = "wasm32")]
        {
            crate::syscalls::create_program_address(seeds, program_id)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            create_program_address_native(seeds, program_id)
        }
    }

    /// The first bump (from 255 down) whose PDA is off the curve, and that
    /// address. Panics only if no bump works, which has probability 2^-256.
    pub fn find_program_address(seeds: &[&[u8]], program_id: &Pubkey) -> (Pubkey, u8) {
        Self::try_find_program_address(seeds, program_id).expect("no viable bump seed: seeds too long or too many")
    }

    /// As [`Pubkey::find_program_address`], `None` if the seeds are too long.
    pub fn try_find_program_address(seeds: &[&[u8]], program_id: &Pubkey) -> Option<(Pubkey, u8)> {
        #[cfg(target_arch = "wasm32")]
        {
            crate::syscalls::try_find_program_address(seeds, program_id)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            try_find_program_address_native(seeds, program_id)
        }
    }

    /// Whether these bytes decompress to an ed25519 point (so a private key
    /// may exist for them). Host only: contracts never need it.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn is_on_curve(&self) -> bool {
        curve25519_dalek::edwards::CompressedEdwardsY(self.0).decompress().is_some()
    }
}

/// Host implementation of PDA derivation; the runtime's syscall uses it too.
#[cfg(not(target_arch = "wasm32"))]
pub fn create_program_address_native(seeds: &[&[u8]], program_id: &Pubkey) -> Result<Pubkey, PubkeyError> {
    let candidate = program_address_candidate(seeds, program_id)?;
    if candidate.is_on_curve() {
        return Err(PubkeyError::InvalidSeeds);
    }
    Ok(candidate)
}

/// The hash a PDA derivation produces, before the off-curve check (which is
/// the expensive part: callers that see the same candidates often may cache
/// that check, as the runtime does).
pub fn program_address_candidate(seeds: &[&[u8]], program_id: &Pubkey) -> Result<Pubkey, PubkeyError> {
    if seeds.len() > MAX_SEEDS {
        return Err(PubkeyError::MaxSeedLengthExceeded);
    }
    if seeds.iter().any(|s| s.len() > MAX_SEED_LEN) {
        return Err(PubkeyError::MaxSeedLengthExceeded);
    }
    let mut parts: [&[u8]; MAX_SEEDS + 2] = [&[]; MAX_SEEDS + 2];
    parts[..seeds.len()].copy_from_slice(seeds);
    parts[seeds.len()] = &program_id.0;
    parts[seeds.len() + 1] = PDA_MARKER;
    Ok(Pubkey(hashv(&parts[..seeds.len() + 2]).0))
}

/// Host implementation of the bump search; the runtime's syscall uses it too.
#[cfg(not(target_arch = "wasm32"))]
pub fn try_find_program_address_native(seeds: &[&[u8]], program_id: &Pubkey) -> Option<(Pubkey, u8)> {
    if seeds.len() >= MAX_SEEDS {
        return None;
    }
    // Bumps 255 down to 1, never 0: Solana's `try_find_program_address` (and
    // its syscall, and web3.js's `findProgramAddressSync`) try 255 bumps.
    for bump in (1..=u8::MAX).rev() {
        let bump_seed = [bump];
        let mut with_bump: [&[u8]; MAX_SEEDS] = [&[]; MAX_SEEDS];
        with_bump[..seeds.len()].copy_from_slice(seeds);
        with_bump[seeds.len()] = &bump_seed;
        match create_program_address_native(&with_bump[..seeds.len() + 1], program_id) {
            Ok(address) => return Some((address, bump)),
            Err(PubkeyError::InvalidSeeds) => continue,
            Err(_) => return None,
        }
    }
    None
}

impl fmt::Display for Pubkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::base58::fmt_32(&self.0, f)
    }
}

impl fmt::Debug for Pubkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Pubkey {
    type Err = PubkeyError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.len() > 44 {
            return Err(PubkeyError::InvalidBase58);
        }
        let mut bytes = [0u8; 32];
        let written = bs58::decode(text).onto(&mut bytes[..]).map_err(|_| PubkeyError::InvalidBase58)?;
        if written != 32 {
            return Err(PubkeyError::InvalidBase58);
        }
        Ok(Pubkey(bytes))
    }
}

impl From<[u8; 32]> for Pubkey {
    fn from(bytes: [u8; 32]) -> Self {
        Pubkey(bytes)
    }
}

impl AsRef<[u8]> for Pubkey {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn base58_round_trip_and_errors() {
        let key = Pubkey::new_unique_from_u64(7);
        assert_eq!(key.to_string().parse::<Pubkey>(), Ok(key));
        assert_eq!("11111111111111111111111111111111".parse::<Pubkey>(), Ok(Pubkey::default()));
        assert_eq!("0OIl".parse::<Pubkey>(), Err(PubkeyError::InvalidBase58));
        assert_eq!("1111".parse::<Pubkey>(), Err(PubkeyError::InvalidBase58));
        assert_eq!("2".repeat(60).parse::<Pubkey>(), Err(PubkeyError::InvalidBase58));
    }

    #[test]
    fn eq_is_byte_equality() {
        let base = Pubkey::new_from_array(core::array::from_fn(|i| i as u8 * 7));
        assert!(base == base);
        assert!(Pubkey::default() == Pubkey::default());
        for byte in 0..32 {
            for bit in 0..8 {
                let mut other = base.to_bytes();
                other[byte] ^= 1 << bit;
                let other = Pubkey::new_from_array(other);
                assert!(base != other, "byte {byte} bit {bit}");
                assert!(other != base);
            }
        }
    }

    #[test]
    fn found_pda_is_off_curve_and_recreatable() {
        let program = Pubkey::new_unique_from_u64(1);
        let (pda, bump) = Pubkey::find_program_address(&[b"vault", &[1, 2, 3]], &program);
        assert!(!pda.is_on_curve());
        assert_eq!(Pubkey::create_program_address(&[b"vault", &[1, 2, 3], &[bump]], &program), Ok(pda));
    }

    #[test]
    fn seed_limits() {
        let program = Pubkey::new_unique_from_u64(1);
        let long = [0u8; 33];
        assert_eq!(Pubkey::create_program_address(&[&long], &program), Err(PubkeyError::MaxSeedLengthExceeded));
        let many: [&[u8]; 17] = [b"a"; 17];
        assert_eq!(Pubkey::create_program_address(&many, &program), Err(PubkeyError::MaxSeedLengthExceeded));
        assert!(Pubkey::try_find_program_address(&many[..16], &program).is_none());
    }
}
