//! Fixed-layout account state: the [`Pack`] trait (a type stored in exactly
//! [`Pack::LEN`] bytes of account data), and [`Reader`] and [`Writer`], the
//! little-endian (borsh) primitives its codecs read off and write to the
//! front of a byte slice. Programs implement `decode` and `encode` over
//! these, and decode their instruction data with the same [`Reader`]; the
//! length, padding and initialization rules are written once, here. Running
//! out of bytes is `InvalidAccountData` (instruction decoders report their
//! own error instead); nothing here panics, and nothing but the client-side
//! [`Pack::to_bytes`] allocates.
//!
//! Written out by hand rather than through borsh's generic readers: account
//! state is decoded on every instruction, and the generic path costs several
//! times more fuel. Every primitive is `#[inline(always)]` for the same
//! reason.

use crate::program_error::ProgramError;
use crate::Pubkey;

/// Fixed-length storage of an account's state: its encoding (by
/// [`Pack::encode`]) followed by zero bytes up to exactly [`Pack::LEN`].
///
/// Decoding is strict: data of any other length, or non-zero padding, is
/// `InvalidAccountData`, so a value has one byte representation as long as
/// `decode` accepts only canonical encodings.
pub trait Pack: Sized {
    /// Exact length of the account data holding this state.
    const LEN: usize;

    /// Read the encoding from the front of `reader`.
    fn decode(reader: &mut Reader<'_>) -> Result<Self, ProgramError>;

    /// Write the encoding to the front of `writer`.
    fn encode(&self, writer: &mut Writer<'_>) -> Result<(), ProgramError>;

    /// Whether this value has been initialized. Every decoded value is,
    /// unless the type says otherwise (a layout whose `decode` refuses
    /// uninitialized data keeps this default).
    #[inline(always)]
    fn is_initialized(&self) -> bool {
        true
    }

    /// Decode `data`, initialized or not. `InvalidAccountData` unless `data`
    /// is exactly [`Pack::LEN`] bytes: an encoding, then zero padding.
    #[inline(always)]
    fn unpack_unchecked(data: &[u8]) -> Result<Self, ProgramError> {
        if data.len() != Self::LEN {
            return Err(ProgramError::InvalidAccountData);
        }
        let mut reader = Reader::new(data);
        let value = Self::decode(&mut reader)?;
        reader.finish_zero_padding()?;
        Ok(value)
    }

    /// Decode `data` that must hold an initialized value:
    /// `UninitializedAccount` if it does not.
    #[inline(always)]
    fn unpack(data: &[u8]) -> Result<Self, ProgramError> {
        let value = Self::unpack_unchecked(data)?;
        if !value.is_initialized() {
            return Err(ProgramError::UninitializedAccount);
        }
        Ok(value)
    }

    /// Encode into `dst`, which must be exactly [`Pack::LEN`] bytes; the
    /// bytes after the encoding are zeroed.
    #[inline(always)]
    fn pack(&self, dst: &mut [u8]) -> Result<(), ProgramError> {
        if dst.len() != Self::LEN {
            return Err(ProgramError::InvalidAccountData);
        }
        let mut writer = Writer::new(dst);
        self.encode(&mut writer)?;
        writer.zero_rest();
        Ok(())
    }

    /// Encode into a new `LEN`-byte buffer (clients and tests).
    fn to_bytes(&self) -> alloc::vec::Vec<u8> {
        let mut data = alloc::vec![0u8; Self::LEN];
        // Cannot fail: the buffer has exactly LEN bytes and LEN bounds every encoding.
        let _ = self.pack(&mut data);
        data
    }
}

/// Reads primitives off the front of a byte slice.
pub struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    #[inline(always)]
    pub fn new(data: &'a [u8]) -> Self {
        Reader(data)
    }

    /// The next `N` bytes.
    #[inline(always)]
    pub fn take<const N: usize>(&mut self) -> Result<&'a [u8; N], ProgramError> {
        let (head, rest) = self.0.split_first_chunk::<N>().ok_or(ProgramError::InvalidAccountData)?;
        self.0 = rest;
        Ok(head)
    }

    #[inline(always)]
    pub fn u8(&mut self) -> Result<u8, ProgramError> {
        Ok(self.take::<1>()?[0])
    }

