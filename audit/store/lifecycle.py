"""The life of findings across runs, document versions and years.

- A finding seen for the first time opens (``open``), with a 整改时限 counted in working days.
- A finding absent from a re-published (corrected) version of the same report closes as ``fixed``;
  absent from the *same* document version (the rule changed), it closes as ``withdrawn``.
- A closed finding that comes back reopens.
- A finding whose (agency, rule, locator) also failed in the previous year's report is recurring.
- Human decisions (``confirmed``, ``dismissed`` as false positive, ``accepted`` until a date) survive
  re-runs; an acceptance that expires reopens the finding.
- An open or confirmed finding whose deadline has passed becomes ``overdue``.
- A finding of a rule with ``resolution: correct_or_explain`` may be resolved by an explanation
  the office accepts (:func:`explain`): it becomes ``explained`` — resolved, no longer active, but
  not ``fixed`` (the report is unchanged) — and stays so across re-runs of that report. An
  explanation covers one report year: when next year's report repeats the problem, the new
  finding opens like any other (its first event quotes last year's explanation) until the agency
  corrects it or explains it anew. A corrected re-publication without the problem fixes it.

Every status change is written as a :class:`~audit.store.tables.FindingEvent`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from audit import PRODUCT_VERSION
from audit.report import Finding as CheckFinding
from audit.store import tables as m
from audit.store.status import CORRECT_OR_EXPLAIN
from audit.store.workdays import deadline_days, deadline_for

CLOSABLE = (m.OPEN, m.CONFIRMED, m.OVERDUE, m.ACCEPTED, m.EXPLAINED)
EXPLAINABLE = (m.OPEN, m.CONFIRMED, m.OVERDUE, m.ACCEPTED, m.EXPLAINED)
REOPENABLE = (m.FIXED, m.WITHDRAWN)
DECISIONS = {"confirm": m.CONFIRMED, "dismiss": m.DISMISSED, "accept": m.ACCEPTED}


class LifecycleError(ValueError):
    """A requested status change is not allowed (message in Chinese, for the CLI)."""


@dataclass
class ReconcileResult:
    """What reconciling one report's findings did."""

    opened: int = 0
    reopened: int = 0
    fixed: int = 0
    withdrawn: int = 0
    seen: int = 0
    finding_ids: list[int] = field(default_factory=list)


def event(
    session: Session,
    finding: m.Finding,
    to_status: str,
    *,
    actor: str = "system",
    reason: str | None = None,
    run_id: int | None = None,
    report_id: int | None = None,
) -> m.FindingEvent:
    """Change a finding's status and record the change (who, when, why)."""
    ev = m.FindingEvent(
        finding_id=finding.id,  # type: ignore[arg-type]
        actor=actor,
        from_status=finding.status,
        to_status=to_status,
        reason=reason,
        run_id=run_id,
        report_id=report_id,
    )
    finding.status = to_status
    finding.updated_at = m.utcnow()
    session.add(finding)
    session.add(ev)
    return ev


def effective_status(finding: m.Finding, today: date) -> str:
    """Return the status a finding has on ``today`` (overdue / expired acceptance applied)."""
    if finding.status == m.ACCEPTED and finding.accepted_until and finding.accepted_until < today:
        return m.OPEN
    if finding.status in (m.OPEN, m.CONFIRMED) and finding.deadline and finding.deadline < today:
        return m.OVERDUE
    return finding.status


def _set_deadline(finding: m.Finding, start: date, days: dict[str, int]) -> None:
    """Count the finding's deadline from ``start`` (its notice date or the day it (re)opened)."""
    finding.deadline_from = start
    finding.deadline = deadline_for(finding.severity, start, days)


def _previous_year_keys(session: Session, agency_id: int, year: int) -> set[tuple[str, str]]:
    """Return the (rule, locator) pairs that failed in the agency's report of ``year - 1``."""
    rows = session.exec(
        select(m.Finding.rule, m.Finding.locator).where(
            m.Finding.agency_id == agency_id,
            m.Finding.year == year - 1,
            col(m.Finding.status).not_in([m.DISMISSED, m.WITHDRAWN]),
        )
    ).all()
    return {(rule, locator) for rule, locator in rows}


