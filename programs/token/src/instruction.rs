//! [`TokenInstruction`]: the program's instruction set (borsh-encoded: a
//! one-byte variant index, then the fields), and one builder per instruction
//! that lays out its accounts in the order the processor reads them.
//!
//! Builders take the program id explicitly, so the same code drives the
//! bundled program ([`crate::ID`]) or a copy deployed elsewhere. Decoding
//! ([`TokenInstruction::unpack`]) rejects unknown variants, bad option tags
//! and trailing bytes with `InvalidInstructionData`; it never panics.

use alloc::vec;
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use lanes_sdk::pack::Reader;
use lanes_sdk::program_error::ProgramError;
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::{AccountMeta, Instruction, Pubkey};

/// Which authority [`TokenInstruction::SetAuthority`] changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum AuthorityType {
    /// A mint's mint authority.
    MintTokens,
    /// A mint's freeze authority.
    FreezeAccount,
    /// A token account's owner.
    AccountOwner,
    /// A token account's close authority.
    CloseAccount,
}

/// Every instruction the token program accepts. Account lists name each
/// account as writable (w) or read-only (r), and signer (s) where needed.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum TokenInstruction {
    /// Initialize a new mint. Create the account ([`crate::state::Mint::LEN`]
    /// bytes, owned by the token program) in the same transaction: an
    /// uninitialized mint can be initialized by anyone.
    ///
    /// Accounts: 0. `[w]` mint.
    InitializeMint {
        /// Digits after the decimal point.
        decimals: u8,
        /// Who may mint.
        mint_authority: Pubkey,
        /// Who may freeze accounts; `None` for no one, forever.
        freeze_authority: Option<Pubkey>,
    },
    /// Initialize a new token account of `mint` for `owner`. Create the
    /// account ([`crate::state::TokenAccount::LEN`] bytes) in the same
    /// transaction.
    ///
    /// Accounts: 0. `[w]` account, 1. `[r]` mint, 2. `[r]` owner.
    InitializeAccount,
    /// Mint new tokens into an account.
    ///
    /// Accounts: 0. `[w]` mint, 1. `[w]` destination, 2. `[r, s]` mint authority.
    MintTo {
        /// Tokens to create.
        amount: u64,
    },
    /// Move tokens between two accounts of the same mint. Transferring to
    /// the source itself succeeds and changes nothing.
    ///
    /// Accounts: 0. `[w]` source, 1. `[w]` destination, 2. `[r, s]` owner or delegate.
    Transfer {
        /// Tokens to move.
        amount: u64,
    },
    /// Let a delegate spend up to `amount` from the account (replacing any
    /// earlier delegate and allowance).
    ///
    /// Accounts: 0. `[w]` source, 1. `[r]` delegate, 2. `[r, s]` owner.
    Approve {
        /// The allowance.
        amount: u64,
    },
    /// Remove the account's delegate.
    ///
    /// Accounts: 0. `[w]` source, 1. `[r, s]` owner.
    Revoke,
    /// Destroy tokens held in an account.
    ///
    /// Accounts: 0. `[w]` account, 1. `[w]` mint, 2. `[r, s]` owner or delegate.
    Burn {
        /// Tokens to destroy.
        amount: u64,
    },
    /// Freeze an account.
    ///
    /// Accounts: 0. `[w]` account, 1. `[r]` mint, 2. `[r, s]` freeze authority.
    FreezeAccount,
    /// Thaw a frozen account.
    ///
    /// Accounts: 0. `[w]` account, 1. `[r]` mint, 2. `[r, s]` freeze authority.
    ThawAccount,
    /// Close an empty token account: all its lamports go to `destination`
    /// and its data is zeroed.
    ///
    /// Accounts: 0. `[w]` account, 1. `[w]` destination, 2. `[r, s]` owner or close authority.
    CloseAccount,
    /// [`TokenInstruction::Transfer`], also checking the mint and its decimals
    /// (so a client cannot be fooled about the amount's scale).
    ///
    /// Accounts: 0. `[w]` source, 1. `[r]` mint, 2. `[w]` destination, 3. `[r, s]` owner or delegate.
    TransferChecked {
        /// Tokens to move.
        amount: u64,
        /// Must equal the mint's decimals.
        decimals: u8,
    },
    /// Change or remove one authority of a mint or token account. An
    /// account's owner cannot be removed; changing it also removes the
    /// delegate and close authority.
    ///
    /// Accounts: 0. `[w]` mint or token account, 1. `[r, s]` current authority.
    SetAuthority {
        /// Which authority.
        authority_type: AuthorityType,
        /// The new authority, or `None` to remove it.
        new_authority: Option<Pubkey>,
    },
    /// Run several instructions in one invocation, in order, all or nothing.
    /// Each takes the next `accounts` accounts of this instruction's list
    /// (together they must take all of it); a batch may not contain a batch.
    /// One call instead of several saves a program that moves tokens more
    /// than once (an AMM's swap: in, then out) a cross-program invocation per
    /// extra move.
    ///
    /// Accounts: those of each batched instruction, one after another.
    Batch {
        /// The instructions, at least one.
        instructions: Vec<BatchedInstruction>,
    },
}

