#!/usr/bin/env bash
# Set up what bench/ocr/make_truth.py needs: a venv with the pinned Python packages
# (bench/ocr/requirements.txt) in bench/ocr/.venv, and a CJK font for pdfium. The fixture
# PDFs name STSong-Light without embedding it; pdfium substitutes a system font, and with no
# CJK font installed the Chinese labels render as boxes. Debian's fonts-wqy-zenhei is
# installed with apt when fc-list finds no Chinese font (needs root; else install it yourself).
# Usage: bench/ocr/setup.sh      (prints the venv's python on its last line)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
if ! "$venv/bin/python" -c 'import pypdfium2, PIL, numpy' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  echo "no CJK font: installing fonts-wqy-zenhei" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei >/dev/null) \
    || { echo "cannot install fonts-wqy-zenhei: install a CJK font (fonts-wqy-zenhei or fonts-noto-cjk)" >&2; exit 1; }
fi
echo "$venv/bin/python"
