"""RTF reader: RTF files (often published with a ``.doc`` name) read through LibreOffice.

LibreOffice converts the file to DOCX (:mod:`audit.readers.convert`), which the DOCX reader
reads; without LibreOffice the file cannot be read and the error names the package to install.
"""

from __future__ import annotations

from audit.readers.base import UnreadableError
from audit.readers.convert import ConversionError, convert_with_soffice, find_converters
from audit.readers.docx import read as read_docx
from audit.report import IntermediateDoc

KINDS = ("rtf",)


def read(data: bytes, source: str) -> IntermediateDoc:
    """Read an RTF file through LibreOffice and the DOCX reader.

    Raises:
        UnreadableError: LibreOffice is not installed or cannot convert the file.
    """
    soffice = find_converters().get("soffice")
    if not soffice:
        raise UnreadableError(
            "无法读取 RTF 文件：未安装 LibreOffice（apt-get install libreoffice-writer-nogui）"
        )
    try:
        docx_bytes = convert_with_soffice(data, soffice)
    except ConversionError as exc:
        raise UnreadableError(f"无法读取 RTF 文件：{exc}") from exc
    doc = read_docx(docx_bytes, source)
    doc.media_type = "application/rtf"
    return doc
