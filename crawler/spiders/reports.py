"""The nightly crawl: one base spider over every registry entry, configured by its site profile.

For each agency: its list pages (and their pagination) give the 年报 links; each report page is
either the report itself (its body) or a cover page whose report is an attachment; every URL
fetched before is re-fetched conditionally, so that an unchanged document costs a 304 and a
vanished one is noticed (TL04). The spider only fetches: the store pipeline
(crawler/pipelines.py) decides new, changed, unchanged and gone and archives the bytes.

Arguments (``python -m crawler crawl`` passes them): ``sites`` (the registry entries as dicts,
see :meth:`audit.registry.Site.as_dict`) and ``known`` (the URLs fetched before, with their
validators: see :func:`crawler.state.known_urls`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from audit.readers import sniff
from audit.registry import Site, host_matches
from crawler import extract
from crawler.items import ATTACHMENT, DOCUMENT, LIST, PAGE, REPORT, STORED, Fetched
from crawler.middlewares import GuardedResolver
from crawler.profiles import Profile, profile_for

#: Statuses handed to the callbacks (everything but redirects, which Scrapy follows).
HANDLED = [304, *range(400, 600)]
ERRORS = {
    "DownloadTimeoutError": "下载超时",
    "TimeoutError": "下载超时",
    "DownloadConnectionRefusedError": "连接被拒绝",
    "ConnectionRefusedError": "连接被拒绝",
    "CannotResolveHostError": "无法解析主机名（或解析为未登记的内网地址）",
    "DNSLookupError": "无法解析主机名（或解析为未登记的内网地址）",
    "DownloadCancelledError": "超过下载大小上限，已中止",
    "ResponseDataLossError": "响应不完整（实际长度与声明不符）",
    "DownloadFailedError": "下载失败",
    "ResponseNeverReceived": "服务器未返回响应",
}


class ReportSpider(scrapy.Spider):
    """Find, fetch and re-check the 年报 of every registered agency."""

    name = "reports"
    handle_httpstatus_list = HANDLED

    def __init__(
        self,
        sites: list[dict] | None = None,
        known: list[dict] | None = None,
        roster: dict[str, list[str]] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.sites = {s["name"]: Site(**s) for s in sites or []}
        # every registered agency (name -> aliases), also those not crawled now: whose report a link is
        self.roster = roster or {name: site.aliases for name, site in self.sites.items()}
        self.profiles: dict[str, Profile] = {
            name: profile_for(site.profile, site.selectors) for name, site in self.sites.items()
        }
        self.known = list(known or [])
        self.validators = {
            (k["agency"], k["url"]): {"etag": k.get("etag"), "last_modified": k.get("last_modified")}
            for k in self.known
        }
        self.hosts = {name: site.allowed_hosts() for name, site in self.sites.items()}
        self.list_pages: Counter[str] = Counter()  # list pages requested per list (its first page's URL)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):  # noqa: ANN001, ANN206
        """Build the spider; in distributed mode it waits on an empty shared frontier before closing."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.idle_seconds = crawler.settings.getfloat("GK_IDLE_SECONDS")
        spider.idle_since = None
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_response, signal=signals.response_received)
        return spider

    def on_idle(self, spider=None) -> None:  # noqa: ANN001
        """Keep a distributed worker alive for ``GK_IDLE_SECONDS`` while others may add requests."""
        now = time.monotonic()
        self.idle_since = self.idle_since or now
        if now - self.idle_since < self.idle_seconds:
            raise DontCloseSpider

    def on_response(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        """Work arrived: the idle clock starts again."""
        self.idle_since = None

    # ------------------------------------------------------------------ requests

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Yield every agency's list pages, then every URL fetched before (conditionally)."""
        for request in self.start_requests_offline():
            yield request

    def start_requests_offline(self) -> Iterator[scrapy.Request]:
        """Return the start requests (also what the meta-test calls without a reactor)."""
        for name, site in self.sites.items():
            for url in site.lists:
                yield self.follow(name, url, LIST, list_root=url)
        for k in self.known:
            if k["agency"] in self.sites and k.get("kind") != LIST:
                yield self.follow(
                    k["agency"],
                    k["url"],
                    k["kind"],
                    year=k.get("year"),
                    title=k.get("title"),
                    referer=k.get("referer"),
                    published_on=k.get("published_on"),
                )

    def follow(self, agency: str, url: str, kind: str, **meta: object) -> scrapy.Request:
        """Return the request for ``url`` of ``agency``, conditional when it was fetched before."""
        callback = {
            LIST: self.parse_list,
            ATTACHMENT: self.parse_attachment,
            DOCUMENT: self.parse_attachment,
        }.get(kind, self.parse_page)
        published = meta.get("published_on")
        meta["published_on"] = published.isoformat() if isinstance(published, date) else published
        meta.update(agency=agency, kind=kind, validators=self.validators.get((agency, url)))
        dont_filter = bool(meta.pop("dont_filter", False))
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.failed,
            meta=meta,
            dont_filter=dont_filter,
            priority=_priority(kind),
        )

    def allowed(self, agency: str, url: str) -> bool:
        """Return whether ``url`` is on a host of ``agency`` (counted when it is not)."""
        if host_matches(url, self.hosts[agency]):
            return True
        if self.crawler is not None:
            self.crawler.stats.inc_value("gkaudit/skipped_offsite_links")
        return False

    # ------------------------------------------------------------------ callbacks

    def parse_list(self, response: Response) -> Iterator[object]:
        """Read a list page: its 年报 links (report pages or files) and its other pages."""
        meta = response.meta
        agency, profile = meta["agency"], self.profiles[meta["agency"]]
        yield self.fetched(response, LIST)
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        html = response.text
        for link in extract.report_links(html, response.url, profile):
            owner = extract.owner_of(link.text, agency, self.roster)
            if owner != agency:
                self.crawler.stats.inc_value("gkaudit/links_of_other_agencies")
            if owner in self.sites and self.allowed(owner, link.url):
                yield self.follow(
                    owner,
                    link.url,
                    DOCUMENT if _is_file_link(link.url, profile) else PAGE,
                    year=link.year,
                    title=link.text,
                    referer=response.url,
                    published_on=link.listed_on,
                )
        root = meta.get("list_root") or response.url
        for url in extract.next_pages(html, response.url, profile):
            if not self.allowed(agency, url):
                continue
            if self.list_pages[root] + 1 >= profile.max_list_pages:
                self.crawler.stats.inc_value("gkaudit/list_page_limit")
                break
            self.list_pages[root] += 1
            yield self.follow(agency, url, LIST, list_root=root)

    def parse_page(self, response: Response) -> Iterator[object]:
        """Read a report page: the report is its body, or the attachment it links."""
        meta = response.meta
        agency, profile = meta["agency"], self.profiles[meta["agency"]]
        if response.status != 200:
            yield self.fetched(response, meta["kind"])
            return
        if not isinstance(response, TextResponse) or sniff(response.body, response.url) != "html":
            yield from self.parse_attachment(response)  # the link named a file, not a page
            return
        html = response.text
        day = extract.published_on(html, response.url, profile) or _date(meta.get("published_on"))
        found = [a for a in extract.attachments(html, response.url, profile) if self.allowed(agency, a.url)]
        candidates = extract.report_attachments(found, profile)
        own = extract.is_report_page(html, profile) or not candidates
        item = self.fetched(response, REPORT if own else PAGE, published_on=day)
        item.content_hash = extract.content_hash(html)
        yield item
        chosen = [] if own else candidates[:1]
        for link in found:
            chosen_one = link in chosen
            yield self.follow(
                agency,
                link.url,
                DOCUMENT if chosen_one else ATTACHMENT,
                year=meta.get("year"),
                title=link.text or meta.get("title"),
                referer=response.url,
                published_on=day,
                alternatives=[c.url for c in candidates[1:]] if chosen_one else [],
            )

    def parse_attachment(self, response: Response) -> Iterator[object]:
        """Record a file: the report document of its year, or an attachment kept as evidence."""
        meta = response.meta
        kind = meta["kind"] if meta["kind"] in (ATTACHMENT, DOCUMENT) else DOCUMENT
        if response.status == 200 and sniff(response.body, response.url) == "html" and meta["kind"] != PAGE:
            item = self.fetched(response, kind)
            item.body, item.store, item.error = None, False, "附件链接返回的是网页而不是文件"
            yield item
            yield from self.fallback(meta)
            return
        item = self.fetched(response, kind)
        item.filename = extract.disposition_name(response.headers.get(b"Content-Disposition")) or _url_name(
            response.url
        )
        yield item
        if response.status >= 400:
            yield from self.fallback(meta)

    def fallback(self, meta: dict) -> Iterator[scrapy.Request]:
        """Request the next candidate report attachment after the chosen one failed."""
        rest = list(meta.get("alternatives") or [])
        if rest and meta["kind"] == DOCUMENT:
            yield self.follow(
                meta["agency"],
                rest[0],
                DOCUMENT,
                year=meta.get("year"),
                title=meta.get("title"),
                referer=meta.get("referer"),
                published_on=meta.get("published_on"),
                alternatives=rest[1:],
                dont_filter=True,
            )

    def failed(self, failure: Failure) -> Iterator[object]:
        """Record a fetch that brought nothing back (refused requests are only counted)."""
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return
        if failure.check(HttpError):
            response = failure.value.response
            yield self.fetched(response, meta["kind"])
            return
        name = type(failure.value).__name__
        error = ERRORS.get(name, f"下载失败（{name}）")
        host = (urlsplit(request.url).hostname or "").lower()
        if host in GuardedResolver.refused:
            error = f"{host} 解析为内网/本机地址，登记名单未明确列出，拒绝连接"
        yield Fetched(
            agency=meta["agency"],
            url=request.url,
            kind=meta["kind"],
            status=0,
            year=meta.get("year"),
            title=meta.get("title"),
            referer=meta.get("referer"),
            error=error,
        )
        yield from self.fallback(meta)

    def fetched(self, response: Response, kind: str, *, published_on: date | None = None) -> Fetched:
        """Return the item recording ``response`` (its body only when it is 200)."""
        meta = response.meta
        headers = response.headers
        ok = response.status == 200
        return Fetched(
            agency=meta["agency"],
            url=meta.get("redirect_urls", [response.url])[0] if meta.get("redirect_urls") else response.url,
            kind=kind,
            status=response.status,
            body=response.body if ok else None,
            store=kind in STORED and ok,
            year=meta.get("year"),
            title=meta.get("title"),
            referer=meta.get("referer"),
            published_on=published_on or _date(meta.get("published_on")),
            content_type=_header(headers, b"Content-Type"),
            etag=_header(headers, b"ETag"),
            last_modified=_header(headers, b"Last-Modified"),
        )


def _priority(kind: str) -> int:
    """Return a request's priority: list pages first, so that links are known early."""
    return {LIST: 20, PAGE: 10, REPORT: 10}.get(kind, 0)


def _header(headers, name: bytes) -> str | None:  # noqa: ANN001
    """Return a response header as text (GBK bytes tolerated), or None."""
    value = headers.get(name)
    if not value:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("gb18030", "replace")


def _date(value: object) -> date | None:
    """Return an ISO date string from a request's meta as a date."""
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _url_name(url: str) -> str:
    """Return the file name a URL names: a ``filename=`` query parameter, else its last path segment."""
    parts = urlsplit(url)
    for key, values in parse_qs(parts.query).items():
        if key.lower() in ("filename", "file", "name", "fn") and values:
            return values[0]
    return unquote(PurePosixPath(parts.path).name)


def _is_file_link(url: str, profile: Profile) -> bool:
    """Return whether a 年报 link on a list page points at a file rather than a page."""
    return extract.extension(url) in profile.attachment_extensions
