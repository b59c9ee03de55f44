"""The 整改通知 view: an agency's findings grouped by severity, merged by cause, with basis and evidence.

:func:`notice_view` reads one notice (or, for an agency without one, a preview of what a notice
would list) from the store and returns a :class:`NoticeView`; the HTML template
``notice.html.j2`` and :func:`audit.render.gongwen.notice_docx` write it. To add a part to the
notice: a field on :class:`NoticeView`, filled here, printed by both writers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from audit.form import describe_locator
from audit.render import words
from audit.render.office import Office, chinese_date, office, plain_date
from audit.rulebook.catalog import CatalogError
from audit.rulebook.check import default_catalog
from audit.store import notices as lifecycle_notices
from audit.store import queries
from audit.store import tables as m
from audit.store.workdays import deadline_days, deadline_for

PREVIEW = "preview"  # no notice drafted yet: what a notice would list today


@dataclass
class NoticeItem:
    """One line of a notice: a finding, or several findings with one cause (same rule and table)."""

    rule: str
    title: str
    severity: str
    year: int
    where: list[str]
    messages: list[str]
    basis: dict | None
    evidence: list[words.EvidenceLine]
    left_out: int
    recurring: bool
    days: int
    deadline: date | None
    finding_ids: list[int]
    local: dict | None = None  # a local rule pack's document, when the pack added or changed the rule
    explanations: list[str] = field(default_factory=list)  # accepted explanations of listed findings

    @property
    def local_text(self) -> str:
        """The local document the item also rests on, as printed ('' without a local rule pack)."""
        if not self.local:
            return ""
        b = self.local["basis"]
        if b == self.basis:  # a rule the pack added: its basis is the local document itself
            return f"本条为{self.local['pack']}增加的规则"
        return f"本地规定：《{b['source'].strip('《》')}》{b['article']}：“{b['excerpt']}”（{self.local['pack']}）"

    @property
    def deadline_text(self) -> str:
        """Return the 整改时限 as printed: working days and the date."""
        if self.days <= 0:
            return "不设整改时限"
        return (
            f"{self.days}个工作日（{plain_date(self.deadline)}前）"
            if self.deadline
            else f"{self.days}个工作日"
        )


@dataclass
class NoticeGroup:
    """The items of one severity, under their heading."""

    heading: str
    severity: str
    items: list[NoticeItem]


@dataclass
class NoticeView:
    """Everything a 整改通知 prints."""

    office: Office
    agency: str
    agency_id: int
    region: str | None
    notice_id: int | None
    status: str
    number: str | None
    dated: date
    sent_on: date | None
    years: list[int]
    sources: list[str]
    groups: list[NoticeGroup]
    coverage: list[dict]
    finding_ids: list[int]
    catalogue_versions: list[str] = field(default_factory=list)
    explained: list[dict] = field(default_factory=list)  # the agency's explained findings not listed

    @property
    def explained_lines(self) -> list[str]:
        """The explained findings, one sentence each: resolved by an accepted explanation, not fixed."""
        return [
            f"{e['year']}年度报告 {e['where']}“{e['title']}”：{e['explanation']}（已说明，不再要求整改）"
            for e in self.explained
        ]

    @property
    def title(self) -> str:
        """The notice's title (2号小标宋)."""
        years = "、".join(str(y) for y in self.years)
        return f"关于{self.agency}{years}年度政府信息公开工作年度报告问题整改的通知"

    @property
    def is_final(self) -> bool:
        """Whether the notice has been approved (it has a 文号 and may be sent)."""
        return self.status in (m.NOTICE_APPROVED, m.NOTICE_SENT, m.NOTICE_ACKNOWLEDGED)

    @property
    def date_zh(self) -> str:
        """The 成文日期 in Chinese numerals."""
        return chinese_date(self.dated)

    @property
    def number_text(self) -> str:
        """The 文号, or what stands in its place before approval."""
        return self.number or "（文号待审核后编定）"

    @property
    def status_text(self) -> str:
        """The notice's state in words."""
        if self.status == PREVIEW:
            return "预览（尚未起草）"
        return lifecycle_notices.STATUS_NAMES.get(self.status, self.status)

    @property
    def intro(self) -> str:
        """The opening paragraph."""
        years = "、".join(str(y) for y in self.years)
        count = sum(len(i.finding_ids) for g in self.groups for i in g.items)
        return (
            f"经对你单位公开发布的{years}年度政府信息公开工作年度报告进行审核，发现问题{count}个。"
            "现将有关问题及整改要求通知如下，请认真对照整改。"
        )

    @property
    def requirement(self) -> str:
        """The closing requirement paragraph."""
        return (
            "请你单位自本通知印发之日起，在所列时限内完成整改，在政府信息公开专栏重新发布更正后的年度报告"
            f"（保留原报告并注明更正情况），并将整改情况书面报送{self.office.unit}。"
            "标注“屡查屡犯”的问题在上一年度报告中已经出现，将纳入全省通报。"
        )

    @property
    def coverage_lines(self) -> list[str]:
        """What could and could not be checked, one sentence per report (never silence)."""
        return coverage_sentences(self.coverage)


