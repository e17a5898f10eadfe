//! The instances an executor keeps for reuse ([`InstancePool`]): used ones
//! wait for the next batch reset (one page scan over their packed
//! memories), reset ones are handed to the next invocation of their
//! program. Each worker thread has an executor of its own, so its pool is
//! never contended. An instance is reused
//! only once it is exactly what a fresh instance is
//! ([`super::instance_reset`]).

use super::deploy::CompiledProgram;
use super::engine::Executor;
use super::invoke::HostState;
use crate::transaction_context::ExecuteTimings;
use parking_lot::Mutex;
use std::sync::Arc;
use wasmtime::{Global, Memory, Store, TypedFunc, Val};

/// Instances one executor keeps for reuse, over all programs (oldest
/// dropped first).
const MAX_IDLE_INSTANCES: usize = 32;
/// Used instances of one program an executor collects before resetting them
/// together: one page scan covers them all (see [`crate::vm::linear_memory`]).
const RESET_BATCH: usize = 8;

/// An instance's handles the host needs, kept with its store between invocations.
pub(crate) struct LiveInstance {
    pub(super) entry: TypedFunc<(), i64>,
    pub(super) memory: Memory,
    /// The module's mutable globals with their values in a fresh instance.
    pub(super) fresh_globals: Vec<(Global, Val)>,
}

/// An instance kept for the next invocation of its program:
/// reset to a fresh instance's state, or used and waiting for the next
/// batch reset.
pub(crate) struct IdleInstance {
    pub(super) program: Arc<CompiledProgram>,
    pub(super) store: Store<HostState>,
    pub(super) instance: LiveInstance,
    /// Ran since its last reset: must be reset before it runs again.
    pub(super) used: bool,
}

/// An executor's kept instances, oldest first. A store here holds no
/// transaction state: its context was taken back and its executor cleared.
/// The lock is never held while an instance runs or a store is dropped.
#[derive(Default)]
pub(crate) struct InstancePool {
    idle: Mutex<Vec<IdleInstance>>,
}

impl InstancePool {
    fn with<R>(&self, f: impl FnOnce(&mut Vec<IdleInstance>) -> R) -> R {
        f(&mut self.idle.lock())
    }
}

/// A reset instance of `program` kept by `executor`, if there is one or
/// there should be: while the executor holds fewer than [`RESET_BATCH`]
/// instances of the program, a used one is left for later and a fresh
/// instance is made instead (`None`); from then on, when none is ready,
/// every used instance of `executor` is reset at once.
pub(crate) fn take_idle_instance(
    executor: &Executor,
    program: &CompiledProgram,
    timings: &mut ExecuteTimings,
) -> Option<IdleInstance> {
    program.reset.as_ref()?;
    if executor.fresh_instance_per_invocation {
        return None;
    }
    let of_program = |i: &IdleInstance| i.program.code_hash == program.code_hash;
    let (taken, dropped) = executor.pool.with(|idle| {
        if let Some(at) = idle.iter().rposition(|i| of_program(i) && !i.used) {
            return (Some(idle.remove(at)), Vec::new());
        }
        let kept = idle.iter().filter(|i| of_program(i)).count();
        if kept == 0 || (kept < RESET_BATCH && idle.len() < MAX_IDLE_INSTANCES) {
            return (None, Vec::new());
        }
        let dropped = reset_used_instances(executor, idle, timings);
        (idle.iter().rposition(|i| of_program(i) && !i.used).map(|at| idle.remove(at)), dropped)
    });
    drop(dropped); // outside the lock: dropping a store runs wasmtime's tear-down
    taken
}

/// Reset every used instance of `executor` in `idle`: those whose memory is
/// in the arena with one page scan over their span, any others one scan
/// each. Returns the instances that could not be reset completely (removed
/// from `idle`), for the caller to drop.
pub(crate) fn reset_used_instances(
    executor: &Executor,
    idle: &mut Vec<IdleInstance>,
    timings: &mut ExecuteTimings,
) -> Vec<IdleInstance> {
    let arena = executor.arena.span();
    let in_arena = |memory: &[u8]| {
        let start = memory.as_ptr() as usize;
        arena.contains(&start) && start + memory.len() <= arena.end
    };
    let mut packed_span: Option<std::ops::Range<usize>> = None;
    let mut reset_ok = vec![true; idle.len()];
    for (kept, ok) in idle.iter_mut().zip(&mut reset_ok) {
        if !kept.used {
            continue;
        }
        let Some((plan, _)) = &kept.program.reset else {
            *ok = false;
            continue;
        };
        let memory = kept.instance.memory.data(&kept.store);
        let range = memory.as_ptr() as usize..memory.as_ptr() as usize + memory.len();
        if memory.len() != plan.initial_memory_bytes {
            *ok = false; // it grew: memory cannot shrink back
        } else if in_arena(memory) {
            let span = packed_span.get_or_insert(range.clone());
            *span = span.start.min(range.start)..span.end.max(range.end);
        } else {
            timings.reset_scans += 1;
            *ok = plan.reset_memory(kept.instance.memory.data_mut(&mut kept.store));
        }
    }
    let mut written = Vec::new();
    let packed_scanned = packed_span.is_none_or(|span| {
        timings.reset_scans += 1;
        crate::vm::sys::for_each_written_region(span, |region| written.push(region))
    });
    for (kept, ok) in idle.iter_mut().zip(&mut reset_ok) {
        if !kept.used || !*ok {
            continue;
        }
        let Some((plan, _)) = &kept.program.reset else { continue };
        let memory = kept.instance.memory.data_mut(&mut kept.store);
        if in_arena(memory) {
            if !packed_scanned {
                *ok = false;
                continue;
            }
            plan.restore_regions(memory, &written);
        } // else: reset on its own above
        for (global, fresh) in &kept.instance.fresh_globals {
            if global.set(&mut kept.store, *fresh).is_err() {
                *ok = false;
            }
        }
        kept.used = false;
    }
    // Removed back to front so the indices stay valid; nothing is
    // allocated when every reset succeeded (the usual case, every batch).
    let mut failed = Vec::new();
    for at in (0..idle.len()).rev() {
        if !reset_ok[at] {
            failed.push(idle.remove(at));
        }
    }
    failed
}

