"""Reader for plain-text reports (text as extracted from a PDF or a web page).

The bytes are decoded by the one charset chain (:mod:`audit.readers.charset`) and laid out by the
line rules of :mod:`audit.readers.lines` (tabs or runs of spaces separate table cells; a
tab-separated row keeps its empty fields). Text whose characters are mostly ``(cid:NN)`` runs or
replacement characters (extracted from a PDF font without a usable ToUnicode map) is reported as
unreadable.
"""

from __future__ import annotations

from audit.readers.base import UnreadableError
from audit.readers.charset import decode
from audit.readers.lines import blocks_from_lines
from audit.report import IntermediateDoc
from audit.text import text_stats

KINDS = ("text",)


def read(data: bytes, source: str) -> IntermediateDoc:
    """Read a plain-text report into paragraphs and tables."""
    text, _codec, problems = decode(data, what="文本")
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
    blocks, line_problems = blocks_from_lines(enumerate(text.splitlines(), start=1))
    return IntermediateDoc(source=source, blocks=blocks, problems=problems + line_problems)
