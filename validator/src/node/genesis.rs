//! The ledger directory and genesis: `accounts/` (the memory-mapped account
//! store), `ledger.redb` (the blocks, see [`super::ledger`]),
//! `identity.json` and `faucet.json` (Solana keypair files), and
//! `genesis-seed` (what makes this ledger's genesis hash its own). A new
//! ledger gets the bundled programs at their fixed addresses and a funded
//! faucet, recorded as slot 0's block; an existing one resumes after the
//! ledger's last slot (or at its warp's target): recent blockhashes,
//! processed signatures, counters and the clock's offset restored, and any
//! slot the account store missed (a crash between the ledger's write and
//! the store's) replayed from the ledger, its state controls with it.

use super::banking::freeze;
use super::controls::next_slot;
use super::ledger::{Ledger, SlotRecord};
use super::replay::{for_each_recorded_slot, replay_recorded_slot};
use super::rpc::transaction_error_json;
use super::{NodeConfig, NodeError};
use lanes_runtime::bank::{Bank, BankConfig, MAX_BLOCKHASH_AGE};
use lanes_runtime::execution::builtins::loader::immutable_program_account;
use lanes_runtime::store::mmap::MmapAccountStore;
use lanes_runtime::vm::{Executor, ExecutorConfig};
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::{hashv, Hash};
use lanes_sdk::{system_program, Account, Pubkey, LAMPORTS_PER_SOL};
use std::path::Path;
use std::sync::Arc;

/// The programs every new ledger starts with, at these addresses.
pub fn bundled_programs() -> [(Pubkey, &'static str, &'static [u8]); 3] {
    [
        (lanes_token::ID, "token", lanes_program_artifacts::TOKEN),
        (lanes_amm::ID, "amm", lanes_program_artifacts::AMM),
        (lanes_lending::ID, "lending", lanes_program_artifacts::LENDING),
    ]
}

/// An opened ledger.
pub struct Genesis {
    pub bank: Bank,
    pub identity: Keypair,
    pub faucet: Keypair,
    pub genesis_hash: Hash,
    pub ledger: Ledger,
    /// The blockhash of the slot recorded before the bank's current one.
    pub previous_blockhash: Hash,
    /// That slot (the one before, unless a warp skipped slots).
    pub parent_slot: u64,
    /// Whether this start created the ledger.
    pub created: bool,
    /// Slots replayed from the ledger onto the account store at start.
    pub replayed_slots: u64,
}

fn ledger_error(dir: &Path, what: impl std::fmt::Display) -> NodeError {
    NodeError::Ledger(dir.to_path_buf(), what.to_string())
}

/// The keypair in `path`, made and written there first if it is missing.
fn keypair_file(dir: &Path, name: &str) -> Result<Keypair, NodeError> {
    let path = dir.join(name);
    if path.exists() {
        return Keypair::read_file(&path).map_err(|e| ledger_error(dir, format!("{name}: {e}")));
    }
    let keypair = Keypair::new();
    keypair.write_file(&path).map_err(|e| ledger_error(dir, format!("{name}: {e}")))?;
    Ok(keypair)
}

