"""The evidence view: the archived document with the cited cells and sentences highlighted.

- HTML reports: the page as archived, with every script, frame, form, external resource, event
  handler and link stripped (lxml, parsed from decoded text so that ``sourceline`` matches the
  parser's provenance); the cited table rows and cells get ``gk-row``/``gk-cell``, cited sentences
  ``gk-quote``. Shown in a sandboxed ``<iframe>`` under a Content-Security-Policy that allows no
  request at all.
- Text reports: the lines with their numbers, cited lines marked and cited cells boxed.
- PDF reports: the cited page rendered as an image (pypdfium2) with a box over each cited cell,
  found with pdfplumber's table cells (or, without ruling lines, its words).
- Word documents: no page image; the evidence is quoted and the original is linked.

A cell is found in its printed row by counting value cells from the end of the row, in the
form's column order (:func:`value_from_end`). To support a new document kind: a function that
returns the page(s) as HTML (or an image and boxes) and a branch in :func:`document_view`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pdfplumber
import pypdfium2
from lxml import etree
from lxml import html as lxml_html

from audit.form import FORMAT_2019, FORMAT_2021, T3_COLUMNS, T4_COLUMNS, T4_GROUPS, t2_blocks
from audit.readers.charset import decode, markup_charset
from audit.readers.lines import split_cells
from audit.readers.pdf_pdfium import PDFIUM_LOCK
from audit.text import is_number

DROP_TAGS = (
    "script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "link", "base",
    "meta", "form", "style", "template", "audio", "video", "source", "track", "portal", "svg", "math",
)  # fmt: skip
URL_ATTRS = ("src", "href", "srcset", "background", "poster", "action", "formaction", "data", "lowsrc", "dynsrc", "ping", "longdesc", "cite", "manifest", "xlink:href")  # fmt: skip
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass
class Marks:
    """What to highlight: cells by (line or page, row label, position from the row's end), sentences."""

    cells: list[dict] = field(default_factory=list)  # {"line", "page", "row_label", "from_end", "id"}
    quotes: list[dict] = field(default_factory=list)  # {"line", "page", "text"}


def value_from_end(cell_id: str) -> int | None:
    """Return the position of a cell's value counted from the end of its printed row (1 = last)."""
    parts = cell_id.split(".")
    if len(parts) < 3:
        return None
    table, row, col = parts[0], ".".join(parts[1:-1]), parts[-1]
    if table == "t3":
        ids = [c.id for c in T3_COLUMNS]
        return len(ids) - ids.index(col) if col in ids else None
    if table == "t4":
        order = [f"{g.id}.{c.id}" for g in T4_GROUPS for c in T4_COLUMNS]
        key = f"{row}.{col}"
        return len(order) - order.index(key) if key in order else None
    if table == "t2":
        for fmt in (FORMAT_2021, FORMAT_2019):
            for block in t2_blocks(fmt):
                ids = [c.id for c in block.columns]
                if any(r.id == row for r in block.rows) and col in ids:
                    return len(ids) - ids.index(col)
    return None


_QUOTE_KEY = re.compile(r"^原文（(?P<sid>[^，）]+)(?:，第(?P<n>\d+)(?P<unit>[页行]))?）$")


def marks_for(evidence: dict, cells: dict[str, dict]) -> Marks:
    """Return what a finding's evidence cites, located with the report's cell provenance."""
    marks = Marks()
    for key, value in evidence.items():
        src = cells.get(key)
        if src:
            marks.cells.append(
                {
                    "id": key,
                    "line": src.get("line"),
                    "page": src.get("page"),
                    "row_label": src.get("row_label") or "",
                    "from_end": value_from_end(key),
                }
            )
            continue
        found = _QUOTE_KEY.match(key)
        if found and found.group("n") and isinstance(value, str):
            unit = "page" if found.group("unit") == "页" else "line"
            marks.quotes.append({unit: int(found.group("n")), "text": value.rstrip("…")})
    return marks


def _strip(root: etree._Element) -> None:
    """Remove everything that could run code or fetch something; keep the text and tables."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str):  # comments and processing instructions
            if el.getparent() is not None:
                el.getparent().remove(el)
            continue
        if el.tag.lower() in DROP_TAGS and el.getparent() is not None:
            el.drop_tree()
            continue
        for attr in list(el.attrib):
            low = attr.lower()
            if low.startswith("on") or low in URL_ATTRS or low.endswith(":href"):
                del el.attrib[attr]
            elif low == "style" and re.search(r"url\s*\(|expression|@import", el.attrib[attr], re.I):
                del el.attrib[attr]


def _add_class(el: etree._Element, name: str) -> None:
    """Add a class to an element."""
    el.set("class", (el.get("class", "") + " " + name).strip())


def _cells_of(tr: etree._Element) -> list[etree._Element]:
    """Return a row's own cells."""
    return [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]


def _mark_row(tr: etree._Element, from_end: int | None) -> None:
    """Mark a table row and, when its position is known, the cited value cell."""
    _add_class(tr, "gk-row")
    cells = [c for c in _cells_of(tr) if is_number("".join(c.text_content().split()))]
    if from_end and from_end <= len(cells):
        _add_class(cells[-from_end], "gk-cell")


def html_view(data: bytes, marks: Marks, title: str) -> str:
    """Return the archived HTML page, stripped, with the cited rows, cells and sentences marked."""
    text, _codec, _problems = decode(data, markup_charset(data))
    root = lxml_html.document_fromstring(text)
    rows: dict[int, list[etree._Element]] = {}
    blocks: dict[int, list[etree._Element]] = {}
    for el in root.iter():
        if isinstance(el.tag, str) and el.sourceline is not None:
            (rows if el.tag.lower() == "tr" else blocks).setdefault(el.sourceline, []).append(el)
    for cell in marks.cells:
        for tr in rows.get(cell["line"] or -1, []):
            _mark_row(tr, cell["from_end"])
    for quote in marks.quotes:
        probe = "".join(quote["text"].split())[:8]
        for el in blocks.get(quote.get("line") or -1, []):
            if el.tag.lower() in ("p", "div", "span", "td", "li", "h1", "h2", "h3", "h4") and probe[
                :4
            ] in "".join(el.text_content().split()):
                _add_class(el, "gk-quote")
                break
    _strip(root)
    head = root.find("head")
    if head is None:
        head = etree.SubElement(root, "head")
        root.insert(0, head)
    head.insert(0, etree.fromstring(f'<meta http-equiv="Content-Security-Policy" content="{CSP}"/>'))
    head.insert(0, etree.fromstring('<meta charset="utf-8"/>'))
    style = etree.SubElement(head, "style")
    style.text = HIGHLIGHT_CSS
    title_el = etree.SubElement(head, "title")
    title_el.text = title
    return "<!DOCTYPE html>\n" + lxml_html.tostring(root, encoding="unicode")


HIGHLIGHT_CSS = (
    ".gk-row{background:#fff3b0 !important}"
    ".gk-cell{outline:3px solid #d00 !important;background:#ffd0d0 !important}"
    ".gk-quote{background:#ffe08a !important;outline:2px solid #d80 !important}"
)


def text_lines(data: bytes, marks: Marks) -> list[dict]:
    """Return the lines of a text report for the listing: number, cells (marked) or text, whether cited."""
    text, _codec, _problems = decode(data, what="文本")
    by_line: dict[int, list[int | None]] = {}
    for cell in marks.cells:
        if cell["line"]:
            by_line.setdefault(cell["line"], []).append(cell["from_end"])
    quoted = {q["line"] for q in marks.quotes if q.get("line")}
    out = []
    for n, line in enumerate(text.split("\n"), 1):
        cells = split_cells(line) if n in by_line else None
        marked: list[tuple[str, bool]] | None = None
        if cells is not None:
            ends = {e for e in by_line[n] if e}
            values = [i for i, c in enumerate(cells) if is_number(c)]
            cited = {values[-e] for e in ends if e <= len(values)}
            marked = [(c, i in cited) for i, c in enumerate(cells)]
        out.append({"n": n, "text": line, "cells": marked, "row": n in by_line, "quote": n in quoted})
    return out


def _norm(text: str | None) -> str:
    """Return text without whitespace (PDF labels wrap and space unpredictably)."""
    return "".join((text or "").split())


def page_rows(page) -> list[tuple[str, list[tuple], tuple]]:  # noqa: ANN001
    """Return the table rows of a pdfplumber page: (label, value-cell boxes, row box)."""
    rows = []
    for table in page.find_tables():
        for row in table.rows:
            boxes = [b for b in row.cells if b is not None]
            if not boxes:
                continue
            texts = [_norm(page.crop(b).extract_text()) for b in boxes]
            values = [b for b, t in zip(boxes, texts, strict=True) if is_number(t)]
            label = "".join(t for t in texts if not is_number(t))
            rows.append((label, values, row.bbox))
    return rows


def _cell_box(page, rows: list, cell: dict) -> tuple[float, float, float, float] | None:  # noqa: ANN001
    """Return the box (x0, top, x1, bottom) of a cited cell on a pdfplumber page, or None."""
    label = _norm(cell["row_label"])
    tail = label[-6:]
    for printed, values, bbox in rows:
        if tail and printed.endswith(tail) or (label and label[:6] and printed.startswith(label[:6])):
            n = cell["from_end"]
            return values[-n] if n and n <= len(values) else bbox
    if label:
        hits = page.search(label[:4], regex=False)
        if hits:
            h = hits[0]
            return (h["x0"], h["top"] - 2, page.width - 10, h["bottom"] + 2)
    return None


def _quote_box(page, quote: dict) -> tuple[float, float, float, float] | None:  # noqa: ANN001
    """Return the box of the start of a quoted sentence on a pdfplumber page, or None."""
    probe = _norm(quote["text"])[:6]
    hits = page.search(probe, regex=False) if probe else []
    if not hits:
        return None
    h = hits[0]
    return (h["x0"] - 2, h["top"] - 2, min(page.width, h["x1"] + 200), h["bottom"] + 2)


def pdf_boxes(
    data: bytes, marks: Marks, max_pages: int = 3
) -> dict[int, list[tuple[float, float, float, float]]]:
    """Return, per cited page (at most ``max_pages``), the boxes of the cited cells and sentences.

    A box is (left, top, width, height) as fractions of the page, for an overlay on the page image.
    """
    wanted: dict[int, list[tuple[str, dict]]] = {}
    for cell in marks.cells:
        if cell["page"]:
            wanted.setdefault(cell["page"], []).append(("cell", cell))
    for quote in marks.quotes:
        if quote.get("page"):
            wanted.setdefault(quote["page"], []).append(("quote", quote))
    out: dict[int, list[tuple[float, float, float, float]]] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number in sorted(wanted)[:max_pages]:
            if number > len(pdf.pages):
                continue
            page = pdf.pages[number - 1]
            rows = page_rows(page) if any(kind == "cell" for kind, _ in wanted[number]) else []
            boxes = []
            for kind, item in wanted[number]:
                box = _cell_box(page, rows, item) if kind == "cell" else _quote_box(page, item)
                if box is not None:
                    x0, top, x1, bottom = box
                    w, h = page.width, page.height
                    boxes.append((x0 / w, top / h, (x1 - x0) / w, (bottom - top) / h))
            out[number] = list(dict.fromkeys(boxes))
    return out


def page_png(data: bytes, number: int, scale: float = 1.5) -> bytes:
    """Return page ``number`` (1-based) of a PDF rendered as PNG (pypdfium2, under the readers' lock)."""
    with PDFIUM_LOCK:  # pdfium is not thread-safe: one call at a time per process
        doc = pypdfium2.PdfDocument(data)
        try:
            image = doc[number - 1].render(scale=scale).to_pil()
        finally:
            doc.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
