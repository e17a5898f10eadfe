//! The system program's instructions, in Solana's layout (bincode: a `u32`
//! little-endian variant tag, `u64` integers, strings as `u64` length + bytes),
//! so Solana clients build them unchanged: the account instructions and the
//! durable nonce instructions (advance, withdraw, initialize, authorize,
//! upgrade; the account layout is [`crate::nonce`]), with builders that list
//! the accounts as Solana's do.

use crate::instruction::{AccountMeta, Instruction};
use crate::nonce;
use crate::pubkey::Pubkey;
use crate::{system_program, sysvar};
use alloc::string::String;
use alloc::vec::Vec;

/// A system program instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemInstruction {
    /// 0. Accounts: `[writable, signer]` funder, `[writable, signer]` new account.
    CreateAccount { lamports: u64, space: u64, owner: Pubkey },
    /// 1. Accounts: `[writable, signer]` account.
    Assign { owner: Pubkey },
    /// 2. Accounts: `[writable, signer]` from, `[writable]` to.
    Transfer { lamports: u64 },
    /// 3. Accounts: `[writable, signer]` funder, `[writable]` new account, `[signer]` base (if not the funder).
    CreateAccountWithSeed { base: Pubkey, seed: String, lamports: u64, space: u64, owner: Pubkey },
    /// 4. Accounts: `[writable]` nonce, `[]` recent blockhashes sysvar, `[signer]` nonce authority.
    AdvanceNonceAccount,
    /// 5. Withdraw these lamports. Accounts: `[writable]` nonce, `[writable]` recipient,
    ///    `[]` recent blockhashes sysvar, `[]` rent sysvar, `[signer]` nonce authority.
    WithdrawNonceAccount(u64),
    /// 6. Initialize with this authority. Accounts: `[writable]` nonce,
    ///    `[]` recent blockhashes sysvar, `[]` rent sysvar.
    InitializeNonceAccount(Pubkey),
    /// 7. Hand the nonce to this authority. Accounts: `[writable]` nonce, `[signer]` nonce authority.
    AuthorizeNonceAccount(Pubkey),
    /// 8. Accounts: `[writable, signer]` account.
    Allocate { space: u64 },
    /// 9. Accounts: `[writable]` account, `[signer]` base.
    AllocateWithSeed { base: Pubkey, seed: String, space: u64, owner: Pubkey },
    /// 10. Accounts: `[writable]` account, `[signer]` base.
    AssignWithSeed { base: Pubkey, seed: String, owner: Pubkey },
    /// 11. Accounts: `[writable]` from, `[signer]` base, `[writable]` to.
    TransferWithSeed { lamports: u64, from_seed: String, from_owner: Pubkey },
    /// 12. Make a legacy nonce current. Accounts: `[writable]` nonce.
    UpgradeNonceAccount,
}

/// Whether `data` begins as Solana's `AdvanceNonceAccount` (tag 4): what
/// marks a transaction as using a durable nonce when its first instruction
/// calls the system program with it. Only the first four bytes count.
pub fn is_advance_nonce_instruction_data(data: &[u8]) -> bool {
    data.get(..4) == Some(&4u32.to_le_bytes()[..])
}

/// Why system instruction bytes did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// Truncated, bad UTF-8, or an unknown tag.
    Invalid,
}

/// The shared checked reader, with system decoding's one error.
struct Cursor<'a>(crate::cursor::Cursor<'a>);

impl<'a> Cursor<'a> {
    fn u32(&mut self) -> Result<u32, DecodeError> {
        self.0.u32().ok_or(DecodeError::Invalid)
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        self.0.u64().ok_or(DecodeError::Invalid)
    }
    fn pubkey(&mut self) -> Result<Pubkey, DecodeError> {
        self.0.pubkey().ok_or(DecodeError::Invalid)
    }
    fn string(&mut self) -> Result<String, DecodeError> {
        let len = self.u64()?;
        let len = usize::try_from(len).map_err(|_| DecodeError::Invalid)?;
        let bytes = self.0.take(len).ok_or(DecodeError::Invalid)?;
        core::str::from_utf8(bytes).map(String::from).map_err(|_| DecodeError::Invalid)
    }
}

fn put_string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

