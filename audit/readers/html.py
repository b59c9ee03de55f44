"""Reader for HTML report pages as published by government CMSs.

The page is decoded with a deterministic chain (declared charset → strict UTF-8 → strict GB18030 →
charset_normalizer → UTF-8 with replacement), parsed with lxml's HTML parser from *decoded text*, the
report body is located inside the page chrome (known CMS containers first, otherwise the densest
block of non-link text), and the body is turned into paragraphs and tables in reading order.

Why lxml's HTML parser and not BeautifulSoup: measured on this project, bs4's ``html.parser`` nests
unclosed ``<td>``/``<tr>`` (common in CMS and Word-exported pages) into each other, and bs4 with the
lxml builder does not record ``sourceline``. lxml's HTML parser closes optional end tags like a browser
and gives every element its source line. It is always given decoded text, never raw bytes (a
gb2312-declared page given as bytes came back empty in bs4+lxml, see notes/dependencies.md §2).

Tables: ``rowspan``/``colspan`` are expanded into a full grid. A spanned cell's text is put in its
top-left position and ``""`` in every other position it covers, so value columns stay aligned and
no value is counted twice. Rows keep their own length (a ragged row is not padded); rows that are
empty after expansion are dropped (as the text reader drops blank lines). Cell text joins the lines
of inner ``<p>``/``<br>`` without a space between CJK characters. Consecutive ``<table>`` elements
separated only by whitespace or empty paragraphs (or by a "续表"/page-number line when the column
counts agree) are joined into one table block. Tables used for page layout (one column, long
prose cells, or holding real nested tables) are read as flow content, not as grids.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from charset_normalizer import from_bytes
from lxml import etree

from audit.report import Block, IntermediateDoc

Element = etree._Element

# ----------------------------------------------------------------------------------------------
# Decoding

_META_CHARSET_RE = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([a-zA-Z0-9_.:\-]+)", re.I)
_XML_ENCODING_RE = re.compile(rb"<\?xml\b[^>]*?encoding\s*=\s*[\"']([a-zA-Z0-9_.:\-]+)", re.I)
_GB_NAMES = frozenset({"gb2312", "gbk", "gb18030"})
_GB_ALIASES = frozenset(
    {"x-gbk", "gb_2312-80", "gb_2312", "csgb2312", "iso-ir-58", "chinese", "x-euc-cn", "euc-cn"}
)
_WESTERN_NAMES = frozenset({"ascii", "iso8859-1", "cp1252", "latin-1", "iso8859-15"})
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def _declared_charset(data: bytes) -> str | None:
    """Return the charset declared in a ``<meta>`` tag or XML declaration, as printed."""
    head = data[:8192]
    m = _META_CHARSET_RE.search(head) or _XML_ENCODING_RE.search(head)
    return m.group(1).decode("ascii", "replace").strip().lower() if m else None


def _codec_for(label: str) -> str | None:
    """Return the Python codec for a declared charset label (gb2312/gbk → gb18030), or None."""
    if label in _GB_ALIASES:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _GB_NAMES:
        return "gb18030"
    if name == "big5":
        return "big5hkscs"
    if name.startswith(("utf-16", "utf-32")):
        return (
            "utf-8"  # a meta tag cannot declare UTF-16 (it would not be readable as ASCII); HTML says utf-8
        )
    return name


def _strict(data: bytes, codec: str) -> str | None:
    """Return ``data`` decoded strictly with ``codec``, or None when it does not decode."""
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(data: bytes) -> tuple[str, str, list[dict[str, str]]]:
    """Decode an HTML page; return (text, codec used, problems).

    Order: byte-order mark; the declared charset (``<meta charset>``, ``http-equiv`` content type or
    XML declaration; gb2312/gbk read as gb18030) when it decodes strictly — except that a page
    which is valid UTF-8 with Chinese text is read as UTF-8 whatever a legacy or western charset
    declares; then strict UTF-8, strict GB18030, charset_normalizer, and finally UTF-8 with
    replacement characters (with a ``problems`` entry). A declaration contradicted by the content
    is reported in ``problems``.
    """
    problems: list[dict[str, str]] = []
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace"), codec, problems

    label = _declared_charset(data)
    declared = _codec_for(label) if label else None
    utf8 = _strict(data, "utf-8")
    if label and declared is None:
        problems.append(_problem("charset_unknown", f"网页声明了无法识别的字符编码“{label}”，已自动判断编码"))
    if declared is not None:
        text = _strict(data, declared)
        if text is not None:
            if declared == "utf-8":
                return text, declared, problems
            if utf8 is not None and utf8 != text and _CJK_RE.search(utf8):
                problems.append(_mismatch(label or declared, "utf-8"))
                return utf8, "utf-8", problems
            if declared not in _WESTERN_NAMES or text.isascii():
                return text, declared, problems
            # A western single-byte charset "decodes" any bytes; check the CJK codecs first.
            gb = _strict(data, "gb18030")
            if gb is not None and _CJK_RE.search(gb):
                problems.append(_mismatch(label or declared, "gb18030"))
                return gb, "gb18030", problems
            return text, declared, problems
        lenient = _lenient(data, declared)
        if lenient is not None:
            problems.append(_stray_bytes(lenient[1], declared))
            return lenient[0], declared, problems

    for codec in ("utf-8", "gb18030"):
        text = utf8 if codec == "utf-8" else _strict(data, codec)
        if text is not None:
            if declared is not None:
                problems.append(_mismatch(label or declared, codec))
            return text, codec, problems
    for codec in ("utf-8", "gb18030"):
        lenient = _lenient(data, codec)
        if lenient is not None:
            problems.append(_stray_bytes(lenient[1], codec))
            return lenient[0], codec, problems
    best = from_bytes(data).best()
    if best is not None:
        if declared is not None:
            problems.append(_mismatch(label or declared, best.encoding))
        return str(best), best.encoding, problems
    problems.append(
        _problem("charset_undetected", "网页字符编码无法确定，已按 UTF-8 容错解码，个别字符可能有误")
    )
    return data.decode("utf-8", errors="replace"), "utf-8", problems


_LENIENT_MAX_ERRORS = 0.005  # share of the bytes that may fail to decode (a stray include, a cut character)


def _lenient(data: bytes, codec: str) -> tuple[str, int] | None:
    """Return (text, errors) decoding with replacement when only a few bytes fail, else None.

    Pages assembled from server-side includes often mix a GBK body with a UTF-8 footer (or the
    reverse), or end in a truncated character; one bad byte must not send the page to guessing.
    """
    try:
        text = data.decode(codec, errors="replace")
    except LookupError:
        return None
    errors = text.count("\ufffd")
    if 0 < errors <= max(1, _LENIENT_MAX_ERRORS * len(data)):
        return text, errors
    return None


def _stray_bytes(errors: int, codec: str) -> dict[str, str]:
    """Return the problem entry for a page decoded with a few undecodable bytes replaced."""
    return _problem(
        "charset_stray_bytes",
        f"网页有 {errors} 处字节无法按 {codec} 解码，已替换为占位符，个别字符可能缺失",
    )


def _problem(code: str, detail: str, kind: str = "reader") -> dict[str, str]:
    """Return a ``problems`` entry of the intermediate document."""
    return {"kind": kind, "code": code, "detail": detail}


def _mismatch(declared: str, used: str) -> dict[str, str]:
    """Return the problem entry for a declared charset contradicted by the content."""
    return _problem("charset_mismatch", f"网页声明的字符编码“{declared}”与内容不符，已按 {used} 解码")


# ----------------------------------------------------------------------------------------------
# Text helpers

_CJK_CHAR = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"
_CJK_BREAK_RE = re.compile(rf"(?<={_CJK_CHAR})[ \t\r\f]*\n\s*(?={_CJK_CHAR})")
_SPACES_RE = re.compile(r"[\s\u00a0\u3000\u2002-\u200a\u202f\u205f]+")
_INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CJK_ONE = re.compile(_CJK_CHAR)


def clean_text(raw: str) -> str:
    """Return HTML flow text normalised: whitespace collapsed, nbsp and ideographic spaces as spaces.

    A source line break between two CJK characters is removed (it is not a space in Chinese text).
    """
    s = _INVISIBLE_RE.sub("", raw)
    s = _CJK_BREAK_RE.sub("", s)
    return _SPACES_RE.sub(" ", s).strip()


def join_lines(lines: list[str]) -> str:
    """Return the lines of a table cell joined: no space next to a CJK character, else one space."""
    out = ""
    for line in lines:
        if not line:
            continue
        if out and not (_CJK_ONE.match(out[-1]) or _CJK_ONE.match(line[0])):
            out += " "
        out += line
    return out


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
# Page chrome and the report body

_DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "canvas",
        "button",
        "select",
        "input",
        "textarea",
        "nav",
        "map",
        "audio",
        "video",
        "head",
        "title",
        "meta",
        "link",
    }
)
_CHROME_TAGS = frozenset({"header", "footer", "aside"})
_CHROME_TOKEN_RE = re.compile(
    r"^(?:nav|navbar|navs?|nav[-_]?(?:bar|box|list|wrap)|menus?|main[-_]?menu|top[-_]?menu|sub[-_]?nav|"
    r"breadcrumbs?|bread|crumbs?|crumb[-_]?nav|position|cur[-_]?pos|current[-_]?position|location|dqwz|"
    r"footer|foot|footers|copyright|copy[-_]?right|header|top[-_]?bar|topbar|banner|logo|sidebar|side[-_]?bar|"
    r"share|share[-_]?box|bdshare.*|bds_.*|fenxiang|jiathis.*|related|relate|related[-_]?links?|xglj|xgwz|"
    r"xgxx|friend[-_]?links?|yqlj|links|prev[-_]?next|pre[-_]?next|page[-_]?turn|print|print[-_]?close|"
    r"fontsize|font[-_]?size|zh?ihao|search|search[-_]?box|login|toolbar|qrcode|ewm|erweima|pager|"
    r"pagination|page[-_]?nav|comments?|ads?|advert.*|gotop|go[-_]?top|back[-_]?top)$",
    re.I,
)
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# Known report containers of Chinese government CMSs (TRS, 大汉 Hanweb, VSB, WebPlus, 政府网站集约化
# platforms), most specific first; matched case-insensitively on class tokens and ids.
_KNOWN_CONTAINERS: tuple[tuple[str, str], ...] = (
    ("class", "trs_editor"),
    ("id", "ucap-content"),
    ("id", "zoom"),
    ("id", "fontzoom"),
    ("class", "custom_unionstyle"),
    ("id", "vsb_content"),
    ("class", "v_news_content"),
    ("class", "wp_articlecontent"),
    ("class", "article-content"),
    ("class", "article_content"),
    ("class", "articlecontent"),
    ("class", "art_con"),
    ("class", "pages_content"),
    ("class", "zwnr"),
    ("id", "zwnr"),
    ("class", "wznr"),
    ("id", "wznr"),
    ("class", "news_content"),
    ("id", "news_content"),
    ("id", "artibody"),
    ("class", "view"),
    ("class", "content"),
    ("id", "content"),
    ("tag", "article"),
    ("tag", "main"),
)
_CONTAINER_SHARE = 0.5  # a known container must hold at least this share of the page's text
_DESCEND_SHARE = 0.7  # the density walk enters a child holding at least this share of its parent
_CHROME_MAX_SHARE = 0.3  # a chrome-looking element holding more of the text is kept (safety)

_TITLE_TOKEN_RE = re.compile(r"title|tit|bt|biaoti|headline", re.I)


def _tag(el: Element) -> str | None:
    """Return the (lower-case) tag name of an element, or None for comments and PIs."""
    tag = el.tag
    return tag if isinstance(tag, str) else None


def _text(el: Element) -> str:
    """Return all the text inside an element."""
    return "".join(el.itertext())


def _drop(el: Element) -> None:
    """Remove an element from the tree, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _tokens(el: Element) -> list[str]:
    """Return the class tokens and the id of an element."""
    out = (el.get("class") or "").split()
    if el.get("id"):
        out.append(el.get("id", ""))
    return out


