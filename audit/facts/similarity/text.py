"""The text side of CY05: sentences, normalisation, template phrases, shingles and stable signatures.

A section's narrative becomes its *kept sentences* (normalised, template sentences and short ones
dropped), each with a stable 64-bit hash (blake2b) so that the store can count in how many
agencies' reports a sentence occurs (boilerplate) across processes. The *cleaned text* is the kept
sentences without the year's boilerplate, joined; its character 5-gram shingles decide a pair
exactly, and one shingle in ``SAMPLE`` (chosen by a stable CRC-32, not by Python's per-process
``hash()``) makes the section's *sample*, the signature that the search indexes and the store keeps.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Collection
from dataclasses import dataclass

NARRATIVE_SECTIONS = ("S1", "S5", "S6")
SHINGLE = 5
SAMPLE = 8
MIN_CHARS = 150
MIN_SENTENCE = 8
# The signature method: stored signatures of another method are computed again.
METHOD = f"v1-k{SHINGLE}-s{SAMPLE}-m{MIN_SENTENCE}"

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


def stable_hash(text: str) -> int:
    """Return a signed 64-bit hash of a text that is the same in every process (blake2b)."""
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True
    )


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """Return the character k-grams of a text (the text itself when shorter)."""
    if len(text) < k:
        return {text} if text else set()
    return {text[i : i + k] for i in range(len(text) - k + 1)}


def sample_of(full: Collection[str]) -> frozenset[int]:
    """Return the sample of a shingle set: the stable CRC-32 of one shingle in ``SAMPLE``."""
    crcs = (zlib.crc32(s.encode("utf-8")) for s in full)
    return frozenset(h for h in crcs if h % SAMPLE == 0)


@dataclass
class Kept:
    """A section's kept sentences: normalised text and stable hash of each, in reading order."""

    texts: list[str]
    hashes: list[int]

    @classmethod
    def of(cls, text: str, agency: str) -> Kept:
        """Return the kept sentences of a section's text (template and short sentences dropped)."""
        texts = []
        for raw in sentences(text or ""):
            norm = normalise_sentence(raw, agency)
            if len(norm) >= MIN_SENTENCE and not is_template(norm):
                texts.append(norm)
        return cls(texts, [stable_hash(t) for t in texts])

    def cleaned(self, boilerplate: Collection[int]) -> str:
        """Return the cleaned text: the kept sentences that are not boilerplate, joined."""
        return "".join(t for t, h in zip(self.texts, self.hashes, strict=True) if h not in boilerplate)


@dataclass
class Signature:
    """The searchable form of one section of one report: its sample and cleaned length."""

    sample: frozenset[int]
    chars: int

    @classmethod
    def of(cls, cleaned: str) -> Signature:
        """Return the signature of a cleaned text."""
        return cls(sample_of(shingles(cleaned)), len(cleaned))


def boilerplate(doc_frequency: dict[int, int], agencies: int) -> frozenset[int]:
    """Return the sentence hashes shared by more than ``max(5, 30 %)`` of the year's agencies."""
    cap = max(5, int(0.3 * agencies))
    return frozenset(h for h, count in doc_frequency.items() if count > cap)
