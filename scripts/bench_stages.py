"""Stage shares of one report's audit: read, parse, facts, engine (durable-rules), store.

The first four stages are timed in a child Python that imports the target's public functions and
runs them one after the other on a sample of the generated corpus (a corpus of ``--stage-docs``
documents of its own, all media mixed as drawn; one untimed warm-up pass over five of them
loads the catalogue and registers the durable-rules ruleset):

- read: ``audit.readers.read_bytes(data, name)``;
- parse: ``audit.parse.parse_document(intermediate)``;
- facts: ``audit.facts.build_facts(report, AuditContext())``;
- engine: ``audit.rulebook.check.evaluate(report, ctx, facts_builder=…)`` with the facts already
  built (rule selection, durable-rules, findings rendered).

The store stage is what the store audit adds: the same documents are seeded into a fresh store and
``gkaudit audit --json`` runs (one worker when the revision has ``--jobs``), then runs again with
nothing new to audit (start-up and the fixed steps); per document, the CPU time of the first run
less that of the second, less the four stages above, is "store and the rest" (database reads and
writes, the parsed model's JSON, context, CY05 planning, coverage, worker hand-over).

Every stage is CPU time (``time.process_time`` in the child; the CPU time of the commands and all
their worker processes for the store), which a shared, busy machine distorts far less than wall
time. Each stage prints as CPU milliseconds per document and as a share of the whole; each medium
also prints its read + parse + check rate in reports per CPU second.
"""

from __future__ import annotations

import argparse
import json

from bench_audit import _audit, fresh_store, has_jobs
from bench_support import Figure, Target, child_json, manifest_documents, sample_corpus

STAGES = ("read", "parse", "facts", "engine")
NAMES = {"read": "读取", "parse": "解析", "facts": "事实", "engine": "引擎", "store": "存储与其他"}
MEDIA = {"text": "文本", "html": "HTML", "docx": "DOCX", "pdf": "PDF"}

TIMER = r"""
import json, sys, time
from pathlib import Path
from audit.readers import read_bytes
from audit.parse import parse_document
from audit.facts import build_facts
from audit.report import AuditContext
from audit.rulebook.check import evaluate

files = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
clock = time.process_time

def one(path):
    data = Path(path).read_bytes()
    t0 = clock()
    doc = read_bytes(data, Path(path).name)
    t1 = clock()
    report = parse_document(doc)
    t2 = clock()
    ctx = AuditContext()
    facts = list(build_facts(report, ctx))
    t3 = clock()
    evaluate(report, ctx, facts_builder=lambda r, c: facts)
    t4 = clock()
    return {"read": t1 - t0, "parse": t2 - t1, "facts": t3 - t2, "engine": t4 - t3}

for path, _ in files[:5]:
    try:
        one(path)
    except Exception:
        pass
out = {}
for path, medium in files:
    try:
        times = one(path)
    except Exception as exc:
        print(f"{Path(path).name}: {type(exc).__name__}: {exc}")
        continue
    slot = out.setdefault(medium, {"n": 0, "read": 0.0, "parse": 0.0, "facts": 0.0, "engine": 0.0})
    slot["n"] += 1
    for k, v in times.items():
        slot[k] += v
print(json.dumps(out))
"""


def bench_stages(target: Target, opts: argparse.Namespace, state: dict) -> list[Figure]:
    """Time the stages on a sample of the corpus; print CPU ms per document and shares in %."""
    count = opts.stage_docs
    corpus = sample_corpus(count)
    docs = manifest_documents(corpus)
    listing = target.workdir("stages") / "files.json"
    listing.write_text(
        json.dumps([[str(corpus / d["file"]), d["format"]] for d in docs], ensure_ascii=False),
        encoding="utf-8",
    )
    per_medium: dict = child_json(target, TIMER, str(listing))  # type: ignore[assignment]
    n = sum(m["n"] for m in per_medium.values()) or 1
    totals = {s: sum(m[s] for m in per_medium.values()) / n for s in STAGES}

    data = fresh_store(target, corpus, count, "stages")
    serial = ["--jobs", "1"] if has_jobs(target) else []
    first, summary = _audit(target, data, *serial)
    idle, _ = _audit(target, data, *serial)  # nothing new: start-up and the fixed steps
    audited = int(summary.get("reports_audited") or 0) or n
    totals["store"] = max(0.0, (first.cpu - idle.cpu) / audited - sum(totals.values()))
    whole = sum(totals.values()) or 1.0

    figures = [
        Figure(f"{NAMES[s]} 每份 CPU", totals[s] * 1000, "ms", False, note=f"占 {totals[s] / whole:.0%}")
        for s in (*STAGES, "store")
    ]
    figures += [Figure(f"{NAMES[s]} 占比", totals[s] / whole * 100, "%", False) for s in (*STAGES, "store")]
    for medium, m in sorted(per_medium.items()):
        spent = sum(m[s] for s in STAGES)
        figures.append(
            Figure(
                f"{MEDIA.get(medium, medium)} 读取+解析+检查",
                m["n"] / spent if spent else None,
                "份/CPU 秒",
                note=f"{m['n']} 份",
            )
        )
    return figures
