//! The contract author's loop as a newcomer runs it, outside the repository
//! (issue 16): `lanes init` into a temporary folder, `lanes test` passes; a
//! log line changed in the source is seen by the very next `lanes test`
//! (never a stale `.wasm`); `lanes build` names the `.wasm` and its size;
//! `lanes keys sync` puts the program keypair's address in `declare_id!`.
//!
//! The crate shares this checkout's target directory (as `lanes init` sets
//! it up): the first such crate compiles wasmtime for its own feature set
//! (~7 minutes of this test on 2 cores in CI), later ones reuse it (~1
//! minute). Every command runs in its own process group, bounded, killed
//! past it.

mod common;

use common::{run_group_bounded, TempLedger};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The first `lanes test` compiles the runtime for the new crate.
const FIRST_BUILD: Duration = Duration::from_secs(900);
const REBUILD: Duration = Duration::from_secs(300);

/// Run `lanes ARGS` in `dir`; (success, everything it printed).
fn lanes(dir: &Path, args: &[&str], limit: Duration, log: &Path) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lanes"));
    command.current_dir(dir).args(args);
    let status = run_group_bounded(&mut command, log, limit);
    let output = std::fs::read_to_string(log).unwrap_or_default();
    let status = status.unwrap_or_else(|| panic!("lanes {args:?} took more than {limit:?}:\n{output}"));
    (status.success(), output)
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn init_test_edit_test_build_and_sync_keys() {
    let scratch = TempLedger::new("contract-loop");
    std::fs::create_dir_all(scratch.path()).unwrap();
    let checkout: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let log = scratch.path().join("lanes.log");

    let (ok, output) = lanes(
        scratch.path(),
        &["init", "greeter", "--lanes", checkout.to_str().unwrap()],
        Duration::from_secs(30),
        &log,
    );
    assert!(ok, "lanes init: {output}");
    let crate_dir = scratch.path().join("greeter");
    for file in
        ["Cargo.toml", ".cargo/config.toml", "src/lib.rs", "tests/program.rs", "target/deploy/greeter-keypair.json"]
    {
        assert!(crate_dir.join(file).is_file(), "lanes init made no {file}: {output}");
    }
    // A name cargo would refuse is refused first, making nothing.
    let (ok, output) = lanes(scratch.path(), &["init", "Bad Name"], Duration::from_secs(30), &log);
    assert!(!ok && output.contains("invalid crate name"), "{output}");
    assert!(!scratch.path().join("Bad Name").exists());
    // A second init into the same folder is refused, touching nothing.
    let (ok, output) = lanes(scratch.path(), &["init", "greeter"], Duration::from_secs(30), &log);
    assert!(!ok && output.contains("already exists"), "{output}");

    let (ok, output) = lanes(&crate_dir, &["test"], FIRST_BUILD, &log);
    assert!(ok, "the first lanes test: {output}");
    assert!(output.contains("2 passed"), "{output}");

    // The program says something else; the test still expects the old line:
    // the next run must build the new code and fail, showing the new line.
    replace_in(&crate_dir.join("src/lib.rs"), "Hello, {}!", "Howdy, {}!");
    let (ok, output) = lanes(&crate_dir, &["test"], REBUILD, &log);
    assert!(!ok, "a test of the old log line passed against the new code: {output}");
    assert!(output.contains("Howdy, Lanes!"), "the new code ran: {output}");
    replace_in(&crate_dir.join("tests/program.rs"), "Hello, Lanes!", "Howdy, Lanes!");
    let (ok, output) = lanes(&crate_dir, &["test"], REBUILD, &log);
    assert!(ok && output.contains("2 passed"), "after the test was updated: {output}");

    let (ok, output) = lanes(&crate_dir, &["build"], REBUILD, &log);
    assert!(ok, "lanes build: {output}");
    let wasm = crate_dir.join("target/deploy/greeter.wasm");
    let size = std::fs::metadata(&wasm).unwrap().len();
    assert!(output.contains(&format!("({size} bytes)")), "{output}");
    assert!(std::fs::read(&wasm).unwrap().starts_with(b"\0asm"), "a WASM module");

    // A new program keypair: keys sync writes its address into declare_id!.
    let keypair = lanes_sdk::client::Keypair::new();
    keypair.write_file(crate_dir.join("target/deploy/greeter-keypair.json")).unwrap();
    let (ok, output) = lanes(&crate_dir, &["keys", "sync"], Duration::from_secs(30), &log);
    assert!(ok, "lanes keys sync: {output}");
    let lib = std::fs::read_to_string(crate_dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains(&format!("declare_id!(\"{}\")", keypair.pubkey())), "{lib}");
}
