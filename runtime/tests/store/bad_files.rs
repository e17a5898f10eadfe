//! Damaged and foreign files: each gives an error naming the file (and the
//! offset, for damaged bytes), never a panic and never a store that opens
//! with different contents; damage the format can tolerate (one manifest
//! copy, the uncommitted tail) loses nothing. A full disk fails the write
//! with a clear error and leaves the committed state intact.

use crate::common::*;
use lanes_runtime::store::mmap::format::{self, FILE_HEADER_LEN, MANIFEST_SLOT_LEN};
use lanes_runtime::store::mmap::{MmapAccountStore, MmapStoreError, SimBackend, StoreConfig, Tear};
use lanes_runtime::store::AccountStore;
use std::fs;
use std::path::{Path, PathBuf};

fn config() -> StoreConfig {
    deterministic_config(16 << 10)
}

/// A store with a few committed slots over several files, plus an
/// uncommitted tail. Returns its model.
fn build(dir: &Path, config: StoreConfig) -> Model {
    let store = MmapAccountStore::open(dir, config).unwrap();
    let mut model = Model::new();
    for slot in 1..=4u64 {
        let updates: Vec<_> = (0..30).map(|i| (key(i), account(slot * 100 + i + 1, 150, slot + i))).collect();
        store.store(slot, &updates).unwrap();
        apply(&mut model, &updates);
        store.commit_slot(slot).unwrap();
    }
    store.store(5, &[(key(1), account(9, 9, 9))]).unwrap();
    model
}

fn data_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).and_then(format::parse_data_file_name).is_some())
        .collect();
    v.sort();
    v
}

/// The committed length of each data file, from the manifest.
fn committed(dir: &Path) -> Vec<(PathBuf, u64)> {
    let bytes = fs::read(dir.join("MANIFEST")).unwrap();
    let m = format::Manifest::decode(&bytes[..MANIFEST_SLOT_LEN]).unwrap();
    m.files.iter().map(|(id, len)| (dir.join(format::data_file_name(*id)), *len)).collect()
}

fn flip(path: &Path, offset: u64) {
    let mut b = fs::read(path).unwrap();
    b[offset as usize] ^= 0x40;
    fs::write(path, b).unwrap();
}

