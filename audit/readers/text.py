"""Reader for plain-text reports (text as extracted from a PDF or a web page).

Table cells are separated by tabs or, in layout-preserving extractions, by runs of two or more
spaces. Consecutive table-like lines form one table; blank lines inside a table (page breaks) do
not end it. Every other non-empty line is a paragraph.
"""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from audit.readers import UnreadableError
from audit.report import Block, IntermediateDoc
from audit.text import is_value_cell, text_stats

_MULTISPACE = re.compile(r"(?<=\S)[ \u3000]{2,}(?=\S)")
_NUMBERS_ONLY = re.compile(r"^[\d\s.,\-/—]+$")


def decode_text(data: bytes) -> tuple[str, list[dict[str, str]]]:
    """Decode text bytes: BOM → strict UTF-8 → strict GB18030 → detection → UTF-8 with replacement."""
    problems: list[dict[str, str]] = []
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace"), problems
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), problems
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is not None:
        return str(best), problems
    problems.append({"kind": "reader", "detail": "文本编码无法确定，已按 UTF-8 容错解码，个别字符可能有误"})
    return data.decode("utf-8", errors="replace"), problems


def split_cells(line: str) -> list[str] | None:
    """Return the cells of a table-like line, or None when the line is prose."""
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    stripped = line.strip()
    if _NUMBERS_ONLY.match(stripped) and len(stripped.split()) >= 2:
        return stripped.split()
    if _MULTISPACE.search(stripped):
        cells = [c.strip() for c in _MULTISPACE.split(stripped)]
        if any(is_value_cell(c) for c in cells) or all(len(c) <= 20 for c in cells):
            return cells
    return None


def read_text(data: bytes, source: str) -> IntermediateDoc:
    """Read a plain-text report into paragraphs and tables."""
    text, problems = decode_text(data)
    if "\x00" in text:
        raise UnreadableError("文件含有二进制内容，不是文本文件")
    cids, _cjk, bad, visible = text_stats(text)
    if cids + visible and (cids + bad) / (cids + visible) > 0.05:
        # text extracted from a PDF whose font has no usable ToUnicode map: (cid:NN) runs or U+FFFD
        problems.append(
            {
                "kind": "unreadable",
                "detail": f"文本由损坏的字体编码提取而来，{cids + bad} 个字符无法解码，无法机读",
            }
        )
    blocks: list[Block] = []
    table: Block | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue  # blank lines (page breaks) neither start nor end a table
        cells = split_cells(line)
        if cells is not None and any(cells):
            if table is None:
                table = Block(kind="table", line=lineno)
                blocks.append(table)
            table.rows.append(cells)
            table.row_lines.append(lineno)
            table.row_pages.append(None)
        else:
            table = None
            blocks.append(Block(kind="para", text=line.strip(), line=lineno))
    return IntermediateDoc(source=source, blocks=blocks, problems=problems)
