//! The ledger directory and genesis: `accounts/` (the memory-mapped account
//! store), `identity.json` and `faucet.json` (Solana keypair files), and
//! `genesis-seed` (what makes this ledger's genesis hash its own). A new
//! ledger gets the bundled programs at their fixed addresses and a funded
//! faucet; an existing one resumes after its last durable slot.

use super::{NodeConfig, NodeError};
use lanes_runtime::bank::{Bank, BankConfig};
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
    /// Whether this start created the ledger.
    pub created: bool,
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
    let resume_after = store.committed_slot();
    let executor = Executor::new(ExecutorConfig { artifact_dir: Some(dir.join("compiled")), ..Default::default() })
        .map_err(|e| NodeError::Setup(e.to_string()))?;
    let bank_config = BankConfig { verify_signatures: true, genesis_seed: seed, ..BankConfig::default() };
    let mut bank = Bank::new(Arc::new(store), executor, bank_config);
    let created = resume_after.is_none();
    match resume_after {
        Some(slot) => bank.warp_to_slot(slot + 1),
        None => {
            for (id, name, wasm) in bundled_programs() {
                bank.executor().compile(wasm).map_err(|e| NodeError::Setup(format!("bundled {name}: {e}")))?;
                bank.set_account(id, immutable_program_account(wasm, 0)).map_err(|e| ledger_error(dir, e))?;
            }
            let lamports = config.faucet_sol.saturating_mul(LAMPORTS_PER_SOL);
            bank.set_account(faucet.pubkey(), Account::new(lamports, 0, &system_program::ID))
                .map_err(|e| ledger_error(dir, e))?;
            bank.commit_slot().map_err(|e| ledger_error(dir, e))?;
            bank.advance_slot();
        }
    }
    Ok(Genesis { bank, identity, faucet, genesis_hash: hashv(&[b"lanes genesis", &seed]), created })
}
