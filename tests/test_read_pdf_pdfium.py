"""The PDF reader over pdfium gives what it gave over pdfminer, on PDFs generated at test time.

pdfium (``audit/readers/pdf_pdfium.py``) replaced pdfminer's interpreter for a page's characters,
ruling lines and images, and ``pdf_text`` / ``pdf_cells`` replaced pdfplumber's text and cell
functions. Each is compared here with what it replaced; the pages pdfium cannot give the same
way, the limits that must hold before pdfium runs, and threads are tested too.
"""

from __future__ import annotations

import functools
import io
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pdfplumber
import pypdfium2
import pytest
from hostile import MiB, pdf, stream, zlib_zeros
from pdfplumber.utils import extract_text
from render_docs import blocks_of, render_pdf, seed_paths

from audit import limits
from audit.readers import LimitExceeded
from audit.readers import pdf as pdf_reader
from audit.readers.pdf import read as read_pdf
from audit.readers.pdf_cells import find_tables
from audit.readers.pdf_guard import check_page_fonts
from audit.readers.pdf_page import TABLE_SETTINGS
from audit.readers.pdf_pdfium import open_document, page_objects
from audit.readers.pdf_text import CharIndex, cell_text, table_text, text_lines

CHAR_KEYS = ("x0", "x1", "top", "bottom", "size")


def _canvas_pdf(draw: Any) -> bytes:
    """Return a PDF drawn by ``draw(canvas)`` (STSong-Light and its vertical variant registered)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    vertical = UnicodeCIDFont("STSong-Light", isVertical=True)
    vertical.fontName = vertical.name = "STSong-Vertical"
    pdfmetrics.registerFont(vertical)
    out = io.BytesIO()
    c = canvas.Canvas(out)
    draw(c)
    c.save()
    return out.getvalue()


def _mixed(c: Any) -> None:
    """Chinese and standard fonts, a form drawn scaled, a curve, an image, a rotated page."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    c.setFont("STSong-Light", 12)
    c.drawString(72, 800, "二〇二四年政府信息公开 2024 年")
    c.setFont("Helvetica", 10)
    c.drawString(72, 780, "Open Data 12,345")
    c.setFont("Times-Roman", 11)
    c.drawString(300, 780, "Times 678")
    c.beginForm("box")
    c.setFont("STSong-Light", 10)
    c.drawString(5, 5, "表单里的字")
    c.rect(0, 0, 100, 20)
    c.endForm()
    c.saveState()
    c.translate(200, 600)
    c.scale(1.5, 1.5)
    c.doForm("box")
    c.restoreState()
    c.bezier(72, 500, 100, 550, 150, 550, 200, 500)
    c.drawImage(ImageReader(Image.new("RGB", (20, 10), "white")), 300, 300, 100, 50)
    c.showPage()
    c.setPageRotation(90)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 700, "旋转页面的文字 90")
    c.line(72, 690, 300, 690)
    c.showPage()


def _vertical_scaled(c: Any) -> None:
    """Vertical writing drawn in a scaled text space, as WPS writes it."""
    c.saveState()
    c.scale(0.05, 0.05)
    c.setFont("STSong-Light", 240)
    c.drawString(72 * 20, 800 * 20, "横排文字 2024")
    c.setFont("STSong-Vertical", 240)
    c.drawString(300 * 20, 700 * 20, "三、本年度办理结果")
    c.restoreState()
    c.line(72, 600, 400, 600)
    c.showPage()


def _offset_media_box() -> bytes:
    """Return a page whose media box does not start at the origin, in two standard fonts."""
    content = b"BT /F1 12 Tf 72 700 Td (Hello World 2024) Tj ET BT /F2 14 Tf 72 650 Td (Times 5) Tj ET "
    content += b"0.5 w 72 600 m 300 600 l S 72 500 200 50 re S 72 450 m 100 480 150 480 200 450 c S"
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [50 100 645 942]"
            b" /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>",
            stream(zlib.compress(content)),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
        ]
    )


@functools.cache
def _samples() -> dict[str, bytes]:
    """Return the generated PDFs the comparisons run on."""
    seed = seed_paths()[0]
    return {
        "seed": render_pdf(blocks_of(seed)),
        "seed-unruled": render_pdf(blocks_of(seed), ruled=False),
        "mixed": _canvas_pdf(_mixed),
        "vertical-scaled": _canvas_pdf(_vertical_scaled),
        "offset-media-box": _offset_media_box(),
    }


