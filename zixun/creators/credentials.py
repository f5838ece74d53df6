"""Applicants' credentials (资质证明): a PDF without active content, or an image. No ORM here.

A PDF is stored as uploaded only when a scan of its bytes finds nothing that could run or
carry another file. The rule, on every PDF name token (``/Name``, with ``#xx`` escapes
decoded, so ``/J#61vaScript`` is ``/JavaScript``), in the file and inside its object
streams:

- refused: ``/JavaScript``, ``/JS``, ``/OpenAction``, ``/AA``, ``/Launch``,
  ``/EmbeddedFile(s)``, ``/FileAttachment``, ``/RichMedia``, ``/XFA``, ``/SubmitForm``,
  ``/ImportData``, ``/GoToR``, ``/GoToE``, ``/Sound``, ``/Movie``, ``/Encrypt`` (an
  encrypted file cannot be inspected);
- object streams (``/ObjStm``, where PDF 1.5+ writers put dictionaries) are inflated and
  scanned the same way when their only filter is ``/FlateDecode``, within
  ``OBJECT_STREAM_LIMIT`` bytes in all; any other filter, a corrupt stream or a larger
  total is refused, since what cannot be read cannot be vouched for.

Names inside strings are matched too: a false refusal (the applicant exports the PDF again,
or uploads an image) is preferred to a missed script. Page content and image streams hold
no dictionaries that act, so they are not inflated.
"""

from __future__ import annotations

import re
import zlib

PDF_SIGNATURE = b"%PDF-"
OBJECT_STREAM_LIMIT = 16 * 1024 * 1024
ACTIVE_NAMES = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"OpenAction",
        b"AA",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"FileAttachment",
        b"RichMedia",
        b"XFA",
        b"SubmitForm",
        b"ImportData",
        b"GoToR",
        b"GoToE",
        b"Sound",
        b"Movie",
        b"Encrypt",
    }
)
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")


def _names(data: bytes) -> list[tuple[int, bytes]]:
    """Every name token with its position, #xx escapes decoded."""
    return [
        (match.start(), _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1)))
        for match in _NAME.finditer(data)
    ]


def pdf_is_inert(data: bytes) -> bool:
    """True if ``data`` is a PDF in which the rule above finds no active content."""
    if not data.startswith(PDF_SIGNATURE):
        return False
    names = _names(data)
    if any(name in ACTIVE_NAMES for _, name in names):
        return False
    budget = OBJECT_STREAM_LIMIT
    for position, name in names:
        if name != b"ObjStm":
            continue
        opening = data.rfind(b"obj", 0, position)
        stream = _STREAM.search(data, position)
        if opening < 0 or stream is None:
            return False
        end = data.find(b"endstream", stream.end())
        if end < 0:
            return False
        filters = {n for _, n in _names(data[opening : stream.start()])} & _FILTERS
        if filters != {b"FlateDecode"}:
            return False
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[stream.end() : end], budget + 1)
        except zlib.error:
            return False
        budget -= len(inflated)
        if budget < 0 or inflater.unconsumed_tail:
            return False
        if any(inner in ACTIVE_NAMES for _, inner in _names(inflated)):
            return False
    return True


_FILTERS = frozenset(
    {
        b"FlateDecode",
        b"Fl",
        b"LZWDecode",
        b"LZW",
        b"ASCIIHexDecode",
        b"AHx",
        b"ASCII85Decode",
        b"A85",
        b"RunLengthDecode",
        b"RL",
        b"CCITTFaxDecode",
        b"CCF",
        b"JBIG2Decode",
        b"DCTDecode",
        b"DCT",
        b"JPXDecode",
        b"Crypt",
    }
)
