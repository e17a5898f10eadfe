//! # lanes-client
//!
//! A typed, blocking client for a Lanes node — or any node that speaks
//! Solana's JSON-RPC and PubSub: what the `lanes` CLI is built on, and what
//! a program of your own can use to drive a chain.
//!
//! ```no_run
//! use lanes_client::{RpcClient, LogsFilter};
//! use lanes_sdk::{client::Keypair, system_instruction, LAMPORTS_PER_SOL};
//!
//! # fn main() -> Result<(), lanes_client::ClientError> {
//! let client = RpcClient::new("http://127.0.0.1:8899")?; // or "localhost"
//! let payer = Keypair::new();
//! client.airdrop_and_confirm(&payer.pubkey(), 2 * LAMPORTS_PER_SOL)?;
//! let to = Keypair::new().pubkey();
//! let signature =
//!     client.send_instructions(&[system_instruction::transfer(&payer.pubkey(), &to, 1_000)], &payer, &[])?;
//! println!("{signature}: {} lamports", client.get_balance(&to)?);
//!
//! // Deploy a WASM program (a new program id; upgrades when it exists and you hold the authority).
//! let program = Keypair::new();
//! let code = std::fs::read("counter.wasm").unwrap();
//! let deployed = client.deploy_program(&payer, &program, &code, &mut |_written, _total| {})?;
//! println!("Program Id: {}", deployed.program_id);
//!
//! // Stream the logs of transactions that name it.
//! for notification in client.logs_subscribe(LogsFilter::Mentions(deployed.program_id))?.take(1) {
//!     println!("{:?}", notification?.logs);
//! }
//! # Ok(()) }
//! ```
//!
//! ## What it owns
//! * [`RpcClient`]: reads (`get_balance`, `get_account` decoded into
//!   [`lanes_sdk::Account`], `get_program_accounts`, `get_slot`,
//!   `get_block`, `get_transaction`: legacy and v0 transactions, with
//!   their `version` and `loadedAddresses`), `request_airdrop`,
//!   `send_transaction` (base64, preflight; a legacy `Transaction` or a
//!   `VersionedTransaction`), `simulate_transaction`,
//!   `get_signature_statuses`, `confirm` (poll to a commitment, bounded),
//!   `send_and_confirm`, many transactions at once
//!   (`send_and_confirm_many`), and WASM programs through Lanes' loader
//!   (`deploy_program`, `upgrade_program`, `close_program`).
//! * [`pubsub`]: `logsSubscribe`, `signatureSubscribe`, `slotSubscribe`
//!   as blocking iterators of typed notifications, and
//!   [`SignatureSubscriptions`]: many signatures followed on one connection.
//! * [`controls`]: Lanes' own state and time controls on a local node
//!   (`lanes_set_account`, `lanes_set_token_balance`, `lanes_warp_to_slot`,
//!   `lanes_set_clock`, pausing, resuming and producing slots,
//!   `lanes_profile_transaction`).
//! * [`ClientError`]: every failure typed; the node's JSON-RPC error code,
//!   message and data (a failed simulation's logs) kept.
//!
//! ## What it must never do
//! Wait without a bound (every request, confirmation and notification has a
//! timeout), panic on anything a server answers, or reach a node through a
//! proxy the environment names.

pub mod controls;
pub mod deploy;
pub mod error;
pub mod http;
pub mod pubsub;
pub mod rpc;
pub mod types;

pub use controls::{AccountUpdate, SlotProduction, TokenBalanceSet};
pub use deploy::{check_wasm, Deployed};
pub use error::{ClientError, RpcError, TransactionFailure};
pub use http::{expand_moniker, websocket_url, LOCALHOST_URL};
pub use pubsub::{
    LogsFilter, LogsNotification, SignatureNotification, SignatureSubscriptions, SlotNotification, Subscription,
};
pub use rpc::{sign, RpcClient, SendableTransaction};
pub use types::{
    AccountFilter, Block, BlockTransaction, CommitmentLevel, ConfirmedTransaction, LatestBlockhash, SignatureStatus,
    SimulationResult, TransactionMeta,
};