def _rules_sentence(rep: dict) -> str:
    """Return what a report's coverage record says about the rules ('' before it was audited)."""
    if rep.get("evaluated") is None:
        return ""
    parts = [f"适用的{rep['evaluated']}条规则已检查"]
    if rep.get("not_evaluated"):
        ids = "、".join(sorted(rep["not_evaluated"]))
        parts.append(
            f"{ids}共{len(rep['not_evaluated'])}条规则未能检查（{'；'.join(dict.fromkeys(rep['not_evaluated'].values()))}）"
        )
    by_reason: dict[str, list[str]] = {}
    for rule, why in sorted((rep.get("not_applicable") or {}).items()):
        by_reason.setdefault(why, []).append(rule)
    for why, ids in by_reason.items():
        parts.append(f"{'、'.join(ids)}不适用（{why}）")
    return "；".join(parts)


def coverage_sentences(reports: list[dict]) -> list[str]:
    """Return one sentence per report saying whether every part was read and every rule checked."""
    lines = []
    for rep in reports:
        rules = _rules_sentence(rep)
        if rep["complete"]:
            done = f"{rules}。" if rules else "全部适用规则均已检查。"
            lines.append(f"{rep['year']}年度报告各部分和表格均已读取，{done}")
            continue
        gaps = []
        for gap in rep["gaps"]:
            where = describe_locator(gap["locator"]) if gap["locator"] else ""
            if gap["kind"] == "unreadable":
                gaps.append(f"报告无法机读（{gap['detail'] or '原因不明'}），其内容未能审核")
            elif gap["kind"] == "missing_table":
                gaps.append(f"未能读取{where or '表格'}，相关勾稽关系未检查")
            elif gap["kind"] == "reader":
                gaps.append(gap["detail"] or "部分内容未能读取")
            else:
                gaps.append(f"{where}未能完整读取（{gap['detail']}），相关规则未检查")
        if rules:
            gaps.append(rules)
        lines.append(
            f"{rep['year']}年度报告未能完整审核："
            + "；".join(dict.fromkeys(gaps))
            + "。未检查的部分不视为合格。"
        )
    return lines


def _basis(rule: str) -> tuple[dict | None, str | None, dict | None]:
    """Return a rule's legal basis, title and local document from the catalogue (None when not there)."""
    try:
        found = default_catalog().by_id.get(rule)
    except CatalogError:
        return None, None, None
    if found is None:
        return None, None, None
    local = None
    if found.local is not None:
        local = {"pack": found.local.pack, "basis": found.local.basis.model_dump()}
    return found.spec.basis.model_dump(), found.spec.title, local


