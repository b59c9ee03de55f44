"""Reader benchmarks (not a test): PDF pages/s, DOCX reports/s, the worker's cost, hostile documents.

Usage: ``python scripts/bench_readers.py [--repeat N] [--worker] [--hostile]
[--pdf [FILE_OR_DIR ...]] [--compare REV]``.
``scripts/bench.py`` calls ``bench_pdf()`` and ``bench_docx()`` without arguments. By default the
PDFs are the three real reports of ``shared/corpus/real`` plus the five seed reports rendered as
PDF (``tests/render_docs.py``), and the DOCX files are the five seeds rendered as Word documents.

``--pdf`` measures the PDF reader only (on the given files and folders, else the default PDFs):
CPU seconds of the reading process (a shared machine's wall clock counts the neighbours too)
after an untimed first read, pages/s of the fastest run (the shortest time) and the median of
``--repeat`` runs (at least 3). ``--compare REV`` measures git revision REV
(its ``audit`` package, from ``git archive``) and the working tree in turns, each run in a fresh
process, and prints both and their ratio.

``--worker`` prints what parsing each seed in a bounded worker (:mod:`audit.bounded`) costs over
parsing it in this process (median of several runs). ``--hostile`` reads each hostile document
of ``tests/hostile.py`` in a bounded worker with the default limits and prints the outcome, the
time and the worker's peak RSS. Prints figures only.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tarfile
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
    files = [(str(p), Path(p).read_bytes()) for p in (paths if paths is not None else default_pdfs())]
    pages, seconds, cpu = _read_pdfs(files)
    print(
        f"PDF：{len(files)} 份 {pages} 页，{seconds:.2f} 秒（CPU {cpu:.2f} 秒），"
        f"{pages / seconds if seconds else 0:.1f} 页/秒（按 CPU 时间 {pages / cpu if cpu else 0:.1f} 页/秒）"
    )
    return pages, seconds


def _read_pdfs(files: list[tuple[str, bytes]]) -> tuple[int, float, float]:
    """Read the PDFs once; return (pages, wall seconds, CPU seconds of this process)."""
    from audit.readers.pdf import read as read_pdf

    pages, start, cpu = 0, time.perf_counter(), time.process_time()
    for name, data in files:
        pages += read_pdf(data, name).pages or 0
    return pages, time.perf_counter() - start, time.process_time() - cpu


def pdf_files(args: list[str]) -> list[Path]:
    """Return the PDFs named by files and folders (their ``*.pdf``), else the default PDFs."""
    if not args:
        return default_pdfs()
    out: list[Path] = []
    for arg in map(Path, args):
        out.extend(sorted(arg.glob("*.pdf")) if arg.is_dir() else [arg])
    return out


def _pdf_run(root: Path, files: list[Path]) -> dict[str, float]:
    """Read ``files`` once in a fresh process with the ``audit`` package of ``root``, after reading
    the first one untimed (loading fonts and CMaps happens once per process)."""
    code = (
        "import json, sys, time; sys.path.insert(0, sys.argv[1]); import audit;"
        "assert audit.__file__.startswith(sys.argv[1]), audit.__file__;"
        "from audit.readers.pdf import read; names = sys.argv[2:];"
        "data = [open(n, 'rb').read() for n in names]; read(data[0], names[0]); t = time.process_time();"
        "pages = sum(read(d, n).pages or 0 for n, d in zip(names, data));"
        "print(json.dumps({'pages': pages, 'cpu': time.process_time() - t}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root), *map(str, files)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_pdf_compare(files: list[Path], repeat: int, rev: str | None) -> dict[str, list[float]]:
    """Print pages/s by CPU time (fastest and median of ``repeat`` runs) of the working tree, and of
    ``rev`` measured in turns with it; return the pages/s of each run by label."""
    roots = {"工作区": ROOT}
    with tempfile.TemporaryDirectory() as tmp:
        if rev is not None:
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", rev, "audit"], capture_output=True, check=True
            )
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(tmp, filter="data")
            roots = {rev: Path(tmp), **roots}
        rates: dict[str, list[float]] = {label: [] for label in roots}
        pages = 0
        for _ in range(repeat):
            for label, root in roots.items():
                run = _pdf_run(root, files)
                pages = int(run["pages"])
                rates[label].append(pages / run["cpu"])
    print(f"PDF：{len(files)} 份 {pages} 页，每种 {repeat} 次，轮流运行，按 CPU 时间计")
    for label, values in rates.items():
        print(
            f"  {label}：最快一次 {max(values):.1f} 页/秒（用时最短），中位数 {statistics.median(values):.1f} 页/秒"
        )
    if rev is not None:
        ratio = statistics.median(rates["工作区"]) / statistics.median(rates[rev])
        print(f"  工作区 / {rev}（中位数之比）：{ratio:.1f} 倍")
    return rates


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
    parser.add_argument("--pdf", nargs="*", metavar="PDF", help="只测 PDF 读取（可给文件或文件夹）")
    parser.add_argument("--compare", metavar="REV", help="与该 git 版本轮流比较（配合 --pdf）")
    args = parser.parse_args()
    if args.pdf is not None or args.compare:
        bench_pdf_compare(pdf_files(args.pdf or []), max(args.repeat, 3), args.compare)
        return 0
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
