"""Reader for HTML report pages as published by government CMSs.

The page is decoded by the one charset chain (:mod:`audit.readers.charset`), parsed with lxml's
HTML parser from *decoded text*, the report body is located inside the page chrome
(:mod:`audit.readers.html_page`), and the body is turned into paragraphs and tables in reading
order (here; tables in :mod:`audit.readers.html_tables`).

Why lxml's HTML parser and not BeautifulSoup: measured on this project, bs4's ``html.parser`` nests
unclosed ``<td>``/``<tr>`` (common in CMS and Word-exported pages) into each other, and bs4 with the
lxml builder does not record ``sourceline``. lxml's HTML parser closes optional end tags like a browser
and gives every element its source line. It is always given decoded text, never raw bytes (a
gb2312-declared page given as bytes came back empty in bs4+lxml, see notes/dependencies.md §2).

Rows of a table keep their own length (a ragged row is not padded); rows that are empty after
expansion are dropped (as the text reader drops blank lines). Cell text joins the lines of inner
``<p>``/``<br>`` without a space between CJK characters. Consecutive ``<table>`` elements
separated only by whitespace or empty paragraphs (or by a "续表"/page-number line when the column
counts agree) are joined into one table block. Tables used for page layout (one column, long
prose cells, or holding real nested tables) are read as flow content, not as grids. A ``<pre>``
element (a report pasted as plain text) is read line by line as the text reader reads a file.

Limits: the tags of the decoded page are counted before parsing (``max_elements``), and each
table's size before its spans are expanded (``max_cells``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from audit import limits
from audit.readers.base import LimitExceeded
from audit.readers.charset import decode, markup_charset, problem
from audit.readers.html_dom import (
    CONTROL_RE,
    DROP_TAGS,
    SPACES_RE,
    Element,
    clean_text,
    join_lines,
    own_cells,
    own_rows,
    tag_of,
    text_of,
)
from audit.readers.html_page import (
    drop_link_lists,
    find_body,
    find_title,
    page_facts,
    split_run_in_headings,
    strip_chrome,
)
from audit.readers.html_tables import expand_grid, is_layout_table, layout_cells, span_of
from audit.readers.lines import blocks_from_lines
from audit.report import Block, IntermediateDoc

KINDS = ("html",)

_CHROME_PARA_RE = re.compile(
    r"^(?:【\s*)?(?:上一篇|下一篇|上一条|下一条|上一页|下一页|打印本页|打印此页|关闭窗口|关闭本页|返回顶部|返回列表|"
    r"收藏本页|加入收藏|分享到|扫一扫|字体[:：]|字号[:：]|相关链接|相关文章|相关阅读|相关新闻|浏览次数|访问次数)"
    r"|^(?:【\s*(?:打印|关闭|大|中|小|收藏|分享)\s*】\s*)+"
)
_CONTINUATION_RE = re.compile(
    r"^(?:续表.{0,20}|[（(]?续[)）]?|[-—–\s]*\d{1,3}[-—–\s]*|第\s*\d+\s*页.{0,10})$"
)


def _is_chrome_paragraph(text: str) -> bool:
    """Return True for short page-chrome lines: 上一篇/下一篇, 打印/关闭, 字号, share widgets."""
    return len(text) <= 60 and bool(_CHROME_PARA_RE.match(text))


# ----------------------------------------------------------------------------------------------
# The reading-order walk

_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "aside",
        "header",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "center",
        "form",
        "fieldset",
        "address",
        "figure",
        "figcaption",
        "hr",
        "td",
        "th",
        "tr",
        "tbody",
        "thead",
        "tfoot",
        "caption",
        "body",
        "html",
    }
)


class _Flow:
    """Walks an element in reading order and collects paragraph and table blocks."""

    def __init__(self, flatten_tables: bool = False) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.buf_line: int | None = None
        self.line_hint: int | None = None
        self.flatten_tables = flatten_tables
        self.problems: list[dict[str, str]] = []

    # -- paragraphs

    def text(self, s: str | None) -> None:
        """Add flow text to the current paragraph."""
        if not s:
            return
        if self.buf_line is None and s.strip():
            self.buf_line = self.line_hint
        self.buf.append(s)

    def flush(self) -> None:
        """End the current paragraph."""
        if self.buf:
            text = clean_text("".join(self.buf))
            if text and not _is_chrome_paragraph(text):
                self.blocks.append(Block(kind="para", text=text, line=self.buf_line))
        self.buf, self.buf_line = [], None

    # -- walk

    def run(self, root: Element) -> list[Block]:
        """Walk ``root`` and return its blocks."""
        if tag_of(root) == "pre" and not self.flatten_tables:
            self._pre(root)
            return self.blocks
        self.line_hint = root.sourceline
        self.text(root.text)
        stack: list[tuple[Element, Iterator[Element]]] = [(root, iter(root))]
        while stack:
            el, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if tag_of(el) in _BLOCK_TAGS or tag_of(el) == "table":
                    self.flush()
                if stack:
                    self.text(el.tail)
                continue
            tag = tag_of(child)
            if tag is None or tag in DROP_TAGS:
                self.text(child.tail)
                continue
            if child.sourceline is not None:
                self.line_hint = child.sourceline
            if tag == "br":
                self.flush()
                self.text(child.tail)
                continue
            if tag == "table":
                self.flush()
                if self.flatten_tables:
                    self._flatten(child)
                elif is_layout_table(child):
                    stack.append((child, iter(layout_cells(child))))
                    continue
                else:
                    self._table(child)
                self.text(child.tail)
                continue
            if tag == "pre" and not self.flatten_tables:
                self.flush()
                self._pre(child)
                self.text(child.tail)
                continue
            if tag in _BLOCK_TAGS:
                self.flush()
            self.text(child.text)
            stack.append((child, iter(child)))
        self.flush()
        return self.blocks

    def _pre(self, pre: Element) -> None:
        """Add preformatted text line by line, as the text reader reads a file (tables by tabs)."""
        first = pre.sourceline or 1
        lines = text_of(pre).replace("\u00a0", " ").replace("\r\n", "\n").split("\n")
        blocks, problems = blocks_from_lines((first + i, line) for i, line in enumerate(lines))
        self.blocks.extend(b for b in blocks if b.kind == "table" or not _is_chrome_paragraph(b.text))
        self.problems.extend(problems)

    # -- tables

    def _flatten(self, table: Element) -> None:
        """Add a table nested in a cell as one line: its cells, row by row, joined by spaces."""
        cells = [_cell_text(c) for tr in own_rows(table) for c in own_cells(tr)]
        line = " ".join(c for c in cells if c)
        if line:
            self.blocks.append(Block(kind="para", text=line, line=table.sourceline))

    def _table(self, table: Element) -> None:
        """Read a data table into a grid block, joining it to a table it continues."""
        caption = table.find("caption")
        if caption is not None:
            text = clean_text(text_of(caption))
            if text:
                self.blocks.append(Block(kind="para", text=text, line=caption.sourceline))
        trs = own_rows(table)
        raw = [
            [(_cell_text(c), span_of(c.get("rowspan")), span_of(c.get("colspan"))) for c in own_cells(tr)]
            for tr in trs
        ]
        grid = expand_grid(raw)
        rows: list[list[str]] = []
        lines: list[int | None] = []
        for tr, row in zip(trs, grid, strict=True):
            if any(row):
                rows.append(row)
                lines.append(tr.sourceline)
        if not rows:
            return
        width = max(len(r) for r in rows)
        prev = self._continued_table(width)
        if prev is not None:
            prev.rows.extend(rows)
            prev.row_lines.extend(lines)
            prev.row_pages.extend([None] * len(rows))
            return
        self.blocks.append(
            Block(
                kind="table", rows=rows, line=table.sourceline, row_lines=lines, row_pages=[None] * len(rows)
            )
        )

    def _continued_table(self, width: int) -> Block | None:
        """Return the table block a new table continues, dropping "续表"-like lines in between."""
        i = len(self.blocks) - 1
        while i >= 0 and self.blocks[i].kind == "para" and _CONTINUATION_RE.match(self.blocks[i].text):
            i -= 1
        if i < 0 or self.blocks[i].kind != "table":
            return None
        prev = self.blocks[i]
        if i < len(self.blocks) - 1:
            if max(len(r) for r in prev.rows) != width:
                return None
            del self.blocks[i + 1 :]
        return prev


def _cell_text(cell: Element) -> str:
    """Return the text of a table cell: inner lines joined without spaces between CJK characters."""
    if len(cell) == 0:
        return clean_text(cell.text or "")
    flow = _Flow(flatten_tables=True)
    lines = [b.text for b in flow.run(cell) if b.kind == "para"]
    return join_lines(lines)


# ----------------------------------------------------------------------------------------------
# Entry point

_HTML_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def _check_tags(text: str) -> None:
    """Raise :class:`LimitExceeded` when the page has more tags than ``max_elements`` (counted cheaply).

    Every element has one start tag, so the ``<`` that do not start an end tag bound the number
    of elements the parser would build; the count is made on the text, before any parsing.
    """
    limit = limits.current().max_elements
    tags = text.count("<") - text.count("</")
    if tags > limit:
        raise LimitExceeded("max_elements", f"网页约有 {tags} 个标签，上限 {limit} 个")


def _parse_tree(text: str) -> Element | None:
    """Return the parsed document of decoded HTML text, or None when there is nothing to parse."""
    text = _XML_DECL_RE.sub("", CONTROL_RE.sub("", text), count=1)
    if not text.strip():
        return None
    try:
        root = etree.fromstring(text, _HTML_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root if root is not None and tag_of(root) else None


def read(data: bytes, source: str) -> IntermediateDoc:
    """Read an HTML report page into paragraphs and tables in reading order.

    ``meta`` records the codec used (``encoding``), the title shown on the page (``page_title``),
    how the body was found (``container``) and, when the page shows them, the publication date
    from its meta tags (``published``, as printed) and the attachment links (``attachments``, one
    per line). A page with no text gets a ``problems`` entry of
    kind ``unreadable``; decoding trouble gets entries of kind ``reader``.
    """
    text, codec, problems = decode(data, markup_charset(data))
    _check_tags(text)
    doc = IntermediateDoc(
        source=source, blocks=[], media_type="text/html", meta={"encoding": codec}, problems=problems
    )
    if text and (text.count("\ufffd") + len(CONTROL_RE.findall(text))) > 0.05 * len(text):
        problems.append(problem("garbled", "网页内容含大量无法识别的字符，可能不是有效的网页或编码错误"))
    root = _parse_tree(text)
    if root is None:
        problems.append(problem("empty", "网页为空，没有可读的正文", kind="unreadable"))
        return doc
    page_title = find_title(root)
    doc.meta.update(page_facts(root))
    body = root.find("body")
    if body is None:
        body = root
    strip_chrome(body)
    container, how = find_body(body)
    drop_link_lists(container)
    split_run_in_headings(container)
    flow = _Flow()
    blocks = flow.run(container)
    problems.extend(flow.problems)
    if page_title and not _title_in(page_title, blocks):
        blocks.insert(0, Block(kind="para", text=page_title, line=None))
    doc.blocks = blocks
    doc.meta.update({"page_title": page_title, "container": how})
    body_chars = sum(len(b.text) for b in blocks if b.kind == "para" and b.text != page_title)
    has_table = any(b.kind == "table" for b in blocks)
    if not has_table and body_chars == 0 and container.find(".//img") is None:
        problems.append(problem("empty", "网页中没有找到正文内容", kind="unreadable"))
    elif not has_table and body_chars < _SHORT_BODY and container.find(".//img") is not None:
        problems.append(
            problem("image_only", "网页正文是图片，无法机读，请人工查看或索取文字版本", kind="unreadable")
        )
    elif not has_table and body_chars < _SHORT_BODY and "attachments" in doc.meta:
        links = "、".join(doc.meta["attachments"].splitlines()[:5])
        problems.append(problem("in_attachment", f"网页正文很短，报告全文可能在附件中：{links}"))
    return doc


_SHORT_BODY = 200  # characters: less than this and no table is not a report's text


def _title_in(title: str, blocks: list[Block]) -> bool:
    """Return True when the page title is already printed at the start of the body."""
    key = SPACES_RE.sub("", title)
    head = "".join(SPACES_RE.sub("", b.text) for b in blocks[:6] if b.kind == "para")
    return key in head