def _differences(page: Any, objects: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Return how pdfium's objects of a page differ from pdfminer's (empty: the same)."""
    out = []
    mine, theirs = objects["char"], page.chars
    if [c["text"] for c in mine] != [c["text"] for c in theirs]:
        return [f"text {''.join(c['text'] for c in mine)!r} != {''.join(c['text'] for c in theirs)!r}"]
    for a, b in zip(mine, theirs, strict=True):
        wrong = [k for k in CHAR_KEYS if abs(a[k] - b[k]) > 1e-3] + (
            ["upright"] * (a["upright"] != b["upright"])
        )
        if wrong:
            out.append(
                f"{a['text']}: {wrong} {[round(a[k], 2) for k in CHAR_KEYS]} != {[round(b[k], 2) for k in CHAR_KEYS]}"
            )
    for kind in ("line", "rect", "curve", "image"):
        mine, theirs = objects.get(kind, []), page.objects.get(kind, [])
        if len(mine) != len(theirs):
            out.append(f"{kind}: {len(mine)} != {len(theirs)}")
        for a, b in zip(mine, theirs, strict=False):
            if any(abs(a[k] - b[k]) > 1e-3 for k in ("x0", "top", "x1", "bottom")):
                out.append(
                    f"{kind}: {[a[k] for k in ('x0', 'top', 'x1', 'bottom')]} != {[b[k] for k in ('x0', 'top', 'x1', 'bottom')]}"
                )
    return out


@pytest.mark.parametrize("name", ["seed", "seed-unruled", "mixed", "vertical-scaled", "offset-media-box"])
def test_pdfium_objects_are_pdfminers(name: str) -> None:
    data = _samples()[name]
    doc = open_document(data)
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        for page in plumber.pages:
            objects = page_objects(doc, page, check_page_fonts(page.page_obj))
            assert objects is not None, f"page {page.page_number} fell back to pdfminer"
            assert _differences(page, objects) == [], f"page {page.page_number}"
    doc.close()


@pytest.mark.parametrize("name", ["seed", "seed-unruled", "mixed"])
def test_text_lines_cells_and_tables_are_pdfplumbers(name: str) -> None:
    with pdfplumber.open(io.BytesIO(_samples()[name])) as plumber:
        for page in plumber.pages:
            chars = page.chars
            expected = page.extract_text_lines(x_tolerance=1.5, return_chars=True)
            got = text_lines(chars)
            assert [(ln["text"], ln["x0"], ln["top"], ln["x1"], ln["bottom"]) for ln in got] == [
                (ln["text"], ln["x0"], ln["top"], ln["x1"], ln["bottom"]) for ln in expected
            ]
            assert [[id(c) for c in ln["chars"]] for ln in got] == [
                [id(c) for c in ln["chars"]] for ln in expected
            ]
            for part in (chars[: len(chars) // 3], chars[len(chars) // 3 :]):
                assert cell_text(part) == extract_text(part, x_tolerance=1.5)
            theirs = page.find_tables(TABLE_SETTINGS)
            ours = find_tables(page, TABLE_SETTINGS)
            assert [t.cells for t in ours] == [t.cells for t in theirs]
            index = CharIndex(chars)
            assert [table_text(t.rows, index) for t in ours] == [t.extract(x_tolerance=1.5) for t in theirs]


def _blocks(data: bytes) -> list[tuple[Any, ...]]:
    """Return what the reader makes of ``data``: blocks and problems."""
    doc = read_pdf(data, "t.pdf")
    return [(b.kind, b.text, b.rows, b.page, b.row_pages) for b in doc.blocks] + [("problems", doc.problems)]


def _without_pdfium(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make pdfium unable to open anything, so that pdfminer reads every page."""

    def refuse(data: bytes) -> Any:
        raise pypdfium2.PdfiumError("refused by the test")

    monkeypatch.setattr(pdf_reader, "open_document", refuse)


@pytest.mark.parametrize("name", ["seed", "mixed", "vertical-scaled"])
def test_a_pdf_pdfium_cannot_open_is_read_by_pdfminer_alike(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_pdfium = _blocks(_samples()[name])
    _without_pdfium(monkeypatch)
    assert _blocks(_samples()[name]) == with_pdfium


def test_vertical_writing_pdfium_cannot_tell_is_read_by_pdfminer(monkeypatch: pytest.MonkeyPatch) -> None:
    def draw(c: Any) -> None:
        c.setFont("STSong-Light", 12)
        c.drawString(72, 800, "横排文字")
        c.setFont("STSong-Vertical", 12)
        c.drawString(300, 700, "竖排文字")
        c.showPage()

    data = _canvas_pdf(draw)
    doc = open_document(data)
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        page = plumber.pages[0]
        assert check_page_fonts(page.page_obj).vertical
        assert page_objects(doc, page, check_page_fonts(page.page_obj)) is None
    doc.close()
    read = _blocks(data)
    assert any("竖" in (b[1] or "") for b in read)
    _without_pdfium(monkeypatch)
    assert _blocks(data) == read


def _type3_pdf() -> bytes:
    """Return a page written in a Type 3 font whose glyph ``a`` is a filled square."""
    glyph = stream(b"1000 0 0 0 750 750 d1 0 0 750 750 re f", flate=False)
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            stream(b"BT /F1 12 Tf 72 700 Td (aaa) Tj ET", flate=False),
            b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 750 750] /FontMatrix [0.001 0 0 0.001 0 0]"
            b" /CharProcs << /a 6 0 R >> /Encoding << /Type /Encoding /Differences [97 /a] >>"
            b" /FirstChar 97 /LastChar 97 /Widths [1000] >>",
            glyph,
        ]
    )


