#!/usr/bin/env bash
# Run every test of the workspace, from a fresh machine with only rustup's toolchain.
# Installs what it needs (the wasm32 target), builds the bundled WASM programs
# (via programs/artifacts' build script), then runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown >/dev/null
cargo test --workspace --locked "$@"
