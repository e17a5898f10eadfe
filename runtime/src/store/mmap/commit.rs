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
    /// once; [`Inner::finish_commit`] makes exactly the snapshot durable,
    /// accounting for any compaction that finished in between.
    pub(super) fn prepare_commit(&self, slot: u64) -> Result<PreparedCommit, MmapStoreError> {
        self.snapshot_for_commit(slot)
    }

    fn snapshot_for_commit(&self, slot: u64) -> Result<PreparedCommit, MmapStoreError> {
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
    /// record.
    pub(super) fn finish_commit(&self, prepared: PreparedCommit) -> Result<(), MmapStoreError> {
        self.write_commit(prepared)
    }

    /// A prepared commit given up: nothing is written.
    pub(super) fn abandon_commit(&self, _prepared: PreparedCommit) {}

    fn write_commit(&self, prepared: PreparedCommit) -> Result<(), MmapStoreError> {
        let PreparedCommit { slot, mut snapshot, next_seq } = prepared;
        let mut cs = self.commit.lock();
        self.check_usable()?;
        // A compaction may have written its own commit record since the
        // snapshot: it retired files the snapshot names (victims are sealed
        // and wholly committed as of the last commit, so they hold nothing
        // of this slot) and named new files holding their live records,
        // synced and never written again. Those are the files the last
        // record names and the snapshot does not.
        snapshot.retain(|(file, _)| file.state() != RETIRED);
        for (file, len) in &snapshot {
            self.sync_file(file, *len)?;
        }
        let mut members: Vec<(u64, u64)> = snapshot.iter().map(|(f, len)| (f.id, *len as u64)).collect();
        let compacted: Vec<(u64, u64)> =
            cs.members.iter().filter(|(id, _)| !snapshot.iter().any(|(f, _)| f.id == *id)).copied().collect();
        members.extend(compacted);
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

#[cfg(test)]
mod tests {
    use super::super::sim::{SimBackend, Tear};
    use super::super::{MmapAccountStore, StoreConfig};
    use crate::store::AccountStore;
    use lanes_sdk::{Account, Pubkey};

    fn config() -> StoreConfig {
        StoreConfig { file_capacity: 2048, writers: 1, background: false, compact_below: 0.7, ..StoreConfig::default() }
    }

    fn account(lamports: u64, tag: u8) -> Account {
        Account { lamports, data: vec![tag; 200], owner: Pubkey::new_unique_from_u64(9), executable: false }
    }

    /// A compaction between the halves of a commit writes its commit record
    /// first: the commit's record must then drop the files it retired and
    /// name the files it made, and the next slot's stores in between stay
    /// out.
    #[test]
    fn a_compaction_finishing_between_the_halves_of_a_commit_is_kept() {
        let sim = SimBackend::new();
        let store = MmapAccountStore::open_sim(&sim, config()).unwrap();
        let keys: Vec<Pubkey> = (0..4).map(Pubkey::new_unique_from_u64).collect();
        // Many versions of four keys: sealed files, mostly dead.
        for slot in 1..=12u64 {
            let updates: Vec<(Pubkey, Account)> = keys.iter().map(|k| (*k, account(slot, slot as u8))).collect();
            store.store(slot, &updates).unwrap();
            store.commit_slot(slot).unwrap();
        }
        store.store(13, &[(keys[0], account(13, 13))]).unwrap();
        let prepared = store.prepare_commit_slot(13).unwrap();
        let report = store.compact().unwrap().expect("there are mostly dead files to compact");
        assert!(report.files > 0, "{report:?}");
        // Slot 14's store, between the halves: not part of slot 13.
        store.store(14, &[(keys[1], account(14, 14))]).unwrap();
        prepared.finish().unwrap();
        let mut expected: Vec<(Pubkey, Account)> = keys.iter().map(|k| (*k, account(12, 12))).collect();
        expected[0].1 = account(13, 13);
        expected.sort_by_key(|(k, _)| *k);
        drop(store);
        for tear in [Tear::Synced, Tear::Everything] {
            let image = sim.crash_image(tear);
            let reopened = MmapAccountStore::open_sim(&image, config()).unwrap();
            assert_eq!(reopened.committed_slot(), Some(13), "{tear:?}");
            assert_eq!(reopened.accounts(), expected, "{tear:?}");
        }
    }
}
