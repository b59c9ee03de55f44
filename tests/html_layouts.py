"""Test helper that turns a seed report (text) into HTML pages in three realistic CMS layouts.

A seed's text has tab-separated table rows and one paragraph per other line; blank lines are page
breaks. The layouts are:

* ``trs``: UTF-8, full page chrome (header, nav, breadcrumbs, sidebar links, share widget,
  上一篇/下一篇, footer), the report in ``<div class="TRS_Editor">``, cells wrapped in ``<p>``/
  ``<span>``, long labels broken with ``<br>`` and paragraphs wrapped across source lines.
* ``gbk``: an old-style page encoded as GB18030 bytes and declaring ``charset=gb2312``, laid out
  with nested layout tables, upper-case tags, unclosed ``<td>``/``<p>`` and ``&nbsp;`` cells.
* ``spans``: every table folded into real ``rowspan``/``colspan`` cells (a label or header cell
  absorbs the empty cells to its right and below, e.g. "三、本年度办理结果" over the result rows)
  and cut into several ``<table>`` elements (header and body apart, the body in two, and at the
  seed's page breaks) separated only by whitespace or empty paragraphs.

Reading any of them back must give the seed's own grids, since a spanned cell expands to its text
in the top-left position and ``""`` elsewhere.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"  # beside the repository
LAYOUTS = ("trs", "gbk", "spans")

_CJK = re.compile(r"[\u3400-\u9fff]")
_NUMERIC = re.compile(r"^[\d.,\s\-/—]*$")


def seed_paths() -> list[Path]:
    """Return the seed text files, sorted.

    Without the corpus (a fresh clone) these are five paths in the absent folder, so that tests
    parametrised over them are collected and skip with the corpus reason when they read one
    (tests/conftest.py).
    """
    if not SEEDS_DIR.is_dir():
        return [SEEDS_DIR / f"{i:03d}_absent.txt" for i in range(5)]
    return sorted(SEEDS_DIR.glob("*.txt"))


@dataclass
class Item:
    """A paragraph or a table of a seed; ``breaks`` are row indexes that follow a blank line."""

    kind: str
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)


def seed_items(text: str) -> list[Item]:
    """Return the paragraphs and tables of a seed's text (tab lines are table rows)."""
    items: list[Item] = []
    table: Item | None = None
    gap = False
    for line in text.splitlines():
        if not line.strip():
            gap = True
            continue
        if "\t" in line:
            cells = [c.strip() for c in line.split("\t")]
            if table is None:
                table = Item("table")
                items.append(table)
            elif gap:
                table.breaks.append(len(table.rows))
            table.rows.append(cells)
        else:
            table = None
            items.append(Item("para", text=line.strip()))
        gap = False
    return items


def seed_title(items: list[Item]) -> str:
    """Return the report title of a seed: its first lines up to the one naming the 年度报告."""
    lines: list[str] = []
    for item in items[:4]:
        if item.kind != "para":
            break
        lines.append(item.text)
        if "报告" in item.text:
            return "".join(lines)
    return lines[0] if lines else ""


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _wrap_source(text: str, width: int = 37) -> str:
    """Return escaped text with source line breaks inserted between two CJK characters."""
    out: list[str] = []
    run = 0
    for i, ch in enumerate(text):
        out.append(_esc(ch))
        run += 1
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if run >= width and _CJK.match(ch) and _CJK.match(nxt):
            out.append("\n        ")
            run = 0
    return "".join(out)


def _br_cell(text: str) -> str:
    """Return escaped cell text, broken with ``<br>`` in the middle when both sides are CJK."""
    if len(text) >= 8:
        mid = len(text) // 2
        for i in range(mid, len(text) - 1):
            if _CJK.match(text[i - 1]) and _CJK.match(text[i]):
                return f"{_esc(text[:i])}<br/>{_esc(text[i:])}"
    return _esc(text)


# ----------------------------------------------------------------------------------------------
# Layout a: modern UTF-8 TRS page with full chrome

_TRS_HEAD = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}_政府信息公开年报_某某市人民政府</title>
<link rel="stylesheet" href="/css/common.css">
<style>.TRS_Editor p {{ text-indent: 2em; }}</style>
<script>var tip = "<p>脚本里的段落不是正文</p>"; document.write("<table><tr><td>假</td></tr></table>");</script>
</head>
<body>
<div class="header"><div class="logo">某某市人民政府</div>
  <div class="search"><input type="text" placeholder="请输入关键字"><button>搜索</button></div></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
  <li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/zjmc/">走进某某</a></li></ul></div>
