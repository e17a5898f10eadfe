//! The `lanes` CLI, the real binary, against the real `lanes-validator` on
//! free loopback ports (tests/common): every subcommand, human and JSON
//! output, the counter example deployed with `lanes program deploy` and
//! called through `lanes-client`, and each error a user meets first (no
//! keypair, no node, no funds, a bad address, a file that is not WASM) as
//! one line on stderr with exit status 1.
//!
//! Every command runs with `HOME` in a temporary directory of the test's
//! own (so no real wallet or config is read or written), bounded in time
//! and killed past it; every address is loopback.

mod common;

use common::{wait_bounded, Ran, TempLedger, Validator};
use lanes_client::RpcClient;
use lanes_sdk::client::Keypair;
use lanes_sdk::{system_instruction, Pubkey, LAMPORTS_PER_SOL};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::time::Duration;

/// How long one CLI command may take.
const COMMAND_WAIT: Duration = Duration::from_secs(30);

/// A temporary `HOME` and, when a node runs, its URLs.
struct Shell {
    home: TempLedger,
    url: String,
    ws: String,
}

impl Shell {
    fn new(name: &str, node: Option<&Validator>) -> Shell {
        let home = TempLedger::new(&format!("cli-home-{name}"));
        std::fs::create_dir_all(home.path()).unwrap();
        let (url, ws) = match node {
            Some(node) => (format!("http://{}", node.address), node.ws_url.clone().expect("a PubSub URL")),
            // Nothing listens on port 1 of loopback.
            None => ("http://127.0.0.1:1".to_string(), "ws://127.0.0.1:2/".to_string()),
        };
        Shell { home, url, ws }
    }

    fn home(&self) -> &Path {
        self.home.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lanes"));
        if !args.contains(&"--url") {
            command.args(["--url", &self.url]);
        }
        command
            .args(["--ws", &self.ws])
            .args(args)
            .env("HOME", self.home())
            .env_remove("http_proxy")
            .env_remove("HTTP_PROXY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Run `lanes ARGS` (bounded).
    fn run(&self, args: &[&str]) -> Ran {
        let child = self.command(args).spawn().expect("the lanes binary starts");
        wait_bounded(child, COMMAND_WAIT, &format!("lanes {args:?}"))
    }

    /// Run and expect success: stdout.
    fn ok(&self, args: &[&str]) -> String {
        let ran = self.run(args);
        assert_eq!(ran.status, 0, "lanes {args:?} failed: {}{}", ran.stdout, ran.stderr);
        assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
        ran.stdout
    }

    /// Run with `--output json` and expect success: the JSON.
    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["--output", "json"]);
        let out = self.ok(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("lanes {args:?}: not JSON ({e}): {out}"))
    }

    /// Run and expect a clear failure: exit 1, one line on stderr, no
    /// panic. That line, without `Error: `.
    fn fails(&self, args: &[&str]) -> String {
        let ran = self.run(args);
        assert_eq!(ran.status, 1, "lanes {args:?} should fail: {}{}", ran.stdout, ran.stderr);
        let stderr = ran.stderr.trim_end();
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        stderr.strip_prefix("Error: ").unwrap_or_else(|| panic!("starts with Error: {stderr}")).to_string()
    }

    /// The wallet (`~/.config/solana/id.json`).
    fn wallet(&self) -> Keypair {
        Keypair::read_file(self.home().join(".config/solana/id.json")).unwrap()
    }
}

fn field<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name].as_str().unwrap_or_else(|| panic!("no {name} in {value}"))
}