impl SystemInstruction {
    /// Solana's encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        match self {
            SystemInstruction::CreateAccount { lamports, space, owner } => {
                out.extend_from_slice(&0u32.to_le_bytes());
                out.extend_from_slice(&lamports.to_le_bytes());
                out.extend_from_slice(&space.to_le_bytes());
                out.extend_from_slice(&owner.0);
            }
            SystemInstruction::Assign { owner } => {
                out.extend_from_slice(&1u32.to_le_bytes());
                out.extend_from_slice(&owner.0);
            }
            SystemInstruction::Transfer { lamports } => {
                out.extend_from_slice(&2u32.to_le_bytes());
                out.extend_from_slice(&lamports.to_le_bytes());
            }
            SystemInstruction::CreateAccountWithSeed { base, seed, lamports, space, owner } => {
                out.extend_from_slice(&3u32.to_le_bytes());
                out.extend_from_slice(&base.0);
                put_string(&mut out, seed);
                out.extend_from_slice(&lamports.to_le_bytes());
                out.extend_from_slice(&space.to_le_bytes());
                out.extend_from_slice(&owner.0);
            }
            SystemInstruction::AdvanceNonceAccount => out.extend_from_slice(&4u32.to_le_bytes()),
            SystemInstruction::WithdrawNonceAccount(lamports) => {
                out.extend_from_slice(&5u32.to_le_bytes());
                out.extend_from_slice(&lamports.to_le_bytes());
            }
            SystemInstruction::InitializeNonceAccount(authority) => {
                out.extend_from_slice(&6u32.to_le_bytes());
                out.extend_from_slice(&authority.0);
            }
            SystemInstruction::AuthorizeNonceAccount(authority) => {
                out.extend_from_slice(&7u32.to_le_bytes());
                out.extend_from_slice(&authority.0);
            }
            SystemInstruction::Allocate { space } => {
                out.extend_from_slice(&8u32.to_le_bytes());
                out.extend_from_slice(&space.to_le_bytes());
            }
            SystemInstruction::AllocateWithSeed { base, seed, space, owner } => {
                out.extend_from_slice(&9u32.to_le_bytes());
                out.extend_from_slice(&base.0);
                put_string(&mut out, seed);
                out.extend_from_slice(&space.to_le_bytes());
                out.extend_from_slice(&owner.0);
            }
            SystemInstruction::AssignWithSeed { base, seed, owner } => {
                out.extend_from_slice(&10u32.to_le_bytes());
                out.extend_from_slice(&base.0);
                put_string(&mut out, seed);
                out.extend_from_slice(&owner.0);
            }
            SystemInstruction::TransferWithSeed { lamports, from_seed, from_owner } => {
                out.extend_from_slice(&11u32.to_le_bytes());
                out.extend_from_slice(&lamports.to_le_bytes());
                put_string(&mut out, from_seed);
                out.extend_from_slice(&from_owner.0);
            }
            SystemInstruction::UpgradeNonceAccount => out.extend_from_slice(&12u32.to_le_bytes()),
        }
        out
    }

    /// Decode untrusted bytes. Trailing bytes are allowed, as Solana's
    /// bincode decoding allows them.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut c = Cursor(crate::cursor::Cursor::new(bytes));
        let tag = c.u32()?;
        Ok(match tag {
            0 => SystemInstruction::CreateAccount { lamports: c.u64()?, space: c.u64()?, owner: c.pubkey()? },
            1 => SystemInstruction::Assign { owner: c.pubkey()? },
            2 => SystemInstruction::Transfer { lamports: c.u64()? },
            3 => SystemInstruction::CreateAccountWithSeed {
                base: c.pubkey()?,
                seed: c.string()?,
                lamports: c.u64()?,
                space: c.u64()?,
                owner: c.pubkey()?,
            },
            4 => SystemInstruction::AdvanceNonceAccount,
            5 => SystemInstruction::WithdrawNonceAccount(c.u64()?),
            6 => SystemInstruction::InitializeNonceAccount(c.pubkey()?),
            7 => SystemInstruction::AuthorizeNonceAccount(c.pubkey()?),
            8 => SystemInstruction::Allocate { space: c.u64()? },
            9 => SystemInstruction::AllocateWithSeed {
                base: c.pubkey()?,
                seed: c.string()?,
                space: c.u64()?,
                owner: c.pubkey()?,
            },
            10 => SystemInstruction::AssignWithSeed { base: c.pubkey()?, seed: c.string()?, owner: c.pubkey()? },
            11 => SystemInstruction::TransferWithSeed {
                lamports: c.u64()?,
                from_seed: c.string()?,
                from_owner: c.pubkey()?,
            },
            12 => SystemInstruction::UpgradeNonceAccount,
            _ => return Err(DecodeError::Invalid),
        })
    }
}

