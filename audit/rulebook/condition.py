"""The compiler of a rule's ``when`` expression into a durable-rules condition and a Python predicate.

A ``when`` expression is a boolean expression in a small, safe, Python-like syntax (parsed with
:mod:`ast` against a whitelist of node types):

* identifiers are fact fields (Chinese identifiers are fine);
* literals are numbers, ``'strings'`` and ``true``/``false`` (``True``/``False`` also accepted);
* operators are ``+ -`` (numbers only), ``== != < <= > >=`` (chains such as ``a < b < c`` are split
  into ``and``), ``and or not`` and parentheses; a bare identifier in a boolean position means
  ``field == true``.

Semantics (shared by the durable-rules engine and the plain-Python oracle):

* A rule fires on a fact when the expression is true **and** every field the expression references
  (anywhere, in every ``or`` branch) is present and not ``None``. A missing value never fires a rule.
* Each field gets a kind from how it is used: ``num`` (arithmetic, ``< <= > >=``, compared with a
  number), ``str`` (compared with a string) or ``bool`` (compared with ``true``/``false`` or used
  bare). Strings and booleans only support ``==``/``!=``. A fact whose present value does not have
  the field's kind raises :class:`FactTypeError` in both evaluators: durable-rules compares mixed
  types in ways Python does not (``true == 1``, ``"1" == 1``, ``"" < 0`` all match there), so a
  mixed-type fact is a bug in the fact builder and must be loud, not silently differently matched.
* With a rule ``tolerance`` *t* > 0, numeric ``a != b`` means ``|a − b| > t`` and ``a == b`` means
  ``|a − b| ≤ t``; ordering comparisons are exact.

Compilation first pushes ``not`` down (De Morgan, inverted comparisons: valid because every
referenced field is known to be present), folds constants, and rearranges every numeric
comparison so that its left-hand side is a single field, as durable-rules requires
(``new + carry_in != result_total + carry_out`` becomes
``new != result_total + carry_out - carry_in``). The normalised tree is then emitted twice:
as durable JSON (:attr:`CompiledCondition.durable`) and as a Python predicate
(:meth:`CompiledCondition.predicate`) that performs the *same* floating-point operations in the
same order, so both evaluators agree exactly, also at tolerance boundaries.
:meth:`CompiledCondition.reference` evaluates the original expression directly (no
rearrangement); tests use it to check the rearrangement itself.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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


# --------------------------------------------------------------------------------------------
# Normalised tree


@dataclass(frozen=True)
class NumCmp:
    """``field op Σ rhs`` over numbers, left-folded in the listed order, with optional tolerance."""

    op: str
    field: str
    rhs: tuple[tuple[int, str | int | float], ...]  # (+1/-1, field name or number literal)
    tol: float = 0.0


@dataclass(frozen=True)
class EqCmp:
    """``field ==/!= other`` for strings/booleans (or numbers without arithmetic, no tolerance)."""

    op: str
    field: str
    other: Fld | Lit


@dataclass(frozen=True)
class NAll:
    """Conjunction of normalised nodes."""

    items: tuple[Norm, ...]


@dataclass(frozen=True)
class NAny:
    """Disjunction of normalised nodes."""

    items: tuple[Norm, ...]


Norm = NumCmp | EqCmp | NAll | NAny | Const


def _linear(t: Term, sign: int, out: list[tuple[int, str | int | float]]) -> None:
    """Flatten a term into signed terms, appending to ``out``."""
    if isinstance(t, Lit):
        out.append((sign, t.value))  # type: ignore[arg-type]
    elif isinstance(t, Fld):
        out.append((sign, t.name))
    else:
        _linear(t.left, sign, out)
        _linear(t.right, sign if t.op == "+" else -sign, out)


def _push_not(e: Expr, negate: bool) -> Expr:
    """Push ``not`` down to the comparisons."""
    if isinstance(e, Not):
        return _push_not(e.operand, not negate)
    if isinstance(e, BoolOp):
        op = e.op if not negate else ("or" if e.op == "and" else "and")
        return BoolOp(op, tuple(_push_not(i, negate) for i in e.items))
    if isinstance(e, Const):
        return Const(e.value != negate)
    assert isinstance(e, Cmp)
    return Cmp(_NEGATE[e.op], e.left, e.right) if negate else e


def _fold_const(op: str, a: float, b: float, tol: float) -> bool:
    d = a - b
    if op == "==":
        return abs(d) <= tol
    if op == "!=":
        return abs(d) > tol
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _normalise_cmp(c: Cmp, kinds: dict[str, str], tol: float) -> Norm:
    numeric = isinstance(c.left, Arith) or isinstance(c.right, Arith) or c.op not in ("==", "!=")
    if not numeric:
        sides = [c.left, c.right]
        lit_kinds = [value_kind(s.value) for s in sides if isinstance(s, Lit)]
        fld_kinds = [kinds.get(s.name) for s in sides if isinstance(s, Fld)]
        numeric = "num" in lit_kinds or "num" in fld_kinds
    if not numeric:
        left, right = c.left, c.right
        if isinstance(left, Lit) and isinstance(right, Lit):
            return Const((left.value == right.value) == (c.op == "=="))
        if isinstance(left, Lit):
            left, right = right, left
        assert isinstance(left, Fld) and isinstance(right, Fld | Lit)
        return EqCmp(c.op, left.name, right)
    terms: list[tuple[int, str | int | float]] = []
    _linear(c.left, 1, terms)
    _linear(c.right, -1, terms)
    fields = [(i, s) for i, (s, t) in enumerate(terms) if isinstance(t, str)]
    if not fields:
        total = 0.0
        for s, t in terms:
            total += s * t  # type: ignore[operator]
        return Const(_fold_const(c.op, total, 0, tol))
    pos = [i for i, s in fields if s > 0]
    pivot = pos[0] if pos else fields[0][0]
    psign, pname = terms[pivot]
    rest = [t for i, t in enumerate(terms) if i != pivot]
    if psign > 0:  # x + rest op 0  <=>  x op -rest
        op = c.op
        rhs = [(-s, t) for s, t in rest]
    else:  # -x + rest op 0  <=>  x flip(op) rest
        op = _FLIP[c.op]
        rhs = list(rest)
    # Number literals are summed into one trailing constant; field terms keep their order,
    # positive ones first so the fold rarely starts from 0.
    const = 0
    for s, t in rhs:
        if not isinstance(t, str):
            const = const + s * t  # type: ignore[operator]
    ftrms = [(s, t) for s, t in rhs if isinstance(t, str)]
    ordered = [x for x in ftrms if x[0] > 0] + [x for x in ftrms if x[0] < 0]
    if not ordered:
        ordered.append((1, const))
    elif const != 0:
        ordered.append((1, const) if const > 0 else (-1, -const))
    tolerance = tol if op in ("==", "!=") else 0.0
    return NumCmp(op, pname, tuple(ordered), tolerance)


def _normalise(e: Expr, kinds: dict[str, str], tol: float) -> Norm:
    if isinstance(e, Const):
        return e
    if isinstance(e, Cmp):
        return _normalise_cmp(e, kinds, tol)
    assert isinstance(e, BoolOp)
    items = [_normalise(i, kinds, tol) for i in e.items]
    conj = e.op == "and"
    kept: list[Norm] = []
    for item in items:
        if isinstance(item, Const):
            if item.value != conj:  # False in and / True in or decides
                return Const(not conj)
            continue
        if isinstance(item, NAll if conj else NAny):
            kept.extend(item.items)
        else:
            kept.append(item)
    if not kept:
        return Const(conj)
    if len(kept) == 1:
        return kept[0]
    return NAll(tuple(kept)) if conj else NAny(tuple(kept))


# --------------------------------------------------------------------------------------------
# Emission: durable JSON and Python


def _durable_operand(t: str | int | float) -> Any:
    return {"$m": t} if isinstance(t, str) else t


def _durable_rhs(rhs: tuple[tuple[int, str | int | float], ...]) -> Any:
    sign, first = rhs[0]
    acc = _durable_operand(first) if sign > 0 else {"$sub": {"$l": 0, "$r": _durable_operand(first)}}
    for sign, t in rhs[1:]:
        acc = {"$add" if sign > 0 else "$sub": {"$l": acc, "$r": _durable_operand(t)}}
    return acc


def _is_constant(rhs: tuple[tuple[int, str | int | float], ...]) -> bool:
    """Return True when a right-hand side is a single number literal (no field)."""
    return len(rhs) == 1 and rhs[0][0] > 0 and not isinstance(rhs[0][1], str)


def _durable(n: Norm) -> Any:
    if isinstance(n, NAll):
        return {"$and": [_durable(i) for i in n.items]}
    if isinstance(n, NAny):
        return {"$or": [_durable(i) for i in n.items]}
    if isinstance(n, EqCmp):
        other = {"$m": n.other.name} if isinstance(n.other, Fld) else n.other.value
        return {_DURABLE_OP[n.op]: {n.field: other}}
    assert isinstance(n, NumCmp)
    rhs = _durable_rhs(n.rhs)
    if n.tol and n.op in ("==", "!="):
        if _is_constant(n.rhs):
            # durable never matches $add/$sub over two literals: fold them here (the Python
            # predicate computes the same ``const ± tol`` in double precision).
            const = n.rhs[0][1]
            hi, lo = const + n.tol, const - n.tol  # type: ignore[operator]
        else:
            hi = {"$add": {"$l": rhs, "$r": n.tol}}
            lo = {"$sub": {"$l": rhs, "$r": n.tol}}
        if n.op == "!=":
            return {"$or": [{"$gt": {n.field: hi}}, {"$lt": {n.field: lo}}]}
        return {"$and": [{"$lte": {n.field: hi}}, {"$gte": {n.field: lo}}]}
    return {_DURABLE_OP[n.op]: {n.field: rhs}}


def _py_operand(t: str | int | float, f: Mapping[str, Any]) -> Any:
    return f[t] if isinstance(t, str) else t


def _py_rhs(rhs: tuple[tuple[int, str | int | float], ...], f: Mapping[str, Any]) -> Any:
    sign, first = rhs[0]
    acc = _py_operand(first, f) if sign > 0 else 0 - _py_operand(first, f)
    for sign, t in rhs[1:]:
        acc = acc + _py_operand(t, f) if sign > 0 else acc - _py_operand(t, f)
    return acc


def _cmp(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _py(n: Norm, f: Mapping[str, Any]) -> bool:
    if isinstance(n, Const):
        return n.value
    if isinstance(n, NAll):
        return all(_py(i, f) for i in n.items)
    if isinstance(n, NAny):
        return any(_py(i, f) for i in n.items)
    if isinstance(n, EqCmp):
        other = f[n.other.name] if isinstance(n.other, Fld) else n.other.value
        return _cmp(n.op, f[n.field], other)
    rhs = _py_rhs(n.rhs, f)
    x = f[n.field]
    if n.tol and n.op in ("==", "!="):
        outside = x > rhs + n.tol or x < rhs - n.tol
        return outside if n.op == "!=" else not outside
    return _cmp(n.op, x, rhs)


def _ref_term(t: Term, f: Mapping[str, Any]) -> Any:
    if isinstance(t, Lit):
        return t.value
    if isinstance(t, Fld):
        return f[t.name]
    a, b = _ref_term(t.left, f), _ref_term(t.right, f)
    return a + b if t.op == "+" else a - b


def _ref(e: Expr, f: Mapping[str, Any], tol: float) -> bool:
    if isinstance(e, Const):
        return e.value
    if isinstance(e, Not):
        return not _ref(e.operand, f, tol)
    if isinstance(e, BoolOp):
        vals = (_ref(i, f, tol) for i in e.items)
        return all(vals) if e.op == "and" else any(vals)
    a, b = _ref_term(e.left, f), _ref_term(e.right, f)
    if tol and e.op in ("==", "!=") and value_kind(a) == "num" and value_kind(b) == "num":
        return abs(a - b) <= tol if e.op == "==" else abs(a - b) > tol
    return _cmp(e.op, a, b)


# --------------------------------------------------------------------------------------------
# Public API


@dataclass
class CompiledCondition:
    """A compiled ``when``: referenced fields, their kinds, durable JSON and Python predicate."""

    text: str
    tolerance: float
    fields: tuple[str, ...]
    kinds: dict[str, str]
    same_kind_groups: list[tuple[str, ...]]
    source: Expr
    normalised: Norm
    durable: Any = field(default=None)

    def durable_condition(self, fact_type: str) -> dict:
        """Return the full durable ``m`` condition: type equality, existence tests, the expression."""
        parts: list[Any] = [{TYPE_KEY: fact_type}]
        parts += [{"$ex": {f: 1}} for f in self.fields]
        if not isinstance(self.normalised, Const):
            parts.append(self.durable)
        return {"$and": parts}

    def applicable(self, fields: Mapping[str, Any]) -> bool:
        """Return True when every referenced field is present and not ``None``."""
        return all(fields.get(f) is not None for f in self.fields)

    def check_types(self, fields: Mapping[str, Any]) -> None:
        """Raise :class:`FactTypeError` when a present field's value is not of its inferred kind."""
        for f, kind in self.kinds.items():
            v = fields.get(f)
            if v is not None and value_kind(v) != kind:
                raise FactTypeError(
                    f"字段 {f} 的值 {v!r} 是{_KIND_ZH[value_kind(v)]}，但条件“{self.text}”把它当作{_KIND_ZH[kind]}"
                )
        for group in self.same_kind_groups:
            present = {value_kind(fields[f]) for f in group if fields.get(f) is not None}
            if len(present) > 1:
                raise FactTypeError(f"条件“{self.text}”比较的字段 {', '.join(group)} 的值类型不同")

    def predicate(self, fields: Mapping[str, Any]) -> bool:
        """Evaluate the normalised condition in Python (assumes :meth:`applicable` and type-checked)."""
        return _py(self.normalised, fields)

    def matches(self, fields: Mapping[str, Any]) -> bool:
        """Return the full oracle semantics: applicable, type-checked, and the predicate holds."""
        if not self.applicable(fields):
            return False
        self.check_types(fields)
        return self.predicate(fields)

    def reference(self, fields: Mapping[str, Any]) -> bool:
        """Evaluate the expression as written (no rearrangement); used by tests as a cross-check."""
        if not self.applicable(fields):
            return False
        return _ref(self.source, fields, self.tolerance)