def _text_len(el: Element) -> int:
    """Return the number of non-space characters of an element's text."""
    return len(_SPACES_RE.sub("", _text(el)))


def _score(el: Element) -> int:
    """Return the content score of an element: text length minus link text length."""
    links = sum(_text_len(a) for a in el.iter("a"))
    return _text_len(el) - links


def _page_title(root: Element) -> str:
    """Return the report title shown on the page (heading or ``<title>``), or ""."""
    for name in ("articletitle", "title", "og:title"):
        text = clean_text(_meta_tags(root).get(name, ""))
        if "报告" in text and len(text) <= 80:
            return text
    candidates: list[str] = []
    for el in root.iter():
        tag = _tag(el)
        if tag in ("h1", "h2", "h3") or (
            tag in ("div", "p", "span", "td") and any(_TITLE_TOKEN_RE.search(t) for t in _tokens(el))
        ):
            text = clean_text(_text(el))
            if "报告" in text and len(text) <= 80:
                candidates.append(text)
    dated = [c for c in candidates if re.search(r"(?:19|20)\d{2}", c)]
    if dated or candidates:
        return (dated or candidates)[0]  # a column heading "政府信息公开年度报告" is not the title
    title = root.find(".//title")
    if title is not None:
        parts = [clean_text(p) for p in re.split(r"[_|｜]+|\s[-—–]+\s|——", _text(title))]
        parts = [p for p in parts if "报告" in p]
        if parts:
            return max(parts, key=len)
    return ""


