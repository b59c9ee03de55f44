"""Rule-change impact: the findings a changed catalogue would open and close across the whole store.

Before a rule change reaches hundreds of agencies the office sees its effect on everything stored:
:func:`preview` re-checks every stored report (the newest version of each agency's report of each
year, from its stored parsed model, with the same context as an audit: :mod:`audit.context`)
against another catalogue — a copy of ``rules/catalog`` with a rule edited, or the shipped
catalogue with another local rule pack — and compares, rule by rule, what that catalogue finds
with the findings the store holds. Nothing is written; :func:`apply` reconciles the difference
through the normal lifecycle (new findings open, vanished ones close as ``withdrawn``: the same
document version no longer triggers them) in a run of its own that records the catalogue version.

Which rules are compared: those named; else those whose definition differs between the two
catalogues (added, removed or edited); else, when the catalogue is the current one, all of them.
Rules decided outside a report (TL02: no report at all) are not previewed.

Cross-agency copies (CY05) are read per year down to the lowest similarity the catalogue's
``copy`` rules fire at (:func:`audit.rulebook.bounds.copy_floor`): the store's pairs when they were
searched down to that floor, else searched again in memory, so a lowered CY05 threshold shows its
new copies and nothing is written.

To add a comparison (another kind of finding to preview): extend :func:`_stored` and
:func:`_found` alike, and test it in tests/test_beyond_scenario.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from audit import run as audit_run
from audit.context import audit_context
from audit.report import Report
from audit.rulebook.bounds import copy_floor
from audit.rulebook.catalog import Catalog
from audit.rulebook.check import default_catalog, evaluate
from audit.store import db as store
from audit.store import lifecycle
from audit.store import tables as m
from audit.store.queries import current_reports, source_of

# Statuses of stored findings that a rule no longer produces (they are not compared).
_GONE = (m.WITHDRAWN, m.FIXED)
Progress = Callable[[str], None]


@dataclass
class Change:
    """One finding that would appear or disappear: where, what, and (stored ones) its id and status."""

    agency: str
    year: int
    locator: str
    message: str
    severity: str
    finding_id: int | None = None
    status: str | None = None


@dataclass
class RuleImpact:
    """What a changed catalogue does to one rule's findings across the store."""

    rule: str
    title: str
    appear: list[Change] = field(default_factory=list)
    disappear: list[Change] = field(default_factory=list)


@dataclass
class Impact:
    """The preview: the catalogue compared, the rules compared, per rule the changes, reports read."""

    catalog: Catalog
    rules: list[str]
    by_rule: dict[str, RuleImpact]
    reports: int
    # per report id: the compared rules' findings the catalogue gives (what apply() writes)
    findings: dict[int, list] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Whether any finding would appear or disappear."""
        return any(r.appear or r.disappear for r in self.by_rule.values())


def _definition(catalog: Catalog, rule_id: str) -> dict | None:
    rule = catalog.by_id.get(rule_id)
    return None if rule is None else rule.spec.model_dump()


def compared_rules(catalog: Catalog, current: Catalog, wanted: list[str] | None) -> list[str]:
    """Return the rules to compare: ``wanted``, else those defined differently, else all (same catalogue)."""
    if wanted:
        return sorted({w.upper() for w in wanted})
    ids = set(catalog.by_id) | set(current.by_id)
    changed = sorted(i for i in ids if _definition(catalog, i) != _definition(current, i))
    if changed or catalog.version != current.version:
        return changed
    return sorted(ids)


def _per_report(rule: object) -> bool:
    """Return whether a rule is decided on a stored report (not TL02, decided on the roster fact)."""
    return rule.fact != "roster"  # type: ignore[attr-defined]


def _stored(session: Session, rows: list[m.Report], rules: list[str]) -> dict[str, tuple[m.Finding, str]]:
    """Return the stored findings of the compared rules on the given reports' (agency, year), by fingerprint."""
    keys = {(r.agency_id, r.year) for r in rows}
    names = dict(session.exec(select(m.Agency.id, m.Agency.name)).all())
    found = session.exec(
        select(m.Finding).where(col(m.Finding.rule).in_(rules), col(m.Finding.status).not_in(_GONE))
    ).all()
    return {f.fingerprint: (f, names[f.agency_id]) for f in found if (f.agency_id, f.year) in keys}


