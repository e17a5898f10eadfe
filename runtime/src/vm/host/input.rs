//! `lanes_input_len` and `lanes_input_read`: a program pulls its input
//! (accounts, instruction data, program id) into memory it allocated.

use super::{charge, fail, guest_range, memory, HostResult};
use crate::vm::costs::{ACCOUNT_DATA_BYTES_PER_UNIT, BYTES_PER_UNIT};
use crate::vm::input_buffer::write_input;
use crate::vm::invoke::HostState;
use lanes_sdk::abi::import;
use std::time::Instant;
use wasmtime::{Caller, Linker};

pub(super) fn define(linker: &mut Linker<HostState>) -> HostResult<()> {
    linker.func_wrap("env", import::INPUT_LEN, |caller: Caller<'_, HostState>| -> i64 {
        caller.data().frame.input_len as i64
    })?;

    linker.func_wrap("env", import::INPUT_READ, |mut caller: Caller<'_, HostState>, dst: i32| -> HostResult<()> {
        let started = Instant::now();
        let frame = &caller.data().frame;
        let len = frame.input_len;
        let account_data: usize = frame.entries.iter().map(|entry| entry.original_len).sum();
        charge(&mut caller, len as u64 / BYTES_PER_UNIT + account_data as u64 / ACCOUNT_DATA_BYTES_PER_UNIT)?;
        let mem = memory(&caller)?;
        let (data, state) = mem.data_and_store_mut(&mut caller);
        let range = guest_range(data.len(), dst as u32, len as u64)?;
        write_input(data, range.start, state).map_err(fail)?;
        state.frame.input_ptr = Some(range.start);
        state.ctx.timings.serialize_ns += started.elapsed().as_nanos() as u64;
        Ok(())
    })?;
    Ok(())
}
