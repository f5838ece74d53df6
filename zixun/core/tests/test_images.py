import json
import struct
import subprocess
import sys
import zlib
from io import BytesIO

import pytest
from django.utils import translation
from PIL import ExifTags, Image, ImageFile, PngImagePlugin

from zixun.core.images import (
    ALLOWED_FORMATS,
    ALT_REQUIRED,
    IMAGE_FORMAT_NOT_ALLOWED,
    IMAGE_NOT_AN_IMAGE,
    IMAGE_TOO_BIG_DECODED,
    IMAGE_TOO_LARGE,
    IMAGE_TOO_MANY_PIXELS,
    IMAGE_TOO_SMALL,
    MEGABYTE,
    MIN_SIDE,
    ImageError,
    ProcessedImage,
    alt_text_clean,
    image_process,
)
from zixun.core.testing import exactly, png_blank, png_chunk

MAX_BYTES = 5 * MEGABYTE
MAX_PIXELS = 40_000_000
RED = (255, 0, 0)
BLUE = (0, 0, 255)


def encode(image, image_format, **params):
    buffer = BytesIO()
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def process(data, **overrides):
    options = {"max_bytes": MAX_BYTES, "max_pixels": MAX_PIXELS, **overrides}
    return image_process(data, **options)


def opened(rendition):
    return Image.open(BytesIO(rendition.content))


def all_renditions(result: ProcessedImage):
    return [result.original, *result.renditions]


def close_to(pixel, colour, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


def png_bilevel(width, height, *, rows=True):
    """A 1-bit PNG of the given size; its IDAT is all zeros, or 16 bytes if not ``rows``."""
    compressor = zlib.compressobj(9)
    if rows:
        row = b"\0" * (1 + (width + 7) // 8)
        idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    else:
        idat = zlib.compress(b"\0" * 16)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def jpeg_with_metadata(size=(400, 300), orientation=None):
    image = Image.new("RGB", size, RED)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ZixunSecretCam"
    exif[ExifTags.Base.BodySerialNumber] = "SERIAL-4242"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0),
        ExifTags.GPS.GPSAreaInformation: "ZixunHomeAddress",
    }
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    return encode(
        image,
        "JPEG",
        exif=exif,
        icc_profile=b"ZIXUN-ICC-PROFILE",
        xmp=b"<x:xmpmeta>ZIXUN-XMP</x:xmpmeta>",
        comment=b"ZIXUN-COMMENT",
    )


METADATA_MARKERS = [
    b"ZixunSecretCam",
    b"SERIAL-4242",
    b"ZixunHomeAddress",
    b"ZIXUN-ICC-PROFILE",
    b"ZIXUN-XMP",
    b"ZIXUN-COMMENT",
    b"Exif\0\0",
]


def test_jpeg_metadata_is_removed():
    # given: GPS, camera make, serial number, ICC, XMP and a comment
    data = jpeg_with_metadata()
    assert all(marker in data for marker in METADATA_MARKERS)
    # when
    result = process(data, widths=(320,))
    # then
    assert [r.name for r in all_renditions(result)] == ["original", "w320"]
    for rendition in all_renditions(result):
        assert not any(marker in rendition.content for marker in METADATA_MARKERS)
        image = opened(rendition)
        assert len(image.getexif()) == 0
        assert not {"exif", "xmp", "icc_profile", "comment"} & image.info.keys()


def test_png_text_and_exif_are_removed():
    # given
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "ZIXUN-PNG-TEXT")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ZixunSecretCam"
    data = encode(Image.new("RGBA", (40, 40), (*RED, 128)), "PNG", pnginfo=info, exif=exif)
    # when
    result = process(data)
    # then
    assert b"ZIXUN-PNG-TEXT" not in result.original.content
    assert b"ZixunSecretCam" not in result.original.content
    assert len(opened(result.original).getexif()) == 0


