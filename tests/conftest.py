"""Shared test setup: the labelled corpora beside the repository, and real PostgreSQL and Redis.

The corpora (``../shared/corpus/{seeds,real}``) are not part of the repository. A test that reads
them skips with the reason when the folder is absent, and the whole run fails at once when
``CI=true`` and it is missing (CI must exercise them). A test or fixture that reads a missing
corpus file, or runs a command on one, is turned into that skip (or failure), so tests need no
guard of their own; ``corpus_dir(name)`` and the ``corpus`` fixture say it explicitly.

PostgreSQL and Redis are the machine's when they answer on 127.0.0.1 (5432 and 6379, or
``GKAUDIT_TEST_PG`` / ``GKAUDIT_TEST_REDIS`` as ``host:port``); otherwise a throwaway server is
started from the Debian binaries (``/usr/lib/postgresql/*/bin``, ``redis-server``) in a temporary
folder on a free port, through pytest-postgresql's and pytest-redis's executors, and removed at
the end. PostgreSQL tests get a database of their own for the session, so that parallel runs on
one server (other worktrees) do not share advisory locks or schemas.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
PG_USERS = ("postgres", "root")
_SERVICES: list[str] = []  # which servers this run used, printed at the end


def in_ci() -> bool:
    """Return whether the tests run in CI (``CI`` set to anything but empty, 0 or false)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing_corpus(path: Path) -> None:
    """Skip the current test because ``path`` is absent; fail instead in CI."""
    if in_ci():
        pytest.fail(f"CI 需要语料目录 {path}，但它不存在", pytrace=False)
    pytest.skip(f"语料目录 {path} 不存在（它位于仓库之外的 ../shared/corpus，新克隆的仓库中没有）")


def corpus_dir(name: str = "") -> Path:
    """Return ``../shared/corpus/<name>``; skip the calling test (fail in CI) when it is absent."""
    path = CORPUS / name if name else CORPUS
    if not path.is_dir():
        _missing_corpus(path)
    return path


@pytest.fixture
def corpus() -> Path:
    """The labelled corpora folder (``../shared/corpus``); the test skips when it is absent."""
    return corpus_dir()


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI, stop at once when the corpora are missing (no test may skip for that reason there)."""
    if in_ci() and not CORPUS.is_dir():
        raise pytest.UsageError(f"CI=true，但语料目录 {CORPUS} 不存在：请把 shared/ 放在仓库旁边")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give tests parametrised over corpus files that found none the corpus reason for skipping."""
    if CORPUS.is_dir():
        return
    reason = f"语料目录 {CORPUS} 不存在（新克隆的仓库中没有）"
    for item in items:
        mark = item.get_closest_marker("skip")
        if mark is not None and str(mark.kwargs.get("reason", "")).startswith("got empty parameter set"):
            item.add_marker(pytest.mark.skip(reason=reason), append=False)


def _reads_absent_corpus(exc: BaseException | None) -> bool:
    """Return whether ``exc`` (or an exception it was raised from) is a use of the absent corpus.

    A use is a read of a file under it (``FileNotFoundError``, also when a reader re-raised it as
    its own error) or a command run on such a file (``CalledProcessError``).
    """
    if CORPUS.is_dir():
        return False
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        names: list[object] = []
        if isinstance(exc, FileNotFoundError):
            names = [exc.filename]
        elif isinstance(exc, subprocess.CalledProcessError):
            names = list(exc.cmd) if isinstance(exc.cmd, list | tuple) else [exc.cmd]
        if any(isinstance(n, str | Path) and Path(n).resolve().is_relative_to(CORPUS) for n in names):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _skipping_absent_corpus() -> Iterator[None]:
    """Run a test phase; a use of the absent corpus becomes the corpus skip (or the CI failure)."""
    try:
        return (yield)
    except Exception as exc:
        if _reads_absent_corpus(exc):
            _missing_corpus(CORPUS)
        raise


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """Fixtures that read the absent corpus skip the test."""
    return (yield from _skipping_absent_corpus())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Tests that read the absent corpus skip."""
    return (yield from _skipping_absent_corpus())


# --------------------------------------------------------------------------- services


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which PostgreSQL and Redis servers the run used (the machine's or throwaway ones)."""
    for line in _SERVICES:
        terminalreporter.write_line(line)


def _address(variable: str, default_port: int) -> tuple[str, int]:
    """Return (host, port) of a service: ``$variable`` as host:port, else 127.0.0.1."""
    host, _, port = os.environ.get(variable, f"127.0.0.1:{default_port}").partition(":")
    return host or "127.0.0.1", int(port or default_port)


