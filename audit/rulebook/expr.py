"""The ``when`` language of rules: its syntax tree, the fields an expression uses, their kinds, the fact contract.

:func:`parse_when` parses a rule's ``when`` text (a small, safe, Python-like syntax checked against
a whitelist of :mod:`ast` node types) into the tree of :class:`Cmp`, :class:`BoolOp`, :class:`Not`
and :class:`Const` over terms (:class:`Lit`, :class:`Fld`, :class:`Arith`); ``_Kinds`` infers each
field's kind (number, string, boolean) from how the expression uses it; :func:`validate_facts`
checks facts against the contract both evaluators rely on. The compiler
(:mod:`audit.rulebook.condition`) turns the tree into a durable-rules condition and a Python
predicate; its docstring gives the semantics.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

#: Field names the evaluators reserve in the durable fact (never allowed as fact fields).
TYPE_KEY = "_type"
INDEX_KEY = "_index"
RESERVED_FIELDS = frozenset({"sid", "id", TYPE_KEY, INDEX_KEY})
#: durable-rules refuses facts over 252 properties; we keep a margin for the reserved keys.
MAX_FIELDS = 240


class FactLike(Protocol):
    """What an evaluator needs from a fact (``audit.facts.Fact`` satisfies it)."""

    type: str
    key: str
    fields: dict
    evidence: dict


class ConditionError(ValueError):
    """A ``when`` expression that cannot be compiled; the message is Chinese."""


class FactTypeError(TypeError):
    """A fact field whose value is not of the kind the rule uses it as (a fact-builder bug)."""


class FactShapeError(ValueError):
    """A fact that violates the fact contract (reserved or non-scalar fields, too many fields)."""


class DuplicateFactError(FactShapeError):
    """Two facts with the same (type, key) were given for one report."""


# --------------------------------------------------------------------------------------------
# Source tree (the expression as written)


@dataclass(frozen=True)
class Lit:
    """A literal: number, string or boolean."""

    value: int | float | str | bool


@dataclass(frozen=True)
class Fld:
    """A reference to a fact field."""

    name: str


@dataclass(frozen=True)
class Arith:
    """``left + right`` or ``left - right`` (``op`` is ``+`` or ``-``); unary minus is ``0 - x``."""

    op: str
    left: Term
    right: Term


Term = Lit | Fld | Arith


@dataclass(frozen=True)
class Cmp:
    """A single comparison ``left op right``."""

    op: str
    left: Term
    right: Term


@dataclass(frozen=True)
class BoolOp:
    """``and`` / ``or`` over two or more operands."""

    op: str
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    """``not operand``."""

    operand: Expr


@dataclass(frozen=True)
class Const:
    """A constant truth value (after folding, or the literal ``true``/``false`` in boolean position)."""

    value: bool


Expr = Cmp | BoolOp | Not | Const

_CMP_OPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_NEGATE = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_FLIP = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
_DURABLE_OP = {"==": "$eq", "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_BOOL_NAMES = {"true": True, "false": False, "True": True, "False": False}


def _node_name(node: ast.AST) -> str:
    return type(node).__name__


def _parse_term(node: ast.AST, text: str) -> Term:
    """Convert an arithmetic AST node into a :data:`Term`."""
    if isinstance(node, ast.Name):
        if node.id in _BOOL_NAMES:
            return Lit(_BOOL_NAMES[node.id])
        return Fld(node.id)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool | int | float | str) and node.value is not None:
            if isinstance(node.value, float) and not math.isfinite(node.value):
                raise ConditionError(f"条件“{text}”中的数字不是有限数")
            return Lit(node.value)
        raise ConditionError(f"条件“{text}”中不允许字面量 {node.value!r}")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        op = "+" if isinstance(node.op, ast.Add) else "-"
        return Arith(op, _parse_term(node.left, text), _parse_term(node.right, text))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _parse_term(node.operand, text)
        if isinstance(node.op, ast.UAdd):
            return inner
        if (
            isinstance(inner, Lit)
            and isinstance(inner.value, int | float)
            and not isinstance(inner.value, bool)
        ):
            return Lit(-inner.value)
        return Arith("-", Lit(0), inner)
    raise ConditionError(
        f"条件“{text}”中不允许的语法：{_node_name(node)}"
        f"（只允许字段、数字、'字符串'、true/false、+ -、比较、and/or/not、括号）"
    )


def _parse_expr(node: ast.AST, text: str) -> Expr:
    """Convert a boolean AST node into an :data:`Expr`."""
    if isinstance(node, ast.BoolOp):
        op = "and" if isinstance(node.op, ast.And) else "or"
        return BoolOp(op, tuple(_parse_expr(v, text) for v in node.values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return Not(_parse_expr(node.operand, text))
    if isinstance(node, ast.Compare):
        terms = [_parse_term(node.left, text)] + [_parse_term(c, text) for c in node.comparators]
        parts: list[Expr] = []
        for i, op in enumerate(node.ops):
            if type(op) not in _CMP_OPS:
                raise ConditionError(f"条件“{text}”中不允许的比较运算：{_node_name(op)}")
            parts.append(Cmp(_CMP_OPS[type(op)], terms[i], terms[i + 1]))
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))
    if isinstance(node, ast.Name):
        if node.id in _BOOL_NAMES:
            return Const(_BOOL_NAMES[node.id])
        return Cmp("==", Fld(node.id), Lit(True))
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return Const(node.value)
    if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Constant):
        raise ConditionError(f"条件“{text}”中此处需要比较或逻辑表达式，而不是算术或字面量")
    raise ConditionError(
        f"条件“{text}”中不允许的语法：{_node_name(node)}"
        f"（只允许字段、数字、'字符串'、true/false、+ -、比较、and/or/not、括号）"
    )


def parse_when(text: str) -> Expr:
    """Parse a ``when`` expression into the source tree; raises :class:`ConditionError`."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("条件为空")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"条件“{text}”语法错误：{exc.msg}") from exc
    return _parse_expr(tree.body, text)


