//! [`Inner`]: the store's shared state (files, index, writers, commit
//! state, counters), with the read path and the housekeeping every other
//! part uses. Writing is in `write`, committing and the background threads
//! in `commit`, opening in `recovery`, compaction in `compaction`.

use super::*;

#[derive(Default)]
pub(super) struct Writer {
    pub(super) current: Option<(Arc<FileEntry>, Appender)>,
}

/// What the newest commit record says, and the manifest file to write the next.
pub(super) struct CommitState {
    pub(super) meta: Box<dyn MetaFile>,
    pub(super) generation: u64,
    pub(super) slot: Option<u64>,
    pub(super) next_seq: u64,
    pub(super) members: Vec<(u64, u64)>,
}

#[derive(Default)]
pub(super) struct CompactionCounters {
    pub(super) runs: AtomicU64,
    pub(super) files: AtomicU64,
    pub(super) records: AtomicU64,
    pub(super) bytes_copied: AtomicU64,
    pub(super) bytes_freed: AtomicU64,
    pub(super) tombstones_dropped: AtomicU64,
    pub(super) nanos: AtomicU64,
    pub(super) last_error: Mutex<Option<String>>,
}

pub(crate) struct Inner {
    pub(super) backend: Box<dyn Backend>,
    pub(super) config: StoreConfig,
    pub(super) ledger: LedgerId,
    pub(super) index: Index,
    pub(super) files: Files,
    pub(super) writers: Box<[Mutex<Writer>]>,
    pub(super) commit: Mutex<CommitState>,
    /// One compaction at a time.
    pub(super) compacting: Mutex<()>,
    /// Copies compaction made of records whose key has a newer record not
    /// yet committed (the copy may be the key's newest committed version):
    /// counted live in their file until the next commit, so the file is not
    /// chosen again at once and the copy made again and again.
    pub(super) stale_copies: Mutex<Vec<(Arc<FileEntry>, u64)>>,
    pub(super) next_seq: AtomicU64,
    pub(super) next_file_id: AtomicU64,
    /// Committed slot + 1 (0: none).
    pub(super) committed: AtomicU64,
    /// Highest slot ever stored + 1 (0: none): each store raises it before
    /// its bytes can be seen, so a commit that sees the bytes sees the slot.
    pub(super) max_stored_slot: AtomicU64,
    pub(super) poisoned: AtomicBool,
    pub(super) poison_reason: Mutex<Option<String>>,
    pub(super) shutdown: Mutex<bool>,
    pub(super) wake: Condvar,
    pub(super) compaction: CompactionCounters,
    pub(super) recovery: Mutex<RecoveryReport>,
    pub(super) _lock: Box<dyn std::any::Any + Send + Sync>,
}

/// A random 64-bit value (per-process keys; no security relies on it).
pub(super) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    h.write_u32(std::process::id());
    h.finish()
}

