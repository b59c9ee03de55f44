"""Downloader middlewares and the DNS resolver that keep the crawl contained, honest and archived.

- :class:`HostGuard` refuses every request (also redirects and robots.txt) to a host the registry
  does not name, and to an IP address that is private, loopback or link-local unless the registry
  names that host explicitly (an IP literal in a list URL, or an entry of ``hosts:``).
- :class:`GuardedResolver` checks what a host *name* resolves to, on the very lookup the
  connection uses, so that DNS cannot point a registered name at an internal address (SSRF).
- :class:`ConditionalRequests` adds If-None-Match / If-Modified-Since from the stored validators.
- :class:`Charset` decodes pages whose charset is missing or wrong (a UTF-8 header on a GBK page).
- :class:`RobotsTxt` is Scrapy's robots.txt middleware, fixed for concurrent first requests.
- :class:`BackoffRetry` retries 5xx answers and failed connections after a growing pause.
- :class:`WarcArchive` writes every response (and its request) as WARC records: headers, body,
  fetch time and the server's IP, the evidence behind every stored document.

Their order is set in crawler/settings.py (``DOWNLOADER_MIDDLEWARES``). To add one: write it here
with ``from_crawler``, give it a place in the settings, and test it in tests/test_crawler_units.py.
"""

from __future__ import annotations

import asyncio
import base64
import codecs
import hashlib
import io
import ipaddress
import logging
import os
import re
import socket
from collections import Counter
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from audit.registry import host_matches, is_ip

log = logging.getLogger(__name__)
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def is_internal(address: str) -> bool:
    """Return whether an IP address is private, loopback, link-local or otherwise not public."""
    ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _hosts(crawler, name: str) -> set[str]:  # noqa: ANN001
    """Return a set-valued host setting (``host`` or ``host:port`` entries, lower case)."""
    return {h.lower() for h in crawler.settings.getlist(name)}


class HostGuard:
    """Refuse requests to unregistered hosts and to internal IP addresses not named explicitly."""

    def __init__(self, crawler) -> None:  # noqa: ANN001
        self.stats = crawler.stats
        self.allowed = _hosts(crawler, "GK_ALLOWED_HOSTS")
        self.explicit = _hosts(crawler, "GK_EXPLICIT_HOSTS")

    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        """Build the guard from the crawl's settings."""
        return cls(crawler)

    def process_request(self, request: Request, spider=None) -> None:  # noqa: ANN001
        """Raise IgnoreRequest for a request that must not leave this machine."""
        reason = self.refusal(request.url)
        if reason:
            self.stats.inc_value(f"gkaudit/blocked/{reason[0]}")
            log.info("拒绝请求 %s：%s", request.url, reason[1])
            raise IgnoreRequest(reason[1])

    def refusal(self, url: str) -> tuple[str, str] | None:
        """Return (kind, Chinese reason) when ``url`` must not be fetched, else None."""
        host = urlsplit(url).hostname or ""
        if not host_matches(url, self.allowed):
            return "offsite", f"主机 {host} 不在登记名单中"
        if is_ip(host) and is_internal(host) and not host_matches(url, self.explicit):
            return "private", f"{host} 是内网/本机地址，登记名单未明确列出"
        return None


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that refuses internal addresses for names not named explicitly.

    It is built once per process (before any crawler has stats), so refusals are counted in
    :attr:`refused` (name → count); the store pipeline reports them as ``gkaudit/blocked/private``.
    """

    refused: ClassVar[Counter[str]] = Counter()

    def __init__(self, reactor, cache_size: int, timeout: float, explicit: set[str]) -> None:  # noqa: ANN001
        super().__init__(reactor, cache_size, timeout)
        self.explicit = {h.split(":", 1)[0] if not h.startswith("[") else h for h in explicit}

    @classmethod
    def from_crawler(cls, crawler, reactor):  # noqa: ANN001, ANN206
        """Build the resolver (once per process, from the CrawlerProcess): explicit hosts, DNS cache, timeout."""
        size = crawler.settings.getint("DNSCACHE_SIZE") if crawler.settings.getbool("DNSCACHE_ENABLED") else 0
        explicit = _hosts(crawler, "GK_EXPLICIT_HOSTS")
        return cls(reactor, size, crawler.settings.getfloat("DNS_TIMEOUT"), explicit)

    def getHostByName(self, name: str, timeout=()):  # noqa: ANN001, ANN201, N802
        """Resolve ``name``; fail the lookup when it points at an internal address."""
        deferred = super().getHostByName(name, timeout)
        deferred.addCallback(self._check, name)
        return deferred

    def _check(self, address: str, name: str) -> str:
        """Pass ``address`` on, or raise when it is internal and ``name`` was not named explicitly."""
        if is_internal(address) and name.lower() not in self.explicit:
            log.warning("拒绝连接：%s 解析为内网/本机地址 %s", name, address)
            GuardedResolver.refused[name.lower()] += 1
            raise DNSLookupError(f"{name} 解析为内网/本机地址 {address}，登记名单未明确列出，拒绝连接")
        return address


class ConditionalRequests:
    """Make a re-fetch conditional: If-None-Match / If-Modified-Since from ``meta['validators']``."""

    def process_request(self, request: Request, spider=None) -> None:  # noqa: ANN001
        """Add the validators the spider put in the request's meta."""
        known = request.meta.get("validators") or {}
        if known.get("etag") and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = known["etag"]
        if known.get("last_modified") and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = known["last_modified"]


