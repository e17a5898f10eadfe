//! [`Clock`]: the slot and time a transaction runs at, as Solana's sysvar.

use borsh::{BorshDeserialize, BorshSerialize};

/// Slot, epoch and time of the bank running the transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Clock {
    pub slot: u64,
    pub epoch_start_timestamp: i64,
    pub epoch: u64,
    pub leader_schedule_epoch: u64,
    pub unix_timestamp: i64,
}

/// Bytes of a borsh-encoded [`Clock`].
pub const CLOCK_LEN: usize = 40;

impl Clock {
    /// The running bank's clock. Off chain (a contract crate's host build
    /// and unit tests) there is no bank: `Err(UnsupportedSysvar)`, as
    /// Solana's `Clock::get` fails outside a program.
    pub fn get() -> Result<Clock, crate::program_error::ProgramError> {
        #[cfg(target_arch = "wasm32")]
        {
            let mut buf = [0u8; CLOCK_LEN];
            crate::syscalls::get_clock(&mut buf);
            Ok(borsh::from_slice(&buf)?)
        }
        #[cfg(not(target_arch = "wasm32"))]
        Err(crate::program_error::ProgramError::UnsupportedSysvar)
    }

    /// Fixed-size encoding, as the host writes it.
    pub fn to_bytes(&self) -> [u8; CLOCK_LEN] {
        let mut out = [0u8; CLOCK_LEN];
        out[0..8].copy_from_slice(&self.slot.to_le_bytes());
        out[8..16].copy_from_slice(&self.epoch_start_timestamp.to_le_bytes());
        out[16..24].copy_from_slice(&self.epoch.to_le_bytes());
        out[24..32].copy_from_slice(&self.leader_schedule_epoch.to_le_bytes());
        out[32..40].copy_from_slice(&self.unix_timestamp.to_le_bytes());
        out
    }
}
