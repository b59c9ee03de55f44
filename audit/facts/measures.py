"""Measure facts: sizes and days that no national rule limits but a local rule pack may.

A province may set its own limits in a local document (:mod:`audit.rulebook.overlay`): a minimum
length of 一、总体情况, an earlier publication day than the 条例's. The facts here only measure;
a pack's rule decides (``chars < 300``, ``days_after_year_end > 20``). No shipped rule uses them.

- ``section_size``: per present section, its printed characters (whitespace not counted);
- ``publication``: the page's 发布日期 and how many days after the report year's end it is
  (``None`` when the date is not known).

To add a measure: a field or a fact type here (a count, never a verdict), and a test in
tests/test_overlay.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from audit.facts.base import Fact, Family, View, register
from audit.form import SECTION_LABELS, SECTIONS
from audit.text import norm


@register
class Measures(Family):
    """Section lengths and the publication day, for local rule packs."""

    FACTS = {
        "section_size": ("section", "section_label", "chars"),
        "publication": ("year", "level", "published_on", "days_after_year_end"),
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield a section_size fact per present section and the publication fact."""
        for sec in SECTIONS:
            if v.present(sec.id):
                chars = len(norm(v.text(sec.id)))
                yield self.fact(
                    "section_size",
                    sec.id,
                    {"section": sec.id, "section_label": SECTION_LABELS[sec.id], "chars": chars},
                    {sec.id: f"{chars}字"},
                )
        published, year = v.ctx.published_on, v.report.year
        days = (published - date(year, 12, 31)).days if (published and year) else None
        yield self.fact(
            "publication",
            "report",
            {
                "year": year,
                "level": v.level,
                "published_on": published.isoformat() if published else None,
                "days_after_year_end": days,
            },
            {"发布日期": published.isoformat() if published else None},
        )
