"""Tests of the processing limits: defaults, environment overrides, the limits in force."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from audit import limits
from audit.limits import GiB, Limits, LimitsError, MiB

README = Path(__file__).resolve().parents[1] / "README.md"


def test_environment_overrides_with_size_suffixes() -> None:
    env = {
        "GKAUDIT_MAX_BYTES": "20M",
        "GKAUDIT_MAX_MEMORY": "1.5G",
        "GKAUDIT_MAX_SECONDS": "2.5",
        "GKAUDIT_MAX_PAGES": "80",
    }
    got = Limits.from_env(env)
    assert (got.max_bytes, got.max_memory, got.max_seconds, got.max_pages) == (
        20 * MiB,
        int(1.5 * GiB),
        2.5,
        80,
    )
    assert got.max_cells == Limits().max_cells  # unset variables keep their defaults


@pytest.mark.parametrize("raw", ["abc", "0", "-5", "12X", "5 MB extra"])
def test_a_bad_value_is_a_chinese_error_naming_the_variable(raw: str) -> None:
    with pytest.raises(LimitsError, match=f"环境变量 GKAUDIT_MAX_CELLS 的值“{re.escape(raw)}”无效"):
        Limits.from_env({"GKAUDIT_MAX_CELLS": raw})


def test_every_limit_has_a_variable_documented_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    variables = limits.variables()
    assert sorted(variables) == sorted(f.name for f in dataclasses.fields(Limits))
    assert [v for v in variables.values() if f"`{v}`" not in readme] == []


def test_limits_in_force_nest_and_none_keeps_the_outer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GKAUDIT_MAX_PAGES", "7")
    assert limits.current().max_pages == 7
    with limits.use(Limits(max_pages=3)):
        assert limits.current().max_pages == 3
        with limits.use(None):
            assert limits.current().max_pages == 3
    assert limits.current().max_pages == 7