def _explained_last_year(session: Session, agency_id: int, year: int) -> dict[tuple[str, str], str]:
    """Return the explanations of the agency's findings of ``year - 1``, by (rule, locator)."""
    rows = session.exec(
        select(m.Finding.rule, m.Finding.locator, m.Finding.explanation).where(
            m.Finding.agency_id == agency_id, m.Finding.year == year - 1, m.Finding.status == m.EXPLAINED
        )
    ).all()
    return {(rule, locator): text or "" for rule, locator, text in rows}


@dataclass
class _Merge:
    """The fixed inputs of one :func:`reconcile` call, shared by its steps."""

    session: Session
    run: m.AuditRun
    agency: m.Agency
    year: int
    report_id: int | None
    today: date
    days: dict[str, int]
    rule_versions: dict[str, str]

    def rule_version(self, rule: str) -> str:
        """Return the version of ``rule`` recorded on its findings (the catalogue's by default)."""
        return self.rule_versions.get(rule, self.run.catalogue_version)


def _open(ctx: _Merge, found: CheckFinding, fp: str, locator: str, recurring: bool) -> m.Finding:
    """Add a new open finding row for ``found`` (its first event is written after the flush)."""
    row = m.Finding(
        fingerprint=fp,
        agency_id=ctx.agency.id,  # type: ignore[arg-type]
        year=ctx.year,
        rule=found.rule,
        locator=locator,
        rule_version=ctx.rule_version(found.rule),
        product_version=PRODUCT_VERSION,
        severity=found.severity,
        title=found.title,
        message=found.message,
        evidence=dict(found.evidence),
        status=m.OPEN,
        resolution=found.resolution,
        recurring=recurring,
        first_seen_run_id=ctx.run.id,  # type: ignore[arg-type]
        last_seen_run_id=ctx.run.id,  # type: ignore[arg-type]
        first_report_id=ctx.report_id,
        last_report_id=ctx.report_id,
    )
    _set_deadline(row, ctx.today, ctx.days)
    ctx.session.add(row)
    return row


def _refresh_row(ctx: _Merge, row: m.Finding, found: CheckFinding, recurring: bool) -> bool:
    """Update a stored finding seen again; reopen it if it was closed. Return whether it reopened."""
    row.severity = found.severity
    row.title = found.title
    row.message = found.message
    row.evidence = dict(found.evidence)
    row.rule_version = ctx.rule_version(found.rule)
    row.product_version = PRODUCT_VERSION
    row.resolution = found.resolution
    row.recurring = recurring
    row.last_seen_run_id = ctx.run.id  # type: ignore[assignment]
    row.last_report_id = ctx.report_id
    row.updated_at = m.utcnow()
    reopened = row.status in REOPENABLE
    if reopened:
        row.fixed_in_run_id = None
        row.fixed_report_id = None
        row.fixed_at = None
        _set_deadline(row, ctx.today, ctx.days)
        event(ctx.session, row, m.OPEN, reason="问题再次出现", run_id=ctx.run.id, report_id=ctx.report_id)
    ctx.session.add(row)
    return reopened


def _log_opened(ctx: _Merge, rows: list[m.Finding], explained: dict[tuple[str, str], str]) -> None:
    """Flush new findings once (to learn their ids) and write their first events."""
    if not rows:
        return
    ctx.session.flush()
    for row in rows:
        before = explained.get((row.rule, row.locator))
        ctx.session.add(
            m.FindingEvent(
                finding_id=row.id,  # type: ignore[arg-type]
                from_status=None,
                to_status=m.OPEN,
                reason="审核发现"
                if before is None
                else f"审核发现；上年度同一问题曾作说明（{before}），本年度再次出现，须重新说明或整改",
                run_id=ctx.run.id,
                report_id=ctx.report_id,
            )
        )


def _close(ctx: _Merge, row: m.Finding, related_changed: bool, result: ReconcileResult) -> None:
    """Close a finding no longer found: withdrawn on the same version, else fixed."""
    if row.last_report_id == ctx.report_id and not related_changed:
        event(
            ctx.session,
            row,
            m.WITHDRAWN,
            reason="同一版本复核不再触发（规则变更）",
            run_id=ctx.run.id,
            report_id=ctx.report_id,
        )
        result.withdrawn += 1
        return
    row.fixed_in_run_id = ctx.run.id
    row.fixed_report_id = ctx.report_id
    row.fixed_at = m.utcnow()
    why = (
        "相关年报更正后不再存在" if row.last_report_id == ctx.report_id else "更正后重新发布的版本中已不存在"
    )
    event(ctx.session, row, m.FIXED, reason=why, run_id=ctx.run.id, report_id=ctx.report_id)
    result.fixed += 1


