//! Committing a slot (snapshot each file's readable length, sync, write
//! the commit record to both manifest copies), and the background threads
//! that flush and compact.

use super::*;

/// A commit record decided and not yet written ([`Inner::prepare_commit`]).
pub(super) struct PreparedCommit {
    slot: u64,
    snapshot: Vec<(Arc<FileEntry>, usize)>,
    next_seq: u64,
}

impl Inner {
    /// Make `file` durable up to `upto`; a failure poisons the store.
    pub(super) fn sync_file(&self, file: &FileEntry, upto: usize) -> Result<(), MmapStoreError> {
        let mut synced = file.synced.lock();
        if *synced >= upto {
            return Ok(());
        }
        if let Err(e) = file.data.sync(*synced, upto) {
            let err = MmapStoreError::io(&file.path, "sync", e);
            self.poison(err.to_string());
            return Err(err);
        }
        *synced = upto;
        Ok(())
    }

    /// Write `m` to both manifest slots, each followed by a sync; a failure
    /// poisons the store.
    pub(super) fn write_manifest(&self, cs: &mut CommitState, m: &Manifest) -> Result<(), MmapStoreError> {
        if m.files.len() > MAX_MANIFEST_FILES {
            return Err(MmapStoreError::Rejected(format!(
                "{} data files exceed the manifest's {MAX_MANIFEST_FILES}",
                m.files.len()
            )));
        }
        let bytes = m.encode();
        for slot in [0, MANIFEST_SLOT_LEN as u64] {
            if let Err(e) = cs.meta.write_at(slot, &bytes).and_then(|()| cs.meta.sync()) {
                let err = MmapStoreError::io(&self.path(recovery::MANIFEST), "write commit record", e);
                self.poison(err.to_string());
                return Err(err);
            }
        }
        cs.generation = m.generation;
        Ok(())
    }

    pub(super) fn commit(&self, slot: u64) -> Result<(), MmapStoreError> {
        let prepared = self.prepare_commit(slot)?;
        self.finish_commit(prepared)
    }

    /// The first half of a commit: what the commit record of `slot` will
    /// name — each file's readable length now, which covers every store
    /// that returned before this call. Stores of later slots may follow at
    /// once; [`Inner::finish_commit`] makes exactly the snapshot durable.
    /// Until then no compaction starts (one already running is waited for).
    pub(super) fn prepare_commit(&self, slot: u64) -> Result<PreparedCommit, MmapStoreError> {
        // Set before taking the lock: a compaction that starts after this
        // sees it and does nothing; one running is waited for.
        self.commit_pending.store(true, Ordering::Release);
        let prepared = self.snapshot_for_commit(slot);
        if prepared.is_err() {
            self.commit_pending.store(false, Ordering::Release);
        }
        prepared
    }

    fn snapshot_for_commit(&self, slot: u64) -> Result<PreparedCommit, MmapStoreError> {
        drop(self.compacting.lock());
        let cs = self.commit.lock();
        self.check_usable()?;
        if let Some(last) = cs.slot {
            if slot < last {
                return Err(MmapStoreError::Rejected(format!("commit of slot {slot} after slot {last} was committed")));
            }
        }
        // Each file's readable prefix holds whole batches of stores: every
        // store that returned before this call, maybe some that run beside it.
        let snapshot: Vec<(Arc<FileEntry>, usize)> = self
            .files
            .read()
            .iter()
            .filter(|f| matches!(f.state(), WRITING | SEALED))
            .map(|f| (f.clone(), f.readable()))
            .collect();
        // A store raises `max_stored_slot` before its bytes become readable,
        // so a batch of a later slot in the snapshot shows here.
        let stored = self.max_stored_slot.load(Ordering::Acquire);
        if stored > slot.saturating_add(1) {
            return Err(MmapStoreError::Rejected(format!(
                "commit of slot {slot} after writes of slot {} were stored: they would be committed as slot {slot}",
                stored - 1
            )));
        }
        // Read after the snapshot: above every sequence number in it.
        let next_seq = self.next_seq.load(Ordering::Acquire);
        Ok(PreparedCommit { slot, snapshot, next_seq })
    }

    /// The second half: sync the snapshot's bytes and write the commit
    /// record. Compaction may start again afterwards.
    pub(super) fn finish_commit(&self, prepared: PreparedCommit) -> Result<(), MmapStoreError> {
        let finished = self.write_commit(prepared);
        self.commit_pending.store(false, Ordering::Release);
        finished
    }

    /// A prepared commit given up: nothing is written.
    pub(super) fn abandon_commit(&self, _prepared: PreparedCommit) {
        self.commit_pending.store(false, Ordering::Release);
    }

    fn write_commit(&self, prepared: PreparedCommit) -> Result<(), MmapStoreError> {
        let PreparedCommit { slot, snapshot, next_seq } = prepared;
        let mut cs = self.commit.lock();
        self.check_usable()?;
        for (file, len) in &snapshot {
            self.sync_file(file, *len)?;
        }
        let mut members: Vec<(u64, u64)> = snapshot.iter().map(|(f, len)| (f.id, *len as u64)).collect();
        members.sort_unstable();
        let manifest = Manifest {
            ledger: self.ledger,
            generation: cs.generation.saturating_add(1),
            slot: Some(slot),
            next_seq,
            // Now, not at the snapshot: ids given to files since are never reused.
            next_file_id: self.next_file_id.load(Ordering::Acquire),
            files: members,
        };
        self.write_manifest(&mut cs, &manifest)?;
        for (file, len) in &snapshot {
            file.committed_len.store(*len, Ordering::Release);
        }
        cs.members = manifest.files;
        cs.slot = Some(slot);
        cs.next_seq = next_seq;
        self.committed.store(slot.saturating_add(1), Ordering::Release);
        for (file, size) in std::mem::take(&mut *self.stale_copies.lock()) {
            file.live_bytes.fetch_sub(size, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Wait up to `timeout` for shutdown; true if it was asked for.
    pub(super) fn wait_shutdown(&self, timeout: Duration) -> bool {
        let mut down = self.shutdown.lock();
        if !*down {
            self.wake.wait_for(&mut down, timeout);
        }
        *down
    }

    /// Background write-back: sync files with many unsynced bytes, and
    /// sealed files entirely, so commits find little left to write.
    pub(super) fn flush_loop(&self) {
        while !self.wait_shutdown(Duration::from_millis(10)) {
            if self.poisoned.load(Ordering::Acquire) {
                continue;
            }
            let files: Vec<Arc<FileEntry>> =
                self.files.read().iter().filter(|f| matches!(f.state(), WRITING | SEALED)).cloned().collect();
            for f in files {
                let readable = f.readable();
                let synced = *f.synced.lock();
                if readable.saturating_sub(synced) >= self.config.flush_bytes
                    || (f.state() == SEALED && readable > synced)
                {
                    // A failure poisons the store; the next commit reports it.
                    let _ = self.sync_file(&f, readable);
                }
            }
        }
    }

    pub(super) fn compact_loop(&self) {
        while !self.wait_shutdown(Duration::from_millis(50)) {
            loop {
                match self.compact_once() {
                    Ok(Some(_)) if !*self.shutdown.lock() => continue,
                    Ok(_) => break,
                    Err(e) => {
                        *self.compaction.last_error.lock() = Some(e.to_string());
                        break;
                    }
                }
            }
        }
    }
}
