"""Re-audits reuse what cannot have changed, and redo everything any change reaches (audit.reaudit).

The curated sample (:mod:`audit.sample`) is stored and audited once; ``audit --all`` then must
read and check nothing while nothing changed, and must read or check again exactly what a change
reaches: a new reader version (every document read again), a changed rule file (every report
checked again, nothing read), a new previous-year report (that agency's later reports checked
again), a corrected re-publication (the new bytes read, the agency's reports checked again). In
every case the findings are those a full audit gives.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import select
from test_store_support import make_database

from audit import pool, reaudit
from audit import run as pipeline
from audit.nightly.demo import corrected_report
from audit.reading import ParseJob
from audit.rulebook import catalog as catalog_module
from audit.rulebook import check as check_module
from audit.sample import AS_OF, MANIFEST, write_sample
from audit.store import archive, lifecycle
from audit.store import db as store
from audit.store import tables as m

NEW_PREVIOUS = ("柳塘县人民政府", 2023)  # its 2024 report repeats last year's figures wrongly (CY01)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """The curated sample's folder and its documents (manifest entries)."""
    folder = write_sample(tmp_path_factory.mktemp("sample") / "reports").parent
    return folder, json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["documents"]


@pytest.fixture
def sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh migrated SQLite store."""
    for url in make_database("sqlite", tmp_path, monkeypatch):
        store.upgrade()
        yield url


def ingest(folder: Path, docs: list[dict], data: bytes | None = None) -> None:
    """Store documents as ``ingest`` would, with their manifest's facts (``data`` replaces the bytes)."""
    with store.session_scope() as session:
        for d in docs:
            archive.store_document(
                session,
                data or (folder / d["file"]).read_bytes(),
                agency=d["agency"],
                year=d["year"],
                level=d["level"],
                published_on=date.fromisoformat(d["published_on"]),
                url=d["url"],
                original_name=d["file"],
            )


def audit(all_documents: bool = False, jobs: int = 1) -> pipeline.AuditSummary:
    """Run an audit on the sample's day; it must succeed."""
    summary = pipeline.run_audit(all_documents=all_documents, today=AS_OF, jobs=jobs)
    assert summary.status == "ok", summary.errors
    return summary


def stored() -> dict[str, tuple]:
    """Return every stored finding by fingerprint: id, agency, year, rule, locator, status, message…"""
    with store.session_scope() as s:
        names = dict(s.exec(select(m.Agency.id, m.Agency.name)).all())
        return {
            f.fingerprint: (
                f.id,
                names[f.agency_id],
                f.year,
                f.rule,
                f.locator,
                f.status,
                f.message,
                json.dumps(f.evidence, sort_keys=True, ensure_ascii=False),
                f.recurring,
                f.last_report_id,
            )
            for f in s.exec(select(m.Finding)).all()
        }


def events() -> list[tuple]:
    """Return every finding event: finding, from, to, report."""
    with store.session_scope() as s:
        rows = s.exec(select(m.FindingEvent).order_by(m.FindingEvent.id)).all()
        return [(e.finding_id, e.from_status, e.to_status, e.report_id) for e in rows]


def active(docs: list[dict]) -> tuple[set, set]:
    """Return (found, expected): the active (agency, year, rule, locator) and the manifest's ones."""
    found = {(a, y, rule, loc) for _, a, y, rule, loc, status, *_ in stored().values() if status in m.ACTIVE}
    expected = {(d["agency"], d["year"], f["rule"], f["locator"] or "") for d in docs for f in d["findings"]}
    return {k for k in found if k[2] != "TL02"}, expected


