"""Limits of the PDF reader: decoded stream size, number of pages, operators per page.

* **Streams.** pdfminer decodes a FlateDecode stream with one ``zlib.decompress`` call
  (``pdfminer.pdftypes.PDFStream.decode``) and has no size limit of its own: a 2 MB stream
  inflating to 2 GB took 4.1 GB. The ``zlib`` and ``lzwdecode`` names that
  ``pdfminer.pdftypes`` uses are replaced, once, by bounded stand-ins that stop at
  ``max_stream_bytes`` and raise :class:`~audit.readers.base.LimitExceeded`; everything else is
  the real zlib. (RunLength streams expand at most 128-fold and ASCII filters shrink: those are
  bounded by the worker's memory limit.)
* **Pages.** The page count is read from the catalogue's ``/Count`` before any page is built and
  checked again on the pages really listed (``max_pages``): a 2,000-page PDF took 323 s.
* **Operators.** Before a page is interpreted, the text and drawing operators of its content
  streams (and of the form XObjects it draws) are counted on the decoded bytes
  (``max_page_operators``): one page of 1 M text operators becomes a million Python objects.
* **Fonts.** pdfium (:mod:`audit.readers.pdf_pdfium`) decodes a page's content streams and its
  fonts (embedded font files, ``ToUnicode`` and CMap streams) in C, without any size limit of its
  own. The content streams are decoded here first (above); :func:`check_page_fonts` inflates the
  font streams chunk by chunk, keeping nothing, and refuses one past ``max_stream_bytes`` before
  pdfium loads the page. It also says what the page's fonts ask of the reader
  (:class:`PageFonts`): vertical writing, Type 3 (pdfminer reads such a page), fonts pdfminer
  measures with its own metrics. Other streams pdfium may decode for a page
  (shading functions) are bounded only by the worker's memory limit.

pdfplumber wraps errors raised inside pdfminer in ``PdfminerException``; :func:`limit_in` finds
a :class:`LimitExceeded` inside such a chain so that it is never mistaken for a broken file.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pdfminer.pdftypes
from pdfminer.fontmetrics import FONT_METRICS
from pdfminer.lzw import LZWDecoder
from pdfminer.pdftypes import PDFStream, resolve1

from audit import limits
from audit.readers.base import LimitExceeded


def _stream_too_big(limit: int) -> LimitExceeded:
    """Return the error for a stream that decodes to more than ``limit`` bytes."""
    return LimitExceeded("max_stream_bytes", f"PDF 中有数据流解压后超过 {limits.size(limit)}")


class _BoundedDecompressor:
    """A zlib decompressor that raises :class:`LimitExceeded` past ``max_stream_bytes`` of output."""

    def __init__(self, limit: int) -> None:
        self._inner = zlib.decompressobj()
        self._limit = limit
        self._out = 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        room = self._limit + 1 - self._out
        out = self._inner.decompress(data, room if not max_length else min(max_length, room))
        self._out += len(out)
        if self._out > self._limit:
            raise _stream_too_big(self._limit)
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _BoundedZlib:
    """The zlib module as ``pdfminer.pdftypes`` sees it: decompression bounded by the limits in force."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes) -> bytes:
        """Return ``data`` inflated, like ``zlib.decompress``, but never more than the limit."""
        limit = limits.current().max_stream_bytes
        d = zlib.decompressobj()
        out = d.decompress(data, limit + 1)
        if len(out) > limit:
            raise _stream_too_big(limit)
        if not d.eof:
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        return out

    @staticmethod
    def decompressobj() -> _BoundedDecompressor:
        """Return a decompressor bounded by the limit in force."""
        return _BoundedDecompressor(limits.current().max_stream_bytes)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


def _bounded_lzwdecode(data: bytes) -> bytes:
    """Return LZW-decoded ``data`` (pdfminer's decoder), stopping at the limit in force."""
    limit = limits.current().max_stream_bytes
    out: list[bytes] = []
    total = 0
    for chunk in LZWDecoder(BytesIO(data)).run():
        total += len(chunk)
        if total > limit:
            raise _stream_too_big(limit)
        out.append(chunk)
    return b"".join(out)


