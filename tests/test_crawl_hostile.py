"""Hostile servers on 127.0.0.1 are contained: the crawl ends, stores nothing bad, leaves no registered host.

One server plays every trick (slow answers, a redirect loop, a huge and a lying Content-Length, a
body streamed past the size limit, an endless pagination, links and redirects to unregistered
hosts, a malformed robots.txt, a GBK page sent as UTF-8); a second one on 127.0.0.2 must never be
asked anything. Outcomes are asserted, never durations.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from crawl_support import REPORTS, crawl, sqlite_store
from sqlmodel import select

from audit.demo.portals import DemoSite, report_html
from audit.store import db as store
from audit.store import tables as m

STOP = threading.Event()


def _wrong_charset_page() -> bytes:
    """A long report page with a table, encoded GBK (sent with a UTF-8 header)."""
    site = DemoSite("某县统计局", "department", "640500", "generic", encoding="gbk")
    text = (REPORTS / "clean_dept_2023.txt").read_text(encoding="utf-8")
    return report_html(text, "某县统计局2018年政府信息公开工作年度报告", site, date(2019, 1, 25)).encode(
        "gbk", "xmlcharrefreplace"
    )


class Hostile(BaseHTTPRequestHandler):
    """Every trick of a hostile or broken government server."""

    hits: Counter = Counter()
    other = ""  # base URL of the unregistered server
    port = 0

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _send(
        self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        headers.setdefault("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802, C901
        host = self.headers.get("Host", "")
        Hostile.hits[(host.split(":")[0], self.path)] += 1
        path = self.path
        if path == "/robots.txt":
            self._send(
                200, b"\xef\xbb\xbfUser-agent *\n\x00\x00Disalow: /\n<html><body>not robots", "text/plain"
            )
        elif path in ("/list.html", "/list2.html"):
            links = [
                ("/slow.html", "2023年度报告（慢）"),
                ("/loop/a.html", "2022年度报告（循环）"),
                ("/huge.pdf", "2021年年报（声明巨大）"),
                ("/big.pdf", "2020年年报（流式超限）"),
                ("/lying.pdf", "2019年年报（长度不符）"),
                ("/wrong.html", "2018年政府信息公开工作年度报告"),
                (f"{Hostile.other}/evil.html", "2017年年报（外站）"),
                ("/redirect-out.html", "2016年年报（跳转外站）"),
                (f"http://localhost:{Hostile.port}/localhost.html", "2015年年报（主机名）"),
            ]
            body = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in links)
            self._send(200, f"<html><body><ul>{body}</ul></body></html>".encode())
        elif path == "/slow.html":
            for _ in range(300):  # up to 30 s, far beyond the download timeout
                if STOP.wait(0.1):
                    break
            self._send(200, b"<html>late</html>")
        elif path.startswith("/loop/"):
            self._send(302, Location="/loop/b.html" if path == "/loop/a.html" else "/loop/a.html")
        elif path == "/huge.pdf":
            self._send(200, b"%PDF-1.4\n", "application/pdf", Content_Length=str(10**10))
        elif path == "/big.pdf":
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.end_headers()
            chunk = b"%PDF-1.4\n" + b"0" * 65536
            for _ in range(64):  # 4 MB, no Content-Length
                try:
                    self.wfile.write(chunk)
                except OSError:
                    break
        elif path == "/lying.pdf":
            self._send(200, b"%PDF-1.4\n" + b"x" * 1000, "application/pdf", Content_Length="100000")
            self.close_connection = True
        elif path == "/wrong.html":
            self._send(200, _wrong_charset_page())
        elif path == "/redirect-out.html":
            self._send(302, Location=f"{Hostile.other}/evil2.html")
        elif path.startswith("/trap/"):
            n = int(path.rsplit("_", 1)[-1].split(".")[0]) if "_" in path else 0
            body = f'<a href="index_{n + 1}.html">下一页</a><script>createPageHTML(1000000, {n}, "index", "html");</script>'
            self._send(200, f"<html><body>{body}</body></html>".encode())
        else:
            self._send(404, b"not found")


def _serve(host: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, 0), Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, Path]]:
    for _ in sqlite_store(tmp_path, monkeypatch):
        STOP.clear()
        Hostile.hits.clear()
        main, other = _serve("127.0.0.1"), _serve("127.0.0.2")
        Hostile.port = main.server_address[1]
        Hostile.other = f"http://127.0.0.2:{other.server_address[1]}"
        base = f"http://127.0.0.1:{Hostile.port}"
        registry = tmp_path / "sites.yaml"
        registry.write_text(
            "agencies:\n"
            "  - name: 某县统计局\n    level: department\n"
            f"    lists: [{base}/list.html, {base}/trap/index.html]\n"
            "  - name: 某县审计局\n    level: department\n"
            f"    lists: [http://localhost:{Hostile.port}/list2.html]\n",  # a name resolving to loopback, not explicit
            encoding="utf-8",
        )
        try:
            yield Hostile.port, registry
        finally:
            STOP.set()
            time.sleep(0.2)
            for server in (main, other):
                server.shutdown()
                server.server_close()


def test_hostile_servers_are_contained(hostile) -> None:  # noqa: ANN001
    _, registry = hostile
    stats = crawl(registry, "-s", "DOWNLOAD_MAXSIZE=1048576", "-s", "DOWNLOAD_TIMEOUT=2")
    assert stats["status"] in ("ok", "partial"), stats  # it ended by itself, not by the time limit

    hits = Hostile.hits
    assert not [k for k in hits if k[0] == "127.0.0.2"], "an unregistered host was asked"
    assert not [k for k in hits if k[0] == "localhost"], "a name resolving to loopback was connected"
    trap = sum(n for (host, path), n in hits.items() if path.startswith("/trap/"))
    assert 1 < trap <= 20  # the endless pagination is cut at the profile's max_list_pages
    assert sum(n for (_, path), n in hits.items() if path.startswith("/loop/")) <= 8

    with store.session_scope() as session:
        docs = session.exec(select(m.Document)).all()
        states = {s.url.rsplit("/", 1)[-1]: s for s in session.exec(select(m.UrlState)).all()}
        run = session.get(m.CrawlRun, stats["run_id"])
    # only the GBK page sent as UTF-8 is a document, read with the right charset (its 发布日期)
    assert [(d.url.rsplit("/", 1)[-1], d.published_on.isoformat()) for d in docs] == [
        ("wrong.html", "2019-01-25")
    ]
    for name in ("slow.html", "huge.pdf", "big.pdf", "lying.pdf"):
        assert states[name].last_status == 0 and states[name].failures == 1, name
        assert states[name].gone_since is None and states[name].document_id is None, name
    assert run.stats.get("gkaudit/blocked/offsite", 0) >= 1  # the redirect to 127.0.0.2
    assert run.stats.get("gkaudit/blocked/private", 0) >= 1  # localhost resolves to 127.0.0.1
    assert run.stats.get("gkaudit/charset_corrected", 0) >= 1
    assert stats["errors"] >= 4


def test_a_host_named_explicitly_may_be_on_loopback(hostile, tmp_path: Path) -> None:  # noqa: ANN001
    port, _ = hostile
    registry = tmp_path / "explicit.yaml"
    registry.write_text(
        "agencies:\n  - name: 某县审计局\n    level: department\n"
        f"    lists: [http://localhost:{port}/list2.html]\n    hosts: ['localhost:{port}']\n",
        encoding="utf-8",
    )
    stats = crawl(registry, "-s", "DOWNLOAD_TIMEOUT=1")
    assert Hostile.hits[("localhost", "/list2.html")] == 1
    assert stats["blocked"] >= 1  # its links to 127.0.0.2 are still refused


def test_a_crawl_that_reaches_its_time_limit_says_so(hostile) -> None:  # noqa: ANN001
    _, registry = hostile
    stats = crawl(registry, "--time-limit", "4", "-s", "DOWNLOAD_TIMEOUT=30", code=1)
    assert stats["status"] == "timeout" and "时限" in stats["detail"]
