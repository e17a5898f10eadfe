//! Opening a store: create it, or recover the last committed slot.
//!
//! Owns the open procedure of docs/store.md: lock the directory; read the
//! manifest and take its newest valid commit record; open every data file it
//! names and check its header (format version, ledger, id) and size; scan
//! each file up to its committed length on all cores, verifying every
//! record's checksum and rebuilding the index; only then delete the files
//! the commit record does not name (uncommitted files and files a
//! compaction retired) and resume appending.
//!
//! Invariants: bytes past a file's committed length are never read; nothing
//! is deleted or written until every named file has been verified, so a
//! refused open leaves the directory as it found it.
//!
//! Must never: guess at damaged bytes (a failed check is an error naming the
//! file and offset), or pick an older commit record when the newest one is
//! readable.

use super::backend::Backend;
use super::format::{
    self, data_file_name, parse_data_file_name, FileHeader, LedgerId, Manifest, FILE_HEADER_LEN, MANIFEST_LEN,
    MANIFEST_SLOT_LEN, MAX_FILE_LEN, RECORD_HEADER_LEN,
};
use super::index::{Index, Loc};
use super::{
    random_u64, read_record, CommitState, CompactionCounters, FileEntry, FileTable, Files, Inner, MmapStoreError,
    StoreConfig, Writer, SEALED, WRITING,
};
use lanes_sdk::Pubkey;
use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Name of the manifest file.
pub(crate) const MANIFEST: &str = "MANIFEST";

/// What an open found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecoveryReport {
    /// Whether the store was created by this open.
    pub created: bool,
    pub committed_slot: Option<u64>,
    pub files: usize,
    /// Records scanned and verified.
    pub records: u64,
    /// Committed bytes scanned.
    pub bytes: u64,
    /// Files not named by the commit record, deleted.
    pub removed_files: Vec<String>,
    pub seconds: f64,
}

fn check_config(config: &StoreConfig) -> Result<(), MmapStoreError> {
    let min = FILE_HEADER_LEN + RECORD_HEADER_LEN;
    if config.file_capacity < min || config.file_capacity as u64 > MAX_FILE_LEN {
        return Err(MmapStoreError::Rejected(format!(
            "file_capacity {} outside {min}..={MAX_FILE_LEN}",
            config.file_capacity
        )));
    }
    if config.writers == 0 || config.writers > 256 {
        return Err(MmapStoreError::Rejected(format!("writers {} outside 1..=256", config.writers)));
    }
    if !(0.0..=1.0).contains(&config.compact_below) {
        return Err(MmapStoreError::Rejected(format!("compact_below {} outside 0..=1", config.compact_below)));
    }
    Ok(())
}

fn new_ledger_id() -> LedgerId {
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&random_u64().to_le_bytes());
    id[8..].copy_from_slice(&random_u64().to_le_bytes());
    id
}

/// The newest valid commit record in the manifest's bytes.
fn read_manifest(backend: &dyn Backend, bytes: &[u8]) -> Result<Manifest, MmapStoreError> {
    let path = backend.path(MANIFEST);
    let slot = |i: usize| {
        let start = (i * MANIFEST_SLOT_LEN).min(bytes.len());
        let end = ((i + 1) * MANIFEST_SLOT_LEN).min(bytes.len());
        Manifest::decode(&bytes[start..end])
    };
    let (a, b) = (slot(0), slot(1));
    match (a, b) {
        (Ok(a), Ok(b)) => {
            if a.generation == b.generation && a != b {
                return Err(MmapStoreError::corrupt(&path, 0, "the two copies of the newest commit record disagree"));
            }
            if a.ledger != b.ledger {
                return Err(MmapStoreError::corrupt(
                    &path,
                    MANIFEST_SLOT_LEN as u64,
                    "the commit records name two ledgers",
                ));
            }
            Ok(if b.generation > a.generation { b } else { a })
        }
        (Ok(m), Err(_)) | (Err(_), Ok(m)) => Ok(m),
        (Err(ea), Err(eb)) => {
            // A version mismatch says more than "damaged".
            for (e, base) in [(&ea, 0), (&eb, MANIFEST_SLOT_LEN)] {
                if let format::Defect::Version { .. } = e {
                    return Err(MmapStoreError::defect(&path, base as u64, e.clone()));
                }
            }
            let describe = |e: &format::Defect, base: usize| match e {
                format::Defect::Bad { at, what } => format!("copy at offset {}: {what}", base + at),
                format::Defect::Version { found } => {
                    format!("copy at offset {base}: version {found}")
                }
            };
            Err(MmapStoreError::corrupt(
                &path,
                0,
                format!(
                    "no valid commit record ({}; {}){}",
                    describe(&ea, 0),
                    describe(&eb, MANIFEST_SLOT_LEN),
                    if bytes.len() < MANIFEST_LEN {
                        format!("; the file is {} of {MANIFEST_LEN} bytes", bytes.len())
                    } else {
                        String::new()
                    }
                ),
            ))
        }
    }
}

