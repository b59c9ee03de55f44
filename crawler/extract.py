"""What the spider reads from a page: 年报 links, pagination, attachments, 发布日期, file names.

Pure functions over a page's decoded HTML (parsel selectors) and a :class:`~crawler.profiles.Profile`;
no Scrapy request is made here, so each is tested offline on saved pages. Nothing here reads a
report: the crawler only finds, fetches and archives (the audit reads).

To handle a new page convention: add the pattern as a profile attribute with a default
(crawler/profiles.py), use it here, and add a saved page showing it to tests/crawler_pages.py.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from email.message import Message
from urllib.parse import unquote, urljoin, urlsplit

from htmldate import find_date
from parsel import Selector

from crawler.profiles import Profile

_YEAR = re.compile(r"(?<!\d)(20[0-4]\d)\s*年")
_ANY_YEAR = re.compile(r"(?<!\d)(20[0-4]\d)(?!\d)")
_DATE = re.compile(r"(?<!\d)(20[0-4]\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_JS_URL = re.compile(
    r"""(?:window\.open|location(?:\.href)?\s*=|download\w*|open\w*|goto\w*)\s*\(?\s*['"]([^'"]+)['"]""", re.I
)
_CDATA = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_PAGE_COUNT = re.compile(
    r"\b(?:countPage|totalPage|pageCount|page_count|totalpage|pagecount|maxPage)\s*[=:]\s*['\"]?(\d+)", re.I
)
_NUMBERED = re.compile(r"^(?P<stem>.*?/(?P<prefix>[\w-]+?))(?:_(?P<n>\d+))?\.(?P<ext>s?html?)$")
_SKIP_HREF = ("javascript:", "mailto:", "tel:", "#")
_WS = re.compile(r"\s+")
_FILENAME_STAR = re.compile(r"filename\*\s*=\s*([\w-]*)'[^']*'([^;]+)", re.I)
_HANDLER_EXTENSIONS = {"asp", "aspx", "jsp", "php", "do", "action", "cgi", "ashx", "jspx"}


@dataclass(frozen=True)
class Link:
    """A link found on a page: absolute URL, its text (or title), and what it says."""

    url: str
    text: str
    year: int | None = None
    listed_on: date | None = None  # a date printed beside the link on a list page


def absolute(base: str, href: str | None) -> str | None:
    """Return ``href`` resolved against ``base`` (http/https only), without the fragment."""
    if not href:
        return None
    href = href.strip()
    if not href or href.lower().startswith(_SKIP_HREF):
        return None
    url = urljoin(base, href).split("#", 1)[0]
    return url if urlsplit(url).scheme in ("http", "https") else None


def clean(text: str) -> str:
    """Return ``text`` with runs of whitespace (also full-width) collapsed."""
    return _WS.sub(" ", text.replace("\u3000", " ")).strip()


def report_year(text: str) -> int | None:
    """Return the report year a link text names (“2023年政府信息公开工作年度报告” → 2023)."""
    match = _YEAR.search(text) or _ANY_YEAR.search(text)
    return int(match.group(1)) if match else None


_REPORT_WORDS = re.compile(
    r"(?<!\d)20[0-4]\d\s*年度?|政府信息公开工作年度报告|政府信息公开年度报告|信息公开工作年度报告|年度工作报告|"
    r"工作年度报告|年度报告|年报|报告|[\s\u3000（）()【】\[\]《》<>“”\"'、，,.。:：_\-—…]|关于|印发|公布|发布|更正版?|附件"
)


def printed_name(text: str) -> str:
    """Return the organ name a 年报 link prints, if any (“中卫市财政局2023年…年度报告” → “中卫市财政局”)."""
    return _REPORT_WORDS.sub("", text)


def owner_of(text: str, agency: str, roster: dict[str, list[str]]) -> str | None:
    """Return which registered agency a 年报 link on ``agency``'s list belongs to; None when unclear.

    A link that prints no name, or the name (or an alias, or the name without its region prefix) of
    ``agency``, is ``agency``'s. A link printing the name of exactly one other registered agency (an
    exact name or alias first, then one that ends with the printed name, e.g. without its region) is
    that agency's (shared columns of a government portal list its departments' reports); one that
    fits several other agencies is nobody's. A name that fits no registered agency stays with
    ``agency`` (a variant the registry does not know yet).
    """
    printed = printed_name(text)
    if len(printed) < 2:
        return agency

    def fits(names: list[str]) -> bool:
        return any(
            printed == n or (len(printed) >= 3 and n.endswith(printed)) or printed.endswith(n) for n in names
        )

    exact = [name for name, names in roster.items() if printed in (name, *names)]
    matches = exact or [name for name, names in roster.items() if fits([name, *names])]
    if agency in matches or not matches:
        return agency
    return matches[0] if len(matches) == 1 else None


def parse_date(text: str) -> date | None:
    """Return the first plausible date printed in ``text`` (2024-01-25, 2024/1/25, 2024年1月25日)."""
    for match in _DATE.finditer(text):
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return None


def _anchor(a: Selector, base: str) -> tuple[str, str] | None:
    """Return (url, text) of one <a>: its href, or the URL in its onclick handler; text or a longer title."""
    text = clean(a.xpath("string(.)").get() or "")
    title = clean(a.attrib.get("title", ""))
    label = title if len(title) > len(text) else text
    url = absolute(base, a.attrib.get("href"))
    if url is None:
        js = _JS_URL.search(a.attrib.get("onclick", "") + " " + a.attrib.get("href", ""))
        url = absolute(base, js.group(1)) if js else None
    return (url, label) if url else None


def _anchors(sel: Selector, base: str) -> list[tuple[str, str]]:
    """Return (url, text) of every link under ``sel``, also those in onclick handlers."""
    return [found for a in sel.css("a") if (found := _anchor(a, base))]


def _records(html: str) -> list[Selector]:
    """Return the HTML of Hanweb ``<datastore><record><![CDATA[…]]></record>`` list records."""
    return [Selector(text=chunk) for chunk in _CDATA.findall(html)]


def report_links(html: str, base: str, profile: Profile) -> list[Link]:
    """Return the 年报 links of a list page: text or title names a 年报 and a year."""
    sel = Selector(text=html)
    areas = sel.css(profile.list_area) if profile.list_area else [sel]
    wanted = re.compile(profile.report_link)
    links: dict[str, Link] = {}
    for area in [*areas, *_records(html)]:
        for a in area.css("a"):
            found = _anchor(a, base)
            if found is None:
                continue
            url, text = found
            year = report_year(text)
            if not wanted.search(text) or year is None or url in links:
                continue
            row = a.xpath("ancestor::*[self::li or self::tr or self::dd or self::p][1]")
            beside = clean(row.xpath("string(.)").get() or "").replace(text, " ") if row else ""
            links[url] = Link(url=url, text=text, year=year, listed_on=parse_date(beside))
    return list(links.values())


def next_pages(html: str, url: str, profile: Profile) -> list[str]:
    """Return the other pages of a paginated list (下一页 links, numbered pages, JS page counters)."""
    sel = Selector(text=html)
    pages: list[str] = []
    for link, text in _anchors(sel, url):
        if text in profile.next_page_texts or text in profile.last_page_texts:
            pages.append(link)
    numbered = _NUMBERED.match(url.split("?", 1)[0])
    js = _CREATE_PAGE.search(html)
    if js:
        total, prefix, ext = int(js.group(1)), js.group(3), js.group(4)
        base = url.rsplit("/", 1)[0] + "/"
        pages += [f"{base}{prefix}_{n}.{ext}" for n in range(1, min(total, profile.max_list_pages))]
    elif numbered:
        count = _PAGE_COUNT.search(html)
        if count:
            stem, ext = numbered.group("stem"), numbered.group("ext")
            pages += [f"{stem}_{n}.{ext}" for n in range(1, min(int(count.group(1)), profile.max_list_pages))]
    return [p for p in dict.fromkeys(pages) if p != url]


def attachments(html: str, base: str, profile: Profile) -> list[Link]:
    """Return the attachment links of a page: by extension, download handler or onclick handler."""
    sel = Selector(text=html)
    handlers = re.compile("|".join(profile.download_urls), re.I)
    found: dict[str, Link] = {}
    candidates = _anchors(sel, base)
    for tag, attr in (("iframe", "src"), ("embed", "src"), ("object", "data")):
        candidates += [
            (u, "") for u in (absolute(base, v) for v in sel.css(f"{tag}::attr({attr})").getall()) if u
        ]
    for url, text in candidates:
        if url in found:
            continue
        if extension(url, text) in profile.attachment_extensions or handlers.search(url):
            found[url] = Link(url=url, text=text)
    return list(found.values())


def extension(url: str, name: str = "") -> str:
    """Return the file extension an attachment link names: its path, else a query file name or its text.

    A download handler's own extension (DownLoad.aspx, downfile.jsp) names no file kind: the file
    name in its query or the link text does, or nothing until the file is fetched.
    """
    parts = urlsplit(url)
    for candidate in (parts.path, unquote(parts.query), name):
        match = re.search(r"\.([A-Za-z0-9]{2,5})(?:$|[&\s)）])", candidate.strip())
        if match and match.group(1).lower() not in _HANDLER_EXTENSIONS:
            return match.group(1).lower()
    return ""


def report_attachments(found: list[Link], profile: Profile) -> list[Link]:
    """Return the attachments that can be the report itself, most likely first.

    Links naming a 年报 come first, then by the profile's preferred kinds; download handlers whose
    kind is unknown until fetched come last.
    """
    naming = re.compile(profile.report_link + "|报告")
    ranked = []
    for link in found:
        ext = extension(link.url, link.text)
        if ext and ext not in profile.report_extensions:
            continue
        order = profile.report_extensions.index(ext) if ext else len(profile.report_extensions)
        ranked.append((0 if naming.search(link.text + unquote(link.url)) else 1, order, link))
    return [link for _, _, link in sorted(ranked, key=lambda r: (r[0], r[1]))]


def _text_of(sel: Selector) -> str:
    """Return the visible text of ``sel`` (scripts, styles and comments left out)."""
    parts = sel.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    return clean(" ".join(parts))


def body(html: str, profile: Profile) -> tuple[str, bool]:
    """Return a report page's body text and whether the body holds a table."""
    sel = Selector(text=html)
    for css in ([profile.body_area] if profile.body_area else []) + list(profile.body_candidates):
        found = sel.css(css)
        if found and len(_text_of(found[0])) > 50:
            return _text_of(found[0]), bool(found[0].css("table"))
    whole = sel.css("body") or [sel]
    return _text_of(whole[0]), bool(whole[0].css("table"))