fn open_err(dir: &Path) -> MmapStoreError {
    match MmapAccountStore::open(dir, config()) {
        Ok(_) => panic!("opened a damaged store"),
        Err(e) => e,
    }
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn a_truncated_data_file_is_named_with_its_size() {
    let dir = TempDir::new("trunc");
    build(dir.path(), config());
    let (path, len) = committed(dir.path()).into_iter().next().unwrap();
    let f = fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(len - 100).unwrap();
    let err = open_err(dir.path());
    let msg = err.to_string();
    assert!(matches!(err, MmapStoreError::Corrupt { offset, .. } if offset == len - 100), "{msg}");
    assert!(msg.contains(&name(&path)) && msg.contains("truncated"), "{msg}");
}

#[test]
fn a_truncated_or_missing_manifest_is_named() {
    let dir = TempDir::new("trunc-manifest");
    build(dir.path(), config());
    let manifest = dir.path().join("MANIFEST");
    let f = fs::OpenOptions::new().write(true).open(&manifest).unwrap();
    f.set_len(40).unwrap();
    let msg = open_err(dir.path()).to_string();
    assert!(msg.contains("MANIFEST") && msg.contains("no valid commit record"), "{msg}");
    fs::remove_file(&manifest).unwrap();
    let msg = open_err(dir.path()).to_string();
    assert!(msg.contains("without a MANIFEST"), "{msg}");
}

#[test]
fn a_missing_data_file_is_named() {
    let dir = TempDir::new("missing");
    build(dir.path(), config());
    let (path, _) = committed(dir.path()).into_iter().nth(1).unwrap();
    fs::remove_file(&path).unwrap();
    let msg = open_err(dir.path()).to_string();
    assert!(msg.contains(&name(&path)) && msg.contains("missing"), "{msg}");
}

/// Flip one byte at many places of the committed data: each open either
/// fails naming the file and the damaged record's offset, or (padding
/// bytes, which no checksum covers and no reader reads) opens with exactly
/// the committed state. The directory is restored between tries.
#[test]
fn flipped_bytes_in_committed_records_are_caught() {
    let dir = TempDir::new("flip");
    let model = build(dir.path(), config());
    let files = committed(dir.path());
    let mut caught = 0;
    for (path, len) in &files {
        let original = fs::read(path).unwrap();
        for offset in (0..*len).step_by(37) {
            flip(path, offset);
            match MmapAccountStore::open(dir.path(), config()) {
                Err(e) => {
                    let msg = e.to_string();
                    assert!(msg.contains(&name(path)), "offset {offset}: {msg}");
                    if offset >= FILE_HEADER_LEN as u64 {
                        // Named at the damaged record (its start or the bad field).
                        let at = match e {
                            MmapStoreError::Corrupt { offset, .. } => offset,
                            other => panic!("flip at {offset}: {other}"),
                        };
                        assert!(at <= offset && offset - at < 248, "flip at {offset} reported at {at}: {msg}");
                    }
                    caught += 1;
                }
                Ok(store) => {
                    assert!(store.accounts() == sorted(&model), "flip at {offset} of {} changed the state", name(path));
                }
            }
            fs::write(path, &original).unwrap();
        }
    }
    assert!(caught > 20);
    assert_eq!(MmapAccountStore::open(dir.path(), config()).unwrap().accounts(), sorted(&model));
}

#[test]
fn damage_past_the_committed_end_is_ignored() {
    let dir = TempDir::new("tail");
    let model = build(dir.path(), config());
    for (path, len) in committed(dir.path()) {
        let size = fs::metadata(&path).unwrap().len();
        for offset in (len..size).step_by(101) {
            flip(&path, offset);
        }
    }
    let store = MmapAccountStore::open(dir.path(), config()).unwrap();
    assert_eq!(store.committed_slot(), Some(4));
    assert_eq!(store.accounts(), sorted(&model));
}

#[test]
fn one_damaged_manifest_copy_loses_nothing_two_are_an_error() {
    let dir = TempDir::new("manifest-copy");
    let model = build(dir.path(), config());
    let manifest = dir.path().join("MANIFEST");
    let original = fs::read(&manifest).unwrap();
    for copy in [0u64, MANIFEST_SLOT_LEN as u64] {
        flip(&manifest, copy + 40);
        let store = MmapAccountStore::open(dir.path(), config()).unwrap();
        assert_eq!((store.committed_slot(), store.accounts()), (Some(4), sorted(&model)));
        drop(store);
        fs::write(&manifest, &original).unwrap();
    }
    flip(&manifest, 40);
    flip(&manifest, MANIFEST_SLOT_LEN as u64 + 40);
    let msg = open_err(dir.path()).to_string();
    assert!(msg.contains("MANIFEST") && msg.contains("checksum"), "{msg}");
}

/// Rewrite the version field of a header (keeping its checksum right) so
/// only the version is wrong.
fn set_data_file_version(path: &Path, version: u32) {
    let mut b = fs::read(path).unwrap();
    b[8..12].copy_from_slice(&version.to_le_bytes());
    let crc = crc32(&b[0..60]);
    b[60..64].copy_from_slice(&crc.to_le_bytes());
    fs::write(path, b).unwrap();
}

fn crc32(bytes: &[u8]) -> u32 {
    // Bitwise CRC-32 (IEEE), independent of the store's implementation.
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn another_format_version_is_named() {
    let dir = TempDir::new("version");
    build(dir.path(), config());
    let (path, _) = committed(dir.path()).into_iter().next().unwrap();
    set_data_file_version(&path, 2);
    let err = open_err(dir.path());
    assert!(matches!(err, MmapStoreError::Version { found: 2, .. }), "{err}");
    assert!(err.to_string().contains(&name(&path)), "{err}");
    set_data_file_version(&path, 1);
    MmapAccountStore::open(dir.path(), config()).unwrap();

    // The manifest, both copies.
    let manifest = dir.path().join("MANIFEST");
    let mut b = fs::read(&manifest).unwrap();
    for base in [0, MANIFEST_SLOT_LEN] {
        b[base + 8..base + 12].copy_from_slice(&7u32.to_le_bytes());
    }
    fs::write(&manifest, b).unwrap();
    let err = open_err(dir.path());
    assert!(matches!(err, MmapStoreError::Version { found: 7, .. }), "{err}");
    assert!(err.to_string().contains("MANIFEST"), "{err}");
}

#[test]
fn a_file_from_another_ledger_is_refused() {
    let a = TempDir::new("ledger-a");
    let b = TempDir::new("ledger-b");
    build(a.path(), config());
    build(b.path(), config());
    let (target, _) = committed(a.path()).into_iter().next().unwrap();
    let (source, _) = committed(b.path()).into_iter().next().unwrap();
    assert_eq!(name(&target), name(&source), "same file id in both stores");
    fs::copy(&source, &target).unwrap();
    let err = open_err(a.path());
    assert!(matches!(err, MmapStoreError::WrongLedger { .. }), "{err}");
    assert!(err.to_string().contains(&name(&target)), "{err}");
}

#[test]
fn garbage_files_are_errors_not_panics() {
    let mut rng = Rng(5);
    for round in 0..40 {
        let dir = TempDir::new("garbage");
        build(dir.path(), config());
        let victim = if round % 2 == 0 { dir.path().join("MANIFEST") } else { data_files(dir.path())[0].clone() };
        let len = fs::metadata(&victim).unwrap().len() as usize;
        let mut bytes = fs::read(&victim).unwrap();
        match round % 4 {
            0 | 1 => bytes.iter_mut().for_each(|b| *b = rng.next() as u8),
            2 => bytes.truncate(rng.below(len as u64) as usize),
            _ => {
                for _ in 0..50 {
                    let i = rng.below(len as u64) as usize;
                    bytes[i] = rng.next() as u8;
                }
            }
        }
        fs::write(&victim, bytes).unwrap();
        // Either an error or (damage only where nothing reads) a clean open.
        if let Err(e) = MmapAccountStore::open(dir.path(), config()) {
            assert!(!e.to_string().is_empty());
        }
    }
}

/// The disk fills up: the write that needs a new file fails with a clear
/// error and changes nothing; earlier writes are still readable and
/// committable; a crash afterwards reopens at the last commit.
#[test]
fn a_full_disk_is_an_error_and_the_previous_state_stays() {
    let sim = SimBackend::new();
    let config = deterministic_config(8 << 10);
    let store = MmapAccountStore::open_sim(&sim, config.clone()).unwrap();
    let mut model = Model::new();
    store.store(1, &[(key(1), account(5, 100, 1))]).unwrap();
    apply(&mut model, &[(key(1), account(5, 100, 1))]);
    store.commit_slot(1).unwrap();
    sim.set_space_limit(Some(24 << 10));
    let mut slot = 2;
    let err = loop {
        let updates: Vec<_> = (0..5).map(|i| (key(i + slot * 10), account(slot, 400, i))).collect();
        match store.store_accounts(slot, &updates) {
            Ok(()) => {
                apply(&mut model, &updates);
                store.commit_slot(slot).unwrap();
                slot += 1;
            }
            Err(e) => break e,
        }
        assert!(slot < 100, "the space limit never hit");
    };
    assert!(err.is_disk_full(), "{err}");
    assert!(err.to_string().contains("accounts-"), "names the file it could not create: {err}");
    assert!(store.poisoned().is_none(), "a full disk is not a failed sync: the store goes on");
    assert_eq!(store.accounts(), sorted(&model), "the failed batch left no trace");
    store.commit_slot(slot).unwrap();
    drop(store);
    let image = sim.crash_image(Tear::Synced);
    let store = MmapAccountStore::open_sim(&image, config).unwrap();
    assert_eq!(store.accounts(), sorted(&model));
    assert_eq!(store.committed_slot(), Some(slot));
}
