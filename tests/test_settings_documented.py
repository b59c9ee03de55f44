"""Meta-test over the settings: every setting and every environment variable read is in the README."""

from __future__ import annotations

import re
from pathlib import Path

from audit.settings import Settings, env_name

ROOT = Path(__file__).resolve().parents[1]


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_settings_field_is_documented() -> None:
    names = [env_name(f) for f in Settings.model_fields]
    assert len(names) >= 5
    assert [n for n in names if f"`{n}`" not in _readme()] == []


def test_every_environment_variable_read_is_documented() -> None:
    code = [*ROOT.joinpath("audit").rglob("*.py"), *ROOT.joinpath("crawler").rglob("*.py")]
    code += [*ROOT.joinpath("scripts").glob("*"), ROOT / "scheduler.py", ROOT / "Makefile"]
    names = set()
    for path in code:
        if path.is_file():
            names |= set(re.findall(r"\b(GKAUDIT_[A-Z_]+|DATABASE_URL)\b", path.read_text(encoding="utf-8")))
    assert "GKAUDIT_DATA" in names, "the scan is broken"
    assert sorted(n for n in names if f"`{n}`" not in _readme()) == []
