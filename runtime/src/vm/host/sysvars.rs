//! The clock sysvar (`lanes_get_clock`) and the compute meter
//! (`lanes_remaining_compute_units`).

use super::{charge, write_guest, HostResult};
use crate::vm::costs::SYSCALL_BASE_COST;
use crate::vm::invoke::HostState;
use lanes_sdk::abi::import;
use wasmtime::{Caller, Linker};

pub(super) fn define(linker: &mut Linker<HostState>) -> HostResult<()> {
    linker.func_wrap("env", import::GET_CLOCK, |mut caller: Caller<'_, HostState>, out: i32| -> HostResult<()> {
        charge(&mut caller, SYSCALL_BASE_COST)?;
        let clock = caller.data().ctx.clock.to_bytes();
        write_guest(&mut caller, out, &clock)
    })?;

    linker.func_wrap(
        "env",
        import::REMAINING_COMPUTE_UNITS,
        |mut caller: Caller<'_, HostState>| -> HostResult<i64> {
            charge(&mut caller, SYSCALL_BASE_COST)?;
            Ok(caller.get_fuel()? as i64)
        },
    )?;
    Ok(())
}