    /// A borsh bool: 0 or 1, anything else `InvalidAccountData`.
    #[inline(always)]
    pub fn bool(&mut self) -> Result<bool, ProgramError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(ProgramError::InvalidAccountData),
        }
    }

    #[inline(always)]
    pub fn u16(&mut self) -> Result<u16, ProgramError> {
        Ok(u16::from_le_bytes(*self.take::<2>()?))
    }

    #[inline(always)]
    pub fn u32(&mut self) -> Result<u32, ProgramError> {
        Ok(u32::from_le_bytes(*self.take::<4>()?))
    }

    #[inline(always)]
    pub fn u64(&mut self) -> Result<u64, ProgramError> {
        Ok(u64::from_le_bytes(*self.take::<8>()?))
    }

    /// The next `len` bytes (a length read before them says how many).
    #[inline(always)]
    pub fn bytes(&mut self, len: usize) -> Result<&'a [u8], ProgramError> {
        let (head, rest) = self.0.split_at_checked(len).ok_or(ProgramError::InvalidAccountData)?;
        self.0 = rest;
        Ok(head)
    }

    #[inline(always)]
    pub fn pubkey(&mut self) -> Result<Pubkey, ProgramError> {
        Ok(Pubkey::new_from_array(*self.take::<32>()?))
    }

    /// A borsh `Option<Pubkey>`: a bool tag, then the key if present.
    #[inline(always)]
    pub fn option_pubkey(&mut self) -> Result<Option<Pubkey>, ProgramError> {
        if self.bool()? {
            Ok(Some(self.pubkey()?))
        } else {
            Ok(None)
        }
    }

    /// Whether every byte has been read.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Bytes not yet read.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// What is left must be zero padding (checked eight bytes at a time:
    /// this runs on every account load).
    #[inline]
    pub fn finish_zero_padding(self) -> Result<(), ProgramError> {
        let mut rest = self.0;
        let mut bits = 0u64;
        while let Some((word, tail)) = rest.split_first_chunk::<8>() {
            bits |= u64::from_ne_bytes(*word);
            rest = tail;
        }
        for byte in rest {
            bits |= u64::from(*byte);
        }
        if bits != 0 {
            return Err(ProgramError::InvalidAccountData);
        }
        Ok(())
    }
}

/// Writes primitives to the front of a byte slice.
pub struct Writer<'a>(&'a mut [u8]);

impl<'a> Writer<'a> {
    #[inline(always)]
    pub fn new(data: &'a mut [u8]) -> Self {
        Writer(data)
    }

    /// Write `bytes` next.
    #[inline(always)]
    pub fn put<const N: usize>(&mut self, bytes: &[u8; N]) -> Result<(), ProgramError> {
        let (head, rest) =
            core::mem::take(&mut self.0).split_first_chunk_mut::<N>().ok_or(ProgramError::InvalidAccountData)?;
        *head = *bytes;
        self.0 = rest;
        Ok(())
    }

    #[inline(always)]
    pub fn u8(&mut self, value: u8) -> Result<(), ProgramError> {
        self.put(&[value])
    }

    #[inline(always)]
    pub fn u16(&mut self, value: u16) -> Result<(), ProgramError> {
        self.put(&value.to_le_bytes())
    }

    #[inline(always)]
    pub fn u64(&mut self, value: u64) -> Result<(), ProgramError> {
        self.put(&value.to_le_bytes())
    }

    #[inline(always)]
    pub fn pubkey(&mut self, value: &Pubkey) -> Result<(), ProgramError> {
        self.put(value.as_array())
    }

    /// A borsh `Option<Pubkey>`: a bool tag, then the key if present.
    #[inline(always)]
    pub fn option_pubkey(&mut self, value: &Option<Pubkey>) -> Result<(), ProgramError> {
        match value {
            Some(key) => {
                self.u8(1)?;
                self.pubkey(key)
            }
            None => self.u8(0),
        }
    }

