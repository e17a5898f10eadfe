//! [`Reader`] and [`Writer`]: the little-endian (borsh) primitives of
//! fixed-layout account state, read off and written to the front of a byte
//! slice. Programs build their account codecs on them; running out of bytes
//! is `InvalidAccountData`, and nothing here panics or allocates.
//!
//! Written out by hand rather than through borsh's generic readers: account
//! state is decoded on every instruction, and the generic path costs several
//! times more fuel. Every function is `#[inline(always)]` for the same
//! reason.

use crate::program_error::ProgramError;
use crate::Pubkey;

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
    pub fn u64(&mut self) -> Result<u64, ProgramError> {
        Ok(u64::from_le_bytes(*self.take::<8>()?))
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
    }
}