def _meta_tags(root: Element) -> dict[str, str]:
    """Return the ``<meta name=… content=…>`` (and ``property=…``) tags of a page, names lower-cased."""
    out: dict[str, str] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip().lower()
        if name and el.get("content") and name not in out:
            out[name] = el.get("content", "")
    return out


_PUBDATE_META = ("pubdate", "publishdate", "firstpublishedtime", "articlepubdate", "article:published_time")
_ATTACHMENT_RE = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|et|ofd|zip|rar)(?:$|[?#])", re.I)


def _page_facts(root: Element) -> dict[str, str]:
    """Return facts about the page for ``meta``: publication date (as printed) and attachment links."""
    facts: dict[str, str] = {}
    metas = _meta_tags(root)
    for name in _PUBDATE_META:
        if metas.get(name):
            facts["published"] = metas[name].strip()
            break
    links = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if href and _ATTACHMENT_RE.search(href) and href not in links:
            links.append(href)
    if links:
        facts["attachments"] = "\n".join(links)
    return facts


_HEADING_NUM_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[)）])"
)
_BOLD_TAGS = frozenset({"strong", "b"})


def _split_run_in_headings(body: Element) -> None:
    """Put a bold numbered heading that runs into its paragraph on a line of its own.

    ``<p><strong>一、总体情况</strong>2024年，…</p>`` reads as two paragraphs, as a printed page
    shows it; the heading is recognised only when it is bold, numbered and short.
    """
    for p in list(body.iter("p", "div")):
        if (p.text or "").strip() or len(p) == 0:
            continue
        first = p[0]
        inner = first
        while _tag(inner) in ("span", "font") and len(inner) == 1 and not (inner.text or "").strip():
            inner = inner[0]  # <span><b>一、…</b></span>: the wrapper is the heading
            if (inner.tail or "").strip():
                break
        if _tag(inner) not in _BOLD_TAGS or (inner is not first and (inner.tail or "").strip()):
            continue
        heading = clean_text(_text(first))
        if not heading or len(heading) > 40 or not _HEADING_NUM_RE.match(heading):
            continue
        rest = (first.tail or "").strip() or any(True for _ in first.itersiblings())
        if not rest:
            continue
        br = etree.Element("br")
        tail, first.tail = first.tail, None
        first.addnext(br)
        br.tail = tail


