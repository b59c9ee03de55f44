"""Tests of the DOC/WPS reader: antiword text to blocks, converters, missing converters.

``fixtures/seed002-part.doc`` is the start of seed 002 (title, preamble, section 一 and table 2
with merged caption rows and wrapped headers) rendered as DOCX by ``render_docs.render_docx`` and
saved as Word 97 by LibreOffice (``soffice --headless --convert-to doc``).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pytest
from office import soffice_convert
from render_docs import seed_paths
from tooling import tool_missing

from audit.parse import parse_document, parse_path
from audit.readers import UnreadableError, read_bytes, sniff
from audit.readers.convert import ConversionError, run
from audit.readers.doc import blocks_from_antiword

FIXTURE = Path(__file__).parent / "fixtures" / "seed002-part.doc"
SEED002 = next(p for p in seed_paths() if p.name.startswith("002_"))

ANTIWORD_TEXT = """
                    某某区人民政府办公室

2024 年政府信息公开工作年度报告

本报告由某某区人民政府办公室编制，报告所列数据统计期限自 2024 年 1
月 1 日起至 2024 年 12 月 31 日止。

二、主动公开政府信息情况

|第二十条                                                          |
|第（一）项                                                        |
|                                                                  |
|信息内容        |本年制          |本年废          |现行有          |
|                |发件数          |止件数          |效件数          |
|规章            |0               |0               |0               |
|行政规范性文件  |3               |25              |21              |
|5.要求行政机关确|4               |                |                |
|认或重新出具已获|                |                |                |
|取信息          |                |                |                |

