"""Tests of the DOCX reader: seed round trips, body order, merged cells, nested tables, text boxes."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.oxml import parse_xml
from render_docs import blocks_of, render_docx, seed_paths

from audit.parse import parse_document, parse_path
from audit.readers import UnreadableError, read_bytes
from audit.readers.docx import read as read_docx


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {p.stem: render_docx(blocks_of(p)) for p in seed_paths()}


@pytest.mark.parametrize("seed", [p.stem for p in seed_paths()])
def test_seed_docx_gives_the_cells_of_the_text(seed: str, rendered: dict[str, bytes]) -> None:
    path = next(p for p in seed_paths() if p.stem == seed)
    want = parse_path(path)
    got = parse_document(read_bytes(rendered[seed], f"{seed}.docx"))
    assert got.media_type.endswith("wordprocessingml.document")
    assert {k: v.value for k, v in got.cells.items()} == {k: v.value for k, v in want.cells.items()}
    assert [s for s in got.sections if got.sections[s].present] == [
        s for s in want.sections if want.sections[s].present
    ]
    assert (got.agency, got.year) == (want.agency, want.year)


def test_rendered_seed_really_has_merged_cells(rendered: dict[str, bytes]) -> None:
    xml = zipfile.ZipFile(io.BytesIO(rendered["003_552a8d10fa63c5da"])).read("word/document.xml").decode()
    assert "w:gridSpan" in xml and "w:vMerge" in xml


def test_paragraphs_and_tables_keep_body_order() -> None:
    d = docx.Document()
    d.add_paragraph("二、主动公开政府信息情况")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "信息内容", "本年处理决定数量"
    t.cell(1, 0).text, t.cell(1, 1).text = "行政许可", "12"
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    d.add_table(rows=1, cols=2).cell(0, 0).text = "一、本年新收政府信息公开申请数量"
    doc = read_docx(_save(d), "o.docx")
    assert [(b.kind, b.text or b.rows[0][0]) for b in doc.blocks] == [
        ("para", "二、主动公开政府信息情况"),
        ("table", "信息内容"),
        ("para", "三、收到和处理政府信息公开申请情况"),
        ("table", "一、本年新收政府信息公开申请数量"),
    ]


def test_merged_cells_appear_once() -> None:
    d = docx.Document()
    t = d.add_table(rows=4, cols=4)
    t.cell(0, 0).merge(t.cell(0, 3)).text = "第二十条第（一）项"
    for j, text in enumerate(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]):
        t.cell(1, j).text = text
    t.cell(2, 0).merge(t.cell(3, 0)).text = "规章"
    for j, text in enumerate(["1", "0", "11"], start=1):
        t.cell(2, j).text = text
    t.cell(3, 1).merge(t.cell(3, 2)).text = "5"  # a value drawn over two grid columns
    t.cell(3, 3).text = "7"
    doc = read_docx(_save(d), "m.docx")
    assert doc.blocks[0].rows == [
        ["第二十条第（一）项", "", "", ""],  # header row: spanned positions kept as ""
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "11"],
        ["", "5", "7"],  # merged down: "" below; numeric row: one entry per printed cell
    ]


def test_nested_table_comes_after_its_outer_table() -> None:
    d = docx.Document()
    outer = d.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "外层"
    inner = outer.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "行政许可", "447228"
    d.add_paragraph("之后的段落")
    doc = read_docx(_save(d), "n.docx")
    assert [b.kind for b in doc.blocks] == ["table", "table", "para"]
    assert doc.blocks[0].rows == [["外层", ""]]  # nested text not repeated in the outer cell
    assert doc.blocks[1].rows == [["行政许可", "447228"]]


_TEXTBOX = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml">'
    '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
    "<w:p><w:r><w:t>文本框里的说明</w:t></w:r></w:p>"
    "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>行政处罚</w:t></w:r></w:p></w:tc>"
    "<w:tc><w:p><w:r><w:t>4119</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    "</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
    "<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
    "<w:p><w:r><w:t>文本框里的说明</w:t></w:r></w:p>"
    "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
)


def test_text_box_content_is_read_once_where_it_is_anchored() -> None:
    d = docx.Document()
    anchor = d.add_paragraph("正文段落")
    anchor._p.append(parse_xml(_TEXTBOX))
    d.add_paragraph("下一段")
    doc = read_docx(_save(d), "tb.docx")
    assert [(b.kind, b.text or b.rows) for b in doc.blocks] == [
        ("para", "正文段落"),
        ("para", "文本框里的说明"),
        ("table", [["行政处罚", "4119"]]),
        ("para", "下一段"),
    ]


def test_cell_paragraphs_join_like_wrapped_lines() -> None:
    d = docx.Document()
    cell = d.add_table(rows=1, cols=2).cell(0, 0)
    cell.text = "社会公益"
    cell.add_paragraph("组织")
    doc = read_docx(_save(d), "w.docx")
    assert doc.blocks[0].rows == [["社会公益组织", ""]]


def test_image_only_docx_is_unreadable() -> None:
    d = docx.Document()
    d.add_paragraph("   ")
    doc = read_docx(_save(d), "empty.docx")
    assert doc.problems and doc.problems[0]["kind"] == "unreadable"


def test_corrupt_docx_raises_unreadable_error() -> None:
    data = bytearray(_save(docx.Document()))
    data[len(data) // 2 : len(data) // 2 + 200] = b"\0" * 200
    with pytest.raises(UnreadableError, match="Word"):
        read_bytes(bytes(data), "broken.docx")


def test_bench_docx_counts_documents(rendered: dict[str, bytes], tmp_path) -> None:
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "bench_readers.py"
    spec = importlib.util.spec_from_file_location("bench_readers", script)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "a.docx"
    path.write_bytes(rendered["001_3b0ef87fded11b72"])
    docs, seconds = bench.bench_docx([path, path])
    assert docs == 2 and seconds > 0


_ABSTRACT = (
    '<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:abstractNumId="90">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
    '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>'
    "</w:abstractNum>"
)
_NUM = (
    '<w:num xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:numId="90">'
    '<w:abstractNumId w:val="90"/></w:num>'
)


def _numbered(paragraph, level: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(
        parse_xml(
            '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f'<w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
        )
    )


def test_automatic_list_numbering_is_printed() -> None:
    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(_ABSTRACT))
    numbering.append(parse_xml(_NUM))
    items = [
        (0, "总体情况"),
        (1, "主动公开情况"),
        (1, "依申请公开情况"),
        (2, "属于国家秘密"),
        (2, "其他法律行政法规禁止公开"),
        (0, "主动公开政府信息情况"),
        (1, "行政许可"),
    ]
    for level, text in items:
        _numbered(d.add_paragraph(text), level)
    d.add_paragraph("未编号的段落")
    doc = read_docx(_save(d), "num.docx")
    assert [b.text for b in doc.blocks] == [
        "一、总体情况",
        "（一）主动公开情况",
        "（二）依申请公开情况",
        "1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "二、主动公开政府信息情况",
        "（一）行政许可",
        "未编号的段落",
    ]


def test_chinese_counting_above_ten() -> None:
    from audit.readers.docx_numbering import format_number

    assert [format_number(n, "chineseCounting") for n in (1, 10, 11, 20, 23)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十三",
    ]
    assert format_number(3, "decimalEnclosedCircle") == "③" and format_number(4, "upperRoman") == "IV"


def test_legacy_horizontal_merge() -> None:
    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    t.cell(0, 0).text, t.cell(0, 1).text = "行政许可", "12"
    t.cell(1, 0).text = "第二十条第（五）项"
    for row, col in ((0, 2), (1, 1), (1, 2)):
        t.cell(row, col)._tc.get_or_add_tcPr().append(
            parse_xml('<w:hMerge xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
        )
    doc = read_docx(_save(d), "h.docx")
    assert doc.blocks[0].rows == [["行政许可", "12"], ["第二十条第（五）项", "", ""]]


def test_framed_running_text_comes_out_as_paragraphs() -> None:
    d = docx.Document()
    box = d.add_table(rows=1, cols=1).cell(0, 0)  # the preamble framed in a one-cell table
    box.text = "本报告由某某区人民政府办公室编制。"
    box.add_paragraph("一、总体情况")
    frame = d.add_table(rows=6, cols=2)
    frame.cell(0, 0).merge(frame.cell(0, 1)).text = "二、主动公开政府信息情况"
    frame.cell(1, 0).merge(frame.cell(1, 1)).text = "第二十条第（五）项"
    frame.cell(2, 0).text, frame.cell(2, 1).text = "行政许可", "12"
    frame.cell(3, 0).merge(frame.cell(3, 1)).text = "四、政府信息公开行政复议、行政诉讼情况"
    frame.cell(4, 0).text, frame.cell(4, 1).text = "结果维持", "总计"
    frame.cell(5, 0).text, frame.cell(5, 1).text = "0", "0"
    doc = read_docx(_save(d), "frame.docx")
    assert [(b.kind, b.text or b.rows) for b in doc.blocks] == [
        ("para", "本报告由某某区人民政府办公室编制。"),
        ("para", "一、总体情况"),
        ("para", "二、主动公开政府信息情况"),
        ("table", [["第二十条第（五）项", ""], ["行政许可", "12"]]),
        ("para", "四、政府信息公开行政复议、行政诉讼情况"),
        ("table", [["结果维持", "总计"], ["0", "0"]]),
    ]


def test_pages_from_the_page_breaks_word_recorded() -> None:
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    d.add_paragraph("一、总体情况")
    d.add_paragraph("正文").add_run().add_break(WD_BREAK.PAGE)
    d.add_paragraph("二、主动公开政府信息情况")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "行政许可", "1"
    t.cell(1, 0).text, t.cell(1, 1).text = "行政处罚", "2"
    t.cell(1, 0).paragraphs[0].runs[0]._r.insert(
        0,
        parse_xml(
            '<w:lastRenderedPageBreak xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
        ),
    )
    doc = read_docx(_save(d), "pages.docx")
    assert [b.page for b in doc.blocks] == [1, 1, 2, 2]
    assert doc.blocks[3].row_pages == [2, 3] and doc.pages == 3
    plain = docx.Document()
    plain.add_paragraph("没有分页信息")
    assert read_docx(_save(plain), "p.docx").blocks[0].page is None
