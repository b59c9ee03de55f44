"""Content facts of 五 and 六: what the two closing sections report.

Rules: ST08 (五 gives problems and measures), ST09 (五 says how last year's problems were
rectified), ST10 (六 reports the 信息处理费), ST11 (六 reports the 要点), ST12 (六 says only that
there is nothing to report). The phrasings each pattern accepts are listed in docs/wording.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from audit.facts.base import Fact, Family, View, quote, register
from audit.text import first_quote, norm, sentences

PROBLEM_RE = re.compile(
    r"(问题|不足|短板|差距|有待|不够|不强|不高|薄弱|欠缺|滞后|不到位|不完善|不充分|不平衡|单一)"
)
MEASURE_RE = re.compile(
    r"(改进|下一步|措施|整改|今后|接下来|计划|拟|力争|努力|着力|将(?!来)|加强|推进|提升|完善|强化|加大|规范|健全)"
)
# "有待加强", "需进一步提升": a problem, not a measure
_NEED_RE = re.compile(
    r"(有待|需要|需|仍需|还需|亟待|亟需|尚需|不够|不足以)(进一步)?(加强|提升|提高|完善|改进|强化|加大|规范|健全|推进)"
)
LAST_YEAR_RE = re.compile(r"(上年度|上一年度|上年|去年|上一年|前一年|往年|以往年度)")
RECTIFY_RE = re.compile(r"(整改|问题|改进|不足|年报|年度报告|落实情况)")
FEE_RE = re.compile(r"(信息处理费|处理费|收费通知|收取(?:任何)?费用|未收费|不收费|收费情况|收取费用情况)")
KEY_POINTS_RE = re.compile(
    r"(要点|政务公开重点工作|重点工作任务|重点任务落实|重点工作落实|政务公开(?:工作)?(?:重点)?任务)"
)
_NIL_SUBJECT_RE = re.compile(
    r"^(?:本机关|本单位|本局|本委|本办|本部门|我局|我委|我办|我单位|我部门|我区|我县|我市|本年度|本年|今年|全年|(?:19|20)\d{2}年度?)+"
)
# What is left of a nil 六 after nil_text: "无", "暂无其他需要报告事项", "无需要说明的其他事项"
NIL_RE = re.compile(
    r"^(?:暂|均|也|亦)?(?:无|没有|不存在)(?:其他|其它)?(?:需要|需|应当|应)?(?:报告|说明|披露)?(?:的)?"
    r"(?:其他|其它)?(?:事项|情况|内容)?$"
)


def measures_quote(text: str) -> str:
    """Return the first sentence of 五 that states an improvement measure ('' when none does)."""
    for sent in sentences(text):
        if MEASURE_RE.search(_NEED_RE.sub("", sent)):
            return sent
    return ""


def last_year_rectification(text: str, year: int | None) -> str:
    """Return the sentence of 五 that reports how last year's problems were rectified ('' if none)."""
    prev = rf"|{year - 1}年(?:度)?" if year else ""
    last = re.compile(LAST_YEAR_RE.pattern[:-1] + prev + ")")
    for sent in sentences(text):
        if last.search(sent) and RECTIFY_RE.search(sent) and "结转" not in sent:
            return sent
    for sent in sentences(text):
        if re.search(r"(整改情况|整改落实情况|问题整改|整改到位|已整改|完成整改)", sent) and re.search(
            r"(上|去年|以往|前期|此前)", sent
        ):
            return sent
    return ""


def nil_text(text: str) -> str:
    """Return the S6 text without punctuation and leading subject/time words, cut to 40 characters.

    "本机关2023年度无其他需要报告的事项。" becomes "无其他需要报告的事项", which ST12 compares with
    the nil wordings.
    """
    s = re.sub(r"[\W_]+", "", norm(text))
    return _NIL_SUBJECT_RE.sub("", s)[:40]


def is_nil(text: str) -> bool:
    """Return True when 六 says nothing but that there is nothing to report (or is empty)."""
    rest = nil_text(text)
    return not rest or NIL_RE.match(rest) is not None


def _or_none(text: str) -> str:
    return quote(text) if text else "未见相关内容"


@register
class S5Content(Family):
    """What 五 reports: problems, measures, last year's rectification (ST08, ST09)."""

    FACTS = {"s5_content": ("has_problems", "has_measures", "last_year_reported")}

    def build(self, v: View) -> Iterator[Fact]:
        """Yield the s5_content fact when 五 is present."""
        if not v.present("S5"):
            return
        text = v.text("S5")
        problems = first_quote(PROBLEM_RE, text)
        measures = measures_quote(text)
        last = last_year_rectification(text, v.report.year)
        yield self.fact(
            "s5_content",
            "S5",
            {
                "has_problems": bool(problems),
                "has_measures": bool(measures),
                "last_year_reported": bool(last),
            },
            {
                "存在的问题": _or_none(problems),
                "改进情况": _or_none(measures),
                "上年度问题整改情况": _or_none(last),
            },
        )


@register
class S6Content(Family):
    """What 六 reports: the fee, the 要点, or only that there is nothing to report (ST10–ST12)."""

    FACTS = {"s6_content": ("fee_reported", "key_points_reported", "text", "nil")}

    def build(self, v: View) -> Iterator[Fact]:
        """Yield the s6_content fact when 六 is present."""
        if not v.present("S6"):
            return
        text = v.text("S6")
        yield self.fact(
            "s6_content",
            "S6",
            {
                "fee_reported": bool(first_quote(FEE_RE, text)),
                "key_points_reported": bool(first_quote(KEY_POINTS_RE, text)),
                "text": nil_text(text),
                "nil": is_nil(text),
            },
            {"六、其他需要报告的事项": quote(norm(text), 120) or "（空）"},
        )