def test_exif_orientation_is_applied_and_then_dropped():
    # given: stored 64 wide, red on the left, blue on the right; orientation 6
    # means "rotate 90° clockwise to display", so red ends up on top
    image = Image.new("RGB", (64, 32), BLUE)
    image.paste(RED, (0, 0, 32, 32))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    data = encode(image, "JPEG", exif=exif, quality=95)
    # when
    result = process(data)
    # then
    assert (result.width, result.height) == (32, 64)
    out = opened(result.original).convert("RGB")
    assert out.size == (32, 64)
    assert close_to(out.getpixel((16, 8)), RED)
    assert close_to(out.getpixel((16, 56)), BLUE)
    assert ExifTags.Base.Orientation not in out.getexif()


def test_orientation_and_metadata_together():
    # when
    result = process(jpeg_with_metadata(size=(400, 300), orientation=6))
    # then
    assert (result.original.width, result.original.height) == (300, 400)
    assert not any(marker in result.original.content for marker in METADATA_MARKERS)


def test_png_with_alpha_stays_png_with_alpha():
    # given: half transparent, half opaque
    image = Image.new("RGBA", (400, 100), (*RED, 255))
    image.paste((0, 0, 255, 0), (0, 0, 200, 100))
    # when
    result = process(encode(image, "PNG"), widths=(320,))
    # then
    assert result.format == "PNG"
    for rendition in all_renditions(result):
        assert rendition.extension == "png"
        out = opened(rendition)
        assert (out.format, out.mode) == ("PNG", "RGBA")
        assert out.getpixel((10, 10))[3] == 0
        assert out.getpixel((out.width - 10, 10)) == (*RED, 255)


def test_rgba_png_with_no_transparent_pixel_becomes_jpeg():
    # given: a screenshot saved as RGBA, every pixel opaque
    data = encode(Image.new("RGBA", (100, 100), (*RED, 255)), "PNG")
    # when
    result = process(data)
    # then
    assert result.original.extension == "jpg"
    assert opened(result.original).format == "JPEG"


def test_gif_with_transparency_becomes_png_with_alpha():
    # given
    image = Image.new("P", (40, 40), 0)
    image.putpalette([0, 0, 0, 255, 0, 0])
    image.paste(1, (20, 0, 40, 40))
    data = encode(image, "GIF", transparency=0)
    # when
    result = process(data)
    # then
    out = opened(result.original)
    assert (result.format, result.original.extension, out.mode) == ("GIF", "png", "RGBA")
    assert out.getpixel((5, 5))[3] == 0
    assert out.getpixel((35, 5)) == (*RED, 255)


