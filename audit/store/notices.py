"""The life of a 整改通知: drafted → approved by a named reviewer → sent → 回执 recorded.

- :func:`draft` lists an agency's unresolved findings (or the ones named) in a new notice.
- :func:`approve` records the reviewer and assigns the 文号 ``<prefix>〔YYYY〕N号`` from the persisted
  :class:`~audit.store.tables.NoticeSequence`: a number once given out is never given again, even if
  the notice is never sent.
- :func:`send` records the sent date and registers the notice through
  :func:`audit.store.lifecycle.record_notice`, so the listed findings' 整改时限 count from that date.
- :func:`record_receipt` records the agency's 回执.

Every step is a :class:`~audit.store.tables.RectificationNoticeEvent` (who, when, from, to). Nothing
is committed here: the caller owns the transaction. To add a step: a function that checks the
current status, changes it through :func:`_step`, and a test in tests/test_notices.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, col, select

from audit.store import lifecycle
from audit.store import tables as m

STATUS_NAMES = {
    m.NOTICE_DRAFT: "草稿",
    m.NOTICE_APPROVED: "已审核",
    m.NOTICE_SENT: "已印发",
    m.NOTICE_ACKNOWLEDGED: "已回执",
}


class NoticeError(ValueError):
    """A notice step is not allowed (message in Chinese, for the CLI)."""


def _get(session: Session, notice_id: int) -> m.RectificationNotice:
    """Return the notice ``notice_id`` or raise."""
    row = session.get(m.RectificationNotice, notice_id)
    if row is None:
        raise NoticeError(f"整改通知 {notice_id} 不存在")
    return row


def _expect(row: m.RectificationNotice, status: str, doing: str) -> None:
    """Refuse a step unless the notice is in ``status``."""
    if row.status != status:
        now = STATUS_NAMES.get(row.status, row.status)
        raise NoticeError(f"整改通知 {row.id} 当前为“{now}”，不能{doing}")


def _actor(actor: str | None, role: str) -> str:
    """Return a stripped actor name; a step needs a named person."""
    name = (actor or "").strip()
    if not name:
        raise NoticeError(f"须用 --by 写明{role}姓名")
    return name


def _check_day(what: str, on: date, today: date, earliest: tuple[str, date | None]) -> None:
    """Refuse a day in the future or before the previous step's day (``earliest``: its name and day)."""
    if on > today:
        raise NoticeError(f"{what} {on} 晚于今天 {today}")
    name, day = earliest
    if day and on < day:
        raise NoticeError(f"{what} {on} 早于{name} {day}")


def _step(
    session: Session, row: m.RectificationNotice, to_status: str, actor: str, note: str | None = None
) -> None:
    """Move a notice to ``to_status`` and record the step."""
    session.add(
        m.RectificationNoticeEvent(
            notice_id=row.id,  # type: ignore[arg-type]
            actor=actor,
            from_status=row.status,
            to_status=to_status,
            note=note,
        )
    )
    row.status = to_status
    session.add(row)


def pending_finding_ids(session: Session, agency_id: int) -> set[int]:
    """Return the findings already listed in a notice of the agency that has not been sent yet."""
    return set(
        session.exec(
            select(m.RectificationNoticeItem.finding_id)
            .join(m.RectificationNotice, col(m.RectificationNotice.id) == m.RectificationNoticeItem.notice_id)
            .where(
                m.RectificationNotice.agency_id == agency_id,
                col(m.RectificationNotice.status).in_([m.NOTICE_DRAFT, m.NOTICE_APPROVED]),
            )
        ).all()
    )


def draft(
    session: Session, *, agency: m.Agency, actor: str, finding_ids: Iterable[int] = ()
) -> m.RectificationNotice:
    """Draft a notice listing the named findings, or every unresolved finding of the agency.

    Unresolved means open, confirmed or overdue; a finding already in another unsent notice of the
    agency is left out (named explicitly, it is refused).
    """
    who = _actor(actor, "起草人")
    pending = pending_finding_ids(session, agency.id)  # type: ignore[arg-type]
    ids = list(dict.fromkeys(finding_ids))
    for fid in ids:
        row = session.get(m.Finding, fid)
        if row is None or row.agency_id != agency.id:
            raise NoticeError(f"问题 {fid} 不属于 {agency.name}")
        if row.status not in m.ACTIVE:
            raise NoticeError(f"问题 {fid} 不是待整改的问题（{row.status}），不能列入整改通知")
        if fid in pending:
            raise NoticeError(f"问题 {fid} 已列入另一份尚未印发的整改通知")
    if not ids:
        ids = [
            fid
            for fid in session.exec(
                select(m.Finding.id)
                .where(m.Finding.agency_id == agency.id, col(m.Finding.status).in_(m.ACTIVE))
                .order_by(m.Finding.year, m.Finding.rule, m.Finding.id)
            ).all()
            if fid not in pending
        ]
    if not ids:
        raise NoticeError(f"{agency.name} 没有待列入整改通知的问题")
    notice = m.RectificationNotice(agency_id=agency.id, created_by=who)  # type: ignore[arg-type]
    session.add(notice)
    session.flush()
    for fid in ids:
        session.add(m.RectificationNoticeItem(notice_id=notice.id, finding_id=fid))  # type: ignore[arg-type]
    session.add(
        m.RectificationNoticeEvent(
            notice_id=notice.id,  # type: ignore[arg-type]
            actor=who,
            to_status=m.NOTICE_DRAFT,
            note=f"列入问题 {len(ids)} 个",
        )
    )
    return notice


