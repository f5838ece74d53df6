"""The figures of an evaluation as a PNG: one panel per metric, a bar per method with its
95% interval. Drawn with Pillow and its built-in font (no plotting library, no font file)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from zixun.ranking.metrics import LABELS

COLOURS = [(120, 120, 120), (38, 104, 170), (214, 140, 40), (200, 30, 40), (60, 140, 80)]
PANEL_WIDTH, HEIGHT, MARGIN = 300, 360, 40


def plot_write(methods: Sequence[Mapping[str, Any]], path: Path) -> None:
    """Write the bar chart of ``methods`` (the ``--json`` rows) to ``path``."""
    image = Image.new("RGB", (PANEL_WIDTH * len(LABELS), HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=15)
    small = ImageFont.load_default(size=12)
    plot_top, plot_bottom = MARGIN, HEIGHT - 70
    for panel, (key, label) in enumerate(LABELS.items()):
        left = panel * PANEL_WIDTH + MARGIN
        right = (panel + 1) * PANEL_WIDTH - 15
        draw.text((left, 10), label, fill="black", font=font)
        draw.line([(left, plot_bottom), (right, plot_bottom)], fill="black")
        for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
            y = plot_bottom - tick * (plot_bottom - plot_top)
            draw.line([(left, y), (right, y)], fill=(230, 230, 230))
            draw.text((left - 32, y - 7), f"{tick:.2f}", fill="grey", font=small)
        width = (right - left) / max(1, len(methods))
        for index, method in enumerate(methods):
            value, low, high = (float(method[k]) for k in (key, f"{key}_low", f"{key}_high"))
            x0 = left + index * width + width * 0.15
            x1 = left + (index + 1) * width - width * 0.15
            top = plot_bottom - value * (plot_bottom - plot_top)
            draw.rectangle([x0, top, x1, plot_bottom], fill=COLOURS[index % len(COLOURS)])
            middle = (x0 + x1) / 2
            y_low = plot_bottom - low * (plot_bottom - plot_top)
            y_high = plot_bottom - high * (plot_bottom - plot_top)
            draw.line([(middle, y_low), (middle, y_high)], fill="black", width=2)
            draw.text((x0, top - 16), f"{value:.3f}", fill="black", font=small)
            draw.text((x0, plot_bottom + 6), str(method["name"])[:10], fill="black", font=small)
    image.save(path, "PNG", optimize=True)
