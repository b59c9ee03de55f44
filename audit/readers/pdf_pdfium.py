"""A page's characters, lines, rectangles, curves and images read with pdfium, for pdfplumber.

pdfplumber has pdfminer interpret each content stream in Python, which was 80–85 % of the PDF
reader's time. pdfium (pypdfium2) interprets it in C. :class:`PdfiumPage` is a pdfplumber page
whose objects come from pdfium, in pdfplumber's own format and coordinates, so that table
finding and everything after it stay as they were:

* characters in content order, with pdfminer's geometry: ``x0`` at the pen position, ``x1`` at
  the end of the advance (the font's width), ``bottom`` at the font's descent below the
  baseline, ``top`` one font size above it (pdfium's own boxes are the glyph outlines or use
  the font's ascent); a simple font named like a standard font (``Helvetica``, ``Arial``…) with
  pdfminer's built-in metrics, as pdfminer measures it; vertical writing as pdfminer boxes it
  (one font size wide, one vertical advance high); a character without a Unicode mapping is
  ``(cid:N)`` as pdfminer writes it;
* painted paths split at each ``m`` into lines, axis-aligned closed rectangles and curves, with
  pdfminer's rules (:mod:`audit.readers.pdf_geometry`); images, inline ones too, anywhere.

:func:`page_objects` returns None for what it cannot give the same way — a character that is
rotated, mirrored or skewed; vertical writing in an unscaled text matrix, where pdfium's boxes
do not tell it from a full-width horizontal glyph — and the caller has pdfminer read that page
as before (and the pages with a Type 3 font, see :func:`audit.readers.pdf_guard.check_page_fonts`).

Where pdfminer departs from the PDF specification, pdfium does not: pdfminer adds the character
spacing (``Tc``) between the characters of one string but not after its last, and starts a
form XObject with a fresh text state. pdfium leaves out a text object drawn again at the same
place (fake bold) and text objects without width. None of this occurred in the corpus.

pdfium is not thread-safe: no two pdfium calls may run at the same time, even on different
documents (pypdfium2 documentation); two threads reading at once crash the process. Every call
here holds :data:`PDFIUM_LOCK`, so readers in threads take turns; parallel work runs in
processes. Other code calling pdfium in the same process must hold it too.
"""

from __future__ import annotations

import ctypes
import threading
from operator import itemgetter
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS
from pdfplumber.page import Page

from audit.readers.pdf_geometry import IDENTITY, Geometry, Matrix, apply, image_box, mult, path_items
from audit.readers.pdf_guard import PageFonts

PDFIUM_LOCK = threading.RLock()


class PdfiumPage(Page):
    """A pdfplumber page whose objects were read by pdfium (see the module docstring)."""

    def __init__(self, page: Page, objects: dict[str, list[dict[str, Any]]]) -> None:
        super().__init__(page.pdf, page.page_obj, page.page_number, page.initial_doctop)
        self._pdfium_objects = objects

    def parse_objects(self) -> dict[str, list[dict[str, Any]]]:
        """Return the objects read by pdfium (pdfminer is never asked to interpret the page)."""
        return self._pdfium_objects


def open_document(data: bytes) -> pypdfium2.PdfDocument:
    """Return ``data`` opened by pdfium (raises ``pypdfium2.PdfiumError`` when it cannot)."""
    with PDFIUM_LOCK:
        return pypdfium2.PdfDocument(data)


def page_count(doc: pypdfium2.PdfDocument) -> int:
    """Return the number of pages pdfium lists in ``doc``."""
    with PDFIUM_LOCK:
        return len(doc)


def close_document(doc: pypdfium2.PdfDocument) -> None:
    """Close a document opened by :func:`open_document`."""
    with PDFIUM_LOCK:
        doc.close()


def _plain(kind: Any) -> Any:
    """Return ``c_void_p`` for a pointer to a pdfium handle type, else ``kind``."""
    target = getattr(kind, "_type_", None)
    if isinstance(target, type) and target.__name__.startswith("struct_fpdf_"):
        return ctypes.c_void_p
    return kind


def _by_address(func: Any) -> Any:
    """Return pdfium function ``func`` taking and returning handles as plain addresses (ints).

    pypdfium2 types each handle; casting one to compare or cache it costs more than most calls.
    """
    address = ctypes.cast(func, ctypes.c_void_p).value
    prototype = ctypes.CFUNCTYPE(_plain(func.restype), *(_plain(t) for t in func.argtypes))
    return prototype(address)


