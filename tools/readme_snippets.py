#!/usr/bin/env python3
"""Run the README's Python and DuckDB snippets against an output folder and check their answers.

    tools/readme_snippets.py README.md OUT

OUT must be a folder named `out` (the snippets say `out/...`); the snippets run from its parent.
A Python line `print(...)  # → X` must print X; an SQL statement ending in `-- → N rows` must
return N rows; every other statement must run without error. A snippet whose package (polars,
pandas, duckdb) is not installed is skipped with a message (exit 0), as tests/metrics.rs expects.
"""
import contextlib
import io
import os
import re
import sys


def blocks(readme, lang):
    """The fenced code blocks of one language, in order."""
    return re.findall(r"```" + lang + r"\n(.*?)```", readme, re.S)


def python_parts(block):
    """A Python block split at each `import` of a package, so each package's part is skipped
    alone: [(package, source)]."""
    parts, current, package = [], [], None
    for line in block.splitlines():
        m = re.match(r"import (\w+)", line)
        if m and current:
            parts.append((package, "\n".join(current)))
            current = []
        if m:
            package = m.group(1)
        current.append(line)
    if current:
        parts.append((package, "\n".join(current)))
    return parts


def run_python(source, namespace):
    """Run a part; return the problems."""
    expected = [m.group(1).strip() for m in re.finditer(r"#\s*→\s*(.+)$", source, re.M)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "README.md", "exec"), namespace)
    printed = out.getvalue().splitlines()
    problems = []
    if printed != expected:
        problems.append(f"printed {printed}, the README says {expected}")
    return problems


def run_sql(block):
    """Run each statement (up to its `;`); the rest of that line may hold `-- → N rows`."""
    import duckdb

    problems = []
    for m in re.finditer(r"(.*?);([^\n]*)", block, re.S):
        sql = re.sub(r"--[^\n]*", "", m.group(1)).strip()
        if not sql:
            continue
        rows = duckdb.sql(sql).fetchall()
        want = re.search(r"-- → (\d+) rows", m.group(2))
        if want and int(want.group(1)) != len(rows):
            problems.append(f"{sql[:60]}…: {len(rows)} rows, the README says {want.group(1)}")
    return problems


def main():
    readme_path, out = sys.argv[1], os.path.abspath(sys.argv[2])
    if os.path.basename(out) != "out":
        sys.exit(f"{out}: the snippets read out/…; pass a folder named out")
    readme = open(readme_path, encoding="utf-8").read()
    os.chdir(os.path.dirname(out))
    problems, ran, skipped = [], 0, []
    for block in blocks(readme, "python"):
        namespace = {}
        for package, source in python_parts(block):
            try:
                __import__(package)
            except ImportError:
                skipped.append(package)
                continue
            problems += run_python(source, namespace)
            ran += 1
    for block in blocks(readme, "sql"):
        try:
            import duckdb  # noqa: F401
        except ImportError:
            skipped.append("duckdb")
            continue
        problems += run_sql(block)
        ran += 1
    for p in problems:
        print("README snippet:", p)
    print(f"README snippets: {ran} run, skipped (not installed): {skipped or 'none'}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
