//! The two byte strings a contract hands to `lanes_invoke`, read in place:
//! the borsh encoding of an [`Instruction`] and of its signer seeds
//! (`Vec<Vec<Vec<u8>>>`). Each decoder accepts exactly what borsh accepts
//! (the tests hold them to it) and never panics on any input.
//!
//! Why not borsh itself: its reader zero-fills every byte vector with
//! `vec![0; len]`, which glibc's `calloc` serves without its thread cache,
//! at a cost comparable to the rest of a cross-program call. Here the
//! instruction data and the seeds stay slices of the caller's bytes.

use lanes_sdk::{AccountMeta, Pubkey};

/// A cross-program instruction whose data borrows the encoded bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct CpiInstruction<'a> {
    pub program_id: Pubkey,
    pub accounts: Vec<AccountMeta>,
    pub data: &'a [u8],
}

/// Each PDA's seeds, borrowing the encoded bytes.
pub(crate) type SignerSeeds<'a> = Vec<Vec<&'a [u8]>>;

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    fn u32(&mut self) -> Option<usize> {
        let bytes = self.take(4)?;
        Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize)
    }

    fn bool(&mut self) -> Option<bool> {
        match self.take(1)?[0] {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn pubkey(&mut self) -> Option<Pubkey> {
        let bytes: [u8; 32] = self.take(32)?.try_into().ok()?;
        Some(Pubkey(bytes))
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()?;
        self.take(len)
    }

    /// A length prefix for items of at least `min_item` bytes, refused if
    /// the rest could not hold that many (so no claimed count allocates
    /// more than the input justifies).
    fn count(&mut self, min_item: usize) -> Option<usize> {
        let count = self.u32()?;
        (count.checked_mul(min_item)? <= self.0.len()).then_some(count)
    }

    fn finish<T>(self, value: T) -> Option<T> {
        self.0.is_empty().then_some(value)
    }
}

/// Decode a borsh [`lanes_sdk::Instruction`]; `None` for anything borsh
/// would refuse, trailing bytes included.
pub(crate) fn decode_instruction(bytes: &[u8]) -> Option<CpiInstruction<'_>> {
    let mut r = Reader(bytes);
    let program_id = r.pubkey()?;
    let count = r.count(34)?;
    let mut accounts = Vec::with_capacity(count);
    for _ in 0..count {
        let pubkey = r.pubkey()?;
        let is_signer = r.bool()?;
        let is_writable = r.bool()?;
        accounts.push(AccountMeta { pubkey, is_signer, is_writable });
    }
    let data = r.bytes()?;
    r.finish(CpiInstruction { program_id, accounts, data })
}

/// Decode borsh `Vec<Vec<Vec<u8>>>` signer seeds; `None` for anything
/// borsh would refuse.
pub(crate) fn decode_signer_seeds(bytes: &[u8]) -> Option<SignerSeeds<'_>> {
    let mut r = Reader(bytes);
    let signers = r.count(4)?;
    let mut all = Vec::with_capacity(signers);
    for _ in 0..signers {
        let count = r.count(4)?;
        let mut seeds = Vec::with_capacity(count);
        for _ in 0..count {
            seeds.push(r.bytes()?);
        }
        all.push(seeds);
    }
    r.finish(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_sdk::Instruction;
    use proptest::prelude::*;

    fn by_borsh_instruction(bytes: &[u8]) -> Option<Instruction> {
        borsh::from_slice(bytes).ok()
    }

    fn agrees(bytes: &[u8]) {
        let ours = decode_instruction(bytes).map(|ix| Instruction {
            program_id: ix.program_id,
            accounts: ix.accounts,
            data: ix.data.to_vec(),
        });
        assert_eq!(ours, by_borsh_instruction(bytes), "{bytes:?}");
        let ours = decode_signer_seeds(bytes)
            .map(|all| all.iter().map(|seeds| seeds.iter().map(|s| s.to_vec()).collect()).collect::<Vec<Vec<_>>>());
        assert_eq!(ours, borsh::from_slice::<Vec<Vec<Vec<u8>>>>(bytes).ok(), "{bytes:?}");
    }

    fn sample_instruction() -> Vec<u8> {
        let ix = Instruction {
            program_id: Pubkey::new_unique_from_u64(1),
            accounts: vec![
                AccountMeta::new(Pubkey::new_unique_from_u64(2), true),
                AccountMeta::new_readonly(Pubkey::new_unique_from_u64(3), false),
            ],
            data: vec![3, 1, 2, 3],
        };
        borsh::to_vec(&ix).unwrap()
    }

    #[test]
    fn valid_encodings_decode_like_borsh() {
        agrees(&sample_instruction());
        let seeds: Vec<Vec<Vec<u8>>> = vec![vec![b"pool".to_vec(), vec![7; 32], vec![254]], vec![], vec![vec![]]];
        agrees(&borsh::to_vec(&seeds).unwrap());
        agrees(&borsh::to_vec(&Vec::<Vec<Vec<u8>>>::new()).unwrap());
    }

    #[test]
    fn every_mutation_of_a_valid_encoding_decodes_like_borsh() {
        let seeds = borsh::to_vec(&vec![vec![b"ab".to_vec(), vec![1]]]).unwrap();
        for valid in [sample_instruction(), seeds] {
            for i in 0..valid.len() {
                for value in [0u8, 1, 2, 0x7f, 0xff] {
                    let mut changed = valid.clone();
                    changed[i] = value;
                    agrees(&changed);
                }
                agrees(&valid[..i]);
            }
            let mut longer = valid.clone();
            longer.push(0);
            agrees(&longer);
        }
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_decode_like_borsh(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            agrees(&bytes);
        }
    }
}
