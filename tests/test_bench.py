"""The benchmark suite runs and prints figures (their shape, never their speed): scripts/bench.py."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "bench.py"


def _bench(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run scripts/bench.py with its cache (generated corpora) under ``tmp_path``."""
    env = {**os.environ, "GKAUDIT_BENCH_CACHE": str(tmp_path / "cache")}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_quick_startup_run_prints_each_figure_with_its_unit(tmp_path: Path) -> None:
    proc = _bench(tmp_path, "--quick", "--only", "startup", "--repeats", "1")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = proc.stdout
    assert out.startswith("机器：") and "[startup]" in out
    assert "失败" not in out, out
    for name in ("gkaudit --help 最短", "gkaudit --help 中位", "gkaudit check（一份报告） 最短"):
        assert re.search(re.escape(name) + r"\s+\d+(\.\d+)? 秒", out), out
    assert "[throughput]" not in out  # --only selects
    assert (tmp_path / "cache" / "corpus-10-seed0" / "manifest.json").is_file()  # the cache given


def _load_bench():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("bench_main", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_compare_table_gives_the_median_of_the_rounds_and_the_ratio(capsys: pytest.CaptureFixture) -> None:
    bench = _load_bench()
    from bench_support import Figure

    def rounds(*values: float) -> list[list[Figure]]:
        return [[Figure("审核吞吐 每核", v, "份/秒")] for v in values]

    bench.ratio_table("throughput", ["A", "B"], [rounds(10.0, 30.0, 20.0), rounds(40.0, 41.0, 39.0)])
    line = next(x for x in capsys.readouterr().out.splitlines() if "审核吞吐 每核" in x)
    assert "20.0 份/秒" in line and "40.0 份/秒" in line
    assert line.split()[-2] == "2.00" and line.endswith("越大越好")


def test_only_refuses_an_unknown_benchmark_and_quick_fills_small_sizes() -> None:
    bench = _load_bench()
    args = bench.parse_args(["--quick", "--only", "reaudit,throughput"])
    assert args.names == ["throughput", "reaudit"]  # the suite's order: reaudit reuses the audited store
    assert args.docs < 100 and args.sites < 20 and args.rounds == 1
    assert bench.parse_args(["--compare", "main", "."]).rounds == 2
    with pytest.raises(SystemExit):
        bench.parse_args(["--only", "nothing"])


def test_compare_with_an_unknown_revision_says_so(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("需要 git 和仓库的 .git")
    proc = _bench(tmp_path, "--compare", "no-such-revision-xyz", ".", "--only", "startup")
    assert proc.returncode == 2
    assert "找不到 git 版本“no-such-revision-xyz”" in proc.stdout