def compile_when(text: str, tolerance: float = 0.0) -> CompiledCondition:
    """Compile a ``when`` expression; raises :class:`ConditionError` with a Chinese message."""
    if tolerance < 0 or not math.isfinite(tolerance):
        raise ConditionError("tolerance 必须是非负有限数")
    source = parse_when(text)
    fields = list(dict.fromkeys(_expr_fields(source)))
    for f in fields:
        if f in RESERVED_FIELDS or f.startswith("_"):
            raise ConditionError(f"条件“{text}”使用了保留字段名 {f}")
    inf = _Kinds(text)
    inf.expr(source)
    if tolerance:
        # A tolerance only makes sense for amounts: fields compared only with each other are numbers.
        for f in fields:
            if inf.kind.get(inf.find(f)) is None:
                inf.set(f, "num")
    kinds, groups = inf.resolved(fields)
    norm = _normalise(_push_not(source, False), kinds, float(tolerance))
    if isinstance(norm, Const) and not norm.value:
        raise ConditionError(f"条件“{text}”恒为假，规则永远不会触发")
    compiled = CompiledCondition(
        text=text,
        tolerance=float(tolerance),
        fields=tuple(sorted(fields)),
        kinds=kinds,
        same_kind_groups=groups,
        source=source,
        normalised=norm,
    )
    compiled.durable = None if isinstance(norm, Const) else _durable(norm)
    return compiled


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
