"""Renders the digit-cell fixtures of tests/engine.rs: digit strings in DejaVu Sans (Debian
fonts-dejavu-core) as grey cell crops at about 300 dpi, with ruling-line remnants at the
edges as a grid leaves them. Run with Pillow: python3 make_digits.py (writes the PNGs here)."""
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CELLS = {"d0": "0", "d7": "7", "d12": "12", "d305": "305", "d1024": "1024", "d86": "86",
         "d4096": "4096", "d11": "11", "blank": "",
         # Money amounts (万元), read with digits and one decimal point.
         "m24720_2": "24720.2", "m14913_51": "14913.51", "m300": "300"}

for name, text in CELLS.items():
    img = Image.new("L", (180, 56), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 30)
    if text:
        w = draw.textlength(text, font=font)
        draw.text(((180 - w) / 2, 10), text, fill=20, font=font)
    draw.line([(0, 0), (179, 0)], fill=0, width=2)  # the ruling line above, cut by the grid
    draw.line([(179, 0), (179, 55)], fill=30, width=1)
    img.save(f"{name}.png", optimize=True)
