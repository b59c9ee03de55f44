"""Statements that no 收费通知 was issued or no 信息处理费 was involved or collected (NT06).

A 收费通知 the applicant did not pay (table 3 （六）2.) contradicts "未发出收费通知", "不涉及收费",
"未产生信息处理费", and also a bare "未收取信息处理费": a report that issued notices must say so
when it reports the fee. A section that says a notice was issued or went unpaid ("发出收费通知1件",
"申请人逾期未缴纳") reports the notices, so none of its sentences is read as a denial.
"""

from __future__ import annotations

import re

from audit.facts.narrative.common import Statement
from audit.text import sentences

_ISSUE = r"(?:发出|发放|出具|制发|送达|开具)"
_NO = r"(?:未|没有|均未|尚未)"
_FEE = r"(?:政府信息公开)?(?:信息处理费|处理费|任何费用|费用)"
_FEE_DENIAL_RE = re.compile(
    rf"({_NO}(?:向申请人)?{_ISSUE}(?:过)?(?:任何)?(?:信息处理费)?收费通知"
    r"|(?:不|未|没有|均不|均未)涉及(?:政府信息公开)?(?:信息处理费|收费|收取信息处理费|收取费用)"
    r"|无(?:信息处理费)?收费通知"
    rf"|{_ISSUE}(?:信息处理费)?收费通知(?:书)?(?:共|为)?(?:0|零)(?:件|份|次|个)?(?!\d)"
    rf"|{_NO}(?:向申请人)?(?:收取|收缴)(?:过)?(?:任何)?{_FEE}"
    rf"|{_NO}(?:产生|发生)(?:过)?(?:任何)?{_FEE}"
    r"|收取(?:政府信息公开)?信息处理费(?:共|为)?(?:0|零)(?:\.0+)?(?:元|万元)(?!\d))"
)
# The notices are reported: a count of them, or an applicant who did not pay
_NOTICE_REPORTED_RE = re.compile(
    rf"({_ISSUE}(?:信息处理费)?收费通知(?:书)?(?:共|为)?[1-9一二两三四五六七八九十]"
    r"|[1-9一二两三四五六七八九十]\d*(?:件|份|次|个)(?:信息处理费)?收费通知"
    r"|逾期未(?:按收费通知要求)?缴|未(?:按(?:收费通知)?(?:要求)?)?缴纳|未缴费|未交费|拒绝缴纳|拒不缴纳)"
)


def reports_notices(text: str) -> bool:
    """Return True when the text says 收费通知 were issued or went unpaid."""
    return any(_NOTICE_REPORTED_RE.search(s) for s in sentences(text))


def fee_denials(text: str, section: str) -> list[Statement]:
    """Return the sentences of a section that deny any 收费通知 / 信息处理费 (NT06).

    Nothing when the section itself reports issued or unpaid notices.
    """
    if reports_notices(text):
        return []
    return [Statement("fee_denied", 0, s, section) for s in sentences(text) if _FEE_DENIAL_RE.search(s)]
