"""Benchmark command: parse throughput in reports/s for text and HTML reports (not a test).

Usage: ``python scripts/bench.py [--seconds S]``

Text: the five seed reports (shared/corpus/seeds), parsed again and again. HTML: the same seeds
rendered in the three CMS layouts of ``tests/html_layouts.py`` (UTF-8 TRS page with chrome,
GBK page with layout tables, rowspan/colspan with split tables). For each format it prints the
reader alone and reader + label-driven parser. If ``scripts/bench_readers.py`` exists, its
``bench_pdf()`` and ``bench_docx()`` are called as well. Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "scripts")]

from audit.parse import parse_document  # noqa: E402
from audit.readers import read_bytes  # noqa: E402


def throughput(
    docs: list[tuple[str, bytes]], work: Callable[[bytes, str], object], seconds: float
) -> tuple[float, int]:
    """Return (documents per second, documents processed) running ``work`` over ``docs`` for ``seconds``."""
    done = 0
    start = time.perf_counter()
    while True:
        for name, data in docs:
            work(data, name)
        done += len(docs)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed, done


def read_only(data: bytes, name: str) -> object:
    """Run the format reader only."""
    return read_bytes(data, name)


def read_and_parse(data: bytes, name: str) -> object:
    """Run the reader and the label-driven parser."""
    return parse_document(read_bytes(data, name))


def report(label: str, docs: list[tuple[str, bytes]], seconds: float) -> None:
    """Print reader and reader+parser throughput for a set of documents."""
    size = sum(len(d) for _, d in docs) / max(len(docs), 1) / 1024
    r_rate, r_n = throughput(docs, read_only, seconds)
    p_rate, p_n = throughput(docs, read_and_parse, seconds)
    print(f"{label}：{len(docs)} 份样本，平均 {size:.1f} KB")
    print(f"  仅读取      {r_rate:8.1f} 份/秒（{r_n} 份）")
    print(f"  读取+解析   {p_rate:8.1f} 份/秒（{p_n} 份）")


def bench_checks(docs: list[tuple[str, bytes]]) -> None:
    """Print rule-check throughput of the durable-rules engine and of the plain-Python oracle."""
    from audit.parse import parse_bytes
    from audit.rulebook.check import check_report

    reports = [parse_bytes(data, name) for name, data in docs]
    print("\n规则检查（已解析的样本报告）：")
    for evaluator in ("engine", "oracle"):
        check_report(reports[0], evaluator=evaluator)  # warm-up: catalogue load, ruleset registration
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < 2.0:
            for r in reports:
                check_report(r, evaluator=evaluator)
                n += 1
        print(f"  {evaluator:<7} {n / (time.perf_counter() - start):8.1f} 份/秒（{n} 份）")


def bench_copies() -> None:
    """Print CY05 clustering time for synthetic provinces of 100 and 1,000 reports."""
    from test_similarity import corpus, plant_copy

    from audit.facts.similarity import find_copies
    from audit.rulebook.bounds import copy_floor
    from audit.rulebook.check import default_catalog

    print("\nCY05 跨机关雷同聚类（合成语料，词汇刻意重复：最坏情况）：")
    for n in (100, 1000):
        items = corpus(n, seed=11)
        items[n // 2] = plant_copy(items[1], n // 2, items[n // 2].agency)
        start = time.perf_counter()
        found = find_copies(items, floor=copy_floor(default_catalog()))
        print(f"  {n:>5} 份  {time.perf_counter() - start:6.2f} 秒  发现雷同 {len(found.copies)} 份")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description="解析吞吐量基准（份/秒）")
    ap.add_argument("--seconds", type=float, default=3.0, help="每项测量的时长（秒），默认 3")
    args = ap.parse_args(argv)

    from html_layouts import LAYOUTS, build, seed_paths

    seeds = seed_paths()
    if not seeds:
        print("未找到样本报告（shared/corpus/seeds/*.txt），无法运行基准")
        return 1
    text_docs = [(p.name, p.read_bytes()) for p in seeds]
    print(f"Python {sys.version.split()[0]}，每项测量约 {args.seconds:g} 秒\n")
    report("文本（.txt）", text_docs, args.seconds)
    for layout in LAYOUTS:
        html_docs = [(f"{p.stem}.{layout}.html", build(p, layout)) for p in seeds]
        report(f"HTML（{layout} 版式）", html_docs, args.seconds)

    bench_checks(text_docs)
    bench_copies()
    try:
        import bench_readers  # type: ignore[import-not-found]
    except ImportError:
        print("\nscripts/bench_readers.py 不存在，跳过 PDF/DOCX 基准")
        return 0
    for name in ("bench_pdf", "bench_docx"):
        fn = getattr(bench_readers, name, None)
        if fn is None:
            print(f"\nscripts/bench_readers.py 中没有 {name}()，跳过")
            continue
        print(f"\n{name}：")
        try:
            result = fn()
        except Exception as exc:  # a broken reader bench must not hide the other figures
            print(f"  运行失败：{type(exc).__name__}: {exc}")
            continue
        if result is not None:
            print(f"  返回：{result}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
