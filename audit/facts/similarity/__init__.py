"""Cross-agency near-duplicate narratives (CY05): shingle containment over sampled candidates, clusters.

Method, per narrative section (一、总体情况, 五、存在的主要问题及改进情况, 六、其他需要报告的事项):

1. Split the text into sentences and normalise them (NFKC, no whitespace or punctuation, digits
   as ``#``, the agency's own name removed) so that a copy with the name and numbers changed
   still matches (:mod:`.text`).
2. Drop template sentences: those of the official 格式 (known phrases) and those that many agencies
   of the year share (boilerplate: more than ``max(5, 30 %)`` of the agencies).
3. Turn what is left into character 5-gram shingles and keep a sample (one in ``SAMPLE``, by a
   stable hash, so that the store can keep the samples as signatures); candidate pairs come from
   the samples (:mod:`.search`), and the full shingle sets of each candidate decide.
4. The similarity of a pair is the containment (overlap coefficient: the share of the smaller
   text's shingles found in the larger), so that a copy padded with extra paragraphs still counts;
   the Jaccard index is reported beside it. Pairs are kept down to a *search floor* given by the
   caller (the lowest similarity a ``copy`` rule fires at: :mod:`audit.rulebook.bounds`); whether a
   pair is a copy is the rule's decision (CY05's ``when``), not this module's. Both texts must keep
   at least ``MIN_CHARS`` characters. Pairs are grouped into clusters per section (:mod:`.clusters`).

:func:`find_copies` does all of it over a set of narratives in memory (tests, the sample, a
preview); the store keeps the signatures and pairs per report and updates them incrementally
(:mod:`audit.store.copyindex`) with the same functions.

On generated corpora distinct narratives on the same subjects stay below 0.3; a copy with the
names and numbers changed and a phrase inserted stays above 0.9.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable

from audit.facts.similarity.clusters import Cluster, CopyResult, Narrative, assemble, bounded
from audit.facts.similarity.search import (
    SAMPLE_MARGIN,
    Entry,
    Pair,
    all_candidates,
    candidates_of,
    measure,
    probe_share,
)
from audit.facts.similarity.text import (
    METHOD,
    MIN_CHARS,
    MIN_SENTENCE,
    NARRATIVE_SECTIONS,
    SAMPLE,
    SHINGLE,
    TEMPLATE_PHRASES,
    Kept,
    Signature,
    boilerplate,
    is_template,
    normalise_sentence,
    sentences,
    shingles,
    stable_hash,
)

__all__ = [
    "METHOD",
    "MIN_CHARS",
    "MIN_SENTENCE",
    "NARRATIVE_SECTIONS",
    "SAMPLE",
    "SAMPLE_MARGIN",
    "SHINGLE",
    "TEMPLATE_PHRASES",
    "Cluster",
    "CopyResult",
    "Entry",
    "Kept",
    "Narrative",
    "Pair",
    "Signature",
    "all_candidates",
    "assemble",
    "boilerplate",
    "bounded",
    "candidates_of",
    "document_frequency",
    "find_copies",
    "is_template",
    "measure",
    "normalise_sentence",
    "probe_share",
    "section_pairs",
    "sentences",
    "shingles",
    "stable_hash",
]


def document_frequency(kept: Iterable[tuple[str, Kept]]) -> dict[int, int]:
    """Return per sentence hash the number of agencies whose section keeps it (``(agency, kept)`` pairs)."""
    owners: dict[int, set[str]] = defaultdict(set)
    for agency, k in kept:
        for h in k.hashes:
            owners[h].add(agency)
    return {h: len(a) for h, a in owners.items()}


def section_pairs(
    keys: list[Hashable], agencies: list[str], cleaned: list[str], floor: float, min_chars: int = MIN_CHARS
) -> list[Pair]:
    """Return the measured pairs of one section among texts already cleaned (keys, agencies alike)."""
    entries = [
        Entry(i, agencies[i], Signature.of(text).sample)
        for i, text in enumerate(cleaned)
        if len(text) >= min_chars
    ]
    full: dict[Hashable, set[str]] = {}

    def shingled(i: Hashable) -> set[str]:
        if i not in full:
            full[i] = shingles(cleaned[i])  # type: ignore[index]
        return full[i]

    found = all_candidates(entries, floor)
    pairs = measure(((entries[a].key, entries[b].key) for a, b in found), shingled, floor)
    return [Pair(keys[p.a], keys[p.b], p.similarity, p.jaccard) for p in pairs]  # type: ignore[index]


def find_copies(
    narratives: Iterable[Narrative], *, floor: float, min_chars: int = MIN_CHARS, cluster_prefix: str = ""
) -> CopyResult:
    """Find pairs of different agencies whose narrative sections are alike down to ``floor``; cluster them."""
    items = list(narratives)
    agencies = {n.agency for n in items}
    pairs: dict[str, list[Pair]] = {}
    for section in NARRATIVE_SECTIONS:
        kept = [Kept.of(n.sections.get(section) or "", n.agency) for n in items]
        boiler = boilerplate(
            document_frequency(zip([n.agency for n in items], kept, strict=True)), len(agencies)
        )
        cleaned = [k.cleaned(boiler) for k in kept]
        pairs[section] = section_pairs(
            [n.key for n in items], [n.agency for n in items], cleaned, floor, min_chars
        )
    return assemble(
        pairs, {n.key: n.agency for n in items}, {n.key: n.source for n in items}, prefix=cluster_prefix
    )
