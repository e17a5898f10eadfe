//! `getRecentPerformanceSamples`: every [`SAMPLE_PERIOD`], the slots and
//! transactions the node got through, the newest [`MAX_SAMPLES`] kept
//! (Solana's period and depth: 60 s, 12 hours).
//!
//! Never: sample from a clock the banking thread does not drive (samples
//! are taken as slots freeze, so an idle node still samples its slots).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How long one sample covers (Solana's).
pub const SAMPLE_PERIOD: Duration = Duration::from_secs(60);
/// Samples kept (Solana's: 12 hours of them).
pub const MAX_SAMPLES: usize = 720;

/// One period's throughput.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerformanceSample {
    /// The newest slot when the sample was taken.
    pub slot: u64,
    pub num_slots: u64,
    pub num_transactions: u64,
    pub sample_period_secs: u16,
}

/// The samples, and where the current period started.
pub struct PerformanceSamples {
    samples: VecDeque<PerformanceSample>,
    period_started: Instant,
    slot_at_start: u64,
    transactions_at_start: u64,
}

impl PerformanceSamples {
    pub fn new(slot: u64, transactions: u64) -> Self {
        PerformanceSamples {
            samples: VecDeque::new(),
            period_started: Instant::now(),
            slot_at_start: slot,
            transactions_at_start: transactions,
        }
    }

    /// A slot froze with `transactions` committed since genesis: take a
    /// sample if the period is over.
    pub fn on_slot(&mut self, slot: u64, transactions: u64) {
        let elapsed = self.period_started.elapsed();
        if elapsed < SAMPLE_PERIOD {
            return;
        }
        self.samples.push_front(PerformanceSample {
            slot,
            num_slots: slot.saturating_sub(self.slot_at_start),
            num_transactions: transactions.saturating_sub(self.transactions_at_start),
            sample_period_secs: elapsed.as_secs().min(u64::from(u16::MAX)) as u16,
        });
        self.samples.truncate(MAX_SAMPLES);
        self.period_started = Instant::now();
        self.slot_at_start = slot;
        self.transactions_at_start = transactions;
    }

    /// The newest `limit` samples, newest first.
    pub fn recent(&self, limit: usize) -> Vec<PerformanceSample> {
        self.samples.iter().take(limit).copied().collect()
    }
}