/// Open the store on `backend`.
pub(crate) fn open(backend: Box<dyn Backend>, config: StoreConfig) -> Result<Inner, MmapStoreError> {
    let started = Instant::now();
    check_config(&config)?;
    let lock_path = backend.path("LOCK");
    let lock = match backend.lock() {
        Ok(Some(lock)) => lock,
        Ok(None) => return Err(MmapStoreError::Locked { path: lock_path }),
        Err(e) => return Err(MmapStoreError::io(&lock_path, "lock", e)),
    };
    let manifest_path = backend.path(MANIFEST);
    let names = backend.list().map_err(|e| MmapStoreError::io(&backend.path(""), "list", e))?;
    let mut report = RecoveryReport::default();

    let (manifest, needs_repair) = match backend
        .read(MANIFEST)
        .map_err(|e| MmapStoreError::io(&manifest_path, "read", e))?
    {
        Some(bytes) => {
            let m = read_manifest(&*backend, &bytes)?;
            let record = m.encode();
            let copy_ok = |base: usize| bytes.get(base..base + record.len()) == Some(&record[..]);
            let needs_repair = !(copy_ok(0) && copy_ok(MANIFEST_SLOT_LEN));
            (m, needs_repair)
        }
        None => {
            if let Some(stray) = names.iter().find(|n| parse_data_file_name(n).is_some()) {
                return Err(MmapStoreError::corrupt(
                    &backend.path(stray),
                    0,
                    "an account file without a MANIFEST: not a store this build created, or its manifest was lost",
                ));
            }
            let tmp = format!("{MANIFEST}.tmp");
            if names.contains(&tmp) {
                // A creation that crashed before the rename.
                backend.remove(&tmp).map_err(|e| MmapStoreError::io(&backend.path(&tmp), "remove", e))?;
            }
            let m = Manifest {
                ledger: config.ledger_id.unwrap_or_else(new_ledger_id),
                generation: 0,
                slot: None,
                next_seq: 0,
                next_file_id: 1,
                files: Vec::new(),
            };
            // Both copies hold the first record: every commit then starts
            // with two equal, valid copies.
            let record = m.encode();
            let mut bytes = vec![0u8; MANIFEST_LEN];
            bytes[..record.len()].copy_from_slice(&record);
            bytes[MANIFEST_SLOT_LEN..MANIFEST_SLOT_LEN + record.len()].copy_from_slice(&record);
            backend.create_durable(MANIFEST, &bytes).map_err(|e| MmapStoreError::io(&manifest_path, "create", e))?;
            report.created = true;
            (m, false)
        }
    };
    if let Some(expected) = config.ledger_id {
        if manifest.ledger != expected {
            return Err(MmapStoreError::WrongLedger { path: manifest_path, found: manifest.ledger, expected });
        }
    }
    if manifest.slot.is_none() && !manifest.files.is_empty() {
        return Err(MmapStoreError::corrupt(&manifest_path, 0, "files listed but no slot committed"));
    }

    // Open and check every named file.
    let mut table = FileTable::default();
    for &(id, len) in &manifest.files {
        let name = data_file_name(id);
        let path = backend.path(&name);
        let size = match backend.file_len(&name) {
            Ok(size) => size,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(MmapStoreError::corrupt(
                    &path,
                    0,
                    format!("missing: the last commit names it with {len} bytes"),
                ));
            }
            Err(e) => return Err(MmapStoreError::io(&path, "stat", e)),
        };
        if len < FILE_HEADER_LEN as u64 || len > MAX_FILE_LEN {
            return Err(MmapStoreError::corrupt(
                &manifest_path,
                0,
                format!("{name} listed with impossible length {len}"),
            ));
        }
        if size < len {
            return Err(MmapStoreError::corrupt(
                &path,
                size,
                format!("truncated: the file is {size} bytes but the last commit covers {len} bytes"),
            ));
        }
        let data = backend.open_data(&name, len as usize).map_err(|e| MmapStoreError::io(&path, "open", e))?;
        let header = data
            .region()
            .bytes(0, FILE_HEADER_LEN)
            .ok_or_else(|| MmapStoreError::corrupt(&path, 0, "header unreadable"))
            .and_then(|b| FileHeader::decode(b).map_err(|d| MmapStoreError::defect(&path, 0, d)))?;
        if header.ledger != manifest.ledger {
            return Err(MmapStoreError::WrongLedger { path, found: header.ledger, expected: manifest.ledger });
        }
        if header.file_id != id {
            return Err(MmapStoreError::corrupt(
                &path,
                32,
                format!("header names file {} (expected {id})", header.file_id),
            ));
        }
        let entry = table.insert(|slot| {
            FileEntry::new((id, slot), (name.clone(), path.clone()), data, (len as usize, len as usize), SEALED)
        });
        if entry.is_none() {
            return Err(MmapStoreError::Rejected(format!("more than {} data files", Loc::MAX_FILE)));
        }
    }

    let members: Vec<u64> = manifest.files.iter().map(|f| f.0).collect();
    let max_member = members.iter().copied().max().unwrap_or(0);
    let inner = Inner {
        ledger: manifest.ledger,
        index: Index::new([random_u64(), random_u64(), random_u64(), random_u64()]),
        files: Files::new(table),
        writers: (0..config.writers).map(|_| Mutex::new(Writer::default())).collect(),
        commit: Mutex::new(CommitState {
            meta: backend.open_meta(MANIFEST).map_err(|e| MmapStoreError::io(&manifest_path, "open", e))?,
            generation: manifest.generation,
            slot: manifest.slot,
            next_seq: manifest.next_seq,
            members: manifest.files.clone(),
        }),
        compacting: Mutex::new(()),
        stale_copies: Mutex::new(Vec::new()),
        next_seq: AtomicU64::new(manifest.next_seq),
        next_file_id: AtomicU64::new(0),
        committed: AtomicU64::new(manifest.slot.map_or(0, |s| s.saturating_add(1))),
        max_stored_slot: AtomicU64::new(manifest.slot.map_or(0, |s| s.saturating_add(1))),
        poisoned: AtomicBool::new(false),
        poison_reason: Mutex::new(None),
        shutdown: Mutex::new(false),
        wake: Condvar::new(),
        compaction: CompactionCounters::default(),
        recovery: Mutex::new(RecoveryReport::default()),
        _lock: lock,
        backend,
        config,
    };

    // Scan and index, on all cores.
    let (records, bytes) = inner.scan_all(&manifest)?;
    report.records = records;
    report.bytes = bytes;
    report.files = manifest.files.len();

    // Every named file checked out. Make both manifest copies hold the
    // record recovered from (one may be torn or older after a crash inside
    // a commit): the next commit overwrites the first copy, and must find
    // the recovered record in the second.
    if needs_repair {
        let mut cs = inner.commit.lock();
        inner.write_manifest(&mut cs, &manifest)?;
    }

    // Now remove what the commit does not name.
    let mut max_seen = max_member;
    for name in &names {
        let Some(id) = parse_data_file_name(name) else {
            continue;
        };
        max_seen = max_seen.max(id);
        if members.binary_search(&id).is_err() {
            inner.backend.remove(name).map_err(|e| MmapStoreError::io(&inner.path(name), "remove", e))?;
            report.removed_files.push(name.clone());
        }
    }
    if !report.created && names.iter().any(|n| n == &format!("{MANIFEST}.tmp")) {
        let tmp = format!("{MANIFEST}.tmp");
        inner.backend.remove(&tmp).map_err(|e| MmapStoreError::io(&inner.path(&tmp), "remove", e))?;
    }
    inner.next_file_id.store(manifest.next_file_id.max(max_seen.saturating_add(1)), Ordering::Release);

    inner.resume_writers();
    report.committed_slot = manifest.slot;
    report.seconds = started.elapsed().as_secs_f64();
    *inner.recovery.lock() = report;
    Ok(inner)
}

