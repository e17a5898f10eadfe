//! A program whose instructions exercise the runtime: each
//! [`TestInstruction`] does one thing a real or hostile contract might do
//! (loop forever, exhaust memory, write what it does not own, mint lamports,
//! call other programs with borrowed or escalated privileges, …) so the
//! runtime's tests can check the response.
//!
//! It is a test fixture: it must never be deployed anywhere that matters.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use lanes_sdk::account_info::AccountInfo;
use lanes_sdk::program::{get_return_data, invoke_signed, set_return_data};
use lanes_sdk::program_error::{ProgramError, ProgramResult};
use lanes_sdk::{msg, AccountMeta, Instruction, Pubkey};

lanes_sdk::declare_id!("LanesTestProgram111111111111111111111111111");

/// A cross-program call described in instruction data.
#[derive(Debug, Clone, BorshSerialize, BorshDeserialize)]
pub struct CallSpec {
    pub program_id: Pubkey,
    /// (key, is_signer, is_writable)
    pub accounts: Vec<(Pubkey, bool, bool)>,
    pub data: Vec<u8>,
    /// Signer seeds of this program's PDAs.
    pub seeds: Vec<Vec<Vec<u8>>>,
}

/// What to do.
#[derive(Debug, Clone, BorshSerialize, BorshDeserialize)]
pub enum TestInstruction {
    Noop,
    Log(String),
    /// Log `text` `times` times.
    LogRepeat {
        text: String,
        times: u32,
    },
    /// `loop {}`: must stop at the compute limit.
    LoopForever,
    /// Allocate 64 KiB blocks until the allocator fails (and aborts).
    AllocateForever,
    /// `memory.grow` by `pages`; fails with Custom(1) if refused.
    GrowMemory {
        pages: u32,
    },
    /// Write `value` at `offset` of account `index`'s data.
    WriteData {
        index: u8,
        offset: u32,
        value: u8,
    },
    /// Add lamports to account `index` out of nothing.
    MintLamports {
        index: u8,
        amount: u64,
    },
    /// Move lamports between two accounts directly.
    MoveLamports {
        from: u8,
        to: u8,
        amount: u64,
    },
    /// Give account `index` to `owner`.
    Assign {
        index: u8,
        owner: Pubkey,
    },
    /// Resize account `index`'s data.
    Resize {
        index: u8,
        len: u32,
    },
    Panic,
    ReturnError(u32),
    SetReturnData(Vec<u8>),
    /// Call another program; the call's return data is set as ours.
    Invoke(CallSpec),
    /// Make the same call `times` times (as many as the instruction trace
    /// allows), for measuring what a cross-program call costs the host.
    InvokeRepeatedly {
        call: CallSpec,
        times: u16,
    },
    /// Find this program's PDA for `seeds`; sets return data to address ‖ bump.
    FindPda {
        seeds: Vec<Vec<u8>>,
    },
    /// SHA-256 of `data`, set as return data.
    Sha256 {
        data: Vec<u8>,
    },
    /// The clock's slot, set as return data (8 bytes).
    Clock,
    /// Call itself `depth` more times.
    Recurse {
        depth: u8,
    },
    /// Recurse on the native stack until the engine stops it.
    StackOverflow,
    /// The clock's slot and unix timestamp, set as return data (8 + 8
    /// bytes, little-endian).
    ClockTime,
}

impl CallSpec {
    fn instruction(&self) -> Instruction {
        Instruction {
            program_id: self.program_id,
            accounts: self
                .accounts
                .iter()
                .map(|(pubkey, is_signer, is_writable)| AccountMeta {
                    pubkey: *pubkey,
                    is_signer: *is_signer,
                    is_writable: *is_writable,
                })
                .collect(),
            data: self.data.clone(),
        }
    }
}

lanes_sdk::entrypoint!(process_instruction);

fn account<'a, 'b>(accounts: &'a [AccountInfo<'b>], index: u8) -> Result<&'a AccountInfo<'b>, ProgramError> {
    accounts.get(index as usize).ok_or(ProgramError::NotEnoughAccountKeys)
}

#[inline(never)]
fn deep(n: u64, acc: &mut [u64; 16]) -> u64 {
    acc[(n % 16) as usize] = acc[(n % 16) as usize].wrapping_add(n);
    if n == u64::MAX {
        return acc[0];
    }
    deep(n + 1, acc).wrapping_add(acc[(n % 7) as usize])
}

