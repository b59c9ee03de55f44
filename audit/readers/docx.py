"""DOCX reader: turns a Word (OOXML) document into paragraphs and tables in body order.

The body XML is walked directly (not ``doc.paragraphs`` then ``doc.tables``) so paragraphs and
tables keep the order in which they are printed. What is read:

* ``w:p`` paragraphs (runs, hyperlinks, insertions, fields; deleted text is skipped). A tab
  becomes a space and a manual line break joins like a wrapped line.
* ``w:tbl`` tables, built from the grid: a merged cell appears **once** (de-duplicated by cell
  identity: one ``w:tc``), with its text in its top-left position. A cell merged down
  (``w:vMerge``) leaves ``""`` in the rows below, so label columns stay aligned. A cell merged
  across (``w:gridSpan``, or the legacy ``w:hMerge``) is followed by ``""`` for the columns it covers in rows without
  numbers (headers keep their alignment, rows skipped with ``w:gridBefore``/``w:gridAfter`` are
  padded too); in rows holding numbers each cell is one entry, so that a value covering two grid
  columns (common in hand-drawn Word tables) never puts a false empty value between real ones.
  The label-driven reader finds data rows by label and takes their values from the end of the
  row, which both layouts satisfy. Paragraphs inside one cell are joined like wrapped lines (no
  space between CJK).
* Framed running text: a one-column table, or rows made of one cell spanning the table at its
  top or bottom (WPS and Word users frame the preamble or whole sections this way), are read as
  paragraphs; a numbered heading row (``四、…``) between two tables in one frame splits them.
  Block captions (``第二十条第（一）项``) stay in the table.
* Nested tables (a table inside a cell) come out as their own table blocks right after the table
  that holds them; their text is not repeated in the outer cell.
* Text boxes (``w:txbxContent`` in drawings and VML shapes) are read where they are anchored:
  their paragraphs and tables follow the paragraph that anchors them. The VML fallback copy of a
  DrawingML text box (``mc:Fallback``) is skipped so nothing is read twice.
* Content controls (``w:sdt``) are transparent.
* Automatic list numbering (``一、`` ``（一）`` ``1.`` made by Word's numbering, not stored in
  the text) is computed from ``numbering.xml`` and the paragraph styles and put in front of the
  paragraph text, as it is printed.

Pages: where Word recorded its page breaks (``w:lastRenderedPageBreak``, page breaks), each
block gets the page it starts on and each table row its page; otherwise pages are unknown.

Headers, footers, footnotes and comments are not part of the report body and are not read.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from audit.readers.pdf import CAPTION_RE, HEADING_RE, TABLES_AS_IMAGES, join_cell_lines
from audit.report import Block, IntermediateDoc
from audit.text import is_number

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    """Return the Clark name of a WordprocessingML tag."""
    return f"{{{W_NS}}}{tag}"


P, TBL, TR, TC, SDT, SDT_CONTENT = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("sdt"), _w("sdtContent")
TXBX = _w("txbxContent")
FALLBACK = f"{{{MC_NS}}}Fallback"
_SKIP_IN_TEXT = {_w("delText"), _w("instrText"), TXBX, _w("footnoteReference"), _w("commentReference")}


# --- automatic list numbering (一、 （一） 1. printed by Word, not stored in the text) -----------

_CN_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """Return ``n`` (1–99) written as Word's chineseCounting does: 一 … 十 十一 … 二十."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(n)


def _roman(n: int) -> str:
    """Return ``n`` as an upper-case Roman numeral."""
    out = ""
    for value, sym in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out, n = out + sym, n - value
    return out


def format_number(n: int, fmt: str) -> str:
    """Return counter ``n`` in Word number format ``fmt`` (decimal, chineseCounting, …)."""
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "chineseLegalSimplified",
        "japaneseCounting",
        "taiwaneseCounting",
        "ideographLegalTraditional",
    ):
        return _chinese_number(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).lower() if fmt == "lowerRoman" else _roman(n)
    if fmt in ("ideographTraditional",):
        return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10]
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


