"""What an audit may reuse: the fingerprints of a report's parse and of its check.

``gkaudit audit --all`` re-reads nothing and re-checks nothing that cannot have changed. Each
:class:`~audit.store.tables.Report` row keeps four keys (sha256 digests), written with the parse
and with the check:

* ``parse_key`` (:func:`parse_key`): the document's bytes (its sha256), the reader/parser version
  (:func:`parser_version`) and everything the parse step takes from the store beside the bytes
  (name, URL, type, year and level hints, the agency's name and level, dates). While it is
  unchanged the stored parsed model is reused instead of reading the archive again.
* ``check_key`` (:meth:`StoreView.check_key`): the parse key, the catalogue version (the rule
  files and the local overlay), the checker version (:func:`checker_version`) and the check's
  context: last year's report (its row and parse key), the first 发布日期, the HTTP status of gone
  URLs, the registry's local deadline, whether the version is the newest one (only the newest
  merges its findings) and the findings of the agency's report for this year and last year (their
  rules, locators, status classes, messages and the notices that listed them: CY06, recurrence).
* ``copies_key``: the report's CY05 partners (:func:`copies_key`).
* ``year_key``: the narratives of every current report of the year (:meth:`StoreView.year_key`);
  while it is unchanged the year's copies cannot have changed and are not computed again.

A check is skipped when the row was audited and the check, copies and year keys all match; any
change of any input changes a key, so the report is checked again. Status changes that a check
cannot see (open → overdue, accepted → open) are one class and do not count.

To make a new input of the parse or of the check count: add it to :func:`parse_key` or to
:meth:`StoreView.check_key` (loading it in :meth:`StoreView.load` in one query for the whole
store), and add a case to tests/test_reaudit.py. Bump :data:`READER_VERSION` or
:data:`CHECKER_VERSION` when their output changes without their source files changing (a data file
they read, say).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from importlib import metadata
from pathlib import Path

from sqlmodel import Session, col, select

from audit import PRODUCT_VERSION
from audit.store import tables as m
from audit.store.queries import gone_documents, local_deadlines

READER_VERSION = "1"
CHECKER_VERSION = "1"
AUDIT = Path(__file__).resolve().parent
# The sources that decide a parse; everything else under audit/ but the outputs decides a check.
PARSER_SOURCES = (
    "readers",
    "parse",
    "report.py",
    "form.py",
    "text.py",
    "limits.py",
    "bounded.py",
    "genre.py",
    "organs.py",
    "reading.py",
)
NOT_CHECKER = ("cli", "render", "nightly", "demo", "sample", "templates")
READER_LIBRARIES = (
    "pdfplumber",
    "pdfminer.six",
    "pypdfium2",
    "python-docx",
    "lxml",
    "beautifulsoup4",
    "charset-normalizer",
)
CHECKER_LIBRARIES = ("durable-rules", "pydantic", "jinja2")
# A finding's status as a check sees it: the statuses of one class give the same check.
STATUS_CLASS = {
    m.OPEN: "active",
    m.CONFIRMED: "active",
    m.OVERDUE: "active",
    m.ACCEPTED: "active",
    m.FIXED: m.FIXED,
    m.WITHDRAWN: m.WITHDRAWN,
    m.DISMISSED: m.DISMISSED,
    m.EXPLAINED: m.EXPLAINED,
}


def digest(*parts: object) -> str:
    """Return the sha256 of the parts' ``repr`` (strings, numbers, dates, None, and tuples of them)."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


@functools.cache
def _sources(names: tuple[str, ...], exclude: tuple[str, ...] = ()) -> str:
    """Return the digest of the Python files named (files or folders under audit/), less ``exclude``."""
    h = hashlib.sha256()
    paths: list[Path] = []
    for name in names:
        path = AUDIT / name
        paths += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    for path in paths:
        rel = path.relative_to(AUDIT)
        if rel.parts[0] in exclude:
            continue
        h.update(rel.as_posix().encode())
        try:
            h.update(path.read_bytes())
        except OSError:  # an installation without sources: the product version stands for them
            h.update(PRODUCT_VERSION.encode())
    return h.hexdigest()