    /// Zero every byte not yet written.
    #[inline(always)]
    pub fn zero_rest(self) {
        self.0.fill(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_round_trip_as_borsh_encodes_them() {
        let key = Pubkey::new_from_array([7; 32]);
        let mut buf = [0xAAu8; 64];
        let mut w = Writer::new(&mut buf);
        w.u8(1).unwrap();
        w.u16(0x0203).unwrap();
        w.u64(u64::MAX - 1).unwrap();
        w.option_pubkey(&Some(key)).unwrap();
        w.option_pubkey(&None).unwrap();
        w.zero_rest();
        let expected = borsh::to_vec(&(1u8, 0x0203u16, u64::MAX - 1, Some(key.to_bytes()), None::<[u8; 32]>)).unwrap();
        assert_eq!(&buf[..expected.len()], expected.as_slice());
        assert!(buf[expected.len()..].iter().all(|b| *b == 0));

        let mut r = Reader::new(&buf);
        assert_eq!(r.bool(), Ok(true));
        assert_eq!(r.u16(), Ok(0x0203));
        assert_eq!(r.u64(), Ok(u64::MAX - 1));
        assert_eq!(r.option_pubkey(), Ok(Some(key)));
        assert_eq!(r.option_pubkey(), Ok(None));
        assert_eq!(r.finish_zero_padding(), Ok(()));
    }

    #[test]
    fn running_out_or_bad_tags_or_padding_are_invalid_account_data() {
        assert_eq!(Reader::new(&[1, 2]).u64(), Err(ProgramError::InvalidAccountData));
        assert_eq!(Reader::new(&[2]).bool(), Err(ProgramError::InvalidAccountData));
        assert_eq!(
            Reader::new(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 1]).finish_zero_padding(),
            Err(ProgramError::InvalidAccountData)
        );
        let mut small = [0u8; 3];
        assert_eq!(Writer::new(&mut small).u64(5), Err(ProgramError::InvalidAccountData));
        let mut r = Reader::new(&[]);
        assert!(r.is_empty());
        assert_eq!(r.u8(), Err(ProgramError::InvalidAccountData));
        assert_eq!(Reader::new(&[1, 2, 3]).bytes(4), Err(ProgramError::InvalidAccountData));
        assert_eq!(Reader::new(&[1, 2, 3]).u32(), Err(ProgramError::InvalidAccountData));
    }

    #[test]
    fn lengths_and_slices_read_as_borsh_writes_a_vec() {
        let encoded = borsh::to_vec(&(alloc::vec![7u8, 8, 9], 5u8)).unwrap();
        let mut r = Reader::new(&encoded);
        let len = r.u32().unwrap() as usize;
        assert_eq!(r.len(), len + 1);
        assert_eq!(r.bytes(len), Ok(&[7u8, 8, 9][..]));
        assert_eq!(r.u8(), Ok(5));
        assert!(r.is_empty());
    }

    /// A flag and an optional key in 40 bytes: the shape of a token mint.
    #[derive(Debug, PartialEq)]
    struct Flagged {
        is_initialized: bool,
        key: Option<Pubkey>,
    }

    impl Pack for Flagged {
        const LEN: usize = 40;
        fn decode(r: &mut Reader<'_>) -> Result<Self, ProgramError> {
            Ok(Flagged { is_initialized: r.bool()?, key: r.option_pubkey()? })
        }
        fn encode(&self, w: &mut Writer<'_>) -> Result<(), ProgramError> {
            w.u8(self.is_initialized as u8)?;
            w.option_pubkey(&self.key)
        }
        fn is_initialized(&self) -> bool {
            self.is_initialized
        }
    }

    #[test]
    fn pack_is_the_encoding_then_zero_padding_to_exactly_len() {
        let value = Flagged { is_initialized: true, key: None };
        let mut dst = [0xAAu8; Flagged::LEN];
        value.pack(&mut dst).unwrap();
        assert_eq!(dst[..2], [1, 0]);
        assert!(dst[2..].iter().all(|b| *b == 0), "the rest is zeroed");
        assert_eq!(value.to_bytes(), dst);
        assert_eq!(Flagged::unpack(&dst), Ok(value));

        assert_eq!(
            Flagged { is_initialized: true, key: None }.pack(&mut [0; 39]),
            Err(ProgramError::InvalidAccountData)
        );
        assert_eq!(Flagged::unpack(&dst[..39]), Err(ProgramError::InvalidAccountData));
        let mut longer = dst.to_vec();
        longer.push(0);
        assert_eq!(Flagged::unpack(&longer), Err(ProgramError::InvalidAccountData));
        let mut padded = dst;
        padded[39] = 1;
        assert_eq!(Flagged::unpack(&padded), Err(ProgramError::InvalidAccountData));
    }

    #[test]
    fn unpack_refuses_uninitialized_and_unpack_unchecked_does_not() {
        let zero = [0u8; Flagged::LEN];
        assert_eq!(Flagged::unpack(&zero), Err(ProgramError::UninitializedAccount));
        assert_eq!(Flagged::unpack_unchecked(&zero), Ok(Flagged { is_initialized: false, key: None }));
    }
}
