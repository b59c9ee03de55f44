"""The store's CY05 index: each incremental update equals a search of the whole year from scratch.

Reports are written straight into the store (tests/copy_support.py); the index is updated as the
audit run does (:func:`audit.store.copyindex.refresh_year`) and compared, copies and clusters,
with :func:`audit.facts.similarity.find_copies` over the year's current narratives.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from copy_support import add_reports
from sqlmodel import Session, select
from test_similarity import corpus, make_narrative, plant_copy
from test_store_support import db  # noqa: F401

from audit.facts import similarity
from audit.facts.similarity import Narrative
from audit.rulebook.bounds import copy_floor
from audit.rulebook.check import default_catalog
from audit.store import copyindex
from audit.store import db as store
from audit.store import tables as m
from audit.store.queries import current_reports, report_sources

YEAR = 2024
FLOOR = copy_floor(default_catalog())
SHARED = "全面梳理本单位各类政务服务事项清单并逐项明确办理时限和承办责任人员"


def scratch(session: Session, floor: float = FLOOR) -> similarity.CopyResult:
    """Search the year's current narratives from scratch."""
    rows = [r for r in current_reports(session, YEAR) if r.narrative]
    names = dict(session.exec(select(m.Agency.id, m.Agency.name)).all())
    sources = report_sources(session, [r.id for r in rows])  # type: ignore[misc]
    items = [Narrative(r.id, names[r.agency_id], sources[r.id], r.narrative) for r in rows]  # type: ignore[index]
    return similarity.find_copies(items, floor=floor, cluster_prefix=f"{YEAR}-")


def without_clusters(result: similarity.CopyResult) -> dict:
    """Return each report's copy list as the checks see it, without the cluster numbers."""
    return {
        k: [{f: v for f, v in c.items() if f != "cluster"} for c in found]
        for k, found in result.copies.items()
    }


def update(run: int, floor: float = FLOOR) -> tuple[copyindex.Refreshed, dict, dict]:
    """Update the index in its own transaction; check it against a fresh search; return (done, before, after)."""
    with store.session_scope() as session:
        before = without_clusters(copyindex.stored_copies(session, YEAR))
        done = copyindex.refresh_year(session, YEAR, floor, run)
    with store.session_scope() as session:
        stored, fresh = copyindex.stored_copies(session, YEAR), scratch(session, floor)
        assert stored.copies == fresh.copies
        assert stored.clusters == fresh.clusters
        assert copyindex.is_fresh(session, YEAR, floor)
    return done, before, without_clusters(stored)


def changed_sets(before: dict, after: dict) -> set:
    """Return the reports whose copy list differs."""
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


def add(narratives: list[Narrative]) -> list[int]:
    with store.session_scope() as session:
        return add_reports(session, narratives, YEAR)


def test_incremental_updates_equal_a_search_from_scratch(db: str) -> None:  # noqa: F811
    items = corpus(40, seed=3)
    items[31] = plant_copy(items[12], 31, items[31].agency)
    items[5] = plant_copy(items[2], 5, items[5].agency)
    items[9] = plant_copy(items[5], 9, items[9].agency)
    ids = add(items)
    done, _, after = update(1)
    assert done.whole and done.reports == 40 and len(after) == 5

    # nothing new: nothing read, nothing probed, no copy set changed
    done, _, _ = update(2)
    assert (done.read, done.probes, done.whole, done.changed) == (0, 0, False, set())

    # two new reports (one copies an old report, the other copies the first) and a new version of
    # an agency's report that now copies another: only those three probe the year
    with store.session_scope() as session:  # everything so far was audited (in run 2)
        run = m.AuditRun()
        session.add(run)
        session.flush()
        for report in session.exec(select(m.Report)).all():
            report.audited_run_id = run.id
            session.add(report)
    first = plant_copy(items[20], 100, "新设局")
    second = plant_copy(first, 101, "后设局")
    version = plant_copy(items[30], 102, items[7].agency)
    new_ids = add([first, second, version])
    done, before, after = update(run.id + 1)  # type: ignore[operator]
    assert (done.probes, done.whole) == (3, False)
    assert done.changed == changed_sets(before, after) - {ids[7]}
    assert {ids[20], ids[30], *new_ids} <= done.changed
    with store.session_scope() as session:
        assert copyindex.due_rechecks(session, YEAR) == done.changed  # audited before their copies changed
        stored = session.exec(select(m.CopySignature.report_id)).all()
    assert ids[7] not in stored  # the superseded version left the index


