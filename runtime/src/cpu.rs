//! CPU time by stage of a batch, so a node can say where its CPU goes.
//!
//! The threads that live for one batch — sanitizing, verifying signatures,
//! the scheduler's workers — add their own CPU time here as they finish
//! (a [`Charge`] guard each); a thread's entry in `/proc` vanishes with it,
//! so nothing else could see that time afterwards. Long-lived threads are
//! named (`lanes-…`) and a node reads them from `/proc` itself.
//!
//! [`ProcessCounters`]: what the kernel counted for the whole process (CPU
//! time, page faults, context switches), for benchmarks to difference.
//!
//! Never: affect what a batch computes (this only counts), or cost more than
//! two clock reads a thread per batch.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The stages of a batch whose threads charge their CPU time here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStage {
    /// Sanitizing and signature verification.
    Verify,
    /// The scheduler's worker threads (execution and their commits).
    Execute,
}

static CHARGED_NS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

/// CPU nanoseconds the calling thread has used since it started (0 where
/// the clock cannot be read).
pub fn thread_cpu_ns() -> u64 {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    if rc != 0 {
        return 0;
    }
    (now.tv_sec as u64).saturating_mul(1_000_000_000).saturating_add(now.tv_nsec as u64)
}

/// CPU nanoseconds this process's finished batch threads spent in `stage`.
pub fn charged_ns(stage: BatchStage) -> u64 {
    CHARGED_NS[stage as usize].load(Relaxed)
}

/// Charges the CPU time the current thread uses from now until it is
/// dropped to a stage.
pub struct Charge {
    stage: BatchStage,
    started_ns: u64,
}

impl Charge {
    pub fn new(stage: BatchStage) -> Charge {
        Charge { stage, started_ns: thread_cpu_ns() }
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        let used = thread_cpu_ns().saturating_sub(self.started_ns);
        CHARGED_NS[self.stage as usize].fetch_add(used, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_thread_charges_its_stage() {
        let before = charged_ns(BatchStage::Verify);
        std::thread::spawn(|| {
            let _charge = Charge::new(BatchStage::Verify);
            // Until this thread has had 30 ms of CPU, however busy the machine.
            let started = thread_cpu_ns();
            let mut x = 0u64;
            while thread_cpu_ns() - started < 30_000_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
        })
        .join()
        .unwrap();
        assert!(charged_ns(BatchStage::Verify) - before >= 30_000_000);
    }
}

/// What the kernel counted for the whole process so far (finished threads
/// included): CPU time, page faults and context switches. Benchmarks take
/// two and subtract, to see what a measured run made the kernel do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcessCounters {
    pub user_ns: u64,
    pub system_ns: u64,
    /// Faults served without I/O (first touch of a page, copy on write).
    pub minor_faults: u64,
    pub major_faults: u64,
    /// A thread blocked (a lock, a wait, I/O).
    pub voluntary_switches: u64,
    /// A thread was preempted.
    pub involuntary_switches: u64,
}

impl ProcessCounters {
    /// The counters now (all zero where they cannot be read).
    pub fn now() -> Self {
        // SAFETY: an all-zero `rusage` is a valid value of the plain C struct.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `usage` is a valid, writable rusage for the duration of the call.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
            return ProcessCounters::default();
        }
        let ns = |t: libc::timeval| (t.tv_sec as u64).saturating_mul(1_000_000_000) + (t.tv_usec as u64) * 1_000;
        ProcessCounters {
            user_ns: ns(usage.ru_utime),
            system_ns: ns(usage.ru_stime),
            minor_faults: usage.ru_minflt as u64,
            major_faults: usage.ru_majflt as u64,
            voluntary_switches: usage.ru_nvcsw as u64,
            involuntary_switches: usage.ru_nivcsw as u64,
        }
    }

    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &ProcessCounters) -> ProcessCounters {
        ProcessCounters {
            user_ns: self.user_ns.saturating_sub(earlier.user_ns),
            system_ns: self.system_ns.saturating_sub(earlier.system_ns),
            minor_faults: self.minor_faults.saturating_sub(earlier.minor_faults),
            major_faults: self.major_faults.saturating_sub(earlier.major_faults),
            voluntary_switches: self.voluntary_switches.saturating_sub(earlier.voluntary_switches),
            involuntary_switches: self.involuntary_switches.saturating_sub(earlier.involuntary_switches),
        }
    }
}
