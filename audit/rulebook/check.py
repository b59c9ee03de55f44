"""The check orchestration: applicability, facts, evaluation, rendering and suppression of findings.

:func:`check_report` is the one entry point used by the CLI, the pipeline and the tests:

1. select the rules that apply to the report (format year, organ level, the context they need);
2. build the facts (``audit.facts.build_facts``);
3. evaluate the catalogue (durable-rules :class:`audit.rulebook.engine.Engine`, or the plain-Python
   :class:`audit.rulebook.oracle.Oracle` with ``evaluator="oracle"``);
4. render each finding's locator and message from the fact's fields (Jinja2, StrictUndefined);
   evidence is the fact's ``evidence`` dict;
5. drop the findings of a rule when a rule named in its ``suppressed_by`` fired on the report;
6. deduplicate by (rule, locator), keeping the first, and sort by severity, rule, locator.

A rule that restricts ``levels`` to one organ level does not apply to a report whose level is
unknown; a rule that needs context (``previous``, ``published_on``, ``copies``, ``http_status``,
``notified``) applies only when the :class:`~audit.report.AuditContext` provides it (``copies`` and
``notified`` non-empty). Rules on the ``roster`` fact (TL02) are judged by :func:`check_roster`,
not on a report.

The catalogue is the shipped one with the local rule pack of the ``GKAUDIT_RULES_OVERLAY`` setting
on top (:mod:`audit.rulebook.overlay`). :func:`evaluate` returns the facts and the applicable rules
beside the findings, for the store's coverage record (:mod:`audit.store.coverage`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from audit.facts import build_facts
from audit.facts.roster import Roster, RosterEntry
from audit.report import AuditContext, Finding, Report
from audit.rulebook.catalog import (
    Catalog,
    CatalogError,
    Rule,
    catalog_version,
    default_catalog_dir,
    load_catalog,
    rule_files,
)
from audit.rulebook.condition import FactLike
from audit.rulebook.overlay import effective_version, pack_files, with_overlay
from audit.settings import get_settings

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
Evaluator = Literal["engine", "oracle"]

_catalog_lock = threading.Lock()
_default_catalog: Catalog | None = None
_versions: dict[tuple, str] = {}
_evaluators: dict[tuple[str, str], Any] = {}


def _stamp(paths: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    """Return the path, size and modification time of each file (what tells that one changed)."""
    out = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


def _version(root: Path, files: list[Path], overlay: Path | None) -> str:
    """Return the effective catalogue version, hashed again only when a file's stamp changed."""
    pack = [p for p in pack_files(overlay) if p.is_file()] if overlay is not None and overlay.is_dir() else []
    key = (str(root), str(overlay), _stamp(files), _stamp(pack))
    cached = _versions.get(key)
    if cached is None:
        cached = effective_version(catalog_version(files, root) if files else "empty", overlay)
        _versions.clear()  # one entry: the catalogue in force
        _versions[key] = cached
    return cached


def default_catalog() -> Catalog:
    """Return the shipped catalogue with the local rule pack on top, reloaded when a file changed.

    The version (a hash of the rule files and the pack) is computed again only when a file's
    size or modification time changed (a stat per file instead of reading them: TL02 asks once
    per agency); a changed catalogue is loaded and validated again and gets a new, versioned
    durable ruleset. A catalogue that no longer loads raises
    :class:`audit.rulebook.catalog.CatalogError`.
    """
    global _default_catalog
    overlay = get_settings().rules_overlay
    root = default_catalog_dir()
    files = rule_files(root)
    version = _version(root, files, overlay)
    with _catalog_lock:
        if _default_catalog is None or _default_catalog.version != version:
            _default_catalog = with_overlay(load_catalog(), overlay)
        return _default_catalog


def get_evaluator(catalog: Catalog, evaluator: Evaluator = "engine") -> Any:
    """Return the (cached) evaluator of a catalogue: ``engine`` (durable-rules) or ``oracle``."""
    key = (catalog.version + ":" + str(id(catalog)), evaluator)
    with _catalog_lock:
        if key not in _evaluators:
            if evaluator == "engine":
                from audit.rulebook.engine import Engine

                _evaluators[key] = Engine(catalog)
            elif evaluator == "oracle":
                from audit.rulebook.oracle import Oracle

                _evaluators[key] = Oracle(catalog)
            else:
                raise ValueError(f"未知的求值器：{evaluator}")
        return _evaluators[key]


def has_context(ctx: AuditContext, need: str) -> bool:
    """Return whether the context provides what a rule's ``needs`` entry asks for."""
    if need == "previous":
        return ctx.previous is not None
    if need == "published_on":
        return ctx.published_on is not None
    if need == "copies":
        return bool(ctx.copies)
    if need == "http_status":
        return ctx.http_status is not None
    if need == "notified":
        return bool(ctx.notified)
    return False


def applies(rule: Rule, report: Report, ctx: AuditContext) -> bool:
    """Return True when ``rule`` applies to ``report`` given what ``ctx`` knows."""
    a = rule.spec.applies
    if report.format not in a.formats:
        return False
    if report.level is None:
        if set(a.levels) != {"government", "department"}:
            return False
    elif report.level not in a.levels:
        return False
    return all(has_context(ctx, need) for need in a.needs)


