"""History facts: this year's report beside last year's report of the same agency.

Rules: CY01 (上年结转 = last year's 结转下年度), CY02/CY03 (现行有效 carried forward with 制发 and
废止), CY04 (五 or 一 repeats last year's text). Built only when the context has the previous report.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from audit.facts.base import Fact, Family, View, quote, register
from audit.form import FORMAT_2019, FORMAT_2021, SECTION_LABELS, T3_COLUMNS, T3_PARTS, t2_blocks
from audit.text import LEADING_NUMBER_RE, LEADING_ORDINAL_RE, norm, sentences

# A sentence that quotes the regulation or the format notice is template text, not the agency's own.
_TEMPLATE_RE = re.compile(r"(中华人民共和国政府信息公开条例|国办公开办函|年度报告格式)")
T3_COLUMN_LABEL = {c.id: c.label for c in T3_COLUMNS}


def content_sentences(text: str) -> list[str]:
    """Return the sentences of a section without template sentences (headings, legal boilerplate)."""
    out = []
    for sent in sentences(text):
        body = LEADING_ORDINAL_RE.sub("", LEADING_NUMBER_RE.sub("", sent))
        if len(body) < 12 or _TEMPLATE_RE.search(body):
            continue
        out.append(body)
    return out


def similarity(a: str, b: str) -> float:
    """Return the difflib ratio of two sections' content (templates excluded, whitespace removed)."""
    x = "。".join(content_sentences(a))
    y = "。".join(content_sentences(b))
    if not x or not y:
        return 0.0
    return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio()


@register
class PreviousYear(Family):
    """Carry-over per table-3 column, 规章/规范性文件 continuity, and text similarity to last year."""

    FACTS = {
        "t3_carry": ("column", "column_label", "carry_in", "prev_carry_out", "prev_year"),
        "t2_continuity": ("row", "row_label", "made", "repealed", "valid", "prev_valid", "prev_year"),
        "similarity": ("section", "section_label", "similarity", "prev_year"),
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield the t3_carry, t2_continuity and similarity facts when last year's report is known."""
        prev = v.ctx.previous
        if prev is None:
            return
        py = prev.year
        for col in (*T3_PARTS, "total"):
            a, b = f"t3.carry_in.{col}", f"t3.carry_out.{col}"
            yield self.fact(
                "t3_carry",
                col,
                {
                    "column": col,
                    "column_label": T3_COLUMN_LABEL[col],
                    "carry_in": v.value(a),
                    "prev_carry_out": prev.value(b),
                    "prev_year": py,
                },
                {a: v.value(a), f"上年度报告 {b}": prev.value(b)},
            )
        if v.format != FORMAT_2019 and prev.format != FORMAT_2019:
            for rdef in t2_blocks(FORMAT_2021)[0].rows:  # 规章, 行政规范性文件
                row, label = rdef.id, rdef.label
                ids = {c: f"t2.{row}.{c}" for c in ("made", "repealed", "valid")}
                vals = {c: v.value(i) for c, i in ids.items()}
                pv = prev.value(f"t2.{row}.valid")
                yield self.fact(
                    "t2_continuity",
                    row,
                    {"row": row, "row_label": label, **vals, "prev_valid": pv, "prev_year": py},
                    {**{i: vals[c] for c, i in ids.items()}, f"上年度报告 t2.{row}.valid": pv},
                )
        for sid in ("S5", "S1"):
            prev_section = prev.sections.get(sid)
            a, b = v.text(sid), (prev_section.text if prev_section else "")
            if not a or not b:
                continue
            sim = round(similarity(a, b), 3)
            yield self.fact(
                "similarity",
                sid,
                {"section": sid, "section_label": SECTION_LABELS[sid], "similarity": sim, "prev_year": py},
                {"相似度": sim, "本年度": quote(norm(a), 80), "上年度": quote(norm(b), 80)},
            )
