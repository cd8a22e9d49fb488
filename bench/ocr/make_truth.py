#!/usr/bin/env python3
"""Ground truth for the OCR benchmark, without hand work.

The project's own reports are rendered as text PDFs by the fixtures' writer (the demo
generator's report layouts, tools/demo/make_demo_reports.py, each set as a ruled PDF with
`render-layout pdf-ruled`); their parse (`nianbao parse --json`) is the truth. Each text PDF is
then rendered to page images (pdfium, through pypdfium2) at 150/200/300 dpi, degraded (noise,
blur, JPEG quality, rotation up to ±2°, faint and broken ruling lines) and written back as an
image-only PDF (one JPEG per page, as a scanner writes it). Everything is seeded: the same
inputs give the same files.

    OUT/layouts/<stem>.json          the report's layout, with a sentence stating table 二
                                     figures added to most narratives (see `state_table2`)
    OUT/text/<stem>.pdf              the text PDF
    OUT/truth/<stem>.json            its `nianbao parse --json`
    OUT/scans/<level>/<stem>.pdf     the degraded image-only PDF
    OUT/levels.json                  the degradation levels, as used

Usage (bench/ocr/run.sh calls it; the venv comes from bench/ocr/setup.sh):
    make_truth.py --out OUT --nianbao BIN --render-layout BIN [--only LEVEL,…] [--reports N]
    make_truth.py --demo-scan LAYOUT.json OUTDIR --render-layout BIN
        the demo's scan: the layout rendered, lightly degraded, one JPEG per page in OUTDIR
"""

import argparse
import hashlib
import os
import io
import json
import pathlib
import subprocess
import sys

import numpy as np
import pypdfium2
from PIL import Image, ImageFilter

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Degradation levels: dpi, rotation (the largest |angle|, drawn per page), Gaussian noise σ,
# blur radius, JPEG quality, faint lines (grey level of the lines, share of them broken off).
LEVELS = {
    "clean-300": dict(dpi=300, rotate=0.0, noise=0, blur=0.0, quality=90, faint=None),
    "clean-200": dict(dpi=200, rotate=0.0, noise=0, blur=0.0, quality=85, faint=None),
    "clean-150": dict(dpi=150, rotate=0.0, noise=0, blur=0.0, quality=85, faint=None),
    "scan-300": dict(dpi=300, rotate=2.0, noise=8, blur=0.6, quality=70, faint=None),
    "faint-300": dict(dpi=300, rotate=1.0, noise=6, blur=0.0, quality=75, faint=(190, 0.15)),
    "rough-200": dict(dpi=200, rotate=2.0, noise=14, blur=1.0, quality=50, faint=(170, 0.1)),
    "rough-150": dict(dpi=150, rotate=2.0, noise=12, blur=0.8, quality=45, faint=None),
}


# A held-out set: `BENCH_SEED=heldout-1 bench/ocr/run.sh …` draws every degradation (and
# narrative sentence) anew, for scans the reading was never tuned on; unset, the files are
# the ones BENCHMARKS.md reports.
SEED = os.environ.get("BENCH_SEED", "")


def rng_for(*parts):
    """A generator seeded from names, so that every file is reproducible on its own."""
    if SEED:
        parts = (SEED, *parts)
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def render(pdf_path, dpi):
    """The pages of a PDF as grey PIL images at `dpi`."""
    doc = pypdfium2.PdfDocument(str(pdf_path))
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in doc]
    finally:
        doc.close()


def long_runs(ink, length, axis):
    """Pixels of `ink` (bool array) that lie in a run of at least `length` along `axis`:
    a morphological opening with a 1×length line, by windowed sums."""
    a = np.moveaxis(ink, axis, -1).astype(np.int32)
    c = np.cumsum(np.pad(a, [(0, 0), (1, 0)]), axis=-1)
    full = (c[:, length:] - c[:, :-length]) == length  # window [i, i+length) all ink
    f = np.pad(full.astype(np.int32), [(0, 0), (length - 1, length - 1)])
    cf = np.cumsum(np.pad(f, [(0, 0), (1, 0)]), axis=-1)
    covered = (cf[:, length:] - cf[:, :-length]) > 0
    return np.moveaxis(covered[:, : a.shape[1]], -1, axis)


