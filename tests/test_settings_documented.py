"""Meta-test over the settings: every environment variable the product reads is in the README."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    code = [*ROOT.joinpath("audit").glob("*.py"), *ROOT.joinpath("scripts").glob("*"), ROOT / "scheduler.py"]
    names = set()
    for path in code:
        if path.is_file():
            names |= set(re.findall(r"\b(GKAUDIT_[A-Z_]+|DATABASE_URL)\b", path.read_text(encoding="utf-8")))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert names, "no settings found: the scan is broken"
    assert sorted(n for n in names if f"`{n}`" not in readme) == []
