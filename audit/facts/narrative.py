"""Numbers, topics, years and artefacts read from the narrative sections of a report.

The rules compare what the text says with what the tables say (NT01–NT06), look for required
topics (ST06–ST13), year conflicts (FM07) and extraction artefacts (FM06). Everything here is
deliberately conservative: a number is only taken when its sentence says unambiguously what it
counts (本年新收 vs 含上年结转, 行政复议 vs 行政诉讼, 答复 vs 受理); a sentence that compares with
last year or counts documents rather than cases yields nothing.

Text is normalised before matching (NFKC, every whitespace removed, quotes unified), so
"12 件", "2024 年" and lines wrapped inside a sentence read the same as "12件", "2024年".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WS_RE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "‘": "'", "’": "'"})
# A heading such as （二） 二、 2. 一是 starts a new sentence even without a full stop before it.
_HEADING_BREAK_RE = re.compile(
    r"\n(?=\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.、．](?!\d)))"
)
_SENTENCE_END_RE = re.compile(r"[。！？!?;；]")
_CLAUSE_SPLIT_RE = re.compile(r"[，,:：]")

NUM = r"(\d{1,3}(?:,\d{3})+(?!\d)|\d+|[零〇一二两三四五六七八九十百]+)"
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def normalize(text: str) -> str:
    """Return text normalised for matching: NFKC, quotes unified, whitespace and ``**`` dropped."""
    s = unicodedata.normalize("NFKC", text or "").translate(_QUOTES).replace("**", "")
    return _WS_RE.sub("", s)


def to_int(token: str) -> int | None:
    """Return the integer written as Arabic digits (with thousands commas) or small Chinese numerals."""
    t = token.replace(",", "")
    if t.isdigit():
        return int(t)
    if not t or any(c not in _CN_DIGITS and c not in "十百" for c in t):
        return None
    total, cur = 0, 0
    for c in t:
        if c == "百":
            total += (cur or 1) * 100
            cur = 0
        elif c == "十":
            total += (cur or 1) * 10
            cur = 0
        else:
            cur = _CN_DIGITS[c]
    return total + cur


def sentences(text: str) -> list[str]:
    """Split a section's text into normalised sentences (full stops, semicolons and headings)."""
    return [sent for _, sent in block_sentences(text)]


def block_sentences(text: str) -> list[tuple[int, str]]:
    """Return ``(block number, sentence)`` pairs; a block runs from one sub-heading to the next."""
    out: list[tuple[int, str]] = []
    for i, block in enumerate(_HEADING_BREAK_RE.split(text or "")):
        for part in _SENTENCE_END_RE.split(normalize(block)):
            if part:
                out.append((i, part))
    return out


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


def clauses(sentence: str) -> list[str]:
    """Split a normalised sentence into clauses at commas and colons (not inside numbers)."""
    protected = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "\x00", sentence)
    return [c.replace("\x00", ",") for c in _CLAUSE_SPLIT_RE.split(protected) if c]


# ----------------------------------------------------------------------------------------------
# Counts stated in the narrative


@dataclass
class Statement:
    """A count read from the narrative: what it counts, the number, and the sentence quoted.

    ``what`` is one of ``new``, ``new_plus_carry``, ``answered``, ``carry_in``, ``carry_out``
    (table 3 totals), ``outcome:<row>`` (a table-3 result row or group), ``appeal:<group>:<col>``
    (table 4: group ``review`` or ``litigation``, ``lit_direct``, ``lit_after_review``; column
    ``total``, ``upheld``, ``corrected``, ``other``, ``pending``), ``none_received`` (no
    applications), ``none_appeal:<group>``, ``t2:<row>:<col>`` (规章/行政规范性文件 counts) and
    ``fee_denied``. ``column`` is the table-3 applicant column the count refers to.
    """

    what: str
    value: int | None
    quote: str
    section: str
    column: str = "total"


_APPLICATION_CTX = re.compile(r"(政府信息公开申请|信息公开申请|公开申请|依申请|申请公开)")
_COMPARE_RE = re.compile(
    r"(同比|较去年|较上年|比上年|比去年|去年同期|上年同期|较\d{4}年|与\d{4}年相比|增长|下降|减少)"
)
_YEAR_RE = re.compile(r"((?:19|20)\d{2})年")

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

