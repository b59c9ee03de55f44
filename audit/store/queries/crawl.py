"""Reads over the registry and the crawler's records (TL02 roster, TL04 gone documents, local deadlines)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from audit.store import tables as m
from audit.store.queries.core import iso

# --------------------------------------------------------------------------- the crawler's records
# Reads over the registry and the crawler's URL state: which agencies are registered and with what
# local deadline, which published reports no longer resolve (TL04), which agencies' 年报 columns
# were read (TL02 may only fire for an agency whose column was read after its deadline).


def agency_by_name(session: Session, name: str) -> m.Agency | None:
    """Return the agency printed as ``name``: its canonical name or an alias from the registry."""
    found = session.exec(select(m.Agency).where(m.Agency.name == name)).first()
    if found is not None:
        return found
    alias = session.exec(select(m.AgencyAlias).where(m.AgencyAlias.name == name)).first()
    return session.get(m.Agency, alias.agency_id) if alias is not None else None


def local_deadlines(session: Session) -> dict[int, str]:
    """Return the registry's local publication deadline (``MM-DD``) of every agency that has one."""
    rows = session.exec(
        select(m.RegistryEntry.agency_id, m.RegistryEntry.deadline).where(
            col(m.RegistryEntry.deadline).is_not(None),
            m.RegistryEntry.active == True,  # noqa: E712
        )
    ).all()
    return {agency_id: deadline for agency_id, deadline in rows if deadline}


def gone_documents(session: Session, year: int | None = None) -> dict[tuple[int, int], list[dict]]:
    """Return, per (agency id, report year), the published report URLs that no longer resolve (TL04).

    A URL is gone when it answered 4xx (or 5xx on several crawls in a row) after it was published:
    a report page, the report file or an attachment of a report page; list pages are not counted.
    Each entry: ``url``, ``kind``, ``status`` (the HTTP status), ``since`` (ISO time), ``document_id``
    (the last version stored from it, if any). Entries are ordered by URL; the statuses are real
    answers (a URL that never answered is not gone, it is failing).
    """
    stmt = select(m.UrlState).where(
        col(m.UrlState.gone_since).is_not(None),
        col(m.UrlState.gone_status) >= 400,
        col(m.UrlState.year).is_not(None),
        m.UrlState.kind != "list",
    )
    if year is not None:
        stmt = stmt.where(m.UrlState.year == year)
    out: dict[tuple[int, int], list[dict]] = {}
    for row in session.exec(stmt.order_by(m.UrlState.url)).all():
        out.setdefault((row.agency_id, row.year), []).append(  # type: ignore[arg-type]
            {
                "url": row.url,
                "kind": row.kind,
                "status": row.gone_status,
                "since": iso(row.gone_since),
                "document_id": row.document_id,
            }
        )
    return out


def published_years(session: Session, year: int) -> set[int]:
    """Return the agencies whose 年报 column links a report for ``year`` (a page or a file), reachable or not.

    An agency that published a report whose file is broken has published (TL04), not failed to
    publish (TL02).
    """
    return set(
        session.exec(
            select(m.UrlState.agency_id).where(m.UrlState.year == year, m.UrlState.kind != "list").distinct()
        ).all()
    )


def lists_read_on(session: Session) -> dict[int, date | None]:
    """Return, per registered agency, the day all its 年报 list pages last answered (None: never all).

    TL02 (no report after the deadline) is decided for a registered agency only when its column
    was read after the deadline; an unreachable site is "not checked", never "not published".
    """
    out: dict[int, date | None] = {}
    for entry in session.exec(select(m.RegistryEntry).where(m.RegistryEntry.active == True)).all():  # noqa: E712
        days: list[date | None] = []
        for url in entry.lists:
            state = session.exec(
                select(m.UrlState).where(m.UrlState.agency_id == entry.agency_id, m.UrlState.url == url)
            ).first()
            days.append(state.last_ok_at.date() if state is not None and state.last_ok_at else None)
        out[entry.agency_id] = None if not days or None in days else min(d for d in days if d)
    return out


def crawl_runs(session: Session, limit: int = 10) -> list[m.CrawlRun]:
    """Return the newest crawl runs, newest first."""
    return list(session.exec(select(m.CrawlRun).order_by(col(m.CrawlRun.id).desc()).limit(limit)).all())
