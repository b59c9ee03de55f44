"""The 整改清单 / 问题台账 as XLSX (openpyxl), and reading back what an office typed into it.

One row per finding: agency, year, rule, severity, locator as a reader says it, message, evidence,
status (a drop-down), acceptance date, deadline, overdue, recurring, the notice's 文号, the agency's
reply and an identity code. The header is frozen and filtered, the columns sized, the page A4
landscape. Text that a spreadsheet would take for a formula (beginning with = + - @) is stored as
text (``data_type "s"`` and a quote prefix), never as a formula.

Import (:func:`read_ledger`, :func:`diff_ledger`, :func:`apply_changes`): rows are matched by 编号 and
checked against the identity code; only status decisions an office may take (确认、误报、暂缓接受,
and 已说明 for a finding whose rule may be resolved by an explanation — the 机关答复 of that row is
the explanation) and the reply column are taken over, all or nothing. To add a column: a :class:`Column` in
:data:`COLUMNS` and, if it is read back, a field of :class:`Change`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlmodel import Session

from audit.form import describe_locator
from audit.render import words
from audit.store import lifecycle
from audit.store import tables as m
from audit.store.status import CORRECT_OR_EXPLAIN, SEVERITY_NAMES, STATUS_NAMES

FORMULA_STARTS = ("=", "+", "-", "@")
SHEET_TITLE = "问题台账"
# Statuses an office may set by typing them into the list, and the decision each one is.
DECISIONS = {m.CONFIRMED: "confirm", m.DISMISSED: "dismiss", m.ACCEPTED: "accept"}


@dataclass(frozen=True)
class Column:
    """A column of the list: header, width (characters) and how a finding row fills it."""

    header: str
    width: int
    value: Callable[[dict], object]


def _evidence(f: dict) -> str:
    """Return the finding's evidence as lines of text."""
    lines, more = words.evidence_lines(f.get("evidence") or {}, limit=12)
    out = [f"{e.where}：{'“' + e.text + '”' if e.quote else e.text}" for e in lines]
    return "\n".join(out + ([f"另有{more}处单元格"] if more else []))


def _day(value: str | None) -> date | None:
    """Return an ISO date as a date (None stays None)."""
    return date.fromisoformat(value) if value else None


COLUMNS: tuple[Column, ...] = (
    Column("编号", 8, lambda f: f["id"]),
    Column("机关", 24, lambda f: f["agency"]),
    Column("区划", 10, lambda f: f["region"] or ""),
    Column("年度", 7, lambda f: f["year"]),
    Column("规则", 7, lambda f: f["rule"]),
    Column("问题", 22, lambda f: f["title"] or ""),
    Column("级别", 7, lambda f: SEVERITY_NAMES.get(f["severity"], f["severity"])),
    Column("位置", 28, lambda f: describe_locator(f["locator"])),
    Column("问题描述", 48, lambda f: f["message"]),
    Column("证据", 48, _evidence),
    Column("状态", 10, lambda f: STATUS_NAMES.get(f["status"], f["status"])),
    Column("接受至", 12, lambda f: _day(f["accepted_until"])),
    Column("整改时限", 12, lambda f: _day(f["deadline"])),
    Column("是否逾期", 8, lambda f: "是" if f["overdue"] else "否"),
    Column("屡查屡犯", 8, lambda f: "是" if f["recurring"] else "否"),
    Column("通知文号", 20, lambda f: f.get("notice") or ""),
    Column("机关答复", 40, lambda f: f.get("reply") or ""),
    Column("可说明", 7, lambda f: "是" if f.get("resolution") == CORRECT_OR_EXPLAIN else "否"),
    Column("已认可的说明", 40, lambda f: f.get("explanation") or ""),
    Column("识别码", 14, lambda f: f["fingerprint"][:12]),
)
HEADERS = [c.header for c in COLUMNS]


def put(cell, value: object) -> None:  # noqa: ANN001
    """Write a value; text that looks like a formula is kept as text (never evaluated)."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"


def ledger_xlsx(findings: list[dict], title: str = SHEET_TITLE) -> bytes:
    """Return the list of ``findings`` (``query_findings`` dicts plus notice and reply) as XLSX."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    for col, column in enumerate(COLUMNS, 1):
        cell = ws.cell(row=1, column=col, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = column.width
    wrap = Alignment(vertical="top", wrap_text=True)
    for row, f in enumerate(findings, 2):
        for col, column in enumerate(COLUMNS, 1):
            cell = ws.cell(row=row, column=col)
            put(cell, column.value(f))
            cell.alignment = wrap
    last = max(len(findings) + 1, 2)
    status_col = get_column_letter(HEADERS.index("状态") + 1)
    choices = ",".join(STATUS_NAMES[s] for s in m.STATUSES)
    dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=False, showDropDown=False)
    dv.error = "请从下拉列表中选择状态"
    dv.errorTitle = "状态无效"
    dv.prompt = (
        "可改为：已确认、误报、暂缓接受（须填“接受至”）、已说明（限“可说明”的问题，说明写在“机关答复”）"
    )
    dv.promptTitle = "状态"
    ws.add_data_validation(dv)
    dv.add(f"{status_col}2:{status_col}{last}")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class LedgerError(ValueError):
    """The list cannot be read or taken over (message in Chinese, naming the rows)."""


