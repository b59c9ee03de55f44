"""Test helpers for the crawler: demo sites from the fixtures, a fresh SQLite store, fast settings.

The demo portals are built from tests/fixtures (the generated sample replaces them once merged):
six agencies in the four CMS styles, with a late report (卫健委 2023, published 2024-03-15), a
missing report (市场监管局 has none for 2023), a broken attachment link (教育局 2022), a report
corrected after publication (交通运输局 2023, from night 2) and an agency printing its name
without the region prefix (交通运输局).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from render_docs import render_seed
from test_store_support import make_database

from audit.cli import main
from audit.demo import registry_text
from audit.demo.portals import DemoDocument, DemoSite
from audit.store import db as store

FIXTURES = Path(__file__).parent / "fixtures"
REPORTS = FIXTURES / "reports"
#: Settings of the test crawls: no politeness delays, short timeouts, no retry pauses.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_TIMEOUT": "3",
    "GK_RETRY_BACKOFF": "0",
    "RETRY_TIMES": "1",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
}
TODAY = "2024-06-01"  # the 2023 reports are due (departments 01-31, governments 03-31)


def fast_args() -> list[str]:
    """Return the ``-s NAME=VALUE`` options of :data:`FAST`."""
    return [arg for name, value in FAST.items() for arg in ("-s", f"{name}={value}")]


def demo_sites() -> list[DemoSite]:
    """Return the six demo agencies with their planted cases (see the module docstring)."""
    dept23 = (REPORTS / "clean_dept_2023.txt").read_bytes()
    pdf = render_seed(REPORTS / "clean_dept_2023.txt", "pdf")
    docx = render_seed(REPORTS / "clean_dept_2023.txt", "docx")
    doc = (FIXTURES / "seed002-part.doc").read_bytes()
    text = DemoDocument
    return [
        DemoSite(
            "中卫市人民政府",
            "government",
            "640500",
            "trs",
            [
                text(2023, (REPORTS / "clean_gov_2023.txt").read_bytes(), "text", date(2024, 3, 25)),
                text(2022, (REPORTS / "clean_gov_2022.txt").read_bytes(), "text", date(2023, 3, 20)),
            ],
        ),
        DemoSite(
            "中卫市财政局",
            "department",
            "640500",
            "hanweb",
            [
                text(2023, pdf, "pdf", date(2024, 1, 25)),
                text(2022, pdf + b"\n%old\n", "pdf", date(2023, 1, 20)),
            ],
            encoding="gbk",
        ),
        DemoSite(
            "中卫市教育局",
            "department",
            "640500",
            "gkmlpt",
            [
                text(2023, docx, "docx", date(2024, 1, 20)),
                text(2022, docx, "docx", date(2023, 1, 18), broken=True),
            ],
        ),
        DemoSite(
            "中卫市卫生健康委员会",
            "department",
            "640500",
            "generic",
            [text(2023, doc, "doc", date(2024, 3, 15))],
        ),
        DemoSite(
            "中卫市交通运输局",
            "department",
            "640500",
            "generic",
            [
                text(
                    2023,
                    dept23,
                    "text",
                    date(2024, 1, 26),
                    corrected=dept23.replace("312条".encode(), "315条".encode()),
                    corrected_on=date(2024, 4, 2),
                )
            ],
            printed_name="交通运输局",
        ),
        DemoSite(
            "中卫市市场监督管理局",
            "department",
            "640500",
            "trs",
            [text(2022, dept23, "text", date(2023, 1, 16))],
        ),
    ]


def sqlite_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the store at a fresh SQLite database, migrated; yield its URL."""
    for url in make_database("sqlite", tmp_path, monkeypatch):
        store.upgrade()
        monkeypatch.setenv("GKAUDIT_TODAY", TODAY)
        yield url


@pytest.fixture
def sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite store, migrated, with today frozen at :data:`TODAY` (import it into a test module)."""
    yield from sqlite_store(tmp_path, monkeypatch)


def gk(*args: str, code: int | None = 0) -> str:
    """Run ``gkaudit ARGS`` in this process (a crawl still runs in its own subprocess); return stdout."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    if code is not None:
        assert result.exit_code == code, result.output
    return result.output


def crawl(registry: Path, *extra: str, code: int = 0) -> dict:
    """Run ``gkaudit crawl --sites REGISTRY --json`` with the fast settings (``extra`` wins); return its statistics."""
    out = gk(
        "crawl", "--sites", str(registry), "--time-limit", "90", "--json", *fast_args(), *extra, code=code
    )
    return json.loads(out.strip().splitlines()[-1])


def write_registry(path: Path, sites: list[DemoSite], portals) -> Path:  # noqa: ANN001
    """Write the registry of the served demo sites to ``path``."""
    path.write_text(registry_text(sites, portals), encoding="utf-8")
    return path
