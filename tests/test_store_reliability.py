"""A store that never lies: races, kill -9, parse failures, disk full, leaked passwords, forged lines.

Each test names the fault it injects and asserts the outcome; none measures time.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import select
from test_store_support import db, empty_db  # noqa: F401

from audit import run
from audit.cli import main
from audit.store import archive
from audit.store import db as store
from audit.store import tables as m

FIXTURES = Path(__file__).parent / "fixtures" / "store"
AGENCY = "中卫市测试局"
CLI = [sys.executable, "-c", "from audit.cli import main; main()"]


def gk(*args: str, today: str = "2024-12-01", code: int | None = 0) -> Result:
    result = CliRunner().invoke(main, list(args), env={"GKAUDIT_TODAY": today})
    if code is not None:
        assert result.exit_code == code, result.output
    return result


def variant(tmp_path: Path, i: int, agency: str = AGENCY) -> Path:
    """A distinct 2023 report of ``agency`` (the fixture with one narrative figure changed)."""
    text = (FIXTURES / "y2023_v1.txt").read_text(encoding="utf-8").replace(AGENCY, agency)
    path = tmp_path / f"v{i}.txt"
    path.write_text(text.replace("共16条", f"共{100 + i}条"), encoding="utf-8")
    return path


def test_simultaneous_ingests_on_a_fresh_store(empty_db: str, tmp_path: Path) -> None:  # noqa: F811
    """Four processes open a store nobody migrated and create one new agency at once."""
    env = {**os.environ, "GKAUDIT_TODAY": "2024-12-01"}
    files = [variant(tmp_path, i) for i in range(4)]
    procs = [
        subprocess.Popen(
            [*CLI, "ingest", str(f), "--new-agency"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for f in files
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outputs
    assert all("Traceback" not in o for o in outputs)
    with store.session_scope() as s:
        assert [a.name for a in s.exec(select(m.Agency)).all()] == [AGENCY]
        assert len(s.exec(select(m.Document)).all()) == 4


def test_same_document_stored_twice_at_once_is_one_version(db: str, tmp_path: Path) -> None:  # noqa: F811
    env = {**os.environ, "GKAUDIT_TODAY": "2024-12-01"}
    path = variant(tmp_path, 0)
    procs = [
        subprocess.Popen([*CLI, "ingest", str(path), "--new-agency"], env=env, stdout=subprocess.PIPE)
        for _ in range(3)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    with store.session_scope() as s:
        assert len(s.exec(select(m.Document)).all()) == 1


def test_kill_minus_nine_during_an_audit_leaves_nothing_stuck(db: str, tmp_path: Path) -> None:  # noqa: F811
    for i in range(24):
        gk("ingest", str(variant(tmp_path, i, f"测试市第{i}局")), "--new-agency")
    env = {**os.environ, "GKAUDIT_TODAY": "2024-12-01"}
    proc = subprocess.Popen([*CLI, "audit"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        with store.session_scope() as s:
            if s.exec(select(m.Report)).first() is not None:
                break
        time.sleep(0.05)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    summary = json.loads(gk("audit", "--json").output)
    assert summary["status"] == "ok"
    with store.session_scope() as s:
        runs = s.exec(select(m.AuditRun).order_by(m.AuditRun.id)).all()
        assert [r.status for r in runs if r.status == "running"] == []
        if killed:
            assert runs[0].status == "interrupted" and "中断" in runs[0].error_detail[-1]["error"]
        reports = s.exec(select(m.Report)).all()
        assert len(reports) == 24 and all(r.audited_run_id is not None for r in reports)
        fps = [f.fingerprint for f in s.exec(select(m.Finding)).all()]
        assert len(fps) == len(set(fps)) == 24 * 3


def _lose_archive(doc_id: int) -> None:
    with store.session_scope() as s:
        doc = s.get(m.Document, doc_id)
        assert doc is not None
        (store.data_dir() / doc.archive_path).unlink()


@pytest.mark.parametrize("year_known", [True, False])
def test_a_parse_failure_is_not_checked_never_not_published(db: str, year_known: bool) -> None:  # noqa: F811
    """The archive file of the only document is gone: no TL02 (“not published”), and the run says so."""
    args = ["--year", "2023"] if year_known else []
    gk("ingest", str(FIXTURES / "y2023_v1.txt"), "--new-agency", "--level", "department", *args)
    with store.session_scope() as s:
        doc_id = s.exec(select(m.Document.id)).one()
    _lose_archive(doc_id)
    out = gk("audit", today="2024-05-01", code=2).output
    assert "解析失败" in out
    rules = {
        f["rule"] for f in map(json.loads, gk("findings", "--json", today="2024-05-01").output.splitlines())
    }
    assert "TL02" not in rules


def test_a_failed_commit_counts_nothing(db: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """The disk fills up when a report's findings are committed: the summary counts only what was stored."""
    gk("ingest", str(FIXTURES / "y2023_v1.txt"), "--new-agency")
    real_scope, real_reconcile = store.session_scope, run.lifecycle.reconcile
    armed = []

    def reconcile(*args: object, **kwargs: object) -> object:
        armed.append(True)  # this transaction holds findings: its commit will fail
        return real_reconcile(*args, **kwargs)

    @contextlib.contextmanager
    def full_disk(*args: object, **kwargs: object) -> Iterator[object]:
        with real_scope(*args, **kwargs) as session:
            yield session
            if armed:
                armed.clear()
                raise OSError(errno.ENOSPC, "No space left on device")  # rolls the transaction back

    monkeypatch.setattr(run.lifecycle, "reconcile", reconcile)
    monkeypatch.setattr(store, "session_scope", full_disk)
    summary = run.run_audit()
    monkeypatch.setattr(store, "session_scope", real_scope)
    assert summary.status == "failed" and summary.opened == 0 and summary.reports_audited == 0
    assert "No space left" in summary.errors[0]["error"]
    with store.session_scope() as s:
        assert s.exec(select(m.Finding)).all() == []


