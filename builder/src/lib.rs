//! # lanes-build
//!
//! Builds Lanes contracts to WASM the one way they are built — `cargo build
//! --profile contract --target wasm32-unknown-unknown` with Lanes' linker
//! flags, in a target directory of its own — for everyone who builds one:
//! the bundled programs' build script (`programs/artifacts`), the `lanes
//! build` and `lanes test` commands, and a contract's own tests
//! ([`wasm_of_crate`], through `lanes_runtime::contract_wasm!()`), so that
//! plain `cargo test` never runs a stale `.wasm`.
//!
//! Never: inherit the host build's flags (`RUSTFLAGS`, a coverage wrapper,
//! the outer target directory) into the contract's build, share a target
//! directory with the cargo that runs it (the nested cargo would wait for
//! the outer one's lock forever), or depend on anything: build scripts use it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The target contracts are built for.
pub const TARGET: &str = "wasm32-unknown-unknown";
/// The cargo profile contracts are built with (each workspace that builds
/// one defines it: see `lanes init`'s Cargo.toml).
pub const PROFILE: &str = "contract";
/// Linker flags of every contract. A 64 KiB shadow stack (instead of 1 MiB)
/// keeps each instance's memory small; 256 KiB of initial memory leaves the
/// heap room for a transaction's input without growing memory, so a worker
/// can reset the instance and reuse it (an instance whose memory grew is
/// dropped).
pub const RUSTFLAGS: [&str; 2] = ["-Clink-arg=-zstack-size=65536", "-Clink-arg=--initial-memory=262144"];

/// The host build's settings a contract build must not inherit.
const HOST_ONLY_ENV: [&str; 11] = [
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_MAKEFLAGS",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_LLVM_COV",
    "CARGO_LLVM_COV_TARGET_DIR",
    "LLVM_PROFILE_FILE",
];

/// Why a contract could not be built.
#[derive(Debug)]
pub enum BuildError {
    /// cargo (or rustup) could not be run.
    Run { what: String, why: String },
    /// cargo ran and failed (its output went to stderr).
    Failed { what: String },
    /// The build said it succeeded, but the `.wasm` is not there.
    Missing(PathBuf),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Run { what, why } => write!(f, "could not run {what}: {why}"),
            BuildError::Failed { what } => write!(f, "{what} failed (see cargo's output above)"),
            BuildError::Missing(path) => write!(f, "the build made no {}", path.display()),
        }
    }
}

impl std::error::Error for BuildError {}

/// One contract build: `packages` of the workspace at `workspace_dir`,
/// into `target_dir`.
#[derive(Debug, Clone)]
pub struct ContractBuild {
    pub workspace_dir: PathBuf,
    /// Packages to build (`-p`); empty: the package at `workspace_dir`.
    pub packages: Vec<String>,
    pub target_dir: PathBuf,
    /// `--locked`: the lockfile must not change (CI, the bundled programs).
    pub locked: bool,
    /// No cargo output unless it fails.
    pub quiet: bool,
}

impl ContractBuild {
    /// Build; `Err` names the command that failed.
    pub fn run(&self) -> Result<(), BuildError> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
        let mut command = Command::new(&cargo);
        command
            .current_dir(&self.workspace_dir)
            .args(["build", "--profile", PROFILE, "--target", TARGET, "--target-dir"])
            .arg(&self.target_dir);
        if self.locked {
            command.arg("--locked");
        }
        if self.quiet {
            command.arg("--quiet");
        }
        for package in &self.packages {
            command.args(["-p", package]);
        }
        for var in HOST_ONLY_ENV {
            command.env_remove(var);
        }
        command.env("CARGO_ENCODED_RUSTFLAGS", RUSTFLAGS.join("\x1f"));
        let what = format!("cargo build --profile {PROFILE} --target {TARGET} in {}", self.workspace_dir.display());
        let status = command.status().map_err(|e| BuildError::Run { what: what.clone(), why: e.to_string() })?;
        if !status.success() {
            return Err(BuildError::Failed { what });
        }
        Ok(())
    }

    /// Where the build puts the `.wasm` of the library crate `crate_name`
    /// (a package name, dashes allowed).
    pub fn wasm_path(&self, crate_name: &str) -> PathBuf {
        wasm_path(&self.target_dir, crate_name)
    }
}

/// `<target_dir>/wasm32-unknown-unknown/contract/<crate_name>.wasm`.
pub fn wasm_path(target_dir: &Path, crate_name: &str) -> PathBuf {
    target_dir.join(TARGET).join(PROFILE).join(format!("{}.wasm", crate_name.replace('-', "_")))
}

