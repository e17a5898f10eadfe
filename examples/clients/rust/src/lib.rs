//! # lanes-example-client
//!
//! A Rust program of your own driving a running Lanes node, as a newcomer
//! writes one: [`run`] airdrops to a fresh payer, transfers lamports,
//! creates a mint of the bundled token program and two token accounts,
//! mints tokens and transfers some, and prints each step — its signature,
//! fee, the balances it changed and the transaction's log messages, read
//! back with `getTransaction`. `src/main.rs` is the command line around it
//! (`--url`, default `http://127.0.0.1:8899`, `./scripts/run.sh`'s node).
//!
//! Built only on what a user has: [`lanes_client::RpcClient`] (JSON-RPC:
//! airdrop, send and confirm, reads), `lanes-sdk`'s keypairs and system
//! instructions, and `lanes-token`'s instruction builders and account
//! layout. It speaks only Solana's JSON-RPC, so it runs against any node
//! with the token program at `LanesToken111…`.
//!
//! ## What it owns
//! The example's steps, their report, and the [`Summary`] a test checks.
//!
//! ## What it must never do
//! Panic on what a node answers (every failure is an [`Error`]), wait
//! without a bound (each confirmation is bounded by the client, each
//! history read by [`HISTORY_WAIT`]), or report a step it did not see land.

use lanes_client::{ClientError, ConfirmedTransaction, RpcClient};
use lanes_sdk::client::Keypair;
use lanes_sdk::{system_instruction, Pubkey, Signature, LAMPORTS_PER_SOL};
use lanes_token::instruction as token_ix;
use lanes_token::state::{Mint, Pack, TokenAccount};
use std::io::Write;
use std::time::{Duration, Instant};

/// Where `./scripts/run.sh` serves JSON-RPC.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8899";
/// What the faucet gives the fresh payer.
pub const AIRDROP_LAMPORTS: u64 = 2 * LAMPORTS_PER_SOL;
/// What the payer sends the recipient.
pub const TRANSFER_LAMPORTS: u64 = LAMPORTS_PER_SOL / 10;
/// The new mint's decimals.
pub const DECIMALS: u8 = 6;
/// Tokens minted into the payer's token account, in base units (1,000 tokens).
pub const MINTED: u64 = 1_000_000_000;
/// Tokens the payer sends to the recipient's token account (250 tokens).
pub const TOKENS_SENT: u64 = 250_000_000;
/// How long a landed transaction may take to show in `getTransaction`.
pub const HISTORY_WAIT: Duration = Duration::from_secs(10);

/// The bundled token program.
const TOKEN_PROGRAM: Pubkey = lanes_token::ID;

/// One landed transaction of the example.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub name: &'static str,
    pub signature: Signature,
    /// Who paid the fee (the faucet, for the airdrop).
    pub fee_payer: Pubkey,
    /// The fee, in lamports.
    pub fee: u64,
    /// Its log messages, from `getTransaction`.
    pub logs: Vec<String>,
}

/// What [`run`] did and what it read back at the end.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub payer: Pubkey,
    pub recipient: Pubkey,
    pub mint: Pubkey,
    pub payer_token_account: Pubkey,
    pub recipient_token_account: Pubkey,
    /// Lamports, read after the last step.
    pub payer_lamports: u64,
    pub recipient_lamports: u64,
    /// Token balances in base units, decoded from the accounts' data after the last step.
    pub payer_tokens: u64,
    pub recipient_tokens: u64,
    /// Every step in order; the first is the faucet's airdrop.
    pub steps: Vec<Step>,
}

impl Summary {
    /// The fees the payer paid (every step but the faucet's airdrop).
    pub fn fees_paid_by_payer(&self) -> u64 {
        self.steps.iter().filter(|step| step.fee_payer == self.payer).map(|step| step.fee).sum()
    }
}

/// What can stop the example.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The node refused, failed or could not be reached; a failed
    /// transaction's logs are in [`ClientError::logs`].
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The report could not be written.
    #[error("writing the report: {0}")]
    Output(#[from] std::io::Error),
    /// The node answered, but not what a landed step should leave.
    #[error("{0}")]
    Unexpected(String),
}

