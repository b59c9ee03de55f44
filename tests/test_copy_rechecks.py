"""CY05 through the audit run: the threshold lives in CY05.yaml only, and partners are checked again only
when their copy set changed (also after a run that failed half-way).
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_similarity import make_narrative
from test_store_pipeline import DAY, all_findings, fail_checks_of, ingest, names, report_text
from test_store_support import db  # noqa: F401

from audit import run as pipeline
from audit.cli import main
from audit.rulebook import catalog as catalog_module

AGENCIES = [f"第{i}测试局" for i in range(1, 7)]


def narratives() -> dict[str, dict[str, str]]:
    rng = random.Random(5)
    return {agency: make_narrative(rng, agency, 2023) for agency in AGENCIES}


def half_copy(original: dict[str, str], own: dict[str, str], agency: str, source: str) -> dict[str, str]:
    """Copy 60 % of the sentences of each section of another agency's narrative, write the rest anew."""
    out = {}
    for sid, text in original.items():
        theirs = [s + "。" for s in text.replace(source, agency).split("。") if s]
        mine = [s + "。" for s in own[sid].split("。") if s]
        n = int(len(theirs) * 0.6)
        out[sid] = "".join(theirs[:n] + mine[n:])
    return out


def cy05() -> dict[str, dict[str, str]]:
    """Return the open CY05 findings: agency → locator → message."""
    who = names()
    out: dict[str, dict[str, str]] = {}
    for f in all_findings():
        if f.rule == "CY05" and f.status in ("open", "reopened"):
            out.setdefault(who[f.agency_id], {})[f.locator] = f.message
    return out


def test_the_cy05_threshold_in_its_yaml_decides_which_copies_are_found(
    db: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = narratives()
    for agency, narrative in texts.items():
        ingest(agency, report_text(agency, narrative), name=f"{agency}.txt")
    own = make_narrative(random.Random(99), "半抄局", 2023)
    ingest(
        "半抄局",
        report_text("半抄局", half_copy(texts["第2测试局"], own, "半抄局", "第2测试局")),
        name="half.txt",
    )
    assert pipeline.run_audit(today=DAY).reports_audited == 7
    assert cy05() == {}  # 60 % copied stays below CY05's 0.8

    rules = tmp_path / "rules"
    shutil.copytree(Path(catalog_module.__file__).parents[2] / "rules", rules)
    yaml = rules / "catalog" / "CY" / "CY05.yaml"
    yaml.write_text(
        yaml.read_text(encoding="utf-8").replace("similarity >= 0.8", "similarity >= 0.5"), "utf-8"
    )
    with monkeypatch.context() as patched:
        patched.setattr(catalog_module, "_rules_package_dir", lambda: rules)

        # nothing new to audit, but the year was searched down to 0.8: it is searched again down to 0.5,
        # and the two reports whose copy set changed are checked again
        summary = pipeline.run_audit(today=DAY)
        assert summary.reports_audited == 2
        found = cy05()
        assert set(found) == {"半抄局", "第2测试局"}
        for messages in found.values():
            for message in messages.values():
                assert 0.5 <= float(re.search(r"相似度为([\d.]+)", message).group(1)) < 0.8  # type: ignore[union-attr]
        listed = CliRunner().invoke(main, ["copies", "--year", "2023"]).output
        assert "半抄局" in listed and "第2测试局" in listed

    # the shipped threshold again: the half copy is no longer reported
    assert pipeline.run_audit(today=DAY).reports_audited == 2
    assert cy05() == {}
    assert "未发现" in CliRunner().invoke(main, ["copies", "--year", "2023"]).output


def test_a_partner_whose_check_failed_is_checked_again_at_the_next_run(
    db: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = narratives()
    for agency, narrative in texts.items():
        ingest(agency, report_text(agency, narrative), name=f"{agency}.txt")
    assert pipeline.run_audit(today=DAY).reports_audited == 6

    copied = {k: v.replace("第2测试局", "抄袭局") for k, v in texts["第2测试局"].items()}
    ingest("抄袭局", report_text("抄袭局", copied), name="copy.txt")
    real = fail_checks_of("第2测试局", monkeypatch)
    summary = pipeline.run_audit(today=DAY)
    assert summary.reports_audited == 1 and len(summary.errors) == 1  # the copy; its original failed
    assert set(cy05()) == {"抄袭局"}

    monkeypatch.setattr(pipeline, "evaluate", real)
    # the copies were stored by the failed run, but the original was not checked with them since
    assert pipeline.run_audit(today=DAY).reports_audited == 1
    assert set(cy05()) == {"抄袭局", "第2测试局"}
    assert pipeline.run_audit(today=DAY).reports_audited == 0


def test_only_the_reports_whose_copy_set_changes_are_checked_again(db: str) -> None:  # noqa: F811
    texts = narratives()
    for agency, narrative in texts.items():
        ingest(agency, report_text(agency, narrative), name=f"{agency}.txt")
    pipeline.run_audit(today=DAY)
    first = {k: v.replace("第2测试局", "抄袭局") for k, v in texts["第2测试局"].items()}
    ingest("抄袭局", report_text("抄袭局", first), name="copy.txt")
    assert pipeline.run_audit(today=DAY).reports_audited == 2  # the copy and its original

    # another copy of the same narrative: the three of them are checked, the other five are not
    second = {k: v.replace("第2测试局", "再抄局") for k, v in texts["第2测试局"].items()}
    ingest("再抄局", report_text("再抄局", second), name="copy2.txt")
    assert pipeline.run_audit(today=DAY).reports_audited == 3
    found = cy05()
    assert set(found) == {"抄袭局", "再抄局", "第2测试局"}
    assert all("个机关的年报相似" in m for m in found["第2测试局"].values())  # two partners per section

    # a report that copies nobody is checked alone
    rng = random.Random(12)
    ingest("新局", report_text("新局", make_narrative(rng, "新局", 2023)), name="new.txt")
    assert pipeline.run_audit(today=DAY).reports_audited == 1
