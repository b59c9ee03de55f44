"""The store pipeline: every fetch is recorded in the store, one transaction per item.

The counters of the crawl run (``CrawlRun``: new, changed, unchanged, gone, errors) are updated in
the same transaction as what they count, so a crawl killed half-way leaves counts that match
what was stored. Pages, bytes, refused requests and Scrapy's own stats are written when the
spider closes.
"""

from __future__ import annotations

import json
import logging
import os
import socket

from scrapy import signals

from audit.store import db as store
from audit.store import tables as m
from crawler import state
from crawler.items import Fetched
from crawler.middlewares import GuardedResolver

log = logging.getLogger(__name__)
COUNTERS = {state.NEW: "new", state.CHANGED: "changed", state.UNCHANGED: "unchanged", state.GONE: "gone"}


class StorePipeline:
    """Write each :class:`~crawler.items.Fetched` to the store and count it on the crawl run."""

    def __init__(self, crawler) -> None:  # noqa: ANN001
        self.crawler = crawler
        self.stats = crawler.stats
        run = crawler.settings.get("GK_CRAWL_RUN")
        self.run_id = int(run) if run else None

    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        """Build the pipeline for this crawl run (it also hears why the spider closed)."""
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.closed, signal=signals.spider_closed)
        return pipeline

    def closed(self, spider=None, reason: str = "") -> None:  # noqa: ANN001
        """Record why the spider closed (``finished``, ``closespider_timeout`` …) on the crawl run."""
        if self.run_id is None:
            return
        with store.session_scope() as session:
            run = session.get(m.CrawlRun, self.run_id)
            if run is not None:
                run.stats = {**run.stats, "finish_reason": reason}
                session.add(run)

    def process_item(self, item: Fetched, spider=None) -> Fetched:  # noqa: ANN001
        """Record the fetch; the body is dropped afterwards (it is archived)."""
        with store.session_scope() as session:
            outcome = state.record(session, item, self.run_id)
            if self.run_id is not None:
                run = session.get(m.CrawlRun, self.run_id)
                if run is not None:
                    if outcome in COUNTERS:
                        setattr(run, COUNTERS[outcome], getattr(run, COUNTERS[outcome]) + 1)
                    elif outcome == state.ERROR:
                        run.errors += 1
                    session.add(run)
        self.stats.inc_value(f"gkaudit/{outcome}")
        if item.error or outcome == state.ERROR:
            log.info("%s %s：%s", item.agency, item.url, item.error or f"HTTP {item.status}")
        item.body = None
        return item

    def close_spider(self, spider=None) -> None:  # noqa: ANN001
        """Write pages, bytes, refused requests and Scrapy's stats to the crawl run."""
        if self.run_id is None:
            return
        refused = sum(GuardedResolver.refused.values())
        if refused:
            self.stats.set_value(
                "gkaudit/blocked/private", self.stats.get_value("gkaudit/blocked/private", 0) + refused
            )
        stats = {k: v for k, v in self.stats.get_stats().items() if isinstance(v, int | float | str)}
        with store.session_scope() as session:
            run = session.get(m.CrawlRun, self.run_id)
            if run is None:
                return
            run.pages = int(stats.get("gkaudit/pages", 0))
            run.bytes = int(stats.get("gkaudit/bytes", 0))
            run.blocked = sum(int(v) for k, v in stats.items() if k.startswith("gkaudit/blocked/")) + int(
                stats.get("robotstxt/forbidden", 0)
            )
            run.stats = stats
            run.worker = f"{socket.gethostname()}:{os.getpid()}"
            session.add(run)


class JsonLines:
    """Write each item (a dict) as one JSON line to ``GK_OUTPUT`` (``sites check`` / ``discover``)."""

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        """Build the pipeline writing to the job's output file."""
        return cls(crawler.settings.get("GK_OUTPUT") or "crawl-output.jsonl")

    def process_item(self, item: dict, spider=None) -> dict:  # noqa: ANN001
        """Append the item."""
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
        return item
