"""Rectification facts: does this year's 五 mention each problem the office notified last year (CY06)?

The store passes last year's notified findings in the context (:attr:`AuditContext.notified`: the
agency's findings of the previous report year listed in a sent 整改通知, not fixed by a corrected
re-publication). For each one this family observes whether section 五 mentions the problem — by
its topic (:data:`GROUP_TOPICS`, with :data:`RULE_TOPICS` where one group holds several kinds of
problem) — or the notice that raised it (its 文号). The rule (CY06) decides.

A general sentence such as “上年度问题均已整改” names no problem and is not a mention of any one
(it is quoted in the evidence). When 五 is absent or empty, no fact is built: a report whose 五
cannot be read gets no CY06 (ST01 reports the missing section).

To add a topic: a (name, pattern) in :data:`GROUP_TOPICS` or :data:`RULE_TOPICS`, a row in
docs/wording.md (``rectification``) and a case in tests/test_rectification.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from audit.facts.base import Fact, Family, View, quote, register
from audit.facts.content import last_year_rectification
from audit.form import describe_locator
from audit.text import norm, sentences


def _topic(name: str, words: str) -> tuple[str, re.Pattern[str]]:
    return name, re.compile(f"(?:{words})")


_REPORT = r"(?:年报|年度报告)"
_TABLE_DATA = _topic(
    "表格数据",
    r"勾稽|总计|表格|报表|表[二三四]|统计数据|数据统计|统计口径|填报|数据(?:不|有误|错误|准确|核对|审核|质量)",
)
# The topic of each rule group: what an agency writes when it reports on such a problem. Words
# common in any 五 (规范, 及时, 主动公开, 平衡 …) are left out or tied to the report, so that a
# mention is a mention of that problem.
GROUP_TOPICS: dict[str, tuple[str, re.Pattern[str]]] = {
    "BL": _TABLE_DATA,
    "NT": _topic("正文与表格数据一致", r"一致|不符|口径|正文|表格|件数"),
    "CY": _topic("与上年度数据衔接", r"结转|衔接|现行有效"),
    "FM": _topic("年报格式", r"格式|模板|样式|式样|版式|旧版|新版|标题|表格"),
    "ST": _topic("年报内容完整", r"组成部分|缺少|缺项|漏报|漏项|内容不全|不完整|完整性|体例|章节|顺序"),
    "TL": _topic(
        "按时公布",
        rf"^(?=.*{_REPORT}).*?(?:(?:按时|逾期|超期|及时|期限|时限|延迟|推迟|滞后|提前).{{0,10}}(?:发布|公布)"
        rf"|(?:发布|公布).{{0,10}}(?:按时|逾期|超期|及时|期限|时限|延迟|推迟|滞后))",
    ),
    "PL": _topic("规章数据", r"规章|制定权|表二"),
}
# Rules whose problem is not the group's usual one.
RULE_TOPICS: dict[str, tuple[str, re.Pattern[str]]] = {
    **dict.fromkeys(("ST03", "ST04", "ST05", "FM05"), _TABLE_DATA),
    "ST06": _topic("总体情况的内容", r"总体情况|平台建设|监督保障"),
    "ST07": _topic("考核评议追究结果", r"考核|评议|追究"),
    **dict.fromkeys(
        ("ST08", "ST09", "CY06"),
        _topic("上年度问题整改情况", r"(?:上年度|上一年度|上年|去年).{0,30}(?:问题|整改)"),
    ),
    **dict.fromkeys(
        ("ST10", "ST11", "ST12"), _topic("其他需要报告的事项", r"其他需要报告|信息处理费|收费|要点")
    ),
    "ST13": _topic("统计期限", r"统计期限|统计时间|统计周期|统计区间"),
    "FM02": _topic("表格行列名称", r"行名|列名|行列|名称|格式|模板"),
    "FM03": _topic("章节标题", r"标题|章节|格式|模板"),
    "FM06": _topic("文字差错", r"文字|错别字|校对|排版|残留|格式"),
    "FM07": _topic("年度表述", r"年份|日期|笔误|年度(?:表述|错误|有误|不一致)"),
    **dict.fromkeys(
        ("CY04", "CY05"), _topic("内容雷同", r"雷同|照抄|抄袭|内容重复|重复率|同质|模板|套用|千篇一律")
    ),
    "TL03": _topic("年报可读", r"机读|扫描|图片|可读|文字版|可复制"),
    "TL04": _topic("年报可访问", r"链接|网址|无法打开|无法访问|失效"),
}
# A rule of no known group (a local rule pack's): a sentence on correcting the report.
OTHER_TOPIC = _topic(
    "年报整改", r"(?:年报|年度报告).*(?:整改|更正|纠正|改正)|(?:整改|更正|纠正|改正).*(?:年报|年度报告)"
)
_BRACKETS = str.maketrans({c: "[" for c in "〔【（(［"} | {c: "]" for c in "〕】）)］"})


def topic_of(rule: str) -> tuple[str, re.Pattern[str]]:
    """Return the topic (name, pattern) by which 五 mentions a problem of ``rule``."""
    return RULE_TOPICS.get(rule) or GROUP_TOPICS.get(rule[:2]) or OTHER_TOPIC


def document_number(text: str) -> str:
    """Return a 文号 (or text) normalised for comparison: no spaces, one kind of bracket."""
    return norm(text).translate(_BRACKETS)


def mention(text: str, rule: str, notice: str | None) -> str:
    """Return the first sentence of 五 that mentions the problem or its notice ('' when none does)."""
    _, pattern = topic_of(rule)
    number = document_number(notice) if notice else ""
    for sent in sentences(text):
        if pattern.search(sent) or (number and number in document_number(sent)):
            return sent
    return ""


@register
class Rectification(Family):
    """One fact per finding notified last year: whether 五 mentions it (CY06)."""

    FACTS = {
        "notified_finding": (
            "prev_year",
            "prev_rule",
            "prev_title",
            "prev_where",
            "topic",
            "notice",
            "notice_date",
            "mentioned",
        )
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield a notified_finding fact per notified finding when 五 is present and not empty."""
        text = v.text("S5")
        if not v.ctx.notified or not text.strip():
            return
        general = last_year_rectification(text, v.report.year)
        for item in v.ctx.notified:
            rule, notice = str(item["rule"]), item.get("notice") or ""
            said = mention(text, rule, notice)
            topic = topic_of(rule)[0]
            evidence = {
                "上年度问题": f"{item.get('year')}年度 {rule} {describe_locator(item.get('locator'))}：{item.get('message')}",
                "整改通知": f"{notice}（{item.get('notice_date') or '日期不详'}）",
                v.quote_key("S5", said or general): quote(said or general)
                if (said or general)
                else "未见相关内容",
            }
            yield self.fact(
                "notified_finding",
                str(item["finding_id"]),
                {
                    "prev_year": item.get("year"),
                    "prev_rule": rule,
                    "prev_title": item.get("rule_title") or rule,
                    "prev_where": describe_locator(item.get("locator")),
                    "topic": topic,
                    "notice": notice,
                    "notice_date": item.get("notice_date") or "",
                    "mentioned": bool(said),
                },
                evidence,
            )
