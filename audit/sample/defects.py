"""The defects the sample plants, each with the findings a correct audit must give for it.

A defect changes a report at one of two moments: ``figures`` (before the narrative is written:
printed values, the figures the narrative states, wording options) or ``draft`` (after: sections,
titles, paragraphs). ``expect`` names the findings (rule id, locator) it must produce and
``touches`` the parts of the report it changes; two defects that touch the same part are never
planted in one report, and a report whose 五 is copied needs a source whose 五 is untouched.

To add a defect: write its hooks below, register a :class:`Defect` in ``DEFECTS`` with its
Chinese description, add it to a report of the curated plan (``audit.sample.plan``) and state its
findings in tests/test_sample.py. Copies between agencies (``copied_other``) are planted by the
builder, which needs the source report of the same year.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from audit.form import FORMAT_2021
from audit.sample.agencies import Agency
from audit.sample.document import Draft, Para
from audit.sample.wording import Wording

Expected = list[tuple[str, str]]


@dataclass
class Job:
    """One report being generated: its plan, its figures and draft, and what it must produce."""

    agency: Agency
    year: int
    form: str
    medium: str
    defects: list[str]
    published_on: date
    encoding: str = "utf-8"
    figures: dict[str, int | float] = field(default_factory=dict)
    blank: set[str] = field(default_factory=set)  # cells printed empty
    wording: Wording = field(default_factory=Wording)
    draft: Draft | None = None
    previous: Job | None = None  # the same agency's report of the year before, when generated
    last_in_series: bool = False
    copy_of: Job | None = None  # the report whose 五 this one copies (copied_other)
    copied_by: list[Job] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the problems its 五 names

    @property
    def slug(self) -> str:
        """Return the document's file stem (agency slug and year)."""
        return f"{self.agency.slug}-{self.year}"


@dataclass(frozen=True)
class Defect:
    """A defect: when it can be planted, how, and the findings it must give."""

    name: str
    title: str
    touches: frozenset[str]
    expect: Callable[[Job], Expected]
    when: Callable[[Job], bool] = lambda job: True
    figures: Callable[[Job], None] | None = None
    draft: Callable[[Job], None] | None = None


def _add(job: Job, cells: tuple[str, ...], k: int) -> None:
    for cell in cells:
        job.figures[cell] = int(job.figures[cell]) + k


def _k(job: Job) -> int:
    return 1 + job.year % 3


def _late(job: Job) -> None:
    deadline = date(job.year + 1, 1, 31) if job.agency.level == "department" else date(job.year + 1, 3, 31)
    job.published_on = deadline + timedelta(days=9 + job.year % 20)


def _drop_section(sid: str) -> Callable[[Job], None]:
    def hook(job: Job) -> None:
        assert job.draft is not None
        job.draft.sections = [s for s in job.draft.sections if s.id != sid]

    return hook


def _nil_s6(job: Job) -> None:
    assert job.draft is not None
    s6 = job.draft.section("S6")
    assert s6 is not None
    s6.paras = [Para("无。")]


def shift_years(text: str, by: int) -> str:
    """Return ``text`` with every year (19xx/20xx followed by 年) moved by ``by``."""
    return re.sub(r"(?<!\d)((?:19|20)\d{2})(?=年)", lambda m: str(int(m.group(1)) + by), text)


def _copy_last_year(job: Job) -> None:
    assert job.draft is not None and job.previous is not None and job.previous.draft is not None
    mine, theirs = job.draft.section("S5"), job.previous.draft.section("S5")
    assert mine is not None and theirs is not None
    mine.paras = [Para(shift_years(p.text, job.year - job.previous.year), p.role) for p in theirs.paras]


def _latin(job: Job) -> None:
    assert job.draft is not None
    s5 = job.draft.section("S5")
    assert s5 is not None
    para = next(p for p in s5.paras if p.role == "body" and "；" in p.text)
    para.text = para.text.replace("；", " and ", 1)


