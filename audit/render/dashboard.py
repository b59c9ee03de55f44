"""The static dashboard and its evidence pages (HTML that works from file:// and any web server).

:func:`dashboard_view` counts findings per region and agency (open, overdue, fixed), the rule hot
spots and the years, and says per agency whether its reports were fully checked (an agency with no
finding but an unreadable table is never shown as clean). :func:`write_evidence` writes one page per
finding with the archived document and the cited cells highlighted (:mod:`audit.render.evidence`).
No page has a script; charts are SVG (:mod:`audit.render.svg`).
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session

from audit.clock import local_time
from audit.form import describe_locator
from audit.render import evidence as ev
from audit.render import render_html, svg, words
from audit.render.notice import coverage_sentences
from audit.render.office import office
from audit.store import db as store
from audit.store import queries
from audit.store import tables as m

GROUPS = {
    m.OPEN: "open",
    m.CONFIRMED: "open",
    m.OVERDUE: "overdue",
    m.FIXED: "fixed",
    m.EXPLAINED: "explained",
}


def status_group(status: str) -> str:
    """Return the dashboard's group of a status: open, overdue, fixed, explained or other."""
    return GROUPS.get(status, "other")


@dataclass
class AgencyRow:
    """One agency on the dashboard."""

    id: int
    name: str
    region: str | None
    level: str | None
    counts: Counter
    recurring: int
    coverage: list[dict]
    notices: list[dict] = field(default_factory=list)  # {"label", "html", "docx"}

    @property
    def checked_fully(self) -> bool:
        """Whether every stored report of the agency was read and checked in full."""
        return all(r["complete"] for r in self.coverage)

    @property
    def state(self) -> str:
        """The agency's state in words; silence is never taken for compliance."""
        if not self.coverage:
            return "库中无报告"
        if not self.checked_fully:
            return "未能完整审核"
        if self.counts["open"] + self.counts["overdue"]:
            return "存在未整改问题"
        explained = f"（{self.counts['explained']}个问题已说明）" if self.counts["explained"] else ""
        return f"未发现未整改问题{explained}"

    @property
    def coverage_text(self) -> str:
        """What could not be checked, in sentences."""
        return "".join(coverage_sentences([r for r in self.coverage if not r["complete"]]))


def dashboard_view(session: Session, findings: list[dict], agencies: list[dict]) -> dict:
    """Return what the dashboard shows for the findings and agencies of a scope."""
    covered = queries.coverage(session, [a["id"] for a in agencies])
    by_agency: dict[str, Counter] = defaultdict(Counter)
    recurring: Counter = Counter()
    for f in findings:
        by_agency[f["agency"]][status_group(f["status"])] += 1
        recurring[f["agency"]] += bool(f["recurring"] and f["status"] in m.ACTIVE)
    rows = [
        AgencyRow(
            a["id"],
            a["name"],
            a["region"],
            a["level"],
            by_agency[a["name"]],
            recurring[a["name"]],
            covered[a["id"]],
        )
        for a in agencies
    ]
    regions: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        regions[row.region or "未设区划"].update(row.counts)
        regions[row.region or "未设区划"]["agencies"] += 1
    hot = Counter(f"{f['rule']} {f['title'] or ''}".strip() for f in findings if f["status"] in m.ACTIVE)
    years: dict[int, Counter] = defaultdict(Counter)
    for f in findings:
        years[f["year"]][status_group(f["status"])] += 1
    return {
        "agencies": rows,
        "regions": sorted(regions.items()),
        "hot_chart": svg.bars(hot.most_common(12), title="规则热点（未整改问题数）"),
        "year_chart": svg.stacked_years({y: dict(c) for y, c in years.items()}, title="各年度问题及整改情况"),
        "findings": findings,
    }


def write_dashboard(out: Path, view: dict, links: dict, *, scope: str, today: date) -> Path:
    """Write ``index.html`` of the dashboard into ``out``; return its path."""
    generated = local_time(datetime.now(store.SHANGHAI))
    page = render_html(
        "dashboard.html.j2",
        v=view,
        links=links,
        office=office(),
        scope=scope,
        today=today,
        generated=generated,
    )
    target = out / "index.html"
    target.write_text(page, encoding="utf-8")
    return target


def _document_view(finding: dict, source: dict, out: Path) -> dict:
    """Write the archived document's view for one finding; return what the finding page embeds."""
    data = (store.data_dir() / source["archive_path"]).read_bytes()
    marks = ev.marks_for(finding["evidence"] or {}, source["cells"])
    kind = Path(source["archive_path"]).suffix.lstrip(".")
    name = f"doc-{finding['id']}.html"
    if kind == "html":
        (out / name).write_text(ev.html_view(data, marks, finding["agency"]), encoding="utf-8")
        return {"kind": "frame", "src": name}
    if kind == "txt":
        lines = ev.text_lines(data, marks)
        page = render_html("text_doc.html.j2", lines=lines, title=finding["agency"], csp=ev.CSP)
        (out / name).write_text(page, encoding="utf-8")
        first = next((x["n"] for x in lines if x["row"] or x["quote"]), None)
        return {"kind": "frame", "src": name + (f"#L{max(first - 3, 1)}" if first else "")}
    if kind == "pdf" and source["readable"]:
        pages = []
        for number, boxes in ev.pdf_boxes(data, marks).items():
            png = f"r{source['report_id']}-p{number}.png"
            if not (out / png).exists():
                (out / png).write_bytes(ev.page_png(data, number))
            pages.append({"page": number, "src": png, "boxes": boxes})
        return {"kind": "pages", "pages": pages}
    files = out / "files"
    files.mkdir(exist_ok=True)
    original = files / f"{source['sha256'][:16]}.{kind}"
    if not original.exists():
        shutil.copyfile(store.data_dir() / source["archive_path"], original)
    return {"kind": "file", "src": f"files/{original.name}"}


def write_evidence(session: Session, out: Path, findings: list[dict]) -> dict[int, str]:
    """Write one evidence page per finding into ``out``; return finding id → page name."""
    out.mkdir(parents=True, exist_ok=True)
    details = queries.finding_details(session, [f["id"] for f in findings])
    sources: dict[int, dict | None] = {}
    pages = {}
    for f in findings:
        extra = details.get(f["id"], {})
        rid = extra.get("report_id")
        if rid is not None and rid not in sources:
            sources[rid] = queries.evidence_source(session, rid)
        source = sources.get(rid) if rid is not None else None
        doc = _document_view(f, source, out) if source else {"kind": "none"}
        lines, left_out = words.evidence_lines(f["evidence"] or {}, limit=40)
        name = f"finding-{f['id']}.html"
        page = render_html(
            "finding.html.j2",
            f=f,
            extra=extra,
            source=source,
            doc=doc,
            evidence=lines,
            left_out=left_out,
            where=describe_locator(f["locator"]),
        )
        (out / name).write_text(page, encoding="utf-8")
        pages[f["id"]] = name
    return pages
