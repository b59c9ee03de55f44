"""What every fact family uses: the fact record, the family declaration, its registry, the report view.

A family is a small class that declares the fact types it builds and their fields in one place
(``FACTS``) and builds them from a :class:`View` of the report; :func:`register` puts it in
:data:`FAMILIES`, from which ``audit.facts.FACT_FIELDS`` (what the catalogue loader checks rules
against) is derived. :meth:`Family.fact` refuses a fact whose fields differ from the declaration,
so the declaration cannot drift from what is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from audit.organs import effective_level
from audit.report import AuditContext, Report


@dataclass
class Fact:
    """One fact: its type (what rules match on), a unique key, flat fields and the evidence."""

    type: str
    key: str
    fields: dict = field(default_factory=dict)
    evidence: dict = field(default_factory=dict)


class FactDeclarationError(ValueError):
    """A family declares a fact type twice, or builds a fact its declaration does not describe."""


class View:
    """One report and its audit context, with the lookups every family needs (read-only).

    ``level`` is the organ level the rules apply (:func:`audit.organs.effective_level`).
    """

    def __init__(self, report: Report, ctx: AuditContext) -> None:
        self.report = report
        self.ctx = ctx
        self.level = effective_level(report.level, report.agency)

    @property
    def format(self) -> str:
        """The report's form year: ``2021`` or ``2019``."""
        return self.report.format

    def value(self, cell_id: str) -> int | float | None:
        """Return a cell's value (``None`` when missing)."""
        return self.report.value(cell_id)

    def text(self, sid: str) -> str:
        """Return the text of a section (``preamble`` for the text before 一), '' when absent."""
        if sid == "preamble":
            return self.report.preamble
        sec = self.report.sections.get(sid)
        return sec.text if sec and sec.present else ""

    def present(self, sid: str) -> bool:
        """Return True when the section is in the report."""
        sec = self.report.sections.get(sid)
        return bool(sec and sec.present)

    def quote_key(self, sid: str, quote: str = "") -> str:
        """Return the evidence key of a quote: the section and where the quote is in the document."""
        sec = self.report.sections.get(sid)
        line, page = sec.locate(quote) if sec is not None else (None, None)
        if page:
            return f"原文（{sid}，第{page}页）"
        if line:
            return f"原文（{sid}，第{line}行）"
        return f"原文（{sid}）"


class Family:
    """A fact family: the fact types it declares (type → field names) and how it builds them.

    ``FACTS`` is the one place a fact type and its fields are said. ``build`` yields the facts of
    one report, each made with :meth:`fact`. ``UNREADABLE`` families are built for an unreadable
    report too (only the ``document`` fact is: no other rule may fire on a report nobody can read).
    """

    FACTS: ClassVar[dict[str, tuple[str, ...]]] = {}
    UNREADABLE: ClassVar[bool] = False

    def build(self, v: View) -> Iterator[Fact]:
        """Yield the facts of this family for one report."""
        raise NotImplementedError

    @classmethod
    def fact(cls, type_: str, key: str, fields: dict, evidence: dict | None = None) -> Fact:
        """Return a fact of a declared type; raises when its fields are not exactly the declared ones."""
        declared = cls.FACTS.get(type_)
        if declared is None:
            raise FactDeclarationError(f"{cls.__name__} 未声明事实类型 {type_}")
        if set(fields) != set(declared):
            missing, extra = set(declared) - set(fields), set(fields) - set(declared)
            raise FactDeclarationError(
                f"{cls.__name__} 生成的事实 {type_} 字段与声明不符：缺少 {sorted(missing)}，多出 {sorted(extra)}"
            )
        return Fact(type_, f"{type_}:{key}", fields, evidence or {})


#: Every registered family, in the order their facts are built.
FAMILIES: list[type[Family]] = []


def register(cls: type[Family]) -> type[Family]:
    """Register a family (class decorator); a fact type may be declared by one family only."""
    if not cls.FACTS:
        raise FactDeclarationError(f"{cls.__name__} 没有声明任何事实类型（FACTS）")
    for i, other in enumerate(FAMILIES):
        if (other.__module__, other.__qualname__) == (cls.__module__, cls.__qualname__):
            FAMILIES[i] = cls  # the same family again (its module was reloaded)
            return cls
        clash = set(other.FACTS) & set(cls.FACTS)
        if clash:
            raise FactDeclarationError(f"事实类型 {sorted(clash)} 已由 {other.__name__} 声明")
    FAMILIES.append(cls)
    return cls


def quote(text: str, limit: int = 160) -> str:
    """Return a normalised sentence with Chinese punctuation restored, for evidence and messages."""
    s = text.replace(",", "，").replace(";", "；").replace(":", "：").replace("(", "（").replace(")", "）")
    s = re.sub(r"(?<=\d)，(?=\d{3}(?!\d))", ",", s)
    return s if len(s) <= limit else s[: limit - 1] + "…"
