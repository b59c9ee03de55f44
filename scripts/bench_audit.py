"""Store benchmarks through the ``gkaudit`` command line: audit throughput, re-audits, start-up.

- ``throughput``: a fresh store seeded with the generated corpus (documents only, with the
  agency, year, level, 发布日期 and address of the manifest, as ``make sample`` ingests them), then
  ``gkaudit audit --json``: reports per second from the run's own ``seconds`` (interpreter start-up
  excluded; and reports per CPU second of the serial run, start-up included, since CPU time is
  what a shared machine distorts least), once with ``--jobs 1`` (per core) and once with ``--jobs <cores>`` (all cores) when
  the revision has that option (otherwise the serial figure stands for both, noted); peak memory of
  the largest process and of the whole process tree.
- ``reaudit``: on the audited store, ``gkaudit audit --all`` with nothing changed, then again with
  a local rule pack set (``GKAUDIT_RULES_OVERLAY``: a rule's severity changed, a rule added, so the
  catalogue version changes): wall seconds each.
- ``startup``: ``gkaudit --help`` and ``gkaudit check`` on one generated report (a text one when
  the small corpus has one), wall time and CPU time (user + system), min and median of five runs.

Seeding writes through the store's own ``archive.store_document`` in the target's code (the
function ``gkaudit ingest`` calls) so that 10,000 documents are stored in a minute, not in one
process per file; the seeded store is cached per corpus and per schema of the target.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
from pathlib import Path

from bench_support import (
    CACHE,
    ROOT,
    BenchError,
    Figure,
    Target,
    Timed,
    child_json,
    manifest_documents,
    min_median,
    must,
    run_gk,
    sample_corpus,
)

SEED = r"""
import json, sys
from datetime import date
from pathlib import Path
from audit.store import archive, db
corpus, limit = Path(sys.argv[1]), int(sys.argv[2])
db.upgrade()
docs = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))["documents"][:limit]
with db.session_scope() as session:
    for d in docs:
        archive.store_document(
            session, (corpus / d["file"]).read_bytes(), agency=d["agency"], url=d["url"],
            original_name=d["file"], published_on=date.fromisoformat(d["published_on"]),
            year=d["year"], level=d["level"],
        )
