"""规章 / 行政规范性文件 counts stated in the narrative: 制发, 废止, 现行有效/保留 (NT05)."""

from __future__ import annotations

import re

from audit.facts.narrative.common import Statement, dedupe, skip_clause
from audit.text import NUM, clauses, sentences, to_int

_T2_NOUN_RE = re.compile(r"(行政规范性文件|规范性文件|规章|政策性文件|政策文件|其他文件|文件)")
_T2_VERBS: tuple[tuple[str, str], ...] = (
    ("made", r"(?:制发|新制发|印发|出台|制定|新制定|发布)"),
    ("repealed", r"(?:宣布失效和废止|失效和废止|废止和失效|宣布废止|废止)"),
    ("valid", r"(?:现行有效|继续有效|保留|有效)"),
)


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
            skip = bool(skip_clause(clause_text, year))
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
    return dedupe(out)


def _noun_id(noun: str) -> str | None:
    """Return the table-2 row a document noun names (``None`` for other kinds of documents)."""
    if noun in ("行政规范性文件", "规范性文件"):
        return "norm"
    if noun == "规章":
        return "reg"
    return None