/// Build the contract crate at `manifest_dir` (its own package, named
/// `package`) if its sources changed, and return its `.wasm`: what a
/// contract's tests load, so they always run the code they sit beside. The
/// build goes to `<its target directory>/contracts` (cargo's target
/// directory as the crate's config sets it), apart from the test's own
/// artifacts; each crate is built once per process.
pub fn wasm_of_crate(manifest_dir: impl AsRef<Path>, package: &str) -> Result<Vec<u8>, BuildError> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static BUILT: OnceLock<Mutex<HashMap<PathBuf, PathBuf>>> = OnceLock::new();
    let manifest_dir = manifest_dir.as_ref();
    // Held through the build: tests running in parallel wait for one build.
    let mut built = BUILT.get_or_init(|| Mutex::new(HashMap::new())).lock().unwrap_or_else(|e| e.into_inner());
    let path = match built.get(manifest_dir) {
        Some(path) => path.clone(),
        None => {
            let build = ContractBuild {
                workspace_dir: manifest_dir.to_path_buf(),
                packages: vec![package.to_string()],
                target_dir: target_dir_of(manifest_dir)?.join("contracts"),
                locked: false,
                quiet: true,
            };
            build.run()?;
            let path = build.wasm_path(package);
            built.insert(manifest_dir.to_path_buf(), path.clone());
            path
        }
    };
    std::fs::read(&path).map_err(|_| BuildError::Missing(path))
}

/// Cargo's target directory for the crate at `manifest_dir`, as its
/// config sets it (`cargo metadata`).
pub fn target_dir_of(manifest_dir: &Path) -> Result<PathBuf, BuildError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let what = format!("cargo metadata in {}", manifest_dir.display());
    let mut command = Command::new(cargo);
    command.current_dir(manifest_dir).args(["metadata", "--no-deps", "--format-version", "1"]);
    // The outer build's target directory is the outer build's.
    command.env_remove("CARGO_TARGET_DIR");
    let output = command.output().map_err(|e| BuildError::Run { what: what.clone(), why: e.to_string() })?;
    if !output.status.success() {
        return Err(BuildError::Failed { what });
    }
    let text = String::from_utf8_lossy(&output.stdout);
    json_string_field(&text, "target_directory")
        .map(PathBuf::from)
        .ok_or_else(|| BuildError::Run { what, why: "no target_directory in its answer".into() })
}

/// The string value of the first `"field":"…"` in `json`, unescaped.
fn json_string_field(json: &str, field: &str) -> Option<String> {
    let start = json.find(&format!("\"{field}\":\""))? + field.len() + 4;
    let mut value = String::new();
    let mut chars = json[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            '\\' => match chars.next()? {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                other => value.push(other),
            },
            c => value.push(c),
        }
    }
    None
}

/// Install the wasm32 target with rustup if this toolchain lacks it.
pub fn ensure_wasm_target() -> Result<(), BuildError> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| OsString::from("rustc"));
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if sysroot.as_ref().is_some_and(|root| root.join("lib/rustlib").join(TARGET).exists()) {
        return Ok(());
    }
    let what = format!("rustup target add {TARGET}");
    let added = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .map_err(|e| BuildError::Run { what: what.clone(), why: e.to_string() })?;
    if !added.success() {
        return Err(BuildError::Failed { what });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wasm_is_where_cargo_puts_it() {
        assert_eq!(
            wasm_path(Path::new("/t"), "my-counter"),
            Path::new("/t/wasm32-unknown-unknown/contract/my_counter.wasm")
        );
        let missing = BuildError::Missing(PathBuf::from("/t/x.wasm"));
        assert_eq!(missing.to_string(), "the build made no /t/x.wasm");
    }

    #[test]
    fn cargo_metadata_names_the_target_directory() {
        let json = r#"{"packages":[],"target_directory":"/a/b \"q\"/target","version":1}"#;
        assert_eq!(json_string_field(json, "target_directory").as_deref(), Some(r#"/a/b "q"/target"#));
        assert_eq!(json_string_field(json, "missing"), None);
        assert_eq!(json_string_field(r#"{"target_directory":"/unterminated"#, "target_directory"), None);
        // This crate's own: the workspace's target directory.
        let here = target_dir_of(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert!(here.ends_with("target"), "{}", here.display());
    }
}
