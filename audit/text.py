"""Label and number normalisation shared by the parser and the rules.

Real reports print the same label with full- or half-width punctuation, spaces inside words, curly
or straight quotes and markdown markers; numbers come with spaces, thousands separators or as
full-width digits. Everything here is deterministic and side-effect free.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "‘": "'", "’": "'", "『": '"', "』": '"'})
_SPACE_RE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
# Printed numbering in front of a label: 一、 （三） (3) 3. 3、 3． ①
_NUMBERING_RE = re.compile(r"^(?:[（(]?[一二三四五六七八九十]+[)）、.．]|[（(]\d+[)）]|\d+[.、．]|[①-⑳])")
MISSING_TOKENS = frozenset({"", "-", "--", "—", "——", "/", "／", "无", "n/a", "N/A", "－", "—-", "\\"})
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def norm(text: str) -> str:
    """Return ``text`` normalised for label comparison.

    NFKC (full-width → half-width digits, letters and punctuation), quotes unified, markdown ``**``
    removed and every kind of whitespace dropped.
    """
    if not text:
        return ""
    s = text
    for _ in range(3):  # NFKC may yield spaces (U+00B8 → " ̧") whose removal allows new compositions
        prev = s
        s = _SPACE_RE.sub("", unicodedata.normalize("NFKC", s).translate(_QUOTES).replace("**", ""))
        if s == prev:
            break
    return s


def strip_numbering(label: str) -> str:
    """Return a normalised label without its printed numbering (一、 （三） 3. 3、)."""
    s = norm(label)
    while True:
        m = _NUMBERING_RE.match(s)
        if not m or m.end() == len(s):
            return s
        s = s[m.end() :]


def is_missing_token(cell: str) -> bool:
    """Return True when a table cell explicitly or implicitly holds no value (blank, -, /, 无)."""
    return norm(cell) in MISSING_TOKENS


def parse_number(cell: str) -> int | float | None:
    """Return the number printed in a table cell, or None when it is not a plain number.

    Accepts spaces and thousands separators inside the number and full-width digits. ``"12"`` → 12,
    ``"1,234"`` → 1234, ``"0.25"`` → 0.25, ``"251000元"`` → None (not a bare number).
    """
    s = norm(cell).replace(",", "")
    if not _NUMBER_RE.match(s):
        return None
    return float(s) if "." in s else int(s)


def is_number(cell: str) -> bool:
    """Return True when the cell holds a bare number."""
    return parse_number(cell) is not None


def is_value_cell(cell: str) -> bool:
    """Return True when the cell is a value position: a number or an explicit missing marker."""
    s = norm(cell)
    return bool(s) and (s in MISSING_TOKENS or parse_number(s) is not None)


def looks_like_value(cell: str) -> bool:
    """Return True when a non-empty cell is meant as a value even if malformed (e.g. ``251000元``)."""
    s = norm(cell).replace(",", "")
    return bool(re.match(r"^[+-]?\d+(?:\.\d+)?(?:元|万元|件|个|条|%)?$", s))


_CID_PLACEHOLDER = re.compile(r"\(cid:\d+\)")
_SPACE = re.compile(r"\s+")
_CJK_STAT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NEVER_BAD = re.compile(r"[\x21-\x7e\u4e00-\u9ffc]+")


def text_stats(text: str) -> tuple[int, int, int, int]:
    """Return (``(cid:NN)`` placeholders, CJK characters, private-use/unassigned/U+FFFD characters,
    visible characters) of extracted text: the signs of a broken font encoding.
    """
    stripped, cids = _CID_PLACEHOLDER.subn("", text)
    visible = _SPACE.sub("", stripped)  # counted on strings, not on a list of characters (80× the text)
    cjk = _CJK_STAT.subn("", visible)[1]
    rest = _NEVER_BAD.sub("", visible)  # ASCII and assigned ideographs are never private or unassigned
    bad = sum(1 for ch in rest if unicodedata.category(ch) in ("Co", "Cn", "Cs") or ch == "\ufffd")
    return cids, cjk, bad, len(visible)
