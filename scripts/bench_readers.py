"""Reader benchmarks (not a test): PDF pages/s, DOCX reports/s, the worker's cost, hostile documents.

Usage: ``python scripts/bench_readers.py [--repeat N] [--worker] [--hostile]``.
``scripts/bench.py`` calls ``bench_pdf()`` and ``bench_docx()`` without arguments. By default the
PDFs are the three real reports of ``shared/corpus/real`` plus the five seed reports rendered as
PDF (``tests/render_docs.py``), and the DOCX files are the five seeds rendered as Word documents.

``--worker`` prints what parsing each seed in a bounded worker (:mod:`audit.bounded`) costs over
parsing it in this process (median of several runs). ``--hostile`` reads each hostile document
of ``tests/hostile.py`` in a bounded worker with the default limits and prints the outcome, the
time and the worker's peak RSS. Prints figures only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from render_docs import render_seed, seed_paths  # noqa: E402

REAL = ROOT.parent / "shared" / "corpus" / "real"
_TMP = Path(tempfile.gettempdir()) / "gkaudit-bench"


def default_pdfs() -> list[Path]:
    """Return the real readable PDFs and the seed reports rendered as PDF (written to a temp dir)."""
    paths = [p for p in sorted(REAL.glob("*.pdf")) if "broken" not in p.name]
    _TMP.mkdir(exist_ok=True)
    for seed in seed_paths():
        out = _TMP / f"{seed.stem}.pdf"
        if not out.exists():
            out.write_bytes(render_seed(seed, "pdf"))
        paths.append(out)
    return paths


def default_docx() -> list[Path]:
    """Return the seed reports rendered as DOCX (written to a temp dir)."""
    _TMP.mkdir(exist_ok=True)
    paths = []
    for seed in seed_paths():
        out = _TMP / f"{seed.stem}.docx"
        if not out.exists():
            out.write_bytes(render_seed(seed, "docx"))
        paths.append(out)
    return paths


def bench_pdf(paths: Iterable[Path | str] | None = None) -> tuple[int, float]:
    """Read PDFs with the PDF reader; print pages/s and return (pages read, seconds)."""
    from audit.readers.pdf import read as read_pdf

    files = [(str(p), Path(p).read_bytes()) for p in (paths if paths is not None else default_pdfs())]
    pages, start = 0, time.perf_counter()
    for name, data in files:
        pages += read_pdf(data, name).pages or 0
    seconds = time.perf_counter() - start
    print(f"PDF：{len(files)} 份 {pages} 页，{seconds:.2f} 秒，{pages / seconds if seconds else 0:.1f} 页/秒")
    return pages, seconds


def bench_docx(paths: Iterable[Path | str] | None = None) -> tuple[int, float]:
    """Read DOCX files with the DOCX reader; print reports/s and return (documents read, seconds)."""
    from audit.readers.docx import read as read_docx

    files = [(str(p), Path(p).read_bytes()) for p in (paths if paths is not None else default_docx())]
    start = time.perf_counter()
    for name, data in files:
        read_docx(data, name)
    seconds = time.perf_counter() - start
    docs = len(files)
    print(f"DOCX：{docs} 份，{seconds:.2f} 秒，{docs / seconds if seconds else 0:.1f} 份/秒")
    return docs, seconds


def bench_worker(repeat: int = 7) -> list[tuple[str, float, float]]:
    """Print the median time of parsing each seed in process and in a bounded worker (ms)."""
    from audit.bounded import run_bounded
    from audit.parse import parse_bytes

    rows = []
    run_bounded(b"warm-up", "w.txt")  # the forkserver starts once per process
    for seed in seed_paths():
        data = seed.read_bytes()
        inside, worker = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            parse_bytes(data, seed.name)
            inside.append(time.perf_counter() - start)
            outcome = run_bounded(data, seed.name)
            assert outcome.error is None, outcome.error
            worker.append(outcome.seconds)
        a, b = statistics.median(inside) * 1000, statistics.median(worker) * 1000
        rows.append((seed.name, a, b))
        print(f"{seed.name}：进程内 {a:.0f} ms，工作进程 {b:.0f} ms，多 {b - a:.0f} ms")
    return rows


def hostile_cases() -> list[tuple[str, str, Callable[[], bytes]]]:
    """Return the hostile documents of issue I as (label, file name, generator)."""
    import hostile

    def html_50mb() -> bytes:
        row = "<p>本机关依法公开政府信息，第" + "一" * 8 + "项。</p>\n"
        return ("<html><body>" + row * (48_000_000 // len(row.encode())) + "</body></html>").encode()

    return [
        (
            "178 KB 网页：2000 行 rowspan/colspan=2147483647",
            "span.html",
            lambda: hostile.html_span_bomb(2000),
        ),
        ("DOCX 解压后 3.9 GiB", "bomb.docx", lambda: hostile.docx_bomb(4000)),
        ("DOCX 含 500 万个空元素", "runs.docx", lambda: hostile.docx_of_tiny_elements(5_000_000)),
        ("PDF 数据流解压后 2 GB", "stream.pdf", lambda: hostile.pdf_one_page(hostile.zlib_zeros(2048))),
        ("PDF 2000 页", "pages.pdf", lambda: hostile.pdf_pages(2000)),
        (
            "PDF 一页 100 万个文字指令",
            "ops.pdf",
            lambda: hostile.pdf_one_page(zlib.compress(b"BT /F1 1 Tf " + b"(a) Tj " * 1_000_000 + b"ET")),
        ),
        ("48 MB 网页（62 万段）", "huge.html", html_50mb),
        ("45 MB 文本一行", "line.txt", lambda: ("一" * 15_000_000).encode()),
    ]


def bench_hostile() -> None:
    """Print each hostile document's outcome in a bounded worker: limit, seconds, peak RSS."""
    from audit.bounded import run_bounded

    for label, name, make in hostile_cases():
        data = make()
        outcome = run_bounded(data, name)
        rss = f"{outcome.peak_rss / 2**20:.0f} MB" if outcome.peak_rss else "未知"
        what = (
            str(outcome.error) if outcome.error else f"已读取（{len(outcome.report.anomalies)} 条解析异常）"
        )
        print(f"{label}（{len(data) / 2**20:.1f} MB）：{what}；{outcome.seconds:.2f} 秒，峰值内存 {rss}")


def main() -> int:
    """Run the benchmarks ``--repeat`` times."""
    parser = argparse.ArgumentParser(description="PDF/DOCX 读取基准、工作进程开销、恶意文档")
    parser.add_argument("--repeat", type=int, default=1, help="重复次数")
    parser.add_argument("--worker", action="store_true", help="只测工作进程的开销")
    parser.add_argument("--hostile", action="store_true", help="只测恶意文档")
    args = parser.parse_args()
    if args.worker or args.hostile:
        if args.worker:
            bench_worker()
        if args.hostile:
            bench_hostile()
        return 0
    for _ in range(args.repeat):
        bench_pdf()
        bench_docx()
    return 0


if __name__ == "__main__":
    sys.exit(main())
