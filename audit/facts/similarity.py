"""Cross-agency near-duplicate narratives (CY05): shingle Jaccard with sampled candidates, clusters.

Method, per narrative section (一、总体情况, 五、存在的主要问题及改进情况, 六、其他需要报告的事项):

1. Split the text into sentences and normalise them (NFKC, no whitespace or punctuation, digits
   as ``#``, the agency's own name removed) so that a copy with the name and numbers changed
   still matches.
2. Drop template sentences: those of the official 格式 (known phrases) and those that many agencies
   of the year share (boilerplate: more than ``max(5, 30 %)`` of the agencies).
3. Turn what is left into character 5-gram shingles and keep a sample (one in ``SAMPLE`` by hash).
   Candidates come from prefix filtering over the samples (each report probes the inverted index
   with its rarest sampled shingles only, which finds every pair that can reach the threshold);
   for each candidate the exact containment and Jaccard of the full shingle sets decide.
4. The similarity of a pair is the containment (overlap coefficient: the share of the smaller
   text's shingles found in the larger), so that a copy padded with extra paragraphs still counts;
   the Jaccard index is reported beside it. A pair is a copy when the similarity reaches
   ``THRESHOLD`` (0.8, the threshold of rule CY05) and both texts keep at least ``MIN_CHARS``
   characters. Copies are grouped into clusters (connected components) per section.

On generated corpora distinct narratives on the same subjects stay below 0.3; a copy with the
names and numbers changed and a phrase inserted stays above 0.9.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

NARRATIVE_SECTIONS = ("S1", "S5", "S6")
SHINGLE = 5
SAMPLE = 8
THRESHOLD = 0.8
MIN_CHARS = 150
MIN_SENTENCE = 8
SAMPLE_MARGIN = 0.15  # candidates need threshold − margin of the sampled shingles (sampling noise)

# Phrases of the official template (国办公开办函〔2021〕30号 and its 2019 predecessor) and the
# standard closing lines: a sentence containing one is not the agency's own narrative.
TEMPLATE_PHRASES = (
    "政府信息公开条例",
    "年度报告格式",
    "国办公开办函",
    "本报告统计数据",
    "本报告所列数据",
    "本报告中所列数据",
    "统计期限自",
    "本年度报告电子版",
    "本报告电子版",
    "如对本报告有疑问",
    "如对本年度报告有任何疑问",
    "联系地址",
    "联系电话",
    "邮政编码",
    "本机关未收取信息处理费",
    "未收取信息处理费",
    "无其他需要报告的事项",
)

_SENTENCE_END = re.compile(r"[。！？；!?;\n]+")
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
_DIGITS = re.compile(r"[0-9０-９一二三四五六七八九十百千万零〇两]+(?=[件条次个期项人家亿万元%％])|[0-9]+")


@dataclass
class Narrative:
    """The narrative sections of one report, as input to :func:`find_copies`."""

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


def sentences(text: str) -> list[str]:
    """Split a narrative into sentences (on 。！？； and line breaks)."""
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]


def normalise_sentence(sentence: str, agency: str = "") -> str:
    """Normalise a sentence for comparison: NFKC, no agency name, numbers as ``#``, no punctuation."""
    s = unicodedata.normalize("NFKC", sentence)
    if agency:
        s = s.replace(agency, "")
    s = _DIGITS.sub("#", s)
    return _DROP.sub("", s)


def is_template(sentence: str) -> bool:
    """Return whether a (normalised) sentence belongs to the official template or closing lines."""
    return any(phrase in sentence for phrase in TEMPLATE_PHRASES)


def shingles(text: str, k: int = SHINGLE) -> set[int]:
    """Return the hashed character k-grams of a text (hashes are stable within one process)."""
    if len(text) < k:
        return {hash(text)} if text else set()
    return {hash(text[i : i + k]) for i in range(len(text) - k + 1)}


