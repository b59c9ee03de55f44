"""Render a draft as an article page of a government portal, in a TRS or a Hanweb style.

The page templates (``templates/trs.html``, ``templates/hanweb.html``) carry the chrome such pages
have: navigation, breadcrumbs, a side menu, the 信息公开 metadata table (索引号, 发布机构, 成文日期,
发布日期), share and print links, 上一篇/下一篇, a footer with 网站标识码 and ICP numbers, and the
CMS's meta tags (``PubDate``, ``ContentSource`` …). The TRS body is Word-exported markup inside
``div.TRS_Editor``; the Hanweb body sits between ``ContentStart``/``ContentEnd`` markers in layout
tables and is usually served as GBK with ``charset=gb2312`` declared.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from audit.sample.document import Draft, Para
from audit.sample.page import page_facts


@cache
def _env() -> Environment:
    """Return the Jinja2 environment over the package's templates."""
    return Environment(
        loader=PackageLoader("audit.sample", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _blocks(draft: Draft) -> list[dict]:
    """Return the draft's blocks as the templates take them."""
    out: list[dict] = []
    for block in draft.blocks():
        if isinstance(block, Para):
            out.append({"table": False, "role": block.role, "text": block.text})
        else:
            rows = [[c for c in row if c is not None] for row in block.grid]
            out.append({"table": True, "rows": rows})
    return out


def render_html(draft: Draft, style: str, *, encoding: str = "utf-8", url: str = "") -> bytes:
    """Return the page of ``draft`` in ``style`` (``trs`` or ``hanweb``), encoded as ``encoding``."""
    template = _env().get_template(f"{style}.html")
    charset = "gb2312" if encoding == "gbk" else encoding  # as such sites declare their GBK pages
    page = template.render(blocks=_blocks(draft), charset=charset, **page_facts(draft, url))
    return page.encode(encoding)
