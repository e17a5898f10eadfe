//! Every `unsafe` block of the account store, and nothing else.
//!
//! Owns: [`Region`], a fixed-size byte region (a shared file mapping, or a
//! heap buffer for the simulated backend) that grows an immutable,
//! readable prefix; [`Appender`], the one writer of a region; and the three
//! system calls that `std` lacks here (`flock`, `fallocate`,
//! `posix_fadvise`).
//!
//! Invariants that make the API below safe to call from safe code:
//! * a region has at most one [`Appender`] over its whole life (taken once
//!   through an atomic flag);
//! * the appender only writes bytes at or after its cursor, and the cursor is
//!   always equal to the region's `readable` length: a byte becomes readable
//!   (`Release` store) only after it was written, and is never written again;
//! * [`Region::bytes`] hands out only bytes below `readable` (`Acquire`
//!   load), so a reader never aliases a byte that is being written;
//! * a mapping is never truncated, remapped or unmapped while a `&Region`
//!   exists (regions live in an `Arc`; the file is only removed by name,
//!   which leaves the mapping valid on Linux).
//!
//! What this module must never do: hand out a slice past `readable`, let two
//! writers exist, or grow or shrink a mapped file. What it cannot enforce: the
//! files must not be changed by another process while mapped — the store
//! holds an exclusive `flock` on its directory so that another Lanes process
//! never does, and docs/store.md states the assumption.

use memmap2::MmapRaw;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

enum Backing {
    /// A shared, read-write mapping of a whole file.
    Map(MmapRaw),
    /// A heap buffer obtained from `Box<[u8]>::into_raw` (simulated files).
    Heap,
}

/// A fixed-size byte region with a readable, immutable prefix.
pub(crate) struct Region {
    ptr: *mut u8,
    len: usize,
    readable: AtomicUsize,
    appender_taken: AtomicBool,
    backing: Backing,
}

// SAFETY: the region's bytes are only reached through `bytes` (shared reads
// below `readable`, which nobody writes any more) and through the single
// `Appender` (exclusive writes at or past `readable`); `readable` and the
// appender flag are atomics. So sharing a region between threads cannot
// create a data race, and the raw pointer is valid on any thread for as long
// as the region lives (a mapping or a heap allocation owned by the region).
unsafe impl Send for Region {}
// SAFETY: see `Send` above: every shared access goes through atomics or
// through bytes that are immutable once readable.
unsafe impl Sync for Region {}

impl Region {
    /// A region over a whole-file mapping, with its first `readable` bytes
    /// already written (a file reopened at its committed length, or a new
    /// file whose header was written through the file).
    pub(crate) fn from_map(map: MmapRaw, readable: usize) -> io::Result<Arc<Region>> {
        let len = map.len();
        if readable > len {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "readable length beyond the mapping"));
        }
        Ok(Arc::new(Region {
            ptr: map.as_mut_ptr(),
            len,
            readable: AtomicUsize::new(readable),
            appender_taken: AtomicBool::new(false),
            backing: Backing::Map(map),
        }))
    }

    /// A region over a heap copy of `bytes` (the simulated backend).
    pub(crate) fn from_vec(bytes: Vec<u8>, readable: usize) -> io::Result<Arc<Region>> {
        if readable > bytes.len() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "readable length beyond the buffer"));
        }
        let len = bytes.len();
        let ptr = Box::into_raw(bytes.into_boxed_slice()) as *mut u8;
        Ok(Arc::new(Region {
            ptr,
            len,
            readable: AtomicUsize::new(readable),
            appender_taken: AtomicBool::new(false),
            backing: Backing::Heap,
        }))
    }

    /// Size of the region (the file's size when it was mapped).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Length of the written, immutable prefix.
    pub(crate) fn readable(&self) -> usize {
        self.readable.load(Ordering::Acquire)
    }

    /// `len` bytes at `offset`, if they lie inside the readable prefix.
    pub(crate) fn bytes(&self, offset: usize, len: usize) -> Option<&[u8]> {
        let end = offset.checked_add(len)?;
        if end > self.readable.load(Ordering::Acquire) {
            return None;
        }
        // SAFETY: `end <= readable <= self.len`, so the range lies inside the
        // allocation or mapping, which lives as long as `&self`. Bytes below
        // `readable` were written before `readable` was raised (Release,
        // paired with the Acquire load above) and are never written again:
        // the only writer writes at or past `readable`. So no `&mut` aliases
        // this slice while it lives.
        Some(unsafe { std::slice::from_raw_parts(self.ptr.add(offset), len) })
    }

    /// The region's one writer, or `None` if it was taken before.
    pub(crate) fn appender(self: &Arc<Self>) -> Option<Appender> {
        if self.appender_taken.swap(true, Ordering::AcqRel) {
            return None;
        }
        let cursor = self.readable();
        Some(Appender { region: self.clone(), cursor })
    }

    /// Make `[start, end)` durable (msync); a no-op for heap regions, whose
    /// durability the simulated backend tracks itself.
    pub(crate) fn flush(&self, start: usize, end: usize) -> io::Result<()> {
        if start >= end {
            return Ok(());
        }
        match &self.backing {
            Backing::Map(map) => map.flush_range(start, end - start),
            Backing::Heap => Ok(()),
        }
    }

    /// Tell the kernel how the mapping is about to be read.
    pub(crate) fn advise(&self, sequential: bool) {
        if let Backing::Map(map) = &self.backing {
            let advice = if sequential { memmap2::Advice::Sequential } else { memmap2::Advice::Random };
            // Advice is a hint: failing to give it changes nothing.
            let _ = map.advise(advice);
        }
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        if let Backing::Heap = self.backing {
            // SAFETY: for `Backing::Heap`, `ptr` and `len` came from
            // `Box::<[u8]>::into_raw` in `from_vec` and were never freed;
            // `drop` runs once, and no slice of the region outlives it (they
            // borrow `&self`).
            drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(self.ptr, self.len)) });
        }
        // A `Backing::Map` unmaps itself when dropped.
    }
}

