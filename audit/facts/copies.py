"""Copy facts: another agency's report of the same year that shares this one's narrative (CY05).

The store finds the pairs (:mod:`audit.facts.similarity`) and passes them in the context; each
becomes one fact per section and partner.
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.facts.base import Fact, Family, View, register
from audit.form import SECTION_LABELS


@register
class Copies(Family):
    """One fact per cross-agency near-duplicate the store found for this report."""

    FACTS = {"copy": ("section", "section_label", "other_agency", "other_source", "similarity", "cluster")}

    def build(self, v: View) -> Iterator[Fact]:
        """Yield a copy fact per near-duplicate in the context."""
        for i, c in enumerate(v.ctx.copies):
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
                },
                {"相似度": sim, "雷同机关": c.get("other_agency"), "雷同报告": c.get("other_source")},
            )
