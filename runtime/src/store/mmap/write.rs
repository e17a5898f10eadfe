//! Writing: a batch of accounts appended to one writer's file (a new file
//! when the current one is full), made readable as a whole, then indexed.

use super::*;

impl Inner {
    /// Create a data file of `capacity` bytes in `state` and open it.
    pub(super) fn create_file(&self, capacity: usize, state: u8) -> Result<Arc<FileEntry>, MmapStoreError> {
        if capacity as u64 > MAX_FILE_LEN {
            return Err(MmapStoreError::Rejected(format!(
                "a data file of {capacity} bytes exceeds the maximum {MAX_FILE_LEN}"
            )));
        }
        let id = self.next_file_id.fetch_add(1, Ordering::AcqRel);
        let name = data_file_name(id);
        let path = self.path(&name);
        let header = FileHeader { ledger: self.ledger, file_id: id, capacity: capacity as u64 }.encode();
        let data =
            self.backend.create_data(&name, capacity, &header).map_err(|e| MmapStoreError::io(&path, "create", e))?;
        let entry = self.files.update(|table| {
            table.insert(|slot| {
                FileEntry::new((id, slot), (name.clone(), path.clone()), data, (FILE_HEADER_LEN, 0), state)
            })
        });
        match entry {
            Some(e) => Ok(e),
            None => {
                let _ = self.backend.remove(&name);
                Err(MmapStoreError::Rejected(format!("more than {} open data files", Loc::MAX_FILE)))
            }
        }
    }

    pub(super) fn pick_writer(&self) -> MutexGuard<'_, Writer> {
        let n = self.writers.len();
        let hint = thread_hint();
        for i in 0..n {
            if let Some(writer) = self.writers[(hint + i) % n].try_lock() {
                return writer;
            }
        }
        self.writers[hint % n].lock()
    }

    /// Make sure `writer` can take `total` more bytes, starting a new file if not.
    pub(super) fn ensure_room(&self, writer: &mut Writer, total: usize) -> Result<(), MmapStoreError> {
        if writer.current.as_ref().is_some_and(|(_, app)| app.room() >= total) {
            return Ok(());
        }
        let capacity = self.config.file_capacity.max(FILE_HEADER_LEN + total);
        let entry = self.create_file(capacity, WRITING)?;
        let Some(app) = entry.data.region().appender() else {
            return Err(MmapStoreError::Rejected("internal: a new file already had a writer".into()));
        };
        if let Some((old, _)) = writer.current.replace((entry, app)) {
            old.state.store(SEALED, Ordering::Release);
        }
        Ok(())
    }

    pub(super) fn store_batch(&self, slot: u64, updates: &[(Pubkey, Account)]) -> Result<(), MmapStoreError> {
        self.check_usable()?;
        if let Some(committed) = self.committed_slot() {
            if slot < committed {
                return Err(MmapStoreError::Rejected(format!(
                    "store at slot {slot} after slot {committed} was committed"
                )));
            }
        }
        if let Some((key, a)) = updates.iter().find(|(_, a)| a.data.len() > MAX_DATA_LEN) {
            return Err(MmapStoreError::Rejected(format!(
                "account {key} has {} bytes of data (at most {MAX_DATA_LEN})",
                a.data.len()
            )));
        }
        // Sizes of the records to write; 0 = nothing to write (the deletion
        // of an account that does not exist needs no tombstone).
        let mut sizes = Vec::with_capacity(updates.len());
        {
            let files = updates.iter().any(|(_, a)| a.lamports == 0).then(|| self.files.read());
            for (i, (key, account)) in updates.iter().enumerate() {
                let needed = account.lamports != 0
                    || files.as_ref().is_some_and(|f| self.is_live(f, key))
                    || updates[..i].iter().any(|(k, _)| k == key);
                sizes.push(if needed { record_size_of(account) } else { 0 });
            }
        }
        let total: usize = sizes.iter().sum();
        if total == 0 {
            return Ok(());
        }
        // Announce the slot before any byte of it can be seen (see `commit`).
        let mark = slot.saturating_add(1);
        if self.max_stored_slot.load(Ordering::Acquire) < mark {
            self.max_stored_slot.fetch_max(mark, Ordering::AcqRel);
        }
        let records = sizes.iter().filter(|&&s| s > 0).count() as u64;
        let first_seq = self.next_seq.fetch_add(records, Ordering::AcqRel);
        let (file, offset) = {
            let mut writer = self.pick_writer();
            self.ensure_room(&mut writer, total)?;
            let Some((file, app)) = writer.current.as_mut() else {
                return Err(MmapStoreError::Rejected("internal: writer without a file".into()));
            };
            self.backend.before_append().map_err(|e| MmapStoreError::io(&file.path, "append", e))?;
            let appended = app.append(total, |buf| {
                let (mut at, mut seq) = (0, first_seq);
                for ((key, account), &size) in updates.iter().zip(&sizes) {
                    if size > 0 {
                        write_record(&mut buf[at..at + size], seq, slot, key, account);
                        at += size;
                        seq += 1;
                    }
                }
            });
            match appended {
                Some(offset) => (file.clone(), offset),
                None => return Err(MmapStoreError::Rejected("internal: no room after ensure_room".into())),
            }
        };
        // Counted before the index can point at them, so that the file's
        // live bytes never fall below what the index points at (stale
        // records are taken back below).
        file.live_bytes.fetch_add(total as u64, Ordering::Relaxed);
        let files = self.files.read();
        let resolve = |l: Loc| self.resolve(&files, l);
        let (mut at, mut seq) = (offset, first_seq);
        for ((key, account), &size) in updates.iter().zip(&sizes) {
            if size == 0 {
                continue;
            }
            let tomb = account.lamports == 0;
            let outcome = self.index.upsert(key, Loc::new(file.slot, at, tomb), seq, &resolve);
            self.account_upsert(&files, &file, size, outcome);
            at += size;
            seq += 1;
        }
        Ok(())
    }
}
