"""PDF reader: turns a PDF with a text layer into paragraphs and tables (pdfplumber).

How a page is read:

* Tables are found from ruling lines (``find_tables`` with the ``lines`` strategy, which also
  uses the edges of drawn rectangles, as WPS and Word export them). Real reports often frame
  running text in the same ruled box as a table (one full-width cell per text line): such
  full-width single-cell rows at the top or bottom of a found table are given back to the running
  text; a table with a single column is no table at all. Block captions like
  ``第二十条第（一）项`` stay in the table.
* Pages without ruling lines fall back to a text strategy: lines whose words are separated by
  wide gaps become table rows (cells split at the gaps), as the text reader does with runs of
  spaces.
* Everything outside the kept tables is running text: text lines in reading order, merged into
  paragraphs (a paragraph starts at an indented line, after a short line or after a wide vertical
  gap; a paragraph broken by a page break is joined again). Page numbers printed as headers or
  footers (``- 3 -``, ``— 3 —``, ``第3页 共8页``, ``3/8``) are dropped.
* Text inside a cell that was wrapped over several lines is joined without a space between CJK
  characters (a space is kept between two Latin letters or digits). Spaces that justified text
  puts between CJK characters are removed.
* A table continued on the next page (the next page starts with a table and nothing but the page
  footer/header lies between) is joined into one table with ``row_pages`` telling each row's
  page. A merged label cell cut in two by the page break (``（四）无`` / ``法提供``) is joined
  again when the continuation does not start a new numbered label; a row broken across the
  pages (the rest of its label at the top of the next page, without numbers) is joined into one
  row; header rows repeated at the top of the next page are dropped.
* Merged cells: the text stands in the cell's first (top-left) position and the spanned
  positions are ``""`` so that columns stay aligned; in a row holding numbers, positions covered
  by a cell spanning from the left are dropped (one entry per printed cell), as in the DOCX
  reader.

Unreadable documents (no text layer, broken font encoding) come back with a problem of kind
``unreadable`` and whatever was read; a PDF that cannot be opened raises ``UnreadableError``.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from audit.report import Block, IntermediateDoc
from audit.text import is_number, text_stats

# pdfminer warns once per glyph about damaged fonts ("Could not get FontBBox…"); the reader reports
# unusable text itself, so only pdfminer's errors are worth showing.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

TABLE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
    "edge_min_length": 3,
}

_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_RE = re.compile(f"[{_CJK}]")
_CJK_SPACE_RE = re.compile(f"(?<=[{_CJK}])[ \t\u00a0]+(?=[{_CJK}])")
_PAGE_NUMBER_RES = [
    re.compile(r"^[-—–－‐_~·•\s]*\d{1,4}[-—–－‐_~·•\s]*$"),
    re.compile(r"^第\s*\d{1,4}\s*页(\s*[/，,]?\s*共\s*\d{1,4}\s*页)?$"),
    re.compile(r"^共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页$"),
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),
    re.compile(r"^(page|Page|PAGE)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$"),
]
# A table block caption row that stays inside the table (第二十条第（一）项).
CAPTION_RE = re.compile(r"^第[一二三四五六七八九十百\d]+条")
# A cell that starts a new numbered label: 一、 （四） (4) 4. 4、 ①
_NUMBERED_RE = re.compile(
    r"^\s*(?:[（(]?[一二三四五六七八九十]+[)）、.．]|[（(]\d+[)）]|\d+\s*[.、．]|[①-⑳])"
)
TABLES_AS_IMAGES = "文档中没有可读的表格，但含有图片：统计表格可能以图片形式插入，无法机读"
# A numbered heading (一、 （三）) at the top of a page starts a paragraph of its own.
HEADING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")


class _Unopenable(Exception):
    """Internal: pdfplumber could not open the bytes."""


@dataclass
class _Line:
    """A text line on a page outside the kept tables."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class _Table:
    """A table found on one page: its grid (None = spanned position) and where it is."""

    grid: list[list[str | None]]
    top: float
    bottom: float
    page: int
    row_pages: list[int] = field(default_factory=list)
    x0: float = 0.0
    x1: float = 0.0
    # True where a position is covered by a cell to its left (a horizontal span)
    hcover: list[list[bool]] = field(default_factory=list)