def is_report_page(html: str, profile: Profile) -> bool:
    """Return whether a page's body is the report itself (long text with a table), not a cover page."""
    text, table = body(html, profile)
    return table and len(text) >= profile.min_report_chars


def content_hash(html: str) -> str:
    """Return the sha256 of a page's visible text: a counter or script change is not a new version."""
    return hashlib.sha256(_text_of(Selector(text=html)).encode("utf-8")).hexdigest()


def published_on(html: str, url: str, profile: Profile, today: date | None = None) -> date | None:
    """Return a report page's 发布日期: CMS meta tags, the date element, a labelled date, htmldate, the URL."""
    sel = Selector(text=html)
    today = today or date.today()

    def plausible(found: date | None) -> date | None:
        return found if found is not None and date(2000, 1, 1) <= found <= today else None

    metas: dict[str, list[str]] = {}  # meta names are matched case-insensitively (PubDate, pubdate, pubDate)
    for meta in sel.xpath("//meta"):
        key = (meta.attrib.get("name") or meta.attrib.get("property") or "").lower()
        metas.setdefault(key, []).append(meta.attrib.get("content", ""))
    for name in dict.fromkeys(n.lower() for n in profile.meta_date_names):
        for content in metas.get(name, []):
            if found := plausible(parse_date(content)):
                return found
    if profile.date_area:
        if found := plausible(
            parse_date(clean(" ".join(sel.css(profile.date_area).xpath(".//text()").getall())))
        ):
            return found
    text = _text_of(sel)
    for label in profile.date_labels:
        for match in re.finditer(re.escape(label) + r"\s*[:：]\s*", text):
            if found := plausible(parse_date(text[match.end() : match.end() + 24])):
                return found
    guess = find_date(html, url=url, extensive_search=False, original_date=True)
    if guess and (found := plausible(date.fromisoformat(guess))):
        return found
    for pattern in profile.url_dates:
        match = re.search(pattern, url)
        if match:
            try:
                return plausible(date(*(int(g) for g in match.groups())))
            except ValueError:
                continue
    return None


def disposition_name(raw: bytes | str | None) -> str | None:
    """Return the file name of a Content-Disposition header (RFC 5987 ``filename*=``, GBK or UTF-8 bytes)."""
    if not raw:
        return None
    if isinstance(raw, bytes):
        for encoding in ("utf-8", "gb18030", "latin-1"):
            try:
                raw = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    star = _FILENAME_STAR.search(raw)
    if star:  # RFC 6266: filename*= (RFC 5987, charset'lang'percent-encoded) wins over filename=
        try:
            return (
                unquote(star.group(2).strip().strip('"'), encoding=star.group(1) or "utf-8", errors="strict")
                or None
            )
        except (LookupError, UnicodeDecodeError):
            pass
    msg = Message()
    msg["content-disposition"] = str(raw)
    name = msg.get_filename()
    if not name:
        return None
    if "%" in name:
        try:
            name = unquote(name, errors="strict")
        except UnicodeDecodeError:
            name = unquote(name, encoding="gb18030", errors="replace")
    return name.strip().strip('"') or None
