"""Everything the office reads for a scope, written into one folder (``gkaudit notices``).

::

    <out>/index.html                 the dashboard
    <out>/bulletin.html, .docx       the 通报
    <out>/notices/notice-<id>.*      every 整改通知 of gkaudit (HTML and DOCX)
    <out>/notices/preview-a<id>.*    for an agency with unresolved findings not in any notice yet
    <out>/ledgers/ledger-<region>.xlsx, ledger-all.xlsx   the 整改清单
    <out>/evidence/finding-<id>.html one evidence page per finding (and what it embeds)

File names carry ids and region codes only, never an agency's name. To add an output: write it
here and put its link in ``links`` for the dashboard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session

from audit.render import dashboard, gongwen, ledger, render_html
from audit.render.bulletin import bulletin_docx, bulletin_view
from audit.render.notice import notice_view
from audit.store import queries
from audit.store import tables as m

# what still needs rectifying or a decision, and what an accepted explanation resolved (shown as such)
LEDGER_STATUSES = (*m.ACTIVE, m.ACCEPTED, m.EXPLAINED)


@dataclass
class Written:
    """What :func:`render_scope` wrote."""

    out: Path
    notices: int = 0
    previews: int = 0
    ledgers: int = 0
    evidence: int = 0
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """Return what was written as one Chinese line (what ``gkaudit notices`` prints)."""
        return (
            f"已输出到 {self.out}：整改通知 {self.notices} 份、预览 {self.previews} 份、"
            f"整改清单 {self.ledgers + 1} 份、证据页 {self.evidence} 个、通报和看板（{self.out / 'index.html'}）"
        )


def _region_file(region: str | None) -> str:
    """Return a safe file-name part for a region code."""
    return re.sub(r"[^0-9A-Za-z]", "_", region or "") or "none"


def _write(path: Path, data: str | bytes, written: Written) -> None:
    """Write a file and remember it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    written.files.append(path)


def write_notice(
    session: Session, out: Path, *, agency_id: int, notice_id: int | None, today: date, written: Written
) -> dict:
    """Write one notice (or an agency's preview) as HTML and DOCX; return its dashboard link."""
    v = notice_view(session, agency_id=agency_id, notice_id=notice_id, today=today)
    stem = f"notice-{notice_id}" if notice_id is not None else f"preview-a{agency_id}"
    _write(out / "notices" / f"{stem}.html", render_html("notice.html.j2", v=v), written)
    _write(out / "notices" / f"{stem}.docx", gongwen.notice_docx(v), written)
    label = v.number or v.status_text
    return {"label": label, "html": f"notices/{stem}.html", "docx": f"notices/{stem}.docx"}


def render_scope(
    session: Session, out: Path, *, today: date, region: str | None = None, agency: str | None = None
) -> Written:
    """Write the dashboard, 通报, notices, lists and evidence pages of a scope into ``out``."""
    written = Written(out=out)
    agencies = queries.agencies_in_scope(session, region=region, agency=agency)
    names = {a["name"] for a in agencies}
    findings = [
        f
        for f in queries.query_findings(session, today, region=region, agency=agency)
        if f["agency"] in names
    ]
    details = queries.finding_details(session, [f["id"] for f in findings])
    for f in findings:
        f["notice"] = details.get(f["id"], {}).get("notice")
        f["reply"] = details.get(f["id"], {}).get("reply")
    view = dashboard.dashboard_view(session, findings, agencies)
    notices = queries.query_notices(session, region=region, agency=agency)
    for row in view["agencies"]:
        listed: set[int] = set()
        for n in (n for n in notices if n["agency"] == row.name):
            row.notices.append(
                write_notice(session, out, agency_id=row.id, notice_id=n["id"], today=today, written=written)
            )
            listed.update(n["findings"])
            written.notices += 1
        if any(
            f["agency"] == row.name and f["status"] in m.ACTIVE and f["id"] not in listed for f in findings
        ):
            row.notices.append(
                write_notice(session, out, agency_id=row.id, notice_id=None, today=today, written=written)
            )
            written.previews += 1
    ledgers: dict[str, str] = {}
    open_rows = [f for f in findings if f["status"] in LEDGER_STATUSES]
    for code in sorted({a["region"] or "未设区划" for a in agencies}):
        rows = [f for f in open_rows if (f["region"] or "未设区划") == code]
        name = f"ledgers/ledger-{_region_file(code if code != '未设区划' else None)}.xlsx"
        _write(out / name, ledger.ledger_xlsx(rows, title=f"问题台账 {code}"), written)
        ledgers[code] = name
        written.ledgers += 1
    _write(out / "ledgers" / "ledger-all.xlsx", ledger.ledger_xlsx(open_rows), written)
    ledgers["all"] = "ledgers/ledger-all.xlsx"
    scope = agency or (f"区划 {region}" if region else "全省")
    reports = [r for r in queries.query_reports(session) if r["agency"] in names]
    b = bulletin_view(findings, agencies, reports, scope=scope, today=today)
    _write(out / "bulletin.html", render_html("bulletin.html.j2", v=b), written)
    _write(out / "bulletin.docx", bulletin_docx(b), written)
    pages = dashboard.write_evidence(session, out / "evidence", findings)
    written.evidence = len(pages)
    links = {
        "ledgers": ledgers,
        "bulletin": {"html": "bulletin.html", "docx": "bulletin.docx"},
        "evidence": {fid: f"evidence/{name}" for fid, name in pages.items()},
    }
    written.files.append(dashboard.write_dashboard(out, view, links, scope=scope, today=today))
    return written