#[test]
fn errors_are_one_clear_line_without_a_node_or_a_keypair() {
    let shell = Shell::new("errors", None);
    // No keypair: none configured, Solana's default absent.
    let err = shell.fails(&["address"]);
    assert!(err.starts_with("no keypair at ") && err.contains(".config/solana/id.json"), "{err}");
    assert!(err.contains("lanes keygen new"), "{err}");
    // A keypair file that is not one.
    std::fs::write(shell.home().join("bad.json"), "[1, 2, 3]").unwrap();
    let err = shell.fails(&["--keypair", shell.home().join("bad.json").to_str().unwrap(), "address"]);
    assert!(err.contains("cannot read keypair") && err.contains("64"), "{err}");
    // An invalid address, before any request.
    let err = shell.fails(&["balance", "not-an-address"]);
    assert_eq!(err, "invalid address not-an-address: not a base58 public key or a keypair file");
    // An unreachable validator.
    let err = shell.fails(&["balance", "11111111111111111111111111111111"]);
    assert!(err.starts_with("cannot reach http://127.0.0.1:1") && err.contains("is lanes-validator running?"), "{err}");
    let err = shell.fails(&["logs", "--limit", "1"]);
    assert!(err.starts_with("cannot reach ws://127.0.0.1:2/"), "{err}");
    // A program file that is not WASM, refused before the wallet or the node is needed.
    let not_wasm = shell.home().join("program.wasm");
    std::fs::write(&not_wasm, "#!/bin/sh\necho not a program\n").unwrap();
    let err = shell.fails(&["program", "deploy", not_wasm.to_str().unwrap()]);
    assert!(err.ends_with("program.wasm: not a WASM module (it does not start with \\0asm)"), "{err}");
    // A bad amount and a bad URL.
    assert!(shell.fails(&["airdrop", "1.2.3"]).starts_with("invalid amount 1.2.3"));
    let err = shell.fails(&["--url", "https://127.0.0.1:1", "slot"]);
    assert!(err.contains("only http://"), "{err}");
    // clap's own usage errors exit 2, and never panic.
    let ran = shell.run(&["transfer"]);
    assert_eq!(ran.status, 2, "{}", ran.stderr);
}

