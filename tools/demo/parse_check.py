#!/usr/bin/env python3
"""Parse every page of a generated demo corpus with the nianbao binary and compare
template/year/body/table2/table3/table4 with the manifest's expected objects
(standard library only).

    python3 tools/demo/parse_check.py OUT_DIR [PATH_TO_NIANBAO]

PATH_TO_NIANBAO defaults to target/debug/nianbao of this repository. A
not-a-report page is compared with all-null fields. A page that links
attachments (OUT_DIR/attachments/, written by `fixture-portal --demo OUT_DIR
--write-attachments`) is merged with them as the harvest does: a table the
page does not print comes from the first attachment that prints it, and an
attachment nianbao cannot read (a scan) is named. Prints one line per page
(ok / MISMATCH with the first differing cells and the parser's warning/error
rule ids) and exits 1 if any page mismatches.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ["template", "year", "body", "table2", "table3", "table4"]


def diff(got, exp):
    out = []
    for k in KEYS:
        a, b = got.get(k), exp[k]
        if isinstance(a, dict) and isinstance(b, dict):
            for r in b:
                for c in b[r]:
                    av = (a.get(r) or {}).get(c)
                    if av != b[r][c]:
                        out.append(f"{k}.{r}.{c}: got {av!r} want {b[r][c]!r}")
        elif a != b:
            out.append(f"{k}: got {a!r} want {b!r}")
    return out


def parse(binary, path):
    """nianbao's JSON for one file, or (None, the first line of its error)."""
    r = subprocess.run([binary, "parse", "--json", path], capture_output=True)
    try:
        return json.loads(r.stdout), None
    except ValueError:
        return None, r.stderr.decode("utf-8", "replace").strip()[:200]


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    out = argv[1]
    binary = argv[2] if len(argv) > 2 else os.path.join(HERE, "..", "..", "target", "debug", "nianbao")
    if not os.path.exists(binary):
        print(f"parser binary {binary} not found; skipped")
        return 2
    with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    bad = 0
    for e in m["entries"]:
        got, err = parse(binary, os.path.join(out, e["file"]))
        if got is None:
            print("NO-JSON", e["file"], err)
            bad += 1
            continue
        for a in e.get("attachments", []):
            path = os.path.join(out, a["file"])
            if not os.path.exists(path):
                print("MISSING", a["file"], f"(run: fixture-portal --demo {out} --write-attachments)")
                bad += 1
                continue
            att, err = parse(binary, path)
            if att is None:
                got.setdefault("findings", []).append(
                    {"rule": "P-ATTACHMENT", "severity": "warning", "message": err})
                continue
            for k in KEYS:
                if got.get(k) is None:
                    got[k] = att.get(k)
        exp = e["expected"] or {k: None for k in KEYS}
        d = diff(got, exp)
        rules = sorted({x["rule"] for x in got.get("findings", []) if x.get("severity") in ("warning", "error")})
        tag = "MISMATCH" if d else "ok"
        bad += bool(d)
        print(tag, e["file"], e["kind"], e["form"], e.get("publication", "page"),
              ",".join(e.get("features", [])), "warn/err:", rules,
              *(d[:6] if d else []))
    print(f"{bad} of {len(m['entries'])} page(s) mismatch")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