def test_a_page_in_a_type3_font_is_read_by_pdfminer(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _type3_pdf()
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        assert check_page_fonts(plumber.pages[0].page_obj).type3

    def never(*args: Any) -> Any:
        raise AssertionError("pdfium read a page in a Type 3 font")

    monkeypatch.setattr(pdf_reader, "page_objects", never)
    assert read_pdf(data, "t3.pdf").pages == 1


def _font_bomb(mib: int) -> bytes:
    """Return a page whose embedded font file inflates to ``mib`` MiB."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            stream(zlib.compress(b"BT /F1 12 Tf 72 700 Td <0001> Tj ET")),
            b"<< /Type /Font /Subtype /Type0 /BaseFont /Bomb /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Bomb"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R >>",
            b"<< /Type /FontDescriptor /FontName /Bomb /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0"
            b" /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 /FontFile2 8 0 R >>",
            stream(zlib_zeros(mib)),
        ]
    )


def test_a_font_file_inflating_past_the_limit_is_refused_before_pdfium(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def never(*args: Any) -> Any:
        raise AssertionError("pdfium loaded the page before its fonts were checked")

    monkeypatch.setattr(pdf_reader, "page_objects", never)
    with limits.use(limits.Limits(max_stream_bytes=4 * MiB)), pytest.raises(LimitExceeded) as err:
        read_pdf(_font_bomb(8), "bomb.pdf")
    assert err.value.limit == "max_stream_bytes"


def test_a_font_file_under_the_limit_is_no_problem() -> None:
    with limits.use(limits.Limits(max_stream_bytes=4 * MiB)):
        doc = read_pdf(_font_bomb(2), "font.pdf")
    assert doc.pages == 1


def test_reading_from_threads_gives_what_reading_in_turn_gives() -> None:
    # pdfium is not thread-safe: the reader serialises its calls, so threads cannot corrupt it
    names = ["seed", "mixed", "vertical-scaled", "offset-media-box"] * 3
    in_turn = [_blocks(_samples()[n]) for n in names]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda n: _blocks(_samples()[n]), names))
    assert threaded == in_turn


def _char(text: str, x0: float, top: float, width: float = 6.0, upright: bool = True) -> dict[str, Any]:
    """Return a pdfplumber character dictionary."""
    return {
        "text": text,
        "x0": x0,
        "x1": x0 + width,
        "top": top,
        "bottom": top + 10,
        "doctop": top,
        "upright": upright,
    }


def test_odd_characters_make_the_lines_and_cells_pdfplumber_makes() -> None:
    from pdfplumber.utils.text import chars_to_textmap

    chars = [
        _char("A", 10, 10),
        _char("ﬁ", 16, 10),  # a ligature counts as its letters
        _char(" ", 22, 10),  # a blank character ends a word
        _char("", 28, 10),  # a character without text is a word of its own
        _char("c", 34, 11),  # 1 pt lower is the same line
        _char(" b ", 60, 10),  # a gap over 1.5 pt starts a word; outer spaces of a line are dropped
        _char("上", 10, 30),
        _char("下", 16, 30, upright=False),  # rotated: its own run, read top to bottom
        _char("中", 16, 42, upright=False),
        _char("x\ny", 10, 60),  # a newline inside a character's text splits pdfplumber's line
        _char("z", 16, 60),
    ]
    for part in (chars, chars[:-2]):
        expected = chars_to_textmap(part, x_tolerance=1.5).extract_text_lines(strip=True, return_chars=True)
        got = text_lines(part)
        assert [(ln["text"], [id(c) for c in ln["chars"]]) for ln in got] == [
            (ln["text"], [id(c) for c in ln["chars"]]) for ln in expected
        ]
        assert cell_text(part) == extract_text(part, x_tolerance=1.5)
    for one in chars:
        assert cell_text([one]) == extract_text([one], x_tolerance=1.5)
