"""Safety tests of the durable-rules adapter and differential tests engine vs oracle."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.report import AuditContext, Report
from audit.rulebook import check as check_mod
from audit.rulebook import engine
from audit.rulebook.catalog import catalog_from_dicts, load_catalog
from audit.rulebook.condition import DuplicateFactError, FactShapeError, FactTypeError
from audit.rulebook.engine import Engine, RuleActionError
from audit.rulebook.oracle import Oracle

FIXTURES = Path(__file__).parent / "rules" / "fixtures" / "catalog"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@dataclass
class F:
    type: str
    key: str
    fields: dict
    evidence: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(FIXTURES)


def col(key: str, new: int | None, carry_in: int, result_total: int, carry_out: int) -> F:
    return F(
        "col",
        key,
        dict(
            column=key,
            column_label=key,
            new=new,
            carry_in=carry_in,
            result_total=result_total,
            carry_out=carry_out,
        ),
        {f"t3.new.{key}": new, f"t3.result_total.{key}": result_total},
    )


def section(sid: str, present: bool, text: str = "") -> F:
    return F(
        "section", sid, dict(section=sid, title=f"章节{sid}", present=present, text=text), {"quote": text}
    )


def sample_facts(seed: int) -> list[F]:
    """A small deterministic fact list; some rules fire, some do not."""
    return [
        col("total", 10 + seed % 3, 0, 11, 0),
        col("natural", seed % 5, 1, seed % 5, 1),
        section("S5", seed % 4 != 0),
        section("S6", True, "无" if seed % 2 else "有"),
        F("amount", "fee", dict(key="fee", charged=round(seed * 0.00003, 5), due=0.0)),
    ]


# --- basic behaviour -------------------------------------------------------------------------------


def test_engine_and_oracle_find_the_same_matches(catalog) -> None:
    facts = [
        col("total", 12, 0, 11, 0),
        col("natural", 12, 0, 12, 0),
        section("S5", False),
        section("S6", True, "无"),
    ]
    expected = [("BL91", 0), ("ST91", 2), ("ST92", 3)]
    assert Engine(catalog).evaluate(facts) == expected
    assert Oracle(catalog).evaluate(facts) == expected


def test_clean_report_gives_no_matches_not_an_exception(catalog) -> None:
    facts = [col("total", 11, 0, 11, 0), section("S5", True, "有")]
    assert Engine(catalog).evaluate(facts) == []
    assert Engine(catalog).evaluate([]) == []


def test_missing_value_never_fires(catalog) -> None:
    facts = [
        col("total", None, 0, 11, 0),
        F("section", "S1", dict(section="S1", title="一", present=None, text="")),
    ]
    assert Engine(catalog).evaluate(facts) == []
    assert Oracle(catalog).evaluate(facts) == []


def test_tiny_and_huge_floats_reach_durable_intact(catalog) -> None:
    facts = [
        F("amount", "a", dict(key="a", charged=0.00001, due=0.00007)),  # |d| = 6e-05 > tolerance
        F("amount", "b", dict(key="b", charged=0.00001, due=0.00005)),  # |d| = 4e-05
        F("amount", "c", dict(key="c", charged=1e20, due=1e20)),
        F("amount", "d", dict(key="d", charged=1e17, due=1e-7)),
    ]
    assert Engine(catalog).evaluate(facts) == Oracle(catalog).evaluate(facts) == [("BL92", 0), ("BL92", 3)]


def test_duplicate_facts_are_refused(catalog) -> None:
    facts = [col("total", 12, 0, 11, 0), col("total", 11, 0, 11, 0)]
    with pytest.raises(DuplicateFactError):
        Engine(catalog).evaluate(facts)
    with pytest.raises(DuplicateFactError):
        Oracle(catalog).evaluate(facts)


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"column": "x", "nested": {"a": 1}}, FactShapeError),
        ({"column": "x", "sid": "1"}, FactShapeError),
        ({"column": "x", "_type": "col"}, FactShapeError),
        ({f"f{i}": i for i in range(241)}, FactShapeError),
        (
            {
                "column": "x",
                "column_label": "x",
                "new": "12",
                "carry_in": 0,
                "result_total": 11,
                "carry_out": 0,
            },
            FactTypeError,
        ),
        (
            {
                "column": "x",
                "column_label": "x",
                "new": True,
                "carry_in": 0,
                "result_total": 11,
                "carry_out": 0,
            },
            FactTypeError,
        ),
    ],
)
def test_bad_facts_are_refused_by_both_evaluators(catalog, fields: dict, error: type) -> None:
    facts = [F("col", "x", fields)]
    with pytest.raises(error):
        Engine(catalog).evaluate(facts)
    with pytest.raises(error):
        Oracle(catalog).evaluate(facts)


# --- pitfalls: actions, threads, names, memory ------------------------------------------------------


def test_exception_in_an_action_is_raised_after_the_call(catalog) -> None:
    def boom(rule_id: str, fact: dict) -> None:
        raise ValueError(f"注入的故障 {rule_id}")

    facts = [col("total", 12, 0, 11, 0)]
    with engine.action_hook(boom), pytest.raises(RuleActionError, match="注入的故障 BL91"):
        Engine(catalog).evaluate(facts)
    # The context was cleaned up: the same facts evaluate normally afterwards.
    assert Engine(catalog).evaluate(facts) == [("BL91", 0)]


def test_check_command_fails_loudly_when_an_action_raises(catalog, monkeypatch) -> None:
    from audit.cli import main

    seed = sorted((SHARED / "seeds").glob("*.txt"))
    if not seed:
        pytest.skip(f"语料目录不存在：{SHARED / 'seeds'}")
    monkeypatch.setattr(check_mod, "default_catalog", lambda: catalog)
    monkeypatch.setattr(check_mod, "_build_facts", lambda report, ctx: [col("total", 12, 0, 11, 0)])

    def boom(rule_id: str, fact: dict) -> None:
        raise RuntimeError("注入的动作故障")

    runner = CliRunner()
    ok = runner.invoke(main, ["check", str(seed[0]), "--json"])
    assert ok.exit_code == 1, ok.output  # BL91 is an error finding
    assert '"rule": "BL91"' in ok.stdout
    with engine.action_hook(boom):
        result = runner.invoke(main, ["check", str(seed[0])])
    assert result.exit_code == 3
    assert "规则执行失败" in result.stderr and "注入的动作故障" in result.stderr


def test_four_threads_give_the_same_results_as_one(catalog) -> None:
    seeds = list(range(2000))
    single = {s: Engine(catalog).evaluate(sample_facts(s)) for s in seeds}
    results: dict[int, list] = {}
    errors: list[BaseException] = []

    def work(part: list[int]) -> None:
        try:
            eng = Engine(catalog)
            for s in part:
                results[s] = eng.evaluate(sample_facts(s))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seeds[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == single
    assert len({tuple(v) for v in single.values()}) >= 4  # varied results, not one constant answer


def test_changed_catalogue_registers_a_new_versioned_ruleset(catalog) -> None:
    base = {
        "id": "BL95",
        "name": "version_probe",
        "title": "版本测试",
        "severity": "error",
        "basis": {"source": "测试", "article": "一", "excerpt": "摘录"},
        "rationale": "测试",
        "fact": "col",
        "locator": "x",
        "message": "m",
    }
    v1 = catalog_from_dicts([{**base, "when": "new > 10"}])
    v2 = catalog_from_dicts([{**base, "when": "new > 100"}])
    assert v1.ruleset_name != v2.ruleset_name
    facts = [col("total", 50, 0, 0, 0)]
    assert Engine(v1).evaluate(facts) == [("BL95", 0)]
    assert Engine(v2).evaluate(facts) == []
    assert Engine(catalog_from_dicts([{**base, "when": "new > 10"}])).evaluate(facts) == [("BL95", 0)]
    assert {v1.ruleset_name, v2.ruleset_name} <= engine.registered_rulesets()


def test_engine_starts_no_background_threads(catalog) -> None:
    before = threading.active_count()
    probe = catalog_from_dicts(
        [
            {
                "id": "BL96",
                "name": "thread_probe",
                "title": "线程测试",
                "severity": "info",
                "basis": {"source": "测试", "article": "一", "excerpt": "摘录"},
                "rationale": "测试",
                "fact": "col",
                "when": "new > 0",
                "locator": "x",
                "message": "m",
            }
        ]
    )
    Engine(probe).evaluate([col("total", 1, 0, 0, 0)])
    assert threading.active_count() == before


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE")


#: Documented bound: audited reports must not accumulate in durable's memory. Measured growth
#: on this machine is ~0–2 MB; 20 MB leaves room for allocator noise.
MEMORY_BOUND = 20 * 2**20


def test_memory_stays_flat_over_ten_thousand_reports(catalog) -> None:
    eng = Engine(catalog)
    facts = [sample_facts(s) for s in range(50)]
    for i in range(500):  # warm up allocator and caches
        eng.evaluate(facts[i % 50])
    start_rss, start = _rss_bytes(), time.monotonic()
    fired = 0
    for i in range(10_000):
        fired += len(eng.evaluate(facts[i % 50]))
    growth = _rss_bytes() - start_rss
    assert fired > 0
    assert growth < MEMORY_BOUND, f"RSS grew by {growth / 2**20:.1f} MB over 10,000 reports"
    assert time.monotonic() - start < 60


# --- check_report: applicability, suppression, rendering ---------------------------------------------


def _report(**kw) -> Report:
    args = dict(source="x.txt", agency="某县人民政府", year=2023, level="government", format="2021")
    return Report(**{**args, **kw})


def test_check_report_renders_suppresses_and_sorts(catalog) -> None:
    facts = [
        col("total", 12, 0, 11, 0),
        section("S6", True, "无"),
        section("S5", True, "无"),
        F("publication", "p", dict(days_late=3)),
    ]
    findings = check_mod.check_report(
        _report(), AuditContext(), catalog=catalog, facts_builder=lambda r, c: facts
    )
    assert [(f.rule, f.severity, f.locator) for f in findings] == [
        ("BL91", "error", "t3.total"),
        ("ST92", "warning", "S5"),
        ("ST92", "warning", "S6"),
    ]
    first = findings[0]
    assert first.message == "表三“total”列：本年新收12件＋上年结转0件≠办理结果总计11件＋结转下年度0件"
    assert first.evidence == {"t3.new.total": 12, "t3.result_total.total": 11}
    assert first.title == "测试：表三勾稽关系不平衡" and first.source == "x.txt"
    # ST91 fires on S5 missing: ST92 (suppressed_by ST91) disappears from the whole report.
    facts.append(section("S4", False))
    findings = check_mod.check_report(
        _report(), AuditContext(), catalog=catalog, facts_builder=lambda r, c: facts
    )
    assert [f.rule for f in findings] == ["BL91", "ST91"]


def test_check_report_applicability(catalog) -> None:
    from datetime import date

    facts = [section("S6", True, "无"), section("S5", False), F("publication", "p", dict(days_late=3))]

    def rules(report: Report, ctx: AuditContext) -> set[str]:
        found = check_mod.check_report(report, ctx, catalog=catalog, facts_builder=lambda r, c: facts)
        return {f.rule for f in found}

    assert rules(_report(), AuditContext()) == {"ST91"}
    assert rules(_report(), AuditContext(published_on=date(2024, 5, 1))) == {"ST91", "TL91"}
    # ST91 applies to the 2021 form only; not applying, it no longer suppresses ST92.
    assert rules(_report(format="2019"), AuditContext()) == {"ST92"}
    dep = _report()
    dep.level = "department"
    facts[1] = section("S5", True)
    assert rules(dep, AuditContext()) == set()  # ST92 applies to governments only
    assert rules(_report(), AuditContext()) == {"ST92"}
    unknown = _report()
    unknown.level = None
    assert rules(unknown, AuditContext()) == set()


def test_check_report_deduplicates_by_rule_and_locator(catalog) -> None:
    facts = [col("a", 12, 0, 11, 0), F("col", "b", dict(col("a", 13, 0, 11, 0).fields), {"other": 1})]
    findings = check_mod.check_report(_report(), None, catalog=catalog, facts_builder=lambda r, c: facts)
    assert [(f.rule, f.locator) for f in findings] == [("BL91", "t3.a")]
    assert "12" in findings[0].message


# --- differential over the corpus ------------------------------------------------------------------


def _corpus_docs() -> list[Path]:
    docs = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "real").glob("*.pdf"))
    return docs


@pytest.mark.parametrize("doc", _corpus_docs(), ids=lambda p: p.name)
def test_engine_equals_oracle_on_corpus_documents(doc: Path) -> None:
    try:
        from audit.facts import build_facts
    except ImportError as exc:
        pytest.skip(f"audit.facts 尚不存在（事实构建器）：{exc}")
    from audit.parse import parse_path
    from audit.readers import UnreadableError

    real = load_catalog()
    if not real.rules:
        pytest.skip("规则目录为空")
    try:
        report = parse_path(doc)
    except (ImportError, UnreadableError) as exc:
        pytest.skip(f"{doc.name} 无法读取（PDF 读取器不可用？）：{exc}")
    ctx = AuditContext()
    facts = build_facts(report, ctx)
    assert Engine(real).evaluate(facts) == Oracle(real).evaluate(facts)
    by_engine = check_mod.check_report(report, ctx, catalog=real, evaluator="engine")
    by_oracle = check_mod.check_report(report, ctx, catalog=real, evaluator="oracle")
    assert [f.model_dump() for f in by_engine] == [f.model_dump() for f in by_oracle]


# --- gkaudit check: output and exit codes ----------------------------------------------------------


@pytest.fixture()
def cli_env(catalog, monkeypatch):
    """Run ``gkaudit check`` with the fixture catalogue and facts chosen by the test."""
    from audit.cli import main

    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip(f"语料目录不存在：{SHARED / 'seeds'}")
    state: dict = {"facts": [], "reports": [], "ctx": []}

    def builder(report: Report, ctx: AuditContext) -> list[F]:
        state["reports"].append(report)
        state["ctx"].append(ctx)
        return state["facts"]

    monkeypatch.setattr(check_mod, "default_catalog", lambda: catalog)
    monkeypatch.setattr(check_mod, "_build_facts", builder)

    def run(*args: str):
        return CliRunner().invoke(main, ["check", *args])

    return run, state, seeds


def test_check_exit_codes_and_json_lines(cli_env, tmp_path: Path) -> None:
    import json

    run, state, seeds = cli_env
    state["facts"] = [col("total", 11, 0, 11, 0)]
    clean = run(str(seeds[0]))
    assert clean.exit_code == 0 and "未发现问题" in clean.stdout
    state["facts"] = [col("total", 12, 0, 11, 0), section("S6", True, "无")]
    bad = run(str(seeds[0]), "--json", "--level", "government")  # ST92 applies to governments
    assert bad.exit_code == 1
    lines = [json.loads(line) for line in bad.stdout.splitlines()]
    assert [(o["rule"], o["severity"], o["locator"]) for o in lines] == [
        ("BL91", "error", "t3.total"),
        ("ST92", "warning", "S6"),
    ]
    assert set(lines[0]) >= {"source", "rule", "severity", "locator", "message", "evidence"}
    assert lines[0]["source"] == str(seeds[0])
    table = run(str(seeds[0]), "--level", "government")
    assert "错误（1）" in table.stdout and "警告（1）" in table.stdout and "合计 2 条" in table.stdout
    state["facts"] = [section("S6", True, "无")]
    warn_only = run(str(seeds[0]), "--level", "government")
    assert warn_only.exit_code == 0
    missing = tmp_path / "nope.txt"
    mixed = run(str(missing), str(seeds[0]), "--json", "--level", "government")
    assert mixed.exit_code == 2
    assert f"无法读取 {missing}" in mixed.stderr and "文件不存在" in mixed.stderr
    assert '"rule": "ST92"' in mixed.stdout  # the readable file was still checked


def test_check_flags_override_the_document(cli_env, tmp_path) -> None:
    run, state, seeds = cli_env
    state["facts"] = [F("publication", "p", dict(days_late=3))]
    plain = run(str(seeds[0]), "--json")
    assert plain.stdout == ""  # TL91 needs published_on
    # last year's report of the same organ: the seed with its years moved back by one
    text = seeds[0].read_text(encoding="utf-8")
    previous = tmp_path / "previous.txt"
    previous.write_text(text.replace("2022", "2021").replace("2023", "2022"), encoding="utf-8")
    result = run(
        str(seeds[0]),
        "--json",
        "--year",
        "2022",
        "--level",
        "department",
        "--published-on",
        "2023-02-15",
        "--previous",
        str(previous),
    )
    assert '"rule": "TL91"' in result.stdout, result.output
    report, ctx = state["reports"][-1], state["ctx"][-1]
    assert (report.year, report.level) == (2022, "department")
    from datetime import date

    assert ctx.published_on == date(2023, 2, 15)
    assert ctx.previous is not None and ctx.previous.source == str(previous)
    renamed = run(str(seeds[0]), "--json", "--agency", "某某局")
    assert state["reports"][-1].agency == "某某局" and renamed.exit_code in (0, 1)
    bad_date = run(str(seeds[0]), "--published-on", "2031/02/15")
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output


# --- the measured durable-rules behaviours the adapter relies on (see audit/engine.py) -------------


def _raw_matches(conds: dict, facts: list[dict]) -> list[list[str]]:
    """Run raw durable conditions on facts with a private, thread-less host; return fired names."""
    import copy
    import itertools

    durable = engine._durable
    fired: list[str] = []

    class Probe(durable.Host):
        def get_action(self, name):
            def act(c):
                fired.append(name)

            return act

        def _run(self) -> None:
            pass

    name = f"probe{next(_PROBES)}"
    rules = {n: {"all": [{"m": {"$and": [{"t": "x"}, c]}}], "run": n} for n, c in conds.items()}
    rules["warm"] = {"all": [{"m": {"t": "warm"}}], "run": "warm"}
    out = []
    with engine._LOCK:
        host = Probe()
        host.set_rulesets(copy.deepcopy({name: rules}))
        host.assert_fact(name, {"t": "warm", "sid": "w"})
        host.delete_state(name, "w")
        for i, f in zip(itertools.count(), facts, strict=False):
            fired.clear()
            try:
                host.assert_fact(name, {**f, "t": "x", "sid": str(i)})
            except durable.MessageNotHandledException:
                pass
            out.append(sorted(fired))
            host.delete_state(name, str(i))
    return out


_PROBES = __import__("itertools").count()


#: The ruleset of the first measurement (the missing-field anomaly depends on the other rules:
#: with only the comparisons and ``$ex`` in the ruleset it did not show).
_MEASURE = {
    "neq_ab": {"$neq": {"a": {"$m": "b"}}},
    "eq_ab": {"$eq": {"a": {"$m": "b"}}},
    "eq_a1": {"a": 1},
    "neq_a1": {"$neq": {"a": 1}},
    "gt_ab": {"$gt": {"a": {"$m": "b"}}},
    "lt_ab": {"$lt": {"a": {"$m": "b"}}},
    "ex_a": {"$ex": {"a": 1}},
    "nex_a": {"$nex": {"a": 1}},
    "a_true": {"a": True},
    "a_false": {"a": False},
    "a_str": {"a": "中文"},
    "a_eq_b1": {"a": {"$add": {"$l": {"$m": "b"}, "$r": 1}}},
    "a_gt_bc": {"$gt": {"a": {"$add": {"$l": {"$m": "b"}, "$r": {"$m": "c"}}}}},
    "a_eq_bc": {"$eq": {"a": {"$add": {"$l": {"$m": "b"}, "$r": {"$m": "c"}}}}},
    "a_eq_b_c": {"$eq": {"a": {"$sub": {"$l": {"$m": "b"}, "$r": {"$m": "c"}}}}},
    "a_gte_0": {"$gte": {"a": 0}},
    "a_lt_0": {"$lt": {"a": 0}},
}


def test_measured_durable_behaviours() -> None:
    facts = [
        {"a": 1, "b": 2},
        {"a": None, "b": 1},
        {"a": True, "b": 1},
        {"a": "1", "b": 1},
        {"a": 0},
        {"a": "中文", "b": "中文"},
        {"a": "中", "b": "中文"},
    ]
    got = dict(enumerate(_raw_matches(_MEASURE, facts)))
    assert "lt_ab" in got[0] and "neq_ab" in got[0]
    assert got[1] == ["ex_a"]  # $ex matches a null value: the adapter drops None fields
    assert {"eq_ab", "eq_a1", "a_true"} <= set(got[2])  # true == 1
    assert "eq_ab" in got[3]  # "1" == b where b is 1 (the literal form differs between rulesets)
    assert {"gt_ab", "lt_ab"} <= set(got[4])  # b missing: a > b and a < b both "hold"
    assert {"a_str", "eq_ab", "a_eq_bc", "a_gt_bc"} <= set(got[5])  # $add over a missing c
    assert "neq_ab" in got[6] and "eq_ab" not in got[6]


def test_arithmetic_over_two_literals_never_matches_in_durable() -> None:
    conds = {
        "sub_ll": {"$lt": {"a": {"$sub": {"$l": 2, "$r": 1.5}}}},
        "add_ll": {"$lt": {"a": {"$add": {"$l": 2, "$r": 1.5}}}},
        "lit": {"$lt": {"a": 0.5}},
        "add_lm": {"$lt": {"a": {"$add": {"$l": 2, "$r": {"$m": "b"}}}}},
        "sub_0m": {"$lt": {"a": {"$sub": {"$l": 0, "$r": {"$m": "b"}}}}},
    }
    assert _raw_matches(conds, [{"a": 0, "b": -1}, {"a": 0, "b": 1}]) == [
        ["add_lm", "lit", "sub_0m"],
        ["add_lm", "lit"],
    ]


def test_exponent_notation_is_rejected_by_durable_but_not_by_the_adapter() -> None:
    import json

    durable = engine._durable
    assert json.dumps(0.00005) == "5e-05"
    assert (
        engine._DurableJson.dumps({"a": 0.00005, "b": [1e20, 0.5], "c": "x"})
        == '{"a": 0.00005, "b": [100000000000000000000, 0.5], "c": "x"}'
    )
    original = durable.json
    try:
        durable.json = json  # the stock module: durable's parser rejects "5e-05"
        with pytest.raises(Exception, match="204"):
            _raw_matches({"tol": {"$gt": {"a": 0.00005}}}, [{"a": 1}])
    finally:
        durable.json = original
    assert _raw_matches({"tol": {"$gt": {"a": 0.00005}}}, [{"a": 0.0001}, {"a": 0.00001}]) == [["tol"], []]


def test_delete_state_on_a_ruleset_without_any_action_crashes_durable() -> None:
    """Why every ruleset gets a warm-up rule: without it the process dies (run in a subprocess)."""
    import subprocess
    import sys

    code = (
        "from durable import engine as d\n"
        "class H(d.Host):\n"
        "    def get_action(self, n):\n"
        "        return lambda c: None\n"
        "    def _run(self):\n"
        "        pass\n"
        "h = H()\n"
        "h.set_rulesets({'r': {'a': {'all': [{'m': {'$gt': {'x': 0}}}], 'run': 'a'}}})\n"
        "try:\n"
        "    h.assert_fact('r', {'x': -1, 'sid': '1'})\n"
        "except d.MessageNotHandledException:\n"
        "    pass\n"
        "h.delete_state('r', '1')\n"
        "print('survived')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "survived" not in proc.stdout


def test_default_catalogue_is_reloaded_when_a_rule_file_changes(tmp_path: Path, monkeypatch) -> None:
    import shutil

    root = tmp_path / "catalog"
    shutil.copytree(FIXTURES, root)
    monkeypatch.setattr(check_mod, "_default_catalog", None)
    monkeypatch.setattr(check_mod, "default_catalog_dir", lambda: root)
    monkeypatch.setattr(check_mod, "load_catalog", lambda: load_catalog(root))
    facts = [col("total", 12, 0, 11, 0)]
    first = check_mod.default_catalog()
    assert check_mod.default_catalog() is first
    assert [f.rule for f in check_mod.check_report(_report(), None, facts_builder=lambda r, c: facts)] == [
        "BL91"
    ]
    path = root / "BL" / "BL91.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("severity: error", "severity: info"), encoding="utf-8"
    )
    second = check_mod.default_catalog()
    assert second.version != first.version and second.ruleset_name != first.ruleset_name
    found = check_mod.check_report(_report(), None, facts_builder=lambda r, c: facts)
    assert [(f.rule, f.severity) for f in found] == [("BL91", "info")]


def test_four_threads_checking_corpus_reports_agree_with_one() -> None:
    """The whole check (facts, engine, rendering) from four threads gives the single-thread findings."""
    from audit.parse import parse_path

    docs = sorted((SHARED / "seeds").glob("*.txt"))
    if not docs:
        pytest.skip(f"语料目录不存在：{SHARED / 'seeds'}")
    reports = [parse_path(p) for p in docs]
    single = [[f.model_dump() for f in check_mod.check_report(r)] for r in reports]
    assert any(single)
    errors: list[BaseException] = []
    mismatches: list[int] = []

    def work(offset: int) -> None:
        try:
            for rep in range(4):
                for k in range(len(reports)):
                    i = (k + offset + rep) % len(reports)  # threads visit the reports in different orders
                    got = [f.model_dump() for f in check_mod.check_report(reports[i])]
                    if got != single[i]:
                        mismatches.append(i)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and not mismatches