@pytest.fixture
def spies(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """Record the documents read and the reports checked (the run works in-process with one job)."""
    seen: dict[str, list] = {"read": [], "checked": []}
    read, evaluate = pipeline.read_report, pipeline.evaluate

    def spy_read(job: ParseJob):  # noqa: ANN202
        seen["read"].append(job.original_name)
        return read(job)

    def spy_evaluate(report, ctx):  # noqa: ANN001, ANN202
        seen["checked"].append((report.agency, report.year))
        return evaluate(report, ctx)

    monkeypatch.setattr(pipeline, "read_report", spy_read)
    monkeypatch.setattr(pipeline, "evaluate", spy_evaluate)
    return seen


@pytest.fixture
def audited(sqlite: str, sample: tuple[Path, list[dict]], spies: dict[str, list]) -> tuple[Path, list[dict]]:
    """The sample stored and audited once (the spies cleared afterwards)."""
    folder, docs = sample
    ingest(folder, docs)
    first = audit()
    assert first.reports_audited == len(docs) and first.reused == 0
    spies["read"].clear(), spies["checked"].clear()
    return sample


def test_an_unchanged_store_is_neither_read_nor_checked_and_keeps_its_findings(
    audited: tuple[Path, list[dict]], spies: dict[str, list]
) -> None:
    _, docs = audited
    before, history = stored(), events()
    found, expected = active(docs)
    assert found == expected

    again = audit(all_documents=True)
    assert (again.documents, again.reused, again.unchanged, again.reports_audited) == (
        len(docs),
        len(docs),
        len(docs),
        0,
    )
    assert spies == {"read": [], "checked": []}
    assert stored() == before and events() == history
    assert "16 份未变" in again.summary() and "沿用已存解析 16 份" in again.summary()

    # skipping gives what checking everything again gives: the same findings, ids, statuses, events
    with store.session_scope() as s:
        s.exec(update(m.Report).values(check_key=None))  # type: ignore[call-overload]
    full = audit(all_documents=True)
    assert full.reports_audited == len(docs) and full.reused == len(docs) and not spies["read"]
    assert stored() == before and events() == history


def test_a_new_reader_version_reads_every_document_again(
    audited: tuple[Path, list[dict]], spies: dict[str, list], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, docs = audited
    before, history = stored(), events()

    monkeypatch.setattr(reaudit, "READER_VERSION", reaudit.READER_VERSION + "-next")
    again = audit(all_documents=True)
    assert sorted(spies["read"]) == sorted(d["file"] for d in docs) and again.reused == 0
    assert again.reports_audited == len(docs) and again.unchanged == 0
    assert stored() == before and events() == history  # read again, found the same
    assert audit(all_documents=True).reports_audited == 0  # and reused from then on


def test_a_changed_rule_file_checks_every_report_again_without_reading(
    audited: tuple[Path, list[dict]], spies: dict[str, list], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, docs = audited
    before = stored()

    rules = tmp_path / "catalog"
    shutil.copytree(catalog_module.default_catalog_dir(), rules)
    st01 = next(rules.rglob("ST01.yaml"))
    text = st01.read_text(encoding="utf-8")
    st01.write_text(
        text.replace("（条例第五十条规定的内容不能遗漏）", "（条例第五十条：不能遗漏）"), encoding="utf-8"
    )
    monkeypatch.setattr(check_module, "default_catalog_dir", lambda: rules)
    monkeypatch.setattr(catalog_module, "default_catalog_dir", lambda: rules)

    again = audit(all_documents=True)
    assert spies["read"] == [] and again.reused == len(docs)
    assert again.reports_audited == len(docs) == len(spies["checked"])
    after = stored()
    assert after.keys() == before.keys()
    changed = {fp for fp in after if after[fp] != before[fp]}
    assert {after[fp][3] for fp in changed} == {"ST01"}
    assert all(
        after[fp][6].endswith("（条例第五十条：不能遗漏）") and after[fp][5] == before[fp][5]
        for fp in changed
    )
    assert audit(all_documents=True).reports_audited == 0


def test_a_new_previous_year_report_checks_that_agency_again(
    sqlite: str, sample: tuple[Path, list[dict]], spies: dict[str, list]
) -> None:
    folder, docs = sample
    late = [d for d in docs if (d["agency"], d["year"]) == NEW_PREVIOUS]
    ingest(folder, [d for d in docs if d not in late])
    audit()
    found, _ = active(docs)
    assert not [k for k in found if k[:2] == (NEW_PREVIOUS[0], 2024) and k[2] == "CY01"]  # nothing to compare
    spies["read"].clear(), spies["checked"].clear()

    ingest(folder, late)
    again = audit(all_documents=True)
    assert spies["read"] == [late[0]["file"]] and again.reused == len(docs) - 1
    assert {agency for agency, _ in spies["checked"]} == {NEW_PREVIOUS[0]}
    assert {(NEW_PREVIOUS[0], 2023), (NEW_PREVIOUS[0], 2024)} <= set(spies["checked"])
    found, expected = active(docs)
    assert found == expected  # CY01 of 2024 now found, as a full audit finds it


def test_a_corrected_republication_is_read_and_its_agency_checked_again(
    audited: tuple[Path, list[dict]], spies: dict[str, list]
) -> None:
    folder, docs = audited

    old = next(d for d in docs if (d["agency"], d["year"]) == ("柳塘县自然资源和规划局", 2023))
    ingest(
        folder, [{**old, "file": "liutang-nr-2023-corrected.txt"}], corrected_report(0, "liutang-nr", 2023)
    )
    again = audit(all_documents=True)
    assert spies["read"] == ["liutang-nr-2023-corrected.txt"]
    assert set(spies["checked"]) == {("柳塘县自然资源和规划局", 2023), ("柳塘县自然资源和规划局", 2024)}
    assert again.fixed == 2
    status = {(a, y, rule): s for _, a, y, rule, _, s, *_ in stored().values()}
    assert (
        status[("柳塘县自然资源和规划局", 2023, "FM02")]
        == status[("柳塘县自然资源和规划局", 2023, "FM03")]
        == "fixed"
    )
    assert status[("柳塘县自然资源和规划局", 2024, "CY05")] == "open"
    assert audit(all_documents=True).reports_audited == 0


def test_the_parse_key_follows_the_bytes_and_what_the_store_knows(tmp_path: Path) -> None:
    base = ParseJob(
        doc_id=1,
        agency_id=1,
        path=tmp_path / "a.txt",
        sha256="0" * 64,
        source="a.txt",
        content_type="text/plain",
        agency="某局",
        agency_level="department",
        year_hint=2024,
        level_hint=None,
        original_name="a.txt",
        url=None,
        published_on=date(2025, 1, 20),
        fetched_at=None,
    )
    key = reaudit.parse_key(base, "v1")
    assert reaudit.parse_key(base, "v1") == key
    assert reaudit.parse_key(base, "v2") != key
    for change in (
        {"sha256": "1" * 64},
        {"agency": "另一局"},
        {"year_hint": 2023},
        {"level_hint": "government"},
    ):
        assert reaudit.parse_key(ParseJob(**{**base.__dict__, **change}), "v1") != key, change
    assert reaudit.parse_key(ParseJob(**{**base.__dict__, "doc_id": 9, "path": tmp_path / "b"}), "v1") == key


def test_a_notice_on_last_years_findings_checks_this_year_again(
    audited: tuple[Path, list[dict]], spies: dict[str, list]
) -> None:
    folder, docs = audited

    agency = "临溪市市场监督管理局"
    published = next(d for d in docs if (d["agency"], d["year"]) == (agency, 2024))["published_on"]
    with store.session_scope() as s:
        owner = s.exec(select(m.Agency).where(m.Agency.name == agency)).one()
        ids = [
            f.id
            for f in s.exec(select(m.Finding).where(m.Finding.agency_id == owner.id, m.Finding.year == 2023))
        ]
        assert ids  # BL03 ×2
        lifecycle.record_notice(
            s, agency=owner, number="某政公开〔2025〕1号", issued_on=date.fromisoformat(published) - timedelta(days=5),
            finding_ids=ids,
        )  # fmt: skip
    again = audit(all_documents=True)
    assert spies["read"] == [] and {a for a, _ in spies["checked"]} == {agency}
    assert (agency, 2024) in spies["checked"] and again.unchanged == len(docs) - len(spies["checked"])
    rules = {(a, y, rule) for _, a, y, rule, _, status, *_ in stored().values() if status in m.ACTIVE}
    assert (agency, 2024, "CY06") in rules  # the 2024 report does not say how BL03 was rectified


def test_two_workers_find_what_one_finds(
    sqlite: str, sample: tuple[Path, list[dict]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder, docs = sample

    def outcome() -> tuple:
        with store.session_scope() as s:
            cover = [
                (c.report_id, c.complete, c.evaluated, c.not_applicable, c.not_evaluated, c.gaps)
                for c in s.exec(select(m.ReportCoverage).order_by(m.ReportCoverage.report_id)).all()
            ]
        return stored(), events(), cover

    ingest(folder, docs)
    assert audit(jobs=1).jobs == 1
    one = outcome()

    store.dispose_engines()
    monkeypatch.setenv("GKAUDIT_DATA", str(tmp_path / "data2"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'two.sqlite'}")
    store.upgrade()
    submitted: list[tuple] = []

    class Spy(pool.ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            submitted.append(args)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(pool, "ProcessPoolExecutor", Spy)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 1)  # the sample is small: use the workers anyway
    ingest(folder, docs)
    two = audit(jobs=2)
    assert two.jobs == 2 and two.reports_audited == len(docs) == len(submitted)
    assert outcome() == one


def test_the_missing_report_step_runs_again_only_when_the_roster_or_the_day_changed(
    sqlite: str, sample: tuple[Path, list[dict]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, docs = sample
    calls: list[date] = []
    real = pipeline.crawled.check_missing_reports

    def spy(run_id: int, today: date) -> tuple[int, int]:
        calls.append(today)
        return real(run_id, today)

    monkeypatch.setattr(pipeline.crawled, "check_missing_reports", spy)
    missing = ("柳塘县自然资源和规划局", 2025)

    def tl02() -> set[str]:
        return {s for _, a, y, rule, _, s, *_ in stored().values() if rule == "TL02" and (a, y) == missing}

    ingest(folder, docs)
    audit()
    assert calls == [AS_OF] and tl02() == {"open"}
    audit(all_documents=True)
    assert calls == [AS_OF]  # the same roster on the same day: nothing to decide again
    next_day = AS_OF + timedelta(days=1)
    assert pipeline.run_audit(all_documents=True, today=next_day, jobs=1).status == "ok"
    assert calls == [AS_OF, next_day] and tl02() == {"open"}

    # the missing report arrives (any report of that agency declared as 2025 will do)
    late = {**next(d for d in docs if (d["agency"], d["year"]) == (missing[0], 2023)), "year": 2025}
    late |= {"file": "liutang-nr-2025.txt", "published_on": next_day.isoformat()}
    ingest(folder, [late], corrected_report(0, "liutang-nr", 2023))
    assert pipeline.run_audit(all_documents=True, today=next_day, jobs=1).status == "ok"
    assert calls == [AS_OF, next_day, next_day] and tl02() == {"fixed"}


def test_a_job_read_from_columns_is_the_job_of_the_rows(sqlite: str, sample: tuple[Path, list[dict]]) -> None:
    folder, docs = sample
    ingest(folder, docs[:3])
    with store.session_scope() as s:
        data = store.data_dir()
        jobs = ParseJob.query(s, [], data)
        rows = s.exec(select(m.Document, m.Agency).join(m.Agency).order_by(m.Document.id)).all()
        assert jobs == [ParseJob.of(doc, agency, data) for doc, agency in rows] and len(jobs) == 3
