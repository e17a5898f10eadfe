//! Return data: what a callee leaves for its caller (at most
//! [`MAX_RETURN_DATA`] bytes).

use super::{charge, fail, read_guest, write_guest, HostResult};
use crate::vm::costs::{BYTES_PER_UNIT, SYSCALL_BASE_COST};
use crate::vm::invoke::HostState;
use lanes_sdk::abi::{import, MAX_RETURN_DATA};
use lanes_sdk::instruction::InstructionError;
use wasmtime::{Caller, Linker};

pub(super) fn define(linker: &mut Linker<HostState>) -> HostResult<()> {
    linker.func_wrap(
        "env",
        import::SET_RETURN_DATA,
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| -> HostResult<()> {
            if len as u32 as usize > MAX_RETURN_DATA {
                return Err(fail(InstructionError::InvalidArgument).context("return data over 1024 bytes"));
            }
            charge(&mut caller, SYSCALL_BASE_COST + len as u32 as u64 / BYTES_PER_UNIT)?;
            let data = read_guest(&mut caller, ptr, len, MAX_RETURN_DATA)?;
            let program_id = caller.data().frame.program_id;
            let ctx = &mut caller.data_mut().ctx;
            ctx.return_data = if data.is_empty() { None } else { Some((program_id, data)) };
            Ok(())
        },
    )?;

    linker.func_wrap(
        "env",
        import::GET_RETURN_DATA,
        |mut caller: Caller<'_, HostState>, dst: i32, dst_len: i32, program_dst: i32| -> HostResult<i64> {
            charge(&mut caller, SYSCALL_BASE_COST)?;
            let Some((program, data)) = caller.data().ctx.return_data.clone() else { return Ok(0) };
            let n = data.len().min(dst_len as u32 as usize);
            write_guest(&mut caller, dst, &data[..n])?;
            write_guest(&mut caller, program_dst, &program.0)?;
            Ok(data.len() as i64)
        },
    )?;
    Ok(())
}
