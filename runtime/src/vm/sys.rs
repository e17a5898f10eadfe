//! The raw system calls of the VM, and nothing else: anonymous mappings for
//! linear memories ([`Mapping`]), dropping a mapping's pages, and Linux's
//! `PAGEMAP_SCAN` ioctl that finds the pages a program wrote
//! ([`for_each_written_region`]). Every `unsafe` of these calls is here.

use std::ops::Range;

/// An anonymous private mapping, unmapped on drop.
pub(crate) struct Mapping {
    /// Address of the first byte (a `usize` so the type is `Send + Sync`;
    /// only this module turns it into a pointer).
    base: usize,
    len: usize,
}

impl Mapping {
    /// Reserve `len` bytes of zeros (pages are only backed once touched).
    pub(crate) fn new(len: usize) -> Result<Self, String> {
        // SAFETY: a new private anonymous mapping at an address the kernel
        // chooses; it overlaps nothing of ours.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(format!("mapping {len} bytes for linear memory: {}", std::io::Error::last_os_error()));
        }
        Ok(Mapping { base: ptr as usize, len })
    }

    /// The mapping's address range.
    pub(crate) fn span(&self) -> Range<usize> {
        self.base..self.base + self.len
    }

    /// The mapping's bytes (tests write pages through this).
    #[cfg(test)]
    pub(crate) fn bytes(&mut self) -> &mut [u8] {
        // SAFETY: the mapping is `len` readable and writable bytes, borrowed
        // mutably through `self`.
        unsafe { std::slice::from_raw_parts_mut(self.base as *mut u8, self.len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: exactly the mapping made in `new`; nothing refers to it
        // once its owner is dropped.
        unsafe { libc::munmap(self.base as *mut libc::c_void, self.len) };
    }
}

/// Drop the pages of `range` (inside `mapping`) so they read as zeros
/// again; `false` if the kernel refused.
pub(crate) fn discard_pages(mapping: &Mapping, range: Range<usize>) -> bool {
    let span = mapping.span();
    if range.start < span.start || range.end > span.end {
        return false;
    }
    // SAFETY: the range lies inside our own mapping (checked above); its
    // owner no longer uses these bytes.
    unsafe { libc::madvise(range.start as *mut libc::c_void, range.len(), libc::MADV_DONTNEED) == 0 }
}

/// Written regions one scan call reports (more take more calls).
pub(crate) const MAX_REGIONS: usize = 128;

/// `struct page_region` of `PAGEMAP_SCAN` (linux/fs.h).
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
struct PageRegion {
    start: u64,
    end: u64,
    categories: u64,
}

/// `struct pm_scan_arg` of `PAGEMAP_SCAN` (linux/fs.h).
#[repr(C)]
struct PageMapScanArg {
    size: u64,
    flags: u64,
    start: u64,
    end: u64,
    walk_end: u64,
    vec: u64,
    vec_len: u64,
    max_pages: u64,
    category_inverted: u64,
    category_mask: u64,
    category_anyof_mask: u64,
    return_mask: u64,
}

/// `_IOWR('f', 16, struct pm_scan_arg)`.
const PAGEMAP_SCAN: u64 =
    (3 << 30) | ((std::mem::size_of::<PageMapScanArg>() as u64) << 16) | ((b'f' as u64) << 8) | 16;
const PAGE_IS_WRITTEN: u64 = 1 << 1;
const PAGE_IS_FILE: u64 = 1 << 2;
const PAGE_IS_PRESENT: u64 = 1 << 3;
const PAGE_IS_SWAPPED: u64 = 1 << 4;
const PAGE_IS_PFNZERO: u64 = 1 << 5;

/// Whether this kernel can find written pages (`PAGEMAP_SCAN`, Linux 6.7+).
/// Without it no instance is reused: every invocation gets a fresh one.
pub(crate) fn available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let probe = [0u8; 2 * 4096];
        let page = (probe.as_ptr() as usize).next_multiple_of(4096);
        for_each_written_region(page..page + 4096, |_| {})
    })
}

/// Call `each` with every run of pages in `span` (addresses of our own
/// mappings) that may differ from what was mapped there: pages in memory or
/// swapped out that are neither the shared zero page nor still the file
/// (image) mapping. (A written page can become the zero page again only by
/// same-page merging, which applies to memory marked mergeable; nothing in
/// Lanes or wasmtime marks it. wasmtime's own reset rests on the same
/// rule.) `false` if the scan is not available or failed: then `each` may
/// have seen only some of the regions.
pub(crate) fn for_each_written_region(span: Range<usize>, mut each: impl FnMut(Range<usize>)) -> bool {
    use std::os::fd::AsRawFd;
    thread_local! {
        // One descriptor per thread: every ioctl on a shared descriptor
        // takes a reference on its file, an atomic that two workers would
        // bounce between their cores.
        static PAGEMAP: Option<std::fs::File> = std::fs::File::open("/proc/self/pagemap").ok();
    }
    // (`try_with`: instances dropped while the thread exits may come after
    // the descriptor is gone.)
    let Some(pagemap) = PAGEMAP.try_with(|pagemap| pagemap.as_ref().map(|file| file.as_raw_fd())).ok().flatten() else {
        return false;
    };
    let mut out = [PageRegion::default(); MAX_REGIONS];
    let mut start = span.start as u64;
    let end = span.end as u64;
    while start < end {
        let mut arg = PageMapScanArg {
            size: std::mem::size_of::<PageMapScanArg>() as u64,
            flags: 0,
            start,
            end,
            walk_end: 0,
            vec: out.as_mut_ptr() as u64,
            vec_len: MAX_REGIONS as u64,
            max_pages: 0,
            // A page matches when, after inverting these, every mask bit is
            // set (written, not the zero page, not a file page) and one of
            // the any-of bits is (in memory or swapped out). Never-touched
            // pages are holes, which the kernel reports as "written" when
            // the range has no userfaultfd write protection: the any-of mask
            // leaves them out.
            category_inverted: PAGE_IS_PFNZERO | PAGE_IS_FILE,
            category_mask: PAGE_IS_WRITTEN | PAGE_IS_PFNZERO | PAGE_IS_FILE,
            category_anyof_mask: PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
            return_mask: 0,
        };
        // SAFETY: `arg` describes `out` (MAX_REGIONS entries, writable) and
        // a range of our own address space; the kernel only reads page tables.
        let found = unsafe { libc::ioctl(pagemap, PAGEMAP_SCAN as _, &mut arg as *mut PageMapScanArg) };
        // The kernel stops early (walk_end < end) when `out` is full; a
        // scan that made no progress would loop forever.
        if found < 0 || arg.walk_end <= start || arg.walk_end > end {
            return false;
        }
        for region in out.iter().take(found as usize) {
            each(region.start as usize..region.end as usize);
        }
        start = arg.walk_end;
    }
    true
}