def join_cell_lines(text: str) -> str:
    """Return cell (or line) text with its line breaks joined.

    A line break between two CJK characters (or CJK and punctuation) is dropped; between two
    Latin letters or digits it becomes a space. Spaces that justified text leaves between CJK
    characters are removed; other runs of whitespace become one space.
    """
    if not text:
        return ""
    parts = [p.strip() for p in text.split("\n")]
    out = ""
    for part in parts:
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    out = _CJK_SPACE_RE.sub("", out)
    return re.sub(r"[ \t\u00a0]{2,}", " ", out).strip()


def is_page_number(text: str) -> bool:
    """Return True when a text line is a printed page number (header or footer), not content."""
    s = text.strip()
    if not s:
        return False
    return any(rx.match(s) for rx in _PAGE_NUMBER_RES)


def _char_in(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    """Return True when the centre of a pdfplumber object lies in one of the boxes."""
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _is_text_row(row: list[str | None]) -> bool:
    """Return True when a grid row is one full-width cell (a framed line of running text)."""
    filled = [c for c in row if c is not None]
    return len(filled) <= 1 and (len(row) == 1 or row[0] is not None or not any(filled))


def _is_running_text_row(row: list[str | None]) -> bool:
    """Return True when a full-width single-cell row is running text, not a table caption."""
    return _is_text_row(row) and not CAPTION_RE.match(join_cell_lines(row[0] or "") if row else "")


def _kept_rows(grid: list[list[str | None]]) -> list[tuple[int, int]]:
    """Return the (first, last) row ranges of a found table that form real tables.

    Full-width single-cell rows at the top or bottom (framed running text) are left out, and
    the table is cut at such a row in its middle when it is a numbered heading (``四、…``): two
    tables printed in one frame with the section title between them.
    """
    if not grid or max(len(r) for r in grid) < 2:
        return []
    first, last = 0, len(grid) - 1
    while first <= last and _is_running_text_row(grid[first]):
        first += 1
    while last >= first and _is_running_text_row(grid[last]):
        last -= 1
    ranges: list[tuple[int, int]] = []
    start = first
    for i in range(first, last + 1):
        if _is_running_text_row(grid[i]) and HEADING_RE.match(join_cell_lines(grid[i][0] or "")):
            if start < i:
                ranges.append((start, i - 1))
            start = i + 1
    if start <= last:
        ranges.append((start, last))
    return [(a, b) for a, b in ranges if any(len([c for c in r if c]) >= 2 for r in grid[a : b + 1])]


def _page_tables(page: Any, page_no: int) -> list[_Table]:
    """Return the ruled tables of a page (text rows around them given back to running text)."""
    tables: list[_Table] = []
    for found in page.find_tables(TABLE_SETTINGS):
        grid = found.extract(x_tolerance=1.5)
        for first, last in _kept_rows(grid):
            tops: list[float] = []
            bottoms: list[float] = []
            for row in found.rows[first : last + 1]:
                for cell in row.cells:
                    if cell is not None:
                        tops.append(cell[1])
                        bottoms.append(cell[3])
            top = min(tops) if tops else found.bbox[1]
            bottom = max(bottoms) if bottoms else found.bbox[3]
            kept, hcover = _split_stacked_rows(
                grid[first : last + 1], _horizontal_cover([r.cells for r in found.rows[first : last + 1]])
            )
            tables.append(
                _Table(
                    grid=kept,
                    top=top,
                    bottom=bottom,
                    page=page_no,
                    row_pages=[page_no] * len(kept),
                    x0=found.bbox[0],
                    x1=found.bbox[2],
                    hcover=hcover,
                )
            )
    return tables


_NUMBER_LINE_RE = re.compile(r"^\s*[\d,.]+\s*$")


def _split_stacked_rows(
    grid: list[list[str | None]], hcover: list[list[bool]]
) -> tuple[list[list[str | None]], list[list[bool]]]:
    """Return the grid with rows split where a ruling line between them was lost.

    When every value cell of a row holds the same number k ≥ 2 of stacked numbers, one per
    line, and every other non-empty cell has exactly k lines, the row is really k rows printed
    without the line between them: it is split into k rows.
    """
    out: list[list[str | None]] = []
    out_cover: list[list[bool]] = []
    for row, cover in zip(grid, hcover, strict=False):
        lines = [(c or "").split("\n") for c in row]
        numeric = [
            ls for c, ls in zip(row, lines, strict=True) if c and all(_NUMBER_LINE_RE.match(x) for x in ls)
        ]
        k = len(numeric[0]) if numeric else 1
        if (
            k >= 2
            and len(numeric) >= 2
            and all(len(ls) == k for ls in numeric)
            and all(not c or len(ls) == k for c, ls in zip(row, lines, strict=True))
        ):
            for i in range(k):
                out.append(
                    [None if c is None else (ls[i] if c else "") for c, ls in zip(row, lines, strict=True)]
                )
                out_cover.append(list(cover))
            continue
        out.append(row)
        out_cover.append(cover)
    return out, out_cover


def _horizontal_cover(rows: list[list[tuple[float, float, float, float] | None]]) -> list[list[bool]]:
    """Return, per row and position, whether a cell further left spans over that position."""
    width = max((len(r) for r in rows), default=0)
    col_x0 = [
        min((r[j][0] for r in rows if j < len(r) and r[j] is not None), default=0.0) for j in range(width)
    ]
    cover: list[list[bool]] = []
    for r in rows:
        flags = []
        reach = -1.0
        for j, cell in enumerate(r):
            if cell is not None:
                reach = cell[2]
                flags.append(False)
            else:
                flags.append(reach > col_x0[j] + 1)
        cover.append(flags)
    return cover


def _page_lines(page: Any, boxes: list[tuple[float, float, float, float]]) -> list[_Line]:
    """Return the text lines of a page outside the given boxes, top to bottom."""
    outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _char_in(obj, boxes))
    lines: list[_Line] = []
    for ln in outside.extract_text_lines(x_tolerance=1.5, return_chars=True):
        chars = ln.get("chars") or []
        sizes = [c.get("size", 0) for c in chars if c.get("text", " ").strip()]
        size = statistics.median(sizes) if sizes else 10.0
        text = ln["text"]
        if not text.strip():
            continue
        lines.append(
            _Line(text=text, x0=ln["x0"], x1=ln["x1"], top=ln["top"], bottom=ln["bottom"], size=size)
        )
    lines.sort(key=lambda item: (round(item.top), item.x0))
    return lines


