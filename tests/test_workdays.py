"""整改时限 in Chinese working days: statutory holidays and 调休 Saturdays."""

from __future__ import annotations

from datetime import date

import pytest

from audit.settings import SettingsError
from audit.store.workdays import (
    add_workdays,
    calendar_known,
    deadline_days,
    deadline_for,
    is_workday,
    workdays_between,
)


def test_adjusted_saturday_is_a_working_day() -> None:
    # 2026 Spring Festival: 2026-02-14 (Saturday) is a 调休 working day, 02-15…02-23 are holidays.
    assert is_workday(date(2026, 2, 14))
    assert not is_workday(date(2026, 2, 16))
    assert add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_workdays(date(2026, 2, 13), 2) == date(2026, 2, 24)


def test_national_day_week_is_skipped() -> None:
    # 2026-10-01…07 are holidays; 10-10 (Saturday) is worked.
    assert add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_twenty_working_days_from_a_notice() -> None:
    # Notice on Monday 2026-11-02: 20 working days, no holiday in between → four weeks later, Monday 11-30.
    assert add_workdays(date(2026, 11, 2), 20) == date(2026, 11, 30)
    assert add_workdays(date(2026, 11, 2), 0) == date(2026, 11, 2)
    with pytest.raises(ValueError):
        add_workdays(date(2026, 11, 2), -1)


def test_year_without_published_arrangement_counts_weekdays() -> None:
    assert not calendar_known(date(2099, 1, 5))
    assert calendar_known(date(2026, 1, 5))
    assert add_workdays(date(2099, 1, 2), 1) == date(2099, 1, 5)  # Friday → Monday


def test_deadline_days_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GKAUDIT_DEADLINE_DAYS", raising=False)
    assert deadline_days() == {"error": 20, "warning": 30, "info": 0}
    monkeypatch.setenv("GKAUDIT_DEADLINE_DAYS", "error=10, warning=15")
    assert deadline_days() == {"error": 10, "warning": 15, "info": 0}
    for bad in ("fatal=3", "error=soon"):
        monkeypatch.setenv("GKAUDIT_DEADLINE_DAYS", bad)
        with pytest.raises(SettingsError, match="GKAUDIT_DEADLINE_DAYS"):
            deadline_days()


def test_deadline_for_severity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GKAUDIT_DEADLINE_DAYS", "error=1,warning=2,info=0")
    assert deadline_for("error", date(2026, 2, 13)) == date(2026, 2, 14)
    assert deadline_for("warning", date(2026, 2, 13)) == date(2026, 2, 24)
    assert deadline_for("info", date(2026, 2, 13)) is None
