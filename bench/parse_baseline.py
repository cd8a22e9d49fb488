#!/usr/bin/env python3
"""Baseline parser for the parse benchmark: what a competent analyst would write with pandas.

    python3 bench/parse_baseline.py FILE_OR_DIR... > baseline.jsonl

For each saved report page (HTML, any encoding) it prints one JSON object per line, in the
order of the arguments (a directory is expanded to its sorted *.html/*.htm files):

    {"file": ..., "table3": {row: {column: n|null}} | null, "table4": {group: {outcome: n|null}} | null}

with the same row/column/group/outcome keys as `nianbao parse --json` (shared/spec/schema.md).

How it works (the usual analyst recipe):
  * decode like `requests` would: the charset declared in the page (<meta charset> or
    http-equiv Content-Type; gb2312/gbk read as gb18030, their superset, as browsers do), else
    try UTF-8, else GB18030, else charset_normalizer's best guess;
  * `pandas.read_html` (lxml flavor, falling back to bs4+html5lib) with `match=` so only the
    tables that mention 表三/表四 labels (and the layout tables around them) are built; pandas
    expands colspan/rowspan, so each row's label cells are repeated across the grid;
  * table 三: the smallest matching table at least 8 columns wide that holds 本年新收 (nested
    layout tables hold it too), plus any continuation table that holds 结转下年度 but not
    本年新收 (a table split over two <table>s); the last 7 grid columns are the values, the
    cells before them the label; rows are mapped to the 26 schema keys by one keyword regex
    over the label column (`Series.str.extract`); values are converted in one pass (NFKC for
    full-width digits, thousands separators dropped, `pd.to_numeric(errors="coerce")` so
    blanks, -, —, /, 无 become null);
  * table 四: the smallest matching table (15+ columns) with 行政复议 and 复议后起诉; the last
    15 cells of its last non-empty data row;
  * 2021 template: other_handling = sum of the three (六) items (null if all are null);
    2019 template: the three (六) item rows are null.
"""
import io
import json
import os
import re
import sys
import warnings

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")

COLS = ["natural_person", "commercial_enterprise", "research_institution", "public_interest_org",
        "legal_service_org", "other_org", "total"]
# (key, regex on the NFKC-normalised, whitespace-free row label).
ROWS = [
    ("new_received", r"本年新收"),
    ("carried_over", r"上年结转"),
    ("carried_forward", r"结转下年度"),
    ("total_processed", r"\(七\)|七、?总计"),
    ("granted", r"予以公开"),
    ("partially_granted", r"部分公开"),
    ("denied_state_secret", r"国家秘密"),
    ("denied_prohibited_by_law", r"法律行政法规禁止"),
    ("denied_security_stability", r"三安全一稳定"),
    ("denied_third_party_rights", r"第三方合法权益"),
    ("denied_internal_affairs", r"内部事务"),
    ("denied_process_information", r"过程性信息"),
    ("denied_enforcement_case_file", r"行政执法案卷"),
    ("denied_administrative_query", r"行政查询"),
    ("unavailable_not_held", r"不掌握"),
    ("unavailable_needs_creation", r"另行制作"),
    ("unavailable_unclear", r"仍不明确"),
    ("declined_petition_complaint", r"信访|举报|投诉"),
    ("declined_duplicate", r"重复申请"),
    ("declined_publication", r"公开出版物"),
    ("declined_excessive", r"大量反复"),
    ("declined_confirmation", r"重新出具|确认"),
    ("other_overdue_correction", r"逾期不补正"),
    ("other_unpaid_fee", r"收费通知|缴纳费用"),
    ("other_other", r"3\.其他$"),
    ("other_handling", r"其他处理$"),
]
ROW_KEYS = ["new_received", "carried_over", "granted", "partially_granted",
            "denied_state_secret", "denied_prohibited_by_law", "denied_security_stability",
            "denied_third_party_rights", "denied_internal_affairs", "denied_process_information",
            "denied_enforcement_case_file", "denied_administrative_query",
            "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
            "declined_petition_complaint", "declined_duplicate", "declined_publication",
            "declined_excessive", "declined_confirmation",
            "other_overdue_correction", "other_unpaid_fee", "other_other", "other_handling",
            "total_processed", "carried_forward"]
# The keywords do not overlap, so one alternation (leftmost match) picks the row key.
ROW_RE = "|".join(f"(?P<{k}>{rx})" for k, rx in ROWS)
OTHER_ITEMS = ["other_overdue_correction", "other_unpaid_fee", "other_other"]
GROUPS = ["review", "litigation_direct", "litigation_after_review"]
OUTCOMES = ["upheld", "corrected", "other", "pending", "total"]

CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
GB_ALIASES = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "euc-cn"}


def decode(raw):
    """requests-like: declared charset, else utf-8, else gb18030, else charset_normalizer."""
    m = CHARSET_RE.search(raw[:4096])
    if m:
        enc = m.group(1).decode("ascii").lower()
        if enc in GB_ALIASES:
            enc = "gb18030"
        try:
            return raw.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes
    best = from_bytes(raw).best()
    return str(best) if best is not None else raw.decode("utf-8", "replace")


