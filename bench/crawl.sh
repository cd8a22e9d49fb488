# Crawl section of bench/run.sh (sourced; uses measure, log, $NIANBAO, $PY, $RESULTS, $MODE, $RUNS,
# $CPU, $ROOT, $BENCH): nianbao against the Scrapy spider bench/scrapy_spider.py, at equal
# politeness, on the fixture portal.
#
# For each tool, alternately, CRAWL_RUNS times: a fresh fixture portal (14 hosts on 127.0.0.2–15,
# CRAWL_LATENCY_MS injected per response, reports for CRAWL_FROM_YEAR–2024; its config says
# per-host concurrency CRAWL_CONC, no delay, no AutoThrottle, 2 retries, robots.txt obeyed),
# then the crawler under `measure` (pinned to core $CPU; the portal runs on the other cores),
# then the portal's own counters (GET /stats: requests and body bytes per path and host, the
# largest number of requests in flight per host) and what the crawler stored
# (bench/crawl_check.py record → $RESULTS/crawl.tsv). Finally the equal-work check over all
# runs (bench/crawl_check.py verify → $RESULTS/crawl-equal-work.txt).
#
#   nianbao: nianbao crawl --quiet --scope all --config PORTAL.toml --out DIR   (gzip WARC)
#   scrapy:  python bench/scrapy_spider.py PORTAL.toml DIR                      (a file per body)
#
# Environment: CRAWL_LATENCY_MS (50), CRAWL_CONC (2), CRAWL_FROM_YEAR (quick 1990: 2,846
# requests; full 1950: 6,000), CRAWL_RUNS (quick 3, full 5).

CRAWL_LATENCY_MS="${CRAWL_LATENCY_MS:-50}"
CRAWL_CONC="${CRAWL_CONC:-2}"
CRAWL_HOSTS=14
if [[ $MODE == quick ]]; then
  CRAWL_FROM_YEAR="${CRAWL_FROM_YEAR:-1990}"; CRAWL_RUNS="${CRAWL_RUNS:-3}"
else
  CRAWL_FROM_YEAR="${CRAWL_FROM_YEAR:-1950}"; CRAWL_RUNS="${CRAWL_RUNS:-5}"
fi
FIXTURE="$RESULTS/fixture-portal"
# a snapshot (a hard link keeps this inode when cargo replaces the file), as run.sh does for nianbao
ln -f "$ROOT/target/release/fixture-portal" "$FIXTURE" 2>/dev/null || cp "$ROOT/target/release/fixture-portal" "$FIXTURE"
# the portal gets every core but the crawler's
PORTAL_CPUS=$(seq 0 $(($(nproc) - 1)) | grep -vx "$CPU" | paste -sd, -)
PORTAL_CPUS="${PORTAL_CPUS:-$CPU}"
CRAWL_WORK="$RESULTS/crawl-work"
mkdir -p "$CRAWL_WORK" "$RESULTS/crawl"
CRAWL_PID=""

# crawl_portal_start FROM_YEAR DIR: a fresh portal; sets CRAWL_PID and CRAWL_STATS.
crawl_portal_start() {
  local from="$1" dir="$2" waited=0
  mkdir -p "$dir"
  taskset -c "$PORTAL_CPUS" "$FIXTURE" --cities "$CRAWL_HOSTS" --first-ip 2 \
    --latency-ms "$CRAWL_LATENCY_MS" --from-year "$from" --per-host-concurrency "$CRAWL_CONC" \
    --config-out "$dir/portal.toml" --stats-addr 127.0.0.1:0 > "$dir/portal.log" 2>&1 &
  CRAWL_PID=$!
  until grep -q '^ready' "$dir/portal.log" 2>/dev/null; do
    kill -0 "$CRAWL_PID" 2>/dev/null || { cat "$dir/portal.log" >&2; echo "fixture portal died" >&2; return 1; }
    (( waited++ < 300 )) || { echo "fixture portal not ready after 30 s" >&2; return 1; }
    sleep 0.1
  done
  CRAWL_STATS=$(sed -n 's/^stats: //p' "$dir/portal.log")
}

