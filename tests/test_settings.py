"""Settings: environment, TOML file, defaults; a bad value is one Chinese line naming the setting."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import main
from audit.settings import SettingsError, get_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("GKAUDIT_TODAY", "GKAUDIT_DEADLINE_DAYS", "GKAUDIT_DATA", "GKAUDIT_CONFIG", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    s = get_settings()
    assert s.data == Path("data") and s.database_url is None and s.today is None
    assert s.deadline_days == {"error": 20, "warning": 30, "info": 0}


def test_toml_file_and_environment_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "gkaudit.toml").write_text('today = "2026-03-01"\ndata = "store"\n', encoding="utf-8")
    assert get_settings().today == date(2026, 3, 1) and get_settings().data == Path("store")
    monkeypatch.setenv("GKAUDIT_TODAY", "2026-04-02")
    assert get_settings().today == date(2026, 4, 2)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GKAUDIT_TODAY", "2026/12/01"),
        ("GKAUDIT_TODAY", "明天"),
        ("GKAUDIT_DEADLINE_DAYS", "error=abc"),
        ("GKAUDIT_DOC_CONVERTER", "word"),
    ],
)
def test_bad_value_is_one_chinese_line(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        get_settings()
    result = CliRunner().invoke(main, ["findings"])
    assert result.exit_code == 2
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and name in lines[0] and "无效" in lines[0]


def test_unreadable_toml_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("today = [", encoding="utf-8")
    monkeypatch.setenv("GKAUDIT_CONFIG", str(bad))
    with pytest.raises(SettingsError, match="bad.toml"):
        get_settings()
