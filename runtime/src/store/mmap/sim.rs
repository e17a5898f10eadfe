//! A simulated disk for crash tests, in the style of redb's: it keeps what
//! the store wrote apart from what was made durable, counts every write and
//! sync, "crashes" at a chosen one, and hands back the disk as a power cut
//! would leave it.
//!
//! Owns: [`SimBackend`] and [`Tear`]. The model of the disk:
//! * each file has a *written* view (what the process sees: mapped data
//!   files through their region, the manifest through positioned writes) and
//!   a *durable* view (what survives a crash), equal after a sync of the
//!   whole file;
//! * names (create, rename, remove) are durable after a directory sync;
//!   until then a crash keeps a prefix of them, in order (a journaling file
//!   system's metadata order);
//! * at a crash, every written-but-unsynced 4 KiB page may have reached the
//!   disk, or not, or only some of its 512-byte sectors ([`Tear::Random`]);
//!   [`Tear::Synced`] keeps only what was synced, [`Tear::Everything`] keeps
//!   all that was written (a killed process: the page cache survives);
//! * operations are counted: appends (the store announces each one) and
//!   positioned writes are writes; file, data-range and directory syncs are
//!   syncs; creating, renaming and removing a file count too. From the
//!   chosen operation on, every operation fails (the crashed process is
//!   gone), and a crashing positioned write leaves a torn prefix.
//! * an optional space limit makes file creation fail with `ENOSPC`.
//!
//! Must never: be used for anything but tests and experiments; share bytes
//! between the crash image and the live simulation.

use super::backend::{Backend, DataFile, MetaFile};
use super::raw::Region;
use parking_lot::Mutex;
use std::any::Any;
use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const PAGE: usize = 4096;
const SECTOR: usize = 512;

/// How much of the written-but-unsynced state a crash image keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tear {
    /// Only what was synced.
    Synced,
    /// Everything written (as after killing the process).
    Everything,
    /// A pseudo-random mix per page and sector, and a random prefix of the
    /// unsynced directory operations, from this seed.
    Random(u64),
}

enum Content {
    /// A file seen through positioned writes (or a data file not mapped yet).
    Bytes(Vec<u8>),
    /// A mapped data file: `base` is its content when mapped; the region's
    /// readable prefix overrides it.
    Mapped { base: Vec<u8>, region: Arc<Region> },
}

struct SimFile {
    content: Mutex<Content>,
    durable: Mutex<Vec<u8>>,
}

impl SimFile {
    fn new(bytes: Vec<u8>, durable: Vec<u8>) -> Arc<SimFile> {
        Arc::new(SimFile { content: Mutex::new(Content::Bytes(bytes)), durable: Mutex::new(durable) })
    }

    fn written(&self) -> Vec<u8> {
        match &*self.content.lock() {
            Content::Bytes(b) => b.clone(),
            Content::Mapped { base, region } => {
                let mut out = base.clone();
                let n = region.readable();
                if let Some(prefix) = region.bytes(0, n) {
                    out[..n].copy_from_slice(prefix);
                }
                out
            }
        }
    }

    fn len(&self) -> usize {
        match &*self.content.lock() {
            Content::Bytes(b) => b.len(),
            Content::Mapped { base, .. } => base.len(),
        }
    }
}

#[derive(Clone)]
enum DirOp {
    Link(String, Arc<SimFile>),
    Unlink(String),
    Rename(String, String),
}

struct SimState {
    visible: BTreeMap<String, Arc<SimFile>>,
    durable: BTreeMap<String, Arc<SimFile>>,
    pending: Vec<DirOp>,
    ops: u64,
    crash_at: Option<u64>,
    crashed: bool,
    space_limit: Option<u64>,
    log: Vec<&'static str>,
}

fn crash_error() -> io::Error {
    io::Error::other("simulated crash")
}

impl SimState {
    /// Count one operation; fail it (and everything after) at the crash point.
    fn step(&mut self, what: &'static str) -> io::Result<()> {
        if self.crashed {
            return Err(crash_error());
        }
        self.ops += 1;
        self.log.push(what);
        if self.crash_at == Some(self.ops) {
            self.crashed = true;
            return Err(crash_error());
        }
        Ok(())
    }

    fn sync_dir(&mut self) {
        self.durable = self.visible.clone();
        self.pending.clear();
    }

    fn apply(names: &mut BTreeMap<String, Arc<SimFile>>, op: &DirOp) {
        match op {
            DirOp::Link(name, file) => {
                names.insert(name.clone(), file.clone());
            }
            DirOp::Unlink(name) => {
                names.remove(name);
            }
            DirOp::Rename(from, to) => {
                if let Some(f) = names.remove(from) {
                    names.insert(to.clone(), f);
                }
            }
        }
    }
}

/// The simulated disk. Clones share it.
#[derive(Clone)]
pub struct SimBackend {
    state: Arc<Mutex<SimState>>,
    locked: Arc<AtomicBool>,
}

