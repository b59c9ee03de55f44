"""The calendar the product lives in: Asia/Shanghai, today (or the frozen ``GKAUDIT_TODAY``), local times."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from audit.settings import get_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Return today's date in Asia/Shanghai, or the frozen ``GKAUDIT_TODAY``."""
    frozen = get_settings().today
    if frozen:
        return frozen
    return datetime.now(SHANGHAI).date()


def local_time(value: str | datetime | None) -> str:
    """Return a stored time (UTC; naive means UTC) as Asia/Shanghai ``YYYY-MM-DD HH:MM`` (empty for None)."""
    if not value:
        return ""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
