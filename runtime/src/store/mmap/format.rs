//! The on-disk byte layouts: the data-file header, account records and the
//! manifest's commit records (docs/store.md draws them).
//!
//! Owns: encoding and decoding, checksums, limits. Integers are
//! little-endian; records start at 8-byte-aligned offsets.
//!
//! Invariants: `decode_*` and `parse_*` accept any byte slice and return a
//! [`Defect`] for anything they do not understand — they never panic and
//! never index out of bounds; an encoded record, header or manifest decodes
//! back to what was encoded.
//!
//! This module does no I/O and must never learn about files or offsets
//! within them: callers attach the file name and absolute offset to a
//! [`Defect`].

use lanes_sdk::{Account, Pubkey};

/// Version of every structure below; a reader refuses any other.
pub const FORMAT_VERSION: u32 = 1;

/// First bytes of every data file.
pub const FILE_MAGIC: [u8; 8] = *b"LANESACC";
/// First bytes of every manifest commit record.
pub const MANIFEST_MAGIC: [u8; 8] = *b"LANESMAN";

/// Size of the data-file header; the first record starts here.
pub const FILE_HEADER_LEN: usize = 64;
/// Size of a record's fixed part; the account data follows.
pub const RECORD_HEADER_LEN: usize = 96;
/// Records start at multiples of this.
pub const RECORD_ALIGN: usize = 8;
/// Largest account data a record holds (Solana's limit).
pub const MAX_DATA_LEN: usize = 10 * 1024 * 1024;
/// Largest data file: record offsets are kept as `offset / 8` in 32 bits.
pub const MAX_FILE_LEN: u64 = (u32::MAX as u64 + 1) * RECORD_ALIGN as u64;

/// Size of each of the manifest's two commit slots.
pub const MANIFEST_SLOT_LEN: usize = 256 * 1024;
/// Size of the manifest file.
pub const MANIFEST_LEN: usize = 2 * MANIFEST_SLOT_LEN;
const MANIFEST_FIXED_LEN: usize = 72;
const MANIFEST_FILE_ENTRY_LEN: usize = 16;
/// Most data files one commit record can list.
pub const MAX_MANIFEST_FILES: usize = (MANIFEST_SLOT_LEN - MANIFEST_FIXED_LEN) / MANIFEST_FILE_ENTRY_LEN;

const FLAG_EXECUTABLE: u32 = 1 << 24;
const DATA_LEN_MASK: u32 = (1 << 24) - 1;

/// A ledger's identity: every file of a store carries it.
pub type LedgerId = [u8; 16];

/// Something wrong with bytes read from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Defect {
    /// A structure of another format version.
    Version { found: u32 },
    /// Anything else: `at` is the offset of the bad field within the
    /// structure that was being decoded.
    Bad { at: usize, what: String },
}

fn bad(at: usize, what: impl Into<String>) -> Defect {
    Defect::Bad { at, what: what.into() }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut x = [0u8; 4];
    x.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(x)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

fn key_at(b: &[u8], at: usize) -> [u8; 32] {
    let mut x = [0u8; 32];
    x.copy_from_slice(&b[at..at + 32]);
    x
}

/// Round `n` up to the record alignment.
pub fn align(n: usize) -> usize {
    n.div_ceil(RECORD_ALIGN) * RECORD_ALIGN
}

/// Lowercase hex of a ledger id, for messages.
pub fn ledger_hex(id: &LedgerId) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------
// Data-file header

/// The header at offset 0 of every data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileHeader {
    pub ledger: LedgerId,
    pub file_id: u64,
    /// Size the file was created with.
    pub capacity: u64,
}

