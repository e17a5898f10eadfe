//! Build every bundled program for `wasm32-unknown-unknown` with the
//! `contract` profile, in a target directory of its own (so the nested cargo
//! never waits on the outer one's lock), and copy the `.wasm` files into
//! `OUT_DIR` for `lib.rs` to embed.
//!
//! If the wasm target is missing and rustup is present, it is installed;
//! otherwise the build stops with the command to run.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// (cargo package, wasm file stem) of every bundled program.
const PROGRAMS: &[(&str, &str)] = &[
    ("lanes-token", "lanes_token"),
    ("lanes-test-program", "lanes_test_program"),
    ("lanes-example-counter", "lanes_example_counter"),
    ("lanes-amm", "lanes_amm"),
    ("lanes-lending", "lanes_lending"),
    ("lanes-example-escrow", "lanes_example_escrow"),
];
const TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace =
        manifest_dir.parent().and_then(Path::parent).expect("programs/artifacts sits two levels down").to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());

    for watched in [
        "sdk/src",
        "sdk/Cargo.toml",
        "programs/token",
        "programs/token-cpi",
        "programs/test-programs",
        "examples/counter",
        "programs/amm",
        "programs/lending",
        "examples/escrow",
        "Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=LANES_CONTRACTS_TARGET_DIR");

    ensure_wasm_target();

    let target_dir = env::var_os("LANES_CONTRACTS_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target").join("contracts"));

    let mut cmd = Command::new(&cargo);
    cmd.current_dir(&workspace)
        .args(["build", "--locked", "--profile", "contract", "--target", TARGET, "--target-dir"])
        .arg(&target_dir);
    for (package, _) in PROGRAMS {
        cmd.args(["-p", package]);
    }
    // The outer build's flags and settings are for the host, not for contracts.
    for var in [
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
    ] {
        cmd.env_remove(var);
    }
    // A 64 KiB shadow stack (instead of 1 MiB) keeps each instance's memory
    // small; 256 KiB of initial memory leaves the heap room for a
    // transaction's input without growing memory, so a worker can reset the
    // instance and reuse it (an instance whose memory grew is dropped).
    cmd.env("CARGO_ENCODED_RUSTFLAGS", "-Clink-arg=-zstack-size=65536\x1f-Clink-arg=--initial-memory=262144");

    let status = cmd.status().unwrap_or_else(|e| panic!("could not run {cargo}: {e}"));
    if !status.success() {
        panic!("building the bundled WASM programs failed (see the cargo output above)");
    }

    for (_, stem) in PROGRAMS {
        let built = target_dir.join(TARGET).join("contract").join(format!("{stem}.wasm"));
        let dest = out_dir.join(format!("{stem}.wasm"));
        std::fs::copy(&built, &dest)
            .unwrap_or_else(|e| panic!("copying {} to {}: {e}", built.display(), dest.display()));
    }
}

fn ensure_wasm_target() {
    let sysroot = Command::new(env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let installed = sysroot.as_ref().is_some_and(|root| root.join("lib/rustlib").join(TARGET).exists());
    if installed {
        return;
    }
    println!("cargo:warning=installing the {TARGET} target with rustup");
    let added = Command::new("rustup").args(["target", "add", TARGET]).status();
    if !matches!(added, Ok(s) if s.success()) {
        panic!("the {TARGET} target is missing; install it with: rustup target add {TARGET}");
    }
}