def _drop_page_furniture(lines: list[_Line], height: float) -> list[_Line]:
    """Return the lines without printed page numbers (headers and footers)."""
    kept = []
    for ln in lines:
        if is_page_number(ln.text):
            in_margin = ln.top < height * 0.12 or ln.bottom > height * 0.88
            dashed = not ln.text.strip().isdigit()
            if in_margin or dashed:
                continue
        kept.append(ln)
    return kept


# --- text-strategy fallback for pages without ruling lines ---------------------------------------


def _split_line_cells(page: Any, ln: _Line) -> list[str]:
    """Return the cells of a text line split at wide horizontal gaps (≥ 1.8 character widths)."""
    chars = [
        c
        for c in page.chars
        if c["top"] >= ln.top - 1
        and c["bottom"] <= ln.bottom + 1
        and c["x0"] >= ln.x0 - 1
        and c["x1"] <= ln.x1 + 1
        and c["text"].strip()
    ]
    chars.sort(key=lambda c: c["x0"])
    cells: list[str] = []
    current = ""
    prev_x1: float | None = None
    for c in chars:
        gap = c["x0"] - prev_x1 if prev_x1 is not None else 0.0
        if prev_x1 is not None and gap >= 1.8 * ln.size:
            cells.append(current)
            current = ""
        elif (
            prev_x1 is not None
            and gap > 0.25 * ln.size
            and current
            and current[-1].isascii()
            and c["text"].isascii()
        ):
            current += " "
        current += c["text"]
        prev_x1 = c["x1"]
    if current:
        cells.append(current)
    return [join_cell_lines(c) for c in cells]