impl FileHeader {
    /// `magic(8) version(4) header_len(4) ledger(16) file_id(8) capacity(8)
    /// reserved(12, zero) crc32(4) over bytes 0..60`.
    pub fn encode(&self) -> [u8; FILE_HEADER_LEN] {
        let mut b = [0u8; FILE_HEADER_LEN];
        b[0..8].copy_from_slice(&FILE_MAGIC);
        b[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        b[12..16].copy_from_slice(&(FILE_HEADER_LEN as u32).to_le_bytes());
        b[16..32].copy_from_slice(&self.ledger);
        b[32..40].copy_from_slice(&self.file_id.to_le_bytes());
        b[40..48].copy_from_slice(&self.capacity.to_le_bytes());
        let crc = crc32fast::hash(&b[0..60]);
        b[60..64].copy_from_slice(&crc.to_le_bytes());
        b
    }

    pub fn decode(b: &[u8]) -> Result<FileHeader, Defect> {
        if b.len() < FILE_HEADER_LEN {
            return Err(bad(b.len(), format!("file header needs {FILE_HEADER_LEN} bytes, only {} present", b.len())));
        }
        if b[0..8] != FILE_MAGIC {
            return Err(bad(0, "not a Lanes account file (bad magic)"));
        }
        let version = u32_at(b, 8);
        if version != FORMAT_VERSION {
            return Err(Defect::Version { found: version });
        }
        let crc = u32_at(b, 60);
        if crc != crc32fast::hash(&b[0..60]) {
            return Err(bad(60, "file header checksum mismatch"));
        }
        if u32_at(b, 12) as usize != FILE_HEADER_LEN {
            return Err(bad(12, format!("header length {} (expected {FILE_HEADER_LEN})", u32_at(b, 12))));
        }
        let mut ledger = [0u8; 16];
        ledger.copy_from_slice(&b[16..32]);
        Ok(FileHeader { ledger, file_id: u64_at(b, 32), capacity: u64_at(b, 40) })
    }
}

// ---------------------------------------------------------------------------
// Records

/// Bytes a record with `data_len` bytes of data takes, padding included.
pub fn record_size(data_len: usize) -> usize {
    align(RECORD_HEADER_LEN + data_len)
}

/// Bytes the record of `account` takes: tombstones (zero lamports) keep no data.
pub fn record_size_of(account: &Account) -> usize {
    record_size(if account.lamports == 0 { 0 } else { account.data.len() })
}

/// Write the record of `(key, account)` into `buf`, which must be exactly
/// `record_size_of(account)` bytes. A zero-lamport account is written as a
/// tombstone: no data, zero owner, not executable.
///
/// `crc32(4) len_flags(4) seq(8) slot(8) lamports(8) pubkey(32) owner(32)
/// data(len) padding`; `len_flags` holds the data length in its low 24 bits
/// and the executable flag in bit 24; the checksum covers bytes
/// `4..96+len`.
pub fn write_record(buf: &mut [u8], seq: u64, slot: u64, key: &Pubkey, account: &Account) {
    let tomb = account.lamports == 0;
    let data: &[u8] = if tomb { &[] } else { &account.data };
    debug_assert_eq!(buf.len(), record_size(data.len()));
    debug_assert!(data.len() <= MAX_DATA_LEN);
    let flags = if account.executable && !tomb { FLAG_EXECUTABLE } else { 0 };
    let owner = if tomb { [0u8; 32] } else { account.owner.0 };
    let (head, rest) = buf.split_at_mut(RECORD_HEADER_LEN);
    head[4..8].copy_from_slice(&(data.len() as u32 | flags).to_le_bytes());
    head[8..16].copy_from_slice(&seq.to_le_bytes());
    head[16..24].copy_from_slice(&slot.to_le_bytes());
    head[24..32].copy_from_slice(&account.lamports.to_le_bytes());
    head[32..64].copy_from_slice(&key.0);
    head[64..96].copy_from_slice(&owner);
    rest[..data.len()].copy_from_slice(data);
    rest[data.len()..].fill(0);
    let mut crc = crc32fast::Hasher::new();
    crc.update(&head[4..]);
    crc.update(data);
    head[0..4].copy_from_slice(&crc.finalize().to_le_bytes());
}

/// The fixed part of a record: enough to index it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHead {
    pub key: [u8; 32],
    pub seq: u64,
    pub slot: u64,
    pub lamports: u64,
    pub executable: bool,
    pub data_len: usize,
}