def _codec(name: bytes | str | None) -> str | None:
    """Return the Python codec for a declared charset (gb2312/gbk read as gb18030), or None."""
    if not name:
        return None
    text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
    try:
        codec = codecs.lookup(text).name
    except LookupError:
        return None
    return "gb18030" if codec in ("gb2312", "gbk") else codec


def _decodes(body: bytes, codec: str) -> bool:
    """Return whether ``body`` decodes strictly with ``codec``."""
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


class Charset:
    """Decode pages right: valid UTF-8 first, then the declared charset, then GB18030.

    A page declaring nothing (Scrapy would guess, wrongly for short Chinese pages) or declaring
    the wrong charset (a UTF-8 header on a GBK body) is re-decoded with the first codec that
    decodes the whole body strictly; the bytes are never changed.
    """

    def __init__(self, stats) -> None:  # noqa: ANN001
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        """Build the middleware."""
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:  # noqa: ANN001
        """Return the response with the encoding its bytes really have."""
        if not isinstance(response, TextResponse) or not response.body or response.body.isascii():
            return response
        header = _CHARSET.search(response.headers.get(b"Content-Type") or b"")
        meta = _CHARSET.search(response.body[:4096])
        declared = [_codec(m.group(1)) for m in (header, meta) if m]
        for codec in ["utf-8", *[c for c in declared if c], "gb18030"]:
            if _decodes(response.body, codec):
                break
        else:
            return response
        current = _codec(response.encoding)
        if codec != current:
            if declared and declared[0] and declared[0] != codec:
                self.stats.inc_value("gkaudit/charset_corrected")
                log.warning("%s 声明的字符集 %s 与内容不符，按 %s 解码", response.url, declared[0], codec)
            return response.replace(encoding=codec)
        return response


