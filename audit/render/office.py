"""The issuing office, read from ``GKAUDIT_OFFICE_*`` settings, and how a 公文 writes dates.

Settings (environment variables, all optional):

- ``GKAUDIT_OFFICE_NAME``: the issuing office printed in the 红头 and as 发文机关署名
  (default 某某省人民政府办公厅).
- ``GKAUDIT_OFFICE_UNIT``: the unit that does the work, printed in the 通报 and the dashboard
  (default 省政务公开办).
- ``GKAUDIT_OFFICE_PREFIX``: the 文号 prefix, the part before 〔YYYY〕 (default 某政公开).
- ``GKAUDIT_OFFICE_CONTACT``: 联系人 (default 政务公开办).
- ``GKAUDIT_OFFICE_PHONE``: 联系电话 (default empty: not printed).
- ``GKAUDIT_OFFICE_COPY_TO``: 抄送 in the 版记 (default empty: no 抄送 line).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

DEFAULTS = {
    "name": "某某省人民政府办公厅",
    "unit": "省政务公开办",
    "prefix": "某政公开",
    "contact": "政务公开办",
    "phone": "",
    "copy_to": "",
}


@dataclass(frozen=True)
class Office:
    """Who issues the notices: name, unit, 文号 prefix, 联系人 and 电话, 抄送."""

    name: str
    unit: str
    prefix: str
    contact: str
    phone: str
    copy_to: str


def office() -> Office:
    """Return the issuing office from ``GKAUDIT_OFFICE_*`` (see the module docstring for defaults)."""
    values = {}
    for key, default in DEFAULTS.items():
        raw = os.environ.get(f"GKAUDIT_OFFICE_{key.upper()}")
        values[key] = " ".join(raw.split()) if raw and raw.strip() else default
    return Office(**values)


_DIGITS = "〇一二三四五六七八九"


def _small_number(n: int) -> str:
    """Return 1..31 in Chinese numerals as a date writes them (十, 十二, 二十一, 三十)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


def chinese_date(day: date) -> str:
    """Return a date as a 成文日期 in Chinese numerals, e.g. 二〇二六年十二月一日."""
    year = "".join(_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"


def plain_date(day: date | None) -> str:
    """Return a date as 2026年12月1日 (Arabic numerals, no leading zeros); empty for None."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
