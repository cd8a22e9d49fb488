#!/usr/bin/env bash
# Aggregation scaling: N generated reports → every output file, for N in 1k, 10k, 100k
# (--quick: 1k and 10k). Each size runs RUNS times (default 3); prints per size the median and
# the min–max of the aggregate+write time (the reports are generated in memory first, outside
# it), the process's wall and CPU time and peak RSS (inputs included), and the stage times of
# the median run.
# The reports carry a source location per value, as parsed reports do.
# Usage: bench/aggregate_bench.sh [--quick]      (env: RUNS, SIZES, BENCH_SKIP_BUILD=1,
#        BENCH_METRICS=bench/metrics50.toml: these metrics too; "stage" is the polars comparison
#        stage alone, timed once more after the aggregation)
set -euo pipefail
# The allocator setting the nianbao binary makes for itself (src/main.rs).
export MIMALLOC_ARENA_EAGER_COMMIT="${MIMALLOC_ARENA_EAGER_COMMIT:-0}"
cd "$(dirname "$0")/.."
sizes="${SIZES:-1000 10000 100000}"
[[ "${1:-}" == "--quick" ]] && sizes="${SIZES:-1000 10000}"
runs="${RUNS:-3}"
[[ "${BENCH_SKIP_BUILD:-0}" == 1 ]] || cargo build --release --quiet -p nianbao-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $sizes; do
  for r in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time-$n-$r" \
      "${CARGO_TARGET_DIR:-target}/release/bench_aggregate" "$n" "$work/out" ${BENCH_METRICS:+"$BENCH_METRICS"} \
      > "$work/stages-$n-$r" 2>/dev/null
    rm -rf "$work/out"
  done
  python3 - "$work" "$n" "$runs" <<'PY'
import statistics, sys
work, n, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = []
for r in range(1, runs + 1):
    wall, user, sys_, rss = open(f"{work}/time-{n}-{r}").read().split()
    stages = dict(kv.split("=") for kv in open(f"{work}/stages-{n}-{r}").read().split())
    rows.append((float(stages["total_s"]), float(wall), float(user) + float(sys_), int(rss) / 1024, stages))
def spread(i, fmt):
    v = sorted(r[i] for r in rows)
    return f"{fmt(statistics.median(v))} ({fmt(v[0])}–{fmt(v[-1])})"
mid = sorted(rows, key=lambda r: r[0])[len(rows) // 2][4]
print(f"{n:>7} reports  {mid['cells']:>9} cells  aggregate+write {spread(0, lambda x: f'{x:.2f} s')}"
      f"  process wall {spread(1, lambda x: f'{x:.2f} s')}  cpu {spread(2, lambda x: f'{x:.1f} s')}"
      f"  peak {spread(3, lambda x: f'{x:.0f} MiB')}"
      f"  | generate {float(mid['generate_s']):.2f} s, aggregate {float(mid['aggregate_s']):.2f} s"
      f" (of which the stage with {mid['metrics']} metrics {float(mid['stage_s']):.2f} s),"
      f" write {float(mid['write_s']):.2f} s (runs: {len(rows)})")
PY
done
