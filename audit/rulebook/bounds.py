"""The lowest value of a fact field at which a rule can fire, read from its compiled ``when``.

The cross-agency copy search (CY05) keeps pairs down to a *search floor*: the lowest similarity
at which a ``copy`` rule of the catalogue fires. The threshold itself lives in the rule's YAML
only; the store asks this module how far down to search, and the rule decides. A rule whose
condition does not bound ``similarity`` from below (``similarity >= 0.8`` does; a comparison with
another field, or an ``or`` with an unbounded branch, does not) gets :data:`SEARCH_FLOOR`, a fixed
low floor of the search (what is worth measuring at all), not a judgement on what is a copy.
"""

from __future__ import annotations

from audit.rulebook.catalog import Catalog
from audit.rulebook.condition import NAll, NAny, Norm, NumCmp

SEARCH_FLOOR = 0.5


def lower_bound(node: Norm, field_name: str) -> float | None:
    """Return the value ``field_name`` must reach for a normalised condition to hold, or None if unbounded."""
    if isinstance(node, NumCmp):
        constant = all(not isinstance(t, str) for _, t in node.rhs)
        if node.field == field_name and node.op in (">=", ">") and constant:
            return float(sum(s * t for s, t in node.rhs))  # type: ignore[misc]
        return None
    if isinstance(node, NAll):
        bounds = [b for b in (lower_bound(i, field_name) for i in node.items) if b is not None]
        return max(bounds) if bounds else None
    if isinstance(node, NAny):
        bounds = [lower_bound(i, field_name) for i in node.items]
        return None if not bounds or any(b is None for b in bounds) else min(bounds)  # type: ignore[type-var]
    return None


def copy_floor(catalog: Catalog) -> float:
    """Return the similarity down to which copy pairs are searched: the lowest a ``copy`` rule fires at."""
    bounds = [lower_bound(r.condition.normalised, "similarity") for r in catalog.for_fact("copy")]
    return min((SEARCH_FLOOR if b is None else b for b in bounds), default=SEARCH_FLOOR)
