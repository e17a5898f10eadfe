//! Compaction: rewriting full, committed files whose live share has fallen.
//!
//! Owns the choice of victims and the rewrite of docs/store.md: copy each
//! victim's live records, byte for byte (same sequence number, slot and
//! checksum), into new files; make those durable; write one commit record
//! that adds them and drops the victims; only then forget the victims'
//! records in the index and delete the files. A tombstone is dropped instead
//! of copied when every record of its key on disk is in this run's victims
//! (the index counts each key's records), since the commit then removes the
//! key from disk altogether.
//!
//! Runs beside execution: `store` and `get` never wait for it except for a
//! shard lock per record and one commit-record write per run. A record
//! rewritten by `store` during the copy keeps its newer version (the index
//! moves to a copy only if it still points at the original). "Live" means
//! the newest *committed* record: while a key's newest record is not yet
//! committed, its records in the victims are copied too (stale copies), or
//! a crash before that slot commits would lose the key.
//!
//! Invariants: only sealed files whose whole content is committed are
//! rewritten, so a copy never makes an uncommitted record durable; until the
//! commit record that drops a victim is durable, the victim stays named and
//! on disk, so no crash loses a record.
//!
//! Must never: modify a victim, delete a file before the commit record that
//! drops it is durable, or commit outputs that are not yet synced.

use super::format::{parse_head, FILE_HEADER_LEN, RECORD_HEADER_LEN};
use super::index::{Loc, Release};
use super::raw::Appender;
use super::{read_record, FileEntry, Inner, Manifest, MmapStoreError, PENDING, RETIRED, SEALED};
use lanes_sdk::Pubkey;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// What compaction did (one run, or the total since open).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompactionReport {
    pub runs: u64,
    /// Files rewritten and deleted.
    pub files: u64,
    pub records_copied: u64,
    pub bytes_copied: u64,
    /// Reserved bytes of the deleted files.
    pub bytes_freed: u64,
    pub tombstones_dropped: u64,
    pub seconds: f64,
}

/// Why a record is copied.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CopyKind {
    /// It is its key's newest record.
    Live,
    /// Its key's newest record is not committed yet, so this one may be the
    /// newest committed version: the commit that drops the victim must keep it.
    Stale,
}

/// The state of one run.
#[derive(Default)]
struct Run {
    report: CompactionReport,
    /// Live tombstones met in the victims, decided at the end.
    deferred: Vec<(Arc<FileEntry>, usize)>,
    /// Records seen in the victims of each key whose newest is a tombstone.
    tomb_records: HashMap<Pubkey, u32>,
}

struct Output {
    current: Option<(Arc<FileEntry>, Appender)>,
    files: Vec<Arc<FileEntry>>,
}

impl Inner {
    /// Sealed, fully committed files whose live share of their size is
    /// below the threshold (an unused reserved tail counts as dead), emptiest
    /// first, as many as fit one file.
    fn pick_victims(&self) -> Vec<Arc<FileEntry>> {
        let files = self.files.read();
        let mut candidates: Vec<(f64, Arc<FileEntry>)> = files
            .iter()
            .filter(|f| f.state() == SEALED && f.committed_len.load(Ordering::Acquire) == f.readable())
            .filter_map(|f| {
                let space = f.data.region().len().saturating_sub(FILE_HEADER_LEN).max(1);
                let share = f.live_bytes.load(Ordering::Relaxed) as f64 / space as f64;
                (share < self.config.compact_below).then(|| (share, f.clone()))
            })
            .collect();
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut picked = Vec::new();
        let mut live = 0usize;
        for (_, f) in candidates {
            let l = f.live_bytes.load(Ordering::Relaxed) as usize;
            if !picked.is_empty() && live + l > self.config.file_capacity {
                break;
            }
            live += l;
            picked.push(f);
            if picked.len() == 64 {
                break;
            }
        }
        picked
    }

