"""Uploaded images: checked, decoded by content, re-encoded without metadata. No ORM here.

The caller stores the returned bytes; nothing of the upload is kept. Decoding
and re-encoding is what makes an upload safe to serve: the type comes from the
content (never from a file name or a declared content type), and the output
holds only pixels, so EXIF (GPS, camera serials), XMP, ICC profiles, comments
and any payload appended to a polyglot file are dropped.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps

from zixun.core.errors import ServiceError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MIN_SIDE = 16
MAX_WIDTH = 2000  # full-width display on high-density screens; wider only costs storage
JPEG_QUALITY = 85
MEGABYTE = 1024 * 1024

IMAGE_TOO_LARGE = _("图片不能超过 %(limit)s MB")
IMAGE_TOO_MANY_PIXELS = _("图片尺寸过大，像素数不能超过 %(limit)s")
IMAGE_NOT_AN_IMAGE = _("文件不是可识别的图片")
IMAGE_FORMAT_NOT_ALLOWED = _("只支持 JPEG、PNG、WebP 和 GIF 图片")
IMAGE_TOO_SMALL = _("图片至少须为 %(side)s×%(side)s 像素")
ALT_REQUIRED = _("请为图片填写替代文字")

_SIXTEEN_BIT_GREY = {"I", "I;16", "I;16B", "I;16L", "I;16N"}


class ImageError(ServiceError):
    pass


@dataclass(frozen=True)
class Rendition:
    name: str  # "original", or "w320" for the 320 px wide one
    width: int
    height: int
    content: bytes
    extension: str  # "jpg" or "png", without the dot


@dataclass(frozen=True)
class ProcessedImage:
    width: int  # of the upload as displayed, after its EXIF orientation
    height: int
    format: str  # detected from the content: one of ALLOWED_FORMATS
    original: Rendition  # the upload capped at MAX_WIDTH
    renditions: list[Rendition]  # narrowest first


def alt_text_clean(value: str) -> str:
    """The alt text with whitespace collapsed; raises ImageError when empty."""
    text = " ".join(value.split())
    if not text:
        raise ImageError(ALT_REQUIRED)
    return text


def image_process(
    data: bytes, *, max_bytes: int, max_pixels: int, widths: tuple[int, ...] = (320, 960)
) -> ProcessedImage:
    """Check, decode and re-encode an upload; raises ImageError with a reader-facing reason.

    Cheapest checks first: the byte count before anything is parsed, then the
    format and dimensions from the header before any pixel is decompressed.
    Peak memory is a few decoded copies of at most ``max_pixels`` RGBA pixels.
    """
    if any(width <= 0 for width in widths):
        raise ValueError("widths must be positive")
    if len(data) > max_bytes:
        raise ImageError(IMAGE_TOO_LARGE, limit=f"{round(max_bytes / MEGABYTE, 1):g}")
    with _decoding(max_pixels=max_pixels):
        header = Image.open(io.BytesIO(data))
        source_format = _checked_format(header, max_pixels=max_pixels)
        header.verify()
        # verify() leaves the image unusable, so decode from a fresh open.
        # Animated GIF, WebP and PNG keep their first frame only: articles show
        # stills, and decoding every frame would multiply the pixel budget.
        image = Image.open(io.BytesIO(data))
        image.load()
        oriented = ImageOps.exif_transpose(image) or image
        pixels = _plain_pixels(oriented)
    original = _scaled(pixels, MAX_WIDTH)
    renditions = [
        _encode(_scaled(original, width), name=f"w{width}")
        for width in sorted(set(widths))
        if width < original.width
    ]
    return ProcessedImage(
        width=pixels.width,
        height=pixels.height,
        format=source_format,
        original=_encode(original, name="original"),
        renditions=renditions,
    )


@contextmanager
def _decoding(*, max_pixels: int) -> Iterator[None]:
    try:
        yield
    except ImageError:
        raise
    # Pillow refuses more than 2 * Image.MAX_IMAGE_PIXELS on its own and warns
    # above it; the warning is raised where warnings are errors (tests). The
    # filter is not changed here: catch_warnings is process-wide, not
    # thread-safe, before Python 3.14.
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError(IMAGE_TOO_MANY_PIXELS, limit=max_pixels) from error
    # Malformed input makes Pillow raise OSError, SyntaxError, ValueError,
    # EOFError, struct.error, IndexError and more; its own fuzzers catch Exception.
    except Exception as error:
        raise ImageError(IMAGE_NOT_AN_IMAGE) from error


def _checked_format(image: ImageFile.ImageFile, *, max_pixels: int) -> str:
    if image.format is None or image.format not in ALLOWED_FORMATS:
        raise ImageError(IMAGE_FORMAT_NOT_ALLOWED)
    width, height = image.size
    if width * height > max_pixels:
        raise ImageError(IMAGE_TOO_MANY_PIXELS, limit=max_pixels)
    if min(width, height) < MIN_SIDE:
        raise ImageError(IMAGE_TOO_SMALL, side=MIN_SIDE)
    return image.format


def _plain_pixels(image: Image.Image) -> Image.Image:
    """The pixels as L, RGB or RGBA in a new image with an empty ``info``.

    Pillow carries ``info`` (exif, icc_profile, xmp, comment, dpi) through
    convert() and copy(), and some encoders read it back, so the pixels are
    pasted into a fresh image instead. Colour is converted naively, without
    the ICC profile: CMYK and wide-gamut uploads may shift slightly.
    """
    if image.mode in _SIXTEEN_BIT_GREY:
        # convert("L") would clip 16-bit values at 255 instead of scaling them.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.has_transparency_data:
        mode = "RGBA"
        converted = image.convert(mode)
        # Many screenshots are RGBA with every pixel opaque: treat them as opaque.
        alpha_low, _ = converted.getchannel("A").getextrema()
        if alpha_low == 255:
            mode = "RGB"
            converted = converted.convert(mode)
    else:
        mode = "L" if image.mode in {"1", "L"} else "RGB"
        converted = image.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def _scaled(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: Image.Image, *, name: str) -> Rendition:
    # JPEG for opaque images and PNG for transparent ones rather than WebP for
    # both: every browser, RSS reader, mail client and share-card crawler
    # decodes JPEG and PNG, and some in-app browsers and crawlers still do not
    # decode WebP. The cost is larger files for photos with transparency, which
    # are rare; opaque graphics (screenshots) take some JPEG ringing at q85.
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, "PNG")
        extension = "png"
    else:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        extension = "jpg"
    return Rendition(
        name=name,
        width=image.width,
        height=image.height,
        content=buffer.getvalue(),
        extension=extension,
    )
