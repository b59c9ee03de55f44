"""行政复议 / 行政诉讼 counts stated in the narrative, and "no review/lawsuit" statements (NT04).

Each group marker (行政复议, 行政诉讼, 未经复议直接起诉, 复议后起诉) opens a scope for the counts that
follow it; "分别为4件、3件" pairs counts with groups in order; "均为0件"/"各1件" gives each group the
count; one count for several groups together ("行政复议和行政诉讼共3件") is no group's count unless
it is 0; a qualified denial ("未发生…被纠错") is not a plain "no reviews".
"""

from __future__ import annotations

import re

from audit.facts.narrative.common import Statement, dedupe, skip_clause
from audit.text import NUM, block_sentences, clauses, to_int

_T4_GROUP_RE = re.compile(
    r"(?P<g>未经复议直接(?:向人民法院|向法院)?(?:提起)?(?:行政)?(?:起诉|诉讼)|复议后(?:提起)?(?:行政)?(?:起诉|诉讼)|行政复议|行政诉讼|诉讼)"
)
_T4_TOTAL_AFTER_RE = re.compile(r"^(?:案件|案|申请)?(?:共计|共|总计|合计)?" + NUM + r"(?:件|起|宗|个)")
_GENERAL_SPAN_RE = re.compile(
    r"^(?:发生|出现|收到|有|涉及|因|由|针对|对|本机关|本单位|本部门|我局|我委|我办|我单位|本级|政府信息公开|信息公开|"
    r"依申请公开|工作|事务|事项|有关|相关|的|被|申请|提起|引起|引发|导致|和|与|及|或|、|类|方面|任何)*$"
)
_RESULT_TAIL_RE = re.compile(r"(纠错|纠正|败诉|撤销|违法|被告|结果|决定)")
# "…的数量均为0", "…均为零": a unit may be left out after a count that ends the clause
_T4_COUNT_WORD = r"(?:案件|的)*(?:数量|案件数|件数|数)?"
_T4_BOTH_RE = re.compile(
    r"^" + _T4_COUNT_WORD + r"(?:均为|均是|均|各为|各|分别为)" + NUM + r"(?:件|起|宗|个|$)"
)
# "行政复议和诉讼案件数为0": one count for several groups together says each is 0 only when it is 0
_T4_JOINED_RE = re.compile(r"^(?:[、和与及或]|以及|并)(?:被|提起|申请|引起|引发|发生)*$")
_T4_COUNT_IN_SPAN_RE = re.compile(NUM + r"\s*(?:件|起|宗|个)")
_T4_JOINT_ZERO_RE = re.compile(r"^" + _T4_COUNT_WORD + r"(?:为|是|共|合计|共计)?(?:0|零)(?:件|起|宗|个)?$")
_T4_RESPECTIVELY_RE = re.compile(
    r"^(?:案件)?(?:的)?(?:数量)?分别(?:为|是|有)?(?P<list>(?:" + NUM + r"(?:件|起|宗|个)?[、和与及,]?)+)"
)
_T4_LIST_NUM_RE = re.compile(NUM + r"(?:件|起|宗|个)?")
_T4_TOTAL_BEFORE_RE = re.compile(NUM + r"(?:件|起|宗|个)(?:政府信息公开)?(?:的)?$")
_T4_RESULT_RE = re.compile(
    r"(?P<c>结果维持|维持|结果纠正|纠正|其他结果|尚未审结|未审结|正在审理|审理中)(?:原行政行为|原决定)?(?:的)?"
    + NUM
    + r"(?:件|起|宗|个)"
)
_T4_RESULT_COL = {
    "结果维持": "upheld",
    "维持": "upheld",
    "结果纠正": "corrected",
    "纠正": "corrected",
    "其他结果": "other",
    "尚未审结": "pending",
    "未审结": "pending",
    "正在审理": "pending",
    "审理中": "pending",
}
_NEGATION_RE = re.compile(
    r"(没有|未发生|未出现|未有|未被|未因|均无|无(?![法论正需偿缝纸线人效须])|零(?=行政复议|行政诉讼|复议|诉讼))"
)


def appeal_statements(text: str, section: str, year: int | None) -> list[Statement]:
    """Return 行政复议 / 行政诉讼 counts and "no review/lawsuit" statements (NT04).

    A sentence counts when it mentions 信息公开 (or 依申请), or when it directly continues such a
    sentence about reviews and lawsuits ("…行政复议4件，其中…；行政诉讼3件，其中…"). Sentences about
    复议决定书, 发生率 and the like are never read.
    """
    out: list[Statement] = []
    for sent in _appeal_sentences(text):
        group: str | None = None
        # Walk the clauses: each group marker opens a scope for the result counts that follow it.
        for clause_text in clauses(sent):
            if skip_clause(clause_text, year):
                group = None
                continue
            markers = list(_T4_GROUP_RE.finditer(clause_text))
            together = _groups_together(clause_text, markers)
            if together is not None:
                counts, group = together, None
            else:
                counts, group = _scoped_counts(clause_text, markers, group)
            out.extend(Statement(what, value, sent, section) for what, value in counts)
    return dedupe(out)


