//! The input buffer: how an instruction's accounts and data are laid out
//! in a program's memory (`lanes_sdk::abi`), written when the program asks
//! for its input, read back — under the account rules — when it returns or
//! calls another program, and refreshed after a nested call.

use super::invoke::HostState;
use crate::transaction_context::account_rules::{verify_instruction_changes, PostAccount};
use crate::transaction_context::{InstructionAccount, TransactionContext};
use lanes_sdk::abi::{self, entry};
use lanes_sdk::instruction::InstructionError;
use lanes_sdk::Pubkey;

/// Where one original account entry lies in the input buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntryLayout {
    /// Offset of the entry from the buffer start.
    pub(super) offset: usize,
    /// Index into the frame's instruction accounts.
    pub(super) account: usize,
    /// Data bytes the entry can hold.
    pub(super) capacity: usize,
    /// Data length when the frame began (what the guest sizes the entry by).
    pub(super) original_len: usize,
}

/// The instruction a WASM instance is running.
#[derive(Default)]
pub(crate) struct WasmFrame {
    pub(super) program_id: Pubkey,
    pub(super) accounts: Vec<InstructionAccount>,
    pub(super) data: Vec<u8>,
    /// Per instruction account: `Some(j)` if it repeats account `j`.
    pub(super) dup_of: Vec<Option<u8>>,
    pub(super) entries: Vec<EntryLayout>,
    pub(super) input_len: usize,
    /// Where the guest asked for its input (set by `lanes_input_read`).
    pub(super) input_ptr: Option<usize>,
}

/// Lay out the input buffer for `accounts`.
pub(crate) fn build_frame(
    ctx: &TransactionContext,
    program_id: Pubkey,
    accounts: &[InstructionAccount],
    data: &[u8],
) -> Result<WasmFrame, InstructionError> {
    if accounts.len() > 255 {
        return Err(InstructionError::MaxAccountsExceeded);
    }
    let mut dup_of = Vec::with_capacity(accounts.len());
    let mut entries = Vec::with_capacity(accounts.len());
    let mut offset = 8usize;
    for (i, account) in accounts.iter().enumerate() {
        if let Some(first) = accounts[..i].iter().position(|a| a.tx_index == account.tx_index) {
            dup_of.push(Some(first as u8));
            offset += entry::DUP_LEN;
            continue;
        }
        dup_of.push(None);
        let state = &ctx.accounts.accounts[account.tx_index as usize];
        let data_len = if state.executable { 0 } else { state.data.len() };
        entries.push(EntryLayout {
            offset,
            account: i,
            capacity: abi::data_capacity(data_len, account.is_writable),
            original_len: data_len,
        });
        offset += abi::entry_len(data_len, account.is_writable);
    }
    let input_len = offset + 8 + data.len() + 32;
    Ok(WasmFrame {
        program_id,
        accounts: accounts.to_vec(),
        data: data.to_vec(),
        dup_of,
        entries,
        input_len,
        input_ptr: None,
    })
}