impl Default for SimBackend {
    fn default() -> Self {
        Self::new()
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// What a crash leaves of one file.
fn tear_file(durable: &[u8], written: &[u8], tear: Tear, rng: &mut Rng) -> Vec<u8> {
    match tear {
        Tear::Synced => durable.to_vec(),
        Tear::Everything => written.to_vec(),
        Tear::Random(_) => {
            let len = if durable.len() == written.len() || rng.next().is_multiple_of(2) {
                durable.len()
            } else {
                written.len()
            };
            let at = |v: &[u8], i: usize| v.get(i).copied().unwrap_or(0);
            let mut out: Vec<u8> = (0..len).map(|i| at(durable, i)).collect();
            for page in (0..len).step_by(PAGE) {
                let end = (page + PAGE).min(len);
                if (page..end).all(|i| at(durable, i) == at(written, i)) {
                    continue;
                }
                match rng.next() % 3 {
                    0 => {}
                    1 => (page..end).for_each(|i| out[i] = at(written, i)),
                    _ => {
                        for sector in (page..end).step_by(SECTOR) {
                            if rng.next().is_multiple_of(2) {
                                (sector..(sector + SECTOR).min(end)).for_each(|i| out[i] = at(written, i));
                            }
                        }
                    }
                }
            }
            out
        }
    }
}

impl SimBackend {
    /// An empty disk.
    pub fn new() -> SimBackend {
        Self::from_files(BTreeMap::new())
    }

    /// A disk holding `files` (all durable).
    pub fn from_files(files: BTreeMap<String, Vec<u8>>) -> SimBackend {
        let visible: BTreeMap<_, _> = files.into_iter().map(|(n, b)| (n, SimFile::new(b.clone(), b))).collect();
        SimBackend {
            state: Arc::new(Mutex::new(SimState {
                durable: visible.clone(),
                visible,
                pending: Vec::new(),
                ops: 0,
                crash_at: None,
                crashed: false,
                space_limit: None,
                log: Vec::new(),
            })),
            locked: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Crash at the `n`th counted operation from now on (1-based, counted
    /// from the start), or never.
    pub fn set_crash_at(&self, n: Option<u64>) {
        self.state.lock().crash_at = n;
    }

    /// Operations counted so far.
    pub fn ops(&self) -> u64 {
        self.state.lock().ops
    }

    /// The kinds of the operations counted so far, in order.
    pub fn op_log(&self) -> Vec<&'static str> {
        self.state.lock().log.clone()
    }

    /// Whether the simulated crash happened.
    pub fn crashed(&self) -> bool {
        self.state.lock().crashed
    }

    /// Make file creation fail with `ENOSPC` once files would exceed `bytes`.
    pub fn set_space_limit(&self, bytes: Option<u64>) {
        self.state.lock().space_limit = bytes;
    }

    /// The files the process sees now, by name (written view).
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        self.state.lock().visible.iter().map(|(n, f)| (n.clone(), f.written())).collect()
    }

    /// Replace the visible content of `name` (tests that damage a file).
    pub fn put_file(&self, name: &str, bytes: Vec<u8>) {
        let mut st = self.state.lock();
        let f = SimFile::new(bytes.clone(), bytes);
        st.visible.insert(name.to_string(), f.clone());
        st.durable.insert(name.to_string(), f);
    }

    /// The disk as a crash now would leave it, as a new, uncrashed backend.
    pub fn crash_image(&self, tear: Tear) -> SimBackend {
        let st = self.state.lock();
        let mut rng = Rng(match tear {
            Tear::Random(seed) => seed,
            _ => 0,
        });
        let keep = match tear {
            Tear::Synced => 0,
            Tear::Everything => st.pending.len(),
            Tear::Random(_) => (rng.next() % (st.pending.len() as u64 + 1)) as usize,
        };
        let mut names = st.durable.clone();
        for op in &st.pending[..keep] {
            SimState::apply(&mut names, op);
        }
        let files = names
            .iter()
            .map(|(name, f)| {
                let durable = f.durable.lock().clone();
                (name.clone(), tear_file(&durable, &f.written(), tear, &mut rng))
            })
            .collect();
        SimBackend::from_files(files)
    }
}

struct SimLock(Arc<AtomicBool>);

impl Drop for SimLock {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

struct SimDataFile {
    file: Arc<SimFile>,
    region: Arc<Region>,
    state: Arc<Mutex<SimState>>,
}

impl DataFile for SimDataFile {
    fn region(&self) -> &Arc<Region> {
        &self.region
    }

    fn sync(&self, start: usize, end: usize) -> io::Result<()> {
        self.state.lock().step("sync data")?;
        if start >= end {
            return Ok(());
        }
        let bytes = self
            .region
            .bytes(start, end - start)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "sync of unwritten bytes"))?;
        let mut durable = self.file.durable.lock();
        if durable.len() < end {
            durable.resize(end, 0);
        }
        durable[start..end].copy_from_slice(bytes);
        Ok(())
    }
}

struct SimMetaFile {
    file: Arc<SimFile>,
    state: Arc<Mutex<SimState>>,
}

impl MetaFile for SimMetaFile {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        let mut st = self.state.lock();
        let result = st.step("write manifest");
        let n = match &result {
            Ok(()) => bytes.len(),
            // The crashing write lands torn: a prefix of it.
            Err(_) if st.crash_at == Some(st.ops) => (st.ops as usize * 7919) % (bytes.len() + 1),
            Err(_) => 0,
        };
        drop(st);
        if let Content::Bytes(b) = &mut *self.file.content.lock() {
            let end = offset as usize + n;
            if b.len() < end {
                b.resize(end, 0);
            }
            b[offset as usize..end].copy_from_slice(&bytes[..n]);
        }
        result
    }

    fn sync(&mut self) -> io::Result<()> {
        self.state.lock().step("sync manifest")?;
        *self.file.durable.lock() = self.file.written();
        Ok(())
    }
}

fn not_found(name: &str) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, format!("{name}: no such file"))
}

