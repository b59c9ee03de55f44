"""Property tests: label normalisation and table reading are indifferent to cosmetic variation.

Mutated versions of the five seeds (whitespace shuffled, full/half-width punctuation swapped, table
rows shifted by extra leading or trailing empty cells) must parse to the same cell values as the
originals, both as text and through the HTML reader.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

import pytest
from html_layouts import LAYOUTS, SEEDS_DIR, layout_gbk, layout_spans, layout_trs, seed_items, seed_paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.parse import parse_bytes, parse_document, parse_path
from audit.readers import read_bytes
from audit.text import norm, parse_number

SEEDS = seed_paths() if SEEDS_DIR.is_dir() else []  # labels are drawn from the seeds at import
pytestmark = pytest.mark.usefixtures("corpus")  # skips (fails in CI) without ../shared/corpus
PROFILE = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Full-width ↔ half-width punctuation as printed in real reports.
WIDTH_PAIRS = [("（", "("), ("）", ")"), ("，", ","), ("：", ":"), ("；", ";"), ("“", '"'), ("”", '"')]
SPACES = [" ", "\u3000", "\u00a0"]


@cache
def original_cells(path: Path) -> dict[str, int | float | None]:
    return {cid: c.value for cid, c in parse_path(path).cells.items()}


@cache
def seed_lines(path: Path) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8").splitlines())


@cache
def table_labels() -> tuple[str, ...]:
    labels = set()
    for path in SEEDS:
        for line in seed_lines(path):
            if "\t" in line:
                labels.update(c.strip() for c in line.split("\t") if c.strip() and parse_number(c) is None)
    return tuple(sorted(labels))


def cells_of(text: str) -> dict[str, int | float | None]:
    return {cid: c.value for cid, c in parse_bytes(text.encode("utf-8"), "m.txt").cells.items()}


# ----------------------------------------------------------------------------------------------
# Mutations


def sprinkle(text: str, rng: random.Random, rate: float, spaces: list[str]) -> str:
    """Insert single whitespace characters between characters, never next to existing whitespace."""
    out = []
    for i, ch in enumerate(text):
        out.append(ch)
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if nxt and not ch.isspace() and not nxt.isspace() and rng.random() < rate:
            out.append(rng.choice(spaces))
    return "".join(out)


def swap_width(text: str, rng: random.Random, rate: float) -> str:
    """Swap full-width and half-width punctuation at random."""
    out = []
    for ch in text:
        for full, half in WIDTH_PAIRS:
            if ch in (full, half) and rng.random() < rate:
                ch = half if ch == full else full
                break
        out.append(ch)
    return "".join(out)


def mutate(lines: tuple[str, ...], rng: random.Random, ws: float, width: float, shift: float) -> str:
    """Return a seed's text with cosmetic mutations applied to table rows and paragraphs."""
    out = []
    for line in lines:
        if "\t" in line:
            cells = line.split("\t")
            cells = [swap_width(sprinkle(c, rng, ws, SPACES), rng, width) for c in cells]
            cells = [
                rng.choice(["", " ", "\u3000"]) + c + rng.choice(["", " "]) if rng.random() < ws else c
                for c in cells
            ]
            if rng.random() < shift:
                cells = [""] * rng.randint(1, 2) + cells
            if rng.random() < shift:
                cells = cells + [""] * rng.randint(1, 3)
            out.append("\t".join(cells))
        elif line.strip():
            # Paragraphs: single spaces only (two spaces would make the text reader see cells).
            out.append(swap_width(sprinkle(line, rng, ws / 2, [" "]), rng, width))
        else:
            out.append(line)
    return "\n".join(out) + "\n"


rates = st.floats(min_value=0.0, max_value=0.5)
seeds = st.sampled_from(SEEDS)
salts = st.integers(min_value=0, max_value=2**32 - 1)  # seeds the mutation's random.Random


# ----------------------------------------------------------------------------------------------
# The label normaliser


@PROFILE
@given(label=st.sampled_from(table_labels()), salt=salts, rate=rates)
def test_norm_ignores_whitespace(label: str, salt: int, rate: float) -> None:
    rng = random.Random(salt)
    assert norm(sprinkle(label, rng, rate, SPACES)) == norm(label)
    assert norm(" \u3000" + label + "\u00a0 ") == norm(label)


@PROFILE
@given(label=st.sampled_from(table_labels()), salt=salts, rate=rates)
def test_norm_ignores_width_of_punctuation(label: str, salt: int, rate: float) -> None:
    rng = random.Random(salt)
    assert norm(swap_width(label, rng, rate)) == norm(label)


@PROFILE
@given(text=st.text(max_size=40))
def test_norm_is_idempotent_and_strips_bold_markers(text: str) -> None:
    once = norm(text)
    assert norm(once) == once
    assert not any(ch.isspace() for ch in once)


# ----------------------------------------------------------------------------------------------
# The table reader, on whole seeds


@PROFILE
@given(seed=seeds, salt=salts, ws=rates)
def test_whitespace_never_changes_the_cells(seed: Path, salt: int, ws: float) -> None:
    rng = random.Random(salt)
    assert cells_of(mutate(seed_lines(seed), rng, ws, 0.0, 0.0)) == original_cells(seed)


@PROFILE
@given(seed=seeds, salt=salts, width=st.floats(min_value=0.0, max_value=1.0))
def test_punctuation_width_never_changes_the_cells(seed: Path, salt: int, width: float) -> None:
    rng = random.Random(salt)
    assert cells_of(mutate(seed_lines(seed), rng, 0.0, width, 0.0)) == original_cells(seed)


@PROFILE
@given(seed=seeds, salt=salts, shift=st.floats(min_value=0.0, max_value=1.0))
def test_shifted_cells_never_change_the_cells(seed: Path, salt: int, shift: float) -> None:
    rng = random.Random(salt)
    assert cells_of(mutate(seed_lines(seed), rng, 0.0, 0.0, shift)) == original_cells(seed)


@PROFILE
@given(
    seed=seeds,
    salt=salts,
    ws=rates,
    width=rates,
    shift=rates,
    layout=st.sampled_from(LAYOUTS),
)
def test_mutated_seed_as_html_reads_like_the_mutated_text(
    seed: Path, salt: int, ws: float, width: float, shift: float, layout: str
) -> None:
    rng = random.Random(salt)
    text = mutate(seed_lines(seed), rng, ws, width, shift)
    page = {"trs": layout_trs, "gbk": layout_gbk, "spans": layout_spans}[layout](seed_items(text))
    from_html = {cid: c.value for cid, c in parse_document(read_bytes(page, "m.html")).cells.items()}
    assert from_html == cells_of(text) == original_cells(seed)