def build_items(findings: list[dict], planned: date | None) -> list[NoticeGroup]:
    """Group findings by severity and merge those with one cause into one item.

    ``planned`` is the day a not-yet-sent notice would count deadlines from; findings of a sent
    notice carry their own deadline.
    """
    days = deadline_days()
    groups = []
    for severity in words.SEVERITY_ORDER:
        merged: dict[tuple, list[dict]] = {}
        for f in findings:
            if f["severity"] == severity:
                merged.setdefault(words.merge_key(f), []).append(f)
        if not merged:
            continue
        items = []
        for members in merged.values():
            first = members[0]
            basis, title, local = _basis(first["rule"])
            lines: list[words.EvidenceLine] = []
            left_out = 0
            for f in members:
                ev, more = words.evidence_lines(f["evidence"] or {}, limit=4 if len(members) > 1 else 6)
                lines.extend(ev)
                left_out += more
            if planned is not None:
                deadline = deadline_for(severity, planned, days)
            else:
                deadline = max(
                    (date.fromisoformat(f["deadline"]) for f in members if f["deadline"]), default=None
                )
            items.append(
                NoticeItem(
                    rule=first["rule"],
                    title=first["title"] or title or first["rule"],
                    severity=severity,
                    year=first["year"],
                    where=[describe_locator(f["locator"]) for f in members],
                    messages=[f["message"] for f in members],
                    basis=basis,
                    evidence=list(dict.fromkeys(lines)),
                    left_out=left_out,
                    recurring=any(f["recurring"] for f in members),
                    days=days.get(severity, 0),
                    deadline=deadline,
                    finding_ids=[f["id"] for f in members],
                    local=local,
                    explanations=[f["explanation"] for f in members if f["status"] == m.EXPLAINED],
                )
            )
        heading = words.severity_heading(len(groups) + 1, severity)
        groups.append(NoticeGroup(heading=heading, severity=severity, items=items))
    return groups


def notice_view(session: Session, *, agency_id: int, today: date, notice_id: int | None = None) -> NoticeView:
    """Return the view of notice ``notice_id``, or a preview of the agency's unresolved findings."""
    agency = session.get(m.Agency, agency_id)
    if agency is None:
        raise ValueError(f"机关 {agency_id} 不存在")
    rows = queries.query_findings(session, today, agency=agency.name)
    if notice_id is not None:
        notice = session.get(m.RectificationNotice, notice_id)
        if notice is None or notice.agency_id != agency_id:
            raise ValueError(f"整改通知 {notice_id} 不属于 {agency.name}")
        wanted = set(lifecycle_notices.finding_ids(session, notice_id))
        status, number = notice.status, notice.number
        dated = notice.approved_on or today
        sent_on = notice.sent_on
    else:
        wanted = {r["id"] for r in rows if r["status"] in m.ACTIVE}
        status, number, dated, sent_on = PREVIEW, None, today, None
    findings = [r for r in rows if r["id"] in wanted]
    details = queries.finding_details(session, [f["id"] for f in findings])
    reports = queries.coverage(session, [agency_id])[agency_id]
    years = sorted({f["year"] for f in findings})
    explained = [
        {
            "year": r["year"],
            "where": describe_locator(r["locator"]),
            "title": r["title"] or r["rule"],
            "explanation": r["explanation"] or "",
        }
        for r in rows
        if r["status"] == m.EXPLAINED and r["id"] not in wanted and (not years or r["year"] in years)
    ]
    return NoticeView(
        office=office(),
        agency=agency.name,
        agency_id=agency_id,
        region=agency.region,
        notice_id=notice_id,
        status=status,
        number=number,
        dated=dated,
        sent_on=sent_on,
        years=years,
        sources=sorted({f["source"] for f in findings if f["source"]}),
        groups=build_items(findings, None if sent_on else dated),
        coverage=[r for r in reports if r["year"] in years] or reports,
        finding_ids=[f["id"] for f in findings],
        catalogue_versions=sorted({d["rule_version"] for d in details.values()}),
        explained=explained,
    )
