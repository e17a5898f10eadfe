//! The untimed part of `lanes-bench remote`, before the window:
//!
//! 1. Setup: a funder — `--keypair`, or a fresh wallet funded by one
//!    `requestAirdrop` — pays for everything: fresh payers (20 transfers a
//!    transaction); for `token` a mint and one token account a payer (and
//!    `--hot-accounts` more) through the bundled token program, each with
//!    tokens minted to it; for `swap`, `lend` and `mixed` the DeFi
//!    workloads' own setup (`crate::defi_workloads`), phase by phase, each
//!    phase sent in batches and confirmed before the next.
//! 2. Pre-signing: the window's transactions in chunks of [`CHUNK`], each
//!    chunk under the newest blockhash when it is signed (`run_remote`
//!    signs again the chunks that waited too long).
//!
//! Also where the UDP port is found: `--tpu`, else `getClusterNodes`.
//!
//! Never: panic on a node's answer, wait without a bound (every
//! confirmation is polled to a deadline), or assume the node is on this
//! machine.

use super::{Error, RemoteConfig, RemoteWorkload, Via, PAYER_LAMPORTS, SETUP_BATCH};
use super::{STATUSES_PER_CALL, STATUS_CALLS_PER_BATCH, TOKENS_PER_ACCOUNT};
use crate::defi_workloads::{self, DefiLoad, SetupChain};
use crate::rpc_client::{resolve, RpcClient};
use base64::Engine as _;
use lanes_sdk::client::Keypair;
use lanes_sdk::hash::Hash;
use lanes_sdk::signature::Signature;
use lanes_sdk::transaction::Transaction;
use lanes_sdk::{system_instruction, Pubkey, LAMPORTS_PER_SOL};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// The accounts the load runs between.
pub(super) struct Accounts {
    payers: Vec<Keypair>,
    pub(super) payer_keys: Vec<Pubkey>,
    /// `token`: each payer's token account, in the payers' order.
    pub(super) token_accounts: Vec<Pubkey>,
    /// `--hot-accounts`: the shared accounts every transfer pays into
    /// (wallets for `transfer`, token accounts for `token`).
    hot: Vec<Pubkey>,
    /// `swap`, `lend`, `mixed`.
    defi: Option<DefiLoad>,
}

impl Accounts {
    /// The `k`th transaction of the run. `transfer` and `token`: payer
    /// `k mod n` to the payer half the ring away (or to hot account
    /// `k mod H`); the amount grows each round so every signature is new.
    fn transaction(&self, workload: RemoteWorkload, k: usize, blockhash: Hash) -> Transaction {
        if let Some(defi) = &self.defi {
            return defi.transaction(k, blockhash);
        }
        let n = self.payers.len();
        let from = &self.payers[k % n];
        let to = (k + n / 2 + 1) % n;
        let amount = 1 + (k / n) as u64;
        let hot = (!self.hot.is_empty()).then(|| self.hot[k % self.hot.len()]);
        let instruction = match workload {
            RemoteWorkload::Token => lanes_token::instruction::transfer(
                &lanes_token::ID,
                &self.token_accounts[k % n],
                &hot.unwrap_or(self.token_accounts[to]),
                &self.payer_keys[k % n],
                amount,
            ),
            _ => system_instruction::transfer(&self.payer_keys[k % n], &hot.unwrap_or(self.payer_keys[to]), amount),
        };
        Transaction::new_signed_with_payer(&[instruction], Some(&self.payer_keys[k % n]), &[from], blockhash)
    }

    /// The wallets that sign the load.
    pub(super) fn wallets(&self) -> Vec<Pubkey> {
        match &self.defi {
            Some(defi) => defi.wallets(),
            None => self.payer_keys.clone(),
        }
    }
}

/// Setup on a node: transactions queued, then at each `settle` sent in
/// batches and confirmed; one blockhash for up to [`SETUP_BLOCKHASH_FOR`].
struct RpcChain<'a> {
    client: &'a mut RpcClient,
    queued: Vec<Transaction>,
    blockhash: Option<(Hash, Instant)>,
}

/// How long a setup blockhash is used (a blockhash lives ~60 s at 400 ms slots).
const SETUP_BLOCKHASH_FOR: Duration = Duration::from_secs(5);

