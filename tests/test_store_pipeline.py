"""The audit pipeline on real reports: CY05 through the store, failures, versions, unreadable input."""

from __future__ import annotations

import json
import random
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select
from test_similarity import make_narrative
from test_store_support import db  # noqa: F401

from audit import run as pipeline
from audit.cli import main
from audit.store import archive
from audit.store import db as store
from audit.store import tables as m

FIXTURES = Path(__file__).parent / "fixtures" / "store"
DAY = date(2024, 2, 1)  # the 2023 reports are due (departments: 2024-01-31)
BASE = (FIXTURES / "y2023_v2.txt").read_text(encoding="utf-8")
HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)


def report_text(agency: str, narrative: dict[str, str]) -> str:
    """The corrected 2023 fixture with another agency's name and the given narrative sections."""
    s1, s2, s5, s6 = (BASE.index(h) for h in HEADINGS)
    text = (
        BASE[:s1]
        + f"{HEADINGS[0]}\n\n{narrative['S1']}\n\n"
        + BASE[s2:s5]
        + f"{HEADINGS[2]}\n\n{narrative['S5']}\n\n"
        + f"{HEADINGS[3]}\n\n{narrative['S6']}\n"
    )
    return text.replace("中卫市测试局", agency)


def ingest(agency: str, text: str | bytes, year: int | None = 2023, name: str = "r.txt") -> m.Document:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with store.session_scope() as s:
        doc, _ = archive.store_document(
            s, data, agency=agency, year=year, level="department", original_name=name
        )
    return doc


def all_findings() -> list[m.Finding]:
    with store.session_scope() as s:
        return list(s.exec(select(m.Finding).order_by(m.Finding.id)).all())


def names() -> dict[int, str]:
    with store.session_scope() as s:
        return dict(s.exec(select(m.Agency.id, m.Agency.name)).all())


def test_cy05_copy_found_through_the_store(db: str) -> None:  # noqa: F811
    rng = random.Random(5)
    narratives = {f"第{i}测试局": make_narrative(rng, f"第{i}测试局", 2023) for i in range(1, 7)}
    for agency, narrative in narratives.items():
        ingest(agency, report_text(agency, narrative), name=f"{agency}.txt")
    summary = pipeline.run_audit(today=DAY)
    assert summary.status == "ok" and summary.reports_audited == 6
    assert not [f for f in all_findings() if f.rule == "CY05"]

    copied = {k: v.replace("第2测试局", "抄袭局") for k, v in narratives["第2测试局"].items()}
    ingest("抄袭局", report_text("抄袭局", copied), name="copy.txt")
    summary = pipeline.run_audit(today=DAY)
    assert summary.reports_audited == 2  # the copy, and the original checked again
    who = names()
    cy05 = [f for f in all_findings() if f.rule == "CY05"]
    assert {who[f.agency_id] for f in cy05} == {"抄袭局", "第2测试局"}
    assert {f.locator for f in cy05 if who[f.agency_id] == "抄袭局"} == {"S1", "S5", "S6"}
    assert all("第2测试局" in f.message for f in cy05 if who[f.agency_id] == "抄袭局")
    assert all("抄袭局" in f.message for f in cy05 if who[f.agency_id] == "第2测试局")
    assert all(f.evidence for f in cy05)

    # the clusters, as the dashboard reads them
    out = CliRunner().invoke(main, ["copies", "--year", "2023", "--json"]).output
    clusters = [json.loads(line) for line in out.splitlines()]
    assert {c["section"] for c in clusters} == {"S1", "S5", "S6"}
    assert all(sorted(c["agencies"]) == ["抄袭局", "第2测试局"] and c["similarity"] >= 0.8 for c in clusters)
    assert "2023-S1-1" in {c["cluster"] for c in clusters}
    assert "未发现" in CliRunner().invoke(main, ["copies", "--year", "2019"]).output

    # idempotent: nothing new, nothing re-checked; re-checking everything gives the same set
    before = {(f.id, f.status) for f in all_findings()}
    assert pipeline.run_audit(today=DAY).reports_audited == 0
    pipeline.run_audit(all_documents=True, today=DAY)
    assert {(f.id, f.status) for f in all_findings()} == before


