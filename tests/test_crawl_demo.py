"""Crawls of the demo portals in a subprocess: what is found, what is stored, what the audit makes of it.

The demo (tests/crawl_support.py) has 6 agencies and 10 reports: 8 reports are reachable (4 report
pages, 4 attachments: 2 PDF, 1 DOCX, 1 DOC), 1 attachment link is broken, 1 report is corrected
from night 2 on. Expected: 8 documents stored, 1 gone; TL01 only for 卫健委 2023 (published
2024-03-15, deadline 01-31), TL02 only for 市场监管局 2023, TL04 only for 教育局 2022.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_support import crawl, demo_sites, gk, sqlite_store, write_registry
from sqlmodel import select

from audit.demo.portals import build
from audit.demo.server import Portals
from audit.store import db as store
from audit.store import tables as m

EXPECTED_TL = {
    ("中卫市卫生健康委员会", 2023, "TL01"),
    ("中卫市市场监督管理局", 2023, "TL02"),
    ("中卫市教育局", 2022, "TL04"),
}


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list, Portals, Path, Path]]:
    """The demo portals served on 127.0.0.1, a fresh store, and the registry naming the portals."""
    for _ in sqlite_store(tmp_path, monkeypatch):
        sites = demo_sites()
        root = tmp_path / "portals"
        build(sites, root)
        portals = Portals(sites, root)
        try:
            yield sites, portals, root, write_registry(tmp_path / "sites.yaml", sites, portals)
        finally:
            portals.close()


def _tl_findings() -> set[tuple[str, int, str]]:
    rows = [json.loads(line) for line in gk("findings", "--json").splitlines() if line.strip()]
    return {(r["agency"], r["year"], r["rule"]) for r in rows if r["rule"].startswith("TL")}


def test_crawl_finds_every_report_and_the_audit_fires_tl_rules_where_planted(demo) -> None:  # noqa: ANN001
    sites, portals, _, registry = demo
    night1 = crawl(registry)
    assert night1["status"] == "ok", night1
    assert (night1["new"], night1["changed"], night1["gone"], night1["errors"]) == (8, 0, 1, 0)
    assert night1["blocked"] >= 1  # robots.txt: the 年报 link under /search/ on the first site

    # robots.txt respected, and no request for anything but the sites' own files
    assert not [path for (_, path) in portals.hits if path.startswith("/search/")]
    with store.session_scope() as session:
        run = session.get(m.CrawlRun, night1["run_id"])
        docs = session.exec(select(m.Document)).all()
    assert run.stats["gkaudit/skipped_offsite_links"] >= 1  # the link to www.gov.cn is never requested
    assert not any(k.startswith("downloader/exception_type_count/") and "DNS" in k for k in run.stats)
    kinds = sorted(d.content_type.split(";")[0] for d in docs)
    assert kinds == sorted(
        ["text/html"] * 4
        + ["application/pdf"] * 2
        + ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/msword"]
    )
    assert all(d.origin == "crawl" and d.url and d.published_on for d in docs)

    gk("audit")
    reports = [json.loads(line) for line in gk("reports", "--json").splitlines() if line.strip()]
    assert len(reports) == 8
    assert all(r["published_on"] and r["url"] for r in reports)
    by_key = {(r["agency"], r["year"]): r for r in reports}
    assert by_key[("中卫市卫生健康委员会", 2023)]["published_on"] == "2024-03-15"
    assert (
        by_key[("中卫市财政局", 2023)]["published_on"] == "2024-01-25"
    )  # GBK page, date only in the body text
    assert _tl_findings() == EXPECTED_TL


def test_second_night_downloads_no_report_again_and_a_corrected_report_is_one_new_version(demo) -> None:  # noqa: ANN001
    sites, portals, root, registry = demo
    night1 = crawl(registry)
    gk("audit")
    with store.session_scope() as session:
        stored = {d.url for d in session.exec(select(m.Document)).all()}
    portals.served.clear()

    night2 = crawl(registry)
    assert (night2["new"], night2["changed"], night2["gone"], night2["errors"]) == (0, 0, 0, 0)
    assert night2["unchanged"] >= 8
    served = {f"{portals.base(slug)}{path}" for (slug, path) in portals.served}
    assert not served & stored, "a report body was downloaded again"
    print(f"night 2 downloaded {night2['bytes']} bytes = {night2['bytes'] / night1['bytes']:.1%} of night 1")
    assert night2["bytes"] < night1["bytes"] / 20
    summary = json.loads(gk("audit", "--json"))
    assert summary["documents"] == 0  # nothing new: nothing re-audited

    build(sites, root, night=2)  # 交通运输局 publishes a corrected 2023 report at the same URL
    night3 = crawl(registry)
    assert (night3["new"], night3["changed"]) == (0, 1)
    summary = json.loads(gk("audit", "--json"))
    assert summary["documents"] == 1
    reports = {(r["agency"], r["year"]): r for r in map(json.loads, gk("reports", "--json").splitlines())}
    assert reports[("中卫市交通运输局", 2023)]["versions"] == 2
    assert [k for k, r in reports.items() if r["versions"] > 1] == [("中卫市交通运输局", 2023)]
    assert _tl_findings() == EXPECTED_TL  # the correction's date does not make the report late