def _found(
    session: Session, catalog: Catalog, rules: set[str], progress: Progress | None
) -> tuple[list[m.Report], dict[int, list], dict[str, tuple]]:
    """Check every current report with ``catalog``; return the reports, findings per report, by fingerprint."""
    rows = [r for r in current_reports(session) if r.is_report is not False and r.year is not None]
    floor = copy_floor(catalog)
    copies: dict[int, list[dict]] = {}
    for year in sorted({r.year for r in rows}):  # type: ignore[type-var]
        copies.update(audit_run.copies_for_year(session, year, floor=floor).copies)  # type: ignore[arg-type]
    names = dict(session.exec(select(m.Agency.id, m.Agency.name)).all())
    per_report: dict[int, list] = {}
    by_fp: dict[str, tuple] = {}
    for row in rows:
        parsed = session.exec(select(m.Report.parsed).where(m.Report.id == row.id)).one()
        doc = session.get(m.Document, row.document_id)
        if not parsed or doc is None:
            continue
        ctx = audit_context(session, row, doc, copies.get(row.id, []))  # type: ignore[arg-type]
        mine = [
            f
            for f in evaluate(Report.model_validate(parsed), ctx, catalog=catalog).findings
            if f.rule in rules
        ]
        for f in mine:
            f.source = source_of(doc)
            fp = m.fingerprint(names[row.agency_id], row.year, f.rule, f.locator)  # type: ignore[arg-type]
            by_fp.setdefault(fp, (f, names[row.agency_id], row.year))
        per_report[row.id] = mine  # type: ignore[index]
        if progress:
            progress(f"已复核报告 {row.id}")
    return rows, per_report, by_fp


def preview(
    catalog: Catalog, rule_ids: list[str] | None = None, *, progress: Progress | None = None
) -> Impact:
    """Return the findings ``catalog`` would open and close across the store (nothing is written)."""
    current = default_catalog()
    rules = [
        r
        for r in compared_rules(catalog, current, rule_ids)
        if _per_report(catalog.by_id.get(r) or current.by_id[r])
    ]
    titles = {r: (catalog.by_id.get(r) or current.by_id[r]).spec.title for r in rules}
    with store.session_scope() as session:
        rows, per_report, found = _found(session, catalog, set(rules), progress)
        stored = _stored(session, rows, rules)
        impact = Impact(catalog, rules, {r: RuleImpact(r, titles[r]) for r in rules}, len(rows), per_report)
        for fp, (f, agency, year) in sorted(
            found.items(), key=lambda kv: (kv[1][1], kv[1][2], kv[1][0].locator or "")
        ):
            if fp not in stored:
                impact.by_rule[f.rule].appear.append(
                    Change(agency, year, f.locator or "", f.message, f.severity)
                )
        for fp, (row, agency) in sorted(
            stored.items(), key=lambda kv: (kv[1][1], kv[1][0].year, kv[1][0].locator)
        ):
            if fp not in found:
                impact.by_rule[row.rule].disappear.append(
                    Change(agency, row.year, row.locator, row.message, row.severity, row.id, row.status)
                )
    return impact


def apply(impact: Impact, today: date) -> audit_run.AuditSummary:
    """Write a preview's changes through the lifecycle, in an audit run of its own (one transaction per report).

    New findings open; stored findings of the compared rules the catalogue no longer gives close
    as ``withdrawn``; each finding records the compared catalogue's version.
    """
    versions = dict.fromkeys(impact.rules, impact.catalog.version)
    with store.exclusive("审核"):
        state = audit_run.RunState(run_id=audit_run.open_run(today), day=today, all_documents=False)
        with store.session_scope() as session:
            run = session.get(m.AuditRun, state.run_id)
            assert run is not None
            run.catalogue_version = impact.catalog.version
        for report_id, findings in impact.findings.items():
            with store.session_scope() as session:
                row = session.get(m.Report, report_id)
                run = session.get(m.AuditRun, state.run_id)
                assert row is not None and row.year is not None and run is not None
                agency = session.get(m.Agency, row.agency_id)
                assert agency is not None
                result = lifecycle.reconcile(
                    session,
                    run=run,
                    agency=agency,
                    year=row.year,
                    report=row,
                    findings=findings,
                    today=today,
                    rule_versions=versions,
                    close_missing=bool(row.readable),
                    only_rules=impact.rules,
                )
            state.add(result)
        return audit_run.close_run(state, 0.0)
