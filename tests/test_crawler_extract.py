"""What the spider reads from pages, offline: 年报 links, pagination, attachments, 发布日期, file names.

Also the meta-test over every site profile and every spider: each yields requests offline, and the
base spider reads a list page of each CMS convention (built by the demo-portal builder).
"""

from __future__ import annotations

from datetime import date

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from audit.demo.portals import DemoDocument, DemoSite, _Entry, _list_page, _paths, _title, list_path
from crawler import extract
from crawler.profiles import PROFILES, Profile, profile_for
from crawler.spiders import SPIDERS
from crawler.spiders.reports import ReportSpider

BASE = "http://www.example.gov.cn/zwgk/nb/index.html"
P = Profile()


def test_report_links_need_a_year_and_a_report_word_and_prefer_the_longer_title() -> None:
    html = """<ul>
      <li><a href="./202401/t20240125_1.html" title="某市财政局2023年政府信息公开工作年度报告">某市财政局2023年政府信…</a>
          <span>2024-01-25</span></li>
      <li><a href="/a.html">2023年部门预算</a></li>
      <li><a href="/b.html">政府信息公开工作年度报告</a></li>
      <li><a href="javascript:void(0)" onclick="window.open('/c/nb2022.pdf')">2022年度报告</a></li>
    </ul>"""
    links = extract.report_links(html, BASE, P)
    assert [(x.url, x.year, x.listed_on) for x in links] == [
        ("http://www.example.gov.cn/zwgk/nb/202401/t20240125_1.html", 2023, date(2024, 1, 25)),
        ("http://www.example.gov.cn/c/nb2022.pdf", 2022, None),
    ]
    assert links[0].text == "某市财政局2023年政府信息公开工作年度报告"


def test_hanweb_records_in_a_datastore_script_are_links() -> None:
    html = """<div id="1"><script type="text/xml"><datastore><recordset>
      <record><![CDATA[<li><a href="/art/2024/1/25/art_1_2.html">2023年政府信息公开工作年度报告</a></li>]]></record>
    </recordset></datastore></script></div>"""
    assert [x.url for x in extract.report_links(html, BASE, P)] == [
        "http://www.example.gov.cn/art/2024/1/25/art_1_2.html"
    ]


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        (
            '<a href="index_1.html">下一页</a><a href="index_9.html">尾页</a>',
            BASE,
            ["index_1.html", "index_9.html"],
        ),
        ('<script>createPageHTML(3, 0, "index", "html");</script>', BASE, ["index_1.html", "index_2.html"]),
        ("<script>var totalPage = 3; var currentPage = 1;</script>", BASE, ["index_1.html", "index_2.html"]),
        (
            '<script>createPageHTML(99999, 0, "index", "html");</script>',
            BASE,
            [f"index_{n}.html" for n in range(1, 20)],
        ),
        ("<p>no pages</p>", BASE, []),
    ],
)
def test_pagination(html: str, url: str, expected: list[str]) -> None:
    base = url.rsplit("/", 1)[0] + "/"
    assert extract.next_pages(html, url, P) == [base + e for e in expected]


