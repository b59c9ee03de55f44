"""Tests of document type sniffing and reader dispatch (audit.readers)."""

from __future__ import annotations

import io
import shutil
import zipfile

import docx
import pytest
from tooling import tool_missing

from audit.readers import UnreadableError, read_bytes, read_path, sniff


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return out.getvalue()


def _docx(text: str = "某某区人民政府2024年政府信息公开工作年度报告") -> bytes:
    d = docx.Document()
    d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (b"%PDF-1.7\n...", "a.pdf", "pdf"),
        (b"\r\n%PDF-1.4\n...", "a.doc", "pdf"),  # content wins over a wrong extension
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.wps", "doc"),
        (b"{\\rtf1\\ansi ...}", "a.doc", "rtf"),
        (b"\x89PNG\r\n\x1a\n....", "a.pdf", "image"),
        (b"\xff\xd8\xff\xe0....", "scan.jpg", "image"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "a.doc", "html"),
        ("一、总体情况\n二、主动公开政府信息情况".encode(), "a.txt", "text"),
    ],
)
def test_sniff_by_content(data: bytes, name: str, kind: str) -> None:
    assert sniff(data, name) == kind


def test_sniff_zip_containers() -> None:
    assert sniff(_docx(), "report.doc") == "docx"
    assert sniff(_zip(["OFD.xml", "Doc_0/Document.xml"]), "r.ofd") == "ofd"
    assert sniff(_zip(["readme.txt"]), "r.zip") == "zip"


def test_docx_is_dispatched_to_the_docx_reader() -> None:
    doc = read_bytes(_docx(), "report.doc")
    assert doc.media_type.endswith("wordprocessingml.document")
    assert doc.blocks[0].text == "某某区人民政府2024年政府信息公开工作年度报告"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_zip(["OFD.xml", "Doc_0/Document.xml"]), "OFD"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "图片"),
        (_zip(["readme.txt"]), "ZIP"),
    ],
)
def test_unsupported_kinds_raise_in_chinese(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableError, match=message):
        read_bytes(data, "x")


def test_rtf_without_libreoffice_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(UnreadableError, match="libreoffice-writer-nogui"):
        read_bytes(b"{\\rtf1\\ansi hello}", "a.doc")


@pytest.mark.skipif(tool_missing("soffice"), reason="LibreOffice not installed")
def test_rtf_through_libreoffice() -> None:
    rtf = b"{\\rtf1\\ansi\\ansicpg936 {\\fonttbl\\f0\\fnil SimSun;}\\f0 \\u19968?\\u12289?\\u24635?\\u20307?\\par}"
    doc = read_bytes(rtf, "a.doc")
    assert doc.media_type == "application/rtf"
    assert doc.blocks[0].text == "一、总体"


def test_read_path_errors(tmp_path) -> None:
    with pytest.raises(UnreadableError, match="不存在"):
        read_path(tmp_path / "missing.pdf")
    with pytest.raises(UnreadableError, match="目录"):
        read_path(tmp_path)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"  \n")
    with pytest.raises(UnreadableError, match="为空"):
        read_path(empty)


def test_html_without_extension_or_leading_markup_is_sniffed() -> None:
    late = b"<!-- " + b"x" * 2000 + b" -->\n<!DOCTYPE html><html><body><p>x</p></body></html>"
    assert sniff(late, "content_123") == "html"
    assert sniff(b"\n" * 10 + b"<meta charset=gb2312><div class=TRS_Editor>", "x") == "html"
    assert sniff("一、总体情况\n本机关<主动公开>工作".encode(), "x.txt") == "text"
