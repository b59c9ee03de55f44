"""The data models shared by every stage: the intermediate document and the canonical ``Report``.

Every reader (text, HTML, PDF, DOCX, DOC) turns its input into an :class:`IntermediateDoc`, a
sequence of paragraphs and tables (grids of cell strings). The label-driven parser
(:mod:`audit.parse`) turns that into a :class:`Report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


@dataclass
class Block:
    """One paragraph or one table of a document, with where it was found.

    ``rows`` holds the table grid (strings; ``""`` for an empty cell) when ``kind == "table"``;
    ``text`` holds the paragraph text when ``kind == "para"``. ``line`` is the 1-based source line
    (text, HTML) and ``page`` the 1-based page (PDF) where the block starts; ``row_lines`` and
    ``row_pages`` give the same per table row when the reader knows them. ``positional`` is True
    when every cell is a position of the printed row (tab-separated text: each tab separates one),
    so a blank cell is an empty field, never padding or the rest of a merged cell.
    """

    kind: Literal["para", "table"]
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    line: int | None = None
    page: int | None = None
    row_lines: list[int | None] = field(default_factory=list)
    row_pages: list[int | None] = field(default_factory=list)
    positional: bool = False


@dataclass
class IntermediateDoc:
    """A document as paragraphs and tables, in reading order, plus facts about the source."""

    source: str
    blocks: list[Block]
    media_type: str = "text/plain"
    pages: int | None = None
    meta: dict[str, str] = field(default_factory=dict)
    # Problems the reader met (e.g. a page without a text layer); become anomalies on the report.
    problems: list[dict[str, str]] = field(default_factory=list)


class Provenance(BaseModel):
    """Where a value came from: table, row label as printed, column, line/page and the raw text."""

    table: str
    row_label: str = ""
    column: str = ""
    line: int | None = None
    page: int | None = None
    raw: str = ""


class CellValue(BaseModel):
    """A table cell value with provenance; ``value is None`` means missing (never 0)."""

    value: int | float | None = None
    raw: str | None = None
    source: Provenance | None = None


class Section(BaseModel):
    """One of the six sections: whether present, its printed title, its text and position."""

    id: str
    present: bool = False
    title: str | None = None
    text: str = ""
    position: int | None = None  # index in the order the sections were found
    line: int | None = None
    page: int | None = None
    # source line and page of each line of ``text`` (parallel to ``text.split("\n")``)
    lines: list[int | None] = Field(default_factory=list)
    pages: list[int | None] = Field(default_factory=list)

    def locate(self, quote: str) -> tuple[int | None, int | None]:
        """Return the (line, page) where a quote from this section's text starts, if found."""
        probe = "".join(quote.split())[:12]
        if probe:
            for i, text_line in enumerate(self.text.split("\n")):
                if probe in "".join(text_line.split()) and i < len(self.lines):
                    return self.lines[i], self.pages[i] if i < len(self.pages) else None
        return self.line, self.page


class Anomaly(BaseModel):
    """Something the parser had to guess or could not read.

    ``kind`` is one of: ``column_count`` (a row with the wrong number of values), ``missing_row``
    (a prescribed row is absent), ``unexpected_row`` (a row not in the form), ``label_variant``
    (printed label differs from the canonical one), ``not_a_number`` (a value that is not a valid
    count or amount), ``section_title_variant``, ``missing_table``, ``unreadable`` and
    ``reader`` (a problem reported by the format reader).
    """

    kind: str
    locator: str | None = None
    detail: str = ""
    printed: str | None = None
    canonical: str | None = None
    line: int | None = None
    page: int | None = None


class Report(BaseModel):
    """The canonical model of one annual report (never persisted as-is)."""

    source: str
    agency: str | None = None
    year: int | None = None
    level: Literal["government", "department"] | None = None
    format: Literal["2021", "2019"] = "2021"
    title: str | None = None
    preamble: str = ""
    sections: dict[str, Section] = Field(default_factory=dict)
    section_order: list[str] = Field(default_factory=list)
    cells: dict[str, CellValue] = Field(default_factory=dict)
    anomalies: list[Anomaly] = Field(default_factory=list)
    markers: list[str] = Field(default_factory=list)  # outdated-format markers found (FM01)
    tables_found: list[str] = Field(default_factory=list)
    readable: bool = True
    unreadable_reason: str | None = None
    over_limit: str | None = None  # the processing limit the document exceeded (audit.limits): not checked
    media_type: str = "text/plain"

    def value(self, cell_id: str) -> int | float | None:
        """Return the value of a cell, ``None`` when missing or unknown."""
        cell = self.cells.get(cell_id)
        return cell.value if cell else None

    def to_parse_json(self) -> dict:
        """Return the ``gkaudit parse --json`` object (see docs/cli.md)."""
        return {
            "source": self.source,
            "agency": self.agency,
            "year": self.year,
            "level": self.level,
            "format": self.format,
            "title": self.title,
            "readable": self.readable,
            "sections": {
                sid: {"present": s.present, "title": s.title, "position": s.position, "line": s.line}
                for sid, s in self.sections.items()
            },
            "cells": {cid: c.value for cid, c in self.cells.items()},
            "provenance": {
                cid: c.source.model_dump(exclude_none=True) for cid, c in self.cells.items() if c.source
            },
            "anomalies": [a.model_dump(exclude_none=True) for a in self.anomalies],
        }


class Finding(BaseModel):
    """One defect found by a rule: rule id, severity, locator, Chinese message and evidence."""

    rule: str
    severity: Literal["error", "warning", "info"]
    locator: str | None = None
    message: str
    evidence: dict = Field(default_factory=dict)
    title: str | None = None
    source: str | None = None
    # the rule's ``resolution``: ``correct``, or ``correct_or_explain`` (an explanation may resolve it)
    resolution: Literal["correct", "correct_or_explain"] = "correct"

    def to_json(self) -> dict:
        """Return the ``gkaudit check --json`` object (see docs/cli.md)."""
        out = {
            "source": self.source,
            "rule": self.rule,
            "severity": self.severity,
            "locator": self.locator,
            "message": self.message,
            "evidence": self.evidence,
        }
        if self.title:
            out["title"] = self.title
        return out


@dataclass
class AuditContext:
    """What a check knows beyond the document itself.

    ``previous`` is last year's report of the same agency (CY01–CY04); ``published_on`` the page's
    发布日期 (TL01); ``local_deadline`` an earlier configured publication deadline for this agency;
    ``copies`` the cross-agency near-duplicates found by the store (CY05), each a dict with
    ``section``, ``other_agency``, ``other_source``, ``similarity`` and ``cluster``;
    ``http_status`` the last status of the document's URL when re-checked (TL04);
    ``notified`` lists last year's findings of the agency that the office notified in a 整改通知 and
    that were not fixed by re-publication (CY06), each a dict with ``finding_id``, ``rule``,
    ``rule_title``, ``locator``, ``message``, ``year``, ``notice`` (the 文号) and ``notice_date``.
    """

    previous: Report | None = None
    published_on: date | None = None
    local_deadline: date | None = None
    copies: list[dict] = field(default_factory=list)
    http_status: int | None = None
    notified: list[dict] = field(default_factory=list)
