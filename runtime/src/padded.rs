//! [`CachePadded`]: a value alone on its cache lines, so that threads using
//! neighbouring values (the shards of a sharded map, say) do not bounce one
//! line between their cores.

/// Keeps a value on a cache line pair of its own (128 bytes: x86 prefetches
/// lines in adjacent pairs).
#[derive(Debug, Default)]
#[repr(align(128))]
pub struct CachePadded<T>(pub T);

impl<T> std::ops::Deref for CachePadded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
