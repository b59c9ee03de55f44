"""Where a generated report is published: its URL, the page's metadata and the agency's contact.

Everything here is derived from the agency and the report (a stable hash of the agency's slug),
so the same sample always gives the same addresses. URLs follow the conventions of the two CMS
styles: ``/zwgk/…/202501/t20250120_123.html`` (TRS) and ``/art/2025/1/20/art_1229_123.html``
(Hanweb), attachments beside them. Hosts and numbers are invented.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta

from audit.sample.agencies import Agency
from audit.sample.document import Draft

_ROADS = ("人民", "解放", "建设", "文化", "新华", "中山", "滨江", "府前", "迎宾", "学府")


def _stable(*parts: object) -> int:
    """Return a stable non-negative number from ``parts`` (same input, same number, every run)."""
    return zlib.crc32("|".join(map(str, parts)).encode("utf-8"))


def contact(agency: Agency) -> dict[str, str]:
    """Return the agency's address, postcode and telephone as its reports print them."""
    h = _stable(agency.slug)
    road = _ROADS[h % len(_ROADS)]
    return {
        "address": f"{agency.place}{road}路{h % 300 + 1}号",
        "postcode": f"99{h % 10000:04d}",
        "phone": f"0999-555{h % 10000:04d}",
    }


def document_url(agency: Agency, year: int, medium: str, published: date) -> str:
    """Return the invented address where the report was published (page, or attachment)."""
    article = _stable(agency.slug, year) % 900000 + 100000
    ext = {"docx": ".docx", "pdf": ".pdf"}.get(medium, ".html")
    if agency.cms == "trs":
        folder = f"http://{agency.host}/zwgk/zfxxgk/zfxxgknb/{published:%Y%m}/"
        if ext == ".html":
            return f"{folder}t{published:%Y%m%d}_{article}.html"
        return f"{folder}P0{published:%Y%m%d}{article}{ext}"
    if ext == ".html":
        return f"http://{agency.host}/art/{published.year}/{published.month}/{published.day}/art_1229_{article}.html"
    return f"http://{agency.host}/module/download/downfile.jsp?classid=0&filename={article}{ext}"


def page_facts(draft: Draft, url: str) -> dict[str, object]:
    """Return what an article page shows besides the report: metadata, neighbours, footer."""
    agency = draft.agency
    published = draft.published_on or date(draft.year + 1, 1, 20)
    h = _stable(agency.slug, draft.year)
    title = "".join(draft.title) if len(draft.title) > 1 else draft.title[0]
    site_owner = agency.office if agency.is_government else f"{agency.place}人民政府办公室"
    return {
        "title": title,
        "site": agency.site,
        "host": agency.host,
        "place": agency.place,
        "url": url,
        "site_code": f"99{_stable(agency.host) % 10**8:08d}",
        "index_no": f"{agency.region}-{h % 10**6:06d}/{published.year}-{h % 1000:05d}",
        "source": agency.name,
        "site_owner": site_owner,
        "published": published.isoformat(),
        "time": f"{9 + h % 8:02d}:{h % 60:02d}",
        "written": (published - timedelta(days=2 + h % 5)).isoformat(),
        "column_id": 1229 + h % 50,
        "article_id": h % 900000 + 100000,
        "prev_title": f"{agency.name}{draft.year - 1}年政府信息公开工作年度报告",
        "prev_url": f"/zwgk/zfxxgk/zfxxgknb/{draft.year}01/t{draft.year}0125_{h % 90000 + 10000}.html",
        "next_title": f"{agency.place}{draft.year}年法治政府建设情况报告",
        "next_url": f"/zwgk/zfxxgk/zfxxgknb/{published:%Y%m}/t{published:%Y%m%d}_{h % 80000 + 20000}.html",
        "icp": f"临ICP备{h % 10**8:08d}号",
        "police": f"临公网安备 {agency.region}{h % 10**5:05d}号",
        **contact(agency),
    }