print(json.dumps({"stored": len(docs)}))
"""

OVERLAY = ROOT / "tests" / "fixtures" / "overlay"  # a valid local rule pack (ST09 → error, LC01 added)


def _schema_key(target: Target) -> str:
    """Return a short hash of the target's store code (a seeded store is valid for equal code)."""
    digest = hashlib.sha256()
    for path in sorted((target.src / "audit" / "store").rglob("*.py")):
        digest.update(path.relative_to(target.src).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def fresh_store(target: Target, corpus: Path, count: int, name: str) -> Path:
    """Return a new data directory holding the first ``count`` documents of ``corpus``, not audited."""
    cached = CACHE / "stores" / f"{corpus.name}-{count}-{_schema_key(target)}"
    if not (cached / "data").is_dir():
        shutil.rmtree(cached, ignore_errors=True)
        seeding = cached.with_name(cached.name + ".partial")
        shutil.rmtree(seeding, ignore_errors=True)
        seeding.mkdir(parents=True)
        child_json(target, SEED, str(corpus), str(count), data=seeding / "data")
        seeding.rename(cached)
    work = target.workdir(name)
    shutil.copytree(cached / "data", work / "data")
    return work / "data"


def _summary(result: Timed) -> dict:
    """Return the JSON summary ``gkaudit audit --json`` printed last."""
    for line in reversed(result.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise BenchError("gkaudit audit --json 没有输出摘要")


def has_jobs(target: Target) -> bool:
    """Return whether the target's ``gkaudit audit`` takes ``--jobs``."""
    help_text = must(run_gk(target, "audit", "--help", data=target.tmp / "help"), "gkaudit audit --help")
    return "--jobs" in help_text.stdout


def _audit(target: Target, data: Path, *args: str, **env: str) -> tuple[Timed, dict]:
    """Run ``gkaudit audit --json ARGS`` on ``data``; return the timed run and its summary.

    A run that audited nothing but failed is an error (its first failure is the message).
    """
    result = must(run_gk(target, "audit", "--json", *args, data=data, **env), "gkaudit audit", ok=(0, 2))
    summary = _summary(result)
    errors = summary.get("errors") or []
    if errors and not summary.get("reports_audited"):
        raise BenchError(f"gkaudit audit 没有审核任何报告：{str(errors[0].get('error'))[:300]}")
    return result, summary


def bench_throughput(target: Target, opts: argparse.Namespace, state: dict) -> list[Figure]:
    """Audit a freshly seeded store with one worker and with all cores; reports/s and peak memory."""
    count = opts.docs
    corpus = sample_corpus(count)
    cores = os.cpu_count() or 1
    jobs = has_jobs(target)
    figures: list[Figure] = []
    for label, n in (("每核", 1), (f"全部核（{cores}）", cores)):
        if n > 1 and not jobs:
            serial = figures[0].value
            figures.append(Figure(f"审核吞吐 {label}", serial, "份/秒", note="该版本无 --jobs：串行"))
            continue
        data = fresh_store(target, corpus, count, f"throughput-{n}")
        result, summary = _audit(target, data, *(["--jobs", str(n)] if jobs else []))
        done = int(summary.get("reports_audited") or 0)
        seconds = float(summary.get("seconds") or result.seconds)
        errors = len(summary.get("errors") or [])
        note = f"{done} 份，{seconds:.1f} 秒" + (f"，{errors} 个错误" if errors else "")
        figures.append(Figure(f"审核吞吐 {label}", done / seconds if seconds else None, "份/秒", note=note))
        if n == 1:  # CPU time is what a busy machine distorts least
            figures.append(
                Figure(
                    "审核 每 CPU 秒", done / result.cpu if result.cpu else None, "份", note="含启动和工作进程"
                )
            )
        figures.append(Figure(f"峰值内存 {label}（最大单进程）", result.max_rss / 2**20, "MB", False))
        figures.append(Figure(f"峰值内存 {label}（进程树合计）", result.tree_rss / 2**20, "MB", False))
        if n == 1:
            state["audited"] = data
    return figures


def bench_reaudit(target: Target, opts: argparse.Namespace, state: dict) -> list[Figure]:
    """Time ``audit --all`` on an audited store: unchanged, then after a rule change (a local pack)."""
    count = opts.docs
    data = state.pop("audited", None)
    if data is None:
        data = fresh_store(target, sample_corpus(count), count, "reaudit")
        _audit(target, data)
    unchanged, summary = _audit(target, data, "--all")
    pack = target.workdir("pack")  # the pack's cases name their base reports as ../../reports/…
    shutil.copytree(OVERLAY, pack / "overlay")
    shutil.copytree(OVERLAY.parent / "reports", pack / "reports")
    overlay = pack / "overlay"
    changed, summary2 = _audit(target, data, "--all", GKAUDIT_RULES_OVERLAY=str(overlay))
    return [
        Figure(
            f"复审 {count} 份（未改动）",
            unchanged.seconds,
            "秒",
            False,
            note=f"重审 {summary.get('reports_audited')} 份",
        ),
        Figure(
            f"规则变更后复审 {count} 份",
            changed.seconds,
            "秒",
            False,
            note=f"重审 {summary2.get('reports_audited')} 份",
        ),
    ]


def _text_report(corpus: Path) -> Path:
    """Return one text report of a generated corpus."""
    for doc in manifest_documents(corpus):
        if doc["format"] == "text":
            return corpus / doc["file"]
    return corpus / manifest_documents(corpus)[0]["file"]


def bench_startup(target: Target, opts: argparse.Namespace, state: dict) -> list[Figure]:
    """Time ``gkaudit --help`` and ``gkaudit check FILE`` (min and median of the repeats)."""
    repeats = opts.repeats
    report = _text_report(sample_corpus(10))
    work = target.workdir("startup")
    figures: list[Figure] = []
    for label, args, ok in (
        ("gkaudit --help", ("--help",), (0,)),
        ("gkaudit check（一份报告）", ("check", str(report)), (0, 1)),
    ):
        runs = [must(run_gk(target, *args, data=work / "data"), label, ok) for _ in range(repeats)]
        for what, values in (("", [r.seconds for r in runs]), (" CPU", [r.cpu for r in runs])):
            low, mid = min_median(values)
            figures.append(Figure(f"{label}{what} 最短", low, "秒", False))
            figures.append(Figure(f"{label}{what} 中位", mid, "秒", False, note=f"{repeats} 次"))
    return figures
