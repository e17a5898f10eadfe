//! Tests of the memory-mapped account store (`lanes_runtime::store::mmap`),
//! one binary:
//!
//! * `basic`: reads, writes, deletions, commits and reopens, slot order,
//!   concurrent writers, large accounts, the lock and ledger checks, the
//!   bank on top of the store;
//! * `crash`: a simulated disk crashed at every write and sync, reopened
//!   from synced, fully written and torn images, compared with a model;
//! * `kill`: a child process killed with SIGKILL while committing;
//! * `bad_files`: truncated, flipped, foreign, other-version and garbage
//!   files, and a full disk;
//! * `compaction`: space reclaimed, tombstones dropped, background runs
//!   beside writers and readers.
//!
//! `LANES_SOAK=1` lengthens the crash, kill and compaction runs.

mod bad_files;
mod basic;
mod common;
mod compaction;
mod crash;
mod kill;