pdfminer.pdftypes.zlib = _BoundedZlib()  # type: ignore[assignment]
pdfminer.pdftypes.lzwdecode = _bounded_lzwdecode


def limit_in(exc: BaseException) -> LimitExceeded | None:
    """Return the :class:`LimitExceeded` that ``exc`` is or wraps (pdfplumber re-wraps errors)."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, LimitExceeded):
            return cur
        stack.extend(a for a in cur.args if isinstance(a, BaseException))
        stack.extend(e for e in (cur.__cause__, cur.__context__) if e is not None)
    return None


def check_page_count(pdf: Any) -> None:
    """Raise :class:`LimitExceeded` when the catalogue says the PDF has more than ``max_pages`` pages."""
    limit = limits.current().max_pages
    try:
        count = int(resolve1(resolve1(pdf.doc.catalog.get("Pages")).get("Count")))
    except Exception:  # noqa: BLE001 - a damaged page tree is counted on the pages listed instead
        return
    if count > limit:
        raise _too_many_pages(count, limit)


def _too_many_pages(count: int, limit: int) -> LimitExceeded:
    """Return the error for a PDF of ``count`` pages."""
    return LimitExceeded("max_pages", f"PDF 共 {count} 页，上限 {limit} 页")


def check_pages_listed(count: int) -> None:
    """Raise :class:`LimitExceeded` when the pages really listed exceed ``max_pages``."""
    limit = limits.current().max_pages
    if count > limit:
        raise _too_many_pages(count, limit)


# Operators that make pdfplumber build objects: text showing, path construction, XObjects,
# inline images. A token counts when it stands alone between delimiters; inside a string it may
# be counted too, which only makes the budget stricter.
_OPERATOR_RE = re.compile(rb"(?<![^\s\])>])(?:Tj|TJ|'|\"|re|m|l|c|v|y|Do|BI)(?=[\s\[(/<]|$)")


def count_operators(content: bytes) -> int:
    """Return the number of text and drawing operators in decoded content-stream bytes."""
    return len(_OPERATOR_RE.findall(content))


def _streams(obj: Any) -> Iterator[PDFStream]:
    """Yield the content streams of a page's ``Contents`` (a stream or a list of them)."""
    obj = resolve1(obj)
    if isinstance(obj, PDFStream):
        yield obj
    elif isinstance(obj, list):
        for item in obj:
            item = resolve1(item)
            if isinstance(item, PDFStream):
                yield item


def _forms(resources: Any, seen: set[int]) -> Iterator[PDFStream]:
    """Yield the form XObjects of a resource dictionary, and theirs, each once."""
    xobjects = resolve1((resolve1(resources) or {}).get("XObject")) if resources else None
    for ref in (xobjects or {}).values():
        stream = resolve1(ref)
        if not isinstance(stream, PDFStream) or id(stream) in seen:
            continue
        seen.add(id(stream))
        if getattr(resolve1(stream.get("Subtype")), "name", None) == "Form":
            yield stream
            yield from _forms(stream.get("Resources"), seen)


def _name(obj: Any) -> str:
    """Return the name of a PDF name object (``""`` for anything else)."""
    name = getattr(resolve1(obj), "name", "")
    return name.decode("latin-1") if isinstance(name, bytes) else str(name)


def _fonts(page_obj: Any) -> Iterator[dict[str, Any]]:
    """Yield the font dictionaries a page uses (its own, its forms', Type 0 descendants), each once."""
    resources = [page_obj.resources, *(form.get("Resources") for form in _forms(page_obj.resources, set()))]
    seen: set[int] = set()
    for res in resources:
        fonts = resolve1((resolve1(res) or {}).get("Font")) if res else None
        stack = [resolve1(f) for f in (fonts or {}).values()] if isinstance(fonts, dict) else []
        while stack:
            font = stack.pop()
            if not isinstance(font, dict) or id(font) in seen:
                continue
            seen.add(id(font))
            yield font
            descendants = resolve1(font.get("DescendantFonts"))
            if isinstance(descendants, list):
                stack.extend(resolve1(d) for d in descendants)


