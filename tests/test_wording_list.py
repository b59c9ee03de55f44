"""The written list of phrasings (docs/wording.md): every row is read as its 读作 column says.

docs/wording.md holds one table per statement kind (the kind is the code in the heading, e.g.
``outcomes``); each row is a phrasing (原文, ``⏎`` for a line break) and the reading it must give
(读作) in the notation the document explains. A reviewer extends the list by adding a row; this
test then fails until the reader of that kind reads it so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from audit.facts.content import is_nil
from audit.facts.narrative.appeals import appeal_statements
from audit.facts.narrative.applications import application_statements, none_received
from audit.facts.narrative.documents import t2_statements
from audit.facts.narrative.fees import fee_denials
from audit.facts.rectification import GROUP_TOPICS, mention
from audit.facts.topics import OVERSIGHT, result_quote, topic_evidence
from audit.facts.years import statistical_period

WORDING = Path(__file__).resolve().parents[1] / "docs" / "wording.md"
YEAR = 2023
NOTHING = "—"
_OVERSIGHT_LABEL = {"has_assessment": "考核", "has_evaluation": "评议", "has_accountability": "追究"}


def _column(st) -> str:
    return "" if st.column == "total" else f"{st.column}:"


def _applications(text: str) -> set[str]:
    return {
        f"{_column(s)}{s.what}={s.value}"
        for s in application_statements(text, "S1", YEAR)
        if not s.what.startswith(("outcome:", "unread:"))
    }


def _outcomes(text: str) -> set[str]:
    out = set()
    # read as part of a paragraph on applications (outcomes are only read in that context)
    for s in application_statements("政府信息公开申请办理情况如下。" + text, "S1", YEAR):
        if s.what.startswith("unread:"):
            out.add("unread")
        elif s.what.startswith("outcome:"):
            share = f"@{s.share}%" if s.share is not None else ""
            out.add(f"{_column(s)}{s.what.split(':', 1)[1]}={s.value}{share}")
    return out


def _appeals(text: str) -> set[str]:
    out = set()
    for s in appeal_statements(text, "S1", YEAR):
        if s.what.startswith("none_appeal:"):
            out.add(f"none:{s.what.split(':')[1]}")
        else:
            _, group, col = s.what.split(":")
            out.add(f"{group}{'' if col == 'total' else '.' + col}={s.value}")
    return out


def _documents(text: str) -> set[str]:
    return {
        f"{s.what.split(':')[1]}.{s.what.split(':')[2]}={s.value}" for s in t2_statements(text, "S1", YEAR)
    }


def _oversight(text: str) -> set[str]:
    return {
        _OVERSIGHT_LABEL[n] for n, (_, mech, result) in OVERSIGHT.items() if result_quote(mech, result, text)
    }


READERS: dict[str, Callable[[str], set[str]]] = {
    "applications": _applications,
    "outcomes": _outcomes,
    "no_applications": lambda t: {"none"} if none_received(t, "S1") else set(),
    "appeals": _appeals,
    "documents": _documents,
    "fees": lambda t: {"denies"} if fee_denials(t, "S6") else set(),
    "topics": lambda t: {f"{topic}:{basis}" for topic, (basis, _) in topic_evidence(t).items()},
    "oversight": _oversight,
    "nil": lambda t: {"nil"} if is_nil(t) else set(),
    "period": lambda t: {str(y)} if (y := statistical_period(t)[1]) else set(),
    "rectification": lambda t: {group for group in GROUP_TOPICS if group != "PL" and mention(t, group, None)},
}


def wording_rows(path: Path = WORDING) -> list[tuple[str, str, str]]:
    """Return (kind, phrasing, reading) for every table row of the wording list."""
    rows: list[tuple[str, str, str]] = []
    kind = None
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^##\s.*`(\w+)`", line)
        if heading:
            kind = heading.group(1)
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if kind and len(cells) == 2 and cells[0] not in ("原文", "") and not set(cells[0]) <= set("-: "):
            rows.append((kind, cells[0].replace("⏎", "\n"), cells[1]))
    return rows


def _expected(reading: str) -> set[str]:
    return set() if reading == NOTHING else {x.strip() for x in reading.split(";") if x.strip()}


def test_the_list_covers_every_kind() -> None:
    kinds = {kind for kind, _, _ in wording_rows()}
    assert kinds == set(READERS), sorted(kinds ^ set(READERS))
    for kind in READERS:
        readings = [r for k, _, r in wording_rows() if k == kind]
        assert NOTHING in readings and any(r != NOTHING for r in readings), f"{kind} 需要正例和反例"


@pytest.mark.parametrize(("kind", "text", "reading"), wording_rows(), ids=lambda x: str(x)[:40])
def test_phrasing_is_read_as_listed(kind: str, text: str, reading: str) -> None:
    assert READERS[kind](text) == _expected(reading)
