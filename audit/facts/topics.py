"""Topic facts of 一、总体情况: the five prescribed topics and the oversight results.

Rules: ST06 (一 covers 主动公开, 依申请公开, 政府信息管理, 平台建设, 监督保障), ST07 (a government
reports the results of 工作考核、社会评议、责任追究). The phrasings each pattern accepts are listed
in docs/wording.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from audit.facts.base import Fact, Family, View, quote, register
from audit.text import first_quote

TOPIC_PATTERNS: dict[str, str] = {
    "主动公开": r"(主动公开|主动发布|主动向社会公开|主动推送)",
    "依申请公开": r"(依申请|政府信息公开申请|信息公开申请|公开申请|申请公开)",
    "政府信息管理": r"(政府信息管理|政务信息管理|信息资源管理|公开属性(?:源头)?认定|保密审查|信息发布审核|发布审核|公开审查|(?:公开|发布)前(?:保密)?(?:审查|审核)|规范(?:政府)?信息发布|政策文件库|主动公开目录|公开目录|政策文件(?:清理|管理)|规范性文件(?:清理|管理))",
    "平台建设": r"(平台建设|公开平台|政府网站|门户网站|政务新媒体|公开专栏|信息公开专栏|公开栏|政府公报|微信公众号|政务公开专区|网站)",
    "监督保障": r"(监督保障|监督检查|督查|督导|考核|培训|社会评议|责任追究|评议|问责|监督)",
}

# 条例 第五十条第（四）项 asks for the *results* of 工作考核、社会评议、责任追究: a sentence counts when it
# names the mechanism and a result (a grade, a figure, 通报, or that none occurred).
ASSESSMENT_RE = re.compile(
    r"^(?=.*(?:考核|考评|绩效评估|目标管理|年度测评))(?=.*(?:结果|优秀|良好|合格|等次|等级|得分|排名|第[一二三四五六七八九十\d]|通报|达标|满分|\d))"
)
EVALUATION_RE = re.compile(
    r"^(?=.*(?:评议|群众评价|满意度|满意率|第三方评估|社会评价|测评))(?=.*(?:结果|满意|好评|优秀|良好|合格|意见|反馈|未收到|无|没有|\d))"
)
ACCOUNTABILITY_RE = re.compile(r"^(?=.*(?:责任追究|追究|问责|追责))(?=.*(?:未|无|没有|\d|结果|情况|均))")


@register
class S1Topics(Family):
    """One fact per prescribed topic of 一: present or not, with the sentence that shows it (ST06)."""

    FACTS = {"s1_topic": ("topic", "present")}

    def build(self, v: View) -> Iterator[Fact]:
        """Yield an s1_topic fact per topic when 一 is present."""
        if not v.present("S1"):
            return
        text = v.text("S1")
        for topic, pattern in TOPIC_PATTERNS.items():
            found = first_quote(pattern, text)
            yield self.fact(
                "s1_topic",
                topic,
                {"topic": topic, "present": bool(found)},
                {"S1": quote(found) if found else "未见相关内容"},
            )


@register
class Oversight(Family):
    """Whether 一 (or 六) states the results of 考核, 评议 and 追究 (ST07)."""

    FACTS = {
        "oversight": ("level", "has_assessment", "has_evaluation", "has_accountability", "missing_label")
    }

    def build(self, v: View) -> Iterator[Fact]:
        """Yield the oversight fact when 一 is present."""
        if not v.present("S1"):
            return
        text = v.text("S1") + "\n" + v.text("S6")
        parts = {
            "has_assessment": ("工作考核", ASSESSMENT_RE),
            "has_evaluation": ("社会评议", EVALUATION_RE),
            "has_accountability": ("责任追究", ACCOUNTABILITY_RE),
        }
        fields: dict = {"level": v.level}
        evidence: dict = {}
        missing = []
        for name, (label, pattern) in parts.items():
            found = first_quote(pattern, text)
            fields[name] = bool(found)
            evidence[label] = quote(found) if found else "未见相关内容"
            if not found:
                missing.append(label)
        fields["missing_label"] = "、".join(missing)
        yield self.fact("oversight", "S1", fields, evidence)
