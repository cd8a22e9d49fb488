#!/usr/bin/env bash
# The demo's one scanned report (梧州市审计局 2023, form `pdf-scan`) as page images: its own
# layout from the demo generator's manifest, set as a ruled text PDF by the fixtures' writer
# (render-layout), rendered at 150 dpi by pdfium, turned by a fraction of a degree and saved
# as grey JPEGs (bench/ocr/make_truth.py --demo-scan). Writes
# tests/fixtures/scan/450400-2023-dept-sjj-p{1,2}.jpg, which the fixture portal embeds in the
# image-only PDF it serves (crates/fixtures/src/demo.rs). Deterministic for a given pdfium.
# Usage: tools/demo/make_scan.sh        (then tools/demo/record.sh to re-record the archive)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet -p nianbao-fixtures --bin render-layout
bin=${CARGO_TARGET_DIR:-target}/debug
python="$(bench/ocr/setup.sh | tail -1)"
python3 tools/demo/make_demo_reports.py "$work/demo" > /dev/null
python3 - "$work/demo/manifest.json" "$work/layout.json" <<'PY'
import json, sys
scans = [a["layout"] for e in json.load(open(sys.argv[1]))["entries"]
         for a in e.get("attachments", []) if a["form"] == "pdf-scan"]
assert len(scans) == 1, f"expected one pdf-scan attachment, found {len(scans)}"
json.dump(scans[0], open(sys.argv[2], "w"), ensure_ascii=False)
PY
"$python" bench/ocr/make_truth.py --demo-scan "$work/layout.json" "$work/scan" --render-layout "$bin/render-layout"
for i in 1 2; do cp "$work/scan/page-$i.jpg" "tests/fixtures/scan/450400-2023-dept-sjj-p$i.jpg"; done
ls -l tests/fixtures/scan/