def fail_checks_of(agency: str, monkeypatch: pytest.MonkeyPatch) -> object:
    """Make the check of the agency's reports raise; return the real check (to put back)."""
    real = pipeline.evaluate

    def flaky(report, ctx):  # noqa: ANN001, ANN202
        if report.agency == agency:
            raise RuntimeError("boom")
        return real(report, ctx)

    monkeypatch.setattr(pipeline, "evaluate", flaky)
    return real


def test_failed_report_rolls_back_and_is_retried(db: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    v1 = (FIXTURES / "y2023_v1.txt").read_text(encoding="utf-8")
    ingest("甲局", v1, name="a.txt")
    ingest("乙局", v1.replace("中卫市测试局", "乙局"), name="b.txt")
    real = fail_checks_of("乙局", monkeypatch)
    summary = pipeline.run_audit(today=DAY)
    assert summary.status == "partial" and summary.reports_audited == 1 and len(summary.errors) == 1
    who = names()
    assert {who[f.agency_id] for f in all_findings()} == {"甲局"}
    with store.session_scope() as s:
        run = s.get(m.AuditRun, summary.run_id)
        assert run.status == "partial" and run.errors == 1 and "boom" in run.error_detail[0]["error"]
    monkeypatch.setattr(pipeline, "evaluate", real)
    again = pipeline.run_audit(today=DAY)
    # 乙局 is retried; 甲局 was checked with its copy (乙局) in the first run and its copy set has not
    # changed since, so it is not checked again
    assert again.status == "ok" and again.reports_audited == 1
    assert {who[f.agency_id] for f in all_findings()} == {"甲局", "乙局"}
    assert {who[f.agency_id] for f in all_findings() if f.rule == "CY05"} == {"甲局", "乙局"}


def test_two_versions_in_one_batch_keep_their_history(db: str) -> None:  # noqa: F811
    ingest("中卫市测试局", (FIXTURES / "y2023_v1.txt").read_text(encoding="utf-8"), name="v1.txt")
    ingest("中卫市测试局", (FIXTURES / "y2023_v2.txt").read_text(encoding="utf-8"), name="v2.txt")
    summary = pipeline.run_audit(today=DAY)
    assert (summary.opened, summary.fixed) == (3, 3)
    assert {f.status for f in all_findings()} == {m.FIXED}
    with store.session_scope() as s:
        events_before = len(s.exec(select(m.FindingEvent)).all())
        versions = [r.version for r in s.exec(select(m.Report).order_by(m.Report.document_id)).all()]
    assert versions == [1, 2]
    pipeline.run_audit(
        all_documents=True, today=DAY
    )  # the old version is re-parsed but does not reopen anything
    with store.session_scope() as s:
        assert len(s.exec(select(m.FindingEvent)).all()) == events_before
    assert {f.status for f in all_findings()} == {m.FIXED}


def test_unreadable_and_yearless_documents(db: str) -> None:  # noqa: F811
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    ingest("图片局", png, year=2023, name="scan.png")
    ingest("无年度局", "一份没有年度的文件。".encode(), year=None, name="x.txt")
    summary = pipeline.run_audit(today=DAY)
    assert summary.errors == []  # a document without a year is kept with a guessed one, never dropped
    with store.session_scope() as s:
        rep = s.exec(select(m.Report).join(m.Agency).where(m.Agency.name == "图片局")).one()
        assert rep.readable is False and rep.parse_error and rep.audited_run_id == summary.run_id
        yearless = s.exec(select(m.Report).join(m.Agency).where(m.Agency.name == "无年度局")).one()
        doc = s.get(m.Document, yearless.document_id)
        assert yearless.year == doc.fetched_at.year - 1
        assert any(a["kind"] == "year_guessed" for a in yearless.parsed["anomalies"])
    rules = {f.rule for f in all_findings()}
    assert "TL03" in rules


def test_audit_of_many_reports(db: str) -> None:  # noqa: F811
    rng = random.Random(9)
    n = 20
    for i in range(n):
        agency = f"第{i}速度局"
        ingest(agency, report_text(agency, make_narrative(rng, agency, 2023)), name=f"{i}.txt")
    summary = pipeline.run_audit(today=DAY)
    assert summary.reports_audited == n and summary.status == "ok"


def test_archive_layout(db: str) -> None:  # noqa: F811
    doc = ingest("甲局", "文本", name="a.txt")
    assert re.fullmatch(r"archive/[0-9a-f]{2}/[0-9a-f]{64}\.txt", doc.archive_path)


def test_missing_report_tl02(db: str) -> None:  # noqa: F811
    ingest("中卫市测试局", (FIXTURES / "y2023_v2.txt").read_text(encoding="utf-8"), name="2023.txt")
    ingest("某县人民政府", (FIXTURES / "y2023_v2.txt").read_text(encoding="utf-8"), name="gov.txt")
    with store.session_scope() as s:
        archive.get_agency(s, "某县人民政府", level="government")
    pipeline.run_audit(today=date(2025, 2, 10))  # departments are late, governments not yet
    tl02 = [f for f in all_findings() if f.rule == "TL02"]
    assert [(names()[f.agency_id], f.year, f.status, f.last_report_id) for f in tl02] == [
        ("中卫市测试局", 2024, m.OPEN, None)
    ]
    assert "2024年度" in tl02[0].message
    pipeline.run_audit(today=date(2025, 2, 11))  # still missing: the same finding, no duplicate
    assert len([f for f in all_findings() if f.rule == "TL02"]) == 1
    pipeline.run_audit(today=date(2025, 4, 1))
    assert {names()[f.agency_id] for f in all_findings() if f.rule == "TL02"} == {
        "中卫市测试局",
        "某县人民政府",
    }
    # the report finally appears: TL02 closes as fixed
    ingest("中卫市测试局", (FIXTURES / "y2024.txt").read_text(encoding="utf-8"), year=2024, name="2024.txt")
    pipeline.run_audit(today=date(2025, 4, 2))
    status = {names()[f.agency_id]: f.status for f in all_findings() if f.rule == "TL02"}
    assert status == {"中卫市测试局": m.FIXED, "某县人民政府": m.OPEN}


def test_known_validators_for_conditional_refetch(db: str) -> None:  # noqa: F811
    url = "https://www.example.gov.cn/nb/2023.html"
    with store.session_scope() as s:
        assert archive.known_validators(s, url) is None
        doc, _ = archive.store_document(
            s,
            b"<html>v1</html>",
            agency="甲局",
            url=url,
            origin="crawl",
            etag='"abc"',
            last_modified="Mon, 20 Jan 2025",
        )
        assert archive.known_validators(s, url) == {
            "etag": '"abc"',
            "last_modified": "Mon, 20 Jan 2025",
            "sha256": doc.sha256,
        }
        assert doc.content_type == "text/html" and doc.origin == "crawl"


def test_next_year_rechecked_when_last_year_is_corrected(db: str) -> None:  # noqa: F811
    import importlib.util

    spec = importlib.util.spec_from_file_location("store_fixture_build", FIXTURES / "build.py")
    build = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(build)  # type: ignore[union-attr]
    agency = "中卫市测试局"
    v2 = (FIXTURES / "y2023_v2.txt").read_text(encoding="utf-8")
    ingest(agency, v2, year=2023, name="2023v2.txt")
    ingest(agency, (FIXTURES / "y2024.txt").read_text(encoding="utf-8"), year=2024, name="2024.txt")
    pipeline.run_audit(today=date(2025, 2, 10))
    cy01 = [f for f in all_findings() if f.rule == "CY01"]
    assert cy01 and {f.status for f in cy01} == {m.OPEN}
    # 2023 re-published: nothing carried over after all (12 received = 12 answered + 0 carried)
    v3 = build.set_row(build.set_row(v2, "四、结转下年度", 0, 0), "(七) 总计", 12, 12)
    v3 = build.set_row(v3, "予以公开", 7, 7)
    ingest(agency, v3, year=2023, name="2023v3.txt")
    summary = pipeline.run_audit(today=date(2025, 2, 11))
    assert summary.reports_audited == 2  # the new 2023 version and the 2024 report that cites it
    assert {f.status for f in all_findings() if f.rule == "CY01"} == {m.FIXED}
    assert not [
        f for f in all_findings() if f.year == 2023 and f.status == m.OPEN and f.rule.startswith("BL")
    ]
