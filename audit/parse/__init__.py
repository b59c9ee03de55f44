"""The label-driven parser: intermediate document → canonical :class:`~audit.report.Report`.

Rows are recognised by their normalised label (full/half-width, spaces, quotes, numbering and known
variants), never by position, so shifted, wrapped and merged rows of real documents land in the
right cells. Values are the trailing value cells of a row; a row with the wrong number of values,
a row not in the form, a prescribed row that is absent and a printed label that differs from the
form are recorded as anomalies. Missing values stay ``None``.
"""

from __future__ import annotations

from pathlib import Path

from audit.form import FORMAT_2019, FORMAT_2021, all_cells
from audit.organs import organ_level
from audit.parse.rows import Row, _rows
from audit.parse.sections import _PERIOD_RE, _find_title, fill_sections
from audit.parse.tables import _format_markers, _Parse, _parse_t2, _parse_t3, _parse_t4
from audit.readers import read, read_path
from audit.report import Anomaly, CellValue, IntermediateDoc, Report

__all__ = ["Row", "parse_bytes", "parse_document", "parse_path"]


def parse_document(doc: IntermediateDoc) -> Report:
    """Parse an intermediate document into the canonical report."""
    report = Report(source=doc.source, media_type=doc.media_type)
    for prob in doc.problems:
        if prob.get("kind") == "unreadable":
            report.readable = False
            report.unreadable_reason = prob.get("detail") or "文档无法机读"
        report.anomalies.append(
            Anomaly(kind=prob.get("kind", "reader"), locator=prob.get("code"), detail=prob.get("detail", ""))
        )
    rows = _rows(doc)
    full_text = "\n".join(" ".join(c for c in r.cells if c) for r in rows)
    title, agency, year, title_idx = _find_title(rows, 40)
    report.title, report.agency, report.year = title, agency, year
    report.level = organ_level(agency)  # type: ignore[assignment]

    bounds = fill_sections(report, rows, title_idx)
    if report.year is None:
        m = _PERIOD_RE.search(report.preamble) or _PERIOD_RE.search(full_text[:3000])
        if m:
            report.year = int(m.group(1))

    def region(sid: str, fallback: tuple[int, int]) -> list[Row]:
        if sid in bounds:
            a, b = bounds[sid]
            return rows[a:b]
        return rows[fallback[0] : fallback[1]]

    n = len(rows)
    s3_start = bounds.get("S3", (n, n))[0]
    s4_start = bounds.get("S4", (n, n))[0]
    t2_rows = region("S2", (0, s3_start))
    report.markers = _format_markers(t2_rows)
    p = _Parse(report, fmt=FORMAT_2019 if report.markers else FORMAT_2021)
    report.format = p.fmt  # type: ignore[assignment]
    for cid in all_cells(p.fmt):
        report.cells[cid] = CellValue()
    if report.readable:
        _parse_t2(p, t2_rows)
        _parse_t3(p, region("S3", (bounds.get("S2", (0, 0))[1] if "S2" in bounds else 0, s4_start)))
        _parse_t4(p, region("S4", (s4_start, bounds.get("S5", (n, n))[0])))
        for table in ("t2", "t3", "t4"):
            if any(cid.startswith(table + ".") and c.source for cid, c in report.cells.items()):
                if table not in report.tables_found:
                    report.tables_found.append(table)
            else:
                report.anomalies.append(
                    Anomaly(kind="missing_table", locator=table, detail=f"未找到{table}表格")
                )
        images = int(doc.meta.get("images", "0") or 0)
        if not report.tables_found and images and any(s.present for s in report.sections.values()):
            # the text is there but the three statistical tables were published as pictures
            report.readable = False
            report.unreadable_reason = f"正文可读，但统计表格以图片形式发布（共{images}张图片），无法机读"
            report.anomalies.append(Anomaly(kind="unreadable", detail=report.unreadable_reason))
    return report


def parse_bytes(data: bytes, source: str, content_type: str | None = None) -> Report:
    """Parse a document given as bytes in this process (kind sniffed; ``content_type`` a hint).

    Untrusted documents are parsed by :func:`audit.bounded.parse_bounded`, which runs this in a
    worker process bounded in time and memory.
    """
    return parse_document(read(data, source, content_type))


def parse_path(path: str | Path) -> Report:
    """Parse a document file; raises :class:`audit.readers.UnreadableError` for unreadable input."""
    return parse_document(read_path(path))