def _drop_link_lists(container: Element) -> None:
    """Remove link lists inside the body (related articles, column menus): most text in ≥ 3 links."""
    doomed = []
    for el in container.iter("ul", "ol", "div", "dl"):
        if el is container:
            continue
        links = list(el.iter("a"))
        if len(links) < 3 or el.find(".//table") is not None:
            continue
        total = _text_len(el)
        if total and sum(_text_len(a) for a in links) >= 0.6 * total:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None and not _has_dropped_ancestor(el, doomed):
            _drop(el)


def _strip_chrome(body: Element) -> None:
    """Remove scripts, navigation, headers, footers, hidden and chrome-classed elements in place."""
    total = max(_text_len(body), 1)
    doomed: list[Element] = []
    for el in body.iter():
        tag = _tag(el)
        if tag is None:
            doomed.append(el)  # comments, processing instructions
            continue
        if tag in _DROP_TAGS or _HIDDEN_STYLE_RE.search(el.get("style") or ""):
            doomed.append(el)
        elif tag in _CHROME_TAGS or any(_CHROME_TOKEN_RE.match(t) for t in _tokens(el)):
            if _text_len(el) <= _CHROME_MAX_SHARE * total:
                doomed.append(el)
    for el in doomed:
        if el.getparent() is not None and not _has_dropped_ancestor(el, doomed):
            _drop(el)