fn ix(data: SystemInstruction, accounts: Vec<AccountMeta>) -> Instruction {
    Instruction { program_id: system_program::ID, accounts, data: data.encode() }
}

/// Create `to` with `space` bytes owned by `owner`, funded by `from`.
pub fn create_account(from: &Pubkey, to: &Pubkey, lamports: u64, space: u64, owner: &Pubkey) -> Instruction {
    ix(
        SystemInstruction::CreateAccount { lamports, space, owner: *owner },
        alloc::vec![AccountMeta::new(*from, true), AccountMeta::new(*to, true)],
    )
}

/// Move `lamports` from `from` (a system account) to `to`.
pub fn transfer(from: &Pubkey, to: &Pubkey, lamports: u64) -> Instruction {
    ix(
        SystemInstruction::Transfer { lamports },
        alloc::vec![AccountMeta::new(*from, true), AccountMeta::new(*to, false)],
    )
}

/// Give `account` to `owner`.
pub fn assign(account: &Pubkey, owner: &Pubkey) -> Instruction {
    ix(SystemInstruction::Assign { owner: *owner }, alloc::vec![AccountMeta::new(*account, true)])
}

/// Give `account` `space` bytes of data.
pub fn allocate(account: &Pubkey, space: u64) -> Instruction {
    ix(SystemInstruction::Allocate { space }, alloc::vec![AccountMeta::new(*account, true)])
}

/// Create the account at `create_with_seed(base, seed, owner)`.
pub fn create_account_with_seed(
    from: &Pubkey,
    to: &Pubkey,
    base: &Pubkey,
    seed: &str,
    lamports: u64,
    space: u64,
    owner: &Pubkey,
) -> Instruction {
    let mut accounts = alloc::vec![AccountMeta::new(*from, true), AccountMeta::new(*to, false)];
    if base != from {
        accounts.push(AccountMeta::new_readonly(*base, true));
    }
    ix(
        SystemInstruction::CreateAccountWithSeed { base: *base, seed: seed.into(), lamports, space, owner: *owner },
        accounts,
    )
}

/// Allocate a seed-derived account.
pub fn allocate_with_seed(address: &Pubkey, base: &Pubkey, seed: &str, space: u64, owner: &Pubkey) -> Instruction {
    ix(
        SystemInstruction::AllocateWithSeed { base: *base, seed: seed.into(), space, owner: *owner },
        alloc::vec![AccountMeta::new(*address, false), AccountMeta::new_readonly(*base, true)],
    )
}

/// Assign a seed-derived account.
pub fn assign_with_seed(address: &Pubkey, base: &Pubkey, seed: &str, owner: &Pubkey) -> Instruction {
    ix(
        SystemInstruction::AssignWithSeed { base: *base, seed: seed.into(), owner: *owner },
        alloc::vec![AccountMeta::new(*address, false), AccountMeta::new_readonly(*base, true)],
    )
}

/// Transfer from a seed-derived system account.
pub fn transfer_with_seed(
    from: &Pubkey,
    from_base: &Pubkey,
    from_seed: &str,
    from_owner: &Pubkey,
    to: &Pubkey,
    lamports: u64,
) -> Instruction {
    ix(
        SystemInstruction::TransferWithSeed { lamports, from_seed: from_seed.into(), from_owner: *from_owner },
        alloc::vec![
            AccountMeta::new(*from, false),
            AccountMeta::new_readonly(*from_base, true),
            AccountMeta::new(*to, false)
        ],
    )
}

/// Create a nonce account at `nonce` (which signs), funded by `from` with
/// `lamports` (at least the rent-exempt minimum for [`nonce::State::size`]
/// bytes), and initialize it for `authority`: two instructions, as Solana's
/// `create_nonce_account`.
pub fn create_nonce_account(from: &Pubkey, nonce: &Pubkey, authority: &Pubkey, lamports: u64) -> Vec<Instruction> {
    alloc::vec![
        create_account(from, nonce, lamports, nonce::State::size() as u64, &system_program::ID),
        initialize_nonce_account(nonce, authority),
    ]
}

/// [`create_nonce_account`] at the address `create_with_seed(base, seed, system program)`.
pub fn create_nonce_account_with_seed(
    from: &Pubkey,
    nonce: &Pubkey,
    base: &Pubkey,
    seed: &str,
    authority: &Pubkey,
    lamports: u64,
) -> Vec<Instruction> {
    alloc::vec![
        create_account_with_seed(from, nonce, base, seed, lamports, nonce::State::size() as u64, &system_program::ID),
        initialize_nonce_account(nonce, authority),
    ]
}

