//! Lanes' WASM loader: its id, instructions (borsh) and account state.
//!
//! Deploying takes several transactions because programs are larger than one:
//! 1. create a *buffer* account owned by the loader and `InitializeBuffer` it
//!    with an authority;
//! 2. `Write` the code into it in chunks (each signed by the authority);
//! 3. `Deploy`: the loader validates and compiles the WASM, moves the code
//!    into the (signing, loader-owned) program account, marks it executable,
//!    and closes the buffer. `Upgrade` does the same for a deployed program,
//!    signed by its upgrade authority; `Close` retires a program or buffer and
//!    returns its lamports; `SetAuthority` hands over or (with `None`) freezes.
//!
//! Account data = a fixed [`STATE_HEADER_LEN`]-byte borsh [`LoaderState`]
//! header (zero-padded), then the code.

use crate::hash::Hash;
use crate::instruction::{AccountMeta, Instruction};
use crate::pubkey::Pubkey;
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};

crate::declare_id!("LanesWasmLoader1111111111111111111111111111");

/// Bytes reserved at the front of buffer and program accounts for [`LoaderState`].
pub const STATE_HEADER_LEN: usize = 96;
/// Largest program, in bytes of WASM (deploying charges 2 compute units a
/// byte for compiling it, so this fits in one transaction's budget).
pub const MAX_PROGRAM_LEN: usize = 512 * 1024;
/// Code bytes per `Write` that keep a write transaction within the packet limit.
pub const WRITE_CHUNK_LEN: usize = 800;

/// What a loader-owned account holds.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum LoaderState {
    /// Never initialized (all-zero data).
    Uninitialized,
    /// Code being written; `authority` may write, deploy from, or close it.
    Buffer { authority: Pubkey },
    /// A deployed program; `authority` may upgrade or close it (`None`: immutable).
    Program { authority: Option<Pubkey>, code_hash: Hash, deployed_slot: u64, code_len: u32 },
    /// A closed program: it can no longer be invoked.
    Closed,
}

impl LoaderState {
    /// Read the header of an account's data.
    pub fn read(data: &[u8]) -> Option<LoaderState> {
        let header = data.get(..STATE_HEADER_LEN)?;
        let mut slice = header;
        LoaderState::deserialize(&mut slice).ok()
    }

    /// Write the header into the first [`STATE_HEADER_LEN`] bytes of `data`.
    pub fn write(&self, data: &mut [u8]) -> bool {
        let Ok(bytes) = borsh::to_vec(self) else { return false };
        if bytes.len() > STATE_HEADER_LEN || data.len() < STATE_HEADER_LEN {
            return false;
        }
        data[..bytes.len()].copy_from_slice(&bytes);
        data[bytes.len()..STATE_HEADER_LEN].fill(0);
        true
    }
}

/// A loader instruction.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum LoaderInstruction {
    /// Accounts: `[writable]` buffer (loader-owned, uninitialized), `[]` authority.
    InitializeBuffer,
    /// Accounts: `[writable]` buffer, `[signer]` authority. Grows the buffer as needed.
    Write { offset: u32, bytes: Vec<u8> },
    /// Accounts: `[writable, signer]` program (loader-owned, uninitialized),
    /// `[writable]` buffer, `[writable, signer]` authority (receives the buffer's lamports).
    /// The program's upgrade authority becomes the buffer's authority.
    Deploy,
    /// Accounts: `[writable]` program, `[writable]` buffer, `[writable, signer]` authority.
    Upgrade,
    /// Accounts: `[writable]` program or buffer, `[signer]` current authority.
    SetAuthority { new_authority: Option<Pubkey> },
    /// Accounts: `[writable]` program or buffer, `[signer]` authority, `[writable]` recipient.
    Close,
}

fn ix(data: &LoaderInstruction, accounts: Vec<AccountMeta>) -> Instruction {
    Instruction::new_with_borsh(ID, data, accounts)
}

/// Initialize a loader-owned buffer.
pub fn initialize_buffer(buffer: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        &LoaderInstruction::InitializeBuffer,
        alloc::vec![AccountMeta::new(*buffer, true), AccountMeta::new_readonly(*authority, false)],
    )
}

/// Write `bytes` at `offset` of a buffer's code.
pub fn write(buffer: &Pubkey, authority: &Pubkey, offset: u32, bytes: Vec<u8>) -> Instruction {
    ix(
        &LoaderInstruction::Write { offset, bytes },
        alloc::vec![AccountMeta::new(*buffer, false), AccountMeta::new_readonly(*authority, true)],
    )
}

/// Deploy the buffer's code as `program`.
pub fn deploy(program: &Pubkey, buffer: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        &LoaderInstruction::Deploy,
        alloc::vec![
            AccountMeta::new(*program, true),
            AccountMeta::new(*buffer, false),
            AccountMeta::new(*authority, true)
        ],
    )
}

/// Replace `program`'s code with the buffer's.
pub fn upgrade(program: &Pubkey, buffer: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        &LoaderInstruction::Upgrade,
        alloc::vec![
            AccountMeta::new(*program, false),
            AccountMeta::new(*buffer, false),
            AccountMeta::new(*authority, true)
        ],
    )
}

/// Change (or with `None`, remove) the authority of a program or buffer.
pub fn set_authority(account: &Pubkey, authority: &Pubkey, new_authority: Option<Pubkey>) -> Instruction {
    ix(
        &LoaderInstruction::SetAuthority { new_authority },
        alloc::vec![AccountMeta::new(*account, false), AccountMeta::new_readonly(*authority, true)],
    )
}

/// Close a program or buffer, sending its lamports to `recipient`.
pub fn close(account: &Pubkey, authority: &Pubkey, recipient: &Pubkey) -> Instruction {
    ix(
        &LoaderInstruction::Close,
        alloc::vec![
            AccountMeta::new(*account, false),
            AccountMeta::new_readonly(*authority, true),
            AccountMeta::new(*recipient, false)
        ],
    )
}

/// The `Write` instructions that put all of `code` into `buffer`, one per transaction.
pub fn write_all(buffer: &Pubkey, authority: &Pubkey, code: &[u8]) -> Vec<Instruction> {
    code.chunks(WRITE_CHUNK_LEN)
        .enumerate()
        .map(|(i, chunk)| write(buffer, authority, (i * WRITE_CHUNK_LEN) as u32, chunk.to_vec()))
        .collect()
}