def frame_text(df):
    """All cell text of a frame (and its header), for classifying tables."""
    parts = [" ".join(map(str, df.columns.to_flat_index()))]
    parts.append(" ".join(map(str, df.to_numpy().ravel())))
    return "".join(parts)


def to_numbers(block):
    """DataFrame of printed cells -> float DataFrame (NaN = null), in one vectorised pass:
    NFKC (full-width digits), thousands separators and spaces dropped, then to_numeric."""
    flat = pd.Series(block.to_numpy(dtype=object).ravel(), dtype="string")
    flat = flat.str.normalize("NFKC").str.replace(r"[,\s]", "", regex=True)
    nums = pd.to_numeric(flat, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return pd.DataFrame(nums.reshape(block.shape), index=block.index)


def py(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    v = float(v)
    return int(v) if v.is_integer() else v


def t3_rows(df):
    """Map the rows of one (part of a) table 三 frame to schema rows."""
    df = df.copy()
    df.columns = range(df.shape[1])
    if df.shape[1] < 8:
        return {}
    lab = df.iloc[:, :-7].astype("string")
    labels = (lab[0].str.cat([lab[c] for c in lab.columns[1:]], na_rep="").fillna("")
              .str.normalize("NFKC").str.replace(r"\s+", "", regex=True))
    hits = labels.str.extract(ROW_RE)          # one column per row key, one regex pass
    found = hits.notna()
    keys = found.idxmax(axis=1).where(found.any(axis=1), "")
    vals = to_numbers(df.iloc[:, -7:])
    vals.columns = COLS
    vals["key"] = keys.to_numpy()
    vals = vals[vals["key"] != ""].drop_duplicates("key", keep="first").set_index("key")
    return {k: {c: py(v) for c, v in row.items()} for k, row in vals.to_dict("index").items()}


def parse_table3(frames, texts):
    main = [i for i, t in enumerate(texts) if "本年新收" in t and frames[i].shape[1] >= 8]
    if not main:
        return None
    first = min(main, key=lambda i: frames[i].size)
    rows = t3_rows(frames[first])
    if "carried_forward" not in rows:  # split over several <table>s: add the continuation
        for i in range(first + 1, len(frames)):
            if "本年新收" not in texts[i] and "结转下年度" in texts[i] and frames[i].shape[1] >= 8:
                for k, v in t3_rows(frames[i]).items():
                    rows.setdefault(k, v)
                break
    if not rows:
        return None
    empty = dict.fromkeys(COLS)
    t3 = {k: dict(rows.get(k) or empty) for k in ROW_KEYS}
    if any(k in rows for k in OTHER_ITEMS):  # 2021 template: other_handling is derived
        t3["other_handling"] = {}
        for c in COLS:
            items = [t3[k][c] for k in OTHER_ITEMS if t3[k][c] is not None]
            t3["other_handling"][c] = py(sum(items)) if items else None
    return t3


def parse_table4(frames, texts):
    cand = [i for i, t in enumerate(texts)
            if "行政复议" in t and "复议后起诉" in t and frames[i].shape[1] >= 15]
    if not cand:
        return None
    df = frames[min(cand, key=lambda i: frames[i].size)].copy()
    df.columns = range(df.shape[1])
    if df.shape[1] < 15:
        return None
    nums = to_numbers(df.iloc[:, -15:])
    # header rows hold only labels and Word's column-width row is empty: both are all-NaN
    nums = nums[nums.notna().any(axis=1)]
    if nums.empty:
        return None
    nums = nums.iloc[-1].tolist()
    return {g: {o: py(nums[gi * 5 + oi]) for oi, o in enumerate(OUTCOMES)}
            for gi, g in enumerate(GROUPS)}


SPAN_FIX = re.compile(r"""\b(colspan|rowspan)\s*=\s*["']?\s*(\d+)[^\s>]*""", re.I)


def read_tables(text):
    """read_html, keeping only the tables that mention table 三/四 labels. pandas fails on
    malformed spans such as colspan="2;": then clean every span (colspan="0" becomes 1, as
    browsers read it) and try once more."""
    for attempt in (0, 1):
        try:
            return pd.read_html(io.StringIO(text), match="本年新收|结转下年度|行政复议",
                                flavor=["lxml", "bs4"])
        except ValueError as e:
            if "No tables found" in str(e) or "did not match" in str(e) or attempt:
                return []
            text = SPAN_FIX.sub(lambda m: f'{m.group(1)}="{max(int(m.group(2)), 1)}"', text)
    return []


def parse_file(path):
    with open(path, "rb") as f:
        text = decode(f.read())
    frames = read_tables(text)
    texts = [frame_text(df) for df in frames]
    return {"file": path, "table3": parse_table3(frames, texts),
            "table4": parse_table4(frames, texts)}


def expand(args):
    for a in args:
        if os.path.isdir(a):
            for n in sorted(os.listdir(a)):
                if n.endswith((".html", ".htm")):
                    yield os.path.join(a, n)
        else:
            yield a


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    out = sys.stdout
    for path in expand(argv[1:]):
        try:
            obj = parse_file(path)
        except Exception as e:  # keep going, like a batch script would
            obj = {"file": path, "table3": None, "table4": None, "error": repr(e)}
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