/// Open `config.ledger` (wiped first with `--reset`), creating genesis if it is new.
pub fn open_ledger(config: &NodeConfig) -> Result<Genesis, NodeError> {
    let dir = &config.ledger;
    if config.reset && dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| ledger_error(dir, format!("wiping it: {e}")))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| ledger_error(dir, e))?;
    let seed_path = dir.join("genesis-seed");
    let seed: [u8; 32] = match std::fs::read(&seed_path) {
        Ok(bytes) => bytes.try_into().map_err(|_| ledger_error(dir, "genesis-seed is not 32 bytes"))?,
        Err(_) => {
            let seed = Keypair::new().pubkey().0;
            std::fs::write(&seed_path, seed).map_err(|e| ledger_error(dir, e))?;
            seed
        }
    };
    let identity = keypair_file(dir, "identity.json")?;
    let faucet = keypair_file(dir, "faucet.json")?;
    let store = MmapAccountStore::open(dir.join("accounts"), Default::default())
        .map_err(|e| ledger_error(dir, format!("accounts: {e}")))?;
    let store_slot = store.committed_slot();
    let ledger = Ledger::open(&dir.join("ledger.redb")).map_err(|e| ledger_error(dir, e))?;
    let executor = Executor::new(ExecutorConfig { artifact_dir: Some(dir.join("compiled")), ..Default::default() })
        .map_err(|e| NodeError::Setup(e.to_string()))?;
    let bank_config = BankConfig {
        verify_signatures: true,
        genesis_seed: seed,
        record_account_changes: config.account_history > 0,
        ..BankConfig::default()
    };
    let mut bank = Bank::new(Arc::new(store), executor, bank_config);
    let genesis_hash = hashv(&[b"lanes genesis", &seed]);
    let last = ledger.last_slot().map_err(|e| ledger_error(dir, e))?;
    let (created, previous_blockhash, parent_slot, replayed_slots) = match last {
        Some(last) => {
            let replayed = resume(&mut bank, &ledger, &last, store_slot).map_err(|e| ledger_error(dir, e))?;
            (false, last.blockhash(), last.slot, replayed)
        }
        None if store_slot.is_some() => {
            return Err(ledger_error(dir, "the account store has slots but ledger.redb has none: use --reset"))
        }
        None => {
            // Compiled in the background once the node serves (see
            // `prewarm`): they are ours, and their tests compile them.
            for (id, _, wasm) in bundled_programs() {
                bank.set_account(id, immutable_program_account(wasm, 0)).map_err(|e| ledger_error(dir, e))?;
            }
            for (id, path) in &config.genesis_programs {
                let wasm =
                    std::fs::read(path).map_err(|e| NodeError::Setup(format!("--program {}: {e}", path.display())))?;
                bank.executor().compile(&wasm).map_err(|e| {
                    NodeError::Setup(format!("--program {}: not a program Lanes can run: {e}", path.display()))
                })?;
                bank.set_account(*id, immutable_program_account(&wasm, 0)).map_err(|e| ledger_error(dir, e))?;
            }
            for (id, path) in &config.genesis_accounts {
                let account = read_account_file(path)
                    .map_err(|e| NodeError::Setup(format!("--account {}: {e}", path.display())))?;
                bank.set_account(*id, account).map_err(|e| ledger_error(dir, e))?;
            }
            let lamports = config.faucet_sol.saturating_mul(LAMPORTS_PER_SOL);
            bank.set_account(faucet.pubkey(), Account::new(lamports, 0, &system_program::ID))
                .map_err(|e| ledger_error(dir, e))?;
            let block = freeze(&bank, Vec::new(), genesis_hash, 0, Vec::new());
            // Durable before the store: the genesis accounts are in the block.
            ledger
                .append_durable(&block, |err| transaction_error_json(err).to_string())
                .map_err(|e| ledger_error(dir, e))?;
            bank.commit_slot().map_err(|e| ledger_error(dir, e))?;
            bank.advance_slot();
            (true, block.blockhash, 0, 0)
        }
    };
    Ok(Genesis {
        bank,
        identity,
        faucet,
        genesis_hash,
        ledger,
        previous_blockhash,
        parent_slot,
        created,
        replayed_slots,
    })
}

/// Compile the bundled programs on a thread of its own, so the first
/// transaction that calls one finds it compiled (or in `compiled/`) while
/// start-up does not wait for Cranelift. A transaction that comes first
/// compiles it itself; the result is the same.
pub fn prewarm(executor: Arc<Executor>) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("lanes-prewarm".into()).spawn(move || {
        for (_, name, wasm) in bundled_programs() {
            if let Err(e) = executor.compile(wasm) {
                tracing::error!("the bundled {name} program does not compile: {e}");
            }
        }
    })
}

