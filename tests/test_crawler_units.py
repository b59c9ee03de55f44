"""The crawler's guards, decoding, archive and memory, one piece at a time (no reactor, no network)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path

import pytest
from crawl_support import sqlite  # noqa: F401  (fixture)
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from sqlmodel import select
from twisted.internet.error import DNSLookupError
from warcio.archiveiterator import ArchiveIterator

from audit.store import db as store
from audit.store import tables as m
from crawler import state
from crawler.items import ATTACHMENT, DOCUMENT, LIST, REPORT, Fetched
from crawler.middlewares import (
    Charset,
    ConditionalRequests,
    GuardedResolver,
    HostGuard,
    WarcArchive,
    is_internal,
)


@pytest.mark.parametrize(
    ("address", "internal"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.9", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("::1", True),
        ("fe80::1", True),
        ("::ffff:10.0.0.1", True),
        ("224.0.0.1", True),
        ("8.8.8.8", False),
        ("2001:4860:4860::8888", False),
    ],
)
def test_internal_addresses(address: str, internal: bool) -> None:
    assert is_internal(address) is internal


def _guard(allowed: list[str], explicit: list[str]) -> HostGuard:
    crawler = get_crawler(settings_dict={"GK_ALLOWED_HOSTS": allowed, "GK_EXPLICIT_HOSTS": explicit})
    crawler.stats = crawler._create_stats() if hasattr(crawler, "_create_stats") else crawler.stats
    return HostGuard(crawler)


def test_the_host_guard_refuses_unregistered_hosts_and_internal_addresses_not_named() -> None:
    guard = _guard(["www.example.gov.cn", "127.0.0.1:8000", "10.0.0.5"], ["127.0.0.1:8000"])
    assert guard.refusal("https://www.example.gov.cn/a.html") is None
    assert guard.refusal("http://www.example.gov.cn:8080/a.html") is None  # a host without port: any port
    assert guard.refusal("http://127.0.0.1:8000/list.html") is None  # named explicitly
    assert guard.refusal("http://127.0.0.1:8001/list.html")[0] == "offsite"  # another port is another host
    assert guard.refusal("http://evil.example.com/x.pdf")[0] == "offsite"
    assert guard.refusal("http://10.0.0.5/x.pdf")[0] == "private"  # registered, but not named explicitly
    with pytest.raises(IgnoreRequest):
        guard.process_request(Request("http://169.254.169.254/latest/meta-data/"))


def test_the_resolver_refuses_internal_answers_for_names_not_named_explicitly() -> None:
    resolver = GuardedResolver.__new__(GuardedResolver)
    resolver.explicit = {"intranet.example.gov.cn"}
    assert resolver._check("8.8.8.8", "www.example.gov.cn") == "8.8.8.8"
    assert resolver._check("10.0.0.7", "intranet.example.gov.cn") == "10.0.0.7"
    with pytest.raises(DNSLookupError):
        resolver._check("127.0.0.1", "rebinding.example.com")
    assert GuardedResolver.refused["rebinding.example.com"] >= 1


def _html(body: bytes, content_type: bytes | None) -> HtmlResponse:
    headers = {"Content-Type": content_type} if content_type else {}
    return HtmlResponse(url="http://x.gov.cn/a.html", body=body, headers=headers)


@pytest.mark.parametrize(
    ("body", "header", "expected"),
    [
        (
            "<title>年度报告</title><p>镕珺</p>".encode("gbk"),
            b"text/html; charset=utf-8",
            "gb18030",
        ),  # wrong header
        ("<title>年度报告</title>".encode(), b"text/html", "utf-8"),  # nothing declared, short page
        ("<title>年度报告</title>".encode("gbk"), b"text/html", "gb18030"),
        ('<meta charset="gbk"><title>年度报告</title>'.encode(), b"text/html", "utf-8"),  # meta lies
        ("<p>报告</p>".encode("gb2312"), b"text/html; charset=gb2312", "gb18030"),
    ],
)
def test_pages_are_decoded_with_the_charset_their_bytes_have(
    body: bytes, header: bytes, expected: str
) -> None:
    mw = Charset(get_crawler().stats)
    fixed = mw.process_response(Request("http://x.gov.cn/a.html"), _html(body, header))
    assert fixed.encoding == expected
    assert "\ufffd" not in fixed.text and fixed.body == body


def test_conditional_requests_carry_the_stored_validators() -> None:
    request = Request(
        "http://x.gov.cn/a.pdf",
        meta={"validators": {"etag": '"abc"', "last_modified": "Mon, 01 Jan 2024 00:00:00 GMT"}},
    )
    ConditionalRequests().process_request(request)
    assert request.headers[b"If-None-Match"] == b'"abc"'
    assert request.headers[b"If-Modified-Since"] == b"Mon, 01 Jan 2024 00:00:00 GMT"
    plain = Request("http://x.gov.cn/b.pdf")
    ConditionalRequests().process_request(plain)
    assert b"If-None-Match" not in plain.headers


def test_every_fetch_is_archived_as_warc_request_and_response_records(tmp_path: Path) -> None:
    crawler = get_crawler()
    archive = WarcArchive(tmp_path, crawler.stats, "7")
    body = "<html>年报</html>".encode()
    request = Request("http://127.0.0.1:8000/a.html?x=1", headers={"If-None-Match": '"e"'})
    response = HtmlResponse(
        url=request.url,
        body=body,
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
        request=request,
        ip_address=ip_address("127.0.0.1"),
    )
    assert archive.process_response(request, response) is response
    archive.close()
    (path,) = tmp_path.glob("*.warc.gz")
    with open(path, "rb") as fh:
        records = [(r, r.content_stream().read()) for r in ArchiveIterator(fh)]  # read while iterating
    assert [r.rec_type for r, _ in records] == ["response", "request"]
    (resp, content), (req, _) = records
    assert resp.rec_headers.get_header("WARC-Target-URI") == request.url
    assert resp.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert resp.rec_headers.get_header("WARC-Date")
    assert resp.http_headers.get_header("Content-Encoding") is None  # the body is kept decoded
    assert content == body
    digest = resp.rec_headers.get_header("WARC-Payload-Digest")
    assert digest == "sha256:" + base64.b32encode(hashlib.sha256(body).digest()).decode()
    assert req.http_headers.get_header("If-None-Match") == '"e"'
    assert req.rec_headers.get_header("WARC-Concurrent-To") == resp.rec_headers.get_header("WARC-Record-ID")
    assert crawler.stats.get_value("gkaudit/pages") == 1


# --------------------------------------------------------------------------- the crawler's memory


def _fetch(url: str, kind: str, status: int, body: bytes | None = None, **kw) -> Fetched:  # noqa: ANN003
    return Fetched(
        agency="某市某局",
        url=url,
        kind=kind,
        status=status,
        body=body,
        store=kind in (REPORT, DOCUMENT) and status == 200,
        year=2023,
        **kw,
    )


def _record(item: Fetched) -> str:
    with store.session_scope() as session:
        return state.record(session, item)


def test_new_unchanged_changed_and_gone(sqlite: str) -> None:  # noqa: ARG001, F811
    url = "http://x.gov.cn/nb2023.pdf"
    assert _record(_fetch(url, DOCUMENT, 200, b"%PDF-1.4 v1", etag='"1"')) == state.NEW
    assert _record(_fetch(url, DOCUMENT, 304)) == state.UNCHANGED
    assert _record(_fetch(url, DOCUMENT, 200, b"%PDF-1.4 v1", etag='"1b"')) == state.UNCHANGED  # same bytes
    assert _record(_fetch(url, DOCUMENT, 200, b"%PDF-1.4 v2", etag='"2"')) == state.CHANGED
    assert _record(_fetch(url, DOCUMENT, 404)) == state.GONE
    assert _record(_fetch(url, DOCUMENT, 404)) == state.STILL_GONE
    with store.session_scope() as session:
        row = session.exec(select(m.UrlState)).one()
        assert (row.gone_status, row.etag) == (404, '"2"')
        assert len(session.exec(select(m.Document)).all()) == 2  # both versions kept
        known = state.known_urls(session, ["某市某局"])
    assert known[0]["etag"] == '"2"' and known[0]["kind"] == DOCUMENT
    assert _record(_fetch(url, DOCUMENT, 304)) == state.UNCHANGED  # it came back
    with store.session_scope() as session:
        assert session.exec(select(m.UrlState)).one().gone_since is None


def test_a_page_whose_visible_text_is_the_same_is_not_a_new_version(sqlite: str) -> None:  # noqa: ARG001, F811
    url = "http://x.gov.cn/t20240125_1.html"
    assert (
        _record(_fetch(url, REPORT, 200, b"<html>a<script>1</script></html>", content_hash="h")) == state.NEW
    )
    assert (
        _record(_fetch(url, REPORT, 200, b"<html>a<script>2</script></html>", content_hash="h"))
        == state.UNCHANGED
    )
    assert _record(_fetch(url, REPORT, 200, b"<html>b</html>", content_hash="h2")) == state.CHANGED


def test_failures_become_gone_only_after_several_nights_of_5xx_and_lists_are_never_gone(sqlite: str) -> None:  # noqa: ARG001, F811
    url = "http://x.gov.cn/nb.pdf"
    outcomes = [_record(_fetch(url, ATTACHMENT, 503)) for _ in range(state.GONE_AFTER_FAILURES)]
    assert outcomes == [state.ERROR] * (state.GONE_AFTER_FAILURES - 1) + [state.GONE]
    timeouts = [
        _record(_fetch("http://x.gov.cn/slow.pdf", ATTACHMENT, 0, error="下载超时")) for _ in range(5)
    ]
    assert set(timeouts) == {state.ERROR}  # no answer is not an answer: failing, never gone
    assert _record(_fetch("http://x.gov.cn/nb/index.html", LIST, 404)) == state.ERROR
    with store.session_scope() as session:
        gone = {r.url for r in session.exec(select(m.UrlState)).all() if r.gone_since}
    assert gone == {url}


def test_times_are_recorded(sqlite: str) -> None:  # noqa: ARG001, F811
    item = _fetch(
        "http://x.gov.cn/a.pdf", DOCUMENT, 200, b"%PDF-1.4", fetched_at=datetime.now(UTC) - timedelta(days=1)
    )
    _record(item)
    with store.session_scope() as session:
        row = session.exec(select(m.UrlState)).one()
        doc = session.exec(select(m.Document)).one()
    assert row.last_ok_at is not None and doc.origin == "crawl" and doc.year_hint == 2023
