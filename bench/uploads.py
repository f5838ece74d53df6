"""The `uploads` part: peak memory and time of one upload, hostile or normal, in a fresh process.

Each file goes through ``zixun.core.images.image_process`` with the settings' limits in a new
Python process (Django set up, the file already read), which reports its peak resident set
size (``ru_maxrss``) before and after the call: the difference is what the upload cost a worker.
The goal is at most ``GOAL_MB`` above that baseline for every file, accepted or refused.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.errors import BenchError
from zixun.core.testing import png_blank

GOAL_MB = 100.0

# Runs in the child: Django's settings, then one image_process call between two peak readings.
CHILD = """
import json, resource, sys, time
import django
django.setup()
from django.conf import settings
from zixun.core.testing import png_blank
from zixun.core.images import ImageError, image_process
data = open(sys.argv[1], "rb").read()

def status_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)

try:
    # Reset the high-water mark (VmHWM) to the current RSS: the baseline is then this
    # moment, not whatever peak Django's start-up reached.
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    before, source = status_kb("VmRSS"), "VmHWM"
except OSError:
    before, source = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "ru_maxrss"
start = time.perf_counter()
try:
    result = image_process(
        data, max_bytes=settings.ZIXUN_UPLOAD_MAX_BYTES,
        max_pixels=settings.ZIXUN_UPLOAD_MAX_PIXELS,
    )
    outcome = f"accepted ({result.original.width}x{result.original.height})"
except ImageError as error:
    outcome = f"refused: {error}"
seconds = time.perf_counter() - start
if source == "VmHWM":
    after = status_kb("VmHWM")
else:
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "before_kb": before, "after_kb": after, "seconds": seconds, "outcome": outcome,
    "source": source,
}))
"""


@dataclass(frozen=True)
class UploadResult:
    name: str
    what: str
    file_bytes: int
    outcome: str
    peak_mb: float  # peak RSS above the process's baseline
    seconds: float


def _encoded(image: object, image_format: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **params)  # type: ignore[attr-defined]
    return buffer.getvalue()


def _photo_jpeg(width: int, height: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for step in range(0, width, 97):
        draw.line([(step, 0), (width - step, height)], fill=(200, step % 255, 40), width=9)
    return _encoded(image, "JPEG", quality=85)


def _many_frames_gif() -> bytes:
    from PIL import Image

    frames = [Image.new("P", (800, 600), index % 200) for index in range(300)]
    return _encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=20)


def _truncated_jpeg() -> bytes:
    data = _photo_jpeg(3000, 2000)
    return data[: len(data) // 2]


def _screenshot_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1080, 2400), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    for top in range(0, 2400, 60):
        draw.rectangle([(40, top + 10), (1040, top + 40)], fill=(top % 255, 80, 160))
    return _encoded(image, "PNG")


# name, what it is, how to make it
FILES: list[tuple[str, str, Callable[[], bytes]]] = [
    (
        "rgba_png_6320",
        "the audit's file: 6320×6320 RGBA PNG, 155 KB",
        lambda: png_blank(6320, 6320, depth=8, colour=6, channels=4),
    ),
    ("large_jpeg", "7000×5000 JPEG photo (35 MP)", lambda: _photo_jpeg(7000, 5000)),
    (
        "png_16_bit",
        "16-bit grey PNG, 6000×6000",
        lambda: png_blank(6000, 6000, depth=16, colour=0, channels=1),
    ),
    (
        "png_16_bit_rgba",
        "16-bit RGBA PNG, 4000×4000",
        lambda: png_blank(4000, 4000, depth=16, colour=6, channels=4),
    ),
    ("gif_many_frames", "GIF of 300 frames, 800×600", _many_frames_gif),
    (
        "bomb_png",
        "decompression bomb: 1-bit PNG of 30000×30000",
        lambda: png_blank(30000, 30000, depth=1, colour=0, channels=1),
    ),
    ("truncated_jpeg", "a 3000×2000 JPEG cut in half", _truncated_jpeg),
    ("normal_jpeg", "a 4000×3000 phone photo", lambda: _photo_jpeg(4000, 3000)),
    ("normal_png", "a 1080×2400 phone screenshot", _screenshot_png),
    (
        "long_rgb_png",
        "the largest accepted kind: 1080×5800 RGB PNG (long screenshot)",
        lambda: png_blank(1080, 5800, depth=8, colour=2, channels=3),
    ),
    (
        "long_rgba_png",
        "1080×5800 RGBA PNG, transparent",
        lambda: png_blank(1080, 5800, depth=8, colour=6, channels=4),
    ),
]


def measure_one(*, root: Path, env: dict[str, str], path: Path) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise BenchError(f"upload measurement failed for {path.name}:\n{completed.stderr[-2000:]}")
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def measure_uploads(*, root: Path, env: dict[str, str]) -> list[UploadResult]:
    child_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(root)}
    results: list[UploadResult] = []
    with tempfile.TemporaryDirectory(prefix="zixun-uploads-") as directory:
        for name, what, make in FILES:
            path = Path(directory) / name
            path.write_bytes(make())
            raw = measure_one(root=root, env=child_env, path=path)
            peak_mb = (int(str(raw["after_kb"])) - int(str(raw["before_kb"]))) / 1024
            result = UploadResult(
                name=name,
                what=what,
                file_bytes=path.stat().st_size,
                outcome=str(raw["outcome"]),
                peak_mb=round(peak_mb, 1),
                seconds=round(float(str(raw["seconds"])), 3),
            )
            print(
                f"[bench] upload {name}: {result.peak_mb} MB above baseline, "
                f"{result.seconds} s, {result.outcome}",
                flush=True,
            )
            results.append(result)
    return results


def uploads_as_dict(results: list[UploadResult]) -> dict[str, object]:
    worst = max((r.peak_mb for r in results), default=0.0)
    return {
        "goal_peak_mb": GOAL_MB,
        "worst_peak_mb": worst,
        "meets_goal": worst <= GOAL_MB,
        "files": [asdict(r) for r in results],
    }


if __name__ == "__main__":  # pragma: no cover - a quick run without the rest of the bench
    here = Path(__file__).resolve().parent.parent
    print(json.dumps(uploads_as_dict(measure_uploads(root=here, env=dict(os.environ))), indent=2))