pub fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let instruction = TestInstruction::try_from_slice(data).map_err(|_| ProgramError::InvalidInstructionData)?;
    match instruction {
        TestInstruction::Noop => Ok(()),
        TestInstruction::Log(text) => {
            msg!(&text);
            Ok(())
        }
        TestInstruction::LogRepeat { text, times } => {
            for _ in 0..times {
                msg!(&text);
            }
            Ok(())
        }
        TestInstruction::LoopForever => {
            let mut x: u64 = 0;
            loop {
                x = core::hint::black_box(x.wrapping_add(1));
            }
        }
        TestInstruction::AllocateForever => {
            let mut blocks: Vec<Vec<u8>> = Vec::new();
            loop {
                let mut block = Vec::with_capacity(64 * 1024);
                block.push(1u8);
                blocks.push(core::hint::black_box(block));
            }
        }
        TestInstruction::GrowMemory { pages } => grow(pages),
        TestInstruction::WriteData { index, offset, value } => {
            let info = account(accounts, index)?;
            let mut data = info.try_borrow_mut_data()?;
            let slot = data.get_mut(offset as usize).ok_or(ProgramError::AccountDataTooSmall)?;
            *slot = value;
            Ok(())
        }
        TestInstruction::MintLamports { index, amount } => {
            let info = account(accounts, index)?;
            let mut lamports = info.try_borrow_mut_lamports()?;
            **lamports = lamports.checked_add(amount).ok_or(ProgramError::ArithmeticOverflow)?;
            Ok(())
        }
        TestInstruction::MoveLamports { from, to, amount } => {
            let from = account(accounts, from)?;
            let to = account(accounts, to)?;
            **from.try_borrow_mut_lamports()? =
                from.lamports().checked_sub(amount).ok_or(ProgramError::InsufficientFunds)?;
            **to.try_borrow_mut_lamports()? =
                to.lamports().checked_add(amount).ok_or(ProgramError::ArithmeticOverflow)?;
            Ok(())
        }
        TestInstruction::Assign { index, owner } => {
            account(accounts, index)?.assign(&owner);
            Ok(())
        }
        TestInstruction::Resize { index, len } => account(accounts, index)?.resize(len as usize),
        TestInstruction::Panic => panic!("the test program panicked on purpose"),
        TestInstruction::ReturnError(code) => Err(ProgramError::Custom(code)),
        TestInstruction::SetReturnData(bytes) => {
            set_return_data(&bytes);
            Ok(())
        }
        TestInstruction::InvokeRepeatedly { call, times } => {
            let ix = call.instruction();
            for _ in 0..times {
                invoke_signed(&ix, accounts, &[])?;
            }
            Ok(())
        }
        TestInstruction::Invoke(call) => {
            let ix = call.instruction();
            let seeds: Vec<Vec<&[u8]>> = call.seeds.iter().map(|pda| pda.iter().map(Vec::as_slice).collect()).collect();
            let seed_refs: Vec<&[&[u8]]> = seeds.iter().map(Vec::as_slice).collect();
            invoke_signed(&ix, accounts, &seed_refs)?;
            if let Some((_, data)) = get_return_data() {
                set_return_data(&data);
            }
            Ok(())
        }
        TestInstruction::FindPda { seeds } => {
            let seeds: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
            let (address, bump) = Pubkey::find_program_address(&seeds, program_id);
            let mut out = Vec::with_capacity(33);
            out.extend_from_slice(&address.0);
            out.push(bump);
            set_return_data(&out);
            Ok(())
        }
        TestInstruction::Sha256 { data } => {
            set_return_data(&lanes_sdk::hash::hash(&data).0);
            Ok(())
        }
        TestInstruction::Clock => {
            #[cfg(target_arch = "wasm32")]
            {
                let clock = lanes_sdk::clock::Clock::get()?;
                set_return_data(&clock.slot.to_le_bytes());
            }
            Ok(())
        }
        TestInstruction::ClockTime => {
            #[cfg(target_arch = "wasm32")]
            {
                let clock = lanes_sdk::clock::Clock::get()?;
                let mut data = [0u8; 16];
                data[..8].copy_from_slice(&clock.slot.to_le_bytes());
                data[8..].copy_from_slice(&clock.unix_timestamp.to_le_bytes());
                set_return_data(&data);
            }
            Ok(())
        }
        TestInstruction::Recurse { depth } => {
            msg!("recurse depth {}", depth);
            if depth == 0 {
                return Ok(());
            }
            let metas = accounts
                .iter()
                .map(|a| AccountMeta { pubkey: *a.key, is_signer: a.is_signer, is_writable: a.is_writable })
                .collect();
            let data = borsh::to_vec(&TestInstruction::Recurse { depth: depth - 1 })
                .map_err(|_| ProgramError::BorshIoError)?;
            invoke_signed(&Instruction { program_id: *program_id, accounts: metas, data }, accounts, &[])
        }
        TestInstruction::StackOverflow => {
            let mut acc = [0u64; 16];
            let r = deep(0, &mut acc);
            set_return_data(&r.to_le_bytes());
            Ok(())
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn grow(pages: u32) -> ProgramResult {
    if core::arch::wasm32::memory_grow(0, pages as usize) == usize::MAX {
        return Err(ProgramError::Custom(1));
    }
    Ok(())
}

#[cfg(not(target_arch = "wasm32"))]
fn grow(_pages: u32) -> ProgramResult {
    Ok(())
}
