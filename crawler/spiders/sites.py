"""Spiders for the registry: ``sitecheck`` (what each list page shows) and ``discover`` (find 年报 columns).

Both write one JSON object per finding to the file named by ``GK_OUTPUT`` (through
:class:`crawler.pipelines.JsonLines`); nothing goes to the store. They obey the same guards as the
nightly crawl: registered (or given) hosts only, robots.txt, size and time limits.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from audit.registry import Site, host_key
from crawler import extract
from crawler.profiles import profile_for
from crawler.spiders.reports import ERRORS

#: Link texts that lead towards a 年报 column (信息公开 menus of common CMSs), most promising first.
TOWARDS = re.compile(r"年报|年度报告|政府信息公开|信息公开|政务公开|法定主动公开|公开目录|公开指南|工作报告")
JSONL = {"ITEM_PIPELINES": {"crawler.pipelines.JsonLines": 300}}


class SiteCheckSpider(scrapy.Spider):
    """Fetch each registered list page once and report what it shows: status, 年报 links, pagination."""

    name = "sitecheck"
    custom_settings = JSONL
    handle_httpstatus_list = list(range(400, 600))

    def __init__(self, sites: list[dict] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sites = [Site(**s) for s in sites or []]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Yield one request per list page of every registered agency."""
        for request in self.start_requests_offline():
            yield request

    def start_requests_offline(self) -> Iterator[scrapy.Request]:
        """Return the requests (also what the meta-test calls without a reactor)."""
        for site in self.sites:
            for url in site.lists:
                meta = {"agency": site.name, "profile": site.profile, "selectors": site.selectors}
                yield scrapy.Request(
                    url, callback=self.parse, errback=self.failed, meta=meta, dont_filter=True
                )

    def parse(self, response: Response) -> Iterator[dict]:
        """Report what the list page shows."""
        profile = profile_for(response.meta["profile"], response.meta["selectors"])
        out = {"agency": response.meta["agency"], "url": response.url, "status": response.status}
        if response.status == 200 and isinstance(response, TextResponse):
            links = extract.report_links(response.text, response.url, profile)
            out.update(
                links=len(links),
                years=sorted({link.year for link in links if link.year}, reverse=True),
                titles=[link.text for link in links[:5]],
                pages=len(extract.next_pages(response.text, response.url, profile)) + 1,
            )
        yield out

    def failed(self, failure: Failure) -> Iterator[dict]:
        """Report a list page that could not be fetched."""
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(IgnoreRequest):
            error = "未抓取（被 robots.txt 禁止，或主机不在登记名单内）"
        else:
            error = (
                "无法读取（" + ERRORS.get(type(failure.value).__name__, type(failure.value).__name__) + "）"
            )
        yield {"agency": request.meta["agency"], "url": request.url, "status": 0, "error": error}


class DiscoverSpider(scrapy.Spider):
    """Walk a few clicks from home pages (same host) to find the pages that list 年报."""

    name = "discover"
    custom_settings = {**JSONL, "DEPTH_LIMIT": 3, "DEPTH_PRIORITY": 1}

    def __init__(self, urls: list[str] | None = None, max_pages: int = 60, **kwargs) -> None:
        super().__init__(**kwargs)
        self.urls = list(urls or [])
        self.max_pages = int(max_pages)
        self.seen: dict[str, int] = {}
        self.profile = profile_for("generic")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Yield the home pages."""
        for request in self.start_requests_offline():
            yield request

    def start_requests_offline(self) -> Iterator[scrapy.Request]:
        """Return the requests for the home pages (also what the meta-test calls without a reactor)."""
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, meta={"home": url, "path": []})

    def parse(self, response: Response) -> Iterator[object]:
        """Report a page that lists 年报; follow the links that lead towards one."""
        if not isinstance(response, TextResponse) or response.status != 200:
            return
        home = response.meta["home"]
        html = response.text
        title = extract.clean(" ".join(response.css("title::text").getall()))
        path = [*response.meta["path"], title]
        links = extract.report_links(html, response.url, self.profile)
        if links:
            yield {
                "home": home,
                "site_title": path[0],
                "url": response.url,
                "title": title,
                "path": path,
                "links": len(links),
                "years": sorted({link.year for link in links if link.year}, reverse=True),
                "titles": [link.text for link in links[:5]],
                "pages": len(extract.next_pages(html, response.url, self.profile)) + 1,
            }
        hosts = {urlsplit(home).netloc}
        for a in response.css("a"):
            url = extract.absolute(response.url, a.attrib.get("href"))
            text = extract.clean(a.xpath("string(.)").get() or "") + extract.clean(a.attrib.get("title", ""))
            if not url or urlsplit(url).netloc not in hosts or not TOWARDS.search(text):
                continue
            count = self.seen.get(home, 0)
            if count >= self.max_pages:
                return
            self.seen[home] = count + 1
            yield response.follow(url, callback=self.parse, meta={"home": home, "path": path})


def hosts_of(urls: list[str]) -> list[str]:
    """Return the hosts of ``urls`` as the registry names them (what ``discover`` may fetch)."""
    return sorted({host_key(u) for u in urls})
