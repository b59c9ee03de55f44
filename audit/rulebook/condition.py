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

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from audit.rulebook.expr import (  # noqa: F401  (the public names of the rule language, re-exported)
    _DURABLE_OP,
    _FLIP,
    _KIND_ZH,
    _NEGATE,
    INDEX_KEY,
    MAX_FIELDS,
    RESERVED_FIELDS,
    TYPE_KEY,
    Arith,
    BoolOp,
    Cmp,
    ConditionError,
    Const,
    DuplicateFactError,
    Expr,
    FactLike,
    FactShapeError,
    FactTypeError,
    Fld,
    Lit,
    Not,
    Term,
    _expr_fields,
    _Kinds,
    parse_when,
    validate_fact,
    validate_facts,
    value_kind,
)

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
