"""Turns a document file (text, HTML, PDF, DOCX, DOC/WPS, RTF) into the intermediate form.

The type is sniffed from the bytes (magic numbers), not taken from the extension: agencies often
publish a ``.doc`` that is really RTF, HTML or DOCX, or a PDF with a wrong name. Each format has a
reader module ``audit/read_<kind>.py`` with a function ``read_<kind>(data: bytes, source: str) ->
IntermediateDoc``. A document that cannot be read at all raises :class:`UnreadableError`; a document
that can be opened but has no usable text (scans, broken fonts) is returned with a ``problems``
entry of kind ``unreadable`` so that the audit reports TL03 instead of crashing.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from audit.report import IntermediateDoc


class UnreadableError(Exception):
    """The input cannot be read at all (missing file, unsupported type, corrupt container)."""


KINDS = {
    "text": "text/plain",
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "rtf": "application/rtf",
}


_HTML_TAGS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<meta",
    b"<table",
    b"<div",
    b"<p>",
    b"<p ",
    b"<br",
)


def sniff(data: bytes, name: str = "") -> str:
    """Return the document kind of ``data``: text, html, pdf, docx, doc, rtf, ofd, image or zip."""
    head = data[:2048].lstrip()
    if data.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(b"PK\x03\x04"):
        window = data[:4096] + data[-65536:]
        if b"word/" in window:
            return "docx"
        if b"OFD.xml" in window or b"Doc_0/" in window:
            return "ofd"
        return "zip"
    if (
        data[:8] in (b"\x89PNG\r\n\x1a\n",)
        or data[:3] == b"\xff\xd8\xff"
        or data[:4] in (b"GIF8", b"II*\x00", b"MM\x00*")
    ):
        return "image"
    low = data[:8192].lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    if low.startswith((b"<!doctype html", b"<html")):
        return "html"
    # pages served without a .html name (``?id=5``): markup somewhere in the first 8 KB
    if sum(1 for tag in _HTML_TAGS if tag in low) >= 2:
        return "html"
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm", ".shtml") and b"<" in head:
        return "html"
    return "text"


def read_bytes(data: bytes, source: str) -> IntermediateDoc:
    """Read a document from its bytes into the intermediate form."""
    kind = sniff(data, source)
    if kind == "ofd":
        raise UnreadableError("OFD 版式文件暂不支持，请人工查看或索取 PDF/Word 版本")
    if kind == "image":
        raise UnreadableError("文件是图片，不是可机读的文档")
    if kind == "zip":
        raise UnreadableError("文件是 ZIP 压缩包而不是 Word 文档")
    if kind == "rtf":
        from audit.readers.doc import read_rtf

        doc = read_rtf(data, source)
        doc.media_type = KINDS[kind]
        return doc
    module = importlib.import_module(f"audit.readers.{kind}")
    reader = getattr(module, f"read_{kind}")
    doc: IntermediateDoc = reader(data, source)
    doc.media_type = KINDS[kind]
    return doc


def read_path(path: str | Path) -> IntermediateDoc:
    """Read a document file into the intermediate form; raises :class:`UnreadableError`."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise UnreadableError("文件不存在") from exc
    except IsADirectoryError as exc:
        raise UnreadableError("这是一个目录，不是文件") from exc
    except OSError as exc:
        raise UnreadableError(f"无法打开文件（{exc.strerror}）") from exc
    if not data.strip():
        raise UnreadableError("文件为空")
    return read_bytes(data, str(path))