class Numbering:
    """Computes the list labels Word prints in front of numbered paragraphs."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        self.counters: dict[str, list[int | None]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part
            root = None
        if root is not None:
            for absn in root.findall(_w("abstractNum")):
                levels: dict[int, tuple[str, str, int]] = {}
                for lvl in absn.findall(_w("lvl")):
                    ilvl = int(lvl.get(_w("ilvl"), "0"))
                    fmt = lvl.find(_w("numFmt"))
                    text = lvl.find(_w("lvlText"))
                    start = lvl.find(_w("start"))
                    levels[ilvl] = (
                        fmt.get(_w("val"), "decimal") if fmt is not None else "decimal",
                        text.get(_w("val"), "") if text is not None else "",
                        int(start.get(_w("val"), "1")) if start is not None else 1,
                    )
                self.levels[absn.get(_w("abstractNumId"), "")] = levels
            for num in root.findall(_w("num")):
                abs_id = num.find(_w("abstractNumId"))
                overrides: dict[int, int] = {}
                for ov in num.findall(_w("lvlOverride")):
                    start = ov.find(_w("startOverride"))
                    if start is not None:
                        overrides[int(ov.get(_w("ilvl"), "0"))] = int(start.get(_w("val"), "1"))
                if abs_id is not None:
                    self.nums[num.get(_w("numId"), "")] = (abs_id.get(_w("val"), ""), overrides)
        try:
            styles = document.styles.element
        except Exception:
            styles = None
        if styles is not None:
            based: dict[str, str] = {}
            for style in styles.findall(_w("style")):
                sid = style.get(_w("styleId"), "")
                num_pr = style.find(f"{_w('pPr')}/{_w('numPr')}")
                if num_pr is not None:
                    num_id = num_pr.find(_w("numId"))
                    ilvl = num_pr.find(_w("ilvl"))
                    if num_id is not None:
                        self.style_num[sid] = (
                            num_id.get(_w("val"), "0"),
                            int(ilvl.get(_w("val"), "0")) if ilvl is not None else 0,
                        )
                parent = style.find(_w("basedOn"))
                if parent is not None:
                    based[sid] = parent.get(_w("val"), "")
            for sid in list(based):
                seen, cur = set(), sid
                while cur not in self.style_num and cur in based and cur not in seen:
                    seen.add(cur)
                    cur = based[cur]
                if cur in self.style_num and sid not in self.style_num:
                    self.style_num[sid] = self.style_num[cur]

    def label(self, p: Any) -> str:
        """Return the label Word prints before paragraph ``p`` ("" when it is not numbered)."""
        if not self.nums:
            return ""
        ppr = p.find(_w("pPr"))
        num_id: str | None = None
        ilvl = 0
        if ppr is not None:
            num_pr = ppr.find(_w("numPr"))
            if num_pr is not None:
                nid = num_pr.find(_w("numId"))
                lvl = num_pr.find(_w("ilvl"))
                num_id = nid.get(_w("val")) if nid is not None else None
                ilvl = int(lvl.get(_w("val"), "0")) if lvl is not None else 0
            if num_id is None:
                style = ppr.find(_w("pStyle"))
                if style is not None and style.get(_w("val"), "") in self.style_num:
                    num_id, ilvl = self.style_num[style.get(_w("val"), "")]
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abs_id, overrides = self.nums[num_id]
        levels = self.levels.get(abs_id, {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, [None] * 10)
        start = overrides.get(ilvl, levels[ilvl][2])
        current = counters[ilvl]
        counters[ilvl] = start if current is None else current + 1
        for deeper in range(ilvl + 1, len(counters)):
            counters[deeper] = None
        fmt, text, _start = levels[ilvl]
        if fmt == "bullet":
            return ""

        def level_value(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            value = (
                counters[k]
                if 0 <= k < len(counters) and counters[k] is not None
                else levels.get(k, ("", "", 1))[2]
            )
            return format_number(int(value), levels.get(k, (fmt, "", 1))[0])

        return re.sub(r"%([1-9])", level_value, text)


_NUMBERING: ContextVar[Numbering | None] = ContextVar("gkaudit_docx_numbering", default=None)
_PAGES: ContextVar[dict[Any, int] | None] = ContextVar("gkaudit_docx_pages", default=None)
LAST_RENDERED = _w("lastRenderedPageBreak")


def page_map(body: Any) -> dict[Any, int] | None:
    """Return the page each ``w:p`` starts on, from the page breaks Word recorded, or None.

    Word writes ``w:lastRenderedPageBreak`` where a page ended when it last laid the document
    out; explicit breaks are ``w:br w:type="page"`` and ``w:pageBreakBefore``. A document without
    any of them (generated by a program) has no page information: None.
    """
    pages: dict[Any, int] = {}
    page = 1
    seen_marker = False
    for p in body.iter(P):
        start = page
        text_seen = False
        ppr = p.find(_w("pPr"))
        if ppr is not None and ppr.find(_w("pageBreakBefore")) is not None:
            val = ppr.find(_w("pageBreakBefore")).get(_w("val"), "true")
            if val not in ("0", "false"):
                page += 1
                start = page
                seen_marker = True
        for el in p.iter():
            if el.tag == _w("t") and el.text:
                text_seen = True
            elif el.tag == LAST_RENDERED or (el.tag == _w("br") and el.get(_w("type")) == "page"):
                seen_marker = True
                page += 1
                if not text_seen:
                    start = page
        pages[p] = start
    return pages if seen_marker else None


def _page_of(el: Any) -> int | None:
    """Return the page an element (paragraph, table, row) starts on, when known."""
    pages = _PAGES.get()
    if not pages:
        return None
    first = el if el.tag == P else next(el.iter(P), None)
    return pages.get(first) if first is not None else None


def _paragraph_text(p: Any) -> str:
    """Return the text of one ``w:p`` (text boxes and deleted text excluded)."""
    out: list[str] = []

    def visit(el: Any) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_IN_TEXT or tag == _w("del"):
                continue
            if tag == _w("t"):
                out.append(child.text or "")
            elif tag in (_w("tab"), _w("ptab")):
                out.append(" ")
            elif tag in (_w("br"), _w("cr")):
                out.append("\n")
            elif tag == _w("noBreakHyphen"):
                out.append("-")
            elif tag == _w("sym"):
                continue
            elif tag == FALLBACK:
                continue
            else:
                visit(child)

    visit(p)
    numbering = _NUMBERING.get()
    label = numbering.label(p) if numbering is not None else ""
    return label + "".join(out)


def _text_boxes(el: Any) -> list[Any]:
    """Return the outermost ``w:txbxContent`` elements under ``el`` (VML fallbacks skipped)."""
    found: list[Any] = []

    def visit(node: Any) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str) or tag == FALLBACK:
                continue
            if tag == TXBX:
                found.append(child)
                continue  # its own content is walked by the caller
            if tag in (P, TBL):
                continue  # a nested paragraph or table is handled where it is walked
            visit(child)

    for child in el:
        if isinstance(child.tag, str) and child.tag != FALLBACK:
            if child.tag == TXBX:
                found.append(child)
            else:
                visit(child)
    return found


def _int_attr(el: Any, tag: str, default: int = 0) -> int:
    """Return the integer ``w:val`` of child ``tag`` of ``el`` (e.g. gridSpan), or ``default``."""
    if el is None:
        return default
    child = el.find(_w(tag))
    if child is None:
        return default
    try:
        return int(child.get(_w("val"), default))
    except ValueError:
        return default


def _children(parent: Any, tag: str) -> Iterator[Any]:
    """Yield the children of ``parent`` with ``tag``, looking through content controls (w:sdt)."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)