def _versions(names: Iterable[str]) -> list[str]:
    """Return ``name==version`` of installed distributions (``?`` when one is absent)."""
    out = []
    for name in names:
        try:
            out.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}==?")
    return out


@functools.cache
def _reader_libraries() -> tuple[str, ...]:
    return tuple(_versions(READER_LIBRARIES))


@functools.cache
def _checker_libraries() -> tuple[str, ...]:
    return tuple(_versions(CHECKER_LIBRARIES))


def parser_version() -> str:
    """Return the version of reading and parsing: their sources, libraries, limits and converter."""
    from audit.limits import Limits
    from audit.settings import get_settings

    return digest(
        READER_VERSION,
        _sources(PARSER_SOURCES),
        _reader_libraries(),
        repr(Limits.from_env()),
        get_settings().doc_converter,
    )


def checker_version() -> str:
    """Return the version of checking: every source under audit/ but the outputs, and its libraries."""
    names = tuple(sorted(p.name for p in AUDIT.iterdir() if p.suffix == ".py" or p.is_dir()))
    return digest(CHECKER_VERSION, PRODUCT_VERSION, _sources(names, NOT_CHECKER), _checker_libraries())


def parse_key(job: object, version: str) -> str:
    """Return the parse key of a document to read (an :class:`audit.reading.ParseJob`)."""
    fields = (
        "sha256",
        "source",
        "content_type",
        "agency",
        "agency_level",
        "year_hint",
        "level_hint",
        "original_name",
        "url",
        "published_on",
        "fetched_on",
    )
    return digest(version, *(getattr(job, f) for f in fields))


def copies_key(copies: list[dict]) -> str:
    """Return the key of a report's CY05 partners (their JSON, keys sorted)."""
    return digest(json.dumps(copies, ensure_ascii=False, sort_keys=True, default=str))


@dataclass
class Version:
    """One stored report version as planning sees it (no parsed model loaded), with its stored keys."""

    id: int
    agency_id: int
    year: int
    document_id: int
    readable: bool
    audited_run_id: int | None
    parse_key: str | None
    check_key: str | None
    copies_key: str | None
    year_key: str | None


@dataclass
class StoreView:
    """What the check keys read from the store, loaded for all reports in a few queries.

    ``findings`` holds one digest per (agency, year); :meth:`refresh` recomputes the digests an
    audit of one report may have changed, inside its transaction.
    """

    catalogue: str
    checker: str
    versions: dict[tuple[int, int], list[Version]] = field(default_factory=dict)
    published: dict[int, date | None] = field(default_factory=dict)  # document id → 发布日期
    http_status: dict[int, int | None] = field(default_factory=dict)  # document id → status
    gone: dict[tuple[int, int], int | None] = field(default_factory=dict)
    deadlines: dict[int, str] = field(default_factory=dict)
    findings: dict[tuple[int, int], str] = field(default_factory=dict)
    years: dict[int, str] = field(default_factory=dict)
    by_id: dict[int, Version] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, catalogue: str) -> StoreView:
        """Load the view of the whole store (reports, documents, findings, notices, crawl records)."""
        view = cls(catalogue=catalogue, checker=checker_version())
        columns = [getattr(m.Report, f.name) for f in fields(Version)]
        for row in session.exec(select(*columns).where(col(m.Report.year).is_not(None))).all():  # type: ignore[call-overload]
            version = Version(*row)
            view.versions.setdefault((version.agency_id, version.year), []).append(version)
        for versions in view.versions.values():
            versions.sort(key=lambda v: v.document_id)
        for doc_id, published, status in session.exec(
            select(m.Document.id, m.Document.published_on, m.Document.http_status)
        ).all():
            view.published[doc_id] = published
            view.http_status[doc_id] = status
        view.gone = {k: v[0]["status"] for k, v in gone_documents(session).items() if v}
        view.deadlines = local_deadlines(session)
        view.findings = findings_digests(session)
        return view

    def refresh(self, session: Session, agency_id: int, year: int) -> None:
        """Recompute the findings digests an audit of (agency, year) may change (this year and next)."""
        for y in (year, year + 1):
            self.findings[(agency_id, y)] = findings_digests(session, agency_id, y).get((agency_id, y), "")

    def version(self, report_id: int) -> Version:
        """Return the stored version of a report row."""
        if not self.by_id:
            self.by_id = {v.id: v for versions in self.versions.values() for v in versions}
        return self.by_id[report_id]

    def year_key(self, year: int) -> str:
        """Return the key of the year's current narratives (what CY05 compares)."""
        if year not in self.years:
            current = sorted(
                (v[-1].id, v[-1].parse_key) for (_, y), v in self.versions.items() if y == year and v
            )
            self.years[year] = digest(self.checker, current)
        return self.years[year]

    def check_key(self, version: Version, merges: bool) -> str:
        """Return the key of checking ``version`` (``merges``: its findings are merged, not superseded)."""
        a, y, doc = version.agency_id, version.year, version.document_id
        previous = [v for v in self.versions.get((a, y - 1), []) if v.readable]
        prev = (previous[-1].id, previous[-1].parse_key) if previous else None
        dates = [
            self.published.get(v.document_id)
            for v in self.versions.get((a, y), [])
            if v.document_id <= doc and self.published.get(v.document_id) is not None
        ]
        published = min(dates) if dates else self.published.get(doc)
        status = self.gone.get((a, y)) or self.http_status.get(doc)
        return digest(
            version.parse_key,
            self.catalogue,
            self.checker,
            prev,
            published,
            status,
            self.deadlines.get(a),
            merges,
            self.findings.get((a, y - 1), ""),
            self.findings.get((a, y), "") if merges else None,
        )