_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("granted", r"(?:予以公开|同意公开)"),
    ("partial", r"部分公开"),
    ("denied", r"不予公开"),
    ("unable.not_held", r"(?:(?:本机关)?不掌握(?:相关)?(?:政府)?信息|信息不存在)"),
    ("unable", r"无法提供"),
    ("not_processed", r"不予处理"),
    ("other", r"其他处理"),
)

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

_T2_NOUN_RE = re.compile(r"(行政规范性文件|规范性文件|规章|政策性文件|政策文件|其他文件|文件)")
_T2_VERBS: tuple[tuple[str, str], ...] = (
    ("made", r"(?:制发|新制发|印发|出台|制定|新制定|发布)"),
    ("repealed", r"(?:宣布失效和废止|失效和废止|废止和失效|宣布废止|废止)"),
    ("valid", r"(?:现行有效|继续有效|保留|有效)"),
)
_FEE_DENIAL_RE = re.compile(
    r"((?:未|没有)(?:向申请人)?(?:发出|发放|出具|制发|送达|开具)(?:过)?(?:任何)?(?:信息处理费)?收费通知"
    r"|(?:不|未|没有)涉及(?:政府信息公开)?(?:信息处理费|收费|收取信息处理费)"
    r"|无(?:信息处理费)?收费通知"
    r"|(?:发出|发放|出具|制发|送达|开具)(?:信息处理费)?收费通知(?:书)?(?:共|为)?(?:0|零)(?:件|份|次|个)?(?!\d))"
)


def _year_conflict(clause: str, year: int | None) -> bool:
    """Return True when a clause is about another year than the report year."""
    if year is None:
        return False
    return any(int(y) != year for y in _YEAR_RE.findall(clause))


_FOREIGN_MID_RE = re.compile(
    r"(许可|审批|复议|诉讼|补贴|补助|登记|政务服务|办件|投诉|举报|信访|来信|来访|诉求|(?<!或)其[他它](?!组织)|另外|行政执法|"
    r"救助|咨询|留言|热线|建议|提案|涉及|关于|类|方面|领域)"
)


def _about_disclosure(mid: str) -> bool:
    """Return True when the words between verb and 申请 leave it about information disclosure."""
    if _FOREIGN_MID_RE.search(mid):
        return False
    return bool(re.search(r"(信息公开|公开|依)", mid)) or len(mid) <= 6


