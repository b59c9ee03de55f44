"""Patterns and helpers that more than one reader needs (one definition each).

Readers import from here and from :mod:`audit.readers.base`, never from each other's internals.
"""

from __future__ import annotations

import re

from audit.report import Block

CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
CJK_RE = re.compile(f"[{CJK}]")
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_CJK_SPACE_RE = re.compile(f"(?<=[{CJK}])[ \t\u00a0]+(?=[{CJK}])")

# A table block caption row that stays inside the table (第二十条第（一）项).
CAPTION_RE = re.compile(r"^第[一二三四五六七八九十百\d]+条")
# A numbered heading (一、 （三）) starts a paragraph (or a frame row) of its own.
HEADING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
TABLES_AS_IMAGES = "文档中没有可读的表格，但含有图片：统计表格可能以图片形式插入，无法机读"


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


def has_han(blocks: list[Block]) -> bool:
    """Return True when the blocks hold at least one Chinese character (in text or table cells)."""
    return any(HAN_RE.search(b.text) or any(HAN_RE.search(c) for row in b.rows for c in row) for b in blocks)
