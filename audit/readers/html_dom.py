"""Element and text helpers of the HTML reader (lxml trees of decoded pages).

Cell and flow text is cleaned the way a browser shows it: whitespace collapsed, a source line
break between two CJK characters removed, invisible characters dropped.
"""

from __future__ import annotations

import re

from lxml import etree

Element = etree._Element

_CJK_CHAR = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"
_CJK_BREAK_RE = re.compile(rf"(?<={_CJK_CHAR})[ \t\r\f]*\n\s*(?={_CJK_CHAR})")
SPACES_RE = re.compile(r"[\s\u00a0\u3000\u2002-\u200a\u202f\u205f]+")
_INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CJK_ONE = re.compile(_CJK_CHAR)


def clean_text(raw: str) -> str:
    """Return HTML flow text normalised: whitespace collapsed, nbsp and ideographic spaces as spaces.

    A source line break between two CJK characters is removed (it is not a space in Chinese text).
    """
    s = _INVISIBLE_RE.sub("", raw)
    s = _CJK_BREAK_RE.sub("", s)
    return SPACES_RE.sub(" ", s).strip()


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


DROP_TAGS = frozenset(
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


def tag_of(el: Element) -> str | None:
    """Return the (lower-case) tag name of an element, or None for comments and PIs."""
    tag = el.tag
    return tag if isinstance(tag, str) else None


def text_of(el: Element) -> str:
    """Return all the text inside an element."""
    return "".join(el.itertext())


def drop_element(el: Element) -> None:
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


def tokens_of(el: Element) -> list[str]:
    """Return the class tokens and the id of an element."""
    out = (el.get("class") or "").split()
    if el.get("id"):
        out.append(el.get("id", ""))
    return out


def text_len(el: Element) -> int:
    """Return the number of non-space characters of an element's text."""
    return len(SPACES_RE.sub("", text_of(el)))


def score(el: Element) -> int:
    """Return the content score of an element: text length minus link text length."""
    links = sum(text_len(a) for a in el.iter("a"))
    return text_len(el) - links


def own_rows(table: Element) -> list[Element]:
    """Return the ``<tr>`` of a table, excluding rows of nested tables."""
    return [tr for tr in table.iter("tr") if nearest(tr, "table") is table]


def own_cells(tr: Element) -> list[Element]:
    """Return the ``<td>``/``<th>`` of a row, excluding cells of nested tables."""
    return [c for c in tr.iter("td", "th") if nearest(c, "tr") is tr]


def nearest(el: Element, tag: str) -> Element | None:
    """Return the nearest ancestor of ``el`` with the given tag."""
    parent = el.getparent()
    while parent is not None and tag_of(parent) != tag:
        parent = parent.getparent()
    return parent
