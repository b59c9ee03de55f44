"""PDF reader: turns a PDF with a text layer into paragraphs and tables (pdfplumber over pdfium).

pdfplumber (pdfminer) opens the document and lists its pages; the limits (pages, decoded
streams, operators per page, font streams) are checked by :mod:`audit.readers.pdf_guard` before
the work they bound. Each page's characters, lines and rectangles are then read by pdfium
(:mod:`audit.readers.pdf_pdfium`, about ten times faster than pdfminer's interpreter), or by
pdfminer for the pages pdfium cannot give the same way (Type 3 fonts, rotated text) and for a
document pdfium cannot open. Each page is read by :mod:`audit.readers.pdf_page`
(ruled tables, text lines outside them, tables printed without ruling lines); tables continued
on the next page are joined by :mod:`audit.readers.pdf_tables`. Here:

* Everything outside the kept tables is running text: text lines in reading order, merged into
  paragraphs (a paragraph starts at an indented line, after a short line or after a wide vertical
  gap; a paragraph broken by a page break is joined again). Running headers and footers printed
  in the margins of most pages are dropped.
* Text inside a cell that was wrapped over several lines is joined without a space between CJK
  characters (a space is kept between two Latin letters or digits). Spaces that justified text
  puts between CJK characters are removed.
* Merged cells: the text stands in the cell's first (top-left) position and the spanned
  positions are ``""`` so that columns stay aligned; in a row holding numbers, positions covered
  by a cell spanning from the left are dropped (one entry per printed cell), as in the DOCX
  reader.

Unreadable documents (no text layer, broken font encoding) come back with a problem of kind
``unreadable`` and whatever was read; a PDF that cannot be opened raises ``UnreadableError``, one
over a limit ``LimitExceeded``.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
import pypdfium2

from audit.readers.base import UnreadableError
from audit.readers.common import HEADING_RE, TABLES_AS_IMAGES, join_cell_lines
from audit.readers.pdf_guard import (
    check_page_count,
    check_page_fonts,
    check_page_operators,
    check_pages_listed,
    limit_in,
)
from audit.readers.pdf_page import Line, Table, read_page
from audit.readers.pdf_pdfium import PdfiumPage, close_document, open_document, page_count, page_objects
from audit.readers.pdf_tables import clean_grid, join_tables
from audit.report import Block, IntermediateDoc
from audit.text import text_stats

KINDS = ("pdf",)

# pdfminer warns once per glyph about damaged fonts ("Could not get FontBBox…"); the reader reports
# unusable text itself, so only pdfminer's errors are worth showing.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


# --- paragraphs -----------------------------------------------------------------------------------


def _margins(lines: list[Line]) -> tuple[float, float]:
    """Return the body's left and right text edges.

    Left: the leftmost line start shared by at least two lines (a lone outdented line does not
    move it), else the most common start. Right: a high percentile of the line ends.
    """
    if not lines:
        return 0.0, 0.0
    starts = Counter(round(ln.x0) for ln in lines)
    repeated = sorted(x for x, n in starts.items() if n >= 2)
    left = repeated[0] if repeated else min(starts)
    ends = sorted(ln.x1 for ln in lines)
    right = ends[int(len(ends) * 0.8)] if len(ends) > 3 else ends[-1]
    return float(left), float(right)


_HEADING_START_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）])")
_SENTENCE_ENDS = ("。", "；", ";", "：", ":", "！", "？", "!", "?")


def _starts_paragraph(prev: Line | None, ln: Line, left: float, right: float) -> bool:
    """Return True when line ``ln`` starts a new paragraph after ``prev`` on the same page."""
    if prev is None:
        return True
    size = max(ln.size, 1.0)
    if ln.x0 > left + 0.8 * size:  # indented first line, centred title
        return True
    if prev.x1 < right - 1.5 * size:  # the previous line ended short
        return True
    gap = ln.top - prev.bottom
    if gap > 1.5 * max(prev.bottom - prev.top, size):
        return True
    # a numbered heading (一、 （二）) after a finished sentence, even when that sentence happened
    # to fill its last line and the heading is not indented
    if _HEADING_START_RE.match(ln.text) and prev.text.rstrip().endswith(_SENTENCE_ENDS):
        return True
    return False


# --- the document ---------------------------------------------------------------------------------


def unreadable_reason(text: str, pages_with_images: int = 0) -> str | None:
    """Return a Chinese reason why extracted text is not a usable Chinese report, or None if it is.

    The text is unusable when there is (almost) none, when it is mostly ``(cid:NN)`` placeholders
    or private-use/unassigned code points (a font without a usable ToUnicode map), or when it has
    too few CJK characters for a Chinese report (a font whose codes decode to Latin garbage).
    """
    cids, cjk, bad, visible = text_stats(text)
    total = cids + visible
    if total < 20:
        if pages_with_images:
            return "PDF 没有文字层（可能是扫描图片），无法机读，需要人工核对或 OCR"
        return "PDF 中没有可提取的文字，无法机读"
    if cids / total > 0.05:
        return f"PDF 字体编码损坏，文字无法解码（{cids} 个字符只有字形编号，没有对应汉字）"
    if bad / max(visible, 1) > 0.05:
        return "PDF 字体编码损坏，提取出的文字为私用区或未分配的码位（乱码）"
    if cjk < 50 or cjk / max(visible, 1) < 0.2:
        return f"PDF 提取出的文字几乎没有汉字（{cjk}/{visible}），字体编码可能损坏，无法机读"
    return None


def _open_failure(data: bytes, exc: Exception) -> str:
    """Return the Chinese reason why a PDF could not be opened."""
    chain = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 5:
        chain.append(f"{type(cur).__name__} {cur}")
        cur = cur.__cause__ or cur.__context__
    text = " ".join(chain)
    if "Password" in text or "Encrypt" in text or b"/Encrypt" in data[-4096:] or b"/Encrypt" in data[:4096]:
        return "PDF 文件已加密（需要密码），无法读取"
    if b"%%EOF" not in data[-2048:]:
        return "PDF 文件不完整（可能下载中断），无法打开"
    return f"PDF 文件已损坏，无法打开（{type(exc).__name__}）"


def read(data: bytes, source: str) -> IntermediateDoc:
    """Read a PDF into paragraphs and tables in reading order.

    Raises:
        LimitExceeded: too many pages, a stream decoding past its limit, a page with too many
            operators (:mod:`audit.readers.pdf_guard`).
        UnreadableError: the bytes cannot be opened as a PDF at all.
    """
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        check_page_count(pdf)
        page_list = list(pdf.pages)
        check_pages_listed(len(page_list))
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        limit = limit_in(exc)
        if limit is not None:
            raise limit from None
        raise UnreadableError(_open_failure(data, exc)) from exc
    with pdf:
        pages = _read_pages(data, page_list)
    items = _drop_running_lines(pages.items, pages.heights)
    blocks = _assemble(items)
    problems = pages.problems
    reason = unreadable_reason("\n".join(pages.text), pages.with_images)
    if reason:
        problems.insert(0, {"kind": "unreadable", "detail": reason})
    elif pages.empty:
        numbers = "、".join(str(p) for p in pages.empty)
        problems.append(
            {"kind": "reader", "detail": f"第{numbers}页没有文字层（可能是扫描图片），内容未读取"}
        )
    if not reason and pages.with_images and not any(b.kind == "table" for b in blocks):
        problems.append({"kind": "reader", "detail": TABLES_AS_IMAGES})
    return IntermediateDoc(
        source=source, blocks=blocks, media_type="application/pdf", pages=len(page_list), problems=problems
    )


@dataclass
class _Pages:
    """What the pages of a PDF gave: their items, raw text, heights, and what was wrong."""

    items: list[tuple[int, float, object]] = field(default_factory=list)  # (page, top, Line | Table)
    text: list[str] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    empty: list[int] = field(default_factory=list)
    with_images: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)


def _open_pdfium(data: bytes, pages: int) -> pypdfium2.PdfDocument | None:
    """Return the document opened by pdfium, or None (pdfminer reads every page) when it cannot
    be opened or lists another number of pages than pdfminer."""
    try:
        doc = open_document(data)
    except pypdfium2.PdfiumError:
        return None
    if page_count(doc) != pages:
        close_document(doc)
        return None
    return doc


def _fast_page(doc: pypdfium2.PdfDocument | None, page: Any, checked: set[int]) -> Any:
    """Return ``page`` with its objects read by pdfium, or as it is when pdfminer must read it.

    ``checked`` holds the font streams already checked in this document.

    Raises:
        LimitExceeded: a font stream of the page decodes past its limit.
    """
    fonts = check_page_fonts(page.page_obj, checked)
    if doc is None or fonts.type3:
        return page
    try:
        objects = page_objects(doc, page, fonts)
    except pypdfium2.PdfiumError:
        return page
    return page if objects is None else PdfiumPage(page, objects)


def _read_pages(data: bytes, page_list: list[Any]) -> _Pages:
    """Read every page; a page that fails is a problem, a page over a limit ends the document."""
    out = _Pages()
    doc = _open_pdfium(data, len(page_list))
    checked: set[int] = set()
    try:
        for page_no, page in enumerate(page_list, 1):
            if _read_one(doc, page, page_no, out, checked):
                out.heights[page_no] = float(page.height)
    finally:
        if doc is not None:
            close_document(doc)
    return out


def _read_one(
    doc: pypdfium2.PdfDocument | None, page: Any, page_no: int, out: _Pages, checked: set[int]
) -> bool:
    """Read one page into ``out``; return False when it failed (a problem is recorded)."""
    fast = page
    try:
        check_page_operators(page.page_obj, page_no)
        fast = _fast_page(doc, page, checked)
        page_items, page_text, has_images = read_page(fast, page_no)
    except Exception as exc:  # one bad page must not lose the document
        limit = limit_in(exc)
        if limit is not None:
            raise limit from None
        out.problems.append({"kind": "reader", "detail": f"第{page_no}页无法解析（{type(exc).__name__}）"})
        return False
    finally:
        fast.close()  # frees the page's parsed objects: long PDFs stay small in memory
        page.close()
    out.with_images += has_images
    if not page_text.strip():
        out.empty.append(page_no)
    out.text.append(page_text)
    out.items.extend((page_no, top, obj) for top, obj in page_items)
    return True


def _assemble(items: list[tuple[int, float, object]]) -> list[Block]:
    """Return blocks from the page items: paragraphs from lines, tables joined across pages."""
    lines_by_page: dict[int, list[Line]] = {}
    for page_no, _top, obj in items:
        if isinstance(obj, Line):
            lines_by_page.setdefault(page_no, []).append(obj)
    all_lines = [ln for lns in lines_by_page.values() for ln in lns]
    doc_margins = _margins(all_lines)
    # a page with few lines (a title, a closing paragraph) says little about the text edges
    margins = {p: _margins(lns) if len(lns) >= 6 else doc_margins for p, lns in lines_by_page.items()}

    blocks: list[Block] = []
    para: list[str] = []
    para_page: int | None = None
    prev_line: Line | None = None
    prev_page: int | None = None
    last_table: Table | None = None
    last_was_table = False

    def flush() -> None:
        nonlocal para, para_page
        if para:
            text = join_cell_lines("\n".join(para))
            if text:
                blocks.append(Block(kind="para", text=text, page=para_page))
        para = []
        para_page = None

    for page_no, _top, obj in items:
        if isinstance(obj, Table):
            if (
                last_table is not None
                and last_was_table
                and prev_page is not None
                and page_no == prev_page + 1
                and obj.page != last_table.page
                and _is_first_on_page(items, obj)
            ):
                join_tables(last_table, obj)
                blocks[-1].rows = clean_grid(last_table)
                blocks[-1].row_pages = list(last_table.row_pages)
            else:
                flush()
                last_table = obj
                blocks.append(
                    Block(kind="table", rows=clean_grid(obj), page=page_no, row_pages=list(obj.row_pages))
                )
            last_was_table = True
            prev_line = None
            prev_page = page_no
            continue
        ln = obj
        assert isinstance(ln, Line)
        left, right = margins[page_no]
        if prev_line is not None and page_no != prev_page:
            # a paragraph continued on the next page: previous line full, this one not indented
            new = (
                ln.x0 > left + 0.8 * ln.size
                or prev_line.x1 < margins[prev_page][1] - 1.5 * ln.size
                or bool(HEADING_RE.match(ln.text))
            )
        else:
            new = _starts_paragraph(prev_line, ln, left, right)
        if new:
            flush()
        if para_page is None:
            para_page = page_no
        para.append(ln.text)
        prev_line = ln
        prev_page = page_no
        last_was_table = False
    flush()
    return blocks


def _drop_running_lines(
    items: list[tuple[int, float, object]], heights: dict[int, float]
) -> list[tuple[int, float, object]]:
    """Return the items without running headers and footers.

    A running line is the same text (digits ignored) printed in the top or bottom margin of at
    least half of the pages, and of at least three.
    """

    def key(ln: Line) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", ln.text))

    def in_margin(page_no: int, ln: Line) -> bool:
        height = heights.get(page_no, 842.0)
        return ln.bottom < height * 0.1 or ln.top > height * 0.9

    pages_of: dict[str, set[int]] = {}
    for page_no, _top, obj in items:
        if isinstance(obj, Line) and in_margin(page_no, obj):
            pages_of.setdefault(key(obj), set()).add(page_no)
    total = len(heights)
    running = {k for k, pages in pages_of.items() if len(pages) >= 3 and len(pages) * 2 >= total}
    if not running:
        return items
    return [
        it
        for it in items
        if not (isinstance(it[2], Line) and in_margin(it[0], it[2]) and key(it[2]) in running)
    ]


def _is_first_on_page(items: list[tuple[int, float, object]], table: Table) -> bool:
    """Return True when ``table`` is the first item on its page."""
    for page_no, _top, obj in items:
        if page_no == table.page:
            return obj is table
    return False