# --------------------------------------------------------------------------------------------
# Kinds


def _term_fields(t: Term) -> list[str]:
    if isinstance(t, Fld):
        return [t.name]
    if isinstance(t, Arith):
        return _term_fields(t.left) + _term_fields(t.right)
    return []


def _expr_fields(e: Expr) -> list[str]:
    if isinstance(e, Cmp):
        return _term_fields(e.left) + _term_fields(e.right)
    if isinstance(e, BoolOp):
        return [f for item in e.items for f in _expr_fields(item)]
    if isinstance(e, Not):
        return _expr_fields(e.operand)
    return []


def value_kind(v: Any) -> str:
    """Return the kind (``num``, ``str``, ``bool``) of a literal or fact value."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int | float):
        return "num"
    return "str"


class _Kinds:
    """Infers the kind of every field from its uses (union-find over field == field)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.kind: dict[str, str] = {}
        self.parent: dict[str, str] = {}

    def find(self, f: str) -> str:
        self.parent.setdefault(f, f)
        while self.parent[f] != f:
            f = self.parent[f]
        return f

    def set(self, f: str, kind: str) -> None:
        root = self.find(f)
        old = self.kind.get(root)
        if old and old != kind:
            raise ConditionError(
                f"条件“{self.text}”中字段 {f} 既被当作{_KIND_ZH[old]}又被当作{_KIND_ZH[kind]}使用"
            )
        self.kind[root] = kind

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        ka, kb = self.kind.get(ra), self.kind.get(rb)
        if ka and kb and ka != kb:
            raise ConditionError(
                f"条件“{self.text}”中字段 {a}（{_KIND_ZH[ka]}）与 {b}（{_KIND_ZH[kb]}）类型不同，不能比较"
            )
        self.parent[rb] = ra
        if kb and not ka:
            self.kind[ra] = kb

    def term(self, t: Term) -> str | None:
        """Visit a term; return its kind when known (arithmetic is numeric)."""
        if isinstance(t, Lit):
            return value_kind(t.value)
        if isinstance(t, Fld):
            self.find(t.name)
            return self.kind.get(self.find(t.name))
        for side in (t.left, t.right):
            if isinstance(side, Lit) and value_kind(side.value) != "num":
                raise ConditionError(f"条件“{self.text}”中 + - 只能用于数字")
            for f in _term_fields(side):
                self.set(f, "num")
        return "num"

    def expr(self, e: Expr) -> None:
        if isinstance(e, BoolOp):
            for item in e.items:
                self.expr(item)
        elif isinstance(e, Not):
            self.expr(e.operand)
        elif isinstance(e, Cmp):
            kl, kr = self.term(e.left), self.term(e.right)
            if e.op not in ("==", "!="):
                for side, k in ((e.left, kl), (e.right, kr)):
                    if k and k != "num":
                        raise ConditionError(f"条件“{self.text}”中 {e.op} 只能比较数字")
                    for f in _term_fields(side):
                        self.set(f, "num")
                return
            if isinstance(e.left, Fld) and isinstance(e.right, Fld):
                self.union(e.left.name, e.right.name)
                return
            for side, other in ((e.left, kr), (e.right, kl)):
                if other is None:
                    continue
                if isinstance(side, Fld):
                    self.set(side.name, other)
                elif isinstance(side, Lit) and value_kind(side.value) != other:
                    raise ConditionError(f"条件“{self.text}”中比较两边类型不同")

    def resolved(self, fields: list[str]) -> tuple[dict[str, str], list[tuple[str, ...]]]:
        """Return (field -> kind) for known kinds and the groups of fields of unknown, equal kind."""
        known: dict[str, str] = {}
        groups: dict[str, list[str]] = {}
        for f in dict.fromkeys(fields):
            root = self.find(f)
            if root in self.kind:
                known[f] = self.kind[root]
            else:
                groups.setdefault(root, []).append(f)
        return known, [tuple(g) for g in groups.values() if len(g) > 1]


