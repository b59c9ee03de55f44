"""The result of CY05: measured pairs become per-report copy lists and clusters (connected components).

A report's copy list has one dict per (section, partner): ``section``, ``other_agency``,
``other_source``, ``similarity`` (containment), ``jaccard`` and ``cluster``, sorted by section, then
by similarity (highest first), then by partner. Clusters are numbered per section in the order
of their first agency's name: ``{prefix}{section}-{n}``. :func:`bounded` keeps the first few
partners of each section and says how many there are in all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from audit.facts.similarity.search import Pair


@dataclass
class Narrative:
    """The narrative sections of one report, as input to :func:`audit.facts.similarity.find_copies`."""

    key: Hashable  # e.g. the report id
    agency: str
    source: str
    sections: dict[str, str]


@dataclass
class Cluster:
    """A group of reports sharing a section's narrative (connected by copy pairs)."""

    id: str
    section: str
    members: list[Hashable]
    agencies: list[str]
    max_similarity: float


@dataclass
class CopyResult:
    """The copies found: per report key the list of CY05 copy dicts, and the clusters."""

    copies: dict[Hashable, list[dict]] = field(default_factory=dict)
    clusters: list[Cluster] = field(default_factory=list)


def _find(parent: dict[Hashable, Hashable], x: Hashable) -> Hashable:
    """Return the representative of ``x`` in a union-find forest (with path halving)."""
    parent.setdefault(x, x)
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _clusters(
    section: str, pairs: list[Pair], agency: Mapping[Hashable, str], prefix: str
) -> tuple[list[Cluster], dict[Hashable, str]]:
    """Return a section's clusters and the cluster id of each member."""
    parent: dict[Hashable, Hashable] = {}
    for p in pairs:
        parent[_find(parent, p.a)] = _find(parent, p.b)
    groups: dict[Hashable, list[Hashable]] = defaultdict(list)
    for key in parent:
        groups[_find(parent, key)].append(key)
    best: dict[Hashable, float] = defaultdict(float)
    for p in pairs:
        root = _find(parent, p.a)
        best[root] = max(best[root], p.similarity)
    ordered = sorted(groups.items(), key=lambda g: (min(agency[k] for k in g[1]), sorted(map(str, g[1]))))
    clusters, cluster_of = [], {}
    for number, (root, members) in enumerate(ordered, start=1):
        cid = f"{prefix}{section}-{number}"
        members.sort(key=lambda k: (agency[k], str(k)))
        clusters.append(Cluster(cid, section, members, [agency[k] for k in members], round(best[root], 3)))
        cluster_of.update(dict.fromkeys(members, cid))
    return clusters, cluster_of


def assemble(
    pairs: Mapping[str, list[Pair]],
    agency: Mapping[Hashable, str],
    source: Mapping[Hashable, str],
    prefix: str = "",
) -> CopyResult:
    """Return the copy lists and clusters of measured pairs (per section)."""
    result = CopyResult()
    for section, found in pairs.items():
        if not found:
            continue
        clusters, cluster_of = _clusters(section, found, agency, prefix)
        result.clusters.extend(clusters)
        for p in found:
            for me, other in ((p.a, p.b), (p.b, p.a)):
                result.copies.setdefault(me, []).append(
                    {
                        "section": section,
                        "other_agency": agency[other],
                        "other_source": source[other],
                        "similarity": round(p.similarity, 3),
                        "jaccard": round(p.jaccard, 3),
                        "cluster": cluster_of[me],
                    }
                )
    for copies in result.copies.values():
        copies.sort(key=lambda c: (c["section"], -c["similarity"], c["other_agency"]))
    return result


def bounded(copies: list[dict], limit: int) -> list[dict]:
    """Return a sorted copy list cut to its first ``limit`` partners per section, each with ``partners``.

    ``partners`` is the number of partners of that section in the whole list (or the number a
    copy already carries, when the list was cut before).
    """
    by_section: dict[str, list[dict]] = defaultdict(list)
    for c in copies:
        by_section[c.get("section") or "S1"].append(c)
    out = []
    for found in by_section.values():
        total = max(len(found), *(int(c.get("partners") or 0) for c in found))
        out.extend({**c, "partners": total} for c in found[:limit])
    return out
