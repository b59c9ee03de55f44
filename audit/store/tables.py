"""The tables of the findings store (SQLModel): agencies, documents, reports, runs, findings, notices.

Every document version is kept (one ``Document`` row per distinct content of an agency); a
``Report`` is the parsed form of one document version. A ``Finding`` is identified by its
fingerprint (agency + report year + rule + locator) and lives across runs and versions; every
status change is a ``FindingEvent``. Times are aware UTC; dates are calendar dates (Asia/Shanghai).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from audit.store.status import (  # noqa: F401  (re-exported: m.OPEN …)
    ACCEPTED,
    ACTIVE,
    CONFIRMED,
    DISMISSED,
    EXPLAINED,
    FIXED,
    OPEN,
    OVERDUE,
    STATUSES,
    WITHDRAWN,
)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (what the store keeps)."""
    return datetime.now(UTC)


def fingerprint(agency: str, year: int, rule: str, locator: str | None) -> str:
    """Return the identity of a finding: sha256 over agency, report year, rule id and locator."""
    key = "\x1f".join([agency, str(year), rule, locator or ""])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Agency(SQLModel, table=True):
    """An administrative organ that publishes reports."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    region: str | None = Field(default=None, index=True)  # administrative division code
    level: str | None = None  # government | department
    parent: str | None = None
    website: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    """One version of a published document: raw bytes archived by sha256, with fetch metadata."""

    __table_args__ = (UniqueConstraint("agency_id", "sha256", name="uq_document_agency_sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    url: str | None = None
    sha256: str = Field(index=True, max_length=64)
    size: int = 0
    content_type: str | None = None
    original_name: str | None = None
    origin: str = "ingest"  # ingest | crawl
    fetched_at: datetime = Field(default_factory=utcnow)
    published_on: date | None = None  # the page's 发布日期
    etag: str | None = None
    last_modified: str | None = None
    http_status: int | None = None
    archive_path: str  # relative to the data directory
    year_hint: int | None = None  # report year given by the uploader or the crawler
    level_hint: str | None = None
    received_from: str | None = None  # the sender of an e-mail the document was attached to


class Report(SQLModel, table=True):
    """The parsed form of one document version: agency, year, format and the canonical model."""

    __table_args__ = (
        Index("ix_report_agency_year", "agency_id", "year"),
        # covering indexes: planning an audit reads these columns without the parsed models
        # (on SQLite the row's later columns lie behind its large JSON)
        Index("ix_report_parse_key", "document_id", "parse_key"),
        Index(
            "ix_report_reuse",
            "year",
            "agency_id",
            "document_id",
            "id",
            "readable",
            "audited_run_id",
            "parse_key",
            "check_key",
            "copies_key",
            "year_key",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id")
    year: int | None = Field(default=None, index=True)
    document_id: int = Field(foreign_key="document.id", unique=True)
    version: int = 1  # 1 for the first document of (agency, year), 2 for its first re-publication…
    format: str | None = None
    level: str | None = None
    readable: bool = True
    is_report: bool | None = None  # audit.genre: False for a document that is not an annual report
    over_limit: str | None = None  # the processing limit it exceeded (TL05); not read again
    parsed: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    narrative: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    parse_error: str | None = Field(default=None, sa_column=Column(Text))
    parsed_at: datetime = Field(default_factory=utcnow)
    audited_run_id: int | None = Field(default=None, foreign_key="auditrun.id")
    finding_count: int = 0
    # What the last parse and check depended on (audit.reaudit): ``audit --all`` reuses the parsed
    # model while ``parse_key`` is unchanged and skips the check while the other three are.
    parse_key: str | None = Field(default=None, max_length=64)  # bytes, reader version, hints
    check_key: str | None = Field(default=None, max_length=64)  # catalogue, checker, context
    copies_key: str | None = Field(default=None, max_length=64)  # its CY05 partners
    year_key: str | None = Field(default=None, max_length=64)  # the narratives of its year


class AuditRun(SQLModel, table=True):
    """One execution of ``gkaudit audit``: when, with which catalogue, what it did."""

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    today: date | None = None  # the calendar day the run counted deadlines against
    catalogue_version: str = "unknown"
    status: str = "running"  # running | ok | partial | failed
    documents: int = 0
    reports_audited: int = 0
    reports_unchanged: int = 0  # reports whose check was skipped: nothing it depends on changed
    documents_reused: int = 0  # documents whose stored parsed model was reused
    roster_key: str | None = Field(default=None, max_length=64)  # what its TL02 step saw (audit.reaudit)
    errors: int = 0
    findings_total: int = 0
    opened: int = 0
    reopened: int = 0
    fixed: int = 0
    error_detail: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Finding(SQLModel, table=True):
    """A defect of one agency's report for one year, tracked across runs and document versions."""

    __table_args__ = (Index("ix_finding_agency_year", "agency_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(unique=True, max_length=64)
    agency_id: int = Field(foreign_key="agency.id")
    year: int
    rule: str = Field(index=True)
    locator: str = ""
    rule_version: str = "unknown"
    severity: str
    title: str | None = None
    message: str = Field(sa_column=Column(Text, nullable=False))
    product_version: str | None = None  # the gkaudit release that last produced it
    evidence: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=OPEN, index=True)
    recurring: bool = False
    first_seen_run_id: int = Field(foreign_key="auditrun.id")
    last_seen_run_id: int = Field(foreign_key="auditrun.id")
    fixed_in_run_id: int | None = Field(default=None, foreign_key="auditrun.id")
    # None for a finding about a report that does not exist (TL02: not published after the deadline)
    first_report_id: int | None = Field(default=None, foreign_key="report.id")
    last_report_id: int | None = Field(default=None, foreign_key="report.id")
    fixed_report_id: int | None = Field(default=None, foreign_key="report.id")
    first_seen_at: datetime = Field(default_factory=utcnow)
    fixed_at: datetime | None = None
    notice_id: int | None = Field(default=None, foreign_key="notice.id")
    deadline_from: date | None = None  # the notice date (or first audit date before any notice)
    deadline: date | None = None
    decision: str | None = None  # confirmed | dismissed | accepted
    decision_by: str | None = None
    decision_at: datetime | None = None
    decision_reason: str | None = Field(default=None, sa_column=Column(Text))
    accepted_until: date | None = None
    updated_at: datetime = Field(default_factory=utcnow)
    # the agency's own reply, as typed into the 整改清单 (gkaudit ledger import)
    reply: str | None = Field(default=None, sa_column=Column(Text))
    reply_at: datetime | None = None
    reply_by: str | None = None
    # the rule's resolution when the finding was last seen: correct | correct_or_explain
    resolution: str = "correct"
    # the agency's explanation the office accepted (status explained), who entered it and when
    explanation: str | None = Field(default=None, sa_column=Column(Text))
    explained_by: str | None = None
    explained_at: datetime | None = None


class FindingEvent(SQLModel, table=True):
    """One status change of a finding: when, who, from what to what, and why."""

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    actor: str = "system"
    from_status: str | None = None
    to_status: str
    reason: str | None = Field(default=None, sa_column=Column(Text))
    run_id: int | None = Field(default=None, foreign_key="auditrun.id")
    report_id: int | None = Field(default=None, foreign_key="report.id")


class Notice(SQLModel, table=True):
    """A 整改通知 sent to an agency: 文号, date, and the findings it lists."""

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True)  # 文号
    agency_id: int = Field(foreign_key="agency.id", index=True)
    issued_on: date
    created_at: datetime = Field(default_factory=utcnow)