_KIND_ZH = {"num": "数字", "str": "字符串", "bool": "布尔值"}


def validate_fact(fact: FactLike) -> None:
    """Check a fact against the fact contract; raises :class:`FactShapeError`.

    Fields must be flat JSON scalars with names that are not reserved; at most
    :data:`MAX_FIELDS` fields (durable-rules refuses facts over 252 properties).
    """
    if not isinstance(fact.type, str) or not fact.type:
        raise FactShapeError(f"事实类型无效：{fact.type!r}")
    if len(fact.fields) > MAX_FIELDS:
        raise FactShapeError(
            f"事实 {fact.type}/{fact.key} 有 {len(fact.fields)} 个字段，超过上限 {MAX_FIELDS}"
        )
    for name, value in fact.fields.items():
        if not isinstance(name, str) or name in RESERVED_FIELDS or name.startswith("_"):
            raise FactShapeError(f"事实 {fact.type}/{fact.key} 的字段名 {name!r} 无效或为保留字")
        if value is not None and not isinstance(value, str | int | float | bool):
            raise FactShapeError(
                f"事实 {fact.type}/{fact.key} 的字段 {name} 不是标量：{type(value).__name__}"
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise FactShapeError(f"事实 {fact.type}/{fact.key} 的字段 {name} 不是有限数：{value}")


def validate_facts(facts: Sequence[FactLike]) -> None:
    """Validate every fact (:func:`validate_fact`) and refuse duplicate (type, key) pairs."""
    seen: set[tuple[str, str]] = set()
    for fact in facts:
        validate_fact(fact)
        ident = (fact.type, str(fact.key))
        if ident in seen:
            raise DuplicateFactError(f"同一报告中事实重复：{fact.type}/{fact.key}")
        seen.add(ident)
