//! Address lookup tables and v0 transactions (issue 15), through the
//! harness: a table's life (create, extend, use, freeze, deactivate, close)
//! with Solana's rule at each step, and each way a v0 message's lookups can
//! be wrong — refused before anything is charged.

use lanes_runtime::harness::{Harness, HarnessError};
use lanes_runtime::ingest::sanitize::SanitizedTransaction;
use lanes_sdk::address_lookup_table::state::{AddressLookupTable, LookupTableMeta, LOOKUP_TABLE_META_SIZE};
use lanes_sdk::address_lookup_table::{self as alt, LookupTableInstruction};
use lanes_sdk::client::Keypair;
use lanes_sdk::instruction::{CompiledInstruction, InstructionError};
use lanes_sdk::message::v0::{self, MessageAddressTableLookup};
use lanes_sdk::message::{AddressLookupTableAccount, MessageHeader, VersionedMessage, WireError};
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::system_instruction::SystemInstruction;
use lanes_sdk::transaction::VersionedTransaction;
use lanes_sdk::transaction_error::TransactionError;
use lanes_sdk::{system_instruction, system_program, Account, AccountMeta, Instruction, Pubkey, LAMPORTS_PER_SOL};

/// Lamports a transfer moves: above the rent-exempt minimum of a new account.
const A: u64 = LAMPORTS_PER_SOL / 100;

/// A harness at slot 1 (so slot 0 is a recent slot) and a funded payer.
fn setup() -> (Harness, Keypair) {
    let mut h = Harness::new();
    h.warp_to_slot(1);
    let payer = Keypair::new();
    h.airdrop(&payer.pubkey(), 10 * LAMPORTS_PER_SOL);
    (h, payer)
}

fn next_slot(h: &mut Harness) {
    let slot = h.slot() + 1;
    h.warp_to_slot(slot);
}

fn table_meta(h: &Harness, table: &Pubkey) -> LookupTableMeta {
    AddressLookupTable::deserialize(&h.get_account(table).unwrap().data).unwrap().meta
}

fn instruction_error(index: u8, err: InstructionError) -> TransactionError {
    TransactionError::InstructionError(index, err)
}

fn transfer_v0(
    h: &mut Harness,
    payer: &Keypair,
    to: &Pubkey,
    table: &Pubkey,
) -> Result<lanes_runtime::harness::TransactionMeta, TransactionError> {
    let tables = [h.lookup_table(table).expect("a table")];
    let tx = h.v0_transaction(&[system_instruction::transfer(&payer.pubkey(), to, A)], payer, &[], &tables).unwrap();
    assert!(!tx.v0_message().unwrap().address_table_lookups.is_empty(), "the recipient is loaded from the table");
    h.send_transaction(tx).map_err(|failed| failed.err)
}