def applicable_rules(catalog: Catalog, report: Report, ctx: AuditContext) -> list[Rule]:
    """Return the rules of ``catalog`` that apply to ``report``."""
    return [r for r in catalog.rules if applies(r, report, ctx)]


def _build_facts(report: Report, ctx: AuditContext) -> list[FactLike]:
    return list(build_facts(report, ctx))


def findings_from_matches(
    catalog: Catalog, facts: Sequence[FactLike], matches: Sequence[tuple[str, int]], source: str | None
) -> list[Finding]:
    """Render matches into findings, apply ``suppressed_by``, deduplicate and sort."""
    fired = {rule_id for rule_id, _ in matches}
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for rule_id, index in matches:
        rule = catalog.by_id[rule_id]
        if any(other in fired for other in rule.spec.suppressed_by):
            continue
        fact = facts[index]
        try:
            locator, message = rule.render(fact.fields)
        except Exception as exc:
            raise RuntimeError(
                f"规则 {rule_id} 的消息无法渲染（事实 {fact.type}/{fact.key}）：{exc}"
            ) from exc
        if (rule_id, locator) in seen:
            continue
        seen.add((rule_id, locator))
        out.append(
            Finding(
                rule=rule_id,
                severity=rule.severity,  # type: ignore[arg-type]
                locator=locator,
                message=message,
                evidence=dict(fact.evidence),
                title=rule.spec.title,
                source=source,
                resolution=rule.spec.resolution,
            )
        )
    out.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule, f.locator or ""))
    return out


@dataclass
class Evaluation:
    """One report checked: the catalogue, the rules that applied, the facts and the findings."""

    catalog: Catalog
    rules: list[Rule]
    facts: list[FactLike]
    findings: list[Finding]


def evaluate(
    report: Report,
    ctx: AuditContext | None = None,
    *,
    catalog: Catalog | None = None,
    evaluator: Evaluator = "engine",
    facts_builder: Callable[[Report, AuditContext], Sequence[FactLike]] | None = None,
) -> Evaluation:
    """Check one report against the catalogue; return its findings with the rules and facts used.

    ``facts_builder`` replaces ``audit.facts.build_facts`` (tests only).
    """
    ctx = ctx or AuditContext()
    catalog = catalog or default_catalog()
    rules = applicable_rules(catalog, report, ctx)
    if not rules:
        return Evaluation(catalog, [], [], [])
    facts = list((facts_builder or _build_facts)(report, ctx))
    ev = get_evaluator(catalog, evaluator)
    matches = ev.evaluate(facts, {r.id for r in rules})
    found = add_cell_sources(report, findings_from_matches(catalog, facts, matches, report.source))
    return Evaluation(catalog, rules, facts, found)


def check_report(
    report: Report,
    ctx: AuditContext | None = None,
    *,
    catalog: Catalog | None = None,
    evaluator: Evaluator = "engine",
    facts_builder: Callable[[Report, AuditContext], Sequence[FactLike]] | None = None,
) -> list[Finding]:
    """Check one report against the catalogue and return its findings (sorted, deduplicated)."""
    return evaluate(report, ctx, catalog=catalog, evaluator=evaluator, facts_builder=facts_builder).findings


def add_cell_sources(report: Report, findings: list[Finding]) -> list[Finding]:
    """Add to each finding's evidence where its cells are printed (``出处``: cell → page/line).

    The evidence of a table finding names cells and values; an agency disputing it needs to find
    them in the published document, so the page (PDF, Word) or source line (text, HTML) and the
    printed row label are added.
    """
    for finding in findings:
        where: dict[str, str] = {}
        for key in finding.evidence:
            cell = report.cells.get(key)
            src = cell.source if cell else None
            if src is None:
                continue
            place = f"第{src.page}页" if src.page else (f"第{src.line}行" if src.line else "")
            if not src.row_label:
                label = ""
            elif src.table == "t4":  # table 4 has column groups, not row labels
                label = f"“{src.row_label}”“{src.column}”"
            else:
                label = f"“{src.row_label}”行“{src.column}”列"
            if place or label:
                where[key] = " ".join(x for x in (place, label) if x)
        if where:
            finding.evidence["出处"] = where
    return findings


def apply_overrides(report: Report, overrides: dict[str, Any] | None) -> Report:
    """Apply ``--agency/--year/--level`` overrides (``None`` values are ignored)."""
    for key in ("agency", "year", "level"):
        value = (overrides or {}).get(key)
        if value is not None:
            setattr(report, key, value)
    return report


def catalogue_version() -> str:
    """Return the shipped catalogue's version, or ``"unknown"`` when it cannot be loaded."""
    try:
        return str(default_catalog().version or "unknown")
    except CatalogError:  # a broken catalogue is reported when checking
        return "unknown"


def check_roster(
    entry: RosterEntry, *, catalog: Catalog | None = None, evaluator: Evaluator = "engine"
) -> list[Finding]:
    """Check one agency-year of the roster (TL02) and return its findings.

    The store observes (:class:`~audit.facts.roster.RosterEntry`); the rules on the ``roster``
    fact decide.
    """
    catalog = catalog or default_catalog()
    rules = {r.id for r in catalog.rules if r.fact == "roster"}
    if not rules:
        return []
    facts = [Roster.of(entry)]
    matches = get_evaluator(catalog, evaluator).evaluate(facts, rules)
    return findings_from_matches(catalog, facts, matches, None)