def test_attachments_by_extension_download_handler_onclick_and_iframe() -> None:
    html = """<div class="TRS_Editor"><p>附件：
      <a href="./P020240125.pdf">2023年年报.pdf</a>
      <a href="/DownLoad.aspx?id=7">年度报告（Word版）.docx</a>
      <a href="/module/download/downfile.jsp?classid=0&filename=240125.doc">下载</a>
      <a href="#" onclick="window.open('/attach/data.xls')">数据表</a>
      <a href="/other.html">其他页面</a>
      <iframe src="/view/x.ofd"></iframe></p></div>"""
    found = extract.attachments(html, BASE, P)
    names = [x.url.rsplit("/", 1)[-1] for x in found]
    assert names == [
        "P020240125.pdf",
        "DownLoad.aspx?id=7",
        "downfile.jsp?classid=0&filename=240125.doc",
        "data.xls",
        "x.ofd",
    ]
    ranked = [x.url.rsplit("/", 1)[-1] for x in extract.report_attachments(found, P)]
    assert ranked == [
        "P020240125.pdf",
        "DownLoad.aspx?id=7",
        "downfile.jsp?classid=0&filename=240125.doc",
        "x.ofd",
    ]


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        (
            '<meta name="PubDate" content="2024-01-25 09:30"><p>统计期限自2023年1月1日起</p>',
            BASE,
            date(2024, 1, 25),
        ),
        ('<meta name="firstpublishedtime" content="2024-02-03 10:00:00">', BASE, date(2024, 2, 3)),
        ('<meta name="pubDate" content="2024/02/04">', BASE, date(2024, 2, 4)),
        ("<div>发布日期：2024-01-25　来源：本局</div><p>2023年1月1日至12月31日</p>", BASE, date(2024, 1, 25)),
        ("<div>发布时间: 2024年1月5日</div>", BASE, date(2024, 1, 5)),
        ("<p>正文</p>", "http://x.gov.cn/zwgk/202401/t20240126_123.html", date(2024, 1, 26)),
        (
            '<meta name="PubDate" content="2099-01-01"><div>发布日期：2024-01-25</div>',
            BASE,
            date(2024, 1, 25),
        ),
    ],
)
def test_published_on(html: str, url: str, expected: date) -> None:
    assert (
        extract.published_on(f"<html><head>{html}</head></html>", url, P, today=date(2024, 6, 1)) == expected
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf", "年报.pdf"),
        ('attachment; filename="年报2023.doc"'.encode("gbk"), "年报2023.doc"),
        ('attachment; filename="年报2023.docx"'.encode(), "年报2023.docx"),
        (b'attachment; filename="%E5%B9%B4%E6%8A%A5.wps"', "年报.wps"),
        (b"attachment; filename=\"plain.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf", "报告.pdf"),
        (b"inline", None),
        (None, None),
    ],
)
def test_file_names_from_content_disposition(header: bytes | None, expected: str | None) -> None:
    assert extract.disposition_name(header) == expected


def test_a_report_page_has_a_long_body_with_a_table_and_a_counter_is_not_a_change() -> None:
    cover = "<div class='TRS_Editor'><p>现予公开，详见附件。</p></div>"
    body = (
        "<div class='TRS_Editor'><p>"
        + "一、总体情况。" * 300
        + "</p><table><tr><td>1</td></tr></table></div>"
    )
    assert not extract.is_report_page(cover, P)
    assert extract.is_report_page(body, P)
    one = body + "<script>count = 1;</script>"
    two = body + "<script>count = 2;</script>"
    assert (
        extract.content_hash(one) == extract.content_hash(two) != extract.content_hash(body + "<p>更正</p>")
    )


# --------------------------------------------------------------------------- meta-test over every profile


def _saved_list(style: str) -> tuple[str, str]:
    """Return (URL, HTML) of a list page of ``style`` with two reports, as the demo builder makes it."""
    site = DemoSite("某市某局", "department", "640500", style)
    entries = []
    for n, (year, day) in enumerate([(2023, date(2024, 1, 25)), (2022, date(2023, 1, 20))], start=1):
        doc = DemoDocument(year, b"", "pdf", day)
        page, link, _ = _paths(site, doc, n)
        entries.append(_Entry(doc=doc, number=n, page=page, title=_title(site, year), attachment=link))
    return "http://127.0.0.1:8000" + list_path(site), _list_page(site, entries, 0, 3, "")


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_profile_yields_requests_offline(name: str) -> None:
    site = {
        "name": "某市某局",
        "lists": ["http://127.0.0.1:8000/nb/index.html"],
        "profile": name,
        "level": "department",
    }
    spider = ReportSpider(sites=[site], known=[])
    requests = list(spider.start_requests_offline())
    assert [r.url for r in requests] == site["lists"]
    assert all(r.callback == spider.parse_list and r.meta["agency"] == "某市某局" for r in requests)
    assert PROFILES[name].description and profile_for(name).name == name


