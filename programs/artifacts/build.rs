//! Build every bundled program for `wasm32-unknown-unknown` with the
//! `contract` profile, in a target directory of its own (so the nested cargo
//! never waits on the outer one's lock), and copy the `.wasm` files into
//! `OUT_DIR` for `lib.rs` to embed.
//!
//! The build itself is `lanes-build`'s, the one every contract gets. If the
//! wasm target is missing and rustup is present, it is installed; otherwise
//! the build stops with the command to run.

use std::env;
use std::path::{Path, PathBuf};

/// (cargo package, wasm file stem) of every bundled program.
const PROGRAMS: &[(&str, &str)] = &[
    ("lanes-token", "lanes_token"),
    ("lanes-test-program", "lanes_test_program"),
    ("lanes-example-counter", "lanes_example_counter"),
    ("lanes-amm", "lanes_amm"),
    ("lanes-lending", "lanes_lending"),
    ("lanes-example-escrow", "lanes_example_escrow"),
];

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace =
        manifest_dir.parent().and_then(Path::parent).expect("programs/artifacts sits two levels down").to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));

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
        "builder/src",
        "Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=LANES_CONTRACTS_TARGET_DIR");

    if let Err(e) = lanes_build::ensure_wasm_target() {
        panic!("{e}; install the target with: rustup target add {}", lanes_build::TARGET);
    }

    let target_dir = env::var_os("LANES_CONTRACTS_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target").join("contracts"));
    let build = lanes_build::ContractBuild {
        workspace_dir: workspace,
        packages: PROGRAMS.iter().map(|(package, _)| package.to_string()).collect(),
        target_dir,
        locked: true,
        quiet: false,
    };
    if let Err(e) = build.run() {
        panic!("building the bundled WASM programs: {e}");
    }
    for (package, stem) in PROGRAMS {
        let built = build.wasm_path(package);
        let dest = out_dir.join(format!("{stem}.wasm"));
        std::fs::copy(&built, &dest)
            .unwrap_or_else(|e| panic!("copying {} to {}: {e}", built.display(), dest.display()));
    }
}