impl RecordHead {
    /// Total bytes of the record, padding included.
    pub fn size(&self) -> usize {
        record_size(self.data_len)
    }

    pub fn is_tombstone(&self) -> bool {
        self.lamports == 0
    }
}

/// Decode a record's fixed part from `b` (at least [`RECORD_HEADER_LEN`]
/// bytes), checking what can be checked without the data: the length, the
/// flags, the tombstone rules. Not the checksum.
pub fn parse_head(b: &[u8]) -> Result<RecordHead, Defect> {
    if b.len() < RECORD_HEADER_LEN {
        return Err(bad(b.len(), format!("record header cut short ({} of {RECORD_HEADER_LEN} bytes)", b.len())));
    }
    let len_flags = u32_at(b, 4);
    let data_len = (len_flags & DATA_LEN_MASK) as usize;
    if len_flags & !(DATA_LEN_MASK | FLAG_EXECUTABLE) != 0 {
        return Err(bad(4, format!("unknown record flags {len_flags:#010x}")));
    }
    if data_len > MAX_DATA_LEN {
        return Err(bad(4, format!("data length {data_len} exceeds the maximum {MAX_DATA_LEN}")));
    }
    let head = RecordHead {
        key: key_at(b, 32),
        seq: u64_at(b, 8),
        slot: u64_at(b, 16),
        lamports: u64_at(b, 24),
        executable: len_flags & FLAG_EXECUTABLE != 0,
        data_len,
    };
    if head.lamports == 0 && (data_len != 0 || head.executable || b[64..96].iter().any(|&x| x != 0)) {
        return Err(bad(24, "tombstone record with data, owner or flags"));
    }
    Ok(head)
}

/// The owner field of the record whose fixed part `b` begins with (`None`
/// if `b` is shorter than the fixed part): what a scan by owner reads first.
pub fn record_owner(b: &[u8]) -> Option<&[u8; 32]> {
    b.get(64..96).and_then(|owner| owner.try_into().ok())
}

/// Check the checksum of the record `b` begins with; `head` is its parsed
/// fixed part and `b` must hold at least `RECORD_HEADER_LEN + data_len` bytes.
pub fn verify_record(b: &[u8], head: &RecordHead) -> Result<(), Defect> {
    let end = RECORD_HEADER_LEN + head.data_len;
    if b.len() < end {
        return Err(bad(b.len(), format!("record cut short ({} of {end} bytes)", b.len())));
    }
    let stored = u32_at(b, 0);
    let computed = crc32fast::hash(&b[4..end]);
    if stored != computed {
        return Err(bad(0, format!("record checksum mismatch (stored {stored:#010x}, computed {computed:#010x})")));
    }
    Ok(())
}

/// The account a verified record holds, its data cut to `max_data` bytes.
pub fn record_account(b: &[u8], head: &RecordHead, max_data: usize) -> Account {
    let n = head.data_len.min(max_data);
    let data = b.get(RECORD_HEADER_LEN..RECORD_HEADER_LEN + n).map(<[u8]>::to_vec).unwrap_or_default();
    Account {
        lamports: head.lamports,
        data,
        owner: Pubkey(if b.len() >= 96 { key_at(b, 64) } else { [0; 32] }),
        executable: head.executable,
    }
}

// ---------------------------------------------------------------------------
// Manifest commit records

/// One commit: what the store holds after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub ledger: LedgerId,
    /// Counts commits (user and compaction); the higher valid slot wins.
    pub generation: u64,
    /// The last committed slot, if any slot was committed.
    pub slot: Option<u64>,
    /// Larger than the sequence number of every committed record.
    pub next_seq: u64,
    /// Larger than the id of every file created before this commit.
    pub next_file_id: u64,
    /// `(file id, committed length)` of every data file, sorted by id.
    pub files: Vec<(u64, u64)>,
}

