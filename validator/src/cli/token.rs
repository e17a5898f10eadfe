//! `lanes token create-mint|create-account|mint|transfer|balance|accounts`:
//! the bundled token program (`lanes_token`, at `LanesToken111…`) from the
//! shell, with the wallet as payer, mint authority and owner, and amounts
//! in the mint's decimals. Token accounts are plain accounts (Lanes has no
//! associated-token-account program): an owner's are found by
//! `getProgramAccounts` filtered on the owner (and mint) fields.
//!
//! Never: send a mint the wallet has no authority for, or a transfer its
//! accounts cannot cover (both checked first, so the error says so
//! plainly); read an account as token state that the token program does
//! not own.

use super::{
    ensure_funds, fee, format_amount, parse_address, parse_amount, read_keypair, CliError, Context, Decoded, Output,
};
use clap::Subcommand;
use lanes_client::{AccountFilter, RpcClient};
use lanes_sdk::client::Keypair;
use lanes_sdk::rent::minimum_balance;
use lanes_sdk::{Account, Instruction, Pubkey};
use lanes_token::instruction as token_ix;
use lanes_token::state::{offsets, AccountState, Mint, Pack, TokenAccount};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// A new mint, the wallet its mint authority.
    CreateMint {
        /// Digits after the decimal point.
        #[arg(long, default_value_t = 9)]
        decimals: u8,
        /// The mint's keypair file (default: a new one).
        #[arg(long, value_name = "KEYPAIR")]
        mint_keypair: Option<PathBuf>,
    },
    /// A new token account of MINT (for the wallet, or --owner).
    CreateAccount {
        mint: String,
        #[arg(long)]
        owner: Option<String>,
        /// The account's keypair file (default: a new one).
        #[arg(long, value_name = "KEYPAIR")]
        account_keypair: Option<PathBuf>,
    },
    /// Mint AMOUNT tokens into RECIPIENT (a token account, or an owner
    /// holding one; default: the wallet's).
    Mint { mint: String, amount: String, recipient: Option<String> },
    /// Send AMOUNT of MINT from the wallet's account to RECIPIENT (a token
    /// account, or an owner holding one).
    Transfer {
        mint: String,
        amount: String,
        recipient: String,
        /// Create a token account for a recipient owner who has none (the wallet pays).
        #[arg(long)]
        fund_recipient: bool,
    },
    /// The balance of a token account, or of an owner's accounts of a mint
    /// (the wallet's, or --owner).
    Balance {
        /// A mint or a token account.
        address: String,
        #[arg(long)]
        owner: Option<String>,
    },
    /// Every token account of the wallet (or --owner), optionally of one mint.
    Accounts {
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        mint: Option<String>,
    },
}

const PROGRAM: Pubkey = lanes_token::ID;

