#!/usr/bin/env bash
# Run every test of the workspace, from a fresh machine with rustup's toolchain
# and Node.js 20.18+ with npm.
# Installs what it needs (the wasm32 target; with `npm ci`, the npm packages in
# validator/tests/js and examples/clients/web3js: Solana's own clients,
# @solana/web3.js and @solana/kit, which validator/tests/npm_clients.rs and
# validator/tests/client_examples.rs run against the real validator),
# Debian's chromium for the explorer's headless-browser test (apt-get, when
# missing), builds the bundled WASM programs (via programs/artifacts' build script),
# then runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown >/dev/null
# The explorer's browser test (validator/tests/explorer.rs) drives Debian's
# chromium; installed here when missing (as root, as CI runs).
if ! command -v chromium >/dev/null; then
    if ! apt_log=$( (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) 2>&1); then
        printf '%s\n' "$apt_log" >&2
        echo "test.sh: apt-get install chromium failed" >&2
        exit 1
    fi
fi
for package in validator/tests/js examples/clients/web3js; do
    if ! npm_log=$(cd "$package" && npm ci --no-audit --no-fund 2>&1); then
        printf '%s\n' "$npm_log" >&2
        echo "test.sh: npm ci in $package failed" >&2
        exit 1
    fi
done
cargo test --workspace --locked "$@"
