//! [`AccountInfo`]: a contract's view of one account, backed by the input
//! buffer the host wrote. Changes made through it (lamports, data, owner,
//! data length) are what the host reads back and checks.

use crate::abi::{self, entry};
use crate::program_error::ProgramError;
use crate::pubkey::Pubkey;
use alloc::rc::Rc;
use core::cell::{Ref, RefCell, RefMut};
use core::fmt;

/// One account as a contract sees it.
#[derive(Clone)]
pub struct AccountInfo<'a> {
    /// The account's address.
    pub key: &'a Pubkey,
    /// Whether the transaction (or the calling program, by PDA) signed for it.
    pub is_signer: bool,
    /// Whether this instruction may change it.
    pub is_writable: bool,
    /// Whether it holds a program.
    pub executable: bool,
    /// Its balance; debit only accounts your program owns.
    pub lamports: Rc<RefCell<&'a mut u64>>,
    /// Its data; change only accounts your program owns.
    pub data: Rc<RefCell<&'a mut [u8]>>,
    /// Start of this account's entry in the input buffer (owner, data length).
    entry: *mut u8,
}

impl<'a> AccountInfo<'a> {
    /// Build over an entry of the input buffer.
    ///
    /// # Safety
    /// `entry` must point to an original entry laid out as [`crate::abi`]
    /// describes, valid and unaliased (but through this `AccountInfo` and its
    /// clones) for `'a`, with room for its data capacity.
    pub(crate) unsafe fn from_entry(entry: *mut u8) -> Self {
        let is_signer = *entry.add(entry::IS_SIGNER) != 0;
        let is_writable = *entry.add(entry::IS_WRITABLE) != 0;
        let executable = *entry.add(entry::EXECUTABLE) != 0;
        let key = &*(entry.add(entry::KEY) as *const Pubkey);
        let lamports = &mut *(entry.add(entry::LAMPORTS) as *mut u64);
        let data_len = u64::from_le_bytes(*(entry.add(entry::DATA_LEN) as *const [u8; 8])) as usize;
        let data = core::slice::from_raw_parts_mut(entry.add(entry::DATA), data_len);
        AccountInfo {
            key,
            is_signer,
            is_writable,
            executable,
            lamports: Rc::new(RefCell::new(lamports)),
            data: Rc::new(RefCell::new(data)),
            entry,
        }
    }

    /// The program that owns this account.
    pub fn owner(&self) -> Pubkey {
        // SAFETY: `entry` is valid for 'a (constructor contract); Pubkey has alignment 1.
        unsafe { *(self.entry.add(entry::OWNER) as *const Pubkey) }
    }

    /// Whether `program` owns this account.
    pub fn is_owned_by(&self, program: &Pubkey) -> bool {
        self.owner() == *program
    }

    /// Its balance.
    pub fn lamports(&self) -> u64 {
        **self.lamports.borrow()
    }

    /// Borrow the balance mutably, or `AccountBorrowFailed` if borrowed.
    pub fn try_borrow_mut_lamports(&self) -> Result<RefMut<'_, &'a mut u64>, ProgramError> {
        self.lamports.try_borrow_mut().map_err(|_| ProgramError::AccountBorrowFailed)
    }

    /// Length of its data.
    pub fn data_len(&self) -> usize {
        self.data.borrow().len()
    }

    /// Whether its data is empty.
    pub fn data_is_empty(&self) -> bool {
        self.data_len() == 0
    }

    /// Borrow its data, or `AccountBorrowFailed` if mutably borrowed.
    pub fn try_borrow_data(&self) -> Result<Ref<'_, &'a mut [u8]>, ProgramError> {
        self.data.try_borrow().map_err(|_| ProgramError::AccountBorrowFailed)
    }

    /// Borrow its data mutably, or `AccountBorrowFailed` if borrowed.
    pub fn try_borrow_mut_data(&self) -> Result<RefMut<'_, &'a mut [u8]>, ProgramError> {
        self.data.try_borrow_mut().map_err(|_| ProgramError::AccountBorrowFailed)
    }

    /// Give the account to another program. The host accepts this only if
    /// your program owns it, it is writable, and its data is all zeros.
    pub fn assign(&self, new_owner: &Pubkey) {
        // SAFETY: `entry` is valid for 'a; the owner field is 32 bytes, alignment 1.
        unsafe { *(self.entry.add(entry::OWNER) as *mut Pubkey) = *new_owner }
    }

    /// Most bytes the data can grow to in this instruction.
    pub fn data_capacity(&self) -> usize {
        // SAFETY: `entry` is valid for 'a.
        let original = unsafe { u32::from_le_bytes(*(self.entry.add(entry::ORIGINAL_DATA_LEN) as *const [u8; 4])) };
        abi::data_capacity(original as usize, self.is_writable)
    }

    /// Change the data length, by at most [`abi::MAX_PERMITTED_DATA_INCREASE`]
    /// over its length at the start of the instruction. New bytes are zero.
    pub fn resize(&self, new_len: usize) -> Result<(), ProgramError> {
        if !self.is_writable || new_len > self.data_capacity() || new_len > abi::MAX_PERMITTED_DATA_LENGTH {
            return Err(ProgramError::InvalidRealloc);
        }
        let mut data = self.try_borrow_mut_data()?;
        let old_len = data.len();
        // SAFETY: the entry has room for `data_capacity()` bytes of data
        // (input layout); we replace the only slice over them.
        unsafe {
            let start = self.entry.add(entry::DATA);
            if new_len > old_len {
                core::ptr::write_bytes(start.add(old_len), 0, new_len - old_len);
            }
            *(self.entry.add(entry::DATA_LEN) as *mut [u8; 8]) = (new_len as u64).to_le_bytes();
            *data = core::slice::from_raw_parts_mut(start, new_len);
        }
        Ok(())
    }

    /// Re-read the data length the host wrote after a cross-program call.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn refresh_data_len(&self) {
        // SAFETY: `entry` is valid for 'a; the host keeps data_len within capacity.
        unsafe {
            let len = u64::from_le_bytes(*(self.entry.add(entry::DATA_LEN) as *const [u8; 8])) as usize;
            let len = len.min(self.data_capacity());
            if let Ok(mut data) = self.data.try_borrow_mut() {
                *data = core::slice::from_raw_parts_mut(self.entry.add(entry::DATA), len);
            }
        }
    }
}

impl fmt::Debug for AccountInfo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountInfo")
            .field("key", self.key)
            .field("owner", &self.owner())
            .field("is_signer", &self.is_signer)
            .field("is_writable", &self.is_writable)
            .field("executable", &self.executable)
            .field("lamports", &self.lamports())
            .field("data_len", &self.data_len())
            .finish()
    }
}

/// Take the next account from an iterator, or `NotEnoughAccountKeys`.
pub fn next_account_info<'a, 'b, I: Iterator<Item = &'a AccountInfo<'b>>>(iter: &mut I) -> Result<I::Item, ProgramError>
where
    'b: 'a,
{
    iter.next().ok_or(ProgramError::NotEnoughAccountKeys)
}
