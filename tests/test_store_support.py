"""Fixtures for the store tests: a fresh database on SQLite and on PostgreSQL (127.0.0.1:5432/test).

PostgreSQL tests use a schema of their own (``search_path`` in the URL) that is dropped afterwards.
They fail, never skip, when the server is not reachable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from audit.store import db as store

PG_HOST = os.environ.get("GKAUDIT_TEST_PG", "127.0.0.1:5432")
PG_USERS = ("postgres", "root")


def _pg_admin() -> tuple[psycopg.Connection, str]:
    """Connect to the test database as the first user that works; fail loudly otherwise."""
    host, _, port = PG_HOST.partition(":")
    errors = []
    for user in PG_USERS:
        try:
            conn = psycopg.connect(
                host=host, port=int(port or 5432), dbname="test", user=user, autocommit=True
            )
        except psycopg.OperationalError as exc:
            errors.append(f"{user}: {exc}")
            continue
        return conn, user
    pytest.fail(
        "PostgreSQL is required for these tests (127.0.0.1:5432, database test): " + "; ".join(errors),
        pytrace=False,
    )


def make_database(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
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
    conn, user = _pg_admin()
    schema = f"gk_test_{uuid.uuid4().hex[:12]}"
    conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"postgresql+psycopg://{user}@{PG_HOST}/test?options=-csearch_path%3D{schema}"
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
    for url in make_database(request.param, tmp_path, monkeypatch):
        store.upgrade()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh, empty database (both engines), not migrated."""
    yield from make_database(request.param, tmp_path, monkeypatch)
