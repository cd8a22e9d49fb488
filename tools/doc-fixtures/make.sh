#!/bin/sh
# Word 97–2003 (.doc) and WPS (.wps) parse fixtures from the demo generator's figures:
#   select.py      → NAME.layout.json + NAME.expected.json (the report as printed, blanks included)
#   layout_docx    → NAME.docx (the fixture crate's DOCX writer)
#   LibreOffice    → NAME.doc ("MS Word 97" filter, headless)
# and copies NAME.doc (NAME.wps for the WPS fixture: WPS Office saves its .wps documents in the
# same Word binary format) and NAME.expected.json into tests/fixtures/parse; and converts the
# DOCX fixture of tests/docx.rs (written by an ignored test) to docx-table3-nested.doc, which
# tests/doc.rs reads against the DOCX reader. Needs python3,
# cargo and soffice (Debian: apt-get install libreoffice-writer-nogui); the tests do not.
# Usage: tools/doc-fixtures/make.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python3 "$root/tools/doc-fixtures/select.py" "$out"
cargo build --quiet --manifest-path "$root/Cargo.toml" -p nianbao-fixtures --example layout_docx
bin="${CARGO_TARGET_DIR:-$root/target}/debug/examples/layout_docx"
for layout in "$out"/*.layout.json; do
    name=$(basename "$layout" .layout.json)
    "$bin" "$layout" "$out/$name.docx"
    soffice --headless -env:UserInstallation="file://$out/profile" \
        --convert-to 'doc:MS Word 97' --outdir "$out" "$out/$name.docx" >/dev/null
    case "$name" in
        wps-*) ext=wps ;;
        *) ext=doc ;;
    esac
    cp "$out/$name.doc" "$root/tests/fixtures/parse/$name.$ext"
    cp "$out/$name.expected.json" "$root/tests/fixtures/parse/$name.expected.json"
    echo "wrote tests/fixtures/parse/$name.$ext ($(wc -c < "$out/$name.doc") bytes)"
done
NIANBAO_DOCX_OUT="$out/docx-table3-nested.docx" cargo test --quiet --manifest-path "$root/Cargo.toml" \
    --test integration -- --ignored --exact doc::write_docx_table3_for_make_sh >/dev/null
soffice --headless -env:UserInstallation="file://$out/profile" \
    --convert-to 'doc:MS Word 97' --outdir "$out" "$out/docx-table3-nested.docx" >/dev/null
cp "$out/docx-table3-nested.doc" "$root/tests/fixtures/parse/docx-table3-nested.doc"
echo "wrote tests/fixtures/parse/docx-table3-nested.doc"