crawl_portal_stop() {
  [[ -n "$CRAWL_PID" ]] || return 0
  kill "$CRAWL_PID" 2>/dev/null || true
  wait "$CRAWL_PID" 2>/dev/null || true
  CRAWL_PID=""
}
trap crawl_portal_stop EXIT

# crawl_cmd TOOL CONFIG OUT: the command line of one crawl.
crawl_cmd() {
  case "$1" in
    nianbao) echo "$NIANBAO" crawl --quiet --scope all --config "$2" --out "$3" ;;
    scrapy) echo "$PY" "$BENCH/scrapy_spider.py" "$2" "$3" ;;
  esac
}

log "crawl: $CRAWL_HOSTS hosts, ${CRAWL_LATENCY_MS} ms latency, per-host concurrency $CRAWL_CONC, reports $CRAWL_FROM_YEAR–2024, $CRAWL_RUNS runs per tool; crawler on core $CPU, portal on core(s) $PORTAL_CPUS"
"$PY" -c 'import scrapy, twisted; print("crawl baseline: scrapy", scrapy.__version__, "twisted", twisted.__version__)' | tee -a "$RESULTS/machine.txt"

log "crawl: warm-up (one small crawl each, untimed)"
for tool in nianbao scrapy; do
  crawl_portal_start 2023 "$CRAWL_WORK/warm"
  # shellcheck disable=SC2046
  $(crawl_cmd $tool "$CRAWL_WORK/warm/portal.toml" "$CRAWL_WORK/warm/$tool") > /dev/null 2>&1 || log "crawl: warm-up of $tool failed"
  crawl_portal_stop
done
rm -rf "$CRAWL_WORK/warm"

echo -e "# hosts=$CRAWL_HOSTS latency_ms=$CRAWL_LATENCY_MS conc=$CRAWL_CONC from_year=$CRAWL_FROM_YEAR\n# tool\trun\trequests\tbytes\tmax_in_flight\thosts\tstored\tstored_bytes\tpaths_sha" > "$RESULTS/crawl.tsv"
for ((i = 1; i <= CRAWL_RUNS; i++)); do
  if (( i % 2 )); then order="nianbao scrapy"; else order="scrapy nianbao"; fi
  for tool in $order; do
    dir="$CRAWL_WORK/$tool.$i"
    crawl_portal_start "$CRAWL_FROM_YEAR" "$dir"
    # shellcheck disable=SC2046
    measure crawl "$tool" 0 "$RESULTS/out/crawl.$tool.$i.txt" $(crawl_cmd $tool "$dir/portal.toml" "$dir/out")
    curl -sf "$CRAWL_STATS" > "$RESULTS/crawl/server.$tool.$i.json"
    crawl_portal_stop
    "$PY" "$BENCH/crawl_check.py" record "$tool" "$i" "$RESULTS/crawl/server.$tool.$i.json" "$dir/out" \
      "$RESULTS/crawl/paths.$tool.$i.txt" | tee -a "$RESULTS/crawl.tsv"
    # items of this run = requests the server answered (measure had to start with 0)
    requests=$(tail -1 "$RESULTS/crawl.tsv" | cut -f3)
    awk -v n="$requests" 'BEGIN { FS = OFS = "\t" } { lines[NR] = $0 } END { for (k = 1; k < NR; k++) print lines[k]; $0 = lines[NR]; $4 = n; print }' \
      "$RESULTS/runs.tsv" > "$RESULTS/runs.tsv.tmp" && mv "$RESULTS/runs.tsv.tmp" "$RESULTS/runs.tsv"
    rm -rf "$dir"
  done
done
trap - EXIT
rmdir "$CRAWL_WORK" 2>/dev/null || true

log "crawl: equal work and politeness (server log, stored bodies)"
if ! "$PY" "$BENCH/crawl_check.py" verify "$RESULTS/crawl.tsv" "$CRAWL_CONC" > "$RESULTS/crawl-equal-work.txt"; then
  { echo "## paths requested: nianbao run 1 vs scrapy run 1 (host-index path count)"
    diff "$RESULTS/crawl/paths.nianbao.1.txt" "$RESULTS/crawl/paths.scrapy.1.txt" | head -50 || true
  } >> "$RESULTS/crawl-equal-work.txt"
fi
cat "$RESULTS/crawl-equal-work.txt"
