"""Year facts: the statistical period and every place the report says which year it covers.

Rules: ST13 (the preamble states no statistical period), FM07 (the title, the period, the opening
of 一 or the 要点 of 六 name another year than the report year).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from audit.facts.base import Fact, Family, View, quote, register
from audit.text import arabic_dates, norm, sentences

_PERIOD_RE = re.compile(
    r"((?:19|20)\d{2})年(?:度)?0?1月(?:0?1日)?(?:0时|零时|00:00)?(?:起)?(?:至|到|-|—|–|~|～)(?:((?:19|20)\d{2})年)?12月(?:31日)?"
    r"|统计(?:期限|时限|时间|时段|周期|区间|范围|时间段|期间|期)(?:为|是|自|:)?((?:19|20)\d{2})(?:年度|年)"
)
_OPENING_RE = re.compile(r"^((?:19|20)\d{2})年(?:度)?(?:以来|来|全年|期间)?[,，]")
_KEYPOINT_YEAR_RE = re.compile(
    r"((?:19|20)\d{2})年(?:度)?(?:全[市区县省州旗盟]?|本级|我[市区县局])?(?:政务公开|政府信息公开)?(?:工作)?要点"
)
_PLAN_RE = re.compile(r"(将|下一步|明年|新的一年|计划|拟|今后)")
_TITLE_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")


def statistical_period(text: str) -> tuple[str, int | None]:
    """Return the statistical-period phrase and its year ('' and None when not stated)."""
    m = _PERIOD_RE.search(arabic_dates(norm(text)))
    if not m:
        return "", None
    return m.group(0), int(m.group(1) or m.group(3))


def opening_year(text: str) -> tuple[str, int | None]:
    """Return the "YYYY年，" opening of 一、总体情况 and its year."""
    s = norm(text)
    m = _OPENING_RE.match(s)
    if not m:
        return "", None
    return s[: m.end() + 20], int(m.group(1))


def key_points_year(text: str, year: int | None = None) -> tuple[str, int | None]:
    """Return the "YYYY年政务公开工作要点" phrase of 六 that dates it, and its year.

    With the report year given, a phrase of that year wins; a later year's 要点 named in a plan
    ("下一步将认真落实2024年政务公开工作要点") is not a dating of the report and is skipped.
    """
    found: list[tuple[str, int]] = []
    for sent in sentences(text):
        for m in _KEYPOINT_YEAR_RE.finditer(sent):
            y = int(m.group(1))
            if year is not None and y > year and _PLAN_RE.search(sent):
                continue
            found.append((m.group(0), y))
    if not found:
        return "", None
    return next((f for f in found if f[1] == year), found[0])


@register
class StatisticalPeriod(Family):
    """Whether the preamble (or the start of 一) states the statistical period (ST13)."""

    FACTS = {"statistical_period": ("period",)}

    def build(self, v: View) -> Iterator[Fact]:
        """Yield the statistical_period fact."""
        phrase, _year = statistical_period(v.report.preamble + "\n" + v.text("S1")[:300])
        yield self.fact(
            "statistical_period",
            "preamble",
            {"period": phrase},
            {"报告前言": quote(norm(v.report.preamble), 120) or "（无前言）"},
        )


@register
class YearMentions(Family):
    """One fact per place that names the report's year: title, period, opening of 一, 要点 of 六 (FM07)."""

    FACTS = {"year_mention": ("where", "where_label", "stated_year", "report_year")}

    def build(self, v: View) -> Iterator[Fact]:
        """Yield a year_mention fact per place that states a year."""
        y = v.report.year
        # (fact key, where (the locator), label, quoted phrase, year)
        mentions: list[tuple[str, str, str, str, int | None]] = []
        if v.report.title:
            m = _TITLE_YEAR_RE.search(v.report.title)
            if m:
                mentions.append(("title", "title", "标题", v.report.title, int(m.group(1))))
        phrase, py = statistical_period(v.report.preamble)
        if phrase:
            mentions.append(("period", "preamble", "统计期限", phrase, py))
        phrase, oy = opening_year(v.text("S1"))
        if phrase:
            mentions.append(("S1", "S1", "一、总体情况开头", phrase, oy))
        phrase, ky = key_points_year(v.text("S6"), y)
        if phrase:
            mentions.append(("S6", "S6", "六、政务公开工作要点", phrase, ky))
        for key, where, label, text, year in mentions:
            yield self.fact(
                "year_mention",
                key,
                {"where": where, "where_label": label, "stated_year": year, "report_year": y},
                {label: quote(text, 80), "报告年度": y},
            )