/// Run every step against the node at `url` (`http://HOST:PORT`, or
/// `localhost`), writing the report to `out`.
pub fn run(url: &str, out: &mut impl Write) -> Result<Summary, Error> {
    let client = RpcClient::new(url)?;
    writeln!(out, "Node: {} ({})", client.url(), version(&client)?)?;
    let payer = Keypair::new();
    let recipient = Keypair::new();
    let mut steps = Vec::new();

    // 1. Lamports from the node's faucet (requestAirdrop), confirmed.
    let signature = client.airdrop_and_confirm(&payer.pubkey(), AIRDROP_LAMPORTS)?;
    steps.push(report(&client, out, "Airdrop 2 SOL to a fresh payer", signature)?);
    print_lamports(&client, out, "payer", &payer.pubkey())?;

    // 2. A system transfer, signed by the payer.
    let transfer = system_instruction::transfer(&payer.pubkey(), &recipient.pubkey(), TRANSFER_LAMPORTS);
    let signature = client.send_instructions(&[transfer], &payer, &[])?;
    steps.push(report(&client, out, "Transfer 0.1 SOL to a fresh recipient", signature)?);
    print_lamports(&client, out, "payer", &payer.pubkey())?;
    print_lamports(&client, out, "recipient", &recipient.pubkey())?;

    // 3. A mint: the system program creates its account (rent-exempt,
    //    owned by the token program), the token program initializes it.
    let mint = Keypair::new();
    let instructions =
        token_ix::create_mint(&TOKEN_PROGRAM, &payer.pubkey(), &mint.pubkey(), &payer.pubkey(), None, DECIMALS);
    let signature = client.send_instructions(&instructions, &payer, &[&mint])?;
    steps.push(report(&client, out, "Create a token mint (6 decimals, the payer its authority)", signature)?);
    writeln!(out, "   mint       {}", mint.pubkey())?;

    // 4. A token account each for the payer and the recipient, in one
    //    transaction (each new account signs its own creation).
    let payer_account = Keypair::new();
    let recipient_account = Keypair::new();
    let mut instructions = Vec::new();
    instructions.extend(token_ix::create_account(
        &TOKEN_PROGRAM,
        &payer.pubkey(),
        &payer_account.pubkey(),
        &mint.pubkey(),
        &payer.pubkey(),
    ));
    instructions.extend(token_ix::create_account(
        &TOKEN_PROGRAM,
        &payer.pubkey(),
        &recipient_account.pubkey(),
        &mint.pubkey(),
        &recipient.pubkey(),
    ));
    let signature = client.send_instructions(&instructions, &payer, &[&payer_account, &recipient_account])?;
    steps.push(report(&client, out, "Create token accounts for the payer and the recipient", signature)?);
    print_tokens(&client, out, "payer", &payer_account.pubkey())?;
    print_tokens(&client, out, "recipient", &recipient_account.pubkey())?;

    // 5. Mint 1,000 tokens into the payer's account (the mint authority signs).
    let mint_to = token_ix::mint_to(&TOKEN_PROGRAM, &mint.pubkey(), &payer_account.pubkey(), &payer.pubkey(), MINTED);
    let signature = client.send_instructions(&[mint_to], &payer, &[])?;
    steps.push(report(&client, out, "Mint 1000 tokens to the payer", signature)?);
    print_tokens(&client, out, "payer", &payer_account.pubkey())?;

    // 6. Send 250 of them to the recipient's account (the owner signs;
    //    the checked form also names the mint and its decimals).
    let transfer = token_ix::transfer_checked(
        &TOKEN_PROGRAM,
        &payer_account.pubkey(),
        &mint.pubkey(),
        &recipient_account.pubkey(),
        &payer.pubkey(),
        TOKENS_SENT,
        DECIMALS,
    );
    let signature = client.send_instructions(&[transfer], &payer, &[])?;
    steps.push(report(&client, out, "Transfer 250 tokens to the recipient", signature)?);
    let payer_tokens = print_tokens(&client, out, "payer", &payer_account.pubkey())?;
    let recipient_tokens = print_tokens(&client, out, "recipient", &recipient_account.pubkey())?;

    let summary = Summary {
        payer: payer.pubkey(),
        recipient: recipient.pubkey(),
        mint: mint.pubkey(),
        payer_token_account: payer_account.pubkey(),
        recipient_token_account: recipient_account.pubkey(),
        payer_lamports: client.get_balance(&payer.pubkey())?,
        recipient_lamports: client.get_balance(&recipient.pubkey())?,
        payer_tokens,
        recipient_tokens,
        steps,
    };
    writeln!(
        out,
        "\nDone: {} transactions; the payer paid {} lamports in fees and holds {} lamports.",
        summary.steps.len(),
        summary.fees_paid_by_payer(),
        summary.payer_lamports
    )?;
    Ok(summary)
}

