"""Generators of hostile documents for the reader limit tests (made at test time, never committed).

Each returns bytes built the way an attacker would, but cheaply: a deflate stream of N MiB of
zeros is one flushed 1 MiB block repeated (each block is self-contained after a full flush), so
a file inflating to gigabytes is made in milliseconds without holding the gigabytes.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib

MiB = 1 << 20


@functools.cache
def _zero_block() -> bytes:
    """Return raw deflate data for 1 MiB of zeros, ending on a full flush (byte-aligned, reusable)."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    return co.compress(bytes(MiB)) + co.flush(zlib.Z_FULL_FLUSH)


def _final_block() -> bytes:
    """Return an empty final deflate block."""
    return zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def raw_deflate_zeros(mib: int) -> bytes:
    """Return raw deflate data (no header) inflating to ``mib`` MiB of zeros."""
    return _zero_block() * mib + _final_block()


def zlib_zeros(mib: int) -> bytes:
    """Return zlib data (a PDF FlateDecode stream) inflating to ``mib`` MiB of zeros."""
    n = mib * MiB
    adler = ((n % 65521) << 16) | 1  # Adler-32 of n zero bytes
    return b"\x78\xda" + raw_deflate_zeros(mib) + struct.pack(">I", adler)


@functools.cache
def _crc_of_zeros(mib: int) -> int:
    crc, chunk = 0, bytes(MiB)
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    return crc


def zip_archive(members: list[tuple[str, bytes, bytes | None, int, int]]) -> bytes:
    """Return a ZIP of ``(name, data, raw deflate or None, size, crc)`` members, written by hand.

    A member with raw deflate data is stored as given (its declared ``size`` and ``crc`` are the
    inflated ones); otherwise ``data`` is deflated here.
    """
    out = io.BytesIO()
    central = []
    for name, data, raw, size, crc in members:
        if raw is None:
            co = zlib.compressobj(6, zlib.DEFLATED, -15)
            raw, size, crc = co.compress(data) + co.flush(), len(data), zlib.crc32(data)
        encoded = name.encode()
        offset = out.tell()
        out.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size, len(encoded), 0)
        )
        out.write(encoded + raw)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(raw),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    size = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="word/document.xml"/></Relationships>'
)
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_bomb(mib: int) -> bytes:
    """Return a DOCX whose ``word/document.xml`` inflates to ``mib`` MiB (of zeros)."""
    return zip_archive(
        [
            ("[Content_Types].xml", _CONTENT_TYPES, None, 0, 0),
            ("_rels/.rels", _RELS, None, 0, 0),
            ("word/document.xml", b"", raw_deflate_zeros(mib), mib * MiB, _crc_of_zeros(mib)),
        ]
    )


def docx_of_tiny_elements(n: int) -> bytes:
    """Return a valid DOCX whose body is one paragraph of ``n`` empty runs (``<w:r/>``)."""
    body = b"<w:document " + _W + b"><w:body><w:p>" + b"<w:r/>" * n + b"</w:p></w:body></w:document>"
    return zip_archive(
        [
            ("[Content_Types].xml", _CONTENT_TYPES, None, 0, 0),
            ("_rels/.rels", _RELS, None, 0, 0),
            ("word/document.xml", body, None, 0, 0),
        ]
    )


def pdf(objects: list[bytes]) -> bytes:
    """Return a PDF of the given object bodies (object 1 is the catalogue), with a correct xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def stream(data: bytes, flate: bool = True) -> bytes:
    """Return a stream object body (``data`` already compressed when ``flate``)."""
    head = b"<< /Length %d%s >>" % (len(data), b" /Filter /FlateDecode" if flate else b"")
    return head + b"\nstream\n" + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_one_page(content: bytes) -> bytes:
    """Return a one-page PDF whose page content stream is the (zlib) ``content``."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            stream(content),
            _FONT,
        ]
    )


def pdf_pages(n: int, count: int | None = None) -> bytes:
    """Return a PDF of ``n`` pages sharing one small content stream; ``/Count`` says ``count`` (default n)."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(n))
    content = zlib.compress(b"BT /F1 12 Tf 72 720 Td (page) Tj ET")
    pages = [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>"
    ] * n
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % (n if count is None else count),
            stream(content),
            _FONT,
            *pages,
        ]
    )


def html_span_bomb(rows: int = 2000) -> bytes:
    """Return the page of issue I: ``rows`` rows whose cells span 2147483647 rows and columns."""
    cell = '<td rowspan="2147483647" colspan="2147483647">0</td>'
    body = "".join(f"<tr><td>第{i}行</td>{cell}</tr>" for i in range(rows))
    return f"<html><body><p>年度报告</p><table>{body}</table></body></html>".encode()
