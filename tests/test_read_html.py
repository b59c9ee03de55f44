"""Tests of the HTML reader: decoding, body detection, grids with spans, split tables, seeds as HTML."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from corpus import corpus_dir
from html_layouts import LAYOUTS, SEEDS_DIR, build, fold_spans, seed_paths

from audit.parse import parse_document, parse_path
from audit.readers import read_bytes
from audit.readers.charset import decode, markup_charset
from audit.readers.html import read as read_html
from audit.readers.html_tables import expand_grid
from audit.readers.text import read as read_text
from audit.report import IntermediateDoc

SEEDS = seed_paths()
GOLD = json.loads((SEEDS_DIR / "expected.json").read_text(encoding="utf-8")) if SEEDS_DIR.is_dir() else {}


def page(body: str, head: str = '<meta charset="utf-8">') -> bytes:
    return (
        f"<!DOCTYPE html>\n<html><head>{head}<title>t</title></head><body>\n{body}\n</body></html>".encode()
    )


def paras(doc: IntermediateDoc) -> list[str]:
    return [b.text for b in doc.blocks if b.kind == "para"]


def tables(doc: IntermediateDoc) -> list[list[list[str]]]:
    return [b.rows for b in doc.blocks if b.kind == "table"]


def values(report) -> dict:
    return {cid: c.value for cid, c in report.cells.items()}


def signature(doc: IntermediateDoc) -> list[tuple[str, object]]:
    return [
        ("p", re.sub(r"\s+", " ", b.text).strip()) if b.kind == "para" else ("t", b.rows) for b in doc.blocks
    ]


# ----------------------------------------------------------------------------------------------
# The five seeds in three CMS layouts


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_as_html_parses_to_the_same_cells(seed: Path, layout: str) -> None:
    doc = read_bytes(build(seed, layout), "x.html")
    assert doc.media_type == "text/html"
    assert doc.problems == []
    got = values(parse_document(doc))
    assert got == values(parse_path(seed))
    assert got == GOLD[seed.name]["cells"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_as_html_gives_the_text_readers_blocks(seed: Path, layout: str) -> None:
    """Chrome is gone, paragraphs are the seed's lines, grids are the seed's tab rows."""
    html_doc = read_html(build(seed, layout), "x.html")
    text_doc = read_text(seed.read_bytes(), str(seed))
    assert signature(html_doc) == signature(text_doc)


def test_layouts_really_use_spans_split_tables_and_gbk() -> None:
    seed = SEEDS[1]
    spans = build(seed, "spans").decode("utf-8")
    assert re.search(r'<td rowspan="\d+">三、本年度办理结果', spans)
    assert re.search(r'<td rowspan="8">\(三\) 不予公开', spans)
    assert re.search(r'<th colspan="6">申请人情况', spans)
    assert re.search(r'<th colspan="5">法人或其他组织', spans)
    assert spans.count("<table") > 3 * 2
    gbk = build(seed, "gbk")
    assert b"charset=gb2312" in gbk
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert "中卫市信访局".encode("gbk") in gbk


def test_fold_spans_round_trips_through_expand_grid() -> None:
    rows = [["a", "", "b", ""], ["", "", "1", "2"], ["c", "", "", ""], ["", "3"]]
    assert expand_grid(fold_spans(rows)) == rows


# ----------------------------------------------------------------------------------------------
# A table 3 / table 4 as a real CMS prints them (canonical spans, distinct values)

T3_LABELS = [
    ("一、本年新收政府信息公开申请数量", None, None),
    ("二、上年结转政府信息公开申请数量", None, None),
    ("三、本年度办理结果", "（一）予以公开", None),
    (None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    (None, "（三）不予公开", "1.属于国家秘密"),
    (None, None, "2.其他法律行政法规禁止公开"),
    (None, None, "3.危及“三安全一稳定”"),
    (None, None, "4.保护第三方合法权益"),
    (None, None, "5.属于三类内部事务信息"),
    (None, None, "6.属于四类过程性信息"),
    (None, None, "7.属于行政执法案卷"),
    (None, None, "8.属于行政查询事项"),
    (None, "（四）无法提供", "1.本机关不掌握相关政府信息"),
    (None, None, "2.没有现成信息需要另行制作"),
    (None, None, "3.补正后申请内容仍不明确"),
    (None, "（五）不予处理", "1.信访举报投诉类申请"),
    (None, None, "2.重复申请"),
    (None, None, "3.要求提供公开出版物"),
    (None, None, "4.无正当理由大量反复申请"),
    (None, None, "5.要求行政机关确认或重新出具已获取信息"),
    (None, "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    (None, None, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    (None, None, "3.其他"),
    (None, "（七）总计", None),
    ("四、结转下年度继续办理", None, None),
]
T3_ROW_IDS = [
    "new", "carry_in", "granted", "partial", "denied.state_secret", "denied.law_forbidden",
    "denied.security_stability", "denied.third_party", "denied.internal_affairs", "denied.process_info",
    "denied.enforcement_file", "denied.admin_query", "unable.not_held", "unable.needs_creation",
    "unable.unclear", "not_processed.petition", "not_processed.repeat", "not_processed.publication",
    "not_processed.mass_repeat", "not_processed.confirm_reissue", "other.no_correction",
    "other.fee_unpaid", "other.other", "result_total", "carry_out",
]  # fmt: skip
T3_COLS = ["natural", "commercial", "research", "social", "legal", "other_org", "total"]
GROUP_SPANS = {
    "三、本年度办理结果": 22,
    "（三）不予公开": 8,
    "（四）无法提供": 3,
    "（五）不予处理": 5,
    "（六）其他处理": 3,
}


def canonical_t3_html(split: bool = False) -> str:
    """Table 3 as printed by CMSs: a 3-row header with spans, group labels as rowspans."""
    head = (
        '<table border="1"><tbody>\n'
        '<tr><td rowspan="3" colspan="3"><p>（本列数据的勾稽关系为：第一项加第二项之和，</p>'
        '<p>等于第三项加第四项之和）</p></td><td colspan="7">申请人情况</td></tr>\n'
        '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>\n'
        "<tr><td>商业<br>企业</td><td>科研<br>机构</td><td>社会公益<br>组织</td><td>法律服务<br>机构</td>"
        "<td>其他</td></tr>\n"
    )
    rows = []
    for k, (top, mid, leaf) in enumerate(T3_LABELS):
        cells = []
        if top and not mid:
            cells.append(f'<td colspan="3">{top}</td>')
        else:
            if top:
                cells.append(f'<td rowspan="{GROUP_SPANS[top]}">{top}</td>')
            if mid and leaf:
                cells.append(f'<td rowspan="{GROUP_SPANS[mid]}">{mid}</td>' if mid in GROUP_SPANS else "")
            if mid and not leaf:
                cells.append(f'<td colspan="2">{mid}</td>')
            if leaf:
                cells.append(f"<td>{leaf}</td>")
        cells += [f"<td>&nbsp;{100 + 10 * k + j}&nbsp;</td>" for j in range(7)]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    body = "\n".join(rows) + "\n</tbody></table>"
    if split:
        cut = 12
        return (
            head
            + "\n".join(rows[:cut])
            + "</tbody></table>\n<p>&nbsp;</p>\n<table><tbody>"
            + "\n".join(rows[cut:])
            + "</tbody></table>"
        )
    return head + body


T4_HTML = (
    """<table border="1">