impl Backend for SimBackend {
    fn path(&self, name: &str) -> PathBuf {
        PathBuf::from("sim:").join(name)
    }

    fn lock(&self) -> io::Result<Option<Box<dyn Any + Send + Sync>>> {
        if self.locked.swap(true, Ordering::AcqRel) {
            return Ok(None);
        }
        Ok(Some(Box::new(SimLock(self.locked.clone()))))
    }

    fn list(&self) -> io::Result<Vec<String>> {
        Ok(self.state.lock().visible.keys().cloned().collect())
    }

    fn read(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        Ok(self.state.lock().visible.get(name).map(|f| f.written()))
    }

    fn create_durable(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let mut st = self.state.lock();
        let tmp = format!("{name}.tmp");
        st.step("create")?;
        let file = SimFile::new(bytes.to_vec(), Vec::new());
        st.visible.insert(tmp.clone(), file.clone());
        st.pending.push(DirOp::Link(tmp.clone(), file.clone()));
        st.step("sync file")?;
        *file.durable.lock() = bytes.to_vec();
        st.step("rename")?;
        if st.visible.contains_key(name) {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{name} exists")));
        }
        st.visible.remove(&tmp);
        st.visible.insert(name.to_string(), file);
        st.pending.push(DirOp::Rename(tmp, name.to_string()));
        st.step("sync dir")?;
        st.sync_dir();
        Ok(())
    }

    fn open_meta(&self, name: &str) -> io::Result<Box<dyn MetaFile>> {
        let file = self.state.lock().visible.get(name).cloned().ok_or_else(|| not_found(name))?;
        Ok(Box::new(SimMetaFile { file, state: self.state.clone() }))
    }

    fn create_data(&self, name: &str, capacity: usize, header: &[u8]) -> io::Result<Box<dyn DataFile>> {
        let mut st = self.state.lock();
        st.step("create")?;
        if let Some(limit) = st.space_limit {
            let used: u64 = st.visible.values().map(|f| f.len() as u64).sum();
            if used + capacity as u64 > limit {
                return Err(io::Error::from_raw_os_error(28));
            }
        }
        let mut base = vec![0u8; capacity];
        base[..header.len()].copy_from_slice(header);
        let region = Region::from_vec(base.clone(), header.len())?;
        let file = Arc::new(SimFile {
            content: Mutex::new(Content::Mapped { base: base.clone(), region: region.clone() }),
            durable: Mutex::new(Vec::new()),
        });
        st.visible.insert(name.to_string(), file.clone());
        st.pending.push(DirOp::Link(name.to_string(), file.clone()));
        st.step("sync file")?;
        *file.durable.lock() = base;
        st.step("sync dir")?;
        st.sync_dir();
        Ok(Box::new(SimDataFile { file, region, state: self.state.clone() }))
    }

    fn open_data(&self, name: &str, readable: usize) -> io::Result<Box<dyn DataFile>> {
        let file = self.state.lock().visible.get(name).cloned().ok_or_else(|| not_found(name))?;
        let bytes = file.written();
        if readable > bytes.len() || bytes.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("file is {} bytes, {readable} needed", bytes.len()),
            ));
        }
        let region = Region::from_vec(bytes.clone(), readable)?;
        *file.content.lock() = Content::Mapped { base: bytes, region: region.clone() };
        Ok(Box::new(SimDataFile { file, region, state: self.state.clone() }))
    }

    fn file_len(&self, name: &str) -> io::Result<u64> {
        let st = self.state.lock();
        st.visible.get(name).map(|f| f.len() as u64).ok_or_else(|| not_found(name))
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        let mut st = self.state.lock();
        st.step("remove")?;
        st.visible.remove(name).ok_or_else(|| not_found(name))?;
        st.pending.push(DirOp::Unlink(name.to_string()));
        Ok(())
    }

    fn before_append(&self) -> io::Result<()> {
        self.state.lock().step("append")
    }
}
