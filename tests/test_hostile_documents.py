"""Hostile documents (issue I): each is refused with the limit it breaks, in Chinese, in bounded time
and memory. Files are generated at test time (tests/hostile.py).

The worker cases run through :func:`audit.bounded.run_bounded` with a modest time and memory
budget, so that a missing protection shows up as a different outcome (the worker killed for
its time or memory) instead of a hung test. No test asserts a duration.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from corpus import corpus_dir
from hostile import (
    MiB,
    docx_bomb,
    docx_of_tiny_elements,
    html_span_bomb,
    pdf_one_page,
    pdf_pages,
    zlib_zeros,
)

from audit.bounded import parse_path_bounded, run_bounded
from audit.limits import Limits
from audit.readers import LimitExceeded, UnreadableError, read, read_path

# the budget a worker gets here: enough for any real report, small enough to catch a bomb fast
WORKER = Limits(max_seconds=60, max_memory=1024 * MiB)
LIMIT_NAMES = {f.name for f in dataclasses.fields(Limits)} | {"crash"}
GKAUDIT = str(Path(sys.executable).with_name("gkaudit"))


def _refused(data: bytes, name: str, limits: Limits = WORKER) -> LimitExceeded:
    """Return the LimitExceeded the bounded worker gives for ``data`` (fails on any other outcome)."""
    outcome = run_bounded(data, name, limits=limits)
    assert isinstance(outcome.error, LimitExceeded), outcome.error or "the document was read"
    assert outcome.error.limit in LIMIT_NAMES
    assert str(outcome.error).startswith("文档超出处理限制（")
    return outcome.error


def test_html_of_2000_rows_spanning_2147483647_is_refused_by_table_size() -> None:
    page = html_span_bomb(2000)
    assert len(page) < 200_000
    assert _refused(page, "bomb.html").limit == "max_cells"
    with pytest.raises(LimitExceeded, match="单元格位置"):
        read(page, "bomb.html")  # in process too: the check comes before expanding


def test_html_spans_are_capped_at_the_table_so_a_small_table_still_reads() -> None:
    page = html_span_bomb(20)
    table = next(b for b in read(page, "small.html").blocks if b.kind == "table")
    assert [r[0] for r in table.rows] == [f"第{i}行" for i in range(20)]
    assert sum(len(r) for r in table.rows) <= Limits().max_cells


def test_docx_inflating_to_gigabytes_is_refused_before_inflating() -> None:
    data = docx_bomb(2048)  # 2 GiB of document.xml in a file of about 2 MB
    assert len(data) < 4 * MiB
    error = _refused(data, "bomb.docx")
    assert error.limit == "max_member_bytes" and "word/document.xml" in str(error)


def test_docx_member_compressed_a_thousandfold_is_refused_by_ratio() -> None:
    error = _refused(docx_bomb(20), "ratio.docx")  # 20 MiB: under the size limit, ratio ~1000:1
    assert error.limit == "max_ratio"


def test_docx_of_millions_of_tiny_elements_is_refused_while_streaming() -> None:
    data = docx_of_tiny_elements(3_000_000)
    assert len(data) < MiB
    limits = dataclasses.replace(WORKER, max_ratio=10**6)  # let the element count speak, not the ratio
    assert _refused(data, "runs.docx", limits).limit == "max_elements"


def test_pdf_flate_stream_inflating_to_2_gb_is_refused_while_inflating() -> None:
    data = pdf_one_page(zlib_zeros(2048))
    assert len(data) < 4 * MiB
    assert _refused(data, "bomb.pdf").limit == "max_stream_bytes"


def test_pdf_of_2000_pages_is_refused_by_page_count() -> None:
    assert _refused(pdf_pages(2000), "long.pdf").limit == "max_pages"


def test_pdf_whose_count_lies_is_refused_on_the_pages_listed() -> None:
    limits = dataclasses.replace(WORKER, max_pages=50)
    assert _refused(pdf_pages(200, count=1), "lying.pdf", limits).limit == "max_pages"


def test_pdf_page_of_a_million_text_operators_is_refused_before_interpreting() -> None:
    content = b"BT /F1 1 Tf 10 10 Td " + b"(a) Tj " * 1_000_000 + b"ET"
    data = pdf_one_page(zlib.compress(content, 9))
    assert _refused(data, "ops.pdf").limit == "max_page_operators"


def test_200_mb_of_text_on_one_line_is_refused_by_size_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "line.txt"
    with path.open("wb") as fh:  # 200 MB written in chunks, never held in memory
        for _ in range(200):
            fh.write("一二三四五".encode() * (MiB // 15))
    assert path.stat().st_size > 190 * MiB
    with pytest.raises(LimitExceeded, match="文件大小") as err:
        parse_path_bounded(path, WORKER)
    assert err.value.limit == "max_bytes"


def test_a_long_line_under_the_size_limit_is_cut_with_an_anomaly() -> None:
    data = ("二〇二四年政府信息公开工作年度报告\n" + "一" * 3_000_000 + "\n").encode()
    outcome = run_bounded(data, "line.txt", limits=WORKER)
    assert outcome.error is None
    details = [a.detail for a in outcome.report.anomalies if a.kind == "reader"]
    assert any("3000000" in d and "100000" in d for d in details)
    assert max(len(b.text) for b in read(data, "line.txt").blocks) == Limits().max_line_chars


def test_50_mb_html_page_is_refused_by_its_tag_count() -> None:
    row = "<p>本机关依法公开政府信息，第" + "一" * 8 + "项。</p>\n"
    page = ("<html><body>" + row * (48_000_000 // len(row.encode())) + "</body></html>").encode()
    assert 45 * MiB < len(page) < WORKER.max_bytes
    assert _refused(page, "huge.html").limit == "max_elements"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableError, match="命名管道"):
        read_path(fifo)
    # the command line too: it would wait for a writer forever (the timeout only guards the test)
    result = subprocess.run([GKAUDIT, "check", str(fifo)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "命名管道" in result.stderr


def test_a_symlink_to_dev_zero_is_refused_as_a_device(tmp_path: Path) -> None:
    link = tmp_path / "report.pdf"
    link.symlink_to("/dev/zero")
    with pytest.raises(UnreadableError, match="字符设备"):
        read_path(link)
    with pytest.raises(UnreadableError, match="字符设备"):
        parse_path_bounded(link, WORKER)


def test_worker_time_limit_kills_the_worker() -> None:
    seed = corpus_dir("seeds") / "000_9244b7e655204337.txt"
    outcome = run_bounded(seed.read_bytes(), seed.name, limits=dataclasses.replace(WORKER, max_seconds=0.001))
    assert isinstance(outcome.error, LimitExceeded) and outcome.error.limit == "max_seconds"


def test_worker_memory_limit_stops_a_document_that_needs_more() -> None:
    # 36 MB of text needs several copies of itself while being decoded and split into lines
    data = ("一、总体情况\t" * 2_000_000).encode()
    outcome = run_bounded(data, "big.txt", limits=dataclasses.replace(WORKER, max_memory=64 * MiB))
    assert isinstance(outcome.error, LimitExceeded) and outcome.error.limit in ("max_memory", "crash")


def test_a_poison_document_does_not_stop_the_others(tmp_path: Path) -> None:
    seed = corpus_dir("seeds") / "000_9244b7e655204337.txt"
    poison = tmp_path / "poison.html"
    poison.write_bytes(html_span_bomb(2000))
    result = subprocess.run(
        [GKAUDIT, "check", str(poison), str(seed)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 2
    assert "文档超出处理限制" in result.stderr and "poison.html" in result.stderr
    assert "石嘴山市信访局" in result.stdout  # the seed after it was checked


def test_a_bad_limit_setting_is_one_chinese_line_naming_the_variable(tmp_path: Path) -> None:
    seed = tmp_path / "r.txt"
    seed.write_text("一、总体情况\n", encoding="utf-8")
    env = {**os.environ, "GKAUDIT_MAX_SECONDS": "十秒"}
    result = subprocess.run(
        [GKAUDIT, "parse", str(seed)], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "环境变量 GKAUDIT_MAX_SECONDS 的值“十秒”无效：应为正数，大小可带 K、M、G 后缀（如 50M）"
    ]


def test_a_45_mb_line_is_read_within_half_a_gigabyte() -> None:
    # the broken-font statistics once made a list of every character: 1.4 GB for this file
    data = ("一" * 15_000_000).encode()
    outcome = run_bounded(data, "line.txt", limits=dataclasses.replace(WORKER, max_memory=512 * MiB))
    assert outcome.error is None and outcome.report is not None
