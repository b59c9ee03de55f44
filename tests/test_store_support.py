"""Fixtures for the store tests: a fresh database on SQLite and on PostgreSQL.

PostgreSQL comes from the ``pg_server`` fixture of tests/conftest.py (the machine's server when it
answers on 127.0.0.1:5432, else a throwaway one); each test uses a schema of its own
(``search_path`` in the URL) inside the session's database, dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit.store import db as store


def make_database(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest | None = None
) -> Iterator[str]:
    """Point the store at a fresh, empty database of ``kind`` (sqlite | postgresql); yield its URL."""
    monkeypatch.setenv("GKAUDIT_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("GKAUDIT_TODAY", raising=False)
    monkeypatch.delenv("GKAUDIT_DEADLINE_DAYS", raising=False)
    store.dispose_engines()
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'gk.sqlite'}"
        monkeypatch.setenv("DATABASE_URL", url)
        yield url
        store.dispose_engines()
        return
    assert request is not None, "a PostgreSQL database needs the pg_server fixture"
    pg = request.getfixturevalue("pg_server")
    conn = pg.connect()
    schema = f"gk_test_{uuid.uuid4().hex[:12]}"
    conn.execute(f'CREATE SCHEMA "{schema}"')
    url = pg.url(f"?options=-csearch_path%3D{schema}")
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        yield url
    finally:
        store.dispose_engines()
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database (both engines), migrated to head."""
    for url in make_database(request.param, tmp_path, monkeypatch, request):
        store.upgrade()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh, empty database (both engines), not migrated."""
    yield from make_database(request.param, tmp_path, monkeypatch, request)
