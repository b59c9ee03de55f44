"""The bytes of the copy index (audit.store.copyindex): signatures and per-section hash sets, little-endian.

A signature's ``data`` holds, for each narrative section in ``NARRATIVE_SECTIONS`` order, three
unsigned 32-bit counts (cleaned length, kept sentences, sampled shingles) followed by the signed
64-bit sentence hashes and the unsigned 32-bit sampled shingles (sorted). A set of sentence hashes
per section (the boilerplate) is a 32-bit count and the hashes, section by section.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from audit.facts import similarity as sim

_HEAD = struct.Struct("<III")
_LITTLE = sys.byteorder == "little"


@dataclass(frozen=True)
class SectionSig:
    """One section's stored signature: cleaned length, kept sentence hashes, sampled shingles."""

    chars: int
    sentences: tuple[int, ...]
    sample: frozenset[int]


def _arr(code: str, values: Iterable[int]) -> bytes:
    """Return integers packed little-endian."""
    a = array(code, values)
    if not _LITTLE:
        a.byteswap()
    return a.tobytes()


def _unarr(code: str, data: bytes) -> array:
    """Return little-endian packed integers."""
    a = array(code)
    a.frombytes(data)
    if not _LITTLE:
        a.byteswap()
    return a


def pack(sections: dict[str, SectionSig]) -> bytes:
    """Return the ``data`` bytes of a signature (sections in ``NARRATIVE_SECTIONS`` order)."""
    out = bytearray()
    for sid in sim.NARRATIVE_SECTIONS:
        s = sections.get(sid) or SectionSig(0, (), frozenset())
        out += _HEAD.pack(s.chars, len(s.sentences), len(s.sample))
        out += _arr("q", s.sentences) + _arr("I", sorted(s.sample))
    return bytes(out)


def unpack(data: bytes) -> dict[str, SectionSig]:
    """Return the sections of a signature's ``data`` bytes."""
    out, pos = {}, 0
    for sid in sim.NARRATIVE_SECTIONS:
        chars, n_sent, n_sample = _HEAD.unpack_from(data, pos)
        pos += _HEAD.size
        sent = _unarr("q", data[pos : pos + 8 * n_sent])
        pos += 8 * n_sent
        sample = _unarr("I", data[pos : pos + 4 * n_sample])
        pos += 4 * n_sample
        out[sid] = SectionSig(chars, tuple(sent), frozenset(sample))
    return out


def pack_sets(sets: dict[str, frozenset[int]]) -> bytes:
    """Return per-section sets of sentence hashes (the boilerplate) as bytes."""
    out = bytearray()
    for sid in sim.NARRATIVE_SECTIONS:
        values = sorted(sets.get(sid, ()))
        out += struct.pack("<I", len(values)) + _arr("q", values)
    return bytes(out)


def unpack_sets(data: bytes) -> dict[str, frozenset[int]]:
    """Return the per-section sets of :func:`pack_sets`."""
    out, pos = {}, 0
    for sid in sim.NARRATIVE_SECTIONS:
        (n,) = struct.unpack_from("<I", data, pos)
        pos += 4
        out[sid] = frozenset(_unarr("q", data[pos : pos + 8 * n]))
        pos += 8 * n
    return out
