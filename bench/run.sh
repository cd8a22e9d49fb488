#!/usr/bin/env bash
# nianbao benchmark.
#
#   bench/run.sh [--quick]
#
#   full : 5000 report pages, 5 timed runs per tool
#   quick: 1000 report pages, 3 timed runs per tool (about 3 minutes here once the release
#          build exists; the first release build of a fresh clone takes about 14 minutes)
#
# Environment overrides: BENCH_N (pages), BENCH_RUNS (runs per tool), BENCH_CPU (the one core
# every timed run is pinned to, default 0), BENCH_WAIT_LOAD (wait before the timed runs until
# the 1-minute load average is below this, default 1.5) and BENCH_WAIT_MAX (give up waiting
# after this many seconds; default 0 for --quick, 300 for full), BENCH_SKIP_BUILD=1 (use the
# existing target/release/nianbao instead of running cargo build --release), BENCH_SECTIONS
# (which sections to run, default "parse crawl aggregate").
#
# What it does:
#   1. bench/.venv with the pinned baseline packages of bench/requirements.txt (pandas, Scrapy);
#   2. /usr/bin/time (apt-get install time if missing);
#   3. cargo build --release --workspace (nianbao, fixture-portal, bench_aggregate: one build);
#   4. the corpus: bench/make_corpus.py N bench/results/corpus-N;
#   5. parse: nianbao and bench/parse_baseline.py, alternately, RUNS times each, on ONE core
#      (taskset), each run timed with /usr/bin/time -v (user+sys CPU, peak RSS) and by the
#      wall clock; then the equal-work check (bench/compare_outputs.py) on the outputs of run 1;
#   6. the crawl section (bench/crawl.sh: nianbao vs the Scrapy spider bench/scrapy_spider.py on
#      a fresh fixture portal per run, equal work and per-host limits checked in the server's
#      counters) and the aggregate section (see their markers);
#   7. the markdown table (bench/summarize.py), also written to RESULTS/summary.md.
#
# Everything goes to bench/results/<UTC time>-<quick|full>/ (git-ignored).
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
MODE=full
if [[ "${1:-}" == "--quick" ]]; then MODE=quick; shift; fi
if [[ $# -gt 0 ]]; then echo "usage: bench/run.sh [--quick]" >&2; exit 2; fi
if [[ $MODE == quick ]]; then
  N="${BENCH_N:-1000}"; RUNS="${BENCH_RUNS:-3}"; WAIT_MAX="${BENCH_WAIT_MAX:-0}"
else
  N="${BENCH_N:-5000}"; RUNS="${BENCH_RUNS:-5}"; WAIT_MAX="${BENCH_WAIT_MAX:-300}"
fi
CPU="${BENCH_CPU:-0}"
SECTIONS="${BENCH_SECTIONS:-parse crawl aggregate}"
WAIT_LOAD="${BENCH_WAIT_LOAD:-1.5}"
RESULTS="$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)-$MODE"
mkdir -p "$RESULTS/out" "$RESULTS/time"
PY="$BENCH/.venv/bin/python"
NIANBAO="$ROOT/target/release/nianbao"
export BENCH ROOT MODE N RUNS CPU RESULTS PY NIANBAO SECTIONS
log() { echo "[$(date -u +%H:%M:%S)] $*"; }

# ---------------------------------------------------------------- machine
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "mode: $MODE, pages: $N, runs per tool: $RUNS, pinned to core: $CPU"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel: $(uname -r)"
  echo "free -h:"; free -h
  echo "uptime: $(uptime)"
  echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (work tree has uncommitted changes)')"
} | tee "$RESULTS/machine.txt"

# ---------------------------------------------------------------- setup
if [[ ! -x "$PY" ]]; then
  log "creating bench/.venv"
  python3 -m venv "$BENCH/.venv"
fi
if ! diff -q <(grep -v '^#' "$BENCH/requirements.txt" | sort -f) <("$PY" -m pip freeze 2>/dev/null | sort -f) >/dev/null; then
  log "installing bench/requirements.txt into bench/.venv"
  "$PY" -m pip install -q --disable-pip-version-check -r "$BENCH/requirements.txt"
fi
"$PY" -c 'import pandas, lxml, bs4, html5lib, charset_normalizer, numpy; print("baseline: python", __import__("sys").version.split()[0], "pandas", pandas.__version__, "numpy", numpy.__version__, "lxml", lxml.__version__, "bs4", bs4.__version__, "html5lib", html5lib.__version__, "charset_normalizer", charset_normalizer.__version__)' | tee -a "$RESULTS/machine.txt"

if [[ ! -x /usr/bin/time ]]; then
  log "installing /usr/bin/time"
  apt-get update -qq && apt-get install -y -qq time
fi
command -v taskset >/dev/null || { echo "taskset (util-linux) is missing" >&2; exit 1; }

if [[ "${BENCH_SKIP_BUILD:-0}" == 1 && -x "$NIANBAO" ]]; then
  log "BENCH_SKIP_BUILD=1: using the existing $NIANBAO (built $(date -u -r "$NIANBAO" '+%Y-%m-%d %H:%M UTC'))"
else
  log "cargo build --release (waits if another cargo holds the target-dir lock)"
  if ! (cd "$ROOT" && cargo build --release --quiet --workspace); then
    [[ -x "$NIANBAO" ]] || { echo "cargo build --release failed and there is no $NIANBAO" >&2; exit 1; }
    log "WARNING: cargo build --release failed; measuring the existing $NIANBAO (built $(date -u -r "$NIANBAO" '+%Y-%m-%d %H:%M UTC'))"
    echo "WARNING: cargo build --release failed; binary is older than the work tree" >> "$RESULTS/machine.txt"
  fi
fi
# measure a snapshot: other people's builds may replace target/release/nianbao during the runs
cp "$NIANBAO" "$RESULTS/nianbao"
echo "nianbao: $("$NIANBAO" --version 2>/dev/null || echo '?'), binary of $(date -u -r "$NIANBAO" '+%Y-%m-%d %H:%M UTC'), sha256 $(sha256sum "$NIANBAO" | cut -c1-16), copied to \$RESULTS/nianbao" | tee -a "$RESULTS/machine.txt"
NIANBAO="$RESULTS/nianbao"

CORPUS="$BENCH/results/corpus-$N"
FILES=()
if [[ " $SECTIONS " == *" parse "* ]]; then   # only the parse section reads the corpus
  log "corpus: $N pages in $CORPUS"
  python3 "$BENCH/make_corpus.py" "$N" "$CORPUS"
  mapfile -t FILES < "$CORPUS/files.txt"
  cat "${FILES[@]}" > /dev/null   # page cache warm for every tool alike
fi

# ---------------------------------------------------------------- measuring
# measure GROUP TOOL ITEMS OUTFILE CMD...
#   Runs CMD once on core $CPU with stdout to OUTFILE, timed by /usr/bin/time -v and the wall
#   clock, and appends a line to $RESULTS/runs.tsv. Used by every section (crawl and
#   aggregate too): a group with a tool named "baseline" gets ratios against it.
echo -e "# group\ttool\trun\titems\twall_s\ttime_file\tload1_before" > "$RESULTS/runs.tsv"
declare -A RUN_NO
measure() {
  local group="$1" tool="$2" items="$3" out="$4"; shift 4
  local k="$group/$tool"
  RUN_NO[$k]=$(( ${RUN_NO[$k]:-0} + 1 ))
  local run=${RUN_NO[$k]}
  local tfile="$RESULTS/time/$group.$tool.$run.txt"
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local t0 t1 rc=0
  t0=$(date +%s%N)
  taskset -c "$CPU" /usr/bin/time -v -o "$tfile" "$@" > "$out" 2> "$RESULTS/time/$group.$tool.$run.stderr" || rc=$?
  t1=$(date +%s%N)
  local wall; wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
  echo -e "$group\t$tool\t$run\t$items\t$wall\t$tfile\t$load" >> "$RESULTS/runs.tsv"
  # A section that counts its items after the run (the crawl: the server's requests) passes 0.
  local what="$items items"
  [[ "$items" == 0 ]] && what="done"
  log "$group/$tool run $run: $what in ${wall}s (load1 before: $load, exit $rc)"
}

wait_quiet() {
  local waited=0
  while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="$WAIT_LOAD" 'BEGIN { exit !(l >= m) }'; do
    if (( waited >= WAIT_MAX )); then
      log "load1 $(cut -d' ' -f1 /proc/loadavg) >= $WAIT_LOAD after ${waited}s of waiting; measuring anyway"
      return
    fi
    sleep 10; waited=$((waited + 10))
  done
  log "load1 $(cut -d' ' -f1 /proc/loadavg) (< $WAIT_LOAD)"
}

# ---------------------------------------------------------------- parse
if [[ " $SECTIONS " == *" parse "* ]]; then
  log "parse: warm-up (20 pages each, untimed)"
  "$NIANBAO" parse --json "${FILES[@]:0:20}" > /dev/null
  "$PY" "$BENCH/parse_baseline.py" "${FILES[@]:0:20}" > /dev/null
  wait_quiet
  for ((i = 1; i <= RUNS; i++)); do
    # alternate the order so that drifting background load hits both tools alike
    if (( i % 2 )); then order="nianbao baseline"; else order="baseline nianbao"; fi
    for tool in $order; do
      if [[ $tool == nianbao ]]; then
        measure parse nianbao "$N" "$RESULTS/out/parse.nianbao.$i.jsonl" "$NIANBAO" parse --json "${FILES[@]}"
      else
        measure parse baseline "$N" "$RESULTS/out/parse.baseline.$i.jsonl" "$PY" "$BENCH/parse_baseline.py" "${FILES[@]}"
      fi
    done
  done
  for ((i = 2; i <= RUNS; i++)); do rm -f "$RESULTS/out/parse.nianbao.$i.jsonl" "$RESULTS/out/parse.baseline.$i.jsonl"; done

  log "parse: equal work (outputs of run 1)"
  {
    echo "## nianbao vs baseline"
    "$PY" "$BENCH/compare_outputs.py" "$RESULTS/out/parse.nianbao.1.jsonl" "$RESULTS/out/parse.baseline.1.jsonl" --files "$CORPUS/files.txt" || true
    echo "## nianbao vs manifest expected values"
    "$PY" "$BENCH/compare_outputs.py" "$RESULTS/out/parse.nianbao.1.jsonl" "$CORPUS/expected.jsonl" --files "$CORPUS/files.txt" || true
    echo "## baseline vs manifest expected values"
    "$PY" "$BENCH/compare_outputs.py" "$RESULTS/out/parse.baseline.1.jsonl" "$CORPUS/expected.jsonl" || true
  } | tee "$RESULTS/equal-work.txt"
else
  log "parse: not in BENCH_SECTIONS; skipped"
fi

# --- crawl
# Entry points, first found wins (skipped cleanly while neither exists, or when "crawl" is not in
# BENCH_SECTIONS):
#   bench/crawl.sh        sourced: can use measure, $NIANBAO, $PY, $RESULTS, $MODE, $RUNS, $CPU;
#                         record runs as group "crawl" (a tool named "baseline" gets ratios);
#   bench/crawl_bench.sh  run as its own script; its output goes to $RESULTS/crawl.txt.
if [[ " $SECTIONS " != *" crawl "* ]]; then
  log "crawl: not in BENCH_SECTIONS; skipped"
elif [[ -f "$BENCH/crawl.sh" ]]; then
  log "crawl: bench/crawl.sh"
  # shellcheck source=/dev/null
  source "$BENCH/crawl.sh"
elif [[ -f "$BENCH/crawl_bench.sh" ]]; then
  log "crawl: bench/crawl_bench.sh"
  bash "$BENCH/crawl_bench.sh" 2>&1 | tee "$RESULTS/crawl.txt" || log "crawl: bench/crawl_bench.sh failed (exit ${PIPESTATUS[0]})"
else
  log "crawl: no bench/crawl.sh or bench/crawl_bench.sh yet; skipped"
fi
# --- end crawl

# --- aggregate
# Entry points, same contract as crawl: bench/aggregate.sh (sourced; group "aggregate") or
# bench/aggregate_bench.sh (run; output to $RESULTS/aggregate.txt).
if [[ " $SECTIONS " != *" aggregate "* ]]; then
  log "aggregate: not in BENCH_SECTIONS; skipped"
elif [[ -f "$BENCH/aggregate.sh" ]]; then
  log "aggregate: bench/aggregate.sh"
  # shellcheck source=/dev/null
  source "$BENCH/aggregate.sh"
elif [[ -f "$BENCH/aggregate_bench.sh" ]]; then
  log "aggregate: bench/aggregate_bench.sh"
  bash "$BENCH/aggregate_bench.sh" $([[ $MODE == quick ]] && echo --quick) 2>&1 | tee "$RESULTS/aggregate.txt" || log "aggregate: bench/aggregate_bench.sh failed (exit ${PIPESTATUS[0]})"
else
  log "aggregate: no bench/aggregate.sh or bench/aggregate_bench.sh yet; skipped"
fi
# --- end aggregate

# ---------------------------------------------------------------- summary
echo
echo "uptime after the runs: $(uptime)" | tee -a "$RESULTS/machine.txt"
echo
python3 "$BENCH/summarize.py" "$RESULTS"
echo
[[ -f "$RESULTS/equal-work.txt" ]] && grep -E '^(## |agreement)' "$RESULTS/equal-work.txt"
echo
log "results in $RESULTS"
