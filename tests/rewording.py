"""Test helper: audit a clean fixture report with passages reworded (the product's own rewordings)."""

from __future__ import annotations

from pathlib import Path

from audit.parse import parse_path
from audit.report import AuditContext, Report
from audit.rulebook.check import check_report

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
GOV = "clean_gov_2023.txt"
DEPT = "clean_dept_2023.txt"


def reworded(tmp_path: Path, base: str, *edits: tuple[str, str]) -> Report:
    """Return the parsed fixture ``base`` with each ``(old, new)`` edit applied (``old`` must occur once)."""
    text = (FIXTURES / base).read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / base
    path.write_text(text, encoding="utf-8")
    return parse_path(path)


def rules_fired(tmp_path: Path, base: str, *edits: tuple[str, str]) -> list[tuple[str, str | None]]:
    """Return (rule, locator) of every finding on ``base`` with the edits applied."""
    return [(f.rule, f.locator) for f in check_report(reworded(tmp_path, base, *edits), AuditContext())]
