"""Running a local rule pack's whole-document cases (``gkaudit rules overlay``).

Loading a pack (:func:`audit.rulebook.overlay.load_with_overlay`) validates it and runs its fact
cases; its whole-document cases need the parser and are run here, on demand. A case names a base
report (relative to the pack's ``cases`` folder), exact substring ``edits`` (each found exactly
once), an optional ``context`` (``published_on``, ``level``, ``agency``, ``year``), whether the
rule ``fires`` and optionally the ``locator`` it must give — the format of tests/rules/cases.

To support another context key: read it in :func:`_context` and document it above.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from audit.parse import parse_bytes
from audit.report import AuditContext
from audit.rulebook.catalog import Catalog
from audit.rulebook.check import apply_overrides, check_report


@dataclass
class CaseResult:
    """One whole-document case of a pack: its file, name, whether it passed, and what was found."""

    file: str
    name: str
    passed: bool
    detail: str


def _context(case: dict) -> tuple[AuditContext, dict]:
    """Return the audit context and the report overrides a case gives."""
    given = case.get("context") or {}
    published = given.get("published_on")
    ctx = AuditContext(published_on=date.fromisoformat(str(published)) if published else None)
    return ctx, {k: given.get(k) for k in ("agency", "year", "level")}


def _document(base: Path, edits: list[dict]) -> bytes:
    """Return the base report with the case's edits applied (each edit must match exactly once)."""
    data = base.read_bytes()
    if not edits:
        return data
    text = data.decode("utf-8")
    for edit in edits:
        if text.count(edit["find"]) != 1:
            raise ValueError(f"编辑的查找串应在 {base.name} 中恰好出现一次：{edit['find']!r}")
        text = text.replace(edit["find"], edit["replace"])
    return text.encode("utf-8")


def run_document_cases(overlay: Path, catalog: Catalog) -> list[CaseResult]:
    """Run every whole-document case of the pack at ``overlay`` against ``catalog``."""
    results = []
    for path in sorted((overlay / "cases").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        rule = doc.get("rule")
        for case in doc.get("cases") or []:
            name = str(case.get("name") or "")
            base = overlay / "cases" / str(case.get("base") or "")
            try:
                ctx, overrides = _context(case)
                report = parse_bytes(_document(base, case.get("edits") or []), base.name)
                found = check_report(apply_overrides(report, overrides), ctx, catalog=catalog)
            except (OSError, ValueError, KeyError) as exc:
                results.append(CaseResult(path.name, name, False, f"无法运行：{exc}"))
                continue
            mine = [f for f in found if f.rule == rule]
            fired = bool(mine) and (not case.get("locator") or case["locator"] in {f.locator for f in mine})
            passed = fired is bool(case.get("fires"))
            detail = "；".join(f"{f.locator}：{f.message}" for f in mine) or "未触发"
            results.append(CaseResult(path.name, name, passed, detail))
    return results