#[test]
fn keys_config_sol_accounts_transactions_and_blocks_against_a_real_node() {
    let ledger = TempLedger::new("cli-wallet");
    let node = Validator::start(ledger.path());
    let shell = Shell::new("wallet", Some(&node));

    // keygen new writes Solana's wallet; pubkey and address read it back.
    let made = shell.json(&["keygen", "new"]);
    let me = field(&made, "pubkey").to_string();
    assert!(field(&made, "outfile").ends_with(".config/solana/id.json"), "{made}");
    assert_eq!(shell.ok(&["address"]).trim(), me);
    assert_eq!(shell.ok(&["keygen", "pubkey"]).trim(), me);
    let err = shell.fails(&["keygen", "new"]);
    assert!(err.starts_with("refusing to overwrite") && err.contains("--force"), "{err}");
    let other_path = shell.home().join("other.json");
    let other = shell.json(&["keygen", "new", "--outfile", other_path.to_str().unwrap()]);
    let other_key = field(&other, "pubkey").to_string();
    assert_eq!(shell.ok(&["keygen", "pubkey", other_path.to_str().unwrap()]).trim(), other_key);
    assert_eq!(shell.ok(&["--keypair", other_path.to_str().unwrap(), "address"]).trim(), other_key);

    // Solana's own config names the wallet when Lanes has none; Lanes' config wins once set.
    let solana_config = shell.home().join(".config/solana/cli/config.yml");
    std::fs::create_dir_all(solana_config.parent().unwrap()).unwrap();
    std::fs::write(
        &solana_config,
        format!("---\njson_rpc_url: https://example.invalid\nkeypair_path: {}\n", other_path.display()),
    )
    .unwrap();
    assert_eq!(shell.ok(&["address"]).trim(), other_key);
    std::fs::remove_file(&solana_config).unwrap();
    let wallet_path = shell.home().join(".config/solana/id.json");
    let config_path = shell.home().join("lanes.yml");
    let config_path = config_path.to_str().unwrap();
    shell.ok(&[
        "--config",
        config_path,
        "config",
        "set",
        "--url",
        &shell.url,
        "--keypair",
        wallet_path.to_str().unwrap(),
    ]);
    let settings = shell.json(&["--config", config_path, "config", "get"]);
    assert_eq!(field(&settings, "jsonRpcUrl"), shell.url);
    assert_eq!(field(&settings, "keypairPath"), wallet_path.to_str().unwrap());
    // The config's URL is used when no --url is given (the binary with only --config and --ws).
    let slot = Command::new(env!("CARGO_BIN_EXE_lanes"))
        .args(["--config", config_path, "--ws", &shell.ws, "slot"])
        .env("HOME", shell.home())
        .output()
        .unwrap();
    assert!(slot.status.success() && String::from_utf8_lossy(&slot.stdout).trim().parse::<u64>().is_ok());
    let localhost = shell.json(&["--url", "localhost", "config", "get"]);
    assert_eq!(field(&localhost, "jsonRpcUrl"), "http://127.0.0.1:8899");

    // Insufficient funds: the wallet has nothing yet.
    let err = shell.fails(&["transfer", &other_key, "1"]);
    assert!(err.starts_with(&format!("insufficient funds: {me} has 0 SOL")), "{err}");

    // airdrop, balance (human and lamports).
    let drop = shell.ok(&["airdrop", "5"]);
    assert!(drop.starts_with("Requesting airdrop of 5 SOL") && drop.trim_end().ends_with("5 SOL"), "{drop}");
    assert_eq!(shell.ok(&["balance"]).trim(), "5 SOL");
    assert_eq!(shell.ok(&["balance", &me, "--lamports"]).trim(), format!("{} lamports", 5 * LAMPORTS_PER_SOL));
    let airdrop = shell.json(&["airdrop", "0.5", &other_key]);
    assert_eq!(airdrop["balance"], LAMPORTS_PER_SOL / 2);

    // transfer, then confirm it, its block, the account.
    let sent = shell.json(&["transfer", &other_key, "1.25"]);
    let signature = field(&sent, "signature").to_string();
    assert_eq!(shell.json(&["balance", &other_key])["lamports"], LAMPORTS_PER_SOL / 2 + 1_250_000_000);
    assert_eq!(shell.ok(&["confirm", &signature]).trim(), "Finalized");
    let verbose = shell.ok(&["confirm", &signature, "-v"]);
    assert!(verbose.contains("Fee: 0.000005 SOL"), "{verbose}");
    assert!(verbose.contains("Program 11111111111111111111111111111111 success"), "{verbose}");
    let status = shell.json(&["confirm", &signature, "-v"]);
    assert_eq!(status["confirmationStatus"], "finalized");
    assert_eq!(status["err"], Value::Null);
    assert!(status["logs"].as_array().is_some_and(|l| !l.is_empty()), "{status}");
    let unknown = bs58::encode([7u8; 64]).into_string();
    assert_eq!(shell.ok(&["confirm", &unknown]).trim(), "Not found");
    assert!(shell.fails(&["confirm", "xyz"]).starts_with("invalid signature xyz"));

    let slot: u64 = shell.ok(&["slot"]).trim().parse().unwrap();
    let landed = status["slot"].as_u64().unwrap();
    assert!(slot >= landed, "{slot} < {landed}");
    let block = shell.json(&["block", &landed.to_string()]);
    assert_eq!(block["slot"], landed);
    assert!(block["transactions"].as_array().unwrap().iter().any(|t| t["signature"] == signature.as_str()), "{block}");
    let text = shell.ok(&["block", &landed.to_string()]);
    assert!(text.contains(&format!("Slot: {landed}")) && text.contains(&signature), "{text}");

    let account = shell.ok(&["account", &other_key]);
    assert!(account.contains(&format!("Public Key: {other_key}")), "{account}");
    assert!(account.contains("Balance: 1.75 SOL") && account.contains("Owner: 11111111111111111111111111111111"));
    let account = shell.json(&["account", &other_key]);
    assert_eq!(account["account"]["lamports"], 1_750_000_000u64);
    assert!(shell.fails(&["account", &Pubkey::new_unique_from_u64(77).to_string()]).ends_with("not found"));

    // Send everything back (ALL keeps the fee).
    shell.ok(&["--keypair", other_path.to_str().unwrap(), "transfer", &me, "ALL"]);
    assert_eq!(shell.json(&["balance", &other_key])["lamports"], 0);
}

