"""Component benchmarks run inside the target's tree: CY05 copies and the PDF/DOCX readers.

- ``copies``: when the target has ``scripts/bench_copies.py``, its ``bench_copies(sizes)`` runs
  (it prints its own figures; a returned ``{name: number}`` mapping is compared too, a name with
  秒, s or MB counting as lower-is-better). Otherwise the clustering of CY05 alone is timed as the
  older ``scripts/bench.py`` did: ``audit.facts.similarity.find_copies`` over the synthetic
  narratives of ``tests/test_similarity.py`` (worst case: vocabulary repeated on purpose), one
  copy planted, at each size.
- ``readers``: ``scripts/bench_readers.py``'s ``bench_pdf()`` (the readable real PDFs of
  shared/corpus and the seed reports rendered as PDF: pages/s) and ``bench_docx()`` (the seeds as
  DOCX: documents/s).
"""

from __future__ import annotations

import argparse
import json

from bench_support import Figure, Target, child_json

COPIES = r"""
import json, sys, time
from pathlib import Path
sizes = json.loads(sys.argv[1])
if (Path(sys.path[0]) / "scripts" / "bench_copies.py").is_file():
    from bench_copies import bench_copies
    result = bench_copies(sizes)
    numbers = result if isinstance(result, dict) else {}
    figures = {str(k): v for k, v in numbers.items() if isinstance(v, (int, float))}
    print(json.dumps({"how": "scripts/bench_copies.py", "figures": figures}))
else:
    from test_similarity import corpus, plant_copy
    from audit.facts.similarity import find_copies
    figures = {}
    for n in sizes:
        items = corpus(n, seed=11)
        items[n // 2] = plant_copy(items[1], n // 2, items[n // 2].agency)
        start = time.perf_counter()
        found = find_copies(items)
        seconds = time.perf_counter() - start
        print(f"{n} 份：{seconds:.2f} 秒，发现雷同 {len(found.copies)} 份")
        figures[f"CY05 聚类 {n} 份（秒）"] = seconds
    print(json.dumps({"how": "find_copies", "figures": figures}))
"""

READERS = r"""
import json
import bench_readers
pages, pdf_s = bench_readers.bench_pdf()
docs, docx_s = bench_readers.bench_docx()
print(json.dumps({"pdf": [pages, pdf_s], "docx": [docs, docx_s]}))
"""

LOWER = ("秒", "MB", "seconds", "_s", "mb", "时间")


def bench_copies(target: Target, opts: argparse.Namespace, state: dict) -> list[Figure]:
    """Run the target's CY05 benchmark (or time ``find_copies`` where it has none)."""
    sizes = opts.copy_sizes
    result: dict = child_json(target, COPIES, json.dumps(sizes))  # type: ignore[assignment]
    figures = []
    for name, value in result["figures"].items():
        lower = any(word in name for word in LOWER)
        unit = "秒" if "秒" in name else ""
        figures.append(Figure(name, float(value), unit, not lower, note=f"经 {result['how']}"))
    return figures


def bench_readers(target: Target, opts: argparse.Namespace, state: dict) -> list[Figure]:
    """Run ``bench_pdf()`` and ``bench_docx()`` of the target's ``scripts/bench_readers.py``."""
    result: dict = child_json(target, READERS)  # type: ignore[assignment]
    pages, pdf_s = result["pdf"]
    docs, docx_s = result["docx"]
    return [
        Figure("PDF 读取", pages / pdf_s if pdf_s else None, "页/秒", note=f"{pages} 页"),
        Figure("DOCX 读取", docs / docx_s if docx_s else None, "份/秒", note=f"{docs} 份"),
    ]
