"""Reading archived documents into their Report rows: the parse step of an audit run (audit/run.py).

A :class:`ParseJob` is what reading one stored document needs, taken from its ``Document`` and
``Agency`` rows so that it can be read away from the database session (in a thread of the parse
step: :mod:`audit.pool`). :func:`read_report` reads and parses it in a bounded worker process
(:mod:`audit.bounded`) and applies what the store knows beside the bytes (year and level hints,
the agency); :func:`write_report` writes the result into the document's ``Report`` row, with its
parse key (:mod:`audit.reaudit`), so that a later ``audit --all`` can reuse it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from audit import genre
from audit.bounded import parse_bounded
from audit.facts import similarity
from audit.readers import LimitExceeded, UnreadableError
from audit.report import Anomaly, Report
from audit.store import tables as m
from audit.store.queries import source_of

_YEAR_IN_NAME = re.compile(r"(?<!\d)(20[0-4]\d)(?!\d)")


@dataclass(frozen=True)
class ParseJob:
    """One stored document to read: where its bytes are and what the store knows beside them."""

    doc_id: int
    agency_id: int
    path: Path
    sha256: str
    source: str
    content_type: str | None
    agency: str
    agency_level: str | None
    year_hint: int | None
    level_hint: str | None
    original_name: str | None
    url: str | None
    published_on: date | None
    fetched_at: datetime | None

    @property
    def fetched_on(self) -> date | None:
        """Return the day the document was fetched or received."""
        return self.fetched_at.date() if self.fetched_at else None

    @classmethod
    def of(cls, doc: m.Document, agency: m.Agency, data_dir: Path) -> ParseJob:
        """Return the job of reading ``doc`` of ``agency`` from the archive under ``data_dir``."""
        return cls(
            doc_id=doc.id,  # type: ignore[arg-type]
            agency_id=agency.id,  # type: ignore[arg-type]
            path=data_dir / doc.archive_path,
            sha256=doc.sha256,
            source=source_of(doc),
            content_type=doc.content_type,
            agency=agency.name,
            agency_level=agency.level,
            year_hint=doc.year_hint,
            level_hint=doc.level_hint,
            original_name=doc.original_name,
            url=doc.url,
            published_on=doc.published_on,
            fetched_at=doc.fetched_at,
        )

    @classmethod
    def query(cls, session: Session, where: Iterable[Any], data_dir: Path) -> list[ParseJob]:
        """Return the jobs of the stored documents ``where`` selects, in document order (columns only)."""
        d, a = m.Document, m.Agency
        columns = [
            col(d.id).label("doc_id"),
            col(a.id).label("agency_id"),
            col(a.name).label("agency"),
            col(a.level).label("agency_level"),
            *(getattr(d, f) for f in ("sha256", "content_type", "year_hint", "level_hint", "original_name")),
            *(getattr(d, f) for f in ("url", "published_on", "fetched_at", "archive_path")),
        ]
        rows = session.exec(
            select(*columns).join(a, col(a.id) == d.agency_id).where(*where).order_by(col(d.id))  # type: ignore[call-overload]
        ).all()
        jobs = []
        for row in rows:
            values = row._asdict()
            path = values.pop("archive_path")
            source = values["url"] or values["original_name"] or path  # as source_of(doc)
            jobs.append(cls(**values, path=data_dir / path, source=source))
        return jobs


def narrative(report: Report) -> dict[str, str]:
    """Return the narrative sections' text (the input of CY04/CY05)."""
    return {sid: report.sections[sid].text for sid in similarity.NARRATIVE_SECTIONS if sid in report.sections}


def guess_year(doc: m.Document | ParseJob) -> int | None:
    """Return the report year of a document whose text gives none (e.g. an unreadable scan).

    A year printed in the file name or URL wins; else the year before publication (a report for
    year Y is published early in Y+1); else the year before it was fetched.
    """
    for name in (doc.original_name, doc.url):
        years = _YEAR_IN_NAME.findall(name or "")
        if years:
            return int(years[-1])
    when = doc.published_on or (doc.fetched_at.date() if doc.fetched_at else None)
    return when.year - 1 if when else None


def read_report(job: ParseJob) -> tuple[Report, str | None]:
    """Return the parsed report of an archived document and its parse error (None when read).

    The document is read and parsed in a bounded worker (:mod:`audit.bounded`): a document over a
    limit is kept as an unreadable report marked ``over_limit`` (TL05: not checked, never accused),
    and one poison document cannot stall or crash the run. Needs no database session.
    """
    data = job.path.read_bytes()
    try:
        parsed, error = parse_bounded(data, job.source, job.content_type), None
    except LimitExceeded as exc:
        error = str(exc)
        parsed = Report(source=job.source, readable=False, unreadable_reason=error, over_limit=exc.limit)
    except UnreadableError as exc:
        # Kept as an unreadable report so that the checks can say so (TL03).
        error = str(exc) or "无法读取"
        parsed = Report(source=job.source, readable=False, unreadable_reason=error)
    parsed.source = job.source
    parsed.agency = job.agency
    if job.year_hint:
        parsed.year = job.year_hint
    elif parsed.year is None:
        parsed.year = guess_year(job)
        if parsed.year is not None:
            parsed.anomalies.append(
                Anomaly(
                    kind="year_guessed",
                    detail=f"文中未能识别报告年度，按文件名或发布日期推定为{parsed.year}年",
                )
            )
    level = job.level_hint or job.agency_level
    if level in ("government", "department"):
        parsed.level = level  # type: ignore[assignment]
    return parsed, error


def write_report(
    session: Session, job: ParseJob, parsed: Report, error: str | None, key: str | None = None
) -> m.Report:
    """Write (or refresh) the Report row of a parsed document, to be checked (no check yet)."""
    row = session.exec(select(m.Report).where(m.Report.document_id == job.doc_id)).first()
    if row is None:
        row = m.Report(agency_id=job.agency_id, document_id=job.doc_id)
    row.parse_error = error
    row.year = parsed.year
    row.format = parsed.format
    row.level = parsed.level
    row.readable = parsed.readable
    row.over_limit = parsed.over_limit
    row.is_report = genre.judge(parsed).is_report
    row.parsed = parsed.model_dump(mode="json")
    row.narrative = narrative(parsed) if parsed.readable else {}
    row.parsed_at = m.utcnow()
    row.audited_run_id = None
    row.parse_key = key
    row.check_key = row.copies_key = row.year_key = None
    if row.year is not None and row.id is None:
        earlier = session.exec(
            select(func.count())
            .select_from(m.Report)
            .where(
                m.Report.agency_id == job.agency_id,
                m.Report.year == row.year,
                col(m.Report.document_id) < job.doc_id,
            )
        ).one()
        row.version = int(earlier) + 1
    session.add(row)
    session.flush()
    return row