    /// Append a copy of `record` to the current output, starting an output
    /// file sized for what is left to copy when needed.
    fn append_copy(
        &self,
        out: &mut Output,
        rest: &[Arc<FileEntry>],
        record: &[u8],
    ) -> Result<(Arc<FileEntry>, usize), MmapStoreError> {
        let size = record.len();
        if out.current.as_ref().is_none_or(|(_, app)| app.room() < size) {
            let left: usize = rest.iter().map(|f| f.live_bytes.load(Ordering::Relaxed) as usize).sum();
            // Sized to fit exactly what is left to copy (live bytes only
            // shrink while a file is sealed), so that an output of an
            // undisturbed run is all live and never qualifies again.
            let cap = (FILE_HEADER_LEN + left.max(size)).min(self.config.file_capacity.max(FILE_HEADER_LEN + size));
            let file = self.create_file(cap, PENDING)?;
            let Some(app) = file.data.region().appender() else {
                return Err(MmapStoreError::Rejected("internal: a new file already had a writer".into()));
            };
            out.files.push(file.clone());
            out.current = Some((file, app));
        }
        let Some((file, app)) = out.current.as_mut() else {
            return Err(MmapStoreError::Rejected("internal: no output file".into()));
        };
        self.backend.before_append().map_err(|e| MmapStoreError::io(&file.path, "append", e))?;
        match app.append(size, |buf| buf.copy_from_slice(record)) {
            Some(off) => Ok((file.clone(), off)),
            None => Err(MmapStoreError::Rejected("internal: output file too small".into())),
        }
    }

    /// The index's record for `key`, and whether it is part of the
    /// committed state (an output of this run holds only copies of
    /// committed records).
    fn current(&self, key: &Pubkey) -> (Option<Loc>, bool) {
        let files = self.files.read();
        let cur = self.index.get(key, &|l| self.resolve(&files, l));
        let committed = cur.is_some_and(|c| {
            files
                .get(c.file())
                .is_some_and(|f| f.state() == PENDING || c.offset() < f.committed_len.load(Ordering::Acquire))
        });
        (cur, committed)
    }

    /// Copy `victim`'s live records to the output (`rest` starts with it).
    /// Live tombstones are not copied yet but put in `run.deferred`, and the
    /// records of every key whose newest record is a tombstone are counted
    /// in `run.tomb_records`: see [`Inner::settle_tombstones`].
    fn copy_live(
        &self,
        victim: &Arc<FileEntry>,
        rest: &[Arc<FileEntry>],
        out: &mut Output,
        run: &mut Run,
    ) -> Result<(), MmapStoreError> {
        let end = victim.committed_len.load(Ordering::Acquire);
        let mut off = FILE_HEADER_LEN;
        while off < end {
            // Pages may have been dropped from the cache and read back since
            // the open: check the bytes again before copying them.
            let (head, record) = read_record(victim, off, end, true)?;
            let size = head.size();
            let key = Pubkey(head.key);
            let here = Loc::new(victim.slot, off, head.is_tombstone());
            let (current, cur_committed) = self.current(&key);
            if let Some(cur) = current {
                if cur.tomb() {
                    *run.tomb_records.entry(key).or_default() += 1;
                }
                if cur.place() == here.place() {
                    if cur.tomb() {
                        run.deferred.push((victim.clone(), off));
                    } else {
                        self.copy_record(victim, here, &key, record, rest, out, &mut run.report, CopyKind::Live)?;
                    }
                } else if !cur_committed {
                    // The newest record is not committed yet (a store of the
                    // slot in flight): this one may be the key's newest
                    // committed version, which the commit dropping the
                    // victims must keep. Copy it (the index stays where it is).
                    self.copy_record(victim, here, &key, record, rest, out, &mut run.report, CopyKind::Stale)?;
                }
            }
            off += size;
        }
        Ok(())
    }