def _text_tables(page: Any, lines: list[_Line], page_no: int) -> tuple[list[_Table], list[_Line]]:
    """Return tables built from gap-separated text lines, and the lines that remain running text.

    A line split into ≥ 3 cells, one of them a number, is a table row; up to two lines between
    two such rows (a wrapped label) belong to the table, and so do header lines right above it
    that split into ≥ 3 cells. At least two lines of ≥ 3 cells make a table.
    """
    split = [_split_line_cells(page, ln) for ln in lines]

    def tabular(cells: list[str]) -> bool:
        return len(cells) >= 3 and any(re.fullmatch(r"[\d.,]+", c.replace(" ", "")) for c in cells)

    flags = [tabular(c) for c in split]
    in_table = [False] * len(lines)
    tables: list[_Table] = []
    i = 0
    while i < len(lines):
        if not flags[i]:
            i += 1
            continue
        first, last = i, i
        while True:
            k = last + 1
            while k < len(lines) and not flags[k] and k - last <= 2:
                k += 1
            if k < len(lines) and flags[k]:
                last = k
            else:
                break
        while first > 0 and not in_table[first - 1] and len(split[first - 1]) >= 3:
            first -= 1
        if sum(1 for m in range(first, last + 1) if len(split[m]) >= 3) >= 2:
            for m in range(first, last + 1):
                in_table[m] = True
            grid: list[list[str | None]] = [list(split[m]) for m in range(first, last + 1)]
            tables.append(
                _Table(
                    grid=grid,
                    top=lines[first].top,
                    bottom=lines[last].bottom,
                    page=page_no,
                    row_pages=[page_no] * len(grid),
                )
            )
        i = last + 1
    rest = [ln for m, ln in enumerate(lines) if not in_table[m]]
    return tables, rest


# --- paragraphs -----------------------------------------------------------------------------------


def _margins(lines: list[_Line]) -> tuple[float, float]:
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


def _starts_paragraph(prev: _Line | None, ln: _Line, left: float, right: float) -> bool:
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


def _join_tables(a: _Table, b: _Table) -> None:
    """Append table ``b`` (continued on the next page) to ``a``, mending a label cut by the break.

    Header rows that Word repeats at the top of each page (the same text as ``a``'s first rows,
    no numbers) are dropped.
    """
    repeated = 0
    while repeated < min(len(a.grid), len(b.grid) - 1):
        top, again = _clean_row(a.grid[repeated]), _clean_row(b.grid[repeated])
        if top != again or any(is_number(c) for c in again) or not any(again):
            break
        repeated += 1
    if repeated:
        b.grid, b.row_pages = b.grid[repeated:], b.row_pages[repeated:]
        b.hcover = b.hcover[repeated:]
    if b.grid and a.grid and len(b.grid[0]) == len(a.grid[-1]):
        # a data row broken across the pages: the rest of its labels, without numbers, in the
        # same cells (a caption spanning the table is no continuation) under the label cells
        last, first = _clean_row(a.grid[-1]), _clean_row(b.grid[0])
        filled = [j for j, c in enumerate(first) if c]
        # the continued cells are real cells in both rows; a caption spanning the new page's row
        # (more covered positions than the row it would continue) is no continuation. Cells that
        # continue a vertical merge (None above) restart as empty cells on the new page.
        same_cells = all(a.grid[-1][j] is not None for j in filled) and sum(
            c is None for c in b.grid[0]
        ) <= sum(c is None for c in a.grid[-1])
        if (
            filled
            and same_cells
            and not any(is_number(c) for c in first)
            and any(is_number(c) for c in last)
            and all(last[j] and not is_number(last[j]) for j in filled)
        ):
            for j in filled:
                a.grid[-1][j] = (a.grid[-1][j] or "") + "\n" + (b.grid[0][j] or "")
            b.grid, b.row_pages, b.hcover = b.grid[1:], b.row_pages[1:], b.hcover[1:]
    if b.grid and a.grid and len(b.grid[0]) == len(a.grid[-1]):
        first = b.grid[0]
        for j, cell in enumerate(first):
            if not cell or not cell.strip() or _NUMBERED_RE.match(cell) or not _CJK_RE.search(cell):
                continue
            # the cell above: nearest non-None cell in column j of a, scanning up from the bottom
            k = len(a.grid) - 1
            while k >= 0 and j < len(a.grid[k]) and a.grid[k][j] is None:
                k -= 1
            if k < 0 or j >= len(a.grid[k]):
                continue
            above = a.grid[k][j]
            if not above or not _CJK_RE.search(above) or re.fullmatch(r"[\d.,\s]+", above):
                continue
            # the continuation must itself be a merged cell or the cell above must be (vertical span)
            spans_down = len(b.grid) > 1 and j < len(b.grid[1]) and b.grid[1][j] is None
            spanned_above = k < len(a.grid) - 1
            if not (spans_down or spanned_above or _looks_cut(above)):
                continue
            a.grid[k][j] = above + "\n" + cell
            first[j] = ""
    a.grid.extend(b.grid)
    a.hcover.extend(b.hcover or [[False] * len(r) for r in b.grid])
    a.row_pages.extend(b.row_pages)
    a.bottom = b.bottom