/// Keep `instance`, used, for a later batch reset (or drop it if its
/// program's instances cannot be reset).
pub(crate) fn park_instance(
    executor: &Executor,
    program: Arc<CompiledProgram>,
    store: Store<HostState>,
    instance: LiveInstance,
) {
    let Some((plan, _)) = &program.reset else { return };
    if executor.fresh_instance_per_invocation || instance.memory.data_size(&store) != plan.initial_memory_bytes {
        return; // a memory that grew cannot shrink back
    }
    let parked = IdleInstance { program, store, instance, used: true };
    let dropped = executor.pool.with(|idle| {
        idle.push(parked);
        (idle.len() > MAX_IDLE_INSTANCES).then(|| idle.remove(0))
    });
    drop(dropped); // outside the lock: dropping a store runs wasmtime's tear-down
}

#[cfg(test)]
mod tests {
    use super::super::engine::{Executor, ROOT_ARENA_SLOTS};
    use super::super::instance_reuse_supported;
    use super::*;
    use std::sync::Arc;

    const PROGRAM: &str =
        r#"(module (memory (export "memory") 1) (func (export "entrypoint") (result i64) i64.const 0))"#;

    /// Invoke one program `times` times on a bank over an executor whose
    /// arena has `arena_slots` slots; (fresh instances, reset scans).
    fn invoke_repeatedly(arena_slots: u32, times: usize) -> (u64, u64) {
        use crate::transaction_context::{InstructionAccount, TransactionAccounts, TransactionContext};
        use lanes_sdk::hash::hashv;
        use lanes_sdk::instruction::InstructionError;
        use lanes_sdk::loader::{LoaderState, STATE_HEADER_LEN};
        use lanes_sdk::{loader, Account, Pubkey};

        /// The program makes no cross-program calls.
        struct NoCalls;
        impl super::super::InstructionProcessor for NoCalls {
            fn process_instruction(
                &self,
                _: &Arc<Executor>,
                _: &mut TransactionContext,
                _: usize,
                _: &[InstructionAccount],
                _: &[u8],
            ) -> Result<(), InstructionError> {
                unreachable!("the test program invokes nothing")
            }
        }

        let executor =
            Executor::build(arena_slots, None, None, false, super::super::DEFAULT_PROGRAM_CACHE_BYTES).unwrap();
        // Writes two pages apart, so each reset has work in several places.
        let code = wat::parse_str(PROGRAM.replace(
            "i64.const 0)",
            "i32.const 100 i32.const 1 i32.store i32.const 9000 i32.const 2 i32.store i64.const 0)",
        ))
        .unwrap();
        let mut data = vec![0u8; STATE_HEADER_LEN];
        LoaderState::Program {
            authority: None,
            code_hash: hashv(&[&code]),
            deployed_slot: 0,
            code_len: code.len() as u32,
        }
        .write(&mut data);
        data.extend_from_slice(&code);
        let program = Account { lamports: 1, data, owner: loader::ID, executable: true };
        let accounts = TransactionAccounts {
            keys: vec![Pubkey::new_unique_from_u64(1)],
            accounts: vec![program],
            is_signer: vec![false],
            is_writable: vec![false],
        };
        let mut ctx = TransactionContext::new(accounts, 1_400_000, Default::default());
        for nonce in 0..times {
            let result =
                super::super::execute_program(&NoCalls, &executor, &mut ctx, 0, &[], &(nonce as u64).to_le_bytes());
            assert_eq!(result, Ok(()), "invocation {nonce}");
        }
        assert_eq!(ctx.timings.wasm_invocations, times as u64);
        (ctx.timings.fresh_instances, ctx.timings.reset_scans)
    }

    /// A thread collects RESET_BATCH used instances of a program, then
    /// resets them together: one scan for those in the arena, one each for
    /// those that did not fit (they have mappings of their own).
    #[test]
    fn used_instances_are_reset_in_batches_with_one_scan_over_the_arena() {
        let times = 3 * RESET_BATCH;
        if !instance_reuse_supported() {
            assert_eq!(invoke_repeatedly(ROOT_ARENA_SLOTS, times), (times as u64, 0));
            return;
        }
        // Invocations 1-8 make instances; 9 resets all eight, 10-16 use them;
        // 17 resets again, 18-24 use them.
        assert_eq!(invoke_repeatedly(ROOT_ARENA_SLOTS, times), (RESET_BATCH as u64, 2));
        // Two slots: two memories in the arena (one scan), six outside.
        let outside = RESET_BATCH as u64 - 2;
        assert_eq!(invoke_repeatedly(2, times), (RESET_BATCH as u64, 2 * (1 + outside)));
    }
}
