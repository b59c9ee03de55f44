"""Test helpers for nightly operation: a fresh store, the sample's demo portals (optionally gated), runs.

The portals are those of ``gkaudit demo`` for one agency of the project's own sample,
柳塘县自然资源和规划局: two reports on its site (2023 as a page, corrected on night 2; 2024), a
2022 report whose attachment link is broken, none for 2025. A crawl stores 2 documents and finds 1
gone; the audit gives FM02, FM03 (and the known NT04 misreading) on 2023, TL04 on 2022 and TL02 on
2025. A :class:`Gate` holds the portals' answers (robots.txt aside) until the test opens it, so a
run is caught in its crawl step for as long as a test needs.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import col, select
from test_store_support import make_database

from audit.demo import registry_text
from audit.demo.portals import DemoSite, build
from audit.demo.server import Portals, _Handler
from audit.nightly.demo import plan_sites
from audit.registry import import_sites, parse_yaml
from audit.sample import AS_OF, write_sample
from audit.store import db as store
from audit.store import tables as m

AGENCY = "柳塘县自然资源和规划局"
#: What a complete run finds for :data:`AGENCY` (rule, year), the known NT04 misreading aside.
EXPECTED = {("FM02", 2023), ("FM03", 2023), ("TL02", 2025), ("TL04", 2022)}
#: Scrapy settings for crawls of the portals (``-s`` options): no politeness delays.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "GK_RETRY_BACKOFF": "0",
    "RETRY_TIMES": "1",
    "DOWNLOAD_TIMEOUT": "10",
}


def fast_args() -> list[str]:
    """Return the ``-s NAME=VALUE`` options of :data:`FAST`."""
    return [arg for name, value in FAST.items() for arg in ("-s", f"{name}={value}")]


def sqlite_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the store at a fresh migrated SQLite database, today frozen at the sample's day; yield its URL."""
    for url in make_database("sqlite", tmp_path, monkeypatch):
        store.upgrade()
        monkeypatch.setenv("GKAUDIT_TODAY", AS_OF.isoformat())
        monkeypatch.setenv("GKAUDIT_OUT", str(tmp_path / "out"))
        yield url


def sample_sites(folder: Path, names: tuple[str, ...] = (AGENCY,)) -> list[DemoSite]:
    """Return the demo sites of the named sample agencies (the sample written into ``folder``)."""
    manifest = json.loads(write_sample(folder).read_text(encoding="utf-8"))
    return plan_sites(manifest, folder, set(names))


@dataclass
class Served:
    """Demo portals being served, registered in the store."""

    sites: list[DemoSite]
    portals: Portals
    root: Path


def serve(tmp_path: Path, names: tuple[str, ...] = (AGENCY,)) -> Served:
    """Build, serve and register (in the current store) the portals of the named sample agencies."""
    sites = sample_sites(tmp_path / "sample", names)
    root = tmp_path / "portals"
    build(sites, root)
    portals = Portals(sites, root)
    with store.session_scope() as session:
        import_sites(session, parse_yaml(registry_text(sites, portals)))
    return Served(sites, portals, root)


class Gate:
    """Holds every answer of the demo portals but robots.txt until :meth:`open` (installed on creation)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened = threading.Event()
        self.reached = threading.Event()  # a request is waiting at the gate
        answer = _Handler.do_GET
        gate = self

        def do_get(handler: _Handler) -> None:
            if not handler.path.endswith("/robots.txt") and not gate.opened.is_set():
                gate.reached.set()
                gate.opened.wait(120)
            answer(handler)

        monkeypatch.setattr(_Handler, "do_GET", do_get)

    def open(self) -> None:
        """Let every request through from now on."""
        self.opened.set()


def runs() -> list[m.NightlyRun]:
    """Return the run records, oldest first."""
    with store.session_scope() as session:
        return list(session.exec(select(m.NightlyRun).order_by(col(m.NightlyRun.id))).all())


def wait_for(what: Callable[[], object], seconds: float = 60, message: str = "") -> object:
    """Return ``what()`` once it is truthy, polling; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"没有等到：{message or what}")


def findings() -> set[tuple[str, int, str, str]]:
    """Return every finding of the store as (agency, year, rule, status)."""
    with store.session_scope() as session:
        rows = session.exec(select(m.Finding, m.Agency.name).join(m.Agency)).all()
        return {(name, f.year, f.rule, f.status) for f, name in rows}
