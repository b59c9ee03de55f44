"""What the spider hands to the store pipeline: one fetch of one URL of one agency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

# The kinds of URL the crawler records (``UrlState.kind``).
LIST = "list"  # a page of an agency's 年报 column
PAGE = "page"  # a report page whose report is an attachment
REPORT = "report"  # a report page whose body is the report itself
DOCUMENT = "document"  # a file that is the report of its year (linked from a report page or a list)
ATTACHMENT = "attachment"  # another file linked from a report page, kept as evidence
KINDS = (LIST, PAGE, REPORT, DOCUMENT, ATTACHMENT)
STORED = (REPORT, DOCUMENT)  # kinds whose content is kept as a Document version


@dataclass
class Fetched:
    """One fetch: what came back for a URL (``status`` 0 when nothing did), and what it is."""

    agency: str
    url: str
    kind: str
    status: int
    body: bytes | None = None  # None for 304, errors and pages only recorded
    store: bool = False  # keep as a Document version (the report document of a year)
    year: int | None = None
    title: str | None = None
    referer: str | None = None
    published_on: date | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    filename: str | None = None
    content_hash: str | None = None  # pages: sha256 of the visible text
    error: str | None = None  # why nothing usable came back, in Chinese
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
