"""`zixun collectstatic` with the production storage compresses every text file ahead of time, as
gzip and as Brotli (the pinned `Brotli`), so neither WhiteNoise nor nginx compresses per request."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import brotli
from whitenoise.compress import Compressor

ROOT = Path(__file__).resolve().parent.parent


def test_whitenoise_writes_gzip_and_brotli_beside_a_stylesheet(tmp_path):
    # the compressor CompressedManifestStaticFilesStorage runs after collectstatic
    css = tmp_path / "site.css"
    shutil.copy(ROOT / "zixun" / "web" / "static" / "web" / "site.css", css)
    compressor = Compressor(quiet=True)
    assert compressor.use_brotli, "WhiteNoise does not find the brotli package"
    written = set(compressor.compress(str(css)))
    assert written == {f"{css}.gz", f"{css}.br"}
    original = css.read_bytes()
    assert brotli.decompress(Path(f"{css}.br").read_bytes()) == original
    assert gzip.decompress(Path(f"{css}.gz").read_bytes()) == original
    assert len(Path(f"{css}.br").read_bytes()) < len(Path(f"{css}.gz").read_bytes())