def test_a_full_disk_leaves_no_temporary_file_in_the_archive(
    db: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_space(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(archive.os, "replace", no_space)
    out = gk("ingest", str(FIXTURES / "y2023_v1.txt"), "--new-agency", code=2).output
    assert "无法写入原件存档" in out and "Traceback" not in out
    assert list((store.data_dir() / "archive").rglob(".tmp-*")) == []


@pytest.mark.parametrize("command", [["findings"], ["db", "upgrade"], ["db", "current"], ["audit"]])
def test_no_password_in_any_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: list[str]
) -> None:
    monkeypatch.setenv("GKAUDIT_DATA", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://gk:s3cr3t-pw@127.0.0.1:9/none?connect_timeout=2")
    store.dispose_engines()
    result = CliRunner().invoke(main, command)
    store.dispose_engines()
    assert result.exit_code != 0
    assert "s3cr3t-pw" not in result.output and "Traceback" not in result.output
    assert "错误" in result.output
    for log in tmp_path.rglob("*.log"):
        assert "s3cr3t-pw" not in log.read_text(encoding="utf-8")


def test_a_newline_in_a_name_cannot_forge_ledger_lines(db: str, tmp_path: Path) -> None:  # noqa: F811
    forged = "甲局\n[999] 假机关 2023年 BL03 已整改"
    path = tmp_path / "甲局\n[998] 伪造.txt"
    path.write_bytes((FIXTURES / "y2023_v1.txt").read_bytes())
    gk("ingest", str(path), "--agency", forged, "--new-agency", "--force")
    gk("audit")
    for command in (["findings"], ["reports"], ["copies", "--year", "2023"]):
        lines = gk(*command).output.splitlines()
        assert not any(line.startswith(("[999]", "[998]")) for line in lines), lines
    shown = gk("findings").output
    assert "甲局\\n[999] 假机关" in shown


def test_a_poison_document_in_the_store_does_not_stop_the_run(db: str, tmp_path: Path) -> None:  # noqa: F811
    """A page of 2,000 rows with rowspan/colspan 2147483647, stored first: every other report is
    audited, and the poison one gets TL05 (not checked) — never TL03, TL02 or a pile of findings —
    and is not read again by ``audit --all`` while its bytes are the same."""
    from hostile import html_span_bomb

    poison = tmp_path / "2023年报.html"
    poison.write_bytes(html_span_bomb())
    gk("ingest", str(poison), "--agency", "某县人民政府", "--new-agency", "--year", "2023")
    for i in range(3):
        gk("ingest", str(variant(tmp_path, i, f"测试市第{i}局")), "--new-agency")
    summary = json.loads(gk("audit", "--json", today="2024-05-01").output)
    assert summary["reports_audited"] == 4 and summary["status"] == "ok"
    rows = [json.loads(line) for line in gk("findings", "--json", today="2024-05-01").output.splitlines()]
    poisoned = {r["rule"] for r in rows if r["agency"] == "某县人民政府"}
    assert poisoned == {"TL05"}
    assert {r["agency"] for r in rows} == {"某县人民政府", "测试市第0局", "测试市第1局", "测试市第2局"}
    again = json.loads(gk("audit", "--all", "--json", today="2024-05-01").output)
    assert again["documents"] == 3  # the poison page is not read again


def _read_only(path: Path) -> list[str]:
    """Return a command prefix that runs with ``path`` read-only (a bind mount as root, chmod otherwise)."""
    if os.geteuid() != 0:
        for p in [path, *path.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)
        return []
    if shutil.which("unshare") is None:
        pytest.skip("需要 unshare 才能以 root 模拟只读介质")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("此环境不允许 unshare -m（无法以 root 模拟只读介质）")
    return [
        "unshare",
        "-m",
        "sh",
        "-c",
        f'mount --bind "{path}" "{path}" && mount -o remount,ro,bind "{path}" && exec "$@"',
        "sh",
    ]


def test_a_read_only_store_can_be_listed_but_not_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "GKAUDIT_DATA": str(data), "GKAUDIT_TODAY": "2024-12-01"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [*CLI, "ingest", str(FIXTURES / "y2023_v1.txt"), "--new-agency"],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run([*CLI, "audit"], env=env, check=True, capture_output=True)
    prefix = _read_only(data)
    listing = subprocess.run([*prefix, *CLI, "findings"], env=env, capture_output=True, text=True)
    assert listing.returncode == 0 and "共 3 个问题" in listing.stdout, listing.stderr
    for command in (["audit"], ["finding", "confirm", "1"], ["ingest", str(FIXTURES / "y2024.txt")]):
        result = subprocess.run([*prefix, *CLI, *command], env=env, capture_output=True, text=True)
        assert result.returncode != 0 and "Traceback" not in result.stderr + result.stdout, result.stderr
        assert result.stderr.startswith(("错误：", str(FIXTURES))), result.stderr


def test_a_database_failure_mid_audit_stops_the_run_with_one_line(
    db: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The connection drops while reports are checked: one error, not one per report; nothing half-written."""
    from sqlalchemy.exc import OperationalError

    for i in range(5):
        gk("ingest", str(variant(tmp_path, i, f"测试市第{i}局")), "--new-agency")
    real, calls = run.lifecycle.reconcile, []

    def lost(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) >= 2:
            raise OperationalError(
                "UPDATE finding", {}, Exception("server closed the connection unexpectedly")
            )
        return real(*args, **kwargs)

    monkeypatch.setattr(run.lifecycle, "reconcile", lost)
    result = CliRunner().invoke(main, ["audit"], env={"GKAUDIT_TODAY": "2024-12-01"})
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if "错误" in line]
    assert len(errors) == 1 and "数据库出错" in errors[0] and "Traceback" not in result.output
    monkeypatch.setattr(run.lifecycle, "reconcile", real)
    again = json.loads(gk("audit", "--json").output)  # the rest, next time (and their copy partners)
    assert again["status"] == "ok" and again["reports_audited"] >= 4
    with store.session_scope() as s:
        assert all(r.audited_run_id is not None for r in s.exec(select(m.Report)).all())
