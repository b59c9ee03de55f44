"""Application counts stated in the narrative: received, answered, carried over (NT01–NT03).

"本年新收" and "含上年结转" are told apart; "办理…申请N件" alone (new, or new plus carried over?) is
not read; "答复/办结N件" is the result total （七）, not the applications received; counts of other
requests (行政许可, 12345 热线, 建议提案) and of several organs (各部门, 所属) are not read.
"""

from __future__ import annotations

import re

from audit.facts.narrative.common import (
    AGGREGATE_RE,
    COMPARE_RE,
    FOREIGN_MID_RE,
    Statement,
    about_disclosure,
    dedupe,
    skip_clause,
    with_context,
)
from audit.facts.narrative.outcomes import outcome_statements
from audit.text import NUM, clauses, sentences, to_int

_APPLICATION_CTX = re.compile(r"(政府信息公开申请|信息公开申请|公开申请|依申请|申请公开)")
_RECEIVE_RE = re.compile(
    r"(?P<verb>收到|受理|接收|接到|新收|登记)(?P<mid>[^,;:。\d]{0,30}?)申请(?:公开)?(?:事项|数量|件数)?"
    r"(?:共计|共|合计|总计|为|达|达到)*" + NUM + r"(?:件|个|条|份)"
)
_HANDLE_RE = re.compile(
    r"(?P<verb>办理|处理)(?P<mid>[^,;:。\d]{0,30}?)申请(?:共计|共|合计|总计)?" + NUM + r"(?:件|个|条|份)"
)
_ANSWER_RE = re.compile(
    r"(?:答复|办结|作出答复|予以答复)(?:申请)?(?:共计|共|合计)?" + NUM + r"(?:件|个|条|份)"
)
_CARRY_IN_RE = re.compile(
    r"(?:含|包括|包含|其中)(?:上年度|上一年度|上年|去年)结转(?:的)?(?:申请)?" + NUM + r"件"
)
_CARRY_OUT_RE = re.compile(
    NUM + r"件(?:申请)?(?:顺延|结转|转入)(?:到|至)?(?:下年度|下一年度|下年|次年|2\d{3}年)"
    r"|(?:结转|顺延)(?:到|至)?(?:下年度|下一年度|下年|次年|(?:19|20)\d{2}年度?)(?:继续)?(?:办理|答复)?(?:的)?(?:申请)?"
    + NUM
    + r"件"
)
_INCL_CARRY_RE = re.compile(
    r"^[(（]?(?:其中)?(?:含|包括|包含)(?:了)?(?:上年度|上一年度|上年|去年)(?:结转|未办结)"
)
_NONE_RECEIVED_RE = re.compile(
    r"(?:未|没有|尚未|均未)(?:收到|受理|接到|接收|发生)(?P<mid>[^,;:。\d]{0,14}?)(?:政府信息公开申请|信息公开申请|公开申请|依申请公开)"
    r"|无(?:政府信息公开申请|依申请公开(?:申请|事项|情况))"
)
_NONE_MID_EXCLUDE = re.compile(
    r"(超出|超过|频次|数量|投诉|举报|收费|复议|诉讼|(?<!或)其[他它](?!组织)|另外|针对|涉及)"
)


def _applicant_column(text: str) -> str | None:
    """Return the table-3 column a count is restricted to, ``None`` when ambiguous."""
    if re.search(r"(法人|企业|组织|机构)", text):
        return None
    if "自然人" in text:
        return "natural"
    return "total"


def application_statements(text: str, section: str, year: int | None) -> list[Statement]:
    """Return the application counts (NT01–NT03) stated in a section's text."""
    out: list[Statement] = []
    for sent, in_ctx in with_context(text, _APPLICATION_CTX):
        if not in_ctx:
            continue
        for clause_text in clauses(sent):
            if skip_clause(clause_text, year):
                continue
            base = sent.find(clause_text)
            for m in _RECEIVE_RE.finditer(clause_text):
                if not about_disclosure(m.group("mid")) or clause_text.startswith("其中"):
                    continue
                if AGGREGATE_RE.search(clause_text[: m.start()]):
                    continue
                col = _applicant_column(m.group("mid"))
                if col is None:
                    continue
                what = "new_plus_carry" if _INCL_CARRY_RE.match(sent[base + m.end() :]) else "new"
                out.append(Statement(what, to_int(m.group(3)), sent, section, col))
            for m in _HANDLE_RE.finditer(clause_text):
                if not _APPLICATION_CTX.search(clause_text) or not about_disclosure(m.group("mid")):
                    continue
                if AGGREGATE_RE.search(clause_text[: m.start()]):
                    continue
                # "办理…申请N件" alone may mean new or new + carried over: only take it when the
                # sentence says it includes the carried-over applications.
                if _INCL_CARRY_RE.match(sent[base + m.end() :]):
                    col = _applicant_column(m.group("mid"))
                    if col:
                        out.append(Statement("new_plus_carry", to_int(m.group(3)), sent, section, col))
        for m in _ANSWER_RE.finditer(sent):
            before = sent[: m.start()]
            if COMPARE_RE.search(sent[max(0, m.start() - 6) : m.end() + 6]):
                continue
            if re.search(r"(答复|办结)$", before):
                continue
            clause_start = max(before.rfind(","), before.rfind(":"), before.rfind("、"))
            if FOREIGN_MID_RE.search(before[clause_start + 1 :]) or re.search(
                r"^(?:申请)?(?:共计|共|合计)?\d[\d,]*(?:件|个|条|份)?(?:咨询|留言|诉求|来信|建议|提案)",
                sent[m.start() + 2 :],
            ):
                continue  # 答复群众咨询/留言…N件 is not about applications
            out.append(Statement("answered", to_int(m.group(1)), sent, section))
        for m in _CARRY_IN_RE.finditer(sent):
            out.append(Statement("carry_in", to_int(m.group(1)), sent, section))
        for m in _CARRY_OUT_RE.finditer(sent):
            token = m.group(1) or m.group(2)
            out.append(Statement("carry_out", to_int(token), sent, section))
        out.extend(outcome_statements(sent, section))
    return dedupe(out)


def none_received(text: str, section: str) -> list[Statement]:
    """Return statements that no information-disclosure application was received (NT02)."""
    out: list[Statement] = []
    for sent in sentences(text):
        for m in _NONE_RECEIVED_RE.finditer(sent):
            mid = m.group("mid") or ""
            if _NONE_MID_EXCLUDE.search(mid):
                continue
            tail = sent[m.end() : m.end() + 8]
            if re.search(r"(投诉|举报|引发|引起|复议|诉讼|超)", tail):
                continue
            out.append(Statement("none_received", 0, sent, section))
            break
    return out
