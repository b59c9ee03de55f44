"""Copy facts: another agency's report of the same year that shares this one's narrative (CY05).

The store finds the pairs (:mod:`audit.facts.similarity`, :mod:`audit.store.copyindex`) down to
the search floor and passes them in the context; the rule decides which are copies. Each section
gives one fact per partner, for its ``PARTNERS_SHOWN`` most similar partners; ``partners`` says
how many partners the section has in all, so that a cluster of a hundred copies stays a few facts.
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.facts.base import Fact, Family, View, register
from audit.facts.similarity import bounded
from audit.form import SECTION_LABELS

PARTNERS_SHOWN = 5


@register
class Copies(Family):
    """One fact per cross-agency near-duplicate the store found for this report (a few per section)."""

    FACTS = {
        "copy": (
            "section",
            "section_label",
            "other_agency",
            "other_source",
            "similarity",
            "cluster",
            "partners",
        )
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield a copy fact per near-duplicate in the context, at most ``PARTNERS_SHOWN`` per section."""
        ordered = sorted(
            v.ctx.copies, key=lambda c: (c.get("section") or "S1", -float(c.get("similarity") or 0))
        )
        for i, c in enumerate(bounded(ordered, PARTNERS_SHOWN)):
            sim = c.get("similarity")
            section = c.get("section") or "S1"
            yield self.fact(
                "copy",
                f"{section}:{i}",
                {
                    "section": section,
                    "section_label": SECTION_LABELS.get(section, section),
                    "other_agency": c.get("other_agency") or "",
                    "other_source": c.get("other_source") or "",
                    "similarity": round(float(sim), 3) if sim is not None else None,
                    "cluster": str(c.get("cluster") or ""),
                    "partners": c["partners"],
                },
                {"相似度": sim, "雷同机关": c.get("other_agency"), "雷同报告": c.get("other_source")},
            )
