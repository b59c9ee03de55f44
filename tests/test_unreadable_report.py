"""An unreadable report (broken font encoding) yields TL03 and exit 1, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BROKEN = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real" / "broken-font-sample.pdf"
pytestmark = pytest.mark.usefixtures("corpus")  # every test here reads ../shared/corpus
GKAUDIT = str(Path(sys.executable).with_name("gkaudit"))


def test_broken_font_pdf_gives_tl03_and_exit_1() -> None:
    proc = subprocess.run([GKAUDIT, "check", str(BROKEN), "--json"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    findings = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert [f["rule"] for f in findings] == ["TL03"]
    assert "字体" in findings[0]["message"]


def test_unreadable_report_fails_the_check_among_clean_ones(tmp_path: Path) -> None:
    clean = Path(__file__).resolve().parent / "fixtures" / "reports"
    readable = sorted(clean.glob("clean_*.txt"))[0]
    ok = subprocess.run([GKAUDIT, "check", str(readable)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout
    both = subprocess.run([GKAUDIT, "check", str(readable), str(BROKEN)], capture_output=True, text=True)
    assert both.returncode == 1
    assert "无法机读" in both.stdout


def test_a_parser_defect_on_one_file_does_not_stop_the_others(monkeypatch) -> None:
    from click.testing import CliRunner

    import audit.bounded
    from audit.cli import main

    other = BROKEN.parents[1] / "seeds" / "003_552a8d10fa63c5da.txt"
    real_parse = audit.bounded.parse_path_bounded

    def flaky(path, limits=None):
        if str(path).endswith("boom.txt"):
            raise IndexError("simulated parser defect")
        return real_parse(path, limits)

    monkeypatch.setattr(audit.bounded, "parse_path_bounded", flaky)
    result = CliRunner().invoke(main, ["check", "boom.txt", str(other), "--json"])
    assert result.exit_code == 2
    assert "程序缺陷" in result.output and "boom.txt" in result.output
    assert '"rule": "ST05"' in result.output  # the other file was still checked
    assert "Traceback" not in result.output
