"""Agency identity in the store: which stored agency a printed or typed name means.

A report printed “洪泽区人民政府” one year and “淮安市洪泽区人民政府” the next is one organ: the
store must know it as one agency, or its history (屡查屡犯, CY rules, TL02) splits in two.
:func:`resolve` answers with the stored agency and how it matched (exact name, an alias the
registry lists, or the same organ by :func:`audit.organs.same_organ`); a name that matches nothing gets the closest known names, so
a mistyped ``--agency`` is caught instead of silently creating a new agency.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from sqlmodel import Session, select

from audit.organs import name_key, same_organ
from audit.store import tables as m


@dataclass
class Match:
    """The result of resolving a name: the agency (or None), how, and near misses."""

    agency: m.Agency | None
    how: str | None  # "exact" | "alias" (from the registry) | "same_organ" | "ambiguous" | None
    candidates: list[str] = field(default_factory=list)


def resolve(session: Session, name: str) -> Match:
    """Return the stored agency that ``name`` means, or why there is none."""
    exact = session.exec(select(m.Agency).where(m.Agency.name == name)).first()
    if exact is not None:
        return Match(exact, "exact")
    alias = session.exec(select(m.AgencyAlias).where(m.AgencyAlias.name == name)).first()
    if alias is not None:
        return Match(session.get(m.Agency, alias.agency_id), "alias")
    agencies = list(session.exec(select(m.Agency)).all())
    same = [a for a in agencies if same_organ(a.name, name)]
    if len(same) == 1:
        return Match(same[0], "same_organ")
    if len(same) > 1:
        return Match(None, "ambiguous", sorted(a.name for a in same))
    return Match(None, None, closest([a.name for a in agencies], name))


def closest(names: list[str], name: str, n: int = 3) -> list[str]:
    """Return up to ``n`` of ``names`` that look most like ``name``."""
    keyed = {name_key(x): x for x in names}
    hits = difflib.get_close_matches(name_key(name), list(keyed), n=n, cutoff=0.5)
    return [keyed[h] for h in hits]