def test_animated_gif_keeps_only_the_first_frame():
    # given
    frames = [Image.new("RGB", (40, 40), colour) for colour in (RED, BLUE, (0, 255, 0))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert Image.open(BytesIO(data)).n_frames == 3
    # when
    result = process(data)
    # then
    out = opened(result.original)
    assert out.format == "JPEG"
    assert close_to(out.convert("RGB").getpixel((20, 20)), RED)


def test_webp_is_accepted_and_becomes_jpeg():
    # when
    result = process(encode(Image.new("RGB", (50, 40), RED), "WEBP"))
    # then
    assert (result.format, result.original.extension) == ("WEBP", "jpg")
    assert (result.original.width, result.original.height) == (50, 40)


def test_cmyk_jpeg_becomes_rgb():
    # when
    result = process(encode(Image.new("CMYK", (40, 40), (0, 255, 255, 0)), "JPEG"))
    # then
    out = opened(result.original)
    assert out.mode == "RGB"
    assert close_to(out.getpixel((20, 20)), RED)


def test_grayscale_stays_grayscale_and_16_bit_is_scaled_not_clipped():
    # given: a 16-bit grey PNG at half intensity
    image = Image.new("I;16", (40, 40), 32768)
    # when
    result = process(encode(image, "PNG"))
    # then
    out = opened(result.original)
    assert out.mode == "L"
    assert abs(out.getpixel((20, 20)) - 128) <= 2


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (1200, [(320, 160), (960, 480)]),
        (960, [(320, 160)]),
        (500, [(320, 160)]),
        (320, []),
        (100, []),
    ],
)
def test_one_rendition_per_width_narrower_than_the_image(width, expected):
    # given
    data = encode(Image.new("RGB", (width, width // 2), RED), "JPEG")
    # when
    result = process(data)
    # then
    assert [(r.width, r.height) for r in result.renditions] == expected
    assert [r.name for r in result.renditions] == [f"w{w}" for w, _ in expected]
    for rendition in result.renditions:
        assert opened(rendition).size == (rendition.width, rendition.height)
    assert (result.original.width, result.original.height) == (width, width // 2)


def test_widths_are_sorted_and_deduplicated():
    # when
    result = process(encode(Image.new("RGB", (800, 400)), "JPEG"), widths=(640, 160, 640))
    # then
    assert [r.width for r in result.renditions] == [160, 640]


def test_non_positive_widths_are_a_programming_error():
    with pytest.raises(ValueError, match="widths"):
        process(encode(Image.new("RGB", (40, 40)), "JPEG"), widths=(0,))


def test_wide_images_are_capped_at_2000_px_keeping_the_aspect_ratio():
    # when
    result = process(encode(Image.new("RGB", (3000, 1500), RED), "JPEG"))
    # then
    assert (result.width, result.height) == (3000, 1500)
    assert (result.original.width, result.original.height) == (2000, 1000)
    assert opened(result.original).size == (2000, 1000)
    assert [r.width for r in result.renditions] == [320, 960]


def test_too_many_bytes_are_refused_before_decoding(monkeypatch):
    # given
    def open_must_not_be_called(*args, **kwargs):
        raise AssertionError("Image.open was called")

    monkeypatch.setattr(Image, "open", open_must_not_be_called)
    # then
    with pytest.raises(ImageError, match=exactly(IMAGE_TOO_LARGE, limit=2)):
        process(b"\xff" * (2 * MEGABYTE + 1), max_bytes=2 * MEGABYTE)


def test_exactly_max_bytes_is_accepted():
    data = encode(Image.new("RGB", (40, 40)), "JPEG")
    assert process(data, max_bytes=len(data)).format == "JPEG"


def test_too_many_pixels_are_refused_before_decoding(monkeypatch):
    # given: a real 8000×8000 PNG (64 MP) that compresses to a few kilobytes
    data = png_bilevel(8000, 8000)
    assert len(data) < 64_000

    def load_must_not_be_called(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load_must_not_be_called)
    # then
    with pytest.raises(ImageError, match=exactly(IMAGE_TOO_MANY_PIXELS, limit=MAX_PIXELS)):
        process(data)


def test_pixel_limit_is_inclusive():
    assert process(encode(Image.new("RGB", (50, 40)), "PNG"), max_pixels=2000).width == 50


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("side", [10_000, 20_000])
def test_pillow_bomb_guard_is_reported_as_too_many_pixels(side):
    # given: a header claiming 100 or 400 megapixels, above Pillow's own
    # limits, while our limit would allow it
    data = png_bilevel(side, side, rows=False)
    # then
    with pytest.raises(ImageError, match=exactly(IMAGE_TOO_MANY_PIXELS, limit=10**12)):
        process(data, max_pixels=10**12)


@pytest.mark.parametrize(
    "data",
    [
        b"just some text, uploaded as photo.jpg\n",
        b"",
        b"<svg onload=alert(1)>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        b"<html><script>alert(1)</script></html>",
        b"\xff\xd8\xff",  # a JPEG signature and nothing else
        b"GIF89a/*\x00\x00\x00\x00*/=alert(1)//",  # a JavaScript/GIF polyglot
    ],
)
def test_non_images_are_refused(data):
    with pytest.raises(ImageError, match=exactly(IMAGE_NOT_AN_IMAGE)):
        process(data)


def test_truncated_jpeg_is_refused():
    # given
    data = encode(Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG", quality=95)
    # then
    with pytest.raises(ImageError, match=exactly(IMAGE_NOT_AN_IMAGE)):
        process(data[: len(data) // 2])


def test_png_with_a_corrupt_chunk_is_refused():
    # given: one byte of the image data flipped, so a CRC no longer matches
    data = bytearray(encode(Image.effect_noise((64, 64), 64), "PNG"))
    data[len(data) // 2] ^= 0xFF
    # then
    with pytest.raises(ImageError, match=exactly(IMAGE_NOT_AN_IMAGE)):
        process(bytes(data))


def test_gif_polyglot_is_re_encoded_without_its_payload():
    # given: a valid GIF with script in its comment block and HTML after its trailer
    payload = b"<script>alert(document.cookie)</script>"
    data = encode(Image.new("RGB", (40, 40), RED), "GIF", comment=payload) + b"<html>" + payload
    assert data.startswith(b"GIF89a")
    # when
    result = process(data)
    # then
    for rendition in all_renditions(result):
        assert b"<script" not in rendition.content
        assert b"<html" not in rendition.content


def test_jpeg_with_html_appended_is_re_encoded_without_it():
    # given
    data = encode(Image.new("RGB", (40, 40), RED), "JPEG") + b"<html><script>alert(1)</script>"
    # when
    result = process(data)
    # then
    assert b"<script" not in result.original.content


@pytest.mark.parametrize("image_format", ["BMP", "TIFF", "ICO", "PPM"])
def test_other_image_formats_are_not_allowed(image_format):
    # given
    data = encode(Image.new("RGB", (40, 40), RED), image_format)
    assert image_format not in ALLOWED_FORMATS
    # then
    with pytest.raises(ImageError, match=exactly(IMAGE_FORMAT_NOT_ALLOWED)):
        process(data)


@pytest.mark.parametrize("size", [(10, 10), (15, 16), (2000, 15), (1, 1)])
def test_images_smaller_than_16_px_are_refused(size):
    with pytest.raises(ImageError, match=exactly(IMAGE_TOO_SMALL, side=MIN_SIDE)):
        process(encode(Image.new("RGB", size), "PNG"))


def test_a_16_px_square_is_accepted():
    result = process(encode(Image.new("RGB", (16, 16), RED), "PNG"))
    assert (result.original.width, result.original.height) == (16, 16)


def test_the_file_name_plays_no_part():
    # given: PNG bytes such as an upload named photo.jpg would carry
    data = encode(Image.new("RGB", (40, 40), RED), "PNG")
    # then: the format comes from the content
    assert process(data).format == "PNG"


def test_alt_text_is_required():
    for value in ["", "   ", "\n\t\u3000"]:
        with pytest.raises(ImageError, match=exactly(ALT_REQUIRED)):
            alt_text_clean(value)


def test_alt_text_whitespace_is_collapsed():
    assert alt_text_clean("  天安门广场\n 的 清晨 ") == "天安门广场 的 清晨"


def test_errors_are_shown_in_the_readers_language():
    # given an upload that is too large
    data = b"x" * (2 * MEGABYTE + 1)
    # when it is refused
    with pytest.raises(ImageError) as refused:
        process(data, max_bytes=2 * MEGABYTE)
    # then the message is shown in one language: the reader's
    with translation.override("en"):
        assert str(refused.value) == "An image may be at most 2 MB"
    with translation.override("zh-hans"):
        assert str(refused.value) == "图片不能超过 2 MB"


# Decoded size (audit #8, point 1) --------------------------------------------------------

DECODED_BUDGET = 24 * MEGABYTE

# Runs image_process in a fresh interpreter and prints how far its peak RSS rose above the
# RSS just before the call (the high-water mark is reset on Linux through clear_refs).
MEASURE = """
import json, resource, sys
from zixun.core.images import ImageError, image_process
data = open(sys.argv[1], "rb").read()
def kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
open("/proc/self/clear_refs", "w").write("5")
before = kb("VmRSS")
try:
    image_process(data, max_bytes=10**8, max_pixels=40_000_000, max_decoded_bytes=int(sys.argv[2]))
    outcome = "accepted"
except ImageError:
    outcome = "refused"
print(json.dumps({"mb": (kb("VmHWM") - before) / 1024, "outcome": outcome}))
"""


def test_the_audits_rgba_png_is_refused_before_its_pixels_are_decoded(monkeypatch):
    # given: 6320×6320 RGBA, under the pixel limit, 160 MB once decoded
    data = png_blank(6320, 6320)
    assert len(data) < 200_000

    def load_must_not_be_called(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load_must_not_be_called)
    # then
    with pytest.raises(ImageError, match=exactly(IMAGE_TOO_BIG_DECODED, limit="6.2")):
        process(data, max_decoded_bytes=DECODED_BUDGET)


def test_the_decoded_budget_counts_bytes_per_pixel_by_mode():
    # given: the same pixel count, 2.6 MB as 1-byte grey, 10.5 MB as RGBA
    grey = png_blank(2048, 1280, colour=0, channels=1)
    rgba = png_blank(2048, 1280)
    # then
    assert process(grey, max_decoded_bytes=4 * MEGABYTE).format == "PNG"
    with pytest.raises(ImageError, match=exactly(IMAGE_TOO_BIG_DECODED, limit="1")):
        process(rgba, max_decoded_bytes=4 * MEGABYTE)


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(monkeypatch):
    # given: 7000×5000, 140 MB decoded at full size
    data = encode(Image.new("RGB", (7000, 5000), RED), "JPEG")
    decoded = []
    load = ImageFile.ImageFile.load

    def spy(self):
        decoded.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    # when
    result = process(data, max_decoded_bytes=DECODED_BUDGET)
    # then: decoded at half size, which does not fit, so at a quarter
    assert set(decoded) == {(1750, 1250)}
    assert (result.width, result.height) == (7000, 5000)
    assert result.original.width == 1750


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: png_blank(6320, 6320), id="rgba-png-6320"),
        pytest.param(
            lambda: encode(Image.new("RGB", (7000, 5000), BLUE), "JPEG"), id="jpeg-7000x5000"
        ),
        pytest.param(lambda: png_blank(1080, 5800), id="largest-accepted-rgba-png"),
    ],
)
def test_one_upload_stays_under_100_mb_above_the_workers_baseline(make, tmp_path):
    # given
    path = tmp_path / "upload"
    path.write_bytes(make())
    # when
    completed = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-c", MEASURE, str(path), str(DECODED_BUDGET)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    # then
    measured = json.loads(completed.stdout)
    assert measured["mb"] < 100, measured


@pytest.mark.parametrize(
    ("size", "kept_colour"),
    [((900, 300), BLUE), ((300, 900), RED)],
    ids=["wide: the middle", "tall: the top"],
)
def test_square_crops_without_stretching_and_scales_down(size, kept_colour):
    # A wide image is red on its outer thirds and blue in the middle; a tall one is
    # red on its top third: the square keeps the middle of a wide image and the top
    # of a tall one, at the requested side, never squeezed.
    image = Image.new("RGB", size, RED)
    if size[0] > size[1]:
        image.paste(BLUE, (300, 0, 600, 300))
    else:
        image.paste(BLUE, (0, 300, 300, 900))
    result = process(encode(image, "PNG"), widths=(), square=120)
    square = opened(result.original)
    assert square.size == (120, 120)
    assert result.renditions == []
    for x, y in ((5, 5), (60, 60), (114, 114)):
        assert close_to(square.getpixel((x, y)), kept_colour)


def test_square_never_scales_up():
    result = process(encode(Image.new("RGB", (80, 50), RED), "PNG"), widths=(), square=240)
    assert opened(result.original).size == (50, 50)


def test_square_side_must_be_positive():
    with pytest.raises(ValueError, match="square"):
        process(encode(Image.new("RGB", (80, 50), RED), "PNG"), square=0)
