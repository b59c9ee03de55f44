"""Reader benchmarks: PDF pages per second and DOCX reports per second (not a test).

Usage: ``python scripts/bench_readers.py [--repeat N]``. ``scripts/bench.py`` calls ``bench_pdf()``
and ``bench_docx()`` without arguments. By default the PDFs are the three real reports of
``shared/corpus/real`` plus the five seed reports rendered as PDF (``tests/render_docs.py``), and
the DOCX files are the five seeds rendered as Word documents. Prints figures only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterable
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


def main() -> int:
    """Run both benchmarks ``--repeat`` times."""
    parser = argparse.ArgumentParser(description="PDF/DOCX 读取基准")
    parser.add_argument("--repeat", type=int, default=1, help="重复次数")
    args = parser.parse_args()
    for _ in range(args.repeat):
        bench_pdf()
        bench_docx()
    return 0


if __name__ == "__main__":
    sys.exit(main())
