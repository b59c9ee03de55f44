"""Hostile names and report text: every output escapes them, strips them or keeps them as plain text."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from lxml import html as lxml_html
from openpyxl import load_workbook
from render_support import build_store, gk, sqlite_store

SCRIPT = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"
NEWLINES = "中卫市\n测试\r\n三局<b>粗</b>"
FOURTH = "@SUM(1+1)*cmd|' /C calc'!A0"
PAGE_EXTRAS = (
    '<script>alert(2)</script><img src="http://198.51.100.7/x.png" onerror="alert(3)">'
    '<iframe src="https://198.51.100.7/"></iframe><link rel="stylesheet" href="http://198.51.100.7/s.css">'
    '<p onclick="alert(4)" style="background:url(http://198.51.100.7/b.png)">尾注</p>'
    '<a href="javascript:alert(5)">链接</a><svg><script>alert(6)</script></svg>'
)


def test_every_output_escapes_hostile_input(tmp_path: Path) -> None:
    with sqlite_store(tmp_path):
        build_store(tmp_path, [SCRIPT, FORMULA, NEWLINES, FOURTH], extra_html=PAGE_EXTRAS)
        out = tmp_path / "out"
        gk("notices", "--out", str(out))
        gk("notices", "draft", "--agency", SCRIPT, "--by", "张三")
        gk("notices", "--out", str(tmp_path / "one"), "--agency", SCRIPT)
    pages = sorted(out.rglob("*.html")) + sorted((tmp_path / "one").rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        assert SCRIPT not in raw and "alert(" not in raw.replace(
            "&lt;script&gt;alert(1)&lt;/script&gt;", ""
        ), page
        tree = lxml_html.fromstring(raw)
        assert not tree.xpath("//script | //object | //embed | //link | //base | //form"), page
        assert not tree.xpath("//@*[starts-with(name(), 'on')]"), page
        for url in tree.xpath("//@src | //@href"):
            assert not url.startswith(("http:", "https:", "//", "javascript:")), (page, url)
        for frame in tree.xpath("//iframe"):
            assert frame.get("sandbox") == "" and not frame.get("src").startswith(("http", "//")), page
        assert "url(http" not in raw, page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index  # shown, as text
    # the archived HTML page keeps its text (尾注) but loses every active part
    docs = [p for p in (out / "evidence").glob("doc-*.html") if "尾注" in p.read_text(encoding="utf-8")]
    assert docs

    ws = load_workbook(out / "ledgers" / "ledger-all.xlsx").active
    header = [c.value for c in ws[1]]
    agency_cells = {r[header.index("机关")].value: r[header.index("机关")] for r in ws.iter_rows(min_row=2)}
    for name in (FORMULA, FOURTH):
        cell = agency_cells[name]
        assert cell.data_type == "s" and cell.quotePrefix
    assert agency_cells[SCRIPT].value == SCRIPT
    assert not [c for r in ws.iter_rows() for c in r if c.data_type == "f"]

    notice = Document(str(next((tmp_path / "one" / "notices").glob("notice-*.docx"))))
    assert any(p.text == f"{SCRIPT}：" for p in notice.paragraphs)
