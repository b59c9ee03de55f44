"""What every reader of counted statements shares: the statement record and the guards against misreading.

A count is only taken from a sentence that says unambiguously what it counts: a clause comparing
with last year (同比, 较上年) or naming another year is never read, and a count over several organs
(各级, 各部门, 所属) is not this organ's table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.text import block_sentences


@dataclass
class Statement:
    """A count read from the narrative: what it counts, the number, and the sentence quoted.

    ``what`` is one of ``new``, ``new_plus_carry``, ``answered``, ``carry_in``, ``carry_out``
    (table 3 totals), ``outcome:<row>[+<row>…]`` (table-3 result rows or groups, several when the
    sentence counts them together), ``appeal:<group>:<col>`` (table 4: group ``review`` or
    ``litigation``, ``lit_direct``, ``lit_after_review``; column ``total``, ``upheld``,
    ``corrected``, ``other``, ``pending``), ``none_received`` (no applications),
    ``none_appeal:<group>``, ``t2:<row>:<col>`` (规章/行政规范性文件 counts), ``fee_denied`` and
    ``unread:<kind>`` (a statement the grammar recognises but cannot read unambiguously: never
    compared, only counted). ``column`` is the table-3 applicant column the count refers to;
    ``share`` is the percentage printed with the count (``占61.5%``), ``share_digits`` its
    decimals and ``share_base`` what it is a share of (``answered``, ``received`` or ``any``);
    ``reason`` says why an ``unread:`` statement was not read.
    """

    what: str
    value: int | None
    quote: str
    section: str
    column: str = "total"
    share: int | float | None = None
    share_digits: int = 0
    share_base: str = ""
    reason: str = ""


COMPARE_RE = re.compile(
    r"(同比|较去年|较上年|比上年|比去年|去年同期|上年同期|较\d{4}年|与\d{4}年相比|增长|下降|减少)"
)
_YEAR_RE = re.compile(r"((?:19|20)\d{2})年")
# "全区各级行政机关共收到…", "各部门收到…": a count over several organs, not this report's table
AGGREGATE_RE = re.compile(r"(各级|各部门|各单位|各乡镇|各街道|各镇|各县|各区|各市|所属|下属|直属)")
FOREIGN_MID_RE = re.compile(
    r"(许可|审批|复议|诉讼|补贴|补助|登记|政务服务|办件|投诉|举报|信访|来信|来访|诉求|(?<!或)其[他它](?!组织)|另外|行政执法|"
    r"救助|咨询|留言|热线|建议|提案|涉及|关于|类|方面|领域)"
)


def year_conflict(clause: str, year: int | None) -> bool:
    """Return True when a clause is about another year than the report year."""
    if year is None:
        return False
    return any(int(y) != year for y in _YEAR_RE.findall(clause))


def skip_clause(clause: str, year: int | None) -> bool:
    """Return True for a clause that compares with another year or is about another year."""
    return bool(COMPARE_RE.search(clause)) or year_conflict(clause, year)


def about_disclosure(mid: str) -> bool:
    """Return True when the words between verb and 申请 leave it about information disclosure."""
    if FOREIGN_MID_RE.search(mid):
        return False
    return bool(re.search(r"(信息公开|公开|依)", mid)) or len(mid) <= 6


def with_context(text: str, pattern: re.Pattern[str]) -> list[tuple[str, bool]]:
    """Return each sentence with whether it is in context: it matches ``pattern`` itself, or it
    continues (same block, no break) a run of sentences that started with a match."""
    out: list[tuple[str, bool]] = []
    prev_block, prev_ctx = -1, False
    for block, sent in block_sentences(text):
        ctx = bool(pattern.search(sent)) or (prev_ctx and block == prev_block)
        out.append((sent, ctx))
        prev_block, prev_ctx = block, ctx
    return out


def dedupe(items: list[Statement]) -> list[Statement]:
    """Return statements without exact repeats (same kind, value, sentence and column)."""
    seen: set[tuple[str, int | None, str, str]] = set()
    out = []
    for s in items:
        k = (s.what, s.value, s.quote, s.column)
        if k not in seen:
            seen.add(k)
            out.append(s)
    return out