class WarcArchive:
    """Write every response with its request as WARC records (warcio), and count pages and bytes.

    One gzip'd WARC file per crawl process under ``GK_WARC_DIR`` (default
    ``<data>/warc``). The body is recorded as the crawler received it after transfer decoding (the
    bytes whose sha256 the store keeps), with ``WARC-IP-Address`` and ``WARC-Date``.
    """

    def __init__(self, directory: Path, stats, run: str) -> None:  # noqa: ANN001
        self.directory = directory
        self.stats = stats
        self.run = run
        self.writer: WARCWriter | None = None
        self.handle: io.BufferedWriter | None = None
        self.path: Path | None = None

    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        """Build the archive and open its file when the spider opens."""
        directory = Path(crawler.settings.get("GK_WARC_DIR") or "warc")
        run = str(crawler.settings.get("GK_CRAWL_RUN") or "0")
        mw = cls(directory, crawler.stats, run)
        crawler.signals.connect(mw.close, signal=signals.spider_closed)
        return mw

    def _open(self) -> WARCWriter:
        """Open this process's WARC file (on the first response)."""
        if self.writer is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            self.path = (
                self.directory / f"gkaudit-{stamp}-run{self.run}-{socket.gethostname()}-{os.getpid()}.warc.gz"
            )
            self.handle = open(self.path, "ab")  # noqa: SIM115  (closed on spider_closed)
            self.writer = WARCWriter(self.handle, gzip=True)
            self.stats.set_value("gkaudit/warc_file", str(self.path))
        return self.writer

    def process_response(self, request: Request, response: Response, spider=None) -> Response:  # noqa: ANN001
        """Archive the exchange; count it (robots.txt aside) as a page fetched."""
        if not urlsplit(response.url).path.endswith("/robots.txt"):
            self.stats.inc_value("gkaudit/pages")
            self.stats.inc_value("gkaudit/bytes", len(response.body))
        try:
            self.write(request, response)
        except OSError as exc:  # a full disk must not stop the crawl silently: count and log it
            self.stats.inc_value("gkaudit/warc_errors")
            log.error("WARC 写入失败：%s", exc)
        return response

    def write(self, request: Request, response: Response) -> None:
        """Write the response record and the request record concurrent to it."""
        writer = self._open()
        skip = {b"content-encoding", b"transfer-encoding", b"content-length"}
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, values in response.headers.items()
            if k.lower() not in skip
            for v in values
        ]
        headers.append(("Content-Length", str(len(response.body))))
        status = StatusAndHeaders(
            f"{response.status} {_reason(response.status)}", headers, protocol="HTTP/1.1"
        )
        digest = hashlib.sha256(response.body).digest()
        warc_headers = {
            "WARC-Payload-Digest": "sha256:" + base64.b32encode(digest).decode("ascii"),
            "WARC-Date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if response.ip_address is not None:
            warc_headers["WARC-IP-Address"] = str(response.ip_address)
        record = writer.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(response.body),
            length=len(response.body),
            http_headers=status,
            warc_headers_dict=warc_headers,
        )
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_headers = [("Host", parts.netloc)] + [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, values in request.headers.items()
            for v in values
        ]
        req_status = StatusAndHeaders(
            f"{request.method} {target} HTTP/1.1", req_headers, is_http_request=True
        )
        concurrent = {"WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID")}
        req_record = writer.create_warc_record(
            request.url,
            "request",
            payload=io.BytesIO(request.body or b""),
            length=len(request.body or b""),
            http_headers=req_status,
            warc_headers_dict=concurrent,
        )
        writer.write_record(record)
        writer.write_record(req_record)

    def close(self, spider=None) -> None:  # noqa: ANN001
        """Close the WARC file."""
        if self.handle is not None:
            self.handle.close()
            self.handle = self.writer = None


def _reason(status: int) -> str:
    """Return the reason phrase of an HTTP status."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class BackoffRetry(RetryMiddleware):
    """Scrapy's retry middleware that waits ``GK_RETRY_BACKOFF``·2ⁿ⁻¹ seconds (at most 60) before retry n."""

    def __init__(self, settings) -> None:  # noqa: ANN001
        super().__init__(settings)
        self.base = settings.getfloat("GK_RETRY_BACKOFF")

    async def process_response(self, request: Request, response: Response, spider=None):  # noqa: ANN001, ANN201
        """Retry 5xx/429 answers after a pause."""
        return await self._pause(super().process_response(request, response))

    async def process_exception(self, request: Request, exception: Exception, spider=None):  # noqa: ANN001, ANN201
        """Retry failed connections after a pause."""
        return await self._pause(super().process_exception(request, exception))

    async def _pause(self, result):  # noqa: ANN001, ANN202
        """Wait before handing back a retry request; anything else passes at once."""
        if isinstance(result, Request) and self.base > 0:
            delay = min(self.base * 2 ** (int(result.meta.get("retry_times", 1)) - 1), 60.0)
            await asyncio.sleep(delay)  # the asyncio reactor (Scrapy's default) runs this loop
        return result


class RobotsTxt(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request that waits for a host's robots.txt obeying it.

    Scrapy 2.19 lets each request that arrives while a host's robots.txt is being fetched await
    the same Deferred; the first waiter's ``asFuture`` consumes its result and every further waiter
    gets ``None`` — "no robots.txt" — so with three or more concurrent first requests to a host the
    Disallow rules were not applied (scrapy/scrapy PR #6802 dropped the relay Deferred). Each
    waiter here gets a Deferred of its own, fed from the shared one.
    """

    async def robot_parser(self, request: Request):  # noqa: ANN201
        """Return the host's parser; waiters for a robots.txt in flight each get their own Deferred."""
        parser = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(parser, Deferred):
            return await super().robot_parser(request)
        waiter: Deferred = Deferred()

        def relay(result):  # noqa: ANN001, ANN202
            waiter.callback(result)
            return result

        parser.addBoth(relay)
        return await maybe_deferred_to_future(waiter)
