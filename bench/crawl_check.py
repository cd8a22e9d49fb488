#!/usr/bin/env python3
"""Crawl benchmark bookkeeping (standard library only): the server's counters and the tools'
stored bodies of each run, and the equal-work check over all runs.

    crawl_check.py record TOOL RUN STATS.json OUT_DIR PATHS_OUT   → one line of crawl.tsv
    crawl_check.py verify CRAWL_TSV CONC                           → the equal-work report

`record` reads the fixture portal's /stats JSON (per host: requests, body bytes, largest
number of requests in flight, requests per path) and what the tool stored in OUT_DIR:

- nianbao: the response records of OUT_DIR/warc/*.warc.gz (count, payload bytes as sent);
- scrapy:  the files of OUT_DIR/bodies/ (count, bytes), see bench/scrapy_spider.py.

It writes the sorted `host-index path count` list to PATHS_OUT and prints a TSV line:
tool, run, requests, bytes, max_in_flight (over all hosts), hosts, stored, stored_bytes,
paths_sha (SHA-256 of the path list).

`verify` checks, over every run of every tool, that the server saw the same requests (the same
path list, so the same URLs each requested the same number of times) and the same body bytes,
that each tool stored one body per request with the bytes the server sent, and that no host
ever had more than CONC requests in flight. Exit status 1 when a check fails.
"""
import glob
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "same-outputs"))
from extract_warc import records as warc_records  # noqa: E402  (one WARC reader for the tools)

COLUMNS = ["tool", "run", "requests", "bytes", "max_in_flight", "hosts", "stored", "stored_bytes", "paths_sha"]


def warc_responses(out_dir):
    """(count, payload bytes) of the response records in out_dir/warc/*.warc.gz."""
    count = total = 0
    for path in sorted(glob.glob(os.path.join(out_dir, "warc", "*.warc.gz"))):
        for headers, block in warc_records(path):
            if headers.get("warc-type") == "response":
                end = block.find(b"\r\n\r\n")
                count += 1
                total += len(block) - (end + 4 if end >= 0 else 0)
    return count, total


def stored_files(out_dir):
    files = glob.glob(os.path.join(out_dir, "bodies", "*"))
    return len(files), sum(os.path.getsize(p) for p in files)


def record(tool, run, stats_path, out_dir, paths_out):
    with open(stats_path, encoding="utf-8") as f:
        stats = json.load(f)
    lines = []
    for i, h in enumerate(stats["hosts"]):
        lines += [f"{i:02d} {p} {n}" for p, n in sorted(h["paths"].items())]
    text = "\n".join(lines) + "\n"
    with open(paths_out, "w", encoding="utf-8") as f:
        f.write(text)
    stored, stored_bytes = warc_responses(out_dir) if tool == "nianbao" else stored_files(out_dir)
    row = [tool, run, stats["requests"], stats["bytes"], stats["max_in_flight"], len(stats["hosts"]),
           stored, stored_bytes, hashlib.sha256(text.encode()).hexdigest()[:16]]
    print("\t".join(str(x) for x in row))


def verify(tsv, conc):
    rows = []
    with open(tsv, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                rows.append(dict(zip(COLUMNS, line.rstrip("\n").split("\t"))))
    ok = True

    def check(cond, msg):
        nonlocal ok
        print(("ok    " if cond else "FAIL  ") + msg)
        ok &= cond

    print(f"runs: {len(rows)} ({', '.join(sorted({r['tool'] for r in rows}))})")
    shas = {r["paths_sha"] for r in rows}
    byts = {r["bytes"] for r in rows}
    reqs = {r["requests"] for r in rows}
    check(len(shas) == 1, f"same requests in every run (server log: path list {', '.join(sorted(shas))}; "
                          f"{', '.join(sorted(reqs))} requests)")
    check(len(byts) == 1, f"same body bytes served in every run ({', '.join(sorted(byts))})")
    for r in rows:
        check(r["stored"] == r["requests"],
              f"{r['tool']} run {r['run']}: stored {r['stored']} bodies for {r['requests']} requests")
        check(r["stored_bytes"] == r["bytes"],
              f"{r['tool']} run {r['run']}: stored {r['stored_bytes']} body bytes, server sent {r['bytes']}")
        check(int(r["max_in_flight"]) <= conc,
              f"{r['tool']} run {r['run']}: max in flight per host {r['max_in_flight']} (limit {conc})")
    return 0 if ok else 1


def main(argv):
    if len(argv) == 7 and argv[1] == "record":
        record(*argv[2:])
        return 0
    if len(argv) == 4 and argv[1] == "verify":
        return verify(argv[2], int(argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
