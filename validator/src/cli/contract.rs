//! The contract author's loop: `lanes init NAME` (a contract crate that
//! builds and tests outside this repository), `lanes build` (its `.wasm`,
//! with its size, in `target/deploy/`), `lanes test` (build, then `cargo
//! test`, whose harness tests load the freshly built `.wasm` through
//! `lanes_runtime::contract_wasm!`), and `lanes keys sync` (the program
//! keypair's address into `declare_id!`).
//!
//! A new crate points at a Lanes checkout (`--lanes`, `LANES_PATH`, or the
//! checkout this binary was built from) for `lanes-sdk` and
//! `lanes-runtime`, and shares its target directory: wasmtime and the
//! runtime compile once for the checkout and every contract made from it.
//!
//! Never: overwrite a file `init` did not create, or run anything but
//! cargo (through `lanes-build` for contracts).

use super::{CliError, Context, Output};
use lanes_sdk::client::Keypair;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a program's keypair lives, as Solana's tools keep it.
fn keypair_path(dir: &Path, crate_name: &str) -> PathBuf {
    dir.join("target").join("deploy").join(format!("{}-keypair.json", crate_name.replace('-', "_")))
}

/// `lanes init NAME`.
pub fn init(context: &Context, name: &str, parent: Option<&Path>, lanes: Option<&Path>) -> Result<Output, CliError> {
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        return Err(CliError::new(format!(
            "invalid crate name {name:?}: lowercase letters, digits, - and _, starting with a letter"
        )));
    }
    let lanes = lanes_checkout(lanes)?;
    let dir = parent.unwrap_or(Path::new(".")).join(name);
    if dir.exists() {
        return Err(CliError::new(format!("{} already exists", dir.display())));
    }
    let program = Keypair::new();
    let ident = name.replace('-', "_");
    let type_name: String = name
        .split(['-', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    let lanes_text = lanes.display().to_string();
    let fill = |template: &str| {
        template
            .replace("{name}", name)
            .replace("{ident}", &ident)
            .replace("{Type}", &type_name)
            .replace("{lanes}", &lanes_text)
            .replace("{program_id}", &program.pubkey().to_string())
    };
    let files: [(&str, String); 6] = [
        ("Cargo.toml", fill(CARGO_TOML)),
        (".cargo/config.toml", fill(CARGO_CONFIG)),
        (".gitignore", "/target\n".to_string()),
        ("src/lib.rs", fill(LIB_RS)),
        ("tests/program.rs", fill(TEST_RS)),
        ("README.md", fill(README)),
    ];
    let write = |path: &Path, text: &[u8]| -> Result<(), CliError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CliError::new(format!("{}: {e}", parent.display())))?;
        }
        std::fs::write(path, text).map_err(|e| CliError::new(format!("{}: {e}", path.display())))
    };
    for (path, text) in &files {
        write(&dir.join(path), text.as_bytes())?;
    }
    // The checkout's lockfile, so the crate resolves the versions the
    // checkout built (and shares their artifacts); cargo trims the rest.
    if let Ok(lock) = std::fs::read(lanes.join("Cargo.lock")) {
        write(&dir.join("Cargo.lock"), &lock)?;
    }
    let keypair = keypair_path(&dir, name);
    write(&keypair, b"")?;
    program.write_file(&keypair).map_err(|e| CliError::new(format!("{}: {e}", keypair.display())))?;

    let text = format!(
        "Created {dir} (program id {id}, keypair {keypair}).\nNext: cd {dir} && lanes test",
        dir = dir.display(),
        id = program.pubkey(),
        keypair = keypair.display()
    );
    let _ = context;
    Ok(Output::new(
        text,
        json!({ "dir": dir.display().to_string(), "programId": program.pubkey().to_string(),
                "keypair": keypair.display().to_string(), "lanes": lanes_text }),
    ))
}

/// The Lanes checkout a new crate depends on: `--lanes`, `LANES_PATH`, or
/// the one this binary was built from, if it is still there.
fn lanes_checkout(given: Option<&Path>) -> Result<PathBuf, CliError> {
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf);
    let candidate =
        given.map(Path::to_path_buf).or_else(|| std::env::var_os("LANES_PATH").map(PathBuf::from)).or(built_from);
    let Some(candidate) = candidate else {
        return Err(CliError::new("no Lanes checkout: pass --lanes PATH (or set LANES_PATH)"));
    };
    let path = candidate.canonicalize().map_err(|e| CliError::new(format!("{}: {e}", candidate.display())))?;
    if !path.join("sdk").join("Cargo.toml").is_file() || !path.join("runtime").join("Cargo.toml").is_file() {
        return Err(CliError::new(format!(
            "{} is not a Lanes checkout (no sdk/ and runtime/): pass --lanes PATH",
            path.display()
        )));
    }
    Ok(path)
}

/// The `[package]` name in `dir/Cargo.toml`.
fn package_name(dir: &Path) -> Result<String, CliError> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| {
        CliError::new(format!("{}: {e} (run this in a contract crate, or pass --dir)", manifest.display()))
    })?;
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(value) = line.strip_prefix("name").map(str::trim).and_then(|r| r.strip_prefix('=')) {
                return Ok(value.trim().trim_matches('"').to_string());
            }
        }
    }
    Err(CliError::new(format!("{}: no [package] name", manifest.display())))
}

