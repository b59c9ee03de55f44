"""The demo portals' builder: agency websites in the conventions of common government CMSs.

:func:`build` writes one static site per :class:`DemoSite` under a root directory: a 年报 column
(list pages with pagination) and one page per report, in the URL and page conventions of the
site's ``style``:

- ``trs``     TRS WCM: ``/zwgk/zfxxgknb/index.html``, createPageHTML pagination,
              ``/zwgk/zfxxgknb/202403/t20240325_1001.html``, ``<meta name="PubDate">``, attachments
              linked directly (``./P020240325….pdf``);
- ``hanweb``  Hanweb: ``/col/col1234/index.html`` with the records in a ``<datastore>`` script and a
              JS page counter, ``/art/2024/1/25/art_1234_1001.html``, 发布日期 only in the body
              text, attachments through ``/module/download/downfile.jsp?…&filename=….pdf``;
- ``gkmlpt``  集约化平台: ``/gkmlpt/nb/index.html`` with 下一页 links,
              ``/gkmlpt/content/0/1001/post_1001.html``, ``<meta name="firstpublishedtime">``,
              attachments through ``/DownLoad.aspx?id=…`` named by ``filename*=`` (RFC 5987);
- ``generic`` a plain site: ``/xxgk/nb/index.html``, ``/xxgk/nb/1001.html``, attachments in
              ``onclick="window.open('…')"`` named by a GBK ``filename=`` header.

A report is a page (``text`` rendered as an HTML report, or ``html`` served as it is) or an
attachment (``pdf``, ``docx``, ``doc``). Planted cases: ``broken`` (the attachment link answers
404), ``corrected`` (other bytes served from night 2 on, same URL), a ``printed_name`` without the
region prefix, and whatever dates and missing years the documents give. Every site has a
robots.txt disallowing ``/search/``; the first site's list links a 年报 under ``/search/`` and one
on an unregistered host, which a crawler must never request.

:data:`FILES` beside a site's pages says how :mod:`audit.demo.server` serves each file
(content type, download name, Last-Modified).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote

STYLES = ("trs", "hanweb", "gkmlpt", "generic")
FILES = "_files.json"
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
}


@dataclass
class DemoDocument:
    """One report of a demo agency: its bytes, kind and 发布日期, and what is planted on it."""

    year: int
    data: bytes
    kind: str  # text | html | pdf | docx | doc
    published_on: date
    broken: bool = False  # the attachment link answers 404
    corrected: bytes | None = None  # served instead of ``data`` from night 2 on
    corrected_on: date | None = None


@dataclass
class DemoSite:
    """One demo agency website: the agency as registered, its CMS style and its reports."""

    agency: str
    level: str
    region: str
    style: str
    documents: list[DemoDocument] = field(default_factory=list)
    encoding: str = "utf-8"
    printed_name: str | None = None  # the name the site prints, when it differs (no region prefix)
    slug: str = ""

    @property
    def shown(self) -> str:
        """Return the agency name as the site prints it."""
        return self.printed_name or self.agency


@dataclass
class _Entry:
    """One report as placed on a site: its page path, attachment path and list line."""

    doc: DemoDocument
    number: int
    page: str
    title: str
    attachment: str | None = None  # path the page links (None: the page is the report)
    file: str | None = None  # where the attachment's bytes are stored under the site


def _title(site: DemoSite, year: int) -> str:
    """Return a report's title as the site prints it."""
    return f"{site.shown}{year}年政府信息公开工作年度报告"


def _paths(site: DemoSite, doc: DemoDocument, n: int) -> tuple[str, str | None, str | None]:
    """Return (page path, attachment link, stored file path) of a report in the site's style."""
    d = doc.published_on
    ext = doc.kind
    attached = doc.kind in MIME
    if site.style == "trs":
        page = f"/zwgk/zfxxgknb/{d:%Y%m}/t{d:%Y%m%d}_{n}.html"
        link = f"./P0{d:%Y%m%d}{n}.{ext}"
        return page, link if attached else None, f"/zwgk/zfxxgknb/{d:%Y%m}/P0{d:%Y%m%d}{n}.{ext}"
    if site.style == "hanweb":
        page = f"/art/{d.year}/{d.month}/{d.day}/art_1234_{n}.html"
        link = f"/module/download/downfile.jsp?classid=0&filename={d:%y%m%d}{n}.{ext}"
        return page, link if attached else None, f"/_download/{d:%y%m%d}{n}.{ext}"
    if site.style == "gkmlpt":
        page = f"/gkmlpt/content/0/{n}/post_{n}.html"
        return page, f"/DownLoad.aspx?id={n}" if attached else None, f"/_download/{n}"
    page = f"/xxgk/nb/{n}.html"
    return page, f"/attach/nb{doc.year}_{n}.{ext}" if attached else None, f"/attach/nb{doc.year}_{n}.{ext}"


