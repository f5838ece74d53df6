"""QR codes for the share menu, as inline SVG (no image library needed)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg


def qr_svg(data: str) -> bytes:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    result: bytes = image.to_string(encoding="unicode").encode()
    return result