/// `lanes build`: the contract's `.wasm`, copied to `target/deploy/`.
pub fn build(dir: &Path) -> Result<Output, CliError> {
    let name = package_name(dir)?;
    let (path, wasm) = build_wasm(dir, &name)?;
    Ok(Output::new(
        format!("Built {} ({} bytes)", path.display(), wasm.len()),
        json!({ "wasm": path.display().to_string(), "bytes": wasm.len() }),
    ))
}

fn build_wasm(dir: &Path, name: &str) -> Result<(PathBuf, Vec<u8>), CliError> {
    lanes_build::ensure_wasm_target().map_err(|e| CliError::new(e.to_string()))?;
    let target_dir = lanes_build::target_dir_of(dir).map_err(|e| CliError::new(e.to_string()))?;
    let build = lanes_build::ContractBuild {
        workspace_dir: dir.to_path_buf(),
        packages: vec![name.to_string()],
        target_dir: target_dir.join("contracts"),
        locked: false,
        quiet: false,
    };
    build.run().map_err(|e| CliError::new(e.to_string()))?;
    let built = build.wasm_path(name);
    let wasm = std::fs::read(&built).map_err(|e| CliError::new(format!("{}: {e}", built.display())))?;
    let deploy = dir.join("target").join("deploy").join(format!("{}.wasm", name.replace('-', "_")));
    if let Some(parent) = deploy.parent() {
        std::fs::create_dir_all(parent).map_err(|e| CliError::new(format!("{}: {e}", parent.display())))?;
    }
    std::fs::write(&deploy, &wasm).map_err(|e| CliError::new(format!("{}: {e}", deploy.display())))?;
    Ok((deploy, wasm))
}

/// `lanes test`: build, then `cargo test` with `cargo_args`; the exit
/// status is cargo's.
pub fn test(dir: &Path, cargo_args: &[String]) -> Result<i32, CliError> {
    let name = package_name(dir)?;
    let (path, wasm) = build_wasm(dir, &name)?;
    eprintln!("Built {} ({} bytes); testing", path.display(), wasm.len());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(dir)
        .arg("test")
        .args(cargo_args)
        .status()
        .map_err(|e| CliError::new(format!("could not run cargo test: {e}")))?;
    Ok(status.code().unwrap_or(1))
}

/// `lanes keys sync`: `declare_id!` in `src/lib.rs` becomes the address of
/// `target/deploy/NAME-keypair.json` (made if missing).
pub fn keys_sync(dir: &Path) -> Result<Output, CliError> {
    let name = package_name(dir)?;
    let keypair_file = keypair_path(dir, &name);
    let program = if keypair_file.is_file() {
        super::read_keypair(&keypair_file)?
    } else {
        let program = Keypair::new();
        if let Some(parent) = keypair_file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CliError::new(format!("{}: {e}", parent.display())))?;
        }
        program.write_file(&keypair_file).map_err(|e| CliError::new(format!("{}: {e}", keypair_file.display())))?;
        program
    };
    let lib = dir.join("src").join("lib.rs");
    let source = std::fs::read_to_string(&lib).map_err(|e| CliError::new(format!("{}: {e}", lib.display())))?;
    let marker = "declare_id!(\"";
    let start = source
        .find(marker)
        .map(|i| i + marker.len())
        .ok_or_else(|| CliError::new(format!("{}: no declare_id!(\"…\")", lib.display())))?;
    let end = source[start..].find('"').map(|i| start + i).ok_or_else(|| CliError::new("unterminated declare_id!"))?;
    let id = program.pubkey().to_string();
    let changed = source[start..end] != id;
    if changed {
        let updated = format!("{}{id}{}", &source[..start], &source[end..]);
        std::fs::write(&lib, updated).map_err(|e| CliError::new(format!("{}: {e}", lib.display())))?;
    }
    let text = match changed {
        true => format!("declare_id! in {} is now {id}", lib.display()),
        false => format!("declare_id! in {} is {id} already", lib.display()),
    };
    Ok(Output::new(text, json!({ "programId": id, "changed": changed, "keypair": keypair_file.display().to_string() })))
}

const CARGO_TOML: &str = r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

[lib]
# cdylib: the .wasm the chain runs; rlib: the instruction builders tests and clients use.
crate-type = ["cdylib", "rlib"]

[dependencies]
lanes-sdk = { path = "{lanes}/sdk", default-features = false }
borsh = { version = "1.5", default-features = false, features = ["derive"] }

[dev-dependencies]
lanes-runtime = { path = "{lanes}/runtime", features = ["harness"] }
lanes-sdk = { path = "{lanes}/sdk", features = ["client"] }

# A workspace of its own, whatever folder it sits in.
[workspace]

# How `lanes build` and the tests' contract_wasm!() build the .wasm: opt-level
# 3 costs a quarter to a third fewer compute units than "z" (Lanes'
# docs/benchmarks.md).
[profile.contract]
inherits = "release"
opt-level = 3
lto = true
codegen-units = 1
panic = "abort"
debug = false
strip = true

