"""Text helpers shared by the parser and the facts: one normaliser, numbers, numbering, sentences.

Real reports print the same label with full- or half-width punctuation, spaces inside words, curly
or straight quotes and markdown markers; numbers come with spaces, thousands separators, as
full-width digits or in Chinese numerals; narrative lines are wrapped inside sentences. Everything
here is deterministic and side-effect free:

- :func:`norm` is the one normaliser (labels, titles and narrative sentences alike);
- :func:`parse_number` reads a table cell, :func:`to_int` a count in a sentence (``NUM``);
- the printed-numbering patterns (一、 （三） (3) 3. ① 三是) are said once here, as fragments and
  the compiled patterns the parser and the facts use;
- :func:`sentences`, :func:`block_sentences` and :func:`clauses` split normalised narrative text.

To add a numbering style, add its fragment here and use it in the patterns that need it; the
parser's and the facts' tests cover every pattern.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "‘": "'", "’": "'", "『": '"', "』": '"'})
_SPACE_RE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
MISSING_TOKENS = frozenset({"", "-", "--", "—", "——", "/", "／", "无", "n/a", "N/A", "－", "—-", "\\"})
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")

# ----------------------------------------------------------------------------------------------
# Printed numbering: the fragments, then the patterns built from them

CN_NUMERALS = "一二三四五六七八九十"
PAREN_CN = rf"[（(][{CN_NUMERALS}]+[)）]"  # （三） (三)
PAREN_ANY = rf"[（(][{CN_NUMERALS}\d]+[)）]"  # （三） (3)
PAREN_DIGIT = r"[（(]\d+[)）]"  # (3)
CN_COMMA = rf"[{CN_NUMERALS}]+、"  # 三、
DIGIT_ITEM = r"\d+[.、．]"  # 3. 3、 3．
CIRCLED = "[①-⑳]"
ORDINAL = rf"[{CN_NUMERALS}]+是"  # 一是 二是 …

#: Numbering in front of a label: 一、 （三） (3) 3. 3、 3． ①
NUMBERING_RE = re.compile(rf"^(?:[（(]?[{CN_NUMERALS}]+[)）、.．]|{PAREN_DIGIT}|{DIGIT_ITEM}|{CIRCLED})")
#: The number of a section title: 一、 一. 一，
SECTION_NUMBER_RE = re.compile(rf"^([{CN_NUMERALS}]+)[、.,，:：]")
#: The numbering of a sub-item (never a section title): （一） (3) 3. ①
SUBITEM_RE = re.compile(rf"^(?:{PAREN_ANY}|{DIGIT_ITEM}|{CIRCLED})")
#: A section title run into the first sentence of its section: "一、总体情况。2023年，……"
RUN_IN_TITLE_RE = re.compile(r"^\s*([一二三四五六][、.．]\s*[^。：:；;，,]{2,34}?)\s*(?:[。：:；;]|\s{1,}|$)")
#: Any numbering inside a row label (where a wrapped label's fragments are cut)
LABEL_NUMBERING_RE = re.compile(rf"{DIGIT_ITEM}|{CN_COMMA}|{PAREN_CN}")
#: A sub-heading at the start of a line: （二） 二、 2. (not 2.5)
_LINE_HEADING = rf"(?:{PAREN_ANY}|{CN_COMMA}|{DIGIT_ITEM}(?!\d))"
#: A line break before a sub-heading (a new sentence even without a full stop before it)
HEADING_BREAK_RE = re.compile(rf"\n(?=\s*{_LINE_HEADING})")
#: The numbering a sentence may open with: （一） 一、 1.
LEADING_NUMBER_RE = re.compile(rf"^[(（]?[{CN_NUMERALS}\d]+[)）、.]")
#: An ordinal opening a sentence: 一是 二是 …
LEADING_ORDINAL_RE = re.compile(rf"^{ORDINAL}")
#: A numbered sub-heading inside a section, at a line start or after a sentence end, with its style
SUBHEADING_RE = re.compile(
    rf"(?:^|(?<=[\n。；;！？!?]))\s*(?:(?P<paren>{PAREN_CN})|(?P<comma>{CN_COMMA})|(?P<pdigit>{PAREN_DIGIT})"
    rf"|(?P<digit>{DIGIT_ITEM}(?!\d))|(?P<circled>{CIRCLED})|(?P<ordinal>{ORDINAL}))"
)

# ----------------------------------------------------------------------------------------------
# Normalising


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
        m = NUMBERING_RE.match(s)
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


# ----------------------------------------------------------------------------------------------
# Counts written in a sentence

#: A count as printed in a sentence: 12, 1,203, 十二, 一百零五 (group 1 when used alone)
NUM = r"(\d{1,3}(?:,\d{3})+(?!\d)|\d+|[零〇一二两三四五六七八九十百]+)"
CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def to_int(token: str) -> int | None:
    """Return the integer written as Arabic digits (with thousands commas) or small Chinese numerals."""
    t = token.replace(",", "")
    if t.isdigit():
        return int(t)
    if not t or any(c not in CN_DIGITS and c not in "十百" for c in t):
        return None
    total, cur = 0, 0
    for c in t:
        if c == "百":
            total += (cur or 1) * 100
            cur = 0
        elif c == "十":
            total += (cur or 1) * 10
            cur = 0
        else:
            cur = CN_DIGITS[c]
    return total + cur


_CN_YEAR_RE = re.compile(r"([零〇一二三四五六七八九]{4})年")
_CN_MONTH_DAY_RE = re.compile(r"(?<![零〇一二三四五六七八九十])([一二三四五六七八九十]{1,3})(月|日)")


def arabic_dates(text: str) -> str:
    """Return text with dates written in Chinese numerals (二〇二三年十二月三十一日) in Arabic digits."""
    s = _CN_YEAR_RE.sub(lambda m: "".join(str(CN_DIGITS[c]) for c in m.group(1)) + "年", text)
    return _CN_MONTH_DAY_RE.sub(lambda m: f"{to_int(m.group(1))}{m.group(2)}", s)


# ----------------------------------------------------------------------------------------------
# Sentences of the narrative

_SENTENCE_END_RE = re.compile(r"[。！？!?;；]")
_CLAUSE_SPLIT_RE = re.compile(r"[，,:：]")


def block_sentences(text: str) -> list[tuple[int, str]]:
    """Return ``(block number, normalised sentence)`` pairs; a block runs from one sub-heading to the next.

    Sentences end at full stops, question and exclamation marks and semicolons; a line that starts
    with a sub-heading (（二） 二、 2.) starts a new block even without a full stop before it.
    """
    out: list[tuple[int, str]] = []
    for i, block in enumerate(HEADING_BREAK_RE.split(text or "")):
        for part in _SENTENCE_END_RE.split(norm(block)):
            if part:
                out.append((i, part))
    return out


def sentences(text: str) -> list[str]:
    """Split a section's text into normalised sentences (full stops, semicolons and headings)."""
    return [sent for _, sent in block_sentences(text)]


def clauses(sentence: str) -> list[str]:
    """Split a normalised sentence into clauses at commas and colons (not inside numbers)."""
    protected = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "\x00", sentence)
    return [c.replace("\x00", ",") for c in _CLAUSE_SPLIT_RE.split(protected) if c]


def first_quote(pattern: str | re.Pattern[str], text: str) -> str:
    """Return the first normalised sentence of ``text`` that matches ``pattern`` ('' when none does)."""
    for sent in sentences(text):
        if re.search(pattern, sent):
            return sent
    return ""
