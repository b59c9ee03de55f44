"""Meta-test over the reader registry: every kind sniffed has a reader or a Chinese refusal,
every reader module declares its kinds, and each reads a tiny document of its kind made here."""

from __future__ import annotations

import inspect
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from office import soffice_convert
from tooling import tool_missing

import audit.readers
import audit.readers.registry
from audit.readers import KINDS, READERS, REFUSALS, UnreadableError, read, sniff
from audit.readers.base import media_kind

TITLE = "某某县人民政府2024年政府信息公开工作年度报告"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _text() -> bytes:
    return f"{TITLE}\n一、总体情况\n项目\t数量\n规章\t0\n".encode()


def _html() -> bytes:
    return f"<html><body><h1>{TITLE}</h1><p>一、总体情况</p><table><tr><td>规章</td><td>0</td></tr></table></body></html>".encode()


def _pdf() -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 760, TITLE)
    c.drawString(
        72, 740, "一、总体情况：本机关认真贯彻落实政府信息公开条例，全面推进政务公开工作，取得了较好成效。"
    )
    c.save()
    return out.getvalue()


def _docx() -> bytes:
    d = docx.Document()
    d.add_paragraph(TITLE)
    d.add_paragraph("一、总体情况")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _office(fmt: str, tmp_path: Path) -> bytes:
    """Return the DOCX above converted by LibreOffice to ``fmt`` (doc or rtf)."""
    source = tmp_path / "r.docx"
    source.write_bytes(_docx())
    return soffice_convert(source, fmt)


def _zip(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return out.getvalue()


MAKERS: dict[str, Callable[[Path], bytes]] = {
    "text": lambda _tmp: _text(),
    "html": lambda _tmp: _html(),
    "pdf": lambda _tmp: _pdf(),
    "docx": lambda _tmp: _docx(),
    "doc": lambda tmp: _office("doc", tmp),
    "rtf": lambda tmp: _office("rtf", tmp),
}
REFUSED: dict[str, bytes] = {
    "ofd": _zip("OFD.xml", "Doc_0/Document.xml"),
    "image": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
    "zip": _zip("readme.txt"),
}


def test_every_sniffed_kind_has_a_reader_or_a_refusal() -> None:
    assert set(READERS) | set(REFUSALS) == set(KINDS)
    assert not set(READERS) & set(REFUSALS)
    assert all(HAN.search(reason) for reason in REFUSALS.values())


def test_every_reader_module_declares_its_kinds_and_one_read() -> None:
    modules = audit.readers.registry._MODULES
    assert sorted(k for m in modules for k in m.KINDS) == sorted(READERS)
    for module in modules:
        assert isinstance(module.KINDS, tuple) and module.KINDS, module.__name__
        assert list(inspect.signature(module.read).parameters) == ["data", "source"], module.__name__
        assert (module.__doc__ or "").strip(), f"{module.__name__} has no docstring"


def test_the_package_docstring_holds_the_recipe() -> None:
    doc = audit.readers.__doc__ or ""
    assert "How to add a reader" in doc and "KINDS" in doc and "test_readers_registry" in doc


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_each_reader_reads_a_tiny_document_of_its_kind(kind: str, tmp_path: Path) -> None:
    if kind in ("doc", "rtf") and tool_missing("soffice"):
        pytest.skip("LibreOffice not installed")
    data = MAKERS[kind](tmp_path)
    assert sniff(data, f"r.{kind}") == kind
    doc = read(data, f"r.{kind}")
    assert doc.media_type == KINDS[kind]
    text = "".join(b.text for b in doc.blocks) + "".join(c for b in doc.blocks for row in b.rows for c in row)
    assert "总体情况" in text, kind


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_each_refused_kind_is_refused_in_chinese(kind: str) -> None:
    assert sniff(REFUSED[kind], "r.bin") == kind
    with pytest.raises(UnreadableError, match=re.escape(REFUSALS[kind])):
        read(REFUSED[kind], "r.bin")


def test_content_type_decides_between_text_and_html_only() -> None:
    late_markup = b"x" * 9000 + b"<p>" + TITLE.encode() + b"</p>"
    assert sniff(late_markup, "page") == "text"
    assert sniff(late_markup, "page", "text/html; charset=utf-8") == "html"
    mentions = "本文提到<br>和<p>标签\n一、总体情况".encode()
    assert sniff(mentions, "r.txt") == "html"
    assert sniff(mentions, "r.txt", "text/plain") == "text"
    assert sniff(_pdf(), "r.html", "text/html") == "pdf"  # the bytes win over the header
    assert media_kind("application/octet-stream") is None
