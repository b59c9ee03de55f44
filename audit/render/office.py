"""The issuing office (the ``office_*`` settings of :mod:`audit.settings`) and how a 公文 writes dates.

The office is its name in the 红头 and as 发文机关署名, the unit that does the work (通报,
dashboard), the 文号 prefix (the part before 〔YYYY〕), 联系人 and 电话, and 抄送 in the 版记; an
empty phone or 抄送 is not printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from audit.settings import Settings, get_settings


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
    """Return the issuing office from the settings (an empty setting falls back to its default)."""
    s = get_settings()
    values = {}
    for key in ("name", "unit", "prefix", "contact", "phone", "copy_to"):
        field = f"office_{key}"
        values[key] = getattr(s, field) or (Settings.model_fields[field].default or "")
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