def _opening_year(job: Job) -> None:
    assert job.draft is not None
    s1 = job.draft.section("S1")
    assert s1 is not None
    s1.paras[0].text = f"{job.year - 1}年，" + s1.paras[0].text.split("，", 1)[1]


def _blank_review(job: Job) -> None:
    job.blank |= {f"t4.review.{c}" for c in ("upheld", "corrected", "other", "pending", "total")}


def _rules(job: Job) -> None:
    job.figures["t2.reg.made"] = 1
    job.figures["t2.reg.valid"] = int(job.figures["t2.reg.valid"]) + 1


def _fee_notice(job: Job) -> None:
    _add(job, ("t3.other.fee_unpaid.natural", "t3.other.fee_unpaid.total"), 1)
    _add(job, ("t3.other.other.natural", "t3.other.other.total"), -1)
    job.wording.forced["fee"] = 0  # the sentence that says no 收费通知 was issued


def _set(attr: str, value: object) -> Callable[[Job], None]:
    def hook(job: Job) -> None:
        target = getattr(job.wording, attr)
        if isinstance(target, set):
            target.add(value)
        elif isinstance(target, dict):
            target.update(value)  # type: ignore[arg-type]
        else:
            setattr(job.wording, attr, value)

    return hook


def _norm_label(job: Job) -> None:
    assert job.draft is not None
    job.draft.labels["t2.norm"] = "规范性文件"


def _stated_new(job: Job) -> None:
    job.wording.stated["new"] = int(job.figures["t3.new.total"]) + _k(job)


_2021 = lambda job: job.form == FORMAT_2021  # noqa: E731
_CARRY = ("t3.carry_in.natural", "t3.carry_in.total", "t3.carry_out.natural", "t3.carry_out.total")

