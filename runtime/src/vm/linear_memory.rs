//! Where program instances' linear memories live: side by side in one
//! arena per engine, so that one page scan covers a whole batch of used
//! instances.
//!
//! Reusing an instance starts with finding the pages its invocation wrote
//! (`instance_reset`). That scan is a system call whose fixed cost — with
//! two workers, mostly the process-wide memory-map lock it takes — is most
//! of a reset, so one scan must cover many memories; and a scan over the
//! gaps between memories placed far apart (wasmtime's pooling allocator
//! puts them 4 MiB apart) costs more than separate scans. Hence this arena
//! of [`SLOT_BYTES`] slots side by side (measurements: docs/decisions.md,
//! "Memories packed in an arena").
//!
//! A memory starts in a slot when its initial size fits one and wasmtime
//! lets it move (the engine's code then reloads the base after a growth):
//! growing past the slot moves it into a mapping of its own, sized for
//! [`MAX_INSTANCE_MEMORY`]. Other memories get their own mapping from the
//! start, and so does every memory once the arena is full.
//!
//! Owns: the arena mapping, its slots, wasmtime's `MemoryCreator` and
//! `LinearMemory` for them. Must never: hand out memory that is not all
//! zeros beyond what the instance was given, let two memories overlap, or
//! let a memory exceed [`MAX_INSTANCE_MEMORY`].

use super::sys::{self, Mapping};
use crate::vm::MAX_INSTANCE_MEMORY;
use parking_lot::Mutex;
use std::ops::Range;
use std::sync::Arc;
use wasmtime::{LinearMemory, MemoryCreator, MemoryType};

/// Bytes per arena slot: the bundled programs' memories (256 KiB initial)
/// fit one exactly.
pub(crate) const SLOT_BYTES: usize = 256 * 1024;

/// One engine's arena: `slots` memories of up to [`SLOT_BYTES`] each.
pub(crate) struct MemoryArena {
    mapping: Mapping,
    /// Slots not in use; every byte of each is zero.
    free: Mutex<Vec<u32>>,
}

impl MemoryArena {
    pub fn new(slots: u32) -> Result<Arc<Self>, String> {
        let mapping = Mapping::new(slots as usize * SLOT_BYTES)?;
        Ok(Arc::new(MemoryArena { mapping, free: Mutex::new((0..slots).rev().collect()) }))
    }

    /// The arena's address range.
    pub fn span(&self) -> Range<usize> {
        self.mapping.span()
    }

    fn slot_base(&self, slot: u32) -> usize {
        self.mapping.span().start + slot as usize * SLOT_BYTES
    }

    /// Zero what a used slot's memory left and make it available again.
    fn release(&self, slot: u32) {
        let base = self.slot_base(slot);
        let zeroed = sys::for_each_written_region(base..base + SLOT_BYTES, |region| {
            // SAFETY: `region` lies in this slot (the scan reports only
            // pages of the range asked), which no memory uses any more.
            unsafe { std::ptr::write_bytes(region.start as *mut u8, 0, region.len()) }
        });
        if !zeroed {
            // No page scan on this kernel (or it failed): drop the slot's
            // pages instead; they read as zeros again.
            if !sys::discard_pages(&self.mapping, base..base + SLOT_BYTES) {
                return; // not zero: never hand this slot out again
            }
        }
        self.free.lock().push(slot);
    }
}

/// wasmtime's source of linear memories for an engine with an arena.
pub(crate) struct ArenaMemoryCreator(pub Arc<MemoryArena>);

// SAFETY: every memory returned is zero-filled, page-aligned, at least
// `minimum` bytes, backed by a mapping or slot no other memory uses, and
// never moves while it grows within `byte_capacity`.
unsafe impl MemoryCreator for ArenaMemoryCreator {
    fn new_memory(
        &self,
        _ty: MemoryType,
        minimum: usize,
        maximum: Option<usize>,
        reserved_size_in_bytes: Option<usize>,
        _guard_size_in_bytes: usize,
    ) -> Result<Box<dyn LinearMemory>, String> {
        if minimum > MAX_INSTANCE_MEMORY {
            return Err(format!("a memory of {minimum} bytes exceeds the {MAX_INSTANCE_MEMORY}-byte limit"));
        }
        // wasmtime lets a memory move when it can grow past the engine's
        // reservation; one that may not move can use a slot only if it can
        // never outgrow it.
        let may_move = maximum.is_none_or(|max| max > reserved_size_in_bytes.unwrap_or(0) && max != minimum);
        let outgrows_no_slot = maximum.is_some_and(|max| max <= SLOT_BYTES);
        if minimum <= SLOT_BYTES && (may_move || outgrows_no_slot) {
            if let Some(slot) = self.0.free.lock().pop() {
                return Ok(Box::new(InstanceMemory {
                    place: Place::Slot { arena: self.0.clone(), slot },
                    size: minimum,
                }));
            }
        }
        Ok(Box::new(InstanceMemory { place: Place::Own(Mapping::new(MAX_INSTANCE_MEMORY)?), size: minimum }))
    }
}

enum Place {
    Slot { arena: Arc<MemoryArena>, slot: u32 },
    Own(Mapping),
}

/// One instance's linear memory. Every byte past `size` is zero.
struct InstanceMemory {
    place: Place,
    size: usize,
}

impl InstanceMemory {
    fn base(&self) -> usize {
        match &self.place {
            Place::Slot { arena, slot } => arena.slot_base(*slot),
            Place::Own(mapping) => mapping.span().start,
        }
    }
}

impl Drop for InstanceMemory {
    fn drop(&mut self) {
        if let Place::Slot { arena, slot } = &self.place {
            arena.release(*slot);
        }
    }
}

