"""Outcome counts stated in the narrative: 予以公开、部分公开、不予公开…N件 (NT03)."""

from __future__ import annotations

import re

from audit.facts.narrative.common import Statement
from audit.text import NUM, to_int

_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("granted", r"(?:予以公开|同意公开)"),
    ("partial", r"部分公开"),
    ("denied", r"不予公开"),
    ("unable.not_held", r"(?:(?:本机关)?不掌握(?:相关)?(?:政府)?信息|信息不存在)"),
    ("unable", r"无法提供"),
    ("not_processed", r"不予处理"),
    ("other", r"其他处理"),
)


def outcome_statements(sent: str, section: str) -> list[Statement]:
    """Return the outcome counts of one normalised sentence about applications."""
    out: list[Statement] = []
    for row, pat in _OUTCOMES:
        for m in re.finditer(pat + r"(?:的)?(?:申请)?(?:共计|共)?" + NUM + r"(?:件|条|个)", sent):
            out.append(Statement(f"outcome:{row}", to_int(m.group(1)), sent, section))
        for m in re.finditer(NUM + r"(?:件|条|个)(?:申请)?(?:为|属于|系|被)?" + pat, sent):
            if re.search(r"[的]$", sent[: m.start()]):
                continue
            out.append(Statement(f"outcome:{row}", to_int(m.group(1)), sent, section))
    return out