pub fn run(context: &Context, command: TokenCommand) -> Result<Output, CliError> {
    let payer = context.keypair()?;
    let client = context.client()?;
    let owner_or_wallet = |owner: Option<String>| match owner {
        Some(text) => parse_address(&text),
        None => Ok(payer.pubkey()),
    };
    match command {
        TokenCommand::CreateMint { decimals, mint_keypair } => {
            let mint = keypair_or_new(mint_keypair)?;
            ensure_funds(&client, &payer.pubkey(), minimum_balance(Mint::LEN) + fee(2), "creating a mint")?;
            let instructions =
                token_ix::create_mint(&PROGRAM, &payer.pubkey(), &mint.pubkey(), &payer.pubkey(), None, decimals);
            let signature = client.send_instructions(&instructions, &payer, &[&mint])?;
            Ok(Output::new(
                format!("Creating token {}\nDecimals: {decimals}\n\nSignature: {signature}", mint.pubkey()),
                json!({ "mint": mint.pubkey().to_string(), "decimals": decimals, "signature": signature.to_string() }),
            ))
        }
        TokenCommand::CreateAccount { mint, owner, account_keypair } => {
            let mint = parse_address(&mint)?;
            get_mint(&client, &mint)?;
            let owner = owner_or_wallet(owner)?;
            let account = keypair_or_new(account_keypair)?;
            ensure_funds(
                &client,
                &payer.pubkey(),
                minimum_balance(TokenAccount::LEN) + fee(2),
                "creating a token account",
            )?;
            let instructions = token_ix::create_account(&PROGRAM, &payer.pubkey(), &account.pubkey(), &mint, &owner);
            let signature = client.send_instructions(&instructions, &payer, &[&account])?;
            Ok(Output::new(
                format!("Creating account {}\n\nSignature: {signature}", account.pubkey()),
                json!({ "account": account.pubkey().to_string(), "mint": mint.to_string(), "owner": owner.to_string(),
                        "signature": signature.to_string() }),
            ))
        }
        TokenCommand::Mint { mint, amount, recipient } => {
            let mint_key = parse_address(&mint)?;
            let mint = get_mint(&client, &mint_key)?;
            let amount = parse_amount(&amount, mint.decimals)?;
            if mint.mint_authority != Some(payer.pubkey()) {
                return Err(CliError::new(format!(
                    "the wallet {} is not the mint authority of {mint_key} ({})",
                    payer.pubkey(),
                    mint.mint_authority.map(|a| a.to_string()).unwrap_or_else(|| "none: its supply is fixed".into())
                )));
            }
            let recipient = match recipient {
                Some(text) => recipient_account(&client, &mint_key, &parse_address(&text)?)?,
                None => recipient_account(&client, &mint_key, &payer.pubkey())?,
            };
            let recipient = recipient.ok_or_else(|| no_account(&mint_key))?;
            ensure_funds(&client, &payer.pubkey(), fee(1), "minting")?;
            let signature = client.send_instructions(
                &[token_ix::mint_to(&PROGRAM, &mint_key, &recipient, &payer.pubkey(), amount)],
                &payer,
                &[],
            )?;
            let ui = format_amount(amount, mint.decimals);
            Ok(Output::new(
                format!("Minting {ui} tokens\n  Token: {mint_key}\n  Recipient: {recipient}\n\nSignature: {signature}"),
                json!({ "mint": mint_key.to_string(), "recipient": recipient.to_string(), "amount": amount.to_string(),
                        "uiAmountString": ui, "signature": signature.to_string() }),
            ))
        }
        TokenCommand::Transfer { mint, amount, recipient, fund_recipient } => {
            let mint_key = parse_address(&mint)?;
            let mint = get_mint(&client, &mint_key)?;
            let amount = parse_amount(&amount, mint.decimals)?;
            let recipient = parse_address(&recipient)?;
            let mut held = accounts_of(&client, &payer.pubkey(), Some(&mint_key))?;
            held.sort_by_key(|(_, account)| std::cmp::Reverse(account.amount));
            let (source, source_account) = held.first().copied().ok_or_else(|| no_account(&mint_key))?;
            if source_account.amount < amount {
                return Err(CliError::new(format!(
                    "insufficient funds: the wallet's account {source} holds {} of {mint_key}, the transfer needs {}",
                    format_amount(source_account.amount, mint.decimals),
                    format_amount(amount, mint.decimals)
                )));
            }
            let mut instructions: Vec<Instruction> = Vec::new();
            let mut created = None;
            let destination = match recipient_account(&client, &mint_key, &recipient)? {
                Some(account) => account,
                None if fund_recipient => {
                    let account = Keypair::new();
                    instructions.extend(token_ix::create_account(
                        &PROGRAM,
                        &payer.pubkey(),
                        &account.pubkey(),
                        &mint_key,
                        &recipient,
                    ));
                    let key = account.pubkey();
                    created = Some(account);
                    key
                }
                None => {
                    return Err(CliError::new(format!(
                        "{recipient} has no token account of {mint_key}: pass --fund-recipient to create one"
                    )))
                }
            };
            instructions.push(token_ix::transfer_checked(
                &PROGRAM,
                &source,
                &mint_key,
                &destination,
                &payer.pubkey(),
                amount,
                mint.decimals,
            ));
            let rent = if created.is_some() { minimum_balance(TokenAccount::LEN) } else { 0 };
            ensure_funds(&client, &payer.pubkey(), rent + fee(2), "the transfer")?;
            let signers: Vec<&Keypair> = created.iter().collect();
            let signature = client.send_instructions(&instructions, &payer, &signers)?;
            let ui = format_amount(amount, mint.decimals);
            Ok(Output::new(
                format!(
                    "Transfer {ui} tokens\n  Sender: {source}\n  Recipient: {destination}\n\nSignature: {signature}"
                ),
                json!({ "mint": mint_key.to_string(), "source": source.to_string(), "recipient": destination.to_string(),
                        "amount": amount.to_string(), "uiAmountString": ui, "signature": signature.to_string() }),
            ))
        }
        TokenCommand::Balance { address, owner } => {
            let key = parse_address(&address)?;
            let account = client.get_account(&key)?.ok_or_else(|| CliError::new(format!("account {key} not found")))?;
            let (mint_key, amount) = match token_account(&account) {
                Some(token) => (token.mint, token.amount),
                None => {
                    let owner = owner_or_wallet(owner)?;
                    let held = accounts_of(&client, &owner, Some(&key))?;
                    (key, held.iter().map(|(_, a)| a.amount).fold(0u64, u64::saturating_add))
                }
            };
            let mint = get_mint(&client, &mint_key)?;
            let ui = format_amount(amount, mint.decimals);
            Ok(Output::new(
                ui.clone(),
                json!({ "mint": mint_key.to_string(), "amount": amount.to_string(), "decimals": mint.decimals,
                        "uiAmountString": ui }),
            ))
        }
        TokenCommand::Accounts { owner, mint } => {
            let owner = owner_or_wallet(owner)?;
            let mint = mint.map(|m| parse_address(&m)).transpose()?;
            let held = accounts_of(&client, &owner, mint.as_ref())?;
            let mut text = format!("{:<44}  {:<44}  Balance", "Token", "Account");
            let mut list = Vec::new();
            for (address, account) in &held {
                let decimals = get_mint(&client, &account.mint).map(|m| m.decimals).unwrap_or(0);
                let ui = format_amount(account.amount, decimals);
                let _ = write!(text, "\n{:<44}  {:<44}  {ui}", account.mint.to_string(), address.to_string());
                list.push(json!({ "mint": account.mint.to_string(), "address": address.to_string(),
                                  "amount": account.amount.to_string(), "decimals": decimals, "uiAmountString": ui }));
            }
            if held.is_empty() {
                text = format!("{owner} has no token accounts");
            }
            Ok(Output::new(text, json!({ "owner": owner.to_string(), "accounts": list })))
        }
    }
}

