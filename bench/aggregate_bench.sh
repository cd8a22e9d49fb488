#!/usr/bin/env bash
# Aggregation scaling: N generated reports → every output file, for N in 1k, 10k, 100k
# (quick: 1k and 10k). Prints reports, cells, stage times, wall time and peak RSS per N.
# Usage: bench/aggregate_bench.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="1000 10000 100000"
[[ "${1:-}" == "--quick" ]] && sizes="1000 10000"
cargo build --release --quiet --example bench_aggregate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in $sizes; do
  /usr/bin/time -f "peak_rss_mib=%M wall_s=%e cpu_s=%U+%S" -o "$work/time" \
    ./target/release/examples/bench_aggregate "$n" "$work/out-$n"
  awk '{ split($1, a, "="); printf "  %.0f MiB peak, %s %s\n", a[2] / 1024, $2, $3 }' "$work/time"
  rm -rf "$work/out-$n"
done