impl Manifest {
    /// `magic(8) version(4) flags(4) ledger(16) generation(8) slot(8)
    /// next_seq(8) next_file_id(8) count(4) crc32(4) (file_id(8) len(8))*count`;
    /// flags bit 0: a slot was committed; the checksum covers every byte of
    /// the record but its own four.
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; MANIFEST_FIXED_LEN + self.files.len() * MANIFEST_FILE_ENTRY_LEN];
        b[0..8].copy_from_slice(&MANIFEST_MAGIC);
        b[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        b[12..16].copy_from_slice(&u32::from(self.slot.is_some()).to_le_bytes());
        b[16..32].copy_from_slice(&self.ledger);
        b[32..40].copy_from_slice(&self.generation.to_le_bytes());
        b[40..48].copy_from_slice(&self.slot.unwrap_or(0).to_le_bytes());
        b[48..56].copy_from_slice(&self.next_seq.to_le_bytes());
        b[56..64].copy_from_slice(&self.next_file_id.to_le_bytes());
        b[64..68].copy_from_slice(&(self.files.len() as u32).to_le_bytes());
        for (i, (id, len)) in self.files.iter().enumerate() {
            let at = MANIFEST_FIXED_LEN + i * MANIFEST_FILE_ENTRY_LEN;
            b[at..at + 8].copy_from_slice(&id.to_le_bytes());
            b[at + 8..at + 16].copy_from_slice(&len.to_le_bytes());
        }
        let crc = manifest_crc(&b);
        b[68..72].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Decode the commit record at the start of `b` (one manifest slot).
    pub fn decode(b: &[u8]) -> Result<Manifest, Defect> {
        if b.len() < MANIFEST_FIXED_LEN {
            return Err(bad(b.len(), "commit record cut short"));
        }
        if b[0..8] != MANIFEST_MAGIC {
            return Err(bad(0, "no commit record here (bad magic)"));
        }
        let version = u32_at(b, 8);
        if version != FORMAT_VERSION {
            return Err(Defect::Version { found: version });
        }
        let flags = u32_at(b, 12);
        if flags & !1 != 0 {
            return Err(bad(12, format!("unknown commit flags {flags:#x}")));
        }
        let count = u32_at(b, 64) as usize;
        if count > MAX_MANIFEST_FILES {
            return Err(bad(64, format!("{count} files listed (at most {MAX_MANIFEST_FILES})")));
        }
        let end = MANIFEST_FIXED_LEN + count * MANIFEST_FILE_ENTRY_LEN;
        if b.len() < end {
            return Err(bad(b.len(), format!("commit record cut short ({} of {end} bytes)", b.len())));
        }
        let stored = u32_at(b, 68);
        if stored != manifest_crc(&b[..end]) {
            return Err(bad(68, "commit record checksum mismatch"));
        }
        let mut ledger = [0u8; 16];
        ledger.copy_from_slice(&b[16..32]);
        let files: Vec<(u64, u64)> = (0..count)
            .map(|i| {
                let at = MANIFEST_FIXED_LEN + i * MANIFEST_FILE_ENTRY_LEN;
                (u64_at(b, at), u64_at(b, at + 8))
            })
            .collect();
        if files.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(bad(MANIFEST_FIXED_LEN, "file list not strictly sorted"));
        }
        Ok(Manifest {
            ledger,
            generation: u64_at(b, 32),
            slot: (flags & 1 != 0).then(|| u64_at(b, 40)),
            next_seq: u64_at(b, 48),
            next_file_id: u64_at(b, 56),
            files,
        })
    }
}

fn manifest_crc(b: &[u8]) -> u32 {
    let mut crc = crc32fast::Hasher::new();
    crc.update(&b[..68]);
    crc.update(&b[72..]);
    crc.finalize()
}

/// File name of data file `id`.
pub fn data_file_name(id: u64) -> String {
    format!("accounts-{id:016x}.writers")
}