def report_html(text: str, title: str, site: DemoSite, day: date) -> str:
    """Return a report page whose body is the report: text lines as paragraphs, tab rows as tables."""
    parts: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
            parts.append(f'<table border="1">{body}</table>')
            rows.clear()

    for line in text.splitlines():
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        flush()
        if line.strip():
            parts.append(f"<p>{html.escape(line.strip())}</p>")
    flush()
    return _page(site, title, day, "\n".join(parts))


def _page(site: DemoSite, title: str, day: date, body: str) -> str:
    """Return a report page (report body or cover with an attachment link) in the site's style."""
    meta = ""
    if site.style == "trs":
        meta = f'<meta name="PubDate" content="{day:%Y-%m-%d} 09:30">'
    elif site.style == "gkmlpt":
        meta = f'<meta name="firstpublishedtime" content="{day:%Y-%m-%d} 10:00:00">'
    box = {"trs": "TRS_Editor", "hanweb": "zoom", "gkmlpt": "article-content"}.get(site.style, "content")
    attr = "id" if site.style == "hanweb" else "class"
    return (
        f'<!DOCTYPE html><html><head><meta charset="{site.encoding}"><title>{html.escape(title)}</title>{meta}'
        f'</head><body><div class="header">{html.escape(site.shown)}</div>'
        f'<h1>{html.escape(title)}</h1><div class="info">发布日期：{day:%Y-%m-%d}　来源：{html.escape(site.shown)}</div>'
        f'<div {attr}="{box}">{body}</div><div class="footer">访问量：<span id="count"></span>'
        "<script>document.getElementById('count').textContent = Math.random();</script></div></body></html>"
    )


def _cover(site: DemoSite, entry: _Entry, day: date) -> str:
    """Return a cover page whose report is its attachment, linked in the site's way."""
    name = f"{entry.title}.{entry.doc.kind}"
    if site.style == "generic":
        link = f'<a href="javascript:void(0)" onclick="window.open(\'{entry.attachment}\')">{html.escape(name)}</a>'
    else:
        link = f'<a href="{entry.attachment}">{html.escape(name)}</a>'
    return _page(
        site,
        entry.title,
        day,
        f"<p>现将{html.escape(entry.title)}予以公开，详见附件。</p><p>附件：{link}</p>",
    )


def _list_page(site: DemoSite, entries: list[_Entry], page: int, pages: int, extra: str) -> str:
    """Return one page of the 年报 column in the site's style, with its pagination."""
    items = "".join(
        f'<li><a href="{e.page}" title="{html.escape(e.title)}">{html.escape(e.title[:18])}…</a>'
        f"<span>{e.doc.published_on:%Y-%m-%d}</span></li>"
        for e in entries
    )
    if site.style == "hanweb":
        records = "".join(f"<record><![CDATA[{r}]]></record>" for r in re.findall(r"<li>.*?</li>", items))
        listing = (
            f'<div id="1234"><script type="text/xml"><datastore><recordset>{records}</recordset></datastore>'
            f"</script></div><script>var totalPage = {pages}; var currentPage = {page + 1};</script>"
        )
    else:
        listing = f'<ul class="list">{items}{extra}</ul>'
    nav = ""
    if site.style == "trs":
        nav = f'<script>createPageHTML({pages}, {page}, "index", "html");</script>'
    elif site.style in ("gkmlpt", "generic") and page + 1 < pages:
        nav = f'<div class="page"><a href="index_{page + 1}.html">下一页</a><a href="index_{pages - 1}.html">尾页</a></div>'
    title = f"{site.shown} 政府信息公开年报"
    return (
        f'<!DOCTYPE html><html><head><meta charset="{site.encoding}"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{listing}{nav}</body></html>"
    )