def _row_cells(tr: Any) -> Iterator[Any]:
    """Yield the ``w:tc`` cells of a row."""
    return _children(tr, TC)


def _table_rows(tbl: Any) -> Iterator[Any]:
    """Yield the ``w:tr`` rows of a table."""
    return _children(tbl, TR)


def _cell_text(tc: Any) -> str:
    """Return a cell's own text: its paragraphs joined like wrapped lines (nested tables excluded)."""
    parts: list[str] = []

    def visit(container: Any) -> None:
        for child in container:
            if child.tag == P:
                parts.append(_paragraph_text(child))
            elif child.tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    visit(content)

    visit(tc)
    return join_cell_lines("\n".join(parts))


def table_grid(tbl: Any) -> list[list[str]]:
    """Return the grid of one ``w:tbl`` (see the module docstring for merged cells).

    In a row without numbers (headers, captions) a cell spanning columns is followed by ``""``
    for each column it covers, so header labels stay above their columns. In a row holding
    numbers every cell is one entry whatever its span: Word tables whose rows were drawn with
    different cell widths have a fine grid in which one value covers two grid columns, and
    padding would put a false empty value between two real ones.
    """
    grid: list[list[str]] = []
    for tr in _table_rows(tbl):
        tr_pr = tr.find(_w("trPr"))
        cells: list[tuple[str, int]] = []
        for tc in _row_cells(tr):
            tc_pr = tc.find(_w("tcPr"))
            span = max(1, _int_attr(tc_pr, "gridSpan", 1))
            vmerge = tc_pr.find(_w("vMerge")) if tc_pr is not None else None
            continued = vmerge is not None and vmerge.get(_w("val"), "continue") == "continue"
            hmerge = tc_pr.find(_w("hMerge")) if tc_pr is not None else None
            if hmerge is not None and hmerge.get(_w("val"), "continue") == "continue":
                span = 0  # legacy horizontal merge: this cell is covered by the one to its left
            cells.append(("" if continued or span == 0 else _cell_text(tc), span))
        if any(is_number(text) for text, _span in cells):
            grid.append([text for text, span in cells if span])
            continue
        row: list[str] = [""] * _int_attr(tr_pr, "gridBefore")
        for text, span in cells:
            row.append(text)
            row.extend([""] * max(span - 1, 0))
        row.extend([""] * _int_attr(tr_pr, "gridAfter"))
        grid.append(row)
    return grid