#[test]
fn counter_example_deployed_called_through_the_client_upgraded_shown_and_closed() {
    let ledger = TempLedger::new("cli-program");
    let node = Validator::start(ledger.path());
    let shell = Shell::new("program", Some(&node));
    shell.ok(&["keygen", "new"]);
    let wasm = shell.home().join("counter.wasm");
    std::fs::write(&wasm, lanes_program_artifacts::COUNTER_EXAMPLE).unwrap();
    let wasm = wasm.to_str().unwrap();

    // Without funds the deploy is refused before anything is spent.
    let err = shell.fails(&["program", "deploy", wasm]);
    assert!(err.starts_with("insufficient funds:") && err.contains("deploying"), "{err}");
    shell.ok(&["airdrop", "10"]);

    // Deploy to a program id of our own keypair.
    let program_keypair = shell.home().join("counter-keypair.json");
    shell.ok(&["keygen", "new", "--outfile", program_keypair.to_str().unwrap()]);
    let deployed = shell.json(&["program", "deploy", wasm, "--program-id", program_keypair.to_str().unwrap()]);
    let program_id = Pubkey::from_str(field(&deployed, "programId")).unwrap();
    assert_eq!(program_id, Keypair::read_file(&program_keypair).unwrap().pubkey());
    assert_eq!(deployed["upgraded"], false);
    let show = shell.ok(&["program", "show", &program_id.to_string()]);
    let me = shell.wallet();
    assert!(show.contains(&format!("Authority: {}", me.pubkey())), "{show}");
    assert!(show.contains(&format!("Data Length: {}", lanes_program_artifacts::COUNTER_EXAMPLE.len())), "{show}");

    // Stream its logs while a client of our own calls it.
    let mut logs = shell.command(&["logs", &program_id.to_string(), "--limit", "1"]).spawn().unwrap();
    let mut logs_out = BufReader::new(logs.stdout.take().unwrap());
    let mut first = String::new();
    logs_out.read_line(&mut first).unwrap();
    assert!(first.starts_with(&format!("Streaming transaction logs mentioning {program_id}")), "{first}");

    let client = RpcClient::new(&shell.url).unwrap().with_websocket_url(&shell.ws);
    let counter = Keypair::new();
    let len = lanes_example_counter::Counter::LEN;
    let rent = client.get_minimum_balance_for_rent_exemption(len).unwrap();
    let mut initialize = lanes_example_counter::initialize(&counter.pubkey(), &me.pubkey());
    initialize.program_id = program_id;
    let mut increment = lanes_example_counter::increment(&counter.pubkey(), &me.pubkey(), 3);
    increment.program_id = program_id;
    client
        .send_instructions(
            &[
                system_instruction::create_account(&me.pubkey(), &counter.pubkey(), rent, len as u64, &program_id),
                initialize,
            ],
            &me,
            &[&counter],
        )
        .unwrap();
    let signature = client.send_instructions(&[increment], &me, &[]).unwrap();
    let landed = client.get_transaction(&signature).unwrap().expect("the increment is in the ledger");
    let meta = landed.meta.unwrap();
    assert!(meta.logs.contains(&"Program log: count is now 3".to_string()), "{:?}", meta.logs);
    let state = client.get_account(&counter.pubkey()).unwrap().unwrap();
    assert_eq!(state.owner, program_id);
    assert_eq!(u64::from_le_bytes(state.data[32..40].try_into().unwrap()), 3);

    // The stream saw the first transaction naming the program (the initialize), then stopped.
    let ran = wait_bounded(logs, COMMAND_WAIT, "lanes logs");
    let mut streamed = String::new();
    logs_out.read_to_string(&mut streamed).unwrap();
    assert_eq!(ran.status, 0, "{}", ran.stderr);
    assert!(streamed.contains("Transaction executed in slot") && streamed.contains("Status: Ok"), "{streamed}");
    assert!(streamed.contains(&format!("Program {program_id} invoke [1]")), "{streamed}");
    let verbose = shell.ok(&["confirm", &signature.to_string(), "-v"]);
    assert!(verbose.contains("Program log: count is now 3"), "{verbose}");

    // Simulate, then send without preflight and follow it over PubSub.
    let mut again = lanes_example_counter::increment(&counter.pubkey(), &me.pubkey(), 2);
    again.program_id = program_id;
    let blockhash = client.get_latest_blockhash().unwrap().blockhash;
    let tx = lanes_client::sign(&[again], &me, &[], blockhash).unwrap();
    let simulated = client.simulate_transaction(&tx).unwrap();
    assert!(simulated.err.is_none() && simulated.logs.contains(&"Program log: count is now 5".to_string()));
    assert!(simulated.units_consumed.is_some_and(|units| units > 0));
    let mut followed = client.signature_subscribe(tx.signature().unwrap()).unwrap();
    let sent = client.send_transaction_with_config(&tx, true).unwrap();
    assert_eq!(&sent, tx.signature().unwrap());
    let notification = followed.next().expect("one notification").expect("it lands in time");
    assert!(notification.err.is_none() && notification.slot > 0, "{notification:?}");
    assert!(followed.next().is_none(), "a signature subscription ends after its notification");
    let status = client.confirm(&sent, lanes_client::CommitmentLevel::Finalized, COMMAND_WAIT).unwrap();
    assert!(status.err.is_none());

    // A failing call through the client keeps the program's logs and error code.
    let mut wrong = lanes_example_counter::increment(&counter.pubkey(), &counter.pubkey(), 1);
    wrong.program_id = program_id;
    let err = client.send_instructions(&[wrong], &me, &[&counter]).unwrap_err();
    assert_eq!(err.transaction_failure().and_then(|f| f.custom_code()), Some(1), "{err}");
    assert!(!err.logs().is_empty(), "{err}");

    // Upgrade by address (the wallet is the authority); a stranger may not.
    let upgraded = shell.json(&["program", "deploy", wasm, "--program-id", &program_id.to_string()]);
    assert_eq!(upgraded["upgraded"], true);
    assert_eq!(field(&upgraded, "programId"), program_id.to_string());
    let stranger = shell.home().join("stranger.json");
    let stranger_key = field(&shell.json(&["keygen", "new", "-o", stranger.to_str().unwrap()]), "pubkey").to_string();
    shell.ok(&["airdrop", "2", &stranger_key]);
    let err = shell.fails(&[
        "--keypair",
        stranger.to_str().unwrap(),
        "program",
        "deploy",
        wasm,
        "--program-id",
        &program_id.to_string(),
    ]);
    assert!(err.contains(&format!("upgrade authority is {}", me.pubkey())), "{err}");
    // A new program id, in human output (the progress bar stays off a pipe).
    let fresh = shell.ok(&["program", "deploy", wasm]);
    assert!(fresh.starts_with("Program Id: ") && fresh.contains("Signature: "), "{fresh}");

    // account decodes the loader's state; close returns the SOL.
    let account = shell.json(&["account", &program_id.to_string()]);
    assert_eq!(account["parsed"]["type"], "Program");
    assert_eq!(account["parsed"]["info"]["authority"], me.pubkey().to_string());
    let before = client.get_balance(&me.pubkey()).unwrap();
    let closed = shell.json(&["program", "close", &program_id.to_string()]);
    let reclaimed = closed["lamports"].as_u64().unwrap();
    assert!(reclaimed > 0);
    assert_eq!(client.get_balance(&me.pubkey()).unwrap(), before + reclaimed - 5_000);
    let err = shell.fails(&["program", "show", &program_id.to_string()]);
    assert!(err.contains("not found"), "{err}");
}

