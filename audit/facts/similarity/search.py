"""The search of CY05: candidate pairs over section samples, then the exact measure of each candidate.

A pair of sections is a *candidate* when both keep at least ``MIN_CHARS`` characters, they belong
to different agencies and their samples share at least ``floor − SAMPLE_MARGIN`` of the smaller
sample (the margin absorbs sampling noise). Two searches give the same candidates:

- :func:`all_candidates` (a whole year): prefix filtering, larger samples indexed first; each
  section probes the index with its rarest ``|A| − ⌈t·|A|⌉ + 1`` sampled shingles only, which finds
  every pair that can reach ``t``; each pair is seen once.
- :func:`candidates_of` (a few new or changed sections against the rest of the year): each probe
  section counts the sampled shingles it shares with every other through an index of the year;
  its cost grows with (probes × year), not with year².

:func:`measure` then decides on the full shingle sets: the similarity is the containment (the share
of the smaller text's shingles found in the larger), the Jaccard index is given beside it, and a
pair is kept when the containment reaches the floor. The floor is a search floor, not a judgement:
the rule (CY05's ``when``) decides which pairs are copies.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

SAMPLE_MARGIN = 0.15  # candidates need floor − margin of the sampled shingles (sampling noise)


@dataclass(frozen=True)
class Entry:
    """One section of one report as the search sees it: its key, agency and sample."""

    key: Hashable
    agency: str
    sample: frozenset[int]


@dataclass(frozen=True)
class Pair:
    """A measured pair of sections (keys ordered as found): containment and Jaccard."""

    a: Hashable
    b: Hashable
    similarity: float
    jaccard: float


def probe_share(floor: float) -> float:
    """Return the share of the smaller sample a candidate pair must share."""
    return max(0.0, floor - SAMPLE_MARGIN)


def _enough(x: Entry, y: Entry, t: float) -> bool:
    """Return whether two entries of different agencies share enough sampled shingles."""
    if x.agency == y.agency:
        return False
    return len(x.sample & y.sample) >= t * min(len(x.sample), len(y.sample))


def all_candidates(entries: Sequence[Entry], floor: float) -> list[tuple[int, int]]:
    """Return every candidate pair (entry indexes) of a whole year's sections, by prefix filtering."""
    t = probe_share(floor)
    freq: Counter[int] = Counter()
    for e in entries:
        freq.update(e.sample)
    order = sorted((i for i, e in enumerate(entries) if e.sample), key=lambda i: -len(entries[i].sample))
    index: dict[int, list[int]] = defaultdict(list)
    pairs: list[tuple[int, int]] = []
    for a in order:  # the index holds the larger (or equal) samples seen so far
        sample = entries[a].sample
        ordered = sorted(sample, key=freq.__getitem__)
        prefix = len(ordered) - math.ceil(t * len(ordered)) + 1
        hits: set[int] = set()
        for h in ordered[:prefix]:
            hits.update(index[h])
        pairs.extend((a, b) for b in sorted(hits) if _enough(entries[a], entries[b], t))
        for h in sample:
            index[h].append(a)
    return pairs


def candidates_of(entries: Sequence[Entry], probes: Iterable[int], floor: float) -> list[tuple[int, int]]:
    """Return the candidate pairs (entry indexes) that involve a probe entry, each pair once.

    The year's samples are indexed once; each probe counts, per other entry, the sampled shingles
    they share (all of its shingles probe, since the other entry may be the smaller one).
    """
    t = probe_share(floor)
    index: dict[int, list[int]] = defaultdict(list)
    for i, e in enumerate(entries):
        for h in e.sample:
            index[h].append(i)
    done: set[int] = set()  # a pair of two probes is found by the first of them
    pairs: list[tuple[int, int]] = []
    for a in sorted(set(probes)):
        done.add(a)
        ea = entries[a]
        shared: Counter[int] = Counter()
        for h in ea.sample:
            shared.update(index[h])
        size = len(ea.sample)
        for b, n in shared.items():
            eb = entries[b]
            if b not in done and eb.agency != ea.agency and n >= t * min(size, len(eb.sample)):
                pairs.append((a, b))
    return pairs


def measure(
    candidates: Iterable[tuple[Hashable, Hashable]], full: Callable[[Hashable], set[str]], floor: float
) -> list[Pair]:
    """Return the candidates whose containment reaches ``floor``, with containment and Jaccard."""
    out = []
    for a, b in candidates:
        sa, sb = full(a), full(b)
        inter = len(sa & sb)
        if not inter:
            continue
        cont = inter / min(len(sa), len(sb))
        if cont >= floor:
            out.append(Pair(a, b, cont, inter / (len(sa) + len(sb) - inter)))
    return out