#[test]
fn a_table_is_created_extended_used_deactivated_and_closed() {
    let (mut h, payer) = setup();
    let (create, table) = alt::create_lookup_table(&payer.pubkey(), &payer.pubkey(), 0);
    h.expect_ok(std::slice::from_ref(&create), &payer, &[]);
    let account = h.get_account(&table).unwrap();
    assert_eq!((account.owner, account.data.len()), (alt::ID, LOOKUP_TABLE_META_SIZE));
    assert_eq!(account.lamports, minimum_balance(LOOKUP_TABLE_META_SIZE));
    assert_eq!(table_meta(&h, &table), LookupTableMeta::new(payer.pubkey()));
    // Creating it again changes nothing (Solana's relaxed create).
    h.expect_ok(&[create], &payer, &[]);

    let (x, y, z) = (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
    h.expect_ok(&[alt::extend_lookup_table(&table, &payer.pubkey(), Some(&payer.pubkey()), vec![x, y])], &payer, &[]);
    let account = h.get_account(&table).unwrap();
    assert_eq!(account.data.len(), LOOKUP_TABLE_META_SIZE + 64);
    assert_eq!(account.lamports, minimum_balance(LOOKUP_TABLE_META_SIZE + 64), "the payer topped up the rent");

    // Appended in this slot: not usable until the next.
    assert_eq!(transfer_v0(&mut h, &payer, &x, &table).unwrap_err(), TransactionError::InvalidAddressLookupTableIndex);
    next_slot(&mut h);
    transfer_v0(&mut h, &payer, &x, &table).unwrap();
    assert_eq!(h.get_balance(&x), A);

    // A second extension: the old addresses stay usable in its slot, the new one does not.
    h.expect_ok(&[alt::extend_lookup_table(&table, &payer.pubkey(), Some(&payer.pubkey()), vec![z])], &payer, &[]);
    let meta = table_meta(&h, &table);
    assert_eq!((meta.last_extended_slot, meta.last_extended_slot_start_index), (h.slot(), 2));
    transfer_v0(&mut h, &payer, &y, &table).unwrap();
    assert_eq!(transfer_v0(&mut h, &payer, &z, &table).unwrap_err(), TransactionError::InvalidAddressLookupTableIndex);

    // Deactivated: still usable while the slot is among the recent ones, not closable.
    h.expect_ok(&[alt::deactivate_lookup_table(&table, &payer.pubkey())], &payer, &[]);
    assert_eq!(table_meta(&h, &table).deactivation_slot, h.slot());
    transfer_v0(&mut h, &payer, &x, &table).unwrap();
    next_slot(&mut h);
    transfer_v0(&mut h, &payer, &z, &table).unwrap();
    let recipient = Pubkey::new_unique();
    let close = alt::close_lookup_table(&table, &payer.pubkey(), &recipient);
    let failed = h.expect_err(
        std::slice::from_ref(&close),
        &payer,
        &[],
        instruction_error(0, InstructionError::InvalidArgument),
    );
    assert!(
        failed.failed.meta.logs.iter().any(|l| l.contains("fully deactivated in 512 blocks")),
        "{:?}",
        failed.failed
    );
    failed.unchanged(&[table]);

    // Once its slot leaves the 512 recent ones: gone for lookups, closable.
    for _ in 0..512 {
        next_slot(&mut h);
    }
    assert_eq!(transfer_v0(&mut h, &payer, &x, &table).unwrap_err(), TransactionError::AddressLookupTableNotFound);
    let to_itself = alt::close_lookup_table(&table, &payer.pubkey(), &table);
    h.expect_err(&[to_itself], &payer, &[], instruction_error(0, InstructionError::InvalidArgument))
        .unchanged(&[table]);
    let lamports = h.get_balance(&table);
    h.expect_ok(&[close], &payer, &[]);
    assert_eq!(h.get_balance(&recipient), lamports);
    assert_eq!(h.get_account(&table), None, "an emptied account is removed");
}

#[test]
fn only_the_authority_changes_a_table_and_solanas_rules_hold() {
    let (mut h, payer) = setup();
    let authority = Keypair::new();
    let stranger = Keypair::new();

    // The recent slot must be a recent slot; the address must be the derived one.
    let (not_recent, _) = alt::create_lookup_table(&authority.pubkey(), &payer.pubkey(), 5);
    h.expect_err(&[not_recent], &payer, &[], instruction_error(0, InstructionError::InvalidInstructionData))
        .unchanged(&[]);
    let (mut wrong_address, _) = alt::create_lookup_table(&authority.pubkey(), &payer.pubkey(), 0);
    wrong_address.accounts[0].pubkey = Pubkey::new_unique();
    h.expect_err(&[wrong_address], &payer, &[], instruction_error(0, InstructionError::InvalidArgument)).unchanged(&[]);

    let (create, table) = alt::create_lookup_table(&authority.pubkey(), &payer.pubkey(), 0);
    h.expect_ok(&[create], &payer, &[]);
    let extend = |by: &Keypair, addresses: Vec<Pubkey>| {
        alt::extend_lookup_table(&table, &by.pubkey(), Some(&payer.pubkey()), addresses)
    };

    // Another signer, an authority that did not sign, nothing to add, too many.
    h.expect_err(
        &[extend(&stranger, vec![Pubkey::new_unique()])],
        &payer,
        &[&stranger],
        instruction_error(0, InstructionError::IncorrectAuthority),
    )
    .unchanged(&[table]);
    let mut unsigned = extend(&authority, vec![Pubkey::new_unique()]);
    unsigned.accounts[1].is_signer = false;
    h.expect_err(&[unsigned], &payer, &[], instruction_error(0, InstructionError::MissingRequiredSignature))
        .unchanged(&[table]);
    h.expect_err(
        &[extend(&authority, vec![])],
        &payer,
        &[&authority],
        instruction_error(0, InstructionError::InvalidInstructionData),
    )
    .unchanged(&[table]);
    let many: Vec<Pubkey> = (0..30).map(|_| Pubkey::new_unique()).collect();
    for _ in 0..8 {
        h.expect_ok(&[extend(&authority, many.clone())], &payer, &[&authority]);
    }
    // 240 held: 30 more would pass 256.
    h.expect_err(
        &[extend(&authority, many.clone())],
        &payer,
        &[&authority],
        instruction_error(0, InstructionError::InvalidInstructionData),
    )
    .unchanged(&[table]);
    h.expect_ok(&[extend(&authority, many[..16].to_vec())], &payer, &[&authority]);
    h.expect_err(
        &[extend(&authority, vec![Pubkey::new_unique()])],
        &payer,
        &[&authority],
        instruction_error(0, InstructionError::InvalidArgument),
    )
    .unchanged(&[table]);

    // Frozen: nobody changes it again, and it cannot be deactivated.
    h.expect_err(
        &[alt::freeze_lookup_table(&table, &stranger.pubkey())],
        &payer,
        &[&stranger],
        instruction_error(0, InstructionError::IncorrectAuthority),
    )
    .unchanged(&[table]);
    h.expect_ok(&[alt::freeze_lookup_table(&table, &authority.pubkey())], &payer, &[&authority]);
    assert_eq!(table_meta(&h, &table).authority, None);
    for ix in
        [alt::deactivate_lookup_table(&table, &authority.pubkey()), extend(&authority, vec![Pubkey::new_unique()])]
    {
        h.expect_err(&[ix], &payer, &[&authority], instruction_error(0, InstructionError::Immutable))
            .unchanged(&[table]);
    }

    // Not a table of this program.
    let wallet = Pubkey::new_unique();
    h.airdrop(&wallet, A);
    let bogus = Instruction::new_with_bytes(
        alt::ID,
        &LookupTableInstruction::FreezeLookupTable.encode(),
        vec![AccountMeta::new(wallet, false), AccountMeta::new_readonly(authority.pubkey(), true)],
    );
    h.expect_err(&[bogus], &payer, &[&authority], instruction_error(0, InstructionError::InvalidAccountOwner))
        .unchanged(&[wallet]);
}

/// A table written straight into the store, every address usable now.
fn put_table(h: &mut Harness, addresses: &[Pubkey]) -> Pubkey {
    let key = Pubkey::new_unique();
    let meta = LookupTableMeta {
        last_extended_slot_start_index: addresses.len().min(255) as u8,
        last_extended_slot: 0,
        ..LookupTableMeta::new(Pubkey::new_unique())
    };
    let data = AddressLookupTable { meta, addresses: addresses.to_vec() }.serialize();
    h.set_account(key, Account { lamports: minimum_balance(data.len()), data, owner: alt::ID, executable: false });
    key
}

/// A v0 transfer from the payer to the address a lookup names, built by
/// hand so that the lookup may be anything.
fn hand_made(h: &Harness, payer: &Keypair, lookups: Vec<MessageAddressTableLookup>) -> VersionedTransaction {
    let data = SystemInstruction::Transfer { lamports: A }.encode();
    let message = v0::Message {
        header: MessageHeader {
            num_required_signatures: 1,
            num_readonly_signed_accounts: 0,
            num_readonly_unsigned_accounts: 1,
        },
        account_keys: vec![payer.pubkey(), system_program::ID],
        recent_blockhash: h.latest_blockhash(),
        instructions: vec![CompiledInstruction { program_id_index: 1, accounts: vec![0, 2], data }],
        address_table_lookups: lookups,
    };
    VersionedTransaction::try_new(VersionedMessage::V0(message), &[payer]).unwrap()
}

fn lookup(table: Pubkey, writable: &[u8], readonly: &[u8]) -> MessageAddressTableLookup {
    MessageAddressTableLookup {
        account_key: table,
        writable_indexes: writable.to_vec(),
        readonly_indexes: readonly.to_vec(),
    }
}

#[test]
fn bad_lookups_are_refused_with_solanas_errors_and_charge_nothing() {
    let (mut h, payer) = setup();
    let to = Pubkey::new_unique();
    let table = put_table(&mut h, &[to]);
    let balance = h.get_balance(&payer.pubkey());
    let refused = |h: &mut Harness, lookups: Vec<MessageAddressTableLookup>, expected: TransactionError| {
        let tx = hand_made(h, &payer, lookups);
        assert_eq!(h.send_transaction(tx).unwrap_err().err, expected);
        assert_eq!(h.get_balance(&payer.pubkey()), balance, "refused: no fee");
    };

    refused(&mut h, vec![lookup(table, &[1], &[])], TransactionError::InvalidAddressLookupTableIndex);
    refused(&mut h, vec![lookup(Pubkey::new_unique(), &[0], &[])], TransactionError::AddressLookupTableNotFound);
    let foreign = Pubkey::new_unique();
    let data = h.get_account(&table).unwrap().data;
    h.set_account(foreign, Account { lamports: A, data, owner: system_program::ID, executable: false });
    refused(&mut h, vec![lookup(foreign, &[0], &[])], TransactionError::InvalidAddressLookupTableOwner);
    let garbage = Pubkey::new_unique();
    h.set_account(garbage, Account { lamports: A, data: vec![7; 40], owner: alt::ID, executable: false });
    refused(&mut h, vec![lookup(garbage, &[0], &[])], TransactionError::InvalidAddressLookupTableData);
    // A key both static and loaded.
    let payer_table = put_table(&mut h, &[payer.pubkey()]);
    refused(&mut h, vec![lookup(payer_table, &[0], &[])], TransactionError::AccountLoadedTwice);
    // More than 128 accounts to lock; more than 256 in the message at all.
    let many: Vec<Pubkey> = (0..200).map(|_| Pubkey::new_unique()).collect();
    let big = put_table(&mut h, &many);
    let indexes: Vec<u8> = (1..130).collect();
    refused(&mut h, vec![lookup(big, &[0], &indexes)], TransactionError::TooManyAccountLocks);
    let all: Vec<u8> = (1..200).collect();
    let big_too = put_table(&mut h, &many);
    refused(&mut h, vec![lookup(big, &[0], &all), lookup(big_too, &[], &all)], TransactionError::SanitizeFailure);

    // A deactivated table (its slot no longer recent).
    let (create, made) = alt::create_lookup_table(&payer.pubkey(), &payer.pubkey(), 0);
    h.expect_ok(
        &[create, alt::extend_lookup_table(&made, &payer.pubkey(), Some(&payer.pubkey()), vec![to])],
        &payer,
        &[],
    );
    next_slot(&mut h);
    h.expect_ok(&[alt::deactivate_lookup_table(&made, &payer.pubkey())], &payer, &[]);
    for _ in 0..513 {
        next_slot(&mut h);
    }
    let balance = h.get_balance(&payer.pubkey());
    let tx = hand_made(&h, &payer, vec![lookup(made, &[0], &[])]);
    assert_eq!(h.send_transaction(tx).unwrap_err().err, TransactionError::AddressLookupTableNotFound);
    assert_eq!(h.get_balance(&payer.pubkey()), balance);

    // A version other than 0 never decodes.
    let mut wire = hand_made(&h, &payer, vec![lookup(table, &[0], &[])]).to_wire().unwrap();
    wire[65] = 0x81;
    assert_eq!(VersionedTransaction::from_wire(&wire), Err(WireError::UnsupportedVersion { version: 1 }));
}

#[test]
fn a_writable_lookup_of_a_builtin_program_is_demoted_to_read_only() {
    let (mut h, payer) = setup();
    let to = Pubkey::new_unique();
    // The transfer names one more account: a builtin program's id, loaded and asked writable.
    let with_builtin = |h: &mut Harness, builtin: Pubkey| {
        let table = put_table(h, &[to, builtin]);
        let mut tx = hand_made(h, &payer, vec![lookup(table, &[0, 1], &[])]);
        let VersionedMessage::V0(message) = &mut tx.message else { unreachable!("built as v0") };
        message.instructions[0].accounts.push(3);
        VersionedTransaction::try_new(tx.message, &[&payer]).unwrap()
    };
    let tx = with_builtin(&mut h, lanes_sdk::compute_budget::ID);
    let sanitized = SanitizedTransaction::try_new(&tx, h.bank()).unwrap();
    assert_eq!(sanitized.account_keys(), &[payer.pubkey(), system_program::ID, to, lanes_sdk::compute_budget::ID]);
    assert!(sanitized.is_writable(2), "the recipient is write-locked");
    assert!(!sanitized.is_writable(3), "a builtin's id is only ever read-locked");
    h.send_transaction(tx).unwrap();
    assert_eq!(h.get_balance(&to), A);

    // The system program is static already: loading it again lists it twice.
    let tx = with_builtin(&mut h, system_program::ID);
    assert_eq!(h.send_transaction(tx).unwrap_err().err, TransactionError::AccountLoadedTwice);
}

#[test]
fn the_harness_compiles_v0_against_tables() {
    let (mut h, payer) = setup();
    let to = Pubkey::new_unique();
    let table = put_table(&mut h, &[to]);
    let tables = [h.lookup_table(&table).unwrap()];
    assert_eq!(tables[0], AddressLookupTableAccount { key: table, addresses: vec![to] });
    let meta = h.send_v0(&[system_instruction::transfer(&payer.pubkey(), &to, A)], &payer, &[], &tables).unwrap();
    assert_eq!(h.get_balance(&to), A);
    assert_eq!(meta.fee, 5_000);
    // A signer cannot be loaded: compiling needs it static.
    let stranger = Keypair::new();
    let err = h.v0_transaction(&[system_instruction::transfer(&payer.pubkey(), &to, A)], &payer, &[&stranger], &tables);
    assert!(matches!(err, Err(HarnessError::Compile(_))), "{err:?}");
}

#[test]
fn a_table_rewritten_outside_transactions_is_read_again_in_the_same_slot() {
    let (mut h, payer) = setup();
    let (first, second) = (Pubkey::new_unique(), Pubkey::new_unique());
    let table = put_table(&mut h, &[first]);
    h.send_transaction(hand_made(&h, &payer, vec![lookup(table, &[0], &[])])).unwrap();
    assert_eq!(h.get_balance(&first), A);
    // The bank keeps decoded tables for the slot; writing the account itself drops its copy.
    let mut account = h.get_account(&table).unwrap();
    account.data[LOOKUP_TABLE_META_SIZE..].copy_from_slice(&second.0);
    h.set_account(table, account);
    h.expire_blockhash();
    h.send_transaction(hand_made(&h, &payer, vec![lookup(table, &[0], &[])])).unwrap();
    assert_eq!(h.get_balance(&second), A);
}

#[test]
fn an_outcome_records_what_its_lookups_resolved_to() {
    let (mut h, payer) = setup();
    let (to, read) = (Pubkey::new_unique(), Pubkey::new_unique());
    let table = put_table(&mut h, &[read, to]);
    // Writable index 1, read-only index 0: writable ones first, as Solana lists them.
    let tx = hand_made(&h, &payer, vec![lookup(table, &[1], &[0])]);
    let outcome = h.bank().process_transaction(tx).unwrap();
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(outcome.loaded_addresses, v0::LoadedAddresses { writable: vec![to], readonly: vec![read] });
    assert_eq!(outcome.pre_balances.len(), 4, "balances cover the loaded accounts too");
    // A legacy transaction, and a refused v0 one, loaded nothing.
    let legacy = h.transaction(&[system_instruction::transfer(&payer.pubkey(), &to, A)], &payer, &[]);
    assert_eq!(h.bank().process_transaction(legacy).unwrap().loaded_addresses, v0::LoadedAddresses::default());
    let missing = hand_made(&h, &payer, vec![lookup(Pubkey::new_unique(), &[0], &[])]);
    let refused = h.bank().process_transaction(missing).unwrap();
    assert_eq!(refused.result, Err(TransactionError::AddressLookupTableNotFound));
    assert!(refused.loaded_addresses.is_empty());
}