// SAFETY: see `ArenaMemoryCreator`; growth beyond the capacity moves the
// bytes into a new mapping, which wasmtime allows for memories given slots.
unsafe impl LinearMemory for InstanceMemory {
    fn byte_size(&self) -> usize {
        self.size
    }

    fn byte_capacity(&self) -> usize {
        match &self.place {
            Place::Slot { .. } => SLOT_BYTES,
            Place::Own(mapping) => mapping.span().len(),
        }
    }

    fn grow_to(&mut self, new_size: usize) -> wasmtime::Result<()> {
        if new_size > MAX_INSTANCE_MEMORY {
            wasmtime::bail!("linear memory limit of {MAX_INSTANCE_MEMORY} bytes");
        }
        if new_size > self.byte_capacity() {
            let own = Mapping::new(MAX_INSTANCE_MEMORY).map_err(wasmtime::Error::msg)?;
            // SAFETY: both ranges are `size` bytes of live mappings of ours,
            // distinct (the new one was just made).
            unsafe { std::ptr::copy_nonoverlapping(self.base() as *const u8, own.span().start as *mut u8, self.size) };
            let old = std::mem::replace(&mut self.place, Place::Own(own));
            if let Place::Slot { arena, slot } = old {
                arena.release(slot);
            }
        }
        self.size = new_size;
        Ok(())
    }

    fn as_ptr(&self) -> *mut u8 {
        self.base() as *mut u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creator(slots: u32) -> ArenaMemoryCreator {
        ArenaMemoryCreator(MemoryArena::new(slots).unwrap())
    }

    fn new(creator: &ArenaMemoryCreator, minimum: usize, maximum: Option<usize>) -> Box<dyn LinearMemory> {
        let ty = wasmtime::MemoryType::new(1, None);
        creator.new_memory(ty, minimum, maximum, Some(MAX_INSTANCE_MEMORY), 0).unwrap()
    }

    fn read(memory: &dyn LinearMemory, len: usize) -> Vec<u8> {
        assert!(len <= memory.byte_capacity());
        // SAFETY: within the memory's capacity, which is mapped.
        unsafe { std::slice::from_raw_parts(memory.as_ptr(), len) }.to_vec()
    }

    fn write(memory: &dyn LinearMemory, at: usize, bytes: &[u8]) {
        assert!(at + bytes.len() <= memory.byte_size());
        // SAFETY: within the memory's size; nothing else uses it in the test.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), memory.as_ptr().add(at), bytes.len()) }
    }

    #[test]
    fn memories_are_packed_and_a_freed_slot_comes_back_zeroed() {
        let creator = creator(2);
        let span = creator.0.span();
        let a = new(&creator, 64 * 1024, None);
        let b = new(&creator, SLOT_BYTES, None);
        assert!(span.contains(&(a.as_ptr() as usize)) && span.contains(&(b.as_ptr() as usize)));
        assert_eq!((b.as_ptr() as usize).abs_diff(a.as_ptr() as usize), SLOT_BYTES);
        // The arena is full: the next memory gets a mapping of its own.
        let c = new(&creator, 64 * 1024, None);
        assert!(!span.contains(&(c.as_ptr() as usize)));
        assert_eq!(c.byte_capacity(), MAX_INSTANCE_MEMORY);

        let slot_of_a = a.as_ptr() as usize;
        write(&*a, 0, &[7; 4096]);
        write(&*a, 60 * 1024, &[9]);
        drop(a);
        let d = new(&creator, SLOT_BYTES, None);
        assert_eq!(d.as_ptr() as usize, slot_of_a, "the freed slot is reused");
        assert!(read(&*d, SLOT_BYTES).iter().all(|b| *b == 0), "and holds zeros only");
    }

    #[test]
    fn growing_past_the_slot_moves_the_bytes_and_frees_the_slot() {
        let creator = creator(1);
        let mut memory = new(&creator, 64 * 1024, None);
        let slot = memory.as_ptr() as usize;
        write(&*memory, 100, &[42]);
        memory.grow_to(128 * 1024).unwrap();
        assert_eq!(memory.as_ptr() as usize, slot, "growth within the slot stays put");
        memory.grow_to(SLOT_BYTES + 64 * 1024).unwrap();
        assert_ne!(memory.as_ptr() as usize, slot);
        let moved = read(&*memory, SLOT_BYTES + 64 * 1024);
        assert_eq!(moved[100], 42);
        assert!(moved[101..].iter().all(|b| *b == 0));
        assert!(memory.grow_to(MAX_INSTANCE_MEMORY + 64 * 1024).is_err());
        let next = new(&creator, 64 * 1024, None);
        assert_eq!(next.as_ptr() as usize, slot, "the slot was freed by the move");
        assert!(read(&*next, SLOT_BYTES).iter().all(|b| *b == 0));
    }

    #[test]
    fn memories_that_may_not_move_get_a_slot_only_if_they_cannot_outgrow_it() {
        let creator = creator(4);
        let span = creator.0.span();
        let fixed_small = new(&creator, 64 * 1024, Some(128 * 1024));
        assert!(span.contains(&(fixed_small.as_ptr() as usize)));
        // Maximum at most the engine's reservation: wasmtime will not let it
        // move, and it could outgrow a slot.
        let fixed_large = new(&creator, 64 * 1024, Some(MAX_INSTANCE_MEMORY));
        assert!(!span.contains(&(fixed_large.as_ptr() as usize)));
        let too_big = creator.new_memory(
            wasmtime::MemoryType::new(1, None),
            MAX_INSTANCE_MEMORY + 64 * 1024,
            None,
            Some(MAX_INSTANCE_MEMORY),
            0,
        );
        assert!(too_big.is_err());
    }
}
