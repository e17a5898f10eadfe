#!/usr/bin/env bash
# Rerun the in-process benchmarks recorded in docs/benchmarks.md, three runs
# each, one JSON object per line on stdout. Run on a quiet machine: anything
# else using the cores shows up in the numbers.
#   ./scripts/bench.sh [transactions]   (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown >/dev/null
cargo build --release --locked -p lanes-validator --bin lanes-bench >&2
bench=target/release/lanes-bench
n=${1:-200000}
run() { for _ in 1 2 3; do "$bench" in-process --json --transactions "$n" "$@"; done; }
run --workload transfer --accounts 10000 --threads 1
run --workload transfer --accounts 10000 --threads 2
run --workload token --accounts 10000 --threads 1
run --workload token --accounts 10000 --threads 2
run --workload token --accounts 10000 --threads 2 --sigverify
run --workload token --accounts 10000 --threads 1 --v0
run --workload token --accounts 10000 --threads 2 --v0
run --workload token --accounts 10000 --threads 1 --hot-accounts 1
run --workload token --accounts 10000 --threads 2 --hot-accounts 1
run --workload token --accounts 10000 --threads 2 --hot-accounts 16
run --workload token --accounts 10000 --threads 1 --scheduler inline
run --workload token --accounts 10000 --threads 2 --scheduler dedicated
for pools in 1 10 100 1000; do
    run --workload swap --accounts 10000 --pools "$pools" --threads 1
    run --workload swap --accounts 10000 --pools "$pools" --threads 2
done
run --workload lend --accounts 10000 --threads 1
run --workload lend --accounts 10000 --threads 2
run --workload mixed --accounts 10000 --threads 1
run --workload mixed --accounts 10000 --threads 2
