#!/usr/bin/env python3
"""Write the parse-benchmark corpus: N report pages (default 3000).

    python3 bench/make_corpus.py [N] OUT_DIR

It imports tools/demo/make_demo_reports.py (which itself imports
tests/fixtures/parse/make_fixtures.py) and calls its build() in process, which yields the demo
pages with their expected objects. It keeps the 81 report pages of the base demo (demo_set
"base") that print their tables as HTML tables in one of the six page forms (77 city reports, 3
department reports, 1 duplicate; not the 通知, the attachment-only reports, the flattened-text
pages, the scan, or the departments and counties of demo_set "levels") and copies them
round-robin, byte for byte, under unique names:

    OUT_DIR/pages/<NNNNN>-<original name>.html

so every form (GBK undeclared, GBK with meta, UTF-8, Word export, split table, nested layout)
and every printed-value feature keeps its share of the 81 (each form about 1/6). It also writes

    OUT_DIR/files.txt        the page paths, one a line, in the order the tools are run on them
    OUT_DIR/expected.jsonl   {"file", "table3", "table4"} per page, from the demo manifest

Deterministic: the demo generator uses fixed seeds, so the same N gives identical bytes.
"""
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = os.path.normpath(os.path.join(HERE, "..", "tools", "demo", "make_demo_reports.py"))


def load_generator():
    spec = importlib.util.spec_from_file_location("make_demo_reports", GENERATOR)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv):
    args = argv[1:]
    if len(args) == 1:
        n, out = 3000, args[0]
    elif len(args) == 2:
        n, out = int(args[0]), args[1]
    else:
        print(__doc__)
        return 2
    gen = load_generator()
    pages, entries, _ = gen.build()
    data = dict(pages)
    # The page forms both tools read from the page itself: the six HTML table forms. Reports
    # published as PDF/DOCX attachments, flattened-text pages and the scan are left out (the
    # baseline, pandas.read_html, reads HTML tables only). The departments and counties added to
    # the demo later (demo_set "levels") are left out too, so that the corpus, and with it every
    # figure recorded in BENCHMARKS.md, stays the same.
    reports = [e for e in entries
               if e["kind"] != "not-a-report" and e.get("form") in gen.FORMS
               and e.get("demo_set", "base") == "base"
               and e.get("publication", "page") != "attachment-only"
               and e["expected"].get("table3") is not None]
    assert len(reports) >= 80, len(reports)
    pdir = os.path.join(out, "pages")
    os.makedirs(pdir, exist_ok=True)
    for old in os.listdir(pdir):  # a smaller N must not leave pages of a previous run behind
        os.remove(os.path.join(pdir, old))
    files, total = [], 0
    with open(os.path.join(out, "expected.jsonl"), "w", encoding="utf-8") as ex:
        for i in range(n):
            e = reports[i % len(reports)]
            name = f"{i:05d}-{os.path.basename(e['file'])}"
            path = os.path.join(pdir, name)
            with open(path, "wb") as f:
                f.write(data[e["file"]])
            total += len(data[e["file"]])
            files.append(path)
            exp = e["expected"]
            ex.write(json.dumps({"file": path, "table3": exp["table3"], "table4": exp["table4"]},
                                ensure_ascii=False) + "\n")
    with open(os.path.join(out, "files.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(files) + "\n")
    print(f"wrote {n} pages ({total} bytes, {total / n / 1024:.1f} KiB each on average; "
          f"round-robin copies of the {len(reports)} demo report pages in HTML table forms) "
          f"to {pdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
