#!/usr/bin/env python3
"""Score the parses of degraded scans against the truth (bench/ocr/make_truth.py's output).

    score.py OUT          reads OUT/truth/<stem>.json and OUT/parsed/<level>/<stem>.json
                          (a parse that failed is an empty file: every table null), prints a
                          Markdown table per degradation level and writes OUT/score.json.

Per level:
- cells: the printed cells of the truth's tables 二, 三 and 四 (non-null values);
- cell accuracy: the cells whose parsed value equals the truth (a null is not correct);
- accepted tables: the truth's non-null tables that the parse gives non-null;
- false accepts: parsed cells with a value that differs from the truth (a null truth
  included): the number that must stay 0 — a value is either right or null;
- false-accepted tables: accepted tables with at least one false accept;
- narrative: table 二 values the report's narrative confirmed (`"narrative": true` in their
  `ocr` provenance) / cells left null because the narrative states another figure
  (`O-NARRATIVE` findings).
"""

import json
import pathlib
import sys

TABLES = ("table2", "table3", "table4")


def cells(table):
    """{(row, column): value} of a table as the JSON contract writes it."""
    out = {}
    for row, cols in (table or {}).items():
        if isinstance(cols, dict):
            for col, v in cols.items():
                out[(row, col)] = v
    return out


def load(path):
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    if not text.strip():
        return {}
    return json.loads(text)


def score_level(out, level):
    s = dict(reports=0, parsed=0, cells=0, correct=0, tables=0, accepted=0, false_accepts=0,
             false_tables=0, narrative_confirmed=0, narrative_refused=0)
    for truth_path in sorted((out / "truth").glob("*.json")):
        truth = json.loads(truth_path.read_text())
        parsed = load(out / "parsed" / level / truth_path.name)
        if parsed is None:
            continue
        s["reports"] += 1
        s["parsed"] += bool(parsed)
        if parsed:
            s["narrative_confirmed"] += sum(
                1 for m in (parsed.get("ocr") or {}).values() if m.get("narrative"))
            s["narrative_refused"] += sum(
                1 for f in parsed.get("findings") or [] if f.get("rule") == "O-NARRATIVE")
        for t in TABLES:
            want = truth.get(t)
            got = parsed.get(t) if parsed else None
            if want is None:
                continue
            s["tables"] += 1
            w, g = cells(want), cells(got)
            printed = {k: v for k, v in w.items() if v is not None}
            s["cells"] += len(printed)
            s["correct"] += sum(1 for k, v in printed.items() if g.get(k) == v)
            if got is not None:
                s["accepted"] += 1
                wrong = sum(1 for k, v in g.items() if v is not None and w.get(k) != v)
                s["false_accepts"] += wrong
                s["false_tables"] += bool(wrong)
    return s


def pct(a, b):
    return f"{100 * a / b:.1f} %" if b else "–"


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = pathlib.Path(argv[0])
    levels = sorted(p.name for p in (out / "parsed").iterdir() if p.is_dir())
    scores = {level: score_level(out, level) for level in levels}
    print("| level | reports | cell accuracy | accepted tables | false accepts (cells / tables) "
          "| narrative confirmed / refused |")
    print("|---|---|---|---|---|---|")
    for level, s in scores.items():
        print(f"| {level} | {s['reports']} | {pct(s['correct'], s['cells'])} ({s['correct']}/{s['cells']}) "
              f"| {pct(s['accepted'], s['tables'])} ({s['accepted']}/{s['tables']}) "
              f"| {s['false_accepts']} / {s['false_tables']} "
              f"| {s['narrative_confirmed']} / {s['narrative_refused']} |")
    (out / "score.json").write_text(json.dumps(scores, indent=1))
    return 1 if any(s["false_accepts"] for s in scores.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
