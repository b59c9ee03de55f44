"""Chinese working-day arithmetic for 整改时限 (statutory holidays and 调休 from chinese-calendar).

``chinese_calendar`` knows the State Council's holiday arrangement up to the last year it has been
published for. For a later year the arrangement is not known yet; those days are counted as
Monday–Friday working days and :func:`calendar_known` says so, so a caller can flag the deadline
as provisional.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from audit.settings import get_settings

# Working days allowed to rectify, per severity (overridden by GKAUDIT_DEADLINE_DAYS).


def calendar_known(day: date) -> bool:
    """Return whether the official holiday arrangement for ``day``'s year is known."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=8192)
def is_workday(day: date) -> bool:
    """Return whether ``day`` is a working day (调休 Saturdays count; holidays do not)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start: date, days: int) -> date:
    """Return the date ``days`` working days after ``start`` (``start`` itself not counted).

    A notice dated on a Friday with a 1-working-day limit is due the next working day. ``days``
    of 0 returns ``start``.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current


def workdays_between(start: date, end: date) -> int:
    """Return how many working days lie after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_workday(current):
            count += 1
    return count


def deadline_days() -> dict[str, int]:
    """Return working days allowed per severity (setting ``GKAUDIT_DEADLINE_DAYS``)."""
    return dict(get_settings().deadline_days)


def deadline_for(severity: str, notice_date: date, days: dict[str, int] | None = None) -> date | None:
    """Return the 整改时限 for a finding of ``severity`` notified on ``notice_date`` (None: no limit)."""
    allowed = (days or deadline_days()).get(severity, 0)
    if allowed <= 0:
        return None
    return add_workdays(notice_date, allowed)