def _appeal_sentences(text: str) -> list[str]:
    """Return the sentences about reviews and lawsuits of information disclosure."""
    out: list[str] = []
    prev_block, prev_ctx = -1, False
    for block, sent in block_sentences(text):
        has_marker = bool(_T4_GROUP_RE.search(sent))
        own = "信息公开" in sent or "依申请" in sent
        in_ctx = has_marker and (own or (prev_ctx and block == prev_block))
        prev_block, prev_ctx = block, in_ctx
        if in_ctx and not re.search(r"(决定书|发生率|案卷|败诉率|纠错率)", sent):
            out.append(sent)
    return out


Counts = list[tuple[str, int | None]]


def _groups_together(clause: str, markers: list[re.Match[str]]) -> Counts | None:
    """Return the counts of a clause that names several groups at once, ``None`` for other clauses.

    "未发生…行政复议、行政诉讼" (none of each), "分别为4件、3件" (in order), "均为0件"/"各1件" (each),
    "…案件数为0" (a joint 0 is each group's 0). An empty list means "read nothing": a qualified
    denial, or counts that do not pair up with the groups.
    """
    neg = _NEGATION_RE.search(clause)
    if neg and markers and not re.search(r"\d", clause[neg.end() :]):
        first = next((mk for mk in markers if mk.start() > neg.start()), None)
        span = clause[neg.end() : first.start()] if first else ""
        if (
            first is None
            or not _GENERAL_SPAN_RE.match(span)
            or _RESULT_TAIL_RE.search(clause[markers[-1].end() :])
        ):
            return []  # "未发生因答复不规范引发行政复议", "未出现行政复议被纠错": not a plain "no reviews"
        groups = {_group_id(mk.group("g")) for mk in markers if mk.start() > neg.start()}
        return [(f"none_appeal:{g}", 0) for g in sorted(groups)]
    if len(markers) < 2:
        return None
    between = [clause[a.end() : b.start()] for a, b in zip(markers, markers[1:], strict=False)]
    if any(_T4_COUNT_IN_SPAN_RE.search(span) for span in between):
        return None  # "行政复议1件、行政诉讼0件": each group has its own count, read group by group
    named = sorted({_group_id(mk.group("g")) for mk in markers})
    rest = clause[markers[-1].end() :]
    listed = _T4_RESPECTIVELY_RE.match(rest)
    if listed is not None:
        nums = [m.group(1) for m in _T4_LIST_NUM_RE.finditer(listed.group("list"))]
        if len(nums) == len(markers):
            return [
                (f"appeal:{_group_id(mk.group('g'))}:total", to_int(n))
                for mk, n in zip(markers, nums, strict=True)
            ]
        if len(nums) > 1:
            return []
    if _T4_JOINT_ZERO_RE.match(rest):
        return [(f"appeal:{g}:total", 0) for g in named]
    both = _T4_BOTH_RE.match(rest)
    if both is not None:
        return [(f"appeal:{g}:total", to_int(both.group(1))) for g in named]
    return None


def _scoped_counts(clause: str, markers: list[re.Match[str]], group: str | None) -> tuple[Counts, str | None]:
    """Return the counts of a clause read group by group, and the group whose scope continues.

    A total follows its group ("行政复议4件") or precedes it ("4件行政复议"); result counts
    ("结果维持2件") belong to the group whose scope they are in, which may have been opened by an
    earlier clause of the sentence.
    """
    out: Counts = []
    for i, mk in enumerate(markers):
        group = _group_id(mk.group("g"))
        if i and _T4_JOINED_RE.match(clause[markers[i - 1].end() : mk.start()]):
            return out, None  # "行政复议和行政诉讼共3件": one count for both groups, not this one's
        m = _T4_TOTAL_AFTER_RE.match(clause[mk.end() :])
        if m is not None:
            out.append((f"appeal:{group}:total", to_int(m.group(1))))
            continue
        m2 = _T4_TOTAL_BEFORE_RE.search(clause[: mk.start()])
        if m2 is not None and not re.search(r"(维持|纠正|结果|审结)", clause[: mk.start()]):
            out.append((f"appeal:{group}:total", to_int(m2.group(1))))
    if group is not None:
        for m in _T4_RESULT_RE.finditer(clause):
            if not any(mk.start() > m.start() for mk in markers):
                out.append((f"appeal:{group}:{_T4_RESULT_COL[m.group('c')]}", to_int(m.group(2))))
    return out, group


def _group_id(marker: str) -> str:
    """Return the table-4 group a narrative marker names."""
    if marker.startswith("未经复议"):
        return "lit_direct"
    if marker.startswith("复议后"):
        return "lit_after_review"
    if marker == "行政复议":
        return "review"
    return "litigation"
