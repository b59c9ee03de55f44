"""What every command shares: exit codes, Chinese choices, validated dates and years, safe output.

Options accept Chinese and English alike (``--status 待整改`` = ``--status open``, ``--level 部门`` =
``--level department``); dates are ``YYYY-MM-DD`` and checked against the calendar (a publication
date cannot be in the future or before the report year ended); text that came from a document is
printed through :func:`out`, which escapes control characters. Importing this module costs little
(no settings, no database): ``gkaudit --help`` imports it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import click

from audit.logs import mask, safe
from audit.store import status as m
from audit.store.status import SEVERITY_NAMES, STATUS_NAMES  # noqa: F401  (re-exported for the commands)

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
FIRST_YEAR = 2008  # the first year of the 条例 (2008-05-01): no report can be older

LEVEL_NAMES = {"government": "政府", "department": "部门"}


class ZhChoice(click.ParamType):
    """A choice given in Chinese or English; the value passed on is the canonical (English) one."""

    name = "choice"

    def __init__(self, names: Mapping[str, str], aliases: Mapping[str, str] | None = None) -> None:
        self.names = dict(names)
        self.lookup = {k.lower(): k for k in names} | {v: k for k, v in names.items()}
        self.lookup |= {k: v for k, v in (aliases or {}).items()}

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        """Show the Chinese choices in usage lines."""
        return "[" + "|".join(self.names.values()) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """Return the canonical value of a Chinese or English name."""
        key = str(value).strip()
        found = self.lookup.get(key) or self.lookup.get(key.lower())
        if found is None:
            shown = "、".join(f"{zh}（{en}）" for en, zh in self.names.items())
            self.fail(f"“{value}”不是可选值，可用：{shown}", param, ctx)
        return found


STATUS = ZhChoice(STATUS_NAMES, {"未整改": m.OPEN, "逾期": m.OVERDUE, "接受": m.ACCEPTED})
LEVEL = ZhChoice(LEVEL_NAMES, {"人民政府": "government", "政府部门": "department"})


def today() -> date:
    """Return today in Asia/Shanghai (or the frozen day of the settings)."""
    from audit import clock  # the settings: not imported for ``gkaudit --help``

    return clock.today()


def local_time(value: str | datetime | None) -> str:
    """Return a stored time as Asia/Shanghai ``YYYY-MM-DD HH:MM`` (:func:`audit.clock.local_time`)."""
    from audit import clock

    return clock.local_time(value)


def parse_day(value: str | None, what: str = "日期") -> date | None:
    """Parse ``YYYY-MM-DD`` (None stays None); a bad value is a Chinese usage error."""
    if value is None:
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError as exc:
        raise click.BadParameter(f"{what}格式应为 YYYY-MM-DD：{value}") from exc


def day_option(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Click callback: a ``YYYY-MM-DD`` date."""
    return parse_day(value)


def past_day_option(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Click callback: a ``YYYY-MM-DD`` date that is not in the future (a publication or notice date)."""
    day = parse_day(value)
    if day is not None and day > today():
        raise click.BadParameter(f"日期 {day} 晚于今天（{today()}），不能是将来的日期")
    return day


def year_option(_ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    """Click callback: a report year between 2008 (the 条例) and last year."""
    if value is None:
        return None
    last = today().year
    if not FIRST_YEAR <= value <= last:
        raise click.BadParameter(f"报告年度应在 {FIRST_YEAR} 至 {last} 之间：{value}")
    return value


def check_publication(year: int | None, published_on: date | None, *, allow_early: bool = False) -> None:
    """Refuse a publication date before the report year has ended (unless a user records an anomaly)."""
    if year is None or published_on is None or allow_early:
        return
    if published_on <= date(year, 12, 31):
        raise click.BadParameter(
            f"发布日期 {published_on} 早于 {year} 年度结束，年报不可能在年度结束前发布"
            "（确需登记的，请加 --allow-early-publication）",
            param_hint="'--published-on'",
        )


def out(text: object = "", err: bool = False) -> None:
    """Print one line, control characters escaped (text from documents cannot forge lines)."""
    click.echo(safe(text), err=err)


def fail(message: str, code: int = EXIT_INPUT) -> None:
    """Print one Chinese error line (credentials masked) and exit with ``code``."""
    click.echo(f"错误：{safe(mask(message))}", err=True)
    raise SystemExit(code)


def open_store() -> None:
    """Set up the log file and bring the schema up to date before a command uses the store."""
    from audit.logs import setup_logging
    from audit.settings import get_settings
    from audit.store import db

    try:
        data = db.data_dir()
    except OSError as exc:
        fail(f"数据目录 {get_settings().data} 无法使用：{exc.strerror or exc}")
    setup_logging(data)
    try:
        db.ensure_schema()
    except Exception as exc:  # noqa: BLE001 - one line, password masked
        fail(f"无法打开数据库 {db.safe_url()}：{error_reason(exc)}", EXIT_INTERNAL)


def error_reason(exc: BaseException) -> str:
    """Return the first line of an error's own message (a database driver's, say)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_WHERE_RE = re.compile(r"第(\d+)(行|页)")


def where_printed(evidence: Mapping[str, Any]) -> str:
    """Return where a finding's evidence is printed: “第59、82行” or “第3页” (empty when unknown)."""
    places: dict[str, list[int]] = {"页": [], "行": []}
    texts = [str(k) for k in evidence if str(k).startswith("原文")]
    texts += [str(v) for v in (evidence.get("出处") or {}).values()]
    for text in texts:
        for number, unit in _WHERE_RE.findall(text):
            if int(number) not in places[unit]:
                places[unit].append(int(number))
    parts = [
        f"第{'、'.join(map(str, sorted(v)[:8]))}{'等' if len(v) > 8 else ''}{unit}"
        for unit, v in places.items()
        if v
    ]
    return "，".join(parts)


#: ``-s NAME=VALUE`` (repeatable) for the commands that start a crawl; read with :func:`setting_overrides`.
scrapy_setting_option = click.option(
    "-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="覆盖一项 Scrapy 设置（可重复）"
)


def setting_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    """Return ``NAME=VALUE`` pairs as a dict (Scrapy converts the values)."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"应为 NAME=VALUE：{pair}")
        out[name.strip()] = value.strip()
    return out
