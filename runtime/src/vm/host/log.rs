//! Logging (`lanes_log`, `lanes_log_pubkey`, `lanes_log_compute_units`)
//! and `lanes_abort`, a program's panic with its message.

use super::{charge, read_guest, HostResult};
use crate::vm::costs::{LOG_BASE_COST, LOG_PUBKEY_COST, SYSCALL_BASE_COST};
use crate::vm::invoke::{HostError, HostState};
use lanes_sdk::abi::import;
use lanes_sdk::Pubkey;
use wasmtime::{Caller, Linker};

pub(super) fn define(linker: &mut Linker<HostState>) -> HostResult<()> {
    linker.func_wrap(
        "env",
        import::LOG,
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| -> HostResult<()> {
            charge(&mut caller, LOG_BASE_COST + (len as u32 as u64))?;
            let bytes = read_guest(&mut caller, ptr, len, 10_000)?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            caller.data_mut().ctx.log(format!("Program log: {text}"));
            Ok(())
        },
    )?;

    linker.func_wrap("env", import::LOG_PUBKEY, |mut caller: Caller<'_, HostState>, ptr: i32| -> HostResult<()> {
        charge(&mut caller, LOG_PUBKEY_COST)?;
        let bytes = read_guest(&mut caller, ptr, 32, 32)?;
        let mut key = Pubkey::default();
        key.0.copy_from_slice(&bytes);
        // Past the log's limit the line would be dropped: skip rendering it.
        if !caller.data().ctx.logs_truncated() {
            caller.data_mut().ctx.log(format!("Program log: {key}"));
        }
        Ok(())
    })?;

    linker.func_wrap("env", import::LOG_COMPUTE_UNITS, |mut caller: Caller<'_, HostState>| -> HostResult<()> {
        charge(&mut caller, SYSCALL_BASE_COST)?;
        let left = caller.get_fuel()?;
        caller.data_mut().ctx.log(format!("Program consumption: {left} units remaining"));
        Ok(())
    })?;

    linker.func_wrap(
        "env",
        import::ABORT,
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| -> HostResult<()> {
            let len = (len as u32).min(1024) as i32;
            let message = read_guest(&mut caller, ptr, len, 1024)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_else(|_| "(unreadable abort message)".into());
            Err(wasmtime::Error::new(HostError::Abort(message)))
        },
    )?;
    Ok(())
}
