"""Tests of the ``when`` compiler: safety whitelist, kinds, rearrangement, and durable == Python."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.rulebook.catalog import catalog_from_dicts
from audit.rulebook.condition import ConditionError, FactTypeError, compile_when
from audit.rulebook.engine import Engine
from audit.rulebook.oracle import Oracle


@dataclass
class F:
    type: str
    key: str
    fields: dict
    evidence: dict = field(default_factory=dict)


def rule_doc(rid: str, when: str, fact: str = "g", tolerance: float = 0.0) -> dict:
    return {
        "id": rid,
        "name": f"r_{rid.lower()}",
        "title": "测试规则",
        "severity": "error",
        "basis": {"source": "测试", "article": "第一条", "excerpt": "摘录"},
        "rationale": "测试",
        "fact": fact,
        "when": when,
        "tolerance": tolerance,
        "locator": "x",
        "message": "m",
    }


# --- safety ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    [
        "__import__('os').system('true')",
        "open('x') == 1",
        "a.b == 1",
        "a[0] == 1",
        "a * b == 1",
        "a / 2 == 1",
        "a ** 2 == 1",
        "(lambda: 1)() == 1",
        "a if b else c",
        "a in b",
        "a is None",
        "[a] == [1]",
        "a == None",
        "a + 'x' == 'y'",
        "a < 'x'",
        "flag > 1 and flag",
        "a == 'x' and a + 1 > 2",
        "x = 1",
        "",
        "a == 1; b == 2",
        "1 > 2",
        "sid == 1",
        "a + b",
        "a ~ b",
    ],
)
def test_rejects_anything_outside_the_whitelist(expr: str) -> None:
    with pytest.raises(ConditionError) as info:
        compile_when(expr)
    assert str(info.value)  # a Chinese message, not a bare exception


def test_kinds_are_inferred_from_use() -> None:
    c = compile_when("a + b > c and s == '无' and not flag and x == y")
    assert c.kinds == {"a": "num", "b": "num", "c": "num", "s": "str", "flag": "bool"}
    assert c.same_kind_groups == [("x", "y")]
    assert c.fields == ("a", "b", "c", "flag", "s", "x", "y")


def test_equation_is_rearranged_to_a_single_field_on_the_left() -> None:
    c = compile_when("new + carry_in != result_total + carry_out")
    assert c.durable == {
        "$neq": {
            "new": {
                "$sub": {
                    "$l": {"$add": {"$l": {"$m": "result_total"}, "$r": {"$m": "carry_out"}}},
                    "$r": {"$m": "carry_in"},
                }
            }
        }
    }
    full = c.durable_condition("t3_column")
    assert full["$and"][0] == {"_type": "t3_column"}
    assert {"$ex": {"carry_in": 1}} in full["$and"]
    assert len([p for p in full["$and"] if "$ex" in p]) == 4


def test_tolerance_turns_inequality_into_an_interval() -> None:
    c = compile_when("charged != due", 0.00005)
    assert c.durable == {
        "$or": [
            {"$gt": {"charged": {"$add": {"$l": {"$m": "due"}, "$r": 0.00005}}}},
            {"$lt": {"charged": {"$sub": {"$l": {"$m": "due"}, "$r": 0.00005}}}},
        ]
    }
    assert c.matches({"charged": 1.00004, "due": 1.0}) is False
    assert c.matches({"charged": 1.0001, "due": 1.0}) is True


def test_missing_or_null_field_never_fires() -> None:
    c = compile_when("a != b or c > 0")
    assert c.matches({"a": 1, "b": 2, "c": None}) is False
    assert c.matches({"a": 1, "b": 2}) is False
    assert c.matches({"a": 1, "b": 2, "c": 0}) is True


def test_mistyped_value_is_refused() -> None:
    c = compile_when("a > 0 and s == '无'")
    with pytest.raises(FactTypeError):
        c.matches({"a": True, "s": "无"})
    with pytest.raises(FactTypeError):
        c.matches({"a": "1", "s": "无"})
    with pytest.raises(FactTypeError):
        c.matches({"a": 1, "s": 0})


def test_bare_true_and_constants() -> None:
    c = compile_when("true")
    assert c.durable is None
    assert c.durable_condition("x") == {"$and": [{"_type": "x"}]}
    assert c.matches({}) is True
    assert compile_when("1 < 2 and a == 3").durable == {"$eq": {"a": 3}}


# --- differential: original expression vs normalised predicate vs durable ------------------------

NUM = ["f0", "f1", "f2", "f3", "f4"]


def _term(rng: random.Random) -> str:
    parts = []
    for i in range(rng.randint(1, 4)):
        atom = rng.choice(NUM + NUM + [str(rng.randint(0, 3))])
        sign = rng.choice(["+", "-"]) if i else rng.choice(["", "", "-"])
        parts.append(f"{sign} {atom}" if sign else atom)
    return " ".join(parts)


def _cmp(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.1:
        return rng.choice(["flag", "not flag", "flag == true", "flag != false"])
    if kind < 0.2:
        return rng.choice(["s == '无'", "s != '中文'", "'有' == s", "s == '1'", "s != '01'"])
    op = rng.choice(["==", "!=", "<", "<=", ">", ">="])
    return f"{_term(rng)} {op} {_term(rng)}"


def _expr(rng: random.Random, depth: int = 0) -> str:
    if depth > 1 or rng.random() < 0.5:
        return _cmp(rng)
    op = rng.choice(["and", "or"])
    inner = f" {op} ".join(f"({_expr(rng, depth + 1)})" for _ in range(rng.randint(2, 3)))
    return f"not ({inner})" if rng.random() < 0.3 else inner


def _random_docs(seed: int, n: int, tolerance: float) -> list[dict]:
    rng = random.Random(seed)
    docs = []
    while len(docs) < n:
        expr = _expr(rng)
        try:
            compile_when(expr, tolerance)
        except ConditionError:
            continue  # e.g. constant false after folding
        docs.append(rule_doc(f"GX{len(docs):02d}", expr, tolerance=tolerance))
    return docs


INT_DOCS = _random_docs(7, 60, 0.0)
TOL_DOCS = _random_docs(11, 40, 1.5)
INT_CATALOG = catalog_from_dicts(INT_DOCS)
TOL_CATALOG = catalog_from_dicts(TOL_DOCS)

_ints = st.one_of(st.none(), st.integers(-4, 4))
_fact = st.fixed_dictionaries(
    {
        **{n: _ints for n in NUM},
        "flag": st.one_of(st.none(), st.booleans()),
        "s": st.one_of(st.none(), st.sampled_from(["无", "有", "中文", "", "1", "01", "1.0"])),
    }
)


def _facts(values: list[dict]) -> list[F]:
    return [F("g", str(i), v) for i, v in enumerate(values)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_fact, min_size=1, max_size=6))
def test_random_integer_conditions_agree_everywhere(values: list[dict]) -> None:
    facts = _facts(values)
    for catalog in (INT_CATALOG, TOL_CATALOG):
        expected = []
        for i, fact in enumerate(facts):
            for rule in catalog.rules:
                ref = rule.condition.reference(fact.fields)
                assert rule.condition.matches(fact.fields) == ref, (rule.spec.when, fact.fields)
                if ref:
                    expected.append((rule.id, i))
        assert Oracle(catalog).evaluate(facts) == sorted(expected)
        assert Engine(catalog).evaluate(facts) == sorted(expected)


FLOAT_DOCS = [
    rule_doc("FL01", "a != b + c", tolerance=0.00005),
    rule_doc("FL02", "a == b + c", tolerance=0.00005),
    rule_doc("FL03", "a + b < c - 0.0001"),
    rule_doc("FL04", "a - b - c >= 0"),
    rule_doc("FL05", "a != b + c"),
    rule_doc("FL06", "a != 0.3", tolerance=0.00005),  # constant right-hand side: folded for durable
    rule_doc("FL07", "0.1 + 0.2 == b - 0.0001", tolerance=0.00005),
]
FLOAT_CATALOG = catalog_from_dicts(FLOAT_DOCS)

_small = st.one_of(
    st.floats(-1000, 1000, allow_nan=False).map(lambda x: round(x, 4)),
    st.floats(-1e-3, 1e-3, allow_nan=False),
    st.integers(-100, 100),
)


@st.composite
def _float_fact(draw: st.DrawFn) -> dict:
    b, c = draw(_small), draw(_small)
    delta = draw(st.sampled_from([0, 0.00005, -0.00005, 0.0000500001, -0.0000500001, 1e-12, 0.3]))
    a = draw(st.one_of(st.just(b + c + delta), st.just(0.3 + delta), _small))
    return {"a": a, "b": b, "c": c}


@settings(max_examples=200, deadline=None)
@given(st.lists(_float_fact(), min_size=1, max_size=5))
def test_float_conditions_engine_equals_oracle_exactly(values: list[dict]) -> None:
    facts = _facts(values)
    assert Engine(FLOAT_CATALOG).evaluate(facts) == Oracle(FLOAT_CATALOG).evaluate(facts)


def test_durable_json_is_plain_json() -> None:
    for rule in INT_CATALOG.rules + FLOAT_CATALOG.rules:
        json.dumps(rule.durable_rule())
