"""The document fact: who reports, for which year, whether it is readable and when it was published.

Rules: TL01 (published after the deadline), TL03 (not machine-readable), TL04 (the published link
is dead), TL05 (over a processing limit: not checked). TL02 (no report after the deadline) is judged on the roster fact (audit/facts/roster.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from audit.facts.base import Fact, Family, View, register
from audit.organs import LEVEL_LABEL, publication_deadline


@register
class Document(Family):
    """One fact per report: identity, readability and publication against the statutory deadline."""

    FACTS = {
        "document": (
            "agency",
            "year",
            "level",
            "level_label",
            "format",
            "readable",
            "unreadable_reason",
            "over_limit",
            "published_on",
            "deadline",
            "days_late",
            "http_status",
        ),
    }
    UNREADABLE = True

    def build(self, v: View) -> Iterator[Fact]:
        """Yield the document fact."""
        r, ctx = v.report, v.ctx
        deadline: date | None = None
        if r.year:
            deadline = publication_deadline(v.level, r.year, ctx.local_deadline)
        days_late = (ctx.published_on - deadline).days if (ctx.published_on and deadline) else None
        evidence = {
            "发布日期": ctx.published_on.isoformat() if ctx.published_on else None,
            "公布期限": deadline.isoformat() if deadline else None,
            "HTTP状态": ctx.http_status,
            "无法读取原因": r.unreadable_reason,
            "来源": r.source,
        }
        yield self.fact(
            "document",
            "report",
            {
                "agency": r.agency,
                "year": r.year,
                "level": v.level,
                "level_label": LEVEL_LABEL.get(v.level or "", "机关层级未明，按较晚的法定期限"),
                "format": r.format,
                "readable": r.readable,
                "unreadable_reason": r.unreadable_reason or "",
                "over_limit": r.over_limit is not None,
                "published_on": ctx.published_on.isoformat() if ctx.published_on else None,
                "deadline": deadline.isoformat() if deadline else None,
                "days_late": days_late,
                "http_status": ctx.http_status,
            },
            {k: val for k, val in evidence.items() if val is not None},
        )