/// An account from the JSON that `solana account --output json` writes:
/// `{"pubkey": …, "account": {"lamports", "data": [text, "base64"|"base58"], "owner", "executable", …}}`
/// (the bare inner object is accepted too).
pub fn read_account_file(path: &Path) -> Result<Account, String> {
    use base64::Engine as _;
    use std::str::FromStr;
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let account = json.get("account").unwrap_or(&json);
    let lamports = account.get("lamports").and_then(|v| v.as_u64()).ok_or("no \"lamports\" integer")?;
    let owner = account.get("owner").and_then(|v| v.as_str()).ok_or("no \"owner\"")?;
    let owner = Pubkey::from_str(owner).map_err(|_| format!("owner {owner} is not a public key"))?;
    let executable = account.get("executable").and_then(|v| v.as_bool()).unwrap_or(false);
    let data = match account.get("data") {
        None => Vec::new(),
        Some(serde_json::Value::Array(parts)) => {
            let text = parts.first().and_then(|v| v.as_str()).ok_or("\"data\" is not [text, encoding]")?;
            match parts.get(1).and_then(|v| v.as_str()).unwrap_or("base64") {
                "base64" => base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| format!("data: {e}"))?,
                "base58" => bs58::decode(text).into_vec().map_err(|e| format!("data: {e}"))?,
                other => return Err(format!("data encoding {other} is not supported (base64 or base58)")),
            }
        }
        Some(_) => return Err("\"data\" is not [text, encoding]".into()),
    };
    Ok(Account { lamports, data, owner, executable })
}

/// Bring `bank` (fresh, over a store durable to `store_slot`) to the slot
/// after the ledger's `last`: replay what the store missed, restore the
/// recent blockhashes, processed signatures and counters. Returns the
/// number of slots replayed.
fn resume(bank: &mut Bank, ledger: &Ledger, last: &SlotRecord, store_slot: Option<u64>) -> Result<u64, String> {
    if store_slot.is_none() {
        // The process died between genesis's ledger write and the store's
        // commit: the genesis accounts are in the ledger.
        for (key, account) in ledger.genesis_accounts().map_err(|e| e.to_string())? {
            bank.set_account(key, account).map_err(|e| e.to_string())?;
        }
        bank.commit_slot().map_err(|e| e.to_string())?;
    }
    let store_slot = store_slot.unwrap_or(0);
    let first = ledger.first_slot().map_err(|e| e.to_string())?.unwrap_or(0);
    if first > store_slot + 1 {
        return Err(format!(
            "the account store is at slot {store_slot} but the ledger was pruned to start at slot {first} \
             (--limit-ledger-size): the accounts cannot be brought up to date; start with --reset"
        ));
    }
    if store_slot > last.slot {
        return Err(format!("the account store is at slot {store_slot}, past the ledger's last slot {}", last.slot));
    }
    // The bank as it was at the end of the store's slot.
    restore_at(bank, ledger, store_slot)?;
    let mut replayed = 0;
    let mut parent = store_slot;
    let mut expected = next_slot(store_slot, &ledger.controls(store_slot).map_err(|e| e.to_string())?);
    for_each_recorded_slot(ledger, store_slot + 1, last.slot, |record| {
        expected = replay_recorded_slot(bank, ledger, record, parent, expected)?;
        parent = record.slot;
        if record.transaction_count > 0 || !ledger.controls(record.slot).map_err(|e| e.to_string())?.is_empty() {
            bank.commit_slot().map_err(|e| e.to_string())?;
            replayed += 1;
        }
        Ok(())
    })?;
    // The last slot's successor: the next, or where its warp went.
    bank.warp_to_slot(expected);
    Ok(replayed)
}

/// Set `bank`'s slot, recent blockhashes, processed signatures, counters
/// and clock to what they were at the end of `slot`.
fn restore_at(bank: &mut Bank, ledger: &Ledger, slot: u64) -> Result<(), String> {
    // The blockhashes of the newest recorded slots (a warp's skipped slots made none).
    let recent = ledger.recent_slots(slot, MAX_BLOCKHASH_AGE).map_err(|e| e.to_string())?;
    let Some(at) = recent.last().filter(|r| r.slot == slot) else {
        return Err(format!("the ledger has no record of slot {slot}"));
    };
    if slot > 0 {
        bank.warp_to_slot(slot);
    }
    // The clock's offset (`lanesSetClock`) is what the slot's time says.
    bank.set_unix_timestamp(at.block_time);
    let hashes: Vec<Hash> = recent.iter().map(SlotRecord::blockhash).collect();
    bank.restore_recent_blockhashes(&hashes);
    bank.restore_counters(at.total_transactions, at.total_fees);
    for record in recent.iter().filter(|r| r.transaction_count > 0) {
        for tx in ledger.block_transactions(record.slot).map_err(|e| e.to_string())? {
            if let Some(tx) = tx.transaction() {
                if let Some(signature) = tx.signatures.first() {
                    bank.restore_processed([(*tx.message.recent_blockhash(), signature)]);
                }
            }
        }
    }
    Ok(())
}
