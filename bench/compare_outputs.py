#!/usr/bin/env python3
"""Equal-work check: compare table3 and table4 of two JSON-lines outputs cell by cell.

    python3 bench/compare_outputs.py A.jsonl B.jsonl [--files FILELIST] [--show N]

Lines are paired by their "file" key when both sides have one, else by line order (nianbao
--json prints no file key, one line per file in argument order; pass --files with the list of
files given to it, one a line, to attach names). Numbers compare by value (3 == 3.0); null
equals only null. A whole table that is null on one side counts each of its cells as a
disagreement. Prints per-table and overall agreement (cells equal / total) and the first
differing cells; exits 1 on any disagreement.
"""
import json
import sys

from parse_baseline import COLS, GROUPS, OUTCOMES, ROW_KEYS

SHAPE = {"table3": (ROW_KEYS, COLS), "table4": (GROUPS, OUTCOMES)}


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return float(a) == float(b)


def main(argv):
    args = list(argv[1:])
    files, show = None, 20
    if "--files" in args:
        i = args.index("--files")
        with open(args[i + 1], encoding="utf-8") as f:
            files = [l.rstrip("\n") for l in f if l.strip()]
        del args[i:i + 2]
    if "--show" in args:
        i = args.index("--show")
        show = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__)
        return 2
    A, B = load(args[0]), load(args[1])
    if all("file" in x for x in A) and all("file" in x for x in B):
        bmap = {x["file"]: x for x in B}
        pairs = [(x["file"], x, bmap.get(x["file"])) for x in A]
        missing = len([p for p in pairs if p[2] is None]) + len(set(bmap) - {x["file"] for x in A})
    else:
        if len(A) != len(B):
            print(f"line counts differ: {len(A)} vs {len(B)}; pairing by line order is unsafe")
            return 2
        names = files if files and len(files) == len(A) else [
            x.get("file") or y.get("file") or f"line {i + 1}" for i, (x, y) in enumerate(zip(A, B))]
        pairs = list(zip(names, A, B))
        missing = 0
    equal = {t: 0 for t in SHAPE}
    total = {t: 0 for t in SHAPE}
    diffs = []
    files_diff = set()
    for name, a, b in pairs:
        for t, (rows, cols) in SHAPE.items():
            ta = (a or {}).get(t) or {}
            tb = (b or {}).get(t) or {}
            for r in rows:
                for c in cols:
                    va = (ta.get(r) or {}).get(c)
                    vb = (tb.get(r) or {}).get(c)
                    total[t] += 1
                    if same(va, vb) and ((a or {}).get(t) is None) == ((b or {}).get(t) is None):
                        equal[t] += 1
                    else:
                        files_diff.add(name)
                        diffs.append(f"{name}: {t}.{r}.{c}: {va!r} vs {vb!r}")
    n_eq, n_tot = sum(equal.values()), sum(total.values())
    print(f"files compared: {len(pairs)}  unpaired: {missing}  files with a difference: {len(files_diff)}")
    for t in SHAPE:
        print(f"{t}: {equal[t]} / {total[t]} cells equal ({100.0 * equal[t] / max(total[t], 1):.3f}%)")
    print(f"agreement: {n_eq} / {n_tot} cells equal ({100.0 * n_eq / max(n_tot, 1):.3f}%)")
    for d in diffs[:show]:
        print("  DIFF", d)
    if len(diffs) > show:
        print(f"  ... {len(diffs) - show} more")
    return 0 if n_eq == n_tot and not missing else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
