//! Solana's "compact-u16" length prefix: 1 to 3 bytes, 7 bits each, low first.
//!
//! Decoding is strict, as Solana's: a value that fits fewer bytes must use
//! fewer (no alias encodings), a third byte may carry only 2 bits, and the
//! value must fit `u16`.

use alloc::vec::Vec;

/// Why a compact-u16 could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShortVecError {
    /// The input ended inside the length.
    Truncated,
    /// A longer encoding than needed, or a value above `u16::MAX`.
    NonCanonical,
}

/// Append `len` encoded as compact-u16.
pub fn encode_len(len: u16, out: &mut Vec<u8>) {
    let mut rem = len;
    loop {
        let mut byte = (rem & 0x7f) as u8;
        rem >>= 7;
        if rem == 0 {
            out.push(byte);
            return;
        }
        byte |= 0x80;
        out.push(byte);
    }
}

/// Number of bytes `len` takes encoded.
pub fn encoded_len(len: u16) -> usize {
    match len {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        _ => 3,
    }
}

/// Decode a compact-u16 from the front of `bytes`; returns the value and the
/// number of bytes it took.
pub fn decode_len(bytes: &[u8]) -> Result<(u16, usize), ShortVecError> {
    let mut value: u32 = 0;
    for i in 0..3 {
        let byte = *bytes.get(i).ok_or(ShortVecError::Truncated)?;
        // A zero continuation byte means the previous byte should have ended it.
        if i > 0 && byte == 0 {
            return Err(ShortVecError::NonCanonical);
        }
        value |= ((byte & 0x7f) as u32) << (7 * i);
        if byte & 0x80 == 0 {
            if value > u16::MAX as u32 {
                return Err(ShortVecError::NonCanonical);
            }
            return Ok((value as u16, i + 1));
        }
        if i == 2 {
            // A third byte with its continuation bit set.
            return Err(ShortVecError::NonCanonical);
        }
    }
    unreachable!("loop returns within three bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_u16() {
        for v in 0..=u16::MAX {
            let mut out = Vec::new();
            encode_len(v, &mut out);
            assert_eq!(out.len(), encoded_len(v));
            assert_eq!(decode_len(&out), Ok((v, out.len())), "value {v}");
        }
    }

    #[test]
    fn known_encodings_match_solana() {
        let cases: &[(u16, &[u8])] = &[
            (0, &[0x00]),
            (0x7f, &[0x7f]),
            (0x80, &[0x80, 0x01]),
            (0xff, &[0xff, 0x01]),
            (0x100, &[0x80, 0x02]),
            (0x3fff, &[0xff, 0x7f]),
            (0x4000, &[0x80, 0x80, 0x01]),
            (0xffff, &[0xff, 0xff, 0x03]),
        ];
        for (v, bytes) in cases {
            let mut out = Vec::new();
            encode_len(*v, &mut out);
            assert_eq!(&out[..], *bytes);
        }
    }

    #[test]
    fn rejects_aliases_overflow_and_truncation() {
        assert_eq!(decode_len(&[0x80, 0x00]), Err(ShortVecError::NonCanonical));
        assert_eq!(decode_len(&[0x80, 0x80, 0x00]), Err(ShortVecError::NonCanonical));
        assert_eq!(decode_len(&[0xff, 0xff, 0x04]), Err(ShortVecError::NonCanonical));
        assert_eq!(decode_len(&[0x80, 0x80, 0x80]), Err(ShortVecError::NonCanonical));
        assert_eq!(decode_len(&[]), Err(ShortVecError::Truncated));
        assert_eq!(decode_len(&[0x80]), Err(ShortVecError::Truncated));
    }
}
