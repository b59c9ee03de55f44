"""The roster fact: what the store observed about one agency and one report year (TL02).

Not built from a report (there may be none): the store fills a :class:`RosterEntry` for every
agency it knows — registered by the crawler or met through ingested documents — and the rule
decides. The observations are the deadline that applies, how many days have passed since, how many
documents could be that year's report, whether the crawler saw the report linked in the agency's
年报 column, and whether that column was read after the deadline. TL02's condition says when this
means “not published after the deadline”; nothing here decides it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from audit.facts.base import Fact, Family, View, register
from audit.organs import LEVEL_LABEL


@dataclass(frozen=True)
class RosterEntry:
    """One agency and one report year as the store sees them."""

    agency: str
    year: int
    level: str | None
    deadline: date  # the statutory or an earlier local deadline (audit.organs.publication_deadline)
    today: date
    documents: int  # documents that could be the report: read or declared as the year, or of unknown year
    linked: bool  # the crawler saw a link to the year's report in the 年报 column (reachable or not)
    column_checked: bool  # the 年报 column was read after the deadline (true for agencies not crawled)


@register
class Roster(Family):
    """The roster fact of one agency and year (built by :meth:`of`, never from a report)."""

    FACTS = {
        "roster": (
            "agency",
            "year",
            "level_label",
            "deadline",
            "today",
            "days_after_deadline",
            "documents",
            "linked",
            "column_checked",
        ),
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield nothing: the roster fact is about an agency, not a report."""
        return iter(())

    @classmethod
    def of(cls, entry: RosterEntry) -> Fact:
        """Return the roster fact of ``entry``."""
        return cls.fact(
            "roster",
            f"{entry.agency}:{entry.year}",
            {
                "agency": entry.agency,
                "year": entry.year,
                "level_label": LEVEL_LABEL.get(entry.level or "", "机关层级未明，按较晚的法定期限"),
                "deadline": entry.deadline.isoformat(),
                "today": entry.today.isoformat(),
                "days_after_deadline": (entry.today - entry.deadline).days,
                "documents": entry.documents,
                "linked": entry.linked,
                "column_checked": entry.column_checked,
            },
            {
                "公布期限": entry.deadline.isoformat(),
                "核查日期": entry.today.isoformat(),
                "库中该年度文档": entry.documents,
                "年报栏目中有链接": "是" if entry.linked else "否",
                "期限后读取过年报栏目": "是" if entry.column_checked else "否",
            },
        )