impl SetupChain for RpcChain<'_> {
    fn blockhash(&mut self) -> Result<Hash, String> {
        match self.blockhash {
            Some((hash, at)) if at.elapsed() < SETUP_BLOCKHASH_FOR => Ok(hash),
            _ => {
                let hash = latest_blockhash(self.client)?.0;
                self.blockhash = Some((hash, Instant::now()));
                Ok(hash)
            }
        }
    }

    fn submit(&mut self, tx: Transaction) -> Result<(), String> {
        self.queued.push(tx);
        Ok(())
    }

    fn settle(&mut self) -> Result<(), String> {
        let queued = std::mem::take(&mut self.queued);
        send_and_confirm(self.client, &queued, "setup")
    }
}

pub(super) fn latest_blockhash(client: &mut RpcClient) -> Result<(Hash, u64), Error> {
    let answer = client.call("getLatestBlockhash", json!([{ "commitment": "confirmed" }]))?;
    let text = answer["value"]["blockhash"].as_str().ok_or_else(|| format!("getLatestBlockhash: {answer}"))?;
    let hash = Hash::from_str(text).map_err(|e| format!("getLatestBlockhash: {text}: {e:?}"))?;
    let slot = answer["context"]["slot"].as_u64().unwrap_or(0);
    Ok((hash, slot))
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Send setup transactions (batched, skipPreflight) and wait until every one is confirmed.
fn send_and_confirm(client: &mut RpcClient, transactions: &[Transaction], what: &str) -> Result<(), Error> {
    let mut signatures = Vec::with_capacity(transactions.len());
    for chunk in transactions.chunks(SETUP_BATCH) {
        let mut calls = Vec::with_capacity(chunk.len());
        for tx in chunk {
            let wire = tx.to_wire().map_err(|e| format!("{what}: {e:?}"))?;
            calls.push(("sendTransaction", json!([base64(&wire), { "encoding": "base64", "skipPreflight": true }])));
        }
        for answer in client.batch(&calls)? {
            match answer {
                Ok(Value::String(signature)) => signatures.push(signature),
                Ok(other) => return Err(format!("{what}: sendTransaction answered {other}")),
                Err(e) => return Err(format!("{what}: sendTransaction: {e}")),
            }
        }
    }
    confirm_all(client, &signatures, what)
}

/// Poll until every signature is confirmed (bounded); a failed one is an error.
fn confirm_all(client: &mut RpcClient, signatures: &[String], what: &str) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_secs(60) + Duration::from_millis(2) * signatures.len() as u32;
    let mut pending: Vec<&String> = signatures.iter().collect();
    while !pending.is_empty() {
        let mut still = Vec::new();
        for group in pending.chunks(STATUSES_PER_CALL * STATUS_CALLS_PER_BATCH) {
            let calls: Vec<(&str, Value)> =
                group.chunks(STATUSES_PER_CALL).map(|c| ("getSignatureStatuses", json!([c]))).collect();
            let answers = client.batch(&calls)?;
            for (c, answer) in group.chunks(STATUSES_PER_CALL).zip(answers) {
                let answer = answer.map_err(|e| format!("getSignatureStatuses: {e}"))?;
                let values = answer["value"].as_array().cloned().unwrap_or_default();
                for (i, signature) in c.iter().enumerate() {
                    let status = values.get(i).unwrap_or(&Value::Null);
                    if !status["err"].is_null() {
                        return Err(format!("{what} {signature} failed: {}", status["err"]));
                    }
                    let confirmed = matches!(status["confirmationStatus"].as_str(), Some("confirmed" | "finalized"));
                    if !confirmed {
                        still.push(*signature);
                    }
                }
            }
        }
        pending = still;
        if pending.is_empty() {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("{} of {} {what} transactions never confirmed", pending.len(), signatures.len()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// The wallet that pays for the setup: `--keypair` (checked to hold
/// `lamports`), or a fresh one funded by `requestAirdrop`.
fn funder(client: &mut RpcClient, config: &RemoteConfig, lamports: u64) -> Result<Keypair, Error> {
    let sol = |lamports: u64| lamports as f64 / LAMPORTS_PER_SOL as f64;
    if let Some(path) = &config.keypair {
        let keypair = Keypair::read_file(path).map_err(|e| format!("--keypair {}: {e}", path.display()))?;
        let answer = client.call("getBalance", json!([keypair.pubkey().to_string(), { "commitment": "confirmed" }]))?;
        let balance = answer["value"].as_u64().ok_or_else(|| format!("getBalance answered {answer}"))?;
        if balance < lamports {
            return Err(format!(
                "--keypair {} ({}) holds {} SOL; setting up {} accounts needs {} SOL",
                path.display(),
                keypair.pubkey(),
                sol(balance),
                config.accounts,
                sol(lamports)
            ));
        }
        return Ok(keypair);
    }
    let keypair = Keypair::new();
    let signature = match client.call("requestAirdrop", json!([keypair.pubkey().to_string(), lamports])) {
        Ok(Value::String(signature)) => signature,
        Ok(other) => return Err(format!("requestAirdrop answered {other}")),
        Err(e) => {
            return Err(format!("requestAirdrop of {} SOL: {e} (give --keypair to fund the setup)", sol(lamports)))
        }
    };
    confirm_all(client, &[signature], "airdrop")?;
    Ok(keypair)
}

/// Set up the accounts `config.workload` runs between, paid by the funder.
pub(super) fn setup(client: &mut RpcClient, config: &RemoteConfig) -> Result<Accounts, Error> {
    let defi_sets = match config.workload {
        RemoteWorkload::Swap | RemoteWorkload::Lend => Some(1),
        RemoteWorkload::Mixed => Some(2),
        RemoteWorkload::Transfer | RemoteWorkload::Token => None,
    };
    if let Some(sets) = defi_sets {
        let faucet = funder(client, config, defi_workloads::faucet_lamports(sets * config.accounts))?;
        let mut chain = RpcChain { client, queued: Vec::new(), blockhash: None };
        let defi = match config.workload {
            RemoteWorkload::Swap => DefiLoad::swaps(&mut chain, faucet, config.pools, config.accounts)?,
            RemoteWorkload::Lend => DefiLoad::lending(&mut chain, faucet, config.accounts)?,
            _ => DefiLoad::mixed(&mut chain, faucet, config.accounts)?,
        };
        return Ok(Accounts {
            payers: Vec::new(),
            payer_keys: Vec::new(),
            token_accounts: Vec::new(),
            hot: Vec::new(),
            defi: Some(defi),
        });
    }

    let payers: Vec<Keypair> = (0..config.accounts).map(|_| Keypair::new()).collect();
    let payer_keys: Vec<Pubkey> = payers.iter().map(Keypair::pubkey).collect();
    let hot_count = config.hot_accounts.unwrap_or(0);
    let token = config.workload == RemoteWorkload::Token;
    let account_len = <lanes_token::state::TokenAccount as lanes_token::state::Pack>::LEN;
    let per_token_account = lanes_sdk::rent::minimum_balance(account_len) + 10_000;
    let token_lamports = if token { per_token_account * (config.accounts + hot_count + 1) as u64 } else { 0 };
    let lamports = PAYER_LAMPORTS * config.accounts as u64 + token_lamports + LAMPORTS_PER_SOL;
    let funder = funder(client, config, lamports)?;
    let mut chain = RpcChain { client, queued: Vec::new(), blockhash: None };
    defi_workloads::fund_wallets(&mut chain, &funder, &payer_keys, PAYER_LAMPORTS)?;
    let mut accounts = Accounts { payers, payer_keys, token_accounts: Vec::new(), hot: Vec::new(), defi: None };
    if !token {
        // Hot wallets: rent-exempt system accounts the transfers pay into.
        let hot: Vec<Pubkey> = (0..hot_count).map(|_| Keypair::new().pubkey()).collect();
        defi_workloads::fund_wallets(&mut chain, &funder, &hot, LAMPORTS_PER_SOL)?;
        chain.settle()?;
        accounts.hot = hot;
        return Ok(accounts);
    }

    let token_program = lanes_token::ID;
    let mint = Keypair::new();
    let blockhash = chain.blockhash()?;
    chain.submit(Transaction::new_signed_with_payer(
        &lanes_token::instruction::create_mint(
            &token_program,
            &funder.pubkey(),
            &mint.pubkey(),
            &funder.pubkey(),
            None,
            6,
        ),
        Some(&funder.pubkey()),
        &[&funder, &mint],
        blockhash,
    ))?;
    chain.settle()?;
    // One token account a payer, then the hot ones (owned by a wallet of their own).
    let hot_owner = Keypair::new().pubkey();
    let owners = accounts.payer_keys.iter().copied().chain(std::iter::repeat_n(hot_owner, hot_count));
    for (i, owner) in owners.enumerate() {
        let account = Keypair::new();
        let [create, initialize] = lanes_token::instruction::create_account(
            &token_program,
            &funder.pubkey(),
            &account.pubkey(),
            &mint.pubkey(),
            &owner,
        );
        let mint_to = lanes_token::instruction::mint_to(
            &token_program,
            &mint.pubkey(),
            &account.pubkey(),
            &funder.pubkey(),
            TOKENS_PER_ACCOUNT,
        );
        let blockhash = chain.blockhash()?;
        chain.submit(Transaction::new_signed_with_payer(
            &[create, initialize, mint_to],
            Some(&funder.pubkey()),
            &[&funder, &account],
            blockhash,
        ))?;
        if i < config.accounts {
            accounts.token_accounts.push(account.pubkey());
        } else {
            accounts.hot.push(account.pubkey());
        }
    }
    chain.settle()?;
    Ok(accounts)
}

/// Transactions `first..first + count` signed under one blockhash.
pub(super) struct Chunk {
    pub(super) slot: u64,
    /// Wire bytes end to end; `ends[i]` is where transaction `first + i` ends.
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// `--via rpc`: the JSON-RPC batch bodies, and the transactions each carries.
    pub(super) batches: Vec<(String, usize, usize)>,
    /// Signatures of the transactions followed: (index, signature).
    pub(super) samples: Vec<(usize, Signature)>,
}

impl Chunk {
    pub(super) fn wire(&self, offset: usize) -> &[u8] {
        let start = if offset == 0 { 0 } else { self.ends[offset - 1] };
        &self.bytes[start..self.ends[offset]]
    }
}

/// Sign transactions `first..first + count` on every core under the newest blockhash.
pub(super) fn sign_chunk(
    client: &mut RpcClient,
    accounts: &Accounts,
    config: &RemoteConfig,
    first: usize,
    count: usize,
    sample_every: usize,
) -> Result<Chunk, Error> {
    let (blockhash, slot) = latest_blockhash(client)?;
    let threads = lanes_runtime::available_cores().clamp(1, 64);
    let per_thread = count.div_ceil(threads).max(1);
    let workload = config.workload;
    type Signed = Vec<(Vec<u8>, Signature)>;
    let signed: Vec<Result<Signed, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (first..first + count)
            .step_by(per_thread)
            .map(|start| {
                let end = (start + per_thread).min(first + count);
                scope.spawn(move || {
                    (start..end)
                        .map(|k| {
                            let tx = accounts.transaction(workload, k, blockhash);
                            let signature = tx.signature().copied().unwrap_or_default();
                            let wire = tx.to_wire().map_err(|e| format!("transaction {k}: {e:?}"))?;
                            Ok((wire, signature))
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a signing thread panicked".into()))).collect()
    });
    let mut chunk =
        Chunk { slot, bytes: Vec::new(), ends: Vec::with_capacity(count), batches: Vec::new(), samples: Vec::new() };
    let mut k = first;
    for part in signed {
        for (wire, signature) in part? {
            chunk.bytes.extend_from_slice(&wire);
            chunk.ends.push(chunk.bytes.len());
            if k.is_multiple_of(sample_every) {
                chunk.samples.push((k, signature));
            }
            k += 1;
        }
    }
    chunk.bytes.shrink_to_fit();
    if config.via == Via::Rpc {
        let mut offset = 0;
        while offset < count {
            let n = config.batch.min(count - offset);
            let mut body = String::with_capacity(n * 420 + 2);
            body.push('[');
            for i in 0..n {
                if i > 0 {
                    body.push(',');
                }
                body.push_str(r#"{"jsonrpc":"2.0","id":"#);
                body.push_str(&i.to_string());
                body.push_str(r#","method":"sendTransaction","params":[""#);
                body.push_str(&base64(chunk.wire(offset + i)));
                body.push_str(r#"",{"encoding":"base64","skipPreflight":true}]}"#);
            }
            body.push(']');
            chunk.batches.push((body, first + offset, n));
            offset += n;
        }
        // The senders need only the bodies.
        chunk.bytes = Vec::new();
        chunk.ends = Vec::new();
    }
    Ok(chunk)
}

/// The UDP port to send to: `--tpu`, else the node's `getClusterNodes`
/// (an unspecified IP there means the RPC host's).
pub(super) fn tpu_address(client: &mut RpcClient, config: &RemoteConfig) -> Result<SocketAddr, Error> {
    let text = match &config.tpu {
        Some(tpu) => tpu.clone(),
        None => {
            let nodes = client.call("getClusterNodes", json!([]))?;
            nodes
                .get(0)
                .and_then(|n| n.get("tpu"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("getClusterNodes names no tpu address ({nodes}); give --tpu or --via rpc"))?
        }
    };
    let mut address = resolve(&text)?;
    if address.ip().is_unspecified() {
        address.set_ip(client.socket_addr().ip());
    }
    Ok(address)
}