def _answers(host: str, port: int) -> bool:
    """Return whether something accepts TCP connections on host:port."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgServer:
    """A PostgreSQL server for the tests and the database they may use."""

    host: str
    port: int
    user: str
    dbname: str
    throwaway: bool

    def connect(self, dbname: str | None = None) -> psycopg.Connection:
        """Return an autocommit connection to ``dbname`` (default: the tests' database)."""
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname=dbname or self.dbname, autocommit=True
        )

    def url(self, options: str = "") -> str:
        """Return the SQLAlchemy URL of the tests' database (``options``: a query string)."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{self.dbname}{options}"


def _pg_ctl() -> str:
    """Return the newest Debian ``pg_ctl``; fail naming the package when there is none."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not found:
        pytest.fail(
            "没有本机 PostgreSQL（127.0.0.1:5432 无应答），也找不到 /usr/lib/postgresql/*/bin/pg_ctl："
            "请运行 scripts/setup-system.sh（安装 Debian 软件包 postgresql）",
            pytrace=False,
        )
    return found[-1]


def _throwaway_pg(folder: Path) -> tuple[object, int]:
    """Start a PostgreSQL server in ``folder`` on a free port; return (executor, port).

    initdb and postgres refuse to run as root: as root the server runs as the ``postgres`` user
    (created by Debian's package), through a wrapper around ``pg_ctl``.
    """
    from pytest_postgresql.executors import PostgreSQLExecutor

    executable = _pg_ctl()
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        wrapper = folder / "pg_ctl"
        wrapper.write_text(f'#!/bin/sh\nexec runuser -u postgres -- {executable} "$@"\n')
        wrapper.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        executable = str(wrapper)
    port = _free_port()
    executor = PostgreSQLExecutor(
        executable=executable,
        host="127.0.0.1",
        port=port,
        datadir=str(folder / "data"),
        unixsocketdir=str(folder),
        logfile=str(folder / "postgresql.log"),
        startparams="-w",
        dbname="test",
        user="postgres",
    )
    executor.start()
    return executor, port


def _admin(host: str, port: int, patience: float) -> tuple[psycopg.Connection, str]:
    """Connect to the ``postgres`` database as the first user that works (waiting for start-up)."""
    deadline = time.monotonic() + patience
    while True:
        errors = []
        for user in PG_USERS:
            try:
                return psycopg.connect(
                    host=host, port=port, user=user, dbname="postgres", autocommit=True
                ), user
            except psycopg.OperationalError as exc:
                errors.append(f"{user}: {exc}")
        if time.monotonic() > deadline or not any("starting up" in e for e in errors):
            pytest.fail(f"无法连接 PostgreSQL {host}:{port}：" + "; ".join(errors), pytrace=False)
        time.sleep(0.2)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server with a fresh database for this test session (dropped at the end)."""
    host, port = _address("GKAUDIT_TEST_PG", 5432)
    executor = folder = None
    try:
        if not _answers(host, port):
            folder = Path(tempfile.mkdtemp(prefix="gkaudit-pg-"))
            executor, port = _throwaway_pg(folder)
            host = "127.0.0.1"
        admin, user = _admin(host, port, patience=30)
        dbname = f"gkaudit_test_{uuid.uuid4().hex[:12]}"
        admin.execute(f'CREATE DATABASE "{dbname}"')
        kind = "临时实例（pytest-postgresql）" if executor is not None else "本机服务"
        _SERVICES.append(f"PostgreSQL：{kind} {host}:{port}，测试库 {dbname}")
        try:
            yield PgServer(host, port, user, dbname, throwaway=executor is not None)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            admin.close()
    finally:
        if executor is not None:
            executor.stop()  # type: ignore[attr-defined]
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class RedisServer:
    """A Redis server for the tests."""

    host: str
    port: int
    throwaway: bool

    @property
    def url(self) -> str:
        """Return the ``redis://`` URL of the server."""
        return f"redis://{self.host}:{self.port}/0"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A Redis server: the machine's when it answers, else a throwaway one (pytest-redis)."""
    host, port = _address("GKAUDIT_TEST_REDIS", 6379)
    if _answers(host, port):
        _SERVICES.append(f"Redis：本机服务 {host}:{port}")
        yield RedisServer(host, port, throwaway=False)
        return
    from pytest_redis.executor import RedisExecutor

    executable = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(executable):
        pytest.fail(
            "没有本机 Redis（127.0.0.1:6379 无应答），也找不到 redis-server：请安装 redis-server",
            pytrace=False,
        )
    folder = Path(tempfile.mkdtemp(prefix="gkaudit-redis-"))
    port = _free_port()
    executor = RedisExecutor(
        executable,
        databases=4,
        redis_timeout=30,
        loglevel="warning",
        host="127.0.0.1",
        port=port,
        datadir=folder,
    )
    executor.start()
    _SERVICES.append(f"Redis：临时实例（pytest-redis）127.0.0.1:{port}")
    try:
        yield RedisServer("127.0.0.1", port, throwaway=True)
    finally:
        executor.stop()
        shutil.rmtree(folder, ignore_errors=True)
