"""DOCX in the layout of a 公文 (GB/T 9704-2012), built with python-docx.

The page: A4, margins 37/35/28/26 mm (top/bottom/left/right), 22 lines × 28 characters: a line grid
(``w:docGrid`` type ``lines``, linePitch 579 twips = 225 mm / 22; charSpace −849 is recorded for
Word's character grid) and characters set 0.25 pt closer (``w:spacing`` −5 in the document
defaults), so that 28 characters of 16 pt fill the 156 mm line in Word and in LibreOffice alike
(LibreOffice's character grid gives a 16 pt character two 15.79 pt cells and printed 14 to a line).
Body 3号 (16 pt) 仿宋_GB2312, title 2号 (22 pt) 方正小标宋简体, headings 一、黑体 and （一）楷体_GB2312, red
发文机关标志 and separator line, page numbers “— 1 —” (4号宋体, a PAGE field) right on odd pages and
left on even pages, and the 版记 between rules. Every run sets the east-Asian font
(``w:rFonts/@w:eastAsia``): without it Word shows CJK text in the default font. The recipient's
Word/WPS supplies the official typefaces.

To add a part to a document: a function taking the ``Document`` (and text), using :func:`run` so
the fonts are set, and call it from the document's writer (:func:`notice_docx`).
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from audit.render.notice import NoticeView
from audit.render.words import zh_number

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
RED = RGBColor(0xFF, 0x00, 0x00)
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
SMALL_PT = 14  # 4号
LINE_PITCH = 579  # twips: 225 mm of 版心 / 22 lines
CHAR_SPACE = -849  # 1/4096 pt: 156 mm of 版心 / 28 characters of 16 pt
# Characters are set 0.25 pt closer (w:spacing, twentieths of a point): 28 × 15.75 pt = 441 pt fit
# the 442 pt line, with the line grid only (see the module docstring).
CHAR_KERN = -5
TEXT_WIDTH_PT = 442  # 156 mm


def set_fonts(rpr_owner, name: str) -> None:  # noqa: ANN001
    """Set a run's or style's fonts, east-Asian included (python-docx sets only ascii/hAnsi)."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def run(
    paragraph: Paragraph,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = BODY_PT,
    bold: bool = False,
    color: RGBColor | None = None,
):  # noqa: ANN201
    """Add a run of ``text`` in ``font`` at ``size`` pt to a paragraph and return it."""
    r = paragraph.add_run(text)
    r.font.name = font
    r.font.size = Pt(size)
    r.font.bold = bold
    if color is not None:
        r.font.color.rgb = color
    set_fonts(r._r, font)
    return r


def _grid(doc: DocxDocument) -> None:
    """Give the section the 22-line grid (the 28 characters come from :data:`CHAR_KERN`)."""
    sect = doc.sections[0]._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def _default_size(doc: DocxDocument) -> None:
    """Make 3号仿宋 the document default: the grid's character pitch is counted from it."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    size = rpr.find(qn("w:sz"))
    if size is None:
        size = OxmlElement("w:sz")
        rpr.append(size)
    size.set(qn("w:val"), str(BODY_PT * 2))
    spacing = OxmlElement("w:spacing")  # 16 pt − 0.25 pt: 28 characters fill the 156 mm line exactly
    spacing.set(qn("w:val"), str(CHAR_KERN))
    rpr.append(spacing)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), BODY_FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _page_field(paragraph: Paragraph) -> None:
    """Add “— PAGE —” to a footer paragraph (a complex PAGE field between em dashes)."""
    run(paragraph, "— ", font=PAGE_NUMBER_FONT, size=SMALL_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run(paragraph, "", font=PAGE_NUMBER_FONT, size=SMALL_PT)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._r.append(instr)
        else:
            r.text = text or ""
    run(paragraph, " —", font=PAGE_NUMBER_FONT, size=SMALL_PT)


def new_document() -> DocxDocument:
    """Return an empty document with the 公文 page, grid, body style and page-number footers."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.footer_distance = Mm(23)  # the page number sits 7 mm below the 版心
    _grid(doc)
    _default_size(doc)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(BODY_PT)
    set_fonts(normal.element, BODY_FONT)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28.95)
    fmt.space_before = fmt.space_after = Pt(0)
    doc.settings.odd_and_even_pages_header_footer = True
    odd = off_grid(sec.footer.paragraphs[0])
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(SMALL_PT)
    _page_field(odd)
    even = off_grid(sec.even_page_footer.paragraphs[0])
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(SMALL_PT)
    _page_field(even)
    return doc


def off_grid(paragraph: Paragraph) -> Paragraph:
    """Let a paragraph not in 3号 (masthead, title, 版记, tables) ignore the character grid."""
    ppr = paragraph._p.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.append(snap)
    return paragraph