/// Initialize the (created, system-owned) nonce account `nonce` for `authority`.
pub fn initialize_nonce_account(nonce: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        SystemInstruction::InitializeNonceAccount(*authority),
        alloc::vec![
            AccountMeta::new(*nonce, false),
            AccountMeta::new_readonly(sysvar::recent_blockhashes::ID, false),
            AccountMeta::new_readonly(sysvar::rent::ID, false),
        ],
    )
}

/// Advance `nonce` to the slot's durable nonce; `authority` signs. As the
/// first instruction of a transaction, it marks the transaction as one
/// whose recent blockhash is the nonce.
pub fn advance_nonce_account(nonce: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        SystemInstruction::AdvanceNonceAccount,
        alloc::vec![
            AccountMeta::new(*nonce, false),
            AccountMeta::new_readonly(sysvar::recent_blockhashes::ID, false),
            AccountMeta::new_readonly(*authority, true),
        ],
    )
}

/// Move `lamports` from `nonce` to `to`; `authority` signs. Withdrawing the
/// whole balance closes the nonce; otherwise the rent-exempt minimum stays.
pub fn withdraw_nonce_account(nonce: &Pubkey, authority: &Pubkey, to: &Pubkey, lamports: u64) -> Instruction {
    ix(
        SystemInstruction::WithdrawNonceAccount(lamports),
        alloc::vec![
            AccountMeta::new(*nonce, false),
            AccountMeta::new(*to, false),
            AccountMeta::new_readonly(sysvar::recent_blockhashes::ID, false),
            AccountMeta::new_readonly(sysvar::rent::ID, false),
            AccountMeta::new_readonly(*authority, true),
        ],
    )
}

/// Hand `nonce` from `authority` (which signs) to `new_authority`.
pub fn authorize_nonce_account(nonce: &Pubkey, authority: &Pubkey, new_authority: &Pubkey) -> Instruction {
    ix(
        SystemInstruction::AuthorizeNonceAccount(*new_authority),
        alloc::vec![AccountMeta::new(*nonce, false), AccountMeta::new_readonly(*authority, true)],
    )
}

