//! The contract entry: [`entrypoint!`] exports `entrypoint`, which reads the
//! input buffer, builds [`AccountInfo`]s and calls your processor; plus the
//! allocator and panic handler a `no_std` contract needs.

use crate::abi::{self, entry};
use crate::account_info::AccountInfo;
use crate::program_error::ProgramResult;
use crate::pubkey::Pubkey;
use alloc::vec::Vec;

/// Signature of a contract's processor.
pub type ProcessInstruction = fn(&Pubkey, &[AccountInfo], &[u8]) -> ProgramResult;

/// Declare `$process` as this contract's entry. Also installs the bump
/// allocator and the panic handler (wasm only), so a contract crate needs
/// nothing else.
#[macro_export]
macro_rules! entrypoint {
    ($process:path) => {
        /// The exported entry the Lanes runtime calls.
        #[cfg(target_arch = "wasm32")]
        #[no_mangle]
        pub extern "C" fn entrypoint() -> u64 {
            // SAFETY: called once per instance by the host, as the ABI requires.
            unsafe { $crate::entrypoint::run($process) }
        }

        #[cfg(target_arch = "wasm32")]
        #[global_allocator]
        static LANES_ALLOCATOR: $crate::entrypoint::BumpAllocator = $crate::entrypoint::BumpAllocator::new();

        #[cfg(target_arch = "wasm32")]
        #[panic_handler]
        fn lanes_panic(info: &core::panic::PanicInfo<'_>) -> ! {
            $crate::entrypoint::panic(info)
        }
    };
}

/// Read the input, run `process`, encode its result.
///
/// # Safety
/// Call only from the exported `entrypoint`, once per instance.
#[cfg(target_arch = "wasm32")]
pub unsafe fn run(process: ProcessInstruction) -> u64 {
    let len = crate::syscalls::input_len();
    // u64 storage keeps the buffer 8-byte aligned, as the layout needs.
    let mut buffer: Vec<u64> = Vec::with_capacity(len.div_ceil(8));
    let base = buffer.as_mut_ptr() as *mut u8;
    crate::syscalls::input_read(base);
    buffer.set_len(len.div_ceil(8));
    let (program_id, accounts, data) = deserialize(base);
    let result = match process(program_id, &accounts, data) {
        Ok(()) => 0,
        Err(err) => err.into(),
    };
    // The host reads the results back out of the buffer after we return.
    core::mem::forget(buffer);
    result
}

/// Parse an input buffer into the program id, accounts and instruction data.
///
/// # Safety
/// `base` must point to a buffer the host wrote as [`crate::abi`] describes,
/// valid and otherwise unused for `'a`.
pub unsafe fn deserialize<'a>(base: *mut u8) -> (&'a Pubkey, Vec<AccountInfo<'a>>, &'a [u8]) {
    let read_u64 = |p: *const u8| u64::from_le_bytes(*(p as *const [u8; 8]));
    let num_accounts = read_u64(base) as usize;
    let mut offset = 8usize;
    let mut accounts: Vec<AccountInfo<'a>> = Vec::with_capacity(num_accounts);
    for _ in 0..num_accounts {
        let entry_ptr = base.add(offset);
        let dup = *entry_ptr.add(entry::DUP);
        if dup != abi::NON_DUP_MARKER {
            let original = accounts[dup as usize].clone();
            accounts.push(original);
            offset += entry::DUP_LEN;
        } else {
            let info = AccountInfo::from_entry(entry_ptr);
            let original_len =
                u32::from_le_bytes(*(entry_ptr.add(entry::ORIGINAL_DATA_LEN) as *const [u8; 4])) as usize;
            offset += abi::entry_len(original_len, info.is_writable);
            accounts.push(info);
        }
    }
    let data_len = read_u64(base.add(offset)) as usize;
    offset += 8;
    let data = core::slice::from_raw_parts(base.add(offset), data_len);
    offset += data_len;
    let program_id = &*(base.add(offset) as *const Pubkey);
    (program_id, accounts, data)
}

/// Report a panic to the host and stop.
#[cfg(target_arch = "wasm32")]
pub fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    use alloc::string::ToString;
    let mut text = info.message().to_string();
    if let Some(location) = info.location() {
        text = alloc::format!("panicked at {}:{}: {}", location.file(), location.line(), text);
    }
    crate::syscalls::abort(&text)
}

/// A bump allocator: each instance serves one instruction, so freeing is
/// only worth it for the newest block. Grows memory on demand; when the host
/// refuses to grow (memory limit), allocation fails and the contract aborts.
pub struct BumpAllocator {
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    next: core::cell::Cell<usize>,
}

// SAFETY: contracts are single-threaded (no wasm threads in Lanes).
unsafe impl Sync for BumpAllocator {}

impl BumpAllocator {
    /// An allocator that starts at the heap base on first use.
    pub const fn new() -> Self {
        BumpAllocator { next: core::cell::Cell::new(0) }
    }
}

impl Default for BumpAllocator {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(target_arch = "wasm32")]
extern "C" {
    static __heap_base: u8;
}

#[cfg(target_arch = "wasm32")]
// SAFETY: returns blocks that are aligned, disjoint and inside linear memory.
unsafe impl core::alloc::GlobalAlloc for BumpAllocator {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        const PAGE: usize = 65536;
        let mut next = self.next.get();
        if next == 0 {
            next = core::ptr::addr_of!(__heap_base) as usize;
        }
        let start = (next + layout.align() - 1) & !(layout.align() - 1);
        let Some(end) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        let have = core::arch::wasm32::memory_size(0) * PAGE;
        if end > have {
            let pages = (end - have).div_ceil(PAGE);
            if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                return core::ptr::null_mut();
            }
        }
        self.next.set(end);
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: core::alloc::Layout) {
        if ptr as usize + layout.size() == self.next.get() {
            self.next.set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: core::alloc::Layout, new_size: usize) -> *mut u8 {
        // Grow in place when this is the newest block.
        if ptr as usize + layout.size() == self.next.get() {
            const PAGE: usize = 65536;
            let Some(end) = (ptr as usize).checked_add(new_size) else {
                return core::ptr::null_mut();
            };
            let have = core::arch::wasm32::memory_size(0) * PAGE;
            if end > have {
                let pages = (end - have).div_ceil(PAGE);
                if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                    return core::ptr::null_mut();
                }
            }
            self.next.set(end);
            return ptr;
        }
        let new_layout = core::alloc::Layout::from_size_align_unchecked(new_size, layout.align());
        let new_ptr = self.alloc(new_layout);
        if !new_ptr.is_null() {
            core::ptr::copy_nonoverlapping(ptr, new_ptr, layout.size().min(new_size));
        }
        new_ptr
    }
}