<div class="main">
  <div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; <a href="/ndbg/">政府信息公开年报</a></div>
  <div class="left sidebar"><h3>信息公开目录</h3><ul>
    <li><a href="#">机构职能</a></li><li><a href="#">政策文件</a></li><li><a href="#">规划计划</a></li>
    <li><a href="#">财政资金</a></li><li><a href="#">政府信息公开年报</a></li><li><a href="#">依申请公开</a></li></ul></div>
  <div class="article">
    <h1 class="article-title">{title}</h1>
    <div class="article-info">发布日期：2025-01-20　来源：本网　浏览次数：1024　【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
    <div class="article-content">
    <div class="TRS_Editor">
"""

_TRS_TAIL = """    </div>
    </div>
    <div class="bdshare share">分享到：<a class="bds_weixin">微信</a> <a class="bds_tsina">微博</a></div>
    <p class="print">【打印本页】【关闭窗口】</p>
    <div class="prevnext"><p>上一篇：<a href="#">某某局2023年政府信息公开工作年度报告</a></p>
      <p>下一篇：<a href="#">关于公布2024年度政务公开工作要点的通知</a></p></div>
    <div class="related"><h4>相关链接</h4><ul><li><a href="#">国务院办公厅政府信息与政务公开办公室</a></li></ul></div>
  </div>
