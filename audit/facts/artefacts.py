"""Artefact facts: what extraction or editing left in the text (FM06).

Latin-script words inside Chinese sentences, markdown markers and unfilled placeholders (XX, ××,
此处填写). Names are not artefacts: e-mail addresses, URLs, acronyms (APP, LED), capitalised or
camel-case product names, account ids after "ID：", tokens glued to digits (B2区, 5G), file formats,
units and common technical terms (``ALLOWED_LATIN``; add a word there when a real report uses it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from audit.facts.base import Fact, Family, View, register
from audit.form import SECTION_IDS, SECTION_LABELS

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_RE = re.compile(
    r"(?:https?://|www\.)[\w./?=&%#:-]+|[\w-]+(?:\.[\w-]+)*\.(?:gov|com|cn|net|org|edu)(?:\.cn)?[\w./?=&%#-]*",
    re.I,
)
_LATIN_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
ALLOWED_LATIN = frozenset(
    {
        "e-mail",
        "tel",
        "fax",
        "wi-fi",
        "mobile",
        "phone",
        "website",
        "app",
        "apps",
        "wifi",
        "wi",
        "fi",
        "web",
        "html",
        "pdf",
        "word",
        "excel",
        "wps",
        "ofd",
        "ip",
        "ipv",
        "id",
        "qq",
        "vr",
        "ar",
        "ai",
        "ppt",
        "led",
        "sms",
        "api",
        "ca",
        "gis",
        "h",
        "hotline",
        "online",
        "km",
        "kg",
        "kw",
        "kwh",
        "mb",
        "gb",
        "tb",
        "m",
        "cm",
        "mm",
        "ml",
        "mw",
        "mu",
        "no",
        "vip",
        "ic",
        "pc",
        "tv",
        "ok",
        "pm",
        "am",
        "ukey",
        "usb",
        "cpu",
        "it",
        "ems",
        "ecs",
        "saas",
        "gdp",
        "cpi",
        "ppp",
        "epc",
        "bim",
        "rcep",
        "esg",
        "cbd",
        "csr",
        "logo",
        "vlog",
        "wechat",
        "weibo",
        "tiktok",
        "http",
        "https",
        "www",
        "com",
        "cn",
        "gov",
        "org",
        "net",
        "email",
        "e",
        "mail",
        "p",
        "s",
        "android",
        "ios",
        "csv",
        "xls",
        "xlsx",
        "doc",
        "docx",
        "json",
        "xml",
        "txt",
        "zip",
        "rar",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "mp3",
        "mp4",
        "bilibili",
    }
)
# An account name after "ID：" / "账号：" ("微信公众号（ID：linhefabu）") is a name, not a stray word.
_ACCOUNT_ID_RE = re.compile(r"(?:ID|Id|id|账号|帐号|微信号|抖音号|快手号|视频号)\s*[:：(（]?\s*$")
_PLACEHOLDER_RE = re.compile(
    r"(?<![A-Za-z])(XX+|ＸＸ+|xx+)(?![A-Za-z])|××+|此处填写|待填写|请填写|【填写|\[填写|（填写|\(填写"
)
_MARKDOWN_RE = re.compile(r"\*\*|^#{1,6}\s|__[^_]+__", re.M)


@dataclass
class Found:
    """Text artefacts found in one section: Latin words, markdown markers, placeholders."""

    latin: list[str]
    markdown: list[str]
    placeholders: list[str]


def artefacts(text: str) -> Found:
    """Return the extraction/editing artefacts of a section's raw text.

    Latin words count only when they sit inside Chinese text and are not an e-mail address, a URL,
    an upper-case acronym (APP, LED, PDF), a capitalised or camel-case product name (Android,
    WeChat), an account name after "ID：", a token glued to digits (B2区, 5G) or a common
    technical term, file format or unit.
    """
    raw = unicodedata.normalize("NFKC", text or "")
    # Lines wrapped by PDF extraction can split an address ("abc@exam\nple.gov.cn"): join them first.
    joined = re.sub(r"(?<=[\w.@/:-])[ \t]*\n[ \t]*(?=[\w.@/:-])", "", raw)
    masked = _URL_RE.sub(
        lambda m: " " * len(m.group(0)), _EMAIL_RE.sub(lambda m: " " * len(m.group(0)), joined)
    )
    latin: list[str] = []
    for m in _LATIN_RE.finditer(masked):
        word = m.group(0)
        if word.isupper() or word.lower() in ALLOWED_LATIN:
            continue
        if sum(1 for c in word if c.islower()) < 2 or any(c.isupper() for c in word[1:]):
            continue  # single letters and camel-case brand names (iPhone, WeChat) are not artefacts
        if word[0].isupper():
            continue  # capitalised product names (Pro版, Kimi助手) are names; stray words are lower case
        if _ACCOUNT_ID_RE.search(masked[max(0, m.start() - 8) : m.start()]):
            continue
        before = masked[max(0, m.start() - 1) : m.start()]
        after = masked[m.end() : m.end() + 1]
        if before.isdigit() or after.isdigit() or "_" in (before, after):  # B2区, linhe_fb
            continue
        ctx = masked[max(0, m.start() - 4) : m.start()] + masked[m.end() : m.end() + 4]
        if not _CJK_RE.search(ctx):
            continue
        latin.append(word)
    markdown = [m.group(0).strip() for m in _MARKDOWN_RE.finditer(raw)]
    placeholders = [m.group(0) for m in _PLACEHOLDER_RE.finditer(masked)]
    return Found(latin, markdown, placeholders)


@register
class Artefacts(Family):
    """One fact per part of the text (preamble and each section): the artefacts found in it."""

    FACTS = {
        "artefacts": (
            "section",
            "section_label",
            "latin",
            "latin_words",
            "markdown",
            "placeholders",
            "placeholder_words",
        ),
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield an artefacts fact per non-empty part of the text."""
        for sid in ("preamble", *SECTION_IDS):
            text = v.text(sid)
            if not text:
                continue
            found = artefacts(text)
            latin = "、".join(dict.fromkeys(found.latin))
            placeholders = "、".join(dict.fromkeys(found.placeholders))
            evidence = {
                "外文词": latin,
                "Markdown标记": f"{len(found.markdown)}处" if found.markdown else "",
                "占位符": placeholders,
            }
            yield self.fact(
                "artefacts",
                sid,
                {
                    "section": sid,
                    "section_label": SECTION_LABELS[sid],
                    "latin": len(found.latin),
                    "latin_words": latin[:80],
                    "markdown": len(found.markdown),
                    "placeholders": len(found.placeholders),
                    "placeholder_words": placeholders[:40],
                },
                {k: val for k, val in evidence.items() if val},
            )
