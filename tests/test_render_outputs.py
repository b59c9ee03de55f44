"""The outputs of ``gkaudit notices`` on an audited store: notice (HTML, DOCX), lists, 通报, dashboard."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import html as lxml_html
from openpyxl import load_workbook
from render_support import AGENCIES, build_store, gk, sqlite_store
from tooling import tool_missing

from audit.rulebook.check import default_catalog

ACTIVE = ("open", "confirmed", "overdue")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """An audited store with one approved notice, rendered into ``out``."""
    folder = tmp_path_factory.mktemp("render")
    with sqlite_store(folder):
        build_store(folder)
        gk("notices", "draft", "--agency", AGENCIES[0][0], "--by", "张三")
        gk("notices", "approve", "1", "--by", "李四")
        out = folder / "out"
        gk("notices", "--out", str(out))
        rows = [json.loads(x) for x in gk("findings", "--json").output.splitlines()]
        agencies = {a: i for i, a in enumerate((a for a, _ in AGENCIES), 1)}
        yield {"out": out, "findings": rows, "agency_ids": agencies, "folder": folder}


def page_text(path: Path) -> str:
    return lxml_html.fromstring(path.read_text(encoding="utf-8")).text_content()


def notice_file(site: dict, agency: str, ext: str) -> Path:
    if agency == AGENCIES[0][0]:
        return site["out"] / "notices" / f"notice-1.{ext}"
    return site["out"] / "notices" / f"preview-a{site['agency_ids'][agency]}.{ext}"


def test_notice_lists_every_open_finding_with_basis_evidence_and_deadline(site: dict) -> None:
    catalog = default_catalog()
    for agency, _ in AGENCIES:
        text = page_text(notice_file(site, agency, "html"))
        mine = [f for f in site["findings"] if f["agency"] == agency and f["status"] in ACTIVE]
        assert mine
        for f in mine:
            assert f["message"] in text
            assert catalog.by_id[f["rule"]].spec.basis.excerpt in text
            days = {"error": 20, "warning": 30}[f["severity"]]
            y, mo, d = (int(x) for x in f["deadline"].split("-"))
            assert f"{days}个工作日（{y}年{mo}月{d}日前）" in text
            first_place = next(iter((f["evidence"].get("出处") or {}).values()), None)
            if first_place:
                assert first_place in text
        assert "审核覆盖情况" in text
    first = page_text(notice_file(site, AGENCIES[0][0], "html"))
    assert "某政公开〔2025〕1号" in first and "二〇二五年二月一日" in first
    assert first.count("（一）表三勾稽关系不平衡") == 1  # the two BL03 columns are one cause, one item
    assert "表三“自然人”列、表三“总计”列" in first
    assert "【屡查屡犯】" in first  # ST01 of 2024 repeats 2023
    preview = page_text(notice_file(site, AGENCIES[1][0], "html"))
    assert "文号待审核后编定" in preview and "未经审核，不得印发" in preview
    assert "第3页" in preview or "第2页" in preview  # the PDF report's evidence names its pages


def test_unreadable_report_is_never_silence(site: dict) -> None:
    text = page_text(notice_file(site, AGENCIES[3][0], "html"))
    assert "无法机读" in text and "未检查的部分不视为合格" in text
    dashboard = page_text(site["out"] / "index.html")
    assert "未能完整审核" in dashboard


def _runs(doc: Document) -> list:
    body = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    cells = [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    return body + [r for r in cells if r.text.strip()]


def test_notice_docx_layout(site: dict) -> None:
    doc = Document(str(notice_file(site, AGENCIES[0][0], "docx")))
    sec = doc.sections[0]
    assert (round(sec.page_width.mm, 1), round(sec.page_height.mm, 1)) == (210, 297)
    margins = (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)
    assert tuple(round(x.mm, 1) for x in margins) == (37, 35, 28, 26)
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579" and grid.get(qn("w:charSpace")) == "-849"
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:spacing")).get(qn("w:val")) == "-5"  # 28 characters of 16 pt per line
    assert defaults.find(qn("w:sz")).get(qn("w:val")) == "32"
    runs = _runs(doc)
    assert runs and all(r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in runs)
    texts = [p.text for p in doc.paragraphs]
    assert "某政公开〔2025〕1号" in texts
    title = next(p for p in doc.paragraphs if p.text.startswith("关于"))
    assert title.runs[0].font.size == Pt(22)
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    body = next(p for p in doc.paragraphs if p.text.startswith("问题位置"))
    assert body.runs[0].font.size == Pt(16)
    assert body.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    masthead = next(p for p in doc.paragraphs if p.text == "某某省人民政府办公厅")
    assert str(masthead.runs[0].font.color.rgb) == "FF0000"
    assert "二〇二五年二月一日" in texts and any("联系人" in t for t in texts)
    assert any("【屡查屡犯】" in t for t in texts)
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (sec.footer, sec.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "— " in footer.paragraphs[0].text and " —" in footer.paragraphs[0].text


def test_ledger_xlsx(site: dict) -> None:
    wb = load_workbook(site["out"] / "ledgers" / "ledger-all.xlsx")
    ws = wb.active
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    assert sorted(r["编号"] for r in rows) == sorted(
        f["id"] for f in site["findings"] if f["status"] in ACTIVE
    )
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.page_setup.orientation == "landscape"
    status_col = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index("状态")]
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and "待整改" in dv.formula1 and "误报" in dv.formula1
    assert str(dv.sqref) == f"{status_col}2:{status_col}{len(rows) + 1}"
    assert ws.column_dimensions["I"].width > 20
    by_id = {r["编号"]: r for r in rows}
    sample = next(f for f in site["findings"] if f["rule"] == "BL03")
    assert by_id[sample["id"]]["位置"] == "表三“自然人”列" or by_id[sample["id"]]["位置"] == "表三“总计”列"
    assert by_id[sample["id"]]["状态"] == "待整改"
    region = load_workbook(site["out"] / "ledgers" / "ledger-640502.xlsx").active
    assert {r[1].value for r in region.iter_rows(min_row=2)} == {AGENCIES[1][0]}


def test_dashboard_links_every_output(site: dict) -> None:
    out = site["out"]
    tree = lxml_html.fromstring((out / "index.html").read_text(encoding="utf-8"))
    links = set(tree.xpath("//a/@href"))
    for path in (out / "notices").iterdir():
        assert f"notices/{path.name}" in links
    for path in (out / "ledgers").iterdir():
        assert f"ledgers/{path.name}" in links
    assert {"bulletin.html", "bulletin.docx"} <= links
    for f in site["findings"]:
        assert f"evidence/finding-{f['id']}.html" in links
        assert (out / "evidence" / f"finding-{f['id']}.html").exists()
    assert all((out / link.split("#")[0]).exists() for link in links if not link.startswith("#"))
    assert len(tree.xpath("//svg")) == 2


def test_bulletin(site: dict) -> None:
    text = page_text(site["out"] / "bulletin.html")
    for heading in (
        "各地区情况",
        "按机关层级",
        "按规则",
        "问题较多的机关",
        "屡查屡犯的机关",
        "逾期发布和未发布年报",
        "年度对比",
    ):
        assert heading in text
    assert "中卫市测试二局2024年度政府信息公开工作年度报告在公布期限" in text  # TL02
    assert "届满后仍未公布" in text
    doc = Document(str(site["out"] / "bulletin.docx"))
    assert doc.tables and doc.tables[0].rows[0].cells[0].text == "区划"


@pytest.mark.skipif(
    tool_missing("soffice", "pdftoppm"), reason="LibreOffice or poppler-utils is not installed"
)
def test_notice_docx_prints_as_a_gongwen(site: dict, tmp_path: Path) -> None:
    docx = notice_file(site, AGENCIES[0][0], "docx")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'lo'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "notice-1.pdf"
    with pdfplumber.open(pdf) as doc:
        first = doc.pages[0]
        assert (round(first.width), round(first.height)) == (595, 842)
        text = "".join(first.extract_text().split())
        assert "某某省人民政府办公厅" in text and "某政公开〔2025〕1号" in text and "—1—" in text
        last = "".join(doc.pages[-1].extract_text().split())
        assert "印发" in last
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120
    )
    assert sorted(tmp_path.glob("page-*.png"))