/// Make a legacy nonce `nonce` current (no signature needed).
pub fn upgrade_nonce_account(nonce: &Pubkey) -> Instruction {
    ix(SystemInstruction::UpgradeNonceAccount, alloc::vec![AccountMeta::new(*nonce, false)])
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_known_transfer_bytes() {
        let t = SystemInstruction::Transfer { lamports: 5 };
        assert_eq!(t.encode(), vec![2, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0]);
        let all = [
            t,
            SystemInstruction::CreateAccount { lamports: 1, space: 2, owner: Pubkey::new_unique_from_u64(3) },
            SystemInstruction::Assign { owner: Pubkey::new_unique_from_u64(3) },
            SystemInstruction::CreateAccountWithSeed {
                base: Pubkey::new_unique_from_u64(1),
                seed: "seed".into(),
                lamports: 1,
                space: 2,
                owner: Pubkey::new_unique_from_u64(3),
            },
            SystemInstruction::Allocate { space: 9 },
            SystemInstruction::AllocateWithSeed {
                base: Pubkey::new_unique_from_u64(1),
                seed: "s".into(),
                space: 2,
                owner: Pubkey::new_unique_from_u64(3),
            },
            SystemInstruction::AssignWithSeed {
                base: Pubkey::new_unique_from_u64(1),
                seed: "".into(),
                owner: Pubkey::new_unique_from_u64(3),
            },
            SystemInstruction::TransferWithSeed {
                lamports: 4,
                from_seed: "x".into(),
                from_owner: Pubkey::new_unique_from_u64(3),
            },
            SystemInstruction::AdvanceNonceAccount,
            SystemInstruction::WithdrawNonceAccount(u64::MAX - 1),
            SystemInstruction::InitializeNonceAccount(Pubkey::new_unique_from_u64(5)),
            SystemInstruction::AuthorizeNonceAccount(Pubkey::new_unique_from_u64(6)),
            SystemInstruction::UpgradeNonceAccount,
        ];
        for ix in all {
            assert_eq!(SystemInstruction::decode(&ix.encode()), Ok(ix));
        }
        assert_eq!(SystemInstruction::decode(&[2, 0, 0]), Err(DecodeError::Invalid));
        assert_eq!(SystemInstruction::decode(&[3, 0, 0, 0, 0]), Err(DecodeError::Invalid));
        assert_eq!(SystemInstruction::decode(&[13, 0, 0, 0]), Err(DecodeError::Invalid));
    }

    #[test]
    fn nonce_instructions_encode_as_solana_s() {
        let key = Pubkey([9; 32]);
        assert_eq!(SystemInstruction::AdvanceNonceAccount.encode(), [4, 0, 0, 0]);
        assert_eq!(SystemInstruction::WithdrawNonceAccount(0x0102).encode(), [5, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(SystemInstruction::InitializeNonceAccount(key).encode(), [&[6, 0, 0, 0][..], &[9; 32]].concat());
        assert_eq!(SystemInstruction::AuthorizeNonceAccount(key).encode(), [&[7, 0, 0, 0][..], &[9; 32]].concat());
        assert_eq!(SystemInstruction::UpgradeNonceAccount.encode(), [12, 0, 0, 0]);
        assert!(is_advance_nonce_instruction_data(&SystemInstruction::AdvanceNonceAccount.encode()));
        // Truncated arguments are refused; trailing bytes are not (bincode allows them).
        assert_eq!(SystemInstruction::decode(&[5, 0, 0, 0, 1, 2, 3]), Err(DecodeError::Invalid));
        assert_eq!(SystemInstruction::decode(&[6, 0, 0, 0, 1]), Err(DecodeError::Invalid));
        assert_eq!(SystemInstruction::decode(&[7, 0, 0]), Err(DecodeError::Invalid));
        assert_eq!(SystemInstruction::decode(&[4, 0, 0, 0, 99]), Ok(SystemInstruction::AdvanceNonceAccount));
        assert_eq!(SystemInstruction::decode(&[12, 0, 0, 0, 0]), Ok(SystemInstruction::UpgradeNonceAccount));
    }

    #[test]
    fn nonce_builders_list_solana_s_accounts() {
        let (from, nonce, authority, to) = (key(1), key(2), key(3), key(4));
        let meta = |pubkey, is_signer, is_writable| AccountMeta { pubkey, is_signer, is_writable };
        let blockhashes = sysvar::recent_blockhashes::ID;
        let rent = sysvar::rent::ID;

        let create = create_nonce_account(&from, &nonce, &authority, 1_447_680);
        assert_eq!(create.len(), 2);
        assert_eq!(create[0], create_account(&from, &nonce, 1_447_680, 80, &system_program::ID));
        assert_eq!(create[1].program_id, system_program::ID);
        assert_eq!(
            create[1].accounts,
            [meta(nonce, false, true), meta(blockhashes, false, false), meta(rent, false, false)]
        );
        assert_eq!(create[1].data, SystemInstruction::InitializeNonceAccount(authority).encode());

        let seeded = Pubkey::create_with_seed(&from, "nonce", &system_program::ID).unwrap();
        let create = create_nonce_account_with_seed(&from, &seeded, &from, "nonce", &authority, 7);
        assert_eq!(create[0], create_account_with_seed(&from, &seeded, &from, "nonce", 7, 80, &system_program::ID));
        assert_eq!(create[1], initialize_nonce_account(&seeded, &authority));

        let advance = advance_nonce_account(&nonce, &authority);
        assert_eq!(
            advance.accounts,
            [meta(nonce, false, true), meta(blockhashes, false, false), meta(authority, true, false)]
        );
        assert_eq!(advance.data, [4, 0, 0, 0]);

        let withdraw = withdraw_nonce_account(&nonce, &authority, &to, 5);
        assert_eq!(
            withdraw.accounts,
            [
                meta(nonce, false, true),
                meta(to, false, true),
                meta(blockhashes, false, false),
                meta(rent, false, false),
                meta(authority, true, false)
            ]
        );
        assert_eq!(withdraw.data, SystemInstruction::WithdrawNonceAccount(5).encode());

        let authorize = authorize_nonce_account(&nonce, &authority, &to);
        assert_eq!(authorize.accounts, [meta(nonce, false, true), meta(authority, true, false)]);
        assert_eq!(authorize.data, SystemInstruction::AuthorizeNonceAccount(to).encode());

        let upgrade = upgrade_nonce_account(&nonce);
        assert_eq!(upgrade.accounts, [meta(nonce, false, true)]);
        assert_eq!(upgrade.data, [12, 0, 0, 0]);
    }

    fn key(n: u64) -> Pubkey {
        Pubkey::new_unique_from_u64(n)
    }
}
