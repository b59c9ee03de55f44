"""What Word prints but does not store in the text: list numbering and page numbers.

* Automatic list numbering (``一、`` ``（一）`` ``1.`` made by Word's numbering) is computed from
  ``numbering.xml`` and the paragraph styles, as Word prints it in front of the paragraph.
* Pages: where Word recorded its page breaks (``w:lastRenderedPageBreak``, page breaks), each
  paragraph gets the page it starts on; otherwise pages are unknown.
"""

from __future__ import annotations

import re
from typing import Any

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def w(tag: str) -> str:
    """Return the Clark name of a WordprocessingML tag."""
    return f"{{{W_NS}}}{tag}"


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
            for absn in root.findall(w("abstractNum")):
                levels: dict[int, tuple[str, str, int]] = {}
                for lvl in absn.findall(w("lvl")):
                    ilvl = int(lvl.get(w("ilvl"), "0"))
                    fmt = lvl.find(w("numFmt"))
                    text = lvl.find(w("lvlText"))
                    start = lvl.find(w("start"))
                    levels[ilvl] = (
                        fmt.get(w("val"), "decimal") if fmt is not None else "decimal",
                        text.get(w("val"), "") if text is not None else "",
                        int(start.get(w("val"), "1")) if start is not None else 1,
                    )
                self.levels[absn.get(w("abstractNumId"), "")] = levels
            for num in root.findall(w("num")):
                abs_id = num.find(w("abstractNumId"))
                overrides: dict[int, int] = {}
                for ov in num.findall(w("lvlOverride")):
                    start = ov.find(w("startOverride"))
                    if start is not None:
                        overrides[int(ov.get(w("ilvl"), "0"))] = int(start.get(w("val"), "1"))
                if abs_id is not None:
                    self.nums[num.get(w("numId"), "")] = (abs_id.get(w("val"), ""), overrides)
        try:
            styles = document.styles.element
        except Exception:
            styles = None
        if styles is not None:
            based: dict[str, str] = {}
            for style in styles.findall(w("style")):
                sid = style.get(w("styleId"), "")
                num_pr = style.find(f"{w('pPr')}/{w('numPr')}")
                if num_pr is not None:
                    num_id = num_pr.find(w("numId"))
                    ilvl = num_pr.find(w("ilvl"))
                    if num_id is not None:
                        self.style_num[sid] = (
                            num_id.get(w("val"), "0"),
                            int(ilvl.get(w("val"), "0")) if ilvl is not None else 0,
                        )
                parent = style.find(w("basedOn"))
                if parent is not None:
                    based[sid] = parent.get(w("val"), "")
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
        ppr = p.find(w("pPr"))
        num_id: str | None = None
        ilvl = 0
        if ppr is not None:
            num_pr = ppr.find(w("numPr"))
            if num_pr is not None:
                nid = num_pr.find(w("numId"))
                lvl = num_pr.find(w("ilvl"))
                num_id = nid.get(w("val")) if nid is not None else None
                ilvl = int(lvl.get(w("val"), "0")) if lvl is not None else 0
            if num_id is None:
                style = ppr.find(w("pStyle"))
                if style is not None and style.get(w("val"), "") in self.style_num:
                    num_id, ilvl = self.style_num[style.get(w("val"), "")]
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


P = w("p")
LAST_RENDERED = w("lastRenderedPageBreak")


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
        ppr = p.find(w("pPr"))
        if ppr is not None and ppr.find(w("pageBreakBefore")) is not None:
            val = ppr.find(w("pageBreakBefore")).get(w("val"), "true")
            if val not in ("0", "false"):
                page += 1
                start = page
                seen_marker = True
        for el in p.iter():
            if el.tag == w("t") and el.text:
                text_seen = True
            elif el.tag == LAST_RENDERED or (el.tag == w("br") and el.get(w("type")) == "page"):
                seen_marker = True
                page += 1
                if not text_seen:
                    start = page
        pages[p] = start
    return pages if seen_marker else None
