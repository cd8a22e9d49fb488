#!/usr/bin/env python3
"""Layouts and expected reports for the Word binary fixtures, from the demo generator's own
figures (tools/demo/make_demo_reports.py): each chosen (city, year) is published as an
attachment, and its layout (the tables as printed, blanks included) and expected report are
written to OUT/NAME.layout.json and OUT/NAME.expected.json. Deterministic; standard library.

Usage: select.py OUT
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "demo"))
import make_demo_reports as demo  # noqa: E402

# fixture name -> (city, year): 钦州市 2019 and 来宾市 2021 print blank cells (上海-style: the
# 总计 column blank in result rows, zero legal-person cells blank, '-' and '—'); 梧州市 2023
# and 南宁市 2020 print every cell (and are the demo's .wps and .doc attachments, which the fixture
# portal serves from these files).
CHOSEN = {
    "word-binary-2020": ("南宁市", 2020),
    "word-binary-blanks-2019": ("钦州市", 2019),
    "word-binary-blanks-2021": ("来宾市", 2021),
    "wps-binary-2023": ("梧州市", 2023),
}


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    demo.PAGE_AND_PDF = set(demo.PAGE_AND_PDF) | set(CHOSEN.values())
    # The demo keeps printed-value features off its PDF attachments; a Word table prints them.
    demo.check_publication_choices = lambda: None
    _, entries, _ = demo.build()
    by_key = {}
    for e in entries:
        if e.get("kind") == "city" and e.get("attachments") and e.get("expected"):
            by_key[(e["city"], e["expected"]["year"])] = e
            by_key[(e["city"], int(e["file"].split("-")[1]))] = e
    for name, key in CHOSEN.items():
        e = by_key[key]
        layout = e["attachments"][0]["layout"]
        expected = dict(e["expected"])
        expected["notes"] = [f"{key[0]} {key[1]} of the demo generator, printed by the DOCX writer "
                             f"and saved as Word 97-2003 by LibreOffice (tools/doc-fixtures/make.sh)."]
        for suffix, obj in (("layout", layout), ("expected", expected)):
            with open(os.path.join(out, f"{name}.{suffix}.json"), "w", encoding="utf-8") as f:
                f.write(json.dumps(obj, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