@pytest.mark.parametrize("style", ["trs", "hanweb", "gkmlpt", "generic"])
def test_the_base_spider_reads_a_list_page_of_every_cms(style: str) -> None:
    url, html = _saved_list(style)
    profile = {"trs": "trs", "hanweb": "hanweb", "gkmlpt": "gkmlpt"}.get(style, "generic")
    site = {"name": "某市某局", "lists": [url], "profile": profile, "level": "department"}
    spider = ReportSpider(sites=[site], known=[])
    spider.crawler = get_crawler()  # offline: stats only
    request = next(spider.start_requests_offline())
    response = HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8", request=request, status=200)
    out = list(spider.parse_list(response))
    pages = [r for r in out if isinstance(r, Request) and r.meta["kind"] != "list"]
    lists = [r for r in out if isinstance(r, Request) and r.meta["kind"] == "list"]
    assert sorted(r.meta["year"] for r in pages) == [2022, 2023]
    assert lists, f"{style}: the next list page is not found"


def test_every_spider_yields_requests_offline() -> None:
    site = {"name": "某市某局", "lists": ["http://127.0.0.1:8000/nb/index.html"], "level": "department"}
    arguments = {
        "reports": {"sites": [site]},
        "sitecheck": {"sites": [site]},
        "discover": {"urls": ["http://127.0.0.1:8000/"]},
    }
    assert set(arguments) == set(SPIDERS)
    for name, cls in SPIDERS.items():
        assert list(cls(**arguments[name]).start_requests_offline()), name


ROSTER = {"中卫市人民政府": [], "中卫市财政局": [], "中卫市教育局": ["教育局"], "沙坡头区财政局": []}


@pytest.mark.parametrize(
    ("text", "owner"),
    [
        ("中卫市人民政府2023年政府信息公开工作年度报告", "中卫市人民政府"),
        ("2023年政府信息公开工作年度报告", "中卫市人民政府"),  # no name: the column's agency
        ("中卫市财政局2023年政府信息公开工作年度报告", "中卫市财政局"),  # a department's report on the portal
        ("2023年度中卫市教育局政府信息公开工作年度报告（更正）", "中卫市教育局"),
        ("教育局2023年度报告", "中卫市教育局"),  # an alias
        ("财政局2023年政府信息公开工作年度报告", None),  # fits two registered agencies: nobody's
        ("市政府办公室2023年政府信息公开工作年度报告", "中卫市人民政府"),  # fits none: stays
    ],
)
def test_whose_report_a_link_is(text: str, owner: str | None) -> None:
    assert extract.owner_of(text, "中卫市人民政府", ROSTER) == owner


def test_a_shared_column_gives_each_registered_agency_its_own_reports() -> None:
    url = "http://127.0.0.1:8000/nb/index.html"
    html = (
        '<ul><li><a href="/a.html">中卫市人民政府2023年政府信息公开工作年度报告</a></li>'
        '<li><a href="/b.html">中卫市财政局2023年政府信息公开工作年度报告</a></li>'
        '<li><a href="/c.html">财政局2023年政府信息公开工作年度报告</a></li></ul>'
    )
    sites = [
        {"name": "中卫市人民政府", "lists": [url], "level": "government"},
        {"name": "中卫市财政局", "lists": ["http://127.0.0.1:8000/cz/index.html"], "level": "department"},
    ]
    spider = ReportSpider(sites=sites, known=[], roster=ROSTER)
    spider.crawler = get_crawler()
    request = next(spider.start_requests_offline())
    response = HtmlResponse(url=url, body=html.encode(), encoding="utf-8", request=request)
    pages = [
        (r.url.rsplit("/", 1)[-1], r.meta["agency"])
        for r in spider.parse_list(response)
        if isinstance(r, Request)
    ]
    assert pages == [("a.html", "中卫市人民政府"), ("b.html", "中卫市财政局")]
