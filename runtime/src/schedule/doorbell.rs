//! [`Doorbell`]: how a worker wakes the scheduler only when it is needed.

use crossbeam_channel::Sender;

/// How workers wake a sleeping scheduler.
///
/// A report sent while the scheduler sleeps on the report channel wakes it,
/// and a wake-up across cores costs the sender a system call and the
/// receiver a context switch on every batch (docs/decisions.md, "The
/// doorbell"). So the scheduler sleeps on this bell instead, and a
/// worker that has queued a report rings only when the scheduler is needed
/// soon: its own queue holds at most one more batch, or the scheduler has
/// said a transaction waits for locks (`prompt`). Every worker with work
/// eventually finishes its last batch and rings, so a sleeping scheduler
/// always wakes while work is outstanding.
#[derive(Default)]
pub(super) struct Doorbell {
    prompt: std::sync::atomic::AtomicBool,
}

impl Doorbell {
    /// A worker with `queued` batches still waiting in its channel has just
    /// queued a report: ring on `ring` if the scheduler is needed soon.
    pub fn reported(&self, ring: &Sender<()>, queued: usize) {
        if queued <= 1 || self.prompt.load(std::sync::atomic::Ordering::Relaxed) {
            // Full means a ring is already pending: the scheduler will look.
            let _ = ring.try_send(());
        }
    }

    /// Whether reports should ring at once (written only when it changes:
    /// every worker reads it after every batch).
    pub fn set_prompt(&self, prompt: bool) {
        use std::sync::atomic::Ordering::Relaxed;
        if self.prompt.load(Relaxed) != prompt {
            self.prompt.store(prompt, Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam_channel::bounded;

    #[test]
    fn a_worker_rings_when_its_queue_runs_low_or_a_transaction_waits_for_locks() {
        let doorbell = Doorbell::default();
        let (ring, rung) = bounded::<()>(1);
        doorbell.reported(&ring, 3);
        assert!(rung.try_recv().is_err(), "three batches still queued: no need to wake the scheduler");
        doorbell.reported(&ring, 1);
        assert!(rung.try_recv().is_ok(), "one batch left: the scheduler must refill it");
        doorbell.reported(&ring, 0);
        doorbell.reported(&ring, 0);
        assert!(rung.try_recv().is_ok() && rung.try_recv().is_err(), "rings while one is pending add nothing");
        doorbell.set_prompt(true);
        doorbell.reported(&ring, 3);
        assert!(rung.try_recv().is_ok(), "a transaction waits for locks: report at once");
        doorbell.set_prompt(false);
        doorbell.reported(&ring, 3);
        assert!(rung.try_recv().is_err());
    }
}