def _mark_later_recurring(ctx: _Merge, keys_seen: set[tuple[str, str]]) -> None:
    """Tell a later year's findings, audited before this one, that they recur."""
    for later in ctx.session.exec(
        select(m.Finding).where(
            m.Finding.agency_id == ctx.agency.id,
            m.Finding.year == ctx.year + 1,
            m.Finding.recurring == False,  # noqa: E712
        )
    ).all():
        if (later.rule, later.locator) in keys_seen:
            later.recurring = True
            ctx.session.add(later)


def reconcile(
    session: Session,
    *,
    run: m.AuditRun,
    agency: m.Agency,
    year: int,
    report: m.Report | None,
    findings: Iterable[CheckFinding],
    today: date,
    rule_versions: dict[str, str] | None = None,
    close_missing: bool = True,
    only_rules: Iterable[str] | None = None,
    related_changed: bool = False,
) -> ReconcileResult:
    """Merge one audit's findings for (agency, year) into the store and move statuses along.

    ``report`` is the document version just audited; ``findings`` what the checks found on it.
    ``report`` is None for findings about a report that does not exist (TL02); ``only_rules`` then
    limits which stored findings may close. With ``close_missing`` false (an unreadable version),
    absent findings are left as they are. A finding absent from the *same* document version closes
    as ``withdrawn`` (the rules changed), or as ``fixed`` when ``related_changed`` says the report
    was checked again because a related report changed (last year's report corrected: CY01–CY04;
    the other side of a copy: CY05).
    Nothing is committed here: the caller owns the transaction (one per report).
    """
    ctx = _Merge(
        session=session,
        run=run,
        agency=agency,
        year=year,
        report_id=report.id if report is not None else None,
        today=today,
        days=deadline_days(),
        rule_versions=rule_versions or {},
    )
    result = ReconcileResult()
    scope = set(only_rules) if only_rules is not None else None
    existing = {
        f.fingerprint: f
        for f in session.exec(
            select(m.Finding).where(m.Finding.agency_id == agency.id, m.Finding.year == year)
        ).all()
        if scope is None or f.rule in scope
    }
    last_year = _previous_year_keys(session, agency.id, year)  # type: ignore[arg-type]
    explained = _explained_last_year(session, agency.id, year)  # type: ignore[arg-type]
    seen: set[str] = set()
    keys_seen: set[tuple[str, str]] = set()
    new_rows: list[m.Finding] = []
    kept_rows: list[m.Finding] = []
    for found in findings:
        locator = found.locator or ""
        fp = m.fingerprint(agency.name, year, found.rule, locator)
        if fp in seen:
            continue  # one finding per fingerprint; the first occurrence carries the evidence
        seen.add(fp)
        keys_seen.add((found.rule, locator))
        result.seen += 1
        recurring = (found.rule, locator) in last_year
        row = existing.get(fp)
        if row is None:
            new_rows.append(_open(ctx, found, fp, locator, recurring))
            result.opened += 1
        else:
            result.reopened += _refresh_row(ctx, row, found, recurring)
            kept_rows.append(row)
    _log_opened(ctx, new_rows, explained)
    result.finding_ids = [r.id for r in new_rows + kept_rows]  # type: ignore[misc]
    for fp, row in existing.items():
        if close_missing and fp not in seen and row.status in CLOSABLE:
            _close(ctx, row, related_changed, result)
    _mark_later_recurring(ctx, keys_seen)
    return result


def refresh(session: Session, today: date, run_id: int | None = None) -> dict[str, int]:
    """Apply the calendar: expired acceptances reopen, passed deadlines make findings overdue."""
    days = deadline_days()
    counts = {"expired": 0, "overdue": 0}
    for row in session.exec(
        select(m.Finding).where(m.Finding.status == m.ACCEPTED, col(m.Finding.accepted_until) < today)
    ).all():
        _set_deadline(row, today, days)
        event(session, row, m.OPEN, reason=f"接受期限（{row.accepted_until}）已过", run_id=run_id)
        counts["expired"] += 1
    for row in session.exec(
        select(m.Finding).where(
            col(m.Finding.status).in_([m.OPEN, m.CONFIRMED]), col(m.Finding.deadline) < today
        )
    ).all():
        event(session, row, m.OVERDUE, reason=f"已超过整改时限（{row.deadline}）", run_id=run_id)
        counts["overdue"] += 1
    return counts


