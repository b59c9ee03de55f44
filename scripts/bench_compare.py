"""Targets of ``--compare REV_A REV_B``: each git revision checked out in a temporary worktree.

A revision whose ``pyproject.toml`` asks for the same dependencies as this tree runs with this
Python and its tree first on ``PYTHONPATH`` (imports come from the worktree: checked before any
benchmark runs). A revision whose dependencies differ gets its own virtual environment (built once
with pip and kept under ``data/bench/venvs/``, keyed by the dependency lists). ``.`` (or ``WORKTREE``)
names this working tree as it is, uncommitted changes included. The worktrees are removed at the
end; nothing of the repository's own checkout changes.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from bench_support import CACHE, ROOT, BenchError, Target, run_timed

HERE = (".", "WORKTREE")


def _git(*args: str) -> str:
    """Run git in this repository; return its output."""
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def dependencies(tree: Path) -> str:
    """Return the dependency lists of a tree's ``pyproject.toml`` as one canonical JSON string."""
    project = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8")).get("project", {})
    deps = {"main": sorted(project.get("dependencies", [])), **project.get("optional-dependencies", {})}
    return json.dumps(deps, sort_keys=True)


def _venv_for(tree: Path) -> str:
    """Return the Python of a virtual environment with ``tree``'s dependencies (built once, cached)."""
    key = hashlib.sha256(dependencies(tree).encode()).hexdigest()[:12]
    venv = CACHE / "venvs" / key
    python = venv / "bin" / "python"
    if not (venv / ".installed").is_file():
        print(f"  依赖与本工作区不同：为 {tree.name} 建立虚拟环境 {venv}（只建一次）…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"{tree}[dev]"], check=True)
        (venv / ".installed").touch()
    return str(python)


def _check_imports(target: Target) -> None:
    """Raise :class:`BenchError` unless the target's Python imports ``audit`` from the target's tree."""
    code = "import audit, sys; print(audit.__file__)"
    result = run_timed([target.python, "-c", code], target.env(), target.tmp)
    where = Path(result.stdout.strip() or ".").resolve()
    if result.code != 0 or target.src.resolve() not in where.parents:
        raise BenchError(
            f"{target.label}：audit 没有从 {target.src} 导入（而是 {where}）{result.stderr[-200:]}"
        )


def prepare(rev: str, worktrees: list[Path]) -> Target:
    """Return the target of one revision (a temporary worktree, appended to ``worktrees``)."""
    if rev in HERE:
        target = Target("工作区", ROOT)
    else:
        try:
            sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
        except subprocess.CalledProcessError as exc:
            raise BenchError(f"找不到 git 版本“{rev}”") from exc
        path = Path(tempfile.mkdtemp(prefix=f"gkaudit-rev-{sha[:8]}-"))
        path.rmdir()
        _git("worktree", "add", "--detach", str(path), sha)
        worktrees.append(path)
        python = sys.executable if dependencies(path) == dependencies(ROOT) else _venv_for(path)
        target = Target(f"{rev}（{sha[:8]}）", path, python)
    _check_imports(target)
    return target


def remove(worktrees: list[Path]) -> None:
    """Remove the temporary worktrees made by :func:`prepare`."""
    for path in worktrees:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True)
    if worktrees:
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True)