def _border(paragraph: Paragraph, side: str, *, size: int, color: str = "000000") -> None:
    """Draw a rule on one side of a paragraph (``size`` in eighths of a point)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), "4")
    edge.set(qn("w:color"), color)
    borders.append(edge)


def paragraph(
    doc: DocxDocument,
    text: str = "",
    *,
    indent: bool = True,
    size: float = BODY_PT,
    font: str = BODY_FONT,
    align=None,
) -> Paragraph:  # noqa: ANN001
    """Add a body paragraph (first line indented two characters unless ``indent`` is false)."""
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
    if align is not None:
        p.alignment = align
    if text:
        run(p, text, font=font, size=size)
    return p


def masthead(doc: DocxDocument, office_name: str, number: str) -> None:
    """Add the red 发文机关标志, the 文号 and the red separator line."""
    size = min(36.0, TEXT_WIDTH_PT / max(len(office_name), 1))
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.paragraph_format.space_before = Pt(60)
    p.paragraph_format.space_after = Pt(40)
    run(off_grid(p), office_name, font=TITLE_FONT, size=size, color=RED)
    num = paragraph(doc, number, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _border(num, "bottom", size=12, color="FF0000")
    doc.add_paragraph()


def title(doc: DocxDocument, text: str) -> None:
    """Add the document title (2号小标宋, centred) and the blank line after it."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing = Pt(35)
    run(off_grid(p), text, font=TITLE_FONT, size=TITLE_PT)
    doc.add_paragraph()


def heading(doc: DocxDocument, text: str, level: int = 1) -> Paragraph:
    """Add a heading: level 1 (一、) in 黑体, level 2 (（一）) in 楷体."""
    return paragraph(doc, text, font=HEADING_FONT if level == 1 else SUBHEADING_FONT)


def signature(doc: DocxDocument, name: str, date_zh: str) -> None:
    """Add the 发文机关署名 centred over the 成文日期, which is indented four characters from the right."""
    doc.add_paragraph()
    date_indent = 4 * BODY_PT
    name_indent = max(0.0, date_indent + (len(date_zh) - len(name)) * BODY_PT / 2)
    for text, indent in ((name, name_indent), (date_zh, date_indent)):
        p = paragraph(doc, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(indent)


def banji(doc: DocxDocument, office_name: str, date_zh: str, copy_to: str = "") -> None:
    """Add the 版记: 抄送 (if any) and 印发机关/印发日期 between thick rules (4号仿宋)."""
    doc.add_paragraph()
    lines = ([f"抄送：{copy_to}"] if copy_to else []) + [f"{office_name}　　{date_zh}印发"]
    for i, text in enumerate(lines):
        p = off_grid(paragraph(doc, text, indent=False, size=SMALL_PT))
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(SMALL_PT)
        if i == 0:
            _border(p, "top", size=8)
        _border(p, "bottom", size=8 if i == len(lines) - 1 else 5)


def table(doc: DocxDocument, header: list[str], rows: list[list[object]]) -> None:
    """Add a ruled table (4号仿宋) with a header row."""
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, header, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        run(off_grid(cell.paragraphs[0]), text, font=HEADING_FONT, size=SMALL_PT)
    for values in rows:
        cells = t.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            run(off_grid(cell.paragraphs[0]), "" if value is None else str(value), size=SMALL_PT)


def to_bytes(doc: DocxDocument) -> bytes:
    """Return the document as DOCX bytes."""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def notice_docx(v: NoticeView) -> bytes:
    """Write a 整改通知 as a 公文 DOCX."""
    doc = new_document()
    if not v.is_final:
        note = paragraph(
            doc, f"【{v.status_text}：未经审核，不得印发】", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER
        )
        note.runs[0].font.color.rgb = RED
    masthead(doc, v.office.name, v.number_text)
    title(doc, v.title)
    paragraph(doc, f"{v.agency}：", indent=False)
    paragraph(doc, v.intro)
    for group in v.groups:
        heading(doc, group.heading, 1)
        for i, item in enumerate(group.items, 1):
            p = heading(doc, f"（{zh_number(i)}）{item.title}", 2)
            if item.recurring:
                run(p, "【屡查屡犯】", font=SUBHEADING_FONT, bold=True, color=RED)
            paragraph(doc, f"问题位置：{item.year}年度报告 {'、'.join(item.where)}。")
            for msg in item.messages:
                paragraph(doc, msg)
            for ev in item.evidence:
                text = f"“{ev.text}”" if ev.quote else ev.text
                paragraph(doc, f"证据：{ev.where}：{text}")
            if item.left_out:
                paragraph(doc, f"另有{item.left_out}处相关单元格，详见整改清单。")
            if item.basis:
                b = item.basis
                paragraph(doc, f"依据：《{b['source'].strip('《》')}》{b['article']}：“{b['excerpt']}”")
            if item.local_text:
                paragraph(doc, item.local_text)
            for text in item.explanations:
                paragraph(doc, f"【已说明】机关说明：{text}（经审核认可，不再要求整改）")
            paragraph(doc, f"整改时限：{item.deadline_text}。")
    if v.explained_lines:
        heading(doc, f"{zh_number(len(v.groups) + 1)}、已说明事项", 1)
        for line in v.explained_lines:
            paragraph(doc, line)
    heading(doc, f"{zh_number(len(v.groups) + (2 if v.explained_lines else 1))}、整改要求", 1)
    paragraph(doc, v.requirement)
    paragraph(doc, "审核覆盖情况：" + "".join(v.coverage_lines))
    contact = (
        f"（联系人：{v.office.contact}" + (f"；联系电话：{v.office.phone}" if v.office.phone else "") + "）"
    )
    paragraph(doc, contact)
    signature(doc, v.office.name, v.date_zh)
    banji(doc, v.office.name, v.date_zh, v.office.copy_to)
    return to_bytes(doc)
