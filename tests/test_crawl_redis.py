"""Distributed mode: two crawl processes sharing one Redis frontier fetch each URL once between them.

Redis runs on 127.0.0.1:6379 (started here when it is installed but not running). Each test uses a
frontier (key prefix) of its own and deletes its keys afterwards. Without Redis the test is skipped
locally and fails in CI (CI=true), where the project's setup installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from crawl_support import FAST, demo_sites, sqlite, write_registry  # noqa: F401  (fixture)

from audit.demo.portals import build
from audit.demo.server import Portals
from audit.registry import import_sites, load_registry, stored_sites
from audit.store import db as store
from crawler.launch import CrawlResult, crawl

REDIS_URL = "redis://127.0.0.1:6379/0"


def _ping() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def frontier() -> Iterator[str]:
    """A frontier name of this test in a running Redis (started if installed); its keys deleted after."""
    if not _ping() and shutil.which("redis-server"):
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=False,
            capture_output=True,
        )
        for _ in range(50):
            if _ping():
                break
            time.sleep(0.1)
    if not _ping():
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI (scripts/setup-system.sh installs redis-server)")
        pytest.skip("Redis is not running on 127.0.0.1:6379 and redis-server is not installed")
    name = f"gkaudit-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def test_two_processes_share_one_frontier_and_fetch_each_url_once(
    frontier: str,
    sqlite: str,  # noqa: ARG001, F811
    tmp_path: Path,
) -> None:
    sites = demo_sites()
    build(sites, tmp_path / "portals")
    portals = Portals(sites, tmp_path / "portals")
    results: list[CrawlResult] = []
    try:
        registry = write_registry(tmp_path / "sites.yaml", sites, portals)
        with store.session_scope() as session:
            import_sites(session, load_registry(registry))
        with store.session_scope() as session:
            entries = stored_sites(session)

        def worker() -> None:
            settings = {**FAST, "GK_IDLE_SECONDS": "3"}
            results.append(
                crawl(entries, time_limit=120, settings=settings, redis_url=REDIS_URL, frontier=frontier)
            )

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        portals.close()
    # Without the shared dupefilter the second worker would fetch every list page (and all that
    # follows) again. On a frontier this small one worker usually drains the queue before the other
    # polls it; on a province's thousands of URLs each holds at most CONCURRENT_REQUESTS at a time.
    print("pages per worker:", [r.pages for r in results])
    assert [r.status for r in results] == ["ok", "ok"], [r.detail for r in results]
    fetched = {key: n for key, n in portals.hits.items() if key[1] != "/robots.txt"}
    assert fetched and all(n == 1 for n in fetched.values()), {k: n for k, n in fetched.items() if n > 1}
    assert sum(r.new for r in results) == 8 and sum(r.gone for r in results) == 1
    assert sum(r.pages for r in results) == len(fetched)
