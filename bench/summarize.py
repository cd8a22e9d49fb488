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

and, for every tool of a group that has a tool named `baseline` (or `scrapy`, the crawl
section's baseline), the ratio of its median items/s to the baseline's (by wall time and by CPU
time).

When RESULTS_DIR/crawl.tsv exists (bench/crawl.sh), a second table gives the crawl figures
against the server's counters: requests and MB served, pages/s and its share of the politeness
ceiling (hosts × per-host concurrency / latency), CPU ms per request, peak RSS, the largest
number of requests in flight on any host, and the three targets (nianbao ≥ the baseline's
pages/s, ≤ 1/3 of its CPU time and of its peak RSS).

Writes the same tables to RESULTS_DIR/summary.md.
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


BASELINES = ("baseline", "scrapy")


def baseline_of(stats, group):
    for name in BASELINES:
        if (group, name) in stats:
            return name, stats[(group, name)]
    return None, None


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
        base_name, base = baseline_of(stats, group)
        if base and tool != base_name:
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
    crawl_path = os.path.join(res, "crawl.tsv")
    if os.path.exists(crawl_path):
        table += "\n\n" + crawl_table(crawl_path, runs)
    print(table)
    with open(os.path.join(res, "summary.md"), "w", encoding="utf-8") as f:
        f.write(table + "\n")
    return 0


def crawl_table(path, runs):
    """The crawl figures per tool (see the module doc), from crawl.tsv and the timed runs."""
    params, server = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# hosts="):
                params = dict(kv.split("=") for kv in line[2:].split())
            elif line.strip() and not line.startswith("#"):
                tool, run, requests, byts, max_inflight = line.split("\t")[:5]
                server[(tool, int(run))] = (int(requests), int(byts), int(max_inflight))
    ceiling = int(params["hosts"]) * int(params["conc"]) / (int(params["latency_ms"]) / 1000)
    f1 = lambda x: f"{x:,.1f}"
    f2 = lambda x: f"{x:.2f}"
    pct = lambda x: f"{100 * x:.0f} %"
    lines = [
        f"Crawl: {params['hosts']} hosts, {params['latency_ms']} ms latency, per-host concurrency "
        f"{params['conc']}, reports {params['from_year']}–2024; ceiling {ceiling:,.0f} requests/s.",
        "",
        "| tool | runs | requests (server) | MB served | pages/s, median (min–max) | share of ceiling | "
        "CPU s | CPU ms per request | peak RSS MiB | max in flight per host |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    med = {}
    for tool in ("nianbao", "scrapy"):
        rs = runs.get(("crawl", tool), [])
        if not rs:
            continue
        srv = [server.get((tool, k + 1), (0, 0, 0)) for k in range(len(rs))]
        rate = [r["items"] / r["wall"] for r in rs]
        cpu = [r["cpu"] for r in rs]
        rss = [r["rss"] for r in rs]
        med[tool] = (statistics.median(rate), statistics.median(cpu), statistics.median(rss))
        reqs = sorted({s[0] for s in srv})
        mb = sorted({f"{s[1] / 1e6:.2f}" for s in srv})
        bad = sum(1 for r in rs if r["exit"] != 0)
        lines.append(
            f"| {tool}{f' ({bad} run(s) exited non-zero)' if bad else ''} | {len(rs)} | "
            f"{'/'.join(f'{x:,}' for x in reqs)} | {'/'.join(mb)} | {spread(rate, f1)} | "
            f"{spread([x / ceiling for x in rate], pct)} | {spread(cpu, f2)} | "
            f"{spread([1e3 * r['cpu'] / r['items'] for r in rs], f2)} | {spread(rss, f1)} | "
            f"{max(s[2] for s in srv)} (limit {params['conc']}) |")
    if len(med) == 2:
        (nr, nc, nm), (sr, sc, sm) = med["nianbao"], med["scrapy"]
        ok = lambda c: "met" if c else "**not met**"
        lines += [
            "",
            "| nianbao vs scrapy (medians) | ratio | target | |",
            "|---|---|---|---|",
            f"| pages/s | {nr / sr:.2f}× | ≥ 1× | {ok(nr >= sr)} |",
            f"| CPU time | {nc / sc:.3f} ({sc / nc:.1f}× less) | ≤ 1/3 | {ok(nc <= sc / 3)} |",
            f"| peak RSS | {nm / sm:.3f} ({sm / nm:.1f}× less) | ≤ 1/3 | {ok(nm <= sm / 3)} |",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