def findings_digests(
    session: Session, agency_id: int | None = None, year: int | None = None
) -> dict[tuple[int, int], str]:
    """Return a digest of the stored findings per (agency, year) (one agency-year when given).

    A digest covers each finding's rule, locator, status class, recurrence, message, rule and
    product version and last report, and the notices that listed it.
    """
    stmt = select(
        m.Finding.id,
        m.Finding.agency_id,
        m.Finding.year,
        m.Finding.rule,
        m.Finding.locator,
        m.Finding.status,
        m.Finding.recurring,
        m.Finding.message,
        m.Finding.rule_version,
        m.Finding.product_version,
        m.Finding.last_report_id,
    )
    links = (
        select(m.NoticeFinding.finding_id, m.Notice.number, m.Notice.issued_on)
        .join(m.Notice, col(m.Notice.id) == m.NoticeFinding.notice_id)
        .join(m.Finding, col(m.Finding.id) == m.NoticeFinding.finding_id)
    )
    if agency_id is not None:
        stmt = stmt.where(m.Finding.agency_id == agency_id, m.Finding.year == year)
        links = links.where(m.Finding.agency_id == agency_id, m.Finding.year == year)
    notices: dict[int, list] = defaultdict(list)
    for finding_id, number, issued_on in session.exec(links).all():
        notices[finding_id].append((number, issued_on))
    grouped: dict[tuple[int, int], list] = defaultdict(list)
    for fid, a, y, rule, locator, status, recurring, message, rv, pv, last in session.exec(stmt).all():
        cls = STATUS_CLASS.get(status, status)
        grouped[(a, y)].append(
            (fid, rule, locator, cls, recurring, message, rv, pv, last, sorted(notices[fid]))
        )
    return {k: digest(sorted(v)) for k, v in grouped.items()}


def roster_key(session: Session, year: int, today: date, catalogue: str) -> str:
    """Return the key of the TL02 step: the roster of ``year`` as of ``today`` and its TL02 findings.

    An audit run whose roster key equals the last completed run's skips the step: the same roster
    facts under the same rules give the same findings.
    """
    from audit.crawled import MISSING_RULE, roster

    entries = sorted(tuple(vars(e).values()) for e in roster(session, year, today))
    found = session.exec(
        select(m.Finding.agency_id, m.Finding.status, m.Finding.message, m.Finding.rule_version).where(
            m.Finding.rule == MISSING_RULE, m.Finding.year == year
        )
    ).all()
    classes = sorted((a, STATUS_CLASS.get(s, s), msg, rv) for a, s, msg, rv in found)
    return digest(catalogue, checker_version(), entries, classes)
