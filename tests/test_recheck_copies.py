"""A report checked again because last year's report changed keeps the findings its year's copies give.

柳塘县自然资源和规划局's 2024 report is copied by 临溪市市场监督管理局 (CY05 on both). When the bureau
republishes its 2023 report corrected, the audit checks the 2024 report again (CY01–CY04 compare
with last year); it must still see the copy, so CY05 stays open instead of being closed as fixed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import main
from audit.nightly.demo import corrected_report
from audit.sample import AS_OF, MANIFEST, write_sample

KEEP = {("柳塘县自然资源和规划局", 2023), ("柳塘县自然资源和规划局", 2024), ("临溪市市场监督管理局", 2024)}


def test_a_follower_rechecked_after_a_correction_keeps_its_copy_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_sample(tmp_path / "reports").parent
    env = {
        "GKAUDIT_DATA": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gk.sqlite'}",
        "GKAUDIT_TODAY": AS_OF.isoformat(),
    }

    def gk(*args: str) -> str:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    def ingest(path: Path, doc: dict, published_on: str) -> None:
        gk("ingest", str(path), "--agency", doc["agency"], "--year", str(doc["year"]), "--level", doc["level"],
           "--published-on", published_on, "--new-agency")  # fmt: skip

    def findings() -> dict[tuple[str, int, str], str]:
        rows = [json.loads(line) for line in gk("findings", "--json").splitlines()]
        return {(f["agency"], f["year"], f["rule"]): f["status"] for f in rows}

    docs = [d for d in json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["documents"]]
    for doc in docs:
        if (doc["agency"], doc["year"]) in KEEP:
            ingest(folder / doc["file"], doc, doc["published_on"])
    gk("audit")
    before = findings()
    assert before[("柳塘县自然资源和规划局", 2024, "CY05")] == "open"
    assert before[("柳塘县自然资源和规划局", 2023, "FM02")] == "open"

    fixed = tmp_path / "liutang-nr-2023-corrected.txt"
    fixed.write_bytes(corrected_report(0, "liutang-nr", 2023))
    doc = next(d for d in docs if (d["agency"], d["year"]) == ("柳塘县自然资源和规划局", 2023))
    ingest(fixed, doc, AS_OF.isoformat())
    summary = json.loads(gk("audit", "--json"))
    assert summary["reports_audited"] == 2  # the corrected 2023 report and the 2024 report after it
    after = findings()
    assert after[("柳塘县自然资源和规划局", 2023, "FM02")] == "fixed"
    assert after[("柳塘县自然资源和规划局", 2023, "FM03")] == "fixed"
    assert after[("柳塘县自然资源和规划局", 2024, "CY05")] == "open"
    assert after[("临溪市市场监督管理局", 2024, "CY05")] == "open"