def _clean_texts(narratives: list[Narrative], section: str) -> dict[int, str]:
    """Return per narrative index the section's text without template and boilerplate sentences."""
    per_doc: dict[int, list[str]] = {}
    df: dict[str, set[str]] = defaultdict(set)
    for idx, n in enumerate(narratives):
        kept = []
        for raw in sentences(n.sections.get(section) or ""):
            norm = normalise_sentence(raw, n.agency)
            if len(norm) < MIN_SENTENCE or is_template(norm):
                continue
            kept.append(norm)
            df[norm].add(n.agency)
        per_doc[idx] = kept
    agencies = {n.agency for n in narratives}
    cap = max(5, int(0.3 * len(agencies)))
    boiler = {s for s, owners in df.items() if len(owners) > cap}
    return {idx: "".join(s for s in kept if s not in boiler) for idx, kept in per_doc.items()}


def _find(parent: dict[int, int], x: int) -> int:
    """Return the representative of ``x`` in a union-find forest (with path halving)."""
    parent.setdefault(x, x)
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def find_copies(
    narratives: Iterable[Narrative],
    *,
    threshold: float = THRESHOLD,
    min_chars: int = MIN_CHARS,
    cluster_prefix: str = "",
) -> CopyResult:
    """Find pairs of different agencies whose narrative sections are near-duplicates; cluster them."""
    items = list(narratives)
    result = CopyResult()
    for section in NARRATIVE_SECTIONS:
        texts = _clean_texts(items, section)
        sets: dict[int, set[int]] = {}
        samples: dict[int, set[int]] = {}
        index: dict[int, list[int]] = defaultdict(list)
        for idx, text in texts.items():
            if len(text) < min_chars:
                continue
            sh = shingles(text)
            sets[idx] = sh
            samples[idx] = {h for h in sh if h % SAMPLE == 0}
            for h in samples[idx]:
                index[h].append(idx)
        # Prefix filtering: if A shares at least t·|A| sampled shingles with B, then A's rarest
        # |A| − ⌈t·|A|⌉ + 1 shingles include one of them; probing only those finds every candidate.
        probe_t = max(0.0, threshold - SAMPLE_MARGIN)
        pairs: list[tuple[int, int, float, float]] = []
        for a, sample in samples.items():
            if not sample:
                continue
            ordered = sorted(sample, key=lambda h: len(index[h]))
            prefix = len(ordered) - math.ceil(probe_t * len(ordered)) + 1
            hits: Counter[int] = Counter()
            for h in ordered[:prefix]:
                hits.update(index[h])
            size_a = len(sample)
            for b in hits:
                # the smaller report probes (ties: the lower index), so each pair is seen once
                size_b = len(samples[b])
                if b == a or size_b < size_a or (size_b == size_a and b < a):
                    continue
                if items[a].agency == items[b].agency:
                    continue
                if len(sample & samples[b]) < probe_t * size_a:
                    continue  # too few sampled shingles in common to reach the threshold
                sa, sb = sets[a], sets[b]
                inter = len(sa & sb)
                jac = inter / len(sa | sb)
                cont = inter / min(len(sa), len(sb))
                if cont >= threshold:
                    pairs.append((a, b, jac, cont))
        if not pairs:
            continue
        parent: dict[int, int] = {}
        for a, b, _, _ in pairs:
            parent[_find(parent, a)] = _find(parent, b)
        groups: dict[int, list[int]] = defaultdict(list)
        for idx in parent:
            groups[_find(parent, idx)].append(idx)
        ordered = sorted(groups.values(), key=lambda g: min(items[i].agency for i in g))
        cluster_of: dict[int, str] = {}
        for number, members in enumerate(ordered, start=1):
            cid = f"{cluster_prefix}{section}-{number}"
            best = max(c for a, _, _, c in pairs if _find(parent, a) == _find(parent, members[0]))
            members.sort(key=lambda i: items[i].agency)
            result.clusters.append(
                Cluster(
                    id=cid,
                    section=section,
                    members=[items[i].key for i in members],
                    agencies=[items[i].agency for i in members],
                    max_similarity=round(best, 3),
                )
            )
            for i in members:
                cluster_of[i] = cid
        for a, b, jac, cont in pairs:
            for me, other in ((a, b), (b, a)):
                result.copies.setdefault(items[me].key, []).append(
                    {
                        "section": section,
                        "other_agency": items[other].agency,
                        "other_source": items[other].source,
                        "similarity": round(cont, 3),
                        "jaccard": round(jac, 3),
                        "cluster": cluster_of[me],
                    }
                )
    for found in result.copies.values():
        found.sort(key=lambda c: (c["section"], -c["similarity"], c["other_agency"]))
    return result
