"""Reports with narratives written straight into the store (no parsing): the copy index's tests and benchmark."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import insert
from sqlmodel import Session, select

from audit.facts.similarity import Narrative
from audit.store import tables as m


def add_reports(session: Session, narratives: Sequence[Narrative], year: int) -> list[int]:
    """Add one report per narrative (its agency created when new, a new version otherwise); return the ids.

    The narrative's key becomes nothing: report ids are the store's. Each report gets a document
    named after its source (``other_source`` of its partners).
    """
    known = dict(session.exec(select(m.Agency.name, m.Agency.id)).all())
    fresh = sorted({n.agency for n in narratives} - set(known))
    if fresh:
        session.execute(insert(m.Agency), [{"name": a, "level": "department"} for a in fresh])
        known = dict(session.exec(select(m.Agency.name, m.Agency.id)).all())
    docs = []
    for n in narratives:
        digest = hashlib.sha256(repr((n.agency, n.source, sorted(n.sections.items()))).encode()).hexdigest()
        docs.append(
            m.Document(agency_id=known[n.agency], sha256=digest, archive_path=digest, original_name=n.source)
        )
    session.add_all(docs)
    session.flush()
    reports = [
        m.Report(agency_id=d.agency_id, document_id=d.id, year=year, narrative=n.sections)  # type: ignore[arg-type]
        for d, n in zip(docs, narratives, strict=True)
    ]
    session.add_all(reports)
    session.flush()
    return [r.id for r in reports]  # type: ignore[misc]
