"""Statements that no 收费通知 was issued or no 信息处理费 was involved (NT06)."""

from __future__ import annotations

import re

from audit.facts.narrative.common import Statement
from audit.text import sentences

_FEE_DENIAL_RE = re.compile(
    r"((?:未|没有)(?:向申请人)?(?:发出|发放|出具|制发|送达|开具)(?:过)?(?:任何)?(?:信息处理费)?收费通知"
    r"|(?:不|未|没有)涉及(?:政府信息公开)?(?:信息处理费|收费|收取信息处理费)"
    r"|无(?:信息处理费)?收费通知"
    r"|(?:发出|发放|出具|制发|送达|开具)(?:信息处理费)?收费通知(?:书)?(?:共|为)?(?:0|零)(?:件|份|次|个)?(?!\d))"
)


def fee_denials(text: str, section: str) -> list[Statement]:
    """Return statements that no 收费通知 was issued / no 信息处理费 was involved (NT06)."""
    out = []
    for sent in sentences(text):
        if _FEE_DENIAL_RE.search(sent):
            out.append(Statement("fee_denied", 0, sent, section))
    return out
