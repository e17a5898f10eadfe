//! [`SchedulerConfig`]: how many workers, how work is batched and queued,
//! and where the scheduler itself runs ([`SchedulerPlacement`]).

/// Settings of the parallel engine.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// Worker threads executing transactions.
    pub threads: usize,
    /// Transactions handed to a worker in one message.
    pub batch_size: usize,
    /// Most transactions queued on one worker at once.
    pub max_queued_per_thread: usize,
    /// Most pending transactions one scheduling pass looks at.
    pub lookahead: usize,
    /// Where the scheduler runs: on its own thread beside the workers, or
    /// on worker 0's thread, executing that worker's queue between passes.
    pub placement: SchedulerPlacement,
}

/// Where the scheduler runs (see [`SchedulerConfig::placement`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchedulerPlacement {
    /// A thread of its own: best while the machine has a core to spare.
    Dedicated,
    /// On worker 0's thread: `threads` threads in all. On a machine with no
    /// spare core a separate scheduler thread would take its CPU from the
    /// workers anyway, and wake-ups between three threads on two cores
    /// leave cores idle.
    Inline,
}

impl SchedulerPlacement {
    /// Dedicated while `threads` workers leave a core free, else inline.
    pub fn for_machine(threads: usize) -> Self {
        if threads < crate::available_cores() {
            SchedulerPlacement::Dedicated
        } else {
            SchedulerPlacement::Inline
        }
    }
}

impl SchedulerConfig {
    /// Defaults for `threads` workers, the scheduler placed for this machine.
    pub fn with_threads(threads: usize) -> Self {
        SchedulerConfig {
            threads,
            batch_size: 64,
            max_queued_per_thread: 256,
            lookahead: 4096,
            placement: SchedulerPlacement::for_machine(threads),
        }
    }
}
