"""Local rule packs: loaded on top of the catalogue, validated like it, their cases run, their version kept."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from audit.cli import main
from audit.parse import parse_path
from audit.report import AuditContext
from audit.rulebook.catalog import CatalogError, load_catalog
from audit.rulebook.check import check_report, default_catalog
from audit.rulebook.overlay import effective_version, load_with_overlay
from audit.rulebook.packtest import run_document_cases

OVERLAY = Path(__file__).parent / "fixtures" / "overlay"
REPORTS = Path(__file__).parent / "fixtures" / "reports"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the test pack, whose case bases point at the fixture reports."""
    root = tmp_path / "pack"
    shutil.copytree(OVERLAY, root)
    for case_file in (root / "cases").glob("*.yaml"):
        text = case_file.read_text(encoding="utf-8").replace("../../reports/", f"{REPORTS}/")
        case_file.write_text(text, encoding="utf-8")
    return root


def _edit(path: Path, change) -> None:  # noqa: ANN001
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def _clash(pack: Path) -> None:
    """Add a rule with a catalogue rule's id (ST09) to the pack."""
    (pack / "catalog" / "ST").mkdir()
    shutil.copy(pack / "catalog" / "LC" / "LC01.yaml", pack / "catalog" / "ST" / "ST09.yaml")
    _edit(pack / "catalog" / "ST" / "ST09.yaml", lambda d: d.update(id="ST09", name="local_st09"))


def _problems(pack: Path) -> str:
    with pytest.raises(CatalogError) as info:
        load_with_overlay(pack)
    return str(info.value)


def test_the_pack_changes_a_severity_and_adds_a_rule_on_top_of_the_catalogue(pack: Path) -> None:
    base = load_catalog()
    merged = load_with_overlay(pack)
    assert set(merged.by_id) == set(base.by_id) | {"LC01"}
    st09 = merged.by_id["ST09"]
    assert (base.by_id["ST09"].severity, st09.severity) == ("warning", "error")
    assert st09.local is not None and st09.local.changes == {"severity": ("warning", "error")}
    assert (
        "某政公开〔2024〕2号" in st09.local.basis.source and st09.spec.basis == base.by_id["ST09"].spec.basis
    )
    lc01 = merged.by_id["LC01"]
    assert lc01.local is not None and lc01.local.basis == lc01.spec.basis and lc01.local.changes == {}
    # the version covers the pack: a changed pack is a new catalogue version
    assert merged.version == effective_version(base.version, pack) != base.version
    _edit(pack / "catalog" / "LC" / "LC01.yaml", lambda d: d.update(title="“总体情况”篇幅过短"))
    assert load_with_overlay(pack).version != merged.version
    assert effective_version(base.version, None) == base.version


