//! A checked cursor over untrusted bytes in bincode's fixed-width layout
//! (little-endian integers, `u64` lengths), shared by the builtin programs'
//! instruction and state decoders.
//!
//! It owns only reading; what the bytes mean belongs to each decoder. It must
//! never panic or allocate on a length it has not checked against the bytes
//! left.

use crate::pubkey::Pubkey;
use alloc::vec::Vec;

/// Reads from the front of a byte slice; every read that would run past the
/// end returns `None` and consumes nothing.
pub(crate) struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Cursor(bytes)
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    pub(crate) fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub(crate) fn pubkey(&mut self) -> Option<Pubkey> {
        Some(Pubkey(self.take(32)?.try_into().ok()?))
    }

    /// bincode's `Option<Pubkey>`: a tag byte 0 (None) or 1 (Some) and the key.
    pub(crate) fn option_pubkey(&mut self) -> Option<Option<Pubkey>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.pubkey()?)),
            _ => None,
        }
    }

    /// bincode's `Vec<Pubkey>`: a `u64` count, then the keys. The count is
    /// checked against the bytes left before anything is allocated.
    pub(crate) fn pubkeys(&mut self) -> Option<Vec<Pubkey>> {
        let count = usize::try_from(self.u64()?).ok()?;
        if count.checked_mul(32)? > self.0.len() {
            return None;
        }
        (0..count).map(|_| self.pubkey()).collect()
    }
}

/// bincode's `Option<Pubkey>`, appended to `out`.
pub(crate) fn put_option_pubkey(out: &mut Vec<u8>, key: &Option<Pubkey>) {
    match key {
        None => out.push(0),
        Some(key) => {
            out.push(1);
            out.extend_from_slice(&key.0);
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn reads_are_checked_and_lengths_bounded() {
        let mut c = Cursor::new(&[1, 2, 3]);
        assert_eq!(c.u16(), Some(0x0201));
        assert_eq!(c.u32(), None);
        assert_eq!(c.u8(), Some(3));
        assert_eq!(c.u8(), None);
        // A count of u64::MAX keys in eight bytes: refused, not allocated.
        assert_eq!(Cursor::new(&u64::MAX.to_le_bytes()).pubkeys(), None);
        let mut two = 2u64.to_le_bytes().to_vec();
        two.extend([7u8; 64]);
        assert_eq!(Cursor::new(&two).pubkeys(), Some(alloc::vec![Pubkey([7; 32]); 2]));
        assert_eq!(Cursor::new(&[2]).option_pubkey(), None);
        let mut some = alloc::vec::Vec::new();
        put_option_pubkey(&mut some, &Some(Pubkey([9; 32])));
        assert_eq!(Cursor::new(&some).option_pubkey(), Some(Some(Pubkey([9; 32]))));
    }
}
