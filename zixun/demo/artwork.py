"""Illustrations for the demo's starter articles, drawn here with Pillow: nothing is
downloaded, and the same article always gets the same picture.

Each channel has a scene (a skyline, hills, a river, a pitch, a circuit board) and
the article's id picks the colours and the layout, so that a list of starter
articles looks like a real site's without any photograph in the repository.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter

Colour = tuple[int, int, int]
Scene = Callable[[ImageDraw.ImageDraw, random.Random, int, int], None]

COVER_SIZE = (1200, 800)
FIGURE_SIZE = (1200, 675)

# (sky top, sky bottom, accent): dawn, noon, dusk, night, mist.
PALETTES: list[tuple[Colour, Colour, Colour]] = [
    ((255, 183, 120), (255, 236, 200), (214, 88, 64)),
    ((92, 160, 230), (204, 232, 250), (38, 104, 170)),
    ((122, 74, 142), (246, 164, 120), (226, 92, 84)),
    ((22, 34, 74), (74, 92, 150), (250, 214, 120)),
    ((170, 190, 196), (232, 238, 236), (90, 120, 128)),
]


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _sky(draw: ImageDraw.ImageDraw, top: Colour, bottom: Colour, width: int, height: int) -> None:
    for y in range(height):
        draw.line([(0, y), (width, y)], fill=_mix(top, bottom, y / height))


def _ridge(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    width: int,
    height: int,
    base: float,
    colour: Colour,
) -> None:
    """A band of rolling ground: a sum of two sines, filled to the bottom edge."""
    phase, wave = rng.uniform(0, math.tau), rng.uniform(1.2, 2.6)
    points = [
        (
            x,
            height * base
            + math.sin(x / width * math.tau * wave / 2 + phase) * height * 0.05
            + math.sin(x / width * math.tau * wave * 1.7 + phase * 2) * height * 0.02,
        )
        for x in range(0, width + 20, 20)
    ]
    draw.polygon([*points, (width, height), (0, height)], fill=colour)


def _sun(
    draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int, colour: Colour
) -> None:
    x, y, r = rng.uniform(0.15, 0.85) * width, rng.uniform(0.15, 0.35) * height, height * 0.08
    draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)


def _hills(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int) -> None:
    top, bottom, accent = rng.choice(PALETTES)
    _sky(draw, top, bottom, width, height)
    _sun(draw, rng, width, height, _mix(accent, (255, 240, 200), 0.6))
    greens = [(120, 160, 110), (80, 128, 86), (46, 92, 66)]
    for base, colour in zip((0.55, 0.68, 0.82), greens, strict=True):
        _ridge(draw, rng, width, height, base, _mix(colour, top, 0.15))


def _city(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int) -> None:
    top, bottom, accent = rng.choice(PALETTES)
    _sky(draw, top, bottom, width, height)
    _sun(draw, rng, width, height, _mix(accent, (255, 240, 200), 0.6))
    for layer, shade in enumerate((0.45, 0.7)):
        x = -rng.randint(0, 40)
        while x < width:
            w = rng.randint(50, 130)
            h = rng.uniform(0.25, 0.6 if layer else 0.5) * height
            colour = _mix((40, 48, 70), top, shade - layer * 0.35)
            draw.rectangle([x, height - h, x + w, height], fill=colour)
            lit = _mix(accent, (255, 240, 200), 0.6)
            for wy in range(int(height - h + 14), height - 10, 22):
                for wx in range(x + 10, x + w - 10, 18):
                    if rng.random() < 0.35:
                        draw.rectangle([wx, wy, wx + 7, wy + 10], fill=lit)
            x += w + rng.randint(4, 20)


def _river(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int) -> None:
    top, bottom, accent = rng.choice(PALETTES)
    _sky(draw, top, bottom, width, height)
    _sun(draw, rng, width, height, _mix(accent, (255, 240, 200), 0.6))
    _ridge(draw, rng, width, height, 0.5, _mix((70, 90, 110), top, 0.3))
    water_top = int(height * 0.62)
    for y in range(water_top, height):
        t = (y - water_top) / (height - water_top)
        draw.line(
            [(0, y), (width, y)], fill=_mix(_mix(bottom, (60, 110, 160), 0.4), (30, 60, 100), t)
        )
    for _ in range(40):
        glint_y = rng.uniform(water_top + 10, height - 10)
        x = rng.uniform(0, width)
        length = rng.uniform(30, 140) * (glint_y / height)
        draw.line(
            [(x, glint_y), (x + length, glint_y)], fill=_mix(accent, (255, 255, 255), 0.5), width=3
        )


def _pitch(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int) -> None:
    top, bottom, _accent = rng.choice(PALETTES)
    _sky(draw, top, bottom, width, height)
    horizon = int(height * 0.42)
    stripes = 10
    for i in range(stripes):
        y0 = horizon + (height - horizon) * (i / stripes) ** 1.4
        y1 = horizon + (height - horizon) * ((i + 1) / stripes) ** 1.4
        green = (64, 148, 74) if i % 2 else (78, 166, 86)
        draw.rectangle([0, y0, width, y1], fill=green)
    white = (240, 244, 236)
    cx = width * rng.uniform(0.4, 0.6)
    draw.line([(cx, horizon), (cx + (cx - width / 2) * 0.6, height)], fill=white, width=5)
    ellipse = [cx - width * 0.18, height * 0.58, cx + width * 0.18, height * 0.78]
    draw.ellipse(ellipse, outline=white, width=5)
    for x in range(0, width, 60):  # the stand beyond the pitch
        h = rng.uniform(0.04, 0.09) * height
        draw.rectangle([x, horizon - h, x + 56, horizon], fill=_mix((60, 70, 90), top, 0.4))


def _circuit(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int) -> None:
    top, bottom, accent = rng.choice(PALETTES)
    _sky(draw, _mix(top, (16, 24, 48), 0.7), _mix(bottom, (30, 40, 70), 0.7), width, height)
    lines = _mix(accent, (160, 220, 255), 0.5)
    for _ in range(26):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        for _ in range(rng.randint(2, 5)):
            if rng.random() < 0.5:
                nx, ny = x + rng.choice((-1, 1)) * rng.uniform(40, 200), y
            else:
                nx, ny = x, y + rng.choice((-1, 1)) * rng.uniform(40, 160)
            draw.line([(x, y), (nx, ny)], fill=lines, width=3)
            x, y = nx, ny
        draw.ellipse([x - 7, y - 7, x + 7, y + 7], fill=lines)
    cx, cy, side = width * rng.uniform(0.35, 0.65), height * 0.5, height * 0.22
    draw.rounded_rectangle(
        [cx - side, cy - side, cx + side, cy + side],
        radius=24,
        fill=_mix(accent, (20, 30, 50), 0.5),
    )
    draw.rounded_rectangle(
        [cx - side * 0.6, cy - side * 0.6, cx + side * 0.6, cy + side * 0.6],
        radius=12,
        outline=lines,
        width=4,
    )


SCENES: dict[str, tuple[Scene, str]] = {
    "city": (_city, "城市天际线"),
    "hills": (_hills, "起伏的山丘"),
    "river": (_river, "江面与远山"),
    "pitch": (_pitch, "绿茵球场"),
    "circuit": (_circuit, "电路板纹样"),
}
CATEGORY_SCENES = {
    "头条": "city", "财经": "city", "房产": "city", "国际": "city",
    "旅游": "hills", "健康": "hills", "教育": "hills", "军事": "hills",
    "文化": "river", "艺术": "river", "时尚": "river", "娱乐": "river",
    "体育": "pitch",
    "科技": "circuit", "手机": "circuit", "数码": "circuit", "游戏": "circuit", "汽车": "circuit",
}  # fmt: skip


def illustration(*, key: str, category: str, size: tuple[int, int]) -> tuple[bytes, str]:
    """A JPEG for ``key`` (an article's id) in its category's scene, and its alt text."""
    seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    rng = random.Random(seed)  # noqa: S311 - pictures, not secrets: the same id, the same picture
    scene, subject = SCENES[CATEGORY_SCENES.get(category, rng.choice(sorted(SCENES)))]
    width, height = size
    image = Image.new("RGB", size)
    scene(ImageDraw.Draw(image), rng, width, height)
    image = image.filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue(), f"示意插图：{subject}"