    /// Copy `record` (at `here` in `victim`) to the output and point the
    /// index at the copy if it still points at `here`. A [`CopyKind::Stale`]
    /// copy the index does not point at counts as live until the next
    /// commit (see `Inner::stale_copies`).
    #[allow(clippy::too_many_arguments)]
    fn copy_record(
        &self,
        victim: &FileEntry,
        here: Loc,
        key: &Pubkey,
        record: &[u8],
        rest: &[Arc<FileEntry>],
        out: &mut Output,
        report: &mut CompactionReport,
        kind: CopyKind,
    ) -> Result<(), MmapStoreError> {
        let size = record.len();
        let (file, new_off) = self.append_copy(out, rest, record)?;
        let files = self.files.read();
        let to = Loc::new(file.slot, new_off, here.tomb());
        if self.index.relocate(key, here, to, &|l| self.resolve(&files, l)) {
            victim.live_bytes.fetch_sub(size as u64, Ordering::Relaxed);
            file.live_bytes.fetch_add(size as u64, Ordering::Relaxed);
        } else if kind == CopyKind::Stale {
            file.live_bytes.fetch_add(size as u64, Ordering::Relaxed);
            self.stale_copies.lock().push((file.clone(), size as u64));
        }
        report.records_copied += 1;
        report.bytes_copied += size as u64;
        Ok(())
    }

    /// Once every victim was read: a live tombstone whose key has no record
    /// outside the victims (its count of records equals the records seen in
    /// them) is dropped — the commit removes the key from disk altogether;
    /// any other live tombstone is copied.
    fn settle_tombstones(
        &self,
        victims: &[Arc<FileEntry>],
        out: &mut Output,
        run: &mut Run,
    ) -> Result<(), MmapStoreError> {
        for (victim, off) in std::mem::take(&mut run.deferred) {
            let end = victim.committed_len.load(Ordering::Acquire);
            let (head, record) = read_record(&victim, off, end, false)?;
            let key = Pubkey(head.key);
            let here = Loc::new(victim.slot, off, true);
            let (current, cur_committed) = self.current(&key);
            let Some(cur) = current.filter(|c| c.place() == here.place()) else {
                // Overwritten since: keep this tombstone unless the newer
                // record is committed (it may still be the newest committed).
                if current.is_some() && !cur_committed {
                    self.copy_record(&victim, here, &key, record, victims, out, &mut run.report, CopyKind::Stale)?;
                }
                continue;
            };
            let seen = run.tomb_records.get(&key).copied().unwrap_or(0);
            if cur.rc() < Loc::MAX_RC && cur.rc() == seen {
                run.report.tombstones_dropped += 1;
            } else {
                self.copy_record(&victim, here, &key, record, victims, out, &mut run.report, CopyKind::Live)?;
            }
        }
        Ok(())
    }

    /// After the commit that dropped the victims: forget `victim`'s records
    /// in the index. An entry may disappear only with its key's last record,
    /// and must then have pointed at a dropped tombstone in one of `done`.
    fn release_records(&self, victim: &FileEntry, done: &[Arc<FileEntry>]) -> Result<(), MmapStoreError> {
        let region = victim.data.region();
        let end = victim.committed_len.load(Ordering::Acquire);
        let mut off = FILE_HEADER_LEN;
        let mut files = self.files.read();
        let mut n = 0u32;
        while off < end {
            let head = region
                .bytes(off, RECORD_HEADER_LEN)
                .ok_or_else(|| MmapStoreError::corrupt(&victim.path, off as u64, "unreadable"))
                .and_then(|b| parse_head(b).map_err(|d| MmapStoreError::defect(&victim.path, off as u64, d)))?;
            let released = self.index.release(&Pubkey(head.key), &|l| self.resolve(&files, l));
            let consistent = match released {
                Release::Kept => true,
                Release::Removed(loc) => loc.tomb() && done.iter().any(|v| v.slot == loc.file()),
                Release::Missing => false,
            };
            if !consistent {
                let why = format!(
                    "internal: index out of step with {} at offset {off} ({released:?}); stopping",
                    victim.path.display()
                );
                self.poison(why.clone());
                return Err(MmapStoreError::Poisoned(why));
            }
            off += head.size();
            n += 1;
            if n.is_multiple_of(1024) {
                // Let file creation in.
                drop(files);
                files = self.files.read();
            }
        }
        Ok(())
    }

    /// Close and delete a victim whose records are all released.
    fn delete_file(&self, victim: &FileEntry) {
        self.files.update(|table| table.remove(victim.slot));
        if let Err(e) = self.backend.remove(&victim.name) {
            // Harmless: the next open deletes files no commit names.
            *self.compaction.last_error.lock() = Some(MmapStoreError::io(&victim.path, "remove", e).to_string());
        }
    }

