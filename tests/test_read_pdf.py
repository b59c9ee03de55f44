"""Tests of the PDF reader: seed round trips, real published PDFs, unreadable files, helpers."""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path

import pytest
from corpus import SHARED, corpus_dir
from render_docs import blocks_of, render_pdf, seed_paths

from audit.parse import parse_document, parse_path
from audit.readers import UnreadableError, read_bytes
from audit.readers.common import join_cell_lines
from audit.readers.pdf import read as read_pdf
from audit.readers.pdf import unreadable_reason
from audit.readers.pdf_page import is_page_number

REAL = SHARED / "real"


@pytest.fixture
def real_corpus() -> Path:
    """The real published reports (skipped when absent, a failure in CI)."""
    return corpus_dir("real")


needs_real = pytest.mark.usefixtures("real_corpus")


@functools.cache
def _real(name: str):
    """Return the intermediate document of a real PDF (read once per test run)."""
    return read_pdf((REAL / name).read_bytes(), name)


def _pdf(draw) -> bytes:
    """Return a one-or-more-page PDF drawn by ``draw(canvas)`` with the STSong-Light CID font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setFont("STSong-Light", 12)
    draw(c)
    c.save()
    return out.getvalue()


# --- seeds rendered as PDF round-trip to the same cells ------------------------------------------


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {p.stem: render_pdf(blocks_of(p)) for p in seed_paths()}


@pytest.mark.parametrize("seed", [p.stem for p in seed_paths()])
def test_seed_pdf_gives_the_cells_of_the_text(seed: str, rendered: dict[str, bytes]) -> None:
    path = next(p for p in seed_paths() if p.stem == seed)
    want = parse_path(path)
    got = parse_document(read_bytes(rendered[seed], f"{seed}.pdf"))
    assert got.readable
    assert {k: v.value for k, v in got.cells.items()} == {k: v.value for k, v in want.cells.items()}
    assert [s for s in got.sections if got.sections[s].present] == [
        s for s in want.sections if want.sections[s].present
    ]
    assert (got.agency, got.year) == (want.agency, want.year)


def test_table3_split_over_two_pages_is_one_table_in_row_order(rendered: dict[str, bytes]) -> None:
    doc = read_bytes(rendered["000_9244b7e655204337"], "000.pdf")
    t3 = next(b for b in doc.blocks if b.kind == "table" and any("本年新收" in c for r in b.rows for c in r))
    assert len(set(t3.row_pages)) == 2 and t3.row_pages == sorted(t3.row_pages)
    assert len(t3.row_pages) == len(t3.rows)
    labels = [next((c for c in reversed(r) if c and not c.isdigit()), "") for r in t3.rows]
    assert (
        labels.index("1. 属于国家秘密") < labels.index("3. 补正后申请内容仍不明确") < labels.index("(七)总计")
    )
    # the merged group label cut by the page break ("(四)无" / "法提供") is whole again
    flat = [c for r in t3.rows for c in r]
    assert "(四)无法提供" in flat and "法提供" not in flat
    # the vertical label printed one character per line is joined without spaces
    assert "三、本年度办理结果" in flat
    # long labels wrapped inside their cells are joined without inserted spaces
    assert any(c.startswith("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请") for c in flat)


def test_page_footers_are_not_paragraphs(rendered: dict[str, bytes]) -> None:
    doc = read_bytes(rendered["001_3b0ef87fded11b72"], "001.pdf")
    assert doc.pages and doc.pages >= 3
    assert not any(b.kind == "para" and is_page_number(b.text) for b in doc.blocks)
    assert all(b.page for b in doc.blocks)


# --- real published PDFs ---------------------------------------------------------------------------


@needs_real
@pytest.mark.parametrize("name", ["huaian-city-2024.pdf", "huaian-hongze-2023.pdf", "huaian-hongze-2024.pdf"])
def test_real_pdf_cells_match_gold(name: str) -> None:
    gold = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))[name]["cells"]
    report = parse_document(_real(name))
    got = {k: report.value(k) for k in gold}
    wrong = {k: (got[k], v) for k, v in gold.items() if got[k] != v}
    assert not wrong


@needs_real
def test_real_pdf_layout_of_huaian_city() -> None:
    doc = _real("huaian-city-2024.pdf")
    assert doc.problems == []
    paras = [b for b in doc.blocks if b.kind == "para"]
    # the preamble is printed inside a one-cell framed box: it is running text, one paragraph
    preamble = next(b for b in paras if b.text.startswith("本报告由淮安市人民政府办公室"))
    assert preamble.text.endswith("hazwgkc@163.com）。") and preamble.page == 1
    assert not any(is_page_number(b.text) for b in paras)
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 3  # t2 (pages 3–4), t3 (pages 4–5), t4
    t2, t3, t4 = tables
    assert t2.rows[0][0] == "第二十条第（一）项" and set(t2.row_pages) == {3, 4}
    assert set(t3.row_pages) == {4, 5}
    labels = [c for r in t3.rows for c in r[:3]]
    assert "（四）无法提供" in labels and "法提供" not in labels
    assert "三、本年度办理结果" in labels
    assert t4.rows[-1][-1] == "20"
    # reading order: section titles come right before their tables
    order = [b.text if b.kind == "para" else "TABLE" for b in doc.blocks]
    assert order[order.index("三、收到和处理政府信息公开申请情况") + 1] == "TABLE"


@needs_real
def test_real_pdf_single_other_row_in_hongze() -> None:
    doc = _real("huaian-hongze-2023.pdf")
    t3 = next(b for b in doc.blocks if b.kind == "table" and any("本年新收" in c for r in b.rows for c in r))
    other = [r for r in t3.rows if "（六）其他处理" in r]
    assert len(other) == 1 and other[0][-7:] == ["0"] * 7
    # text framed in the same ruled box as the tables comes out as paragraphs
    assert any(b.kind == "para" and b.text == "二、主动公开政府信息情况" for b in doc.blocks)


@needs_real
def test_broken_font_is_unreadable_not_an_exception() -> None:
    doc = read_bytes((REAL / "broken-font-sample.pdf").read_bytes(), "broken-font-sample.pdf")
    assert doc.problems[0]["kind"] == "unreadable"
    assert "字体" in doc.problems[0]["detail"]
    report = parse_document(doc)
    assert report.readable is False and report.unreadable_reason


# --- unreadable and corrupt files ------------------------------------------------------------------


def test_scanned_pdf_without_text_layer_is_unreadable() -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    img = Image.new("RGB", (200, 100), "white")
    data = _pdf(lambda c: (c.drawImage(ImageReader(img), 50, 500, 400, 200), c.showPage()))
    doc = read_bytes(data, "scan.pdf")
    assert doc.problems and doc.problems[0]["kind"] == "unreadable"
    assert "扫描" in doc.problems[0]["detail"]
    assert doc.blocks == []


def test_corrupt_pdf_raises_unreadable_error() -> None:
    with pytest.raises(UnreadableError, match="PDF"):
        read_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage without xref", "bad.pdf")


def test_latin_text_is_not_a_chinese_report() -> None:
    assert unreadable_reason("Hello world, this is an English document. " * 20)
    assert unreadable_reason("(cid:12)(cid:34)" * 50 + "政府信息公开" * 10)
    assert unreadable_reason("\ue000\ue001\ue002" * 100 + "政府" * 30)
    assert unreadable_reason("") and "没有" in unreadable_reason("")
    assert unreadable_reason("本报告由某某区人民政府办公室编制。" * 10) is None


def test_a_page_without_text_among_text_pages_is_reported() -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    def draw(c) -> None:
        for i in range(8):
            c.drawString(
                72, 760 - 20 * i, "本报告由某某区人民政府办公室根据条例规定编制，统计期限自一月一日起。"
            )
        c.showPage()
        c.drawImage(ImageReader(Image.new("RGB", (50, 50), "white")), 50, 500, 200, 200)
        c.showPage()

    doc = read_bytes(_pdf(draw), "mixed.pdf")
    assert {p["kind"] for p in doc.problems} == {"reader"}  # not unreadable: page 1 has text
    assert "第2页" in doc.problems[0]["detail"]


# --- paragraphs, tables without ruling lines, helpers ---------------------------------------------


def test_paragraph_broken_by_a_page_break_is_joined() -> None:
    line = "政府信息公开工作坚持以公开为常态不公开为例外的原则推进"  # 26 characters, fills the line

    def draw(c) -> None:
        c.drawString(96, 760, "一、总体情况")
        for i in range(3):
            c.drawString(72, 730 - 20 * i, line)
        c.drawString(300, 40, "- 1 -")
        c.showPage()
        c.setFont("STSong-Light", 12)
        c.drawString(72, 760, line)
        c.drawString(72, 740, "切实保障人民群众的知情权。")
        c.drawString(96, 720, "二、主动公开政府信息情况")
        c.drawString(300, 40, "- 2 -")
        c.showPage()

    doc = read_bytes(_pdf(draw), "p.pdf")
    texts = [b.text for b in doc.blocks]
    assert texts == ["一、总体情况", line * 4 + "切实保障人民群众的知情权。", "二、主动公开政府信息情况"]
    assert [b.page for b in doc.blocks] == [1, 1, 2]


def test_table_without_ruling_lines_falls_back_to_text_columns() -> None:
    rows = [
        ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        ("规章", "1", "0", "11"),
        ("行政规范性文件", "8", "26", "66"),
    ]

    def draw(c) -> None:
        c.drawString(96, 780, "二、主动公开政府信息情况")
        for i, row in enumerate(rows):
            for x, text in zip((72, 220, 330, 440), row, strict=True):
                c.drawString(x, 750 - 22 * i, text)
        c.drawString(96, 660, "三、收到和处理政府信息公开申请情况")
        c.showPage()

    doc = read_bytes(_pdf(draw), "t.pdf")
    kinds = [b.kind for b in doc.blocks]
    assert kinds == ["para", "table", "para"]
    assert doc.blocks[1].rows == [list(r) for r in rows]
    assert doc.blocks[1].row_pages == [1, 1, 1]


@pytest.mark.parametrize("text", ["- 3 -", "— 3 —", "－12－", "第3页 共8页", "第 3 页", "3/8", "共8页 第3页"])
def test_page_numbers_are_recognised(text: str) -> None:
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["2024年", "（三）3件", "一、总体情况", "3119"])
def test_content_is_not_a_page_number(text: str) -> None:
    assert is_page_number(text) == (text == "3119")  # a bare number only counts in the page margin


def test_cell_lines_join_without_spaces_between_cjk() -> None:
    assert join_cell_lines("三、\n本\n年\n度") == "三、本年度"
    assert join_cell_lines("（二）部分公开（区分处理的，只计这一情 形，不\n计其他情形）") == (
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    )
    assert join_cell_lines("Open\nData 2024") == "Open Data 2024"
    assert join_cell_lines("结 果\n维持") == "结果维持"
    assert join_cell_lines("") == ""


def _ruled_table(c, x: float, top: float, rows: list[tuple[str, ...]], widths: list[float]) -> None:
    """Draw a table with ruling lines on a reportlab canvas (``top`` in PDF coordinates)."""
    h = 20
    xs = [x]
    for w in widths:
        xs.append(xs[-1] + w)
    for i, row in enumerate(rows):
        y = top - h * (i + 1)
        for j, text in enumerate(row):
            c.drawString(xs[j] + 3, y + 6, text)
    for i in range(len(rows) + 1):
        c.line(xs[0], top - h * i, xs[-1], top - h * i)
    for xv in xs:
        c.line(xv, top, xv, top - h * len(rows))


def test_running_header_and_repeated_table_header_are_dropped() -> None:
    header = ("信息内容", "本年处理决定数量")

    def draw(c) -> None:
        for page in range(1, 4):
            c.setFont("STSong-Light", 9)
            c.drawString(200, 815, "某某区人民政府2024年政府信息公开工作年度报告")
            c.drawString(280, 30, f"第{page}页 共3页")
            c.setFont("STSong-Light", 12)
            if page == 1:
                c.drawString(96, 760, "二、主动公开政府信息情况")
                _ruled_table(
                    c, 72, 740, [header, ("行政许可", "447228")] + [("行政处罚", "12")] * 20, [200, 200]
                )
            elif page == 2:
                _ruled_table(c, 72, 780, [header, ("行政强制", "88283")], [200, 200])
                c.drawString(96, 700, "三、收到和处理政府信息公开申请情况")
            else:
                c.drawString(96, 760, "六、其他需要报告的事项")
                for i in range(4):
                    c.drawString(72, 740 - 20 * i, "本机关严格落实政府信息公开信息处理费管理办法的规定。")
            c.showPage()

    doc = read_bytes(_pdf(draw), "r.pdf")
    texts = [b.text for b in doc.blocks if b.kind == "para"]
    assert texts[:3] == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "六、其他需要报告的事项",
    ]
    assert not any("年度报告" in t or "页" in t for t in texts)
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 1
    rows = tables[0].rows
    assert rows.count(list(header)) == 1 and rows[-1] == ["行政强制", "88283"]
    assert tables[0].row_pages[-1] == 2


def test_unruled_table_next_to_a_ruled_one() -> None:
    def draw(c) -> None:
        c.drawString(96, 780, "第二十条第（一）项")
        _ruled_table(c, 72, 770, [("信息内容", "本年处理决定数量"), ("行政许可", "5")], [200, 200])
        for i, row in enumerate([("结果维持", "结果纠正", "总计"), ("1", "2", "3")]):
            for x, text in zip((72, 220, 368), row, strict=True):
                c.drawString(x, 650 - 22 * i, text)
        c.showPage()

    doc = read_bytes(_pdf(draw), "u.pdf")
    assert [b.kind for b in doc.blocks] == ["para", "table", "table"]
    assert doc.blocks[2].rows == [["结果维持", "结果纠正", "总计"], ["1", "2", "3"]]


def test_truncated_and_encrypted_pdfs_say_why() -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    whole = _pdf(lambda c: (c.drawString(72, 760, "本报告由某某区人民政府办公室编制。"), c.showPage()))
    with pytest.raises(UnreadableError, match="不完整"):
        read_bytes(whole[: len(whole) // 2], "cut.pdf")
    out = io.BytesIO()
    c = canvas.Canvas(out, encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    c.drawString(72, 760, "secret")
    c.save()
    with pytest.raises(UnreadableError, match="加密"):
        read_bytes(out.getvalue(), "locked.pdf")


def test_row_broken_across_pages_is_one_row() -> None:
    def draw(c) -> None:
        c.drawString(96, 780, "三、收到和处理政府信息公开申请情况")
        rows = [("（五）不予处理", "4.无正当理由大量反复申请", "0")] * 28
        _ruled_table(c, 72, 760, rows + [("", "5.要求行政机关确认或重新", "2")], [120, 220, 60])
        c.showPage()
        c.setFont("STSong-Light", 12)
        _ruled_table(
            c, 72, 780, [("", "出具已获取信息", ""), ("（六）其他处理", "3.其他", "1")], [120, 220, 60]
        )
        c.showPage()

    doc = read_bytes(_pdf(draw), "b.pdf")
    table = next(b for b in doc.blocks if b.kind == "table")
    assert ["", "5.要求行政机关确认或重新出具已获取信息", "2"] in table.rows
    assert table.rows[-1] == ["（六）其他处理", "3.其他", "1"]
    assert len(table.rows) == len(table.row_pages) == 30


def test_tables_printed_as_pictures_are_reported() -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    def draw(c) -> None:
        for i in range(8):
            c.drawString(
                72, 760 - 20 * i, "三、收到和处理政府信息公开申请情况如下表所示，本年共收到申请若干件。"
            )
        c.drawImage(ImageReader(Image.new("RGB", (300, 200), "white")), 72, 300, 450, 250)
        c.showPage()

    doc = read_bytes(_pdf(draw), "img.pdf")
    assert [p["kind"] for p in doc.problems] == ["reader"]
    assert "图片" in doc.problems[0]["detail"]


def test_rows_printed_without_the_line_between_them_are_split() -> None:
    def draw(c) -> None:
        c.drawString(96, 780, "二、主动公开政府信息情况")
        _ruled_table(c, 72, 760, [("信息内容", "本年处理决定数量", "备注")], [150, 150, 100])
        # one ruled box holding two rows: 行政处罚/行政强制 with their values stacked
        top = 740
        for i, (label, value, note) in enumerate((("行政处罚", "4119", "0"), ("行政强制", "195", "0"))):
            y = top - 14 - 16 * i
            c.drawString(75, y, label)
            c.drawString(225, y, value)
            c.drawString(375, y, note)
        for xv in (72, 222, 372, 472):
            c.line(xv, top, xv, top - 40)
        c.line(72, top - 40, 472, top - 40)
        c.showPage()

    doc = read_bytes(_pdf(draw), "s.pdf")
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows[-2:] == [["行政处罚", "4119", "0"], ["行政强制", "195", "0"]]
    assert len(table.row_pages) == len(table.rows)


def test_section_title_framed_between_two_tables_is_a_paragraph() -> None:
    def draw(c) -> None:
        rows = [
            ("行政事业性收费", "0"),
            ("四、政府信息公开行政复议、行政诉讼情况", None),
            ("结果维持", "总计"),
            ("0", "0"),
        ]
        top, h = 760, 24
        for i, (a, b) in enumerate(rows):
            y = top - h * (i + 1)
            c.drawString(75, y + 8, a)
            if b is not None:
                c.drawString(275, y + 8, b)
        for i in range(len(rows) + 1):
            c.line(72, top - h * i, 472, top - h * i)
        for xv in (72, 472):
            c.line(xv, top, xv, top - h * len(rows))
        for i, (_a, b) in enumerate(rows):
            if b is not None:
                c.line(272, top - h * i, 272, top - h * (i + 1))
        c.showPage()

    doc = read_bytes(_pdf(draw), "f.pdf")
    assert [(b.kind, b.text or b.rows) for b in doc.blocks] == [
        ("table", [["行政事业性收费", "0"]]),
        ("para", "四、政府信息公开行政复议、行政诉讼情况"),
        ("table", [["结果维持", "总计"], ["0", "0"]]),
    ]