def test_the_shipped_catalogue_takes_the_pack_of_the_setting(
    pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = default_catalog()
    monkeypatch.setenv("GKAUDIT_RULES_OVERLAY", str(pack))
    local = default_catalog()
    assert "LC01" in local.by_id and "LC01" not in plain.by_id
    assert local.version == effective_version(plain.version, pack) != plain.version
    report = parse_path(REPORTS / "clean_dept_2023.txt")  # 总体情况 of 281 characters
    found = {f.rule: f for f in check_report(report, AuditContext(published_on=date(2024, 1, 20)))}
    assert found["LC01"].message == "“一、总体情况”仅281字，少于本省规定的600字"
    monkeypatch.delenv("GKAUDIT_RULES_OVERLAY")
    assert "LC01" not in default_catalog().by_id


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda p: (p / "pack.yaml").unlink(), "缺少 pack.yaml"),
        (lambda p: _edit(p / "pack.yaml", lambda d: d.pop("document")), "document：缺少必填项"),
        (lambda p: _edit(p / "pack.yaml", lambda d: d["changes"].update(ZZ01={"severity": "error", "rationale": "x"})), "ZZ01 不在规则目录中"),
        (lambda p: _edit(p / "pack.yaml", lambda d: d["changes"]["ST09"].pop("severity")), "应至少修改 severity 或 resolution"),
        (lambda p: _edit(p / "pack.yaml", lambda d: d["changes"]["ST09"].pop("rationale")), "rationale：缺少必填项"),
        (lambda p: _edit(p / "pack.yaml", lambda d: d["changes"]["ST09"].update(colour="red")), "colour：不认识的键"),
        (lambda p: _edit(p / "catalog" / "LC" / "LC01.yaml", lambda d: d.pop("basis")), "basis：缺少必填项"),
        (lambda p: _edit(p / "catalog" / "LC" / "LC01.yaml", lambda d: d.update(rationale=" ")), "rationale：不能为空"),
        (lambda p: _edit(p / "catalog" / "LC" / "LC01.yaml", lambda d: d.update(when="lines < 3")), "没有的字段：lines"),
        (lambda p: _edit(p / "catalog" / "LC" / "LC01.yaml", lambda d: d.update(name="last_year_rectification_missing")), "规则名称 last_year_rectification_missing"),
        (lambda p: _clash(p), "规则 ST09 已在规则目录中"),
        (lambda p: (p / "cases" / "LC01.yaml").unlink(), "缺少规则 LC01 的用例文件"),
        (lambda p: (p / "cases" / "ST09.yaml").unlink(), "缺少规则 ST09 的用例文件"),
        (lambda p: _edit(p / "cases" / "LC01.yaml", lambda d: (d.pop("facts"), d["cases"].pop())), "至少有一个触发、一个不触发"),
        (lambda p: _edit(p / "cases" / "LC01.yaml", lambda d: d["facts"].update(test_fail_601={"section": "S1", "chars": 601})), "事实用例 test_fail_601：规则 LC01 未触发"),
        (lambda p: _edit(p / "cases" / "LC01.yaml", lambda d: d["cases"][0].update(base="nosuch.txt")), "nosuch.txt 不存在"),
    ],
)  # fmt: skip
def test_a_bad_pack_is_refused_naming_the_file_and_the_problem(pack: Path, change, expected: str) -> None:  # noqa: ANN001
    change(pack)
    assert expected in _problems(pack)


def test_an_empty_or_missing_folder_is_refused(tmp_path: Path) -> None:
    assert "本地规则包目录不存在" in _problems(tmp_path / "nosuch")
    (tmp_path / "empty").mkdir()
    assert "缺少 pack.yaml" in _problems(tmp_path / "empty")


def test_the_document_cases_run_and_a_wrong_one_fails(pack: Path) -> None:
    catalog = load_with_overlay(pack)
    results = run_document_cases(pack, catalog)
    assert len(results) == 4 and all(r.passed for r in results), results
    _edit(pack / "cases" / "LC01.yaml", lambda d: d["cases"][1].update(fires=True))
    failed = [r for r in run_document_cases(pack, catalog) if not r.passed]
    assert [(r.file, r.name) for r in failed] == [("LC01.yaml", "总体情况超过600字")]


def test_rules_overlay_command(pack: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(main, ["rules", "overlay", str(pack)])
    assert good.exit_code == 0, good.output
    assert (
        "LC01" in good.output
        and "severity warning → error" in good.output
        and "全部 4 个文档用例通过" in good.output
    )
    explained = runner.invoke(main, ["rules", "explain", "ST09"], env={"GKAUDIT_RULES_OVERLAY": str(pack)})
    assert "本地规则包：某某省年报审核补充规则（测试用）（severity warning → error）" in explained.output
    _edit(pack / "cases" / "LC01.yaml", lambda d: d["cases"][1].update(fires=True))
    bad = runner.invoke(main, ["rules", "overlay", str(pack)])
    assert bad.exit_code == 1 and "[未通过] LC01.yaml 总体情况超过600字" in bad.output
    assert runner.invoke(main, ["rules", "overlay"], env={"GKAUDIT_RULES_OVERLAY": ""}).exit_code == 2