/// The node's `solana-core` version, as `getVersion` tells it.
fn version(client: &RpcClient) -> Result<String, Error> {
    let version = client.get_version()?;
    Ok(version.get("solana-core").and_then(|v| v.as_str()).unwrap_or("version unknown").to_string())
}

/// Read a landed step back with `getTransaction` and print its signature,
/// fee and logs.
fn report(client: &RpcClient, out: &mut impl Write, name: &'static str, signature: Signature) -> Result<Step, Error> {
    let landed = landed(client, &signature)?;
    let fee_payer = landed.transaction.message.fee_payer().copied().unwrap_or_default();
    let meta = landed
        .meta
        .ok_or_else(|| Error::Unexpected(format!("getTransaction {signature}: no meta (and so no logs)")))?;
    if let Some(err) = &meta.err {
        return Err(Error::Unexpected(format!("{name}: {signature} landed but failed: {err}")));
    }
    writeln!(
        out,
        "\n{name}\n   signature  {signature}\n   fee        {} lamports, paid by {fee_payer}\n   logs",
        meta.fee
    )?;
    for line in &meta.logs {
        writeln!(out, "     {line}")?;
    }
    Ok(Step { name, signature, fee_payer, fee: meta.fee, logs: meta.logs })
}

/// A confirmed transaction as `getTransaction` reads it, waiting at most
/// [`HISTORY_WAIT`] for it to show in the node's history.
fn landed(client: &RpcClient, signature: &Signature) -> Result<ConfirmedTransaction, Error> {
    let deadline = Instant::now() + HISTORY_WAIT;
    loop {
        if let Some(transaction) = client.get_transaction(signature)? {
            return Ok(transaction);
        }
        if Instant::now() >= deadline {
            return Err(Error::Unexpected(format!(
                "{signature} was confirmed, but getTransaction has not found it within {HISTORY_WAIT:?}"
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn print_lamports(client: &RpcClient, out: &mut impl Write, who: &str, address: &Pubkey) -> Result<u64, Error> {
    let lamports = client.get_balance(address)?;
    writeln!(out, "   {who:<10} {address}: {lamports} lamports")?;
    Ok(lamports)
}

/// A token account's balance in base units, decoded from its data.
fn print_tokens(client: &RpcClient, out: &mut impl Write, who: &str, account: &Pubkey) -> Result<u64, Error> {
    let amount = token_balance(client, account)?;
    writeln!(out, "   {who:<10} token account {account}: {amount} units ({DECIMALS} decimals)")?;
    Ok(amount)
}

/// The balance of `account`, which must be the token program's token account.
pub fn token_balance(client: &RpcClient, account: &Pubkey) -> Result<u64, Error> {
    let found = client.get_account(account)?.ok_or_else(|| Error::Unexpected(format!("no account {account}")))?;
    if found.owner != TOKEN_PROGRAM {
        return Err(Error::Unexpected(format!("{account} is owned by {}, not the token program", found.owner)));
    }
    let state = TokenAccount::unpack(&found.data).map_err(|_| {
        Error::Unexpected(format!("{account} does not hold a token account ({} bytes)", found.data.len()))
    })?;
    Ok(state.amount)
}

/// The rent-exempt lamports the example's accounts take from the payer:
/// one mint and two token accounts.
pub fn rent_paid_by_payer() -> u64 {
    use lanes_sdk::rent::minimum_balance;
    minimum_balance(Mint::LEN) + 2 * minimum_balance(TokenAccount::LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_node_is_an_error_not_a_panic_and_nothing_is_reported() {
        // A loopback port nobody listens on: bind one, then let it go.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut out = Vec::new();
        let err = run(&format!("http://127.0.0.1:{port}"), &mut out).unwrap_err();
        assert!(matches!(err, Error::Client(ClientError::Unreachable { .. })), "{err}");
        assert!(out.is_empty(), "nothing printed before the node answered: {}", String::from_utf8_lossy(&out));
    }

    #[test]
    fn a_url_the_client_does_not_speak_is_refused() {
        let err = run("https://127.0.0.1:8899", &mut Vec::new()).unwrap_err();
        assert!(matches!(err, Error::Client(ClientError::InvalidUrl { .. })), "{err}");
    }
}
