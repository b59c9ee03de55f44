"""Run one crawl in this process: ``python -m crawler SPIDER JOB.json`` (what ``gkaudit`` spawns).

The job file (written by :mod:`crawler.launch`) holds the registry entries (``sites``), the URLs
fetched before (``known``), the crawl run id and Scrapy setting overrides. A crawl runs in a
process of its own because Twisted's reactor cannot be restarted. It dies with the process that
started it (``GK_CRAWL_PARENT``, set by crawler/launch.py), so a killed scheduler leaves no crawl
running beside the next one.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from pathlib import Path

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")

from scrapy.crawler import CrawlerProcess  # noqa: E402
from scrapy.utils.project import get_project_settings  # noqa: E402

from audit.registry import Site  # noqa: E402
from audit.store import db as store  # noqa: E402
from crawler.spiders import SPIDERS  # noqa: E402


def settings_for(job: dict):  # noqa: ANN201
    """Return the Scrapy settings of a job: defaults, the registry's hosts, then the job's overrides."""
    settings = get_project_settings()
    sites = [Site(**s) for s in job.get("sites", [])]
    allowed: set[str] = set().union(*(s.allowed_hosts() for s in sites)) if sites else set()
    explicit: set[str] = set().union(*(s.explicit_hosts() for s in sites)) if sites else set()
    settings.set("GK_ALLOWED_HOSTS", sorted(allowed | set(job.get("extra_hosts", []))), priority="cmdline")
    settings.set(
        "GK_EXPLICIT_HOSTS", sorted(explicit | set(job.get("extra_explicit", []))), priority="cmdline"
    )
    settings.set("GK_CRAWL_RUN", job.get("run_id"), priority="cmdline")
    settings.set("GK_WARC_DIR", str(store.data_dir() / "warc"), priority="cmdline")
    for name, value in (job.get("settings") or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def die_with_parent() -> None:
    """Have Linux kill this process when its parent dies; exit now if the parent is already gone."""
    parent = os.environ.get("GK_CRAWL_PARENT")
    if not parent or not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != int(parent):
        os._exit(1)


def main(argv: list[str]) -> int:
    """Run the spider named in ``argv`` over the job file; return the exit status."""
    if len(argv) != 2 or argv[0] not in SPIDERS:
        print(f"用法：python -m crawler {{{'|'.join(SPIDERS)}}} JOB.json", file=sys.stderr)
        return 2
    die_with_parent()
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    process = CrawlerProcess(settings_for(job), install_root_handler=True)
    process.crawl(SPIDERS[argv[0]], **job.get("arguments", {}))
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