def _home_pages(site: DemoSite) -> dict[str, str]:
    """Return the home page and the 信息公开 page leading to the 年报 column (what ``sites discover`` walks)."""

    def page(title: str, links: list[tuple[str, str]]) -> str:
        items = "".join(f'<li><a href="{href}">{html.escape(text)}</a></li>' for href, text in links)
        return (
            f'<!DOCTYPE html><html><head><meta charset="{site.encoding}"><title>{html.escape(title)}</title></head>'
            f"<body><ul>{items}</ul></body></html>"
        )

    return {
        "/index.html": page(
            site.shown, [("/news/index.html", "新闻动态"), ("/gk/index.html", "政府信息公开")]
        ),
        "/gk/index.html": page(
            f"{site.shown} 政府信息公开",
            [
                ("/gk/guide.html", "政府信息公开指南"),
                (list_path(site), "政府信息公开年报"),
                ("/gk/rules.html", "法定主动公开内容"),
            ],
        ),
    }


def list_path(site: DemoSite) -> str:
    """Return the path of the first page of a site's 年报 column."""
    return {
        "trs": "/zwgk/zfxxgknb/index.html",
        "hanweb": "/col/col1234/index.html",
        "gkmlpt": "/gkmlpt/nb/index.html",
    }.get(site.style, "/xxgk/nb/index.html")


def build(sites: list[DemoSite], root: Path, *, night: int = 1, per_page: int = 1) -> None:
    """Write every site under ``root/<slug>/`` as it stands on ``night`` (1: first publication)."""
    for i, site in enumerate(sites):
        site.slug = site.slug or f"site{i + 1}"
        _build_site(site, root / site.slug, night=night, per_page=per_page, first=i == 0)


def _build_site(site: DemoSite, base: Path, *, night: int, per_page: int, first: bool) -> None:
    """Write one site's pages, attachments and file table."""
    files: dict[str, dict] = {}
    entries: list[_Entry] = []
    for n, doc in enumerate(sorted(site.documents, key=lambda d: d.published_on, reverse=True), start=1001):
        page, link, stored = _paths(site, doc, n)
        entries.append(
            _Entry(doc=doc, number=n, page=page, title=_title(site, doc.year), attachment=link, file=stored)
        )
    for e in entries:
        data = e.doc.corrected if night >= 2 and e.doc.corrected is not None else e.doc.data
        day = e.doc.corrected_on if night >= 2 and e.doc.corrected_on else e.doc.published_on
        if e.attachment is None:
            text = data.decode("utf-8") if e.doc.kind == "text" else None
            page = (
                report_html(text, e.title, site, e.doc.published_on)
                if text is not None
                else data.decode("utf-8")
            )
            _write(base, e.page, page.encode(site.encoding, "xmlcharrefreplace"), files, day, "text/html")
            continue
        _write(
            base,
            e.page,
            _cover(site, e, e.doc.published_on).encode(site.encoding),
            files,
            e.doc.published_on,
            "text/html",
        )
        if not e.doc.broken:
            name = f"{e.title}.{e.doc.kind}"
            _write(base, e.file or "", data, files, day, MIME[e.doc.kind], name=name, style=site.style)
    pages = max(1, -(-len(entries) // per_page))
    extra = ""
    if first:
        extra = (
            '<li><a href="/search/t20240101_9.html">检索：2023年政府信息公开工作年度报告</a></li>'
            '<li><a href="http://www.gov.cn/zhengce/2023nb.html">国务院2023年政府信息公开工作年度报告</a></li>'
        )
    newest = max((e.doc.published_on for e in entries), default=date(2024, 1, 1))
    for p in range(pages):
        path = list_path(site) if p == 0 else list_path(site).replace("index.html", f"index_{p}.html")
        chunk = entries[p * per_page : (p + 1) * per_page]
        _write(
            base,
            path,
            _list_page(site, chunk, p, pages, extra if p == 0 else "").encode(site.encoding),
            files,
            newest,
            "text/html",
        )
    _write(base, "/robots.txt", b"User-agent: *\nDisallow: /search/\n", files, newest, "text/plain")
    for path, page in _home_pages(site).items():
        _write(base, path, page.encode(site.encoding), files, newest, "text/html")
    (base / FILES).write_text(json.dumps(files, ensure_ascii=False, indent=1), encoding="utf-8")


def _write(
    base: Path,
    path: str,
    data: bytes,
    files: dict[str, dict],
    day: date,
    mime: str,
    *,
    name: str | None = None,
    style: str | None = None,
) -> None:
    """Write one file of a site and how it is served (type, charset, download name, date)."""
    target = base / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    entry: dict = {"type": mime, "date": day.isoformat()}
    if name:
        if style == "gkmlpt":
            entry["disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        elif style == "generic":
            entry["disposition_gbk"] = name  # raw GBK bytes in filename="…", as old IIS sites send
    files[path] = entry