#[test]
fn token_mint_accounts_mint_transfer_balance_and_decoding() {
    let ledger = TempLedger::new("cli-token");
    let node = Validator::start(ledger.path());
    let shell = Shell::new("token", Some(&node));
    let me = field(&shell.json(&["keygen", "new"]), "pubkey").to_string();
    shell.ok(&["airdrop", "3"]);

    let mint = shell.json(&["token", "create-mint", "--decimals", "2"]);
    let mint = field(&mint, "mint").to_string();
    let err = shell.fails(&["token", "mint", &mint, "10"]);
    assert!(err.contains("has no token account of") && err.contains("lanes token create-account"), "{err}");
    let mine = shell.json(&["token", "create-account", &mint]);
    let mine = field(&mine, "account").to_string();
    let minted = shell.ok(&["token", "mint", &mint, "100.5"]);
    assert!(minted.starts_with("Minting 100.5 tokens") && minted.contains(&mine), "{minted}");
    assert_eq!(shell.ok(&["token", "balance", &mint]).trim(), "100.5");
    assert!(shell.fails(&["token", "mint", &mint, "0.001"]).starts_with("invalid amount 0.001"));

    // To an owner without an account: refused, then created with --fund-recipient.
    let friend = Pubkey::new_unique_from_u64(4242).to_string();
    let err = shell.fails(&["token", "transfer", &mint, "1", &friend]);
    assert!(err.contains("--fund-recipient"), "{err}");
    let sent = shell.json(&["token", "transfer", &mint, "1.25", &friend, "--fund-recipient"]);
    let theirs = field(&sent, "recipient").to_string();
    assert_eq!(field(&sent, "uiAmountString"), "1.25");
    // To their account by its address, then by owner.
    shell.ok(&["token", "transfer", &mint, "0.25", &theirs]);
    shell.ok(&["token", "transfer", &mint, "0.5", &friend]);
    assert_eq!(shell.ok(&["token", "balance", &theirs]).trim(), "2");
    assert_eq!(shell.ok(&["token", "balance", &mint, "--owner", &friend]).trim(), "2");
    let balance = shell.json(&["token", "balance", &mine]);
    assert_eq!((field(&balance, "amount"), field(&balance, "uiAmountString")), ("9850", "98.5"));
    let err = shell.fails(&["token", "transfer", &mint, "1000", &friend]);
    assert!(err.starts_with("insufficient funds: the wallet's account"), "{err}");

    let listed = shell.json(&["token", "accounts"]);
    let accounts = listed["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{listed}");
    assert_eq!((field(&accounts[0], "address"), field(&accounts[0], "mint")), (mine.as_str(), mint.as_str()));
    let table = shell.ok(&["token", "accounts", "--owner", &friend]);
    assert!(table.contains(&theirs) && table.contains("2"), "{table}");

    // account decodes the mint and the token account.
    let shown = shell.ok(&["account", &mint]);
    assert!(
        shown.contains("Token mint:") && shown.contains("Supply: 100.5") && shown.contains("Decimals: 2"),
        "{shown}"
    );
    assert!(shown.contains(&format!("Mint Authority: {me}")) && shown.contains("Freeze Authority: none"), "{shown}");
    let token_account = shell.json(&["account", &theirs]);
    assert_eq!(token_account["parsed"]["type"], "Token account");
    assert_eq!(token_account["parsed"]["info"]["owner"], friend.as_str());
    assert_eq!(token_account["parsed"]["info"]["uiAmountString"], "2");
    // Its JSON is Solana's `solana account --output json` shape.
    assert_eq!(token_account["account"]["data"][1], "base64");
    assert_eq!(token_account["account"]["owner"], lanes_token::ID.to_string());

    // A wallet that is not the mint authority may not mint.
    let other = shell.home().join("other.json");
    shell.ok(&["keygen", "new", "-o", other.to_str().unwrap()]);
    shell.ok(&["airdrop", "1", other.to_str().unwrap()]);
    let err = shell.fails(&["--keypair", other.to_str().unwrap(), "token", "mint", &mint, "1", &theirs]);
    assert!(err.contains("is not the mint authority"), "{err}");
    assert!(PathBuf::from(shell.home()).join(".config/solana/id.json").exists());
}
