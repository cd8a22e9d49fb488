#!/usr/bin/env python3
"""Summarise the timed runs of bench/run.sh as a markdown table (standard library only).

    python3 bench/summarize.py RESULTS_DIR

Reads RESULTS_DIR/runs.tsv (written by run.sh's `measure`), one line per timed run:

    group  tool  run  items  wall_s  time_file  load1_before

and the `/usr/bin/time -v` file of each run (user, sys, peak RSS). For each group (parse,
crawl, aggregate, ...) and tool it prints medians with the min–max spread of:

- items/s by wall time (items = reports for parse);
- CPU seconds (user+sys) and items per CPU second;
- peak RSS;

and, for every tool of a group that has a tool named `baseline`, the ratio of its median
items/s to the baseline's (by wall time and by CPU time). Writes the same table to
RESULTS_DIR/summary.md.
"""
import os
import re
import statistics
import sys


def parse_time_file(path):
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            m = re.match(r"User time \(seconds\): ([\d.]+)", line)
            if m:
                out["user"] = float(m.group(1))
            m = re.match(r"System time \(seconds\): ([\d.]+)", line)
            if m:
                out["sys"] = float(m.group(1))
            m = re.match(r"Maximum resident set size \(kbytes\): (\d+)", line)
            if m:
                out["rss_kb"] = int(m.group(1))
            m = re.match(r"Exit status: (\d+)", line)
            if m:
                out["exit"] = int(m.group(1))
    return out


def spread(xs, fmt):
    return f"{fmt(statistics.median(xs))} ({fmt(min(xs))}–{fmt(max(xs))})"


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    res = argv[1]
    runs = {}
    order = []
    with open(os.path.join(res, "runs.tsv"), encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            group, tool, run, items, wall, tfile, load = line.rstrip("\n").split("\t")
            t = parse_time_file(tfile)
            key = (group, tool)
            if key not in runs:
                runs[key] = []
                order.append(key)
            runs[key].append({"items": int(items), "wall": float(wall), "cpu": t["user"] + t["sys"],
                              "rss": t["rss_kb"] / 1024.0, "exit": t.get("exit", 0),
                              "load": float(load)})
    stats = {}
    for key in order:
        rs = runs[key]
        stats[key] = {
            "items": rs[0]["items"], "n": len(rs),
            "rate": [r["items"] / r["wall"] for r in rs],
            "wall": [r["wall"] for r in rs],
            "cpu": [r["cpu"] for r in rs],
            "cpu_rate": [r["items"] / r["cpu"] if r["cpu"] > 0 else float("inf") for r in rs],
            "rss": [r["rss"] for r in rs],
            "load": [r["load"] for r in rs],
            "bad": sum(1 for r in rs if r["exit"] != 0),
        }
    f1 = lambda x: f"{x:,.1f}"
    f2 = lambda x: f"{x:.2f}"
    f3 = lambda x: f"{x:.3f}"
    lines = [
        "| group | tool | items × runs | items/s (wall), median (min–max) | wall s | CPU s (user+sys) | "
        "items/CPU s | peak RSS MiB | ratio vs baseline (wall / CPU) | load1 before runs |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key in order:
        group, tool = key
        s = stats[key]
        base = stats.get((group, "baseline"))
        if base and tool != "baseline":
            r_wall = statistics.median(s["rate"]) / statistics.median(base["rate"])
            r_cpu = statistics.median(s["cpu_rate"]) / statistics.median(base["cpu_rate"])
            ratio = f"**{r_wall:.1f}×** / {r_cpu:.1f}×"
        elif base:
            ratio = "1×"
        else:
            ratio = "–"
        bad = f" ({s['bad']} run(s) exited non-zero)" if s["bad"] else ""
        lines.append(
            f"| {group} | {tool}{bad} | {s['items']} × {s['n']} | {spread(s['rate'], f1)} | "
            f"{spread(s['wall'], f3)} | {spread(s['cpu'], f3)} | {spread(s['cpu_rate'], f1)} | "
            f"{spread(s['rss'], f1)} | {ratio} | {spread(s['load'], f2)} |")
    table = "\n".join(lines)
    print(table)
    with open(os.path.join(res, "summary.md"), "w", encoding="utf-8") as f:
        f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
