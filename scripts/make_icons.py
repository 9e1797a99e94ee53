"""Draw the app icons (PNG) from the same shapes as selfcare/static/icons/icon.svg.

Run once after changing the design: python scripts/make_icons.py (needs Pillow, which fpdf2 brings).
The maskable icon keeps the drawing inside the central safe zone (80%) on a full-bleed background.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (11, 93, 122, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "selfcare" / "static" / "icons"


def _curve(p0, p1, p2, p3, steps=400):
    """Points along a cubic Bezier curve."""
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        yield (a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1])


def draw(size: int, maskable: bool) -> Image.Image:
    """The icon at `size` px; the 64-unit SVG drawing scaled into it."""
    scale = 4  # draw large, then shrink: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BLUE)
        unit, offset = big * 0.8 / 64, big * 0.1
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 14 / 64, fill=BLUE)
        unit, offset = big / 64, 0.0

    def at(x: float, y: float) -> tuple[float, float]:
        return (offset + x * unit, offset + y * unit)

    width = round(6 * unit)
    pen.line([at(32, 10), at(32, 54)], fill=WHITE, width=width)
    # M32 22 c-8 0 -12 4 -12 10 s4 10 12 10 12 4 12 10
    path = list(_curve((32, 22), (24, 22), (20, 26), (20, 32))) + list(_curve((20, 32), (20, 38), (24, 42), (32, 42)))
    path += list(_curve((32, 42), (40, 42), (44, 46), (44, 52)))
    for x, y in path + [(32, 10), (32, 54)]:  # a round pen stamped along the curve: smooth, round ends
        cx, cy = at(x, y)
        pen.ellipse((cx - width / 2, cy - width / 2, cx + width / 2, cy + width / 2), fill=WHITE)
    return image.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    draw(192, False).save(OUT / "icon-192.png", optimize=True)
    draw(512, False).save(OUT / "icon-512.png", optimize=True)
    draw(512, True).save(OUT / "maskable-512.png", optimize=True)
    draw(180, True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
