#!/usr/bin/env bash
# Behaviour snapshot of a nianbao binary, to prove a refactor changed nothing:
#   tools/same-outputs/run.sh BIN OUT_DIR
# writes into OUT_DIR
#   parse/<input>.json          `parse --json` of every parse fixture, every report-table
#                               fixture page and every payload of the demo archive
#   parse/<input>.sources.json  the same with `--sources`
#   parse/<input>.exit          the exit code of each
#   harvest/                    every file of `harvest --replay data/demo` (report.html too),
#                               as the output folder shows it
# Compare two snapshots with `diff -r A B` (the check is byte-for-byte). The demo archive is
# copied first, so the run never writes into data/demo.
set -euo pipefail
bin=$(realpath "$1")
out=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$out"
mkdir -p "$out/parse" "$out/harvest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$root/tools/same-outputs/extract_warc.py" "$work/demo-pages" "$root"/data/demo/warc/*.warc.gz

inputs=()
for f in "$root"/tests/fixtures/parse/*.html "$root"/tests/fixtures/parse/*.txt \
         "$root"/tests/fixtures/report/pages/*.html "$work"/demo-pages/*; do
  inputs+=("$f")
done
for f in "${inputs[@]}"; do
  name=$(basename "$(dirname "$f")")-$(basename "$f")
  set +e
  # From the file's folder, so the `file` key of --sources does not depend on where it is.
  (cd "$(dirname "$f")" && "$bin" parse --json "$(basename "$f")") >"$out/parse/$name.json" 2>/dev/null
  echo $? >"$out/parse/$name.exit"
  (cd "$(dirname "$f")" && "$bin" parse --json --sources "$(basename "$f")") \
    >"$out/parse/$name.sources.json" 2>/dev/null
  echo $? >>"$out/parse/$name.exit"
  set -e
done

cp -r "$root/data/demo" "$work/demo"
(cd "$root" && "$bin" harvest --replay "$work/demo" --out "$work/harvest-out" --quiet >/dev/null 2>&1) \
  || echo "harvest exit $?" >"$out/harvest.exit"
# The output names are links into the current output set (.nianbao/current): copy what they
# show, not the links, and leave out the set folders and the lock.
cp -rL "$work/harvest-out/." "$out/harvest/"
rm -rf "$out/harvest/.nianbao"
echo "${#inputs[@]} inputs parsed; harvest wrote $(find "$out/harvest" -type f | wc -l) files" >&2
