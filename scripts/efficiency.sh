#!/usr/bin/env bash
# Parallel efficiency (issue 18): one process on N worker threads against N
# independent one-CPU processes doing the same total work at once, each
# pinned to its own CPU with its scheduler inline. Rounds alternate the two
# setups; the figure of merit is median(one process) / median(N processes).
# Run on a quiet machine.
#   ./scripts/efficiency.sh [workload] [transactions per process] [rounds] [N] [lanes-bench flags...]
#   (defaults: token 200000 5 <all CPUs>; flags such as --shuffle-accounts
#   go to every run)
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:-token}
n=${2:-200000}
rounds=${3:-5}
cpus=${4:-$(nproc)}
shift $(($# < 4 ? $# : 4))
extra=("$@")
cargo build --release --locked -p lanes-validator --bin lanes-bench >&2
bench=target/release/lanes-bench
tps() { sed -n 's/.*"tps":\([0-9.]*\).*/\1/p'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
split=()
whole=()
for round in $(seq "$rounds"); do
    dir=$(mktemp -d)
    for cpu in $(seq 0 $((cpus - 1))); do
        taskset -c "$cpu" "$bench" in-process --json --workload "$workload" --transactions "$n" \
            --threads 1 --scheduler inline "${extra[@]}" >"$dir/$cpu.json" &
    done
    wait
    total=$(cat "$dir"/*.json | tps | awk '{ s += $1 } END { printf "%.0f", s }')
    rm -r "$dir"
    one=$("$bench" in-process --json --workload "$workload" --transactions $((n * cpus)) --threads "$cpus" "${extra[@]}" | tps)
    printf 'round %d: %d one-CPU processes %s TPS together; one %d-thread process %.0f TPS\n' \
        "$round" "$cpus" "$total" "$cpus" "$one" >&2
    split+=("$total")
    whole+=("$one")
done
s=$(printf '%s\n' "${split[@]}" | median)
w=$(printf '%s\n' "${whole[@]}" | median)
printf '{"workload":"%s","flags":"%s","cpus":%d,"rounds":%d,"processes_tps_median":%.0f,"one_process_tps_median":%.0f,"efficiency":%.3f}\n' \
    "$workload" "${extra[*]}" "$cpus" "$rounds" "$s" "$w" "$(awk -v w="$w" -v s="$s" 'BEGIN { print w / s }')"