def format_number(prefix: str, year: int, serial: int) -> str:
    """Return a 文号 as GB/T 9704 writes it: ``<prefix>〔2026〕3号``."""
    return f"{prefix}〔{year}〕{serial}号"


def _taken(session: Session, number: str) -> bool:
    """Return whether a 文号 is already used (by a gkaudit notice or a registered one)."""
    return (
        session.exec(select(m.RectificationNotice.id).where(m.RectificationNotice.number == number)).first()
        is not None
        or session.exec(select(m.Notice.id).where(m.Notice.number == number)).first() is not None
    )


def next_number(session: Session, prefix: str, year: int) -> tuple[int, str]:
    """Take the next serial of ``year`` from the persisted sequence; return (serial, 文号).

    The sequence row is locked for the rest of the transaction (``SELECT … FOR UPDATE`` on
    PostgreSQL; SQLite serialises writers), so two approvals never get the same number. A number
    already used by a notice registered by hand (``gkaudit notice record``) is skipped.
    """
    seq = session.exec(
        select(m.NoticeSequence).where(m.NoticeSequence.year == year).with_for_update()
    ).first()
    if seq is None:
        seq = m.NoticeSequence(year=year, last=0)
    serial = seq.last + 1
    while _taken(session, format_number(prefix, year, serial)):
        serial += 1
    seq.last = serial
    session.add(seq)
    return serial, format_number(prefix, year, serial)


def approve(
    session: Session, notice_id: int, *, actor: str | None, on: date, prefix: str
) -> m.RectificationNotice:
    """Approve a draft: record the named reviewer and the 成文日期 ``on``, assign the 文号.

    The reviewer must not be the person who drafted it.
    """
    row = _get(session, notice_id)
    _expect(row, m.NOTICE_DRAFT, "审核")
    who = _actor(actor, "审核人")
    if who == row.created_by:
        raise NoticeError(f"审核人不能是起草人本人（{who}）")
    row.serial, row.number = next_number(session, prefix, on.year)
    row.serial_year = on.year
    row.approved_by = who
    row.approved_at = m.utcnow()
    row.approved_on = on
    _step(session, row, m.NOTICE_APPROVED, who, f"文号 {row.number}")
    return row


def send(
    session: Session, notice_id: int, *, actor: str | None, on: date, today: date
) -> m.RectificationNotice:
    """Record that an approved notice was sent on ``on``; its findings' 整改时限 count from that day."""
    row = _get(session, notice_id)
    _expect(row, m.NOTICE_APPROVED, "印发")
    who = _actor(actor, "印发经办人")
    _check_day("印发日期", on, today, ("成文日期", row.approved_on))
    agency = session.get(m.Agency, row.agency_id)
    assert agency is not None and row.number is not None
    registered = lifecycle.record_notice(
        session, agency=agency, number=row.number, issued_on=on, finding_ids=finding_ids(session, row.id)
    )
    row.notice_id = registered.id
    row.sent_on = on
    row.sent_by = who
    _step(session, row, m.NOTICE_SENT, who, f"印发日期 {on}")
    return row


def record_receipt(
    session: Session, notice_id: int, *, actor: str | None, on: date, today: date, note: str | None = None
) -> m.RectificationNotice:
    """Record the agency's 回执 of a sent notice (received on ``on``)."""
    row = _get(session, notice_id)
    _expect(row, m.NOTICE_SENT, "登记回执")
    who = _actor(actor, "登记人")
    _check_day("回执日期", on, today, ("印发日期", row.sent_on))
    row.receipt_on = on
    row.receipt_by = who
    row.receipt_note = note
    _step(session, row, m.NOTICE_ACKNOWLEDGED, who, note or f"回执日期 {on}")
    return row


def finding_ids(session: Session, notice_id: int | None) -> list[int]:
    """Return the ids of the findings a notice lists, in id order."""
    return list(
        session.exec(
            select(m.RectificationNoticeItem.finding_id)
            .where(m.RectificationNoticeItem.notice_id == notice_id)
            .order_by(col(m.RectificationNoticeItem.finding_id))
        ).all()
    )