class NoticeFinding(SQLModel, table=True):
    """Which findings a notice lists."""

    notice_id: int = Field(foreign_key="notice.id", primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", primary_key=True)


class ReportCoverage(SQLModel, table=True):
    """What the audit of one report version could check (audit.store.coverage).

    ``evaluated`` lists the rules that applied and were evaluated on every instance;
    ``not_applicable`` maps a rule to why it did not apply (form year, organ level, missing
    context); ``not_evaluated`` maps a rule to why it applied but could not be evaluated (the
    unreadable cells or sections); ``gaps`` are the parser's anomalies that left parts unread.
    ``complete`` is False when anything could not be read or evaluated.
    """

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", unique=True)
    run_id: int | None = Field(default=None, foreign_key="auditrun.id")
    catalogue_version: str = "unknown"
    complete: bool = True
    evaluated: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    not_applicable: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    not_evaluated: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    gaps: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


# The life of a 整改通知 produced by gkaudit (audit.store.notices): draft → approved → sent → 回执.
NOTICE_DRAFT = "draft"
NOTICE_APPROVED = "approved"
NOTICE_SENT = "sent"
NOTICE_ACKNOWLEDGED = "acknowledged"  # the agency's 回执 has been recorded
NOTICE_STATUSES = (NOTICE_DRAFT, NOTICE_APPROVED, NOTICE_SENT, NOTICE_ACKNOWLEDGED)


class NoticeSequence(SQLModel, table=True):
    """The persisted 文号 sequence: the last serial number given out in a year (never reused)."""

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class RectificationNotice(SQLModel, table=True):
    """A 整改通知 written by gkaudit, through its life: drafted, approved, sent, 回执 recorded.

    The 文号 is assigned at approval from :class:`NoticeSequence`; at sending the notice is also
    registered as a :class:`Notice` (``notice_id``) so that its findings' deadlines count from the
    sent date.
    """

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    status: str = Field(default=NOTICE_DRAFT, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = "system"
    number: str | None = Field(default=None, unique=True)  # 文号, e.g. 某政公开〔2026〕3号
    serial_year: int | None = None
    serial: int | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    approved_on: date | None = None  # the 成文日期
    sent_on: date | None = None
    sent_by: str | None = None
    notice_id: int | None = Field(default=None, foreign_key="notice.id")
    receipt_on: date | None = None
    receipt_by: str | None = None
    receipt_note: str | None = Field(default=None, sa_column=Column(Text))


class RectificationNoticeItem(SQLModel, table=True):
    """Which findings a 整改通知 lists (fixed when it is drafted)."""

    notice_id: int = Field(foreign_key="rectificationnotice.id", primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", primary_key=True)


class RectificationNoticeEvent(SQLModel, table=True):
    """One step in a 整改通知's life: when, who, from what to what."""

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="rectificationnotice.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    actor: str
    from_status: str | None = None
    to_status: str
    note: str | None = Field(default=None, sa_column=Column(Text))


# --------------------------------------------------------------------------- the crawler's tables
# The registry (the roster of agencies and where their 年报 columns are), what the crawler knows
# about every URL it has seen (validators for conditional requests, last status, gone), and one
# row per crawl process with its counts.


class RegistryEntry(SQLModel, table=True):
    """An agency's entry in the crawl registry: its 年报 column, hosts, aliases and local deadline."""

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", unique=True)
    lists: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # list-page URLs
    hosts: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # named under hosts:
    aliases: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    selectors: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    profile: str = "generic"  # the site profile (crawler/profiles.py)
    deadline: str | None = None  # local publication deadline, "MM-DD"
    source: str | None = None  # the registry file (and line) it was imported from
    active: bool = True  # False once an import no longer lists it (kept for history)
    updated_at: datetime = Field(default_factory=utcnow)


class AgencyAlias(SQLModel, table=True):
    """A name an agency printed in past reports (from the registry's ``aliases``)."""

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    name: str = Field(unique=True)


class CrawlRun(SQLModel, table=True):
    """One crawl process (one night, or one worker of a distributed night) and what it did."""

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = "running"  # running | ok | partial | failed | timeout
    agencies: int = 0
    pages: int = 0  # responses received (robots.txt excluded)
    bytes: int = 0  # body bytes received
    new: int = 0  # documents seen for the first time
    changed: int = 0  # new versions of documents seen before
    unchanged: int = 0  # 304 Not Modified, or the same content again
    gone: int = 0  # URLs that resolved before (or were linked) and no longer do
    errors: int = 0  # fetches that failed (timeouts, refused, too large)
    blocked: int = 0  # requests refused before leaving (unregistered host, private address, robots.txt)
    stats: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # Scrapy's stats
    worker: str | None = None  # host and pid of the crawl process
    detail: str | None = Field(default=None, sa_column=Column(Text))  # why it failed, in Chinese


class UrlState(SQLModel, table=True):
    """What the crawler knows about one URL of an agency: validators, last status, gone or not.

    ``kind`` is ``list`` (a 年报 column page), ``page`` (a report page), ``attachment`` (a file
    linked from a report page) or ``report`` (a report page whose body is the report). A URL is
    ``gone`` when it answered 4xx, or failed on three nights in a row, after being published.
    """

    __table_args__ = (UniqueConstraint("agency_id", "url", name="uq_urlstate_agency_url"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    url: str = Field(index=True)
    kind: str = "page"
    year: int | None = None  # the report year the link names
    title: str | None = None  # the link text
    referer: str | None = None  # the page that linked it
    published_on: date | None = None  # the 发布日期 the page shows
    first_seen_at: datetime = Field(default_factory=utcnow)
    last_fetched_at: datetime | None = None
    last_ok_at: datetime | None = None
    last_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = Field(default=None, max_length=64)
    content_hash: str | None = Field(default=None, max_length=64)  # text without scripts (pages)
    document_id: int | None = Field(default=None, foreign_key="document.id")  # newest version stored
    failures: int = 0  # consecutive failed fetches (timeouts, 5xx)
    gone_since: datetime | None = None
    gone_status: int | None = None  # the HTTP status (0: no answer) that made it gone
    last_run_id: int | None = Field(default=None, foreign_key="crawlrun.id")


# --------------------------------------------------------------------------- nightly operation
# One row per run of the nightly pipeline (crawl → audit → render), and the run lock: at most one
# pipeline at a time per database, whichever machine or scheduler starts it (audit/nightly/).


class NightlyRun(SQLModel, table=True):
    """One run of the nightly pipeline: who started it, each step's outcome and counts, the summary."""

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    trigger: str = "manual"  # schedule | manual | demo
    holder: str = ""  # host:pid of the process that ran it
    status: str = "running"  # running | ok | partial | failed | stopped | skipped
    steps: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # one dict per step
    summary: str | None = Field(default=None, sa_column=Column(Text))  # what was printed, in Chinese


class RunLock(SQLModel, table=True):
    """The run lock of the nightly pipeline: its holder and heartbeat (a row, so it works across machines).

    A holder renews ``heartbeat_at`` while it runs and deletes the row when done. A row whose
    heartbeat is older than the staleness limit, or whose holder process on this host is gone, is
    stale: the next run releases it and marks the holder's run failed.
    """

    name: str = Field(primary_key=True)
    token: str = Field(max_length=32)  # changes with every holder (compare-and-swap)
    holder: str  # host:pid
    host: str
    pid: int
    trigger: str = "manual"
    run_id: int | None = None  # the NightlyRun of the holder
    acquired_at: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime = Field(default_factory=utcnow)


class CopySignature(SQLModel, table=True):
    """The CY05 signature of one current report: its kept sentences and samples (audit.store.copyindex).

    ``data`` packs, per narrative section, the cleaned length, the stable hashes of the kept
    sentences and the sampled shingles; ``parsed_at`` and ``digest`` (of the narrative) tell
    whether it still matches the report; ``copies_run`` is the audit run in which the report's
    copy set last changed (a report audited before it is checked again).
    """

    report_id: int = Field(foreign_key="report.id", primary_key=True)
    year: int = Field(index=True)
    agency_id: int = Field(foreign_key="agency.id")
    parsed_at: datetime
    digest: str = Field(max_length=32)
    method: str = Field(max_length=32)
    readable: bool = True  # False: no narrative (an unreadable document)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    copies_run: int | None = None


class CopyPair(SQLModel, table=True):
    """A pair of current reports of one year whose section is alike down to the search floor (CY05)."""

    __table_args__ = (UniqueConstraint("report_a", "report_b", "section", name="uq_copypair"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    section: str = Field(max_length=8)
    report_a: int = Field(foreign_key="report.id", index=True)
    report_b: int = Field(foreign_key="report.id", index=True)
    similarity: float  # containment
    jaccard: float


class CopyYear(SQLModel, table=True):
    """The state of a year's copy index: the search floor of its pairs and its boilerplate sentences."""

    year: int = Field(primary_key=True)
    floor: float
    method: str = Field(max_length=32)
    boilerplate: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
