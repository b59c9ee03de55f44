"""Serve the demo portals on 127.0.0.1: one port per site, conditional GET, download handlers.

Each site of :mod:`audit.demo.portals` is served by its own threaded HTTP server on
127.0.0.1 (port 0 picks free ports), from its directory under the root. Every answer carries an
ETag (the content's sha256) and a Last-Modified (the date in the site's file table), and a
conditional request for an unchanged file gets 304. ``/DownLoad.aspx?id=N`` and
``/module/download/downfile.jsp?filename=F`` are served from ``/_download/``. Every request is
counted in :attr:`Portals.hits` (tests assert on it).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from audit.demo.portals import FILES, DemoSite


class _Handler(BaseHTTPRequestHandler):
    """Serve one site's files (the server carries the site's root and file table)."""

    server: _SiteServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep the console quiet; requests are counted instead."""

    def _resolve(self) -> str:
        """Return the stored path a request names (download handlers mapped to /_download/)."""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path.lower() == "/download.aspx" and query.get("id"):
            return f"/_download/{query['id'][0]}"
        if parts.path.endswith("/downfile.jsp") and query.get("filename"):
            return f"/_download/{query['filename'][0]}"
        return "/index.html" if parts.path == "/" else unquote(parts.path)

    def do_GET(self) -> None:  # noqa: N802
        """Answer a GET: 404, 304 or the file with its validators."""
        site = self.server
        site.portals.hits[(site.slug, self.path)] += 1
        path = self._resolve()
        info = site.files().get(path)
        target = (site.root / path.lstrip("/")).resolve()
        if info is None or not target.is_file() or site.root not in target.parents:
            self.send_error(404, "Not Found")
            return
        data = target.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        modified = datetime.fromisoformat(info["date"]).replace(tzinfo=UTC)
        if self._not_modified(etag, modified):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        mime = info["type"]
        if mime.startswith("text/"):
            mime += f"; charset={site.encoding.upper() if site.encoding != 'utf-8' else 'utf-8'}"
        site.portals.served[(site.slug, self.path)] += 1
        self.send_response(200)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", format_datetime(modified, usegmt=True))
        if "disposition" in info:
            self.send_header("Content-Disposition", info["disposition"])
        elif "disposition_gbk" in info:
            raw = info["disposition_gbk"].encode("gbk")
            self.send_header("Content-Disposition", 'attachment; filename="' + raw.decode("latin-1") + '"')
        self.end_headers()
        self.wfile.write(data)

    def _not_modified(self, etag: str, modified: datetime) -> bool:
        """Return whether the client's validators still match (If-None-Match wins)."""
        match = self.headers.get("If-None-Match")
        if match is not None:
            return etag in [m.strip() for m in match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return modified <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False


class _SiteServer(ThreadingHTTPServer):
    """The HTTP server of one demo site."""

    daemon_threads = True

    def __init__(self, portals: Portals, site: DemoSite, root: Path, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.portals, self.slug, self.encoding = portals, site.slug, site.encoding
        self.root = root.resolve()

    def files(self) -> dict[str, dict]:
        """Return the site's file table (read on each request: a rebuild takes effect at once)."""
        return json.loads((self.root / FILES).read_text(encoding="utf-8"))


class Portals:
    """The running demo portals: one server per site, their base URLs, and the requests they saw."""

    def __init__(self, sites: list[DemoSite], root: Path, ports: list[int] | None = None) -> None:
        self.hits: Counter[tuple[str, str]] = Counter()  # every request
        self.served: Counter[tuple[str, str]] = Counter()  # requests answered with a body (200)
        self.servers = [
            _SiteServer(self, site, root / site.slug, (ports or [])[i] if ports else 0)
            for i, site in enumerate(sites)
        ]
        self.threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in self.servers]
        for thread in self.threads:
            thread.start()

    def base(self, slug: str) -> str:
        """Return the base URL (``http://127.0.0.1:PORT``) of a site."""
        server = next(s for s in self.servers if s.slug == slug)
        return f"http://127.0.0.1:{server.server_address[1]}"

    def close(self) -> None:
        """Stop every server."""
        for server in self.servers:
            server.shutdown()
            server.server_close()