def decide(
    session: Session,
    finding_id: int,
    decision: str,
    *,
    actor: str,
    reason: str | None = None,
    until: date | None = None,
    today: date,
) -> m.Finding:
    """Record a human decision on a finding: ``confirm``, ``dismiss`` or ``accept`` (until a date)."""
    row = session.get(m.Finding, finding_id)
    if row is None:
        raise LifecycleError(f"问题 {finding_id} 不存在")
    if decision not in DECISIONS:
        raise LifecycleError(f"未知的处理决定：{decision}")
    if row.status in REOPENABLE:
        raise LifecycleError(f"问题 {finding_id} 已关闭（{row.status}），不能再作处理决定")
    if decision == "accept":
        if until is None or not reason:
            raise LifecycleError("接受问题须同时给出 --until 日期和 --reason 理由")
        if until < today:
            raise LifecycleError(f"接受期限 {until} 早于今天 {today}")
    if decision == "dismiss" and not reason:
        raise LifecycleError("认定误报须给出 --reason 理由")
    to_status = DECISIONS[decision]
    row.decision = to_status
    row.decision_by = actor
    row.decision_at = m.utcnow()
    row.decision_reason = reason
    row.accepted_until = until if decision == "accept" else None
    if decision == "confirm" and row.deadline and row.deadline < today:
        to_status = m.OVERDUE
    why = reason or {"confirm": "人工确认", "dismiss": "认定误报", "accept": "接受"}[decision]
    if decision == "accept":
        why = f"接受至 {until}：{reason}"
    event(session, row, to_status, actor=actor, reason=why)
    return row


def explain(session: Session, finding_id: int, text: str, *, actor: str) -> m.Finding:
    """Record the agency's explanation of a finding, accepted by the office: it becomes ``explained``.

    Only findings of a rule with ``resolution: correct_or_explain`` can be explained, and only
    while unresolved (open, confirmed, overdue, accepted) or to replace an earlier explanation.
    The explanation, who entered it and when are kept on the finding and in its event.
    """
    row = session.get(m.Finding, finding_id)
    if row is None:
        raise LifecycleError(f"问题 {finding_id} 不存在")
    words = " ".join((text or "").split())
    if not words:
        raise LifecycleError("须用 --text 写明机关的说明")
    if row.resolution != CORRECT_OR_EXPLAIN:
        raise LifecycleError(f"问题 {finding_id}（{row.rule}）只能通过整改解决：该规则不接受以说明代替整改")
    if row.status not in EXPLAINABLE:
        raise LifecycleError(f"问题 {finding_id} 当前为 {row.status}，不能登记说明")
    row.explanation = words
    row.explained_by = actor
    row.explained_at = m.utcnow()
    event(session, row, m.EXPLAINED, actor=actor, reason=f"机关说明：{words}")
    return row


def record_notice(
    session: Session,
    *,
    agency: m.Agency,
    number: str,
    issued_on: date,
    finding_ids: Iterable[int],
) -> m.Notice:
    """Record a 整改通知 and count the listed findings' deadlines from its date."""
    days = deadline_days()
    notice = session.exec(select(m.Notice).where(m.Notice.number == number)).first()
    if notice is None:
        notice = m.Notice(number=number, agency_id=agency.id, issued_on=issued_on)  # type: ignore[arg-type]
        session.add(notice)
        session.flush()
    for fid in finding_ids:
        row = session.get(m.Finding, fid)
        if row is None or row.agency_id != agency.id:
            raise LifecycleError(f"问题 {fid} 不属于 {agency.name}")
        if session.get(m.NoticeFinding, (notice.id, fid)) is None:
            session.add(m.NoticeFinding(notice_id=notice.id, finding_id=fid))  # type: ignore[arg-type]
        row.notice_id = notice.id
        _set_deadline(row, issued_on, days)
        session.add(row)
        if row.status == m.OVERDUE:
            back = m.CONFIRMED if row.decision == m.CONFIRMED else m.OPEN
            event(session, row, back, reason=f"整改通知 {number} 重新计算时限")
    return notice