<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td rowspan="2">结果<br>维持</td><td rowspan="2">结果<br>纠正</td><td rowspan="2">其他<br>结果</td>
<td rowspan="2">尚未<br>审结</td><td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>
<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td></tr>
<tr>"""
    + "".join(f"<td>{n}</td>" for n in range(1, 16))
    + "</tr>\n</table>"
)


def canonical_report(split: bool = False) -> bytes:
    return page(
        "<div class='TRS_Editor'><p>某某市某某局2024年政府信息公开工作年度报告</p>"
        "<p>一、总体情况</p><p>略。</p><p>二、主动公开政府信息情况</p><p>略。</p>"
        "<p>三、收到和处理政府信息公开申请情况</p>\n"
        + canonical_t3_html(split)
        + "\n<p>四、政府信息公开行政复议、行政诉讼情况</p>\n"
        + T4_HTML
        + "<p>五、存在的主要问题及改进情况</p><p>略。</p><p>六、其他需要报告的事项</p><p>无。</p></div>"
    )


def test_canonical_table3_grid_keeps_value_columns_aligned() -> None:
    doc = read_html(canonical_report(), "x.html")
    t3 = tables(doc)[0]
    assert t3[0][:4] == [
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "",
        "",
        "申请人情况",
    ]
    assert t3[1] == ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"]
    assert t3[2] == ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]
    assert t3[3] == ["一、本年新收政府信息公开申请数量", "", ""] + [str(100 + j) for j in range(7)]
    assert t3[5][:3] == ["三、本年度办理结果", "（一）予以公开", ""]
    assert t3[7][:3] == ["", "（三）不予公开", "1.属于国家秘密"]
    assert t3[8][:3] == ["", "", "2.其他法律行政法规禁止公开"]
    assert all(len(row) == 10 for row in t3)
    assert t3[-1][0] == "四、结转下年度继续办理"


@pytest.mark.parametrize("split", [False, True])
def test_canonical_tables_parse_every_cell(split: bool) -> None:
    doc = read_bytes(canonical_report(split), "x.html")
    assert len(tables(doc)) == 2  # the split table 3 is joined back
    report = parse_document(doc)
    for k, row_id in enumerate(T3_ROW_IDS):
        for j, col in enumerate(T3_COLS):
            assert report.value(f"t3.{row_id}.{col}") == 100 + 10 * k + j, (row_id, col)
    t4 = [
        f"t4.{g}.{c}"
        for g in ("review", "lit_direct", "lit_after_review")
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    assert [report.value(cid) for cid in t4] == list(range(1, 16))
    assert report.agency == "某某市某某局" and report.year == 2024


# ----------------------------------------------------------------------------------------------
# Decoding


def test_short_gbk_page_without_declared_charset() -> None:
    data = "<html><body><p>年度报告</p></body></html>".encode("gbk")
    text, codec, problems = decode(data, markup_charset(data))
    assert codec == "gb18030" and "年度报告" in text and problems == []
    assert paras(read_html(data, "x.html")) == ["年度报告"]


def test_declared_gb2312_with_gbk_only_characters() -> None:
    data = page(
        "<p>朱镕基 王珺 年度报告</p>",
        head='<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
    )
    data = data.decode("utf-8").encode("gbk")
    doc = read_html(data, "x.html")
    assert doc.meta["encoding"] == "gb18030"
    assert paras(doc) == ["朱镕基 王珺 年度报告"]
    assert doc.problems == []


def test_declared_utf8_on_a_gbk_body_is_reported_and_decoded() -> None:
    data = page("<p>某某局2024年政府信息公开工作年度报告</p>").decode("utf-8").encode("gb18030")
    doc = read_html(data, "x.html")
    assert paras(doc) == ["某某局2024年政府信息公开工作年度报告"]
    assert [p["code"] for p in doc.problems] == ["charset_mismatch"]
    assert "utf-8" in doc.problems[0]["detail"]


def test_declared_gb2312_on_a_utf8_body_is_read_as_utf8() -> None:
    data = page("<p>某某局2024年政府信息公开工作年度报告</p>", head="<meta charset=gb2312>")
    doc = read_html(data, "x.html")
    assert paras(doc) == ["某某局2024年政府信息公开工作年度报告"]
    assert [p["code"] for p in doc.problems] == ["charset_mismatch"]


def test_declared_latin1_on_a_gbk_body() -> None:
    data = page("<p>政府信息公开工作年度报告</p>", head="<meta charset=iso-8859-1>").decode().encode("gbk")
    doc = read_html(data, "x.html")
    assert paras(doc) == ["政府信息公开工作年度报告"]
    assert doc.meta["encoding"] == "gb18030"


def test_unknown_declared_charset_and_bom() -> None:
    doc = read_html(page("<p>年度报告正文</p>", head="<meta charset=x-nonsense>"), "x.html")
    assert paras(doc) == ["年度报告正文"]
    assert [p["code"] for p in doc.problems] == ["charset_unknown"]
    doc = read_html(b"\xef\xbb\xbf" + page("<p>带BOM的页面</p>", head=""), "x.html")
    assert paras(doc) == ["带BOM的页面"]


def test_xml_declaration_is_accepted() -> None:
    data = '<?xml version="1.0" encoding="gbk"?>\n<html><body><p>年度报告</p></body></html>'.encode("gbk")
    assert paras(read_html(data, "x.html")) == ["年度报告"]


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t", b"<html><head><title>x</title></head><body></body></html>"]
)
def test_empty_page_is_unreadable_not_a_crash(data: bytes) -> None:
    doc = read_html(data, "x.html")
    assert doc.blocks == []
    assert [p["kind"] for p in doc.problems] == ["unreadable"]
    report = parse_document(doc)
    assert report.readable is False and report.unreadable_reason


def test_garbage_bytes_do_not_crash() -> None:
    rng = random.Random(7)
    for n in (1, 17, 500, 5000):
        data = bytes(rng.randrange(256) for _ in range(n))
        doc = read_html(b"<html><body>" + data, "x.html")
        assert isinstance(doc, IntermediateDoc)
        parse_document(doc)
    doc = read_html(b"<html><body>\x00\x01\x02\xff\xfe\xfa" * 50, "x.html")
    assert any(p["code"] == "garbled" for p in doc.problems) or doc.blocks == []


# ----------------------------------------------------------------------------------------------
# Body detection and chrome


def test_density_fallback_without_known_container() -> None:
    links = "".join(f'<li><a href="#">栏目链接{i}</a></li>' for i in range(60))
    body = (
        f'<div id="a1"><ul>{links}</ul></div>'
        '<div id="b2"><div id="c3"><p>一、总体情况</p><p>' + "本机关认真贯彻落实条例。" * 30 + "</p>"
        "<table><tr><td>行政许可</td><td>3</td></tr><tr><td>行政处罚</td><td>4</td></tr></table></div>"
        '<div id="d4">联系电话：0000</div></div>'
    )
    doc = read_html(page(body), "x.html")
    assert doc.meta["container"] == "density"
    assert paras(doc)[0] == "一、总体情况"
    assert not any("栏目链接" in p for p in paras(doc))
    assert tables(doc) == [[["行政许可", "3"], ["行政处罚", "4"]]]


def test_small_generic_content_box_is_not_taken_for_the_body() -> None:
    body = (
        '<div class="content">今日天气：晴</div>'
        '<div class="box"><p>二、主动公开政府信息情况</p><p>'
        + "本年度主动公开政府信息若干条。" * 20
        + "</p></div>"
    )
    doc = read_html(page(body), "x.html")
    assert "今日天气：晴" not in paras(doc)
    assert paras(doc)[0] == "二、主动公开政府信息情况"


def test_chrome_inside_and_around_the_body_is_dropped() -> None:
    body = (
        '<div class="header">网站首页 无障碍 长者模式</div><nav><a>导航</a></nav>'
        '<div class="breadcrumb">当前位置：首页 &gt; 年报</div>'
        '<div id="zoom"><p>正文第一段。</p><p style="display:none">隐藏的段落</p>'
        "<script>document.write('脚本')</script><style>p{}</style><!-- 注释 -->"
        "<p>正文第二段。</p><p>上一篇：某某通知</p><p>下一篇：某某公告</p>"
        '<div class="share">分享到：微信</div><p>【打印】【关闭】</p><p>相关链接</p></div>'
        '<div class="footer">版权所有</div>'
    )
    doc = read_html(page(body), "x.html")
    assert paras(doc) == ["正文第一段。", "正文第二段。"]


def test_page_title_outside_the_body_is_prepended_once() -> None:
    body = '<h1>某某局2024年政府信息公开工作年度报告</h1><div class="TRS_Editor"><p>一、总体情况</p></div>'
    doc = read_html(page(body), "x.html")
    assert paras(doc) == ["某某局2024年政府信息公开工作年度报告", "一、总体情况"]
    body = (
        '<h1>某某局2024年政府信息公开工作年度报告</h1><div class="TRS_Editor">'
        "<p>某某局</p><p>2024 年政府信息公开工作年度报告</p><p>一、总体情况</p></div>"
    )
    doc = read_html(page(body), "x.html")
    assert paras(doc) == ["某某局", "2024 年政府信息公开工作年度报告", "一、总体情况"]


def test_report_in_a_layout_table() -> None:
    body = (
        "<table width=1000><tr><td width=200><a>首页</a><br><a>信息公开</a></td>"
        "<td><p>一、总体情况</p><p>" + "正文内容很长。" * 60 + "</p>"
        "<table><tr><td>规章</td><td>0</td><td>1</td></tr><tr><td>行政规范性文件</td><td>2</td><td>3</td></tr></table>"
        "<p>三、收到和处理政府信息公开申请情况</p></td></tr></table>"
    )
    doc = read_html(page(body), "x.html")
    assert [b.kind for b in doc.blocks] == ["para", "para", "table", "para"]
    assert tables(doc) == [[["规章", "0", "1"], ["行政规范性文件", "2", "3"]]]


# ----------------------------------------------------------------------------------------------
# Paragraphs, cells, grids


def test_paragraphs_br_headings_reading_order_and_lines() -> None:
    html = (
        "<!DOCTYPE html>\n<html><body>\n"  # line 1-2
        "<div class='TRS_Editor'>\n"  # 3
        "<h2>一、总体情况</h2>\n"  # 4
        "<p>第一行<br>第二行</p>\n"  # 5
        "<table>\n<tr><td>a</td><td>1</td></tr>\n<tr><td>b</td><td>2</td></tr>\n</table>\n"  # 6-9
        "<p>石嘴山市\n  信访局 2022 年\n报告</p>\n"  # 10-12
        "</div></body></html>"
    )
    doc = read_html(html.encode(), "x.html")
    assert [(b.kind, b.text or b.rows, b.line) for b in doc.blocks] == [
        ("para", "一、总体情况", 4),
        ("para", "第一行", 5),
        ("para", "第二行", 5),
        ("table", [["a", "1"], ["b", "2"]], 6),
        ("para", "石嘴山市信访局 2022 年报告", 10),
    ]
    assert doc.blocks[3].row_lines == [7, 8]


def test_cell_text_joins_lines_and_normalises_spaces() -> None:
    body = (
        "<table><tr>"
        "<td><p>社会公益</p><p>组织</p></td><td>结果<br>维持</td><td>&nbsp;12&nbsp;</td>"
        "<td>\u3000总\u3000计\u3000</td><td>a<br>b</td><td>2024<br>年</td><td><p>&nbsp;</p></td>"
        "</tr><tr><td>x</td><td>1</td></tr></table>"
    )
    assert tables(read_html(page(body), "x.html"))[0][0] == [
        "社会公益组织",
        "结果维持",
        "12",
        "总 计",
        "a b",
        "2024年",
        "",
    ]


def test_unclosed_cells_and_rows() -> None:
    body = "<table><tr><td>自然人<td>1<td>2\n<tr><td>法人<td>3<td>4</table><p>后文"
    doc = read_html(page(body), "x.html")
    assert tables(doc) == [[["自然人", "1", "2"], ["法人", "3", "4"]]]
    assert paras(doc) == ["后文"]


def test_nested_small_table_in_a_cell_is_flattened() -> None:
    body = (
        "<table><tr><td>信息内容</td><td><table><tr><td>本年</td><td>制发</td></tr></table></td></tr>"
        "<tr><td>规章</td><td>5</td></tr></table>"
    )
    assert tables(read_html(page(body), "x.html")) == [[["信息内容", "本年 制发"], ["规章", "5"]]]


def test_expand_grid_edge_cases() -> None:
    # rowspan=0 runs to the end; a colspan skips positions taken by a rowspan from above
    assert expand_grid([[("a", 0, 1), ("b", 1, 1)], [("c", 1, 2)], [("d", 1, 1)]]) == [
        ["a", "b"],
        ["", "c", ""],
        ["", "d"],
    ]
    # spans beyond the table are clipped; a colspan is capped at the table's number of cells
    assert expand_grid([[("x", 5, 100000)]]) == [["x"]]
    grid = expand_grid([[("x", 1, 100000), ("y", 1, 1)], [("a", 1, 1), ("b", 1, 1), ("c", 1, 1)]])
    assert grid == [["x", "", "", "", "", "y"], ["a", "b", "c"]]
    # a ragged row keeps its length; a hole left by a span is ""
    assert expand_grid([[("a", 2, 1), ("b", 1, 1), ("c", 2, 1)], [("d", 1, 1)]]) == [
        ["a", "b", "c"],
        ["", "d", ""],
    ]


def test_bad_span_attributes() -> None:
    body = '<table><tr><td rowspan="abc" colspan="2px">a</td><td>1</td></tr><tr><td>b</td><td>c</td><td>2</td></tr></table>'
    assert tables(read_html(page(body), "x.html")) == [[["a", "", "1"], ["b", "c", "2"]]]


def test_split_tables_join_only_when_nothing_separates_them() -> None:
    t = "<table><tr><td>{0}</td><td>1</td></tr></table>"
    doc = read_html(page(t.format("甲") + "\n<p>&nbsp;</p><p><br></p>\n" + t.format("乙")), "x.html")
    assert tables(doc) == [[["甲", "1"], ["乙", "1"]]]
    doc = read_html(
        page(t.format("甲") + "<p>四、政府信息公开行政复议、行政诉讼情况</p>" + t.format("乙")), "x.html"
    )
    assert tables(doc) == [[["甲", "1"]], [["乙", "1"]]]
    doc = read_html(page(t.format("甲") + "<p>续表</p><p>- 5 -</p>" + t.format("乙")), "x.html")
    assert tables(doc) == [[["甲", "1"], ["乙", "1"]]]
    wide = "<table><tr><td>丙</td><td>1</td><td>2</td></tr></table>"
    doc = read_html(page(t.format("甲") + "<p>续表</p>" + wide), "x.html")
    assert len(tables(doc)) == 2
    captioned = "<table><caption>表四</caption><tr><td>丁</td><td>1</td></tr></table>"
    doc = read_html(page(t.format("甲") + captioned), "x.html")
    assert len(tables(doc)) == 2 and "表四" in paras(doc)


def test_read_bytes_dispatches_html() -> None:
    data = build(SEEDS[0], "gbk")
    doc = read_bytes(data, "report.shtml")
    assert doc.media_type == "text/html" and doc.meta["encoding"] == "gb18030"


def test_page_facts_meta_title_date_and_attachments() -> None:
    head = (
        '<meta charset="utf-8"><meta name="ArticleTitle" content="某某局2024年政府信息公开工作年度报告">'
        '<meta name="PubDate" content="2025-01-20 09:30">'
    )
    body = (
        '<div class="TRS_Editor"><p>一、总体情况</p><p>附件：<a href="/u/P020250120.pdf">年报.pdf</a>'
        '<a href="/u/a.docx?id=3">年报.docx</a><a href="/other.html">栏目</a></p></div>'
    )
    doc = read_html(page(body, head=head), "x.html")
    assert doc.meta["page_title"] == "某某局2024年政府信息公开工作年度报告"
    assert doc.meta["published"] == "2025-01-20 09:30"
    assert doc.meta["attachments"].splitlines() == ["/u/P020250120.pdf", "/u/a.docx?id=3"]
    assert paras(doc)[0] == "某某局2024年政府信息公开工作年度报告"


def test_bold_run_in_section_titles_become_their_own_paragraphs() -> None:
    body = (
        "<div class='TRS_Editor'><p>某某局2024年政府信息公开工作年度报告</p>"
        "<p><strong>一、总体情况</strong>2024年，本局认真贯彻落实《条例》。</p>"
        "<p><span><b>（一）主动公开情况。</b></span>本年度主动公开信息120条。</p>"
        "<p><strong>重点工作</strong>不是编号标题，保持原样。</p>"
        "<p><strong>二、主动公开政府信息情况</strong></p></div>"
    )
    doc = read_html(page(body), "x.html")
    assert paras(doc) == [
        "某某局2024年政府信息公开工作年度报告",
        "一、总体情况",
        "2024年，本局认真贯彻落实《条例》。",
        "（一）主动公开情况。",
        "本年度主动公开信息120条。",
        "重点工作不是编号标题，保持原样。",
        "二、主动公开政府信息情况",
    ]
    report = parse_document(doc)
    assert report.sections["S1"].present and report.sections["S2"].present


def test_link_lists_inside_the_body_are_dropped() -> None:
    related = "".join(f'<li><a href="/a{i}.html">某某局关于某某工作的通知{i}</a></li>' for i in range(5))
    body = f'<div id="zoom"><p>正文。</p><ul>{related}</ul><p>正文二。</p></div>'
    assert paras(read_html(page(body), "x.html")) == ["正文。", "正文二。"]


def test_mixed_include_with_a_few_foreign_bytes_keeps_the_declared_charset() -> None:
    body = "<p>" + "本机关认真贯彻落实政府信息公开条例。" * 40 + "</p>"
    gbk_page = page(body, head="<meta charset=gbk>").decode().encode("gbk")
    mixed = gbk_page.replace(b"</body>", "<p>技术支持：某公司</p>".encode()[:-5] + b"\xff</body>")
    doc = read_html(mixed, "x.html")
    assert doc.meta["encoding"] == "gb18030"
    assert paras(doc)[0].startswith("本机关认真贯彻落实政府信息公开条例。")
    utf8_page = page(body).replace(b"</body>", "<p>技术支持</p>".encode("gbk") + b"\x81</body>")
    doc = read_html(utf8_page, "x.html")
    assert doc.meta["encoding"] == "utf-8"
    assert paras(doc)[0].startswith("本机关认真贯彻落实政府信息公开条例。")
    assert [p["code"] for p in doc.problems] == ["charset_stray_bytes"]


def test_column_heading_is_not_taken_for_the_title() -> None:
    body = (
        "<div class='side'><h3>政府信息公开年度报告</h3></div>"
        "<h1>某某局2024年政府信息公开工作年度报告</h1><div class='TRS_Editor'><p>一、总体情况</p><p>"
        + "正文。" * 50
        + "</p></div>"
    )
    doc = read_html(page(body), "x.html")
    assert doc.meta["page_title"] == "某某局2024年政府信息公开工作年度报告"
    assert paras(doc)[0] == "某某局2024年政府信息公开工作年度报告"


T2_HTML = """<table border=1>
<tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>1</td><td>2</td><td>3</td></tr>
<tr><td>行政规范性文件</td><td>4</td><td>5</td><td>6</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="3">7</td></tr>
<tr><td colspan="4">第二十条第（六）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政处罚</td><td colspan="3">8</td></tr>
<tr><td>行政强制</td><td colspan="3">9</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">10.5</td></tr>
</table>"""


def test_canonical_table2_with_colspans() -> None:
    body = (
        "<div class=TRS_Editor><p>某某局2024年政府信息公开工作年度报告</p><p>一、总体情况</p><p>略</p>"
        "<p>二、主动公开政府信息情况</p>"
        + T2_HTML
        + "<p>三、收到和处理政府信息公开申请情况</p><p>略</p></div>"
    )
    doc = read_bytes(page(body), "x.html")
    assert tables(doc)[0][6] == ["行政许可", "7", "", ""]
    report = parse_document(doc)
    got = {cid: report.value(cid) for cid in report.cells if cid.startswith("t2.")}
    assert got == {
        "t2.reg.made": 1, "t2.reg.repealed": 2, "t2.reg.valid": 3,
        "t2.norm.made": 4, "t2.norm.repealed": 5, "t2.norm.valid": 6,
        "t2.license.decisions": 7, "t2.penalty.decisions": 8, "t2.coercion.decisions": 9,
        "t2.fee.amount": 10.5,
    }  # fmt: skip


def test_small_nested_grid_stays_inside_its_data_table() -> None:
    sub = "<table><tr><td>本年</td><td>制发</td></tr><tr><td>件数</td><td>合计</td></tr></table>"
    rows = "".join(f"<tr><td>行政许可事项{i}</td><td>{i}</td><td>{i + 1}</td></tr>" for i in range(8))
    body = f"<table><tr><td>信息内容</td><td>{sub}</td><td>废止</td></tr>{rows}</table>"
    grid = tables(read_html(page(body), "x.html"))
    assert len(grid) == 1 and grid[0][0] == ["信息内容", "本年 制发 件数 合计", "废止"]
    assert grid[0][1] == ["行政许可事项0", "0", "1"]


def test_image_only_and_attachment_only_pages() -> None:
    body = '<h1>某某局2024年政府信息公开工作年度报告</h1><div id="zoom"><p><img src="/u/nb1.jpg"></p><p><img src="/u/nb2.jpg"></p></div>'
    doc = read_html(page(body), "x.html")
    assert [(p["kind"], p["code"]) for p in doc.problems] == [("unreadable", "image_only")]
    assert parse_document(doc).readable is False
    body = '<div id="zoom"><p>某某局2024年政府信息公开工作年度报告详见附件。</p><p><a href="/u/nb.pdf">年报.pdf</a></p></div>'
    doc = read_html(page(body), "x.html")
    assert [(p["kind"], p["code"]) for p in doc.problems] == [("reader", "in_attachment")]
    assert "/u/nb.pdf" in doc.problems[0]["detail"]


def test_meta_declaring_utf16_is_read_as_utf8() -> None:
    doc = read_html(page("<p>年度报告正文</p>", head="<meta charset=utf-16>"), "x.html")
    assert paras(doc) == ["年度报告正文"] and doc.meta["encoding"] == "utf-8"


def test_report_inside_pre_is_read_as_text_lines() -> None:
    page = "<html><body><pre>\n一、总体情况\n本机关……\n项目\t本年\t上年\n规章\t0\t1\n二、主动公开政府信息情况\n</pre></body></html>"
    doc = read_html(page.encode(), "pre.html")
    assert [(b.kind, b.text or b.rows) for b in doc.blocks] == [
        ("para", "一、总体情况"),
        ("para", "本机关……"),
        ("table", [["项目", "本年", "上年"], ["规章", "0", "1"]]),
        ("para", "二、主动公开政府信息情况"),
    ]
    assert doc.blocks[0].line == 2  # lines counted from the page's source


def test_seed_pasted_into_pre_parses_like_the_text_file() -> None:
    import html

    seed = corpus_dir("seeds") / "001_3b0ef87fded11b72.txt"
    text = seed.read_text(encoding="utf-8")
    page = f"<html><head><title>年度报告</title></head><body><pre>{html.escape(text)}</pre></body></html>"
    report, want = parse_document(read_html(page.encode(), "pre.html")), parse_path(seed)
    assert {k: c.value for k, c in report.cells.items()} == {k: c.value for k, c in want.cells.items()}
    assert all(report.sections[s].present == want.sections[s].present for s in want.sections)
