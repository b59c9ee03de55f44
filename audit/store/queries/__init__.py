"""Every read of the store that the CLI and the outputs need, in one place.

Reads return plain dicts (JSON-ready, the shape of ``docs/cli.md``) or rows; nothing here writes.
To add a read: write a function in the submodule of its subject (core, outputs, crawl) taking a
``Session`` and keyword filters, import it here, and add a test in
tests/test_store_queries.py; the CLI formats what it returns.
"""

from __future__ import annotations

from audit.store.queries.core import (  # noqa: F401
    active_finding_ids,
    current_report_keys,
    current_reports,
    document_of,
    finding_detail,
    finding_json,
    first_published,
    iso,
    newest_documents,
    notified_findings,
    previous_report,
    query_findings,
    query_reports,
    report_sources,
    source_of,
)
from audit.store.queries.crawl import (  # noqa: F401
    agency_by_name,
    crawl_runs,
    gone_documents,
    lists_read_on,
    local_deadlines,
    published_years,
)
from audit.store.queries.outputs import (  # noqa: F401
    agencies_in_scope,
    coverage,
    evidence_source,
    finding_details,
    notice_json,
    query_notices,
)
