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

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

from bench_support import BenchError, Figure, Target, manifest_documents, must, run_gk, sample_corpus

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


def farm_manifest(sites: int, folder: Path) -> dict:
    """Return the demo-portal manifest of the farm (documents of the corpus, some corrected on night 2)."""
    corpus = sample_corpus(sites * REPORTS_PER_SITE)
    docs = []
    for i, doc in enumerate(manifest_documents(corpus)):
        row = dict(doc, file=str(corpus / doc["file"]))
        if i % CORRECTED_EVERY == CORRECTED_EVERY - 1 and doc["format"] in ("text", "html", "pdf"):
            data = Path(row["file"]).read_bytes()
            fixed = folder / f"corrected-{i}{Path(doc['file']).suffix}"
            fixed.write_bytes(
                data + (b"\n%corrected\n" if doc["format"] == "pdf" else "\n（更正）\n".encode())
            )
            row["corrected_file"] = str(fixed)
            row["corrected_on"] = (date.fromisoformat(doc["published_on"]) + timedelta(days=30)).isoformat()
        docs.append(row)
    return {"documents": docs}


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


def bench_crawl(target: Target, opts: object, state: dict) -> list[Figure]:
    """Crawl the farm on two nights; pages/s of night 1 and night 2's bytes as a share of night 1's."""
    from audit.demo import registry_text, sites_from_manifest
    from audit.demo.portals import build
    from audit.demo.server import Portals

    count = opts.sites  # type: ignore[attr-defined]
    work = target.workdir("crawl")
    sites = sites_from_manifest(farm_manifest(count, work), Path("/"))
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
