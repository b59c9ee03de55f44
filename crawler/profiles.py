"""Site profiles: how the 年报 column and report pages of a kind of website are read, as data.

A profile is a class whose documented class attributes are the options of the one base spider
(crawler/spiders/reports.py); every option has a default on :class:`Profile`, and a CMS profile
names only what differs (kingfisher-collect's spiders are the model). A registry entry picks a
profile with ``profile:`` and may override the attributes listed in :data:`SELECTOR_KEYS` with
``selectors:``.

To add a profile: subclass :class:`Profile` (or the closest CMS profile), set ``name``,
``description`` and the attributes that differ, add the class to :data:`PROFILES`, and add a
saved list page of that CMS to ``tests/crawler_pages.py``: the meta-test over every profile
(tests/test_crawler_profiles.py) then checks that it yields requests offline.

This module imports nothing from Scrapy: the registry validates profile names and selectors
with it without loading the crawler.
"""

from __future__ import annotations

from typing import ClassVar


class Profile:
    """The defaults of every site: a generic government CMS."""

    #: The profile's name, as written in the registry's ``profile:``.
    name: ClassVar[str] = "generic"
    #: What kind of site this profile is for (shown by ``gkaudit sites list``).
    description: ClassVar[str] = "通用政府网站（默认）"

    #: CSS selector of the part of a list page that holds the 年报 links; "" = the whole page.
    list_area: str = ""
    #: Regular expression a link's text or title must match to be a 年报 link (a year is needed too).
    report_link: str = r"年报|年度报告|年度工作报告"
    #: CSS selector of a report page's body; "" = the first of :attr:`body_candidates`, else <body>.
    body_area: str = ""
    #: CSS selectors tried in order for the body of a report page.
    body_candidates: tuple[str, ...] = (
        ".TRS_Editor",
        "#zoom",
        ".article-content",
        ".article_con",
        ".content",
        "#content",
        "article",
    )
    #: CSS selector of the element printing 发布日期 on a report page; "" = meta tags, then the text.
    date_area: str = ""
    #: Names of <meta> tags whose content is the 发布日期, in order of trust (TRS, Hanweb, 集约化平台);
    #: matched without regard to case.
    meta_date_names: tuple[str, ...] = (
        "PubDate",
        "firstpublishedtime",
        "publishdate",
        "ArticlePublishDate",
        "article:published_time",
        "dcterms.issued",
        "DC.Date",
    )
    #: Labels after which a page's text prints the 发布日期 (“发布日期：2024-01-25”).
    date_labels: tuple[str, ...] = ("发布日期", "发布时间", "发文日期", "公开日期", "生成日期", "日期")
    #: Regular expressions (year, month, day groups) of CMS URLs that carry the 发布日期 (last resort).
    url_dates: tuple[str, ...] = (
        r"/t(20\d{2})(\d{2})(\d{2})_\d+",  # TRS: t20240125_123.html
        r"/art/(20\d{2})/(\d{1,2})/(\d{1,2})/art_",  # Hanweb: /art/2024/1/25/art_…
    )
    #: Link texts of the next list page (and the last, followed only when no next link exists).
    next_page_texts: tuple[str, ...] = ("下一页", "下页", "后一页", "下一頁")
    #: Link texts of the last list page.
    last_page_texts: tuple[str, ...] = ("尾页", "末页", "最后一页")
    #: At most this many pages of one list are read (a pagination trap cannot run forever).
    max_list_pages: int = 20
    #: File extensions of attachments that are fetched (reports and their data tables).
    attachment_extensions: tuple[str, ...] = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd")
    #: Attachment kinds that can be the report itself, in order of preference.
    report_extensions: tuple[str, ...] = ("pdf", "docx", "doc", "wps", "ofd")
    #: Regular expressions of download handlers whose URL names no extension (DownLoad.aspx?id=…).
    download_urls: tuple[str, ...] = (
        r"download\.(aspx|jsp|php|do)",
        r"downfile",
        r"/download/",
        r"[?&](fileid|attachid|attid|file_id)=",
        r"getfile",
    )
    #: A report page whose body has at least this many characters and a table is the report itself.
    min_report_chars: int = 1500


class TRS(Profile):
    """TRS WCM sites: /zwgk/…/t20240125_123.html pages, createPageHTML(…) list counters."""

    name = "trs"
    description = "拓尔思 TRS WCM（t20240125_123.html，createPageHTML 分页）"
    body_area = ".TRS_Editor"


class Hanweb(Profile):
    """Hanweb (大汉) sites: /art/2024/1/25/art_…html pages, lists as <datastore> records in a script."""

    name = "hanweb"
    description = "大汉 Hanweb（/art/年/月/日/art_….html，datastore 记录与 JS 分页）"
    body_area = "#zoom"


class Gkmlpt(Profile):
    """Intensive government-site platforms (政府网站集约化平台): content/post_….html pages."""

    name = "gkmlpt"
    description = "政府网站集约化平台（content/post_….html）"
    body_area = ".article-content"


PROFILES: dict[str, type[Profile]] = {p.name: p for p in (Profile, TRS, Hanweb, Gkmlpt)}

#: The attributes a registry entry may override with ``selectors:`` (all strings).
SELECTOR_KEYS = ("list_area", "report_link", "body_area", "date_area")


def profile_for(name: str = "generic", selectors: dict[str, str] | None = None) -> Profile:
    """Return the profile called ``name`` with the registry's ``selectors`` applied."""
    profile = PROFILES[name]()
    for key, value in (selectors or {}).items():
        if key not in SELECTOR_KEYS:
            raise KeyError(key)
        setattr(profile, key, value)
    return profile