# "全区各级行政机关共收到…", "各部门收到…": a count over several organs, not this report's table
_AGGREGATE_RE = re.compile(r"(各级|各部门|各单位|各乡镇|各街道|各镇|各县|各区|各市|所属|下属|直属)")


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
            if _COMPARE_RE.search(clause_text) or _year_conflict(clause_text, year):
                continue
            base = sent.find(clause_text)
            for m in _RECEIVE_RE.finditer(clause_text):
                if not _about_disclosure(m.group("mid")) or clause_text.startswith("其中"):
                    continue
                if _AGGREGATE_RE.search(clause_text[: m.start()]):
                    continue
                col = _applicant_column(m.group("mid"))
                if col is None:
                    continue
                what = "new_plus_carry" if _INCL_CARRY_RE.match(sent[base + m.end() :]) else "new"
                out.append(Statement(what, to_int(m.group(3)), sent, section, col))
            for m in _HANDLE_RE.finditer(clause_text):
                if not _APPLICATION_CTX.search(clause_text) or not _about_disclosure(m.group("mid")):
                    continue
                if _AGGREGATE_RE.search(clause_text[: m.start()]):
                    continue
                # "办理…申请N件" alone may mean new or new + carried over: only take it when the
                # sentence says it includes the carried-over applications.
                if _INCL_CARRY_RE.match(sent[base + m.end() :]):
                    col = _applicant_column(m.group("mid"))
                    if col:
                        out.append(Statement("new_plus_carry", to_int(m.group(3)), sent, section, col))
        for m in _ANSWER_RE.finditer(sent):
            before = sent[: m.start()]
            if _COMPARE_RE.search(sent[max(0, m.start() - 6) : m.end() + 6]):
                continue
            if re.search(r"(答复|办结)$", before):
                continue
            clause_start = max(before.rfind(","), before.rfind(":"), before.rfind("、"))
            if _FOREIGN_MID_RE.search(before[clause_start + 1 :]) or re.search(
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
        for row, pat in _OUTCOMES:
            for m in re.finditer(pat + r"(?:的)?(?:申请)?(?:共计|共)?" + NUM + r"(?:件|条|个)", sent):
                out.append(Statement(f"outcome:{row}", to_int(m.group(1)), sent, section))
            for m in re.finditer(NUM + r"(?:件|条|个)(?:申请)?(?:为|属于|系|被)?" + pat, sent):
                if re.search(r"[的]$", sent[: m.start()]):
                    continue
                out.append(Statement(f"outcome:{row}", to_int(m.group(1)), sent, section))
    return _dedupe(out)


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


def appeal_statements(text: str, section: str, year: int | None) -> list[Statement]:
    """Return 行政复议 / 行政诉讼 counts and "no review/lawsuit" statements (NT04).

    A sentence counts when it mentions 信息公开 (or 依申请), or when it directly continues such a
    sentence about reviews and lawsuits ("…行政复议4件，其中…；行政诉讼3件，其中…"). Sentences about
    复议决定书, 发生率 and the like are never read.
    """
    out: list[Statement] = []
    prev_block, prev_ctx = -1, False
    for block, sent in block_sentences(text):
        has_marker = bool(_T4_GROUP_RE.search(sent))
        own = "信息公开" in sent or "依申请" in sent
        in_ctx = has_marker and (own or (prev_ctx and block == prev_block))
        prev_block, prev_ctx = block, in_ctx
        if not in_ctx or re.search(r"(决定书|发生率|案卷|败诉率|纠错率)", sent):
            continue
        group: str | None = None
        # Walk the clauses: each group marker opens a scope for the result counts that follow it.
        for clause_text in clauses(sent):
            if _COMPARE_RE.search(clause_text) or _year_conflict(clause_text, year):
                group = None
                continue
            neg = _NEGATION_RE.search(clause_text)
            markers = list(_T4_GROUP_RE.finditer(clause_text))
            if neg and markers and not re.search(r"\d", clause_text[neg.end() :]):
                first = next((mk for mk in markers if mk.start() > neg.start()), None)
                span = clause_text[neg.end() : first.start()] if first else ""
                tail = clause_text[markers[-1].end() :]
                if first is None or not _GENERAL_SPAN_RE.match(span) or _RESULT_TAIL_RE.search(tail):
                    # "未发生因答复不规范引发行政复议", "未出现行政复议被纠错": not a plain "no reviews"
                    group = None
                    continue
                groups = {_group_id(mk.group("g")) for mk in markers if mk.start() > neg.start()}
                for g in sorted(groups):
                    out.append(Statement(f"none_appeal:{g}", 0, sent, section))
                if groups:
                    group = None
                    continue
            listed = _T4_RESPECTIVELY_RE.match(clause_text[markers[-1].end() :]) if markers else None
            if listed is not None and len(markers) > 1:
                # "行政复议、行政诉讼案件分别为4件、3件": one count per group named, in order
                nums = [m.group(1) for m in _T4_LIST_NUM_RE.finditer(listed.group("list"))]
                if len(nums) == len(markers):
                    for mk, num in zip(markers, nums, strict=True):
                        g = _group_id(mk.group("g"))
                        out.append(Statement(f"appeal:{g}:total", to_int(num), sent, section))
                    group = None
                    continue
                if len(nums) > 1:
                    group = None
                    continue  # counts and groups do not pair up: read nothing
            if len(markers) > 1 and _T4_JOINT_ZERO_RE.match(clause_text[markers[-1].end() :]):
                for g in sorted({_group_id(mk.group("g")) for mk in markers}):
                    out.append(Statement(f"appeal:{g}:total", 0, sent, section))
                group = None
                continue
            both = _T4_BOTH_RE.match(clause_text[markers[-1].end() :]) if markers else None
            if both is not None and len(markers) > 1:
                # "行政复议、行政诉讼均为0件" / "…各1件": the count applies to every group named
                for g in sorted({_group_id(mk.group("g")) for mk in markers}):
                    out.append(Statement(f"appeal:{g}:total", to_int(both.group(1)), sent, section))
                group = None
                continue
            for i, mk in enumerate(markers):
                group = _group_id(mk.group("g"))
                if i and _T4_JOINED_RE.match(clause_text[markers[i - 1].end() : mk.start()]):
                    # "行政复议和行政诉讼共3件": one count for both groups together, not this one's
                    group = None
                    break
                m = _T4_TOTAL_AFTER_RE.match(clause_text[mk.end() :])
                if m is not None:
                    out.append(Statement(f"appeal:{group}:total", to_int(m.group(1)), sent, section))
                    continue
                m2 = _T4_TOTAL_BEFORE_RE.search(clause_text[: mk.start()])
                if m2 is not None and not re.search(r"(维持|纠正|结果|审结)", clause_text[: mk.start()]):
                    out.append(Statement(f"appeal:{group}:total", to_int(m2.group(1)), sent, section))
            if group is not None:
                for m in _T4_RESULT_RE.finditer(clause_text):
                    if any(mk.start() > m.start() for mk in markers):
                        continue
                    col = _T4_RESULT_COL[m.group("c")]
                    out.append(Statement(f"appeal:{group}:{col}", to_int(m.group(2)), sent, section))
    return _dedupe(out)


def _group_id(marker: str) -> str:
    """Return the table-4 group a narrative marker names."""
    if marker.startswith("未经复议"):
        return "lit_direct"
    if marker.startswith("复议后"):
        return "lit_after_review"
    if marker == "行政复议":
        return "review"
    return "litigation"


def t2_statements(text: str, section: str, year: int | None) -> list[Statement]:
    """Return 规章 / 行政规范性文件 counts (制发, 废止, 现行有效/保留) stated in the text (NT05).

    The document kind is the last noun named before the count in the sentence; 政策性文件 and
    other kinds of documents reset it, so "政策性文件11件" never counts as 行政规范性文件.
    """
    out: list[Statement] = []
    for sent in sentences(text):
        if "规章" not in sent and "规范性文件" not in sent:
            continue
        noun: str | None = None
        for clause_text in clauses(sent):
            skip = bool(_COMPARE_RE.search(clause_text) or _year_conflict(clause_text, year))
            tokens = list(_T2_NOUN_RE.finditer(clause_text))
            for verb, vpat in _T2_VERBS:
                pat = (
                    vpat
                    + r"(?:了)?(?:的)?(?:(?:[省市区县州旗]|本级)?(?:人民)?政府(?:及其办公室|办公室|办公厅)?|本机关|本部门|部门)?"
                    + r"(?P<n>行政规范性文件|规范性文件|规章)?(?:共计|共)?(?P<num>"
                    + NUM[1:-1]
                    + r")件"
                )
                for m in re.finditer(pat, clause_text):
                    cur = noun
                    for t in tokens:
                        if t.start() < m.start("num"):
                            cur = _noun_id(t.group(1))
                    if cur is None or skip:
                        continue
                    out.append(Statement(f"t2:{cur}:{verb}", to_int(m.group("num")), sent, section))
            if tokens:
                noun = _noun_id(tokens[-1].group(1))
    return _dedupe(out)


def _noun_id(noun: str) -> str | None:
    """Return the table-2 row a document noun names (``None`` for other kinds of documents)."""
    if noun in ("行政规范性文件", "规范性文件"):
        return "norm"
    if noun == "规章":
        return "reg"
    return None


def fee_denials(text: str, section: str) -> list[Statement]:
    """Return statements that no 收费通知 was issued / no 信息处理费 was involved (NT06)."""
    out = []
    for sent in sentences(text):
        if _FEE_DENIAL_RE.search(sent):
            out.append(Statement("fee_denied", 0, sent, section))
    return out


def _dedupe(items: list[Statement]) -> list[Statement]:
    """Return statements without exact repeats (same kind, value and sentence)."""
    seen: set[tuple[str, int | None, str, str]] = set()
    out = []
    for s in items:
        k = (s.what, s.value, s.quote, s.column)
        if k not in seen:
            seen.add(k)
            out.append(s)
    return out


# ----------------------------------------------------------------------------------------------
# Topics

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
PROBLEM_RE = re.compile(
    r"(问题|不足|短板|差距|有待|不够|不强|不高|薄弱|欠缺|滞后|不到位|不完善|不充分|不平衡|单一)"
)
MEASURE_RE = re.compile(
    r"(改进|下一步|措施|整改|今后|接下来|计划|拟|力争|努力|着力|将(?!来)|加强|推进|提升|完善|强化|加大|规范|健全)"
)
# "有待加强", "需进一步提升": a problem, not a measure
_NEED_RE = re.compile(
    r"(有待|需要|需|仍需|还需|亟待|亟需|尚需|不够|不足以)(进一步)?(加强|提升|提高|完善|改进|强化|加大|规范|健全|推进)"
)


def measures_quote(text: str) -> str:
    """Return the first sentence of 五 that states an improvement measure ('' when none does)."""
    for sent in sentences(text):
        if MEASURE_RE.search(_NEED_RE.sub("", sent)):
            return sent
    return ""


LAST_YEAR_RE = re.compile(r"(上年度|上一年度|上年|去年|上一年|前一年|往年|以往年度)")
RECTIFY_RE = re.compile(r"(整改|问题|改进|不足|年报|年度报告|落实情况)")
FEE_RE = re.compile(r"(信息处理费|处理费|收费通知|收取(?:任何)?费用|未收费|不收费|收费情况|收取费用情况)")
KEY_POINTS_RE = re.compile(
    r"(要点|政务公开重点工作|重点工作任务|重点任务落实|重点工作落实|政务公开(?:工作)?(?:重点)?任务)"
)


def has(pattern: str | re.Pattern[str], text: str) -> bool:
    """Return True when the normalised text matches ``pattern``."""
    return re.search(pattern, normalize(text)) is not None


def first_quote(pattern: str | re.Pattern[str], text: str) -> str:
    """Return the first normalised sentence that matches ``pattern`` ('' when none does)."""
    for sent in sentences(text):
        if re.search(pattern, sent):
            return sent
    return ""


def last_year_rectification(text: str, year: int | None) -> str:
    """Return the sentence of 五 that reports how last year's problems were rectified ('' if none)."""
    prev = rf"|{year - 1}年(?:度)?" if year else ""
    last = re.compile(LAST_YEAR_RE.pattern[:-1] + prev + ")")
    for sent in sentences(text):
        if last.search(sent) and RECTIFY_RE.search(sent) and not re.search(r"(结转)", sent):
            return sent
    for sent in sentences(text):
        if re.search(r"(整改情况|整改落实情况|问题整改|整改到位|已整改|完成整改)", sent) and re.search(
            r"(上|去年|以往|前期|此前)", sent
        ):
            return sent
    return ""


_NIL_SUBJECT_RE = re.compile(
    r"^(?:本机关|本单位|本局|本委|本办|本部门|我局|我委|我办|我单位|我部门|我区|我县|我市|本年度|本年|今年|全年|(?:19|20)\d{2}年度?)+"
)


# What is left of a nil 六 after nil_text: "无", "暂无其他需要报告事项", "无需要说明的其他事项"
NIL_RE = re.compile(
    r"^(?:暂|均|也|亦)?(?:无|没有|不存在)(?:其他|其它)?(?:需要|需|应当|应)?(?:报告|说明|披露)?(?:的)?"
    r"(?:其他|其它)?(?:事项|情况|内容)?$"
)


def is_nil(text: str) -> bool:
    """Return True when 六 says nothing but that there is nothing to report (or is empty)."""
    rest = nil_text(text)
    return not rest or NIL_RE.match(rest) is not None


def nil_text(text: str) -> str:
    """Return the S6 text without punctuation and leading subject/time words, cut to 40 characters.

    "本机关2023年度无其他需要报告的事项。" becomes "无其他需要报告的事项", which ST12 compares with
    the nil wordings.
    """
    s = re.sub(r"[\W_]+", "", normalize(text))
    return _NIL_SUBJECT_RE.sub("", s)[:40]


# ----------------------------------------------------------------------------------------------
# Years

_PERIOD_RE = re.compile(
    r"((?:19|20)\d{2})年(?:度)?0?1月(?:0?1日)?(?:0时|零时|00:00)?(?:起)?(?:至|到|-|—|–|~|～)(?:((?:19|20)\d{2})年)?12月(?:31日)?"
    r"|统计(?:期限|时限|时间|时段|周期|区间|范围|时间段|期间|期)(?:为|是|自|:)?((?:19|20)\d{2})(?:年度|年)"
)
_OPENING_RE = re.compile(r"^((?:19|20)\d{2})年(?:度)?(?:以来|来|全年|期间)?[,，]")
_KEYPOINT_YEAR_RE = re.compile(
    r"((?:19|20)\d{2})年(?:度)?(?:全[市区县省州旗盟]?|本级|我[市区县局])?(?:政务公开|政府信息公开)?(?:工作)?要点"
)


_CN_YEAR_RE = re.compile(r"([零〇一二三四五六七八九]{4})年")
_CN_MONTH_DAY_RE = re.compile(r"(?<![零〇一二三四五六七八九十])([一二三四五六七八九十]{1,3})(月|日)")


def arabic_dates(text: str) -> str:
    """Return text with dates written in Chinese numerals (二〇二三年十二月三十一日) in Arabic digits."""
    s = _CN_YEAR_RE.sub(lambda m: "".join(str(_CN_DIGITS[c]) for c in m.group(1)) + "年", text)
    return _CN_MONTH_DAY_RE.sub(lambda m: f"{to_int(m.group(1))}{m.group(2)}", s)


def statistical_period(text: str) -> tuple[str, int | None]:
    """Return the statistical-period phrase and its year ('' and None when not stated)."""
    m = _PERIOD_RE.search(arabic_dates(normalize(text)))
    if not m:
        return "", None
    y1 = int(m.group(1) or m.group(3))
    return m.group(0), y1


def opening_year(text: str) -> tuple[str, int | None]:
    """Return the "YYYY年，" opening of 一、总体情况 and its year."""
    s = normalize(text)
    m = _OPENING_RE.match(s)
    if not m:
        return "", None
    return s[: m.end() + 20], int(m.group(1))


_PLAN_RE = re.compile(r"(将|下一步|明年|新的一年|计划|拟|今后)")


def key_points_year(text: str, year: int | None = None) -> tuple[str, int | None]:
    """Return the "YYYY年政务公开工作要点" phrase of 六 that dates it, and its year.

    With the report year given, a phrase of that year wins; a later year's 要点 named in a plan
    ("下一步将认真落实2024年政务公开工作要点") is not a dating of the report and is skipped.
    """
    found: list[tuple[str, int]] = []
    for sent in sentences(text):
        for m in _KEYPOINT_YEAR_RE.finditer(sent):
            y = int(m.group(1))
            if year is not None and y > year and _PLAN_RE.search(sent):
                continue
            found.append((m.group(0), y))
    if not found:
        return "", None
    return next((f for f in found if f[1] == year), found[0])


# ----------------------------------------------------------------------------------------------
# Artefacts

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_RE = re.compile(
    r"(?:https?://|www\.)[\w./?=&%#:-]+|[\w-]+(?:\.[\w-]+)*\.(?:gov|com|cn|net|org|edu)(?:\.cn)?[\w./?=&%#-]*",
    re.I,
)
_LATIN_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
ALLOWED_LATIN = frozenset(
    {
        "e-mail",
        "tel",
        "fax",
        "wi-fi",
        "mobile",
        "phone",
        "website",
        "app",
        "apps",
        "wifi",
        "wi",
        "fi",
        "web",
        "html",
        "pdf",
        "word",
        "excel",
        "wps",
        "ofd",
        "ip",
        "ipv",
        "id",
        "qq",
        "vr",
        "ar",
        "ai",
        "ppt",
        "led",
        "sms",
        "api",
        "ca",
        "gis",
        "h",
        "hotline",
        "online",
        "km",
        "kg",
        "kw",
        "kwh",
        "mb",
        "gb",
        "tb",
        "m",
        "cm",
        "mm",
        "ml",
        "mw",
        "mu",
        "no",
        "vip",
        "ic",
        "pc",
        "tv",
        "ok",
        "pm",
        "am",
        "ukey",
        "usb",
        "cpu",
        "it",
        "ems",
        "ecs",
        "saas",
        "gdp",
        "cpi",
        "ppp",
        "epc",
        "bim",
        "rcep",
        "esg",
        "cbd",
        "csr",
        "logo",
        "vlog",
        "wechat",
        "weibo",
        "tiktok",
        "http",
        "https",
        "www",
        "com",
        "cn",
        "gov",
        "org",
        "net",
        "email",
        "e",
        "mail",
        "p",
        "s",
        "android",
        "ios",
        "csv",
        "xls",
        "xlsx",
        "doc",
        "docx",
        "json",
        "xml",
        "txt",
        "zip",
        "rar",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "mp3",
        "mp4",
        "bilibili",
    }
)
# An account name after "ID：" / "账号：" ("微信公众号（ID：linhefabu）") is a name, not a stray word.
_ACCOUNT_ID_RE = re.compile(r"(?:ID|Id|id|账号|帐号|微信号|抖音号|快手号|视频号)\s*[:：(（]?\s*$")
_PLACEHOLDER_RE = re.compile(
    r"(?<![A-Za-z])(XX+|ＸＸ+|xx+)(?![A-Za-z])|××+|此处填写|待填写|请填写|【填写|\[填写|（填写|\(填写"
)
_MARKDOWN_RE = re.compile(r"\*\*|^#{1,6}\s|__[^_]+__", re.M)


@dataclass
class Artefacts:
    """Text artefacts found in one section: Latin words, markdown markers, placeholders."""

    latin: list[str]
    markdown: list[str]
    placeholders: list[str]


def artefacts(text: str) -> Artefacts:
    """Return the extraction/editing artefacts of a section's raw text.

    Latin words count only when they sit inside Chinese text and are not an e-mail address, a URL,
    an upper-case acronym (APP, LED, PDF), a capitalised or camel-case product name (Android,
    WeChat), an account name after "ID：", a token glued to digits (B2区, 5G) or a common
    technical term, file format or unit.
    """
    raw = unicodedata.normalize("NFKC", text or "")
    # Lines wrapped by PDF extraction can split an address ("abc@exam\nple.gov.cn"): join them first.
    joined = re.sub(r"(?<=[\w.@/:-])[ \t]*\n[ \t]*(?=[\w.@/:-])", "", raw)
    masked = _URL_RE.sub(
        lambda m: " " * len(m.group(0)), _EMAIL_RE.sub(lambda m: " " * len(m.group(0)), joined)
    )
    latin: list[str] = []
    for m in _LATIN_RE.finditer(masked):
        word = m.group(0)
        if word.isupper() or word.lower() in ALLOWED_LATIN:
            continue
        if sum(1 for c in word if c.islower()) < 2 or any(c.isupper() for c in word[1:]):
            continue  # single letters and camel-case brand names (iPhone, WeChat) are not artefacts
        if word[0].isupper():
            continue  # capitalised product names (Pro版, Kimi助手) are names; stray words are lower case
        if _ACCOUNT_ID_RE.search(masked[max(0, m.start() - 8) : m.start()]):
            continue
        before = masked[max(0, m.start() - 1) : m.start()]
        after = masked[m.end() : m.end() + 1]
        if before.isdigit() or after.isdigit() or "_" in (before, after):  # B2区, linhe_fb
            continue
        ctx = masked[max(0, m.start() - 4) : m.start()] + masked[m.end() : m.end() + 4]
        if not _CJK_RE.search(ctx):
            continue
        latin.append(word)
    markdown = [m.group(0).strip() for m in _MARKDOWN_RE.finditer(raw)]
    placeholders = [m.group(0) for m in _PLACEHOLDER_RE.finditer(masked)]
    return Artefacts(latin, markdown, placeholders)


# ----------------------------------------------------------------------------------------------
# Similarity (CY04)

# A sentence that quotes the regulation or the format notice is template text, not the agency's own.
_TEMPLATE_RE = re.compile(r"(中华人民共和国政府信息公开条例|国办公开办函|年度报告格式)")


def content_sentences(text: str) -> list[str]:
    """Return the sentences of a section without template sentences (headings, legal boilerplate)."""
    out = []
    for sent in sentences(text):
        body = re.sub(r"^[(（]?[一二三四五六七八九十\d]+[)）、.]", "", sent)
        body = re.sub(r"^(一是|二是|三是|四是|五是|六是)", "", body)
        if len(body) < 12:
            continue
        if _TEMPLATE_RE.search(body):
            continue
        out.append(body)
    return out


def similarity(a: str, b: str) -> float:
    """Return the difflib ratio of two sections' content (templates excluded, whitespace removed)."""
    import difflib

    x = "。".join(content_sentences(a))
    y = "。".join(content_sentences(b))
    if not x or not y:
        return 0.0
    return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio()
