"""What the crawler's records mean for the audit: TL02 only for a column read after the deadline, TL04 for gone URLs.

Precision first: a registered agency whose 年报 column could not be read is "not checked", never
"not published"; a report that is linked but whose file is broken was published (TL04, not TL02);
the registry's earlier local deadline counts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from crawl_support import sqlite  # noqa: F401  (fixture)

from audit.registry import import_sites, parse_yaml
from audit.run import run_audit
from audit.store import db as store
from audit.store.queries import gone_documents, query_findings
from crawler import state
from crawler.items import DOCUMENT, LIST, Fetched

REGISTRY = """\
agencies:
  - {name: 甲县财政局, level: department, lists: ["http://a.gov.cn/nb/"]}
  - {name: 乙县财政局, level: department, lists: ["http://b.gov.cn/nb/"]}
  - {name: 丙县财政局, level: department, lists: ["http://c.gov.cn/nb/"]}
  - {name: 丁县人民政府, level: government, lists: ["http://d.gov.cn/nb/"], deadline: "02-20"}
  - {name: 戊县人民政府, level: government, lists: ["http://e.gov.cn/nb/"]}
"""


def _fetched(agency: str, url: str, kind: str, status: int, day: date, **kw) -> None:  # noqa: ANN003
    item = Fetched(
        agency=agency,
        url=url,
        kind=kind,
        status=status,
        fetched_at=datetime(day.year, day.month, day.day, 2, tzinfo=UTC),
        **kw,
    )
    with store.session_scope() as session:
        state.record(session, item)


def _tl(today: date) -> set[tuple[str, int, str]]:
    run_audit(today=today)
    with store.session_scope() as session:
        rows = query_findings(session, today)
    return {(r["agency"], r["year"], r["rule"]) for r in rows if r["status"] in ("open", "overdue")}


def test_tl02_only_where_the_column_was_read_after_the_deadline_and_tl04_for_a_broken_report(
    sqlite: str,  # noqa: ARG001, F811
) -> None:
    with store.session_scope() as session:
        import_sites(session, parse_yaml(REGISTRY, "sites.yaml"))
    read = date(2024, 3, 1)
    # 甲: never read (site down) -> not checked
    _fetched("甲县财政局", "http://a.gov.cn/nb/", LIST, 0, read, error="连接被拒绝")
    # 乙: read after its deadline (01-31), no report -> TL02
    _fetched("乙县财政局", "http://b.gov.cn/nb/", LIST, 200, read, body=b"<html></html>")
    # 丙: read, its 2023 report is linked but the file answers 404 -> published: TL04, not TL02
    _fetched("丙县财政局", "http://c.gov.cn/nb/", LIST, 200, read, body=b"<html></html>")
    _fetched("丙县财政局", "http://c.gov.cn/nb/2023.pdf", DOCUMENT, 404, read, year=2023)
    # 丁: government with a local deadline 02-20, read 03-01 -> TL02 before the statutory 03-31
    _fetched("丁县人民政府", "http://d.gov.cn/nb/", LIST, 200, read, body=b"<html></html>")
    # 戊: government without a local deadline, read 03-01 -> not yet due on 03-10
    _fetched("戊县人民政府", "http://e.gov.cn/nb/", LIST, 200, read, body=b"<html></html>")

    assert _tl(date(2024, 3, 10)) == {
        ("乙县财政局", 2023, "TL02"),
        ("丙县财政局", 2023, "TL04"),
        ("丁县人民政府", 2023, "TL02"),
    }
    with store.session_scope() as session:
        (gone,) = gone_documents(session).values()
    assert gone[0]["url"] == "http://c.gov.cn/nb/2023.pdf" and gone[0]["status"] == 404

    # the file is back: TL04 closes
    _fetched(
        "丙县财政局",
        "http://c.gov.cn/nb/2023.pdf",
        DOCUMENT,
        200,
        date(2024, 3, 11),
        year=2023,
        body=b"%PDF-1.4\n%%EOF\n",
        store=True,
    )
    assert ("丙县财政局", 2023, "TL04") not in _tl(date(2024, 3, 12))