/// The id in a data file's name, if `name` is one.
pub fn parse_data_file_name(name: &str) -> Option<u64> {
    let hex = name.strip_prefix("accounts-")?.strip_suffix(".writers")?;
    if hex.len() != 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn account(lamports: u64, data: Vec<u8>, executable: bool) -> Account {
        Account { lamports, data, owner: Pubkey([9; 32]), executable }
    }

    #[test]
    fn record_round_trip() {
        let key = Pubkey([3; 32]);
        for acc in [account(5, vec![1, 2, 3], true), account(1, vec![], false), account(0, vec![7; 40], true)] {
            let mut buf = vec![0xAA; record_size_of(&acc)];
            write_record(&mut buf, 42, 7, &key, &acc);
            let head = parse_head(&buf).unwrap();
            verify_record(&buf, &head).unwrap();
            assert_eq!(head.key, key.0);
            assert_eq!((head.seq, head.slot), (42, 7));
            let got = record_account(&buf, &head, usize::MAX);
            if acc.lamports == 0 {
                assert!(head.is_tombstone());
                assert_eq!(got, Account { lamports: 0, data: vec![], owner: Pubkey([0; 32]), executable: false });
            } else {
                assert_eq!(got, acc);
            }
        }
    }

    #[test]
    fn token_record_is_264_bytes() {
        assert_eq!(record_size(165), 264);
    }

    #[test]
    fn every_single_bit_flip_in_a_record_is_caught() {
        let acc = account(77, (0..50).collect(), false);
        let mut buf = vec![0; record_size_of(&acc)];
        write_record(&mut buf, 1, 2, &Pubkey([4; 32]), &acc);
        for byte in 0..RECORD_HEADER_LEN + 50 {
            for bit in 0..8 {
                let mut b = buf.clone();
                b[byte] ^= 1 << bit;
                let ok = parse_head(&b).and_then(|h| verify_record(&b, &h));
                assert!(ok.is_err(), "flip of byte {byte} bit {bit} not caught");
            }
        }
    }

    #[test]
    fn header_and_manifest_round_trip() {
        let h = FileHeader { ledger: [1; 16], file_id: 9, capacity: 1 << 20 };
        assert_eq!(FileHeader::decode(&h.encode()), Ok(h));
        let m = Manifest {
            ledger: [2; 16],
            generation: 3,
            slot: Some(44),
            next_seq: 100,
            next_file_id: 12,
            files: vec![(1, 64), (5, 4096)],
        };
        assert_eq!(Manifest::decode(&m.encode()), Ok(m.clone()));
        let none = Manifest { slot: None, files: vec![], ..m };
        assert_eq!(Manifest::decode(&none.encode()), Ok(none));
    }

    #[test]
    fn other_versions_are_named() {
        let mut h = FileHeader { ledger: [1; 16], file_id: 9, capacity: 64 }.encode();
        h[8] = 2;
        assert_eq!(FileHeader::decode(&h), Err(Defect::Version { found: 2 }));
    }

    #[test]
    fn file_names() {
        assert_eq!(parse_data_file_name(&data_file_name(0xabc)), Some(0xabc));
        assert_eq!(parse_data_file_name("accounts-12.writers"), None);
        assert_eq!(parse_data_file_name("MANIFEST"), None);
    }

    proptest! {
        #[test]
        fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = FileHeader::decode(&bytes);
            let _ = Manifest::decode(&bytes);
            if let Ok(head) = parse_head(&bytes) {
                let _ = verify_record(&bytes, &head);
                let _ = record_account(&bytes, &head, 10);
            }
        }

        #[test]
        fn manifest_decoder_never_panics_on_valid_prefixes(count in 0u32..5000, cut in 0usize..200) {
            let m = Manifest { ledger: [0; 16], generation: 1, slot: None, next_seq: 0, next_file_id: 0, files: vec![] };
            let mut b = m.encode();
            b[64..68].copy_from_slice(&count.to_le_bytes());
            b.truncate(cut.min(b.len()));
            let _ = Manifest::decode(&b);
        }
    }
}
