"""Renderers of a generated report: one module per published kind, all printing the same draft.

``render(draft, medium)`` returns the document's bytes. The media and what they imitate:

- ``text``: the text of a report as copied from a page (tables as tab-separated rows);
- ``html-trs``: a page of a TRS-style portal (UTF-8, full chrome, Word-exported body);
- ``html-hanweb``: a page of a Hanweb-style portal (GBK with ``charset=gb2312``, layout tables);
- ``docx``: a Word document with real tables and merged cells, official fonts named;
- ``pdf``: an A4 PDF with ruled tables and page numbers (reportlab, built-in Chinese font).

To add a medium: write ``render_<kind>(draft, …) -> bytes`` in a module here, add it to
``MEDIA`` below and to ``EXTENSIONS``, and let ``audit.sample.plan`` draw it.
"""

from __future__ import annotations

from audit.sample.document import Draft

MEDIA = ("text", "html-trs", "html-hanweb", "docx", "pdf")
EXTENSIONS = {"text": ".txt", "html-trs": ".html", "html-hanweb": ".html", "docx": ".docx", "pdf": ".pdf"}


def render(draft: Draft, medium: str, *, encoding: str = "utf-8", url: str = "") -> bytes:
    """Return the bytes of ``draft`` published as ``medium`` (one of :data:`MEDIA`)."""
    if medium == "text":
        from audit.sample.render.text import render_text

        return render_text(draft)
    if medium.startswith("html-"):
        from audit.sample.render.html import render_html

        return render_html(draft, medium.removeprefix("html-"), encoding=encoding, url=url)
    if medium == "docx":
        from audit.sample.render.docx import render_docx

        return render_docx(draft)
    if medium == "pdf":
        from audit.sample.render.pdf import render_pdf

        return render_pdf(draft)
    raise ValueError(f"未知的发布形式：{medium}")