def test_sentences_that_become_or_stop_being_boilerplate_update_the_reports_that_hold_them(
    db: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(copyindex, "WHOLE_YEAR", 0)  # always probe, however much changed
    rng = random.Random(8)

    def holding(i: int, shared: bool) -> Narrative:
        agency = f"套话{i}局"
        sections = make_narrative(rng, agency)
        if shared:
            sections["S1"] = f"{SHARED}。" + sections["S1"]
        return Narrative(i, agency, f"t{i}.txt", sections)

    add(corpus(30, seed=4))
    add([holding(i, True) for i in range(10)])  # 10 of 40 agencies: not boilerplate
    update(1)
    add([holding(i, True) for i in range(10, 22)])  # 22 of 52 (cap 15): boilerplate now
    done, _, _ = update(2)
    assert done.probes == 22 and not done.whole  # the first ten are cleaned again
    add([holding(i, False) for i in range(22, 60)])  # 22 of 90 (cap 27): no longer boilerplate
    done, _, _ = update(3)
    assert done.probes == 38 + 22 and not done.whole
    with store.session_scope() as session:
        year = session.get(m.CopyYear, YEAR)
        assert year is not None and not copyindex.unpack_sets(year.boilerplate)["S1"] & {
            similarity.stable_hash(similarity.normalise_sentence(SHARED))
        }


def test_another_floor_searches_the_year_again(db: str) -> None:  # noqa: F811
    add(corpus(25, seed=5))
    update(1)
    with store.session_scope() as session:
        assert copyindex.years_to_search_again(session, FLOOR) == set()
        assert copyindex.years_to_search_again(session, 0.3) == {YEAR}
        assert not copyindex.is_fresh(session, YEAR, 0.3)
    done, _, after = update(2, floor=0.3)
    assert done.whole and after  # distinct narratives on the same subjects reach 0.3 here and there
    assert all(c["similarity"] >= 0.3 for found in after.values() for c in found)


def test_signatures_are_the_same_in_every_process(tmp_path: Path) -> None:
    text = make_narrative(random.Random(1), "甲局")["S1"]
    code = (
        "import json, sys\n"
        "from audit.facts import similarity as s\n"
        "t = sys.stdin.read()\n"
        "print(json.dumps([sorted(s.Signature.of(t).sample), s.stable_hash(t), hash(t)]))\n"
    )
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code], input=text, capture_output=True, text=True, env=env, check=True
        )
        outs.append(json.loads(done.stdout))
    assert outs[0][2] != outs[1][2]  # Python's own hash of a str differs between processes
    assert (
        outs[0][:2]
        == outs[1][:2]
        == [sorted(similarity.Signature.of(text).sample), similarity.stable_hash(text)]
    )


def test_signature_bytes_round_trip() -> None:
    sig = copyindex.SectionSig(321, (-(2**63), 5, 2**63 - 1), frozenset({0, 8, 2**32 - 8}))
    data = copyindex.pack({"S5": sig})
    back = copyindex.unpack(data)
    assert back["S5"] == sig and back["S1"] == copyindex.SectionSig(0, (), frozenset())
    sets = {"S1": frozenset({-1, 7}), "S6": frozenset()}
    assert copyindex.unpack_sets(copyindex.pack_sets(sets)) == {**sets, "S5": frozenset()}


@pytest.mark.parametrize("limit", [1, 2])
def test_bounded_keeps_the_first_partners_of_each_section_and_counts_them_all(limit: int) -> None:
    copies = [
        {"section": "S1", "other_agency": "甲", "similarity": 0.99},
        {"section": "S1", "other_agency": "乙", "similarity": 0.9},
        {"section": "S1", "other_agency": "丙", "similarity": 0.85},
        {"section": "S5", "other_agency": "甲", "similarity": 0.95},
    ]
    kept = similarity.bounded(copies, limit)
    assert [(c["section"], c["other_agency"], c["partners"]) for c in kept] == [
        ("S1", "甲", 3),
        *([("S1", "乙", 3)] if limit == 2 else []),
        ("S5", "甲", 1),
    ]
    assert similarity.bounded(kept, 1)[0]["partners"] == 3  # a list cut before keeps its count