/// The single writer of a [`Region`]: appends at its cursor and publishes
/// what it wrote.
pub(crate) struct Appender {
    region: Arc<Region>,
    cursor: usize,
}

impl Appender {
    /// Bytes still free.
    pub(crate) fn room(&self) -> usize {
        self.region.len - self.cursor
    }

    /// Reserve `len` bytes at the cursor, let `fill` write all of them, then
    /// make them readable. Returns their offset, or `None` if they do not fit.
    /// `fill` receives bytes that may hold stale content: it must write
    /// every byte it means to be read.
    pub(crate) fn append(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) -> Option<usize> {
        if len > self.room() {
            return None;
        }
        let start = self.cursor;
        // SAFETY: `start + len <= region.len`, inside the live allocation or
        // mapping (kept alive by `self.region`). The range lies at or past
        // `readable` (== `self.cursor`), so `Region::bytes` never hands it
        // out, and this appender is the region's only writer (`appender`
        // hands out one) and `&mut self` makes this the only live `&mut`
        // slice. Nothing else reads or writes these bytes until `readable`
        // is raised below.
        let buf = unsafe { std::slice::from_raw_parts_mut(self.region.ptr.add(start), len) };
        fill(buf);
        self.cursor = start + len;
        self.region.readable.store(self.cursor, Ordering::Release);
        Some(start)
    }
}

/// Take an exclusive advisory lock on `file` without blocking: `Ok(false)`
/// if another open file description holds it.
pub(crate) fn try_lock_exclusive(file: &File) -> io::Result<bool> {
    // SAFETY: `flock` reads no memory of ours; the descriptor is valid for
    // the call because `file` is borrowed.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(err)
    }
}

/// Reserve `len` bytes of disk for `file` (and set its size), so that writes
/// through a mapping never need new blocks: a full disk then shows up here,
/// as `ENOSPC`, and never as `SIGBUS` in the middle of a write.
pub(crate) fn preallocate(file: &File, len: u64) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let len_off = libc::off_t::try_from(len)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "file size too large"))?;
        // SAFETY: `fallocate` reads no memory of ours; the descriptor is valid
        // for the call because `file` is borrowed.
        let rc = unsafe { libc::fallocate(file.as_raw_fd(), 0, 0, len_off) };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EOPNOTSUPP) {
            return Err(err);
        }
    }
    // No fallocate here: a sparse file (a full disk would then fault).
    file.set_len(len)
}

/// Ask the kernel to drop `file`'s clean pages from the page cache (used by
/// the benchmark to measure a cold open). Dirty pages stay.
pub(crate) fn drop_cached_pages(file: &File) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `posix_fadvise` reads no memory of ours; the descriptor is
        // valid for the call because `file` is borrowed.
        let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
    }
    let _ = file;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_bytes_become_readable_and_only_they() {
        let region = Region::from_vec(vec![7u8; 64], 8).unwrap();
        assert_eq!(region.bytes(0, 8), Some(&[7u8; 8][..]));
        assert_eq!(region.bytes(4, 8), None, "past the readable prefix");
        let mut app = region.appender().unwrap();
        assert!(region.appender().is_none(), "one writer only");
        assert_eq!(app.append(16, |b| b.fill(1)), Some(8));
        assert_eq!(region.readable(), 24);
        assert_eq!(region.bytes(8, 16), Some(&[1u8; 16][..]));
        assert_eq!(app.append(41, |_| ()), None, "does not fit");
        assert_eq!(app.append(40, |b| b.fill(2)), Some(24));
        assert_eq!(app.room(), 0);
        assert_eq!(region.bytes(usize::MAX, 2), None, "overflowing ranges are refused");
    }
}