def _walk(container: Any) -> Iterator[Block]:
    """Yield the blocks of a body-like container (body, cell, text box, content control)."""
    for child in container:
        tag = child.tag
        if tag == P:
            text = _paragraph_text(child)
            text = join_cell_lines(text.replace("\u3000", " ")) if "\n" in text else text.strip()
            if text:
                yield Block(kind="para", text=text, page=_page_of(child))
            for box in _text_boxes(child):
                yield from _walk(box)
        elif tag == TBL:
            yield from _walk_table(child)
        elif tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _walk(content)


def _table_segments(rows: list[Any], grid: list[list[str]]) -> list[tuple[str, int, int]]:
    """Return how a table's rows are read: ``("text", i, i)`` rows and ``("table", a, b)`` runs.

    A row made of one cell spanning the table (or any row of a one-column table) at the top or
    bottom is framed running text, unless it is a caption (``第二十条第（一）项``); in the middle it
    is running text only when it is a numbered heading (``四、…``) between two tables printed in
    one frame.
    """
    ncols = max((len(r) for r in grid), default=0)
    single = [len(list(_row_cells(tr))) == 1 or ncols <= 1 for tr in rows]

    def running(i: int) -> bool:
        text = grid[i][0] if grid[i] else ""
        return single[i] and not CAPTION_RE.match(text)

    first, last = 0, len(rows) - 1
    while first <= last and running(first):
        first += 1
    while last >= first and running(last):
        last -= 1
    segments: list[tuple[str, int, int]] = [("text", i, i) for i in range(first)]
    start = first
    for i in range(first, last + 1):
        if running(i) and HEADING_RE.match(grid[i][0] if grid[i] else ""):
            if start < i:
                segments.append(("table", start, i - 1))
            segments.append(("text", i, i))
            start = i + 1
    if start <= last:
        segments.append(("table", start, last))
    segments.extend(("text", i, i) for i in range(max(last + 1, first), len(rows)))
    return segments


def _walk_table(tbl: Any) -> Iterator[Block]:
    """Yield a table's blocks: framed running text as paragraphs, table runs as table blocks.

    After each table run come the nested tables and text boxes found in its cells.
    """
    rows = list(_table_rows(tbl))
    grid = table_grid(tbl)
    for kind, a, b in _table_segments(rows, grid):
        if kind == "text":
            for tc in _row_cells(rows[a]):
                yield from _walk(tc)
            continue
        part = grid[a : b + 1]
        if any(any(c.strip() for c in row) for row in part):
            row_pages = [_page_of(tr) for tr in rows[a : b + 1]]
            yield Block(
                kind="table",
                rows=part,
                page=row_pages[0] if row_pages else None,
                row_pages=row_pages if any(row_pages) else [],
            )
        for tr in rows[a : b + 1]:
            for tc in _row_cells(tr):
                for child in tc:
                    if child.tag == TBL:
                        yield from _walk_table(child)
                    elif child.tag == P:
                        for box in _text_boxes(child):
                            yield from _walk(box)


def read_docx(data: bytes, source: str) -> IntermediateDoc:
    """Read a DOCX document into paragraphs and tables in body order.

    Raises:
        UnreadableError: the bytes are not a readable Word document (corrupt ZIP or XML).
    """
    import docx

    from audit.readers import UnreadableError

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableError(f"Word 文档已损坏或无法打开（{type(exc).__name__}）") from exc
    except Exception as exc:  # lxml and python-docx raise many types for broken files
        raise UnreadableError(f"Word 文档无法解析（{type(exc).__name__}）") from exc
    body = document.element.body
    token = _NUMBERING.set(Numbering(document))
    pages_token = _PAGES.set(page_map(body))
    try:
        blocks = list(_walk(body))
    finally:
        _NUMBERING.reset(token)
        _PAGES.reset(pages_token)
    problems: list[dict[str, str]] = []
    text = "".join(b.text for b in blocks) + "".join("".join(r) for b in blocks for r in b.rows)
    has_images = bool(body.findall(".//" + _w("drawing"))) or bool(body.findall(".//" + _w("pict")))
    if not re.search(r"[\u4e00-\u9fff]", text):
        detail = (
            "Word 文档中只有图片，没有可读文字（可能是扫描件），无法机读"
            if has_images
            else "Word 文档中没有可读的中文文字，无法机读"
        )
        problems.append({"kind": "unreadable", "detail": detail})
    elif has_images and not any(b.kind == "table" for b in blocks):
        problems.append({"kind": "reader", "detail": TABLES_AS_IMAGES})
    known = [b.page for b in blocks if b.page] + [p for b in blocks for p in b.row_pages if p]
    return IntermediateDoc(
        source=source,
        blocks=blocks,
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        pages=max(known) if known else None,
        problems=problems,
    )