DEFECTS: dict[str, Defect] = {
    d.name: d
    for d in (
        Defect(
            "t3_balance", "表三“本年新收”与办理结果、结转不平衡（自然人列、总计列）", frozenset({"t3"}),
            lambda j: [("BL03", "t3.natural"), ("BL03", "t3.total")],
            figures=lambda j: _add(j, ("t3.new.natural", "t3.new.total"), _k(j)),
        ),
        Defect(
            "t3_results", "表三“予以公开”多计，办理结果之和与（七）总计不符", frozenset({"t3"}),
            lambda j: [("BL02", "t3.result_total.natural"), ("BL02", "t3.result_total.total")],
            figures=lambda j: _add(j, ("t3.granted.natural", "t3.granted.total"), _k(j)),
        ),
        Defect(
            "t4_total", "表四行政复议“总计”与各项结果之和不符", frozenset({"t4"}),
            lambda j: [("BL04", "t4.review")],
            figures=lambda j: _add(j, ("t4.review.total",), 1),
        ),
        Defect(
            "blank_t4", "表四行政复议五栏留空（正文仍称有行政复议的，同时与正文不一致）", frozenset({"t4"}),
            lambda j: [("ST05", "t4")] + ([("NT04", "t4.review.total")] if int(j.figures["t4.review.total"]) else []),
            figures=_blank_review,
        ),
        Defect(
            "carry_over", "表三“上年结转”与上年度年报“结转下年度继续办理”不一致", frozenset({"t3"}),
            lambda j: [("CY01", "t3.carry_in.natural"), ("CY01", "t3.carry_in.total")],
            when=lambda j: j.previous is not None, figures=lambda j: _add(j, _CARRY, _k(j)),
        ),
        Defect(
            "narrative_new", "正文所述收到申请件数与表三不一致", frozenset({"S1"}),
            lambda j: [("NT01", "t3.new.total")],
            when=lambda j: int(j.figures["t3.new.total"]) > 0, figures=_stated_new,
        ),
        Defect(
            "combined", "正文以合并表述（分别为、含上年结转）陈述正确的件数（不应报告问题）", frozenset({"S1"}),
            lambda j: [],
            when=lambda j: int(j.figures["t3.new.total"]) > 0, figures=_set("combined", True),
        ),
        Defect(
            "fee_notice", "表三有逾期未缴费不再处理的申请，正文却称未发出收费通知", frozenset({"t3", "S6"}),
            lambda j: [("NT06", "t3.other.fee_unpaid.total")],
            when=lambda j: _2021(j) and int(j.figures.get("t3.other.other.natural", 0)) > 0, figures=_fee_notice,
        ),
        Defect(
            "no_results", "人民政府年报未报告工作考核、社会评议和责任追究结果", frozenset({"S1"}),
            lambda j: [("ST07", "S1")],
            when=lambda j: j.agency.is_government, figures=_set("omit", "results"),
        ),
        Defect(
            "no_last_year", "“五”未报告上年度问题整改情况", frozenset({"S5"}), lambda j: [("ST09", "S5")],
            figures=_set("omit", "last_year"),
        ),
        Defect("no_fee", "“六”未报告信息处理费收取情况", frozenset({"S6"}), lambda j: [("ST10", "S6")],
               figures=_set("omit", "fee")),
        Defect("no_key_points", "“六”未报告政务公开工作要点落实情况", frozenset({"S6"}),
               lambda j: [("ST11", "S6")], figures=_set("omit", "key_points")),
        Defect("nil_s6", "“六”仅写“无”", frozenset({"S6"}), lambda j: [("ST12", "S6")], draft=_nil_s6),
        Defect("missing_section", "缺少“六、其他需要报告的事项”", frozenset({"S6"}), lambda j: [("ST01", "S6")],
               draft=_drop_section("S6")),
        Defect(
            "title_variant", "“五”的标题与统一格式不一致", frozenset({"S5title"}), lambda j: [("FM03", "S5")],
            figures=_set("titles", {"S5": "五、政府信息公开工作存在的主要问题及改进措施"}),
        ),
        Defect(
            "norm_label", "表二使用旧标签“规范性文件”", frozenset({"t2"}), lambda j: [("FM02", "t2.norm")],
            when=_2021, draft=_norm_label,
        ),
        Defect("latin_word", "“五”中夹杂英文词", frozenset({"S5"}), lambda j: [("FM06", "S5")], draft=_latin),
        Defect("opening_year", "“一、总体情况”开头年份与报告年度不一致", frozenset({"S1"}),
               lambda j: [("FM07", "S1")], draft=_opening_year),
        Defect(
            "reg_not_allowed", "无规章制定权的机关在表二填报规章", frozenset({"t2"}), lambda j: [("PL01", "t2.reg")],
            when=lambda j: _2021(j) and not j.agency.makes_rules and j.last_in_series,
            figures=_rules,
        ),
        Defect("late", "发布日期晚于公布期限", frozenset({"date"}), lambda j: [("TL01", "report")], figures=_late),
        Defect(
            "copied_last_year", "“五”照抄上年度年报", frozenset({"S5"}), lambda j: [("CY04", "S5")],
            when=lambda j: j.previous is not None and not _touched(j.previous, "S5"), draft=_copy_last_year,
        ),
        Defect("copied_other", "“五”与同年度另一机关年报雷同", frozenset({"S5"}), lambda j: [("CY05", "S5")]),
    )
}  # fmt: skip


def _touched(job: Job, part: str) -> bool:
    """Return whether a planted defect (or a copy by another report) changes ``part`` of ``job``."""
    return any(part in DEFECTS[d].touches for d in job.defects)


def compatible(job: Job, name: str) -> bool:
    """Return whether defect ``name`` can be planted in ``job`` beside its other defects."""
    defect = DEFECTS[name]
    if name in job.defects or not defect.when(job):
        return False
    return not any(defect.touches & DEFECTS[d].touches for d in job.defects)


def expected(job: Job) -> Expected:
    """Return the findings ``job`` must produce: its defects' and those of reports copying it."""
    out: Expected = []
    for name in job.defects:
        out += DEFECTS[name].expect(job)
    if job.copied_by:
        out.append(("CY05", "S5"))
    return sorted(set(out))
