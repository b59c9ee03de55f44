"""What every reader shares: the errors, the document kinds with their media types, and sniffing.

The kind of a document is sniffed from its bytes (magic numbers), not taken from its name:
agencies often publish a ``.doc`` that is really RTF, HTML or DOCX, or a PDF with a wrong name.
The HTTP ``Content-Type`` a crawler saw is only a hint for bytes that say nothing for themselves
(plain text versus HTML without a doctype). Kinds that no reader reads are refused with a Chinese
reason (:data:`REFUSALS`).
"""

from __future__ import annotations

from pathlib import Path


class UnreadableError(Exception):
    """The input cannot be read at all (missing file, unsupported type, corrupt container)."""


class LimitExceeded(UnreadableError):
    """The document is over one of the processing limits (:mod:`audit.limits`).

    ``limit`` names the limit (the field of :class:`audit.limits.Limits`, or ``"crash"`` when the
    worker died); the message is Chinese and says which limit and by how much. The store records
    it as a finding of its own kind and skips the document until its bytes change.
    """

    def __init__(self, limit: str, detail: str) -> None:
        super().__init__(f"文档超出处理限制（{detail}）")
        self.limit = limit
        self.detail = detail

    def __reduce__(self) -> tuple[type[LimitExceeded], tuple[str, str]]:
        """Pickle with both arguments (the worker sends it to the parent process)."""
        return (type(self), (self.limit, self.detail))


# kind -> media type (the Document row's content type when the crawler gave none)
KINDS: dict[str, str] = {
    "text": "text/plain",
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "rtf": "application/rtf",
    "ofd": "application/ofd",
    "image": "image/*",
    "zip": "application/zip",
}

# kinds that are sniffed but not read: the reason, shown to the user
REFUSALS: dict[str, str] = {
    "ofd": "OFD 版式文件暂不支持，请人工查看或索取 PDF/Word 版本",
    "image": "文件是图片，不是可机读的文档",
    "zip": "文件是 ZIP 压缩包而不是 Word 文档",
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
    b"<pre",
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def strip_bom(data: bytes) -> bytes:
    """Return ``data`` without a leading UTF-8/UTF-16 byte-order mark."""
    for bom in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :]
    return data


def is_empty(data: bytes) -> bool:
    """Return True when ``data`` holds nothing but a byte-order mark and whitespace."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        return not data[2:].decode(codec, errors="replace").strip()
    body = strip_bom(data)
    return not body or body.isspace()


def media_kind(content_type: str | None) -> str | None:
    """Return the kind a ``Content-Type`` header names (``text/html; charset=gbk`` → html), or None."""
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        return "html"
    if media == "text/plain":
        return "text"
    return None


def sniff(data: bytes, name: str = "", content_type: str | None = None) -> str:
    """Return the document kind of ``data``: text, html, pdf, docx, doc, rtf, ofd, image or zip.

    The bytes decide; ``content_type`` (the HTTP header) only decides between text and HTML when
    the bytes show no markup (a page served as ``text/html`` whose markup is far down) or only a
    little of it (a text report served as ``text/plain`` that mentions ``<br``).
    """
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
    hinted = media_kind(content_type)
    low = data[:8192].lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    if low.startswith((b"<!doctype html", b"<html")):
        return "html"
    # pages served without a .html name (``?id=5``): markup somewhere in the first 8 KB
    tags = sum(1 for tag in _HTML_TAGS if tag in low)
    if tags >= 2 and hinted != "text":
        return "html"
    if hinted is not None:
        return hinted
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm", ".shtml") and b"<" in head:
        return "html"
    return "text"