</div>
<div class="footer"><p>主办单位：某某市人民政府办公室　网站标识码：6400000001　宁ICP备00000000号</p>
<p>地址：某某市某某路1号　联系电话：0000-0000000</p></div>
<script>window._hmt = [];</script>
</body>
</html>
"""


def _trs_table(rows: list[list[str]]) -> str:
    out = [
        '<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse" width="100%"><tbody>'
    ]
    for row in rows:
        cells = "".join(
            f'<td valign="center"><p style="text-align:center"><span style="font-size:12pt">{_br_cell(c)}</span></p></td>'
            if c
            else '<td valign="center"><p style="text-align:center">&nbsp;</p></td>'
            for c in row
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def layout_trs(items: list[Item]) -> bytes:
    """Return layout (a): a UTF-8 TRS-style page with full chrome."""
    body: list[str] = []
    for item in items:
        if item.kind == "para":
            body.append(f'      <p style="text-indent:2em">{_wrap_source(item.text)}</p>')
        else:
            body.append(_trs_table(item.rows))
    return (_TRS_HEAD.format(title=_esc(seed_title(items))) + "\n".join(body) + "\n" + _TRS_TAIL).encode(
        "utf-8"
    )


# ----------------------------------------------------------------------------------------------
# Layout b: old GBK page, layout tables, sloppy markup

_GBK_HEAD = """<HTML>
<HEAD>
<META http-equiv="Content-Type" content="text/html; charset=gb2312">
<TITLE>{title}</TITLE>
</HEAD>
<BODY topmargin=0>
<TABLE width=1000 align=center border=0 cellpadding=0 cellspacing=0>
<TR><TD class=top><IMG src="/images/banner.jpg"></TD></TR>
<TR><TD class=menu><A href="/">网站首页</A> | <A href="/xxgk/">信息公开</A> | <A href="/bsfw/">办事服务</A></TD></TR>
</TABLE>
<TABLE width=1000 align=center border=0>
<TR>
<TD width=200 valign=top class=leftnav>
<TABLE width=100%><TR><TD><A href="#">信息公开指南</A><TR><TD><A href="#">信息公开制度</A>
<TR><TD><A href="#">信息公开年报</A><TR><TD><A href="#">依申请公开</A></TABLE>
<TD width=800 valign=top>
<TABLE width=100%><TR><TD align=center><FONT size=5><B>{title}</B></FONT>
<TR><TD align=center>发布时间：2025年01月20日&nbsp;&nbsp;信息来源：办公室
<TR><TD id=zoom class=fontsize>
"""

_GBK_TAIL = """</TD></TR></TABLE>
</TD></TR></TABLE>
<TABLE width=1000 align=center><TR><TD class=bottom align=center>版权所有：某某县人民政府&nbsp;&nbsp;技术支持：某某网络公司</TD></TR></TABLE>
</BODY>
</HTML>
"""


def _gbk_table(rows: list[list[str]]) -> str:
    out = ["<TABLE border=1 cellspacing=0 style='border-collapse:collapse'>"]
    for row in rows:
        cells = "".join(
            f"<TD><P class=MsoNormal align=center><SPAN lang=EN-US><FONT face=宋体>{_esc(c)}</FONT></SPAN><o:p></o:p>"
            if c
            else "<TD>&nbsp;"
            for c in row
        )
        out.append(f"<TR>{cells}")
    out.append("</TABLE>")
    return "\n".join(out)


def layout_gbk(items: list[Item]) -> bytes:
    """Return layout (b): an old GBK page (declared gb2312) with layout tables and sloppy markup."""
    body: list[str] = []
    for item in items:
        if item.kind == "para":
            body.append(
                f"<P class=MsoNormal style='TEXT-INDENT: 2em'><FONT face=仿宋_GB2312>{_esc(item.text)}</FONT>"
            )
        else:
            body.append(_gbk_table(item.rows))
    page = _GBK_HEAD.format(title=_esc(seed_title(items))) + "\n".join(body) + "\n" + _GBK_TAIL
    return page.encode("gb18030")


# ----------------------------------------------------------------------------------------------
# Layout c: rowspan/colspan and tables cut into several <table>s


def is_numeric(cell: str) -> bool:
    """Return True for a value cell (digits, separators, missing markers)."""
    return bool(_NUMERIC.match(cell))


def fold_spans(rows: list[list[str]]) -> list[list[tuple[str, int, int]]]:
    """Fold empty cells into the spans of the label/header cell above-left of them.

    Each non-empty, non-numeric cell absorbs the run of unclaimed empty cells to its right, then
    the rows below whose cells under that run are all empty. The result expands back to ``rows``.
    """
    claimed: set[tuple[int, int]] = set()
    out: list[list[tuple[str, int, int]]] = [[] for _ in rows]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if (r, c) in claimed:
                continue
            rs = cs = 1
            if text and not is_numeric(text):
                while c + cs < len(row) and row[c + cs] == "" and (r, c + cs) not in claimed:
                    cs += 1
                while r + rs < len(rows) and all(
                    c + k < len(rows[r + rs]) and rows[r + rs][c + k] == "" and (r + rs, c + k) not in claimed
                    for k in range(cs)
                ):
                    rs += 1
            for dr in range(rs):
                for dc in range(cs):
                    claimed.add((r + dr, c + dc))
            out[r].append((text, rs, cs))
    return out


def _pieces(item: Item) -> list[list[list[str]]]:
    """Cut a table into pieces: header rows, then the body in two, and at the seed's page breaks."""
    rows = item.rows
    first_data = next((i for i, r in enumerate(rows) if any(c and is_numeric(c) for c in r)), 0)
    cuts = {first_data, *item.breaks}
    if len(rows) - first_data >= 6:
        cuts.add(first_data + (len(rows) - first_data) // 2)
    bounds = sorted(c for c in cuts if 0 < c < len(rows))
    pieces: list[list[list[str]]] = []
    start = 0
    for cut in [*bounds, len(rows)]:
        pieces.append(rows[start:cut])
        start = cut
    return pieces


_SEPARATORS = (
    "\n",
    "\n<p>&nbsp;</p>\n",
    "\n<p><br/></p>\n",
    "\n<div>\u3000</div>\n",
    "\n<p> </p>\n<p></p>\n",
)


def _spans_table(rows: list[list[str]], header: bool) -> str:
    cell_tag = "th" if header else "td"
    out = ['<table class="MsoTableGrid" border="1" cellspacing="0">', "<thead>" if header else "<tbody>"]
    for row in fold_spans(rows):
        cells = []
        for text, rs, cs in row:
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            cells.append(f"<{cell_tag}{attrs}>{_esc(text)}</{cell_tag}>")
        out.append(f"<tr>{''.join(cells)}</tr>")
    out.append("</thead>" if header else "</tbody>")
    out.append("</table>")
    return "\n".join(out)


def layout_spans(items: list[Item]) -> bytes:
    """Return layout (c): tables with rowspan/colspan, cut into several ``<table>`` elements."""
    body: list[str] = []
    n_sep = 0
    for item in items:
        if item.kind == "para":
            body.append(f"<p>{_esc(item.text)}</p>")
            continue
        parts = []
        for i, piece in enumerate(_pieces(item)):
            header = i == 0 and not any(c and is_numeric(c) for r in piece for c in r)
            parts.append(_spans_table(piece, header))
        joined = parts[0]
        for part in parts[1:]:
            joined += _SEPARATORS[n_sep % len(_SEPARATORS)] + part
            n_sep += 1
        body.append(joined)
    title = _esc(seed_title(items))
    page = (
        '<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f"<title>{title}</title></head>\n<body>\n"
        '<nav><a href="/">首页</a> <a href="/xxgk">信息公开</a></nav>\n'
        f'<div class="wrap"><h2>{title}</h2>\n<div id="UCAP-CONTENT">\n'
        + "\n".join(body)
        + "\n</div></div>\n<footer>版权所有 某某市人民政府</footer>\n</body></html>\n"
    )
    return page.encode("utf-8")


def build(path: Path, layout: str) -> bytes:
    """Return the HTML bytes of a seed in the given layout (``trs``, ``gbk`` or ``spans``)."""
    items = seed_items(path.read_text(encoding="utf-8"))
    return {"trs": layout_trs, "gbk": layout_gbk, "spans": layout_spans}[layout](items)
