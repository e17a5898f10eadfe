//! [`OutcomeSlots`]: one outcome per input transaction, written in place by
//! the thread that ran it. The only `unsafe` of the scheduler lives here:
//! each slot is written once, by the thread that claimed its flag, and read
//! only after every writer has finished.

use crate::bank::TransactionOutcome;

/// One outcome per input transaction, written by the thread that ran it.
///
/// Workers put outcomes straight into their place: an outcome is a few
/// hundred bytes, and the scheduler's thread must not move each one again.
/// Nothing is written up front: slots are filled only by their outcome, so
/// a large run pays no page faults before its first transaction
/// (docs/decisions.md, "Outcome slots").
pub(super) struct OutcomeSlots {
    slots: Box<[std::cell::UnsafeCell<std::mem::MaybeUninit<TransactionOutcome>>]>,
    /// Set by the one write a slot gets; read when the run is over.
    filled: Box<[std::sync::atomic::AtomicBool]>,
}

// SAFETY: a slot is written only by the `set` that flipped its `filled`
// flag (so by one thread, once) and read only through `into_vec` or
// `drop`, which own the slots (every writer has finished by then); an
// outcome may cross threads that way because it is `Send` (checked below).
unsafe impl Sync for OutcomeSlots {}
const _: () = {
    const fn outcomes_may_cross_threads<T: Send>() {}
    outcomes_may_cross_threads::<TransactionOutcome>();
};

impl OutcomeSlots {
    pub fn new(len: usize) -> Self {
        use std::sync::atomic::AtomicBool;
        OutcomeSlots {
            slots: (0..len).map(|_| std::cell::UnsafeCell::new(std::mem::MaybeUninit::uninit())).collect(),
            filled: (0..len).map(|_| AtomicBool::new(false)).collect(),
        }
    }

    /// Store the outcome of transaction `index`. `false` (and the outcome
    /// dropped) if it already had one: the scheduler ran it twice.
    pub fn set(&self, index: usize, outcome: TransactionOutcome) -> bool {
        if self.filled[index].swap(true, std::sync::atomic::Ordering::AcqRel) {
            return false;
        }
        // SAFETY: this call flipped the flag, so no other write to this slot
        // happens, and nothing reads it before the run is over.
        unsafe { (*self.slots[index].get()).write(outcome) };
        true
    }

    /// Every outcome in input order, or the first index that has none.
    pub fn into_vec(mut self) -> Result<Vec<TransactionOutcome>, usize> {
        if let Some(missing) = self.filled.iter().position(|filled| !filled.load(std::sync::atomic::Ordering::Acquire))
        {
            return Err(missing);
        }
        self.filled = Box::new([]); // the outcomes move out below: nothing left to drop
        let slots = std::mem::take(&mut self.slots);
        let len = slots.len();
        let ptr = Box::into_raw(slots).cast::<TransactionOutcome>();
        // SAFETY: every slot holds an outcome (checked above), and
        // `UnsafeCell<MaybeUninit<T>>` has the layout of `T`: the boxed
        // slice's allocation is a valid `Vec<T>` of `len` elements and
        // capacity.
        Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
    }
}

impl Drop for OutcomeSlots {
    fn drop(&mut self) {
        for (slot, filled) in self.slots.iter_mut().zip(self.filled.iter()) {
            if filled.load(std::sync::atomic::Ordering::Acquire) {
                // SAFETY: the flag says the slot holds an outcome.
                unsafe { slot.get_mut().assume_init_drop() };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lanes_sdk::transaction_error::TransactionError;
    use lanes_sdk::Signature;

    fn outcome(n: u8) -> TransactionOutcome {
        TransactionOutcome::refused(Signature([n; 64]), TransactionError::AlreadyProcessed)
    }

    #[test]
    fn outcome_slots_give_every_outcome_in_input_order_or_name_a_missing_one() {
        let slots = OutcomeSlots::new(3);
        assert!(slots.set(2, outcome(2)));
        assert!(slots.set(0, outcome(0)));
        assert!(!slots.set(0, outcome(9)), "a second outcome is refused");
        let incomplete = OutcomeSlots::new(3);
        incomplete.set(0, outcome(0));
        assert_eq!(incomplete.into_vec().unwrap_err(), 1); // the one filled is dropped with it
        slots.set(1, outcome(1));
        let all = slots.into_vec().unwrap();
        assert_eq!(all.iter().map(|o| o.signature.0[0]).collect::<Vec<_>>(), [0, 1, 2]);
        assert!(OutcomeSlots::new(0).into_vec().unwrap().is_empty());
    }
}
