"""Organs: the level of an administrative organ, its 规章 power and its publication deadline.

Each question has one answer here, used by the parser, the facts, the store and the crawler
registry alike:

- :func:`organ_level` reads the level from a name: ``government`` for a 县级以上人民政府 reporting
  for itself, ``department`` for its departments, offices, 乡镇 and 街道 (spec/rules.md: “everything
  else”), ``None`` when the name does not say (a 管委会 may report as either; a name with no organ
  word at all).
- :func:`effective_level` is the level the audit uses: a declared one (registry, ``--level``,
  ``ingest --level``) wins over the name; ``None`` stays unknown.
- :func:`publication_deadline` is the statutory deadline (条例 第四十九条), or an earlier local one.
  An organ of unknown level gets the later statutory date (3-31), so that no report is called late
  or missing on a guess.
- :func:`may_make_rules` says whether the organ may make 规章 (立法法), with the reason.

To add an organ pattern: extend the regular expressions below and add a case to
tests/test_organs.py; every caller follows.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

Level = Literal["government", "department"]
LEVELS: tuple[Level, ...] = ("government", "department")
LEVEL_LABEL = {"government": "人民政府", "department": "政府部门（含政府办公室）"}

_SPACES_RE = re.compile(r"[\s\u3000]+")
# 乡镇人民政府 and 街道 report as departments (spec/rules.md; DL-1); 县级以上人民政府 as governments.
_TOWNSHIP_GOV_RE = re.compile(r"(乡|镇|苏木)人民政府$")
_GOVERNMENT_RE = re.compile(r"(人民政府|行政公署)$")
# Names that are departments: offices, bureaus, commissions, 街道办事处 …
_DEPARTMENT_RE = re.compile(
    r"(办公室|办公厅|局|委员会|委|厅|部|署|院|中心|街道办事处|办事处|街道|所|队|站|处|馆|社|会|行|公司)$"
)
# A 管委会 (development zone, new area) reports as a government in some places and as a department
# in others: only the registry can say.
_AMBIGUOUS_RE = re.compile(r"(管委会|管理委员会|管委)$")

_PROVINCIAL_RE = re.compile(r"(省|自治区|北京市|天津市|上海市|重庆市)人民政府$")
_COUNTY_RE = re.compile(r"(区|县|旗|镇|乡|街道|苏木|林区|特区)人民政府$")
_CITY_RE = re.compile(r"(市|州|盟|地区)人民政府$")
_STATE_DEPT_RE = re.compile(r"^(国务院|中华人民共和国)?[^省市县区州旗镇乡]{2,12}(部|委员会|总局|署|银行|局)$")


def _clean(name: str | None) -> str:
    """Return the name without spaces (as printed names often carry them)."""
    return _SPACES_RE.sub("", name or "")


def organ_level(name: str | None) -> Level | None:
    """Return the organ level read from its name, or ``None`` when the name does not say."""
    n = _clean(name)
    if not n or _AMBIGUOUS_RE.search(n):
        return None
    if _GOVERNMENT_RE.search(n):
        return "department" if _TOWNSHIP_GOV_RE.search(n) else "government"
    if _DEPARTMENT_RE.search(n):
        return "department"
    return None


def effective_level(declared: str | None, name: str | None) -> Level | None:
    """Return the level the audit uses: the declared one when valid, else the one the name gives."""
    if declared in LEVELS:
        return declared  # type: ignore[return-value]
    return organ_level(name)


def statutory_deadline(level: str | None, year: int) -> date:
    """Return the 条例 第四十九条 deadline for the report of ``year`` (3-31 when the level is unknown)."""
    if level == "department":
        return date(year + 1, 1, 31)
    return date(year + 1, 3, 31)


def publication_deadline(level: str | None, year: int, local: date | None = None) -> date:
    """Return the deadline for publishing the report of ``year``: the statutory or an earlier local one."""
    deadline = statutory_deadline(level, year)
    if local is not None and local < deadline:
        return local
    return deadline


def may_make_rules(agency: str | None, level: str | None) -> tuple[bool | None, str]:
    """Return whether the organ may make 规章 (立法法: 国务院部门, 省级 and 设区的市/自治州 政府) and why.

    Decided by the agency name: 省/自治区/直辖市 and 市/州/盟 人民政府 may; 区/县/乡/镇/街道 人民政府
    and local departments (including 政府办公室) may not. A 市人民政府 whose name nests a second 市
    (a county-level city inside a prefecture) may not. ``None`` when the name is unknown.
    """
    name = _clean(agency)
    if not name:
        return None, "机关名称不明"
    if _PROVINCIAL_RE.search(name):
        return True, "省级人民政府"
    if _COUNTY_RE.search(name):
        return False, "县级及以下人民政府"
    if _CITY_RE.search(name):
        if name.count("市") >= 2:
            return False, "县级市人民政府"
        return True, "设区的市（自治州）人民政府"
    office = re.sub(r"(办公室|办公厅)$", "", name)
    if office != name and office.endswith("人民政府"):
        parent, _why = may_make_rules(office, "government")
        if parent:
            return True, "可制定规章的人民政府的办公室（公开本级政府规章）"
        return False, "县级及以下人民政府的办公室"
    if level == "department" and _STATE_DEPT_RE.match(name) and not re.search(r"(省|市|县|区|州|旗)", name):
        return True, "国务院部门"
    return False, "地方政府部门"


# Names of regions a printed name may carry before the organ's own place (淮安市洪泽区 → 洪泽区).
_REGION_PREFIX_RE = re.compile(
    r"^(?:[\u4e00-\u9fff]{1,10}?(?:省|自治区|特别行政区|市|自治州|州|盟|地区|区|县|旗))"
)
_PLACE_IN_NAME_RE = re.compile(
    r"[\u4e00-\u9fff]{1,12}?(?:省|自治区|市|自治州|州|盟|地区|区|县|旗|镇|乡|街道)"
)


def name_key(name: str | None) -> str:
    """Return a name for comparison: full/half width, spaces, quotes and brackets folded; 政府 → 人民政府."""
    import unicodedata

    s = unicodedata.normalize("NFKC", name or "")
    s = re.sub(r"[\s\u3000“”\"'‘’《》()（）【】\[\]·・]", "", s)
    if s.endswith("政府") and not s.endswith("人民政府"):
        s = s[: -len("政府")] + "人民政府"
    return s


def same_organ(a: str | None, b: str | None) -> bool:
    """Return True when two printed names are the same organ.

    Equal once folded (:func:`name_key`), or one is the other with its parent regions printed
    before it (淮安市洪泽区人民政府 / 洪泽区人民政府) — but only when the shorter one still names a
    place of its own: 教育局 and 淮安市教育局 are not taken for the same organ.
    """
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long = sorted((ka, kb), key=len)
    if not long.endswith(short) or not _PLACE_IN_NAME_RE.match(short):
        return False
    prefix = long[: -len(short)]
    while prefix:
        m = _REGION_PREFIX_RE.match(prefix)
        if not m:
            return False
        prefix = prefix[m.end() :]
    return True
