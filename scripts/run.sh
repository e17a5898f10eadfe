#!/usr/bin/env bash
# Lanes' main job: the local validator with the bundled token, AMM and
# lending programs, Solana's JSON-RPC on http://127.0.0.1:8899, its ledger in
# ./test-ledger (resumed on the next start; --reset starts from genesis).
# Stop it with Ctrl-C. Extra arguments go to `lanes-validator`, e.g.
# --rpc-port 8999 --slot-ms 100. The in-process benchmark is
# `cargo run --release -p lanes-validator --bin lanes-bench -- in-process`.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown >/dev/null
cargo run --release --locked -p lanes-validator --bin lanes-validator -- "$@"
