"""Renders the table fixtures of tests/engine.rs: the value cells of a consistent 2021 table 三
(26 rows x 7 columns, the （六） row left unprinted as 2021 prints it) and of a table 四
(3 x 5) as ruled grids of 110 x 44-pixel cells, digits in DejaVu Sans at about 300 dpi.
The values are those of consistent_table3() and TABLE4 in tests/engine.rs.
Run with Pillow: python3 make_tables.py (writes table3.png and table4.png here)."""
from PIL import Image, ImageDraw, ImageFont

FONT = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 26)
W, H, X0, Y0 = 110, 44, 20, 20


def table3():
    t = [[None] * 7 for _ in range(26)]

    def put(r, parts):
        t[r] = list(parts) + [sum(parts)]

    for r in range(2, 20):
        put(r, [0] * 6)
    for r in (20, 21, 22):
        put(r, [0] * 6)
    put(0, [10, 1, 0, 0, 0, 1])
    put(1, [2, 0, 0, 0, 0, 0])
    put(2, [5, 1, 0, 0, 0, 0])
    put(3, [3, 0, 0, 0, 0, 1])
    put(12, [2, 0, 0, 0, 0, 0])
    put(24, [10, 1, 0, 0, 0, 1])
    put(25, [2, 0, 0, 0, 0, 0])
    return t


TABLE4 = [[3, 1, 0, 2, 6], [12, 4, 1, 0, 17], [0, 0, 0, 0, 0]]


def render(rows, name):
    n_rows, n_cols = len(rows), len(rows[0])
    img = Image.new("L", (2 * X0 + n_cols * W, 2 * Y0 + n_rows * H), 255)
    d = ImageDraw.Draw(img)
    for r in range(n_rows + 1):
        d.line([(X0, Y0 + r * H), (X0 + n_cols * W, Y0 + r * H)], fill=0, width=2)
    for c in range(n_cols + 1):
        d.line([(X0 + c * W, Y0), (X0 + c * W, Y0 + n_rows * H)], fill=0, width=2)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None:
                continue
            s = str(v)
            w = d.textlength(s, font=FONT)
            d.text((X0 + c * W + (W - w) / 2, Y0 + r * H + 8), s, fill=0, font=FONT)
    img.save(name, optimize=True)


render(table3(), "table3.png")
render(TABLE4, "table4.png")