def _has_dropped_ancestor(el: Element, doomed: list[Element]) -> bool:
    """Return True when an ancestor of ``el`` is also scheduled for removal."""
    ids = {id(d) for d in doomed}
    parent = el.getparent()
    while parent is not None:
        if id(parent) in ids:
            return True
        parent = parent.getparent()
    return False


def _matches(el: Element, how: str, name: str) -> bool:
    """Return True when ``el`` matches a known-container rule."""
    if how == "tag":
        return _tag(el) == name
    if how == "id":
        return (el.get("id") or "").lower() == name
    return name in (el.get("class") or "").lower().split()


def _find_body(body: Element) -> tuple[Element, str]:
    """Return the element holding the report text and a description of how it was chosen."""
    total = max(_score(body), 1)
    elements = [el for el in body.iter() if _tag(el)]
    for how, name in _KNOWN_CONTAINERS:
        found = [el for el in elements if _matches(el, how, name)]
        if not found:
            continue
        scored = sorted(((_score(el), i, el) for i, el in enumerate(found)), key=lambda t: (-t[0], t[1]))
        best_score, _, best = scored[0]
        if best_score >= _CONTAINER_SHARE * total:
            if _tag(best) == "table" and best.getparent() is not None:
                best = best.getparent()
            return best, f"{how}={name}"
        # The report is split over several sibling containers: take their common ancestor.
        big = [el for s, _, el in scored if s >= 0.1 * total]
        if len(big) > 1 and sum(_score(el) for el in big) >= _CONTAINER_SHARE * total:
            return _common_ancestor(big), f"{how}={name}（多个）"
    node = body
    while True:
        children = [c for c in node if _tag(c)]
        if not children:
            break
        node_score = max(_score(node), 1)
        child = max(children, key=_score)
        if _score(child) < _DESCEND_SHARE * node_score:
            break
        if _tag(child) not in _DESCEND_TAGS or not _has_block_child(child):
            break  # a paragraph or a text-only box: its siblings belong to the body too
        if _tag(child) == "table" and not _is_layout_table(child):
            break  # a data table is content, never the container itself
        node = child
    while _tag(node) in ("table", "tbody", "thead", "tfoot", "tr") and node.getparent() is not None:
        node = node.getparent()  # the walk stopped inside a layout table's structure
    return node, "density"


_DESCEND_TAGS = frozenset(
    {"div", "section", "article", "main", "td", "th", "table", "tbody", "thead", "tr", "form", "center", "font",
     "span", "blockquote"}
)  # fmt: skip
_STRUCTURE_TAGS = frozenset(
    {"p", "div", "table", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "tr"}
)


def _has_block_child(el: Element) -> bool:
    """Return True when ``el`` holds block structure (paragraphs, tables, line breaks)."""
    return any(_tag(d) in _STRUCTURE_TAGS for d in el.iterdescendants())


def _common_ancestor(elements: list[Element]) -> Element:
    """Return the deepest element containing all of ``elements``."""
    chains = []
    for el in elements:
        chain = [el, *el.iterancestors()]
        chains.append(list(reversed(chain)))
    common = chains[0][0]
    for level in zip(*chains, strict=False):
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    return common


# ----------------------------------------------------------------------------------------------
# Tables

_MAX_COLSPAN = 200


def _span(value: str | None) -> int:
    """Return a rowspan/colspan attribute as an int (leading digits; default 1; 0 kept as 0)."""
    m = re.match(r"\s*(\d+)", value or "")
    return int(m.group(1)) if m else 1


