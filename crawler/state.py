"""The crawler's memory in the store: what each URL was, and what one fetch of it means.

:func:`record` is the one place that decides, for one fetch, whether a document is new, a
changed version, unchanged or gone, and writes the ``UrlState`` row and (through
:func:`audit.store.archive.store_document`, the one way in) the ``Document`` version. The
caller owns the transaction (one per fetch). :func:`known_urls` gives the spider what to re-check.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from sqlmodel import Session, select

from audit.store import tables as m
from audit.store.archive import get_agency, store_document
from crawler.items import LIST, Fetched

#: A URL that failed (no answer, or 5xx after retries) on this many crawls in a row is gone.
GONE_AFTER_FAILURES = 3

# Outcomes of one fetch (CrawlRun counters and Scrapy stats ``gkaudit/<outcome>``).
NEW, CHANGED, UNCHANGED, GONE, STILL_GONE, ERROR, SEEN = (
    "new",
    "changed",
    "unchanged",
    "gone",
    "still_gone",
    "error",
    "seen",
)


def known_urls(session: Session, agencies: list[str]) -> list[dict]:
    """Return every URL fetched before for ``agencies``, with what the spider needs to re-check it."""
    if not agencies:
        return []
    rows = session.exec(
        select(m.UrlState, m.Agency.name)
        .join(m.Agency, m.Agency.id == m.UrlState.agency_id)  # type: ignore[arg-type]
        .where(m.Agency.name.in_(agencies))  # type: ignore[attr-defined]
        .order_by(m.UrlState.id)
    ).all()
    return [
        {
            "agency": name,
            "url": row.url,
            "kind": row.kind,
            "year": row.year,
            "title": row.title,
            "referer": row.referer,
            "published_on": row.published_on.isoformat() if row.published_on else None,
            "etag": row.etag,
            "last_modified": row.last_modified,
        }
        for row, name in rows
    ]


def _state(session: Session, agency: m.Agency, item: Fetched) -> m.UrlState:
    """Return the URL's state row (new when first seen), with what this fetch says about it."""
    row = session.exec(
        select(m.UrlState).where(m.UrlState.agency_id == agency.id, m.UrlState.url == item.url)
    ).first()
    if row is None:
        row = m.UrlState(agency_id=agency.id, url=item.url, kind=item.kind)  # type: ignore[arg-type]
    row.kind = item.kind
    row.year = item.year or row.year
    row.title = item.title or row.title
    row.referer = item.referer or row.referer
    row.published_on = item.published_on or row.published_on
    row.last_fetched_at = item.fetched_at
    row.last_status = item.status
    return row


def _answered(row: m.UrlState, item: Fetched) -> None:
    """Mark the URL as answering again (validators kept, gone cleared)."""
    row.last_ok_at = item.fetched_at
    row.failures = 0
    row.gone_since = row.gone_status = None
    if item.status == 200:
        row.etag, row.last_modified = item.etag, item.last_modified


def record(session: Session, item: Fetched, run_id: int | None = None) -> str:
    """Record one fetch; return its outcome (new, changed, unchanged, gone, still_gone, error, seen)."""
    agency = session.exec(select(m.Agency).where(m.Agency.name == item.agency)).first() or get_agency(
        session, item.agency
    )
    row = _state(session, agency, item)
    row.last_run_id = run_id
    outcome = _decide(session, agency, row, item)
    session.add(row)
    session.flush()
    return outcome


def _decide(session: Session, agency: m.Agency, row: m.UrlState, item: Fetched) -> str:
    """Apply one fetch to the URL's state and the store; return the outcome."""
    status = item.status
    if status == 0 or status >= 500 or status == 429:
        row.failures += 1
        if (
            row.failures >= GONE_AFTER_FAILURES
            and item.kind != LIST
            and status >= 500
            and row.gone_since is None
        ):
            row.gone_since, row.gone_status = item.fetched_at, status
            return GONE
        return ERROR
    if status >= 400:
        if item.kind == LIST:
            return ERROR  # a list page is not a published document: TL02's evidence, not TL04's
        newly = row.gone_since is None
        row.gone_since, row.gone_status = row.gone_since or item.fetched_at, status
        return GONE if newly else STILL_GONE
    _answered(row, item)
    if status == 304:
        return UNCHANGED
    if item.error or item.body is None:
        return ERROR
    digest = hashlib.sha256(item.body).hexdigest()
    if not item.store:
        row.sha256, row.content_hash = digest, item.content_hash
        return SEEN
    if row.document_id is not None and (
        row.sha256 == digest or (item.content_hash is not None and row.content_hash == item.content_hash)
    ):
        return UNCHANGED  # same bytes, or a page whose visible text is the same (a counter changed)
    doc, is_new = store_document(
        session,
        item.body,
        agency=agency.name,
        url=item.url,
        original_name=item.filename or unquote(PurePosixPath(urlsplit(item.url).path).name) or None,
        origin="crawl",
        content_type=item.content_type,
        fetched_at=item.fetched_at,
        published_on=item.published_on,
        etag=item.etag,
        last_modified=item.last_modified,
        http_status=status,
        year=item.year,
        level=agency.level,
        region=agency.region,
    )
    previous = row.document_id
    row.document_id, row.sha256, row.content_hash = doc.id, digest, item.content_hash
    if not is_new:
        return UNCHANGED
    return CHANGED if previous is not None else NEW
