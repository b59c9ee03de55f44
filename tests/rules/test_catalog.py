"""The catalogue meta-test, the case runners over tests/rules/cases, and loader refusal tests.

A case file (``tests/rules/cases/<ID>.yaml``) holds two kinds of case:

- ``cases``: whole documents. Each names a base report from tests/fixtures/reports, exact
  substring edits, an optional previous-year report and context, and whether the rule ``fires``;
  it is run through the real pipeline (``audit.parse.parse_path`` →
  ``audit.rulebook.check.check_report``);
- ``facts``: the condition's boundaries, one fact each, sqlfluff-style: a key ``test_pass_<what>``
  (must not fire) or ``test_fail_<what>`` (must fire) whose value is the fact's fields (the
  rule's fact type; fields not given are ``None``, as a missing cell is). ``_locator`` optionally
  gives the locator a failing case must render. YAML anchors (``&row`` … ``<<: *row``) keep a
  boundary to the one field that changes::

      facts:
        test_pass_balanced: &row {natural: 3, commercial: 1, total: 4}
        test_fail_total_one_more: {<<: *row, total: 5}

Both runners evaluate with the durable-rules engine and the plain-Python oracle, which must agree.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from audit.facts import FACT_FIELDS, Fact
from audit.rulebook.catalog import CatalogError, catalog_version, default_catalog_dir, load_catalog
from audit.rulebook.check import get_evaluator

HERE = Path(__file__).parent
CASES = HERE / "cases"
REPORTS = HERE.parent / "fixtures" / "reports"
FIXTURE_CATALOG = HERE / "fixtures" / "catalog"
CONTEXT_KEYS = {
    "published_on",
    "level",
    "agency",
    "year",
    "copies",
    "http_status",
    "local_deadline",
    "notified",
}


# --- meta-test -----------------------------------------------------------------------------------


def test_every_rule_has_a_firing_and_a_non_firing_case() -> None:
    """The shipped catalogue loads with its cases: basis, rationale, templates, ≥1 fires/≥1 not."""
    assert CASES.is_dir(), f"缺少用例目录 {CASES}"
    catalog = load_catalog(cases_dir=CASES)
    assert catalog.rules, "规则目录为空"


def test_spec_rule_ids_all_exist() -> None:
    """Every rule id of spec/rules.md is in the catalogue (ids are never dropped)."""
    wanted = [f"ST{i:02d}" for i in range(1, 14)] + [f"FM{i:02d}" for i in range(1, 8)]
    wanted += [f"BL{i:02d}" for i in range(1, 5)] + [f"NT{i:02d}" for i in range(1, 7)]
    wanted += [f"CY{i:02d}" for i in range(1, 6)] + [f"TL{i:02d}" for i in range(1, 5)] + ["PL01"]
    present = {p.stem for p in default_catalog_dir().glob("*/*.yaml")}
    assert sorted(set(wanted) - present) == []


# --- case runner ---------------------------------------------------------------------------------


def _case_params() -> list:
    params = []
    for path in sorted(CASES.glob("*.yaml")) if CASES.is_dir() else []:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for i, case in enumerate(doc.get("cases") or []):
            name = case.get("name", f"#{i}") if isinstance(case, dict) else f"#{i}"
            params.append(pytest.param(doc.get("rule"), case, path, id=f"{path.stem}:{name}"))
    return params


@pytest.fixture(scope="module")
def shipped_catalog():
    try:
        return load_catalog()
    except CatalogError as exc:
        pytest.fail(str(exc))


def _materialise(spec: dict, tmp_path: Path, stem: str) -> Path:
    """Write the base report with its edits applied to a tmp file and return its path."""
    base = spec.get("base")
    assert base, f"用例缺少 base：{spec}"
    src = Path(base) if Path(base).is_absolute() else REPORTS / base
    assert src.is_file(), f"基础报告不存在：{src}"
    edits = spec.get("edits") or []
    if not edits:
        out = tmp_path / f"{stem}{src.suffix}"
        shutil.copyfile(src, out)
        return out
    text = src.read_bytes().decode("utf-8")
    for edit in edits:
        find, replace = edit["find"], edit["replace"]
        count = text.count(find)
        assert count == 1, f"编辑的查找串在 {src.name} 中出现 {count} 次（应恰好一次）：{find!r}"
        text = text.replace(find, replace)
    suffix = src.suffix if src.suffix in (".txt", ".html", ".htm") else ".txt"
    out = tmp_path / f"{stem}{suffix}"
    out.write_text(text, encoding="utf-8")
    return out


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    return dt.date.fromisoformat(str(value))


def run_case(case: dict, tmp_path: Path, catalog) -> tuple[list, list, object]:
    """Run one case through the real pipeline; return (engine findings, oracle findings, report)."""
    from audit.parse import parse_path
    from audit.report import AuditContext
    from audit.rulebook.check import apply_overrides, check_report

    context = dict(case.get("context") or {})
    unknown = set(context) - CONTEXT_KEYS
    assert not unknown, f"未知的 context 键：{sorted(unknown)}"
    ctx = AuditContext(
        published_on=_date(context.get("published_on")),
        local_deadline=_date(context.get("local_deadline")),
        copies=list(context.get("copies") or []),
        http_status=context.get("http_status"),
        notified=list(context.get("notified") or []),
    )
    if case.get("previous"):
        ctx.previous = parse_path(_materialise(case["previous"], tmp_path, "previous"))
    report = apply_overrides(
        parse_path(_materialise(case, tmp_path, "report")),
        {k: context.get(k) for k in ("agency", "year", "level")},
    )
    by_engine = check_report(report, ctx, catalog=catalog, evaluator="engine")
    by_oracle = check_report(report, ctx, catalog=catalog, evaluator="oracle")
    return by_engine, by_oracle, report


@pytest.mark.parametrize("rule, case, path", _case_params())
def test_case(rule: str, case: dict, path: Path, tmp_path: Path, shipped_catalog) -> None:
    assert rule in shipped_catalog.by_id, f"{path.name} 指向不存在的规则 {rule}"
    assert isinstance(case.get("fires"), bool), "用例必须写 fires: true 或 fires: false"
    by_engine, by_oracle, _ = run_case(case, tmp_path, shipped_catalog)
    assert [f.model_dump() for f in by_engine] == [f.model_dump() for f in by_oracle], (
        "引擎与对照求值器结果不同"
    )
    mine = [f for f in by_engine if f.rule == rule]
    summary = [(f.rule, f.locator, f.message) for f in by_engine]
    if case["fires"]:
        assert mine, f"{rule} 应触发但未触发；实际发现：{summary}"
        if case.get("locator"):
            assert case["locator"] in [f.locator for f in mine], (
                f"{rule} 触发但定位不是 {case['locator']}：{summary}"
            )
    else:
        assert not mine, f"{rule} 不应触发却触发了：{[(f.locator, f.message) for f in mine]}"


# --- fact cases ----------------------------------------------------------------------------------


def _fact_case_params() -> list:
    params = []
    for path in sorted(CASES.glob("*.yaml")) if CASES.is_dir() else []:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, fields in (doc.get("facts") or {}).items():
            params.append(pytest.param(doc.get("rule"), name, fields, id=f"{path.stem}:{name}"))
    return params


def run_fact_case(rule_id: str, fields: dict, catalog) -> tuple[bool, Fact]:
    """Evaluate one rule on one fact with both evaluators; return (fires, the fact)."""
    rule = catalog.by_id[rule_id]
    declared = FACT_FIELDS[rule.fact]
    given = {k: v for k, v in fields.items() if not k.startswith("_")}
    unknown = sorted(set(given) - set(declared))
    assert not unknown, f"事实 {rule.fact} 没有字段 {unknown}（已声明：{declared}）"
    fact = Fact(rule.fact, "case", {f: given.get(f) for f in declared})
    by_engine = get_evaluator(catalog, "engine").evaluate([fact], {rule_id})
    by_oracle = get_evaluator(catalog, "oracle").evaluate([fact], {rule_id})
    assert by_engine == by_oracle, "引擎与对照求值器结果不同"
    return bool(by_engine), fact


@pytest.mark.parametrize("rule, name, fields", _fact_case_params())
def test_fact_case(rule: str, name: str, fields: dict, shipped_catalog) -> None:
    assert rule in shipped_catalog.by_id, f"用例指向不存在的规则 {rule}"
    assert name.startswith(("test_pass_", "test_fail_")), (
        f"事实用例名应以 test_pass_ 或 test_fail_ 开头：{name}"
    )
    fires, fact = run_fact_case(rule, fields, shipped_catalog)
    assert fires is name.startswith("test_fail_"), (
        f"{rule} {'未触发' if not fires else '触发了'}：{fact.fields}"
    )
    if fires:
        locator, message = shipped_catalog.by_id[rule].render(fact.fields)
        assert message
        assert fields.get("_locator", locator) == locator


def test_fact_cases_cover_the_balance_rules() -> None:
    """The balance equations have their boundaries written as fact cases (both sides)."""
    names = {(p.values[0], p.values[1].split("_")[1]) for p in _fact_case_params()}
    for rule in ("BL01", "BL02", "BL03", "BL04", "CY01", "CY02", "CY03"):
        assert {(rule, "pass"), (rule, "fail")} <= names, rule


def test_every_rule_renders_on_every_fact_of_its_type(tmp_path: Path, shipped_catalog) -> None:
    """Messages and locators render (StrictUndefined) for every fact seen in cases and fixtures."""
    from audit.facts import build_facts
    from audit.parse import parse_path
    from audit.report import AuditContext

    reports = [parse_path(p) for p in sorted(REPORTS.glob("*.txt"))]
    if not reports:
        pytest.skip(f"{REPORTS} 中没有报告")
    previous = reports[0]
    seen: dict[str, int] = {}
    for report in reports:
        ctx = AuditContext(previous=previous, published_on=dt.date(2030, 1, 1), http_status=404)
        for fact in build_facts(report, ctx):
            for rule in shipped_catalog.for_fact(fact.type):
                rule.render(fact.fields)
                seen[rule.id] = seen.get(rule.id, 0) + 1
    assert seen


# --- loader refusals ---------------------------------------------------------------------------------


def _copy_fixture(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, root)
    return root


def _edit(path: Path, **changes: object) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def _problems(root: Path, cases_dir: Path | None = None) -> str:
    with pytest.raises(CatalogError) as info:
        load_catalog(root, cases_dir=cases_dir)
    return str(info.value)


def test_fixture_catalog_loads() -> None:
    catalog = load_catalog(FIXTURE_CATALOG)
    assert [r.id for r in catalog.rules] == ["BL91", "BL92", "ST91", "ST92", "TL91"]
    assert len(catalog.version) == 12


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"basis": None}, "basis：缺少必填项"),
        ({"basis": {"source": "条例", "article": "第五十条", "excerpt": " "}}, "basis.excerpt：不能为空"),
        ({"basis": {"source": "条例", "article": "第五十条"}}, "basis.excerpt：缺少必填项"),
        ({"rationale": None}, "rationale：缺少必填项"),
        ({"rationale": "  "}, "rationale：不能为空"),
        ({"severity": "fatal"}, "severity：取值不在允许范围内"),
        ({"when": "a.b > 1"}, "when 条件无法编译"),
        ({"when": "__import__('os')"}, "when 条件无法编译"),
        ({"message": "{{ new + }}"}, "message 模板语法错误"),
        ({"message": "{{ new | nosuchfilter }}"}, "message 模板"),
        ({"locator": "{{ _type }}"}, "locator 模板引用了保留名"),
        ({"name": "Bad-Name"}, "name："),
        ({"suppressed_by": ["ZZ99"]}, "suppressed_by 指向不存在的规则 ZZ99"),
        ({"colour": "red"}, "colour：不认识的键"),
        ({"applies": {"needs": ["weather"]}}, "applies.needs.0：取值不在允许范围内"),
    ],
)
def test_loader_refuses_bad_rules(tmp_path: Path, changes: dict, expected: str) -> None:
    root = _copy_fixture(tmp_path)
    _edit(root / "BL" / "BL91.yaml", **changes)
    text = _problems(root)
    assert "BL/BL91.yaml" in text
    assert expected in text


def test_loader_refuses_misplaced_and_duplicate_rules(tmp_path: Path) -> None:
    root = _copy_fixture(tmp_path)
    shutil.copy(root / "BL" / "BL91.yaml", root / "ST" / "BL91.yaml")
    text = _problems(root)
    assert "应放在 BL/ 目录下" in text and "规则编号 BL91" in text and "重复" in text
    root = _copy_fixture(tmp_path / "b")
    _edit(root / "BL" / "BL92.yaml", name="fixture_balance")
    assert "规则名称 fixture_balance" in _problems(root)
    root = _copy_fixture(tmp_path / "c")
    (root / "BL" / "BL91.yaml").rename(root / "BL" / "BL93.yaml")
    assert "文件名应为 BL91.yaml" in _problems(root)


def test_loader_requires_cases_when_asked(tmp_path: Path) -> None:
    root = _copy_fixture(tmp_path)
    cases = tmp_path / "cases"
    cases.mkdir()
    for rid in ("BL91", "BL92", "ST91", "ST92", "TL91"):
        (cases / f"{rid}.yaml").write_text(
            yaml.safe_dump(
                {
                    "rule": rid,
                    "cases": [
                        {"name": "a", "base": "x", "fires": True},
                        {"name": "b", "base": "x", "fires": False},
                    ],
                }
            ),
            encoding="utf-8",
        )
    assert load_catalog(root, cases_dir=cases).rules
    (cases / "TL91.yaml").unlink()
    (cases / "ST92.yaml").write_text(
        yaml.safe_dump({"rule": "ST92", "cases": [{"name": "a", "base": "x", "fires": True}]}),
        encoding="utf-8",
    )
    (cases / "XX01.yaml").write_text(yaml.safe_dump({"rule": "XX01", "cases": []}), encoding="utf-8")
    text = _problems(root, cases)
    assert "缺少测试用例文件 TL91.yaml" in text
    assert "没有 fires: false 的用例" in text
    assert "不存在的规则 'XX01'" in text


def test_version_changes_with_any_rule_file(tmp_path: Path) -> None:
    root = _copy_fixture(tmp_path)
    files = sorted(root.glob("*/*.yaml"))
    before = catalog_version(files, root)
    assert load_catalog(root).version == before
    path = root / "BL" / "BL92.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert catalog_version(files, root) != before


# --- gkaudit rules list / explain ------------------------------------------------------------------


def test_rules_list_and_explain(shipped_catalog) -> None:
    import json

    from click.testing import CliRunner

    from audit.cli import main

    runner = CliRunner()
    listed = runner.invoke(main, ["rules", "list", "--json"])
    assert listed.exit_code == 0
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["id"] for r in rows] == [r.id for r in shipped_catalog.rules]
    assert all(r["title"] and r["severity"] and r["basis"] for r in rows)
    table = runner.invoke(main, ["rules", "list"])
    assert table.exit_code == 0 and shipped_catalog.version in table.stdout
    rule = shipped_catalog.rules[0]
    explained = runner.invoke(main, ["rules", "explain", rule.id])
    assert explained.exit_code == 0
    for text in (rule.spec.title, rule.spec.rationale, rule.spec.basis.excerpt, rule.spec.when, '"_type"'):
        assert text in explained.stdout
    assert runner.invoke(main, ["rules", "explain", "ZZ99"]).exit_code != 0