def _font_streams(font: dict[str, Any]) -> Iterator[PDFStream]:
    """Yield the streams pdfium decodes to load a font: font files, ToUnicode, an encoding CMap."""
    descriptor = resolve1(font.get("FontDescriptor"))
    candidates = [font.get("ToUnicode"), font.get("Encoding")]
    if isinstance(descriptor, dict):
        candidates.extend(descriptor.get(key) for key in ("FontFile", "FontFile2", "FontFile3"))
    for obj in candidates:
        stream = resolve1(obj)
        if isinstance(stream, PDFStream):
            yield stream


def _check_decoded_size(stream: PDFStream) -> None:
    """Raise :class:`LimitExceeded` when ``stream`` decodes past ``max_stream_bytes``.

    A plain FlateDecode stream is inflated in chunks and nothing is kept; other filter chains
    (and encrypted documents) are decoded by pdfminer with its bounded decoders.
    """
    limit = limits.current().max_stream_bytes
    if stream.data is not None:
        size = len(stream.data)
    elif stream.decipher is None and [_name(f) for f, _params in stream.get_filters()] == ["FlateDecode"]:
        inflater = zlib.decompressobj()
        size, data = 0, stream.rawdata or b""
        try:
            while size <= limit:
                chunk = inflater.decompress(data, 1 << 20)
                size += len(chunk)
                data = inflater.unconsumed_tail
                if inflater.eof or not (chunk or data):
                    break
        except zlib.error:
            return  # a damaged font: pdfium copes or gives no text, nothing big was made
    else:
        size = len(stream.get_data())
    if size > limit:
        raise _stream_too_big(limit)


@dataclass(frozen=True)
class PageFonts:
    """What a page's fonts ask of the reader (:func:`check_page_fonts`)."""

    vertical: bool = False  # a vertical-writing font (``-V`` encoding, ``WMode 1``)
    type3: bool = False  # a Type 3 font: pdfminer reads the page
    standard: frozenset[str] = frozenset()  # simple fonts pdfminer measures with its own metrics


_SIMPLE = ("Type1", "MMType1", "TrueType")


def check_page_fonts(page_obj: Any, checked: set[int] | None = None) -> PageFonts:
    """Bound the font streams of a page before pdfium loads them; return what its fonts ask.

    ``checked`` holds the streams already checked on earlier pages of the document (updated
    here). A simple font named like one of the standard fonts (``Helvetica``, ``Arial``,
    ``TimesNewRoman``…) is measured by pdfminer with its built-in metrics, not the PDF's.

    Raises:
        LimitExceeded: a font stream decodes past ``max_stream_bytes``.
    """
    vertical = type3 = False
    standard: set[str] = set()
    for font in _fonts(page_obj):
        subtype = _name(font.get("Subtype"))
        encoding = resolve1(font.get("Encoding"))
        if subtype == "Type3":
            type3 = True
        elif subtype == "Type0" and (
            _name(encoding).endswith("-V")
            or (isinstance(encoding, PDFStream) and resolve1(encoding.get("WMode")) == 1)
        ):
            vertical = True
        elif subtype in _SIMPLE and _name(font.get("BaseFont")) in FONT_METRICS:
            standard.add(_name(font.get("BaseFont")))
        for stream in _font_streams(font):
            if checked is None or id(stream) not in checked:
                _check_decoded_size(stream)
                if checked is not None:
                    checked.add(id(stream))
    return PageFonts(vertical, type3, frozenset(standard))


def check_page_operators(page_obj: Any, page_no: int) -> None:
    """Raise :class:`LimitExceeded` when a page draws more than ``max_page_operators`` operators.

    The page's content streams and the form XObjects it uses are decoded (bounded by
    ``max_stream_bytes``; pdfminer keeps the decoded bytes, so nothing is decoded twice).
    """
    limit = limits.current().max_page_operators
    total = 0
    streams = [*_streams(page_obj.attrs.get("Contents")), *_forms(page_obj.resources, set())]
    for stream in streams:
        total += count_operators(stream.get_data())
        if total > limit:
            raise LimitExceeded(
                "max_page_operators", f"PDF 第{page_no}页至少有 {total} 个绘制或文字指令，上限 {limit} 个"
            )
