#!/usr/bin/env bash
# Crawl throughput against the fixture portal on loopback.
#
# 14 hosts (127.0.0.2 … 127.0.0.15), LATENCY_MS injected per response, per-host concurrency
# CONC, no delay, no AutoThrottle. Ceiling = 14 × CONC / latency. Prints requests/s, the share
# of the ceiling, CPU time per request and peak RSS of the crawler.
#
# Usage: bench/crawl_bench.sh [LATENCY_MS=50] [CONC=2] [FROM_YEAR=1990]
set -euo pipefail
cd "$(dirname "$0")/.."
LATENCY_MS=${1:-50}
CONC=${2:-2}
FROM_YEAR=${3:-1990}
HOSTS=14
cargo build --release --quiet --workspace --bin nianbao --bin fixture-portal
work=$(mktemp -d)
trap 'kill "$portal_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
./target/release/fixture-portal --cities "$HOSTS" --latency-ms "$LATENCY_MS" --from-year "$FROM_YEAR" \
    --per-host-concurrency "$CONC" --config-out "$work/bench.toml" > "$work/portal.log" &
portal_pid=$!
until grep -q '^ready' "$work/portal.log" 2>/dev/null; do
    kill -0 "$portal_pid" 2>/dev/null || { echo "fixture portal died" >&2; exit 1; }
    sleep 0.1
done
TIMEFMT='%e %U %S %M'
/usr/bin/time -f "$TIMEFMT" -o "$work/time" ./target/release/nianbao crawl --quiet --scope all \
    --config "$work/bench.toml" --out "$work/out" 2> "$work/summary"
read -r wall user sys rss_kb < "$work/time"
requests=$(grep -o '^[0-9]* requests this run' "$work/summary" | cut -d' ' -f1)
python3 - "$requests" "$wall" "$user" "$sys" "$rss_kb" "$LATENCY_MS" "$CONC" "$HOSTS" <<'PY'
import sys
req, wall, user, sys_, rss, lat, conc, hosts = sys.argv[1:]
req, wall, cpu = int(req), float(wall), float(user) + float(sys_)
ceiling = int(hosts) * int(conc) / (int(lat) / 1000)
rate = req / wall
print(f"requests        {req}")
print(f"wall            {wall:.2f} s")
print(f"throughput      {rate:.0f} req/s  (ceiling {ceiling:.0f} req/s: {100 * rate / ceiling:.1f} %)")
print(f"cpu             {cpu:.2f} s  ({1e3 * cpu / req:.2f} ms per request)")
print(f"peak rss        {int(rss) / 1024:.1f} MiB")
PY
tail -2 "$work/summary" | head -1
