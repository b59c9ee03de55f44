"""The report body of an HTML page: page chrome removed, the body found, title and page facts.

The report body is located inside the page chrome: known CMS containers first (TRS, 大汉 Hanweb,
VSB, WebPlus, 集约化 platforms), otherwise the densest block of non-link text. Navigation,
headers, footers, share widgets and hidden elements are removed first; link lists inside the body
(related articles) are dropped; a bold numbered heading run into its paragraph is put on a line
of its own.
"""

from __future__ import annotations

import re

from lxml import etree

from audit.readers.html_dom import (
    DROP_TAGS,
    Element,
    clean_text,
    drop_element,
    score,
    tag_of,
    text_len,
    text_of,
    tokens_of,
)
from audit.readers.html_tables import is_layout_table

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


def find_title(root: Element) -> str:
    """Return the report title shown on the page (heading or ``<title>``), or ""."""
    for name in ("articletitle", "title", "og:title"):
        text = clean_text(_meta_tags(root).get(name, ""))
        if "报告" in text and len(text) <= 80:
            return text
    candidates: list[str] = []
    for el in root.iter():
        tag = tag_of(el)
        if tag in ("h1", "h2", "h3") or (
            tag in ("div", "p", "span", "td") and any(_TITLE_TOKEN_RE.search(t) for t in tokens_of(el))
        ):
            text = clean_text(text_of(el))
            if "报告" in text and len(text) <= 80:
                candidates.append(text)
    dated = [c for c in candidates if re.search(r"(?:19|20)\d{2}", c)]
    if dated or candidates:
        return (dated or candidates)[0]  # a column heading "政府信息公开年度报告" is not the title
    title = root.find(".//title")
    if title is not None:
        parts = [clean_text(p) for p in re.split(r"[_|｜]+|\s[-—–]+\s|——", text_of(title))]
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


def page_facts(root: Element) -> dict[str, str]:
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


def split_run_in_headings(body: Element) -> None:
    """Put a bold numbered heading that runs into its paragraph on a line of its own.

    ``<p><strong>一、总体情况</strong>2024年，…</p>`` reads as two paragraphs, as a printed page
    shows it; the heading is recognised only when it is bold, numbered and short.
    """
    for p in list(body.iter("p", "div")):
        if (p.text or "").strip() or len(p) == 0:
            continue
        first = p[0]
        inner = first
        while tag_of(inner) in ("span", "font") and len(inner) == 1 and not (inner.text or "").strip():
            inner = inner[0]  # <span><b>一、…</b></span>: the wrapper is the heading
            if (inner.tail or "").strip():
                break
        if tag_of(inner) not in _BOLD_TAGS or (inner is not first and (inner.tail or "").strip()):
            continue
        heading = clean_text(text_of(first))
        if not heading or len(heading) > 40 or not _HEADING_NUM_RE.match(heading):
            continue
        rest = (first.tail or "").strip() or any(True for _ in first.itersiblings())
        if not rest:
            continue
        br = etree.Element("br")
        tail, first.tail = first.tail, None
        first.addnext(br)
        br.tail = tail


def drop_link_lists(container: Element) -> None:
    """Remove link lists inside the body (related articles, column menus): most text in ≥ 3 links."""
    doomed = []
    for el in container.iter("ul", "ol", "div", "dl"):
        if el is container:
            continue
        links = list(el.iter("a"))
        if len(links) < 3 or el.find(".//table") is not None:
            continue
        total = text_len(el)
        if total and sum(text_len(a) for a in links) >= 0.6 * total:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None and not _has_dropped_ancestor(el, doomed):
            drop_element(el)


def strip_chrome(body: Element) -> None:
    """Remove scripts, navigation, headers, footers, hidden and chrome-classed elements in place."""
    total = max(text_len(body), 1)
    doomed: list[Element] = []
    for el in body.iter():
        tag = tag_of(el)
        if tag is None:
            doomed.append(el)  # comments, processing instructions
            continue
        if tag in DROP_TAGS or _HIDDEN_STYLE_RE.search(el.get("style") or ""):
            doomed.append(el)
        elif tag in _CHROME_TAGS or any(_CHROME_TOKEN_RE.match(t) for t in tokens_of(el)):
            if text_len(el) <= _CHROME_MAX_SHARE * total:
                doomed.append(el)
    for el in doomed:
        if el.getparent() is not None and not _has_dropped_ancestor(el, doomed):
            drop_element(el)


def _has_dropped_ancestor(el: Element, doomed: list[Element]) -> bool:
    """Return True when an ancestor of ``el`` is also scheduled for removal."""
    ids = {id(d) for d in doomed}
    parent = el.getparent()
    while parent is not None:
        if id(parent) in ids:
            return True
        parent = parent.getparent()
    return False


def _containers(body: Element) -> dict[tuple[str, str], list[Element]]:
    """Return the elements of ``body`` under each known-container key, in document order (one pass)."""
    wanted = set(_KNOWN_CONTAINERS)
    found: dict[tuple[str, str], list[Element]] = {}
    for el in body.iter():
        tag = tag_of(el)
        if tag is None:
            continue
        keys = [("tag", tag), ("id", (el.get("id") or "").lower())]
        keys.extend(("class", token) for token in (el.get("class") or "").lower().split())
        for key in keys:
            if key in wanted:
                found.setdefault(key, []).append(el)
    return found


def find_body(body: Element) -> tuple[Element, str]:
    """Return the element holding the report text and a description of how it was chosen."""
    total = max(score(body), 1)
    containers = _containers(body)
    for how, name in _KNOWN_CONTAINERS:
        found = containers.get((how, name))
        if not found:
            continue
        scored = sorted(((score(el), i, el) for i, el in enumerate(found)), key=lambda t: (-t[0], t[1]))
        best_score, _, best = scored[0]
        if best_score >= _CONTAINER_SHARE * total:
            if tag_of(best) == "table" and best.getparent() is not None:
                best = best.getparent()
            return best, f"{how}={name}"
        # The report is split over several sibling containers: take their common ancestor.
        big = [el for s, _, el in scored if s >= 0.1 * total]
        if len(big) > 1 and sum(score(el) for el in big) >= _CONTAINER_SHARE * total:
            return _common_ancestor(big), f"{how}={name}（多个）"
    node = body
    while True:
        children = [c for c in node if tag_of(c)]
        if not children:
            break
        node_score = max(score(node), 1)
        child = max(children, key=score)
        if score(child) < _DESCEND_SHARE * node_score:
            break
        if tag_of(child) not in _DESCEND_TAGS or not _has_block_child(child):
            break  # a paragraph or a text-only box: its siblings belong to the body too
        if tag_of(child) == "table" and not is_layout_table(child):
            break  # a data table is content, never the container itself
        node = child
    while tag_of(node) in ("table", "tbody", "thead", "tfoot", "tr") and node.getparent() is not None:
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
    return any(tag_of(d) in _STRUCTURE_TAGS for d in el.iterdescendants())


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
