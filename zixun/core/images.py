"""Uploaded images: checked, decoded by content, re-encoded without metadata. No ORM here.

The caller stores the returned bytes; nothing of the upload is kept. Decoding
and re-encoding is what makes an upload safe to serve: the type comes from the
content (never from a file name or a declared content type), and the output
holds only pixels, so EXIF (GPS, camera serials), XMP, ICC profiles, comments
and any payload appended to a polyglot file are dropped.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageFile, ImageOps

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
IMAGE_TOO_BIG_DECODED = _("图片解码后过大：这类图片最多 %(limit)s 百万像素，请缩小尺寸后再上传")
IMAGE_TOO_SMALL = _("图片至少须为 %(side)s×%(side)s 像素")
ALT_REQUIRED = _("请为图片填写替代文字")

_SIXTEEN_BIT_GREY = {"I", "I;16", "I;16B", "I;16L", "I;16N"}
# Pillow holds one byte per pixel for these modes and four for every other one
# (RGB included: it pads to 32 bits), and 16-bit grey is widened to 32-bit "I"
# before it is scaled to 8 bits.
_ONE_BYTE_MODES = {"1", "L", "P"}
_SWAPPED_ORIENTATIONS = {5, 6, 7, 8}


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
    """The alt text with whitespace (and any NUL) collapsed; raises ImageError when empty."""
    text = " ".join(value.replace("\x00", " ").split())
    if not text:
        raise ImageError(ALT_REQUIRED)
    return text


def image_format_sniff(data: bytes) -> bool:
    """True if the header says an allowed image format; nothing is decoded (a cheap first
    check: image_process still decides)."""
    try:
        with Image.open(io.BytesIO(data)) as header:
            return header.format in ALLOWED_FORMATS
    except Exception:
        return False


def image_process(
    data: bytes,
    *,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    widths: tuple[int, ...] = (320, 960),
    max_decoded_bytes: int | None = None,
    square: int | None = None,
) -> ProcessedImage:
    """Check, decode and re-encode an upload; raises ImageError with a reader-facing reason.

    Cheapest checks first: the byte count before anything is parsed, then the
    format and dimensions from the header before any pixel is decompressed,
    then the memory the decoded pixels would take. The limits default to the
    site's settings (ZIXUN_UPLOAD_MAX_BYTES, _MAX_PIXELS, _MAX_DECODED_BYTES). A JPEG is decoded at a
    reduced scale (1/2, 1/4, 1/8) when it is wider than needed, so only its
    reduced size counts; other formats are decoded whole, then reduced by an
    integer factor before any other copy is made. Peak memory is about 3.5 ×
    ``max_decoded_bytes`` (the decoded pixels, a clean copy, the encoder's
    buffers: `make bench ONLY=uploads`).

    ``square`` (a side in pixels, for avatars) crops the middle square of the image
    and scales it to at most that side, so that nothing is stretched where it is
    shown round or square.
    """
    if any(width <= 0 for width in widths) or (square is not None and square <= 0):
        raise ValueError("widths and square must be positive")
    if max_bytes is None:
        max_bytes = int(settings.ZIXUN_UPLOAD_MAX_BYTES)
    if max_pixels is None:
        max_pixels = int(settings.ZIXUN_UPLOAD_MAX_PIXELS)
    if max_decoded_bytes is None:
        max_decoded_bytes = int(settings.ZIXUN_UPLOAD_MAX_DECODED_BYTES)
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
        width, height = image.size
        if image.format == "JPEG":
            # A JPEG's EXIF block comes before its pixels (a PNG's may come after them:
            # its getexif() decodes the whole image, so it is read after the check).
            width, height = _displayed_size(image)
            _draft_jpeg(image, displayed_width=width, max_decoded_bytes=max_decoded_bytes)
        _check_decoded_size(image, max_decoded_bytes=max_decoded_bytes)
        image.load()
        if image.format != "JPEG":
            width, height = _displayed_size(image)
        swapped = image.getexif().get(ExifTags.Base.Orientation, 1) in _SWAPPED_ORIENTATIONS
        pixels = _plain_pixels(image, swapped=swapped)
        del image
    original = _scaled(_square(pixels) if square else pixels, square or MAX_WIDTH)
    del pixels
    renditions = [
        _encode(_scaled(original, width), name=f"w{width}")
        for width in sorted(set(widths))
        if width < original.width
    ]
    return ProcessedImage(
        width=width,
        height=height,
        format=source_format,
        original=_encode(original, name="original"),
        renditions=renditions,
    )


def _draft_jpeg(image: Image.Image, *, displayed_width: int, max_decoded_bytes: int) -> None:
    """Have the JPEG decoder scale the image down by 2, 4 or 8 (DCT scaling, no full-size
    copy): the most that keeps it MAX_WIDTH wide, or if that does not fit the budget, the
    least that fits (a narrower original rather than a refusal)."""
    per_pixel = _bytes_per_pixel(image.mode) + _converted_bytes_per_pixel(image.mode)

    def fits(divisor: int) -> bool:
        pixels = math.ceil(image.width / divisor) * math.ceil(image.height / divisor)
        return pixels * per_pixel <= max_decoded_bytes

    sharp = [d for d in (1, 2, 4, 8) if d == 1 or displayed_width / d >= MAX_WIDTH]
    divisor = max(sharp)
    if not fits(divisor):
        divisor = next((d for d in (2, 4, 8) if d > divisor and fits(d)), divisor)
    if divisor > 1:
        size = (math.ceil(image.width / divisor), math.ceil(image.height / divisor))
        image.draft(image.mode, size)


def _displayed_size(image: Image.Image) -> tuple[int, int]:
    """The full size of the upload once its EXIF orientation is applied."""
    width, height = image.size
    if image.getexif().get(ExifTags.Base.Orientation, 1) in _SWAPPED_ORIENTATIONS:
        return height, width
    return width, height


def _bytes_per_pixel(mode: str) -> int:
    """What Pillow holds per pixel for a decoded image of this mode."""
    if mode in _ONE_BYTE_MODES:
        return 1
    if mode in _SIXTEEN_BIT_GREY - {"I"}:
        return 2
    return 4


def _converted_bytes_per_pixel(mode: str) -> int:
    """What the full-size conversion to L, RGB, RGBA (or 32-bit I for 16-bit grey) adds."""
    if mode in {"L", "RGB", "RGBA"}:
        return 0
    return 1 if mode == "1" else 4


def _check_decoded_size(image: Image.Image, *, max_decoded_bytes: int) -> None:
    """Refuse, before decoding, an image whose pixels would not fit the budget.

    The budget counts the decoded pixels in Pillow's mode and, when the mode
    is not already L, RGB or RGBA, the converted copy (four bytes a pixel for
    colour, one for grey): a palette PNG costs 1 + 4 bytes a pixel.
    """
    pixels = image.width * image.height
    per_pixel = _bytes_per_pixel(image.mode) + _converted_bytes_per_pixel(image.mode)
    if pixels * per_pixel > max_decoded_bytes:
        limit = max_decoded_bytes / per_pixel / 1_000_000
        raise ImageError(IMAGE_TOO_BIG_DECODED, limit=f"{math.floor(limit * 10) / 10:g}")


def _reduced(image: Image.Image, *, swapped: bool) -> Image.Image:
    """The image shrunk by the largest integer factor that keeps it at least MAX_WIDTH
    wide once oriented (a box filter, cheap), so that later copies stay small."""
    factor = (image.height if swapped else image.width) // MAX_WIDTH
    if factor < 2:
        return image
    return image.reduce(factor)


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


def _plain_pixels(image: Image.Image, *, swapped: bool) -> Image.Image:
    """The pixels as L, RGB or RGBA in a new image with an empty ``info``, oriented and
    reduced to at least MAX_WIDTH wide.

    Pillow carries ``info`` (exif, icc_profile, xmp, comment, dpi) through
    convert() and copy(), and some encoders read it back, so the pixels are
    pasted into a fresh image instead. Colour is converted naively, without
    the ICC profile: CMYK and wide-gamut uploads may shift slightly. At most
    two full-size copies live at once: the decoded one and its conversion;
    everything after works on the reduced image.
    """
    if image.mode in _SIXTEEN_BIT_GREY:
        # convert("L") would clip 16-bit values at 255 instead of scaling them.
        image = _reduced(image.convert("I"), swapped=swapped)
        image = image.point(lambda value: value / 256).convert("L")
    else:
        if image.has_transparency_data:
            if image.mode != "RGBA":
                image = image.convert("RGBA")
        elif image.mode not in {"L", "RGB"}:
            image = image.convert("L" if image.mode == "1" else "RGB")
        image = _reduced(image, swapped=swapped)
    # convert() and reduce() carry the EXIF block, so the orientation is still there.
    ImageOps.exif_transpose(image, in_place=True)
    mode = image.mode
    if mode == "RGBA":
        # Many screenshots are RGBA with every pixel opaque: treat them as opaque.
        alpha_low, _ = image.getchannel("A").getextrema()
        if alpha_low == 255:
            mode = "RGB"
            image = image.convert(mode)
    clean = Image.new(mode, image.size)
    clean.paste(image)
    return clean


def _square(image: Image.Image) -> Image.Image:
    """The middle square of the image (the top square of a tall one: faces are near the top)."""
    side = min(image.size)
    left = (image.width - side) // 2
    top = 0 if image.height > image.width else (image.height - side) // 2
    return image.crop((left, top, left + side, top + side))


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
