"""The store's settings, engine and sessions (SQLite by default, PostgreSQL via ``DATABASE_URL``).

Settings (environment variables):

- ``GKAUDIT_DATA``: the data directory (default ``./data``); holds ``gkaudit.sqlite`` and
  ``archive/`` (raw document bytes by sha256).
- ``DATABASE_URL``: SQLAlchemy URL; default ``sqlite:///<data dir>/gkaudit.sqlite``. PostgreSQL:
  ``postgresql+psycopg://user@host:5432/db`` (add ``?options=-csearch_path%3Dschema`` for a schema).
- ``GKAUDIT_TODAY``: freeze the calendar day (``YYYY-MM-DD``) used for deadlines and expiries.
- ``GKAUDIT_DEADLINE_DAYS``: working days allowed per severity, e.g. ``error=20,warning=30,info=0``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from audit.store import tables as models  # noqa: F401  (registers the tables on SQLModel.metadata)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def data_dir() -> Path:
    """Return the data directory (``GKAUDIT_DATA``, default ``./data``), created if missing."""
    path = Path(os.environ.get("GKAUDIT_DATA") or "data").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def archive_dir() -> Path:
    """Return the directory holding raw document bytes by sha256."""
    path = data_dir() / "archive"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """Return the database URL: ``DATABASE_URL`` or the SQLite file under the data directory."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'gkaudit.sqlite'}"


def today() -> date:
    """Return today's date in Asia/Shanghai, or the frozen ``GKAUDIT_TODAY``."""
    frozen = os.environ.get("GKAUDIT_TODAY")
    if frozen:
        return date.fromisoformat(frozen)
    return datetime.now(SHANGHAI).date()


def _json_dumps(obj: object) -> str:
    """Serialise JSON columns keeping Chinese text readable (and queryable on SQLite)."""
    return json.dumps(obj, ensure_ascii=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    """Turn on foreign keys and WAL for every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


_ENGINES: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """Return the engine for ``url`` (default: :func:`database_url`), built once per URL."""
    url = url or database_url()
    engine = _ENGINES.get(url)
    if engine is not None:
        return engine
    real_url = url
    if real_url.startswith("postgresql://"):
        real_url = "postgresql+psycopg://" + real_url[len("postgresql://") :]
    kwargs: dict = {"json_serializer": _json_dumps}
    if real_url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(real_url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    _ENGINES[url] = engine
    return engine


def dispose_engines() -> None:
    """Close every engine built so far (tests switching databases call this)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """Open a session; commit on success, roll back on error."""
    session = Session(get_engine(url), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Busy(RuntimeError):
    """Another process holds the lock (message in Chinese, for the CLI)."""


AUDIT_LOCK_KEY = 0x676B61756469  # "gkaudi": the PostgreSQL advisory lock of ``gkaudit audit``


@contextmanager
def exclusive(name: str = "audit", url: str | None = None) -> Iterator[None]:
    """Hold a lock so that only one audit runs against a database at a time.

    PostgreSQL: a session advisory lock (works across machines). SQLite: an ``flock`` on a file
    beside the database in the data directory. Raises :class:`Busy` when the lock is taken.
    """
    engine = get_engine(url)
    if engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": AUDIT_LOCK_KEY}).scalar()
            conn.commit()
            if not got:
                raise Busy(f"另一个{name}任务正在运行（数据库锁被占用），请稍后再试")
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": AUDIT_LOCK_KEY})
                conn.commit()
        return
    import fcntl

    path = data_dir() / f".{name}.lock"
    with open(path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise Busy(f"另一个{name}任务正在运行（{path} 被锁定），请稍后再试") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def alembic_config(url: str | None = None):  # noqa: ANN201
    """Return an Alembic ``Config`` pointing at the packaged migrations (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (default: the newest) with Alembic.

    On SQLite, foreign keys are switched off while the migrations run (batch migrations copy and
    drop referenced tables) and checked with ``PRAGMA foreign_key_check`` afterwards.
    """
    from alembic import command

    engine = get_engine(url)
    cfg = alembic_config(url)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
        if sqlite:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if problems:
                raise RuntimeError(f"迁移后外键检查未通过：{problems[:5]}")


def current_revision(url: str | None = None) -> str | None:
    """Return the schema revision the database is at (``None`` for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """Return the newest revision among the packaged migrations."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def ensure_schema(url: str | None = None) -> None:
    """Upgrade the database to the newest revision when it is behind (no-op when current)."""
    if current_revision(url) != head_revision():
        upgrade(url)