class _C:
    """The pdfium functions this module calls, with handles as addresses."""

    page_count = _by_address(pdfium_c.FPDFPage_CountObjects)
    page_object = _by_address(pdfium_c.FPDFPage_GetObject)
    form_count = _by_address(pdfium_c.FPDFFormObj_CountObjects)
    form_object = _by_address(pdfium_c.FPDFFormObj_GetObject)
    object_type = _by_address(pdfium_c.FPDFPageObj_GetType)
    object_matrix = _by_address(pdfium_c.FPDFPageObj_GetMatrix)
    draw_mode = _by_address(pdfium_c.FPDFPath_GetDrawMode)
    segment_count = _by_address(pdfium_c.FPDFPath_CountSegments)
    segment = _by_address(pdfium_c.FPDFPath_GetPathSegment)
    segment_point = _by_address(pdfium_c.FPDFPathSegment_GetPoint)
    segment_type = _by_address(pdfium_c.FPDFPathSegment_GetType)
    segment_close = _by_address(pdfium_c.FPDFPathSegment_GetClose)
    char_count = _by_address(pdfium_c.FPDFText_CountChars)
    generated = _by_address(pdfium_c.FPDFText_IsGenerated)
    unicode = _by_address(pdfium_c.FPDFText_GetUnicode)
    map_error = _by_address(pdfium_c.FPDFText_HasUnicodeMapError)
    hyphen = _by_address(pdfium_c.FPDFText_IsHyphen)
    text_object = _by_address(pdfium_c.FPDFText_GetTextObject)
    origin = _by_address(pdfium_c.FPDFText_GetCharOrigin)
    loose_box = _by_address(pdfium_c.FPDFText_GetLooseCharBox)
    char_matrix = _by_address(pdfium_c.FPDFText_GetMatrix)
    font_size = _by_address(pdfium_c.FPDFText_GetFontSize)
    object_font = _by_address(pdfium_c.FPDFTextObj_GetFont)
    descent = _by_address(pdfium_c.FPDFFont_GetDescent)
    glyph_width = _by_address(pdfium_c.FPDFFont_GetGlyphWidth)
    base_font_name = _by_address(pdfium_c.FPDFFont_GetBaseFontName)


def _address(handle: Any) -> int:
    """Return the address behind a pypdfium2 handle."""
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


def _matrix(obj: int) -> Matrix:
    """Return a page object's matrix."""
    m = pdfium_c.FS_MATRIX()
    _C.object_matrix(obj, m)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def page_objects(
    doc: pypdfium2.PdfDocument, page: Page, fonts: PageFonts | None = None
) -> dict[str, list[dict[str, Any]]] | None:
    """Return pdfplumber's objects of ``page`` read by pdfium, or None when pdfminer must read it.

    ``fonts`` is what :func:`audit.readers.pdf_guard.check_page_fonts` found on the page.
    """
    geometry = Geometry(page)
    with PDFIUM_LOCK:
        pdf_page = doc[page.page_number - 1]
        try:
            order: dict[int, int] = {}
            paths: list[tuple[int, Matrix]] = []
            images: list[tuple[int, Matrix]] = []
            _walk(_address(pdf_page.raw), IDENTITY, order, paths, images, is_form=False)
            textpage = pdf_page.get_textpage()
            try:
                chars = _chars(_address(textpage.raw), order, geometry, fonts or PageFonts())
            finally:
                textpage.close()
            if chars is None:
                return None
            objects: dict[str, list[dict[str, Any]]] = {"char": chars}
            for obj, form in paths:
                for kind, item in _path_items(obj, mult(mult(_matrix(obj), form), geometry.ctm), geometry):
                    objects.setdefault(kind, []).append(item)
            for obj, form in images:
                objects.setdefault("image", []).append(_image(obj, form, geometry))
            return objects
        finally:
            pdf_page.close()


