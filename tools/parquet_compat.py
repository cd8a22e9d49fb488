#!/usr/bin/env python3
"""Read every Parquet file of a nianbao output folder with the installed pyarrow (and pandas)
and check the types the README promises ("Units and types"): no string_view, `year` Int64
everywhere, counts Int64, amounts in 分 Int64. Meant for an old pinned pyarrow in CI:

    pip install 'pyarrow==12.*' 'pandas==2.0.*' 'numpy<2' && tools/parquet_compat.py out/

Without pyarrow it says so and exits 0 (the check is optional); a wrong type exits 1.
"""
import glob
import os
import sys

INT64 = {"year", "value", "amount_fen", "errors", "warnings", "infos", "population",
         "count", "previous_count", "count_change"}


def main(out: str) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except Exception as e:  # not installed, or built against another numpy
        print(f"parquet_compat: pyarrow not usable ({e.__class__.__name__}: {e}); skipped")
        return 0
    files = sorted(glob.glob(os.path.join(out, "**", "*.parquet"), recursive=True))
    if not files:
        print(f"parquet_compat: no Parquet file under {out}", file=sys.stderr)
        return 1
    bad = []
    for f in files:
        schema = pq.read_schema(f)
        for field in schema:
            t = str(field.type)
            if "view" in t:
                bad.append(f"{f}: {field.name} is {t}")
            if (field.name in INT64 or field.name.endswith("_rank")) and t != "int64":
                bad.append(f"{f}: {field.name} is {t}, not int64")
        pq.read_table(f).to_pandas()  # the whole file converts
    cells = pq.read_table(os.path.join(out, "cells"), partitioning="hive")
    for name in ("value", "amount_fen", "printed", "unit"):
        if name not in cells.schema.names:
            bad.append(f"cells: no column {name}")
    for line in bad:
        print(f"parquet_compat: {line}", file=sys.stderr)
    print(f"parquet_compat: pyarrow {pa.__version__}: {len(files)} files, "
          f"{cells.num_rows} cells, {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "out"))