def _clean_row(row: list[str | None]) -> list[str]:
    """Return a grid row as joined strings (``""`` for spanned positions)."""
    return [join_cell_lines(c) if c else "" for c in row]


def _looks_cut(text: str) -> bool:
    """Return True when a label looks cut off (a numbered group label of at most 3 characters)."""
    s = join_cell_lines(text)
    m = _NUMBERED_RE.match(s)
    return bool(m) and len(s) - m.end() <= 3


def _clean_grid(table: _Table) -> list[list[str]]:
    """Return the grid as strings: joined cell lines, ``""`` for spanned positions.

    In a row holding numbers, positions covered by a cell spanning from the left are dropped
    (one entry per printed cell), as the DOCX reader does: a value drawn over two grid columns
    must not put a false empty value between real ones. Positions covered from above stay ``""``
    so label columns keep their alignment.
    """
    out: list[list[str]] = []
    for i, row in enumerate(table.grid):
        cover = table.hcover[i] if i < len(table.hcover) else [False] * len(row)
        cells = [join_cell_lines(c) if c else "" for c in row]
        if any(is_number(c) for c in cells):
            cells = [c for j, c in enumerate(cells) if not (j < len(cover) and cover[j])]
        out.append(cells)
    return out


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


def read_pdf(data: bytes, source: str) -> IntermediateDoc:
    """Read a PDF into paragraphs and tables in reading order.

    Raises:
        UnreadableError: the bytes cannot be opened as a PDF at all.
    """
    import pdfplumber

    from audit.readers import UnreadableError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        page_list = list(pdf.pages)
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        raise UnreadableError(_open_failure(data, exc)) from exc

    problems: list[dict[str, str]] = []
    items: list[tuple[int, float, object]] = []  # (page, top, _Line | _Table)
    all_text: list[str] = []
    pages_with_images = 0
    empty_pages: list[int] = []
    heights: dict[int, float] = {}
    with pdf:
        for page_no, page in enumerate(page_list, 1):
            try:
                page_items, page_text, has_images = _read_page(page, page_no)
            except Exception as exc:  # one bad page must not lose the document
                problems.append(
                    {"kind": "reader", "detail": f"第{page_no}页无法解析（{type(exc).__name__}）"}
                )
                continue
            finally:
                page.close()  # frees the page's parsed objects: long PDFs stay small in memory
            heights[page_no] = float(page.height)
            pages_with_images += has_images
            if not page_text.strip():
                empty_pages.append(page_no)
            all_text.append(page_text)
            items.extend((page_no, top, obj) for top, obj in page_items)

    items = _drop_running_lines(items, heights)
    blocks = _assemble(items)
    reason = unreadable_reason("\n".join(all_text), pages_with_images)
    if reason:
        problems.insert(0, {"kind": "unreadable", "detail": reason})
    elif empty_pages:
        pages = "、".join(str(p) for p in empty_pages)
        problems.append({"kind": "reader", "detail": f"第{pages}页没有文字层（可能是扫描图片），内容未读取"})
    if not reason and pages_with_images and not any(b.kind == "table" for b in blocks):
        problems.append({"kind": "reader", "detail": TABLES_AS_IMAGES})
    return IntermediateDoc(
        source=source, blocks=blocks, media_type="application/pdf", pages=len(page_list), problems=problems
    )


