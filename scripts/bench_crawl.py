"""Crawl benchmark: a generated farm of agency websites on 127.0.0.1, crawled on two nights.

The farm has ``--sites N`` sites (three generated reports each, ``audit.sample``; the portal
styles of :mod:`audit.demo.portals` in turn, reports as pages and as PDF/DOCX attachments), each
served by its own server on 127.0.0.1 (:mod:`audit.demo.server`, one port per site, ETag and
Last-Modified, 304 on a conditional request). One report in fifty (text, HTML or PDF) is
corrected on night 2 (other bytes at the same address).

Night 1: ``gkaudit sites import`` of the farm's registry (not timed), then ``gkaudit crawl --json``
(wall time): pages per second and bytes downloaded. Night 2: the farm rebuilt as it stands the
second night, ``gkaudit crawl --json`` again: its bytes as a share of night 1's (conditional
requests: an unchanged file answers 304 without a body). The crawl runs with the politeness
delays off and 16 requests at once (all sites are on one host, 127.0.0.1, so the per-host limit is
raised to the global one): this measures the crawler, not the politeness settings.
"""

from __future__ import annotations

import argparse
import json
import shutil
from datetime import timedelta
from pathlib import Path

from bench_support import BenchError, Figure, Target, must, run_gk, sample_corpus

REPORTS_PER_SITE = 3
CORRECTED_EVERY = 50
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "DOWNLOAD_TIMEOUT": "10",
    "GK_RETRY_BACKOFF": "0",
    "RETRY_TIMES": "1",
}


def farm_sites(count: int, folder: Path) -> list:
    """Return the farm's demo sites: ``count`` agencies of the corpus, styles in turn, some corrected."""
    from audit.demo.portals import STYLES
    from audit.nightly.demo import plan_sites

    corpus = sample_corpus(count * REPORTS_PER_SITE)
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    sites = plan_sites(manifest, corpus)
    n = 0
    for i, site in enumerate(sites):
        site.style = STYLES[i % len(STYLES)]
        for doc in site.documents:
            n += 1
            if n % CORRECTED_EVERY == 0 and doc.kind in ("text", "html", "pdf"):
                doc.corrected = doc.data + (
                    b"\n%corrected\n" if doc.kind == "pdf" else "\n（更正）\n".encode()
                )
                doc.corrected_on = doc.published_on + timedelta(days=30)
    return sites


def _crawl(target: Target, data: Path, limit: float) -> tuple[float, dict]:
    """Run one night's ``gkaudit crawl --json``; return (wall seconds, its statistics)."""
    args = [arg for name, value in FAST.items() for arg in ("-s", f"{name}={value}")]
    result = must(
        run_gk(target, "crawl", "--json", "--time-limit", str(limit), *args, data=data),
        "gkaudit crawl",
        (0, 1),
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError(f"gkaudit crawl 没有输出统计：{result.stderr.strip()[-200:]}")
    return result.seconds, json.loads(lines[-1])


def bench_crawl(target: Target, opts: argparse.Namespace, state: dict) -> list[Figure]:
    """Crawl the farm on two nights; pages/s of night 1 and night 2's bytes as a share of night 1's."""
    from audit.demo import registry_text
    from audit.demo.portals import build
    from audit.demo.server import Portals

    count = opts.sites
    work = target.workdir("crawl")
    sites = farm_sites(count, work)
    root = work / "sites"
    build(sites, root, night=1)
    portals = Portals(sites, root)
    try:
        registry = work / "registry.yaml"
        registry.write_text(registry_text(sites, portals), encoding="utf-8")
        data = work / "data"
        must(run_gk(target, "sites", "import", str(registry), data=data), "gkaudit sites import")
        limit = max(600.0, 3.0 * count)
        first_s, first = _crawl(target, data, limit)
        build(sites, root, night=2)
        second_s, second = _crawl(target, data, limit)
    finally:
        portals.close()
        shutil.rmtree(root, ignore_errors=True)
    share = second["bytes"] / first["bytes"] if first.get("bytes") else None
    return [
        Figure(
            f"抓取 {count} 个网站 第一夜",
            first["pages"] / first_s if first_s else None,
            "页/秒",
            note=f"{first['pages']} 页，{first['bytes'] / 2**20:.1f} MB，{first_s:.0f} 秒，新增 {first['new']} 份",
        ),
        Figure(
            f"抓取 {count} 个网站 第二夜",
            second["pages"] / second_s if second_s else None,
            "页/秒",
            note=f"{second['pages']} 页，{second_s:.0f} 秒，变更 {second['changed']} 份",
        ),
        Figure(
            "第二夜下载量 / 第一夜",
            share * 100 if share is not None else None,
            "%",
            False,
            note=f"{second['bytes'] / 2**10:.0f} KB",
        ),
    ]