impl Inner {
    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.backend.path(name)
    }

    pub(super) fn poison(&self, why: String) {
        let mut reason = self.poison_reason.lock();
        if reason.is_none() {
            *reason = Some(why);
        }
        self.poisoned.store(true, Ordering::Release);
    }

    pub(super) fn check_usable(&self) -> Result<(), MmapStoreError> {
        if self.poisoned.load(Ordering::Acquire) {
            return Err(MmapStoreError::Poisoned(self.poison_reason.lock().clone().unwrap_or_default()));
        }
        Ok(())
    }

    pub(super) fn committed_slot(&self) -> Option<u64> {
        self.committed.load(Ordering::Acquire).checked_sub(1)
    }

    /// The fixed part of the record at `loc`; damage poisons the store.
    pub(super) fn head_at(&self, files: &FileTable, loc: Loc) -> Option<(Arc<FileEntry>, RecordHead)> {
        let Some(file) = files.get(loc.file()) else {
            self.poison(format!("index names file slot {} which is not open", loc.file()));
            return None;
        };
        let parsed = match file.data.region().bytes(loc.offset(), RECORD_HEADER_LEN) {
            Some(bytes) => {
                parse_head(bytes).map_err(|d| MmapStoreError::defect(&file.path, loc.offset() as u64, d).to_string())
            }
            None => Err(format!(
                "{}, offset {}: indexed record lies past the written end",
                file.path.display(),
                loc.offset()
            )),
        };
        match parsed {
            Ok(head) => Some((file.clone(), head)),
            Err(why) => {
                self.poison(why);
                None
            }
        }
    }

    pub(super) fn resolve(&self, files: &FileTable, loc: Loc) -> Option<Resolved> {
        self.head_at(files, loc).map(|(_, h)| Resolved { key: h.key, seq: h.seq, size: h.size() })
    }

    /// Bookkeeping after the index took a record of `size` bytes whose
    /// bytes were already counted in its file's live bytes.
    pub(super) fn account_upsert(&self, files: &FileTable, file: &FileEntry, size: usize, outcome: Upsert) {
        match outcome {
            Upsert::Inserted => {}
            Upsert::Replaced { old, old_size } => {
                if let Some(f) = files.get(old.file()) {
                    f.live_bytes.fetch_sub(old_size as u64, Ordering::Relaxed);
                }
            }
            Upsert::Stale => {
                file.live_bytes.fetch_sub(size as u64, Ordering::Relaxed);
            }
        }
    }

    pub(super) fn is_live(&self, files: &FileTable, key: &Pubkey) -> bool {
        self.index.get(key, &|l| self.resolve(files, l)).is_some_and(|l| !l.tomb())
    }

    pub(super) fn locate(&self, files: &FileTable, key: &Pubkey) -> Option<(Arc<FileEntry>, usize, RecordHead)> {
        let loc = self.index.get(key, &|l| self.resolve(files, l))?;
        if loc.tomb() {
            return None;
        }
        let (file, head) = self.head_at(files, loc)?;
        Some((file, loc.offset(), head))
    }

    /// The account at `key`, its data cut to `max_data(head)` bytes.
    pub(super) fn read_account(&self, key: &Pubkey, max_data: impl FnOnce(&RecordHead) -> usize) -> Option<Account> {
        let files = self.files.read();
        let (file, offset, head) = self.locate(&files, key)?;
        let max_data = max_data(&head);
        let len = RECORD_HEADER_LEN + head.data_len.min(max_data);
        match file.data.region().bytes(offset, len) {
            Some(bytes) => Some(record_account(bytes, &head, max_data)),
            None => {
                self.poison(format!("{}, offset {offset}: record data lies past the written end", file.path.display()));
                None
            }
        }
    }

    pub(super) fn get_ref(&self, key: &Pubkey) -> Option<AccountRef> {
        let files = self.files.read();
        let (file, offset, head) = self.locate(&files, key)?;
        if file.data.region().bytes(offset, RECORD_HEADER_LEN + head.data_len).is_none() {
            self.poison(format!("{}, offset {offset}: record data lies past the written end", file.path.display()));
            return None;
        }
        Some(AccountRef { file, offset, head })
    }

    pub(super) fn stats(&self) -> StoreStats {
        let files = self.files.read();
        let mut s = StoreStats {
            accounts: self.index.live(),
            index_entries: self.index.len(),
            index_bytes: self.index.memory_bytes(),
            committed_slot: self.committed_slot(),
            compaction: self.compaction_report(),
            ..StoreStats::default()
        };
        for f in files.iter() {
            s.files += 1;
            s.file_bytes += f.data.region().len() as u64;
            s.used_bytes += f.readable() as u64;
            s.live_bytes += f.live_bytes.load(Ordering::Relaxed);
        }
        s
    }

    /// Call `visit` with every live account owned by `owner` until it
    /// returns `false` (see [`AccountStore::scan_owned_by`]).
    ///
    /// Shard by shard: the shard's live locations are copied under the file
    /// table's read guard and the shard's read lock (one pass over the
    /// table), and the table itself is kept (an `Arc`, no lock). Every
    /// location the index held then names a file of that table, and a
    /// file's readable bytes never change, so the copied locations stay
    /// readable through the kept table after both locks are gone: a removed
    /// file stays mapped while its `Arc` lives. So writers, compaction and
    /// file creation wait at most for one shard's copy, never for the reads
    /// or for `visit`. A location whose key was stored again meanwhile shows
    /// the version current when its shard was copied.
    pub(super) fn scan_owned_by(&self, owner: &Pubkey, visit: &mut dyn FnMut(&Pubkey, AccountView<'_>) -> bool) {
        let mut locs = Vec::new();
        for shard in 0..self.index.shard_count() {
            locs.clear();
            let table: Arc<FileTable> = {
                let files = self.files.read();
                self.index.live_locs_of_shard(shard, &mut locs);
                Arc::clone(&files)
            };
            for &loc in &locs {
                match self.owned_record_at(&table, loc, owner) {
                    Ok(None) => {}
                    Ok(Some((key, view))) => {
                        if !visit(&key, view) {
                            return;
                        }
                    }
                    // Damage: the store is poisoned (as a read would have
                    // it); the scan stops rather than show a partial state
                    // as whole.
                    Err(why) => {
                        self.poison(why);
                        return;
                    }
                }
            }
        }
    }

    /// The record at `loc` if its owner is `owner`: its key and a view of
    /// its account, borrowed from `table`. The owner is compared before
    /// anything else is parsed: most records of a scan are not `owner`'s.
    fn owned_record_at<'t>(
        &self,
        table: &'t FileTable,
        loc: Loc,
        owner: &Pubkey,
    ) -> Result<Option<(Pubkey, AccountView<'t>)>, String> {
        let Some(file) = table.get(loc.file()) else {
            return Err(format!("index names file slot {} which is not open", loc.file()));
        };
        let region = file.data.region();
        let past_end =
            || format!("{}, offset {}: indexed record lies past the written end", file.path.display(), loc.offset());
        let fixed = region.bytes(loc.offset(), RECORD_HEADER_LEN).ok_or_else(past_end)?;
        if format::record_owner(fixed) != Some(&owner.0) {
            return Ok(None);
        }
        let head =
            parse_head(fixed).map_err(|d| MmapStoreError::defect(&file.path, loc.offset() as u64, d).to_string())?;
        if head.is_tombstone() {
            return Ok(None);
        }
        let record = region.bytes(loc.offset(), RECORD_HEADER_LEN + head.data_len).ok_or_else(past_end)?;
        let view = AccountView {
            lamports: head.lamports,
            data: &record[RECORD_HEADER_LEN..],
            owner: *owner,
            executable: head.executable,
        };
        Ok(Some((Pubkey(head.key), view)))
    }

    /// Every live account, sorted by key.
    pub(super) fn accounts(&self) -> Vec<(Pubkey, Account)> {
        let files = self.files.read();
        let mut locs = Vec::new();
        self.index.for_each(|l| {
            if !l.tomb() {
                locs.push(l)
            }
        });
        let mut out: Vec<(Pubkey, Account)> = locs
            .into_iter()
            .filter_map(|loc| {
                let (file, head) = self.head_at(&files, loc)?;
                let bytes = file.data.region().bytes(loc.offset(), RECORD_HEADER_LEN + head.data_len)?;
                Some((Pubkey(head.key), record_account(bytes, &head, usize::MAX)))
            })
            .collect();
        out.sort_by_key(|a| a.0);
        out
    }
}