def _read_page(page: Any, page_no: int) -> tuple[list[tuple[float, object]], str, int]:
    """Return a page's lines and tables with their tops, the page's raw text and its image count."""
    raw_text = page.extract_text() or ""
    has_images = 1 if page.images else 0
    if not page.chars:
        return [], raw_text, has_images
    tables = _page_tables(page, page_no)
    boxes = [(t.x0 - 1, t.top - 1, t.x1 + 1, t.bottom + 1) for t in tables]
    lines = _drop_page_furniture(_page_lines(page, boxes), float(page.height))
    # lines outside the ruled tables may still be a table printed without ruling lines
    text_tables, lines = _text_tables(page, lines, page_no)
    tables.extend(text_tables)
    out: list[tuple[float, object]] = [(ln.top, ln) for ln in lines]
    out.extend((t.top, t) for t in tables)
    out.sort(key=lambda item: item[0])
    return out, raw_text, has_images


def _assemble(items: list[tuple[int, float, object]]) -> list[Block]:
    """Return blocks from the page items: paragraphs from lines, tables joined across pages."""
    lines_by_page: dict[int, list[_Line]] = {}
    for page_no, _top, obj in items:
        if isinstance(obj, _Line):
            lines_by_page.setdefault(page_no, []).append(obj)
    all_lines = [ln for lns in lines_by_page.values() for ln in lns]
    doc_margins = _margins(all_lines)
    # a page with few lines (a title, a closing paragraph) says little about the text edges
    margins = {p: _margins(lns) if len(lns) >= 6 else doc_margins for p, lns in lines_by_page.items()}

    blocks: list[Block] = []
    para: list[str] = []
    para_page: int | None = None
    prev_line: _Line | None = None
    prev_page: int | None = None
    last_table: _Table | None = None
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
        if isinstance(obj, _Table):
            if (
                last_table is not None
                and last_was_table
                and prev_page is not None
                and page_no == prev_page + 1
                and obj.page != last_table.page
                and _is_first_on_page(items, obj)
            ):
                _join_tables(last_table, obj)
                blocks[-1].rows = _clean_grid(last_table)
                blocks[-1].row_pages = list(last_table.row_pages)
            else:
                flush()
                last_table = obj
                blocks.append(
                    Block(kind="table", rows=_clean_grid(obj), page=page_no, row_pages=list(obj.row_pages))
                )
            last_was_table = True
            prev_line = None
            prev_page = page_no
            continue
        ln = obj
        assert isinstance(ln, _Line)
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

    def key(ln: _Line) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", ln.text))

    def in_margin(page_no: int, ln: _Line) -> bool:
        height = heights.get(page_no, 842.0)
        return ln.bottom < height * 0.1 or ln.top > height * 0.9

    pages_of: dict[str, set[int]] = {}
    for page_no, _top, obj in items:
        if isinstance(obj, _Line) and in_margin(page_no, obj):
            pages_of.setdefault(key(obj), set()).add(page_no)
    total = len(heights)
    running = {k for k, pages in pages_of.items() if len(pages) >= 3 and len(pages) * 2 >= total}
    if not running:
        return items
    return [
        it
        for it in items
        if not (isinstance(it[2], _Line) and in_margin(it[0], it[2]) and key(it[2]) in running)
    ]


def _is_first_on_page(items: list[tuple[int, float, object]], table: _Table) -> bool:
    """Return True when ``table`` is the first item on its page."""
    for page_no, _top, obj in items:
        if page_no == table.page:
            return obj is table
    return False