    /// One compaction run; `None` if no file qualified.
    pub(crate) fn compact_once(&self) -> Result<Option<CompactionReport>, MmapStoreError> {
        let _one = self.compacting.lock();
        self.check_usable()?;
        let started = Instant::now();
        let victims = self.pick_victims();
        if victims.is_empty() {
            return Ok(None);
        }
        let mut run = Run::default();
        run.report.runs = 1;
        let mut out = Output { current: None, files: Vec::new() };
        let mut failure = None;
        for (i, victim) in victims.iter().enumerate() {
            if let Err(e) = self.copy_live(victim, &victims[i..], &mut out, &mut run) {
                failure = Some(e);
                break;
            }
        }
        if failure.is_none() {
            failure = self.settle_tombstones(&victims, &mut out, &mut run).err();
        }
        // After a failure no victim is dropped (a tombstone not yet copied
        // must keep shadowing what it deleted); the outputs still join the
        // committed state, since the index already points into them — their
        // records equal the originals, sequence numbers included.
        let done: &[Arc<FileEntry>] = if failure.is_none() { &victims } else { &[] };
        out.current = None;
        if !done.is_empty() || !out.files.is_empty() {
            for file in &out.files {
                self.sync_file(file, file.readable())?;
            }
            {
                let mut cs = self.commit.lock();
                self.check_usable()?;
                let mut members: BTreeMap<u64, u64> = cs.members.iter().copied().collect();
                for v in done {
                    members.remove(&v.id);
                }
                for o in &out.files {
                    members.insert(o.id, o.readable() as u64);
                }
                let manifest = Manifest {
                    ledger: self.ledger,
                    generation: cs.generation.saturating_add(1),
                    slot: cs.slot,
                    next_seq: cs.next_seq,
                    next_file_id: self.next_file_id.load(Ordering::Acquire),
                    files: members.into_iter().collect(),
                };
                self.write_manifest(&mut cs, &manifest)?;
                cs.members = manifest.files;
                for o in &out.files {
                    o.committed_len.store(o.readable(), Ordering::Release);
                    o.state.store(SEALED, Ordering::Release);
                }
                for v in done {
                    v.state.store(RETIRED, Ordering::Release);
                }
            }
            // Release every victim's records before closing any victim: a
            // dropped tombstone's entry points into one victim until the
            // key's last record, maybe in another victim, is released.
            for v in done {
                self.release_records(v, done)?;
            }
            for v in done {
                self.delete_file(v);
                run.report.files += 1;
                run.report.bytes_freed += v.data.region().len() as u64;
            }
        }
        let mut report = run.report;
        report.seconds = started.elapsed().as_secs_f64();
        let c = &self.compaction;
        c.runs.fetch_add(1, Ordering::Relaxed);
        c.files.fetch_add(report.files, Ordering::Relaxed);
        c.records.fetch_add(report.records_copied, Ordering::Relaxed);
        c.bytes_copied.fetch_add(report.bytes_copied, Ordering::Relaxed);
        c.bytes_freed.fetch_add(report.bytes_freed, Ordering::Relaxed);
        c.tombstones_dropped.fetch_add(report.tombstones_dropped, Ordering::Relaxed);
        c.nanos.fetch_add((report.seconds * 1e9) as u64, Ordering::Relaxed);
        match failure {
            Some(e) => Err(e),
            None => Ok(Some(report)),
        }
    }

    /// Compaction totals since open.
    pub(crate) fn compaction_report(&self) -> CompactionReport {
        let c = &self.compaction;
        CompactionReport {
            runs: c.runs.load(Ordering::Relaxed),
            files: c.files.load(Ordering::Relaxed),
            records_copied: c.records.load(Ordering::Relaxed),
            bytes_copied: c.bytes_copied.load(Ordering::Relaxed),
            bytes_freed: c.bytes_freed.load(Ordering::Relaxed),
            tombstones_dropped: c.tombstones_dropped.load(Ordering::Relaxed),
            seconds: c.nanos.load(Ordering::Relaxed) as f64 / 1e9,
        }
    }
}