impl Inner {
    /// Verify and index every committed record of every file.
    fn scan_all(&self, manifest: &Manifest) -> Result<(u64, u64), MmapStoreError> {
        let files: Vec<Arc<FileEntry>> = {
            let mut v: Vec<_> = self.files.read().iter().cloned().collect();
            v.sort_by_key(|f| std::cmp::Reverse(f.committed_len.load(Ordering::Relaxed)));
            v
        };
        let threads = crate::available_cores().min(files.len()).max(1);
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let errors: Mutex<Vec<(u64, MmapStoreError)>> = Mutex::new(Vec::new());
        let totals = Mutex::new((0u64, 0u64));
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    let (mut records, mut bytes) = (0u64, 0u64);
                    while !stop.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(file) = files.get(i) else { break };
                        match self.scan_file(file, manifest, &stop) {
                            Ok(n) => {
                                records += n;
                                bytes += file.committed_len.load(Ordering::Relaxed) as u64;
                            }
                            Err(e) => {
                                errors.lock().push((file.id, e));
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                    let mut t = totals.lock();
                    t.0 += records;
                    t.1 += bytes;
                });
            }
        });
        let mut errors = errors.into_inner();
        errors.sort_by_key(|e| e.0);
        if let Some((_, e)) = errors.into_iter().next() {
            return Err(e);
        }
        if let Some(why) = self.poison_reason.lock().clone() {
            return Err(MmapStoreError::Poisoned(why));
        }
        Ok(totals.into_inner())
    }

    /// Verify and index one file's committed records; returns how many.
    fn scan_file(&self, file: &Arc<FileEntry>, manifest: &Manifest, stop: &AtomicBool) -> Result<u64, MmapStoreError> {
        let end = file.committed_len.load(Ordering::Relaxed);
        let path = &file.path;
        let region = file.data.region();
        region.advise(true);
        let files = self.files.read();
        let resolve = |l: Loc| self.resolve(&files, l);
        let mut off = FILE_HEADER_LEN;
        let mut count = 0u64;
        while off < end {
            if count.is_multiple_of(65536) && stop.load(Ordering::Relaxed) {
                break;
            }
            let (head, _) = read_record(file, off, end, true)?;
            let size = head.size();
            if manifest.slot.is_none_or(|s| head.slot > s) {
                return Err(MmapStoreError::corrupt(
                    path,
                    off as u64 + 16,
                    format!("record of slot {} beyond the committed slot {:?}", head.slot, manifest.slot),
                ));
            }
            if head.seq >= manifest.next_seq {
                return Err(MmapStoreError::corrupt(
                    path,
                    off as u64 + 8,
                    format!("record sequence {} not below the committed {}", head.seq, manifest.next_seq),
                ));
            }
            let tomb = head.is_tombstone();
            file.live_bytes.fetch_add(size as u64, Ordering::Relaxed);
            let outcome = self.index.upsert(&Pubkey(head.key), Loc::new(file.slot, off, tomb), head.seq, &resolve);
            self.account_upsert(&files, file, size, outcome);
            off += size;
            count += 1;
        }
        region.advise(false);
        Ok(count)
    }

    /// Give each writer a file with room left, if there is one.
    fn resume_writers(&self) {
        let files = self.files.read();
        let mut roomy: Vec<&Arc<FileEntry>> =
            files.iter().filter(|f| f.data.region().len() - f.readable() >= self.config.file_capacity / 4).collect();
        roomy.sort_by_key(|f| std::cmp::Reverse(f.data.region().len() - f.readable()));
        for (writer, file) in self.writers.iter().zip(roomy) {
            if let Some(app) = file.data.region().appender() {
                file.state.store(WRITING, Ordering::Release);
                writer.lock().current = Some((file.clone(), app));
            }
        }
    }
}
