#!/usr/bin/env bash
# The OCR benchmark: degraded scans of the project's own reports, parsed by a nianbao binary,
# scored per degradation level against the text PDFs' parse (bench/ocr/README.md).
#
#   bench/ocr/run.sh NIANBAO [OUT]         parse every scan of OUT (default bench/results/ocr)
#                                          with NIANBAO (built with `--features ocr` to read
#                                          them) and score it; the truth and the scans are
#                                          made first when OUT has none (make_truth.py).
#   bench/ocr/run.sh --stub-text NIANBAO [OUT]
#                                          the harness's own check: parse each report's TEXT
#                                          PDF in place of its scan (every cell right, every
#                                          table accepted, 0 false accepts), for use until the
#                                          OCR reading lands.
# Environment: LEVELS=clean-300,scan-300 (the levels to make; default all),
# REPORTS=N (at most N reports). Exit status: 1 when any value was falsely accepted.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
stub=0
if [ "${1:-}" = "--stub-text" ]; then stub=1; shift; fi
nianbao="${1:?usage: bench/ocr/run.sh [--stub-text] NIANBAO [OUT]}"
out="${2:-$root/bench/results/ocr}"
nianbao="$(cd "$(dirname "$nianbao")" && pwd)/$(basename "$nianbao")"
render_layout="$(dirname "$nianbao")/render-layout"
if [ ! -x "$render_layout" ]; then
  echo "building render-layout beside $nianbao" >&2
  profile=$(basename "$(dirname "$nianbao")")
  flag=(); [ "$profile" = release ] && flag=(--release)
  (cd "$root" && cargo build --quiet "${flag[@]}" -p nianbao-fixtures --bin render-layout)
fi
python="$("$here/setup.sh" | tail -1)"

if [ ! -d "$out/scans" ]; then
  only=(); [ -n "${LEVELS:-}" ] && only=(--only "$LEVELS")
  "$python" "$here/make_truth.py" --out "$out" --nianbao "$nianbao" \
    --render-layout "$render_layout" --reports "${REPORTS:-1000}" "${only[@]}"
fi

rm -rf "$out/parsed"
start=$("$python" -c "import time; print(time.time())")
for dir in "$out"/scans/*/; do
  level=$(basename "$dir")
  mkdir -p "$out/parsed/$level"
  for scan in "$dir"*.pdf; do
    stem=$(basename "$scan" .pdf)
    input="$scan"
    [ "$stub" = 1 ] && input="$out/text/$stem.pdf"
    # A parse that fails (a scan without the OCR: "needs OCR") leaves an empty file: every
    # table null.
    "$nianbao" parse --json "$input" > "$out/parsed/$level/$stem.json" 2> "$out/parsed/$level/$stem.err" \
      || : > "$out/parsed/$level/$stem.json"
  done
done
end=$("$python" -c "import time; print(time.time())")
n=$(ls "$out"/scans/*/*.pdf | wc -l)
echo "parsed $n scans in $("$python" -c "print(round($end - $start, 1))") s"
"$python" "$here/score.py" "$out"