def _own_rows(table: Element) -> list[Element]:
    """Return the ``<tr>`` of a table, excluding rows of nested tables."""
    return [tr for tr in table.iter("tr") if _nearest(tr, "table") is table]


def _own_cells(tr: Element) -> list[Element]:
    """Return the ``<td>``/``<th>`` of a row, excluding cells of nested tables."""
    return [c for c in tr.iter("td", "th") if _nearest(c, "tr") is tr]


def _nearest(el: Element, tag: str) -> Element | None:
    """Return the nearest ancestor of ``el`` with the given tag."""
    parent = el.getparent()
    while parent is not None and _tag(parent) != tag:
        parent = parent.getparent()
    return parent


def expand_grid(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Expand rows of (text, rowspan, colspan) cells into a grid of strings.

    The text of a spanned cell goes to its top-left position; the other positions it covers get
    ``""``. ``rowspan=0`` spans to the last row; spans are clipped to the table. Rows keep their own
    length (positions left unfilled inside a row become ``""``).
    """
    n = len(rows)
    grid: list[list[str | None]] = [[] for _ in range(n)]
    for r, cells in enumerate(rows):
        c = 0
        for text, rowspan, colspan in cells:
            row = grid[r]
            while c < len(row) and row[c] is not None:
                c += 1
            rs = n - r if rowspan == 0 else min(max(rowspan, 1), n - r)
            cs = min(max(colspan, 1), _MAX_COLSPAN)
            for dr in range(rs):
                target = grid[r + dr]
                if len(target) < c + cs:
                    target.extend([None] * (c + cs - len(target)))
                for dc in range(cs):
                    if target[c + dc] is None:
                        target[c + dc] = text if dr == 0 and dc == 0 else ""
            c += cs
    return [["" if v is None else v for v in row] for row in grid]


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
_LAYOUT_CELL_CHARS = 300


class _Flow:
    """Walks an element in reading order and collects paragraph and table blocks."""

    def __init__(self, flatten_tables: bool = False) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.buf_line: int | None = None
        self.line_hint: int | None = None
        self.flatten_tables = flatten_tables

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
        self.line_hint = root.sourceline
        self.text(root.text)
        stack: list[tuple[Element, Iterator[Element]]] = [(root, iter(root))]
        while stack:
            el, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if _tag(el) in _BLOCK_TAGS or _tag(el) == "table":
                    self.flush()
                if stack:
                    self.text(el.tail)
                continue
            tag = _tag(child)
            if tag is None or tag in _DROP_TAGS:
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
                elif _is_layout_table(child):
                    stack.append((child, iter(_layout_cells(child))))
                    continue
                else:
                    self._table(child)
                self.text(child.tail)
                continue
            if tag in _BLOCK_TAGS:
                self.flush()
            self.text(child.text)
            stack.append((child, iter(child)))
        self.flush()
        return self.blocks

    # -- tables

    def _flatten(self, table: Element) -> None:
        """Add a table nested in a cell as one line: its cells, row by row, joined by spaces."""
        cells = [_cell_text(c) for tr in _own_rows(table) for c in _own_cells(tr)]
        line = " ".join(c for c in cells if c)
        if line:
            self.blocks.append(Block(kind="para", text=line, line=table.sourceline))

    def _table(self, table: Element) -> None:
        """Read a data table into a grid block, joining it to a table it continues."""
        caption = table.find("caption")
        if caption is not None:
            text = clean_text(_text(caption))
            if text:
                self.blocks.append(Block(kind="para", text=text, line=caption.sourceline))
        trs = _own_rows(table)
        raw = [
            [(_cell_text(c), _span(c.get("rowspan")), _span(c.get("colspan"))) for c in _own_cells(tr)]
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


def _layout_cells(table: Element) -> list[Element]:
    """Return the cells of a layout table in reading order (row by row)."""
    return [c for tr in _own_rows(table) for c in _own_cells(tr)]


def _is_layout_table(table: Element) -> bool:
    """Return True for a table used for page layout rather than for data.

    A layout table has a single column, a cell of long prose, or nested tables (at least two rows
    and two columns) holding at least half of its text: then the nested tables are the data. A
    small nested grid inside a data table is flattened into its cell instead.
    """
    trs = _own_rows(table)
    if not trs:
        return True
    width = max(
        (sum(min(_span(c.get("colspan")) or 1, _MAX_COLSPAN) for c in _own_cells(tr)) for tr in trs),
        default=0,
    )
    if width <= 1:
        return True
    grids = 0
    for inner in table.iter("table"):
        if inner is table or _nearest(inner, "table") is not table:
            continue
        rows = _own_rows(inner)
        if len(rows) >= 2 and max((len(_own_cells(r)) for r in rows), default=0) >= 2:
            grids += _text_len(inner)
    if grids and grids >= 0.5 * _text_len(table):
        return True  # the nested grids are the content; a small one is a cell's sub-table
    for tr in trs:
        for c in _own_cells(tr):
            if _text_len(c) > _LAYOUT_CELL_CHARS:
                return True
    return False


# ----------------------------------------------------------------------------------------------
# Entry point

_HTML_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def _parse_tree(text: str) -> Element | None:
    """Return the parsed document of decoded HTML text, or None when there is nothing to parse."""
    text = _XML_DECL_RE.sub("", _CONTROL_RE.sub("", text), count=1)
    if not text.strip():
        return None
    try:
        root = etree.fromstring(text, _HTML_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root if root is not None and _tag(root) else None


def read_html(data: bytes, source: str) -> IntermediateDoc:
    """Read an HTML report page into paragraphs and tables in reading order.

    ``meta`` records the codec used (``encoding``), the title shown on the page (``page_title``),
    how the body was found (``container``) and, when the page shows them, the publication date
    from its meta tags (``published``, as printed) and the attachment links (``attachments``, one
    per line). A page with no text gets a ``problems`` entry of
    kind ``unreadable``; decoding trouble gets entries of kind ``reader``.
    """
    text, codec, problems = decode_html(data)
    doc = IntermediateDoc(
        source=source, blocks=[], media_type="text/html", meta={"encoding": codec}, problems=problems
    )
    if text and (text.count("\ufffd") + len(_CONTROL_RE.findall(text))) > 0.05 * len(text):
        problems.append(_problem("garbled", "网页内容含大量无法识别的字符，可能不是有效的网页或编码错误"))
    root = _parse_tree(text)
    if root is None:
        problems.append(_problem("empty", "网页为空，没有可读的正文", kind="unreadable"))
        return doc
    page_title = _page_title(root)
    doc.meta.update(_page_facts(root))
    body = root.find("body")
    if body is None:
        body = root
    _strip_chrome(body)
    container, how = _find_body(body)
    _drop_link_lists(container)
    _split_run_in_headings(container)
    blocks = _Flow().run(container)
    if page_title and not _title_in(page_title, blocks):
        blocks.insert(0, Block(kind="para", text=page_title, line=None))
    doc.blocks = blocks
    doc.meta.update({"page_title": page_title, "container": how})
    body_chars = sum(len(b.text) for b in blocks if b.kind == "para" and b.text != page_title)
    has_table = any(b.kind == "table" for b in blocks)
    if not has_table and body_chars == 0 and container.find(".//img") is None:
        problems.append(_problem("empty", "网页中没有找到正文内容", kind="unreadable"))
    elif not has_table and body_chars < _SHORT_BODY and container.find(".//img") is not None:
        problems.append(
            _problem("image_only", "网页正文是图片，无法机读，请人工查看或索取文字版本", kind="unreadable")
        )
    elif not has_table and body_chars < _SHORT_BODY and "attachments" in doc.meta:
        links = "、".join(doc.meta["attachments"].splitlines()[:5])
        problems.append(_problem("in_attachment", f"网页正文很短，报告全文可能在附件中：{links}"))
    return doc


_SHORT_BODY = 200  # characters: less than this and no table is not a report's text


def _title_in(title: str, blocks: list[Block]) -> bool:
    """Return True when the page title is already printed at the start of the body."""
    key = _SPACES_RE.sub("", title)
    head = "".join(_SPACES_RE.sub("", b.text) for b in blocks[:6] if b.kind == "para")
    return key in head
