"""Topic facts of 一、总体情况: the five prescribed topics and the oversight results.

Rules: ST06 (一 covers 主动公开, 依申请公开, 政府信息管理, 平台建设, 监督保障), ST07 (a government
reports the results of 工作考核、社会评议、责任追究). The phrasings each pattern accepts are listed
in docs/wording.md.

Topics are read from the structure first, words second. 一 is cut into its numbered sub-sections
（一） … （五）, 一是 …, 1. … (:func:`subsections`); a sub-heading that names a topic shows the topic
and claims its body. Only where no sub-heading names a topic are its words looked for, and only
in text no topic claims: the opening paragraph and sub-sections whose heading names no topic. So
deleting （五）监督保障 is missed even when 监督 is said under （三）, and 门户网站 under
（一）主动公开 is no 平台建设. Each topic's evidence quotes the heading or sentence that shows it and
says which of the two it is (``依据``: 小标题 / 正文用语).

ST07 asks for *results*: a clause naming the mechanism (考核, 评议, 追究) counts only with a result
in it or in the clause after it: a grade (优秀, 合格), a score or rank, a number that is not a
date, a 通报 of results, or for 追究 an explicit none ("未发生…责任追究", "无被追究责任的").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from audit.facts.base import Fact, Family, View, quote, register
from audit.text import SUBHEADING_RE, clauses, norm, sentences

TOPIC_PATTERNS: dict[str, str] = {
    "主动公开": r"(主动公开|主动发布|主动向社会公开|主动推送)",
    "依申请公开": r"(依申请|政府信息公开申请|信息公开申请|公开申请|申请公开)",
    "政府信息管理": r"(政府信息管理|政务信息管理|信息资源管理|政府信息资源|公开属性(?:源头)?认定|保密审查|信息发布审核|发布审核|公开审查|(?:公开|发布)前(?:保密)?(?:审查|审核)|规范(?:政府)?信息发布|政策文件库|主动公开目录|公开目录|政策文件(?:清理|管理)|规范性文件(?:清理|管理))",
    "平台建设": r"(平台建设|公开平台|政府网站|门户网站|政务新媒体|公开专栏|信息公开专栏|公开栏|政府公报|微信公众号|政务公开专区|网站)",
    "监督保障": r"(监督保障|组织保障|工作保障|监督检查|督查|督导|考核|培训|社会评议|责任追究|评议|问责|监督)",
}
_HEADING_END_RE = re.compile(r"[。;:：；,，\n]")  # a heading is the first clause


@dataclass
class Subsection:
    """A numbered sub-section of 一: its heading, body, numbering style and the topics it claims."""

    heading: str
    body: str
    style: str
    top: bool  # of the top level (the style of the first sub-heading at a line start)
    named: list[str] = field(default_factory=list)  # topics its heading names
    claimed: list[str] = field(default_factory=list)  # topics whose text it is (its own or its parent's)


def subsections(text: str) -> tuple[str, list[Subsection]]:
    """Return the opening text of a section and its numbered sub-sections, in order.

    The style of the first sub-heading at a line start is the top level; a sub-section of another
    style nested under a top-level one that names topics is that topic's text too.
    """
    s = "\n".join(norm(line) for line in (text or "").split("\n"))
    marks = [(m.start(m.lastgroup), m.lastgroup or "") for m in SUBHEADING_RE.finditer(s) if m.lastgroup]
    if not marks:
        return s, []
    at_line_start = [m for m in marks if m[0] == 0 or s[m[0] - 1] == "\n"]
    top = (at_line_start or marks)[0][1]
    out: list[Subsection] = []
    parent: list[str] = []
    for i, (start, style) in enumerate(marks):
        block = s[start : marks[i + 1][0] if i + 1 < len(marks) else len(s)].strip()
        end = _HEADING_END_RE.search(block)
        cut = min(end.start() if end else len(block), 40)
        heading, body = block[:cut], block[cut:]
        named = [t for t, pat in TOPIC_PATTERNS.items() if re.search(pat, heading)]
        if style == top:
            parent = named
        out.append(Subsection(heading, body, style, style == top, named, named or parent))
    return s[: marks[0][0]], out


def topic_evidence(text: str) -> dict[str, tuple[str, str]]:
    """Return, per topic shown in a section, (basis, quote): ``小标题`` or ``正文用语`` and the text."""
    lead, subs = subsections(text)
    found: dict[str, tuple[str, str]] = {}
    for sub in sorted(subs, key=lambda x: not x.top):  # top-level headings first
        for topic in sub.named:
            found.setdefault(topic, ("小标题", sub.heading))
    free = [lead, *(sub.heading + sub.body for sub in subs if not sub.claimed)]
    free_sentences = [sent for part in free for sent in sentences(part)]
    for topic, pattern in TOPIC_PATTERNS.items():
        if topic not in found:
            sent = next((x for x in free_sentences if re.search(pattern, x)), "")
            if sent:
                found[topic] = ("正文用语", sent)
    return found


# --- oversight results (ST07) ------------------------------------------------------------------

_NUMBER = r"(?<![\d.])\d+(?:\.\d+)?(?![\d.]*[年月日号])"
_RESULT = (
    r"(优秀|优异|良好|合格|称职|达标|满分|先进|[一二三]等奖?|[A-D][等级]|好评|满意(?!度|率)|等次|等级为"
    r"|结果(?:为|是|显示|表明|良好|优秀|较好|均|已|达)|获评|被评为|评为|荣获|排名|名列|位列|位居|得分"
    r"|第[一二三四五六七八九十]+(?:名|位)|通报(?!机制|制度|办法)|未收到|无(?:负面|不满意|差评)"
    r"|" + _NUMBER + ")"
)
_ASSESSMENT = r"(考核|考评|绩效评估|目标管理|年度测评)"
_EVALUATION = r"(评议|群众评价|满意度|满意率|第三方评估|社会评价|测评)"
_ACCOUNTABILITY = r"(责任追究|追究|问责|追责)"
_NONE_BEFORE = (
    r"(未发生|未出现|未有|未因|未被|未对|未开展|未启动|未发现|不存在|没有|均未|尚未|无(?![法论正需偿缝纸线效须]))"
    r"[^,;，；。]{0,20}"
)
_ACCOUNTED = (
    _NONE_BEFORE
    + _ACCOUNTABILITY
    + "|"
    + _ACCOUNTABILITY
    + r"[^,;，；。]{0,8}?(?:\d+|零)(?:人|件|起|次|名|个|例)|"
    + _ACCOUNTABILITY
    + r"(?:情况|人数|结果)?(?:为|:)(?:无|零|0)|"
    + _ACCOUNTABILITY
    + r"结果(?:为|是)"
)
#: mechanism → (its label in messages, the pattern of a clause naming it, the pattern of its result)
OVERSIGHT: dict[str, tuple[str, str, str]] = {
    "has_assessment": ("工作考核", _ASSESSMENT, _RESULT),
    "has_evaluation": ("社会评议", _EVALUATION, _RESULT),
    "has_accountability": ("责任追究", _ACCOUNTABILITY, _ACCOUNTED),
}


def result_quote(mechanism: str, result: str, text: str) -> str:
    """Return the first sentence that states a result of a mechanism ('' when none does).

    A clause naming the mechanism counts when it, or the clause after it, states a result.
    """
    for sent in sentences(text):
        parts = clauses(sent)
        for i, part in enumerate(parts):
            if re.search(mechanism, part) and re.search(result, "，".join(parts[i : i + 2])):
                return sent
    return ""


@register
class S1Topics(Family):
    """One fact per prescribed topic of 一: present or not, with the heading or sentence that shows it (ST06)."""

    FACTS = {"s1_topic": ("topic", "present")}

    def build(self, v: View) -> Iterator[Fact]:
        """Yield an s1_topic fact per topic when 一 is present."""
        if not v.present("S1"):
            return
        found = topic_evidence(v.text("S1"))
        for topic in TOPIC_PATTERNS:
            basis, text = found.get(topic, ("", ""))
            evidence = {"S1": quote(text), "依据": basis} if text else {"S1": "未见相关内容"}
            yield self.fact("s1_topic", topic, {"topic": topic, "present": bool(text)}, evidence)


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
        fields: dict = {"level": v.level}
        evidence: dict = {}
        missing = []
        for name, (label, mechanism, result) in OVERSIGHT.items():
            found = result_quote(mechanism, result, text)
            fields[name] = bool(found)
            evidence[label] = quote(found) if found else "未见相关内容"
            if not found:
                missing.append(label)
        fields["missing_label"] = "、".join(missing)
        yield self.fact("oversight", "S1", fields, evidence)