三、收到和处理政府信息公开申请情况
"""


def test_antiword_text_becomes_paragraphs_and_an_aligned_table() -> None:
    blocks = blocks_from_antiword(ANTIWORD_TEXT)
    assert [b.kind for b in blocks] == ["para", "para", "para", "para", "table", "para"]
    assert blocks[0].text == "某某区人民政府办公室"
    # lines of a paragraph are joined; no space is inserted between a digit and a CJK character
    assert (
        blocks[2].text
        == "本报告由某某区人民政府办公室编制，报告所列数据统计期限自 2024 年 1月 1 日起至 2024 年 12 月 31 日止。"
    )
    assert blocks[4].rows == [
        ["第二十条第（一）项", "", "", ""],  # the merged caption: one wide cell, two lines joined
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],  # wrapped headers joined
        ["规章", "0", "0", "0"],
        ["行政规范性文件", "3", "25", "21"],
        ["5.要求行政机关确认或重新出具已获取信息", "4", "", ""],  # wrapped label joined to its row
    ]


def test_a_full_width_caption_does_not_continue_the_row_above() -> None:
    text = "|规章        |1           |\n|第二十条                 |\n|第（五）项               |\n"
    rows = blocks_from_antiword(text)[0].rows
    assert rows == [["规章", "1"], ["第二十条第（五）项", ""]]


@pytest.mark.skipif(tool_missing("antiword"), reason="antiword not installed (scripts/setup-system.sh)")
@pytest.mark.parametrize("name", ["seed002-part.doc", "seed002-part.wps"])
def test_doc_through_antiword_gives_table2(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GKAUDIT_DOC_CONVERTER", "antiword")
    assert sniff(FIXTURE.read_bytes(), name) == "doc"
    doc = read_bytes(FIXTURE.read_bytes(), name)
    assert doc.media_type == "application/msword"
    report = parse_document(doc)
    want = parse_path(SEED002)
    t2 = [k for k in want.cells if k.startswith("t2.")]
    assert {k: report.value(k) for k in t2} == {k: want.value(k) for k in t2}
    assert report.value("t2.norm.valid") == 21
    assert report.agency == want.agency and report.year == want.year


@pytest.mark.skipif(tool_missing("soffice", "antiword"), reason="LibreOffice and antiword not both installed")
def test_tables_lost_by_libreoffice_are_taken_from_antiword(monkeypatch: pytest.MonkeyPatch) -> None:
    # LibreOffice re-imports its own Word 97 output without tables; antiword still reads them.
    monkeypatch.setenv("GKAUDIT_DOC_CONVERTER", "auto")
    doc = read_bytes(FIXTURE.read_bytes(), "x.doc")
    assert any(b.kind == "table" for b in doc.blocks)
    assert any("antiword" in p["detail"] for p in doc.problems if p["kind"] == "reader")
    assert parse_document(doc).value("t2.norm.repealed") == 25


def test_without_converter_the_error_names_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(UnreadableError) as err:
        read_bytes(FIXTURE.read_bytes(), "x.doc")
    assert "antiword" in str(err.value) and "libreoffice-writer-nogui" in str(err.value)
    assert "未安装" in str(err.value)


@pytest.mark.skipif(tool_missing("antiword"), reason="antiword not installed")
def test_ole_file_that_is_not_word_is_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GKAUDIT_DOC_CONVERTER", "antiword")
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000
    with pytest.raises(UnreadableError, match="Word 97-2003"):
        read_bytes(data, "x.doc")


def test_converter_timeout_kills_the_process_group() -> None:
    with pytest.raises(ConversionError, match="超时"):
        run(["sh", "-c", "sleep 30 & sleep 30"], timeout=0.5)


@pytest.mark.skipif(tool_missing("soffice"), reason="LibreOffice not installed")
def test_libreoffice_conversion_feeds_the_docx_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    from render_docs import blocks_of, render_docx

    from audit.readers.doc import read as read_doc

    # LibreOffice detects the format from the content, so Word bytes it can read well stand in
    # for a .doc written by Word (its own Word 97 output loses tables, see the test above).
    monkeypatch.setenv("GKAUDIT_DOC_CONVERTER", "soffice")
    doc = read_doc(render_docx(blocks_of(SEED002)), "x.doc")
    assert doc.media_type == "application/msword"
    report, want = parse_document(doc), parse_path(SEED002)
    assert {k: c.value for k, c in report.cells.items()} == {k: c.value for k, c in want.cells.items()}


def test_one_column_antiword_table_is_running_text() -> None:
    text = "|本报告由某某区人民政府办公室编制。      |\n|一、总体情况                          |\n"
    blocks = blocks_from_antiword(text)
    assert [(b.kind, b.text) for b in blocks] == [
        ("para", "本报告由某某区人民政府办公室编制。"),
        ("para", "一、总体情况"),
    ]


def _narrow_cell_doc(tmp_path: Path) -> bytes:
    """Return seed 002 as a Word 97 .doc written by LibreOffice, with a hand-drawn table added.

    The added table's last column is one character wide and its header cell spans it, so
    antiword prints ``|1|`` next to a row ending one column further left: the narrow cell that
    made the antiword grid raise IndexError in the default (auto) converter mode.
    """
    from docx.oxml.ns import qn
    from docx.shared import Twips
    from render_docs import blocks_of, render_docx

    document = docx.Document(io.BytesIO(render_docx(blocks_of(SEED002))))
    widths = [2400, 1800, 60]
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))
    for r, values in enumerate([["信息内容", "本年", ""], ["来信", "0", "1"], ["来访", "3", ""]]):
        for j, text in enumerate(values):
            table.cell(r, j).width = Twips(widths[j])
            table.cell(r, j).text = text
    table.cell(0, 1).merge(table.cell(0, 2))
    document.paragraphs[0]._p.addnext(table._tbl)  # right after the title, before the report's tables
    source = tmp_path / "report.docx"
    document.save(source)
    return soffice_convert(source, "doc")


@pytest.mark.skipif(tool_missing("soffice", "antiword"), reason="LibreOffice and antiword not both installed")
def test_auto_mode_reads_a_doc_with_a_narrow_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GKAUDIT_DOC_CONVERTER", "auto")
    data = _narrow_cell_doc(tmp_path)
    doc = read_bytes(data, "report.doc")
    tables = [b.rows for b in doc.blocks if b.kind == "table"]
    assert [["信息内容", "本年", ""], ["来信", "0", "1"], ["来访", "3", ""]] in tables
    report, want = parse_document(doc), parse_path(SEED002)
    t2 = [k for k in want.cells if k.startswith("t2.")]
    assert {k: report.value(k) for k in t2} == {k: want.value(k) for k in t2}


@pytest.mark.skipif(tool_missing("soffice", "antiword"), reason="LibreOffice and antiword not both installed")
def test_auto_mode_falls_back_to_libreoffice_when_antiword_output_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import audit.readers.doc

    def broken(text: str) -> list:
        raise IndexError("list assignment index out of range")

    monkeypatch.setenv("GKAUDIT_DOC_CONVERTER", "auto")
    monkeypatch.setattr(audit.readers.doc, "blocks_from_antiword", broken)
    doc = read_bytes(_narrow_cell_doc(tmp_path), "report.doc")
    details = [p["detail"] for p in doc.problems if p["kind"] == "reader"]
    assert any("antiword" in d and "IndexError" in d for d in details)
    report = parse_document(doc)  # LibreOffice's reading: the report is still read
    assert report.year == parse_path(SEED002).year and sorted(report.tables_found) == ["t2", "t3", "t4"]


def test_narrow_antiword_cell_keeps_its_own_column() -> None:
    # antiword's picture of a hand-drawn table whose last column is one character wide: the
    # header row ends one column left of the narrow cell's separators (was an IndexError)
    text = (
        "|信息内容                           |本年                       |\n"
        "|来信                               |0                         |1|\n"
        "|来访                               |3                         | |\n"
    )
    assert blocks_from_antiword(text)[0].rows == [
        ["信息内容", "本年", ""],
        ["来信", "0", "1"],
        ["来访", "3", ""],
    ]
