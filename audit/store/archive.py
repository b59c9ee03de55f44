"""The archive: raw document bytes by sha256, and the one way a document enters the store.

:func:`store_document` serves the crawler and ``ingest`` alike: bytes are written once under
``<data>/archive/<sha[:2]>/<sha>.<ext>`` (atomically, through a temporary file) and a
:class:`~audit.store.tables.Document` row is written per distinct content of an agency, so every
published version is kept as evidence.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from audit.readers import KINDS, sniff
from audit.store import db as store
from audit.store import tables as m

EXTENSIONS = {"text": ".txt", "html": ".html", "pdf": ".pdf", "docx": ".docx", "doc": ".doc"}


class StoreError(RuntimeError):
    """A problem storing a document, reported to the user (message in Chinese)."""


def archive_bytes(data: bytes, name: str = "") -> tuple[str, str, str]:
    """Write ``data`` under the archive by sha256 (once); return (sha256, relative path, kind)."""
    digest = hashlib.sha256(data).hexdigest()
    kind = sniff(data, name)
    rel = Path("archive") / digest[:2] / (digest + EXTENSIONS.get(kind, ".bin"))
    target = store.data_dir() / rel
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    return digest, rel.as_posix(), kind


def get_agency(
    session: Session,
    name: str,
    *,
    level: str | None = None,
    region: str | None = None,
    parent: str | None = None,
    website: str | None = None,
) -> m.Agency:
    """Return the agency called ``name``, created if new; given attributes fill or update it."""
    agency = session.exec(select(m.Agency).where(m.Agency.name == name)).first()
    if agency is None:
        agency = m.Agency(name=name)
    for attr, value in (("level", level), ("region", region), ("parent", parent), ("website", website)):
        if value:
            setattr(agency, attr, value)
    session.add(agency)
    session.flush()
    return agency


def store_document(
    session: Session,
    data: bytes,
    *,
    agency: str,
    url: str | None = None,
    original_name: str | None = None,
    origin: str = "ingest",
    content_type: str | None = None,
    fetched_at: datetime | None = None,
    published_on: date | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    http_status: int | None = None,
    year: int | None = None,
    level: str | None = None,
    region: str | None = None,
) -> tuple[m.Document, bool]:
    """Store one document version (crawler and ingest alike); return (row, whether it is new).

    The same bytes for the same agency are one version: storing them again only fills in
    metadata that was missing (URL, 发布日期, validators) and returns ``False``.
    """
    if not data:
        raise StoreError(f"{original_name or url or '文件'}：内容为空")
    owner = get_agency(session, agency, level=level, region=region)
    digest, rel, kind = archive_bytes(data, original_name or url or "")
    existing = session.exec(
        select(m.Document).where(m.Document.agency_id == owner.id, m.Document.sha256 == digest)
    ).first()
    if existing is not None:
        for attr, value in (
            ("url", url),
            ("published_on", published_on),
            ("etag", etag),
            ("last_modified", last_modified),
            ("http_status", http_status),
            ("year_hint", year),
            ("level_hint", level),
        ):
            if value is not None and getattr(existing, attr) is None:
                setattr(existing, attr, value)
        session.add(existing)
        session.flush()
        return existing, False
    doc = m.Document(
        agency_id=owner.id,  # type: ignore[arg-type]
        url=url,
        sha256=digest,
        size=len(data),
        content_type=content_type or KINDS.get(kind, "application/octet-stream"),
        original_name=original_name,
        origin=origin,
        fetched_at=fetched_at or m.utcnow(),
        published_on=published_on,
        etag=etag,
        last_modified=last_modified,
        http_status=http_status,
        archive_path=rel,
        year_hint=year,
        level_hint=level,
    )
    session.add(doc)
    session.flush()
    return doc, True


def known_validators(session: Session, url: str) -> dict[str, str | None] | None:
    """Return what a conditional re-fetch of ``url`` needs: the newest version's ETag, Last-Modified, sha256."""
    doc = session.exec(
        select(m.Document).where(m.Document.url == url).order_by(col(m.Document.fetched_at).desc())
    ).first()
    if doc is None:
        return None
    return {"etag": doc.etag, "last_modified": doc.last_modified, "sha256": doc.sha256}
