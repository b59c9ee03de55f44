"""Outcome counts stated in the narrative, read by one small grammar (NT03, NT07).

Agencies count one outcome or several together, with or without a share::

    statement := list [的][申请][件数|数量] [合计|共计|共|总计|为|达]* count [，占[比][base][的][为|达] share%]
               | count [申请][为|属于|系|被] list
               | list [的][申请][件数|数量] 分别[为|是] count、count、…     (one count per category, in order)
    list      := category (joiner category)*
    joiner    := 及 | 和 | 与 | 、 | 以及 | 或 | 或者
    category  := 予以公开 | 部分公开 | 不予公开 | 无法提供 | 本机关不掌握相关政府信息 | 不予处理 | 其他处理 …

"予以公开及部分公开32件，占61.5%" is one statement about two rows: it is compared with their sum
(and the share with the count), never with 部分公开 alone. A statement the grammar recognises but
cannot read for certain is returned as ``unread:outcome`` with the reason, and never compared:
categories that contain one another (无法提供 and 本机关不掌握…), a category "including" another
(予以公开（含部分公开）), or counts "分别" that do not pair with the categories.
"""

from __future__ import annotations

import re

from audit.facts.narrative.common import Statement
from audit.text import NUM, to_int

#: category as printed → the table-3 row or group it counts
CATEGORIES: dict[str, str] = {
    "不予以公开": "denied",
    "予以公开": "granted",
    "同意公开": "granted",
    "全部公开": "granted",
    "部分公开": "partial",
    "不予公开": "denied",
    "无法提供": "unable",
    "本机关不掌握相关政府信息": "unable.not_held",
    "不掌握相关政府信息": "unable.not_held",
    "本机关不掌握政府信息": "unable.not_held",
    "不掌握相关信息": "unable.not_held",
    "不掌握政府信息": "unable.not_held",
    "不掌握信息": "unable.not_held",
    "信息不存在": "unable.not_held",
    "不予处理": "not_processed",
    "其他处理": "other",
}
# longest first; "不同意公开" is no 同意公开
_CAT = (
    "(?:"
    + "|".join(("(?<!不)" if c == "同意公开" else "") + c for c in sorted(CATEGORIES, key=len, reverse=True))
    + ")"
)
_JOIN = r"(?:以及|或者|及|和|与|、|或)"
_LIST = rf"(?P<list>{_CAT}(?:{_JOIN}{_CAT})*)"
_UNIT = r"(?:件|条|个)"
_NOUN = r"(?:的)?(?:申请)?(?:件数|数量)?"
_SHARE = r"(?:,?(?:占比|占|比例)(?P<base>[^\d,;%。]{0,12}?)(?:的)?(?:为|达到|达|是)?(?P<pct>\d+(?:\.\d+)?)%)?"
_FORWARD_RE = re.compile(
    _LIST
    + r"(?P<incl>[(（]含"
    + _CAT
    + r"[)）])?"
    + _NOUN
    + r"(?:合计|共计|总计|总共|共|为|均为|达到|达|是)*"
    + NUM.replace("(", "(?P<num>", 1)
    + _UNIT
    + _SHARE
)
_RESPECTIVELY_RE = re.compile(
    _LIST + _NOUN + r"分别(?:为|是|有)?(?P<nums>(?:" + NUM + _UNIT + r"?[、和与及,]?)+)"
)
_LIST_NUM_RE = re.compile(NUM + _UNIT + "?")
_REVERSE_RE = re.compile(NUM.replace("(", "(?P<num>", 1) + _UNIT + r"(?:申请)?(?:为|属于|系|被)?" + _LIST)
_CAT_RE = re.compile(_CAT)
# the base a share is of: 办结/答复 → the result total, 收到/受理/新收 → the applications received
_BASE_ANSWERED_RE = re.compile(r"(办结|答复|办理结果|办理)")
_BASE_RECEIVED_RE = re.compile(r"(收到|受理|新收|接收)")
# "约占60%", "占比超过六成", "60%以上": an approximate share is not checked
_APPROXIMATE_RE = re.compile(r"(约|近|超|逾|接近|将近|不到|不足|以上|以下|左右|多)")


def _rows(listed: str) -> list[str]:
    return [CATEGORIES[c] for c in _CAT_RE.findall(listed)]


def _overlapping(rows: list[str]) -> bool:
    """Return True when a row repeats or one row is part of another (无法提供 and 本机关不掌握…)."""
    return len(set(rows)) < len(rows) or any(a != b and a.startswith(b + ".") for a in rows for b in rows)


def _what(rows: list[str]) -> str:
    return "outcome:" + "+".join(rows)


def share_base(words: str) -> str:
    """Return which table value a share is of, from the words before it: answered, received or any."""
    if _BASE_ANSWERED_RE.search(words):
        return "answered"
    if _BASE_RECEIVED_RE.search(words):
        return "received"
    return "any"


def outcome_statements(sent: str, section: str) -> list[Statement]:
    """Return the outcome counts of one normalised sentence about applications (and the unread ones)."""
    out: list[Statement] = []
    taken: list[tuple[int, int]] = []
    for m in _RESPECTIVELY_RE.finditer(sent):
        rows, nums = _rows(m.group("list")), [n.group(1) for n in _LIST_NUM_RE.finditer(m.group("nums"))]
        taken.append(m.span())
        if len(rows) != len(nums) or _overlapping(rows):
            out.append(Statement("unread:outcome", None, sent, section, reason="分别列出的件数与类别对不上"))
            continue
        out.extend(Statement(_what([r]), to_int(n), sent, section) for r, n in zip(rows, nums, strict=True))
    for m in _FORWARD_RE.finditer(sent):
        if any(a <= m.start() < b for a, b in taken):
            continue
        taken.append(m.span())
        out.append(_read(m, _rows(m.group("list")), sent, section))
    for m in _REVERSE_RE.finditer(sent):
        if any(a < m.end() and m.start() < b for a, b in taken) or sent[: m.start()].endswith("的"):
            continue
        out.append(_read(m, _rows(m.group("list")), sent, section))
    return out


def _read(m: re.Match[str], rows: list[str], sent: str, section: str) -> Statement:
    """Return the statement of a forward or reverse match, unread when it is ambiguous."""
    if _overlapping(rows):
        return Statement("unread:outcome", None, sent, section, reason="所列类别互相包含")
    if "incl" in m.groupdict() and m.group("incl"):
        return Statement("unread:outcome", None, sent, section, reason="“含”的写法无法确定所计类别")
    st = Statement(_what(rows), to_int(m.group("num")), sent, section)
    pct = m.groupdict().get("pct")
    if pct and not _APPROXIMATE_RE.search((m.group("base") or "") + sent[m.end() : m.end() + 2]):
        st.share = float(pct) if "." in pct else int(pct)
        st.share_digits = len(pct.split(".")[1]) if "." in pct else 0
        st.share_base = share_base(m.group("base") or "")
    return st
