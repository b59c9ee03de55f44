"""The store's engine, sessions, locks and migrations (SQLite by default, PostgreSQL via ``DATABASE_URL``).

Where the store lives is a setting (:mod:`audit.settings`: ``GKAUDIT_DATA``, ``DATABASE_URL``,
``GKAUDIT_TODAY``). The data directory holds ``gkaudit.sqlite``, ``archive/`` (raw document bytes
by sha256) and ``logs/``. Migrations run under a lock, so several processes opening a fresh store
migrate it once; :func:`exclusive` keeps two audits (or crawls) from running at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from audit.clock import SHANGHAI, today  # noqa: F401  (re-exported: store.today())
from audit.settings import get_settings
from audit.store import tables as models  # noqa: F401  (registers the tables on SQLModel.metadata)

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def data_dir() -> Path:
    """Return the data directory (``GKAUDIT_DATA``, default ``./data``), created if missing."""
    path = get_settings().data.resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def archive_dir() -> Path:
    """Return the directory holding raw document bytes by sha256."""
    path = data_dir() / "archive"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """Return the database URL: ``DATABASE_URL`` or the SQLite file under the data directory."""
    url = get_settings().database_url
    if url:
        return url
    return f"sqlite:///{data_dir() / 'gkaudit.sqlite'}"


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
    read_only = _read_only_sqlite(real_url)
    if read_only is not None:
        # a store on a read-only medium (an archive copy, a DVD): opened for reading only
        real_url = f"sqlite:///file:{read_only}?mode=ro&immutable=1&uri=true"
    engine = create_engine(real_url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_read_only_pragmas if read_only else _sqlite_pragmas)
    _ENGINES[url] = engine
    return engine


def _read_only_sqlite(url: str) -> str | None:
    """Return the file of a SQLite URL whose database exists but cannot be written, else None."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    path = Path(url[len(prefix) :])
    if path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return str(path)
    try:  # root passes os.access: ask the file system itself
        probe = path.parent / f".write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError:
        return str(path) if path.is_file() else None
    return None


def _sqlite_read_only_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    """Make a read-only SQLite connection refuse writes early (no WAL switch, query only)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def dispose_engines() -> None:
    """Close every engine built so far (tests switching databases call this)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


@contextmanager
def environment(**values: str | None) -> Iterator[None]:
    """Environment variables set (None: unset) for the duration; everything is put back afterwards.

    The engines are closed before and after, so that the store follows the variables.
    """
    saved = {k: os.environ.get(k) for k in values}
    dispose_engines()
    _set_environ(values)
    try:
        yield
    finally:
        dispose_engines()
        _set_environ(saved)


def _set_environ(values: dict[str, str | None]) -> None:
    """Set each variable to its value, or unset it when the value is None."""
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


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


def safe_url(url: str | None = None) -> str:
    """Return the database URL with its password hidden (for messages and logs)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url or database_url()).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown masked by the text rule
        from audit.logs import mask

        return mask(url or database_url())


def lock_key(name: str, url: str | None = None) -> int:
    """Return the PostgreSQL advisory-lock key of ``name`` for this database and schema.

    Advisory locks are database-wide: the key includes the database, the user and the
    ``search_path`` option, so two schemas of one database (two provinces, or parallel tests) do
    not block each other.
    """
    from sqlalchemy.engine import make_url

    u = make_url(url or database_url())
    scope = f"{u.database}\x1f{u.username}\x1f{u.query.get('options', '')}\x1f{name}"
    digest = hashlib.sha256(scope.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _file_lock(path: Path, name: str, wait: bool) -> Iterator[None]:
    """Hold an ``flock`` on ``path`` (blocking when ``wait``); raise :class:`Busy` when taken."""
    try:
        fh = open(path, "a")  # noqa: SIM115  (closed by the with below)
    except OSError as exc:
        raise Busy(f"数据目录 {path.parent} 不可写（{exc.strerror}），不能进行{name}") from exc
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise Busy(f"另一个{name}任务正在运行（{path} 被锁定），请稍后再试") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def exclusive(name: str = "audit", url: str | None = None, *, wait: bool = False) -> Iterator[None]:
    """Hold a lock so that only one ``name`` task runs against a database at a time.

    PostgreSQL: a session advisory lock (works across machines), keyed per database and schema
    (:func:`lock_key`). SQLite: an ``flock`` on a file beside the database in the data directory.
    Raises :class:`Busy` when the lock is taken (or waits for it with ``wait``).
    """
    engine = get_engine(url)
    if engine.dialect.name != "postgresql":
        with _file_lock(data_dir() / f".{name}.lock", name, wait):
            yield
        return
    key = lock_key(name, url)
    with engine.connect() as conn:
        fn = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
        got = conn.execute(text(f"SELECT {fn}(:k)"), {"k": key}).scalar()
        conn.commit()
        if not wait and not got:
            raise Busy(f"另一个{name}任务正在运行（数据库锁被占用），请稍后再试")
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
            except Exception:  # noqa: BLE001 - a lost connection released the lock already; keep the real error
                log.warning("releasing lock %s failed (connection lost?)", name)


def alembic_config(url: str | None = None):  # noqa: ANN201
    """Return an Alembic ``Config`` pointing at the packaged migrations (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (default: the newest) with Alembic, under a lock.

    Several processes opening a fresh store at once migrate it once: the others wait for the lock
    and find it current. On SQLite, foreign keys are switched off while the migrations run (batch
    migrations copy and drop referenced tables) and checked with ``PRAGMA foreign_key_check``.
    """
    from alembic import command

    engine = get_engine(url)
    cfg = alembic_config(url)
    sqlite = engine.dialect.name == "sqlite"
    with exclusive("migrate", url, wait=True), engine.connect() as connection:
        current = _revision_of(connection)
        connection.rollback()  # end the read's implicit transaction before migrating
        if revision == "head" and current == head_revision():
            return
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


def _revision_of(connection: Connection) -> str | None:
    """Return the schema revision seen through an open connection."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def current_revision(url: str | None = None) -> str | None:
    """Return the schema revision the database is at (``None`` for an empty database)."""
    with get_engine(url).connect() as connection:
        return _revision_of(connection)


def head_revision() -> str | None:
    """Return the newest revision among the packaged migrations."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def ensure_schema(url: str | None = None) -> None:
    """Upgrade the database to the newest revision when it is behind (no-op when current)."""
    if current_revision(url) != head_revision():
        upgrade(url)
