//! Where the store's bytes go: the [`Backend`] trait, and [`FsBackend`],
//! files in a directory mapped with memmap2.
//!
//! Every I/O the store does passes through this trait, so that the crash
//! tests can put [`super::sim::SimBackend`] in its place: a backend that
//! keeps written-but-unsynced bytes apart and "crashes" at a chosen
//! operation.
//!
//! Invariants of every backend: `create_data` returns only once the file's
//! header, size and directory entry are durable; `sync` returns only once
//! the range is durable; `create_durable` replaces nothing (the name must
//! not exist) and returns once the file and its name are durable.
//!
//! Must never: interpret the bytes it moves, or retry a failed sync (after a
//! failed fsync the state of the page cache is unknown; the store stops).

use super::raw::{self, Region};
use memmap2::MmapRaw;
use std::any::Any;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A data file: a mapped region plus a way to make ranges of it durable.
pub(crate) trait DataFile: Send + Sync {
    fn region(&self) -> &Arc<Region>;
    /// Make bytes `[start, end)` durable.
    fn sync(&self, start: usize, end: usize) -> io::Result<()>;
}

/// A small file written with positioned writes (the manifest).
pub(crate) trait MetaFile: Send {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()>;
    fn sync(&mut self) -> io::Result<()>;
}

/// Everything the store asks of storage.
pub(crate) trait Backend: Send + Sync {
    /// A path naming `name`, for messages.
    fn path(&self, name: &str) -> PathBuf;
    /// Take the store's exclusive lock; `None` if it is held elsewhere.
    fn lock(&self) -> io::Result<Option<Box<dyn Any + Send + Sync>>>;
    /// Names of the files present.
    fn list(&self) -> io::Result<Vec<String>>;
    /// The whole content of `name`, if it exists.
    fn read(&self, name: &str) -> io::Result<Option<Vec<u8>>>;
    /// Create `name` with `bytes`, durably and atomically (temporary file,
    /// sync, rename, directory sync).
    fn create_durable(&self, name: &str, bytes: &[u8]) -> io::Result<()>;
    fn open_meta(&self, name: &str) -> io::Result<Box<dyn MetaFile>>;
    /// Create data file `name` of `capacity` bytes (space reserved) starting
    /// with `header`; the header, the size and the name are durable on return.
    /// Its region's readable prefix is the header.
    fn create_data(&self, name: &str, capacity: usize, header: &[u8]) -> io::Result<Box<dyn DataFile>>;
    /// Map existing data file `name`, with its first `readable` bytes readable.
    fn open_data(&self, name: &str, readable: usize) -> io::Result<Box<dyn DataFile>>;
    /// Size of `name` in bytes.
    fn file_len(&self, name: &str) -> io::Result<u64>;
    fn remove(&self, name: &str) -> io::Result<()>;
    /// Called before every append to a data file: the simulated backend
    /// counts appends as writes and may fail one. Real files: nothing.
    fn before_append(&self) -> io::Result<()> {
        Ok(())
    }
}

/// Files in a directory; data files are memory-mapped.
pub(crate) struct FsBackend {
    dir: PathBuf,
}

impl FsBackend {
    /// Use `dir`, creating it if needed.
    pub(crate) fn new(dir: &Path) -> io::Result<FsBackend> {
        fs::create_dir_all(dir)?;
        Ok(FsBackend { dir: dir.to_path_buf() })
    }

    fn sync_dir(&self) -> io::Result<()> {
        File::open(&self.dir)?.sync_all()
    }
}

struct FsDataFile {
    /// Kept open for as long as the mapping lives.
    _file: File,
    region: Arc<Region>,
}

impl DataFile for FsDataFile {
    fn region(&self) -> &Arc<Region> {
        &self.region
    }

    fn sync(&self, start: usize, end: usize) -> io::Result<()> {
        self.region.flush(start, end)
    }
}

struct FsMetaFile(File);

impl MetaFile for FsMetaFile {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all_at(bytes, offset)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }
}

impl Backend for FsBackend {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn lock(&self) -> io::Result<Option<Box<dyn Any + Send + Sync>>> {
        let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(self.path("LOCK"))?;
        if raw::try_lock_exclusive(&file)? {
            Ok(Some(Box::new(file)))
        } else {
            Ok(None)
        }
    }

    fn list(&self) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            if let Some(name) = entry?.file_name().to_str() {
                names.push(name.to_string());
            }
        }
        names.sort();
        Ok(names)
    }

    fn read(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        match fs::read(self.path(name)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn create_durable(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let tmp = self.path(&format!("{name}.tmp"));
        {
            let file = OpenOptions::new().write(true).create(true).truncate(true).open(&tmp)?;
            file.write_all_at(bytes, 0)?;
            file.sync_all()?;
        }
        let target = self.path(name);
        if target.exists() {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{} exists", target.display())));
        }
        fs::rename(&tmp, &target)?;
        self.sync_dir()
    }

    fn open_meta(&self, name: &str) -> io::Result<Box<dyn MetaFile>> {
        Ok(Box::new(FsMetaFile(OpenOptions::new().read(true).write(true).open(self.path(name))?)))
    }

    fn create_data(&self, name: &str, capacity: usize, header: &[u8]) -> io::Result<Box<dyn DataFile>> {
        let path = self.path(name);
        let file = OpenOptions::new().read(true).write(true).create_new(true).open(&path)?;
        let made = (|| {
            raw::preallocate(&file, capacity as u64)?;
            file.write_all_at(header, 0)?;
            file.sync_all()?;
            self.sync_dir()?;
            let map = MmapRaw::map_raw(&file)?;
            if map.len() != capacity {
                return Err(io::Error::other(format!("mapped {} bytes, expected {capacity}", map.len())));
            }
            Region::from_map(map, header.len())
        })();
        match made {
            Ok(region) => Ok(Box::new(FsDataFile { _file: file, region })),
            Err(e) => {
                // Nothing refers to the file yet: leave no half-made file behind.
                drop(file);
                let _ = fs::remove_file(&path);
                Err(e)
            }
        }
    }

    fn open_data(&self, name: &str, readable: usize) -> io::Result<Box<dyn DataFile>> {
        let file = OpenOptions::new().read(true).write(true).open(self.path(name))?;
        let len = file.metadata()?.len();
        if (readable as u64) > len || len == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("file is {len} bytes, {readable} needed"),
            ));
        }
        let map = MmapRaw::map_raw(&file)?;
        let region = Region::from_map(map, readable)?;
        Ok(Box::new(FsDataFile { _file: file, region }))
    }

    fn file_len(&self, name: &str) -> io::Result<u64> {
        Ok(fs::metadata(self.path(name))?.len())
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        fs::remove_file(self.path(name))
    }
}