def faint_lines(a, grey, broken, rng, dpi):
    """The ruling lines (long straight runs of ink) lightened to `grey`, and `broken` of
    their length knocked out in short gaps, as a light or worn print shows them."""
    ink = a < 128
    lines = long_runs(ink, max(8, dpi // 5), 1) | long_runs(ink, max(8, dpi // 5), 0)
    out = a.copy()
    out[lines] = np.maximum(out[lines], grey)
    gap = max(2, dpi // 50)
    mask = np.zeros_like(lines)
    h, w = a.shape
    for _ in range(int(broken * (lines.sum() / gap))):
        y, x = rng.integers(0, h), rng.integers(0, w)
        mask[max(0, y - gap):y + gap, max(0, x - gap):x + gap] = True
    out[lines & mask] = 255
    return out


def degrade(page, level, rng):
    """One page image degraded as `level` says (rotation last but noise, as a scanner would
    see a slanted sheet)."""
    spec = LEVELS[level]
    a = np.asarray(page, dtype=np.float64)
    if spec["faint"]:
        a = faint_lines(a, spec["faint"][0], spec["faint"][1], rng, spec["dpi"])
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
    if spec["rotate"]:
        angle = float(rng.uniform(-spec["rotate"], spec["rotate"]))
        img = img.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    if spec["blur"]:
        img = img.filter(ImageFilter.GaussianBlur(spec["blur"]))
    if spec["noise"]:
        a = np.asarray(img, dtype=np.float64) + rng.normal(0, spec["noise"], (img.height, img.width))
        img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
    return img


def jpeg(img, quality):
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def write_scan(pages, path, quality, dpi):
    """Pages as an image-only PDF: one DCT-encoded page image each (Pillow's PDF writer)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pages[0].save(tmp, "PDF", save_all=True, append_images=pages[1:], resolution=dpi,
                  quality=quality)
    tmp.replace(path)


def layouts(demo_dir):
    """(stem, layout) of every attachment the demo generator describes, in manifest order."""
    manifest = json.loads((demo_dir / "manifest.json").read_text())
    for e in manifest["entries"]:
        for a in e.get("attachments", []):
            stem = pathlib.Path(a["file"]).stem
            yield stem, a["layout"]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# Table 二 cells a narrative may state, by template: (row label, measure column, phrasings).
# The phrasings are the project's own, none a real report's; `{}` is the cell's printed text.
STATABLE = {
    "2021": [
        ("规章", 0, ["全年制发规章{}件。", "本年度出台规章{}件。"]),
        ("行政规范性文件", 0, ["全年印发行政规范性文件{}件。", "制发行政规范性文件共{}件。"]),
        ("行政规范性文件", 1, ["废止行政规范性文件{}件。"]),
        ("行政规范性文件", 2, ["截至年底，现行有效行政规范性文件{}件。"]),
        ("行政许可", 0, ["全年办理行政许可{}件。"]),
        ("行政处罚", 0, ["全年作出行政处罚决定{}件。"]),
        ("行政强制", 0, ["实施行政强制{}件。"]),
        ("行政事业性收费", 0, ["收取行政事业性收费{}万元。"]),
    ],
    "2019": [
        ("规章", 0, ["新制作规章{}件。"]),
        ("规范性文件", 1, ["新公开规范性文件{}件。"]),
        ("行政许可", 2, ["作出行政许可决定{}件。"]),
        ("行政处罚", 2, ["作出行政处罚决定{}件。"]),
    ],
}


def table2_rows(layout):
    """{row label: [printed value texts]} of the layout's first table (table 二)."""
    for block in layout["blocks"]:
        if "table" in block:
            return {row[0]["t"]: [c["t"] for c in row[1:]] for row in block["table"]
                    if len(row) > 1 and not row[0].get("h")}
    return {}


def state_table2(layout, rng):
    """Most reports' narratives (3 in 4, seeded) get one or two sentences stating table 二
    figures as the table prints them, appended to the （一）主动公开 paragraph: the
    benchmark's scans then exercise the narrative rule (a table 二 reading must equal what the
    narrative states). The demo archive's layouts are not changed."""
    template = "2019" if "本年新制作数量" in json.dumps(layout, ensure_ascii=False) else "2021"
    rows = table2_rows(layout)
    choices = [(label, col, phr) for label, col, phr in STATABLE[template]
               if label in rows and col < len(rows[label]) and rows[label][col].strip()]
    if not choices or rng.random() >= 0.75:
        return layout, []
    picked = [choices[i] for i in rng.choice(len(choices), size=min(2, len(choices)),
                                              replace=False)]
    # Half the time the money amount, the cell that most needs the narrative.
    fee = [c for c in choices if c[0] == "行政事业性收费"]
    if fee and fee[0] not in picked and rng.random() < 0.5:
        picked[-1] = fee[0]
    sentences = [phr[int(rng.integers(len(phr)))].format(rows[label][col])
                 for label, col, phr in picked]
    for block in layout["blocks"]:
        if block.get("para", "").startswith("（一）主动公开"):
            block["para"] += "".join(sentences)
            return layout, sentences
    return layout, []


def make_text_pdfs(out, render_layout, limit):
    demo = out / "demo"
    run([sys.executable, str(ROOT / "tools/demo/make_demo_reports.py"), str(demo)],
        stdout=subprocess.DEVNULL)
    (out / "layouts").mkdir(parents=True, exist_ok=True)
    (out / "text").mkdir(parents=True, exist_ok=True)
    stems = []
    for stem, layout in list(layouts(demo))[:limit]:
        layout, _ = state_table2(layout, rng_for("narrative", stem))
        lp = out / "layouts" / f"{stem}.json"
        lp.write_text(json.dumps(layout, ensure_ascii=False))
        run([render_layout, "pdf-ruled", str(lp), str(out / "text" / f"{stem}.pdf")])
        stems.append(stem)
    return stems


def make_truth(out, stems, nianbao):
    (out / "truth").mkdir(parents=True, exist_ok=True)
    for stem in stems:
        res = subprocess.run([nianbao, "parse", "--json", str(out / "text" / f"{stem}.pdf")],
                             capture_output=True, check=True)
        (out / "truth" / f"{stem}.json").write_bytes(res.stdout)


def make_scans(out, stems, levels):
    for level in levels:
        spec = LEVELS[level]
        for stem in stems:
            pages = render(out / "text" / f"{stem}.pdf", spec["dpi"])
            rng = rng_for(level, stem)
            degraded = [degrade(p, level, rng) for p in pages]
            write_scan(degraded, out / "scans" / level / f"{stem}.pdf", spec["quality"], spec["dpi"])
    (out / "levels.json").write_text(json.dumps({k: LEVELS[k] for k in levels}, indent=1))


def demo_scan(layout, outdir, render_layout, dpi=150, quality=40):
    """The demo's scan: the report's own layout as a ruled text PDF, rendered at `dpi`,
    turned by a fraction of a degree, each page a grey JPEG. No noise: it would double the
    JPEG's size, and the demo archive is kept small (the benchmark's levels add noise)."""
    outdir.mkdir(parents=True, exist_ok=True)
    pdf = outdir / "text.pdf.tmp"
    run([render_layout, "pdf-ruled", str(layout), str(pdf)])
    pages = render(pdf, dpi)
    pdf.unlink()
    rng = rng_for("demo-scan", layout.name)
    written = []
    for i, page in enumerate(pages, 1):
        img = page.rotate(float(rng.uniform(-0.6, 0.6)), resample=Image.BICUBIC, fillcolor=255)
        path = outdir / f"page-{i}.jpg"
        path.write_bytes(jpeg(img, quality))
        written.append(path)
    return written


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=pathlib.Path)
    ap.add_argument("--nianbao")
    ap.add_argument("--render-layout", required=True)
    ap.add_argument("--only", help="comma-separated levels (default: all)")
    ap.add_argument("--reports", type=int, default=1000, help="at most this many reports")
    ap.add_argument("--demo-scan", nargs=2, metavar=("LAYOUT", "OUTDIR"), type=pathlib.Path)
    args = ap.parse_args(argv)
    if args.demo_scan:
        for p in demo_scan(args.demo_scan[0], args.demo_scan[1], args.render_layout):
            print(p, p.stat().st_size)
        return 0
    if not args.out or not args.nianbao:
        ap.error("--out and --nianbao are required")
    levels = args.only.split(",") if args.only else list(LEVELS)
    unknown = [l for l in levels if l not in LEVELS]
    if unknown:
        ap.error(f"unknown level(s) {unknown}; known: {', '.join(LEVELS)}")
    stems = make_text_pdfs(args.out, args.render_layout, args.reports)
    make_truth(args.out, stems, args.nianbao)
    make_scans(args.out, stems, levels)
    print(f"{len(stems)} reports × {len(levels)} levels in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
