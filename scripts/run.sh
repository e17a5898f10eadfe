#!/usr/bin/env bash
# Lanes' main job, until the validator lands: the in-process benchmark on the
# bundled token program, through sanitize, the lock scheduler and one worker
# per core (signatures pre-verified; add --sigverify to include them).
# Extra arguments go to `lanes-bench in-process`, e.g. --transactions 50000 --json.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown >/dev/null
cargo run --release --locked -p lanes-validator --bin lanes-bench -- in-process \
    --workload token --accounts 10000 --transactions 200000 --threads "$(nproc)" "$@"