/// One instruction inside a [`TokenInstruction::Batch`].
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct BatchedInstruction {
    /// How many of the batch's accounts this instruction takes.
    pub accounts: u8,
    /// Its instruction data (any instruction but a batch).
    pub data: Vec<u8>,
}

/// The tag of [`TokenInstruction::Batch`].
pub const BATCH_TAG: u8 = 12;

impl TokenInstruction {
    /// Decode instruction data; `InvalidInstructionData` for anything but
    /// one complete encoding.
    ///
    /// Written out by hand (it runs on every instruction, and borsh's
    /// generic enum reader costs several times more fuel); the unit tests
    /// check that it accepts exactly what borsh accepts.
    pub fn unpack(data: &[u8]) -> Result<Self, ProgramError> {
        Self::decode(&mut Reader::new(data)).map_err(|_| ProgramError::InvalidInstructionData)
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, ProgramError> {
        use TokenInstruction::*;
        let instruction = match r.u8()? {
            0 => {
                InitializeMint { decimals: r.u8()?, mint_authority: r.pubkey()?, freeze_authority: r.option_pubkey()? }
            }
            1 => InitializeAccount,
            2 => MintTo { amount: r.u64()? },
            3 => Transfer { amount: r.u64()? },
            4 => Approve { amount: r.u64()? },
            5 => Revoke,
            6 => Burn { amount: r.u64()? },
            7 => FreezeAccount,
            8 => ThawAccount,
            9 => CloseAccount,
            10 => TransferChecked { amount: r.u64()?, decimals: r.u8()? },
            11 => SetAuthority {
                authority_type: match r.u8()? {
                    0 => AuthorityType::MintTokens,
                    1 => AuthorityType::FreezeAccount,
                    2 => AuthorityType::AccountOwner,
                    3 => AuthorityType::CloseAccount,
                    _ => return Err(ProgramError::InvalidInstructionData),
                },
                new_authority: r.option_pubkey()?,
            },
            BATCH_TAG => {
                let count = r.u32()?;
                // Each item takes at least five bytes: bound the allocation
                // by the input, never by the claimed count.
                let mut instructions = Vec::with_capacity((count as usize).min(r.len() / 5));
                for _ in 0..count {
                    let accounts = r.u8()?;
                    let len = r.u32()? as usize;
                    instructions.push(BatchedInstruction { accounts, data: r.bytes(len)?.to_vec() });
                }
                Batch { instructions }
            }
            _ => return Err(ProgramError::InvalidInstructionData),
        };
        // One complete encoding: nothing may follow it.
        if !r.is_empty() {
            return Err(ProgramError::InvalidInstructionData);
        }
        Ok(instruction)
    }

    /// Encode as instruction data.
    pub fn pack(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_default()
    }

    fn into_instruction(self, program_id: &Pubkey, accounts: Vec<AccountMeta>) -> Instruction {
        Instruction { program_id: *program_id, accounts, data: self.pack() }
    }
}

/// [`TokenInstruction::InitializeMint`].
pub fn initialize_mint(
    program_id: &Pubkey,
    mint: &Pubkey,
    mint_authority: &Pubkey,
    freeze_authority: Option<&Pubkey>,
    decimals: u8,
) -> Instruction {
    TokenInstruction::InitializeMint {
        decimals,
        mint_authority: *mint_authority,
        freeze_authority: freeze_authority.copied(),
    }
    .into_instruction(program_id, vec![AccountMeta::new(*mint, false)])
}

/// [`TokenInstruction::InitializeAccount`].
pub fn initialize_account(program_id: &Pubkey, account: &Pubkey, mint: &Pubkey, owner: &Pubkey) -> Instruction {
    TokenInstruction::InitializeAccount.into_instruction(
        program_id,
        vec![
            AccountMeta::new(*account, false),
            AccountMeta::new_readonly(*mint, false),
            AccountMeta::new_readonly(*owner, false),
        ],
    )
}

/// Make `mint` (a new keypair's address, which signs) a mint, funded by
/// `payer`: create its account of [`crate::state::Mint::LEN`] bytes owned by
/// `program_id` with the rent-exempt minimum for it, then initialize it.
pub fn create_mint(
    program_id: &Pubkey,
    payer: &Pubkey,
    mint: &Pubkey,
    mint_authority: &Pubkey,
    freeze_authority: Option<&Pubkey>,
    decimals: u8,
) -> [Instruction; 2] {
    let len = crate::state::Mint::LEN as u64;
    [
        lanes_sdk::system_instruction::create_account(payer, mint, minimum_balance(len as usize), len, program_id),
        initialize_mint(program_id, mint, mint_authority, freeze_authority, decimals),
    ]
}

/// Make `account` (a new keypair's address, which signs) a token account of
/// `mint` held by `owner`, funded by `payer` with the rent-exempt minimum.
pub fn create_account(
    program_id: &Pubkey,
    payer: &Pubkey,
    account: &Pubkey,
    mint: &Pubkey,
    owner: &Pubkey,
) -> [Instruction; 2] {
    let len = crate::state::TokenAccount::LEN as u64;
    [
        lanes_sdk::system_instruction::create_account(payer, account, minimum_balance(len as usize), len, program_id),
        initialize_account(program_id, account, mint, owner),
    ]
}

/// [`TokenInstruction::MintTo`].
pub fn mint_to(
    program_id: &Pubkey,
    mint: &Pubkey,
    destination: &Pubkey,
    mint_authority: &Pubkey,
    amount: u64,
) -> Instruction {
    TokenInstruction::MintTo { amount }.into_instruction(
        program_id,
        vec![
            AccountMeta::new(*mint, false),
            AccountMeta::new(*destination, false),
            AccountMeta::new_readonly(*mint_authority, true),
        ],
    )
}

/// [`TokenInstruction::Transfer`]; `authority` is the source's owner or delegate.
pub fn transfer(
    program_id: &Pubkey,
    source: &Pubkey,
    destination: &Pubkey,
    authority: &Pubkey,
    amount: u64,
) -> Instruction {
    TokenInstruction::Transfer { amount }.into_instruction(
        program_id,
        vec![
            AccountMeta::new(*source, false),
            AccountMeta::new(*destination, false),
            AccountMeta::new_readonly(*authority, true),
        ],
    )
}

/// [`TokenInstruction::Approve`].
pub fn approve(program_id: &Pubkey, source: &Pubkey, delegate: &Pubkey, owner: &Pubkey, amount: u64) -> Instruction {
    TokenInstruction::Approve { amount }.into_instruction(
        program_id,
        vec![
            AccountMeta::new(*source, false),
            AccountMeta::new_readonly(*delegate, false),
            AccountMeta::new_readonly(*owner, true),
        ],
    )
}

/// [`TokenInstruction::Revoke`].
pub fn revoke(program_id: &Pubkey, source: &Pubkey, owner: &Pubkey) -> Instruction {
    TokenInstruction::Revoke
        .into_instruction(program_id, vec![AccountMeta::new(*source, false), AccountMeta::new_readonly(*owner, true)])
}

/// [`TokenInstruction::Burn`]; `authority` is the account's owner or delegate.
pub fn burn(program_id: &Pubkey, account: &Pubkey, mint: &Pubkey, authority: &Pubkey, amount: u64) -> Instruction {
    TokenInstruction::Burn { amount }.into_instruction(
        program_id,
        vec![
            AccountMeta::new(*account, false),
            AccountMeta::new(*mint, false),
            AccountMeta::new_readonly(*authority, true),
        ],
    )
}

/// [`TokenInstruction::FreezeAccount`].
pub fn freeze_account(program_id: &Pubkey, account: &Pubkey, mint: &Pubkey, freeze_authority: &Pubkey) -> Instruction {
    TokenInstruction::FreezeAccount.into_instruction(program_id, freeze_accounts(account, mint, freeze_authority))
}

/// [`TokenInstruction::ThawAccount`].
pub fn thaw_account(program_id: &Pubkey, account: &Pubkey, mint: &Pubkey, freeze_authority: &Pubkey) -> Instruction {
    TokenInstruction::ThawAccount.into_instruction(program_id, freeze_accounts(account, mint, freeze_authority))
}

fn freeze_accounts(account: &Pubkey, mint: &Pubkey, freeze_authority: &Pubkey) -> Vec<AccountMeta> {
    vec![
        AccountMeta::new(*account, false),
        AccountMeta::new_readonly(*mint, false),
        AccountMeta::new_readonly(*freeze_authority, true),
    ]
}

/// [`TokenInstruction::CloseAccount`]; `authority` is the owner or close authority.
pub fn close_account(program_id: &Pubkey, account: &Pubkey, destination: &Pubkey, authority: &Pubkey) -> Instruction {
    TokenInstruction::CloseAccount.into_instruction(
        program_id,
        vec![
            AccountMeta::new(*account, false),
            AccountMeta::new(*destination, false),
            AccountMeta::new_readonly(*authority, true),
        ],
    )
}

/// [`TokenInstruction::TransferChecked`].
pub fn transfer_checked(
    program_id: &Pubkey,
    source: &Pubkey,
    mint: &Pubkey,
    destination: &Pubkey,
    authority: &Pubkey,
    amount: u64,
    decimals: u8,
) -> Instruction {
    TokenInstruction::TransferChecked { amount, decimals }.into_instruction(
        program_id,
        vec![
            AccountMeta::new(*source, false),
            AccountMeta::new_readonly(*mint, false),
            AccountMeta::new(*destination, false),
            AccountMeta::new_readonly(*authority, true),
        ],
    )
}

/// [`TokenInstruction::SetAuthority`] on `owned` (a mint or token account),
/// signed by its `current_authority`.
pub fn set_authority(
    program_id: &Pubkey,
    owned: &Pubkey,
    new_authority: Option<&Pubkey>,
    authority_type: AuthorityType,
    current_authority: &Pubkey,
) -> Instruction {
    TokenInstruction::SetAuthority { authority_type, new_authority: new_authority.copied() }.into_instruction(
        program_id,
        vec![AccountMeta::new(*owned, false), AccountMeta::new_readonly(*current_authority, true)],
    )
}

/// [`TokenInstruction::Batch`] of `instructions`, all for `program_id`:
/// their accounts one after another, their data in order. Refused
/// (`InvalidArgument`) if empty, if one is for another program or is itself
/// a batch, or if one has more than 255 accounts.
pub fn batch(program_id: &Pubkey, instructions: &[Instruction]) -> Result<Instruction, ProgramError> {
    if instructions.is_empty() {
        return Err(ProgramError::InvalidArgument);
    }
    let mut accounts = Vec::new();
    let mut batched = Vec::with_capacity(instructions.len());
    for ix in instructions {
        if ix.program_id != *program_id || ix.data.first() == Some(&BATCH_TAG) {
            return Err(ProgramError::InvalidArgument);
        }
        let count = u8::try_from(ix.accounts.len()).map_err(|_| ProgramError::InvalidArgument)?;
        accounts.extend_from_slice(&ix.accounts);
        batched.push(BatchedInstruction { accounts: count, data: ix.data.clone() });
    }
    Ok(TokenInstruction::Batch { instructions: batched }.into_instruction(program_id, accounts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> Pubkey {
        Pubkey::new_unique_from_u64(n)
    }

    fn every_instruction() -> Vec<TokenInstruction> {
        use TokenInstruction::*;
        vec![
            InitializeMint { decimals: 6, mint_authority: key(1), freeze_authority: None },
            InitializeMint { decimals: 0, mint_authority: key(1), freeze_authority: Some(key(2)) },
            InitializeAccount,
            MintTo { amount: u64::MAX },
            Transfer { amount: 42 },
            Approve { amount: 7 },
            Revoke,
            Burn { amount: 1 },
            FreezeAccount,
            ThawAccount,
            CloseAccount,
            TransferChecked { amount: 5, decimals: 9 },
            SetAuthority { authority_type: AuthorityType::MintTokens, new_authority: None },
            SetAuthority { authority_type: AuthorityType::CloseAccount, new_authority: Some(key(3)) },
            Batch {
                instructions: vec![
                    BatchedInstruction { accounts: 3, data: Transfer { amount: 9 }.pack() },
                    BatchedInstruction { accounts: 0, data: vec![] },
                ],
            },
        ]
    }

    #[test]
    fn every_instruction_round_trips() {
        for ix in every_instruction() {
            assert_eq!(TokenInstruction::unpack(&ix.pack()), Ok(ix));
        }
    }

    #[test]
    fn wire_layout_is_stable() {
        // Tag, then little-endian fields: clients in other languages rely on it.
        let mut transfer = vec![3u8];
        transfer.extend_from_slice(&1000u64.to_le_bytes());
        assert_eq!(TokenInstruction::Transfer { amount: 1000 }.pack(), transfer);
        assert_eq!(TokenInstruction::InitializeAccount.pack(), vec![1]);
        assert_eq!(TokenInstruction::CloseAccount.pack(), vec![9]);
        assert_eq!(
            TokenInstruction::SetAuthority { authority_type: AuthorityType::AccountOwner, new_authority: None }.pack(),
            vec![11, 2, 0]
        );
        let mut checked = vec![10u8];
        checked.extend_from_slice(&5u64.to_le_bytes());
        checked.push(9);
        assert_eq!(TokenInstruction::TransferChecked { amount: 5, decimals: 9 }.pack(), checked);
    }

    #[test]
    fn batch_wire_layout() {
        // Tag, u32 item count, then per item: u8 account count, u32 data
        // length, data (borsh's layout for the variant).
        let ix = batch(
            &crate::ID,
            &[transfer(&crate::ID, &key(1), &key(2), &key(3), 7), transfer(&crate::ID, &key(4), &key(5), &key(6), 8)],
        )
        .unwrap();
        let mut expected = vec![BATCH_TAG, 2, 0, 0, 0];
        for amount in [7u64, 8] {
            expected.extend_from_slice(&[3, 9, 0, 0, 0, 3]);
            expected.extend_from_slice(&amount.to_le_bytes());
        }
        assert_eq!(ix.data, expected);
        let keys: Vec<Pubkey> = ix.accounts.iter().map(|m| m.pubkey).collect();
        assert_eq!(keys, (1..=6).map(key).collect::<Vec<_>>());
        // Nothing that is not a flat batch of this program's instructions.
        assert!(batch(&crate::ID, &[]).is_err());
        assert!(batch(&crate::ID, std::slice::from_ref(&ix)).is_err());
        assert!(batch(&key(9), &[transfer(&crate::ID, &key(1), &key(2), &key(3), 7)]).is_err());
    }

    #[test]
    fn garbage_is_invalid_instruction_data() {
        let bad: &[&[u8]] = &[
            &[],
            &[13],                               // unknown variant
            &[12, 1, 0, 0, 0, 3, 9, 0, 0, 0, 3], // batch item shorter than its length
            &[12, 255, 255, 255, 255, 0],        // batch claiming more items than follow
            &[255],                              // unknown variant
            &[3, 1, 2],                          // truncated amount
            &[1, 0],                             // trailing byte
            &[11, 4, 0],                         // unknown authority type
            &[11, 0, 2],                         // bad option tag
            &[0, 6],                             // truncated key
        ];
        for data in bad {
            assert_eq!(TokenInstruction::unpack(data), Err(ProgramError::InvalidInstructionData), "{data:?}");
        }
        let mut long = TokenInstruction::Transfer { amount: 1 }.pack();
        long.push(0);
        assert_eq!(TokenInstruction::unpack(&long), Err(ProgramError::InvalidInstructionData));
        // Truncating any valid encoding anywhere is an error, never a panic.
        for ix in every_instruction() {
            let data = ix.pack();
            for cut in 0..data.len() {
                assert!(TokenInstruction::unpack(&data[..cut]).is_err());
            }
        }
    }

    /// The hand-written decoder accepts exactly what borsh accepts, and
    /// decodes it to the same value.
    #[test]
    fn decoder_agrees_with_borsh() {
        let agree = |data: &[u8]| {
            let ours = TokenInstruction::unpack(data).ok();
            let borsh = TokenInstruction::try_from_slice(data).ok();
            assert_eq!(ours, borsh, "{data:?}");
        };
        // Every valid encoding, each with every single byte changed to a few
        // interesting values, truncated, and extended.
        for ix in every_instruction() {
            let data = ix.pack();
            agree(&data);
            for i in 0..data.len() {
                for value in [0u8, 1, 2, 3, 4, 11, 12, 0x7f, 0xff] {
                    let mut changed = data.clone();
                    changed[i] = value;
                    agree(&changed);
                }
                agree(&data[..i]);
            }
            let mut longer = data.clone();
            longer.push(0);
            agree(&longer);
        }
        // Pseudo-random byte strings with a plausible tag.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 80) as usize;
            let mut data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if let Some(first) = data.first_mut() {
                *first %= 13;
            }
            if data.len() > 2 && next() % 2 == 0 {
                data[1] %= 3;
                data[2] %= 3;
            }
            agree(&data);
        }
    }

    #[test]
    fn builders_lay_out_accounts_as_documented() {
        let p = crate::ID;
        let (a, b, c, d) = (key(1), key(2), key(3), key(4));

        let ix = transfer(&p, &a, &b, &c, 9);
        assert_eq!(ix.program_id, p);
        assert_eq!(
            ix.accounts,
            vec![AccountMeta::new(a, false), AccountMeta::new(b, false), AccountMeta::new_readonly(c, true)]
        );
        assert_eq!(TokenInstruction::unpack(&ix.data), Ok(TokenInstruction::Transfer { amount: 9 }));

        let ix = transfer_checked(&p, &a, &b, &c, &d, 9, 2);
        assert_eq!(
            ix.accounts,
            vec![
                AccountMeta::new(a, false),
                AccountMeta::new_readonly(b, false),
                AccountMeta::new(c, false),
                AccountMeta::new_readonly(d, true)
            ]
        );

        let ix = initialize_mint(&p, &a, &b, Some(&c), 6);
        assert_eq!(ix.accounts, vec![AccountMeta::new(a, false)]);
        assert_eq!(
            TokenInstruction::unpack(&ix.data),
            Ok(TokenInstruction::InitializeMint { decimals: 6, mint_authority: b, freeze_authority: Some(c) })
        );

        let ix = set_authority(&p, &a, None, AuthorityType::FreezeAccount, &b);
        assert_eq!(ix.accounts, vec![AccountMeta::new(a, false), AccountMeta::new_readonly(b, true)]);

        for ix in [
            initialize_account(&p, &a, &b, &c),
            mint_to(&p, &a, &b, &c, 1),
            approve(&p, &a, &b, &c, 1),
            burn(&p, &a, &b, &c, 1),
            freeze_account(&p, &a, &b, &c),
            thaw_account(&p, &a, &b, &c),
            close_account(&p, &a, &b, &c),
        ] {
            assert_eq!(ix.accounts.len(), 3);
            assert!(ix.accounts[0].is_writable && !ix.accounts[0].is_signer);
            assert!(TokenInstruction::unpack(&ix.data).is_ok());
        }
        let ix = revoke(&p, &a, &b);
        assert_eq!(ix.accounts, vec![AccountMeta::new(a, false), AccountMeta::new_readonly(b, true)]);
    }
}