pub(crate) fn put_u64(mem: &mut [u8], at: usize, value: u64) {
    mem[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

pub(crate) fn get_u64(mem: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&mem[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// Write the input buffer at `base` (bounds already checked for the whole
/// buffer). Entries keep the layout fixed when the frame began; an account a
/// nested call grew past its entry (possible only if the guest asks for its
/// input after calling another program) is refused.
pub(crate) fn write_input(mem: &mut [u8], base: usize, state: &HostState) -> Result<(), InstructionError> {
    let frame = &state.frame;
    let accounts = &state.ctx.accounts;
    put_u64(mem, base, frame.accounts.len() as u64);
    let mut offset = 8usize;
    let mut entries = frame.entries.iter();
    for (i, account) in frame.accounts.iter().enumerate() {
        if let Some(first) = frame.dup_of[i] {
            let at = base + offset;
            mem[at..at + entry::DUP_LEN].fill(0);
            mem[at] = first;
            offset += entry::DUP_LEN;
            continue;
        }
        let Some(layout) = entries.next() else {
            return Err(InstructionError::ProgramEnvironmentSetupFailure);
        };
        let at = base + layout.offset;
        let state = &accounts.accounts[account.tx_index as usize];
        let data: &[u8] = if state.executable { &[] } else { &state.data };
        if data.len() > layout.capacity {
            return Err(InstructionError::InvalidRealloc);
        }
        mem[at + entry::DUP] = abi::NON_DUP_MARKER;
        mem[at + entry::IS_SIGNER] = account.is_signer as u8;
        mem[at + entry::IS_WRITABLE] = account.is_writable as u8;
        mem[at + entry::EXECUTABLE] = state.executable as u8;
        mem[at + entry::ORIGINAL_DATA_LEN..at + entry::ORIGINAL_DATA_LEN + 4]
            .copy_from_slice(&(layout.original_len as u32).to_le_bytes());
        mem[at + entry::KEY..at + entry::KEY + 32].copy_from_slice(&accounts.keys[account.tx_index as usize].0);
        mem[at + entry::OWNER..at + entry::OWNER + 32].copy_from_slice(&state.owner.0);
        put_u64(mem, at + entry::LAMPORTS, state.lamports);
        put_u64(mem, at + entry::DATA_LEN, data.len() as u64);
        mem[at + entry::DATA..at + entry::DATA + data.len()].copy_from_slice(data);
        offset = layout.offset + abi::entry_len(layout.original_len, account.is_writable);
    }
    put_u64(mem, base + offset, frame.data.len() as u64);
    offset += 8;
    mem[base + offset..base + offset + frame.data.len()].copy_from_slice(&frame.data);
    offset += frame.data.len();
    mem[base + offset..base + offset + 32].copy_from_slice(&frame.program_id.0);
    Ok(())
}

/// Read back what the guest changed, check it against the account rules for
/// this frame's program, and apply it to the transaction's accounts.
pub(crate) fn sync_from_guest(mem: &[u8], state: &mut HostState) -> Result<(), InstructionError> {
    let Some(base) = state.frame.input_ptr else {
        return Ok(()); // never read its input, so changed nothing
    };
    let frame = &state.frame;
    let accounts = &state.ctx.accounts.accounts;
    let changes = frame.entries.iter().map(|layout| {
        let account = frame.accounts[layout.account];
        let pre = &accounts[account.tx_index as usize];
        let (lamports, owner, guest_data) = read_entry(mem, base, layout)?;
        let data: &[u8] = if pre.executable {
            if !guest_data.is_empty() {
                return Err(InstructionError::ExecutableDataModified);
            }
            &pre.data
        } else {
            guest_data
        };
        Ok((pre, PostAccount { lamports, owner, data, executable: pre.executable }, account.is_writable))
    });
    verify_instruction_changes(&frame.program_id, changes)?;
    for layout in &state.frame.entries {
        let account = state.frame.accounts[layout.account];
        let post = &mut state.ctx.accounts.accounts[account.tx_index as usize];
        if !account.is_writable || post.executable {
            continue;
        }
        let (lamports, owner, guest_data) = read_entry(mem, base, layout)?;
        post.lamports = lamports;
        post.owner = owner;
        if post.data.as_slice() != guest_data {
            post.data.clear();
            post.data.extend_from_slice(guest_data);
        }
    }
    Ok(())
}

/// The lamports, owner and data the guest left in one entry of its input
/// buffer at `base` (bounds-checked when the buffer was written).
fn read_entry<'m>(
    mem: &'m [u8],
    base: usize,
    layout: &EntryLayout,
) -> Result<(u64, Pubkey, &'m [u8]), InstructionError> {
    let at = base + layout.offset;
    let mut owner = [0u8; 32];
    owner.copy_from_slice(&mem[at + entry::OWNER..at + entry::OWNER + 32]);
    let lamports = get_u64(mem, at + entry::LAMPORTS);
    let data_len = get_u64(mem, at + entry::DATA_LEN);
    if data_len > layout.capacity as u64 {
        return Err(InstructionError::InvalidRealloc);
    }
    let data = &mem[at + entry::DATA..at + entry::DATA + data_len as usize];
    Ok((lamports, Pubkey(owner), data))
}

/// After a nested call: write the transaction's current account states back
/// into the caller's input buffer.
pub(crate) fn sync_to_guest(mem: &mut [u8], state: &HostState) -> Result<(), InstructionError> {
    let Some(base) = state.frame.input_ptr else { return Ok(()) };
    for layout in &state.frame.entries {
        let account = state.frame.accounts[layout.account];
        if !account.is_writable {
            continue;
        }
        let current = &state.ctx.accounts.accounts[account.tx_index as usize];
        let at = base + layout.offset;
        mem[at + entry::OWNER..at + entry::OWNER + 32].copy_from_slice(&current.owner.0);
        put_u64(mem, at + entry::LAMPORTS, current.lamports);
        if current.executable {
            continue;
        }
        if current.data.len() > layout.capacity {
            return Err(InstructionError::InvalidRealloc);
        }
        put_u64(mem, at + entry::DATA_LEN, current.data.len() as u64);
        mem[at + entry::DATA..at + entry::DATA + current.data.len()].copy_from_slice(&current.data);
    }
    Ok(())
}