def _walk(
    holder: int,
    form: Matrix,
    order: dict[int, int],
    paths: list[tuple[int, Matrix]],
    images: list[tuple[int, Matrix]],
    is_form: bool,
) -> None:
    """Collect the text objects' order, the painted paths and the images of a page or form."""
    count = (_C.form_count if is_form else _C.page_count)(holder)
    get = _C.form_object if is_form else _C.page_object
    object_type = _C.object_type
    for i in range(count):
        obj = get(holder, i)
        kind = object_type(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            order[obj] = len(order)
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            paths.append((obj, form))
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images.append((obj, form))
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            _walk(obj, mult(_matrix(obj), form), order, paths, images, is_form=True)


class _TextStyle:
    """What the characters of text objects with one font, size and matrix scale share."""

    __slots__ = ("a", "bottom", "d", "font", "height", "scale", "size", "usable", "vertical", "widths")

    def __init__(self, page: _PageText, font: int, m: Any, size: float, vertical: bool) -> None:
        self.a, self.d, self.size, self.font, self.vertical = m.a, m.d, size, font, vertical
        self.widths, descent = page.font_metrics(font)
        self.scale = m.a * size / 1000  # a width in thousandths of the font size, in user space
        self.bottom = m.d * descent * size / 1000  # the descent below the baseline, in user space
        self.height = m.d * size
        # rotated, mirrored or skewed text, or vertical writing that an unscaled matrix makes look
        # like a full-width horizontal glyph: pdfminer computes these boxes
        self.usable = m.b == 0 and m.c == 0 and m.a > 0 and m.d > 0 and not (vertical and abs(m.a - 1) < 1e-3)


class _PageText:
    """What reading the characters of one page keeps: ctypes buffers, fonts' descents and widths."""

    def __init__(self, fonts: PageFonts) -> None:
        self.fonts = fonts
        self.x, self.y = ctypes.c_double(), ctypes.c_double()
        self.number = ctypes.c_float()
        self.loose = pdfium_c.FS_RECTF()
        self.matrix = pdfium_c.FS_MATRIX()
        self.metrics: dict[int, tuple[dict[int, float | None], float]] = {}
        self.styles: dict[tuple[float, ...], _TextStyle] = {}

    def style(self, tp: int, i: int, key: int) -> _TextStyle:
        """Return the style of character ``i``'s text object ``key`` (one per font, size and matrix)."""
        m = self.matrix
        _C.char_matrix(tp, i, m)
        size = _C.font_size(tp, i)
        font = _C.object_font(key) or 0
        signature = (font, m.a, m.b, m.c, m.d, size)
        style = self.styles.get(signature)
        if style is None:
            vertical = False
            if self.fonts.vertical:  # pdfium boxes a vertical-writing character one unscaled font size wide
                _C.loose_box(tp, i, self.loose)
                vertical = abs((self.loose.right - self.loose.left) - size) <= 1e-3 * size
            style = self.styles[signature] = _TextStyle(self, font, m, size, vertical)
        return style

    def font_metrics(self, font: int) -> tuple[dict[int, float | None], float]:
        """Return a font's widths by character code (filled as characters come) and its descent in
        thousandths of the font size (negative, as pdfminer makes it). A font pdfminer measures with
        its built-in metrics gets those; a character they lack is as wide as nothing."""
        found = self.metrics.get(font)
        if found is None:
            widths: dict[int, float | None] = {}
            _C.descent(font, 1000.0, self.number)
            descent = self.number.value
            if self.fonts.standard:
                name = ctypes.create_string_buffer(256)
                _C.base_font_name(font, name, 256)
                known = FONT_METRICS.get(name.value.decode("latin-1"))
                if known is not None and name.value.decode("latin-1") in self.fonts.standard:
                    descent = float(known[0].get("Descent", 0))  # type: ignore[arg-type]
                    widths = _StandardWidths(known[1])
            found = self.metrics[font] = (widths, -abs(descent))
        return found

    def width(self, obj: _TextStyle, code: int) -> float | None:
        """Return the font's width of a character (``FPDFFont_GetGlyphWidth`` takes a Unicode value),
        in thousandths of the font size, or None when the font has none."""
        width = self.number.value if _C.glyph_width(obj.font, code, 1000.0, self.number) else None
        obj.widths[code] = width
        return width


class _StandardWidths(dict):  # type: ignore[type-arg]
    """Widths by character code taken from pdfminer's built-in metrics (by character)."""

    def __init__(self, by_char: dict[str, int]) -> None:
        super().__init__()
        self._by_char = by_char

    def __missing__(self, code: int) -> float:
        """Return (and keep) the width of character ``code``; one the metrics lack is 0, as in pdfminer."""
        width = self[code] = float(self._by_char.get(chr(code), 0))
        return width


def _chars(
    tp: int, order: dict[int, int], geometry: Geometry, fonts: PageFonts
) -> list[dict[str, Any]] | None:
    """Return the characters of a text page in content order, or None when pdfminer must read the page.

    Horizontal text: ``x0`` at the pen, ``x1`` at the end of the advance, ``bottom`` at the
    font's descent, ``top`` one font size higher.
    Long because it is the inner loop over every character, written with the calls inline.
    """
    page = _PageText(fonts)
    x, y = page.x, page.y
    objects: dict[int, tuple[int, _TextStyle]] = {}
    unicode_of, object_of, origin_of, map_error = _C.unicode, _C.text_object, _C.origin, _C.map_error
    fast = geometry.ctm[0] == 1 and geometry.ctm[3] == 1  # an unrotated page: boxes only move
    dx, top_of = geometry.ctm[4] + geometry.mb_x0, geometry.height + geometry.mb_top - geometry.ctm[5]
    doctop, page_number = geometry.doctop, geometry.page_number
    keyed: list[tuple[int, dict[str, Any]]] = []
    for i in range(_C.char_count(tp)):
        code = unicode_of(tp, i)
        key = object_of(tp, i)
        # pdfium's inferred spaces and line breaks: no text object, or a space pdfium generated
        if not key or (code in (32, 10, 13) and _C.generated(tp, i)):
            continue
        found = objects.get(key)
        if found is None:
            found = objects[key] = (order.get(key, len(order)), page.style(tp, i, key))
            if not found[1].usable:
                return None
        rank, obj = found
        origin_of(tp, i, x, y)
        if map_error(tp, i) or code == 0:
            text, width = f"(cid:{code})", None  # no Unicode value: pdfminer's placeholder
        else:
            text = "-" if code == 2 and _C.hyphen(tp, i) else chr(code)  # pdfium marks a line-end hyphen 2
            width = obj.widths[code] if code in obj.widths else page.width(obj, code)
        if width is None or obj.vertical or not fast:
            ch = _other_char(tp, i, obj, x.value, y.value, width, geometry)
        else:
            x0 = x.value
            bottom = top_of - y.value - obj.bottom
            top = bottom - obj.height
            advance = obj.scale * width
            ch = {
                "x0": x0 + dx,
                "x1": x0 + advance + dx,
                "top": top,
                "bottom": bottom,
                "doctop": doctop + top,
                "width": advance,
                "height": obj.height,
                "size": obj.height,
                "upright": True,
                "object_type": "char",
                "page_number": page_number,
            }
        ch["text"] = text
        keyed.append((rank, ch))
    keyed.sort(key=itemgetter(0))  # stable: characters of one object stay in pdfium's order
    return [t[1] for t in keyed]


def _other_char(
    tp: int, i: int, obj: _TextStyle, x: float, y: float, width: float | None, geometry: Geometry
) -> dict[str, Any]:
    """Return a character on a rotated page, in vertical writing or without a width in its font."""
    if obj.vertical:
        return _vertical_char(tp, i, obj, x, y, geometry)
    if width is None:  # pdfium's loose box ends at the advance (or the glyph, when it is wider)
        loose = pdfium_c.FS_RECTF()
        _C.loose_box(tp, i, loose)
        right = max(loose.right, x)
    else:
        right = x + obj.scale * width
    bottom_y = y + obj.bottom
    return geometry.char(x, bottom_y, right, bottom_y + obj.height, obj.a, obj.d)


def _vertical_char(
    tp: int, i: int, obj: _TextStyle, x: float, y: float, geometry: Geometry
) -> dict[str, Any]:
    """Return a vertical-writing character: pdfium's origin is the lower left corner of pdfminer's
    box, which is one font size wide and one vertical advance high."""
    loose = pdfium_c.FS_RECTF()
    _C.loose_box(tp, i, loose)
    ch = geometry.char(x, y, x + obj.a * obj.size, y + obj.d * abs(loose.top - loose.bottom), obj.a, obj.d)
    ch["size"] = ch["width"]
    return ch


# --- paths -----------------------------------------------------------------------------------------


def _segments(obj: int, m: Matrix) -> list[tuple[str, tuple[float, float]]]:
    """Return a path as pdfminer sees it: operators (``m l c h``) with their end points in device space.

    pdfium stores a closing ``h`` as a line back to the start (or a flag on the last point when
    the path is already there) and a Bézier curve as three points; pdfminer keeps ``h`` and one
    end point per curve.
    """
    x, y = ctypes.c_float(), ctypes.c_float()
    out: list[tuple[str, tuple[float, float]]] = []
    start: tuple[float, float] = (0.0, 0.0)
    bezier = 0
    for i in range(_C.segment_count(obj)):
        seg = _C.segment(obj, i)
        _C.segment_point(seg, x, y)
        pt = apply(m, x.value, y.value)
        kind = _C.segment_type(seg)
        closes = bool(_C.segment_close(seg))
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start, bezier = pt, 0
            out.append(("m", pt))
        elif kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3 == 0:
                out.append(("c", pt))
        elif not (closes and pt == start):
            out.append(("l", pt))
        if closes:
            out.append(("h", start))
    return out


def _path_items(obj: int, m: Matrix, geometry: Geometry) -> list[tuple[str, dict[str, Any]]]:
    """Return the lines, rectangles and curves of a painted path, as pdfminer makes them."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    _C.draw_mode(obj, fill, stroke)
    if not fill.value and not stroke.value:
        return []  # pdfminer only makes objects of painted paths
    return path_items(_segments(obj, m), bool(stroke.value), bool(fill.value), geometry)


def _image(obj: int, form: Matrix, geometry: Geometry) -> dict[str, Any]:
    """Return an image as a pdfplumber image (its unit square through its matrix)."""
    return image_box(mult(mult(_matrix(obj), form), geometry.ctm), geometry)