@dataclass
class Change:
    """What an office changed in one row: status and/or reply."""

    finding_id: int
    label: str  # agency, year, rule and place, for the diff
    status_from: str
    status_to: str
    reply_from: str
    reply_to: str
    until: date | None = None

    @property
    def status_changed(self) -> bool:
        """Whether the status was changed."""
        return self.status_from != self.status_to

    @property
    def reply_changed(self) -> bool:
        """Whether the reply was changed."""
        return self.reply_from != self.reply_to

    def describe(self) -> list[str]:
        """Return the diff lines of this row, in Chinese."""
        out = []
        if self.status_changed:
            name = STATUS_NAMES
            extra = f"（至 {self.until}）" if self.until else ""
            out.append(
                f"[{self.finding_id}] {self.label}：状态 {name[self.status_from]} → {name[self.status_to]}{extra}"
            )
        if self.reply_changed:
            out.append(
                f"[{self.finding_id}] {self.label}：答复 “{self.reply_from or '（空）'}” → “{self.reply_to or '（空）'}”"
            )
        return out


def _text(value: object) -> str:
    """Return a cell value as stripped text."""
    return "" if value is None else str(value).strip()


def read_ledger(path: Path) -> list[dict]:
    """Return the rows of a 整改清单 as dicts by header; raise when it is not one."""
    try:
        wb = load_workbook(path, read_only=True, data_only=False)  # a typed formula is read as its text
    except Exception as exc:  # noqa: BLE001  (openpyxl raises many kinds for a bad file)
        raise LedgerError(f"无法读取整改清单 {path.name}：{exc}") from exc
    ws = wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    missing = [h for h in ("编号", "状态", "机关答复", "识别码") if h not in header]
    if missing:
        raise LedgerError(f"{path.name} 不是 gkaudit 的整改清单：缺少列 {'、'.join(missing)}")
    out = []
    for n, values in enumerate(rows, 2):
        row = dict(zip(header, values, strict=False))
        if all(v in (None, "") for v in values):
            continue
        row["_row"] = n
        out.append(row)
    wb.close()
    return out


def _until(value: object) -> date | None:
    """Return the 接受至 cell as a date (a date cell or YYYY-MM-DD text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    return date.fromisoformat(text) if text else None


def diff_ledger(session: Session, rows: list[dict], today: date) -> list[Change]:
    """Return the changes the rows make to the store; raise :class:`LedgerError` listing every problem."""
    problems: list[str] = []
    changes: list[Change] = []
    for row in rows:
        where = f"第{row['_row']}行"
        try:
            fid = int(row.get("编号"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.append(f"{where}：编号“{_text(row.get('编号'))}”无效")
            continue
        finding = session.get(m.Finding, fid)
        if finding is None or not finding.fingerprint.startswith(_text(row.get("识别码")) or "-"):
            problems.append(f"{where}：问题 {fid} 与本库不符（编号或识别码不对应）")
            continue
        current = lifecycle.effective_status(finding, today)
        typed = _text(row.get("状态"))
        wanted = words.STATUS_CODES.get(typed, typed)
        if wanted not in m.STATUSES:
            problems.append(f"{where}：状态“{typed}”无效")
            continue
        try:
            until = _until(row.get("接受至"))
        except ValueError:
            problems.append(f"{where}：接受至“{_text(row.get('接受至'))}”不是日期")
            continue
        reply = _text(row.get("机关答复"))
        change = Change(
            fid, "", current, wanted, finding.reply or "", reply, until if wanted == m.ACCEPTED else None
        )
        if change.status_changed and wanted not in (*DECISIONS, m.EXPLAINED):
            problems.append(
                f"{where}：状态不能改为“{typed}”（只能改为已确认、误报、暂缓接受或已说明；已整改由更正后重新发布的报告认定）"
            )
            continue
        if (
            change.status_changed
            and wanted == m.EXPLAINED
            and (finding.resolution != CORRECT_OR_EXPLAIN or not reply)
        ):
            why = "该规则的问题只能整改，不接受说明" if reply else "须在“机关答复”填写机关的说明"
            problems.append(f"{where}：改为“已说明”{why}")
            continue
        if change.status_changed and wanted == m.ACCEPTED and (until is None or until < today):
            problems.append(f"{where}：改为“暂缓接受”须在“接受至”填写今天以后的日期")
            continue
        if change.status_changed or change.reply_changed:
            agency = session.get(m.Agency, finding.agency_id)
            change.label = f"{agency.name if agency else ''} {finding.year}年 {finding.rule} {describe_locator(finding.locator)}"
            changes.append(change)
    if problems:
        raise LedgerError("整改清单有以下问题，未作任何更改：\n" + "\n".join(problems))
    return changes


def apply_changes(session: Session, changes: list[Change], *, actor: str, today: date) -> None:
    """Take the changes over: decisions through the lifecycle, replies with an event each."""
    for ch in changes:
        finding = session.get(m.Finding, ch.finding_id)
        assert finding is not None
        if ch.reply_changed:
            finding.reply = ch.reply_to or None
            finding.reply_at = m.utcnow()
            finding.reply_by = actor
            lifecycle.event(
                session,
                finding,
                finding.status,
                actor=actor,
                reason=f"整改清单导入机关答复：{ch.reply_to or '（清空）'}",
            )
        if ch.status_changed and ch.status_to == m.EXPLAINED:
            lifecycle.explain(session, ch.finding_id, ch.reply_to, actor=actor)
        elif ch.status_changed:
            reason = ch.reply_to or "整改清单导入"
            lifecycle.decide(
                session,
                ch.finding_id,
                DECISIONS[ch.status_to],
                actor=actor,
                reason=reason,
                until=ch.until,
                today=today,
            )