# As the Lanes checkout builds its tests, so the artifacts it built serve here.
[profile.release]
debug = "line-tables-only"

[profile.dev]
opt-level = 1

[profile.dev.package."*"]
opt-level = 2
"#;

const CARGO_CONFIG: &str = r#"# Shared with the Lanes checkout: wasmtime and the runtime compile once for
# it and every contract crate made from it (the first `lanes test` of a
# crate is then a matter of seconds). Remove to build everything here.
[build]
target-dir = "{lanes}/target"
"#;

const LIB_RS: &str = r#"//! {name}: a Lanes contract. `Greet { name }` logs a greeting and the
//! caller's key; an empty name fails with `{Type}Error::EmptyName`.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec;
use borsh::{BorshDeserialize, BorshSerialize};
use lanes_sdk::account_info::{next_account_info, AccountInfo};
use lanes_sdk::program_error::{ProgramError, ProgramResult};
use lanes_sdk::{msg, AccountMeta, Instruction, Pubkey};

// The address of target/deploy/{ident}-keypair.json (`lanes keys sync`).
lanes_sdk::declare_id!("{program_id}");

lanes_sdk::entrypoint!(process_instruction);

/// The program's instructions (borsh).
#[derive(Debug, Clone, BorshSerialize, BorshDeserialize)]
pub enum {Type}Instruction {
    /// Accounts: `[signer]` the caller.
    Greet { name: String },
}

lanes_sdk::program_errors! {
    /// Why an instruction failed. Codes are stable: never renumber.
    pub enum {Type}Error {
        /// Greeting nobody.
        EmptyName = 100 => "the name is empty",
    }
}

/// A `Greet` instruction from `caller`.
pub fn greet(caller: &Pubkey, name: &str) -> Instruction {
    let data = {Type}Instruction::Greet { name: name.into() };
    Instruction::new_with_borsh(ID, &data, vec![AccountMeta::new_readonly(*caller, true)])
}

pub fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let result = process(program_id, accounts, data);
    // Failures name themselves in the logs: "Error: EmptyName (0x64): …".
    {Type}Error::log_failure(&result);
    result
}

fn process(_program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let instruction = {Type}Instruction::try_from_slice(data).map_err(|_| ProgramError::InvalidInstructionData)?;
    let accounts = &mut accounts.iter();
    let caller = next_account_info(accounts)?;
    if !caller.is_signer {
        return Err(ProgramError::MissingRequiredSignature);
    }
    match instruction {
        {Type}Instruction::Greet { name } => {
            if name.is_empty() {
                return Err({Type}Error::EmptyName.into());
            }
            msg!("Hello, {}!", name);
            // The host renders the key: 100 units, where msg!("{}", key) costs ~27,000.
            caller.key.log();
            Ok(())
        }
    }
}
"#;

const TEST_RS: &str = r#"//! {name}, compiled to WASM and run in the Lanes harness. `contract_wasm!()`
//! builds the contract first if its sources changed: never a stale binary.

use lanes_runtime::harness::Harness;
use lanes_sdk::client::Keypair;
use lanes_sdk::LAMPORTS_PER_SOL;
use {ident}::{greet, {Type}Error, ID};

fn setup() -> (Harness, Keypair) {
    let mut h = Harness::new();
    let wasm = lanes_runtime::contract_wasm!().expect("the contract builds");
    h.add_program(ID, &wasm).unwrap();
    let payer = Keypair::new();
    h.airdrop(&payer.pubkey(), LAMPORTS_PER_SOL);
    (h, payer)
}

#[test]
fn it_greets() {
    let (mut h, payer) = setup();
    let meta = h.send(&[greet(&payer.pubkey(), "Lanes")], &payer, &[]).unwrap();
    assert!(meta.logs.contains(&"Program log: Hello, Lanes!".to_string()), "{:#?}", meta.logs);
    assert!(meta.logs.contains(&format!("Program log: {}", payer.pubkey())), "{:#?}", meta.logs);
}

#[test]
fn an_empty_name_fails_by_name() {
    let (mut h, payer) = setup();
    let failed = h.send(&[greet(&payer.pubkey(), "")], &payer, &[]).unwrap_err();
    assert_eq!(failed.custom_code(), Some({Type}Error::EmptyName.code()));
    assert!(failed.meta.logs.iter().any(|l| l.contains("Error: EmptyName")), "{failed}");
}
"#;

const README: &str = r#"# {name}

A Lanes contract, made by `lanes init`.

```sh
lanes test                  # build the .wasm, then cargo test (the harness runs the WASM)
lanes build                 # target/deploy/{ident}.wasm, with its size
lanes program deploy target/deploy/{ident}.wasm --program-id target/deploy/{ident}-keypair.json
```

Plain `cargo test` works too: the tests build the contract first through
`lanes_runtime::contract_wasm!()`. The program id in `declare_id!` is the
address of `target/deploy/{ident}-keypair.json`; `lanes keys sync` keeps
them in step. Guide: {lanes}/docs/contract-guide.md.
"#;