fn keypair_or_new(path: Option<PathBuf>) -> Result<Keypair, CliError> {
    path.map(|p| read_keypair(&p)).unwrap_or_else(|| Ok(Keypair::new()))
}

fn no_account(mint: &Pubkey) -> CliError {
    CliError::new(format!(
        "the wallet has no token account of {mint}: create one with `lanes token create-account {mint}`"
    ))
}

fn get_mint(client: &RpcClient, mint: &Pubkey) -> Result<Mint, CliError> {
    let account = client.get_account(mint)?.ok_or_else(|| CliError::new(format!("mint {mint} not found")))?;
    if account.owner != PROGRAM {
        return Err(CliError::new(format!("{mint} is not a mint: the token program does not own it")));
    }
    Mint::unpack(&account.data).map_err(|_| CliError::new(format!("{mint} is not a mint of the token program")))
}

fn token_account(account: &Account) -> Option<TokenAccount> {
    (account.owner == PROGRAM).then(|| TokenAccount::unpack(&account.data).ok()).flatten()
}

/// `owner`'s token accounts (of `mint`, if given), sorted by address.
fn accounts_of(
    client: &RpcClient,
    owner: &Pubkey,
    mint: Option<&Pubkey>,
) -> Result<Vec<(Pubkey, TokenAccount)>, CliError> {
    let mut filters = vec![
        AccountFilter::DataSize(TokenAccount::LEN as u64),
        AccountFilter::Memcmp { offset: offsets::ACCOUNT_OWNER, bytes: owner.0.to_vec() },
    ];
    if let Some(mint) = mint {
        filters.push(AccountFilter::Memcmp { offset: offsets::ACCOUNT_MINT, bytes: mint.0.to_vec() });
    }
    Ok(client
        .get_program_accounts(&PROGRAM, &filters)?
        .into_iter()
        .filter_map(|(address, account)| Some((address, token_account(&account)?)))
        .collect())
}

/// `address` if it is a token account of `mint`, else the first account
/// of `mint` that `address` owns (`None`: it has none).
fn recipient_account(client: &RpcClient, mint: &Pubkey, address: &Pubkey) -> Result<Option<Pubkey>, CliError> {
    if let Some(account) = client.get_account(address)? {
        if let Some(token) = token_account(&account) {
            if token.mint != *mint {
                return Err(CliError::new(format!("token account {address} holds {}, not {mint}", token.mint)));
            }
            return Ok(Some(*address));
        }
    }
    Ok(accounts_of(client, address, Some(mint))?.first().map(|(key, _)| *key))
}

/// A mint's or token account's fields, for `lanes account`.
pub fn decode(client: &RpcClient, account: &Account) -> Option<Decoded> {
    if account.owner != PROGRAM {
        return None;
    }
    let key = |k: Option<Pubkey>| k.map(|k| json!(k.to_string())).unwrap_or(Value::Null);
    if let Ok(mint) = Mint::unpack(&account.data) {
        return Some(Decoded {
            kind: "Token mint",
            fields: vec![
                ("Supply", "supply", json!(format_amount(mint.supply, mint.decimals))),
                ("Decimals", "decimals", json!(mint.decimals)),
                ("Mint Authority", "mintAuthority", key(mint.mint_authority)),
                ("Freeze Authority", "freezeAuthority", key(mint.freeze_authority)),
            ],
        });
    }
    let token = token_account(account)?;
    let decimals = get_mint(client, &token.mint).map(|m| m.decimals).unwrap_or(0);
    let state = match token.state {
        AccountState::Uninitialized => "uninitialized",
        AccountState::Initialized => "initialized",
        AccountState::Frozen => "frozen",
    };
    Some(Decoded {
        kind: "Token account",
        fields: vec![
            ("Mint", "mint", json!(token.mint.to_string())),
            ("Owner", "owner", json!(token.owner.to_string())),
            ("Balance", "uiAmountString", json!(format_amount(token.amount, decimals))),
            ("State", "state", json!(state)),
            ("Delegate", "delegate", key(token.delegate)),
            ("Delegated Amount", "delegatedAmount", json!(format_amount(token.delegated_amount, decimals))),
            ("Close Authority", "closeAuthority", key(token.close_authority)),
        ],
    })
}
