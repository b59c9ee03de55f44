"""The archive: raw document bytes by sha256, and the one way a document enters the store.

:func:`store_document` serves the crawler and ``ingest`` alike: bytes are written once under
``<data>/archive/<sha[:2]>/<sha>.<ext>`` (atomically, through a temporary file) and a
:class:`~audit.store.tables.Document` row is written per distinct content of an agency, so every
published version is kept as evidence.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import literal_column
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        except OSError as exc:
            raise StoreError(f"无法写入原件存档 {target.parent}：{exc.strerror or exc}") from exc
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StoreError(f"无法写入原件存档 {target.parent}：{exc.strerror or exc}") from exc
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
    """Return the agency called ``name``, created if new; given attributes fill or update it.

    Creation is idempotent across processes: two ingests of a new agency at once both get the
    same row (the loser of the race finds the winner's row instead of failing).
    """
    agency = session.exec(select(m.Agency).where(m.Agency.name == name)).first()
    if agency is None:
        insert_if_absent(session, m.Agency, {"name": name, "created_at": m.utcnow()}, ["name"])
        agency = session.exec(select(m.Agency).where(m.Agency.name == name)).one()
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
    received_from: str | None = None,
) -> tuple[m.Document, bool]:
    """Store one document version (crawler and ingest alike); return (row, whether it is new).

    The same bytes for the same agency are one version: storing them again only fills in
    metadata that was missing (URL, 发布日期, validators) and returns ``False``.
    """
    if not data:
        raise StoreError(f"{original_name or url or '文件'}：内容为空")
    owner = get_agency(session, agency, level=level, region=region)
    digest, rel, kind = archive_bytes(data, original_name or url or "")
    meta = {
        "url": url,
        "published_on": published_on,
        "etag": etag,
        "last_modified": last_modified,
        "http_status": http_status,
        "year_hint": year,
        "level_hint": level,
        "received_from": received_from,
    }
    existing = _version(session, owner.id, digest)  # type: ignore[arg-type]
    if existing is None:
        values = {
            "agency_id": owner.id,
            "sha256": digest,
            "size": len(data),
            "content_type": content_type or KINDS.get(kind, "application/octet-stream"),
            "original_name": original_name,
            "origin": origin,
            "fetched_at": fetched_at or m.utcnow(),
            "archive_path": rel,
            **meta,
        }
        # the same version may be stored by another process a moment ago: then it is not new
        inserted = insert_if_absent(session, m.Document, values, ["agency_id", "sha256"])
        existing = _version(session, owner.id, digest)  # type: ignore[arg-type]
        assert existing is not None
        if inserted:
            return existing, True
    for attr, value in meta.items():
        if value is not None and getattr(existing, attr) is None:
            setattr(existing, attr, value)
    session.add(existing)
    session.flush()
    return existing, False


def insert_if_absent(session: Session, model: type, values: dict, keys: list[str]) -> bool:
    """Insert a row unless one with the same ``keys`` exists (also one another process just wrote).

    ``INSERT … ON CONFLICT DO NOTHING`` on both engines, so a race between two ingests is settled by
    the database instead of failing one of them; returns whether this call inserted the row (told by
    ``RETURNING``: psycopg reports the row count of such an insert as -1, “unknown”).
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
    return session.execute(stmt.returning(literal_column("1"))).first() is not None


def _version(session: Session, agency_id: int, digest: str) -> m.Document | None:
    """Return the stored version of an agency's document with this sha256, if any."""
    return session.exec(
        select(m.Document).where(m.Document.agency_id == agency_id, m.Document.sha256 == digest)
    ).first()


def known_validators(session: Session, url: str) -> dict[str, str | None] | None:
    """Return what a conditional re-fetch of ``url`` needs: the newest version's ETag, Last-Modified, sha256."""
    doc = session.exec(
        select(m.Document).where(m.Document.url == url).order_by(col(m.Document.fetched_at).desc())
    ).first()
    if doc is None:
        return None
    return {"etag": doc.etag, "last_modified": doc.last_modified, "sha256": doc.sha256}
